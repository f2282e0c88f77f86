/* test_http.c - HTTP head parser, framing helpers and the HTTP/WebSocket dissector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/http.h"
#include "sensor/applayer/drive.h"
#include "sensor/flow/flow.h"
#include "unit/check_main.h"

#define S(x) (const uint8_t *)(x), (sizeof(x) - 1)

/* ---- parser ---- */

START_TEST(test_request_every_prefix)
{
    static const char req[] = "POST /rpc?x=1 HTTP/1.1\r\nHost: pool.example.com:8332\r\n"
                              "User-Agent: cgminer/4.10.0\r\nContent-Length: 3\r\n\r\nabc";
    size_t head = sizeof req - 1 - 3;
    struct http_request rq;
    for (size_t i = 0; i < head; i++)
        ck_assert_int_eq(http_parse_request((const uint8_t *)req, i, &rq), HTTP_NEED_MORE);
    for (size_t i = head; i < sizeof req; i++)
        ck_assert_int_eq(http_parse_request((const uint8_t *)req, i, &rq), (long)head);
    ck_assert(http_slice_ieq(&rq.method, "POST"));
    ck_assert_uint_eq(rq.target.len, 8);
    ck_assert(memcmp(rq.target.p, "/rpc?x=1", 8) == 0);
    ck_assert_int_eq(rq.version_minor, 1);
    ck_assert_uint_eq(rq.num_headers, 3);
    ck_assert_uint_eq(rq.total_headers, 3);
    const struct http_slice *h = http_header_get(rq.headers, rq.num_headers, "user-agent");
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(h->len, 14);
    uint64_t cl;
    ck_assert_int_eq(http_parse_content_length(http_header_get(rq.headers, rq.num_headers, "CONTENT-LENGTH"), &cl), 0);
    ck_assert_uint_eq(cl, 3);
}
END_TEST

START_TEST(test_response_every_prefix)
{
    static const char rsp[] = "HTTP/1.1 200 OK\nX-Long-Polling: /LP\n  \n";
    struct http_response rs;
    /* "  " is a whitespace-only line: obsolete folding, rejected */
    ck_assert_int_eq(http_parse_response(S(rsp), &rs), HTTP_MALFORMED);
    static const char ok[] = "HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\n";
    for (size_t i = 0; i < sizeof ok - 1; i++)
        ck_assert_int_eq(http_parse_response((const uint8_t *)ok, i, &rs), HTTP_NEED_MORE);
    ck_assert_int_eq(http_parse_response(S(ok), &rs), (long)(sizeof ok - 1));
    ck_assert_int_eq(rs.status, 404);
    ck_assert_int_eq(rs.version_minor, 0);
    ck_assert_uint_eq(rs.reason.len, 9);
    /* bare LF line ends and an empty reason */
    ck_assert_int_eq(http_parse_response(S("HTTP/1.1 204\n\n"), &rs), 14);
    ck_assert_int_eq(rs.status, 204);
}
END_TEST

