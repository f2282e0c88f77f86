/* dnslearn.h - addresses learned from DNS answers for listed pool names.
 *
 * When a resolver answers a pool name, later connections to those addresses (TLS without
 * SNI, miners configured with an address) are pool connections too. The table is fixed in
 * size at start-up; entries live for the answer's TTL clamped to [min_ttl, max_ttl], and a
 * full bucket replaces the entry that expires first.
 *
 * One table for the whole sensor, shared by every worker: adds take a stripe mutex,
 * lookups take none (a per-bucket sequence counter, see dnslearn.c).
 */
#ifndef MW_DNSLEARN_H
#define MW_DNSLEARN_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/decode/packet.h"

#define DNSLEARN_NAME_LEN 128

struct dnslearn;

struct dnslearn_params {
    uint32_t capacity; /* entries, rounded up to a power of two */
    uint32_t min_ttl;  /* seconds: short TTLs are stretched so the connection that follows still matches */
    uint32_t max_ttl;  /* seconds: long TTLs are cut so stale answers age out */
};

void dnslearn_params_default(struct dnslearn_params *p);
struct dnslearn *dnslearn_new(const struct dnslearn_params *p);
void dnslearn_free(struct dnslearn *t);
void dnslearn_add(struct dnslearn *t, const struct mw_addr *a, const char *name, uint32_t ttl, uint64_t now_us);
/* The pool name a still-valid entry maps a to, copied into name; 1 when found. */
int dnslearn_lookup(struct dnslearn *t, const struct mw_addr *a, uint64_t now_us, char *name, size_t namelen);
/* Same, also giving when the answer was seen (packet time of dnslearn_add). */
int dnslearn_lookup_learned(struct dnslearn *t, const struct mw_addr *a, uint64_t now_us, char *name,
                            size_t namelen, uint64_t *learned_us);
/* Bumped by every add: a worker that saw it move re-checks its recent unmatched flows. */
uint64_t dnslearn_generation(const struct dnslearn *t);
void dnslearn_stats_foreach(const struct dnslearn *t, void (*cb)(void *u, const char *name, uint64_t v), void *u);
size_t dnslearn_memuse(const struct dnslearn *t);

#endif
