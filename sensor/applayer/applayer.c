/* applayer.c - dissector registry, probing, per-flow dissector state and leftover buffers.
 *
 * Design: each flow gets at most one dissector, chosen by probing the first bytes of
 * either direction (content, not ports, decides; the registry order breaks ties). The
 * dissector sees in-order bytes; what it does not consume is kept here, in a bounded
 * per-direction buffer, and offered again with the next bytes (dissectors/dissector.h).
 * A dissector that sets ctx->reprobe (an HTTP CONNECT or SOCKS tunnel opened, a PROXY
 * protocol header read) is detached and the bytes after it are probed afresh as a new
 * stream: both directions' kept bytes, then the rest of the packet that opened the tunnel.
 *
 * Dissector state comes from one block pool per registry entry and buffers from a free
 * list, so once the busiest moment has been seen a flow starting or ending mallocs nothing
 * (tests/unit/test_noalloc.c). Buffers are capped by max_buffers; state blocks by the flow
 * table's memcap (at most one per live flow).
 */
#include "sensor/applayer/applayer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "dissectors/dissector.h"
#include "dissectors/dns.h"
#include "dissectors/http.h"
#include "dissectors/proxyproto.h"
#include "dissectors/socks.h"
#include "dissectors/stratum.h"
#include "dissectors/sv2.h"
#include "dissectors/tls.h"
#include "sensor/flow/flow.h"

/* Probe order: the most specific first-byte tests first. The proxies come before Stratum V2,
 * whose probe says "maybe" to any short first message, so a SOCKS greeting's first byte
 * alone goes to the SOCKS dissector. */
static const struct mw_dissector *const applayer_registry[] = {
    &stratum_dissector, &http_dissector, &socks_dissector, &proxyp_dissector, &tls_dissector,
    &sv2_dissector,     &dns_dissector,
};
#define APPLAYER_NDISS (sizeof applayer_registry / sizeof applayer_registry[0])
#define APPLAYER_MAX_EVENTS 16 /* named events per dissector */

struct applayer_buf {
    struct applayer_buf *next_free;
    uint32_t len;
    uint8_t data[]; /* buffer_size bytes */
};

struct applayer_counters {
    uint64_t flows_inspected, dissector_attached[APPLAYER_NDISS], dissector_malformed, buffer_overflow,
        buffer_exhausted, gaps, alloc_fail, reprobes, contract, body_refused;
    uint64_t events[APPLAYER_NDISS][APPLAYER_MAX_EVENTS]; /* app.<dissector>.<event> */
};

struct applayer {
    struct applayer_params p;
    applayer_emit_fn emit;
    void *user;
    struct applayer_buf *free_bufs;
    uint32_t bufs_in_use;
    struct mw_pool *state_pool[APPLAYER_NDISS];
    struct mw_pool *body_pool; /* MW_BODY_BLOCK blocks under body_memcap */
    struct applayer_counters c;
    struct mw_probe_memo memo;
    applayer_detach_fn on_detach;
    void *detach_user;
};

/* What the emit trampoline needs: kept on the stack for the duration of one feed. */
struct applayer_call {
    struct applayer *a;
    struct mw_flow *f;
};

struct applayer *applayer_new(const struct applayer_params *p, applayer_emit_fn emit, void *user)
{
    struct applayer *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->p = *p;
    if (a->p.buffer_size < 1024)
        a->p.buffer_size = 1024;
    a->emit = emit;
    a->user = user;
    if (!a->p.body_memcap)
        a->p.body_memcap = APPLAYER_BODY_MEMCAP_DEFAULT;
    a->body_pool = pool_new(MW_BODY_BLOCK, a->p.body_memcap);
    int ok = a->body_pool != NULL;
    for (size_t i = 0; i < APPLAYER_NDISS; i++) {
        ok = ok && applayer_registry[i]->nevents <= APPLAYER_MAX_EVENTS;
        size_t sz = applayer_registry[i]->state_size;
        a->state_pool[i] = pool_new(sz ? sz : 1, 0);
        ok = ok && a->state_pool[i];
    }
    if (!ok) {
        applayer_free(a);
        return NULL;
    }
    return a;
}

