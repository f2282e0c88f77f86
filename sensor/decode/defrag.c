/* defrag.c - IPv4/IPv6 fragment reassembly: in-place buffers from size-class free lists.
 *
 * Design. Trackers live in one array allocated at start-up (max_trackers entries),
 * chained from a hash table (seeded, so a sender cannot aim fragments at one bucket)
 * and threaded on an age list in creation order. Because the timeout runs from the
 * first fragment, the head of the age list is always the next to expire and also the
 * oldest to evict, so both are O(1).
 *
 * Each tracker owns at most one payload buffer. Buffers come in six size classes
 * (2 KiB .. 64 KiB of payload, plus headroom for the rebuilt IP header); a fragment that
 * lands past the end of the current buffer moves the tracker to a larger class. Freed
 * buffers go back to their class's free list, so after warm-up nothing is malloc'd per
 * packet. The memcap covers buffers held by trackers, trackers in use and cached free
 * buffers: cached buffers are released first, then the oldest trackers are evicted.
 *
 * The bytes received are described by a short sorted list of disjoint pieces. A new
 * fragment is compared against the pieces it overlaps (first-seen bytes win; differing
 * bytes are counted as overlap_mismatch, the classic IDS-evasion pattern) and only the
 * gaps are copied. A completed datagram is handed out from the tracker's own buffer and
 * the tracker is released at the start of the next call, so the output stays valid
 * until then without a copy.
 */
#include "sensor/decode/defrag.h"

#include "core/reader.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define DF_NONE UINT32_MAX
#define DF_HEADROOM 64        /* room in front of the payload for the rebuilt IP header */
#define DF_NCLASSES 6
#define DF_MIN_SHIFT 11       /* smallest class holds 2 KiB of payload */
#define DF_MAX_PIECES 32
#define DF_MAX_DATAGRAM 65535u
#define DF_EXPIRE_PER_CALL 4  /* bounded housekeeping per fragment */

struct df_buf {
    struct df_buf *next_free;
    uint32_t cls;
    uint8_t mem[]; /* DF_HEADROOM + class capacity */
};

struct df_piece {
    uint32_t s, e; /* [s, e) of datagram payload held */
};

struct df_tracker {
    uint8_t in_use;
    uint8_t family;
    uint8_t proto;
    uint8_t have_hdr;
    uint8_t have_end;
    uint8_t hdr_len;
    uint16_t vlan[MW_MAX_VLAN];
    struct mw_addr src, dst;
    uint32_t id;
    uint32_t hash;
    uint32_t end;
    uint32_t hnext;         /* hash chain */
    uint32_t older, newer;  /* age list; also the free list (newer) when unused */
    uint64_t first_us;
    struct df_buf *buf;
    uint32_t npieces;
    struct df_piece piece[DF_MAX_PIECES];
    uint8_t hdr[60];
};

struct defrag {
    struct defrag_params p;
    struct defrag_stats *st;
    struct df_tracker *t;
    uint32_t *bucket;
    uint32_t bucket_mask;
    uint32_t free_head;
    uint32_t oldest, newest;
    uint32_t in_use;
    uint32_t done;          /* tracker handed out by the last call, released on the next */
    uint64_t seed;
    size_t held;            /* trackers in use + buffers owned by trackers */
    size_t cached;          /* buffers sitting in free lists */
    struct df_buf *free_buf[DF_NCLASSES];
};

struct defrag_params defrag_params_default(void)
{
    struct defrag_params p = { 16u << 20, 4096, 30 };
    return p;
}

void defrag_stats_foreach(const struct defrag_stats *s,
                          void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
#define DEFRAG_X_CB(n) cb(u, "defrag." #n, s->n);
    DEFRAG_COUNTERS(DEFRAG_X_CB)
#undef DEFRAG_X_CB
}

static size_t class_cap(uint32_t cls)
{
    return (size_t)1 << (DF_MIN_SHIFT + cls);
}

static size_t class_bytes(uint32_t cls)
{
    return sizeof(struct df_buf) + DF_HEADROOM + class_cap(cls);
}

