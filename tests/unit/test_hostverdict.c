/* test_hostverdict.c - host scoring, verdict transitions, throttling, suppression, eviction. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/eve/eve.h"
#include "sensor/flow/flow.h"
#include "sensor/detect/geoip.h"
#include "sensor/host/host.h"
#include "sensor/detect/netset.h"
#include "sensor/eve/output.h"
#include "core/signatures.h"
#include "unit/check_main.h"
#include "unit/eve_fixture.h"

static struct eve_fixture fx;
static struct output *out;
static struct eve *eve;
static struct netset home;

static void setup(void)
{
    eve_fixture_open(&fx, "host");
    out = fx.out;
    eve = fx.eve;
    memset(&home, 0, sizeof home);
    ck_assert_int_eq(netset_add(&home, "10.0.0.0/8"), 0);
}

static void teardown(void)
{
    eve_fixture_close(&fx);
}

static struct hosts *tab;
static struct hosts_view *cur;

static struct hosts_view *open_hosts(const struct hosts_params *p, struct geoip *geo)
{
    tab = hosts_new(p);
    ck_assert_ptr_nonnull(tab);
    cur = hosts_view_new(tab, eve, geo);
    ck_assert_ptr_nonnull(cur);
    return cur;
}

/* Enough housekeeping calls for the periodic walk to cover every slice of a default-sized
 * table (one slice of HOST_REPORT_STEP buckets per call). */
static void housekeep_all(struct hosts_view *v, uint64_t now_us)
{
    for (int i = 0; i < 100000 / 64 + 2; i++)
        hosts_housekeep(v, now_us);
}

static void close_hosts(void)
{
    hosts_view_free(cur);
    hosts_free(tab);
    cur = NULL;
    tab = NULL;
}

/* Count output lines containing every one of the given substrings. */

static int lines_with(const char *a, const char *b)
{
    if (cur)
        hosts_flush(cur);
    output_flush(out);
    FILE *f = fopen(fx.path, "r");
    ck_assert_ptr_nonnull(f);
    char line[20000];
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, a) && (!b || strstr(line, b)))
            n++;
    fclose(f);
    return n;
}

static void make_flow(struct mw_flow *f, const char *miner, const char *pool, uint16_t dport)
{
    memset(f, 0, sizeof *f);
    uint8_t bits;
    ck_assert_int_eq(netset_parse_prefix(miner, &f->addr[0], &bits), 0);
    ck_assert_int_eq(netset_parse_prefix(pool, &f->addr[1], &bits), 0);
    f->port[0] = 50000;
    f->port[1] = dport;
    f->proto = 6;
}

static void make_ev(struct mw_evidence *ev, enum mw_ev_kind kind, enum mw_variant v, const char *pool)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->variant = v;
    ev->sides = MW_SIDE_CLIENT;
    mw_ev_set(ev->pool_host, sizeof ev->pool_host, pool, strlen(pool));
}

static int finding(struct hosts_view *h, struct mw_flow *f, struct mw_evidence *ev, uint32_t sid, uint64_t ts,
                   uint32_t *repeats)
{
    struct detect_finding fd = { f, ev, MW_DIR_FWD, sid, 2, 0, 0, ts, 0, NULL, NULL };
    int write = hosts_finding(h, &fd, repeats);
    hosts_flush(h); /* the worker flushes queued host events after every packet */
    return write;
}

START_TEST(test_dns_lookup_alone_is_likely_miner_at_most)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep, score;
    make_flow(&f, "10.1.1.1", "192.0.2.53", 53);
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "xmr.pool.example");
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_DNS_POOL, 1000000, &rep), 1);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], &score), HOST_LIKELY_MINER);
    /* The same lookup all day does not climb to miner. */
    for (int i = 0; i < 50; i++)
        finding(h, &f, &ev, MW_SID_DNS_POOL, 2000000 + (uint64_t)i * 7200 * 1000000ull, &rep);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], &score), HOST_LIKELY_MINER);
    ck_assert_uint_eq(score, 20);
    ck_assert_int_eq(lines_with("\"event_type\":\"host\"", "\"verdict\":\"likely-miner\""), 1);
    close_hosts();
}
END_TEST

