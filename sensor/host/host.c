/* host.c - from findings to host verdicts, and the throttle that keeps alerts readable.
 *
 * A host gets state only when a finding names it (not per packet), so the table holds
 * the interesting few. Each distinct piece of evidence (variant + pool + signature) is
 * one entry that counts repeats; the score adds each entry once (docs/detection.md), so
 * a host that repeats the same lookup all day does not climb. Eviction takes the least
 * recently active host without a verdict first; a flagged host that is still active is
 * never dropped: a new host is refused (counted) instead.
 */
#include "sensor/host/host.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sensor/eve/eve.h"
#include "sensor/flow/flow.h"
#include "sensor/detect/geoip.h"
#include "sensor/eve/json.h"
#include "sensor/detect/netset.h"

#define HOST_POOL_LEN 96
/* A Monero wallet is 95 characters before ".worker": keep what alerts keep. */
#define HOST_WORKER_LEN MW_EV_WORKER_LEN
#define HOST_AGENT_LEN MW_EV_AGENT_LEN
#define HOST_ALGO_LEN 24
#define HOST_EVICT_SCAN 64
#define HOST_REPORT_STEP 64
#define HOST_PENDING 32

struct host_ev {
    enum mw_variant variant;
    uint32_t sid;
    char pool[HOST_POOL_LEN];
    char worker[HOST_WORKER_LEN];
    char agent[HOST_AGENT_LEN];
    char algo[HOST_ALGO_LEN];
    char coin[MW_EV_COIN_LEN];
    uint16_t port;
    uint8_t points;
    uint8_t has_peer;         /* peer is the pool (not a resolver, not a classifier guess) */
    struct mw_addr peer;      /* the pool's address, first seen: looked up at event time */
    uint32_t count;
    uint64_t first_us, last_us;
    uint64_t window_start_us; /* throttle window of this (pool, signature) */
    uint32_t suppressed;      /* repeats held back in the current window */
};

struct host {
    struct mw_addr addr;
    struct host *hnext;
    struct host *lru_prev, *lru_next; /* head = most recently active */
    uint64_t first_us, last_us, last_report_us;
    uint32_t score;
    uint8_t verdict, reported_verdict, changed, authorised;
    uint16_t nev;
    struct host_ev ev[]; /* max_evidence entries */
};

struct hosts {
    struct hosts_params p;
    struct eve *eve;
    struct host **buckets;
    uint32_t mask;
    uint32_t count;
    struct host *lru_head, *lru_tail;
    uint32_t report_cursor;
    /* Hosts whose event waits for the alert that changed them to be written first. */
    struct host *pending[HOST_PENDING];
    const char *pending_reason[HOST_PENDING];
    uint64_t pending_ts[HOST_PENDING];
    unsigned npending;
    uint64_t created, evicted, evicted_flagged, refused, events, suppressed_throttle, suppressed_rule,
        evidence_full, flagged;
    struct geoip_result *geo; /* max_evidence slots: lookups of one host event */
    char line[16384];
};