void applayer_free(struct applayer *a)
{
    if (!a)
        return;
    while (a->free_bufs) {
        struct applayer_buf *b = a->free_bufs;
        a->free_bufs = b->next_free;
        free(b);
    }
    for (size_t i = 0; i < APPLAYER_NDISS; i++)
        pool_free(a->state_pool[i]);
    pool_free(a->body_pool);
    free(a);
}

/* Buffers are recycled through a free list: memory is taken once per concurrent partial
 * message, never per packet, and capped by max_buffers. */
static struct applayer_buf *applayer_buf_get(struct applayer *a)
{
    struct applayer_buf *b = a->free_bufs;
    if (b) {
        a->free_bufs = b->next_free;
    } else {
        if (a->bufs_in_use >= a->p.max_buffers) {
            a->c.buffer_exhausted++;
            return NULL;
        }
        b = malloc(sizeof *b + a->p.buffer_size);
        if (!b) {
            a->c.alloc_fail++;
            return NULL;
        }
    }
    a->bufs_in_use++;
    b->len = 0;
    b->next_free = NULL;
    return b;
}

static void applayer_buf_put(struct applayer *a, struct applayer_buf *b)
{
    if (!b)
        return;
    a->bufs_in_use--;
    b->next_free = a->free_bufs;
    a->free_bufs = b;
}

static void applayer_emit(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    struct applayer_call *call = ctx->sink;
    if (call->a->emit)
        call->a->emit(call->a->user, call->f, ev, ctx->ts_us);
}

static void *applayer_body_get(struct mw_dctx *ctx)
{
    struct applayer_call *call = ctx->sink;
    void *b = pool_get(call->a->body_pool);
    if (!b)
        call->a->c.body_refused++;
    return b;
}

static void applayer_body_put(struct mw_dctx *ctx, void *block)
{
    struct applayer_call *call = ctx->sink;
    pool_put(call->a->body_pool, block);
}

static void applayer_ctx(struct mw_dctx *ctx, struct applayer_call *call, uint64_t ts_us)
{
    struct mw_flow *f = call->f;
    memset(ctx, 0, sizeof *ctx);
    ctx->ts_us = ts_us;
    ctx->port[MW_DIR_FWD] = f->port[MW_DIR_FWD];
    ctx->port[MW_DIR_REV] = f->port[MW_DIR_REV];
    ctx->handshake_seen = f->handshake_seen;
    ctx->app = &f->app;
    ctx->emit = applayer_emit;
    ctx->sink = call;
    ctx->memo = &call->a->memo;
    ctx->body_get = applayer_body_get;
    ctx->body_put = applayer_body_put;
    call->a->memo.owner = NULL;
}

/* Point the context's event counters at the attached dissector's: sensor-wide counters,
 * as a per-flow one would die with the flow and never reach stats. */
static void applayer_ctx_events(struct mw_dctx *ctx, struct applayer *a, const struct applayer_flow *af)
{
    if (af->diss) {
        ctx->events = a->c.events[af->diss_i];
        ctx->nevents = af->diss->nevents;
    } else {
        ctx->events = NULL;
        ctx->nevents = 0;
    }
}

static void applayer_detach(struct applayer *a, struct applayer_flow *af, struct mw_dctx *ctx)
{
    if (af->diss && af->diss->fini)
        af->diss->fini(af->dstate, ctx);
    if (af->diss && a->on_detach)
        a->on_detach(a->detach_user, af->dstate, af->diss->state_size);
    pool_put(a->state_pool[af->diss_i], af->dstate);
    af->dstate = NULL;
    af->diss = NULL;
    af->done = 1;
    af->need[0] = af->need[1] = 0;
    for (int i = 0; i < 2; i++) {
        applayer_buf_put(a, af->left[i]);
        af->left[i] = NULL;
    }
}

static void applayer_after_feed(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, struct mw_dctx *ctx)
{
    if (ctx->keep_following)
        f->keep_following = 1;
    if (ctx->closed && af->diss)
        applayer_detach(a, af, ctx);
}

