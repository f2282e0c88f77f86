/* scen_names.c - pool-intelligence scenarios (DNS, TLS SNI, HTTP CONNECT, learned addresses),
 * the allowlist case, the README demo and the robustness extras (SYN flood, endless line).
 * Pool names are ones the public pool lists carry (nanopool, supportxmr, moneroocean,
 * viabtc); addresses are documentation ranges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "scen.h"

struct pg_endpoint scen_ep(const char *ip, uint16_t port)
{
    struct pg_endpoint ep;
    if (pg_endpoint(&ep, ip, port) != 0) {
        fprintf(stderr, "mwgen: bad address %s\n", ip);
        exit(2);
    }
    return ep;
}

void scen_tcp(struct pg_tcp *s, struct pg_writer *w, const char *cip, uint16_t cport,
              const char *sip, uint16_t sport, uint32_t isn_c, uint32_t isn_s)
{
    struct pg_endpoint c = scen_ep(cip, cport), sv = scen_ep(sip, sport);
    pg_tcp_init(s, w, &c, &sv, isn_c, isn_s);
}

void scen_c(struct pg_tcp *s, const char *text)
{
    pg_tcp_sends(s, PG_C2S, text);
    pg_advance(s->w, 50000);
}

void scen_s(struct pg_tcp *s, const char *text)
{
    pg_tcp_sends(s, PG_S2C, text);
    pg_advance(s->w, 50000);
}

void scen_dns_a(struct pg_writer *w, const char *client_ip, uint16_t cport, const char *resolver_ip,
                uint16_t id, const char *name, const char *answer_ip)
{
    uint8_t msg[512];
    uint8_t rr[1][16];
    struct pg_endpoint c = scen_ep(client_ip, cport), r = scen_ep(resolver_ip, 53);
    size_t n = pg_dns_query(msg, sizeof msg, id, name, PG_DNS_A);
    pg_udp(w, NULL, &c, &r, msg, n, 0, 0);
    pg_advance(w, 15000);
    memset(rr, 0, sizeof rr);
    if (inet_pton(AF_INET, answer_ip, rr[0]) != 1)
        exit(2);
    n = pg_dns_answer(msg, sizeof msg, id, name, PG_DNS_A, (const uint8_t(*)[16])rr, 1, 300);
    pg_udp(w, NULL, &r, &c, msg, n, 0, 0);
}

static int dns_pool_lookup(struct pg_writer *w, int argc, char **argv)
{
    scen_dns_a(w, "10.20.7.71", 53001, "10.20.0.53", 0x1a2b, "xmr-eu1.nanopool.org", "198.51.100.70");
    return 0;
}

/* A lookup of any name (default www.example.org), SECONDS after the capture's start time,
 * so several captures can be fed one after the other into one running sensor (the reload
 * tests of tests/update). */
static int dns_lookup(struct pg_writer *w, int argc, char **argv)
{
    char *end = NULL;
    const char *name = argc >= 1 ? argv[0] : "www.example.org";
    unsigned long secs = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
    if (argc > 2 || (argc == 2 && (*end || secs > 86400ul * 365)) || strlen(name) > 253) {
        fprintf(stderr, "usage: mwgen dns-lookup [NAME [SECONDS]] OUTPUT\n");
        return 2;
    }
    pg_advance(w, (uint64_t)secs * 1000000u);
    scen_dns_a(w, "10.20.7.75", (uint16_t)(40000 + secs % 20000), "10.20.0.53", (uint16_t)(0x4d00 + secs),
               name, "198.51.100.75");
    return 0;
}

/* A large answer (many A records, as round-robin pool names return) arriving as IPv4
 * fragments, last fragment first: the decoder must reassemble before DNS sees it. */
static int dns_fragmented(struct pg_writer *w, int argc, char **argv)
{
    uint8_t msg[1500];
    uint8_t rr[48][16];
    struct pg_endpoint c = scen_ep("10.20.7.76", 53006), r = scen_ep("10.20.0.53", 53);
    size_t n = pg_dns_query(msg, sizeof msg, 0x3c4d, "xmr-eu1.nanopool.org", PG_DNS_A);
    pg_udp(w, NULL, &c, &r, msg, n, 0, 0);
    memset(rr, 0, sizeof rr);
    for (unsigned i = 0; i < 48; i++) {
        rr[i][0] = 198;
        rr[i][1] = 51;
        rr[i][2] = 100;
        rr[i][3] = (uint8_t)(100 + i);
    }
    n = pg_dns_answer(msg, sizeof msg, 0x3c4d, "xmr-eu1.nanopool.org", PG_DNS_A,
                      (const uint8_t(*)[16])rr, 48, 300);
    pg_udp(w, NULL, &r, &c, msg, n, 256, 1);
    return 0;
}