void hosts_params_default(struct hosts_params *p)
{
    memset(p, 0, sizeof *p);
    p->max_hosts = 16384;
    p->max_evidence = 8;
    p->report_interval_us = 3600ull * 1000000u;
    p->throttle_window_us = 3600ull * 1000000u;
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

struct hosts *hosts_new(const struct hosts_params *p, struct eve *eve)
{
    struct hosts *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->p = *p;
    if (h->p.max_evidence == 0)
        h->p.max_evidence = 1;
    if (h->p.max_hosts == 0)
        h->p.max_hosts = 1;
    uint32_t n = 16;
    while (n < h->p.max_hosts && n < (1u << 24))
        n <<= 1;
    h->mask = n - 1;
    h->buckets = calloc(n, sizeof *h->buckets); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
    if (!h->buckets) {
        free(h);
        return NULL;
    }
    h->geo = calloc(h->p.max_evidence, sizeof *h->geo);
    if (!h->geo) {
        free(h->buckets);
        free(h);
        return NULL;
    }
    h->eve = eve;
    return h;
}

void hosts_free(struct hosts *h)
{
    if (!h)
        return;
    for (struct host *x = h->lru_head, *next; x; x = next) {
        next = x->lru_next;
        free(x);
    }
    free(h->geo);
    free(h->buckets);
    free(h);
}

static uint32_t hosts_hash(const struct mw_addr *a)
{
    uint32_t x = 2166136261u;
    for (int i = 0; i < 16; i++)
        x = (x ^ a->b[i]) * 16777619u;
    return x;
}

static void hosts_lru_unlink(struct hosts *h, struct host *x)
{
    if (x->lru_prev)
        x->lru_prev->lru_next = x->lru_next;
    else
        h->lru_head = x->lru_next;
    if (x->lru_next)
        x->lru_next->lru_prev = x->lru_prev;
    else
        h->lru_tail = x->lru_prev;
    x->lru_prev = x->lru_next = NULL;
}

static void hosts_lru_push(struct hosts *h, struct host *x)
{
    x->lru_next = h->lru_head;
    x->lru_prev = NULL;
    if (h->lru_head)
        h->lru_head->lru_prev = x;
    h->lru_head = x;
    if (!h->lru_tail)
        h->lru_tail = x;
}

static struct host *hosts_find(const struct hosts *h, const struct mw_addr *a)
{
    for (struct host *x = h->buckets[hosts_hash(a) & h->mask]; x; x = x->hnext)
        if (memcmp(&x->addr, a, sizeof *a) == 0)
            return x;
    return NULL;
}

static void hosts_remove(struct hosts *h, struct host *x)
{
    for (unsigned i = 0; i < h->npending; i++)
        if (h->pending[i] == x)
            h->pending[i] = NULL;
    struct host **pp = &h->buckets[hosts_hash(&x->addr) & h->mask];
    while (*pp && *pp != x)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = x->hnext;
    hosts_lru_unlink(h, x);
    h->count--;
    free(x);
}

/* Make room: the least recently active unflagged host, else a flagged one that went quiet. */
static int hosts_evict(struct hosts *h, uint64_t now_us)
{
    struct host *x = h->lru_tail;
    for (int i = 0; x && i < HOST_EVICT_SCAN; i++, x = x->lru_prev)
        if (x->verdict == HOST_NONE) {
            hosts_remove(h, x);
            h->evicted++;
            return 0;
        }
    x = h->lru_tail;
    if (x && now_us - x->last_us > h->p.report_interval_us) {
        hosts_remove(h, x);
        h->evicted_flagged++;
        return 0;
    }
    return -1;
}

static struct host *hosts_get(struct hosts *h, const struct mw_addr *a, uint64_t now_us)
{
    struct host *x = hosts_find(h, a);
    if (x) {
        hosts_lru_unlink(h, x);
        hosts_lru_push(h, x);
        return x;
    }
    if (h->count >= h->p.max_hosts && hosts_evict(h, now_us) != 0) {
        h->refused++;
        return NULL;
    }
    x = calloc(1, sizeof *x + h->p.max_evidence * sizeof(struct host_ev));
    if (!x) {
        h->refused++;
        return NULL;
    }
    x->addr = *a;
    x->first_us = now_us;
    uint32_t b = hosts_hash(a) & h->mask;
    x->hnext = h->buckets[b];
    h->buckets[b] = x;
    hosts_lru_push(h, x);
    h->count++;
    h->created++;
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

static void hosts_kv_list(struct jw *w, const char *key, const struct host *x, size_t off, size_t len)
{
    /* A de-duplicated array of strings: Wazuh and Splunk read those, not arrays of objects. */
    int open = 0;
    for (unsigned i = 0; i < x->nev; i++) {
        const char *v = (const char *)&x->ev[i] + off;
        if (!v[0])
            continue;
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = strncmp((const char *)&x->ev[j] + off, v, len) == 0;
        if (dup)
            continue;
        if (!open) {
            jw_key(w, key);
            jw_array_begin(w);
            open = 1;
        }
        /* A value that filled its field was cut when stored: show it cut and marked
         * (same rule as eve.c, lengths in docs/eve.md). */
        jw_strn_max(w, v, strnlen(v, len), len - 2);
    }
    if (open)
        jw_array_end(w);
}

/* Copy a database string into a pool_geoip field: '|' separates the fields, so it is
 * never part of one (database strings are ours to shape; pool names are written as-is
 * and are the first field, so a reader splits from the right). */
static size_t hosts_geo_field(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = src[i] == '|' ? '/' : src[i];
    dst[i] = '\0';
    return i;
}

/* Pool-side geography: per-pool lookups of the addresses the host mined to, written as
 * de-duplicated scalar arrays and one "pool|ip|country|city|asn|as_org" string per pool
 * (Wazuh reads arrays of scalars, not of objects), plus the alert-shaped `geoip` object of
 * the principal pool. Returns the index of that pool, or -1 when nothing is known. */
static int hosts_geo_lookup(struct hosts *h, const struct host *x)
{
    int best = -1;
    for (unsigned i = 0; i < x->nev; i++) {
        struct geoip_result *g = &h->geo[i];
        memset(g, 0, sizeof *g);
        if (!h->p.geoip || !x->ev[i].has_peer || !geoip_lookup(h->p.geoip, &x->ev[i].peer, g))
            continue;
        /* The strongest evidence names the principal pool; the first such one keeps it stable. */
        if (best < 0 || x->ev[i].points > x->ev[best].points)
            best = (int)i;
    }
    return best;
}

static void hosts_geo_lists(struct hosts *h, struct jw *w, const struct host *x)
{
    int open = 0;
    for (unsigned i = 0; i < x->nev; i++) {
        const char *cc = h->geo[i].country;
        int dup = !cc[0];
        for (unsigned j = 0; j < i && !dup; j++)
            dup = strcmp(h->geo[j].country, cc) == 0;
        if (dup)
            continue;
        if (!open) {
            jw_key(w, "pool_countries");
            jw_array_begin(w);
            open = 1;
        }
        jw_str(w, cc);
    }
    if (open)
        jw_array_end(w);
    open = 0;
    for (unsigned i = 0; i < x->nev; i++) {
        uint32_t asn = h->geo[i].asn;
        int dup = asn == 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = h->geo[j].asn == asn;
        if (dup)
            continue;
        if (!open) {
            jw_key(w, "pool_asns");
            jw_array_begin(w);
            open = 1;
        }
        jw_uint(w, asn);
    }
    if (open)
        jw_array_end(w);
    open = 0;
    for (unsigned i = 0; i < x->nev; i++) {
        const struct geoip_result *g = &h->geo[i];
        if (!g->found)
            continue;
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = h->geo[j].found && strcmp(x->ev[j].pool, x->ev[i].pool) == 0 &&
                  memcmp(&x->ev[j].peer, &x->ev[i].peer, sizeof x->ev[i].peer) == 0;
        if (dup)
            continue;
        char ip[64], buf[HOST_POOL_LEN + 64 + 3 + 64 + 12 + 96 + 8];
        eve_format_addr(&x->ev[i].peer, ip, sizeof ip);
        size_t n = (size_t)snprintf(buf, sizeof buf, "%s|%s|", x->ev[i].pool, ip);
        n += hosts_geo_field(buf + n, sizeof buf - n, g->country);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "|");
        n += hosts_geo_field(buf + n, sizeof buf - n, g->city);
        if (g->asn)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "|%u|", (unsigned)g->asn);
        else
            n += (size_t)snprintf(buf + n, sizeof buf - n, "||");
        hosts_geo_field(buf + n, sizeof buf - n, g->as_org);
        if (!open) {
            jw_key(w, "pool_geoip");
            jw_array_begin(w);
            open = 1;
        }
        /* The pool name came from the wire: the writer escapes it. */
        jw_strn_max(w, buf, strlen(buf), sizeof buf - 1);
    }
    if (open)
        jw_array_end(w);
}

