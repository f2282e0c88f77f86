/* test_noalloc.c - no allocation on the per-packet path in steady state (issue #6).
 *
 * This binary is linked with -Wl,--wrap=malloc,calloc,realloc,free,strdup,strndup,
 * posix_memalign,aligned_alloc (tests/gen/CMakeLists.txt), so every allocation made by
 * our code (mwcore and this file) goes through the counters below; nDPI's own
 * allocations are routed to a second counter through set_ndpi_malloc(). --wrap works
 * under ASan too: __real_malloc is the sanitizer's interceptor.
 *
 * The traffic is one "round" built with the capture generator: Stratum V1 sessions from
 * four miners (handshake, subscribe .. submit, FIN), an HTTP exchange, a DNS lookup of a
 * pool name, a TLS ClientHello and a burst of bare SYNs. Rounds are replayed through a
 * real worker (decode, flow, stream, detect, hosts, EVE to a file) 200 s apart, so every
 * flow of a round has ended before the next starts: flows, dissector state, evidence
 * and stream segments are created and released again in every round. After warm-up
 * rounds, N and then 10N rounds must allocate the same number of times: zero for our
 * code. The alerts in the EVE file prove the rounds went through detection.
 */
#include <dlfcn.h>
#include <ndpi/ndpi_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/pcapgen.h"
#include "rules/rules.h"
#include "sensor/runtime/ruleswap.h"
#include "sensor/runtime/config.h"
#include "sensor/detect/netset.h"
#include "sensor/eve/output.h"
#include "core/pool.h"
#include "sensor/runtime/worker.h"
#include "unit/check_main.h"

/* ---- allocation counters (the --wrap side) ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);

static volatile int counting;
/* volatile: the compiler knows malloc touches no global, so it would fold reads of
 * counters around calls it sees in this file. */
static volatile uint64_t n_alloc, n_free, n_ndpi_alloc;
#define NCALLERS 8
static void *callers[NCALLERS];

static void count_alloc(void *caller)
{
    if (!counting)
        return;
    if (n_alloc < NCALLERS)
        callers[n_alloc] = caller;
    n_alloc++;
}

void *__wrap_malloc(size_t n)
{
    count_alloc(__builtin_return_address(0));
    return __real_malloc(n);
}
void *__wrap_calloc(size_t k, size_t n)
{
    count_alloc(__builtin_return_address(0));
    return __real_calloc(k, n);
}
void *__wrap_realloc(void *p, size_t n)
{
    count_alloc(__builtin_return_address(0));
    return __real_realloc(p, n);
}
void __wrap_free(void *p)
{
    if (counting && p)
        n_free++;
    __real_free(p);
}
char *__wrap_strdup(const char *s)
{
    count_alloc(__builtin_return_address(0));
    return __real_strdup(s);
}
char *__wrap_strndup(const char *s, size_t n)
{
    count_alloc(__builtin_return_address(0));
    return __real_strndup(s, n);
}
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
    count_alloc(__builtin_return_address(0));
    return __real_posix_memalign(p, a, n);
}
void *__wrap_aligned_alloc(size_t a, size_t n)
{
    count_alloc(__builtin_return_address(0));
    return __real_aligned_alloc(a, n);
}

static void *ndpi_counting_malloc(size_t n)
{
    if (counting)
        n_ndpi_alloc++;
    return __real_malloc(n);
}

/* ---- one round of traffic, generated once into memory ---- */

#define ROUND_GAP_US (200ull * 1000000ull) /* longer than every default flow timeout that applies */
#define SYN_BURST 64

static void tcp_text(struct pg_tcp *s, enum pg_dir d, const char *text)
{
    pg_tcp_sends(s, d, text);
}

