/* test_appid.c - nDPI labels: HTTP and DNS from packet content, state lifetime, caps, give-up, real captures. */
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/applayer/appid.h"
#include "sensor/decode/decode.h"
#include "sensor/flow/flow.h"
#include "unit/check_main.h"
#include "unit/frame_builder.h"

static const uint8_t CLI[4] = { 10, 1, 2, 3 }, SRV[4] = { 192, 0, 2, 80 };

struct counters {
    uint64_t packets, flows, classified, gave_up, failed, refused, evicted_idle, mining_guess, bad_packet, in_use, no_payload;
};

static void grab(void *u, const char *name, uint64_t v)
{
    struct counters *c = u;
    static const struct { const char *n; size_t off; } map[] = {
        { "appid.packets", offsetof(struct counters, packets) },
        { "appid.flows", offsetof(struct counters, flows) },
        { "appid.classified", offsetof(struct counters, classified) },
        { "appid.gave_up", offsetof(struct counters, gave_up) },
        { "appid.failed", offsetof(struct counters, failed) },
        { "appid.refused", offsetof(struct counters, refused) },
        { "appid.evicted_idle", offsetof(struct counters, evicted_idle) },
        { "appid.mining_guess", offsetof(struct counters, mining_guess) },
        { "appid.bad_packet", offsetof(struct counters, bad_packet) },
        { "appid.in_use", offsetof(struct counters, in_use) },
        { "appid.no_payload", offsetof(struct counters, no_payload) },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].n, name) == 0)
            memcpy((char *)c + map[i].off, &v, sizeof v);
}

static struct counters stats(const struct appid *a)
{
    struct counters c;
    memset(&c, 0, sizeof c);
    appid_stats_foreach(a, grab, &c);
    return c;
}

/* One IPv4 packet, decoded the way the sensor would (raw IP link type). */
struct frame {
    struct fb fb;
    struct mw_packet p;
};