static void hosts_geo_object(struct jw *w, const struct geoip_result *g)
{
    jw_key(w, "geoip");
    jw_object_begin(w);
    if (g->country[0])
        jw_kv_str(w, "country", g->country);
    if (g->city[0])
        jw_kv_str(w, "city", g->city);
    if (g->asn)
        jw_kv_uint(w, "asn", g->asn);
    if (g->as_org[0])
        jw_kv_str(w, "as_org", g->as_org);
    jw_object_end(w);
}

static void hosts_event(struct hosts *h, struct host *x, uint64_t now_us, const char *reason)
{
    struct jw w;
    char ip[64];
    jw_init(&w, h->line, sizeof h->line);
    jw_object_begin(&w);
    jw_key(&w, "timestamp");
    eve_write_timestamp(&w, now_us);
    jw_kv_str(&w, "event_type", "host");
    eve_format_addr(&x->addr, ip, sizeof ip);
    jw_kv_str(&w, "src_ip", ip);
    if (eve_sensor_name(h->eve)[0])
        jw_kv_str(&w, "host", eve_sensor_name(h->eve));
    jw_key(&w, "mining_host");
    jw_object_begin(&w);
    jw_kv_str(&w, "ip", ip);
    jw_kv_str(&w, "verdict", hosts_verdict_name((enum host_verdict)x->verdict));
    jw_kv_str(&w, "reason", reason);
    jw_kv_uint(&w, "score", x->score);
    jw_kv_uint(&w, "confidence", x->score > 100 ? 100 : x->score);
    jw_key(&w, "first_seen");
    eve_write_timestamp(&w, x->first_us);
    jw_key(&w, "last_seen");
    eve_write_timestamp(&w, x->last_us);
    uint64_t alerts = 0;
    for (unsigned i = 0; i < x->nev; i++)
        alerts += x->ev[i].count;
    jw_kv_uint(&w, "findings", alerts);
    hosts_kv_list(&w, "pools", x, offsetof(struct host_ev, pool), HOST_POOL_LEN);
    hosts_kv_list(&w, "workers", x, offsetof(struct host_ev, worker), HOST_WORKER_LEN);
    hosts_kv_list(&w, "agents", x, offsetof(struct host_ev, agent), HOST_AGENT_LEN);
    hosts_kv_list(&w, "algos", x, offsetof(struct host_ev, algo), HOST_ALGO_LEN);
    hosts_kv_list(&w, "coins", x, offsetof(struct host_ev, coin), MW_EV_COIN_LEN);
    jw_key(&w, "variants");
    jw_array_begin(&w);
    for (unsigned i = 0; i < x->nev; i++) {
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = x->ev[j].variant == x->ev[i].variant;
        if (!dup)
            jw_str(&w, mw_variant_name(x->ev[i].variant));
    }
    jw_array_end(&w);
    int principal = hosts_geo_lookup(h, x);
    if (principal >= 0)
        hosts_geo_lists(h, &w, x);
    jw_object_end(&w);
    if (principal >= 0)
        hosts_geo_object(&w, &h->geo[principal]);
    jw_object_end(&w);
    long n = jw_finish(&w);
    if (n > 0) {
        eve_write_line(h->eve, h->line, (size_t)n);
        h->events++;
    }
    x->last_report_us = now_us;
    x->reported_verdict = x->verdict;
    x->changed = 0;
}

