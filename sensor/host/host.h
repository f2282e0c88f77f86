/* host.h - per-host verdicts from findings, alert throttling and suppression (docs/detection.md).
 *
 * One table for the whole sensor, however many capture workers: a host's findings from any
 * worker add to one verdict and one score, and its host events are written once, in order.
 * Who owns what:
 * - struct hosts (one per process) owns the host records. They live in shards, each behind
 *   its own mutex, chosen by a hash of the address: two workers contend only when their
 *   findings name hosts of the same shard. Locks are taken per finding, never per packet.
 * - struct hosts_view (one per worker thread) owns what that thread writes with: its EVE
 *   writer (line buffer), its GeoIP handle and the queue of hosts whose event waits for the
 *   alert of the same packet. hosts_flush() with nothing queued takes no lock.
 * A host event is rendered and written while its shard is held, so two workers never write
 * the same host's events out of order, and "flagged" is written once per host.
 */
#ifndef MW_HOST_H
#define MW_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/detect/detect.h"
#include "sensor/decode/packet.h"

struct eve;
struct geoip;
struct netset;

#define HOSTS_MAX_SUPPRESS 64

struct hosts_suppress {
    uint32_t sid;             /* 0 = any signature */
    struct mw_addr net;       /* host prefix; bits 0 = any host */
    uint8_t bits;
    char pool[128];           /* "" = any pool; whole-label suffix match */
};

struct hosts_params {
    const struct netset *home_net;
    int track_all;              /* keep state for name/address findings outside home-net too */
    uint32_t max_hosts;
    uint32_t max_evidence;      /* evidence entries per host */
    uint32_t max_overflow_hosts;/* hosts that may track (pool, signature) pairs beyond max_evidence */
    uint64_t report_interval_us;/* host event while the activity goes on */
    uint64_t throttle_window_us;/* one alert per (host, pool, signature) per window */
    uint32_t host_ceiling;      /* alerts per host per ceiling window; 0 = no ceiling */
    uint64_t ceiling_window_us;
    size_t nsuppress;
    struct hosts_suppress suppress[HOSTS_MAX_SUPPRESS];
};

enum host_verdict { HOST_NONE = 0, HOST_LIKELY_MINER, HOST_MINER, HOST_AUTHORISED };

void hosts_params_default(struct hosts_params *p);
const char *hosts_verdict_name(enum host_verdict v);

struct hosts;
struct hosts_view;

struct hosts *hosts_new(const struct hosts_params *p);
void hosts_free(struct hosts *h);
/* A worker's handle: host events it causes are written through eve, pools looked up in geo
 * (may be NULL). Free the views before the table. */
struct hosts_view *hosts_view_new(struct hosts *h, struct eve *eve, struct geoip *geo);
void hosts_view_free(struct hosts_view *v);

/* detect.c's finding callback: updates the host, returns 1 when the alert is to be written. */
int hosts_finding(struct hosts_view *v, const struct detect_finding *fd, uint32_t *repeats);
/* Write the host events that this view's findings queued (after their alerts were written). */
void hosts_flush(struct hosts_view *v);
/* Periodic host events, in bounded steps (flushes queued events first). Any worker may call
 * it: the steps walk the shared table one slice after the other. */
void hosts_housekeep(struct hosts_view *v, uint64_t now_us);
/* At exit: an event for every flagged host whose last event no longer says everything
 * (pools counted beyond the evidence table, changes not yet written). Walks the whole table. */
void hosts_final(struct hosts_view *v, uint64_t now_us);
/* The verdict of a tracked host (tests, report). */
enum host_verdict hosts_verdict(struct hosts *h, const struct mw_addr *a, uint32_t *score);
/* Sensor-wide counters (hosts.*), read under each shard's lock. */
void hosts_stats_foreach(struct hosts *h, void (*cb)(void *u, const char *name, uint64_t v), void *u);
size_t hosts_memuse(struct hosts *h);

#endif