START_TEST(test_protocol_makes_miner_and_new_pool_reports)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    make_flow(&f, "10.1.1.2", "198.51.100.7", 3333);
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "pool-a.example");
    finding(h, &f, &ev, MW_SID_DNS_POOL, 1000000, &rep);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_LIKELY_MINER);
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_STRATUM1, "pool-a.example");
    strcpy(ev.worker, "alice.rig1");
    finding(h, &f, &ev, MW_SID_STRATUM1, 2000000, &rep);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_MINER);
    ck_assert_int_eq(lines_with("\"verdict\":\"miner\"", "\"reason\":\"verdict-changed\""), 1);
    ck_assert_int_eq(lines_with("\"verdict\":\"miner\"", "alice.rig1"), 1);
    /* A second pool joins the record: one more host event naming both pools. */
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_STRATUM1, "pool-b.example");
    finding(h, &f, &ev, MW_SID_STRATUM1, 3000000, &rep);
    ck_assert_int_eq(lines_with("pool-a.example", "pool-b.example"), 1);
    close_hosts();
}
END_TEST

START_TEST(test_throttle_counts_repeats)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    p.throttle_window_us = 60ull * 1000000u;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep = 99;
    make_flow(&f, "10.1.1.3", "198.51.100.8", 443);
    make_ev(&ev, MW_EV_NAME, MW_VAR_TLS_SNI, "pool.example");
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_TLS_SNI_POOL, 1000000, &rep), 1);
    ck_assert_uint_eq(rep, 0);
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_TLS_SNI_POOL, 2000000, &rep), 0);
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_TLS_SNI_POOL, 3000000, &rep), 0);
    /* After the window the next alert is written and carries the two held back. */
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_TLS_SNI_POOL, 62000000, &rep), 1);
    ck_assert_uint_eq(rep, 2);
    /* Another signature for the same pool is not throttled by the first. */
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_POOL_ADDRESS, 62500000, &rep), 1);
    close_hosts();
}
END_TEST

START_TEST(test_suppression_rules)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    p.nsuppress = 1;
    p.suppress[0].sid = MW_SID_DNS_POOL;
    ck_assert_int_eq(netset_parse_prefix("10.9.0.0/16", &p.suppress[0].net, &p.suppress[0].bits), 0);
    strcpy(p.suppress[0].pool, "example.org");
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    make_flow(&f, "10.9.1.1", "192.0.2.53", 53);
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "xmr.pool.example.org");
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_DNS_POOL, 1000000, &rep), 0);
    /* Not the suppressed pool suffix (label boundary), other host, other sid: all written. */
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "notexample.org");
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_DNS_POOL, 1000000, &rep), 1);
    make_flow(&f, "10.8.1.1", "192.0.2.53", 53);
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "xmr.pool.example.org");
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_DNS_POOL, 1000000, &rep), 1);
    make_flow(&f, "10.9.1.1", "192.0.2.53", 53);
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_TLS_SNI_POOL, 1000000, &rep), 1);
    close_hosts();
}
END_TEST

START_TEST(test_allowlisted_is_authorised_and_resolver_not_flagged)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    make_flow(&f, "10.2.2.2", "198.51.100.9", 3333);
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_STRATUM1, "pool.example");
    struct detect_finding fd = { &f, &ev, MW_DIR_FWD, MW_SID_STRATUM1, 1, 0, 1, 1000000, 0, NULL, NULL };
    hosts_finding(h, &fd, &rep);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_AUTHORISED);
    ck_assert_int_eq(lines_with("\"verdict\":\"authorised\"", "10.2.2.2"), 1);
    make_flow(&f, "10.0.0.53", "192.0.2.1", 53);
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "pool.example");
    struct detect_finding fr = { &f, &ev, MW_DIR_FWD, MW_SID_DNS_POOL, 3, 1, 0, 1000000, 0, NULL, NULL };
    ck_assert_int_eq(hosts_finding(h, &fr, &rep), 1); /* the alert stays visible */
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_NONE);
    close_hosts();
}
END_TEST

/* home-net decides only what is ambiguous: a mining protocol names its miner wherever it
 * is (public campus space, global IPv6); a name lookup outside home-net gets no verdict. */