int hosts_finding(struct hosts *h, const struct detect_finding *fd, uint32_t *repeats)
{
    const struct mw_evidence *ev = fd->ev;
    const struct mw_addr *a = &fd->flow->addr[fd->miner_dir];
    char pool[HOST_POOL_LEN];
    *repeats = 0;
    hosts_pool_of(fd, pool, sizeof pool);
    if (hosts_suppressed_by_rule(h, a, fd->sid, pool)) {
        h->suppressed_rule++;
        return 0;
    }
    if (fd->on_behalf)
        return 1; /* a resolver or proxy: its alert stays visible, its verdict does not move */
    if (!h->p.track_all && h->p.home_net && !netset_contains(h->p.home_net, a))
        return 1;
    struct host *x = hosts_get(h, a, fd->ts_us);
    if (!x)
        return 1;
    x->last_us = fd->ts_us;
    struct host_ev *e = NULL;
    for (unsigned i = 0; i < x->nev; i++)
        if (x->ev[i].sid == fd->sid && strcmp(x->ev[i].pool, pool) == 0) {
            e = &x->ev[i];
            break;
        }
    int write = 1;
    if (e && fd->update_only) {
        write = 0; /* only the facts below change */
    } else if (e) {
        e->count++;
        e->last_us = fd->ts_us;
        if (fd->ts_us - e->window_start_us < h->p.throttle_window_us) {
            e->suppressed++;
            h->suppressed_throttle++;
            write = 0;
        } else {
            *repeats = e->suppressed;
            e->suppressed = 0;
            e->window_start_us = fd->ts_us;
        }
    } else if (x->nev < h->p.max_evidence) {
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
        e->first_us = e->last_us = e->window_start_us = fd->ts_us;
        x->score += hosts_points(fd);
        if (x->score > 1000)
            x->score = 1000;
        x->changed = 1;
    } else {
        h->evidence_full++;
    }
    if (e) {
        if (!e->worker[0] && ev->worker[0]) {
            hosts_copy(e->worker, sizeof e->worker, ev->worker);
            x->changed = 1; /* who mines, and to which wallet, is what the analyst asks first */
        }
        if (!e->agent[0])
            hosts_copy(e->agent, sizeof e->agent, ev->agent);
        if (!e->algo[0])
            hosts_copy(e->algo, sizeof e->algo, ev->algo);
        if (!e->coin[0])
            hosts_copy(e->coin, sizeof e->coin, ev->coin);
    }
    if (fd->allowlisted)
        x->authorised = 1;
    uint8_t v = (uint8_t)hosts_compute(x);
    if (v != x->verdict) {
        if (x->verdict == HOST_NONE)
            h->flagged++;
        x->verdict = v;
        x->changed = 1;
    }
    if (x->changed && x->verdict != HOST_NONE) {
        const char *why = x->reported_verdict == HOST_NONE ? "flagged"
                          : x->reported_verdict != x->verdict ? "verdict-changed"
                                                              : "evidence-changed";
        unsigned i;
        for (i = 0; i < h->npending && h->pending[i] != x; i++)
            ;
        if (i < h->npending) {
            h->pending_ts[i] = fd->ts_us; /* already queued: one event covers both changes */
        } else if (h->npending < HOST_PENDING) {
            h->pending[h->npending] = x;
            h->pending_reason[h->npending] = why;
            h->pending_ts[h->npending++] = fd->ts_us;
        } else {
            hosts_event(h, x, fd->ts_us, why);
        }
    }
    return write;
}

