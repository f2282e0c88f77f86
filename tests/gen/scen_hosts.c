/* scen_hosts.c - traffic for the host-table tests of issue #11: a pool hopper, and a long
 * mix of miners, lookups, pool changes and idle periods. Test-only code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen.h"

static int hosts_count(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v == 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

static void hosts_tls_sni(struct pg_writer *w, const char *cip, uint16_t cport, const char *sip, const char *sni,
                          uint32_t seed)
{
    struct pg_tcp s;
    uint8_t hello[1024];
    scen_tcp(&s, w, cip, cport, sip, 443, seed, seed * 3u);
    pg_tcp_handshake(&s);
    size_t n = mb_tls_client_hello(hello, sizeof hello, sni, seed);
    pg_tcp_send(&s, PG_C2S, hello, n, NULL);
    pg_tcp_fin(&s, PG_C2S);
}

static void hosts_xmrig(struct pg_writer *w, const char *cip, uint16_t cport, const char *sip, const char *wallet,
                        uint32_t seed)
{
    struct pg_tcp s;
    char msg[512];
    scen_tcp(&s, w, cip, cport, sip, 14433, seed, seed * 5u);
    pg_tcp_handshake(&s);
    snprintf(msg, sizeof msg,
             "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"%s\",\"pass\":\"x\","
             "\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\",\"algo\":[\"rx/0\"]}}\n",
             wallet);
    scen_c(&s, msg);
    scen_s(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"h1\",\"job\":{\"blob\":\"1010e8a1b5b006"
               "0000000000000000000000000000000000000000000000000000000000000000\",\"job_id\":\"j1\",\"target\":"
               "\"b88d0600\",\"algo\":\"rx/0\",\"height\":3012345,\"seed_hash\":\""
               "0000000000000000000000000000000000000000000000000000000000000001\"},\"status\":\"OK\"}}\n");
    pg_tcp_fin(&s, PG_C2S);
}

/* One host (10.20.60.6) hopping across N pools, ROUNDS times: for pool i a DNS lookup of
 * pI.nanopool.org (answered 198.18.x.y), TLS with that SNI to the address, then a Stratum V1
 * session to it. Four signatures per pool (DNS, SNI, DNS-learned address, Stratum); pools
 * are N names and N addresses. 50 ms between pools. */
static int pool_hop(struct pg_writer *w, int argc, char **argv)
{
    unsigned long n, rounds = 1;
    if (argc < 1 || argc > 2 || hosts_count(argv[0], 60000ul, &n) != 0 ||
        (argc == 2 && hosts_count(argv[1], 100ul, &rounds) != 0)) {
        fprintf(stderr, "usage: mwgen pool-hop N [ROUNDS] OUTPUT\n");
        return 2;
    }
    for (unsigned long r = 0; r < rounds; r++)
        for (unsigned long i = 0; i < n; i++) {
            char name[64], ip[32];
            struct pg_tcp s;
            uint32_t k = (uint32_t)(r * n + i);
            snprintf(name, sizeof name, "p%lu.nanopool.org", i);
            snprintf(ip, sizeof ip, "198.18.%lu.%lu", i >> 8, (i & 255) | 0);
            scen_dns_a(w, "10.20.60.6", (uint16_t)(20000 + k % 40000), "10.20.0.53", (uint16_t)k, name, ip);
            hosts_tls_sni(w, "10.20.60.6", (uint16_t)(30000 + k % 30000), ip, name, 7000u + k);
            scen_tcp(&s, w, "10.20.60.6", (uint16_t)(1024 + k % 19000), ip, 3333, 9000u + k, 9500u + k);
            scen_stratum1_short(&s, "cgminer/4.10.0", "hopper.rig");
            pg_advance(w, 50000);
        }
    return 0;
}

/* N miners (10.22.0.0/16) over ROUNDS rounds, one every 30 minutes of traffic time with
 * idle time between: in each round miner i looks up a pool name through the campus
 * resolver and connects with XMRig to the answer 20 ms later (a pool change every round,
 * from a set of 40 names), every third miner also speaks Stratum V1 to a fixed address;
 * bare SYNs from outside between them. For the equivalence and long-run tests. */
static int hosts_mix(struct pg_writer *w, int argc, char **argv)
{
    unsigned long n, rounds;
    if (argc != 2 || hosts_count(argv[0], 60000ul, &n) != 0 || hosts_count(argv[1], 1000ul, &rounds) != 0) {
        fprintf(stderr, "usage: mwgen hosts-mix MINERS ROUNDS OUTPUT\n");
        return 2;
    }
    for (unsigned long r = 0; r < rounds; r++) {
        for (unsigned long i = 0; i < n; i++) {
            char miner[32], name[64], ip[32], wallet[96], bg[32];
            uint32_t k = (uint32_t)(r * n + i);
            unsigned long p = (i + r) % 40;
            snprintf(miner, sizeof miner, "10.22.%lu.%lu", (i + 1) >> 8, (i + 1) & 255);
            snprintf(name, sizeof name, "%s%lu.%s", p % 2 ? "xmr" : "pool", p, p % 2 ? "nanopool.org" : "supportxmr.com");
            snprintf(ip, sizeof ip, "198.19.%lu.%lu", p, 10 + r % 200);
            snprintf(wallet, sizeof wallet, "4%061lu.w%lu", i, i);
            scen_dns_a(w, miner, (uint16_t)(10000 + k % 50000), "10.20.0.53", (uint16_t)k, name, ip);
            pg_advance(w, 20000);
            hosts_xmrig(w, miner, (uint16_t)(20000 + k % 40000), ip, wallet, 11000u + k);
            if (i % 3 == 0) {
                struct pg_tcp s;
                char wk[32];
                snprintf(wk, sizeof wk, "mix.rig%lu", i);
                scen_tcp(&s, w, miner, (uint16_t)(40000 + k % 20000), "198.51.100.77", 3333, 13000u + k, 13500u + k);
                scen_stratum1_short(&s, "cgminer/4.10.0", wk);
            }
            struct pg_tcp b;
            snprintf(bg, sizeof bg, "172.%u.%u.%u", 16 + (k >> 16) % 16, (k >> 8) & 255, (k & 255) | 1);
            scen_tcp(&b, w, bg, (uint16_t)(1024 + k % 60000), "10.20.0.80", 80, k * 2654435761u, 0);
            pg_tcp_syn_only(&b);
            pg_advance(w, 100000);
        }
        pg_advance(w, 30ull * 60 * 1000000); /* idle: flows time out, hosts go quiet */
    }
    return 0;
}

const struct scenario scen_hosts[] = {
    { "pool-hop", "N [ROUNDS]", "one host hopping across N pools (DNS, SNI, learned address, Stratum each)", pool_hop },
    { "hosts-mix", "MINERS ROUNDS", "miners with lookups, pool changes and idle half-hours, ROUNDS rounds", hosts_mix },
    { NULL, NULL, NULL, NULL },
};
