/* test_behave.c - encrypted mining by behaviour (sensor/detect/behave.c): a session with a
 * pool's shape alerts with its numbers after min_observe and not before; a timer, a bulk
 * stream, a flow a plaintext dissector owns and retransmissions do not fool it; per-flow
 * state is returned and reused. Packets are built by hand so each fact is isolated. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/signatures.h"
#include "sensor/detect/behave.h"
#include "sensor/detect/policy.h"
#include "sensor/flow/flow.h"
#include "unit/check_main.h"

static uint8_t payload[70000];

struct sim {
    struct behave *b;
    struct mw_flow f;
    uint32_t seq[2];
    uint64_t t0;
    int alerts;
    struct mw_evidence ev;
    uint64_t alert_at;
};

static void sim_init(struct sim *s, struct behave *b)
{
    memset(s, 0, sizeof *s);
    s->b = b;
    s->t0 = 1700000000000000ull;
    s->f.proto = IPPROTO_TCP;
    s->f.handshake_seen = 1;
    s->f.first_ts_us = s->t0;
    s->seq[0] = 1000;
    s->seq[1] = 900000;
    /* SYN, SYN-ACK, then the ACK that completes the handshake one round trip later. */
    s->f.pkts[MW_DIR_FWD] = 1;
    s->f.pkts[MW_DIR_REV] = 1;
}

/* One segment of len payload bytes at t seconds after the SYN (len 0: a bare ACK). */
static void seg(struct sim *s, int dir, double t, uint32_t len, int retransmit)
{
    struct mw_packet p;
    memset(&p, 0, sizeof p);
    p.ts_us = s->t0 + (uint64_t)(t * 1e6);
    p.proto = IPPROTO_TCP;
    p.payload = payload;
    p.payload_len = len;
    p.seq = retransmit ? s->seq[dir] - len : s->seq[dir];
    if (!retransmit)
        s->seq[dir] += len;
    s->f.pkts[dir]++;
    s->f.last_ts_us = p.ts_us;
    struct mw_evidence ev;
    if (behave_packet(s->b, &s->f, dir, &p, &ev)) {
        s->alerts++;
        s->ev = ev;
        s->alert_at = p.ts_us;
    }
}

static void handshake(struct sim *s, double rtt)
{
    seg(s, MW_DIR_FWD, rtt, 0, 0);
}

/* A mining session of `secs`: jobs every job_s (jittered), submits at the given
 * intervals (a pattern repeated), each acknowledged after rtt. */
static void mining_acked(struct sim *s, double secs, double rtt, double job_s, const double *gaps, size_t ngaps,
                         uint32_t submit_len, uint32_t ack_len)
{
    handshake(s, rtt);
    seg(s, MW_DIR_FWD, 0.05, 517, 0);  /* ClientHello */
    seg(s, MW_DIR_REV, 0.08, 2900, 0); /* server flight */
    seg(s, MW_DIR_FWD, 0.10, 80, 0);   /* Finished */
    double next_job = 3.0, next_sub = 4.0;
    size_t k = 0;
    while (next_job < secs || next_sub < secs) {
        if (next_job <= next_sub) {
            seg(s, MW_DIR_REV, next_job, 480 + (uint32_t)(k % 3) * 4, 0);
            next_job += job_s * (k % 2 ? 0.7 : 1.3);
        } else {
            seg(s, MW_DIR_FWD, next_sub, submit_len + (uint32_t)(k % 3), 0);
            seg(s, MW_DIR_REV, next_sub + rtt + 0.002, ack_len, 0);
            next_sub += gaps[k % ngaps];
        }
        k++;
    }
}

static void mining(struct sim *s, double secs, double rtt, double job_s, const double *gaps, size_t ngaps,
                   uint32_t submit_len)
{
    mining_acked(s, secs, rtt, job_s, gaps, ngaps, submit_len, 66);
}

/* Intervals with a coefficient of variation near 1 (an exponential sample, mean 15 s). */
static const double poisson_gaps[] = { 3.1, 22.4, 9.8, 41.0, 1.7, 15.2, 6.3, 27.9, 12.0, 4.4, 30.5, 5.6 };

