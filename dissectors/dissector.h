/* dissector.h - the contract between the stream layer and protocol dissectors.
 *
 * A dissector is a struct of callbacks (zmap's probe modules are the model). The
 * sensor owns the flow, its buffers and the dissector's per-flow state; the
 * dissector only looks at bytes it is given and reports typed evidence.
 *
 *   probe  - look at the first bytes of a direction: could this be mine?
 *   feed   - in-order stream bytes of one direction (TCP), or one datagram (UDP).
 *            Returns how many bytes it consumed. Bytes not consumed are kept by the
 *            sensor and offered again, followed by new data (so a parser frames
 *            first and returns 0 for an incomplete message). When the sensor's
 *            buffer is full the dissector must consume something, or the sensor
 *            discards the buffer, counts it and calls gap. MW_FEED_MALFORMED
 *            detaches the dissector from this flow (counted, not fatal).
 *   gap    - bytes were lost in a direction; resynchronise (e.g. skip to a newline).
 *   fini   - the flow ends; last chance to report.
 *
 * Dissectors never allocate per packet and keep all flow state in `state`.
 */
#ifndef MW_DISSECTOR_H
#define MW_DISSECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h" /* enum mw_dir */
#include "core/evidence.h"

enum mw_probe { MW_PROBE_NO = 0, MW_PROBE_MAYBE = 1, MW_PROBE_YES = 2 };

#define MW_FEED_MALFORMED (-1L)

#define MW_TRANSPORT_TCP 0x01
#define MW_TRANSPORT_UDP 0x02

struct mw_dctx;
typedef void (*mw_emit_fn)(struct mw_dctx *ctx, const struct mw_evidence *ev);

/* Everything a dissector may know about the flow besides the bytes. */
struct mw_dctx {
    uint64_t ts_us;          /* time of the packet that delivered these bytes */
    uint16_t port[2];        /* port[MW_DIR_FWD]: initiator's port; port[MW_DIR_REV]: responder's */
    uint8_t handshake_seen;  /* 1 when the TCP SYN was seen, so FWD is surely the client */
    uint8_t keep_following;  /* set by a dissector to be fed past the inspection depth */
    uint8_t closed;          /* set by a dissector to say it has nothing more to learn */
    uint8_t reprobe;         /* set by a dissector when the rest of the stream is another protocol
                                (an HTTP CONNECT tunnel opened): the sensor detaches it and probes
                                the bytes that follow afresh */
    struct mw_flow_app *app; /* per-flow counters, writable */
    mw_emit_fn emit;
    void *sink;              /* detect.c's context */
    uint64_t *malformed;     /* counter to bump for malformed input (per dissector) */
};

struct mw_dissector {
    const char *name;      /* app_proto label, e.g. "stratum" */
    uint8_t transports;    /* MW_TRANSPORT_* */
    size_t state_size;
    int (*probe)(const uint8_t *data, size_t len, int dir, const struct mw_dctx *ctx);
    void (*init)(void *state);
    long (*feed)(void *state, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len);
    void (*gap)(void *state, struct mw_dctx *ctx, int dir);
    void (*fini)(void *state, struct mw_dctx *ctx);
};

#endif
