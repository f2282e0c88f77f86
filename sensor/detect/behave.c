/* behave.c - encrypted mining by behaviour: a pool session's shape in sizes and timing.
 *
 * Design. Encryption hides what a miner and its pool say, not when and how much. A pool
 * session (Stratum V1 and dialects, XMRig's JSON-RPC; docs/detection.md lists the facts
 * with their sources) is a long-lived TCP connection at a low byte rate in which
 *   - the pool pushes a new job, unasked, when a block or template changes: a few hundred
 *     bytes, up to ~1.5 KB with merkle branches, every ~1-120 s depending on the coin;
 *   - the miner submits shares of nearly constant size (the same JSON with fixed-width
 *     hex fields: 100-250 bytes) at the rate vardiff sets, and since finding a share is
 *     a memoryless search, the submits form a Poisson process (intervals with a
 *     coefficient of variation near 1, unlike a timer's near 0);
 *   - the pool answers each submit at once with a small JSON-RPC result (one round trip
 *     later), so the request-to-ack delay sits near the handshake RTT.
 * This module measures exactly those facts per TCP flow that none of our plaintext
 * dissectors claimed (TLS and other opaque streams) and judges them with the rule list of
 * behave_judge(); every alert carries the numbers (struct mw_behaviour).
 *
 * Unit of observation: the TCP segment, not the TLS record. Segments with payload are
 * de-duplicated by sequence number (a retransmission is not a second message) and
 * coalesced into messages: consecutive segments of one direction less than 30 ms apart
 * are one message (a 1.5 KB job spans two segments sent back to back). This works for
 * any opaque transport (TLS, a private obfuscating proxy, SSH-like framing), costs a few
 * comparisons per packet, needs no reassembly buffer and is not cut off by the stream
 * depth; record boundaries would only refine sizes by the record overhead (22-29 bytes),
 * which the size bands already include.
 *
 * State: one fixed block per tracked flow (struct bh_flow, ~200 bytes) from a block
 * pool: taken when the TCP handshake completes (to time it) or at the first payload of
 * a flow picked up midstream, returned when the flow ends, alerts, is claimed by a
 * plaintext dissector, is ruled out (bulk transfer) or has been watched for give_up_s.
 * The flow's behave_done bit then stops any further look. Judgement runs at most every
 * 10 s of a flow's time, once min_observe_s of it has been seen: the trade-off between
 * waiting long enough to have several jobs and submits (fewer false alarms) and alerting
 * early (docs/detection.md).
 */
#include "sensor/detect/behave.h"

#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"
#include "core/pool.h"
#include "sensor/flow/flow.h"

/* Sizes are TCP payload bytes: TLS adds 22 (1.3) to 29 (1.2 GCM) bytes per record. */
#define BH_MERGE_GAP_US 30000u /* segments of one message leave back to back */
#define BH_SUBMIT_MIN 100u     /* shortest share submit (~80 B of JSON) plus a record header */
#define BH_SUBMIT_MAX 3400u    /* longest submit: Equihash 200,9 carries a 1344-byte solution in hex */
#define BH_ACK_MIN 50u         /* {"id":1,"result":true,"error":null} is 37 B: binary acks (MQTT 4 B) are smaller */
#define BH_ACK_MAX 300u
#define BH_JOB_MIN 120u        /* the smallest job notification (Kaspa, ~100 B of JSON) */
#define BH_JOB_MAX 2600u       /* a Bitcoin notify with a full merkle branch */
#define BH_BIG 4096u           /* no mining message after the handshake is this long */
#define BH_HIST_N 92u          /* submit-size histogram: 96 B up, bins 4% wide (to ~3.5 KB) */
#define BH_ACK_HIST_N 24u      /* acknowledgement sizes: 50 B up, bins 8% wide (to ~300 B) */
#define BH_EVAL_EVERY_US 10000000ull
#define BH_SETTLE_US 2000000ull /* TLS handshake and session tickets: not classified */
#define BH_RULEOUT_AFTER_US 60000000ull

