/* scen_proxies.c - mining behind proxies: SOCKS4, SOCKS4a, SOCKS5 (no-auth and RFC 1929
 * username/password) and HAProxy PROXY protocol v1/v2 in front of Stratum and XMRig, and
 * the benign look-alikes (HTTPS and plain HTTP through a SOCKS tunnel to ordinary sites).
 *
 * Handshakes are written from RFC 1928/1929, the SOCKS4/4A documents and HAProxy's
 * proxy-protocol.txt. Campus hosts in 10.20.0.0/16 (the proxies at 10.20.0.4..6), pools in
 * the documentation ranges; pool names are ones the default lists carry.
 */
#include <stdio.h>
#include <string.h>

#include "scen.h"

#define SUB_RESULT                                                                              \
    "{\"id\":1,\"result\":[[[\"mining.set_difficulty\",\"5f1d0a\"],[\"mining.notify\",\"5f1d0a\"]]," \
    "\"2a0000f1\",4],\"error\":null}\n"

static void send_bytes(struct pg_tcp *s, enum pg_dir dir, const void *p, size_t n)
{
    pg_tcp_send(s, dir, p, n, NULL);
    pg_advance(s->w, 50000);
}

/* Stratum V1 inside the tunnel: subscribe, authorize, a job, a share. */
static void stratum_inside(struct pg_tcp *s, const char *agent, const char *worker)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"%s\"]}\n", agent);
    scen_c(s, buf);
    scen_s(s, SUB_RESULT);
    snprintf(buf, sizeof buf, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"%s\",\"x\"]}\n", worker);
    scen_c(s, buf);
    scen_s(s, "{\"id\":2,\"result\":true,\"error\":null}\n");
    scen_s(s, "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"1f\",\"00\",\"01\",\"02\",[],"
              "\"20000000\",\"1703a30c\",\"65f1c2a0\",true]}\n");
    snprintf(buf, sizeof buf, "{\"id\":3,\"method\":\"mining.submit\",\"params\":[\"%s\",\"1f\",\"00000000\","
                              "\"65f1c2a0\",\"9a3b2c1d\"]}\n", worker);
    scen_c(s, buf);
    scen_s(s, "{\"id\":3,\"result\":true,\"error\":null}\n");
}

/* XMRig inside the tunnel (xmrig-proxy STRATUM.md): login, its job, a share. */
static void xmrig_inside(struct pg_tcp *s)
{
    scen_c(s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"48proxiedwallet\","
              "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\","
              "\"algo\":[\"rx/0\"]}}\n");
    scen_s(s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"a1\",\"job\":{\"blob\":\"0707\","
              "\"job_id\":\"j1\",\"target\":\"b88d0600\",\"algo\":\"rx/0\",\"height\":3100000,"
              "\"seed_hash\":\"00\"},\"status\":\"OK\"}}\n");
    scen_c(s, "{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"a1\",\"job_id\":\"j1\","
              "\"nonce\":\"c3a10000\",\"result\":\"e548\"}}\n");
    scen_s(s, "{\"id\":2,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"status\":\"OK\"}}\n");
}

/* RFC 1928 CONNECT to name:port with no authentication. */
static void socks5_connect_name(struct pg_tcp *s, const char *name, uint16_t port)
{
    uint8_t b[300];
    size_t n = strlen(name);
    send_bytes(s, PG_C2S, (const uint8_t[]){ 5, 1, 0 }, 3);
    send_bytes(s, PG_S2C, (const uint8_t[]){ 5, 0 }, 2);
    b[0] = 5, b[1] = 1, b[2] = 0, b[3] = 3, b[4] = (uint8_t)n;
    memcpy(b + 5, name, n);
    b[5 + n] = (uint8_t)(port >> 8), b[6 + n] = (uint8_t)port;
    send_bytes(s, PG_C2S, b, n + 7);
    send_bytes(s, PG_S2C, (const uint8_t[]){ 5, 0, 0, 1, 10, 20, 0, 4, 0xa1, 0x2c }, 10);
}

