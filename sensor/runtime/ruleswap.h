/* ruleswap.h - the active rule set, replaced on reload while worker threads read it.
 *
 * Quiescent-state reclamation with one writer and a fixed number of readers (the capture
 * workers). The set is published through an atomic pointer together with a generation
 * number. A reader calls ruleswap_enter() whenever it starts work (a packet, housekeeping,
 * stats): it publishes the generation it has moved to and gets the current set, which stays
 * valid until its next ruleswap_leave() or ruleswap_enter(). Before it may block (a capture
 * read on a quiet link) it calls ruleswap_leave(): it then holds no set at all, so an idle
 * or blocked worker never delays a reload.
 *
 * The writer (the thread that reloads) calls ruleswap_publish(): the old set is retired with
 * the new generation and freed by ruleswap_reclaim() once every reader has either left or
 * entered that generation or a later one. No fixed grace period: a reader slow on one packet
 * keeps its set for as long as it needs it.
 *
 * Memory ordering: every access is sequentially consistent. A reader stores its generation
 * before it loads the pointer, the writer stores the pointer before it reads the readers'
 * generations; so a reader the writer saw as "left" can only load the new pointer.
 */
#ifndef MW_RULESWAP_H
#define MW_RULESWAP_H

#include <stddef.h>
#include <stdint.h>

struct rules;
struct ruleswap;

/* Retired sets waiting for a slow reader; a reload beyond that is refused, so a stuck
 * reader cannot make reloads pile up rule sets in memory. */
#define RULESWAP_MAX_RETIRED 4

typedef void (*ruleswap_destroy_fn)(struct rules *r);

/* Takes ownership of initial (never NULL). destroy frees a retired set; NULL = rules_free.
 * NULL when nreaders < 1 or out of memory. */
struct ruleswap *ruleswap_new(struct rules *initial, int nreaders, ruleswap_destroy_fn destroy);
/* Frees the current set and every retired one: call only when no reader runs any more. */
void ruleswap_free(struct ruleswap *s);

/* Reader side (reader = 0 .. nreaders-1, each used by one thread only); no allocation,
 * no lock. */
struct rules *ruleswap_enter(struct ruleswap *s, int reader);
void ruleswap_leave(struct ruleswap *s, int reader);

/* Writer side (one thread at a time). Makes next the current set (ownership passes to s)
 * and frees whatever can be freed. -1 (and next is left to the caller) when
 * RULESWAP_MAX_RETIRED sets still wait for a reader. */
int ruleswap_publish(struct ruleswap *s, struct rules *next);
/* Free the retired sets that no reader can hold any more; returns how many still wait. */
size_t ruleswap_reclaim(struct ruleswap *s);
/* The current set, for the writer (e.g. counts after a reload). */
struct rules *ruleswap_current(struct ruleswap *s);

#endif
