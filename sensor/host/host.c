/* host.c - from findings to host verdicts, and the throttle that keeps alerts readable.
 *
 * A host gets state only when a finding names it (not per packet), so the table holds
 * the interesting few. Each distinct piece of evidence (variant + pool + signature) is
 * one entry that counts repeats; the score adds each entry once (docs/detection.md), so
 * a host that repeats the same lookup all day does not climb. Eviction takes the least
 * recently active host without a verdict first; a flagged host that is still active is
 * never dropped: a new host is refused (counted) instead.
 *
 * Throttling holds whatever the evidence table holds: a host whose max_evidence entries
 * are used gets an overflow block (bounded count of such hosts) of (pool, signature)
 * fingerprints with their own throttle windows, and of pool fingerprints for pools_total.
 * A finding that cannot be tracked at all (no block left, block full) is counted and not
 * alerted, so the "one alert per (host, pool, signature) per window" promise never
 * breaks. On top, a per-host ceiling bounds the alert rate of a host (excess counted).
 *
 * Threads: see host.h. Shards are locked per finding; the packet path's per-packet call
 * (hosts_flush) returns without a lock when its queue is empty.
 */
#include "sensor/host/host.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sensor/detect/geoip.h"
#include "sensor/detect/netset.h"
#include "sensor/eve/eve.h"
#include "sensor/flow/flow.h"

#define HOST_EVICT_SCAN 64
#define HOST_REPORT_STEP 64
#define HOST_PENDING 32
#define HOSTS_MAX_SHARDS 64
#define HOSTS_MIN_PER_SHARD 256 /* small tables stay one shard: eviction sees every host */
#define HOST_OVF_PAIRS 4096     /* power of two; filled to 3/4 at most */
#define HOST_OVF_POOLS 2048     /* power of two; filled to 3/4 at most */
#define HOST_NEVER UINT64_MAX   /* throttle window of a pair that has not alerted yet */

struct host_throttle {
    uint64_t window_start_us; /* HOST_NEVER until the first alert is written */
    uint32_t suppressed;      /* repeats held back in the current window */
};

/* (pool, signature) pairs and pools beyond the evidence table, as 64-bit fingerprints. */
struct host_ovf {
    uint32_t npairs, npools;
    uint64_t pair_fp[HOST_OVF_PAIRS];
    struct host_throttle pair_th[HOST_OVF_PAIRS];
    uint64_t pool_fp[HOST_OVF_POOLS];
};

struct host {
    struct mw_addr addr;
    struct host *hnext;
    struct host *lru_prev, *lru_next; /* head = most recently active */
    uint64_t first_us, last_us, last_report_us;
    uint64_t findings, throttled, over_ceiling;
    uint64_t ceil_start_us; /* the ceiling's current slice (ts / ceiling window) */
    uint32_t ceil_count;
    uint32_t score;
    uint8_t verdict, reported_verdict, changed, unreported, authorised, in_home;
    uint16_t nev;
    struct host_ovf *ovf;
    struct host_throttle *th; /* max_evidence entries, after ev[] */
    struct eve_host_evidence ev[];
};

struct hosts_counters {
    uint64_t created, evicted, evicted_flagged, refused, events, suppressed_throttle, evidence_full,
        flagged, over_ceiling, untracked;
};

struct hosts_shard {
    pthread_mutex_t lock;
    struct host **buckets;
    uint32_t mask, count, cap;
    struct host *lru_head, *lru_tail;
    struct hosts_counters c;
    uint64_t in_verdict[HOST_AUTHORISED + 1]; /* tracked hosts holding each verdict now */
};

struct hosts {
    struct hosts_params p;
    struct hosts_shard *shard;
    uint32_t nshards; /* power of two */
    uint32_t report_cursor; /* atomic: slices of periodic reporting handed to callers */
    uint32_t novf;          /* atomic: hosts holding an overflow block */
    /* atomic, outside any shard */
    uint64_t suppressed_rule, outside_home_net, ovf_alloc_fail;
};

struct hosts_pending {
    struct mw_addr addr;
    uint64_t ts_us;
};

struct hosts_view {
    struct hosts *h;
    struct eve *eve;
    struct geoip *geo;
    /* Hosts whose event waits for the alert that changed them to be written first. */
    struct hosts_pending pending[HOST_PENDING];
    unsigned npending;
    struct geoip_result *georesult; /* max_evidence slots: lookups of one host event */
    struct eve_geo *geoview;
};