/* SOCKS5 (no auth) to btc.viabtc.com:3333, Stratum V1 inside. */
static int socks5_stratum(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.7.80", 41300, "10.20.0.4", 1080, 3500, 3600);
    pg_tcp_handshake(&s);
    socks5_connect_name(&s, "btc.viabtc.com", 3333);
    stratum_inside(&s, "bfgminer/5.5.0", "socksed.rig1");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* SOCKS5 with username/password (RFC 1929) to a pool given by address: the target is not on
 * any list, so only the XMRig session behind it can tell. */
static int socks5_auth_xmrig(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.7.81", 41310, "10.20.0.4", 1080, 3700, 3800);
    pg_tcp_handshake(&s);
    send_bytes(&s, PG_C2S, (const uint8_t[]){ 5, 2, 0, 2 }, 4);
    send_bytes(&s, PG_S2C, (const uint8_t[]){ 5, 2 }, 2);
    send_bytes(&s, PG_C2S, (const uint8_t[]){ 1, 4, 'l', 'a', 'b', '7', 6, 's', '3', 'c', 'r', '3', 't' }, 13);
    send_bytes(&s, PG_S2C, (const uint8_t[]){ 1, 0 }, 2);
    send_bytes(&s, PG_C2S, (const uint8_t[]){ 5, 1, 0, 1, 203, 0, 113, 81, 0x0d, 0x05 }, 10);
    send_bytes(&s, PG_S2C, (const uint8_t[]){ 5, 0, 0, 1, 10, 20, 0, 4, 0xa1, 0x2d }, 10);
    xmrig_inside(&s);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* SOCKS4a CONNECT xmr-eu1.nanopool.org:14433 (the proxy resolves the name), XMRig inside. */
static int socks4a_stratum(struct pg_writer *w, int argc, char **argv)
{
    static const char name[] = "xmr-eu1.nanopool.org";
    uint8_t b[64];
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.7.82", 41320, "10.20.0.4", 1080, 3900, 4000);
    pg_tcp_handshake(&s);
    memcpy(b, (const uint8_t[]){ 4, 1, 0x38, 0x61, 0, 0, 0, 1, 'u', 0 }, 10);
    memcpy(b + 10, name, sizeof name); /* with its NUL */
    send_bytes(&s, PG_C2S, b, 10 + sizeof name);
    send_bytes(&s, PG_S2C, (const uint8_t[]){ 0, 90, 0, 0, 0, 0, 0, 0 }, 8);
    xmrig_inside(&s);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* SOCKS4 CONNECT by address (198.51.100.83:3333, unlisted), Stratum V1 inside. */
static int socks4_stratum(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.7.83", 41330, "10.20.0.4", 1080, 4100, 4200);
    pg_tcp_handshake(&s);
    send_bytes(&s, PG_C2S, (const uint8_t[]){ 4, 1, 0x0d, 0x05, 198, 51, 100, 83, 0 }, 9);
    send_bytes(&s, PG_S2C, (const uint8_t[]){ 0, 90, 0x0d, 0x05, 198, 51, 100, 83 }, 8);
    stratum_inside(&s, "cgminer/4.12.1", "socks4.rig");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* A relay (10.20.0.5) that terminates miners' connections passes them to a Stratum
 * backend with a PROXY v1 header naming the miner 10.20.7.84:51234. */
static int proxy_v1_stratum(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.0.5", 50100, "198.51.100.84", 3333, 4300, 4400);
    pg_tcp_handshake(&s);
    /* header and the first Stratum line in one segment, as relays send them */
    scen_c(&s, "PROXY TCP4 10.20.7.84 10.20.0.5 51234 3333\r\n"
               "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n");
    scen_s(&s, SUB_RESULT);
    scen_c(&s, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"relayed.rig\",\"x\"]}\n");
    scen_s(&s, "{\"id\":2,\"result\":true,\"error\":null}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* The same with a binary PROXY v2 header (IPv6 miner 2001:db8:20::85, an AUTHORITY TLV). */
static int proxy_v2_stratum(struct pg_writer *w, int argc, char **argv)
{
    uint8_t h[128];
    size_t n = 0;
    static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
    static const char auth[] = "stratum.relay.example";
    struct pg_tcp s;
    memcpy(h, sig, 12);
    n = 12;
    h[n++] = 0x21; /* v2, PROXY */
    h[n++] = 0x21; /* INET6, STREAM */
    size_t blen = 36 + 3 + (sizeof auth - 1);
    h[n++] = (uint8_t)(blen >> 8), h[n++] = (uint8_t)blen;
    memset(h + n, 0, 36);
    h[n] = 0x20, h[n + 1] = 0x01, h[n + 2] = 0x0d, h[n + 3] = 0xb8, h[n + 5] = 0x20, h[n + 15] = 0x85;
    h[n + 16] = 0x20, h[n + 17] = 0x01, h[n + 18] = 0x0d, h[n + 19] = 0xb8, h[n + 31] = 0x05;
    h[n + 32] = 0xc8, h[n + 33] = 0x23, h[n + 34] = 0x0d, h[n + 35] = 0x05; /* 51235 -> 3333 */
    n += 36;
    h[n++] = 0x02, h[n++] = 0, h[n++] = (uint8_t)(sizeof auth - 1);
    memcpy(h + n, auth, sizeof auth - 1);
    n += sizeof auth - 1;
    scen_tcp(&s, w, "10.20.0.6", 50200, "198.51.100.85", 3333, 4500, 4600);
    pg_tcp_handshake(&s);
    send_bytes(&s, PG_C2S, h, n);
    stratum_inside(&s, "cgminer/4.10.0", "relayed.v2");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* Benign: a browser behind a SOCKS5 proxy fetches a page over HTTPS, and a SOCKS4a client
 * a plain HTTP page. Neither target is a pool; nothing inside is mining. */
static int socks_benign(struct pg_writer *w, int argc, char **argv)
{
    uint8_t b[2048];
    char msg[1024];
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.7.86", 41400, "10.20.0.4", 1080, 4700, 4800);
    pg_tcp_handshake(&s);
    socks5_connect_name(&s, "www.example.org", 443);
    size_t n = mb_tls_client_hello(b, sizeof b, "www.example.org", 86);
    send_bytes(&s, PG_C2S, b, n);
    n = mb_tls_server_flight(b, sizeof b, 86);
    send_bytes(&s, PG_S2C, b, n);
    for (uint32_t i = 0; i < 3; i++) {
        n = mb_tls_app_data(b, sizeof b, 400, 90 + i);
        send_bytes(&s, PG_C2S, b, n);
        n = mb_tls_app_data(b, sizeof b, 1400, 95 + i);
        send_bytes(&s, PG_S2C, b, n);
    }
    pg_tcp_fin(&s, PG_C2S);

    static const char name[] = "example.com";
    scen_tcp(&s, w, "10.20.7.87", 41410, "10.20.0.4", 1080, 4900, 5000);
    pg_tcp_handshake(&s);
    memcpy(b, (const uint8_t[]){ 4, 1, 0, 80, 0, 0, 0, 9, 0 }, 9);
    memcpy(b + 9, name, sizeof name);
    send_bytes(&s, PG_C2S, b, 9 + sizeof name);
    send_bytes(&s, PG_S2C, (const uint8_t[]){ 0, 90, 0, 0, 0, 0, 0, 0 }, 8);
    scen_c(&s, "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
    n = mb_http(msg, sizeof msg, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n",
                "<html><body>Example Domain</body></html>");
    send_bytes(&s, PG_S2C, msg, n);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

const struct scenario scen_proxies[] = {
    { "socks5-stratum", "", "SOCKS5 (no auth) CONNECT btc.viabtc.com:3333, Stratum V1 inside", socks5_stratum },
    { "socks5-auth-xmrig", "", "SOCKS5 username/password CONNECT to an unlisted address, XMRig inside",
      socks5_auth_xmrig },
    { "socks4a-stratum", "", "SOCKS4a CONNECT xmr-eu1.nanopool.org:14433, XMRig inside", socks4a_stratum },
    { "socks4-stratum", "", "SOCKS4 CONNECT to an unlisted address, Stratum V1 inside", socks4_stratum },
    { "proxy-v1-stratum", "", "PROXY protocol v1 header (TCP4) in front of Stratum V1", proxy_v1_stratum },
    { "proxy-v2-stratum", "", "PROXY protocol v2 header (INET6, AUTHORITY TLV) in front of Stratum V1",
      proxy_v2_stratum },
    { "socks-benign", "", "HTTPS through SOCKS5 and plain HTTP through SOCKS4a to ordinary sites", socks_benign },
    { NULL, NULL, NULL, NULL },
};
