/* stream.c - TCP reassembly per flow direction (see stream.h for the contract).
 *
 * Invariant per direction: held segments are sorted, do not overlap, and all start
 * after next_seq; their keys (seq - next_seq, unsigned) stay in (0, 2^31) because
 * next_seq only moves forward up to or through held data. New data is therefore:
 *   old        (ends at or before next_seq): a retransmission, dropped;
 *   in order   (covers next_seq): delivered from the packet, merged with held
 *              segments where they start (held bytes were seen first, so they win);
 *   ahead      (starts after next_seq): the bytes not already held are copied into
 *              pool blocks, adjacent pieces coalesced so tiny segments share a block.
 * When a segment cannot be held (segment limit, memcap), the first hole is skipped
 * (gap callback) and the contiguous held data after it is delivered; this repeats
 * until the segment fits or is in order, so no byte that was seen is ever dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "sensor/stream/stream.h"
#include "sensor/flow/flow.h"
#include "core/pool.h"

#define PROTO_TCP 6
#define STREAM_BLOCK_SIZE 2048u
#define STREAM_MAX_AHEAD (1 << 30) /* largest window with RFC 7323 scaling */

struct stream_seg {
    struct stream_seg *next;
    uint32_t seq;
    uint16_t len;
    uint8_t data[]; /* up to ctx->seg_cap bytes */
};

struct stream_stats {
    uint64_t segments, in_order, out_of_order, retransmissions, overlaps, overlap_mismatch, gaps, gap_bytes,
        memcap_drops, seg_limit, depth_reached, midstream, resumed, out_of_window;
};

struct stream_ctx {
    struct stream_params params;
    stream_data_fn on_data;
    stream_gap_fn on_gap;
    void *user;
    struct mw_pool *pool;
    uint32_t seg_cap; /* data bytes per block */
    struct stream_stats st;
};

void stream_params_default(struct stream_params *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->memcap = 16u << 20;
    sp->depth = 1u << 20;
    sp->max_ooo_segments_per_flow = 64;
}

struct stream_ctx *stream_new(const struct stream_params *sp, stream_data_fn on_data, stream_gap_fn on_gap,
                              void *user)
{
    struct stream_params def;
    if (!sp) {
        stream_params_default(&def);
        sp = &def;
    }
    struct stream_ctx *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->params = *sp;
    sc->on_data = on_data;
    sc->on_gap = on_gap;
    sc->user = user;
    /* memcap 0 would mean "no cap" to the pool: hold nothing instead. */
    sc->pool = pool_new(STREAM_BLOCK_SIZE, sp->memcap ? sp->memcap : 1);
    if (!sc->pool) {
        free(sc);
        return NULL;
    }
    sc->seg_cap = (uint32_t)(pool_block_size(sc->pool) - offsetof(struct stream_seg, data));
    return sc;
}

static uint32_t key_of(const struct stream_dir *sd, uint32_t seq) { return seq - sd->next_seq; }

/* Hand n bytes starting at next_seq to the callback, honouring the depth; advances next_seq. */
static void emit(struct stream_ctx *sc, struct mw_flow *f, int dir, const uint8_t *data, uint32_t n, uint64_t ts)
{
    struct stream_dir *sd = &f->stream[dir];
    uint32_t give = n;
    if (!(sd->flags & STREAM_DIR_DEPTH) && sc->params.depth && !f->keep_following) {
        uint32_t room = sd->delivered >= sc->params.depth ? 0 : sc->params.depth - sd->delivered;
        if (give >= room) {
            give = room;
            sd->flags |= STREAM_DIR_DEPTH;
            sd->depth_seq = sd->next_seq + room;
            sc->st.depth_reached++;
        }
    } else if (sd->flags & STREAM_DIR_DEPTH) {
        give = 0;
    }
    sd->next_seq += n;
    if (give == 0)
        return;
    sd->delivered = UINT32_MAX - sd->delivered < give ? UINT32_MAX : sd->delivered + give;
    if (sc->on_data)
        sc->on_data(sc->user, f, dir, data, give, ts);
}

