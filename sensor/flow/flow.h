/* flow.h - the flow table: one struct mw_flow per conversation, with idle timeouts and a memcap.
 *
 * Flows are keyed by both endpoints, the protocol and the VLAN ids, normalised so both
 * directions find the same flow (ICMP flows ignore type/code). addr[MW_DIR_FWD] is the
 * initiator: the SYN sender; the receiver of a SYN-ACK seen first; without a handshake
 * (TCP picked up midstream, UDP) the endpoint with the higher port when ports differ,
 * else the first sender.
 *
 * Memory: flows come from a block pool (no malloc per packet in steady state); creating
 * a flow that would pass memcap first evicts the least recently seen flows in bulk
 * (evict_batch). Idle flows expire per protocol and TCP state; flow_housekeep() does a
 * bounded amount of expiry work per call, and flow_get() also expires a stale flow it
 * finds, so results do not depend on how often housekeeping runs.
 *
 * The end callback runs for every flow that leaves the table (timeout, eviction,
 * shutdown, TCP close followed by port reuse). It must call stream_flow_release() for
 * TCP flows and must not call back into the flow table.
 */
#ifndef MW_FLOW_H
#define MW_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h" /* enum mw_dir */
#include "core/evidence.h"
#include "sensor/decode/packet.h"
#include "sensor/stream/stream.h"

struct flow_params {
    size_t memcap;          /* bytes: flows plus the hash bucket array */
    uint32_t hash_buckets;  /* rounded up to a power of two */
    uint32_t timeout_tcp_new, timeout_tcp_established, timeout_tcp_closed; /* seconds */
    uint32_t timeout_udp, timeout_icmp, timeout_other;                      /* seconds */
    uint32_t evict_batch;   /* flows evicted at once when the memcap is hit */
    uint32_t housekeep_budget; /* most flows examined per flow_housekeep() call (additive field) */
};

/* memcap 32 MiB, 65536 buckets, timeouts tcp 30/3600/30, udp 120, icmp 30, other 60,
 * evict_batch 64, housekeep_budget 512. */
void flow_params_default(struct flow_params *fp);

enum flow_tcp_state {
    FLOW_TCP_NONE = 0,    /* not TCP */
    FLOW_TCP_NEW,         /* SYN or SYN-ACK seen, handshake not complete */
    FLOW_TCP_ESTABLISHED, /* handshake completed, or picked up midstream */
    FLOW_TCP_CLOSED,      /* FIN or RST seen: closing */
};

struct mw_flow {
    struct mw_addr addr[2]; /* [MW_DIR_FWD] = initiator, [MW_DIR_REV] = responder */
    uint16_t port[2];       /* ICMP: type/code of the first packet */
    uint8_t proto;
    uint8_t vlan_count;
    uint16_t vlan[MW_MAX_VLAN];
    uint8_t handshake_seen; /* initiator known from SYN / SYN-ACK */
    uint8_t keep_following; /* set by detect: inspect past the stream depth */
    uint8_t alerted;        /* set by detect: this flow produced an alert */
    uint8_t tcp_state;      /* enum flow_tcp_state */
    uint8_t tcp_flags[2];   /* OR of TCP flags seen per direction */
    uint8_t lru_class;      /* private: which timeout list holds the flow */
    uint8_t behave_done;    /* set by behave: judged or ruled out, never tracked again */
    uint64_t flow_id;       /* 51 bits, unique per table, never 0; 0 once the flow ended */
    uint64_t first_ts_us, last_ts_us;
    uint64_t pkts[2], bytes[2];
    struct stream_dir stream[2];
    struct mw_flow_app app;
    void *detect;           /* opaque, owned by sensor/detect/detect.c */
    void *behave;           /* opaque, owned by sensor/detect/behave.c */
    /* private links */
    struct mw_flow *hnext;
    struct mw_flow *lru_prev, *lru_next;
    uint32_t hash;
};

/* CLOSED: FIN or RST seen, then the closed timeout passed; TCP_REUSE: a new SYN arrived on
 * a closed connection's port pair. */
enum flow_end_reason { FLOW_END_TIMEOUT, FLOW_END_EVICTED, FLOW_END_SHUTDOWN, FLOW_END_CLOSED, FLOW_END_TCP_REUSE };
typedef void (*flow_end_fn)(void *user, struct mw_flow *f, enum flow_end_reason why);

struct flow_table;

/* NULL on bad parameters or no memory. */
struct flow_table *flow_table_new(const struct flow_params *fp, flow_end_fn on_end, void *user);
/* Find or create the flow of p and account the packet to it; *dir = MW_DIR_FWD if p
 * was sent by addr[0]. Returns NULL (counted in flow.memcap_fail) only when the memcap
 * cannot be met even after eviction, or p is not an IP packet. */
struct mw_flow *flow_get(struct flow_table *t, const struct mw_packet *p, int *dir);
/* Expire flows idle at now_us; examines at most housekeep_budget flows. */
void flow_housekeep(struct flow_table *t, uint64_t now_us);
/* End every flow (on_end SHUTDOWN). */
void flow_table_shutdown(struct flow_table *t);
/* Frees the table; flows still in it are dropped without on_end (call shutdown first). */
void flow_table_free(struct flow_table *t);
size_t flow_table_memuse(const struct flow_table *t);
uint32_t flow_table_count(const struct flow_table *t);
void flow_stats_foreach(const struct flow_table *t, void (*cb)(void *u, const char *name, uint64_t v), void *u);
/* Suricata's flow.reason for why: "timeout" (CLOSED too: its state says closed),
 * "forced" (evicted), "shutdown", "tcp_reuse". */
const char *flow_end_reason_name(enum flow_end_reason why);

#endif