static void decode_raw(struct frame *fr, uint64_t ts_us)
{
    struct decode_ctx *d = decode_new(NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(decode_packet(d, DLT_RAW, fr->fb.b, fr->fb.n, fr->fb.n, ts_us, &fr->p), DECODE_OK);
    decode_free(d);
}

static void tcp_frame(struct frame *fr, int from_cli, uint16_t cport, uint16_t sport, uint32_t seq, uint32_t ack,
                      uint8_t flags, const char *payload, uint64_t ts_us)
{
    memset(fr, 0, sizeof *fr);
    uint32_t ip = fb_ipv4(&fr->fb, 6, from_cli ? CLI : SRV, from_cli ? SRV : CLI, 1, 0x4000);
    fb_tcp(&fr->fb, from_cli ? cport : sport, from_cli ? sport : cport, seq, ack, flags, 65535, 0);
    if (payload)
        fb_bytes(&fr->fb, payload, (uint32_t)strlen(payload));
    fb_end_ipv4(&fr->fb, ip);
    decode_raw(fr, ts_us);
}

static void udp_frame(struct frame *fr, uint16_t cport, uint16_t sport, const uint8_t *payload, uint32_t len,
                      uint64_t ts_us)
{
    memset(fr, 0, sizeof *fr);
    uint32_t ip = fb_ipv4(&fr->fb, 17, CLI, SRV, 2, 0);
    uint32_t u = fb_udp(&fr->fb, cport, sport);
    fb_bytes(&fr->fb, payload, len);
    fb_end_udp(&fr->fb, u);
    fb_end_ipv4(&fr->fb, ip);
    decode_raw(fr, ts_us);
}

static struct mw_flow *new_flow(uint64_t id)
{
    struct mw_flow *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->flow_id = id;
    return f;
}

static struct appid *mk(uint32_t max_packets, uint32_t max_flows)
{
    struct appid_params p;
    appid_params_default(&p);
    if (max_packets)
        p.max_packets = max_packets;
    if (max_flows)
        p.max_flows = max_flows;
    struct appid *a = appid_new(&p);
    ck_assert_ptr_nonnull(a);
    return a;
}

/* A TCP segment of bytes no protocol starts with, to a port nDPI knows nothing about:
 * never enough to decide (a bare SYN would not even create a state). */
static int feed_junk(struct appid *a, struct mw_flow *f, uint16_t cport, uint64_t ts)
{
    struct frame fr;
    tcp_frame(&fr, 1, cport, 5555, 1000, 1, MW_TCP_ACK | MW_TCP_PSH, "zzzzzzzzzzzzzzzz", ts);
    return appid_packet(a, f, &fr.p);
}

START_TEST(http_get_is_labelled_http)
{
    struct appid *a = mk(0, 0);
    struct mw_flow *f = new_flow(1);
    struct frame fr;
    const char *req = "GET /index.html HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
    const char *rsp = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";
    uint64_t ts = 1700000000000000ull;
    tcp_frame(&fr, 1, 41000, 80, 100, 0, MW_TCP_SYN, NULL, ts);
    ck_assert_int_eq(appid_packet(a, f, &fr.p), 0);
    ck_assert_ptr_null(f->app.app_proto);
    /* The handshake carries no payload: no nDPI state, nothing fed. */
    ck_assert_uint_eq(stats(a).in_use, 0);
    tcp_frame(&fr, 0, 41000, 80, 900, 101, MW_TCP_SYN | MW_TCP_ACK, NULL, ts + 1000);
    appid_packet(a, f, &fr.p);
    tcp_frame(&fr, 1, 41000, 80, 101, 901, MW_TCP_ACK, NULL, ts + 2000);
    appid_packet(a, f, &fr.p);
    ck_assert_uint_eq(stats(a).in_use, 0);
    ck_assert_uint_eq(stats(a).flows, 0);
    ck_assert_uint_eq(stats(a).packets, 0);
    ck_assert_uint_eq(stats(a).no_payload, 3);
    tcp_frame(&fr, 1, 41000, 80, 101, 901, MW_TCP_ACK | MW_TCP_PSH, req, ts + 3000);
    appid_packet(a, f, &fr.p);
    if (!f->app.app_proto) {
        tcp_frame(&fr, 0, 41000, 80, 901, 101 + (uint32_t)strlen(req), MW_TCP_ACK | MW_TCP_PSH, rsp, ts + 4000);
        ck_assert_int_eq(appid_packet(a, f, &fr.p), 0);
    }
    ck_assert_ptr_nonnull(f->app.app_proto);
    ck_assert_str_eq(f->app.app_proto, "http");
    struct counters c = stats(a);
    ck_assert_uint_eq(c.in_use, 0);
    ck_assert_uint_eq(c.classified, 1);
    ck_assert_uint_eq(c.flows, 1);
    ck_assert_uint_eq(c.mining_guess, 0);
    /* The label is interned: a second HTTP flow gets the very same pointer. */
    const char *first = f->app.app_proto;
    struct mw_flow *g = new_flow(2);
    tcp_frame(&fr, 1, 41001, 80, 100, 0, MW_TCP_ACK | MW_TCP_PSH, req, ts + 5000);
    for (int i = 0; i < 4 && !g->app.app_proto; i++)
        appid_packet(a, g, &fr.p);
    ck_assert_ptr_eq(g->app.app_proto, first);
    free(g);
    free(f);
    appid_free(a);
}
END_TEST

START_TEST(dns_query_is_labelled_dns)
{
    /* RFC 1035 query: id 0x1234, RD, one question www.example.org IN A */
    static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 3,    'w',  'w',  'w',  7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',
                                 3,    'o',  'r',  'g',  0,    0x00, 0x01, 0x00, 0x01 };
    struct appid *a = mk(0, 0);
    struct mw_flow *f = new_flow(7);
    struct frame fr;
    udp_frame(&fr, 53000, 53, q, sizeof q, 1700000000000000ull);
    ck_assert_int_eq(appid_packet(a, f, &fr.p), 0);
    ck_assert_ptr_nonnull(f->app.app_proto);
    ck_assert_str_eq(f->app.app_proto, "dns");
    ck_assert_uint_eq(stats(a).in_use, 0);
    /* A labelled flow is never fed again. */
    uint64_t before = stats(a).packets;
    appid_packet(a, f, &fr.p);
    ck_assert_uint_eq(stats(a).packets, before);
    free(f);
    appid_free(a);
}
END_TEST

