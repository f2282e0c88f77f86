/* worker.h - one packet pipeline: capture -> decode -> flow -> stream -> detect -> EVE.
 * Each worker owns its packet-path tables (flows, streams, detect state); with --workers N
 * each has its own capture handle in one fanout group. What spans flows is shared by every
 * worker (worker_shared): the host table and the DNS-learned pool table (host.h, dnslearn.h
 * say how they are locked). */
#ifndef MW_WORKER_H
#define MW_WORKER_H

#include <signal.h>
#include <stdint.h>

struct mw_config;
struct eve;
struct output;
struct ruleswap;
struct netset;
struct hosts;
struct dnslearn;

struct worker;

struct worker_shared {
    const struct mw_config *cfg;
    struct output *out;
    struct ruleswap *rules; /* the active rule set, swapped on SIGUSR2 reload; worker id = reader */
    const struct netset *home_net, *dns_servers, *proxies;
    struct hosts *hosts;     /* one host table for the sensor */
    struct dnslearn *learn;  /* one DNS-learned pool table for the sensor */
    const char *sensor_name;
    const char *in_iface;
    volatile sig_atomic_t *stop;
};

/* The tables every worker shares (sh->hosts, sh->learn), from sh->cfg and sh->home_net;
 * before the workers. -1 with a message when they cannot be allocated. */
int worker_shared_tables_new(struct worker_shared *sh, char *err, size_t errlen);
/* After every worker was freed. */
void worker_shared_tables_free(struct worker_shared *sh);
uint64_t worker_shared_memuse(const struct worker_shared *sh);
/* At exit, once every worker has drained: host events that the last ones left unsaid. */
void worker_final_hosts(struct worker *w, uint64_t now_us);

struct worker *worker_new(const struct worker_shared *sh, int id, char *err, size_t errlen);
void worker_free(struct worker *w);
/* Every call below holds the active rule set (ruleswap_enter) until worker_idle(): call
 * that before a read that may block, so a reload need not wait for this worker. */
void worker_idle(struct worker *w);
/* Decode one captured frame and run it through the pipeline. */
void worker_packet(struct worker *w, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, uint64_t ts_us);
/* Periodic housekeeping in bounded steps (flow timeouts) at packet time now_us. */
void worker_housekeep(struct worker *w, uint64_t now_us);
/* End every flow (shutdown): their flow events are written. */
void worker_drain(struct worker *w, uint64_t now_us);
/* Offline: how the capture files of the run went so far, for the next stats events
 * (minewatch.capture.files_read / files_skipped / files_failed). */
void worker_set_files(struct worker *w, uint64_t read, uint64_t skipped, uint64_t failed);
/* A stats event covering this worker's tables and the given capture counters. */
void worker_stats(struct worker *w, uint64_t now_us, uint64_t uptime_s, uint64_t kernel_packets,
                  uint64_t kernel_drops, uint64_t kernel_ifdrops);
/* One stats event (written through the first worker's EVE) summing every worker's counters
 * as of its latest worker_stats() (which the caller serialises with this call), the shared
 * tables once, and workers.count = n. -1 when the workers' counters do not line up. */
int worker_stats_total(struct worker *const *ws, int n, uint64_t now_us, uint64_t uptime_s);
uint64_t worker_memuse(const struct worker *w);
struct eve *worker_eve(struct worker *w);
struct rules *const *worker_rules_slot(struct worker *w);

#endif
