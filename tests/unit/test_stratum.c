/* test_stratum.c - the newline-framed mining stream dissector, driven through the real
 * app-layer engine (sensor/applayer/drive.h: unconsumed bytes kept and offered again with
 * the next chunk): whole, split at every byte, one byte at a time; both sides and one
 * side only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/jsonmine.h"
#include "dissectors/stratum.h"
#include "sensor/applayer/drive.h"
#include "sensor/flow/flow.h"
#include "unit/check_main.h"
#include "unit/mining_msgs.h"

#define SIM_BUF 32768

struct sim {
    struct applayer_drive *dr;
    int emits;
    struct mw_evidence last;
    char workers[256], agents[256];
    uint8_t sides_seen;
};

static void on_emit(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    struct sim *s = user;
    s->emits++;
    s->last = *ev;
    s->sides_seen |= ev->sides;
    if (ev->worker[0] && !strstr(s->workers, ev->worker) && strlen(s->workers) + strlen(ev->worker) + 2 < 256) {
        strcat(s->workers, ev->worker);
        strcat(s->workers, "|");
    }
    if (ev->agent[0] && !strstr(s->agents, ev->agent) && strlen(s->agents) + strlen(ev->agent) + 2 < 256) {
        strcat(s->agents, ev->agent);
        strcat(s->agents, "|");
    }
}

static void sim_init(struct sim *s)
{
    applayer_drive_free(s->dr);
    memset(s, 0, sizeof *s);
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.engine.buffer_size = SIM_BUF;
    s->dr = applayer_drive_new(&p, &stratum_dissector, on_emit, s);
    ck_assert_ptr_nonnull(s->dr);
}

static void sim_feed(struct sim *s, int dir, const uint8_t *p, size_t n)
{
    applayer_drive_data(s->dr, dir, p, n);
    ck_assert_uint_eq(applayer_drive_stat(s->dr, "detect.feed_contract"), 0);
}

/* What the tests read: the dissector's state, the flow's counters, the engine's. */
#define ST(s) ((const struct stratum_state *)applayer_drive_state((s)->dr))
#define APP(s) (applayer_drive_flow((s)->dr)->app)
#define GAVE_UP(s) (!applayer_drive_attached((s)->dr))
#define EVENT(s, name) applayer_drive_stat((s)->dr, "app.stratum." name)

struct line {
    int dir;
    const char *text;
};

/* Feed a transcript: every line gets "\n" (or "\r\n"); chunk 0 means whole lines;
 * split > 0 cuts the whole transcript once at that byte offset. */
static void run(struct sim *s, const struct line *ls, size_t nl, size_t chunk, size_t split, int crlf)
{
    sim_init(s);
    size_t off = 0;
    for (size_t i = 0; i < nl; i++) {
        char tmp[4096];
        size_t n = strlen(ls[i].text);
        ck_assert_uint_lt(n + 2, sizeof tmp);
        memcpy(tmp, ls[i].text, n);
        if (crlf)
            tmp[n++] = '\r';
        tmp[n++] = '\n';
        const uint8_t *p = (const uint8_t *)tmp;
        if (chunk) {
            for (size_t k = 0; k < n; k += chunk)
                sim_feed(s, ls[i].dir, p + k, n - k < chunk ? n - k : chunk);
        } else if (split > off && split < off + n) {
            sim_feed(s, ls[i].dir, p, split - off);
            sim_feed(s, ls[i].dir, p + (split - off), n - (split - off));
        } else {
            sim_feed(s, ls[i].dir, p, n);
        }
        off += n;
    }
}

static size_t transcript_len(const struct line *ls, size_t nl)
{
    size_t t = 0;
    for (size_t i = 0; i < nl; i++)
        t += strlen(ls[i].text) + 1;
    return t;
}

struct want {
    enum mw_variant variant;
    uint8_t sides;
    uint8_t client_dir;
    uint32_t submitted, accepted, rejected, jobs;
    const char *worker, *agent;
};