static void applayer_attach_i(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, size_t i,
                              struct mw_dctx *ctx)
{
    const struct mw_dissector *ds = applayer_registry[i];
    af->dstate = pool_get(a->state_pool[i]);
    if (!af->dstate) {
        a->c.alloc_fail++;
        af->done = 1;
        return;
    }
    memset(af->dstate, 0, ds->state_size ? ds->state_size : 1);
    af->diss_i = (uint8_t)i;
    if (ds->init)
        ds->init(af->dstate);
    af->diss = ds;
    a->c.dissector_attached[i]++;
    f->app.app_proto = ds->name; /* ours wins over a label nDPI may have given earlier */
    applayer_ctx_events(ctx, a, af);
}

static void applayer_probe(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir,
                           const uint8_t *data, size_t len, uint8_t transport, struct mw_dctx *ctx)
{
    const struct mw_dissector *maybe = NULL;
    size_t maybe_i = 0;
    af->probed |= (uint8_t)(1u << dir);
    for (size_t i = 0; i < APPLAYER_NDISS; i++) {
        const struct mw_dissector *ds = applayer_registry[i];
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
        if (af->probed == 3 || transport == MW_TRANSPORT_UDP)
            af->done = 1;
        return;
    }
    applayer_attach_i(a, f, af, maybe_i, ctx);
}

/* Offer bytes to the dissector until it stops consuming; returns bytes consumed, or -1 when it detached. */
static long applayer_consume(struct applayer *a, struct applayer_flow *af, struct mw_dctx *ctx, int dir,
                             const uint8_t *data, size_t len)
{
    size_t off = 0;
    af->need[dir] = 0;
    while (off < len && af->diss) {
        ctx->need = 0;
        long c = af->diss->feed(af->dstate, ctx, dir, data + off, len - off);
        if (c < 0) {
            if (c != MW_FEED_MALFORMED)
                a->c.contract++;
            a->c.dissector_malformed++;
            applayer_detach(a, af, ctx);
            return -1;
        }
        if (c == 0) {
            if (ctx->need > len - off)
                af->need[dir] = ctx->need;
            break;
        }
        if ((size_t)c > len - off) { /* a dissector bug: never trust it past the bytes it has */
            a->c.contract++;
            c = (long)(len - off);
        }
        off += (size_t)c;
        if (ctx->closed || ctx->reprobe)
            break;
    }
    return (long)off;
}

static void applayer_overflow(struct applayer *a, struct applayer_flow *af, struct mw_dctx *ctx, int dir)
{
    a->c.buffer_overflow++;
    af->need[dir] = 0;
    if (af->left[dir])
        af->left[dir]->len = 0;
    if (af->diss && af->diss->gap)
        af->diss->gap(af->dstate, ctx, dir);
}

/* Bytes of this call the dissector never saw because it handed the stream on (ctx->reprobe):
 * they belong to the protocol behind it. */
struct applayer_tail {
    const uint8_t *p;
    size_t len;
};

static void applayer_feed(struct applayer *a, struct applayer_flow *af, int dir,
                          const uint8_t *data, size_t len, struct mw_dctx *ctx, struct applayer_tail *tail)
{
    struct applayer_buf *b = af->left[dir];
    const uint32_t cap = a->p.buffer_size;
    tail->p = NULL;
    tail->len = 0;
    if (!b || b->len == 0) {
        long c = applayer_consume(a, af, ctx, dir, data, len);
        if (c < 0 || !af->diss)
            return;
        data += c;
        len -= (size_t)c;
        if (len == 0)
            return;
        if (ctx->reprobe) {
            tail->p = data;
            tail->len = len;
            return;
        }
        if (len >= cap || af->need[dir] > cap) { /* a message longer than we keep: count it, resynchronise */
            applayer_overflow(a, af, ctx, dir);
            return;
        }
        if (!b && !(b = af->left[dir] = applayer_buf_get(a))) {
            applayer_overflow(a, af, ctx, dir);
            return;
        }
        memcpy(b->data, data, len);
        b->len = (uint32_t)len;
        return;
    }
    while (len > 0 && af->diss) {
        if (ctx->reprobe) {
            tail->p = data;
            tail->len = len;
            break;
        }
        size_t n = cap - b->len < len ? cap - b->len : len;
        memcpy(b->data + b->len, data, n);
        b->len += (uint32_t)n;
        data += n;
        len -= n;
        if (b->len < af->need[dir])
            continue; /* the dissector said how much it needs: no point offering less */
        long c = applayer_consume(a, af, ctx, dir, b->data, b->len);
        if (c < 0 || !af->diss)
            return;
        if ((size_t)c < b->len)
            memmove(b->data, b->data + c, b->len - (size_t)c);
        b->len -= (uint32_t)c;
        if (b->len == cap || af->need[dir] > cap) /* full and nothing consumed, or never will be */
            applayer_overflow(a, af, ctx, dir);
    }
    if (b->len == 0) {
        applayer_buf_put(a, b);
        af->left[dir] = NULL;
    }
}