START_TEST(stratum_login_is_a_mining_guess)
{
    /* A miner's first JSON-RPC line over a plain TCP connection: nDPI's verdict is the
     * weak mining guess (1), the label names the protocol. */
    static const char *const lines[] = {
        "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"44AFFq5kSiGBoZ\",\"pass\":\"x\",\"agent\":\"XMRig/6.21.0\"}}\n",
        "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n",
    };
    for (size_t k = 0; k < 2; k++) {
        struct appid *a = mk(0, 0);
        struct mw_flow *f = new_flow(5);
        struct frame fr;
        uint64_t ts = 1700000000000000ull;
        int got = 0;
        tcp_frame(&fr, 1, 42000, 3333, 100, 0, MW_TCP_SYN, NULL, ts);
        got |= appid_packet(a, f, &fr.p);
        tcp_frame(&fr, 0, 42000, 3333, 900, 101, MW_TCP_SYN | MW_TCP_ACK, NULL, ts + 1000);
        got |= appid_packet(a, f, &fr.p);
        tcp_frame(&fr, 1, 42000, 3333, 101, 901, MW_TCP_ACK, NULL, ts + 2000);
        got |= appid_packet(a, f, &fr.p);
        tcp_frame(&fr, 1, 42000, 3333, 101, 901, MW_TCP_ACK | MW_TCP_PSH, lines[k], ts + 3000);
        got |= appid_packet(a, f, &fr.p);
        ck_assert_msg(got == 1, "line %zu: no mining verdict (label %s)", k, f->app.app_proto ? f->app.app_proto : "-");
        ck_assert_str_eq(f->app.app_proto, "mining");
        ck_assert_uint_eq(stats(a).mining_guess, 1);
        ck_assert_uint_eq(stats(a).in_use, 0);
        free(f);
        appid_free(a);
    }
}
END_TEST

START_TEST(max_flows_caps_states)
{
    struct appid *a = mk(0, 2);
    struct mw_flow *f[3] = { new_flow(1), new_flow(2), new_flow(3) };
    uint64_t ts = 1700000000000000ull;
    feed_junk(a, f[0], 40000, ts);
    feed_junk(a, f[1], 40001, ts);
    size_t mem = appid_memuse(a);
    ck_assert_uint_eq(stats(a).in_use, 2);
    for (int i = 0; i < 5; i++)
        feed_junk(a, f[2], 40002, ts + 1000);
    struct counters c = stats(a);
    ck_assert_uint_eq(c.in_use, 2);
    ck_assert_uint_eq(c.refused, 5);
    ck_assert_uint_eq(c.flows, 2);
    ck_assert_uint_eq(appid_memuse(a), mem);
    ck_assert_ptr_null(f[2]->app.app_proto);
    /* The end of a flow frees its state; the refused flow then gets one. */
    appid_flow_end(a, f[0]);
    ck_assert_uint_eq(stats(a).in_use, 1);
    appid_flow_end(a, f[0]); /* twice: harmless */
    ck_assert_uint_eq(stats(a).in_use, 1);
    feed_junk(a, f[2], 40002, ts + 2000);
    c = stats(a);
    ck_assert_uint_eq(c.in_use, 2);
    ck_assert_uint_eq(c.refused, 5);
    ck_assert_uint_eq(c.flows, 3);
    ck_assert_uint_eq(appid_memuse(a), mem);
    for (int i = 0; i < 3; i++) {
        appid_flow_end(a, f[i]);
        free(f[i]);
    }
    ck_assert_uint_eq(stats(a).in_use, 0);
    appid_free(a);
}
END_TEST