/* The rule list (behave_judge): thresholds from the facts above, not fitted to captures. */
#define BH_MAX_BYTES_PER_S 4000.0 /* a Kaspa job a second is ~400 B/s; video, updates are far above */
#define BH_MAX_BIG 3u             /* certificate flight and a few odd records */
#define BH_MIN_JOBS 2u
#define BH_MIN_JOB_INTERVAL_S 0.25 /* Kaspa makes 10 blocks a second (since 2025): pools pass on a few jobs a second at most */
#define BH_MAX_JOB_INTERVAL_S 300.0
#define BH_MIN_SUBMITS 6u         /* fewer say nothing about sizes and timing */
#define BH_MIN_ACKED_RATIO 0.6
#define BH_MIN_SUBMIT_CV 0.4      /* a Poisson process has 1, a timer ~0 */
#define BH_MAX_SUBMIT_CV 3.0      /* human bursts (chat, typing) are far burstier */
#define BH_MIN_SIZE_SHARE 0.75    /* submits (and keepalives) come in one or two sizes */
#define BH_MIN_ACK_SHARE 0.7      /* a pool's result is one template: only the id's digits vary */
/* A result ({"id":N,"result":true,"error":null}) is smaller than the submit it answers by
 * at least the method name and the job id and nonce the submit carries (~40 bytes in the
 * shortest dialect); an answer as large as the request is an echo (ping/pong, keepalive). */
#define BH_MIN_ACK_GAP 16
/* Vardiff retargets a miner to a share every few seconds to a minute at the slowest; fewer
 * than one in 75 s over the session is an occasional request (a subscription change), not
 * a miner's shares. */
#define BH_MIN_SUBMITS_PER_MIN 0.8

enum bh_verdict {
    BH_MINING = 0,
    BH_TOO_SHORT,
    BH_TOO_FAST,
    BH_BULK,
    BH_FEW_JOBS,
    BH_JOB_CADENCE,
    BH_FEW_SUBMITS,
    BH_UNACKED,
    BH_TIMER,
    BH_BURSTY,
    BH_SIZES,
    BH_ACK_SIZES,
    BH_SLOW_SUBMITS,
    BH__NVERDICTS
};

static const char *const bh_verdict_names[BH__NVERDICTS] = {
    "mining", "too_short", "too_fast", "bulk", "few_jobs", "job_cadence", "few_submits",
    "unacked", "timer", "bursty", "sizes", "ack_sizes", "slow_submits",
};

struct bh_stat { /* running sum and sum of squares of intervals, seconds */
    double sum, sumsq;
    uint32_t n;
};

struct bh_flow {
    uint64_t msg_start_us, msg_last_us; /* the message being coalesced */
    uint64_t req_us;                    /* start of the submit-sized request awaiting an answer */
    uint64_t last_job_us, last_submit_us, next_eval_us, data_start_us;
    uint64_t bytes[2];
    uint32_t next_seq[2];
    uint32_t msg_bytes, req_bytes;
    uint32_t rtt_us;
    uint32_t requests, submits, jobs, big, msgs;
    uint32_t job_bytes_sum, ack_bytes_sum;
    double ack_delay_sum_us;
    struct bh_stat job_iv, submit_iv;
    uint8_t submit_hist[BH_HIST_N]; /* halved when a bin fills: shares are what matter */
    uint8_t ack_hist[BH_ACK_HIST_N];
    uint8_t msg_dir, in_msg, pending, seq_init;
};

struct behave {
    struct behave_params p;
    struct mw_pool *pool;
    uint64_t tracked, alerts, alloc_fail, retransmits, messages;
    uint64_t judged[BH__NVERDICTS]; /* last verdict of each flow let go after a judgement */
};

void behave_params_default(struct behave_params *p)
{
    p->enabled = true;
    p->min_observe_s = 180;
    p->give_up_s = 1800;
}

struct behave *behave_new(const struct behave_params *p)
{
    struct behave *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->p = *p;
    if (b->p.give_up_s < b->p.min_observe_s)
        b->p.give_up_s = b->p.min_observe_s;
    b->pool = pool_new(sizeof(struct bh_flow), 0);
    if (!b->pool) {
        free(b);
        return NULL;
    }
    return b;
}

void behave_free(struct behave *b)
{
    if (!b)
        return;
    pool_free(b->pool);
    free(b);
}

