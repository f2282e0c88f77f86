/* dnslearn.c - fixed-size table of DNS-learned pool addresses, one for the whole sensor.
 *
 * The DNS answer and the connection that follows it may be seen by different workers, so
 * every worker reads and writes the same table. Reads are on the packet path (the first
 * packet of every flow) and never block: the table is split into buckets of
 * DNSLEARN_WAYS slots (one cache line of expiry times), each with a sequence counter.
 * A writer holds the stripe mutex of the bucket and makes the counter odd while it
 * writes; a reader copies what it needs and retries when the counter moved (a seqlock).
 * A reader that keeps losing to writers gives up after a few tries and counts a miss
 * (dnslearn.read_retries_exhausted) rather than wait. Writes happen once per answer
 * record of a listed pool name, which is rare next to reads.
 */
#include "sensor/detect/dnslearn.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DNSLEARN_WAYS 8
#define DNSLEARN_STRIPES 64
#define DNSLEARN_READ_TRIES 4

struct dnslearn_entry {
    struct mw_addr addr;
    uint64_t learned_us; /* when the answer was seen (packet time) */
    char name[DNSLEARN_NAME_LEN];
};

struct dnslearn {
    struct dnslearn_params p;
    uint32_t bmask; /* buckets - 1 */
    uint64_t seed;
    struct dnslearn_entry *e;
    /* Expiry of each entry (0 = empty), apart from the entries: every new flow looks its
     * responder up, and a miss then reads one cache line here instead of eight entries
     * of ~270 bytes (and faulting in pages of a table that is mostly empty). */
    uint64_t *exp;
    uint32_t *seq; /* per bucket: odd while a writer is in it */
    pthread_mutex_t stripe[DNSLEARN_STRIPES];
    /* atomic counters */
    uint64_t added, replaced, hits, retries_exhausted, generation;
};

void dnslearn_params_default(struct dnslearn_params *p)
{
    p->capacity = 16384;
    p->min_ttl = 300;
    p->max_ttl = 86400;
}