/* Probe and feed bytes of a stream whose previous dissector stepped aside. */
static void applayer_restart(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir,
                             const uint8_t *data, size_t len, uint64_t ts_us)
{
    if (len == 0 || af->done)
        return;
    struct mw_dctx c2;
    struct applayer_call call = { a, f };
    applayer_ctx(&c2, &call, ts_us);
    if (!af->diss) {
        if (af->probed & (1u << dir))
            return;
        applayer_probe(a, f, af, dir, data, len, MW_TRANSPORT_TCP, &c2);
        if (!af->diss)
            return;
    }
    struct applayer_tail tail;
    applayer_feed(a, af, dir, data, len, &c2, &tail);
    if (c2.reprobe && af->diss) /* a second hand-over within the kept bytes is not followed */
        applayer_detach(a, af, &c2);
    applayer_after_feed(a, f, af, &c2);
}

/* The owning dissector handed the stream on (a CONNECT or SOCKS tunnel opened, a PROXY
 * header ended): detach it and probe what follows as a new stream. The bytes kept for the
 * other direction arrived before this packet, so they go first; then this direction's kept
 * bytes, then the rest of this packet. */
static void applayer_reprobe(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir,
                             struct mw_dctx *ctx, const struct applayer_tail *tail)
{
    struct applayer_buf *rest = af->left[dir], *other = af->left[!dir];
    af->left[dir] = af->left[!dir] = NULL;
    applayer_detach(a, af, ctx);
    af->done = 0;
    af->probed = 0;
    f->app.app_proto = NULL;
    a->c.reprobes++;
    if (other)
        applayer_restart(a, f, af, !dir, other->data, other->len, ctx->ts_us);
    if (rest)
        applayer_restart(a, f, af, dir, rest->data, rest->len, ctx->ts_us);
    if (tail->len)
        applayer_restart(a, f, af, dir, tail->p, tail->len, ctx->ts_us);
    applayer_buf_put(a, other);
    applayer_buf_put(a, rest);
}

void applayer_stream_data(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir,
                          const uint8_t *data, size_t len, uint64_t ts_us)
{
    if (af->done || len == 0)
        return;
    struct applayer_call call = { a, f };
    struct mw_dctx ctx;
    applayer_ctx(&ctx, &call, ts_us);
    applayer_ctx_events(&ctx, a, af);
    if (!af->diss) {
        if (af->probed & (1u << dir))
            return;
        if (!af->probed)
            a->c.flows_inspected++;
        applayer_probe(a, f, af, dir, data, len, MW_TRANSPORT_TCP, &ctx);
        if (!af->diss)
            return;
    }
    struct applayer_tail tail;
    applayer_feed(a, af, dir, data, len, &ctx, &tail);
    if (ctx.reprobe && af->diss) {
        applayer_reprobe(a, f, af, dir, &ctx, &tail);
        return;
    }
    applayer_after_feed(a, f, af, &ctx);
}

void applayer_stream_gap(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir)
{
    a->c.gaps++;
    if (!af || !af->diss)
        return;
    struct applayer_call call = { a, f };
    struct mw_dctx ctx;
    applayer_ctx(&ctx, &call, f->last_ts_us);
    applayer_ctx_events(&ctx, a, af);
    af->need[dir] = 0;
    if (af->left[dir])
        af->left[dir]->len = 0;
    if (af->diss->gap)
        af->diss->gap(af->dstate, &ctx, dir);
}