START_TEST(test_malformed_heads)
{
    struct http_request rq;
    struct http_response rs;
    ck_assert_int_eq(http_parse_request(S("GE(T / HTTP/1.1\r\n\r\n"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(S("\x16\x03\x01\x02"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(S("GET / HTTP/2.0\r\n\r\n"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(S("GET /\r\n\r\n"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(S("GET  / HTTP/1.1\r\n\r\n"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(S("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(S("GET / HTTP/1.1\r\nA b: c\r\n\r\n"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(S("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(S("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n"), &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_response(S("HTTP/1.1 2x0 OK\r\n\r\n"), &rs), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_response(S("HTTP/1.1 099 X\r\n\r\n"), &rs), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_response(S("SSH-2.0-OpenSSH"), &rs), HTTP_MALFORMED);
    /* a line past the cap is malformed without waiting for its end */
    size_t n = HTTP_MAX_LINE + 100;
    uint8_t *big = malloc(n);
    ck_assert_ptr_nonnull(big);
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', n - 5);
    ck_assert_int_eq(http_parse_request(big, n, &rq), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_request(big, HTTP_MAX_LINE, &rq), HTTP_NEED_MORE);
    free(big);
}
END_TEST

START_TEST(test_100k_headers_bounded)
{
    const size_t count = 100000;
    const char *line = "X-Filler: value\r\n";
    size_t ll = strlen(line);
    size_t n = 18 + count * ll + 2;
    uint8_t *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    memcpy(b, "GET / HTTP/1.1\r\n", 16);
    size_t off = 16;
    for (size_t i = 0; i < count; i++, off += ll)
        memcpy(b + off, line, ll);
    memcpy(b + off, "\r\n", 2);
    off += 2;
    struct http_request rq;
    ck_assert_int_eq(http_parse_request(b, off, &rq), (long)off);
    ck_assert_uint_eq(rq.num_headers, HTTP_MAX_HEADERS);
    ck_assert_uint_eq(rq.total_headers, count);
    free(b);
}
END_TEST

START_TEST(test_content_length_and_chunks)
{
    uint64_t v;
    struct http_slice s1 = { (const uint8_t *)"0", 1 }, s2 = { (const uint8_t *)"-1", 2 },
                      s3 = { (const uint8_t *)"99999999999999999999999", 23 },
                      s4 = { (const uint8_t *)"12a", 3 }, s5 = { (const uint8_t *)"", 0 };
    ck_assert_int_eq(http_parse_content_length(&s1, &v), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(http_parse_content_length(&s2, &v), -1);
    ck_assert_int_eq(http_parse_content_length(&s3, &v), -1);
    ck_assert_int_eq(http_parse_content_length(&s4, &v), -1);
    ck_assert_int_eq(http_parse_content_length(&s5, &v), -1);
    ck_assert_int_eq(http_parse_chunk_size(S("1A;ext=1\r\n"), &v), 10);
    ck_assert_uint_eq(v, 26);
    ck_assert_int_eq(http_parse_chunk_size(S("1A"), &v), HTTP_NEED_MORE);
    ck_assert_int_eq(http_parse_chunk_size(S("1A\r"), &v), HTTP_NEED_MORE);
    ck_assert_int_eq(http_parse_chunk_size(S("1A\rx\n"), &v), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_chunk_size(S("zz\r\n"), &v), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_chunk_size(S("\r\n"), &v), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_chunk_size(S("ffffffffffffffffff\r\n"), &v), HTTP_MALFORMED);
    ck_assert_int_eq(http_parse_chunk_size(S("0\n"), &v), 2);
    ck_assert_uint_eq(v, 0);
}
END_TEST

static int host_of(const char *auth, char *out)
{
    struct http_slice a = { (const uint8_t *)auth, strlen(auth) }, h;
    if (http_authority_host(&a, &h) != 0)
        return -1;
    memcpy(out, h.p, h.len);
    out[h.len] = '\0';
    return 0;
}

START_TEST(test_authority_hosts)
{
    char h[256];
    ck_assert_int_eq(host_of("pool.example.com", h), 0);
    ck_assert_str_eq(h, "pool.example.com");
    ck_assert_int_eq(host_of("pool.example.com:3333", h), 0);
    ck_assert_str_eq(h, "pool.example.com");
    ck_assert_int_eq(host_of("[2001:db8::1]:8545", h), 0);
    ck_assert_str_eq(h, "2001:db8::1");
    ck_assert_int_eq(host_of("[::1]", h), 0);
    ck_assert_str_eq(h, "::1");
    ck_assert_int_eq(host_of("user:pw@10.1.2.3:80", h), 0);
    ck_assert_str_eq(h, "10.1.2.3");
    ck_assert_int_eq(host_of("", h), -1);
    ck_assert_int_eq(host_of(":80", h), -1);
    ck_assert_int_eq(host_of("host:8x", h), -1);
    ck_assert_int_eq(host_of("[::1", h), -1);
    ck_assert_int_eq(host_of("[]:80", h), -1);
    ck_assert_int_eq(host_of("a b", h), -1);
    struct http_slice t = { (const uint8_t *)"http://u@pool.example.net:8080/x?y", 34 }, a;
    ck_assert_int_eq(http_absolute_authority(&t, &a), 0);
    ck_assert_uint_eq(a.len, 23);
    struct http_slice t2 = { (const uint8_t *)"/index.html", 11 };
    ck_assert_int_eq(http_absolute_authority(&t2, &a), -1);
}
END_TEST

/* ---- dissector harness ---- */

#define MAXEV 32
static struct mw_evidence evs[MAXEV];
static int nev;
static uint64_t malformed;
static struct mw_flow_app app;

static void rec(void *user, struct mw_flow *fl, const struct mw_evidence *ev, uint64_t ts_us)
{
    if (nev < MAXEV)
        evs[nev++] = *ev;
}

/* A flow through the real engine (sensor/applayer/drive.h) with the HTTP dissector. */
struct flow {
    struct applayer_drive *dr;
};

static struct flow *flow_new_capped(uint16_t dport, size_t body_memcap)
{
    struct flow *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.engine.buffer_size = 65536;
    p.engine.body_memcap = body_memcap;
    p.port[MW_DIR_FWD] = 40000;
    p.port[MW_DIR_REV] = dport;
    f->dr = applayer_drive_new(&p, &http_dissector, rec, NULL);
    ck_assert_ptr_nonnull(f->dr);
    memset(&app, 0, sizeof app);
    nev = 0;
    malformed = 0;
    return f;
}

static struct flow *flow_new(uint16_t dport)
{
    return flow_new_capped(dport, 0);
}

static void flow_free(struct flow *f)
{
    applayer_drive_free(f->dr);
    free(f);
}

/* Bytes kept by the engine for direction dir. */
static size_t flow_kept(const struct flow *f, int dir)
{
    return applayer_drive_buffered(f->dr, dir);
}

static int flow_keep_following(struct flow *f)
{
    return applayer_drive_flow(f->dr)->keep_following;
}

/* Deliver bytes in pieces of `step` through the engine. Returns MW_FEED_MALFORMED once the
 * dissector detached as malformed. app and malformed mirror the flow's counters and the
 * dissector's named events. */
static long flow_send(struct flow *f, int dir, const void *data, size_t len, size_t step)
{
    applayer_drive_steps(f->dr, dir, data, len, step);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "detect.feed_contract"), 0);
    app = applayer_drive_flow(f->dr)->app;
    malformed = applayer_drive_events(f->dr, "http");
    return applayer_drive_stat(f->dr, "detect.dissector_malformed") ? MW_FEED_MALFORMED : 0;
}

static const struct mw_evidence *find_ev(enum mw_ev_kind kind, enum mw_variant v, const char *method)
{
    for (int i = 0; i < nev; i++)
        if (evs[i].kind == kind && evs[i].variant == v && (!method || strcmp(evs[i].method, method) == 0))
            return &evs[i];
    return NULL;
}

static int count_kind(enum mw_ev_kind kind)
{
    int n = 0;
    for (int i = 0; i < nev; i++)
        n += evs[i].kind == kind;
    return n;
}

/* ---- getwork ---- */

static const char getwork_body[] = "{\"method\": \"getwork\", \"params\": [], \"id\": 0}";
static const char getwork_reply[] =
    "{\"result\":{\"midstate\":\"5fa1\",\"data\":\"0000\",\"hash1\":\"00\",\"target\":\"ffff\"},"
    "\"error\":null,\"id\":0}";

static size_t build_getwork(char *req, size_t rsz, char *rsp, size_t ssz, size_t *rsplen)
{
    int n = snprintf(req, rsz,
                     "POST / HTTP/1.1\r\nHost: pool.example.com:8332\r\nUser-Agent: cgminer/4.10.0\r\n"
                     "Authorization: Basic dXNlcjpwYXNz\r\n"
                     "X-Mining-Extensions: longpoll midstate rollntime submitold\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     sizeof getwork_body - 1, getwork_body);
    int m = snprintf(rsp, ssz,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Long-Polling: /LP\r\n"
                     "X-Roll-NTime: Y\r\nContent-Length: %zu\r\n\r\n%s",
                     sizeof getwork_reply - 1, getwork_reply);
    *rsplen = (size_t)m;
    return (size_t)n;
}

/* Suricata's http object, as typed facts: every piece of evidence carries the request it
 * came with; the pool's side and the one MW_EV_HTTP record add the response's status and
 * body length (the client's side, seen before the response, does not have them). */
static void check_getwork_http(void)
{
    const struct mw_evidence *e = find_ev(MW_EV_NAME, MW_VAR_HTTP_HOST, "POST");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->http.seen, 1);
    ck_assert_str_eq(e->http.hostname, "pool.example.com");
    ck_assert_str_eq(e->http.url, "/");
    ck_assert_str_eq(e->http.method, "POST");
    ck_assert_str_eq(e->http.user_agent, "cgminer/4.10.0");
    ck_assert_uint_eq(e->http.status, 0);
    ck_assert_uint_eq(e->http.has_length, 0);
    e = find_ev(MW_EV_PROTOCOL, MW_VAR_GETWORK, "getwork");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->http.seen, 1);
    ck_assert_str_eq(e->http.method, "POST");
    ck_assert_uint_eq(e->http.status, 0);
    ck_assert_int_eq(count_kind(MW_EV_HTTP), 1);
    e = find_ev(MW_EV_HTTP, MW_VAR_NONE, NULL);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->http.hostname, "pool.example.com");
    ck_assert_str_eq(e->http.url, "/");
    ck_assert_uint_eq(e->http.status, 200);
    ck_assert_uint_eq(e->http.has_length, 1);
    ck_assert_uint_eq(e->http.length, sizeof getwork_reply - 1);
    int server = 0;
    for (int i = 0; i < nev; i++) {
        if (evs[i].kind != MW_EV_PROTOCOL || evs[i].sides != MW_SIDE_SERVER)
            continue;
        server++;
        ck_assert_str_eq(evs[i].http.user_agent, "cgminer/4.10.0");
        ck_assert_uint_eq(evs[i].http.status, 200);
        ck_assert_uint_eq(evs[i].http.length, sizeof getwork_reply - 1);
    }
    ck_assert_int_eq(server, 3);
}

static void check_getwork_evidence(void)
{
    const struct mw_evidence *e = find_ev(MW_EV_NAME, MW_VAR_HTTP_HOST, "POST");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->pool_host, "pool.example.com");
    e = find_ev(MW_EV_PROTOCOL, MW_VAR_GETWORK, "X-Mining-Extensions");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->agent, "cgminer/4.10.0");
    ck_assert_uint_eq(e->sides, MW_SIDE_CLIENT);
    ck_assert_uint_eq(e->client_dir, MW_DIR_FWD);
    ck_assert_ptr_nonnull(find_ev(MW_EV_PROTOCOL, MW_VAR_GETWORK, "User-Agent"));
    e = find_ev(MW_EV_PROTOCOL, MW_VAR_GETWORK, "getwork");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->pool_host, "pool.example.com");
    ck_assert_str_eq(e->agent, "cgminer/4.10.0");
    ck_assert_ptr_nonnull(find_ev(MW_EV_PROTOCOL, MW_VAR_GETWORK, "X-Long-Polling"));
    ck_assert_ptr_nonnull(find_ev(MW_EV_PROTOCOL, MW_VAR_GETWORK, "X-Roll-NTime"));
    int server_body = 0;
    for (int i = 0; i < nev; i++)
        server_body += evs[i].variant == MW_VAR_GETWORK && evs[i].sides == MW_SIDE_SERVER &&
                       evs[i].confidence == 95;
    ck_assert_int_eq(server_body, 1);
    ck_assert_int_eq(nev, 8);
    ck_assert_uint_eq(app.jobs, 1);
    check_getwork_http();
}

START_TEST(test_getwork_every_split)
{
    char req[1024], rsp[1024];
    size_t rsplen, reqlen = build_getwork(req, sizeof req, rsp, sizeof rsp, &rsplen);
    size_t maxstep = reqlen > rsplen ? reqlen : rsplen;
    for (size_t step = 1; step <= maxstep; step++) {
        struct flow *f = flow_new(8332);
        ck_assert_int_eq(flow_send(f, MW_DIR_FWD, req, reqlen, step), 0);
        ck_assert_int_eq(flow_send(f, MW_DIR_REV, rsp, rsplen, step), 0);
        ck_assert_uint_eq(flow_kept(f, 0) + flow_kept(f, 1), 0);
        check_getwork_evidence();
        ck_assert_uint_eq(flow_keep_following(f), 1);
        flow_free(f);
    }
}
END_TEST

/* Body buffers come from the engine's capped pool: with room for one block the request
 * body is read, the response body is refused and counted under both names, and the
 * block goes back when the flow ends. */
START_TEST(test_body_buffer_refused_is_counted)
{
    char req[1024], rsp[1024];
    size_t rsplen, reqlen = build_getwork(req, sizeof req, rsp, sizeof rsp, &rsplen);
    struct flow *f = flow_new_capped(8332, MW_BODY_BLOCK);
    flow_send(f, MW_DIR_FWD, req, reqlen, 4096);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "detect.body_blocks_in_use"), 1);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "detect.body_refused"), 0);
    flow_send(f, MW_DIR_REV, rsp, rsplen, 4096);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "detect.body_refused"), 1);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "app.http.body_refused"), 1);
    ck_assert_ptr_nonnull(find_ev(MW_EV_PROTOCOL, MW_VAR_GETWORK, "getwork")); /* the request body was read */
    ck_assert_uint_eq(app.jobs, 0); /* the response body was not */
    applayer_drive_end(f->dr);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "detect.body_blocks_in_use"), 0);
    flow_free(f);
    /* with the default cap both bodies are read */
    f = flow_new(8332);
    flow_send(f, MW_DIR_FWD, req, reqlen, 4096);
    flow_send(f, MW_DIR_REV, rsp, rsplen, 4096);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "detect.body_refused"), 0);
    ck_assert_uint_eq(app.jobs, 1);
    flow_free(f);
}
END_TEST

