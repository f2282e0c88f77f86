/* test_sv2.c - Stratum V2 framing, SetupConnection parsing and the dissector. */
#include <stdlib.h>
#include <string.h>

#include "dissectors/sv2.h"
#include "sensor/applayer/drive.h"
#include "sensor/flow/flow.h"
#include "unit/check_main.h"

/* ---- message builders (sv2-spec 3.1/3.2: little-endian, STR0_255) ---- */

struct buf {
    uint8_t b[4096];
    size_t n;
};

static void put8(struct buf *b, uint8_t v) { b->b[b->n++] = v; }
static void put16(struct buf *b, uint16_t v) { put8(b, (uint8_t)v); put8(b, (uint8_t)(v >> 8)); }
static void put32(struct buf *b, uint32_t v) { put16(b, (uint16_t)v); put16(b, (uint16_t)(v >> 16)); }
static void putstr(struct buf *b, const char *s, size_t n)
{
    put8(b, (uint8_t)n);
    memcpy(b->b + b->n, s, n);
    b->n += n;
}

/* Frame header + payload. */
static void frame(struct buf *out, uint16_t ext, uint8_t type, const struct buf *payload)
{
    put16(out, ext);
    put8(out, type);
    put8(out, (uint8_t)payload->n);
    put8(out, (uint8_t)(payload->n >> 8));
    put8(out, (uint8_t)(payload->n >> 16));
    memcpy(out->b + out->n, payload->b, payload->n);
    out->n += payload->n;
}

static void setup_payload(struct buf *p, uint8_t protocol, const char *host, size_t hostlen)
{
    memset(p, 0, sizeof *p);
    put8(p, protocol);
    put16(p, 2);
    put16(p, 2);
    put32(p, 0x1);
    putstr(p, host, hostlen);
    put16(p, 34254);
    putstr(p, "Bitmain", 7);
    putstr(p, "S19", 3);
    putstr(p, "braiins-os-2023", 15);
    putstr(p, "", 0);
}

/* ---- dissector harness ---- */

#define MAXEV 16
static struct mw_evidence evs[MAXEV];
static int nev;
static uint64_t malformed[SV2_EV_COUNT];

static void rec(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    (void)ctx;
    if (nev < MAXEV)
        evs[nev++] = *ev;
}

static void drive_rec(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    rec(NULL, ev);
}

static struct mw_flow_app app;

static void ctx_init(struct mw_dctx *ctx, uint16_t sport, uint16_t dport)
{
    memset(ctx, 0, sizeof *ctx);
    memset(&app, 0, sizeof app);
    ctx->port[MW_DIR_FWD] = sport;
    ctx->port[MW_DIR_REV] = dport;
    ctx->handshake_seen = 1;
    ctx->emit = rec;
    ctx->app = &app;
    ctx->events = malformed;
    ctx->nevents = SV2_EV_COUNT;
    nev = 0;
    memset(malformed, 0, sizeof malformed);
}

/* A flow through the real engine (the sensor's buffering) with sv2 attached. */
static struct applayer_drive *new_drive(uint16_t sport, uint16_t dport)
{
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_FWD] = sport;
    p.port[MW_DIR_REV] = dport;
    nev = 0;
    struct applayer_drive *dr = applayer_drive_new(&p, &sv2_dissector, drive_rec, NULL);
    ck_assert_ptr_nonnull(dr);
    return dr;
}

static void *new_state(void)
{
    void *st = malloc(sv2_dissector.state_size);
    ck_assert_ptr_nonnull(st);
    sv2_dissector.init(st);
    return st;
}

/* Feed all of data in pieces of `step` through the engine. */
static void feed_all(struct applayer_drive *dr, int dir, const uint8_t *data, size_t len, size_t step)
{
    applayer_drive_steps(dr, dir, data, len, step);
    ck_assert_uint_eq(applayer_drive_stat(dr, "detect.feed_contract"), 0);
    ck_assert_uint_eq(applayer_drive_stat(dr, "detect.dissector_malformed"), 0);
}