static void seg_free(struct stream_ctx *sc, struct stream_dir *sd, struct stream_seg *s)
{
    sd->nseg--;
    pool_put(sc->pool, s);
}

static void drop_held(struct stream_ctx *sc, struct stream_dir *sd)
{
    while (sd->held) {
        struct stream_seg *s = sd->held;
        sd->held = s->next;
        seg_free(sc, sd, s);
    }
}

/* data[0..len) starts exactly at next_seq. Deliver it, letting held segments that
 * start inside it take precedence, then any held data that became contiguous. */
static void deliver_merge(struct stream_ctx *sc, struct mw_flow *f, int dir, const uint8_t *data, uint32_t len,
                          uint64_t ts)
{
    struct stream_dir *sd = &f->stream[dir];
    for (;;) {
        struct stream_seg *h = sd->held;
        if (h && key_of(sd, h->seq) == 0) {
            uint32_t ov = len < h->len ? len : h->len;
            if (ov) {
                sc->st.overlaps++;
                if (memcmp(h->data, data, ov) != 0)
                    sc->st.overlap_mismatch++;
            }
            sd->held = h->next;
            emit(sc, f, dir, h->data, h->len, ts);
            if (ov) {
                data += ov;
                len -= ov;
            }
            seg_free(sc, sd, h);
            continue;
        }
        if (len == 0)
            break;
        uint32_t n = len;
        if (h && key_of(sd, h->seq) < n)
            n = key_of(sd, h->seq);
        emit(sc, f, dir, data, n, ts);
        data += n;
        len -= n;
    }
}

/* Skip the hole before the first held segment and deliver what follows it. */
static void skip_first_hole(struct stream_ctx *sc, struct mw_flow *f, int dir, uint64_t ts)
{
    struct stream_dir *sd = &f->stream[dir];
    uint32_t lost = key_of(sd, sd->held->seq);
    sc->st.gaps++;
    sc->st.gap_bytes += lost;
    sd->next_seq = sd->held->seq;
    if (sc->on_gap && !(sd->flags & STREAM_DIR_DEPTH))
        sc->on_gap(sc->user, f, dir, lost);
    deliver_merge(sc, f, dir, NULL, 0, ts);
}

static void flush_dir(struct stream_ctx *sc, struct mw_flow *f, int dir, uint64_t ts)
{
    while (f->stream[dir].held)
        skip_first_hole(sc, f, dir, ts);
}

static struct stream_seg *seg_alloc(struct stream_ctx *sc, struct mw_flow *f, struct stream_dir *sd)
{
    uint32_t max = sc->params.max_ooo_segments_per_flow;
    if ((uint32_t)f->stream[0].nseg + f->stream[1].nseg >= max || sd->nseg == UINT16_MAX) {
        sc->st.seg_limit++;
        return NULL;
    }
    struct stream_seg *s = pool_get(sc->pool);
    if (!s) {
        sc->st.memcap_drops++;
        return NULL;
    }
    sd->nseg++;
    return s;
}

/* Store [ks, ks+n) (keys relative to next_seq) between *link's predecessor prev and
 * *link. Returns 0, or -1 when out of segments/memory (a prefix may be stored). */
static int store_piece(struct stream_ctx *sc, struct mw_flow *f, struct stream_dir *sd, struct stream_seg **prev,
                       struct stream_seg ***link, uint32_t ks, const uint8_t *data, uint32_t n)
{
    struct stream_seg *p = *prev;
    if (p && key_of(sd, p->seq) + p->len == ks && p->len < sc->seg_cap) {
        uint32_t take = sc->seg_cap - p->len;
        if (take > n)
            take = n;
        memcpy(p->data + p->len, data, take);
        p->len = (uint16_t)(p->len + take);
        ks += take, data += take, n -= take;
    }
    struct stream_seg *nx = **link;
    if (n && nx && key_of(sd, nx->seq) == ks + n && nx->len + n <= sc->seg_cap) {
        /* Prepend into the next block: reversed small segments end up in one block. */
        memmove(nx->data + n, nx->data, nx->len);
        memcpy(nx->data, data, n);
        nx->len = (uint16_t)(nx->len + n);
        nx->seq -= n;
        return 0;
    }
    while (n) {
        struct stream_seg *s = seg_alloc(sc, f, sd);
        if (!s)
            return -1;
        uint32_t take = n < sc->seg_cap ? n : sc->seg_cap;
        s->seq = sd->next_seq + ks;
        s->len = (uint16_t)take;
        memcpy(s->data, data, take);
        s->next = **link;
        **link = s;
        *prev = s;
        *link = &s->next;
        ks += take, data += take, n -= take;
    }
    return 0;
}