struct counter_query {
    const char *name;
    uint64_t v;
    int found;
};

static void counter_cb(void *u, const char *n, uint64_t v)
{
    struct counter_query *q = u;
    if (strcmp(n, q->name) == 0) {
        q->v = v;
        q->found = 1;
    }
}

static uint64_t counter(const struct behave *b, const char *name)
{
    struct counter_query q = { name, 0, 0 };
    behave_stats_foreach(b, counter_cb, &q);
    ck_assert_msg(q.found, "no counter %s", name);
    return q.v;
}

/* The flow ends without an alert, let go by the named rule; the detector is freed. */
static void expect_silent(struct sim *s, const char *judged)
{
    struct mw_evidence ev;
    ck_assert_int_eq(behave_flow_end(s->b, &s->f, &ev), 0);
    ck_assert_int_eq(s->alerts, 0);
    ck_assert_uint_eq(counter(s->b, judged), 1);
    ck_assert_uint_eq(counter(s->b, "behave.flows_in_use"), 0);
    behave_free(s->b);
}

static struct behave *mk(void)
{
    struct behave_params p;
    behave_params_default(&p);
    struct behave *b = behave_new(&p);
    ck_assert_ptr_nonnull(b);
    return b;
}

START_TEST(test_mining_shape_alerts_with_numbers)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    mining(&s, 400, 0.040, 20, poisson_gaps, sizeof poisson_gaps / sizeof poisson_gaps[0], 210);
    ck_assert_int_eq(s.alerts, 1);
    const struct mw_evidence *ev = &s.ev;
    ck_assert_int_eq(ev->variant, MW_VAR_ENCRYPTED);
    struct policy_decision pd; /* the policy names its signature, at severity 3 */
    ck_assert_int_eq(policy_decide(ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd), 1);
    ck_assert_uint_eq(pd.sid, MW_SID_ENCRYPTED_BEHAVIOUR);
    ck_assert_uint_eq(pd.severity, 3);
    ck_assert_int_eq(ev->suspicion, 1);
    ck_assert_int_eq(ev->kind, MW_EV_PROTOCOL);
    ck_assert_int_eq(ev->client_dir, MW_DIR_FWD);
    /* Not before min_observe, and judged within 10 s of it. */
    ck_assert_uint_ge(s.alert_at - s.t0, 180000000u);
    ck_assert_uint_le(s.alert_at - s.t0, 191000000u);
    const struct mw_behaviour *m = &ev->behaviour;
    ck_assert_uint_ge(m->duration_s, 180);
    ck_assert_double_eq_tol(m->rtt_ms, 40.0, 0.01);
    ck_assert_double_eq_tol(m->ack_delay_ms, 42.0, 0.01); /* submit to ack: rtt + 2 ms */
    ck_assert_uint_ge(m->submits, 10);
    ck_assert_double_eq_tol(m->acked_ratio, 1.0, 1e-9);
    ck_assert_double_ge(m->job_interval_s, 14.0); /* 20 s, alternately 0.7 and 1.3 times */
    ck_assert_double_le(m->job_interval_s, 26.0);
    ck_assert_uint_ge(m->jobs, 8);
    ck_assert_uint_ge(m->job_bytes, 480);
    ck_assert_uint_le(m->job_bytes, 488);
    ck_assert_double_gt(m->submit_interval_cv, 0.5);
    ck_assert_double_eq_tol(m->submit_size_share, 1.0, 1e-9);
    ck_assert_uint_le(m->submit_bytes, 212);
    ck_assert_uint_ge(m->submit_bytes + 9, 210); /* lower edge of a 4% bin */
    ck_assert_double_eq_tol(m->ack_size_share, 1.0, 1e-9);
    ck_assert_uint_eq(m->ack_bytes, 66);
    ck_assert_uint_ge(ev->confidence, 60);
    ck_assert_uint_le(ev->confidence, 90);
    ck_assert_uint_eq(counter(b, "behave.alerts"), 1);
    ck_assert_uint_eq(counter(b, "behave.judged_mining"), 1);
    /* Decided: the state went back to the pool and the flow is never tracked again. */
    ck_assert_ptr_null(s.f.behave);
    ck_assert_uint_eq(counter(b, "behave.flows_in_use"), 0);
    struct mw_evidence ev2;
    ck_assert_int_eq(behave_flow_end(b, &s.f, &ev2), 0);
    behave_free(b);
}
END_TEST