/* ---- parser tests ---- */

START_TEST(test_frame_header)
{
    const uint8_t f[] = { 0x00, 0x80, 0x1a, 0x03, 0x00, 0x00, 1, 2, 3 };
    struct sv2_frame fr;
    for (size_t i = 0; i < sizeof f; i++)
        ck_assert_int_eq(sv2_parse_frame(f, i, &fr), SV2_NEED_MORE);
    ck_assert_int_eq(sv2_parse_frame(f, sizeof f, &fr), 9);
    ck_assert_uint_eq(fr.extension_type, 0x8000);
    ck_assert_uint_eq(fr.channel_msg, 1);
    ck_assert_uint_eq(fr.msg_type, SV2_SUBMIT_SHARES_STANDARD);
    ck_assert_uint_eq(fr.msg_length, 3);
    ck_assert_str_eq(sv2_msg_name(fr.msg_type), "SubmitSharesStandard");
    /* U24 little-endian: 0x010203 */
    const uint8_t big[] = { 0, 0, 0x15, 0x03, 0x02, 0x01 };
    ck_assert_int_eq(sv2_parse_frame(big, sizeof big, &fr), SV2_NEED_MORE);
    ck_assert_uint_eq(fr.msg_length, 0x010203);
}
END_TEST

START_TEST(test_setup_connection_fields)
{
    struct buf p;
    setup_payload(&p, 0, "pool.example.org", 16);
    struct sv2_setup_connection sc;
    ck_assert_int_eq(sv2_parse_setup_connection(p.b, p.n, &sc), 0);
    ck_assert_uint_eq(sc.protocol, 0);
    ck_assert_uint_eq(sc.min_version, 2);
    ck_assert_uint_eq(sc.max_version, 2);
    ck_assert_uint_eq(sc.flags, 1);
    ck_assert_uint_eq(sc.endpoint_host.len, 16);
    ck_assert(memcmp(sc.endpoint_host.p, "pool.example.org", 16) == 0);
    ck_assert_uint_eq(sc.endpoint_port, 34254);
    ck_assert_uint_eq(sc.vendor.len, 7);
    ck_assert_uint_eq(sc.device_id.len, 0);
    /* every truncation fails, and so does a trailing byte */
    for (size_t i = 0; i < p.n; i++)
        ck_assert_int_eq(sv2_parse_setup_connection(p.b, i, &sc), -1);
    p.b[p.n] = 0;
    ck_assert_int_eq(sv2_parse_setup_connection(p.b, p.n + 1, &sc), -1);
}
END_TEST

START_TEST(test_setup_connection_str_edges)
{
    char host[255];
    memset(host, 'h', sizeof host);
    struct buf p;
    struct sv2_setup_connection sc;
    setup_payload(&p, 0, host, 0);
    ck_assert_int_eq(sv2_parse_setup_connection(p.b, p.n, &sc), 0);
    ck_assert_uint_eq(sc.endpoint_host.len, 0);
    setup_payload(&p, 0, host, 255);
    ck_assert_int_eq(sv2_parse_setup_connection(p.b, p.n, &sc), 0);
    ck_assert_uint_eq(sc.endpoint_host.len, 255);
    ck_assert_uint_eq(sc.endpoint_port, 34254);
    /* a length byte claiming more than is there */
    struct buf t = { { 0 }, 0 };
    put8(&t, 0);
    put16(&t, 2);
    put16(&t, 2);
    put32(&t, 0);
    put8(&t, 200);
    memcpy(t.b + t.n, "short", 5);
    t.n += 5;
    ck_assert_int_eq(sv2_parse_setup_connection(t.b, t.n, &sc), -1);
}
END_TEST

