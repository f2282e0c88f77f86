/* dnslearn.c - fixed-size open-addressing table of DNS-learned pool addresses. */
#include "sensor/dnslearn.h"

#include <stdlib.h>
#include <string.h>

#define DNSLEARN_PROBE 8

struct dnslearn_entry {
    struct mw_addr addr;
    uint64_t expires_us; /* 0 = empty */
    char name[DNSLEARN_NAME_LEN];
};

struct dnslearn {
    struct dnslearn_params p;
    uint32_t mask;
    uint64_t seed;
    uint64_t added, replaced, hits, live;
    struct dnslearn_entry *e;
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
    if (!t->e) {
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
    struct dnslearn_entry *victim = NULL;
    for (uint32_t i = 0; i < DNSLEARN_PROBE; i++) {
        struct dnslearn_entry *e = &t->e[(h + i) & t->mask];
        if (e->expires_us && memcmp(&e->addr, a, sizeof *a) == 0) {
            victim = e; /* refresh the same address */
            break;
        }
        if (!victim || e->expires_us < victim->expires_us)
            victim = e;
    }
    if (victim->expires_us > now_us && memcmp(&victim->addr, a, sizeof *a) != 0)
        t->replaced++;
    victim->addr = *a;
    victim->expires_us = now_us + (uint64_t)ttl * 1000000u;
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
        struct dnslearn_entry *e = &t->e[(h + i) & t->mask];
        if (e->expires_us > now_us && memcmp(&e->addr, a, sizeof *a) == 0) {
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
    return sizeof *t + ((size_t)t->mask + 1) * sizeof(struct dnslearn_entry);
}