void hosts_params_default(struct hosts_params *p)
{
    memset(p, 0, sizeof *p);
    p->max_hosts = 65536;  /* a campus /16 of clients fits */
    p->max_evidence = 16;
    p->max_overflow_hosts = 64;
    p->report_interval_us = 3600ull * 1000000u;
    p->throttle_window_us = 3600ull * 1000000u;
    p->host_ceiling = 100;
    p->ceiling_window_us = 60ull * 1000000u;
}

const char *hosts_verdict_name(enum host_verdict v)
{
    switch (v) {
    case HOST_MINER: return "miner";
    case HOST_LIKELY_MINER: return "likely-miner";
    case HOST_AUTHORISED: return "authorised";
    case HOST_NONE: break;
    }
    return "none";
}

static uint32_t hosts_hash(const struct mw_addr *a)
{
    uint32_t x = 2166136261u;
    for (int i = 0; i < 16; i++)
        x = (x ^ a->b[i]) * 16777619u;
    return x;
}

static uint64_t hosts_str_fp(const char *s, uint64_t seed)
{
    uint64_t x = 1469598103934665603ull ^ seed;
    for (; *s; s++)
        x = (x ^ (uint8_t)*s) * 1099511628211ull;
    x ^= x >> 29;
    return x | 1; /* 0 marks an empty slot */
}

struct hosts *hosts_new(const struct hosts_params *p)
{
    struct hosts *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->p = *p;
    if (h->p.max_evidence == 0)
        h->p.max_evidence = 1;
    if (h->p.max_evidence > 1024)
        h->p.max_evidence = 1024;
    if (h->p.max_hosts == 0)
        h->p.max_hosts = 1;
    uint32_t ns = 1;
    while (ns < HOSTS_MAX_SHARDS && h->p.max_hosts / (ns * 2) >= HOSTS_MIN_PER_SHARD)
        ns <<= 1;
    h->nshards = ns;
    h->shard = calloc(ns, sizeof *h->shard);
    if (!h->shard) {
        free(h);
        return NULL;
    }
    for (uint32_t i = 0; i < ns; i++) {
        struct hosts_shard *s = &h->shard[i];
        pthread_mutex_init(&s->lock, NULL);
        s->cap = (h->p.max_hosts + ns - 1) / ns;
        uint32_t n = 16;
        while (n < s->cap && n < (1u << 24))
            n <<= 1;
        s->mask = n - 1;
        s->buckets = calloc(n, sizeof *s->buckets); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
        if (!s->buckets) {
            hosts_free(h);
            return NULL;
        }
    }
    return h;
}

static void hosts_host_free(struct host *x)
{
    free(x->ovf);
    free(x);
}

void hosts_free(struct hosts *h)
{
    if (!h)
        return;
    for (uint32_t i = 0; i < h->nshards; i++) {
        struct hosts_shard *s = &h->shard[i];
        for (struct host *x = s->lru_head, *next; x; x = next) {
            next = x->lru_next;
            hosts_host_free(x);
        }
        free(s->buckets);
        pthread_mutex_destroy(&s->lock);
    }
    free(h->shard);
    free(h);
}

struct hosts_view *hosts_view_new(struct hosts *h, struct eve *eve, struct geoip *geo)
{
    struct hosts_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->h = h;
    v->eve = eve;
    v->geo = geo;
    v->georesult = calloc(h->p.max_evidence, sizeof *v->georesult);
    v->geoview = calloc(h->p.max_evidence, sizeof *v->geoview);
    if (!v->georesult || !v->geoview) {
        hosts_view_free(v);
        return NULL;
    }
    return v;
}

void hosts_view_free(struct hosts_view *v)
{
    if (!v)
        return;
    free(v->georesult);
    free(v->geoview);
    free(v);
}

static struct hosts_shard *hosts_shard_of(struct hosts *h, uint32_t hash)
{
    /* The high bits choose the shard, the low bits the bucket inside it. */
    return &h->shard[(hash >> 24) & (h->nshards - 1)];
}

static void hosts_lru_unlink(struct hosts_shard *s, struct host *x)
{
    if (x->lru_prev)
        x->lru_prev->lru_next = x->lru_next;
    else
        s->lru_head = x->lru_next;
    if (x->lru_next)
        x->lru_next->lru_prev = x->lru_prev;
    else
        s->lru_tail = x->lru_prev;
    x->lru_prev = x->lru_next = NULL;
}

static void hosts_lru_push(struct hosts_shard *s, struct host *x)
{
    x->lru_next = s->lru_head;
    x->lru_prev = NULL;
    if (s->lru_head)
        s->lru_head->lru_prev = x;
    s->lru_head = x;
    if (!s->lru_tail)
        s->lru_tail = x;
}