static void bh_stat_add(struct bh_stat *s, uint64_t iv_us)
{
    double x = (double)iv_us / 1e6;
    s->sum += x;
    s->sumsq += x * x;
    s->n++;
}

static double bh_mean(const struct bh_stat *s) { return s->n ? s->sum / s->n : 0.0; }

static double bh_cv(const struct bh_stat *s)
{
    if (s->n < 2 || s->sum <= 0)
        return 0.0;
    double m = s->sum / s->n;
    double var = s->sumsq / s->n - m * m;
    return var > 0 ? sqrt(var) / m : 0.0;
}

/* Bytes of a window of three neighbouring bins centred on i. */
static uint32_t bh_window(const uint8_t *h, unsigned nbins, unsigned i)
{
    uint32_t w = h[i];
    if (i > 0)
        w += h[i - 1];
    if (i + 1 < nbins)
        w += h[i + 1];
    return w;
}

/* Share of acknowledgements in the densest three-bin window (+-8%). */
static double bh_ack_share(const struct bh_flow *s)
{
    uint32_t total = 0, best = 0;
    for (unsigned i = 0; i < BH_ACK_HIST_N; i++) {
        total += s->ack_hist[i];
        uint32_t w = bh_window(s->ack_hist, BH_ACK_HIST_N, i);
        if (w > best)
            best = w;
    }
    return total ? (double)best / total : 0.0;
}

/* Histogram bin of a submit size: bins grow by 4%, so a window of three is +-4% around
 * its centre whatever the size (a 150-byte Stratum submit or a 2.8 KB Equihash one). */
static unsigned bh_size_bin(uint32_t n, uint32_t base, uint32_t pct, unsigned nbins)
{
    uint32_t hi = base;
    unsigned i = 0;
    for (; i + 1 < nbins; i++) {
        hi += hi * pct / 100;
        if (n < hi)
            break;
    }
    return i;
}

static uint32_t bh_bin_lower(unsigned bin)
{
    uint32_t lo = 96;
    for (unsigned i = 0; i < bin; i++)
        lo += lo * 4 / 100;
    return lo;
}

static void bh_hist_add(uint8_t *h, unsigned nbins, unsigned bin)
{
    if (h[bin] == UINT8_MAX)
        for (unsigned i = 0; i < nbins; i++)
            h[i] /= 2;
    h[bin]++;
}

/* Share of submits in the two densest non-overlapping three-bin windows (a submit and a
 * keepalive size); *mode gets the lower edge of the densest bin, in bytes. */
static double bh_size_share(const struct bh_flow *s, uint32_t *mode)
{
    unsigned best = 0, second = BH_HIST_N;
    uint32_t total = 0;
    for (unsigned i = 0; i < BH_HIST_N; i++) {
        total += s->submit_hist[i];
        if (bh_window(s->submit_hist, BH_HIST_N, i) > bh_window(s->submit_hist, BH_HIST_N, best))
            best = i;
    }
    for (unsigned i = 0; i < BH_HIST_N; i++)
        if ((i + 3 <= best || i >= best + 3) &&
            (second == BH_HIST_N ||
             bh_window(s->submit_hist, BH_HIST_N, i) > bh_window(s->submit_hist, BH_HIST_N, second)))
            second = i;
    *mode = bh_bin_lower(best);
    if (!total)
        return 0.0;
    uint32_t in = bh_window(s->submit_hist, BH_HIST_N, best) +
                  (second < BH_HIST_N ? bh_window(s->submit_hist, BH_HIST_N, second) : 0);
    return (double)in / total;
}

/* The answer window of a submit: two round trips plus the pool's work (or a fixed
 * half second when the handshake was not seen). */
static uint64_t bh_ack_window(const struct bh_flow *s)
{
    uint64_t w = s->rtt_us ? 2ull * s->rtt_us + 100000u : 500000u;
    return w > 1500000u ? 1500000u : w;
}