static void check(struct sim *s, const struct want *w, const char *how)
{
    ck_assert_msg(s->emits > 0, "%s: no evidence", how);
    ck_assert_msg(ST(s)->variant == w->variant, "%s: variant %s", how, mw_variant_name((enum mw_variant)ST(s)->variant));
    ck_assert_msg(s->last.variant == w->variant, "%s: evidence variant", how);
    ck_assert_msg(ST(s)->sides == w->sides && s->sides_seen == w->sides, "%s: sides %d", how, ST(s)->sides);
    ck_assert_msg(s->last.client_dir == w->client_dir, "%s: client_dir", how);
    ck_assert_msg(APP(s).shares_submitted == w->submitted, "%s: submitted %u", how, APP(s).shares_submitted);
    ck_assert_msg(APP(s).shares_accepted == w->accepted, "%s: accepted %u", how, APP(s).shares_accepted);
    ck_assert_msg(APP(s).shares_rejected == w->rejected, "%s: rejected %u", how, APP(s).shares_rejected);
    ck_assert_msg(APP(s).jobs == w->jobs, "%s: jobs %u", how, APP(s).jobs);
    ck_assert_msg(applayer_drive_flow(s->dr)->keep_following == 1, "%s: keep_following", how);
    ck_assert_msg(!GAVE_UP(s), "%s: gave up", how);
    if (w->worker)
        ck_assert_msg(strstr(s->workers, w->worker) != NULL, "%s: worker %s not in %s", how, w->worker, s->workers);
    if (w->agent)
        ck_assert_msg(strstr(s->agents, w->agent) != NULL, "%s: agent %s not in %s", how, w->agent, s->agents);
}

/* Whole lines, CRLF, one byte at a time, and split at every byte. */
static void check_all_ways(const struct line *ls, size_t nl, const struct want *w)
{
    static struct sim s;
    run(&s, ls, nl, 0, 0, 0);
    check(&s, w, "whole");
    int emits = s.emits;
    run(&s, ls, nl, 0, 0, 1);
    check(&s, w, "crlf");
    run(&s, ls, nl, 1, 0, 0);
    check(&s, w, "one byte");
    ck_assert_int_eq(s.emits, emits); /* the same facts, reported the same number of times */
    run(&s, ls, nl, 7, 0, 0);
    check(&s, w, "7 bytes");
    size_t total = transcript_len(ls, nl);
    for (size_t k = 1; k < total; k++) {
        run(&s, ls, nl, 0, k, 0);
        check(&s, w, "split");
        ck_assert_int_eq(s.emits, emits);
    }
}

#define FWD MW_DIR_FWD
#define REV MW_DIR_REV
#define BOTH (MW_SIDE_CLIENT | MW_SIDE_SERVER)

START_TEST(test_stratum1_session)
{
    static const struct line ls[] = {
        { FWD, S1_SUBSCRIBE }, { REV, S1_SUBSCRIBE_RESULT }, { FWD, S1_AUTHORIZE }, { REV, S1_AUTH_OK },
        { REV, S1_SET_DIFF },  { REV, S1_NOTIFY },           { FWD, S1_SUBMIT },    { REV, S1_SHARE_OK },
        { FWD, S1_SUBMIT_VR }, { REV, S1_SHARE_BAD },        { REV, S1_NOTIFY },
    };
    struct want w = { MW_VAR_STRATUM1, BOTH, FWD, 2, 1, 1, 2, "slush.miner1", "cgminer/4.10.0" };
    check_all_ways(ls, sizeof ls / sizeof ls[0], &w);
    static struct sim s;
    run(&s, ls, sizeof ls / sizeof ls[0], 0, 0, 0);
    ck_assert(APP(&s).difficulty == 16384.0);
    ck_assert_str_eq(APP(&s).app_proto, "stratum");
    ck_assert_int_eq(s.last.confidence, 100);
    ck_assert_uint_eq(applayer_drive_events(s.dr, "stratum"), 0);
}
END_TEST

START_TEST(test_ethstratum_session)
{
    static const struct line ls[] = {
        { REV, ES_SUBSCRIBE }, { FWD, ES_SUBSCRIBE_RESULT }, { REV, ES_AUTHORIZE }, { FWD, ES_SHARE_OK },
        { FWD, ES_SET_DIFF },  { FWD, ES_NOTIFY },           { REV, ES_SUBMIT },    { FWD, ES_SHARE_BAD },
    };
    /* "id":1 answered, then 2 ("true" to authorize), then 244 rejected */
    static const struct line ls2[] = {
        { REV, ES_SUBSCRIBE }, { FWD, ES_SUBSCRIBE_RESULT }, { REV, ES_AUTHORIZE },
        { FWD, "{\"id\": 2, \"result\": true, \"error\": null}" }, { FWD, ES_SET_DIFF }, { FWD, ES_NOTIFY },
        { REV, ES_SUBMIT }, { FWD, ES_SHARE_BAD },
    };
    (void)ls;
    /* the miner is the responder here (e.g. a handshake-less capture): client_dir REV */
    struct want w = { MW_VAR_ETHSTRATUM, BOTH, REV, 1, 0, 1, 1, ETH_ADDR ".rig1", "EthereumMiner/1.0.0" };
    check_all_ways(ls2, sizeof ls2 / sizeof ls2[0], &w);
}
END_TEST