START_TEST(test_setup_success_error)
{
    struct buf p = { { 0 }, 0 };
    put16(&p, 2);
    put32(&p, 0x6);
    struct sv2_setup_success ss;
    ck_assert_int_eq(sv2_parse_setup_success(p.b, p.n, &ss), 0);
    ck_assert_uint_eq(ss.used_version, 2);
    ck_assert_uint_eq(ss.flags, 6);
    ck_assert_int_eq(sv2_parse_setup_success(p.b, 5, &ss), -1);
    struct buf e = { { 0 }, 0 };
    put32(&e, 0);
    putstr(&e, "unsupported-protocol", 20);
    struct sv2_setup_error se;
    ck_assert_int_eq(sv2_parse_setup_error(e.b, e.n, &se), 0);
    ck_assert_uint_eq(se.error_code.len, 20);
    ck_assert_int_eq(sv2_parse_setup_error(e.b, e.n - 1, &se), -1);
}
END_TEST

/* ---- dissector tests ---- */

static void cleartext_session(size_t step, uint8_t protocol)
{
    struct mw_dctx ctx;
    ctx_init(&ctx, 50000, 3336);
    struct applayer_drive *dr = new_drive(50000, 3336);
    struct buf p, c = { { 0 }, 0 };
    setup_payload(&p, protocol, "pool.example.org", 16);
    frame(&c, 0, SV2_SETUP_CONNECTION, &p);
    /* OpenStandardMiningChannel: request_id, user_identity, hashrate, max_target */
    struct buf oc = { { 0 }, 0 };
    put32(&oc, 1);
    putstr(&oc, "alice.rig1", 10);
    put32(&oc, 0);
    for (int i = 0; i < 8; i++)
        put32(&oc, 0xffffffff);
    frame(&c, 0, SV2_OPEN_STANDARD_MINING_CHANNEL, &oc);
    struct buf sub = { { 0 }, 0 };
    for (int i = 0; i < 6; i++)
        put32(&sub, (uint32_t)i);
    frame(&c, 0x8000, SV2_SUBMIT_SHARES_STANDARD, &sub);

    ck_assert_int_eq(sv2_dissector.probe(c.b, c.n, MW_DIR_FWD, &ctx), MW_PROBE_YES);
    feed_all(dr, MW_DIR_FWD, c.b, 0 + c.n - sub.n - 6 - oc.n - 6, step);

    struct buf s = { { 0 }, 0 }, sp = { { 0 }, 0 };
    put16(&sp, 2);
    put32(&sp, 0);
    frame(&s, 0, SV2_SETUP_CONNECTION_SUCCESS, &sp);
    struct buf nj = { { 0 }, 0 };
    for (int i = 0; i < 10; i++)
        put32(&nj, (uint32_t)i);
    frame(&s, 0x8000, SV2_NEW_MINING_JOB, &nj);
    feed_all(dr, MW_DIR_REV, s.b, s.n, step);
    feed_all(dr, MW_DIR_FWD, c.b + (c.n - sub.n - 6 - oc.n - 6), sub.n + 6 + oc.n + 6, step);
    const struct mw_flow *fl = applayer_drive_flow(dr);
    struct mw_flow_app fapp = fl->app;
    uint8_t keep_following = fl->keep_following;
    applayer_drive_free(dr);

    if (protocol == SV2_PROTO_MINING) {
        ck_assert_int_eq(nev, 3);
        ck_assert_int_eq(evs[0].kind, MW_EV_PROTOCOL);
        ck_assert_int_eq(evs[0].variant, MW_VAR_STRATUM2);
        ck_assert_uint_eq(evs[0].sides, MW_SIDE_CLIENT);
        ck_assert_str_eq(evs[0].method, "SetupConnection");
        ck_assert_str_eq(evs[0].pool_host, "pool.example.org");
        ck_assert_str_eq(evs[0].agent, "Bitmain S19 braiins-os-2023");
        ck_assert_uint_eq(evs[0].suspicion, 0);
        ck_assert_uint_eq(evs[1].sides, MW_SIDE_SERVER);
        ck_assert_str_eq(evs[1].method, "SetupConnection.Success");
        ck_assert_str_eq(evs[2].worker, "alice.rig1");
        ck_assert_uint_eq(fapp.shares_submitted, 1);
        ck_assert_uint_eq(fapp.jobs, 1);
        ck_assert_uint_eq(keep_following, 1);
    } else {
        ck_assert_int_eq(nev, 0);
    }
}

