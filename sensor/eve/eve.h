/* eve.h - the only place that turns sensor records into EVE JSON lines (docs/eve.md). */
#ifndef MW_EVE_H
#define MW_EVE_H

#include <stddef.h>
#include <stdint.h>

#include "core/evidence.h"
#include "sensor/decode/packet.h"

struct mw_flow;
struct output;

struct eve_params {
    const char *sensor_name; /* `host` field */
    const char *in_iface;    /* `in_iface` field; NULL when reading a file */
    int community_id;        /* emit community_id */
    uint16_t community_seed;
};

/* One alert: the evidence, which signature, how sure, and which flow direction the miner sends in. */
struct eve_alert {
    const struct mw_flow *flow;
    const struct mw_evidence *ev;
    uint32_t sid;
    uint8_t severity;        /* 1 both sides, 2 one side, 3 suspicion */
    int miner_dir;           /* MW_DIR_FWD / MW_DIR_REV */
    uint64_t ts_us;
    uint32_t repeats;        /* suppressed repeats folded into this alert */
    const char *resolver_note; /* set when the asker is a configured DNS server / proxy */
    const char *geo_country, *geo_city, *geo_as_org; /* enrichment of the pool side, may be NULL */
    uint32_t geo_asn;
};

struct eve;

/* Counters the stats event reports, as "module.name"; sensor/eve/stats_tree.h names them for EVE. */
typedef void (*eve_counter_fn)(void *u, const char *name, uint64_t value);
typedef void (*eve_stats_source)(void *src, eve_counter_fn cb, void *u);

struct eve *eve_new(const struct eve_params *p, struct output *out);
void eve_free(struct eve *e);
void eve_alert(struct eve *e, const struct eve_alert *a);
/* The `flow` event of a mining flow: one that alerted (held NULL), or one whose alerts were
 * all held back (held says why: "throttled", "host-ceiling", "suppressed", "untracked");
 * http (may be NULL) is the HTTP transaction that carried its findings. */
void eve_flow(struct eve *e, const struct mw_flow *f, int miner_dir, enum mw_variant variant,
              const struct mw_evidence *info, const struct mw_http_facts *http, const char *reason,
              const char *held, uint64_t ts_us);
/* A `stats` event: calls each source to list its counters. */
void eve_stats(struct eve *e, uint64_t ts_us, uint64_t uptime_s, eve_stats_source *sources,
               void **srcs, size_t n);
uint64_t eve_lines_dropped(const struct eve *e);
/* Also write every stats event's counters to a Prometheus textfile (sensor/eve/prom.h);
 * NULL: no longer. The caller keeps p. */
struct prom;
void eve_set_prom(struct eve *e, struct prom *p);
/* The number in its capture file (from 1) of the packet about to be processed, written as
 * pcap_cnt on the alerts it raises; 0 (live capture, or no packet: housekeeping, the end
 * of the run) writes none. */
void eve_set_pcap_cnt(struct eve *e, uint64_t n);

/* ---- host verdicts (docs/eve.md "host"), handed over by host.c as plain records ---- */

#define EVE_HOST_POOL_LEN 96
#define EVE_HOST_ALGO_LEN 24

/* One distinct piece of evidence of a host: variant + pool + signature. */
struct eve_host_evidence {
    enum mw_variant variant;
    uint32_t sid;
    char pool[EVE_HOST_POOL_LEN];  /* a name, or the pool's address when no name was seen */
    char worker[MW_EV_WORKER_LEN];
    char agent[MW_EV_AGENT_LEN];
    char algo[EVE_HOST_ALGO_LEN];
    char coin[MW_EV_COIN_LEN];
    uint16_t port;
    uint8_t points;            /* what it added to the score */
    uint8_t has_peer;          /* peer is the pool (not a resolver, not a classifier guess) */
    struct mw_addr peer;       /* the pool's address, first seen */
    uint32_t count;
    uint64_t first_us, last_us;
};

/* What is known of where a pool is; strings "" when unknown. */
struct eve_geo {
    const char *country, *city, *as_org;
    uint32_t asn;
    uint8_t found;
};

struct eve_host {
    struct mw_addr addr;
    const char *verdict, *reason;
    uint32_t score;
    uint64_t first_us, last_us;
    uint64_t findings;         /* every finding counted, including those beyond the evidence table */
    int in_home_net;
    uint32_t pools_total;      /* distinct pools, including those the evidence table had no room for */
    int pools_truncated;       /* pools[] lists fewer than pools_total */
    uint64_t alerts_throttled, alerts_over_ceiling;
    const struct eve_host_evidence *ev;
    unsigned nev;
    const struct eve_geo *geo; /* nev entries (pool side of each), or NULL */
};

void eve_host(struct eve *e, const struct eve_host *h, uint64_t ts_us);

/* Shared field writers. */
struct jw;
void eve_format_addr(const struct mw_addr *a, char *out, size_t outlen);
void eve_write_timestamp(struct jw *w, uint64_t ts_us);
const char *eve_proto_name(uint8_t proto);

#endif