START_TEST(test_protocol_miner_outside_home_net_gets_verdict)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    make_flow(&f, "2001:db8:5::7", "2001:db8:99::1", 3333);
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_STRATUM1, "pool.example");
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_STRATUM1, 1000000, &rep), 1);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_MINER);
    ck_assert_int_eq(lines_with("\"ip\":\"2001:db8:5::7\",\"verdict\":\"miner\"", "\"home_net\":false"), 1);
    make_flow(&f, "10.7.0.1", "198.51.100.9", 3333);
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_STRATUM1, 1000000, &rep), 1);
    ck_assert_int_eq(lines_with("\"ip\":\"10.7.0.1\"", "\"home_net\":true"), 1);
    /* A pool name asked from outside home-net: the alert is written, no host state. */
    make_flow(&f, "203.0.113.5", "192.0.2.53", 53);
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "pool.example");
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_DNS_POOL, 1000000, &rep), 1);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_NONE);
    /* track-all keeps them too. */
    close_hosts();
    p.track_all = 1;
    h = open_hosts(&p, NULL);
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_DNS_POOL, 1000000, &rep), 1);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_LIKELY_MINER);
    close_hosts();
}
END_TEST

static int count_alerts(struct hosts_view *h, struct mw_flow *f, struct mw_evidence *ev, int npools,
                        const uint32_t *sids, int nsids, uint64_t ts, uint64_t step)
{
    int written = 0;
    uint32_t rep;
    char pool[64];
    for (int i = 0; i < npools; i++)
        for (int k = 0; k < nsids; k++) {
            snprintf(pool, sizeof pool, "p%d.pool.example", i);
            make_ev(ev, MW_EV_NAME, MW_VAR_TLS_SNI, pool);
            written += finding(h, f, ev, sids[k], ts, &rep);
            ts += step;
        }
    return written;
}

/* The cgminer case: a host hopping across many pools fills its evidence table;
 * the throttle still holds per (pool, signature), every pool is counted, and the host
 * event says the list was cut. */
START_TEST(test_throttle_holds_when_evidence_full)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    p.max_evidence = 4;
    p.host_ceiling = 0;
    p.throttle_window_us = 600ull * 1000000u;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    const uint32_t sids[3] = { MW_SID_TLS_SNI_POOL, MW_SID_POOL_ADDRESS, MW_SID_DNS_POOL };
    make_flow(&f, "10.8.0.1", "198.51.100.10", 443);
    ck_assert_int_eq(count_alerts(h, &f, &ev, 500, sids, 3, 1000000, 1000), 1500);
    /* The same pairs again within the window: nothing more is written. */
    ck_assert_int_eq(count_alerts(h, &f, &ev, 500, sids, 3, 100000000, 1000), 0);
    /* After the window each pair may alert once more. */
    ck_assert_int_eq(count_alerts(h, &f, &ev, 500, sids, 3, 800000000, 1000), 1500);
    hosts_final(h, 900000000);
    ck_assert_int_eq(lines_with("\"reason\":\"final\"", "\"pools_total\":500,\"pools_truncated\":true"), 1);
    ck_assert_int_eq(lines_with("\"findings\":4500", "\"alerts_throttled\":1500"), 1);
    close_hosts();
}
END_TEST

/* A host beyond every overflow block: new pairs are counted and never alerted, so the
 * throttle's promise holds even then. */
START_TEST(test_untracked_pairs_are_not_alerted)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    p.max_evidence = 2;
    p.max_overflow_hosts = 0;
    p.host_ceiling = 0;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    const uint32_t sid = MW_SID_TLS_SNI_POOL;
    make_flow(&f, "10.8.0.2", "198.51.100.10", 443);
    ck_assert_int_eq(count_alerts(h, &f, &ev, 10, &sid, 1, 1000000, 1000), 2);
    ck_assert_int_eq(count_alerts(h, &f, &ev, 10, &sid, 1, 2000000, 1000), 0);
    close_hosts();
}
END_TEST

/* The per-host ceiling bounds a busy host's alert rate; the excess is counted and the pair
 * whose alert was held back may alert in a later ceiling window. */
START_TEST(test_host_ceiling)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    p.host_ceiling = 50;
    p.ceiling_window_us = 60ull * 1000000u;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    const uint32_t sids[2] = { MW_SID_TLS_SNI_POOL, MW_SID_POOL_ADDRESS };
    make_flow(&f, "10.8.0.3", "198.51.100.10", 443);
    ck_assert_int_eq(count_alerts(h, &f, &ev, 100, sids, 2, 1000000, 100000), 50);
    /* The next minute: held-back pairs alert again, up to the ceiling. */
    ck_assert_int_eq(count_alerts(h, &f, &ev, 100, sids, 2, 70000000, 100000), 50);
    hosts_final(h, 100000000);
    ck_assert_int_eq(lines_with("\"reason\":\"final\"", "\"alerts_throttled\":50,\"alerts_over_ceiling\":250"), 1);
    close_hosts();
}
END_TEST