static struct host *hosts_find(const struct hosts_shard *s, const struct mw_addr *a, uint32_t hash)
{
    for (struct host *x = s->buckets[hash & s->mask]; x; x = x->hnext)
        if (memcmp(&x->addr, a, sizeof *a) == 0)
            return x;
    return NULL;
}

static void hosts_remove(struct hosts *h, struct hosts_shard *s, struct host *x)
{
    struct host **pp = &s->buckets[hosts_hash(&x->addr) & s->mask];
    while (*pp && *pp != x)
        pp = &(*pp)->hnext;
    if (*pp)
        __atomic_store_n(pp, x->hnext, __ATOMIC_RELEASE); /* hosts_verdict peeks without the lock */
    hosts_lru_unlink(s, x);
    s->count--;
    s->in_verdict[x->verdict]--;
    if (x->ovf)
        __atomic_fetch_sub(&h->novf, 1, __ATOMIC_RELAXED);
    hosts_host_free(x);
}

/* Make room: the least recently active unflagged host, else a flagged one that went quiet. */
static int hosts_evict(struct hosts *h, struct hosts_shard *s, uint64_t now_us)
{
    struct host *x = s->lru_tail;
    for (int i = 0; x && i < HOST_EVICT_SCAN; i++, x = x->lru_prev)
        if (x->verdict == HOST_NONE) {
            hosts_remove(h, s, x);
            s->c.evicted++;
            return 0;
        }
    x = s->lru_tail;
    if (x && now_us > x->last_us && now_us - x->last_us > h->p.report_interval_us) {
        hosts_remove(h, s, x);
        s->c.evicted_flagged++;
        return 0;
    }
    return -1;
}

static struct host *hosts_get(struct hosts *h, struct hosts_shard *s, const struct mw_addr *a, uint32_t hash,
                              uint64_t now_us)
{
    struct host *x = hosts_find(s, a, hash);
    if (x) {
        hosts_lru_unlink(s, x);
        hosts_lru_push(s, x);
        return x;
    }
    if (s->count >= s->cap && hosts_evict(h, s, now_us) != 0) {
        s->c.refused++;
        return NULL;
    }
    size_t ne = h->p.max_evidence;
    x = calloc(1, sizeof *x + ne * (sizeof(struct eve_host_evidence) + sizeof(struct host_throttle)));
    if (!x) {
        s->c.refused++;
        return NULL;
    }
    x->th = (struct host_throttle *)(void *)&x->ev[ne];
    x->addr = *a;
    x->first_us = now_us;
    x->in_home = h->p.home_net && netset_contains(h->p.home_net, a);
    uint32_t b = hash & s->mask;
    x->hnext = s->buckets[b];
    __atomic_store_n(&s->buckets[b], x, __ATOMIC_RELEASE);
    hosts_lru_push(s, x);
    s->count++;
    s->in_verdict[HOST_NONE]++;
    s->c.created++;
    return x;
}

static int hosts_suffix_match(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    if (s > n || strcasecmp(name + (n - s), suffix) != 0)
        return 0;
    return n == s || name[n - s - 1] == '.';
}

static int hosts_suppressed_by_rule(const struct hosts *h, const struct mw_addr *a, uint32_t sid, const char *pool)
{
    for (size_t i = 0; i < h->p.nsuppress; i++) {
        const struct hosts_suppress *s = &h->p.suppress[i];
        if (s->sid && s->sid != sid)
            continue;
        if (s->bits && !netset_prefix_match(&s->net, s->bits, a))
            continue;
        if (s->pool[0] && !hosts_suffix_match(pool, s->pool))
            continue;
        return 1;
    }
    return 0;
}

/* Points each distinct piece of evidence adds once (docs/detection.md). */
static uint32_t hosts_points(const struct detect_finding *fd)
{
    const struct mw_evidence *ev = fd->ev;
    /* Encrypted-mining behaviour: likely-miner alone, miner with any corroboration (a
     * lookup, an address, a Noise shape, a plain session: 15 points or more). */
    if (ev->variant == MW_VAR_ENCRYPTED)
        return 85;
    if (ev->kind == MW_EV_PROTOCOL)
        return ev->suspicion ? 15 : 100;
    switch (ev->variant) {
    case MW_VAR_DNS: return 20;
    case MW_VAR_TLS_SNI:
    case MW_VAR_HTTP_HOST:
    case MW_VAR_POOL_ADDRESS: return 40;
    default: return 10;
    }
}

