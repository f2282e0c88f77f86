/* defrag.h - IPv4/IPv6 fragment reassembly with a memory cap, a tracker cap and a timeout.
 *
 * A tracker collects the fragments of one datagram, keyed by (family, src, dst, id,
 * proto for IPv4, outer VLAN ids). Payload bytes are written in place into a buffer
 * taken from per-size-class free lists, so steady state does no malloc. Overlaps keep
 * the first-seen bytes; an overlap whose bytes differ is counted as an evasion signal.
 * Eviction: expired trackers (timeout counted from the first fragment) are dropped a
 * few per call, and when the memory or tracker cap is hit the oldest tracker goes.
 */
#ifndef MW_DEFRAG_H
#define MW_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/decode/packet.h"

struct defrag_params {
    size_t memcap;         /* bytes of fragment buffers + trackers held at once */
    uint32_t max_trackers; /* datagrams under reassembly at once */
    uint32_t timeout_s;    /* a datagram must complete within this after its first fragment */
};

/* 16 MiB, 4096 trackers, 30 s. */
struct defrag_params defrag_params_default(void);

#define DEFRAG_COUNTERS(X)                                                        \
    X(ipv4_fragments)   /* fragments offered, per family (Suricata's             \
                           defrag.ipv4.fragments, ...) */                         \
    X(ipv6_fragments)                                                             \
    X(ipv4_reassembled) /* datagrams completed */                                 \
    X(ipv6_reassembled)                                                           \
    X(ipv4_timeouts)    /* trackers expired before completion */                  \
    X(ipv6_timeouts)                                                              \
    X(memcap_drops)     /* trackers evicted (or fragments refused) for the memcap */ \
    X(tracker_drops)    /* trackers evicted because max_trackers was reached */   \
    X(too_large)        /* datagram would exceed 65535 bytes */                   \
    X(overlap)          /* fragment overlapped bytes already held */              \
    X(overlap_mismatch) /* ... and the overlapping bytes differ (evasion signal) */ \
    X(duplicates)       /* fragment entirely covered by bytes already held */     \
    X(bad_length)       /* empty fragment, or non-last fragment not a multiple of 8 */ \
    X(beyond_end)       /* data past the end fixed by the last fragment */        \
    X(end_mismatch)     /* two last fragments claim different ends */             \
    X(too_many_holes)   /* more disjoint pieces than a tracker keeps */

struct defrag_stats {
#define DEFRAG_X_FIELD(n) uint64_t n;
    DEFRAG_COUNTERS(DEFRAG_X_FIELD)
#undef DEFRAG_X_FIELD
};

/* Calls cb once per counter with its name ("defrag.ipv4_fragments", ...). */
void defrag_stats_foreach(const struct defrag_stats *s,
                          void (*cb)(void *u, const char *name, uint64_t v), void *u);

/* One fragment as the decoder found it. hdr is the IP header to rebuild the datagram
 * from: for IPv4 the whole header with options, for IPv6 the 40-byte fixed header
 * (extension headers before the fragment header are not kept). */
struct defrag_frag {
    uint8_t family;          /* 4 or 6 */
    uint8_t proto;           /* IPv4 protocol / next header after the IPv6 fragment header */
    uint16_t vlan[MW_MAX_VLAN];
    struct mw_addr src, dst;
    uint32_t id;             /* IPv4: 16-bit identification; IPv6: 32-bit */
    uint32_t offset;         /* in bytes */
    int more;                /* MF / M flag */
    const uint8_t *hdr;
    uint32_t hdr_len;        /* 20..60 for IPv4, 40 for IPv6 */
    const uint8_t *data;     /* fragment payload */
    uint32_t data_len;
};

enum defrag_result {
    DEFRAG_HELD,     /* stored, datagram not complete yet */
    DEFRAG_DONE,     /* datagram complete: *out / *out_len valid until the next defrag call */
    DEFRAG_DROPPED,  /* refused (counted): bad length, too large, memcap */
};

struct defrag;

/* stats points at caller-owned counters (the decoder keeps them with its own). */
struct defrag *defrag_new(const struct defrag_params *p, struct defrag_stats *stats);
void defrag_free(struct defrag *d);

/* Offer one fragment at time now_us. On DEFRAG_DONE *out is the rebuilt datagram: an
 * IPv4 header with the length fixed and fragment fields cleared, or an IPv6 fixed header
 * whose next header is the fragment header's, followed by the payload. */
enum defrag_result defrag_add(struct defrag *d, const struct defrag_frag *f, uint64_t now_us,
                              const uint8_t **out, uint32_t *out_len);

/* Drop expired trackers, at most max_steps of them (bounded housekeeping). */
void defrag_expire(struct defrag *d, uint64_t now_us, uint32_t max_steps);

/* Trackers and bytes held right now (for tests and stats). */
uint32_t defrag_trackers_in_use(const struct defrag *d);
size_t defrag_bytes_in_use(const struct defrag *d);

#endif