static void tls_session(struct pg_tcp *s, const char *sni, uint32_t seed)
{
    uint8_t b[2048];
    pg_tcp_handshake(s);
    size_t n = mb_tls_client_hello(b, sizeof b, sni, seed);
    pg_tcp_send(s, PG_C2S, b, n, NULL);
    n = mb_tls_server_flight(b, sizeof b, seed);
    pg_tcp_send(s, PG_S2C, b, n, NULL);
    /* Small periodic client records, server pushes: the shape of a TLS-wrapped miner. */
    for (uint32_t i = 0; i < 4; i++) {
        n = mb_tls_app_data(b, sizeof b, 180, seed + 10 + i);
        pg_tcp_send(s, PG_C2S, b, n, NULL);
        n = mb_tls_app_data(b, sizeof b, 420, seed + 20 + i);
        pg_tcp_send(s, PG_S2C, b, n, NULL);
        pg_advance(s->w, 15000000);
    }
    pg_tcp_fin(s, PG_C2S);
}

/* The miner was configured with a pool name: DNS, then TLS to the address without SNI. */
static int dns_then_tls_nosni(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_dns_a(w, "10.20.7.72", 53002, "10.20.0.53", 0x2b3c, "gulf.moneroocean.stream", "203.0.113.72");
    pg_advance(w, 30000);
    scen_tcp(&s, w, "10.20.7.72", 41000, "203.0.113.72", 20128, 2100, 2200);
    tls_session(&s, NULL, 72);
    return 0;
}

static int tls_sni_pool_highport(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.7.73", 41100, "203.0.113.73", 14444, 2300, 2400);
    tls_session(&s, "pool.supportxmr.com", 73);
    return 0;
}

