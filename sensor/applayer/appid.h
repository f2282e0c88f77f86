/* appid.h - nDPI labels the application protocol of flows no minewatch dissector claimed.
 *
 * One struct appid per worker thread: it owns one nDPI detection module (about 9 MB with
 * libndpi 4.2, so never one per flow or per packet) and a capped table of per-flow nDPI
 * states keyed by (flow pointer, flow_id). A state lives from the flow's first unclaimed
 * packet carrying payload (TCP segments without payload are never fed: appid.no_payload)
 * until nDPI decides, max_packets were fed (then ndpi_detection_giveup), or the
 * flow ends; then it goes back to the pool. When the table is full, the least recently
 * fed state is reclaimed if idle for idle_timeout_s, otherwise the packet is refused.
 *
 * Labels are lowercase copies of nDPI's protocol names interned in struct appid: they stay
 * valid until appid_free(), so free the appid after the flow table is shut down. A flow
 * nDPI could not name gets "failed" (Suricata's word for it) so it is not fed again.
 *
 * nDPI 4.2 calls ordinary JSON-RPC "Mining": a 1 from appid_packet() is a weak suspicion
 * for host scoring only, never an alert. This module emits nothing itself.
 */
#ifndef MW_APPID_H
#define MW_APPID_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/flow/flow.h"
#include "sensor/decode/packet.h"

struct appid_params {
    uint32_t max_packets;    /* payload packets per flow before giving up */
    uint32_t max_flows;      /* concurrent nDPI flow states, cap */
    uint32_t idle_timeout_s; /* (additive) a full table reclaims a state idle this long */
};

/* max_packets 6, max_flows 8192 (about 5.6 MB of nDPI flow states at most), idle_timeout_s 30. */
void appid_params_default(struct appid_params *p);

struct appid;

/* NULL on bad parameters or failure. Not to be called in parallel with another
 * appid_new()/appid_free() (nDPI's module init is not thread-safe). */
struct appid *appid_new(const struct appid_params *p);
void appid_free(struct appid *a);

/* Call for every packet of a flow whose app.app_proto is still NULL. Feeds p->l3 to nDPI;
 * on a verdict (or giveup after max_packets) sets f->app.app_proto and frees the state.
 * Returns 1 when nDPI's verdict is a mining protocol (a weak signal), else 0. */
int appid_packet(struct appid *a, struct mw_flow *f, const struct mw_packet *p);
/* The flow ends: release its nDPI state if any. */
void appid_flow_end(struct appid *a, struct mw_flow *f);

/* appid.packets, appid.flows, appid.classified, appid.gave_up, appid.failed, appid.refused,
 * appid.evicted_idle, appid.mining_guess, appid.in_use, appid.label_overflow,
 * appid.bad_packet, appid.no_payload (additive: TCP segments not fed, no payload) */
void appid_stats_foreach(const struct appid *a, void (*cb)(void *u, const char *name, uint64_t v), void *u);
/* States and tables, plus the nDPI module's own allocations measured at appid_new(). */
size_t appid_memuse(const struct appid *a);

#endif
