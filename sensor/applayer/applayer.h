/* applayer.h - the app-layer engine: from stream bytes and datagrams to dissector evidence.
 *
 * It owns the dissector registry, probing (content decides, not ports; registry order breaks
 * ties), each flow's dissector state and the per-direction buffers of bytes a dissector did
 * not consume yet (dissectors/dissector.h is the contract). It hands every piece of evidence
 * to the caller's emit function and decides nothing about alerts (sensor/detect/ does).
 *
 * One struct applayer per worker thread. The per-flow part, struct applayer_flow, is
 * embedded in the caller's per-flow record and zeroed by it; applayer_flow_end() must be
 * called before that record is reused.
 */
#ifndef MW_APPLAYER_H
#define MW_APPLAYER_H

#include <stddef.h>
#include <stdint.h>

#include "core/evidence.h"

struct mw_flow;
struct mw_dissector;
struct applayer_buf;

struct applayer_params {
    uint32_t buffer_size; /* per-direction bytes kept for a dissector's incomplete message */
    uint32_t max_buffers; /* cap on such buffers in use at once */
    size_t body_memcap;   /* bytes of message-body blocks lent to dissectors (MW_BODY_BLOCK each);
                             0 = APPLAYER_BODY_MEMCAP_DEFAULT */
};

/* 16 MiB: 4096 bodies copied for classification at once (an HTTP POST or a WebSocket
 * text message per direction of a web-mining flow). */
#define APPLAYER_BODY_MEMCAP_DEFAULT (16u << 20)

/* Per-flow engine state; all zero means "not probed yet". */
struct applayer_flow {
    const struct mw_dissector *diss;
    void *dstate;             /* a block of the dissector's state pool */
    struct applayer_buf *left[2];
    uint32_t need[2];         /* bytes the dissector said it needs before it is offered again */
    uint8_t diss_i;
    uint8_t probed;           /* bit per direction */
    uint8_t done;             /* nothing more to inspect */
};

/* Called for every piece of evidence a dissector reports on flow f. */
typedef void (*applayer_emit_fn)(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us);

struct applayer;

struct applayer *applayer_new(const struct applayer_params *p, applayer_emit_fn emit, void *user);
void applayer_free(struct applayer *a);

/* In-order TCP bytes of one direction (stream.c's data callback, through the caller). */
void applayer_stream_data(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir,
                          const uint8_t *data, size_t len, uint64_t ts_us);
/* Bytes were lost in a direction; af may be NULL (the gap is still counted). */
void applayer_stream_gap(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir);
/* One UDP datagram with payload. */
void applayer_datagram(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, int dir,
                       const uint8_t *data, size_t len, uint64_t ts_us);
/* The flow ends: the dissector's last report (fini), then its state and buffers go back. */
void applayer_flow_end(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, uint64_t ts_us);

/* Attach d to the flow without probing (d must be in the registry): the test and fuzz
 * driver's way to put any bytes in front of one dissector. Returns 0, or -1 when d is
 * not registered or no state block could be had. */
int applayer_attach(struct applayer *a, struct mw_flow *f, struct applayer_flow *af, const struct mw_dissector *d);

/* Called with a dissector's state just before it goes back to its pool (after fini):
 * the test driver keeps a copy to look at after the dissector gave up. */
typedef void (*applayer_detach_fn)(void *user, const void *state, size_t size);
void applayer_set_detach_hook(struct applayer *a, applayer_detach_fn fn, void *user);

/* Bytes kept for direction dir, waiting for the rest of a message. */
size_t applayer_flow_buffered(const struct applayer_flow *af, int dir);

/* Allocation failures so far (the caller reports them with its own). */
uint64_t applayer_alloc_failures(const struct applayer *a);
void applayer_stats_foreach(const struct applayer *a, void (*cb)(void *u, const char *name, uint64_t v), void *u);
size_t applayer_memuse(const struct applayer *a);

#endif
