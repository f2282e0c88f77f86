/* flow.c - the flow table: keyed lookup, initiator rules, TCP state, timeouts, LRU eviction.
 *
 * Layout: a fixed array of hash buckets (singly linked chains, keyed SipHash-2-4 with a
 * per-table random key so crafted addresses cannot pile flows into one chain) and one
 * LRU list per timeout class (TCP new / established / closed, UDP, ICMP, other). Every
 * packet moves its flow to the tail of its class list, so each list is ordered by last
 * activity and expiry only ever looks at list heads. Memcap eviction takes the oldest
 * head across the class lists, evict_batch flows at a time, so one cap hit frees room
 * for many new flows instead of evicting once per packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "sensor/flow/flow.h"
#include "core/pool.h"

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58

#define FLOW_ID_MASK ((UINT64_C(1) << 51) - 1)

enum { CLS_TCP_NEW, CLS_TCP_EST, CLS_TCP_CLOSED, CLS_UDP, CLS_ICMP, CLS_OTHER, CLS__COUNT };

struct lru_list {
    struct mw_flow *head, *tail;
};

struct flow_stats {
    uint64_t created, timed_out, evicted, closed, tcp_reuse, shutdown, memcap_fail, not_ip;
    uint64_t active_peak, memuse_peak; /* high-water marks: what sizing needs to know */
};

struct flow_table {
    struct flow_params params;
    flow_end_fn on_end;
    void *user;
    struct mw_flow **buckets;
    uint32_t bucket_mask;
    size_t bucket_bytes;
    struct mw_pool *pool;
    struct lru_list lru[CLS__COUNT];
    uint64_t timeout_us[CLS__COUNT];
    uint32_t active;
    uint8_t hash_key[16];
    uint64_t id_seed, id_counter;
    struct flow_stats st;
};

void flow_params_default(struct flow_params *fp)
{
    memset(fp, 0, sizeof *fp);
    fp->memcap = 32u << 20;
    fp->hash_buckets = 65536;
    /* An unanswered handshake is dead after 30 s; an established session may sit idle for
     * an hour (a miner between jobs on a slow coin, a held proxy tunnel) before its state,
     * and the evidence it carries, goes: docs/minewatch.yaml documents both. */
    fp->timeout_tcp_new = 30;
    fp->timeout_tcp_established = 3600;
    fp->timeout_tcp_closed = 30;
    fp->timeout_udp = 120;
    fp->timeout_icmp = 30;
    fp->timeout_other = 60;
    fp->evict_batch = 64;
    fp->housekeep_budget = 512;
}

const char *flow_end_reason_name(enum flow_end_reason why)
{
    switch (why) {
    case FLOW_END_TIMEOUT: return "timeout";
    case FLOW_END_EVICTED: return "forced";
    case FLOW_END_SHUTDOWN: return "shutdown";
    case FLOW_END_CLOSED: return "timeout";
    case FLOW_END_TCP_REUSE: return "tcp_reuse";
    }
    return "unknown";
}

/* ---- keyed hash: SipHash-2-4 written from the paper (Aumasson & Bernstein 2012) ---- */

static uint64_t rotl64(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

static uint64_t load_le64(const uint8_t *q)
{
    /* Spelled out so compilers see one 8-byte load (the loop form stayed a byte loop). */
    return (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 24 |
           (uint64_t)q[4] << 32 | (uint64_t)q[5] << 40 | (uint64_t)q[6] << 48 | (uint64_t)q[7] << 56;
}

#define SIPROUND                                                                                                       \
    do {                                                                                                               \
        v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);                                                 \
        v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;                                                                       \
        v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;                                                                       \
        v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);                                                 \
    } while (0)