/* Hold data at key ks (> 0) that is ahead of next_seq; only bytes no held segment has
 * yet are stored. Returns 0, or -1 when it could not all be stored. */
static int hold(struct stream_ctx *sc, struct mw_flow *f, int dir, uint32_t ks, const uint8_t *data, uint32_t len)
{
    struct stream_dir *sd = &f->stream[dir];
    uint32_t ke = ks + len, pos = ks;
    struct stream_seg *prev = NULL;
    struct stream_seg **link = &sd->held;
    int overlapped = 0;
    while (pos < ke) {
        struct stream_seg *h = *link;
        if (!h)
            return store_piece(sc, f, sd, &prev, &link, pos, data + (pos - ks), ke - pos);
        uint32_t hk = key_of(sd, h->seq), he = hk + h->len;
        if (he <= pos) {
            prev = h;
            link = &h->next;
            continue;
        }
        if (hk > pos) {
            uint32_t pe = hk < ke ? hk : ke;
            if (store_piece(sc, f, sd, &prev, &link, pos, data + (pos - ks), pe - pos) != 0)
                return -1;
            pos = pe;
            continue; /* *link may have been extended downwards; re-examine */
        }
        uint32_t oe = he < ke ? he : ke;
        if (!overlapped) {
            overlapped = 1;
            sc->st.overlaps++;
        }
        if (memcmp(h->data + (pos - hk), data + (pos - ks), oe - pos) != 0)
            sc->st.overlap_mismatch++;
        pos = oe;
        prev = h;
        link = &h->next;
    }
    return 0;
}

static void process_data(struct stream_ctx *sc, struct mw_flow *f, int dir, uint32_t seq, const uint8_t *data,
                         uint32_t len, uint64_t ts)
{
    struct stream_dir *sd = &f->stream[dir];
    if (sd->flags & STREAM_DIR_DEPTH) {
        if (!f->keep_following) {
            /* Past the depth nothing is delivered or held; only track the sequence so a
             * later keep_following can resume with an honest gap. */
            if ((int32_t)(seq + len - sd->next_seq) > 0)
                sd->next_seq = seq + len;
            return;
        }
        sd->flags &= (uint8_t)~STREAM_DIR_DEPTH;
        sc->st.resumed++;
        uint32_t lost = sd->next_seq - sd->depth_seq;
        if (lost) {
            sc->st.gaps++;
            sc->st.gap_bytes += lost;
            if (sc->on_gap)
                sc->on_gap(sc->user, f, dir, lost);
        }
    }
    int first = 1;
    for (;;) {
        if (sd->flags & STREAM_DIR_DEPTH) {
            if ((int32_t)(seq + len - sd->next_seq) > 0)
                sd->next_seq = seq + len;
            break;
        }
        int32_t rel = (int32_t)(seq - sd->next_seq);
        if (rel > STREAM_MAX_AHEAD) {
            /* Further ahead than any TCP window can reach: forged or from another
             * connection. Holding it would turn a later flush into a huge bogus gap. */
            sc->st.out_of_window++;
            break;
        }
        if ((int32_t)(seq + len - sd->next_seq) <= 0) {
            if (first)
                sc->st.retransmissions++;
            break;
        }
        if (rel <= 0) {
            uint32_t skip = (uint32_t)-rel;
            if (first)
                sc->st.in_order++;
            deliver_merge(sc, f, dir, data + skip, len - skip, ts);
            break;
        }
        if (hold(sc, f, dir, (uint32_t)rel, data, len) == 0) {
            if (first)
                sc->st.out_of_order++;
            break;
        }
        /* Could not hold it all: give up on the first hole and try again. */
        first = 0;
        if (sd->held) {
            skip_first_hole(sc, f, dir, ts);
        } else {
            sc->st.gaps++;
            sc->st.gap_bytes += (uint32_t)rel;
            sd->next_seq = seq;
            if (sc->on_gap)
                sc->on_gap(sc->user, f, dir, (uint32_t)rel);
        }
    }
    if ((sd->flags & STREAM_DIR_DEPTH) && sd->held) {
        /* Held bytes were seen; move past them so a resume never delivers other
         * bytes at their place (first seen wins, even across the depth). */
        struct stream_seg *last = sd->held;
        while (last->next)
            last = last->next;
        uint32_t end = last->seq + last->len;
        if ((int32_t)(end - sd->next_seq) > 0)
            sd->next_seq = end;
        drop_held(sc, sd);
    }
}