static void bh_server_message(struct bh_flow *s, uint64_t start, uint32_t n)
{
    uint64_t since = start - s->req_us;
    /* A job may cross a submit on the wire: only an ack-sized message answers it. */
    if (s->pending && since <= bh_ack_window(s) && n >= BH_ACK_MIN && n <= BH_ACK_MAX &&
        n + BH_MIN_ACK_GAP > s->req_bytes) {
        s->pending = 0; /* an echo (pong, keepalive answer): answered, but not a share */
        return;
    }
    if (s->pending && since <= bh_ack_window(s) && n >= BH_ACK_MIN && n <= BH_ACK_MAX) {
        s->pending = 0;
        s->submits++;
        s->ack_bytes_sum += n;
        s->ack_delay_sum_us += (double)since;
        if (s->last_submit_us)
            bh_stat_add(&s->submit_iv, s->req_us - s->last_submit_us);
        s->last_submit_us = s->req_us;
        bh_hist_add(s->submit_hist, BH_HIST_N, bh_size_bin(s->req_bytes, 96, 4, BH_HIST_N));
        bh_hist_add(s->ack_hist, BH_ACK_HIST_N, bh_size_bin(n, BH_ACK_MIN, 8, BH_ACK_HIST_N));
        return; /* an answer, not a push */
    }
    if (s->pending && since > bh_ack_window(s))
        s->pending = 0;
    if (n < BH_JOB_MIN || n > BH_JOB_MAX)
        return;
    s->jobs++;
    s->job_bytes_sum += n;
    if (s->last_job_us)
        bh_stat_add(&s->job_iv, start - s->last_job_us);
    s->last_job_us = start;
}

/* A message ended: classify it by direction, size and what came before. */
static void bh_close_message(struct behave *b, struct bh_flow *s)
{
    uint32_t n = s->msg_bytes;
    s->in_msg = 0;
    s->msgs++;
    b->messages++;
    if (n > BH_BIG)
        s->big++;
    if (s->msg_start_us < s->data_start_us + BH_SETTLE_US)
        return;
    if (s->msg_dir == MW_DIR_FWD) {
        s->pending = n >= BH_SUBMIT_MIN && n <= BH_SUBMIT_MAX;
        if (s->pending) {
            s->requests++;
            s->req_us = s->msg_start_us;
            s->req_bytes = n;
        }
        return;
    }
    bh_server_message(s, s->msg_start_us, n);
}

/* The numbers of the judgement, and the first rule that fails (BH_MINING: none). */
static enum bh_verdict behave_judge(const struct behave *b, const struct mw_flow *f, const struct bh_flow *s,
                                    uint64_t now, struct mw_behaviour *m)
{
    memset(m, 0, sizeof *m);
    uint64_t dur_us = now > f->first_ts_us ? now - f->first_ts_us : 0;
    double dur = (double)dur_us / 1e6;
    m->duration_s = (uint32_t)(dur_us / 1000000u);
    m->jobs = s->jobs;
    m->job_bytes = s->jobs ? s->job_bytes_sum / s->jobs : 0;
    m->submits = s->submits;
    m->ack_bytes = s->submits ? s->ack_bytes_sum / s->submits : 0;
    m->ack_size_share = bh_ack_share(s);
    m->job_interval_s = bh_mean(&s->job_iv);
    m->job_interval_cv = bh_cv(&s->job_iv);
    m->submits_per_min = dur > 0 ? s->submits * 60.0 / dur : 0.0;
    m->submit_interval_cv = bh_cv(&s->submit_iv);
    m->submit_size_share = bh_size_share(s, &m->submit_bytes);
    if (!s->submits)
        m->submit_bytes = 0;
    m->acked_ratio = s->requests ? (double)s->submits / s->requests : 0.0;
    m->ack_delay_ms = s->submits ? s->ack_delay_sum_us / s->submits / 1000.0 : 0.0;
    m->rtt_ms = s->rtt_us / 1000.0;
    m->bytes_per_s = dur > 0 ? (double)(s->bytes[0] + s->bytes[1]) / dur : 0.0;
    m->client_server_ratio = s->bytes[MW_DIR_REV] ? (double)s->bytes[MW_DIR_FWD] / (double)s->bytes[MW_DIR_REV] : 0.0;
    if (dur_us < (uint64_t)b->p.min_observe_s * 1000000u)
        return BH_TOO_SHORT;
    if (m->bytes_per_s > BH_MAX_BYTES_PER_S)
        return BH_TOO_FAST;
    if (s->big > BH_MAX_BIG)
        return BH_BULK;
    if (s->jobs < BH_MIN_JOBS)
        return BH_FEW_JOBS;
    if (m->job_interval_s < BH_MIN_JOB_INTERVAL_S || m->job_interval_s > BH_MAX_JOB_INTERVAL_S)
        return BH_JOB_CADENCE;
    if (s->submits < BH_MIN_SUBMITS)
        return BH_FEW_SUBMITS;
    if (m->acked_ratio < BH_MIN_ACKED_RATIO)
        return BH_UNACKED;
    if (m->submit_interval_cv < BH_MIN_SUBMIT_CV)
        return BH_TIMER;
    if (m->submit_interval_cv > BH_MAX_SUBMIT_CV)
        return BH_BURSTY;
    if (m->submit_size_share < BH_MIN_SIZE_SHARE)
        return BH_SIZES;
    if (m->ack_size_share < BH_MIN_ACK_SHARE)
        return BH_ACK_SIZES;
    if (m->submits_per_min < BH_MIN_SUBMITS_PER_MIN)
        return BH_SLOW_SUBMITS;
    return BH_MINING;
}