START_TEST(full_table_reclaims_only_idle_states)
{
    struct appid *a = mk(0, 1);
    struct mw_flow *f1 = new_flow(1), *f2 = new_flow(2);
    uint64_t ts = 1700000000000000ull;
    feed_junk(a, f1, 40000, ts);
    feed_junk(a, f2, 40001, ts + 29ull * 1000000u); /* 29 s idle: not yet */
    ck_assert_uint_eq(stats(a).refused, 1);
    ck_assert_uint_eq(stats(a).evicted_idle, 0);
    feed_junk(a, f2, 40001, ts + 31ull * 1000000u);
    struct counters c = stats(a);
    ck_assert_uint_eq(c.evicted_idle, 1);
    ck_assert_uint_eq(c.in_use, 1);
    ck_assert_uint_eq(c.flows, 2);
    /* f1's state is gone: ending it does not touch f2's. */
    appid_flow_end(a, f1);
    ck_assert_uint_eq(stats(a).in_use, 1);
    appid_flow_end(a, f2);
    ck_assert_uint_eq(stats(a).in_use, 0);
    free(f1);
    free(f2);
    appid_free(a);
}
END_TEST

START_TEST(gives_up_after_max_packets)
{
    struct appid *a = mk(3, 0);
    struct mw_flow *f = new_flow(9);
    uint64_t ts = 1700000000000000ull;
    uint8_t junk[64];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = 'z'; /* no protocol's magic (0x80 first would be RTP v2) */
    struct frame fr;
    udp_frame(&fr, 47000, 47001, junk, sizeof junk, ts);
    for (int i = 0; i < 2; i++) {
        appid_packet(a, f, &fr.p);
        ck_assert_msg(f->app.app_proto == NULL, "labelled %s", f->app.app_proto);
    }
    ck_assert_uint_eq(stats(a).in_use, 1);
    appid_packet(a, f, &fr.p);
    ck_assert_ptr_nonnull(f->app.app_proto);
    struct counters c = stats(a);
    ck_assert_uint_eq(c.gave_up, 1);
    ck_assert_uint_eq(c.in_use, 0);
    ck_assert_str_eq(f->app.app_proto, "failed");
    ck_assert_uint_eq(c.failed, 1);
    free(f);
    appid_free(a);
}
END_TEST

START_TEST(flow_end_and_pointer_reuse)
{
    struct appid *a = mk(0, 0);
    struct mw_flow *f = new_flow(11);
    feed_junk(a, f, 40000, 1700000000000000ull);
    ck_assert_uint_eq(stats(a).in_use, 1);
    /* Same memory, new flow (ended without appid_flow_end): a fresh state, not the old one. */
    f->flow_id = 12;
    feed_junk(a, f, 40000, 1700000001000000ull);
    ck_assert_uint_eq(stats(a).in_use, 2);
    ck_assert_uint_eq(stats(a).flows, 2);
    appid_flow_end(a, f);
    ck_assert_uint_eq(stats(a).in_use, 1);
    appid_free(a); /* frees the leftover state (ASan checks) */
    free(f);
}
END_TEST

START_TEST(hostile_packets)
{
    struct appid *a = mk(4, 64);
    uint8_t buf[2048];
    uint32_t seed = 12345;
    for (int round = 0; round < 4000; round++) {
        struct mw_flow *f = new_flow((uint64_t)round + 1);
        for (int k = 0; k < 4; k++) {
            uint32_t len = 0;
            seed = seed * 1103515245u + 12345u;
            len = (seed >> 8) % sizeof buf;
            for (uint32_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = (uint8_t)(seed >> 16);
            }
            /* A plausible IP header start with lying lengths and random options. */
            if (len >= 20) {
                buf[0] = (uint8_t)((round & 1 ? 0x40 : 0x60) | (buf[0] & 0x0f));
                buf[9] = (uint8_t)(round & 2 ? 6 : 17);
                buf[6] &= 0x40;
                buf[7] = 0;
            }
            struct mw_packet p;
            memset(&p, 0, sizeof p);
            p.ts_us = 1700000000000000ull + (uint64_t)round * 1000u;
            p.ip_version = (uint8_t)(round & 1 ? 4 : 6);
            p.l3 = buf;
            p.l3_len = len;
            appid_packet(a, f, &p);
        }
        appid_flow_end(a, f);
        free(f);
    }
    /* l3 missing or empty: counted, no state. */
    struct mw_flow *g = new_flow(99999);
    struct mw_packet p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    ck_assert_int_eq(appid_packet(a, g, &p), 0);
    ck_assert_uint_ge(stats(a).bad_packet, 1);
    ck_assert_uint_eq(stats(a).in_use, 0);
    free(g);
    appid_free(a);
}
END_TEST

