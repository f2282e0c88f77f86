/* appid.c - nDPI (libndpi 4.2) application labels for flows our own dissectors do not claim. */
#include "sensor/applayer/appid.h"

#include <ndpi/ndpi_api.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"

#define APPID_NONE UINT32_MAX
/* Protocol ids we keep a label for: every built-in and custom nDPI id. */
#define APPID_MAX_IDS (NDPI_MAX_SUPPORTED_PROTOCOLS + NDPI_MAX_NUM_CUSTOM_PROTOCOLS)
#define APPID_LABEL_LEN 24

#define APPID_COUNTERS(X)                                                                      \
    X(packets) X(flows) X(classified) X(gave_up) X(failed) X(refused) X(evicted_idle)          \
    X(mining_guess) X(bad_packet) X(label_overflow) X(no_payload)

struct appid_slot {
    const struct mw_flow *key; /* compared, never dereferenced: the flow may be gone */
    uint64_t flow_id;
    uint64_t last_us;
    struct ndpi_flow_struct *nf;
    uint32_t packets;
    int16_t l4_proto;          /* transport protocol nDPI saw first; -1 before any packet */
    uint32_t hnext;            /* hash chain, or free list when not in use */
    uint32_t lprev, lnext;     /* LRU list of states in use, head = most recent */
};

struct appid {
    struct appid_params prm;
    struct ndpi_detection_module_struct *ndpi;
    size_t ndpi_mem;           /* the module's allocations, measured at init */
    struct mw_pool *pool;      /* struct ndpi_flow_struct blocks */
    struct appid_slot *slots;  /* max_flows */
    uint32_t *buckets;
    uint32_t nbuckets;         /* power of two */
    uint32_t free_head;
    uint32_t lru_head, lru_tail;
    uint32_t in_use;
    struct {
#define APPID_X_FIELD(n) uint64_t n;
        APPID_COUNTERS(APPID_X_FIELD)
#undef APPID_X_FIELD
    } st;
    uint8_t have_label[APPID_MAX_IDS];
    char labels[APPID_MAX_IDS][APPID_LABEL_LEN];
};

void appid_params_default(struct appid_params *p)
{
    /* Counted in payload packets (empty TCP segments are not fed). Over the 379 shared
     * captures, 6 instead of 12 changed one label of 6873 flows (a fuzzing seed's
     * "starcraft") and turned 55 unlabelled flows into "failed", while feeding nDPI
     * 22 % fewer packets on the benchmark mix. */
    p->max_packets = 6;
    p->max_flows = 8192;
    p->idle_timeout_s = 30;
}

struct appid *appid_new(const struct appid_params *p)
{
    if (!p || p->max_packets == 0 || p->max_flows == 0 || p->max_flows > (1u << 24))
        return NULL;
    struct appid *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->prm = *p;
    a->nbuckets = 16;
    while (a->nbuckets < p->max_flows)
        a->nbuckets <<= 1;
    a->slots = calloc(p->max_flows, sizeof *a->slots);
    a->buckets = malloc((size_t)a->nbuckets * sizeof *a->buckets);
    size_t blk = sizeof(struct ndpi_flow_struct);
    a->pool = pool_new(blk, 0);
    if (!a->slots || !a->buckets || !a->pool)
        goto fail;
    for (uint32_t i = 0; i < a->nbuckets; i++)
        a->buckets[i] = APPID_NONE;
    for (uint32_t i = 0; i < p->max_flows; i++)
        a->slots[i].hnext = i + 1 < p->max_flows ? i + 1 : APPID_NONE;
    a->free_head = 0;
    a->lru_head = a->lru_tail = APPID_NONE;

    /* The global counter is the only measure nDPI offers; init is serialised anyway. */
    uint32_t before = ndpi_get_tot_allocated_memory();
    a->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
    if (!a->ndpi)
        goto fail;
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(a->ndpi, &all);
    ndpi_finalize_initialization(a->ndpi);
    uint32_t after = ndpi_get_tot_allocated_memory();
    a->ndpi_mem = after > before ? after - before : 0;
    return a;
fail:
    appid_free(a);
    return NULL;
}

static void slot_release_state(struct appid *a, struct appid_slot *s)
{
    if (s->nf) {
        ndpi_free_flow_data(s->nf); /* nDPI's own per-flow allocations (names, certs) */
        pool_put(a->pool, s->nf);
        s->nf = NULL;
    }
}

void appid_free(struct appid *a)
{
    if (!a)
        return;
    if (a->slots && a->pool)
        for (uint32_t i = 0; i < a->prm.max_flows; i++)
            slot_release_state(a, &a->slots[i]);
    if (a->ndpi)
        ndpi_exit_detection_module(a->ndpi);
    pool_free(a->pool);
    free(a->slots);
    free(a->buckets);
    free(a);
}