static void bh_release(struct behave *b, struct mw_flow *f)
{
    if (f->behave) {
        pool_put(b->pool, f->behave);
        f->behave = NULL;
    }
    f->behave_done = 1;
}

/* A plaintext dissector of ours owns the flow: what it reads is better evidence. */
static int bh_claimed(const struct mw_flow *f)
{
    const char *a = f->app.app_proto;
    return a && (strcmp(a, "stratum") == 0 || strcmp(a, "http") == 0 || strcmp(a, "dns") == 0);
}

static void bh_fill(struct mw_evidence *ev, const struct mw_behaviour *m)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = MW_EV_PROTOCOL;
    ev->variant = MW_VAR_ENCRYPTED;
    ev->sides = MW_SIDE_CLIENT | MW_SIDE_SERVER; /* both directions' timing went into it */
    ev->client_dir = MW_DIR_FWD;
    ev->suspicion = 1; /* severity 3: timing and sizes alone never prove mining */
    uint32_t c = 50u + (m->submits / 2 < 20u ? m->submits / 2 : 20u) + (m->jobs * 2 < 20u ? m->jobs * 2 : 20u);
    ev->confidence = (uint8_t)(c > 90u ? 90u : c);
    ev->behaviour = *m;
}

/* Judge now; 1 and *ev when the flow is mining-shaped. Lets the flow go when it is
 * decided either way. */
static int bh_evaluate(struct behave *b, struct mw_flow *f, struct bh_flow *s, uint64_t now,
                       struct mw_evidence *ev, int last)
{
    struct mw_behaviour m;
    s->next_eval_us = now + BH_EVAL_EVERY_US;
    enum bh_verdict v = behave_judge(b, f, s, now, &m);
    if (v == BH_MINING) {
        b->alerts++;
        b->judged[v]++;
        bh_fill(ev, &m);
        bh_release(b, f);
        return 1;
    }
    uint64_t dur = now - f->first_ts_us;
    int ruled_out = (v == BH_TOO_FAST || v == BH_BULK) && dur >= BH_RULEOUT_AFTER_US &&
                    dur >= (uint64_t)b->p.min_observe_s * 1000000u;
    if (last || ruled_out || dur >= (uint64_t)b->p.give_up_s * 1000000u) {
        if (v != BH_TOO_SHORT || !last)
            b->judged[v]++;
        bh_release(b, f);
    }
    return 0;
}

/* New payload bytes of a segment: retransmitted bytes are not a second message. */
static uint32_t bh_new_bytes(struct bh_flow *s, int dir, const struct mw_packet *p)
{
    uint32_t len = p->payload_len;
    uint32_t end = p->seq + len;
    if (!(s->seq_init & (1u << dir))) {
        s->seq_init |= (uint8_t)(1u << dir);
        s->next_seq[dir] = end;
        return len;
    }
    int32_t ahead = (int32_t)(end - s->next_seq[dir]);
    if (ahead <= 0)
        return 0;
    s->next_seq[dir] = end;
    return (uint32_t)ahead < len ? (uint32_t)ahead : len;
}