START_TEST(test_short_session_never_alerts)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    mining(&s, 170, 0.040, 20, poisson_gaps, sizeof poisson_gaps / sizeof poisson_gaps[0], 210);
    struct mw_evidence ev;
    ck_assert_int_eq(behave_flow_end(b, &s.f, &ev), 0);
    ck_assert_int_eq(s.alerts, 0);
    ck_assert_uint_eq(counter(b, "behave.flows_in_use"), 0);
    behave_free(b);
}
END_TEST

/* The same exchange on a clock (telemetry, heartbeats): not shares. */
START_TEST(test_timer_requests_are_not_shares)
{
    static const double fixed[] = { 15.0 };
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    mining(&s, 600, 0.040, 20, fixed, 1, 210);
    expect_silent(&s, "behave.judged_timer");
}
END_TEST

/* Requests answered at once by an answer of their own size (a ping and its pong, with a
 * Poisson-like schedule and pushes in between, as an exchange ticker can show): not a
 * share and its result, which is always much smaller than the share. */
START_TEST(test_echo_is_not_an_ack)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    mining_acked(&s, 600, 0.040, 20, poisson_gaps, 12, 120, 118);
    expect_silent(&s, "behave.judged_few_submits");
}
END_TEST

/* The same session with a result 50 bytes smaller than the share alerts. */
START_TEST(test_small_result_is_an_ack)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    mining_acked(&s, 600, 0.040, 20, poisson_gaps, 12, 120, 70);
    ck_assert_int_eq(s.alerts, 1);
    behave_free(b);
}
END_TEST

/* Request/answer pairs of one template, Poisson-timed but a couple of minutes apart (a
 * ticker's subscription changes): slower than any vardiff target, not shares. */
START_TEST(test_slow_requests_are_not_shares)
{
    static const double slow_gaps[] = { 31.0, 224.0, 98.0, 410.0, 17.0, 152.0, 63.0, 279.0, 120.0, 44.0, 305.0, 56.0 };
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    mining(&s, 1500, 0.040, 20, slow_gaps, 12, 150);
    expect_silent(&s, "behave.judged_slow_submits");
}
END_TEST

/* Kaspa's ten blocks a second: a pool passing on two jobs a second is still a pool. */
START_TEST(test_fast_jobs_still_mining)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    mining(&s, 600, 0.040, 0.5, poisson_gaps, 12, 150);
    ck_assert_int_eq(s.alerts, 1);
    behave_free(b);
}
END_TEST

/* Requests of every size (a human typing messages) are not one submit template. */
START_TEST(test_varied_request_sizes_are_not_shares)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    handshake(&s, 0.04);
    double t = 3;
    for (int k = 0; t < 600; k++) {
        seg(&s, MW_DIR_REV, t, 480, 0);
        seg(&s, MW_DIR_FWD, t + 5, 110 + (uint32_t)(k * 37 % 400), 0);
        seg(&s, MW_DIR_REV, t + 5.042, 66, 0);
        t += 6 + poisson_gaps[k % 12];
    }
    expect_silent(&s, "behave.judged_sizes");
}
END_TEST

/* Answers that come long after the request (long polling) are not acknowledgements. */
START_TEST(test_late_answers_are_not_acks)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    handshake(&s, 0.04);
    double t = 3;
    for (int k = 0; t < 600; k++) {
        seg(&s, MW_DIR_FWD, t, 400, 0);
        seg(&s, MW_DIR_REV, t + 0.9, 150, 0);
        seg(&s, MW_DIR_REV, t + 5, 480, 0);
        t += 6 + poisson_gaps[k % 12];
    }
    expect_silent(&s, "behave.judged_few_submits");
}
END_TEST