START_TEST(test_pipelining_pairs_in_order)
{
    static const char eth_body[] =
        "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitLogin\",\"params\":[\"0xabc\",\"x\"]}";
    char reqs[2048];
    int n = snprintf(reqs, sizeof reqs,
                     "GET /about.html HTTP/1.1\r\nHost: eth.pool.example\r\n\r\n"
                     "POST /0xABCDEF0123/rig7 HTTP/1.1\r\nHost: eth.pool.example\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     sizeof eth_body - 1, eth_body);
    /* The first reply is a page quoting a login; only the second answers the POST. */
    static const char quote[] = "<pre>{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":true}</pre>";
    static const char login_ok[] = "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":true}";
    char rsps[2048];
    int m = snprintf(rsps, sizeof rsps,
                     "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s"
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     sizeof quote - 1, quote, sizeof login_ok - 1, login_ok);
    for (size_t step = 1; step <= (size_t)m; step += 7) {
        struct flow *f = flow_new(8080);
        flow_send(f, MW_DIR_FWD, reqs, (size_t)n, step);
        flow_send(f, MW_DIR_REV, rsps, (size_t)m, step);
        const struct mw_evidence *e = find_ev(MW_EV_PROTOCOL, MW_VAR_ETHPROXY, "eth_submitLogin");
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->worker, "0xabc"); /* the login in the body wins over the path */
        ck_assert_str_eq(e->pool_host, "eth.pool.example");
        int server = 0;
        for (int i = 0; i < nev; i++)
            server += evs[i].kind == MW_EV_PROTOCOL && evs[i].sides == MW_SIDE_SERVER &&
                      evs[i].variant == MW_VAR_ETHPROXY;
        ck_assert_int_eq(server, 1);
        ck_assert_int_eq(count_kind(MW_EV_NAME), 1); /* the same Host twice is one name */
        flow_free(f);
    }
}
END_TEST

