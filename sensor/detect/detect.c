/* detect.c - dissector dispatch and the alert decision.
 *
 * Design: each flow gets at most one dissector, chosen by probing the first bytes of
 * either direction (content, not ports, decides; the registry order breaks ties). The
 * dissector sees in-order bytes; what it does not consume is kept here, in a bounded
 * per-direction buffer, and offered again with the next bytes (dissectors/dissector.h).
 *
 * Evidence is merged per flow. A protocol seen from one side only is held for
 * confirm_hold so the other side's reply can confirm it: one alert per flow and
 * signature, severity 1 when both sides spoke the protocol, 2 for one side, 3 for a
 * suspicion. Names (DNS, SNI, Host, CONNECT) are matched against the active rule set;
 * answers for listed names teach the DNS-learned address table, and the first packet
 * of every flow is checked against listed and learned pool addresses.
 *
 * Per-flow state (the detect record, each dissector's state, merged evidence) comes from
 * block pools recycled through free lists, so once the busiest moment has been seen a
 * flow starting or ending mallocs nothing (tests/unit/test_noalloc.c). Their number is
 * bounded by the flow table's memcap: at most one record per live flow.
 */
#include "sensor/detect/detect.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/dissector.h"
#include "dissectors/dns.h"
#include "dissectors/http.h"
#include "dissectors/stratum.h"
#include "dissectors/sv2.h"
#include "dissectors/tls.h"
#include "rules/rules.h"
#include "sensor/detect/dnslearn.h"
#include "sensor/eve/eve.h"
#include "sensor/flow/flow.h"
#include "sensor/detect/geoip.h"
#include "sensor/detect/netset.h"
#include "core/pool.h"
#include "core/signatures.h"

/* Probe order: the most specific first-byte tests first. */
static const struct mw_dissector *const detect_registry[] = {
    &stratum_dissector, &http_dissector, &tls_dissector, &sv2_dissector, &dns_dissector,
};
#define DETECT_NDISS (sizeof detect_registry / sizeof detect_registry[0])
#define DETECT_MAX_ALERTED 8
#define DETECT_RESOLVERS 256

struct detect_buf {
    struct detect_buf *next_free;
    uint32_t len;
    uint8_t data[]; /* buffer_size bytes */
};

struct detect_flow {
    const struct mw_dissector *diss;
    void *dstate;              /* a block of state_pool[diss_i] */
    uint8_t diss_i;
    struct detect_buf *left[2];
    struct mw_evidence *pend;  /* merged protocol evidence not yet alerted */
    struct mw_evidence *info;  /* what the flow event and host verdicts learn after the alert */
    uint64_t pend_deadline_us;
    uint32_t alerted[DETECT_MAX_ALERTED];
    uint8_t nalerted;
    uint8_t probed;            /* bit per direction */
    uint8_t done;              /* nothing more to inspect */
    uint8_t miner_dir;
    uint8_t proto_alerted;
    enum mw_variant variant;
};

struct detect_counters {
    uint64_t flows_inspected, dissector_attached[DETECT_NDISS], dissector_malformed, buffer_overflow,
        buffer_exhausted, gaps, alerts, suppressed, allowlisted, names_seen, names_matched,
        crypto_general, pool_address, dns_learned_address, on_behalf, alloc_fail, reprobes,
        malformed_input;
};

struct detect {
    struct detect_params p;
    struct eve *eve;
    struct rules *const *rules;
    struct dnslearn *learn;
    detect_finding_fn on_finding;
    void *finding_user;
    /* Hosts seen serving DNS on port 53: their own lookups are made on behalf of clients. */
    struct mw_addr resolvers[DETECT_RESOLVERS];
    unsigned nresolvers, resolver_next;
    struct detect_buf *free_bufs;
    uint32_t bufs_in_use;
    struct mw_pool *flow_pool, *ev_pool, *state_pool[DETECT_NDISS];
    uint64_t live_flows;
    struct detect_counters c;
};

/* What an emit callback needs to know: kept on the stack for the duration of one feed. */
struct detect_call {
    struct detect *d;
    struct mw_flow *f;
    struct detect_flow *df;
};