/* CONNECT through the campus proxy, then Stratum inside the tunnel. */
static int http_connect_proxy(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.7.74", 41200, "10.20.0.3", 3128, 2500, 2600);
    pg_tcp_handshake(&s);
    scen_c(&s, "CONNECT btc.viabtc.com:3333 HTTP/1.1\r\nHost: btc.viabtc.com:3333\r\n"
               "Proxy-Connection: Keep-Alive\r\nUser-Agent: cgminer/4.10.0\r\n\r\n");
    scen_s(&s, "HTTP/1.1 200 Connection established\r\n\r\n");
    scen_c(&s, "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n");
    scen_s(&s, "{\"id\":1,\"result\":[[[\"mining.set_difficulty\",\"1\"],[\"mining.notify\",\"1\"]],\"2c000001\",4],\"error\":null}\n");
    scen_c(&s, "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"proxied.worker7\", \"x\"]}\n");
    scen_s(&s, "{\"id\":2,\"result\":true,\"error\":null}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* A campus resolver forwards a client's lookup of a pool name to an upstream resolver:
 * the resolver is not the miner, the client is. */
static int resolver_on_behalf(struct pg_writer *w, int argc, char **argv)
{
    uint8_t msg[512];
    uint8_t rr[1][16];
    struct pg_endpoint client = scen_ep("10.20.7.75", 53005), res_in = scen_ep("10.20.0.53", 53);
    struct pg_endpoint res_out = scen_ep("10.20.0.53", 33533), up = scen_ep("192.0.2.53", 53);
    const char *name = "xmr-eu1.nanopool.org";
    size_t n = pg_dns_query(msg, sizeof msg, 0x7501, name, PG_DNS_A);
    pg_udp(w, NULL, &client, &res_in, msg, n, 0, 0);
    n = pg_dns_query(msg, sizeof msg, 0xc0de, name, PG_DNS_A);
    pg_udp(w, NULL, &res_out, &up, msg, n, 0, 0);
    pg_advance(w, 25000);
    memset(rr, 0, sizeof rr);
    inet_pton(AF_INET, "198.51.100.75", rr[0]);
    n = pg_dns_answer(msg, sizeof msg, 0xc0de, name, PG_DNS_A, (const uint8_t(*)[16])rr, 1, 600);
    pg_udp(w, NULL, &up, &res_out, msg, n, 0, 0);
    n = pg_dns_answer(msg, sizeof msg, 0x7501, name, PG_DNS_A, (const uint8_t(*)[16])rr, 1, 600);
    pg_udp(w, NULL, &res_in, &client, msg, n, 0, 0);
    return 0;
}

static int allowlisted_miner(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.9.9", 42000, "198.51.100.99", 3333, 2700, 2800);
    scen_stratum1_short(&s, "cgminer/4.10.0", "labrig.approved");
    return 0;
}

/* README Quick start: two mining dialects among ordinary traffic. */
static int demo(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    char msg[1024];
    scen_dns_a(w, "10.20.8.81", 53100, "10.20.0.53", 0x0101, "www.example.org", "192.0.2.80");
    scen_tcp(&s, w, "10.20.8.81", 43000, "192.0.2.80", 80, 3000, 3100);
    pg_tcp_handshake(&s);
    scen_c(&s, "GET / HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
    size_t n = mb_http(msg, sizeof msg, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n",
                       "<!doctype html><html><head><title>Example</title></head><body><p>Hello.</p></body></html>\n");
    pg_tcp_send(&s, PG_S2C, msg, n, NULL);
    pg_tcp_fin(&s, PG_C2S);
    scen_tcp(&s, w, "10.20.8.82", 43100, "198.51.100.80", 3333, 3200, 3300);
    scen_stratum1_short(&s, "cgminer/4.10.0", "demo.worker1");
    scen_dns_a(w, "10.20.8.83", 53101, "10.20.0.53", 0x0202, "xmr-eu1.nanopool.org", "198.51.100.81");
    scen_tcp(&s, w, "10.20.8.83", 43200, "198.51.100.81", 14433, 3400, 3500);
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"48MASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4deS4F3cw9KTAb8dLcukC7edhDQ7cn5d4gEYkbUrMWeWQLGsCmrG6dLaYyNoVK.demo\",\"pass\":\"x\",\"agent\":\"XMRig/6.20.0 (Windows NT 10.0; Win64; x64) libuv/1.44.2 msvc/2019\",\"algo\":[\"rx/0\",\"cn/r\"]}}\n");
    scen_s(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"d3m0\",\"job\":{\"blob\":\"1010e8a1b5b006" "0000000000000000000000000000000000000000000000000000000000000000\",\"job_id\":\"q1\",\"target\":\"b88d0600\",\"algo\":\"rx/0\",\"height\":3012345,\"seed_hash\":\"" "0000000000000000000000000000000000000000000000000000000000000001\"},\"extensions\":[\"algo\",\"keepalive\"],\"status\":\"OK\"}}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v == 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

/* N SYNs from distinct sources/ports (a scan or flood filling the flow table), with an
 * optional Stratum session in the middle that must still be found. */
static int synflood(struct pg_writer *w, int argc, char **argv)
{
    unsigned long n;
    int embed = argc > 1 && strcmp(argv[1], "stratum") == 0;
    if (argc < 1 || argc > 2 || (argc == 2 && !embed) || parse_count(argv[0], 10000000ul, &n) != 0) {
        fprintf(stderr, "usage: mwgen synflood N [stratum] OUTPUT\n");
        return 2;
    }
    w->step_us = 10;
    for (unsigned long i = 0; i < n; i++) {
        char ip[32];
        struct pg_tcp s;
        snprintf(ip, sizeof ip, "172.%lu.%lu.%lu", 16 + (i >> 16) % 16, (i >> 8) & 255, (i & 255) | 1);
        scen_tcp(&s, w, ip, (uint16_t)(1024 + i % 60000), "10.20.0.80", (uint16_t)(1 + i % 1024),
                 (uint32_t)(i * 2654435761u), 0);
        pg_tcp_syn_only(&s);
        if (embed && i == n / 2) {
            struct pg_tcp m;
            w->step_us = 1000;
            scen_tcp(&m, w, "10.20.9.10", 44000, "198.51.100.90", 3333, 3600, 3700);
            scen_stratum1_short(&m, "cgminer/4.10.0", "flood.survivor");
            w->step_us = 10;
        }
    }
    return 0;
}

/* Several miners among many short flows: live tests with a fanout group of workers need
 * mining flows hashed to every worker and each one detected. */
static int fanout_mix(struct pg_writer *w, int argc, char **argv)
{
    unsigned long miners, bg;
    if (argc != 2 || parse_count(argv[0], 200ul, &miners) != 0 || parse_count(argv[1], 1000000ul, &bg) != 0 ||
        miners == 0) {
        fprintf(stderr, "usage: mwgen fanout-mix MINERS BACKGROUND OUTPUT\n");
        return 2;
    }
    unsigned long per = bg / miners, sent = 0;
    for (unsigned long k = 0; k < miners; k++) {
        char cip[32], sip[32], wk[32];
        w->step_us = 100;
        unsigned long until = k + 1 == miners ? bg : sent + per;
        for (; sent < until; sent++) {
            struct pg_tcp s;
            snprintf(cip, sizeof cip, "172.%lu.%lu.%lu", 16 + (sent >> 16) % 16, (sent >> 8) & 255, (sent & 255) | 1);
            scen_tcp(&s, w, cip, (uint16_t)(1024 + sent % 60000), "10.20.0.80", (uint16_t)(80 + sent % 3),
                     (uint32_t)(sent * 2654435761u), 0);
            pg_tcp_syn_only(&s);
        }
        struct pg_tcp m;
        snprintf(cip, sizeof cip, "10.20.9.%lu", 30 + k);
        snprintf(sip, sizeof sip, "198.51.100.%lu", 90 + k % 8);
        snprintf(wk, sizeof wk, "rig%lu", k);
        w->step_us = 1000;
        scen_tcp(&m, w, cip, (uint16_t)(45000 + k), sip, 3333, 3600u + (uint32_t)k, 3700u);
        scen_stratum1_short(&m, "cgminer/4.10.0", wk);
    }
    return 0;
}

/* N short Stratum V1 sessions, each from its own miner (10.21.0.0/16) to one of 200 pools:
 * exactly N mining alerts, one per miner, for tests that count alerts across rotations,
 * stops and full disks. */
static int many_miners(struct pg_writer *w, int argc, char **argv)
{
    unsigned long n;
    if (argc != 1 || parse_count(argv[0], 65000ul, &n) != 0) {
        fprintf(stderr, "usage: mwgen many-miners N OUTPUT (N <= 65000)\n");
        return 2;
    }
    for (unsigned long i = 0; i < n; i++) {
        char miner[32], pool[32], worker[32];
        struct pg_tcp s;
        snprintf(miner, sizeof miner, "10.21.%lu.%lu", (i + 1) >> 8, (i + 1) & 255);
        snprintf(pool, sizeof pool, "%s.%lu", i % 2 ? "198.51.100" : "203.0.113", 1 + i % 100);
        snprintf(worker, sizeof worker, "many.rig%lu", i);
        scen_tcp(&s, w, miner, (uint16_t)(20000 + i % 40000), pool, 3333, (uint32_t)(i * 7919u), (uint32_t)(i * 104729u));
        scen_stratum1_short(&s, "cgminer/4.10.0", worker);
    }
    return 0;
}

/* A stream that never sends a newline: line framers must cap their buffer. */
static int no_newline(struct pg_writer *w, int argc, char **argv)
{
    unsigned long n;
    if (argc != 1 || parse_count(argv[0], 1ul << 34, &n) != 0) {
        fprintf(stderr, "usage: mwgen no-newline BYTES OUTPUT\n");
        return 2;
    }
    static const char pat[] = "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"aaaaaaaaaaaaaaaaaaaa";
    uint8_t chunk[1400];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = 'a';
    memcpy(chunk, pat, sizeof pat - 1);
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.9.11", 44100, "198.51.100.91", 3333, 3800, 3900);
    s.ack_each = 0;
    w->step_us = 20;
    pg_tcp_handshake(&s);
    for (unsigned long sent = 0; sent < n;) {
        size_t k = n - sent < sizeof chunk ? (size_t)(n - sent) : sizeof chunk;
        pg_tcp_send(&s, PG_C2S, chunk, k, NULL);
        if (sent == 0)
            memset(chunk, 'a', sizeof pat - 1);
        sent += k;
    }
    pg_tcp_rst(&s, PG_C2S);
    return 0;
}

/* One miner, three pools over four flows: Stratum V1 to pool A, a reconnect to A, XMRig to
 * B, Stratum V1 to C. Its host record must gather every pool in one place. Default pool
 * addresses are ones MaxMind's test databases cover (GeoLite2-City-Test and -ASN-Test:
 * SE/Linkoping/AS29518, US/San Diego/AS721, US/Milton/AS209 without an organisation) so geo
 * enrichment has something to find; the documentation ranges used elsewhere are never
 * looked up. Other addresses may be given. */
static int multi_pool(struct pg_writer *w, int argc, char **argv)
{
    const char *pa = "89.160.20.130", *pb = "214.78.0.10", *pc = "216.160.83.57";
    if (argc != 0 && argc != 3) {
        fprintf(stderr, "usage: mwgen multi-pool [POOL_A POOL_B POOL_C] OUTPUT\n");
        return 2;
    }
    if (argc == 3) {
        pa = argv[0];
        pb = argv[1];
        pc = argv[2];
    }
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.10.10", 45000, pa, 3333, 4000, 4100);
    scen_stratum1_short(&s, "cgminer/4.10.0", "multi.rig1");
    pg_advance(w, 5000000);
    scen_tcp(&s, w, "10.20.10.10", 45001, pa, 3333, 4200, 4300); /* reconnect, same pool */
    scen_stratum1_short(&s, "cgminer/4.10.0", "multi.rig1");
    pg_advance(w, 5000000);
    scen_tcp(&s, w, "10.20.10.10", 45002, pb, 4444, 4400, 4500);
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"48MASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4deS4F3cw9KTAb8dLcukC7edhDQ7cn5d4gEYkbUrMWeWQLGsCmrG6dLaYyNoVK.multi\",\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\",\"algo\":[\"rx/0\"]}}\n");
    scen_s(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"m2\",\"job\":{\"blob\":\"1010e8a1b5b006" "0000000000000000000000000000000000000000000000000000000000000000\",\"job_id\":\"m1\",\"target\":\"b88d0600\",\"algo\":\"rx/0\",\"height\":3012345,\"seed_hash\":\"" "0000000000000000000000000000000000000000000000000000000000000001\"},\"extensions\":[\"algo\",\"keepalive\"],\"status\":\"OK\"}}\n");
    pg_tcp_fin(&s, PG_C2S);
    pg_advance(w, 5000000);
    scen_tcp(&s, w, "10.20.10.10", 45003, pc, 3333, 4600, 4700);
    scen_stratum1_short(&s, "cgminer/4.10.0", "multi.rig2");
    return 0;
}

const struct scenario scen_names[] = {
    { "dns-pool-lookup", "", "A query and answer for xmr-eu1.nanopool.org", dns_pool_lookup },
    { "dns-lookup", "[NAME [SECS]]", "A query and answer for NAME from 10.20.7.75, SECS after the start", dns_lookup },
    { "dns-fragmented", "", "pool-name DNS answer in IPv4 fragments written in reverse order", dns_fragmented },
    { "dns-then-tls-nosni", "", "DNS answer for a pool name, then TLS without SNI to that address", dns_then_tls_nosni },
    { "tls-sni-pool-highport", "", "TLS ClientHello with SNI pool.supportxmr.com on 14444", tls_sni_pool_highport },
    { "http-connect-proxy", "", "CONNECT btc.viabtc.com:3333 via a proxy on 3128, Stratum inside", http_connect_proxy },
    { "resolver-on-behalf", "", "client asks the campus resolver, which asks upstream, for a pool name", resolver_on_behalf },
    { "allowlisted-miner", "", "Stratum V1 session from 10.20.9.9 (allowlisted by the case config)", allowlisted_miner },
    { "demo", "", "README Quick start: Stratum V1, XMRig after a pool lookup, some web traffic", demo },
    { "synflood", "N [stratum]", "N SYNs from distinct sources, optionally a Stratum session in the middle", synflood },
    { "fanout-mix", "MINERS BG", "MINERS Stratum sessions from distinct hosts among BG bare SYNs", fanout_mix },
    { "multi-pool", "[A B C]", "one miner, three pools over four flows (a reconnect); geo-covered pool addresses", multi_pool },
    { "many-miners", "N", "N Stratum V1 sessions from N miners: exactly N mining alerts", many_miners },
    { "no-newline", "BYTES", "a TCP stream on 3333 that never sends a newline", no_newline },
    { NULL, NULL, NULL, NULL },
};