START_TEST(test_ethproxy_session)
{
    static const struct line ls[] = {
        { FWD, EP_LOGIN },      { REV, EP_LOGIN_OK },  { FWD, EP_GETWORK },  { REV, EP_WORK_DOC },
        { FWD, EP_SUBMITWORK }, { REV, EP_SUBMIT_OK }, { FWD, EP_HASHRATE }, { REV, EP_WORK },
    };
    struct want w = { MW_VAR_ETHPROXY, BOTH, FWD, 1, 1, 0, 2, ETH_ADDR ".rig1", NULL };
    check_all_ways(ls, sizeof ls / sizeof ls[0], &w);
}
END_TEST

START_TEST(test_cryptonote_session)
{
    static const struct line ls[] = {
        { FWD, CN_LOGIN },  { REV, CN_LOGIN_RESULT }, { REV, CN_JOB },       { FWD, CN_SUBMIT },
        { REV, CN_SUBMIT_OK }, { FWD, CN_KEEPALIVE }, { REV, CN_KEEPALIVE_OK },
        { FWD, "{\"id\":3,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"s\",\"job_id\":\"j2\","
               "\"nonce\":\"d0030041\",\"result\":\"" H64C "\"}}" },
        { REV, CN_SUBMIT_BAD },
    };
    struct want w = { MW_VAR_CRYPTONOTE, BOTH, FWD, 2, 1, 1, 2, XMR_WALLET, "XMRig/6.21.0" };
    check_all_ways(ls, sizeof ls / sizeof ls[0], &w);
    static struct sim s;
    run(&s, ls, sizeof ls / sizeof ls[0], 0, 0, 0);
    ck_assert(APP(&s).difficulty > 9999 && APP(&s).difficulty < 10001);
}
END_TEST

START_TEST(test_server_side_only)
{
    /* only the pool's direction was captured (REV): the miner sends FWD */
    static const struct line ls[] = {
        { REV, S1_SUBSCRIBE_RESULT }, { REV, S1_AUTH_OK }, { REV, S1_SET_DIFF }, { REV, S1_NOTIFY },
        { REV, S1_SHARE_OK },         { REV, S1_NOTIFY },
    };
    struct want w = { MW_VAR_STRATUM1, MW_SIDE_SERVER, FWD, 0, 0, 0, 2, NULL, NULL };
    check_all_ways(ls, sizeof ls / sizeof ls[0], &w);
}
END_TEST

START_TEST(test_client_side_only)
{
    static const struct line ls[] = {
        { FWD, CN_LOGIN_STAK }, { FWD, CN_SUBMIT }, { FWD, CN_KEEPALIVE }, { FWD, CN_SUBMIT },
    };
    struct want w = { MW_VAR_CRYPTONOTE, MW_SIDE_CLIENT, FWD, 2, 0, 0, 0, "pooluser", "xmr-stak/" };
    check_all_ways(ls, sizeof ls / sizeof ls[0], &w);
}
END_TEST

START_TEST(test_kaspa_submit_keeps_stratum1)
{
    static const struct line ls[] = {
        { FWD, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"BzMiner-v14.0.0\"]}" },
        { REV, KAS_NOTIFY },
        { FWD, KAS_SUBMIT },
    };
    struct want w = { MW_VAR_STRATUM1, BOTH, FWD, 1, 0, 0, 1, "kaspa:qr0abc.rig", "BzMiner" };
    check_all_ways(ls, sizeof ls / sizeof ls[0], &w);
}
END_TEST

/* An Equihash (ZIP 301) session as EWBF and a public pool exchange it: the
 * subscribe result [null, extranonce1] is only meaningful as an answer. */