void applayer_datagram(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir,
                       const uint8_t *data, size_t len, uint64_t ts_us)
{
    if (af->done || len == 0)
        return;
    struct applayer_call call = { a, f };
    struct mw_dctx ctx;
    applayer_ctx(&ctx, &call, ts_us);
    applayer_ctx_events(&ctx, a, af);
    if (!af->diss) {
        a->c.flows_inspected++;
        applayer_probe(a, f, af, dir, data, len, MW_TRANSPORT_UDP, &ctx);
        if (!af->diss)
            return;
    }
    if (af->diss->feed(af->dstate, &ctx, dir, data, len) < 0)
        a->c.dissector_malformed++;
    applayer_after_feed(a, f, af, &ctx);
}

void applayer_flow_end(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, uint64_t ts_us)
{
    if (!af->diss)
        return;
    struct applayer_call call = { a, f };
    struct mw_dctx ctx;
    applayer_ctx(&ctx, &call, ts_us);
    applayer_ctx_events(&ctx, a, af);
    applayer_detach(a, af, &ctx);
}

int applayer_attach(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, const struct mw_dissector *d)
{
    for (size_t i = 0; i < APPLAYER_NDISS; i++) {
        if (applayer_registry[i] != d)
            continue;
        struct applayer_call call = { a, f };
        struct mw_dctx ctx;
        applayer_ctx(&ctx, &call, f->last_ts_us);
        af->probed = 3;
        applayer_attach_i(a, f, af, i, &ctx);
        return af->diss ? 0 : -1;
    }
    return -1;
}

void applayer_set_detach_hook(struct applayer *a, applayer_detach_fn fn, void *user)
{
    a->on_detach = fn;
    a->detach_user = user;
}

size_t applayer_flow_buffered(const struct applayer_flow *af, int dir)
{
    return af->left[dir ? 1 : 0] ? af->left[dir ? 1 : 0]->len : 0;
}

uint64_t applayer_alloc_failures(const struct applayer *a)
{
    return a->c.alloc_fail;
}

void applayer_stats_foreach(const struct applayer *a, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    cb(u, "detect.flows_inspected", a->c.flows_inspected);
    for (size_t i = 0; i < APPLAYER_NDISS; i++) {
        char name[64];
        snprintf(name, sizeof name, "detect.attached_%s", applayer_registry[i]->name);
        cb(u, name, a->c.dissector_attached[i]);
    }
    cb(u, "detect.dissector_malformed", a->c.dissector_malformed);
    cb(u, "detect.buffer_overflow", a->c.buffer_overflow);
    cb(u, "detect.buffer_exhausted", a->c.buffer_exhausted);
    cb(u, "detect.gaps", a->c.gaps);
    cb(u, "detect.reprobes", a->c.reprobes);
    cb(u, "detect.buffers_in_use", a->bufs_in_use);
    cb(u, "detect.feed_contract", a->c.contract);
    cb(u, "detect.body_refused", a->c.body_refused);
    cb(u, "detect.body_blocks_in_use", pool_in_use(a->body_pool));
    for (size_t i = 0; i < APPLAYER_NDISS; i++) {
        const struct mw_dissector *ds = applayer_registry[i];
        for (unsigned e = 0; e < ds->nevents; e++) {
            char name[96];
            snprintf(name, sizeof name, "app.%s.%s", ds->name, ds->events[e]);
            cb(u, name, a->c.events[i][e]);
        }
    }
}

size_t applayer_memuse(const struct applayer *a)
{
    /* Pools keep their chunks after the flows end: what they hold is what the process uses. */
    size_t pools = pool_allocated(a->body_pool);
    for (size_t i = 0; i < APPLAYER_NDISS; i++)
        pools += pool_allocated(a->state_pool[i]);
    return sizeof *a + (size_t)a->bufs_in_use * (sizeof(struct applayer_buf) + a->p.buffer_size) + pools;
}