void detect_params_default(struct detect_params *p)
{
    memset(p, 0, sizeof *p);
    p->buffer_size = 16384;
    p->max_buffers = 4096;
    p->confirm_hold_us = 30000000;
}

struct detect *detect_new(const struct detect_params *p, struct eve *eve, struct rules *const *rules,
                          struct dnslearn *learn, detect_finding_fn on_finding, void *finding_user)
{
    struct detect *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->p = *p;
    if (d->p.buffer_size < 1024)
        d->p.buffer_size = 1024;
    d->eve = eve;
    d->rules = rules;
    d->learn = learn;
    d->on_finding = on_finding;
    d->finding_user = finding_user;
    d->flow_pool = pool_new(sizeof(struct detect_flow), 0);
    d->ev_pool = pool_new(sizeof(struct mw_evidence), 0);
    int ok = d->flow_pool && d->ev_pool;
    for (size_t i = 0; i < DETECT_NDISS; i++) {
        size_t sz = detect_registry[i]->state_size;
        d->state_pool[i] = pool_new(sz ? sz : 1, 0);
        ok = ok && d->state_pool[i];
    }
    if (!ok) {
        detect_free(d);
        return NULL;
    }
    return d;
}

void detect_free(struct detect *d)
{
    if (!d)
        return;
    while (d->free_bufs) {
        struct detect_buf *b = d->free_bufs;
        d->free_bufs = b->next_free;
        free(b);
    }
    pool_free(d->flow_pool);
    pool_free(d->ev_pool);
    for (size_t i = 0; i < DETECT_NDISS; i++)
        pool_free(d->state_pool[i]);
    free(d);
}

/* Buffers are recycled through a free list: memory is taken once per concurrent partial
 * message, never per packet, and capped by max_buffers. */
static struct detect_buf *detect_buf_get(struct detect *d)
{
    struct detect_buf *b = d->free_bufs;
    if (b) {
        d->free_bufs = b->next_free;
    } else {
        if (d->bufs_in_use >= d->p.max_buffers) {
            d->c.buffer_exhausted++;
            return NULL;
        }
        b = malloc(sizeof *b + d->p.buffer_size);
        if (!b) {
            d->c.alloc_fail++;
            return NULL;
        }
    }
    d->bufs_in_use++;
    b->len = 0;
    b->next_free = NULL;
    return b;
}

static void detect_buf_put(struct detect *d, struct detect_buf *b)
{
    if (!b)
        return;
    d->bufs_in_use--;
    b->next_free = d->free_bufs;
    d->free_bufs = b;
}

static struct detect_flow *detect_flow_get(struct detect *d, struct mw_flow *f)
{
    if (f->detect)
        return f->detect;
    struct detect_flow *df = pool_get(d->flow_pool);
    if (!df) {
        d->c.alloc_fail++;
        return NULL;
    }
    memset(df, 0, sizeof *df);
    f->detect = df;
    d->live_flows++;
    return df;
}

static int detect_already(const struct detect_flow *df, uint32_t sid)
{
    for (unsigned i = 0; i < df->nalerted; i++)
        if (df->alerted[i] == sid)
            return 1;
    return 0;
}

/* Fill the empty fields of dst from src; a specific dialect wins over plain stratum1. */
static void detect_merge(struct mw_evidence *dst, const struct mw_evidence *src)
{
    /* Generic first impressions give way to the specific dialect: plain Stratum V1 to
     * a Stratum dialect, HTTP getwork signals (headers) to a getblocktemplate body. */
    int upgrade = dst->variant == MW_VAR_NONE ||
                  (src->kind == MW_EV_PROTOCOL && !src->suspicion && src->variant != dst->variant &&
                   (dst->variant == MW_VAR_STRATUM1 || (dst->variant == MW_VAR_GETWORK && src->variant == MW_VAR_GBT)));
    if (upgrade) {
        dst->variant = src->variant;
        dst->sid = src->sid;
    } else if (!dst->sid || dst->suspicion > src->suspicion) {
        dst->sid = src->sid;
    }
    dst->sides |= src->sides;
    if (src->confidence > dst->confidence)
        dst->confidence = src->confidence;
    if (!src->suspicion)
        dst->suspicion = 0;
#define MERGE_FIELD(x)                                   \
    if (!dst->x[0] && src->x[0])                         \
        memcpy(dst->x, src->x, sizeof dst->x);
    MERGE_FIELD(method)
    MERGE_FIELD(agent)
    MERGE_FIELD(worker)
    MERGE_FIELD(algo)
    MERGE_FIELD(pool_host)
    MERGE_FIELD(coin)
#undef MERGE_FIELD
}