START_TEST(test_equihash_session)
{
    static const struct line ls[] = {
        { FWD, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"EWBF 0.3.4b\",null,\"zec.pool.example\",\"6666\"]}" },
        { REV, "{\"id\":1,\"result\":[null,\"bbb5010000000000e8d04fec14a31432\"],\"error\":null}" },
        { REV, "{\"id\":null,\"params\":[\"00028f5c0000000000000000000000000000000000000000000000000000000\"],"
               "\"method\":\"mining.set_target\"}" },
        { FWD, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"t1d7wj89Zf2xgEKjqCtKjs3xudXUraUsYkc.rig\",\"z\"]}" },
        { REV, "{\"id\":2,\"result\":true,\"error\":null}" },
        { REV, ZEC_NOTIFY },
        { FWD, "{\"id\":3,\"method\":\"mining.extranonce.subscribe\",\"params\":[]}" },
    };
    struct want w = { MW_VAR_STRATUM1, BOTH, FWD, 0, 0, 0, 1, "t1d7wj89Zf2xgEKjqCtKjs3xudXUraUsYkc.rig", "EWBF 0.3.4b" };
    check_all_ways(ls, sizeof ls / sizeof ls[0], &w);
}
END_TEST

START_TEST(test_facts_reported_once)
{
    static const struct line ls[] = {
        { FWD, S1_SUBSCRIBE }, { FWD, S1_AUTHORIZE }, { FWD, S1_SUBMIT }, { FWD, S1_SUBMIT },
        { FWD, S1_SUBMIT },    { FWD, S1_SUBMIT },    { REV, S1_NOTIFY }, { REV, S1_NOTIFY },
    };
    static struct sim s;
    run(&s, ls, sizeof ls / sizeof ls[0], 0, 0, 0);
    /* subscribe (new session + agent), authorize (worker), first server message: 3 */
    ck_assert_int_eq(s.emits, 3);
    ck_assert_uint_eq(APP(&s).shares_submitted, 4);
}
END_TEST

START_TEST(test_oversize_line_bounded)
{
    static struct sim s;
    sim_init(&s);
    size_t n = STRATUM_MAX_LINE + 5000;
    uint8_t *big = malloc(n);
    ck_assert_ptr_nonnull(big);
    memset(big, 'a', n);
    big[0] = '{';
    /* fed in 1000-byte chunks: everything past the cap is consumed while skipping */
    for (size_t k = 0; k < n; k += 1000) {
        sim_feed(&s, FWD, big + k, n - k < 1000 ? n - k : 1000);
        ck_assert_uint_le(applayer_drive_buffered(s.dr, FWD), STRATUM_MAX_LINE);
    }
    free(big);
    ck_assert_uint_eq(ST(&s)->oversize_lines, 1);
    ck_assert_uint_eq(EVENT(&s, "line_too_long"), 1);
    const char *rest = "aaaa\n" S1_SUBSCRIBE "\n";
    sim_feed(&s, FWD, (const uint8_t *)rest, strlen(rest));
    ck_assert_uint_eq(applayer_drive_buffered(s.dr, FWD), 0);
    ck_assert_int_eq(ST(&s)->variant, MW_VAR_STRATUM1);
    ck_assert_int_eq(s.emits, 1);
    /* a direct feed of more than the cap without newline consumes it all */
    struct stratum_state st;
    stratum_dissector.init(&st);
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    static uint8_t junk[STRATUM_MAX_LINE + 1];
    memset(junk, '{', sizeof junk);
    ck_assert_int_eq(stratum_dissector.feed(&st, &ctx, 0, junk, sizeof junk), (long)sizeof junk);
    ck_assert_uint_eq(st.oversize_lines, 1);
    /* a line just under the cap is waited for */
    ck_assert_int_eq(stratum_dissector.feed(&st, &ctx, 1, junk, STRATUM_MAX_LINE - 1), 0);
}
END_TEST

START_TEST(test_gap_resyncs)
{
    static struct sim s;
    sim_init(&s);
    const char *a = "{\"id\": 1, \"method\": \"mining.sub";
    sim_feed(&s, FWD, (const uint8_t *)a, strlen(a));
    applayer_drive_gap(s.dr, FWD); /* the sensor lost bytes */
    const char *b = "params\": []}\n" S1_AUTHORIZE "\n";
    sim_feed(&s, FWD, (const uint8_t *)b, strlen(b));
    ck_assert_int_eq(ST(&s)->variant, MW_VAR_STRATUM1);
    ck_assert(strstr(s.workers, "slush.miner1") != NULL);
    ck_assert_uint_eq(ST(&s)->bad_lines, 0);
}
END_TEST