static uint32_t key_hash(const struct appid *a, const struct mw_flow *f, uint64_t flow_id)
{
    uint64_t h = (uint64_t)(uintptr_t)f ^ (flow_id * 0x9e3779b97f4a7c15ull);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (uint32_t)h & (a->nbuckets - 1);
}

static uint32_t table_find(const struct appid *a, const struct mw_flow *f, uint64_t flow_id)
{
    for (uint32_t i = a->buckets[key_hash(a, f, flow_id)]; i != APPID_NONE; i = a->slots[i].hnext)
        if (a->slots[i].key == f && a->slots[i].flow_id == flow_id)
            return i;
    return APPID_NONE;
}

static void lru_unlink(struct appid *a, uint32_t i)
{
    struct appid_slot *s = &a->slots[i];
    if (s->lprev != APPID_NONE)
        a->slots[s->lprev].lnext = s->lnext;
    else
        a->lru_head = s->lnext;
    if (s->lnext != APPID_NONE)
        a->slots[s->lnext].lprev = s->lprev;
    else
        a->lru_tail = s->lprev;
}

static void lru_push_head(struct appid *a, uint32_t i)
{
    struct appid_slot *s = &a->slots[i];
    s->lprev = APPID_NONE;
    s->lnext = a->lru_head;
    if (a->lru_head != APPID_NONE)
        a->slots[a->lru_head].lprev = i;
    a->lru_head = i;
    if (a->lru_tail == APPID_NONE)
        a->lru_tail = i;
}

/* Unhash, unlink, free the nDPI state, put the slot back on the free list. */
static void table_remove(struct appid *a, uint32_t i)
{
    struct appid_slot *s = &a->slots[i];
    uint32_t *pp = &a->buckets[key_hash(a, s->key, s->flow_id)];
    while (*pp != i)
        pp = &a->slots[*pp].hnext;
    *pp = s->hnext;
    lru_unlink(a, i);
    slot_release_state(a, s);
    s->key = NULL;
    s->hnext = a->free_head;
    a->free_head = i;
    a->in_use--;
}

static uint32_t table_insert(struct appid *a, const struct mw_flow *f, uint64_t now_us)
{
    if (a->free_head == APPID_NONE) {
        /* Full: a state nobody fed for idle_timeout_s belongs to a flow that stalled or
         * ended without appid_flow_end(); reclaim it rather than refuse forever. */
        uint32_t t = a->lru_tail;
        uint64_t idle = (uint64_t)a->prm.idle_timeout_s * 1000000u;
        if (t == APPID_NONE || now_us < a->slots[t].last_us || now_us - a->slots[t].last_us < idle)
            return APPID_NONE;
        table_remove(a, t);
        a->st.evicted_idle++;
    }
    void *blk = pool_get(a->pool);
    if (!blk)
        return APPID_NONE;
    uint32_t i = a->free_head;
    struct appid_slot *s = &a->slots[i];
    a->free_head = s->hnext;
    memset(blk, 0, sizeof(struct ndpi_flow_struct)); /* nDPI requires a zeroed flow */
    s->nf = blk;
    s->key = f;
    s->flow_id = f->flow_id;
    s->packets = 0;
    s->l4_proto = -1;
    s->last_us = now_us;
    uint32_t b = key_hash(a, f, f->flow_id);
    s->hnext = a->buckets[b];
    a->buckets[b] = i;
    lru_push_head(a, i);
    a->in_use++;
    a->st.flows++;
    return i;
}

/* Interned lowercase label for an nDPI protocol id; static for the life of a. */
static const char *label_for(struct appid *a, uint16_t id)
{
    if (id >= APPID_MAX_IDS) {
        a->st.label_overflow++;
        return "ndpi_other";
    }
    if (!a->have_label[id]) {
        const char *n = ndpi_get_proto_name(a->ndpi, id);
        char *dst = a->labels[id];
        size_t k = 0;
        for (; n && n[k] && k + 1 < APPID_LABEL_LEN; k++) {
            unsigned char c = (unsigned char)n[k];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
                c = '_';
            dst[k] = (char)c;
        }
        dst[k] = '\0';
        if (k == 0)
            memcpy(dst, "ndpi_other", sizeof "ndpi_other");
        a->have_label[id] = 1;
    }
    return a->labels[id];
}

static int is_mining(ndpi_protocol r)
{
    return r.master_protocol == NDPI_PROTOCOL_MINING || r.app_protocol == NDPI_PROTOCOL_MINING ||
           r.category == CUSTOM_CATEGORY_MINING;
}

