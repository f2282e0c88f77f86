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
/* The `flow` event of a flow that alerted, with its mining counters. */
void eve_flow(struct eve *e, const struct mw_flow *f, int miner_dir, enum mw_variant variant,
              const struct mw_evidence *info, const char *reason, uint64_t ts_us);
/* A `stats` event: calls each source to list its counters. */
void eve_stats(struct eve *e, uint64_t ts_us, uint64_t uptime_s, eve_stats_source *sources,
               void **srcs, size_t n);
/* Any other event built by a caller (host events): the line is written as given. */
void eve_write_line(struct eve *e, const char *line, size_t len);
uint64_t eve_lines_dropped(const struct eve *e);

/* Shared field writers for modules that build their own events (host.c). */
struct jw;
void eve_format_addr(const struct mw_addr *a, char *out, size_t outlen);
void eve_write_timestamp(struct jw *w, uint64_t ts_us);
const char *eve_proto_name(uint8_t proto);
const char *eve_sensor_name(const struct eve *e);

#endif