/* The single place that decides whether a finding becomes an alert line. */
static void detect_raise(struct detect *d, struct mw_flow *f, struct detect_flow *df,
                         const struct mw_evidence *ev, uint32_t sid, uint8_t severity, int miner_dir,
                         uint64_t ts_us, uint8_t on_behalf)
{
    if (detect_already(df, sid))
        return;
    if (df->nalerted < DETECT_MAX_ALERTED)
        df->alerted[df->nalerted++] = sid;
    const struct rules *r = *d->rules;
    struct detect_finding fd = { f, ev, miner_dir, sid, severity, on_behalf, 0, ts_us, 0 };
    if (r && rules_allowed(r, &f->addr[miner_dir], ev->pool_host[0] ? ev->pool_host : NULL)) {
        fd.allowlisted = 1;
        d->c.allowlisted++;
    }
    uint32_t repeats = 0;
    int write = 1;
    if (d->on_finding)
        write = d->on_finding(d->finding_user, &fd, &repeats);
    if (fd.allowlisted || !write) {
        if (!fd.allowlisted)
            d->c.suppressed++;
        return;
    }
    struct eve_alert a = { 0 };
    a.flow = f;
    a.ev = ev;
    a.sid = sid;
    a.severity = severity;
    a.miner_dir = miner_dir;
    a.ts_us = ts_us;
    a.repeats = repeats;
    if (on_behalf)
        a.resolver_note = ev->variant == MW_VAR_DNS ? "asked by a DNS server on behalf of its clients"
                                                    : "requested by a configured proxy on behalf of its clients";
    struct geoip_result geo;
    if (d->p.geoip && geoip_lookup(d->p.geoip, &f->addr[!miner_dir], &geo)) {
        a.geo_country = geo.country[0] ? geo.country : NULL;
        a.geo_city = geo.city[0] ? geo.city : NULL;
        a.geo_as_org = geo.as_org[0] ? geo.as_org : NULL;
        a.geo_asn = geo.asn;
    }
    f->alerted = 1;
    df->miner_dir = (uint8_t)miner_dir;
    if (df->variant == MW_VAR_NONE || ev->kind == MW_EV_PROTOCOL)
        df->variant = ev->variant;
    d->c.alerts++;
    eve_alert(d->eve, &a);
}

static void detect_flush_pending(struct detect *d, struct mw_flow *f, struct detect_flow *df, uint64_t ts_us)
{
    struct mw_evidence *ev = df->pend;
    if (!ev)
        return;
    df->pend = NULL;
    int both = (ev->sides & MW_SIDE_CLIENT) && (ev->sides & MW_SIDE_SERVER);
    uint8_t sev = ev->suspicion ? 3 : both ? 1 : 2;
    uint32_t sid = ev->sid ? ev->sid : mw_signature_for_variant(ev->variant);
    df->proto_alerted = 1;
    detect_raise(d, f, df, ev, sid, sev, ev->client_dir, ts_us, 0);
    /* Keep the merged record: the flow event and later host updates use it. */
    if (!df->info)
        df->info = ev;
    else
        pool_put(d->ev_pool, ev);
}