START_TEST(test_query_worker_and_chunked_gbt)
{
    static const char gbt[] = "{\"id\": 1, \"method\": \"getblocktemplate\", \"params\": "
                              "[{\"capabilities\": [\"coinbasetxn\", \"workid\", \"coinbase/append\"]}]}";
    char req[2048];
    size_t half = 30;
    int n = snprintf(req, sizeof req,
                     "POST /?miner=alice.rig1&x=1 HTTP/1.1\r\nHost: node.example.org\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n%zx;ext\r\n%.*s\r\n%zx\r\n%s\r\n0\r\nX-T: 1\r\n\r\n",
                     half, (int)half, gbt, sizeof gbt - 1 - half, gbt + half);
    for (size_t step = 1; step <= (size_t)n; step++) {
        struct flow *f = flow_new(8332);
        ck_assert_int_eq(flow_send(f, MW_DIR_FWD, req, (size_t)n, step), 0);
        ck_assert_uint_eq(flow_kept(f, 0), 0);
        const struct mw_evidence *e = find_ev(MW_EV_PROTOCOL, MW_VAR_GBT, "getblocktemplate");
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->worker, "alice.rig1");
        flow_free(f);
    }
}
END_TEST

START_TEST(test_ordinary_pages_on_pool_ports)
{
    static const char page[] = "<html><body><p>Example: {\"method\":\"mining.subscribe\",\"params\":"
                               "[\"cgminer/4.10\"],\"id\":1} and {\"method\": \"getwork\", \"params\": [], "
                               "\"id\": 0}</p></body></html>";
    char rsp[1024];
    int m = snprintf(rsp, sizeof rsp, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n\r\n%s",
                     sizeof page - 1, page);
    static const char req[] = "GET / HTTP/1.1\r\nHost: www.example.edu:3333\r\nUser-Agent: Mozilla/5.0\r\n\r\n";
    for (size_t step = 1; step <= (size_t)m; step += 3) {
        struct flow *f = flow_new(3333);
        flow_send(f, MW_DIR_FWD, req, sizeof req - 1, step);
        flow_send(f, MW_DIR_REV, rsp, (size_t)m, step);
        ck_assert_int_eq(count_kind(MW_EV_PROTOCOL), 0);
        ck_assert_int_eq(count_kind(MW_EV_NAME), 1);
        ck_assert_uint_eq(flow_keep_following(f), 0);
        flow_free(f);
    }
    /* a GET answered with JSON quoting a subscribe, and a reply to nothing */
    struct flow *f = flow_new(3333);
    flow_send(f, MW_DIR_FWD, S("GET /api/example.json HTTP/1.1\r\nHost: docs.example\r\n\r\n"), 4096);
    static const char js[] = "HTTP/1.1 200 OK\r\nContent-Length: 47\r\n\r\n"
                             "{\"method\":\"mining.subscribe\",\"params\":[],\"id\":1}"
                             "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    flow_send(f, MW_DIR_REV, js, sizeof js - 1, 4096);
    ck_assert_int_eq(count_kind(MW_EV_PROTOCOL), 0);
    flow_free(f);
}
END_TEST