START_TEST(test_cleartext_every_split)
{
    for (size_t step = 1; step <= 64; step++)
        cleartext_session(step, SV2_PROTO_MINING);
    cleartext_session(4096, SV2_PROTO_MINING);
}
END_TEST

START_TEST(test_non_mining_protocols)
{
    cleartext_session(4096, SV2_PROTO_TEMPLATE_DISTRIBUTION);
    cleartext_session(4096, SV2_PROTO_JOB_DISTRIBUTION);
    /* an undefined protocol value is refused by the probe and the parser check */
    struct buf p, c = { { 0 }, 0 };
    setup_payload(&p, 7, "x", 1);
    frame(&c, 0, SV2_SETUP_CONNECTION, &p);
    struct mw_dctx ctx;
    ctx_init(&ctx, 1, 2);
    ck_assert_int_eq(sv2_dissector.probe(c.b, c.n, MW_DIR_FWD, &ctx), MW_PROBE_NO);
    struct applayer_drive *dr = new_drive(1, 2);
    feed_all(dr, MW_DIR_FWD, c.b, c.n, 4096);
    ck_assert_uint_eq(applayer_drive_stat(dr, "app.stratum2.bad_setup"), 1);
    applayer_drive_free(dr);
    ck_assert_int_eq(nev, 0);
}
END_TEST

START_TEST(test_setup_error_reply)
{
    struct applayer_drive *dr = new_drive(50000, 34254);
    struct buf p, c = { { 0 }, 0 };
    setup_payload(&p, 0, "10.0.0.1", 8);
    frame(&c, 0, SV2_SETUP_CONNECTION, &p);
    feed_all(dr, MW_DIR_FWD, c.b, c.n, 4096);
    struct buf e = { { 0 }, 0 }, s = { { 0 }, 0 };
    put32(&e, 0);
    putstr(&e, "protocol-version-mismatch", 25);
    frame(&s, 0, SV2_SETUP_CONNECTION_ERROR, &e);
    feed_all(dr, MW_DIR_REV, s.b, s.n, 4096);
    ck_assert_uint_eq(applayer_drive_events(dr, "stratum2"), 0);
    applayer_drive_free(dr);
    ck_assert_int_eq(nev, 2);
    ck_assert_str_eq(evs[1].method, "SetupConnection.Error");
    ck_assert_str_eq(evs[1].pool_host, "10.0.0.1");
}
END_TEST

/* Pseudo-random bytes standing in for ElligatorSwift keys and ciphertext. */
static void fill_random(uint8_t *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16);
    }
}

static int noise_session(size_t act1, size_t act2, uint16_t port, int text_key)
{
    struct mw_dctx ctx;
    ctx_init(&ctx, 50000, port);
    void *st = new_state();
    uint8_t a1[128], a2[400], t[100];
    fill_random(a1, sizeof a1, 1);
    fill_random(a2, sizeof a2, 2);
    fill_random(t, sizeof t, 3);
    if (text_key)
        memset(a1, 'A', sizeof a1);
    sv2_dissector.feed(st, &ctx, MW_DIR_FWD, a1, act1);
    /* the responder's act 2 arrives in two segments */
    sv2_dissector.feed(st, &ctx, MW_DIR_REV, a2, act2 / 2);
    sv2_dissector.feed(st, &ctx, MW_DIR_REV, a2 + act2 / 2, act2 - act2 / 2);
    sv2_dissector.feed(st, &ctx, MW_DIR_FWD, t, sizeof t);
    sv2_dissector.fini(st, &ctx);
    free(st);
    return nev;
}