static void detect_protocol(struct detect *d, struct mw_flow *f, struct detect_flow *df,
                            const struct mw_evidence *ev, uint64_t ts_us)
{
    if (df->proto_alerted) {
        if (!df->info)
            return;
        struct mw_evidence before = *df->info;
        detect_merge(df->info, ev);
        /* A worker or agent learned after the alert still belongs in the host's record. */
        if (d->on_finding && (strcmp(before.worker, df->info->worker) != 0 ||
                              strcmp(before.agent, df->info->agent) != 0)) {
            struct detect_finding fd = { f, df->info, df->info->client_dir,
                                         df->info->sid ? df->info->sid : mw_signature_for_variant(df->info->variant),
                                         0, 0, 0, ts_us, 1 };
            uint32_t repeats;
            d->on_finding(d->finding_user, &fd, &repeats);
        }
        return;
    }
    if (!df->pend) {
        df->pend = pool_get(d->ev_pool);
        if (!df->pend) {
            d->c.alloc_fail++;
            return;
        }
        *df->pend = *ev;
        df->pend->dns = NULL;
        df->pend->tls = NULL;
        df->pend_deadline_us = ts_us + d->p.confirm_hold_us;
    } else {
        detect_merge(df->pend, ev);
    }
    const struct mw_evidence *p = df->pend;
    if (p->suspicion || ((p->sides & MW_SIDE_CLIENT) && (p->sides & MW_SIDE_SERVER)))
        detect_flush_pending(d, f, df, ts_us);
}

/* The rule list's signature for this kind of name; a CONNECT to a pool has its own. */
static uint32_t detect_name_sid(const struct mw_evidence *ev, const struct rules_match *m)
{
    switch (ev->variant) {
    case MW_VAR_DNS: return m->sid_dns;
    case MW_VAR_TLS_SNI: return m->sid_tls_sni;
    case MW_VAR_HTTP_HOST:
        if (strcmp(ev->method, "CONNECT") == 0 && m->category == RULES_CAT_MINING_POOL)
            return MW_SID_HTTP_CONNECT_POOL;
        return m->sid_http_host;
    default: return 0;
    }
}

static int detect_is_resolver(const struct detect *d, const struct mw_addr *a)
{
    for (unsigned i = 0; i < d->nresolvers; i++)
        if (memcmp(&d->resolvers[i], a, sizeof *a) == 0)
            return 1;
    return 0;
}

/* Remember the server side of a DNS exchange (bounded, oldest replaced first). */
static void detect_learn_resolver(struct detect *d, const struct mw_addr *a)
{
    if (detect_is_resolver(d, a))
        return;
    d->resolvers[d->resolver_next] = *a;
    d->resolver_next = (d->resolver_next + 1) % DETECT_RESOLVERS;
    if (d->nresolvers < DETECT_RESOLVERS)
        d->nresolvers++;
}

/* A DNS answer for a listed name: remember every address it maps to. */
static void detect_learn_answers(struct detect *d, const struct mw_dns_record *rec,
                                 const char *pool_name, uint64_t ts_us)
{
    if (!d->learn || !rec->qr)
        return;
    for (unsigned i = 0; i < rec->answer_count; i++) {
        const struct dns_answer *a = &rec->answers[i];
        if (a->type != DNS_TYPE_A && a->type != DNS_TYPE_AAAA)
            continue;
        dnslearn_add(d->learn, &a->addr, pool_name, a->ttl, ts_us);
        d->c.dns_learned_address++;
    }
}

