/* stream.h - TCP reassembly: per-direction in-order byte streams handed to a callback.
 *
 * In-order data goes to the callback straight from the packet (no copy). Data that
 * arrives ahead of a hole is copied into pool blocks charged against the context's
 * memcap and delivered when the hole fills. First-seen data wins on overlaps. A hole
 * that does not fill (per-flow segment limit, memcap, FIN/RST, flow end) is skipped:
 * the gap callback gets the lost byte count, then delivery goes on. Nothing depends
 * on ACKs, so a span that sees one direction only still delivers it.
 *
 * Sequence numbers use serial arithmetic; a direction starts at its SYN (data at
 * ISN+1) or, when the SYN was missed, at its first data segment (midstream pick-up).
 */
#ifndef MW_STREAM_H
#define MW_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/decode/packet.h"

struct mw_flow;
struct stream_seg; /* a held out-of-order segment, private to stream.c */

/* Per-direction state, embedded twice in every struct mw_flow (24 bytes). */
struct stream_dir {
    struct stream_seg *held; /* held segments, sorted, non-overlapping, all after next_seq */
    uint32_t next_seq;       /* next byte to deliver (valid once STREAM_DIR_INIT is set) */
    uint32_t delivered;      /* bytes handed to the data callback, saturating */
    uint32_t depth_seq;      /* where delivery stopped at the depth (for the resume gap) */
    uint16_t nseg;           /* held segments */
    uint8_t flags;           /* STREAM_DIR_* */
};

#define STREAM_DIR_INIT 0x01  /* next_seq is known */
#define STREAM_DIR_SYN 0x02   /* started from a SYN */
#define STREAM_DIR_DEPTH 0x04 /* depth reached: not delivering */
#define STREAM_DIR_FIN 0x08   /* a FIN was seen */
#define STREAM_DIR_RST 0x10   /* a RST was seen */

struct stream_params {
    size_t memcap;                       /* bytes of held out-of-order data, all flows */
    uint32_t depth;                      /* bytes per direction to inspect, 0 = unlimited */
    uint32_t max_ooo_segments_per_flow;  /* held segments, both directions of one flow */
};

/* memcap 16 MiB, depth 1 MiB, 64 held segments per flow. */
void stream_params_default(struct stream_params *sp);

typedef void (*stream_data_fn)(void *user, struct mw_flow *f, int dir, const uint8_t *data, size_t len,
                               uint64_t ts_us);
typedef void (*stream_gap_fn)(void *user, struct mw_flow *f, int dir, uint32_t lost_bytes);

/* NULL on bad parameters or no memory. */
struct stream_ctx *stream_new(const struct stream_params *sp, stream_data_fn on_data, stream_gap_fn on_gap,
                              void *user);
/* Feed one TCP packet of flow f, sent in direction dir (as returned by flow_get).
 * Non-TCP packets are ignored. The callbacks run inside this call. */
void stream_packet(struct stream_ctx *sc, struct mw_flow *f, int dir, const struct mw_packet *p);
/* The flow ends: deliver what is held (reporting holes as gaps), free it. Must be
 * called from the flow table's end callback, or held blocks stay charged. */
void stream_flow_release(struct stream_ctx *sc, struct mw_flow *f);
void stream_stats_foreach(const struct stream_ctx *sc, void (*cb)(void *u, const char *name, uint64_t v), void *u);
size_t stream_memuse(const struct stream_ctx *sc);
void stream_free(struct stream_ctx *sc);

#endif