START_TEST(test_eviction_prefers_unflagged_and_keeps_active_flagged)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    p.max_hosts = 4;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    char ip[32];
    /* Four flagged miners fill the table. */
    for (int i = 0; i < 4; i++) {
        snprintf(ip, sizeof ip, "10.3.0.%d", i + 1);
        make_flow(&f, ip, "198.51.100.1", 3333);
        make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_STRATUM1, "pool.example");
        finding(h, &f, &ev, MW_SID_STRATUM1, 1000000, &rep);
    }
    /* A fifth host, while they are active, is refused: active flagged hosts are kept. */
    make_flow(&f, "10.3.0.99", "198.51.100.1", 3333);
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_STRATUM1, "pool.example");
    ck_assert_int_eq(finding(h, &f, &ev, MW_SID_STRATUM1, 2000000, &rep), 1);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_NONE);
    make_flow(&f, "10.3.0.1", "198.51.100.1", 3333);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_MINER);
    /* Much later the quiet flagged host at the tail makes room. */
    make_flow(&f, "10.3.0.99", "198.51.100.1", 3333);
    finding(h, &f, &ev, MW_SID_STRATUM1, 2000000 + p.report_interval_us * 2, &rep);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], NULL), HOST_MINER);
    close_hosts();
}
END_TEST

START_TEST(test_periodic_report)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    p.report_interval_us = 10ull * 1000000u;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    make_flow(&f, "10.4.0.1", "198.51.100.1", 3333);
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_CRYPTONOTE, "xmr.example");
    finding(h, &f, &ev, MW_SID_CRYPTONOTE, 1000000, &rep);
    finding(h, &f, &ev, MW_SID_CRYPTONOTE, 5000000, &rep); /* activity continues */
    housekeep_all(h, 12000000);
    ck_assert_int_eq(lines_with("\"reason\":\"periodic\"", "10.4.0.1"), 1);
    /* No new activity: no further periodic event. */
    housekeep_all(h, 40000000);
    ck_assert_int_eq(lines_with("\"reason\":\"periodic\"", "10.4.0.1"), 1);
    close_hosts();
}
END_TEST

/* Two workers share the table: worker 1 has queued the host's first change (its flush comes
 * after the packet) while worker 2, whose packets are later in traffic time, walks the table
 * for periodic events. The first event must still be "flagged", written by worker 1. */
START_TEST(test_periodic_waits_for_another_workers_queued_change)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    p.report_interval_us = 10ull * 1000000u;
    struct hosts_view *w1 = open_hosts(&p, NULL);
    struct hosts_view *w2 = hosts_view_new(tab, eve, NULL);
    ck_assert_ptr_nonnull(w2);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    make_flow(&f, "10.4.0.2", "198.51.100.2", 3333);
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_CRYPTONOTE, "xmr.example");
    struct detect_finding fd = { &f, &ev, MW_DIR_FWD, MW_SID_CRYPTONOTE, 2, 0, 0, 1000000, 0, NULL, NULL };
    ck_assert_int_eq(hosts_finding(w1, &fd, &rep), 1);
    housekeep_all(w2, 12000000);
    hosts_flush(w1);
    cur = NULL;
    hosts_flush(w2);
    ck_assert_int_eq(lines_with("\"event_type\":\"host\"", "10.4.0.2"), 1);
    ck_assert_int_eq(lines_with("\"reason\":\"flagged\"", "10.4.0.2"), 1);
    /* Once written, the host's later activity is reported periodically as before. */
    fd.ts_us = 13000000;
    hosts_finding(w1, &fd, &rep);
    hosts_flush(w1);
    housekeep_all(w2, 24000000);
    ck_assert_int_eq(lines_with("\"reason\":\"periodic\"", "10.4.0.2"), 1);
    hosts_view_free(w2);
    cur = w1;
    close_hosts();
}
END_TEST