static void hosts_copy(char *dst, size_t n, const char *src)
{
    mw_ev_set(dst, n, src, strlen(src));
}

static void hosts_pool_of(const struct detect_finding *fd, char *out, size_t n)
{
    if (fd->ev->variant == MW_VAR_NDPI) {
        /* One entry for all of nDPI's guesses: a node with many peers must not add up
         * its way to a verdict on the strength of a classifier we do not trust alone. */
        hosts_copy(out, n, "ndpi-guess");
        return;
    }
    if (fd->ev->variant == MW_VAR_ENCRYPTED) {
        /* One entry however many opaque sessions look like mining: behaviour alone never
         * adds up to a miner verdict. The entry keeps the first session's peer. */
        hosts_copy(out, n, "encrypted-behaviour");
        return;
    }
    if (fd->ev->pool_host[0]) {
        hosts_copy(out, n, fd->ev->pool_host);
        return;
    }
    char ip[64];
    eve_format_addr(&fd->flow->addr[!fd->miner_dir], ip, sizeof ip);
    hosts_copy(out, n, ip);
}

static enum host_verdict hosts_compute(const struct host *x)
{
    if (x->authorised)
        return HOST_AUTHORISED;
    if (x->score >= 100)
        return HOST_MINER;
    if (x->score >= 20)
        return HOST_LIKELY_MINER;
    return HOST_NONE;
}

/* Distinct pools of the evidence table: what pools[] lists. */
static uint32_t hosts_pools_listed(const struct host *x)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < x->nev; i++) {
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = strcmp(x->ev[j].pool, x->ev[i].pool) == 0;
        n += !dup;
    }
    return n;
}

/* Render and write the host's event; the caller holds its shard. */
static void hosts_event(struct hosts_view *v, struct hosts_shard *s, struct host *x, uint64_t now_us,
                        const char *reason)
{
    struct eve_host eh;
    memset(&eh, 0, sizeof eh);
    eh.addr = x->addr;
    eh.verdict = hosts_verdict_name((enum host_verdict)x->verdict);
    eh.reason = reason;
    eh.score = x->score;
    eh.first_us = x->first_us;
    eh.last_us = x->last_us;
    eh.findings = x->findings;
    eh.in_home_net = x->in_home;
    uint32_t listed = hosts_pools_listed(x);
    eh.pools_total = listed + (x->ovf ? x->ovf->npools : 0);
    eh.pools_truncated = eh.pools_total > listed;
    eh.alerts_throttled = x->throttled;
    eh.alerts_over_ceiling = x->over_ceiling;
    eh.ev = x->ev;
    eh.nev = x->nev;
    /* The pools' geography is looked up when the event is written: a database update
     * between two events shows in the next one. */
    if (v->geo) {
        for (unsigned i = 0; i < x->nev; i++) {
            struct geoip_result *g = &v->georesult[i];
            memset(g, 0, sizeof *g);
            if (x->ev[i].has_peer)
                geoip_lookup(v->geo, &x->ev[i].peer, g);
            v->geoview[i] = (struct eve_geo){ g->country, g->city, g->as_org, g->asn, g->found };
        }
        eh.geo = v->geoview;
    }
    eve_host(v->eve, &eh, now_us);
    s->c.events++;
    x->last_report_us = now_us;
    x->reported_verdict = x->verdict;
    x->changed = 0;
    x->unreported = 0;
}

static const char *hosts_change_reason(const struct host *x)
{
    return x->reported_verdict == HOST_NONE ? "flagged"
           : x->reported_verdict != x->verdict ? "verdict-changed"
                                               : "evidence-changed";
}

/* Throttle one (pool, signature) pair: 1 when its alert may be written now. */
static int hosts_throttle(const struct hosts *h, struct host_throttle *t, uint64_t ts_us)
{
    if (t->window_start_us != HOST_NEVER && h->p.throttle_window_us &&
        ts_us < t->window_start_us + h->p.throttle_window_us) {
        t->suppressed++;
        return 0;
    }
    return 1;
}

static void hosts_throttle_open(struct host_throttle *t, uint64_t ts_us, uint32_t *repeats)
{
    *repeats = t->suppressed;
    t->suppressed = 0;
    t->window_start_us = ts_us;
}

/* The per-host ceiling: 1 when the host may still alert in the current ceiling window.
 * Windows are fixed slices of packet time (minute k of the epoch by default), so one
 * thread's count is per wall-clock minute of the capture; a finding that arrives late from
 * a worker still in an earlier slice counts against the current one. */