struct dnslearn *dnslearn_new(const struct dnslearn_params *p)
{
    struct dnslearn *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->p = *p;
    uint32_t cap = 16;
    while (cap < p->capacity && cap < (1u << 24))
        cap <<= 1;
    uint32_t nb = cap / DNSLEARN_WAYS;
    t->bmask = nb - 1;
    t->seed = (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ull;
    t->e = calloc(cap, sizeof *t->e);
    t->exp = calloc(cap, sizeof *t->exp);
    t->seq = calloc(nb, sizeof *t->seq);
    if (!t->e || !t->exp || !t->seq) {
        dnslearn_free(t);
        return NULL;
    }
    for (int i = 0; i < DNSLEARN_STRIPES; i++)
        pthread_mutex_init(&t->stripe[i], NULL);
    return t;
}

void dnslearn_free(struct dnslearn *t)
{
    if (!t)
        return;
    if (t->seq)
        for (int i = 0; i < DNSLEARN_STRIPES; i++)
            pthread_mutex_destroy(&t->stripe[i]);
    free(t->e);
    free(t->exp);
    free(t->seq);
    free(t);
}

static uint32_t dnslearn_bucket(const struct dnslearn *t, const struct mw_addr *a)
{
    uint64_t h = t->seed;
    for (int i = 0; i < 16; i++)
        h = (h ^ a->b[i]) * 0x100000001b3ull;
    return (uint32_t)(h ^ (h >> 32)) & t->bmask;
}

void dnslearn_add(struct dnslearn *t, const struct mw_addr *a, const char *name, uint32_t ttl, uint64_t now_us)
{
    if (ttl < t->p.min_ttl)
        ttl = t->p.min_ttl;
    if (ttl > t->p.max_ttl)
        ttl = t->p.max_ttl;
    uint32_t b = dnslearn_bucket(t, a);
    uint32_t base = b * DNSLEARN_WAYS;
    pthread_mutex_t *m = &t->stripe[b % DNSLEARN_STRIPES];
    pthread_mutex_lock(m);
    uint32_t vi = UINT32_MAX;
    for (uint32_t i = 0; i < DNSLEARN_WAYS; i++) {
        uint32_t j = base + i;
        if (t->exp[j] && memcmp(&t->e[j].addr, a, sizeof *a) == 0) {
            vi = j; /* refresh the same address */
            break;
        }
        if (vi == UINT32_MAX || t->exp[j] < t->exp[vi])
            vi = j;
    }
    struct dnslearn_entry *victim = &t->e[vi];
    if (t->exp[vi] > now_us && memcmp(&victim->addr, a, sizeof *a) != 0)
        __atomic_fetch_add(&t->replaced, 1, __ATOMIC_RELAXED);
    /* A refresh of a still-valid entry keeps when the address was first learned: a flow
     * re-checked later (another worker) is judged against the first answer, not the latest. */
    uint64_t learned = now_us;
    if (t->exp[vi] > now_us && memcmp(&victim->addr, a, sizeof *a) == 0 && victim->learned_us < now_us)
        learned = victim->learned_us;
    uint32_t s = t->seq[b];
    __atomic_store_n(&t->seq[b], s + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&t->exp[vi], 0, __ATOMIC_RELAXED);
    victim->addr = *a;
    victim->learned_us = learned;
    size_t n = strlen(name);
    if (n >= sizeof victim->name)
        n = sizeof victim->name - 1;
    memcpy(victim->name, name, n);
    victim->name[n] = '\0';
    __atomic_store_n(&t->exp[vi], now_us + (uint64_t)ttl * 1000000u, __ATOMIC_RELAXED);
    __atomic_store_n(&t->seq[b], s + 2, __ATOMIC_RELEASE);
    pthread_mutex_unlock(m);
    __atomic_fetch_add(&t->added, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&t->generation, 1, __ATOMIC_RELEASE);
}

int dnslearn_lookup(struct dnslearn *t, const struct mw_addr *a, uint64_t now_us, char *name, size_t namelen)
{
    uint64_t learned;
    return dnslearn_lookup_learned(t, a, now_us, name, namelen, &learned);
}

int dnslearn_lookup_learned(struct dnslearn *t, const struct mw_addr *a, uint64_t now_us, char *name,
                            size_t namelen, uint64_t *learned_us)
{
    uint32_t b = dnslearn_bucket(t, a);
    uint32_t base = b * DNSLEARN_WAYS;
    for (int tries = 0; tries < DNSLEARN_READ_TRIES; tries++) {
        uint32_t s1 = __atomic_load_n(&t->seq[b], __ATOMIC_ACQUIRE);
        if (s1 & 1)
            continue;
        int found = 0;
        struct dnslearn_entry copy;
        for (uint32_t i = 0; i < DNSLEARN_WAYS && !found; i++) {
            uint32_t j = base + i;
            if (__atomic_load_n(&t->exp[j], __ATOMIC_RELAXED) <= now_us)
                continue;
            /* Copied, then checked: a writer may be rewriting it under us. */
            memcpy(&copy, &t->e[j], sizeof copy);
            found = memcmp(&copy.addr, a, sizeof *a) == 0;
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&t->seq[b], __ATOMIC_RELAXED) != s1)
            continue;
        if (!found)
            return 0;
        copy.name[sizeof copy.name - 1] = '\0';
        size_t n = strlen(copy.name);
        if (n >= namelen)
            n = namelen - 1;
        memcpy(name, copy.name, n);
        name[n] = '\0';
        *learned_us = copy.learned_us;
        __atomic_fetch_add(&t->hits, 1, __ATOMIC_RELAXED);
        return 1;
    }
    __atomic_fetch_add(&t->retries_exhausted, 1, __ATOMIC_RELAXED);
    return 0;
}

uint64_t dnslearn_generation(const struct dnslearn *t)
{
    return __atomic_load_n(&t->generation, __ATOMIC_ACQUIRE);
}

void dnslearn_stats_foreach(const struct dnslearn *t, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    cb(u, "dnslearn.added", __atomic_load_n(&t->added, __ATOMIC_RELAXED));
    cb(u, "dnslearn.replaced", __atomic_load_n(&t->replaced, __ATOMIC_RELAXED));
    cb(u, "dnslearn.hits", __atomic_load_n(&t->hits, __ATOMIC_RELAXED));
    cb(u, "dnslearn.read_retries_exhausted", __atomic_load_n(&t->retries_exhausted, __ATOMIC_RELAXED));
}

size_t dnslearn_memuse(const struct dnslearn *t)
{
    size_t slots = ((size_t)t->bmask + 1) * DNSLEARN_WAYS;
    return sizeof *t + slots * (sizeof(struct dnslearn_entry) + sizeof *t->exp) + ((size_t)t->bmask + 1) * sizeof *t->seq;
}
