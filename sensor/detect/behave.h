/* behave.h - encrypted mining by behaviour: the shape of a pool session in packet sizes,
 * directions and timestamps, for TCP flows none of our plaintext dissectors claimed (TLS
 * and other opaque streams). docs/detection.md "Encrypted mining by behaviour" documents
 * the rules and their numbers; sensor/detect/behave.c the design.
 *
 * One struct behave per worker thread. Per-flow state is one fixed block (about 200 bytes)
 * from a block pool, taken when a TCP flow first carries data or completes its handshake
 * and given back when the flow ends, decides, or is ruled out: nothing is allocated per
 * packet, and the number of blocks is bounded by the flow table's memcap.
 */
#ifndef MW_BEHAVE_H
#define MW_BEHAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/evidence.h"
#include "sensor/decode/packet.h"

struct mw_flow;

struct behave_params {
    bool enabled;           /* detect.behaviour: off leaves every flow to the dissectors alone */
    uint32_t min_observe_s; /* a session must have run this long before it can alert */
    uint32_t give_up_s;     /* a flow not judged mining by then is let go */
};

/* enabled, min_observe_s 180, give_up_s 1800. */
void behave_params_default(struct behave_params *p);

struct behave;

struct behave *behave_new(const struct behave_params *p);
void behave_free(struct behave *b);

/* Every packet of flow f sent in direction dir. Returns 1 and fills *ev (a complete
 * MW_EV_PROTOCOL suspicion of variant MW_VAR_ENCRYPTED) when the flow has just shown
 * the mining shape; at most once per flow. */
int behave_packet(struct behave *b, struct mw_flow *f, int dir, const struct mw_packet *p, struct mw_evidence *ev);
/* The flow ends: a last judgement of what was seen (1 and *ev as above), state freed. */
int behave_flow_end(struct behave *b, struct mw_flow *f, struct mw_evidence *ev);

void behave_stats_foreach(const struct behave *b, void (*cb)(void *u, const char *name, uint64_t v), void *u);
size_t behave_memuse(const struct behave *b);

#endif