void stream_packet(struct stream_ctx *sc, struct mw_flow *f, int dir, const struct mw_packet *p)
{
    if (p->proto != PROTO_TCP || dir < 0 || dir > 1)
        return;
    struct stream_dir *sd = &f->stream[dir];
    uint8_t fl = p->tcp_flags;
    if (fl & MW_TCP_RST) {
        /* The connection is gone (or someone claims so): nothing held will be completed.
         * Later data is still processed, so a forged RST cannot blind the sensor. */
        sd->flags |= STREAM_DIR_RST;
        flush_dir(sc, f, dir, p->ts_us);
        flush_dir(sc, f, !dir, p->ts_us);
        return;
    }
    uint32_t seq = p->seq;
    if (fl & MW_TCP_SYN) {
        seq++; /* the SYN takes one sequence number; SYN data starts after it */
        if (!(sd->flags & STREAM_DIR_INIT)) {
            sd->next_seq = seq;
            sd->flags |= STREAM_DIR_INIT | STREAM_DIR_SYN;
        }
    }
    uint32_t len = p->payload_len;
    if (len && p->payload) {
        sc->st.segments++;
        if (!(sd->flags & STREAM_DIR_INIT)) {
            sd->next_seq = seq;
            sd->flags |= STREAM_DIR_INIT;
            sc->st.midstream++;
        }
        process_data(sc, f, dir, seq, p->payload, len, p->ts_us);
    }
    if (fl & MW_TCP_FIN) {
        sd->flags |= STREAM_DIR_FIN;
        flush_dir(sc, f, dir, p->ts_us);
    }
}

void stream_flow_release(struct stream_ctx *sc, struct mw_flow *f)
{
    for (int dir = 0; dir < 2; dir++) {
        flush_dir(sc, f, dir, f->last_ts_us);
        drop_held(sc, &f->stream[dir]);
    }
}

void stream_stats_foreach(const struct stream_ctx *sc, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    cb(u, "stream.segments", sc->st.segments);
    cb(u, "stream.in_order", sc->st.in_order);
    cb(u, "stream.out_of_order", sc->st.out_of_order);
    cb(u, "stream.retransmissions", sc->st.retransmissions);
    cb(u, "stream.overlaps", sc->st.overlaps);
    cb(u, "stream.overlap_mismatch", sc->st.overlap_mismatch);
    cb(u, "stream.gaps", sc->st.gaps);
    cb(u, "stream.gap_bytes", sc->st.gap_bytes);
    cb(u, "stream.memcap_drops", sc->st.memcap_drops);
    cb(u, "stream.seg_limit", sc->st.seg_limit);
    cb(u, "stream.depth_reached", sc->st.depth_reached);
    cb(u, "stream.depth_resumed", sc->st.resumed);
    cb(u, "stream.midstream", sc->st.midstream);
    cb(u, "stream.out_of_window", sc->st.out_of_window);
    cb(u, "stream.memuse", stream_memuse(sc));
}

size_t stream_memuse(const struct stream_ctx *sc) { return pool_memuse(sc->pool); }

void stream_free(struct stream_ctx *sc)
{
    if (!sc)
        return;
    pool_free(sc->pool);
    free(sc);
}
