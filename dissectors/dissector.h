/* dissector.h - the contract between the app-layer engine and protocol dissectors.
 *
 * A dissector is a struct of callbacks (zmap's probe modules are the model). The
 * engine (sensor/applayer/) owns the flow, its buffers and the dissector's per-flow
 * state; the dissector only looks at bytes it is given and reports typed evidence.
 *
 *   probe  - look at the first bytes of a direction: could this be mine?
 *   feed   - in-order stream bytes of one direction (TCP), or one datagram (UDP).
 *            Returns one of:
 *              consumed (> 0): bytes used; the rest is kept and offered again,
 *                        followed by new data (frame first, parse complete messages);
 *              need-more (0): nothing usable until more bytes arrive; the dissector
 *                        may set ctx->need to the total bytes it needs from the start of
 *                        what it was offered (a length prefix tells it), so the engine
 *                        waits without calling again and drops at once a message longer
 *                        than it keeps;
 *              MW_FEED_MALFORMED: the stream cannot be this protocol; the engine
 *                        detaches the dissector from this flow (counted, not fatal).
 *            When the engine's buffer is full and nothing is consumed, it discards the
 *            buffer, counts it and calls gap.
 *   gap    - bytes were lost in a direction; resynchronise (e.g. skip to a newline).
 *   fini   - the flow ends; last chance to report.
 *
 * Hostile input is counted by name: a dissector lists its events (`events`, indexed by
 * its own enum) and calls mw_event(); stats report them as app.<name>.<event>.
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

/* Size of a body block (struct mw_dctx body_get). */
#define MW_BODY_BLOCK 4096u

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
    uint8_t nevents;         /* entries in events[] */
    uint32_t need;           /* optional hint with a need-more return (see feed above); 0 = unknown */
    struct mw_flow_app *app; /* per-flow counters, writable */
    mw_emit_fn emit;
    void *sink;              /* the engine's context */
    uint64_t *events;        /* the engine's counters for this dissector's events; NULL = none */
    struct mw_probe_memo *memo; /* scratch lent for one engine call; NULL = none */
    /* Message buffers of MW_BODY_BLOCK bytes from the engine's capped pool (a dissector
     * that copies bodies for classification); get returns NULL when refused (counted by
     * the engine): go on without copying. Every block taken is put back by fini. */
    void *(*body_get)(struct mw_dctx *ctx);
    void (*body_put)(struct mw_dctx *ctx, void *block);
};

/* Count a named event of the dissector (an index into its `events` list). */
static inline void mw_event(struct mw_dctx *ctx, unsigned ev)
{
    if (ctx->events && ev < ctx->nevents)
        ctx->events[ev]++;
}

/* A probe that had to parse to decide may leave the parse here, tagged with the bytes it
 * read, so the feed of those same bytes in the same engine call uses it instead of parsing
 * again. The engine invalidates it at the start of every call; the bytes cannot change
 * within one call. */
#define MW_PROBE_MEMO_SIZE 4096
struct mw_probe_memo {
    const void *owner;       /* the dissector that wrote it */
    const uint8_t *data;     /* the bytes it parsed */
    size_t len;
    _Alignas(16) uint8_t body[MW_PROBE_MEMO_SIZE];
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
    const char *const *events; /* event names (stats: app.<name>.<event>), indexed by the dissector's enum */
    uint8_t nevents;
};

#endif