START_TEST(test_connect_and_absolute_uri)
{
    struct flow *f = flow_new(3128);
    flow_send(f, MW_DIR_FWD, S("CONNECT pool.example.com:3333 HTTP/1.1\r\nHost: pool.example.com:3333\r\n\r\n"), 4096);
    ck_assert_int_eq(nev, 1);
    ck_assert_int_eq(evs[0].kind, MW_EV_NAME);
    ck_assert_str_eq(evs[0].method, "CONNECT");
    ck_assert_str_eq(evs[0].pool_host, "pool.example.com");
    ck_assert_str_eq(evs[0].http.method, "CONNECT");
    ck_assert_str_eq(evs[0].http.url, "pool.example.com:3333");
    ck_assert_str_eq(evs[0].http.hostname, "pool.example.com");
    ck_assert_str_eq(evs[0].http.user_agent, "");
    flow_send(f, MW_DIR_REV, S("HTTP/1.1 200 Connection established\r\n\r\n"), 4096);
    /* the proxy's answer completes the record of the reported request */
    ck_assert_int_eq(nev, 2);
    ck_assert_int_eq(evs[1].kind, MW_EV_HTTP);
    ck_assert_uint_eq(evs[1].http.status, 200);
    ck_assert_uint_eq(evs[1].http.has_length, 0);
    ck_assert_str_eq(evs[1].http.url, "pool.example.com:3333");
    /* tunnelled bytes are not HTTP and not an error: the engine probes them afresh and
     * Stratum takes the tunnel */
    ck_assert_int_eq(flow_send(f, MW_DIR_FWD, S("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n"), 4096), 0);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "detect.reprobes"), 1);
    ck_assert_str_eq(applayer_drive_flow(f->dr)->app.app_proto, "stratum");
    ck_assert_int_eq(nev, 3);
    ck_assert_int_eq(evs[2].variant, MW_VAR_STRATUM1);
    ck_assert_uint_eq(evs[2].http.seen, 0); /* the tunnelled protocol is not HTTP's */
    ck_assert_uint_eq(malformed, 0);
    flow_free(f);

    f = flow_new(3128);
    flow_send(f, MW_DIR_FWD,
              S("GET http://user@pool.example.net:8080/stats HTTP/1.1\r\nHost: [2001:db8::7]:8080\r\n\r\n"), 4096);
    ck_assert_int_eq(nev, 2);
    ck_assert_str_eq(evs[0].pool_host, "pool.example.net");
    ck_assert_str_eq(evs[0].method, "GET");
    ck_assert_str_eq(evs[1].pool_host, "2001:db8::7");
    ck_assert_str_eq(evs[1].http.url, "http://user@pool.example.net:8080/stats");
    ck_assert_str_eq(evs[1].http.hostname, "2001:db8::7"); /* the Host header, without port */
    flow_free(f);
}
END_TEST