static void gen_round(struct pg_writer *w)
{
    struct pg_endpoint c, srv;
    struct pg_tcp s;
    char buf[512];
    for (int m = 0; m < 4; m++) {
        snprintf(buf, sizeof buf, "10.20.9.%d", 10 + m);
        ck_assert_int_eq(pg_endpoint(&c, buf, (uint16_t)(44000 + m)), 0);
        ck_assert_int_eq(pg_endpoint(&srv, "198.51.100.90", 3333), 0);
        pg_tcp_init(&s, w, &c, &srv, 1000u + (uint32_t)m, 5000u);
        pg_tcp_handshake(&s);
        tcp_text(&s, PG_C2S, "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n");
        tcp_text(&s, PG_S2C, "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae6812eb4cd7735a302a8a9dd95cf71f\"]],"
                             "\"08000002\",4],\"error\":null}\n");
        snprintf(buf, sizeof buf, "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"rig%d\", \"x\"]}\n", m);
        tcp_text(&s, PG_C2S, buf);
        tcp_text(&s, PG_S2C, "{\"id\":2,\"result\":true,\"error\":null}\n"
                             "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[16384]}\n");
        snprintf(buf, sizeof buf, "{\"id\": 3, \"method\": \"mining.submit\", \"params\": [\"rig%d\", \"4d2\", "
                                  "\"00000001\", \"65f1c2a0\", \"9a3b2c1d\"]}\n", m);
        tcp_text(&s, PG_C2S, buf);
        tcp_text(&s, PG_S2C, "{\"id\":3,\"result\":true,\"error\":null}\n");
        pg_tcp_fin(&s, PG_C2S);
    }
    /* Plain web traffic: the HTTP dissector attaches and finds nothing. */
    ck_assert_int_eq(pg_endpoint(&c, "10.20.1.5", 51000), 0);
    ck_assert_int_eq(pg_endpoint(&srv, "93.184.216.34", 80), 0);
    pg_tcp_init(&s, w, &c, &srv, 7000u, 9000u);
    pg_tcp_handshake(&s);
    tcp_text(&s, PG_C2S, "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/7.88.1\r\n\r\n");
    tcp_text(&s, PG_S2C, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello");
    pg_tcp_fin(&s, PG_C2S);
    /* A DNS lookup of a listed pool name: name match and the learned-address table. */
    uint8_t dns[512];
    const uint8_t a[1][16] = { { 198, 51, 100, 91 } };
    ck_assert_int_eq(pg_endpoint(&c, "10.20.1.6", 53000), 0);
    ck_assert_int_eq(pg_endpoint(&srv, "10.20.0.53", 53), 0);
    size_t n = pg_dns_query(dns, sizeof dns, 0x1234, "xmr-eu1.nanopool.org", PG_DNS_A);
    ck_assert_uint_gt(n, 0);
    pg_udp(w, NULL, &c, &srv, dns, n, 0, 0);
    n = pg_dns_answer(dns, sizeof dns, 0x1234, "xmr-eu1.nanopool.org", PG_DNS_A, a, 1, 300);
    ck_assert_uint_gt(n, 0);
    pg_udp(w, NULL, &srv, &c, dns, n, 0, 0);
    /* A burst of bare SYNs from outside (half-open flows that time out). */
    for (int i = 0; i < SYN_BURST; i++) {
        snprintf(buf, sizeof buf, "203.0.113.%d", 1 + i);
        ck_assert_int_eq(pg_endpoint(&c, buf, (uint16_t)(20000 + i)), 0);
        ck_assert_int_eq(pg_endpoint(&srv, "10.20.0.80", 443), 0);
        pg_tcp_init(&s, w, &c, &srv, 77u * (uint32_t)i, 0);
        pg_tcp_syn_only(&s);
    }
}

struct frame {
    size_t off; /* into the capture buffer */
    uint32_t caplen, wirelen;
    uint64_t ts_us;
};

struct round {
    char *cap;
    size_t caplen;
    struct frame f[1024];
    size_t n;
    uint64_t first_us;
};

static uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void round_build(struct round *r)
{
    memset(r, 0, sizeof *r);
    FILE *f = open_memstream(&r->cap, &r->caplen);
    ck_assert_ptr_nonnull(f);
    struct pg_writer w;
    ck_assert_int_eq(pg_open_stream(&w, f, PG_PCAP, 1710324000000000ull), 0);
    gen_round(&w);
    ck_assert_int_eq(pg_close(&w), 0);
    ck_assert_int_eq(fclose(f), 0);
    const uint8_t *b = (const uint8_t *)r->cap;
    ck_assert_uint_ge(r->caplen, 24);
    ck_assert_uint_eq(rd_le32(b), 0xa1b2c3d4u);
    for (size_t off = 24; off + 16 <= r->caplen;) {
        ck_assert_uint_lt(r->n, sizeof r->f / sizeof r->f[0]);
        struct frame *fr = &r->f[r->n++];
        fr->ts_us = (uint64_t)rd_le32(b + off) * 1000000u + rd_le32(b + off + 4);
        fr->caplen = rd_le32(b + off + 8);
        fr->wirelen = rd_le32(b + off + 12);
        fr->off = off + 16;
        off += 16 + fr->caplen;
        ck_assert_uint_le(off, r->caplen);
    }
    r->first_us = r->f[0].ts_us;
}

/* ---- the worker ---- */

struct rig {
    struct mw_config cfg;
    struct netset home, dns, proxies;
    struct rules *rules;
    struct output *out;
    struct worker_shared sh;
    struct worker *w;
    volatile sig_atomic_t stop;
    char eve_path[64];
};

static void rig_open(struct rig *g, int ndpi)
{
    memset(g, 0, sizeof *g);
    config_defaults(&g->cfg);
    g->cfg.ndpi = ndpi != 0;
    g->cfg.geoip.enabled = false; /* no databases in a unit test */
    /* Every miner of every round alerts (no one-per-hour throttle): the alert count
     * proves each round went through detection. */
    g->cfg.hosts.throttle_window_us = 0;
    ck_assert_int_eq(netset_add(&g->home, "10.0.0.0/8"), 0);
    ck_assert_int_eq(netset_add(&g->dns, "10.20.0.53"), 0);
    static const char *const files[] = { MW_DEFAULT_RULES_DIR "/pools.yaml", MW_DEFAULT_RULES_DIR "/crypto-general.yaml",
                                         MW_DEFAULT_RULES_DIR "/proxies.yaml", MW_DEFAULT_RULES_DIR "/webminers.yaml" };
    char err[512];
    g->rules = rules_load(files, sizeof files / sizeof files[0], err, sizeof err);
    ck_assert_msg(g->rules != NULL, "rules: %s", err);
    snprintf(g->eve_path, sizeof g->eve_path, "/tmp/mw-noalloc-%ld.json", (long)getpid());
    struct output_params op = { OUTPUT_FILE, g->eve_path, 0, 0, NULL, 0 };
    g->out = output_open(&op, err, sizeof err);
    ck_assert_msg(g->out != NULL, "output: %s", err);
    g->sh.cfg = &g->cfg;
    g->sh.out = g->out;
    g->sh.rules = ruleswap_new(g->rules, 1, NULL);
    ck_assert_ptr_nonnull(g->sh.rules);
    g->sh.home_net = &g->home;
    g->sh.dns_servers = &g->dns;
    g->sh.proxies = &g->proxies;
    g->sh.sensor_name = "noalloc";
    g->sh.stop = &g->stop;
    ck_assert_msg(worker_shared_tables_new(&g->sh, err, sizeof err) == 0, "shared tables: %s", err);
    g->w = worker_new(&g->sh, 0, err, sizeof err);
    ck_assert_msg(g->w != NULL, "worker: %s", err);
}

static unsigned rig_close_count_alerts(struct rig *g)
{
    worker_drain(g->w, 0);
    worker_free(g->w);
    worker_shared_tables_free(&g->sh);
    output_close(g->out);
    ruleswap_free(g->sh.rules); /* and the rule set it owns */
    config_free(&g->cfg);
    FILE *f = fopen(g->eve_path, "r");
    ck_assert_ptr_nonnull(f);
    char line[65536];
    unsigned alerts = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, "\"event_type\":\"alert\"") && strstr(line, "\"signature_id\":8100001"))
            alerts++;
    fclose(f);
    unlink(g->eve_path);
    return alerts;
}