/* nDPI keeps TCP and UDP per-flow state in one union and frees its TLS reassembly buffer
 * only while the flow's last packet was TCP: a datagram of another transport on the flow
 * must be refused (counted), or the buffer leaks (found by fuzz_appid; ASan checks it). */
START_TEST(transport_switch_is_refused)
{
    struct appid *a = mk(16, 8);
    struct mw_flow *f = new_flow(7);
    ck_assert_int_eq(feed_junk(a, f, 40001, 1000), 0); /* payload: creates the nDPI state */
    /* The start of a TLS ClientHello whose record promises 512 bytes: nDPI buffers it. */
    static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
                                     1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
    struct frame fr;
    memset(&fr, 0, sizeof fr);
    uint32_t ip = fb_ipv4(&fr.fb, 6, CLI, SRV, 3, 0x4000);
    fb_tcp(&fr.fb, 40001, 5555, 1001, 0, MW_TCP_ACK | MW_TCP_PSH, 65535, 0);
    fb_bytes(&fr.fb, hello, sizeof hello);
    fb_end_ipv4(&fr.fb, ip);
    decode_raw(&fr, 2000);
    appid_packet(a, f, &fr.p);
    uint64_t bad = stats(a).bad_packet, packets = stats(a).packets;
    static const uint8_t junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    udp_frame(&fr, 40001, 5555, junk, sizeof junk, 3000);
    ck_assert_int_eq(appid_packet(a, f, &fr.p), 0);
    ck_assert_uint_eq(stats(a).bad_packet, bad + 1);
    ck_assert_uint_eq(stats(a).packets, packets + 1);
    /* TCP again: still accepted. */
    tcp_frame(&fr, 1, 40001, 5555, 1001 + sizeof hello, 0, MW_TCP_ACK, NULL, 4000);
    appid_packet(a, f, &fr.p);
    ck_assert_uint_eq(stats(a).bad_packet, bad + 1);
    appid_flow_end(a, f);
    ck_assert_uint_eq(stats(a).in_use, 0);
    free(f);
    appid_free(a);
}
END_TEST

/* ---- real captures: decode -> flow table -> appid ---- */

struct run {
    struct appid *a;
    uint64_t flows, labelled, packets;
};

static void on_end(void *u, struct mw_flow *f, enum flow_end_reason why)
{
    struct run *r = u;
    (void)why;
    r->flows++;
    if (f->app.app_proto)
        r->labelled++;
    if (r->a)
        appid_flow_end(r->a, f);
}

/* Runs every capture of dir (at most max_files) through decode and the flow table,
 * with or without appid; returns seconds spent. */