static void feed_lines(struct sim *s, int dir, const char *const *ls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sim_feed(s, dir, (const uint8_t *)ls[i], strlen(ls[i]));
        sim_feed(s, dir, (const uint8_t *)"\n", 1);
    }
}

START_TEST(test_plain_jsonrpc_gives_up_silently)
{
    static const char *const lsp[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"processId\":1,\"capabilities\":{}}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///a\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/hover\",\"params\":{}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBalance\",\"params\":[\"" ETH_ADDR "\",\"latest\"],\"id\":2}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":3}",
        "{\"id\":4,\"method\":\"login\",\"params\":{\"username\":\"bob\",\"password\":\"x\"}}",
        "{\"text\":\"{\\\"id\\\":1,\\\"method\\\":\\\"mining.subscribe\\\",\\\"params\\\":[]}\"}",
        "{\"jsonrpc\":\"1.0\",\"id\":\"c\",\"method\":\"getblockchaininfo\",\"params\":[]}",
        S1_SUBSCRIBE, /* after giving up nothing more is looked at */
    };
    static struct sim s;
    sim_init(&s);
    feed_lines(&s, FWD, lsp, sizeof lsp / sizeof lsp[0]);
    ck_assert_int_eq(s.emits, 0);
    ck_assert(GAVE_UP(&s));
    ck_assert_uint_eq(applayer_drive_stat(s.dr, "detect.dissector_malformed"), 0); /* closed, not malformed */
    ck_assert_int_eq(applayer_drive_flow(s.dr)->keep_following, 0);
    ck_assert_int_eq(ST(&s)->not_mining[FWD], STRATUM_GIVE_UP_LINES);
}
END_TEST

START_TEST(test_non_json_lines_detach)
{
    static const char *const junk[] = {
        "{mining.subscribe}",
        "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"x\"]  trailing",
        "{ not json at all mining.submit",
        "{'method':'mining.subscribe'}",
        S1_SUBSCRIBE,
    };
    static struct sim s;
    sim_init(&s);
    feed_lines(&s, FWD, junk, sizeof junk / sizeof junk[0]);
    ck_assert(GAVE_UP(&s));
    ck_assert_uint_eq(applayer_drive_stat(s.dr, "detect.dissector_malformed"), 1);
    ck_assert_int_eq(s.emits, 0);
    ck_assert_uint_eq(EVENT(&s, "malformed_json"), STRATUM_GIVE_UP_INVALID);
    /* once mining, a bad line is counted and skipped, not fatal */
    sim_init(&s);
    static const char *const mixed[] = { S1_SUBSCRIBE, "{oops", "{oops", "{oops", "{oops", "{oops", S1_AUTHORIZE };
    feed_lines(&s, FWD, mixed, sizeof mixed / sizeof mixed[0]);
    ck_assert(!GAVE_UP(&s));
    ck_assert_uint_eq(ST(&s)->bad_lines, 5);
    ck_assert_uint_eq(EVENT(&s, "malformed_json"), 5);
    ck_assert(strstr(s.workers, "slush.miner1") != NULL);
}
END_TEST

