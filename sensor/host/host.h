/* host.h - per-host verdicts from findings, alert throttling and suppression (docs/detection.md). */
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
    int track_all;              /* keep state for hosts outside home-net too */
    uint32_t max_hosts;
    uint32_t max_evidence;      /* evidence entries per host */
    uint64_t report_interval_us;/* host event while the activity goes on */
    uint64_t throttle_window_us;/* one alert per (host, pool, signature) per window */
    size_t nsuppress;
    struct hosts_suppress suppress[HOSTS_MAX_SUPPRESS];
    struct geoip *geoip;        /* pool-side enrichment of host events; NULL = none */
};

enum host_verdict { HOST_NONE = 0, HOST_LIKELY_MINER, HOST_MINER, HOST_AUTHORISED };

void hosts_params_default(struct hosts_params *p);
const char *hosts_verdict_name(enum host_verdict v);

struct hosts;
struct hosts *hosts_new(const struct hosts_params *p, struct eve *eve);
void hosts_free(struct hosts *h);
/* detect.c's finding callback: updates the host, returns 1 when the alert is to be written. */
int hosts_finding(struct hosts *h, const struct detect_finding *fd, uint32_t *repeats);
/* Write the host events that findings queued (after their alerts were written). */
void hosts_flush(struct hosts *h);
/* Periodic host events, in bounded steps (flushes queued events first). */
void hosts_housekeep(struct hosts *h, uint64_t now_us);
/* The verdict of a tracked host (tests, report). */
enum host_verdict hosts_verdict(const struct hosts *h, const struct mw_addr *a, uint32_t *score);
void hosts_stats_foreach(const struct hosts *h, void (*cb)(void *u, const char *name, uint64_t v), void *u);
size_t hosts_memuse(const struct hosts *h);

#endif
