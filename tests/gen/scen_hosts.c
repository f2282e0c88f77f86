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

/* Round r of hosts-mix, miners from..to-1 of n: each miner (10.22.0.0/16) looks up a pool
 * name through the campus resolver and connects with XMRig to the answer 20 ms later (a
 * pool change every round, from a set of 40 names; miner i uses names i .. i+cycle-1 in
 * turn, each answered by one of addrs addresses), every third miner also speaks Stratum
 * V1 to a fixed address; a bare SYN from outside after each miner. */
static void hosts_mix_round(struct pg_writer *w, unsigned long n, unsigned long r, unsigned long from,
                            unsigned long to, unsigned long cycle, unsigned long addrs)
{
    for (unsigned long i = from; i < to; i++) {
        char miner[32], name[64], ip[32], wallet[96], bg[32];
        uint32_t k = (uint32_t)(r * n + i);
        unsigned long p = (i + r % cycle) % 40;
        snprintf(miner, sizeof miner, "10.22.%lu.%lu", (i + 1) >> 8, (i + 1) & 255);
        snprintf(name, sizeof name, "%s%lu.%s", p % 2 ? "xmr" : "pool", p, p % 2 ? "nanopool.org" : "supportxmr.com");
        snprintf(ip, sizeof ip, "198.19.%lu.%lu", p, 10 + r % addrs);
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
}

/* N miners over ROUNDS rounds, one every 30 minutes of traffic time with idle time
 * between (flows time out, hosts go quiet). For the equivalence and long-run tests. */
static int hosts_mix(struct pg_writer *w, int argc, char **argv)
{
    unsigned long n, rounds;
    if (argc != 2 || hosts_count(argv[0], 60000ul, &n) != 0 || hosts_count(argv[1], 1000ul, &rounds) != 0) {
        fprintf(stderr, "usage: mwgen hosts-mix MINERS ROUNDS OUTPUT\n");
        return 2;
    }
    for (unsigned long r = 0; r < rounds; r++) {
        hosts_mix_round(w, n, r, 0, n, 40, 200);
        pg_advance(w, 30ull * 60 * 1000000); /* idle: flows time out, hosts go quiet */
    }
    return 0;
}

/* A marker for a sensor fed while it runs: host HOST opens a Stratum V1 session from port
 * 50000 + seed to POOL:3333 and subscribes and authorizes as worker marker.TAG; the pool
 * answers 90 s later, in one segment. That answer raises the session's alert (8100001,
 * after the 30 s confirm hold or with it), and it comes more than a stats interval (60 s)
 * after the packet before it, so the sensor writes a stats event after the alert, which
 * flushes it to the file. With workers, the dispatcher hands that packet out only once
 * every worker has finished the frames before it (its ring is empty). So a test that sees
 * the marker's alert knows every packet up to and including the marker was processed.
 * The session stays open. */
static void hosts_marker(struct pg_writer *w, const char *host, const char *pool, const char *tag, uint32_t seed)
{
    char buf[256];
    struct pg_tcp s;
    scen_tcp(&s, w, host, (uint16_t)(50000 + seed % 10000), pool, 3333, 17000u + seed, 17500u + seed);
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n");
    snprintf(buf, sizeof buf, "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"marker.%s\", \"x\"]}\n", tag);
    scen_c(&s, buf);
    pg_advance(w, 90ull * 1000000);
    scen_s(&s, "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae6812eb4cd7735a302a8a9dd95cf71f\"]],"
               "\"08000002\",4],\"error\":null}\n{\"id\":2,\"result\":true,\"error\":null}\n");
}

/* hosts-mix for a sensor fed while it runs (tests/workers/longrun.py): each round r (from 0) has a
 * marker after its first half of miners (host 10.24.0.1, port 50000 + 2r), their sessions
 * still open, and one after its idle half hour (host 10.23.0.1, port 50001 + 2r). The
 * markers' pools cycle through four addresses each, so every marker alerts (the same pair
 * comes back after two hours, beyond the one-hour throttle) and the marker hosts' records
 * stop growing. Each miner changes pool every round among LONG_RUN_CYCLE names, each with
 * one address: after LONG_RUN_CYCLE rounds every host and the DNS-learned table hold all
 * they will hold (a miner's 13 (pool, signature) pairs fit its evidence table), so the
 * sensor's memory has reached its steady state and must stay there. */
#define LONG_RUN_CYCLE 4

static int long_run(struct pg_writer *w, int argc, char **argv)
{
    unsigned long n, rounds;
    if (argc != 2 || hosts_count(argv[0], 60000ul, &n) != 0 || hosts_count(argv[1], 5000ul, &rounds) != 0) {
        fprintf(stderr, "usage: mwgen long-run MINERS ROUNDS OUTPUT\n");
        return 2;
    }
    for (unsigned long r = 0; r < rounds; r++) {
        char pool[32], tag[32];
        hosts_mix_round(w, n, r, 0, n / 2, LONG_RUN_CYCLE, 1);
        snprintf(pool, sizeof pool, "198.51.100.%lu", 110 + r % 4);
        snprintf(tag, sizeof tag, "mid%lu", r + 1);
        hosts_marker(w, "10.24.0.1", pool, tag, (uint32_t)(2 * r));
        hosts_mix_round(w, n, r, n / 2, n, LONG_RUN_CYCLE, 1);
        pg_advance(w, 30ull * 60 * 1000000);
        snprintf(pool, sizeof pool, "198.51.100.%lu", 100 + r % 4);
        snprintf(tag, sizeof tag, "end%lu", r + 1);
        hosts_marker(w, "10.23.0.1", pool, tag, (uint32_t)(2 * r + 1));
    }
    return 0;
}

const struct scenario scen_hosts[] = {
    { "pool-hop", "N [ROUNDS]", "one host hopping across N pools (DNS, SNI, learned address, Stratum each)", pool_hop },
    { "hosts-mix", "MINERS ROUNDS", "miners with lookups, pool changes and idle half-hours, ROUNDS rounds", hosts_mix },
    { "long-run", "MINERS ROUNDS", "hosts-mix with a marker session ending each round (for a sensor fed live)", long_run },
    { NULL, NULL, NULL, NULL },
};
