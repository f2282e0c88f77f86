/* detect.h - from packets and stream bytes to alerts: the flow's app-layer engine
 * (sensor/applayer/, owned here), evidence merging, pool-list matching and the alert
 * decision. One struct detect per worker thread. */
#ifndef MW_DETECT_H
#define MW_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "core/evidence.h"
#include "sensor/decode/packet.h"
#include "sensor/detect/behave.h"

struct mw_flow;
struct eve;
struct rules;
struct dnslearn;
struct netset;
struct geoip;

/* A finding as the host-verdict stage sees it. Returns 1 when the alert should be written,
 * 0 when it is suppressed (throttled, suppression rule); *repeats gets the number of earlier
 * suppressed repeats to fold into the written alert. */
struct detect_finding {
    const struct mw_flow *flow;
    const struct mw_evidence *ev;
    int miner_dir;
    uint32_t sid;
    uint8_t severity;
    uint8_t on_behalf;   /* the asker is a configured resolver/proxy: do not flag it */
    uint8_t allowlisted; /* matched an allowlist: authorised, no alert */
    uint64_t ts_us;
    uint8_t update_only; /* new facts for a finding already reported: update the host, never alert */
    const char **held;   /* when not NULL, the host stage says here why it held an alert back */
    /* The host the finding is about when it is not the flow's miner side: the client named
     * by a PROXY-protocol header that a configured proxy sent. NULL = flow->addr[miner_dir]. */
    const struct mw_addr *host_addr;
};
typedef int (*detect_finding_fn)(void *user, const struct detect_finding *fd, uint32_t *repeats);

struct detect_params {
    uint32_t buffer_size;     /* per-direction bytes kept for a dissector's incomplete message */
    uint32_t max_buffers;     /* cap on such buffers in use at once */
    uint64_t confirm_hold_us; /* wait this long for the other side before a one-sided alert */
    const struct netset *dns_servers;
    const struct netset *proxies;
    struct geoip *geoip;      /* enrichment of the pool side of alerts; NULL = none */
    struct behave_params behave; /* encrypted mining by behaviour */
};

void detect_params_default(struct detect_params *p);

struct detect;

/* rules points at the active rule set: a reload swaps *rules between packets. */
struct detect *detect_new(const struct detect_params *p, struct eve *eve, struct rules *const *rules,
                          struct dnslearn *learn, detect_finding_fn on_finding, void *finding_user);
void detect_free(struct detect *d);

/* Every packet, after its flow was found: address checks, UDP datagrams, pending alerts. */
void detect_packet(struct detect *d, struct mw_flow *f, int dir, const struct mw_packet *p);
/* Re-check recent flows that matched no pool address when the DNS-learned table has changed
 * since the last call (detect_packet does it; housekeeping and the end of a run too). */
void detect_recheck(struct detect *d, uint64_t now_us);
/* stream.c callbacks (user = struct detect *). */
void detect_stream_data(void *user, struct mw_flow *f, int dir, const uint8_t *data, size_t len, uint64_t ts_us);
void detect_stream_gap(void *user, struct mw_flow *f, int dir, uint32_t lost);
/* The flow ends: last reports, the flow event of a flow that alerted, state freed. */
void detect_flow_end(struct detect *d, struct mw_flow *f, const char *reason, uint64_t ts_us);

void detect_stats_foreach(const struct detect *d, void (*cb)(void *u, const char *name, uint64_t v), void *u);
size_t detect_memuse(const struct detect *d);

#endif