START_TEST(test_lying_lengths)
{
    struct flow *f = flow_new(80);
    ck_assert_int_eq(flow_send(f, MW_DIR_FWD, S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12x\r\n\r\n"), 4096),
                     MW_FEED_MALFORMED);
    flow_free(f);
    f = flow_new(80);
    ck_assert_int_eq(flow_send(f, MW_DIR_FWD,
                               S("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef"), 4096),
                     MW_FEED_MALFORMED);
    flow_free(f);
    /* A length far beyond what follows: the rest of the stream is body, skipped, bounded. */
    f = flow_new(80);
    char req[256];
    int n = snprintf(req, sizeof req, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551615\r\n\r\n%s",
                     getwork_body);
    ck_assert_int_eq(flow_send(f, MW_DIR_FWD, req, (size_t)n, 4096), 0);
    uint8_t junk[4096];
    memset(junk, 'x', sizeof junk);
    for (int i = 0; i < 64; i++)
        ck_assert_int_eq(flow_send(f, MW_DIR_FWD, junk, sizeof junk, sizeof junk), 0);
    ck_assert_uint_eq(flow_kept(f, 0), 0);
    ck_assert_int_eq(count_kind(MW_EV_PROTOCOL), 0);
    flow_free(f);
    /* A body over the cap is skipped, then the next request is parsed normally. */
    f = flow_new(80);
    n = snprintf(req, sizeof req, "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n");
    flow_send(f, MW_DIR_FWD, req, (size_t)n, 4096);
    for (int i = 0; i < 25; i++)
        flow_send(f, MW_DIR_FWD, junk, i < 24 ? sizeof junk : 100000 - 24 * sizeof junk, 1000);
    char req2[512];
    n = snprintf(req2, sizeof req2, "POST / HTTP/1.1\r\nHost: b\r\nContent-Length: %zu\r\n\r\n%s",
                 sizeof getwork_body - 1, getwork_body);
    flow_send(f, MW_DIR_FWD, req2, (size_t)n, 4096);
    ck_assert_ptr_nonnull(find_ev(MW_EV_PROTOCOL, MW_VAR_GETWORK, "getwork"));
    flow_free(f);
}
END_TEST

START_TEST(test_100k_headers_through_dissector)
{
    struct flow *f = flow_new(80);
    flow_send(f, MW_DIR_FWD, S("GET / HTTP/1.1\r\n"), 4096);
    for (int i = 0; i < 100000; i++)
        ck_assert_int_eq(flow_send(f, MW_DIR_FWD, S("X-Filler: value\r\n"), 4096), 0);
    flow_send(f, MW_DIR_FWD, S("\r\n"), 4096);
    ck_assert_uint_ge(malformed, 1); /* the oversized head is counted, not buffered */
    ck_assert_uint_lt(flow_kept(f, 0), 40000);
    flow_free(f);
}
END_TEST

/* ---- WebSocket ---- */

static size_t ws_frame(uint8_t *out, uint8_t b0, int masked, const char *payload, size_t n)
{
    static const uint8_t key[4] = { 0x12, 0x34, 0x56, 0x78 };
    size_t o = 0;
    out[o++] = b0;
    if (n < 126) {
        out[o++] = (uint8_t)((masked ? 0x80 : 0) | n);
    } else {
        out[o++] = (uint8_t)((masked ? 0x80 : 0) | 126);
        out[o++] = (uint8_t)(n >> 8);
        out[o++] = (uint8_t)n;
    }
    if (masked) {
        memcpy(out + o, key, 4);
        o += 4;
    }
    for (size_t i = 0; i < n; i++)
        out[o + i] = (uint8_t)(payload[i] ^ (masked ? key[i & 3] : 0));
    return o + n;
}

static const char upgrade_req[] = "GET /proxy HTTP/1.1\r\nHost: ws001.miner.example\r\n"
                                  "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                  "Sec-WebSocket-Version: 13\r\n\r\n";
static const char upgrade_rsp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

START_TEST(test_webminer_over_websocket)
{
    static const char auth[] = "{\"type\":\"auth\",\"params\":{\"site_key\":\"SITEKEY123\",\"type\":\"anonymous\","
                               "\"user\":null,\"goal\":0}}";
    static const char job[] = "{\"type\":\"job\",\"params\":{\"blob\":\"0707abababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababab\","
                              "\"job_id\":\"1\",\"target\":\"ffffff00\"}}";
    static const char submit[] = "{\"type\":\"submit\",\"params\":{\"job_id\":\"1\",\"nonce\":\"0a0b0c0d\","
                                 "\"result\":\"f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0\"}}";
    uint8_t cli[2048], srv[2048];
    size_t c = 0, s = 0;
    /* auth in two fragments with a ping between them; then submit */
    c += ws_frame(cli + c, 0x01, 1, auth, 20);
    c += ws_frame(cli + c, 0x89, 1, "pi", 2);
    c += ws_frame(cli + c, 0x80, 1, auth + 20, sizeof auth - 1 - 20);
    s += ws_frame(srv + s, 0x81, 0, job, sizeof job - 1);
    s += ws_frame(srv + s, 0x8a, 0, "", 0);
    size_t c2 = ws_frame(cli + c, 0x81, 1, submit, sizeof submit - 1);
    for (size_t step = 1; step <= c; step++) {
        struct flow *f = flow_new(80);
        flow_send(f, MW_DIR_FWD, upgrade_req, sizeof upgrade_req - 1, step);
        flow_send(f, MW_DIR_REV, upgrade_rsp, sizeof upgrade_rsp - 1, step);
        flow_send(f, MW_DIR_FWD, cli, c, step);
        flow_send(f, MW_DIR_REV, srv, s, step);
        flow_send(f, MW_DIR_FWD, cli + c, c2, step);
        const struct mw_evidence *e = find_ev(MW_EV_PROTOCOL, MW_VAR_WEBMINER, "auth");
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->worker, "SITEKEY123");
        ck_assert_str_eq(e->agent, "Mozilla/5.0 (X11; Linux x86_64)");
        ck_assert_str_eq(e->pool_host, "ws001.miner.example");
        ck_assert_uint_eq(e->sides, MW_SIDE_CLIENT);
        /* the upgrade transaction: GET, its target, and the 101 that switched protocols */
        ck_assert_str_eq(e->http.method, "GET");
        ck_assert_str_eq(e->http.url, "/proxy");
        ck_assert_str_eq(e->http.hostname, "ws001.miner.example");
        ck_assert_str_eq(e->http.user_agent, "Mozilla/5.0 (X11; Linux x86_64)");
        ck_assert_uint_eq(e->http.status, 101);
        ck_assert_uint_eq(e->http.has_length, 0);
        e = find_ev(MW_EV_PROTOCOL, MW_VAR_WEBMINER, "job");
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->sides, MW_SIDE_SERVER);
        ck_assert_ptr_nonnull(find_ev(MW_EV_PROTOCOL, MW_VAR_WEBMINER, "submit"));
        ck_assert_uint_eq(app.shares_submitted, 1);
        ck_assert_uint_eq(flow_keep_following(f), 1);
        ck_assert_uint_eq(malformed, 0);
        flow_free(f);
    }
}
END_TEST