/* Replay rounds [from, to) of the round through the worker, as the capture loop does:
 * a packet, then housekeeping at packet time. */
static void replay(struct rig *g, const struct round *r, unsigned from, unsigned to)
{
    for (unsigned k = from; k < to; k++) {
        uint64_t shift = (uint64_t)k * ROUND_GAP_US;
        for (size_t i = 0; i < r->n; i++) {
            const struct frame *fr = &r->f[i];
            uint64_t ts = fr->ts_us + shift;
            worker_packet(g->w, 1, (const uint8_t *)r->cap + fr->off, fr->caplen, fr->wirelen, ts);
            worker_housekeep(g->w, ts);
        }
    }
}

struct window {
    uint64_t allocs, frees, ndpi_allocs;
    void *first[NCALLERS];
};

static struct window measure(struct rig *g, const struct round *r, unsigned from, unsigned to)
{
    n_alloc = n_free = n_ndpi_alloc = 0;
    memset(callers, 0, sizeof callers);
    counting = 1;
    replay(g, r, from, to);
    counting = 0;
    struct window wd = { n_alloc, n_free, n_ndpi_alloc, { 0 } };
    memcpy(wd.first, callers, sizeof callers);
    return wd;
}

static void report(const char *what, unsigned rounds, size_t pkts, const struct window *wd)
{
    printf("%s: %u rounds, %zu packets: %llu allocations, %llu frees by our code, %llu by nDPI\n", what, rounds,
           pkts * rounds, (unsigned long long)wd->allocs, (unsigned long long)wd->frees,
           (unsigned long long)wd->ndpi_allocs);
    for (unsigned i = 0; i < NCALLERS && i < wd->allocs; i++) {
        Dl_info di;
        if (dladdr(wd->first[i], &di) && di.dli_fbase)
            printf("  allocation %u called from %s+0x%lx (addr2line -f -e %s 0x%lx)\n", i,
                   di.dli_sname ? di.dli_sname : "?",
                   di.dli_saddr ? (unsigned long)((char *)wd->first[i] - (char *)di.dli_saddr) : 0ul, di.dli_fname,
                   (unsigned long)((char *)wd->first[i] - (char *)di.dli_fbase));
        else
            printf("  allocation %u called from %p\n", i, wd->first[i]);
    }
}