static void detect_name(struct detect *d, struct mw_flow *f, struct detect_flow *df,
                        const struct mw_evidence *ev, uint64_t ts_us)
{
    const struct rules *r = *d->rules;
    d->c.names_seen++;
    if (ev->variant == MW_VAR_DNS && f->port[!ev->client_dir] == 53)
        detect_learn_resolver(d, &f->addr[!ev->client_dir]);
    if (!r || !ev->pool_host[0])
        return;
    struct rules_match m;
    const char *matched = ev->pool_host;
    int hit = rules_match_name(r, ev->pool_host, strlen(ev->pool_host), &m);
    /* A CNAME chain can lead from an innocent-looking alias to a pool name. */
    if (!hit && ev->dns) {
        for (unsigned i = 0; i < ev->dns->answer_count && !hit; i++) {
            const struct dns_answer *a = &ev->dns->answers[i];
            if (a->target[0] && rules_match_name(r, a->target, strlen(a->target), &m)) {
                hit = 1;
                matched = a->target;
            }
        }
    }
    if (!hit)
        return;
    if (!m.alert) {
        d->c.crypto_general++; /* exchanges and wallets: context, never a mining alert */
        return;
    }
    d->c.names_matched++;
    if (ev->dns)
        detect_learn_answers(d, ev->dns, matched, ts_us);
    struct mw_evidence out = *ev;
    mw_ev_set(out.list_name, sizeof out.list_name, m.list, strlen(m.list));
    mw_ev_set(out.list_category, sizeof out.list_category, m.category_name, strlen(m.category_name));
    if (matched != ev->pool_host)
        mw_ev_set(out.pool_host, sizeof out.pool_host, matched, strlen(matched));
    uint8_t sev = ev->variant == MW_VAR_DNS ? 3 : 2;
    uint32_t sid = detect_name_sid(ev, &m);
    if (!sid)
        return;
    const struct netset *helpers = ev->variant == MW_VAR_DNS ? d->p.dns_servers : d->p.proxies;
    uint8_t on_behalf = (helpers && netset_contains(helpers, &f->addr[ev->client_dir])) ||
                        (ev->variant == MW_VAR_DNS && detect_is_resolver(d, &f->addr[ev->client_dir]));
    if (on_behalf)
        d->c.on_behalf++;
    if (!out.confidence)
        out.confidence = ev->variant == MW_VAR_DNS ? 30 : 60;
    detect_raise(d, f, df, &out, sid, sev, ev->client_dir, ts_us, on_behalf);
}

static void detect_emit(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    struct detect_call *call = ctx->sink;
    if (ev->kind == MW_EV_NAME)
        detect_name(call->d, call->f, call->df, ev, ctx->ts_us);
    else
        detect_protocol(call->d, call->f, call->df, ev, ctx->ts_us);
}

static void detect_ctx(struct mw_dctx *ctx, struct detect_call *call, uint64_t ts_us)
{
    struct mw_flow *f = call->f;
    memset(ctx, 0, sizeof *ctx);
    ctx->ts_us = ts_us;
    ctx->port[MW_DIR_FWD] = f->port[MW_DIR_FWD];
    ctx->port[MW_DIR_REV] = f->port[MW_DIR_REV];
    ctx->handshake_seen = f->handshake_seen;
    ctx->app = &f->app;
    ctx->emit = detect_emit;
    ctx->sink = call;
    /* One sensor-wide counter: a per-flow one died with the flow and never reached stats. */
    ctx->malformed = &call->d->c.malformed_input;
}

static void detect_detach(struct detect *d, struct detect_flow *df, struct mw_dctx *ctx)
{
    if (df->diss && df->diss->fini)
        df->diss->fini(df->dstate, ctx);
    pool_put(d->state_pool[df->diss_i], df->dstate);
    df->dstate = NULL;
    df->diss = NULL;
    df->done = 1;
    for (int i = 0; i < 2; i++) {
        detect_buf_put(d, df->left[i]);
        df->left[i] = NULL;
    }
}

static void detect_after_feed(struct detect *d, struct mw_flow *f, struct detect_flow *df, struct mw_dctx *ctx)
{
    if (ctx->keep_following)
        f->keep_following = 1;
    if (ctx->closed && df->diss)
        detect_detach(d, df, ctx);
}