/* Set the flow's label from a verdict: the outer protocol (TLS, HTTP, DNS, QUIC) when
 * nDPI names one, like Suricata's app_proto, else the application. */
static int conclude(struct appid *a, struct mw_flow *f, ndpi_protocol r)
{
    uint16_t id = r.master_protocol != NDPI_PROTOCOL_UNKNOWN ? r.master_protocol : r.app_protocol;
    f->app.app_proto = id != NDPI_PROTOCOL_UNKNOWN ? label_for(a, id) : "failed";
    if (id == NDPI_PROTOCOL_UNKNOWN)
        a->st.failed++;
    if (is_mining(r)) {
        a->st.mining_guess++;
        return 1;
    }
    return 0;
}

int appid_packet(struct appid *a, struct mw_flow *f, const struct mw_packet *p)
{
    if (!a || !f || !p || f->app.app_proto)
        return 0;
    /* A TCP segment without payload (handshake, bare ACK, FIN, RST) tells nDPI's dissectors
     * nothing, so it neither creates a state nor counts toward max_packets: a flow that
     * never carries a byte costs nDPI nothing and stays unlabelled, as it was when nDPI
     * saw its SYNs and never decided. nDPI 4.2 classifies a TCP flow from its payload
     * without having seen the handshake (it learns the sequence numbers from the first
     * segment it is given). UDP and other protocols are fed as they come. */
    if (p->proto == IPPROTO_TCP && p->payload_len == 0) {
        a->st.no_payload++;
        return 0;
    }
    a->st.packets++;
    if (!p->l3 || p->l3_len == 0 || (p->ip_version != 4 && p->ip_version != 6)) {
        a->st.bad_packet++;
        return 0;
    }
    uint32_t i = table_find(a, f, f->flow_id);
    if (i == APPID_NONE) {
        i = table_insert(a, f, p->ts_us);
        if (i == APPID_NONE) {
            a->st.refused++;
            return 0;
        }
    } else {
        lru_unlink(a, i);
        lru_push_head(a, i);
    }
    struct appid_slot *s = &a->slots[i];
    /* nDPI takes an unsigned short length and re-checks the IP header against it. */
    unsigned short len = p->l3_len > 65535u ? 65535u : (unsigned short)p->l3_len;
    /* nDPI keeps per-flow TCP and UDP state in one union and frees the TCP reassembly
     * buffers only while the flow's last packet was TCP: a datagram whose transport differs
     * (as nDPI parses it) from the flow's first would reinterpret that state and leak the
     * buffer (found by fuzz_appid), so it never reaches nDPI. */
    const uint8_t *l4;
    uint16_t l4_len;
    uint8_t l4_proto;
    if (ndpi_detection_get_l4(p->l3, len, &l4, &l4_len, &l4_proto, 0) != 0 ||
        (s->l4_proto >= 0 && l4_proto != (uint8_t)s->l4_proto)) {
        a->st.bad_packet++;
        return 0;
    }
    s->l4_proto = l4_proto;
    s->last_us = p->ts_us;
    s->packets++;
    ndpi_protocol r = ndpi_detection_process_packet(a->ndpi, s->nf, p->l3, len, p->ts_us / 1000u);
    int decided = r.master_protocol != NDPI_PROTOCOL_UNKNOWN || r.app_protocol != NDPI_PROTOCOL_UNKNOWN;
    if (decided) {
        a->st.classified++;
    } else if (s->packets >= a->prm.max_packets) {
        uint8_t guessed = 0;
        /* No port guess: a label must come from what the packets said. */
        r = ndpi_detection_giveup(a->ndpi, s->nf, 0, &guessed);
        a->st.gave_up++;
    } else {
        return 0;
    }
    int mining = conclude(a, f, r);
    table_remove(a, i);
    return mining;
}

void appid_flow_end(struct appid *a, struct mw_flow *f)
{
    if (!a || !f)
        return;
    uint32_t i = table_find(a, f, f->flow_id);
    if (i != APPID_NONE)
        table_remove(a, i);
}

void appid_stats_foreach(const struct appid *a, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
#define APPID_X_CB(n) cb(u, "appid." #n, a->st.n);
    APPID_COUNTERS(APPID_X_CB)
#undef APPID_X_CB
    cb(u, "appid.in_use", a->in_use);
}

size_t appid_memuse(const struct appid *a)
{
    return sizeof *a + (size_t)a->prm.max_flows * sizeof *a->slots + (size_t)a->nbuckets * sizeof *a->buckets +
           pool_allocated(a->pool) + a->ndpi_mem;
}