#define WARMUP 3
#define N_ROUNDS 20

static void run_steady(int ndpi)
{
    struct round *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    round_build(r);
    set_ndpi_malloc(ndpi_counting_malloc);
    set_ndpi_flow_malloc(ndpi_counting_malloc);
    struct rig g;
    rig_open(&g, ndpi);

    replay(&g, r, 0, WARMUP);
    struct window a = measure(&g, r, WARMUP, WARMUP + N_ROUNDS);
    struct window b = measure(&g, r, WARMUP + N_ROUNDS, WARMUP + 11 * N_ROUNDS);
    printf("nDPI %s, round of %zu packets\n", ndpi ? "on" : "off", r->n);
    report("N", N_ROUNDS, r->n, &a);
    report("10N", 10 * N_ROUNDS, r->n, &b);
    unsigned alerts = rig_close_count_alerts(&g);
    free(r->cap);
    free(r);

    /* Every miner of every round was alerted: the rounds really went through detection. */
    ck_assert_uint_eq(alerts, 4u * (WARMUP + 11 * N_ROUNDS));
    ck_assert_msg(a.allocs == 0 && b.allocs == 0,
                  "our code allocated on the packet path in steady state: %llu in %u rounds, %llu in %u rounds",
                  (unsigned long long)a.allocs, N_ROUNDS, (unsigned long long)b.allocs, 10 * N_ROUNDS);
    ck_assert_uint_eq(a.frees, 0);
    ck_assert_uint_eq(b.frees, 0);
    /* nDPI keeps per-flow data of its own (names, certificates); whatever it is, it must
     * not grow with the packet count beyond a per-round constant. */
    ck_assert_uint_eq(b.ndpi_allocs, 10 * a.ndpi_allocs);
}

START_TEST(steady_state_without_ndpi)
{
    run_steady(0);
}
END_TEST

START_TEST(steady_state_with_ndpi)
{
    run_steady(1);
}
END_TEST

/* The counters see what they should, here and inside mwcore: a control so a wrap that
 * silently stopped working cannot let the steady-state tests pass. */
START_TEST(counters_see_allocations)
{
    n_alloc = n_free = 0;
    counting = 1;
    void *volatile p = malloc(32);
    char *volatile q = strdup("x");
    counting = 0;
    ck_assert_uint_eq(n_alloc, 2);
    counting = 1;
    free(p);
    free(q);
    counting = 0;
    ck_assert_uint_eq(n_free, 2);

    n_alloc = n_free = 0;
    counting = 1;
    struct mw_pool *pool = pool_new(64, 0); /* calloc of the pool header, in libmwcore.a */
    void *blk = pool_get(pool);             /* malloc of the first chunk */
    pool_put(pool, blk);
    pool_free(pool);
    counting = 0;
    ck_assert_uint_eq(n_alloc, 2);
    ck_assert_uint_eq(n_free, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("noalloc");
    TCase *tc = tcase_create("steady");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, counters_see_allocations);
    tcase_add_test(tc, steady_state_without_ndpi);
    tcase_add_test(tc, steady_state_with_ndpi);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
