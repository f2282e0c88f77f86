/* run.h - the running sensor: capture threads, signals, stats timer, rule reload.
 *
 * main.c parses the command line and opens everything at start-up (captures, outputs,
 * workers), fills a struct run and hands it to run_capture(). From then on nothing is
 * fatal: trouble is logged and counted. Threads: with one worker the calling thread
 * captures and acts on signals between packets; with N workers each worker thread owns
 * its capture handle and its worker (no packet-path state is shared), and the calling
 * thread acts on HUP/USR2 and stops the workers on TERM/INT.
 */
#ifndef MW_RUN_H
#define MW_RUN_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/runtime/worker.h"

#define RUN_MAX_WORKERS 64

struct capture;
struct mw_config;
struct output;
struct worker;

struct run {
    const struct mw_config *cfg;
    const char *read_file;           /* -r FILE, or NULL when capturing live */
    int daemon;                      /* -D: no progress line on the terminal */
    const char *const *extra_rules;  /* -s files, loaded again on every reload */
    size_t nextra_rules;
    struct worker_shared sh;
    struct output *out;
    struct capture *cap[RUN_MAX_WORKERS];
    struct worker *wk[RUN_MAX_WORKERS];
    int nworkers;
    uint64_t start_mono_us;
    int failed; /* a runtime failure (corrupt capture) makes the exit status 1 */
    uint64_t last_ts_us; /* offline: the last packet's time, for the events written at exit */
    /* Serialises stats events: the total sums each worker's latest one (worker_stats_total),
     * so the kernel counters add up even though packets keep reaching a socket after its
     * worker stopped reading. */
    pthread_mutex_t stats_lock;
};

/* Install the handlers for TERM/INT (stop), HUP (reopen outputs), USR2 (reload rules);
 * ignore SIGPIPE. The returned flag is set once a stop was asked for. */
volatile sig_atomic_t *run_signals_install(void);
/* Capture until end of file or a stop signal, then drain every flow and write the final
 * stats; returns when every worker has stopped. */
void run_capture(struct run *run);
/* Act on HUP (reopen outputs) and USR2 (reload rules) if they arrived; 1 once a stop
 * was asked for. For a thread that reads packets on behalf of workers (dispatch.c). */
int run_steer(struct run *run);
/* Wall clock and monotonic clock in microseconds. */
uint64_t run_now_us(void);
uint64_t run_mono_us(void);

#endif