static double run_dir(const char *dir, struct run *r, int max_files)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    int files = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((de = readdir(d)) != NULL && files < max_files) {
        size_t n = strlen(de->d_name);
        if (!((n > 5 && strcmp(de->d_name + n - 5, ".pcap") == 0) ||
              (n > 7 && strcmp(de->d_name + n - 7, ".pcapng") == 0)))
            continue;
        char path[4096], err[PCAP_ERRBUF_SIZE];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        pcap_t *pc = pcap_open_offline(path, err);
        if (!pc)
            continue;
        int dlt = pcap_datalink(pc);
        if (!decode_dlt_supported(dlt)) {
            pcap_close(pc);
            continue;
        }
        files++;
        struct decode_ctx *dc = decode_new(NULL);
        struct flow_params fp;
        flow_params_default(&fp);
        fp.memcap = 4u << 20;
        fp.hash_buckets = 4096;
        struct flow_table *t = flow_table_new(&fp, on_end, r);
        ck_assert_ptr_nonnull(dc);
        ck_assert_ptr_nonnull(t);
        struct pcap_pkthdr *h;
        const u_char *data;
        struct mw_packet p;
        while (pcap_next_ex(pc, &h, &data) == 1) {
            uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
            if (decode_packet(dc, dlt, data, h->caplen, h->len, ts, &p) != DECODE_OK)
                continue;
            int fdir;
            struct mw_flow *f = flow_get(t, &p, &fdir);
            if (!f)
                continue;
            r->packets++;
            if (r->a && !f->app.app_proto && appid_packet(r->a, f, &p) && getenv("APPID_DEBUG"))
                printf("mining? %s %s\n", de->d_name, f->app.app_proto);
        }
        flow_table_shutdown(t);
        flow_table_free(t);
        decode_free(dc);
        pcap_close(pc);
    }
    closedir(d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

START_TEST(real_captures)
{
    char buf[4096];
    const char *dir = mw_shared_dir("pcaps/traffic", buf, sizeof buf);
    ck_assert_ptr_nonnull(dir);
    int max_files = 400;
    struct run warm = { 0 }, base = { 0 }, with = { 0 };
    run_dir(dir, &warm, max_files); /* page cache and lazy init out of the timings */
    double t_base = run_dir(dir, &base, max_files);
    with.a = mk(0, 0);
    double t_with = run_dir(dir, &with, max_files);
    struct counters c = stats(with.a);
    printf("appid: %llu packets, %llu flows, %llu labelled; appid.flows %llu classified %llu gave_up %llu "
           "failed %llu refused %llu mining_guess %llu\n",
           (unsigned long long)with.packets, (unsigned long long)with.flows, (unsigned long long)with.labelled,
           (unsigned long long)c.flows, (unsigned long long)c.classified, (unsigned long long)c.gave_up,
           (unsigned long long)c.failed, (unsigned long long)c.refused, (unsigned long long)c.mining_guess);
    printf("appid: decode+flow %.0f pkt/s, with appid %.0f pkt/s (%.2f us per packet fed to nDPI), memuse %zu\n",
           (double)base.packets / t_base, (double)with.packets / t_with,
           (t_with - t_base) * 1e6 / (double)c.packets, appid_memuse(with.a));
    fflush(stdout);
    ck_assert_uint_eq(base.packets, with.packets);
    ck_assert_uint_eq(base.labelled, 0);
    ck_assert_uint_eq(c.in_use, 0); /* every flow ended, every state released */
    ck_assert_uint_gt(with.flows, 1000);
    /* Many flows here are a lone SYN or datagram that ends before anything is known, so
     * ask for a third labelled, and nearly all of those named rather than "failed". */
    ck_assert_uint_ge(with.labelled * 3, with.flows);
    ck_assert_uint_ge(c.classified, c.failed * 4);
    ck_assert_uint_eq(with.labelled, c.classified + c.gave_up);
    appid_free(with.a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("appid");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, http_get_is_labelled_http);
    tcase_add_test(tc, dns_query_is_labelled_dns);
    tcase_add_test(tc, stratum_login_is_a_mining_guess);
    tcase_add_test(tc, max_flows_caps_states);
    tcase_add_test(tc, full_table_reclaims_only_idle_states);
    tcase_add_test(tc, gives_up_after_max_packets);
    tcase_add_test(tc, flow_end_and_pointer_reuse);
    tcase_add_test(tc, hostile_packets);
    tcase_add_test(tc, transport_switch_is_refused);
    suite_add_tcase(s, tc);
    char buf[4096];
    int have_pcaps = mw_shared_dir("pcaps/traffic", buf, sizeof buf) != NULL;
    if (have_pcaps) {
        TCase *tp = tcase_create("pcaps");
        tcase_set_timeout(tp, 600);
        tcase_add_test(tp, real_captures);
        suite_add_tcase(s, tp);
    }
    return mw_check_run_or_skip(s, have_pcaps ? NULL : "real captures: $MW_SHARED_DIR/pcaps/traffic not found");
}