int behave_packet(struct behave *b, struct mw_flow *f, int dir, const struct mw_packet *p, struct mw_evidence *ev)
{
    if (f->proto != IPPROTO_TCP || f->behave_done || !b->p.enabled)
        return 0;
    struct bh_flow *s = f->behave;
    if (!s) {
        /* The handshake's last ACK times the round trip; a midstream flow starts at data. */
        int hs_done = f->handshake_seen && dir == MW_DIR_FWD && f->pkts[MW_DIR_FWD] == 2 && f->pkts[MW_DIR_REV] >= 1;
        if (!hs_done && p->payload_len == 0)
            return 0;
        s = pool_get(b->pool);
        if (!s) {
            b->alloc_fail++;
            f->behave_done = 1;
            return 0;
        }
        memset(s, 0, sizeof *s);
        f->behave = s;
        b->tracked++;
        if (hs_done && p->ts_us > f->first_ts_us && p->ts_us - f->first_ts_us < 10000000u)
            s->rtt_us = (uint32_t)(p->ts_us - f->first_ts_us);
        s->next_eval_us = f->first_ts_us + (uint64_t)b->p.min_observe_s * 1000000u;
    }
    if (p->payload_len == 0)
        return 0;
    uint32_t n = bh_new_bytes(s, dir, p);
    if (n == 0) {
        b->retransmits++;
        return 0;
    }
    if (!s->data_start_us)
        s->data_start_us = p->ts_us;
    s->bytes[dir] += n;
    if (s->in_msg && (s->msg_dir != dir || p->ts_us - s->msg_last_us > BH_MERGE_GAP_US)) {
        bh_close_message(b, s);
        if (bh_claimed(f)) {
            bh_release(b, f);
            return 0;
        }
    }
    if (!s->in_msg) {
        s->in_msg = 1;
        s->msg_dir = (uint8_t)dir;
        s->msg_start_us = p->ts_us;
        s->msg_bytes = 0;
    }
    s->msg_last_us = p->ts_us;
    s->msg_bytes = UINT32_MAX - s->msg_bytes < n ? UINT32_MAX : s->msg_bytes + n;
    if (p->ts_us < s->next_eval_us)
        return 0;
    return bh_evaluate(b, f, s, p->ts_us, ev, 0);
}

int behave_flow_end(struct behave *b, struct mw_flow *f, struct mw_evidence *ev)
{
    struct bh_flow *s = f->behave;
    if (!s)
        return 0;
    int r = 0;
    /* A session that ended before min_observe is never judged (nor counted): most flows
     * are short, and judging one costs thousands of instructions for nothing. */
    uint64_t dur = f->last_ts_us > f->first_ts_us ? f->last_ts_us - f->first_ts_us : 0;
    if (dur >= (uint64_t)b->p.min_observe_s * 1000000u && !bh_claimed(f)) {
        if (s->in_msg)
            bh_close_message(b, s);
        r = bh_evaluate(b, f, s, f->last_ts_us, ev, 1);
    }
    bh_release(b, f);
    return r;
}

void behave_stats_foreach(const struct behave *b, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    static const char prefix[] = "behave.judged_";
    cb(u, "behave.flows_tracked", b->tracked);
    cb(u, "behave.flows_in_use", pool_in_use(b->pool));
    cb(u, "behave.messages", b->messages);
    cb(u, "behave.retransmits", b->retransmits);
    cb(u, "behave.alerts", b->alerts);
    cb(u, "behave.alloc_fail", b->alloc_fail);
    for (int i = 0; i < BH__NVERDICTS; i++) {
        char name[48];
        size_t pl = sizeof prefix - 1, nl = strlen(bh_verdict_names[i]);
        memcpy(name, prefix, pl);
        memcpy(name + pl, bh_verdict_names[i], nl + 1);
        cb(u, name, b->judged[i]);
    }
}

size_t behave_memuse(const struct behave *b)
{
    return sizeof *b + pool_allocated(b->pool);
}
