/* dnslearn.c - fixed-size open-addressing table of DNS-learned pool addresses. */
#include "sensor/detect/dnslearn.h"

#include <stdlib.h>
#include <string.h>

#define DNSLEARN_PROBE 8

struct dnslearn_entry {
    struct mw_addr addr;
    char name[DNSLEARN_NAME_LEN];
};

struct dnslearn {
    struct dnslearn_params p;
    uint32_t mask;
    uint64_t seed;
    uint64_t added, replaced, hits, live;
    struct dnslearn_entry *e;
    /* Expiry of each entry (0 = empty), apart from the entries: every new flow looks its
     * responder up, and a miss then reads one cache line here instead of eight entries
     * of ~270 bytes (and faulting in pages of a table that is mostly empty). */
    uint64_t *exp;
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
    t->mask = cap - 1;
    t->seed = (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ull;
    t->e = calloc(cap, sizeof *t->e);
    t->exp = calloc(cap, sizeof *t->exp);
    if (!t->e || !t->exp) {
        free(t->e);
        free(t->exp);
        free(t);
        return NULL;
    }
    return t;
}

void dnslearn_free(struct dnslearn *t)
{
    if (!t)
        return;
    free(t->e);
    free(t->exp);
    free(t);
}

static uint32_t dnslearn_hash(const struct dnslearn *t, const struct mw_addr *a)
{
    uint64_t h = t->seed;
    for (int i = 0; i < 16; i++)
        h = (h ^ a->b[i]) * 0x100000001b3ull;
    return (uint32_t)(h ^ (h >> 32));
}

void dnslearn_add(struct dnslearn *t, const struct mw_addr *a, const char *name, uint32_t ttl, uint64_t now_us)
{
    if (ttl < t->p.min_ttl)
        ttl = t->p.min_ttl;
    if (ttl > t->p.max_ttl)
        ttl = t->p.max_ttl;
    uint32_t h = dnslearn_hash(t, a);
    uint32_t vi = UINT32_MAX;
    for (uint32_t i = 0; i < DNSLEARN_PROBE; i++) {
        uint32_t j = (h + i) & t->mask;
        if (t->exp[j] && memcmp(&t->e[j].addr, a, sizeof *a) == 0) {
            vi = j; /* refresh the same address */
            break;
        }
        if (vi == UINT32_MAX || t->exp[j] < t->exp[vi])
            vi = j;
    }
    struct dnslearn_entry *victim = &t->e[vi];
    if (t->exp[vi] > now_us && memcmp(&victim->addr, a, sizeof *a) != 0)
        t->replaced++;
    victim->addr = *a;
    t->exp[vi] = now_us + (uint64_t)ttl * 1000000u;
    size_t n = strlen(name);
    if (n >= sizeof victim->name)
        n = sizeof victim->name - 1;
    memcpy(victim->name, name, n);
    victim->name[n] = '\0';
    t->added++;
}

int dnslearn_lookup(struct dnslearn *t, const struct mw_addr *a, uint64_t now_us, char *name, size_t namelen)
{
    uint32_t h = dnslearn_hash(t, a);
    for (uint32_t i = 0; i < DNSLEARN_PROBE; i++) {
        uint32_t j = (h + i) & t->mask;
        if (t->exp[j] <= now_us)
            continue;
        const struct dnslearn_entry *e = &t->e[j];
        if (memcmp(&e->addr, a, sizeof *a) == 0) {
            size_t n = strlen(e->name);
            if (n >= namelen)
                n = namelen - 1;
            memcpy(name, e->name, n);
            name[n] = '\0';
            t->hits++;
            return 1;
        }
    }
    return 0;
}

void dnslearn_stats_foreach(const struct dnslearn *t, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    cb(u, "dnslearn.added", t->added);
    cb(u, "dnslearn.replaced", t->replaced);
    cb(u, "dnslearn.hits", t->hits);
}

size_t dnslearn_memuse(const struct dnslearn *t)
{
    return sizeof *t + ((size_t)t->mask + 1) * (sizeof(struct dnslearn_entry) + sizeof *t->exp);
}