void hosts_flush(struct hosts *h)
{
    for (unsigned i = 0; i < h->npending; i++)
        if (h->pending[i])
            hosts_event(h, h->pending[i], h->pending_ts[i], h->pending_reason[i]);
    h->npending = 0;
}

void hosts_housekeep(struct hosts *h, uint64_t now_us)
{
    hosts_flush(h);
    /* A bounded slice of the table per call, so no packet waits on a full walk. */
    for (int i = 0; i < HOST_REPORT_STEP; i++) {
        uint32_t b = h->report_cursor++ & h->mask;
        for (struct host *x = h->buckets[b]; x; x = x->hnext)
            if (x->verdict != HOST_NONE && x->last_us > x->last_report_us &&
                now_us - x->last_report_us >= h->p.report_interval_us)
                hosts_event(h, x, now_us, "periodic");
    }
}

enum host_verdict hosts_verdict(const struct hosts *h, const struct mw_addr *a, uint32_t *score)
{
    const struct host *x = hosts_find(h, a);
    if (score)
        *score = x ? x->score : 0;
    return x ? (enum host_verdict)x->verdict : HOST_NONE;
}

void hosts_stats_foreach(const struct hosts *h, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    cb(u, "hosts.tracked", h->count);
    cb(u, "hosts.created", h->created);
    cb(u, "hosts.flagged", h->flagged);
    cb(u, "hosts.evicted", h->evicted);
    cb(u, "hosts.evicted_flagged", h->evicted_flagged);
    cb(u, "hosts.refused", h->refused);
    cb(u, "hosts.events", h->events);
    cb(u, "hosts.suppressed_throttle", h->suppressed_throttle);
    cb(u, "hosts.suppressed_rule", h->suppressed_rule);
    cb(u, "hosts.evidence_full", h->evidence_full);
}

size_t hosts_memuse(const struct hosts *h)
{
    return sizeof *h + ((size_t)h->mask + 1) * sizeof(struct host *) +
           (size_t)h->count * (sizeof(struct host) + h->p.max_evidence * sizeof(struct host_ev));
}