START_TEST(test_probe)
{
    const struct mw_dissector *d = &stratum_dissector;
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    const char *a = "  \r\n" S1_SUBSCRIBE "\n";
    ck_assert_int_eq(d->probe((const uint8_t *)a, strlen(a), 0, &ctx), MW_PROBE_YES);
    const char *b = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":3}\n";
    ck_assert_int_eq(d->probe((const uint8_t *)b, strlen(b), 0, &ctx), MW_PROBE_MAYBE);
    ck_assert_int_eq(d->probe((const uint8_t *)"{\"id\":", 6, 0, &ctx), MW_PROBE_MAYBE);
    ck_assert_int_eq(d->probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, 0, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(d->probe((const uint8_t *)"\x16\x03\x01", 3, 0, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(d->probe((const uint8_t *)"", 0, 0, &ctx), MW_PROBE_MAYBE);
    ck_assert_str_eq(d->name, "stratum");
    ck_assert_uint_eq(d->transports, MW_TRANSPORT_TCP);
    ck_assert_uint_eq(d->state_size, sizeof(struct stratum_state));
}
END_TEST

START_TEST(test_pending_ring_bounded)
{
    /* many unanswered requests: the ring keeps the last STRATUM_PENDING */
    static struct sim s;
    sim_init(&s);
    char line[256];
    for (int i = 0; i < 40; i++) {
        snprintf(line, sizeof line,
                 "{\"id\":%d,\"method\":\"mining.submit\",\"params\":[\"w\",\"j\",\"00000001\",\"504e86ed\",\"%08x\"]}\n",
                 100 + i, i);
        sim_feed(&s, FWD, (const uint8_t *)line, strlen(line));
    }
    const char *old = "{\"id\":100,\"result\":true,\"error\":null}\n";
    const char *recent = "{\"id\":139,\"result\":true,\"error\":null}\n";
    sim_feed(&s, REV, (const uint8_t *)old, strlen(old));
    ck_assert_uint_eq(APP(&s).shares_accepted, 0);
    sim_feed(&s, REV, (const uint8_t *)recent, strlen(recent));
    ck_assert_uint_eq(APP(&s).shares_accepted, 1);
    sim_feed(&s, REV, (const uint8_t *)recent, strlen(recent)); /* answered once only */
    ck_assert_uint_eq(APP(&s).shares_accepted, 1);
    ck_assert_uint_eq(APP(&s).shares_submitted, 40);
}
END_TEST

/* The probe classifies the first line to decide; the feed of that line in the same engine
 * call reuses it (a line is parsed once), and later lines are parsed once each. */
START_TEST(test_probe_then_feed_parses_once)
{
    struct sim s;
    memset(&s, 0, sizeof s);
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    s.dr = applayer_drive_new(&p, NULL, on_emit, &s); /* probe, as the sensor does */
    ck_assert_ptr_nonnull(s.dr);
    const char *first = S1_SUBSCRIBE "\n";
    uint64_t before = jsonmine_parse_count();
    sim_feed(&s, FWD, (const uint8_t *)first, strlen(first));
    ck_assert_str_eq(APP(&s).app_proto, "stratum");
    ck_assert_int_eq(s.emits, 1);
    ck_assert_uint_eq(jsonmine_parse_count() - before, 1);
    const char *next = S1_AUTHORIZE "\n";
    sim_feed(&s, FWD, (const uint8_t *)next, strlen(next));
    ck_assert_uint_eq(jsonmine_parse_count() - before, 2);
    ck_assert(strstr(s.workers, "slush.miner1") != NULL);
    applayer_drive_free(s.dr);
}
END_TEST

/* A hostile line is counted under its own name in the engine's stats. */
START_TEST(test_named_events)
{
    static struct sim s;
    sim_init(&s);
    static const char *const ls[] = { S1_SUBSCRIBE, "{oops" };
    feed_lines(&s, FWD, ls, 2);
    ck_assert_uint_eq(EVENT(&s, "malformed_json"), 1);
    ck_assert_uint_eq(EVENT(&s, "line_too_long"), 0);
    ck_assert_uint_eq(EVENT(&s, "too_complex"), 0);
    char deep[600];
    memset(deep, '[', sizeof deep);
    memcpy(deep, "{\"a\":", 5);
    deep[sizeof deep - 2] = '}';
    deep[sizeof deep - 1] = '\0';
    const char *const d[] = { deep };
    feed_lines(&s, FWD, d, 1);
    ck_assert_uint_eq(EVENT(&s, "too_complex"), 1);
    ck_assert_uint_eq(EVENT(&s, "malformed_json"), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stratum");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_stratum1_session);
    tcase_add_test(tc, test_ethstratum_session);
    tcase_add_test(tc, test_ethproxy_session);
    tcase_add_test(tc, test_cryptonote_session);
    tcase_add_test(tc, test_server_side_only);
    tcase_add_test(tc, test_client_side_only);
    tcase_add_test(tc, test_kaspa_submit_keeps_stratum1);
    tcase_add_test(tc, test_equihash_session);
    tcase_add_test(tc, test_facts_reported_once);
    tcase_add_test(tc, test_oversize_line_bounded);
    tcase_add_test(tc, test_gap_resyncs);
    tcase_add_test(tc, test_plain_jsonrpc_gives_up_silently);
    tcase_add_test(tc, test_non_json_lines_detach);
    tcase_add_test(tc, test_probe);
    tcase_add_test(tc, test_pending_ring_bounded);
    tcase_add_test(tc, test_probe_then_feed_parses_once);
    tcase_add_test(tc, test_named_events);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