START_TEST(test_ndpi_guesses_never_flag_alone)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    struct hosts_view *h = open_hosts(&p, NULL);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    char peer[32];
    /* A node talking JSON-RPC to fifty peers: fifty nDPI "mining" guesses. */
    for (int i = 0; i < 50; i++) {
        snprintf(peer, sizeof peer, "198.51.100.%d", i + 1);
        make_flow(&f, "10.5.0.1", peer, 30303);
        memset(&ev, 0, sizeof ev);
        ev.kind = MW_EV_PROTOCOL;
        ev.variant = MW_VAR_NDPI;
        ev.suspicion = 1;
        struct detect_finding fd = { &f, &ev, MW_DIR_FWD, 0, 3, 0, 0, 1000000 + (uint64_t)i, 1, NULL, NULL };
        hosts_finding(h, &fd, &rep);
    }
    uint32_t score;
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], &score), HOST_NONE);
    ck_assert_uint_eq(score, 15);
    /* With a pool lookup on top it adds up to likely-miner, as scoring says. */
    make_flow(&f, "10.5.0.1", "192.0.2.53", 53);
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "pool.example");
    finding(h, &f, &ev, MW_SID_DNS_POOL, 2000000, &rep);
    ck_assert_int_eq(hosts_verdict(tab, &f.addr[0], &score), HOST_LIKELY_MINER);
    ck_assert_uint_eq(score, 35);
    close_hosts();
}
END_TEST

/* Pool geography in host events (docs/eve.md): looked up for pools, never for the resolver
 * of a DNS finding nor an nDPI peer, '|' in database strings written as '/'. The database
 * is built here with our own tests/tools/mkmmdb.py. */
START_TEST(test_host_event_pool_geography)
{
    const char *src = getenv("MW_SOURCE_DIR");
    ck_assert_msg(src != NULL, "MW_SOURCE_DIR must point at the source tree (set by ctest)");
    char db[] = "/tmp/mw_test_host_geoXXXXXX", cmd[1024];
    int fd = mkstemp(db);
    ck_assert_int_ge(fd, 0);
    close(fd);
    snprintf(cmd, sizeof cmd,
             "python3 '%s/tests/tools/mkmmdb.py' -o '%s' --type Test-City "
             "--net '81.2.69.0/24={\"country\":{\"iso_code\":\"GB\"},\"city\":{\"names\":{\"en\":\"London\"}},"
             "\"autonomous_system_number\":64500,\"autonomous_system_organization\":\"Org | Pipe\"}' "
             "--net '89.160.20.0/24={\"country\":{\"iso_code\":\"SE\"},\"autonomous_system_number\":64501}'",
             src, db);
    ck_assert_int_eq(system(cmd), 0);
    struct geoip_params gp = { NULL, db, db, 0 };
    char err[256];
    struct geoip *g = geoip_open(&gp, err, sizeof err);
    ck_assert_msg(g != NULL, "%s", err);
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    struct hosts_view *h = open_hosts(&p, g);
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    /* A lookup through a resolver the database covers: the resolver is no pool. */
    make_flow(&f, "10.6.0.1", "81.2.69.53", 53);
    make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "pool.example");
    finding(h, &f, &ev, MW_SID_DNS_POOL, 1000000, &rep);
    ck_assert_int_eq(lines_with("\"reason\":\"flagged\"", "10.6.0.1"), 1);
    ck_assert_int_eq(lines_with("\"event_type\":\"host\"", "geoip"), 0);
    ck_assert_int_eq(lines_with("\"event_type\":\"host\"", "pool_countries"), 0);
    /* An nDPI guess to a covered peer adds nothing either. */
    make_flow(&f, "10.6.0.1", "81.2.69.99", 30303);
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_PROTOCOL;
    ev.variant = MW_VAR_NDPI;
    ev.suspicion = 1;
    finding(h, &f, &ev, 0, 1500000, &rep);
    ck_assert_int_eq(lines_with("\"event_type\":\"host\"", "geoip"), 0);
    /* Mining to a pool whose name (from the wire) holds '|'. */
    make_flow(&f, "10.6.0.1", "81.2.69.7", 3333);
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_STRATUM1, "we|ird.example");
    finding(h, &f, &ev, MW_SID_STRATUM1, 2000000, &rep);
    ck_assert_int_eq(lines_with("\"pool_geoip\":[\"we|ird.example|81.2.69.7|GB|London|64500|Org / Pipe\"]",
                                "\"pool_countries\":[\"GB\"],\"pool_asns\":[64500]"), 1);
    /* the principal pool's geoip is inside mining_host (no top-level geoip in EVE) */
    ck_assert_int_eq(lines_with("\"verdict\":\"miner\"",
                                "\"],\"geoip\":{\"country\":\"GB\",\"city\":\"London\",\"asn\":64500,\"as_org\":\"Org | Pipe\"}}}"), 1);
    /* A second pool elsewhere: both in the lists, the first stays the principal one. */
    make_flow(&f, "10.6.0.1", "89.160.20.9", 4444);
    make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_CRYPTONOTE, "");
    finding(h, &f, &ev, MW_SID_CRYPTONOTE, 3000000, &rep);
    ck_assert_int_eq(lines_with("\"pool_countries\":[\"GB\",\"SE\"],\"pool_asns\":[64500,64501]",
                                "\"89.160.20.9|89.160.20.9|SE||64501|\""), 1);
    ck_assert_int_eq(lines_with("\"pool_countries\":[\"GB\",\"SE\"]", "\"geoip\":{\"country\":\"GB\""), 1);
    close_hosts();
    geoip_close(g);
    unlink(db);
}
END_TEST