static void detect_probe(struct detect *d, struct mw_flow *f, struct detect_flow *df, int dir,
                         const uint8_t *data, size_t len, uint8_t transport, struct mw_dctx *ctx)
{
    const struct mw_dissector *maybe = NULL;
    size_t maybe_i = 0;
    df->probed |= (uint8_t)(1u << dir);
    for (size_t i = 0; i < DETECT_NDISS; i++) {
        const struct mw_dissector *ds = detect_registry[i];
        if (!(ds->transports & transport))
            continue;
        int r = ds->probe(data, len, dir, ctx);
        if (r == MW_PROBE_YES) {
            maybe = ds;
            maybe_i = i;
            break;
        }
        if (r == MW_PROBE_MAYBE && !maybe) {
            maybe = ds;
            maybe_i = i;
        }
    }
    if (!maybe) {
        if (df->probed == 3 || transport == MW_TRANSPORT_UDP)
            df->done = 1;
        return;
    }
    df->dstate = pool_get(d->state_pool[maybe_i]);
    if (!df->dstate) {
        d->c.alloc_fail++;
        df->done = 1;
        return;
    }
    memset(df->dstate, 0, maybe->state_size ? maybe->state_size : 1);
    df->diss_i = (uint8_t)maybe_i;
    if (maybe->init)
        maybe->init(df->dstate);
    df->diss = maybe;
    d->c.dissector_attached[maybe_i]++;
    f->app.app_proto = maybe->name; /* ours wins over a label nDPI may have given earlier */
}

/* Offer bytes to the dissector until it stops consuming; returns bytes consumed, or -1 when it detached. */
static long detect_consume(struct detect *d, struct detect_flow *df, struct mw_dctx *ctx, int dir,
                           const uint8_t *data, size_t len)
{
    size_t off = 0;
    while (off < len && df->diss) {
        long c = df->diss->feed(df->dstate, ctx, dir, data + off, len - off);
        if (c < 0) {
            d->c.dissector_malformed++;
            detect_detach(d, df, ctx);
            return -1;
        }
        if (c == 0)
            break;
        off += (size_t)c > len - off ? len - off : (size_t)c;
        if (ctx->closed || ctx->reprobe)
            break;
    }
    return (long)off;
}

static void detect_overflow(struct detect *d, struct detect_flow *df, struct mw_dctx *ctx, int dir)
{
    d->c.buffer_overflow++;
    if (df->left[dir])
        df->left[dir]->len = 0;
    if (df->diss && df->diss->gap)
        df->diss->gap(df->dstate, ctx, dir);
}

static void detect_feed(struct detect *d, struct detect_flow *df, int dir,
                        const uint8_t *data, size_t len, struct mw_dctx *ctx)
{
    struct detect_buf *b = df->left[dir];
    const uint32_t cap = d->p.buffer_size;
    if (!b || b->len == 0) {
        long c = detect_consume(d, df, ctx, dir, data, len);
        if (c < 0 || !df->diss)
            return;
        data += c;
        len -= (size_t)c;
        if (len == 0)
            return;
        if (len >= cap) { /* a message longer than we keep: count it, resynchronise */
            detect_overflow(d, df, ctx, dir);
            return;
        }
        if (!b && !(b = df->left[dir] = detect_buf_get(d))) {
            detect_overflow(d, df, ctx, dir);
            return;
        }
        memcpy(b->data, data, len);
        b->len = (uint32_t)len;
        return;
    }
    while (len > 0 && df->diss) {
        size_t n = cap - b->len < len ? cap - b->len : len;
        memcpy(b->data + b->len, data, n);
        b->len += (uint32_t)n;
        data += n;
        len -= n;
        long c = detect_consume(d, df, ctx, dir, b->data, b->len);
        if (c < 0 || !df->diss)
            return;
        if ((size_t)c < b->len)
            memmove(b->data, b->data + c, b->len - (size_t)c);
        b->len -= (uint32_t)c;
        if (b->len == cap) /* full and nothing consumed */
            detect_overflow(d, df, ctx, dir);
    }
    if (b->len == 0) {
        detect_buf_put(d, b);
        df->left[dir] = NULL;
    }
}

static void detect_check_pending(struct detect *d, struct mw_flow *f, struct detect_flow *df, uint64_t ts_us)
{
    if (df->pend && ts_us >= df->pend_deadline_us)
        detect_flush_pending(d, f, df, ts_us);
}

/* The owning dissector handed the stream on (CONNECT tunnel): detach it and probe what
 * follows as a new stream. Bytes already kept for this direction are the tunnel's first. */