START_TEST(test_noise_shape)
{
    ck_assert_int_eq(noise_session(64, 234, 443, 0), 1);
    ck_assert_int_eq(evs[0].variant, MW_VAR_STRATUM2);
    ck_assert_uint_eq(evs[0].suspicion, 1);
    ck_assert_uint_lt(evs[0].confidence, 50);
    ck_assert_str_eq(evs[0].method, "NoiseHandshake");
    ck_assert_int_eq(noise_session(64, 234, 34254, 0), 1);
    ck_assert_str_eq(evs[0].method, "NoiseHandshake(reference-port)");
    /* wrong sizes, or a key that is not random-looking: nothing */
    ck_assert_int_eq(noise_session(64, 200, 34254, 0), 0);
    ck_assert_int_eq(noise_session(64, 170, 34254, 0), 0);
    ck_assert_int_eq(noise_session(64, 235, 34254, 0), 0);
    ck_assert_int_eq(noise_session(65, 234, 34254, 0), 0);
    ck_assert_int_eq(noise_session(63, 234, 34254, 0), 0);
    ck_assert_int_eq(noise_session(64, 234, 34254, 1), 0);
}
END_TEST

START_TEST(test_noise_reported_at_close)
{
    /* The client never speaks after act 2 (the session dies): still the shape. */
    struct mw_dctx ctx;
    ctx_init(&ctx, 50000, 1234);
    void *st = new_state();
    uint8_t a1[64], a2[234];
    fill_random(a1, sizeof a1, 7);
    fill_random(a2, sizeof a2, 8);
    for (size_t i = 0; i < 64; i += 16)
        sv2_dissector.feed(st, &ctx, MW_DIR_FWD, a1 + i, 16);
    sv2_dissector.feed(st, &ctx, MW_DIR_REV, a2, sizeof a2);
    ck_assert_int_eq(nev, 0);
    sv2_dissector.fini(st, &ctx);
    free(st);
    ck_assert_int_eq(nev, 1);
}
END_TEST

START_TEST(test_server_first_and_oversized)
{
    struct mw_dctx ctx;
    ctx_init(&ctx, 50000, 34254);
    void *st = new_state();
    uint8_t banner[] = "220 smtp ready\r\n";
    sv2_dissector.feed(st, &ctx, MW_DIR_REV, banner, sizeof banner - 1);
    ck_assert_uint_eq(ctx.closed, 1);
    free(st);

    /* a frame claiming 16 MB after a valid setup is skipped, not buffered */
    struct applayer_drive *dr = new_drive(50000, 34254);
    struct buf p, c = { { 0 }, 0 };
    setup_payload(&p, 0, "h", 1);
    frame(&c, 0, SV2_SETUP_CONNECTION, &p);
    feed_all(dr, MW_DIR_FWD, c.b, c.n, 4096);
    uint8_t hdr[6] = { 0, 0, SV2_NEW_MINING_JOB, 0xff, 0xff, 0xff };
    applayer_drive_data(dr, MW_DIR_FWD, hdr, sizeof hdr);
    ck_assert_uint_eq(applayer_drive_buffered(dr, MW_DIR_FWD), 0);
    uint8_t junk[1000];
    memset(junk, 0x55, sizeof junk);
    for (int i = 0; i < 100; i++) {
        applayer_drive_data(dr, MW_DIR_FWD, junk, sizeof junk);
        ck_assert_uint_eq(applayer_drive_buffered(dr, MW_DIR_FWD), 0);
    }
    ck_assert(applayer_drive_attached(dr));
    ck_assert_uint_eq(applayer_drive_stat(dr, "detect.buffer_overflow"), 0);
    applayer_drive_free(dr);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sv2");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_frame_header);
    tcase_add_test(tc, test_setup_connection_fields);
    tcase_add_test(tc, test_setup_connection_str_edges);
    tcase_add_test(tc, test_setup_success_error);
    tcase_add_test(tc, test_cleartext_every_split);
    tcase_add_test(tc, test_non_mining_protocols);
    tcase_add_test(tc, test_setup_error_reply);
    tcase_add_test(tc, test_noise_shape);
    tcase_add_test(tc, test_noise_reported_at_close);
    tcase_add_test(tc, test_server_first_and_oversized);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
