/* ruleswap.c - the rule set behind an atomic pointer, freed once every worker moved on.
 * The design (generations, leave before blocking, ordering) is in ruleswap.h. */
#include "sensor/runtime/ruleswap.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "rules/rules.h"

/* 0 in a reader's slot: it holds no set. Generations start at 1. */
#define RULESWAP_IDLE 0u

/* One cache line per reader: each worker stores to its slot for every packet. */
struct ruleswap_slot {
    _Atomic uint64_t gen;
    char pad[64 - sizeof(uint64_t)];
};

struct ruleswap_retired {
    struct rules *set;
    uint64_t gen; /* the first generation that cannot see this set */
};

struct ruleswap {
    _Atomic(struct rules *) current;
    _Atomic uint64_t gen;
    ruleswap_destroy_fn destroy;
    int nreaders;
    /* Writer only. */
    struct ruleswap_retired retired[RULESWAP_MAX_RETIRED];
    size_t nretired;
    struct ruleswap_slot *slot;
};

static void ruleswap_default_destroy(struct rules *r)
{
    rules_free(r);
}

struct ruleswap *ruleswap_new(struct rules *initial, int nreaders, ruleswap_destroy_fn destroy)
{
    if (!initial || nreaders < 1)
        return NULL;
    struct ruleswap *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->slot = calloc((size_t)nreaders, sizeof *s->slot);
    if (!s->slot) {
        free(s);
        return NULL;
    }
    for (int i = 0; i < nreaders; i++)
        atomic_init(&s->slot[i].gen, RULESWAP_IDLE);
    atomic_init(&s->current, initial);
    atomic_init(&s->gen, 1);
    s->destroy = destroy ? destroy : ruleswap_default_destroy;
    s->nreaders = nreaders;
    return s;
}

void ruleswap_free(struct ruleswap *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nretired; i++)
        s->destroy(s->retired[i].set);
    s->destroy(atomic_load(&s->current));
    free(s->slot);
    free(s);
}

struct rules *ruleswap_enter(struct ruleswap *s, int reader)
{
    uint64_t g = atomic_load(&s->gen);
    /* Already announced (entered again without leaving): nothing to store. */
    if (atomic_load_explicit(&s->slot[reader].gen, memory_order_relaxed) != g)
        atomic_store(&s->slot[reader].gen, g);
    return atomic_load(&s->current);
}

void ruleswap_leave(struct ruleswap *s, int reader)
{
    atomic_store(&s->slot[reader].gen, RULESWAP_IDLE);
}

/* The oldest generation some reader may still be using; UINT64_MAX when all are idle. */
static uint64_t ruleswap_oldest_held(struct ruleswap *s)
{
    uint64_t oldest = UINT64_MAX;
    for (int i = 0; i < s->nreaders; i++) {
        uint64_t g = atomic_load(&s->slot[i].gen);
        if (g != RULESWAP_IDLE && g < oldest)
            oldest = g;
    }
    return oldest;
}

size_t ruleswap_reclaim(struct ruleswap *s)
{
    if (!s->nretired)
        return 0;
    uint64_t oldest = ruleswap_oldest_held(s);
    size_t keep = 0;
    for (size_t i = 0; i < s->nretired; i++) {
        /* A reader on generation g may hold any set current at g: the sets retired
         * with a generation above g. */
        if (oldest >= s->retired[i].gen)
            s->destroy(s->retired[i].set);
        else
            s->retired[keep++] = s->retired[i];
    }
    s->nretired = keep;
    return keep;
}

int ruleswap_publish(struct ruleswap *s, struct rules *next)
{
    if (s->nretired == RULESWAP_MAX_RETIRED && ruleswap_reclaim(s) == RULESWAP_MAX_RETIRED)
        return -1;
    struct rules *old = atomic_exchange(&s->current, next);
    uint64_t g = atomic_fetch_add(&s->gen, 1) + 1;
    s->retired[s->nretired].set = old;
    s->retired[s->nretired].gen = g;
    s->nretired++;
    ruleswap_reclaim(s);
    return 0;
}

struct rules *ruleswap_current(struct ruleswap *s)
{
    return atomic_load(&s->current);
}