static int hosts_ceiling(const struct hosts *h, struct host *x, uint64_t ts_us)
{
    if (!h->p.host_ceiling)
        return 1;
    uint64_t slice = h->p.ceiling_window_us ? ts_us / h->p.ceiling_window_us : 0;
    if (slice > x->ceil_start_us) {
        x->ceil_start_us = slice;
        x->ceil_count = 0;
    }
    return x->ceil_count < h->p.host_ceiling;
}

static struct host_ovf *hosts_ovf(struct hosts *h, struct host *x)
{
    if (x->ovf)
        return x->ovf;
    uint32_t n = __atomic_add_fetch(&h->novf, 1, __ATOMIC_RELAXED);
    if (n > h->p.max_overflow_hosts || !(x->ovf = calloc(1, sizeof *x->ovf))) {
        __atomic_fetch_sub(&h->novf, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&h->ovf_alloc_fail, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    return x->ovf;
}

/* Linear probing over fingerprints; returns the slot holding fp or the empty slot for it,
 * or -1 when the set is at its fill limit and fp is not in it. */
static long hosts_fp_slot(const uint64_t *set, uint32_t cap, uint32_t used, uint64_t fp)
{
    for (uint32_t i = 0; i < cap; i++) {
        uint32_t j = (uint32_t)(fp + i) & (cap - 1);
        if (set[j] == fp)
            return j;
        if (!set[j])
            return used >= cap / 4 * 3 ? -1 : (long)j;
    }
    return -1;
}

/* A finding beyond the evidence table: its pair's throttle window and the pool count live
 * in the overflow block. Returns its throttle, or NULL when it cannot be tracked. */
static struct host_throttle *hosts_overflow(struct hosts *h, struct hosts_shard *s, struct host *x,
                                            const char *pool, uint32_t sid, uint32_t points)
{
    struct host_ovf *o = hosts_ovf(h, x);
    if (!o) {
        s->c.untracked++;
        return NULL;
    }
    uint64_t pfp = hosts_str_fp(pool, 0);
    uint64_t fp = hosts_str_fp(pool, (uint64_t)sid * 0x9e3779b97f4a7c15ull + 1);
    long k = hosts_fp_slot(o->pair_fp, HOST_OVF_PAIRS, o->npairs, fp);
    if (k < 0) {
        s->c.untracked++;
        return NULL;
    }
    if (!o->pair_fp[k]) {
        o->pair_fp[k] = fp;
        o->pair_th[k].window_start_us = HOST_NEVER;
        o->npairs++;
        /* Every distinct pair scores once, listed or not: the score does not depend on
         * which pairs came first (with several workers, an order nobody chose). */
        x->score = x->score + points > 1000 ? 1000 : x->score + points;
        int known = 0;
        for (unsigned i = 0; i < x->nev && !known; i++)
            known = strcmp(x->ev[i].pool, pool) == 0;
        long q = known ? -1 : hosts_fp_slot(o->pool_fp, HOST_OVF_POOLS, o->npools, pfp);
        if (q >= 0 && !o->pool_fp[q]) {
            o->pool_fp[q] = pfp;
            o->npools++;
            x->unreported = 1; /* pools_total moved: the next periodic or final event says so */
        }
    }
    return &o->pair_th[k];
}

/* The host event lists a host's distinct workers, agents, algorithms and coins, read from
 * these fields of its evidence entries (nothing reads them per entry). A name is kept
 * whichever finding brings it: in the finding's own entry (own, may be NULL) when that
 * field is free, else in the first entry whose field is free. So a Stratum session whose
 * (pool, signature) pair came after the evidence table filled still names its worker:
 * which pairs fill the table depends on arrival order, which differs between one thread
 * and several workers (a DNS worker may run up to 1 s of packet time ahead), and the
 * names listed must not. At most max_evidence distinct names per field. Returns 1 when
 * the name is new. */
static int hosts_note(struct host *x, struct eve_host_evidence *own, size_t off, size_t len, const char *value)
{
    char v[MW_EV_WORKER_LEN];
    if (!value[0])
        return 0;
    hosts_copy(v, len < sizeof v ? len : sizeof v, value); /* as stored: compare like with like */
    char *slot = own && !((char *)own + off)[0] ? (char *)own + off : NULL;
    for (unsigned i = 0; i < x->nev; i++) {
        char *f = (char *)&x->ev[i] + off;
        if (strcmp(f, v) == 0)
            return 0;
        if (!slot && !f[0])
            slot = f;
    }
    if (!slot)
        return 0;
    hosts_copy(slot, len, v);
    return 1;
}

/* Whose host a finding concerns, or 0 when none of ours. A mining protocol names its
 * miner whatever its address; for names and addresses the asker is the campus host only
 * when home-net (or track-all) says so. nDPI's guess takes the flow's initiator: ambiguous. */
static int hosts_tracked(const struct hosts *h, const struct detect_finding *fd, const struct mw_addr *a)
{
    if (fd->ev->kind == MW_EV_PROTOCOL && fd->ev->variant != MW_VAR_NDPI)
        return 1;
    return h->p.track_all || !h->p.home_net || netset_contains(h->p.home_net, a);
}

static void hosts_queue(struct hosts_view *v, struct hosts_shard *s, struct host *x, uint64_t ts_us)
{
    unsigned i;
    for (i = 0; i < v->npending && memcmp(&v->pending[i].addr, &x->addr, sizeof x->addr) != 0; i++)
        ;
    if (i < v->npending) {
        v->pending[i].ts_us = ts_us; /* already queued: one event covers both changes */
    } else if (v->npending < HOST_PENDING) {
        v->pending[v->npending].addr = x->addr;
        v->pending[v->npending++].ts_us = ts_us;
    } else {
        hosts_event(v, s, x, ts_us, hosts_change_reason(x));
    }
}

int hosts_finding(struct hosts_view *v, const struct detect_finding *fd, uint32_t *repeats)
{
    struct hosts *h = v->h;
    const struct mw_evidence *ev = fd->ev;
    const struct mw_addr *a = fd->host_addr ? fd->host_addr : &fd->flow->addr[fd->miner_dir];
    char pool[EVE_HOST_POOL_LEN];
    *repeats = 0;
    hosts_pool_of(fd, pool, sizeof pool);
    if (hosts_suppressed_by_rule(h, a, fd->sid, pool)) {
        __atomic_fetch_add(&h->suppressed_rule, 1, __ATOMIC_RELAXED);
        if (fd->held)
            *fd->held = "suppressed";
        return 0;
    }
    if (fd->on_behalf)
        return 1; /* a resolver or proxy: its alert stays visible, its verdict does not move */
    if (!hosts_tracked(h, fd, a)) {
        __atomic_fetch_add(&h->outside_home_net, 1, __ATOMIC_RELAXED);
        return 1;
    }
    uint32_t hash = hosts_hash(a);
    struct hosts_shard *s = hosts_shard_of(h, hash);
    pthread_mutex_lock(&s->lock);
    struct host *x = hosts_get(h, s, a, hash, fd->ts_us);
    if (!x) {
        pthread_mutex_unlock(&s->lock);
        return 1;
    }
    if (fd->ts_us > x->last_us)
        x->last_us = fd->ts_us;
    if (!fd->update_only)
        x->findings++;
    struct eve_host_evidence *e = NULL;
    struct host_throttle *t = NULL;
    for (unsigned i = 0; i < x->nev; i++)
        if (x->ev[i].sid == fd->sid && strcmp(x->ev[i].pool, pool) == 0) {
            e = &x->ev[i];
            t = &x->th[i];
            break;
        }
    int write = 1;
    if (e) {
        if (fd->update_only) {
            write = 0; /* only the facts below change */
        } else {
            e->count++;
            if (fd->ts_us > e->last_us)
                e->last_us = fd->ts_us;
        }
    } else if (x->nev < h->p.max_evidence) {
        t = &x->th[x->nev];
        t->window_start_us = HOST_NEVER;
        e = &x->ev[x->nev++];
        e->variant = ev->variant;
        e->sid = fd->sid;
        hosts_copy(e->pool, sizeof e->pool, pool);
        e->port = fd->flow->port[!fd->miner_dir];
        e->points = (uint8_t)hosts_points(fd);
        /* For a DNS finding the peer is the resolver, for nDPI's a peer among many. */
        e->has_peer = ev->variant != MW_VAR_DNS && ev->variant != MW_VAR_NDPI;
        e->peer = fd->flow->addr[!fd->miner_dir];
        e->count = 1;
        e->first_us = e->last_us = fd->ts_us;
        x->score += hosts_points(fd);
        if (x->score > 1000)
            x->score = 1000;
        x->changed = 1;
    } else if (fd->update_only) {
        write = 0;
    } else {
        s->c.evidence_full++;
        t = hosts_overflow(h, s, x, pool, fd->sid, hosts_points(fd));
        if (!t) {
            write = 0; /* untracked: never an alert the throttle could not account for */
            if (fd->held)
                *fd->held = "untracked";
        }
    }
    if (write && t && !hosts_throttle(h, t, fd->ts_us)) {
        write = 0;
        x->throttled++;
        s->c.suppressed_throttle++;
        if (fd->held)
            *fd->held = "throttled";
    } else if (write && !fd->allowlisted && !hosts_ceiling(h, x, fd->ts_us)) {
        write = 0;
        if (t)
            t->suppressed++; /* the pair's window stays closed: its next finding may alert */
        x->over_ceiling++;
        s->c.over_ceiling++;
        if (fd->held)
            *fd->held = "host-ceiling";
    } else if (write && t) {
        hosts_throttle_open(t, fd->ts_us, repeats);
        if (!fd->allowlisted)
            x->ceil_count++;
    }
    /* Who mines, and to which wallet, is what the analyst asks first: a new worker name
     * makes a host event. Kept even when this finding got no evidence entry. */
    if (hosts_note(x, e, offsetof(struct eve_host_evidence, worker), MW_EV_WORKER_LEN, ev->worker))
        x->changed = 1;
    hosts_note(x, e, offsetof(struct eve_host_evidence, agent), MW_EV_AGENT_LEN, ev->agent);
    hosts_note(x, e, offsetof(struct eve_host_evidence, algo), EVE_HOST_ALGO_LEN, ev->algo);
    hosts_note(x, e, offsetof(struct eve_host_evidence, coin), MW_EV_COIN_LEN, ev->coin);
    if (fd->allowlisted)
        x->authorised = 1;
    uint8_t vd = (uint8_t)hosts_compute(x);
    if (vd != x->verdict) {
        if (x->verdict == HOST_NONE)
            s->c.flagged++;
        s->in_verdict[x->verdict]--;
        s->in_verdict[vd]++;
        x->verdict = vd;
        x->changed = 1;
    }
    if (x->changed && x->verdict != HOST_NONE)
        hosts_queue(v, s, x, fd->ts_us);
    pthread_mutex_unlock(&s->lock);
    return write;
}

void hosts_flush(struct hosts_view *v)
{
    if (!v->npending)
        return;
    struct hosts *h = v->h;
    for (unsigned i = 0; i < v->npending; i++) {
        const struct mw_addr *a = &v->pending[i].addr;
        uint32_t hash = hosts_hash(a);
        struct hosts_shard *s = hosts_shard_of(h, hash);
        pthread_mutex_lock(&s->lock);
        struct host *x = hosts_find(s, a, hash);
        /* Another worker may have written it meanwhile: then nothing is left to say. */
        if (x && x->changed && x->verdict != HOST_NONE)
            hosts_event(v, s, x, v->pending[i].ts_us, hosts_change_reason(x));
        pthread_mutex_unlock(&s->lock);
    }
    v->npending = 0;
}

static void hosts_report_bucket(struct hosts_view *v, struct hosts_shard *s, uint32_t b, uint64_t now_us,
                                int final)
{
    const struct hosts *h = v->h;
    for (struct host *x = s->buckets[b & s->mask]; x; x = x->hnext) {
        if (x->verdict == HOST_NONE)
            continue;
        if (final) {
            if (x->changed || x->unreported)
                hosts_event(v, s, x, now_us, "final");
        } else if (!x->changed && x->last_us > x->last_report_us && now_us > x->last_report_us &&
                   now_us - x->last_report_us >= h->p.report_interval_us) {
            /* A change another worker has queued (x->changed) is written by that worker's
             * flush, with its own reason: a periodic event here would take its place, and a
             * host's first event would not say "flagged". */
            hosts_event(v, s, x, now_us, "periodic");
        }
    }
}

void hosts_housekeep(struct hosts_view *v, uint64_t now_us)
{
    struct hosts *h = v->h;
    hosts_flush(v);
    /* One slice of one shard per call, so no packet waits on a full walk; the workers
     * share the cursor, so together they walk the table once per round. */
    uint32_t c = __atomic_fetch_add(&h->report_cursor, 1, __ATOMIC_RELAXED);
    struct hosts_shard *s = &h->shard[c & (h->nshards - 1)];
    uint32_t start = (c / h->nshards) * HOST_REPORT_STEP;
    pthread_mutex_lock(&s->lock);
    for (uint32_t i = 0; i < HOST_REPORT_STEP && i <= s->mask; i++)
        hosts_report_bucket(v, s, start + i, now_us, 0);
    pthread_mutex_unlock(&s->lock);
}

void hosts_final(struct hosts_view *v, uint64_t now_us)
{
    struct hosts *h = v->h;
    hosts_flush(v);
    for (uint32_t k = 0; k < h->nshards; k++) {
        struct hosts_shard *s = &h->shard[k];
        pthread_mutex_lock(&s->lock);
        for (uint32_t b = 0; b <= s->mask; b++)
            hosts_report_bucket(v, s, b, now_us, 1);
        pthread_mutex_unlock(&s->lock);
    }
}

enum host_verdict hosts_verdict(struct hosts *h, const struct mw_addr *a, uint32_t *score)
{
    uint32_t hash = hosts_hash(a);
    struct hosts_shard *s = hosts_shard_of(h, hash);
    if (score)
        *score = 0;
    /* An empty bucket is answered without the lock: most addresses were never named. */
    if (!__atomic_load_n(&s->buckets[hash & s->mask], __ATOMIC_ACQUIRE))
        return HOST_NONE;
    pthread_mutex_lock(&s->lock);
    const struct host *x = hosts_find(s, a, hash);
    enum host_verdict vd = x ? (enum host_verdict)x->verdict : HOST_NONE;
    if (score)
        *score = x ? x->score : 0;
    pthread_mutex_unlock(&s->lock);
    return vd;
}

void hosts_stats_foreach(struct hosts *h, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    struct hosts_counters t;
    uint64_t tracked = 0, in_verdict[HOST_AUTHORISED + 1] = { 0 };
    memset(&t, 0, sizeof t);
    for (uint32_t k = 0; k < h->nshards; k++) {
        struct hosts_shard *s = &h->shard[k];
        pthread_mutex_lock(&s->lock);
        tracked += s->count;
        for (int v = 0; v <= HOST_AUTHORISED; v++)
            in_verdict[v] += s->in_verdict[v];
        t.created += s->c.created;
        t.flagged += s->c.flagged;
        t.evicted += s->c.evicted;
        t.evicted_flagged += s->c.evicted_flagged;
        t.refused += s->c.refused;
        t.events += s->c.events;
        t.suppressed_throttle += s->c.suppressed_throttle;
        t.evidence_full += s->c.evidence_full;
        t.over_ceiling += s->c.over_ceiling;
        t.untracked += s->c.untracked;
        pthread_mutex_unlock(&s->lock);
    }
    cb(u, "hosts.tracked", tracked);
    /* hosts holding each verdict now (gauges; "flagged" counts first verdicts ever) */
    cb(u, "hosts.verdict.likely-miner", in_verdict[HOST_LIKELY_MINER]);
    cb(u, "hosts.verdict.miner", in_verdict[HOST_MINER]);
    cb(u, "hosts.verdict.authorised", in_verdict[HOST_AUTHORISED]);
    cb(u, "hosts.created", t.created);
    cb(u, "hosts.flagged", t.flagged);
    cb(u, "hosts.evicted", t.evicted);
    cb(u, "hosts.evicted_flagged", t.evicted_flagged);
    cb(u, "hosts.refused", t.refused);
    cb(u, "hosts.events", t.events);
    cb(u, "hosts.suppressed_throttle", t.suppressed_throttle);
    cb(u, "hosts.suppressed_rule", __atomic_load_n(&h->suppressed_rule, __ATOMIC_RELAXED));
    cb(u, "hosts.evidence_full", t.evidence_full);
    cb(u, "hosts.over_ceiling", t.over_ceiling);
    cb(u, "hosts.untracked", t.untracked);
    cb(u, "hosts.overflow_hosts", __atomic_load_n(&h->novf, __ATOMIC_RELAXED));
    cb(u, "hosts.overflow_refused", __atomic_load_n(&h->ovf_alloc_fail, __ATOMIC_RELAXED));
    cb(u, "hosts.outside_home_net", __atomic_load_n(&h->outside_home_net, __ATOMIC_RELAXED));
}

size_t hosts_memuse(struct hosts *h)
{
    size_t n = sizeof *h + h->nshards * sizeof *h->shard;
    size_t per = sizeof(struct host) +
                 h->p.max_evidence * (sizeof(struct eve_host_evidence) + sizeof(struct host_throttle));
    for (uint32_t k = 0; k < h->nshards; k++) {
        struct hosts_shard *s = &h->shard[k];
        pthread_mutex_lock(&s->lock);
        n += ((size_t)s->mask + 1) * sizeof(struct host *) + (size_t)s->count * per;
        pthread_mutex_unlock(&s->lock);
    }
    return n + (size_t)__atomic_load_n(&h->novf, __ATOMIC_RELAXED) * sizeof(struct host_ovf);
}