static void detect_reprobe(struct detect *d, struct mw_flow *f, struct detect_flow *df, int dir,
                           struct mw_dctx *ctx)
{
    struct detect_buf *rest = df->left[dir];
    df->left[dir] = NULL;
    detect_detach(d, df, ctx);
    df->done = 0;
    df->probed = 0;
    f->app.app_proto = NULL;
    d->c.reprobes++;
    if (rest && rest->len) {
        struct mw_dctx c2;
        struct detect_call call = { d, f, df };
        detect_ctx(&c2, &call, ctx->ts_us);
        detect_probe(d, f, df, dir, rest->data, rest->len, MW_TRANSPORT_TCP, &c2);
        if (df->diss) {
            detect_feed(d, df, dir, rest->data, rest->len, &c2);
            detect_after_feed(d, f, df, &c2);
        }
    }
    detect_buf_put(d, rest);
}

void detect_stream_data(void *user, struct mw_flow *f, int dir, const uint8_t *data, size_t len, uint64_t ts_us)
{
    struct detect *d = user;
    struct detect_flow *df = detect_flow_get(d, f);
    if (!df || len == 0)
        return;
    detect_check_pending(d, f, df, ts_us);
    if (df->done)
        return;
    struct detect_call call = { d, f, df };
    struct mw_dctx ctx;
    detect_ctx(&ctx, &call, ts_us);
    if (!df->diss) {
        if (df->probed & (1u << dir))
            return;
        if (!df->probed)
            d->c.flows_inspected++;
        detect_probe(d, f, df, dir, data, len, MW_TRANSPORT_TCP, &ctx);
        if (!df->diss)
            return;
    }
    detect_feed(d, df, dir, data, len, &ctx);
    if (ctx.reprobe && df->diss) {
        detect_reprobe(d, f, df, dir, &ctx);
        return;
    }
    detect_after_feed(d, f, df, &ctx);
}

void detect_stream_gap(void *user, struct mw_flow *f, int dir, uint32_t lost)
{
    struct detect *d = user;
    struct detect_flow *df = f->detect;
    d->c.gaps++;
    if (!df || !df->diss)
        return;
    struct detect_call call = { d, f, df };
    struct mw_dctx ctx;
    detect_ctx(&ctx, &call, f->last_ts_us);
    if (df->left[dir])
        df->left[dir]->len = 0;
    if (df->diss->gap)
        df->diss->gap(df->dstate, &ctx, dir);
    (void)lost;
}

/* The first packet of a flow: is the responder a listed or DNS-learned pool address? */
static void detect_check_address(struct detect *d, struct mw_flow *f, const struct mw_packet *p)
{
    const struct rules *r = *d->rules;
    if (!r || f->port[MW_DIR_REV] == 53)
        return;
    struct rules_match m;
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_NAME;
    ev.variant = MW_VAR_POOL_ADDRESS;
    ev.client_dir = MW_DIR_FWD;
    ev.sides = MW_SIDE_CLIENT;
    uint32_t sid = 0;
    if (rules_match_addr(r, &f->addr[MW_DIR_REV], f->port[MW_DIR_REV], &m) && m.alert && m.sid_addr) {
        mw_ev_set(ev.list_name, sizeof ev.list_name, m.list, strlen(m.list));
        mw_ev_set(ev.list_category, sizeof ev.list_category, m.category_name, strlen(m.category_name));
        sid = m.sid_addr;
        ev.confidence = 60;
        d->c.pool_address++;
    } else if (d->learn && dnslearn_lookup(d->learn, &f->addr[MW_DIR_REV], p->ts_us, ev.pool_host,
                                           sizeof ev.pool_host)) {
        mw_ev_set(ev.list_name, sizeof ev.list_name, "dns-learned", 11);
        mw_ev_set(ev.list_category, sizeof ev.list_category, "mining-pool", 11);
        sid = MW_SID_DNS_LEARNED_ADDRESS;
        ev.confidence = 50;
        d->c.pool_address++;
    }
    if (!sid)
        return;
    struct detect_flow *df = detect_flow_get(d, f);
    if (!df)
        return;
    detect_raise(d, f, df, &ev, sid, 2, MW_DIR_FWD, p->ts_us, 0);
}