START_TEST(test_websocket_hostile_frames)
{
    /* a server frame claiming 2^63-1 bytes is skipped as it streams */
    struct flow *f = flow_new(80);
    flow_send(f, MW_DIR_FWD, upgrade_req, sizeof upgrade_req - 1, 4096);
    flow_send(f, MW_DIR_REV, upgrade_rsp, sizeof upgrade_rsp - 1, 4096);
    const uint8_t huge[10] = { 0x82, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    flow_send(f, MW_DIR_REV, huge, sizeof huge, 4096);
    uint8_t junk[4096];
    memset(junk, 0x81, sizeof junk);
    for (int i = 0; i < 100; i++)
        flow_send(f, MW_DIR_REV, junk, sizeof junk, sizeof junk);
    ck_assert_uint_eq(flow_kept(f, 1), 0);
    ck_assert_uint_eq(malformed, 0);
    flow_free(f);

    /* an unmasked client frame breaks RFC 6455 5.1: counted, direction dropped */
    f = flow_new(80);
    flow_send(f, MW_DIR_FWD, upgrade_req, sizeof upgrade_req - 1, 4096);
    flow_send(f, MW_DIR_REV, upgrade_rsp, sizeof upgrade_rsp - 1, 4096);
    uint8_t fr[64];
    size_t n = ws_frame(fr, 0x81, 0, "{}", 2);
    flow_send(f, MW_DIR_FWD, fr, n, 4096);
    ck_assert_uint_eq(malformed, 1);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "app.http.ws_sequence"), 1);
    flow_free(f);

    /* a reserved opcode (RFC 6455 5.2): counted as app.http.ws_opcode */
    f = flow_new(80);
    flow_send(f, MW_DIR_FWD, upgrade_req, sizeof upgrade_req - 1, 4096);
    flow_send(f, MW_DIR_REV, upgrade_rsp, sizeof upgrade_rsp - 1, 4096);
    n = ws_frame(fr, 0x83, 0, "{}", 2);
    flow_send(f, MW_DIR_REV, fr, n, 4096);
    ck_assert_uint_eq(applayer_drive_stat(f->dr, "app.http.ws_opcode"), 1);
    ck_assert_uint_eq(malformed, 1);
    flow_free(f);

    /* 101 without an Upgrade: websocket request is not WebSocket */
    f = flow_new(80);
    flow_send(f, MW_DIR_FWD, S("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n"), 4096);
    flow_send(f, MW_DIR_REV, S("HTTP/1.1 101 Switching Protocols\r\n\r\n"), 4096);
    n = ws_frame(fr, 0x81, 1, "{\"type\":\"auth\",\"site_key\":1}", 28);
    flow_send(f, MW_DIR_FWD, fr, n, 4096);
    ck_assert_int_eq(count_kind(MW_EV_PROTOCOL), 0);
    flow_free(f);
}
END_TEST