static uint32_t class_for(uint32_t need)
{
    uint32_t cls = 0;
    while (cls + 1 < DF_NCLASSES && class_cap(cls) < need)
        cls++;
    return cls;
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint32_t key_hash(const struct defrag *d, const struct defrag_frag *f)
{
    uint64_t h = d->seed ^ ((uint64_t)f->family << 56) ^ ((uint64_t)f->id << 8);
    if (f->family == 4)
        h ^= (uint64_t)f->proto << 48;
    h ^= ((uint64_t)f->vlan[0] << 16) ^ ((uint64_t)f->vlan[1] << 32);
    h = mix64(h);
    for (int i = 0; i < 16; i += 4) {
        h = mix64(h ^ mw_load_be32(f->src.b + i));
        h = mix64(h ^ ((uint64_t)mw_load_be32(f->dst.b + i) << 29));
    }
    return (uint32_t)h;
}

static int key_match(const struct df_tracker *t, const struct defrag_frag *f)
{
    /* RFC 8200 keys IPv6 fragments on (src, dst, id) only; IPv4 adds the protocol. */
    return t->family == f->family && t->id == f->id && (f->family == 6 || t->proto == f->proto) &&
           t->vlan[0] == f->vlan[0] && t->vlan[1] == f->vlan[1] &&
           memcmp(t->src.b, f->src.b, 16) == 0 && memcmp(t->dst.b, f->dst.b, 16) == 0;
}

static void buf_release(struct defrag *d, struct df_buf *b)
{
    size_t sz = class_bytes(b->cls);
    d->held -= sz;
    b->next_free = d->free_buf[b->cls];
    d->free_buf[b->cls] = b;
    d->cached += sz;
}

/* Unlink a tracker from its hash chain and the age list (a no-op for either it is not on:
 * a completed datagram was unhooked already and is released on the next call). */
static void tracker_unhook(struct defrag *d, uint32_t idx)
{
    struct df_tracker *t = &d->t[idx];
    uint32_t *pp = &d->bucket[t->hash & d->bucket_mask];
    while (*pp != DF_NONE && *pp != idx)
        pp = &d->t[*pp].hnext;
    if (*pp == idx)
        *pp = t->hnext;
    if (t->older != DF_NONE)
        d->t[t->older].newer = t->newer;
    else if (d->oldest == idx)
        d->oldest = t->newer;
    if (t->newer != DF_NONE)
        d->t[t->newer].older = t->older;
    else if (d->newest == idx)
        d->newest = t->older;
    t->older = t->newer = DF_NONE;
}

/* Unlink a tracker from the hash and age lists and return it to the free list. */
static void tracker_release(struct defrag *d, uint32_t idx)
{
    struct df_tracker *t = &d->t[idx];
    tracker_unhook(d, idx);
    if (t->buf)
        buf_release(d, t->buf);
    t->buf = NULL;
    t->in_use = 0;
    t->older = DF_NONE;
    t->newer = d->free_head;
    d->free_head = idx;
    d->in_use--;
    d->held -= sizeof(struct df_tracker);
}

static void release_done(struct defrag *d)
{
    if (d->done == DF_NONE)
        return;
    struct df_tracker *t = &d->t[d->done];
    if (t->buf)
        buf_release(d, t->buf);
    t->buf = NULL;
    t->in_use = 0;
    t->newer = d->free_head;
    d->free_head = d->done;
    d->in_use--;
    d->held -= sizeof(struct df_tracker);
    d->done = DF_NONE;
}

/* Evict the oldest tracker other than keep; returns 0 when there is none. */
static int evict_oldest(struct defrag *d, uint32_t keep)
{
    uint32_t idx = d->oldest;
    if (idx == keep && idx != DF_NONE)
        idx = d->t[idx].newer;
    if (idx == DF_NONE)
        return 0;
    tracker_release(d, idx);
    return 1;
}

/* Drop cached free buffers (largest first) until `need` more bytes fit under the memcap. */
static void trim_cache(struct defrag *d, size_t need)
{
    for (int c = DF_NCLASSES - 1; c >= 0 && d->held + d->cached + need > d->p.memcap; c--) {
        while (d->free_buf[c] && d->held + d->cached + need > d->p.memcap) {
            struct df_buf *b = d->free_buf[c];
            d->free_buf[c] = b->next_free;
            d->cached -= class_bytes(b->cls);
            free(b);
        }
    }
}

/* Make room for `need` more held bytes by evicting old trackers (never keep). */
static int make_room(struct defrag *d, size_t need, uint32_t keep)
{
    while (d->held + need > d->p.memcap) {
        if (!evict_oldest(d, keep))
            return 0;
        d->st->memcap_drops++;
    }
    return 1;
}

static struct df_buf *buf_acquire(struct defrag *d, uint32_t cls, uint32_t keep)
{
    size_t sz = class_bytes(cls);
    if (!make_room(d, sz, keep))
        return NULL;
    struct df_buf *b = d->free_buf[cls];
    if (b) {
        d->free_buf[cls] = b->next_free;
        d->cached -= sz;
    } else {
        trim_cache(d, sz);
        b = malloc(sz);
        if (!b)
            return NULL;
        b->cls = cls;
    }
    b->next_free = NULL;
    d->held += sz;
    return b;
}

struct defrag *defrag_new(const struct defrag_params *p, struct defrag_stats *stats)
{
    struct defrag *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->p = p ? *p : defrag_params_default();
    if (d->p.max_trackers == 0)
        d->p.max_trackers = 1;
    if (d->p.max_trackers > (1u << 24))
        d->p.max_trackers = 1u << 24;
    d->st = stats;
    uint32_t nb = 1;
    while (nb < d->p.max_trackers)
        nb <<= 1;
    d->bucket_mask = nb - 1;
    d->t = calloc(d->p.max_trackers, sizeof *d->t);
    d->bucket = malloc((size_t)nb * sizeof *d->bucket);
    if (!d->t || !d->bucket || !stats) {
        defrag_free(d);
        return NULL;
    }
    for (uint32_t i = 0; i < nb; i++)
        d->bucket[i] = DF_NONE;
    for (uint32_t i = 0; i < d->p.max_trackers; i++) {
        d->t[i].newer = i + 1 < d->p.max_trackers ? i + 1 : DF_NONE;
        d->t[i].older = DF_NONE;
    }
    d->free_head = 0;
    d->oldest = d->newest = d->done = DF_NONE;
    if (getrandom(&d->seed, sizeof d->seed, GRND_NONBLOCK) != (ssize_t)sizeof d->seed)
        d->seed = mix64((uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)d);
    return d;
}

void defrag_free(struct defrag *d)
{
    if (!d)
        return;
    if (d->t) {
        for (uint32_t i = 0; i < d->p.max_trackers; i++)
            free(d->t[i].buf);
    }
    for (int c = 0; c < DF_NCLASSES; c++) {
        while (d->free_buf[c]) {
            struct df_buf *b = d->free_buf[c];
            d->free_buf[c] = b->next_free;
            free(b);
        }
    }
    free(d->t);
    free(d->bucket);
    free(d);
}

uint32_t defrag_trackers_in_use(const struct defrag *d)
{
    return d->in_use - (d->done != DF_NONE);
}

size_t defrag_bytes_in_use(const struct defrag *d)
{
    return d->held;
}

static int expired(const struct defrag *d, const struct df_tracker *t, uint64_t now_us)
{
    return now_us > t->first_us && now_us - t->first_us > (uint64_t)d->p.timeout_s * 1000000u;
}

void defrag_expire(struct defrag *d, uint64_t now_us, uint32_t max_steps)
{
    release_done(d);
    for (uint32_t n = 0; n < max_steps && d->oldest != DF_NONE; n++) {
        if (!expired(d, &d->t[d->oldest], now_us))
            break;
        if (d->t[d->oldest].family == 6)
            d->st->ipv6_timeouts++;
        else
            d->st->ipv4_timeouts++;
        tracker_release(d, d->oldest);
    }
}

static uint32_t tracker_find(struct defrag *d, const struct defrag_frag *f, uint32_t h)
{
    for (uint32_t i = d->bucket[h & d->bucket_mask]; i != DF_NONE; i = d->t[i].hnext)
        if (d->t[i].hash == h && key_match(&d->t[i], f))
            return i;
    return DF_NONE;
}

static uint32_t tracker_create(struct defrag *d, const struct defrag_frag *f, uint32_t h,
                               uint64_t now_us)
{
    if (d->free_head == DF_NONE) {
        if (!evict_oldest(d, DF_NONE))
            return DF_NONE;
        d->st->tracker_drops++;
    }
    if (!make_room(d, sizeof(struct df_tracker), DF_NONE))
        return DF_NONE;
    trim_cache(d, sizeof(struct df_tracker));
    uint32_t idx = d->free_head;
    struct df_tracker *t = &d->t[idx];
    d->free_head = t->newer;
    memset(t, 0, sizeof *t);
    t->in_use = 1;
    t->family = f->family;
    t->proto = f->proto;
    t->vlan[0] = f->vlan[0];
    t->vlan[1] = f->vlan[1];
    t->src = f->src;
    t->dst = f->dst;
    t->id = f->id;
    t->hash = h;
    t->first_us = now_us;
    t->hnext = d->bucket[h & d->bucket_mask];
    d->bucket[h & d->bucket_mask] = idx;
    t->newer = DF_NONE;
    t->older = d->newest;
    if (d->newest != DF_NONE)
        d->t[d->newest].newer = idx;
    else
        d->oldest = idx;
    d->newest = idx;
    d->in_use++;
    d->held += sizeof(struct df_tracker);
    return idx;
}

/* Give tracker t a buffer whose payload capacity reaches `need` bytes. */
static int tracker_reserve(struct defrag *d, uint32_t idx, uint32_t need)
{
    struct df_tracker *t = &d->t[idx];
    if (t->buf && class_cap(t->buf->cls) >= need)
        return 1;
    struct df_buf *nb = buf_acquire(d, class_for(need), idx);
    if (!nb)
        return 0;
    if (t->buf) {
        uint32_t used = t->npieces ? t->piece[t->npieces - 1].e : 0;
        memcpy(nb->mem + DF_HEADROOM, t->buf->mem + DF_HEADROOM, used);
        buf_release(d, t->buf);
    }
    t->buf = nb;
    return 1;
}

/* Merge [s, e) into the piece list, comparing overlapped bytes and copying only gaps.
 * Returns -1 when the list would exceed DF_MAX_PIECES (nothing changed then). */
static int tracker_insert(struct defrag *d, struct df_tracker *t, uint32_t s, uint32_t e,
                          const uint8_t *data)
{
    uint8_t *base = t->buf->mem + DF_HEADROOM;
    uint32_t first = 0, last;
    while (first < t->npieces && t->piece[first].e < s)
        first++;
    last = first;
    while (last < t->npieces && t->piece[last].s <= e)
        last++;
    /* pieces [first, last) touch or overlap [s, e) and will merge into one */
    if (t->npieces - (last - first) + 1 > DF_MAX_PIECES)
        return -1;
    int overlap = 0, mismatch = 0;
    uint32_t covered = 0, cur = s;
    for (uint32_t i = first; i < last; i++) {
        uint32_t ps = t->piece[i].s, pe = t->piece[i].e;
        uint32_t os = ps > s ? ps : s, oe = pe < e ? pe : e;
        if (os < oe) {
            overlap = 1;
            covered += oe - os;
            if (memcmp(base + os, data + (os - s), oe - os) != 0)
                mismatch = 1;
        }
        if (ps > cur)
            memcpy(base + cur, data + (cur - s), ps - cur);
        if (pe > cur)
            cur = pe;
    }
    if (cur < e)
        memcpy(base + cur, data + (cur - s), e - cur);
    if (overlap)
        d->st->overlap++;
    if (mismatch)
        d->st->overlap_mismatch++;
    if (covered == e - s)
        d->st->duplicates++;
    struct df_piece m = { s, e };
    if (last > first) {
        if (t->piece[first].s < m.s)
            m.s = t->piece[first].s;
        if (t->piece[last - 1].e > m.e)
            m.e = t->piece[last - 1].e;
    }
    uint32_t removed = last - first;
    if (removed == 0) {
        memmove(&t->piece[first + 1], &t->piece[first], (t->npieces - first) * sizeof t->piece[0]);
        t->npieces++;
    } else if (removed > 1) {
        memmove(&t->piece[first + 1], &t->piece[last], (t->npieces - last) * sizeof t->piece[0]);
        t->npieces -= removed - 1;
    }
    t->piece[first] = m;
    return 0;
}

static const uint8_t *tracker_finish(struct defrag *d, uint32_t idx, uint32_t *out_len)
{
    struct df_tracker *t = &d->t[idx];
    uint8_t *h = t->buf->mem + DF_HEADROOM - t->hdr_len;
    memcpy(h, t->hdr, t->hdr_len);
    if (t->family == 4) {
        uint32_t tot = t->hdr_len + t->end;
        h[2] = (uint8_t)(tot >> 8);
        h[3] = (uint8_t)tot;
        h[6] &= 0x40; /* keep DF, clear MF and the offset */
        h[7] = 0;
        *out_len = tot;
    } else {
        h[4] = (uint8_t)(t->end >> 8);
        h[5] = (uint8_t)t->end;
        h[6] = t->proto;
        *out_len = t->hdr_len + t->end;
    }
    /* Unhook now so a new fragment with the same key starts afresh; the buffer stays
     * valid until release_done() on the next call. */
    if (t->family == 6)
        d->st->ipv6_reassembled++;
    else
        d->st->ipv4_reassembled++;
    tracker_unhook(d, idx);
    d->done = idx;
    return h;
}

enum defrag_result defrag_add(struct defrag *d, const struct defrag_frag *f, uint64_t now_us,
                              const uint8_t **out, uint32_t *out_len)
{
    defrag_expire(d, now_us, DF_EXPIRE_PER_CALL);
    if (f->family == 6)
        d->st->ipv6_fragments++;
    else
        d->st->ipv4_fragments++;
    if (f->data_len == 0 || (f->more && (f->data_len & 7) != 0) || (f->offset & 7) != 0 ||
        (f->family != 4 && f->family != 6) || f->hdr_len > sizeof d->t[0].hdr ||
        (f->family == 6 && f->hdr_len != 40) || (f->family == 4 && f->hdr_len < 20)) {
        d->st->bad_length++;
        return DEFRAG_DROPPED;
    }
    uint32_t h = key_hash(d, f);
    uint32_t idx = tracker_find(d, f, h);
    if (idx != DF_NONE && expired(d, &d->t[idx], now_us)) {
        if (d->t[idx].family == 6)
            d->st->ipv6_timeouts++;
        else
            d->st->ipv4_timeouts++;
        tracker_release(d, idx);
        idx = DF_NONE;
    }
    uint64_t end64 = (uint64_t)f->offset + f->data_len;
    uint64_t limit = f->family == 4 ? DF_MAX_DATAGRAM - f->hdr_len : DF_MAX_DATAGRAM;
    if (end64 > limit) {
        d->st->too_large++;
        if (idx != DF_NONE)
            tracker_release(d, idx); /* a datagram that cannot be valid is not worth holding */
        return DEFRAG_DROPPED;
    }
    uint32_t s = f->offset, e = (uint32_t)end64;
    if (idx == DF_NONE) {
        idx = tracker_create(d, f, h, now_us);
        if (idx == DF_NONE) {
            d->st->memcap_drops++;
            return DEFRAG_DROPPED;
        }
    }
    struct df_tracker *t = &d->t[idx];
    if (!f->more) {
        if (t->have_end && t->end != e) {
            d->st->end_mismatch++;
            return DEFRAG_DROPPED;
        }
        if (!t->have_end && t->npieces && t->piece[t->npieces - 1].e > e) {
            d->st->beyond_end++;
            return DEFRAG_DROPPED;
        }
        t->have_end = 1;
        t->end = e;
    } else if (t->have_end && e > t->end) {
        d->st->beyond_end++;
        return DEFRAG_DROPPED;
    }
    if (!tracker_reserve(d, idx, e)) {
        d->st->memcap_drops++;
        tracker_release(d, idx);
        return DEFRAG_DROPPED;
    }
    t = &d->t[idx];
    if (tracker_insert(d, t, s, e, f->data) != 0) {
        d->st->too_many_holes++;
        tracker_release(d, idx);
        return DEFRAG_DROPPED;
    }
    if (s == 0 && !t->have_hdr) {
        memcpy(t->hdr, f->hdr, f->hdr_len);
        t->hdr_len = (uint8_t)f->hdr_len;
        t->have_hdr = 1;
        if (f->family == 6)
            t->proto = f->proto;
    }
    if (t->have_end && t->have_hdr && t->npieces == 1 && t->piece[0].s == 0 &&
        t->piece[0].e == t->end) {
        *out = tracker_finish(d, idx, out_len);
        return DEFRAG_DONE;
    }
    return DEFRAG_HELD;
}