void detect_packet(struct detect *d, struct mw_flow *f, int dir, const struct mw_packet *p)
{
    if (f->pkts[0] + f->pkts[1] == 1 && (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP))
        detect_check_address(d, f, p);
    struct detect_flow *df = f->detect;
    if (df)
        detect_check_pending(d, f, df, p->ts_us);
    if (p->proto != IPPROTO_UDP || p->payload_len == 0)
        return;
    if (!df && !(df = detect_flow_get(d, f)))
        return;
    if (df->done)
        return;
    struct detect_call call = { d, f, df };
    struct mw_dctx ctx;
    detect_ctx(&ctx, &call, p->ts_us);
    if (!df->diss) {
        d->c.flows_inspected++;
        detect_probe(d, f, df, dir, p->payload, p->payload_len, MW_TRANSPORT_UDP, &ctx);
        if (!df->diss)
            return;
    }
    if (df->diss->feed(df->dstate, &ctx, dir, p->payload, p->payload_len) < 0)
        d->c.dissector_malformed++;
    detect_after_feed(d, f, df, &ctx);
}

void detect_flow_end(struct detect *d, struct mw_flow *f, const char *reason, uint64_t ts_us)
{
    struct detect_flow *df = f->detect;
    if (!df)
        return;
    struct detect_call call = { d, f, df };
    struct mw_dctx ctx;
    detect_ctx(&ctx, &call, ts_us);
    if (df->diss)
        detect_detach(d, df, &ctx);
    detect_flush_pending(d, f, df, ts_us);
    if (f->alerted)
        eve_flow(d->eve, f, df->miner_dir, df->variant, df->info, reason, ts_us);
    pool_put(d->ev_pool, df->pend);
    pool_put(d->ev_pool, df->info);
    pool_put(d->flow_pool, df);
    f->detect = NULL;
    d->live_flows--;
}

void detect_stats_foreach(const struct detect *d, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    cb(u, "detect.flows_inspected", d->c.flows_inspected);
    for (size_t i = 0; i < DETECT_NDISS; i++) {
        char name[64];
        snprintf(name, sizeof name, "detect.attached_%s", detect_registry[i]->name);
        cb(u, name, d->c.dissector_attached[i]);
    }
    cb(u, "detect.dissector_malformed", d->c.dissector_malformed);
    cb(u, "detect.malformed_input", d->c.malformed_input);
    cb(u, "detect.buffer_overflow", d->c.buffer_overflow);
    cb(u, "detect.buffer_exhausted", d->c.buffer_exhausted);
    cb(u, "detect.gaps", d->c.gaps);
    cb(u, "detect.alerts", d->c.alerts);
    cb(u, "detect.suppressed", d->c.suppressed);
    cb(u, "detect.allowlisted", d->c.allowlisted);
    cb(u, "detect.names_seen", d->c.names_seen);
    cb(u, "detect.names_matched", d->c.names_matched);
    cb(u, "detect.crypto_general", d->c.crypto_general);
    cb(u, "detect.pool_address", d->c.pool_address);
    cb(u, "detect.dns_learned_address", d->c.dns_learned_address);
    cb(u, "detect.on_behalf", d->c.on_behalf);
    cb(u, "detect.alloc_fail", d->c.alloc_fail);
    cb(u, "detect.reprobes", d->c.reprobes);
    cb(u, "detect.buffers_in_use", d->bufs_in_use);
}

size_t detect_memuse(const struct detect *d)
{
    /* Pools keep their chunks after the flows end: what they hold is what the process uses. */
    size_t pools = pool_allocated(d->flow_pool) + pool_allocated(d->ev_pool);
    for (size_t i = 0; i < DETECT_NDISS; i++)
        pools += pool_allocated(d->state_pool[i]);
    return sizeof *d + (size_t)d->bufs_in_use * (sizeof(struct detect_buf) + d->p.buffer_size) + pools;
}