START_TEST(test_probe)
{
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ck_assert_int_eq(http_dissector.probe(S("GET / HTTP/1.1\r\n"), 0, &ctx), MW_PROBE_YES);
    ck_assert_int_eq(http_dissector.probe(S("POS"), 0, &ctx), MW_PROBE_MAYBE);
    ck_assert_int_eq(http_dissector.probe(S("HTTP/1.1 200"), 1, &ctx), MW_PROBE_YES);
    ck_assert_int_eq(http_dissector.probe(S("GETX / HTTP/1.1"), 0, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(http_dissector.probe(S("{\"id\":1}"), 0, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(http_dissector.probe(S("\x16\x03\x01"), 0, &ctx), MW_PROBE_NO);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_request_every_prefix);
    tcase_add_test(tc, test_response_every_prefix);
    tcase_add_test(tc, test_malformed_heads);
    tcase_add_test(tc, test_body_buffer_refused_is_counted);
    tcase_add_test(tc, test_100k_headers_bounded);
    tcase_add_test(tc, test_content_length_and_chunks);
    tcase_add_test(tc, test_authority_hosts);
    tcase_add_test(tc, test_getwork_every_split);
    tcase_add_test(tc, test_pipelining_pairs_in_order);
    tcase_add_test(tc, test_query_worker_and_chunked_gbt);
    tcase_add_test(tc, test_ordinary_pages_on_pool_ports);
    tcase_add_test(tc, test_connect_and_absolute_uri);
    tcase_add_test(tc, test_lying_lengths);
    tcase_add_test(tc, test_100k_headers_through_dissector);
    tcase_add_test(tc, test_webminer_over_websocket);
    tcase_add_test(tc, test_websocket_hostile_frames);
    tcase_add_test(tc, test_probe);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
