/* scen_benign.c - traffic that looks like mining to a careless detector and must not alert:
 * JSON-RPC that is not mining (Ethereum node API, LSP, app logins), Stratum text quoted in
 * an HTTP page on 3333 and in an e-mail, and plain web traffic on 8080. */
#include <stdio.h>
#include <string.h>

#include "scen.h"

static void http_exchange(struct pg_tcp *s, const char *req_head, const char *req_body,
                          const char *resp_head, const char *resp_body)
{
    char msg[8192];
    size_t n = mb_http(msg, sizeof msg, req_head, req_body);
    pg_tcp_send(s, PG_C2S, msg, n, NULL);
    n = mb_http(msg, sizeof msg, resp_head, resp_body);
    pg_tcp_send(s, PG_S2C, msg, n, NULL);
    pg_advance(s->w, 200000);
}

/* A wallet asking its own Ethereum node: JSON-RPC 2.0 over HTTP on 8545. */
static int jsonrpc_eth_wallet(struct pg_writer *w, int argc, char **argv)
{
    static const char req[] = "POST / HTTP/1.1\r\nHost: 10.20.100.5:8545\r\nUser-Agent: web3.py/6.11.0\r\n"
                              "Content-Type: application/json\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nVary: Origin\r\n";
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.10.1", 45500, "10.20.100.5", 8545, 4000, 4100);
    pg_tcp_handshake(&s);
    http_exchange(&s, req, "{\"jsonrpc\": \"2.0\", \"method\": \"eth_blockNumber\", \"params\": [], \"id\": 1}",
                  resp, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x12a05f2\"}\n");
    http_exchange(&s, req, "{\"jsonrpc\": \"2.0\", \"method\": \"eth_getBalance\", \"params\": [\"0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae\", \"latest\"], \"id\": 2}",
                  resp, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x1bc16d674ec80000\"}\n");
    http_exchange(&s, req, "{\"jsonrpc\": \"2.0\", \"method\": \"eth_call\", \"params\": [{\"to\": \"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48\", \"data\": \"0x70a08231000000000000000000000000de0b295669a9fd93d5f28d9ec85e40f4cb697bae\"}, \"latest\"], \"id\": 3}",
                  resp, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x00000000000000000000000000000000000000000000000000000000000f4240\"}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

static void lsp_send(struct pg_tcp *s, enum pg_dir dir, const char *json)
{
    char msg[2048];
    int n = snprintf(msg, sizeof msg, "Content-Length: %zu\r\n\r\n%s", strlen(json), json);
    pg_tcp_send(s, dir, msg, (size_t)n, NULL);
}

/* Language Server Protocol over TCP (an editor talking to a remote language server). */
static int jsonrpc_lsp(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.10.2", 45600, "10.20.100.6", 2087, 4200, 4300);
    pg_tcp_handshake(&s);
    lsp_send(&s, PG_C2S, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"processId\":4242,\"rootUri\":\"file:///home/alice/thesis\",\"capabilities\":{\"textDocument\":{\"hover\":{\"contentFormat\":[\"markdown\",\"plaintext\"]}}}}}");
    lsp_send(&s, PG_S2C, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"capabilities\":{\"textDocumentSync\":2,\"hoverProvider\":true,\"completionProvider\":{\"triggerCharacters\":[\".\"]}}}}");
    lsp_send(&s, PG_C2S, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}");
    lsp_send(&s, PG_C2S, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///home/alice/thesis/miner.py\",\"languageId\":\"python\",\"version\":1,\"text\":\"def submit(job_id, nonce):\\n    return {'method': 'mining.submit', 'params': [job_id, nonce]}\\n\"}}}");
    lsp_send(&s, PG_S2C, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":{\"uri\":\"file:///home/alice/thesis/miner.py\",\"diagnostics\":[]}}");
    lsp_send(&s, PG_C2S, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"textDocument/hover\",\"params\":{\"textDocument\":{\"uri\":\"file:///home/alice/thesis/miner.py\"},\"position\":{\"line\":0,\"character\":5}}}");
    lsp_send(&s, PG_S2C, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"contents\":{\"kind\":\"markdown\",\"value\":\"```python\\ndef submit(job_id, nonce)\\n```\"}}}");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* A game/chat client's JSON line protocol: method "login" with a params object that is
 * not XMRig's (username/password, no agent/algo), a result without a job, on port 7777. */
static int app_login(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.10.3", 45700, "192.0.2.100", 7777, 4400, 4500);
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"username\":\"alice\",\"password\":\"correct horse\",\"client\":\"chatty/2.3\"}}\n");
    scen_s(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":{\"id\":\"sess-9f2\",\"status\":\"OK\",\"motd\":\"welcome\"},\"error\":null}\n");
    scen_c(&s, "{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"channel\":\"#general\",\"text\":\"hello\"}}\n");
    scen_s(&s, "{\"id\":2,\"jsonrpc\":\"2.0\",\"result\":{\"status\":\"OK\"},\"error\":null}\n");
    scen_s(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"message\",\"params\":{\"from\":\"bob\",\"text\":\"hi alice\"}}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* A documentation page served on 3333 whose body quotes Stratum messages line by line. */
static int web_quotes_stratum(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.10.4", 45800, "10.20.100.7", 3333, 4600, 4700);
    pg_tcp_handshake(&s);
    http_exchange(&s, "GET /docs/stratum.html HTTP/1.1\r\nHost: 10.20.100.7:3333\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\nAccept: text/html\r\n",
                  NULL,
                  "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html; charset=utf-8\r\n",
                  "<html><body><h1>Stratum in the course lab</h1><p>The miner sends:</p><pre>\n"
                  "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n"
                  "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"student.worker\", \"x\"]}\n"
                  "</pre><p>and the pool answers:</p><pre>\n"
                  "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae6812eb\"]],\"08000002\",4],\"error\":null}\n"
                  "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"4d2\",\"00\",\"01\",\"02\",[],\"20000000\",\"1703a30c\",\"65f1c2a0\",true]}\n"
                  "</pre></body></html>\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

static int http_on_8080(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.10.5", 45900, "10.20.100.8", 8080, 4800, 4900);
    pg_tcp_handshake(&s);
    http_exchange(&s, "GET /status HTTP/1.1\r\nHost: intranet.campus.example:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n",
                  NULL, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: Jetty(9.4.51)\r\n",
                  "{\"status\":\"ok\",\"uptime\":86400,\"jobs\":{\"queued\":3,\"running\":1}}\n");
    http_exchange(&s, "POST /api/login HTTP/1.1\r\nHost: intranet.campus.example:8080\r\nUser-Agent: curl/7.88.1\r\nContent-Type: application/json\r\n",
                  "{\"method\":\"login\",\"params\":{\"user\":\"alice\",\"pass\":\"x\"}}",
                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: sid=abc123; HttpOnly\r\n",
                  "{\"ok\":true}\n");
    http_exchange(&s, "GET /img/logo.png HTTP/1.1\r\nHost: intranet.campus.example:8080\r\nUser-Agent: curl/7.88.1\r\n",
                  NULL, "HTTP/1.1 304 Not Modified\r\nETag: \"5f1c\"\r\n", NULL);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* An SMTP submission whose message body quotes Stratum lines (a mailing-list post). */
static int email_quotes_stratum(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.10.6", 46000, "10.20.100.25", 25, 5000, 5100);
    pg_tcp_handshake(&s);
    scen_s(&s, "220 mail.campus.example ESMTP Postfix (Debian/GNU)\r\n");
    scen_c(&s, "EHLO laptop.campus.example\r\n");
    scen_s(&s, "250-mail.campus.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
    scen_c(&s, "MAIL FROM:<alice@campus.example>\r\n");
    scen_s(&s, "250 2.1.0 Ok\r\n");
    scen_c(&s, "RCPT TO:<netsec-list@campus.example>\r\n");
    scen_s(&s, "250 2.1.5 Ok\r\n");
    scen_c(&s, "DATA\r\n");
    scen_s(&s, "354 End data with <CR><LF>.<CR><LF>\r\n");
    scen_c(&s, "From: Alice <alice@campus.example>\r\nTo: netsec-list@campus.example\r\n"
               "Subject: what a miner sends\r\nDate: Wed, 13 Mar 2024 10:00:00 +0000\r\n"
               "Message-ID: <20240313100000.1@campus.example>\r\n\r\n"
               "Hi all, for the workshop, this is what we saw on the wire:\r\n\r\n"
               "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\r\n"
               "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"rig.worker\", \"x\"]}\r\n"
               "{\"id\": 3, \"method\": \"mining.submit\", \"params\": [\"rig.worker\", \"4d2\", \"00000000\", \"65f1c2a0\", \"3c2f1a90\"]}\r\n\r\n"
               "Alice\r\n.\r\n");
    scen_s(&s, "250 2.0.0 Ok: queued as 4F2A81C0123\r\n");
    scen_c(&s, "QUIT\r\n");
    scen_s(&s, "221 2.0.0 Bye\r\n");
    pg_tcp_fin(&s, PG_S2C);
    return 0;
}

const struct scenario scen_benign[] = {
    { "jsonrpc-eth-wallet", "", "wallet JSON-RPC to an Ethereum node on 8545 (eth_blockNumber, eth_getBalance)", jsonrpc_eth_wallet },
    { "jsonrpc-lsp", "", "Language Server Protocol JSON-RPC over TCP, Content-Length framing", jsonrpc_lsp },
    { "app-login", "", "JSON line protocol with method login {username,password} on 7777", app_login },
    { "web-quotes-stratum", "", "HTTP page on 3333 whose body quotes Stratum messages", web_quotes_stratum },
    { "http-on-8080", "", "ordinary web traffic on 8080", http_on_8080 },
    { "email-quotes-stratum", "", "SMTP session whose body contains mining.subscribe lines", email_quotes_stratum },
    { NULL, NULL, NULL, NULL },
};