/* Two workers share one table: findings for the same hosts arrive on both threads at once.
 * Each host ends with one score (both workers' evidence), one "flagged" event, and host
 * events that never go back on a verdict. */
struct shared_arg {
    struct hosts *t;
    struct eve *e;
    int which;
};

static void *shared_worker(void *arg)
{
    struct shared_arg *a = arg;
    struct hosts_view *v = hosts_view_new(a->t, a->e, NULL);
    ck_assert_ptr_nonnull(v);
    char ip[32];
    struct mw_flow f;
    struct mw_evidence ev;
    uint32_t rep;
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < 200; i++) {
            snprintf(ip, sizeof ip, "10.20.%d.%d", i / 200, i % 200 + 1);
            make_flow(&f, ip, a->which ? "198.51.100.20" : "192.0.2.53", a->which ? 3333 : 53);
            if (a->which)
                make_ev(&ev, MW_EV_PROTOCOL, MW_VAR_STRATUM1, "pool.example");
            else
                make_ev(&ev, MW_EV_NAME, MW_VAR_DNS, "pool.example");
            struct detect_finding fd = { &f, &ev, MW_DIR_FWD, a->which ? MW_SID_STRATUM1 : MW_SID_DNS_POOL, 2,
                                         0, 0, 1000000 + (uint64_t)round * 1000 + (uint64_t)i, 0, NULL, NULL };
            hosts_finding(v, &fd, &rep);
            hosts_flush(v);
        }
    hosts_view_free(v);
    return NULL;
}

START_TEST(test_two_workers_one_verdict)
{
    struct hosts_params p;
    hosts_params_default(&p);
    p.home_net = &home;
    tab = hosts_new(&p);
    struct eve_params ep = { "sensor-test", NULL, 0, 0 };
    struct eve *e2 = eve_new(&ep, out);
    struct shared_arg a[2] = { { tab, eve, 0 }, { tab, e2, 1 } };
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, shared_worker, &a[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    char ip[32];
    struct mw_addr addr;
    uint8_t bits;
    for (int i = 0; i < 200; i++) {
        uint32_t score;
        snprintf(ip, sizeof ip, "10.20.0.%d", i + 1);
        ck_assert_int_eq(netset_parse_prefix(ip, &addr, &bits), 0);
        ck_assert_int_eq(hosts_verdict(tab, &addr, &score), HOST_MINER);
        ck_assert_uint_eq(score, 120);
    }
    ck_assert_int_eq(lines_with("\"event_type\":\"host\"", "\"reason\":\"flagged\""), 200);
    /* Whichever came first, a host's events end at miner with both pieces of evidence. */
    ck_assert_int_eq(lines_with("\"verdict\":\"miner\"", "\"score\":120"), 200);
    eve_free(e2);
    hosts_free(tab);
    tab = NULL;
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostverdict");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dns_lookup_alone_is_likely_miner_at_most);
    tcase_add_test(tc, test_protocol_makes_miner_and_new_pool_reports);
    tcase_add_test(tc, test_throttle_counts_repeats);
    tcase_add_test(tc, test_suppression_rules);
    tcase_add_test(tc, test_allowlisted_is_authorised_and_resolver_not_flagged);
    tcase_add_test(tc, test_protocol_miner_outside_home_net_gets_verdict);
    tcase_add_test(tc, test_throttle_holds_when_evidence_full);
    tcase_add_test(tc, test_untracked_pairs_are_not_alerted);
    tcase_add_test(tc, test_host_ceiling);
    tcase_add_test(tc, test_two_workers_one_verdict);
    tcase_add_test(tc, test_eviction_prefers_unflagged_and_keeps_active_flagged);
    tcase_add_test(tc, test_periodic_report);
    tcase_add_test(tc, test_periodic_waits_for_another_workers_queued_change);
    tcase_add_test(tc, test_ndpi_guesses_never_flag_alone);
    tcase_add_test(tc, test_host_event_pool_geography);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