static uint64_t siphash24(const uint8_t key[16], const uint8_t *in, size_t len)
{
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    uint64_t v0 = k0 ^ UINT64_C(0x736f6d6570736575), v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
    uint64_t v2 = k0 ^ UINT64_C(0x6c7967656e657261), v3 = k1 ^ UINT64_C(0x7465646279746573);
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = load_le64(in + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t last = (uint64_t)(len & 0xff) << 56;
    for (size_t i = 0; i < (len & 7); i++)
        last |= (uint64_t)in[full + i] << (8 * i);
    v3 ^= last;
    SIPROUND;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static void fill_random(void *buf, size_t len)
{
    uint8_t *b = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(b + got, len - got, GRND_NONBLOCK);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)n;
    }
    if (got < len) {
        /* No entropy yet (early boot): weaker, but the table still works. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
        for (size_t i = got; i < len; i++) {
            x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
            b[i] = (uint8_t)(x >> 56);
        }
    }
}

/* A bijection on 51-bit values (xorshift and odd multiply both are), so ids from a
 * counter never repeat while still looking unrelated from flow to flow. */
static uint64_t mix51(uint64_t x)
{
    x &= FLOW_ID_MASK;
    x ^= x >> 26;
    x = (x * UINT64_C(0x5bd1e9955bd1e995)) & FLOW_ID_MASK;
    x ^= x >> 23;
    x = (x * UINT64_C(0x94d049bb133111eb)) & FLOW_ID_MASK;
    x ^= x >> 29;
    return x;
}

static uint64_t next_flow_id(struct flow_table *t)
{
    uint64_t id;
    do
        id = mix51(t->id_seed + t->id_counter++);
    while (id == 0);
    return id;
}

/* ---- keys ---- */

static int is_icmp(uint8_t proto) { return proto == PROTO_ICMP || proto == PROTO_ICMPV6; }

static int endpoint_cmp(const struct mw_addr *a, uint16_t pa, const struct mw_addr *b, uint16_t pb)
{
    int c = memcmp(a->b, b->b, 16);
    if (c)
        return c;
    return (pa > pb) - (pa < pb);
}

static uint32_t packet_hash(const struct flow_table *t, const struct mw_packet *p)
{
    uint8_t k[16 + 16 + 2 + 2 + 1 + 1 + 2 * MW_MAX_VLAN];
    uint16_t sp = p->sport, dp = p->dport;
    if (is_icmp(p->proto))
        sp = dp = 0;
    const struct mw_addr *lo = &p->src, *hi = &p->dst;
    uint16_t plo = sp, phi = dp;
    if (endpoint_cmp(lo, plo, hi, phi) > 0) {
        lo = &p->dst;
        hi = &p->src;
        plo = dp;
        phi = sp;
    }
    /* Two IPv4-mapped addresses hash only their last 4 bytes (the prefix is the same for
     * all): 14 bytes are one SipHash block instead of four. Decided on the addresses, not
     * the IP version, so equal keys still hash equal; SipHash mixes in the length, which
     * keeps the two layouts apart. */
    size_t n = 0, alen = mw_addr_is_v4(lo) && mw_addr_is_v4(hi) ? 4 : 16, aoff = 16 - alen;
    memcpy(k + n, lo->b + aoff, alen), n += alen;
    memcpy(k + n, hi->b + aoff, alen), n += alen;
    k[n++] = (uint8_t)(plo >> 8), k[n++] = (uint8_t)plo;
    k[n++] = (uint8_t)(phi >> 8), k[n++] = (uint8_t)phi;
    k[n++] = p->proto;
    uint8_t vc = p->vlan_count > MW_MAX_VLAN ? MW_MAX_VLAN : p->vlan_count;
    k[n++] = vc;
    for (int i = 0; i < vc; i++)
        k[n++] = (uint8_t)(p->vlan[i] >> 8), k[n++] = (uint8_t)p->vlan[i];
    return (uint32_t)siphash24(t->hash_key, k, n);
}

/* MW_DIR_FWD / MW_DIR_REV when f is p's flow, -1 otherwise. */
static int flow_match(const struct mw_flow *f, const struct mw_packet *p)
{
    if (f->proto != p->proto)
        return -1;
    uint8_t vc = p->vlan_count > MW_MAX_VLAN ? MW_MAX_VLAN : p->vlan_count;
    if (f->vlan_count != vc)
        return -1;
    for (int i = 0; i < vc; i++)
        if (f->vlan[i] != p->vlan[i])
            return -1;
    int icmp = is_icmp(p->proto);
    if (memcmp(f->addr[0].b, p->src.b, 16) == 0 && memcmp(f->addr[1].b, p->dst.b, 16) == 0 &&
        (icmp || (f->port[0] == p->sport && f->port[1] == p->dport)))
        return MW_DIR_FWD;
    if (memcmp(f->addr[1].b, p->src.b, 16) == 0 && memcmp(f->addr[0].b, p->dst.b, 16) == 0 &&
        (icmp || (f->port[1] == p->sport && f->port[0] == p->dport)))
        return MW_DIR_REV;
    return -1;
}

/* ---- LRU lists ---- */

static int flow_class(const struct mw_flow *f)
{
    switch (f->proto) {
    case PROTO_TCP:
        if (f->tcp_state == FLOW_TCP_ESTABLISHED)
            return CLS_TCP_EST;
        if (f->tcp_state == FLOW_TCP_CLOSED)
            return CLS_TCP_CLOSED;
        return CLS_TCP_NEW;
    case PROTO_UDP: return CLS_UDP;
    case PROTO_ICMP:
    case PROTO_ICMPV6: return CLS_ICMP;
    default: return CLS_OTHER;
    }
}

static void lru_unlink(struct flow_table *t, struct mw_flow *f)
{
    struct lru_list *l = &t->lru[f->lru_class];
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        l->head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        l->tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct flow_table *t, struct mw_flow *f)
{
    f->lru_class = (uint8_t)flow_class(f);
    struct lru_list *l = &t->lru[f->lru_class];
    f->lru_next = NULL;
    f->lru_prev = l->tail;
    if (l->tail)
        l->tail->lru_next = f;
    else
        l->head = f;
    l->tail = f;
}

/* ---- flow lifetime ---- */

static void flow_end(struct flow_table *t, struct mw_flow *f, enum flow_end_reason why)
{
    switch (why) {
    case FLOW_END_TIMEOUT: t->st.timed_out++; break;
    case FLOW_END_EVICTED: t->st.evicted++; break;
    case FLOW_END_SHUTDOWN: t->st.shutdown++; break;
    case FLOW_END_CLOSED: t->st.closed++; break;
    case FLOW_END_TCP_REUSE: t->st.tcp_reuse++; break;
    }
    if (t->on_end)
        t->on_end(t->user, f, why);
    struct mw_flow **pp = &t->buckets[f->hash & t->bucket_mask];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    lru_unlink(t, f);
    t->active--;
    f->flow_id = 0; /* an ended flow: a reference kept by id (detect's re-check) sees it is gone */
    pool_put(t->pool, f);
}

static int flow_expired(const struct flow_table *t, const struct mw_flow *f, uint64_t now_us)
{
    return now_us > f->last_ts_us && now_us - f->last_ts_us >= t->timeout_us[f->lru_class];
}

static enum flow_end_reason expiry_reason(const struct mw_flow *f)
{
    return f->tcp_state == FLOW_TCP_CLOSED ? FLOW_END_CLOSED : FLOW_END_TIMEOUT;
}

/* Evict up to n least recently seen flows; returns how many went. */
static uint32_t evict_oldest(struct flow_table *t, uint32_t n)
{
    uint32_t done = 0;
    while (done < n) {
        struct mw_flow *oldest = NULL;
        for (int c = 0; c < CLS__COUNT; c++) {
            struct mw_flow *h = t->lru[c].head;
            if (h && (!oldest || h->last_ts_us < oldest->last_ts_us))
                oldest = h;
        }
        if (!oldest)
            break;
        flow_end(t, oldest, FLOW_END_EVICTED);
        done++;
    }
    return done;
}

struct flow_table *flow_table_new(const struct flow_params *fp, flow_end_fn on_end, void *user)
{
    struct flow_params def;
    if (!fp) {
        flow_params_default(&def);
        fp = &def;
    }
    if (fp->hash_buckets == 0 || fp->hash_buckets > (1u << 30))
        return NULL;
    uint32_t nb = 1;
    while (nb < fp->hash_buckets)
        nb <<= 1;
    size_t bucket_bytes = (size_t)nb * sizeof(struct mw_flow *);
    if (fp->memcap < bucket_bytes + sizeof(struct mw_flow))
        return NULL;
    struct flow_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->params = *fp;
    if (t->params.evict_batch == 0)
        t->params.evict_batch = 1;
    if (t->params.housekeep_budget == 0)
        t->params.housekeep_budget = 1;
    t->on_end = on_end;
    t->user = user;
    t->bucket_mask = nb - 1;
    t->bucket_bytes = bucket_bytes;
    t->buckets = calloc(nb, sizeof *t->buckets); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
    t->pool = pool_new(sizeof(struct mw_flow), fp->memcap - bucket_bytes);
    if (!t->buckets || !t->pool) {
        flow_table_free(t);
        return NULL;
    }
    t->timeout_us[CLS_TCP_NEW] = (uint64_t)fp->timeout_tcp_new * 1000000u;
    t->timeout_us[CLS_TCP_EST] = (uint64_t)fp->timeout_tcp_established * 1000000u;
    t->timeout_us[CLS_TCP_CLOSED] = (uint64_t)fp->timeout_tcp_closed * 1000000u;
    t->timeout_us[CLS_UDP] = (uint64_t)fp->timeout_udp * 1000000u;
    t->timeout_us[CLS_ICMP] = (uint64_t)fp->timeout_icmp * 1000000u;
    t->timeout_us[CLS_OTHER] = (uint64_t)fp->timeout_other * 1000000u;
    fill_random(t->hash_key, sizeof t->hash_key);
    fill_random(&t->id_seed, sizeof t->id_seed);
    return t;
}

static struct mw_flow *flow_create(struct flow_table *t, const struct mw_packet *p, uint32_t hash, int *dir)
{
    struct mw_flow *f = pool_get(t->pool);
    if (!f && evict_oldest(t, t->params.evict_batch) > 0)
        f = pool_get(t->pool);
    if (!f) {
        t->st.memcap_fail++;
        return NULL;
    }
    memset(f, 0, sizeof *f);

    /* swap: the packet's destination is the initiator. */
    int swap = 0;
    uint8_t fl = p->tcp_flags;
    if (p->proto == PROTO_TCP && (fl & MW_TCP_SYN) && !(fl & MW_TCP_RST)) {
        f->handshake_seen = 1;
        swap = (fl & MW_TCP_ACK) != 0;
        f->tcp_state = FLOW_TCP_NEW;
    } else if (p->proto == PROTO_TCP || p->proto == PROTO_UDP) {
        /* Servers usually listen on the lower port. */
        if (p->sport != p->dport)
            swap = p->dport > p->sport;
        if (p->proto == PROTO_TCP)
            f->tcp_state = (fl & (MW_TCP_FIN | MW_TCP_RST)) ? FLOW_TCP_CLOSED : FLOW_TCP_ESTABLISHED;
    }
    f->addr[0] = swap ? p->dst : p->src;
    f->addr[1] = swap ? p->src : p->dst;
    f->port[0] = swap ? p->dport : p->sport;
    f->port[1] = swap ? p->sport : p->dport;
    f->proto = p->proto;
    f->vlan_count = p->vlan_count > MW_MAX_VLAN ? MW_MAX_VLAN : p->vlan_count;
    for (int i = 0; i < f->vlan_count; i++)
        f->vlan[i] = p->vlan[i];
    f->flow_id = next_flow_id(t);
    f->first_ts_us = f->last_ts_us = p->ts_us;
    f->hash = hash;
    struct mw_flow **b = &t->buckets[hash & t->bucket_mask];
    f->hnext = *b;
    *b = f;
    lru_append(t, f);
    t->active++;
    t->st.created++;
    if (t->active > t->st.active_peak) {
        t->st.active_peak = t->active;
        t->st.memuse_peak = flow_table_memuse(t);
    }
    *dir = swap ? MW_DIR_REV : MW_DIR_FWD;
    return f;
}

static void flow_account(struct flow_table *t, struct mw_flow *f, const struct mw_packet *p, int dir)
{
    f->pkts[dir]++;
    f->bytes[dir] += p->wirelen ? p->wirelen : p->l3_len;
    /* Timestamps can step back a little in merged captures; never move last_ts back. */
    if (p->ts_us > f->last_ts_us)
        f->last_ts_us = p->ts_us;
    if (f->proto == PROTO_TCP) {
        uint8_t fl = p->tcp_flags;
        f->tcp_flags[dir] |= fl;
        if (fl & (MW_TCP_FIN | MW_TCP_RST))
            f->tcp_state = FLOW_TCP_CLOSED;
        else if (f->tcp_state == FLOW_TCP_NEW && (fl & MW_TCP_ACK) && !(fl & MW_TCP_SYN))
            f->tcp_state = FLOW_TCP_ESTABLISHED;
    }
    lru_unlink(t, f);
    lru_append(t, f);
}

struct mw_flow *flow_get(struct flow_table *t, const struct mw_packet *p, int *dir)
{
    if (p->ip_version != 4 && p->ip_version != 6) {
        t->st.not_ip++;
        return NULL;
    }
    uint32_t hash = packet_hash(t, p);
    struct mw_flow *f = t->buckets[hash & t->bucket_mask];
    int d = -1;
    for (; f; f = f->hnext) {
        if (f->hash == hash && (d = flow_match(f, p)) >= 0)
            break;
    }
    if (f && flow_expired(t, f, p->ts_us)) {
        flow_end(t, f, expiry_reason(f));
        f = NULL;
    } else if (f && f->tcp_state == FLOW_TCP_CLOSED && (p->tcp_flags & (MW_TCP_SYN | MW_TCP_ACK | MW_TCP_RST)) == MW_TCP_SYN) {
        /* A new SYN on a closed connection: the port pair was reused. */
        flow_end(t, f, FLOW_END_TCP_REUSE);
        f = NULL;
    }
    if (!f) {
        f = flow_create(t, p, hash, &d);
        if (!f)
            return NULL;
    }
    flow_account(t, f, p, d);
    *dir = d;
    return f;
}

void flow_housekeep(struct flow_table *t, uint64_t now_us)
{
    uint32_t budget = t->params.housekeep_budget;
    for (int c = 0; c < CLS__COUNT && budget > 0; c++) {
        while (budget > 0) {
            struct mw_flow *f = t->lru[c].head;
            if (!f || !flow_expired(t, f, now_us))
                break;
            flow_end(t, f, expiry_reason(f));
            budget--;
        }
    }
}

void flow_table_shutdown(struct flow_table *t)
{
    for (int c = 0; c < CLS__COUNT; c++)
        while (t->lru[c].head)
            flow_end(t, t->lru[c].head, FLOW_END_SHUTDOWN);
}

void flow_table_free(struct flow_table *t)
{
    if (!t)
        return;
    pool_free(t->pool);
    free(t->buckets);
    free(t);
}

size_t flow_table_memuse(const struct flow_table *t) { return t->bucket_bytes + pool_memuse(t->pool); }

uint32_t flow_table_count(const struct flow_table *t) { return t->active; }

void flow_stats_foreach(const struct flow_table *t, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    cb(u, "flow.created", t->st.created);
    cb(u, "flow.timed_out", t->st.timed_out);
    cb(u, "flow.evicted", t->st.evicted);
    cb(u, "flow.closed", t->st.closed);
    cb(u, "flow.tcp_reuse", t->st.tcp_reuse);
    cb(u, "flow.shutdown", t->st.shutdown);
    cb(u, "flow.memcap_fail", t->st.memcap_fail);
    cb(u, "flow.not_ip", t->st.not_ip);
    cb(u, "flow.active", t->active);
    cb(u, "flow.memuse", flow_table_memuse(t));
    cb(u, "flow.active_peak", t->st.active_peak);
    cb(u, "flow.memuse_peak", t->st.memuse_peak);
}