START_TEST(test_bulk_is_ruled_out_early)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    handshake(&s, 0.02);
    for (double t = 1; t < 200; t += 2) {
        seg(&s, MW_DIR_FWD, t, 500, 0);
        seg(&s, MW_DIR_REV, t + 0.03, 60000, 0);
    }
    ck_assert_ptr_null(s.f.behave);
    ck_assert_int_eq(s.f.behave_done, 1);
    ck_assert_uint_eq(counter(b, "behave.judged_too_fast"), 1);
    ck_assert_int_eq(s.alerts, 0);
    behave_free(b);
}
END_TEST

/* A retransmitted submit is the same message: counted once, and its copy is not a new request. */
START_TEST(test_retransmissions_counted_once)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    handshake(&s, 0.04);
    seg(&s, MW_DIR_FWD, 3.0, 210, 0);
    seg(&s, MW_DIR_FWD, 3.2, 210, 1);
    seg(&s, MW_DIR_FWD, 3.4, 210, 1);
    ck_assert_uint_eq(counter(b, "behave.retransmits"), 2);
    seg(&s, MW_DIR_REV, 3.5, 66, 0);
    ck_assert_uint_eq(counter(b, "behave.messages"), 1); /* only the submit closed */
    struct mw_evidence ev;
    behave_flow_end(b, &s.f, &ev);
    behave_free(b);
}
END_TEST

/* A flow one of our plaintext dissectors reads is theirs: behaviour lets it go. */
START_TEST(test_claimed_flow_is_released)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    s.f.app.app_proto = "stratum";
    mining(&s, 400, 0.040, 20, poisson_gaps, sizeof poisson_gaps / sizeof poisson_gaps[0], 210);
    ck_assert_int_eq(s.alerts, 0);
    ck_assert_ptr_null(s.f.behave);
    ck_assert_uint_eq(counter(b, "behave.flows_in_use"), 0);
    behave_free(b);
}
END_TEST

/* State comes from a pool: many flows in sequence use one block's memory again. */
START_TEST(test_state_is_reused)
{
    struct behave *b = mk();
    struct sim s;
    sim_init(&s, b);
    handshake(&s, 0.04);
    seg(&s, MW_DIR_FWD, 1, 300, 0);
    struct mw_evidence ev;
    behave_flow_end(b, &s.f, &ev);
    size_t mem = behave_memuse(b);
    for (int i = 0; i < 10000; i++) {
        sim_init(&s, b);
        handshake(&s, 0.04);
        seg(&s, MW_DIR_FWD, 1, 300, 0);
        behave_flow_end(b, &s.f, &ev);
    }
    ck_assert_uint_eq(behave_memuse(b), mem);
    ck_assert_uint_eq(counter(b, "behave.flows_tracked"), 10001);
    ck_assert_uint_eq(counter(b, "behave.flows_in_use"), 0);
    /* Non-TCP flows and SYN-only flows take nothing. */
    sim_init(&s, b);
    s.f.proto = IPPROTO_UDP;
    seg(&s, MW_DIR_FWD, 1, 300, 0);
    ck_assert_ptr_null(s.f.behave);
    behave_free(b);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("behave");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mining_shape_alerts_with_numbers);
    tcase_add_test(tc, test_short_session_never_alerts);
    tcase_add_test(tc, test_timer_requests_are_not_shares);
    tcase_add_test(tc, test_echo_is_not_an_ack);
    tcase_add_test(tc, test_fast_jobs_still_mining);
    tcase_add_test(tc, test_slow_requests_are_not_shares);
    tcase_add_test(tc, test_small_result_is_an_ack);
    tcase_add_test(tc, test_varied_request_sizes_are_not_shares);
    tcase_add_test(tc, test_late_answers_are_not_acks);
    tcase_add_test(tc, test_bulk_is_ruled_out_early);
    tcase_add_test(tc, test_retransmissions_counted_once);
    tcase_add_test(tc, test_claimed_flow_is_released);
    tcase_add_test(tc, test_state_is_reused);
    suite_add_tcase(su, tc);
    return mw_check_run(su);
}
