/* run.c - the capture loop, one per worker thread, and the signals that steer it.
 *
 * Signals only set flags; the loop acts on them between packets (SIGHUP reopens outputs,
 * SIGUSR2 reloads rules, SIGTERM/SIGINT stop after a flush and a final stats event).
 */
#include "sensor/runtime/run.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sensor/capture/capture.h"
#include "sensor/eve/eve.h"
#include "sensor/eve/output.h"
#include "sensor/runtime/dispatch.h"
#include "sensor/runtime/config.h"
#include "sensor/runtime/log.h"
#include "sensor/runtime/reload.h"
#include "sensor/runtime/ruleswap.h"
#include "sensor/runtime/runstats.h"
#include "sensor/runtime/worker.h"

static volatile sig_atomic_t run_stop, run_hup, run_usr2;

static void run_on_signal(int sig)
{
    if (sig == SIGHUP)
        run_hup = 1;
    else if (sig == SIGUSR2)
        run_usr2 = 1;
    else if (sig == SIGALRM) {
        if (run_stop)
            alarm(1); /* keep interrupting until the loop has seen the stop */
    } else {
        run_stop = 1;
        /* A read that began just before this signal would block again: a capture file
         * read from a quiet pipe or FIFO. The alarm interrupts it within a second. */
        alarm(1);
    }
}

volatile sig_atomic_t *run_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = run_on_signal;
    sigemptyset(&sa.sa_mask);
    /* TERM and INT interrupt a blocked read (a capture file on a pipe or FIFO that went
     * quiet) so the sensor stops, flushes and exits; the loop takes the read error that
     * follows for the stop it is. */
    sa.sa_flags = 0;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_flags = SA_RESTART; /* a capture file read from a pipe must not fail with EINTR */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return &run_stop;
}

uint64_t run_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t run_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* SIGHUP: log rotation moved the EVE file and the daemon's log file. */
static void run_reopen(struct run *run)
{
    output_reopen(run->out);
    mw_log_reopen();
}

int run_steer(struct run *run)
{
    if (run_hup) {
        run_hup = 0;
        run_reopen(run);
    }
    if (run_usr2) {
        run_usr2 = 0;
        reload_rules(run);
    }
    return run_stop != 0;
}

struct run_thread {
    struct run *run;
    int id;
};

static void *run_capture_loop(void *arg)
{
    struct run_thread *t = arg;
    struct run *run = t->run;
    struct capture *cap = run->cap[t->id];
    struct worker *w = run->wk[t->id];
    int dlt = capture_datalink(cap);
    int offline = !capture_is_live(cap);
    int show_progress = offline && t->id == 0 && isatty(2) && !run->daemon;
    /* The thread that acts on HUP and USR2 between packets; with N live workers the
     * calling thread of run_capture() does it instead. */
    int steers = t->id == 0 && (offline || run->nworkers == 1);
    struct runstats_timer stats;
    runstats_timer_init(&stats, run);
    uint64_t next_house = 0, last_ts = 0;
    struct capture_packet pk;
    for (;;) {
        if (run_stop)
            break;
        /* The read below may block on a quiet link: hold no rule set meanwhile, so a
         * reload frees the old set without waiting for this worker's next packet. */
        worker_idle(w);
        /* Signal flags are acted on at the top of the loop so a quiet link or a read that
         * returned without a packet still reopens outputs and reloads rules promptly. */
        if (steers) {
            if (run_hup) {
                run_hup = 0;
                run_reopen(run);
            }
            if (run_usr2) {
                run_usr2 = 0;
                reload_rules(run);
            }
        }
        enum capture_status st = capture_next(cap, &pk);
        /* A capture read from a pipe blocks (SA_RESTART) until its next packet arrives: a
         * reload asked for meanwhile must already apply to that packet. */
        if (st == CAPTURE_OK && run_usr2 && steers) {
            run_usr2 = 0;
            reload_rules(run);
        }
        /* Offline, time is packet time; live, time is the clock (a quiet link still ages flows). */
        uint64_t now = offline ? (st == CAPTURE_OK ? pk.ts_us : last_ts) : run_now_us();
        if (st == CAPTURE_OK) {
            if (offline)
                eve_set_pcap_cnt(worker_eve(w), capture_packet_number(cap));
            worker_packet(w, dlt, pk.data, pk.caplen, pk.wirelen, pk.ts_us);
            eve_set_pcap_cnt(worker_eve(w), 0);
            last_ts = pk.ts_us > last_ts ? pk.ts_us : last_ts;
        } else if (st == CAPTURE_EOF) {
            break;
        } else if (st == CAPTURE_ERROR) {
            if (run_stop)
                break; /* the stop signal interrupted a read */
            if (offline) {
                if (show_progress)
                    fputc('\n', stderr); /* end the progress line */
                mw_log(MW_LOG_ERR, "%s: error after packet %llu: %s", capture_current_file(cap),
                       (unsigned long long)capture_packet_number(cap), capture_error(cap));
                run->failed = 1;
                break;
            }
            mw_log(MW_LOG_ERR, "capture error: %s", capture_error(cap));
            usleep(100000);
            continue;
        }
        if (now >= next_house) {
            worker_housekeep(w, now);
            if (t->id == 0)
                output_flush(run->out); /* quiet links must not leave lines in the buffer */
            next_house = now + 100000; /* housekeeping steps are bounded; run them every 100 ms */
        }
        if (runstats_timer_due(&stats, now))
            runstats_worker(run, t->id, now, 0);
        if (show_progress)
            runstats_progress(run, 0);
    }
    if (t->id == 0 && run_hup) { /* a rotation that arrived during the last read */
        run_hup = 0;
        run_reopen(run);
    }
    uint64_t end = offline ? last_ts : run_now_us();
    worker_drain(w, end);
    if (offline && t->id == 0)
        run->last_ts_us = end;
    if (run->cfg->stats.enabled)
        runstats_worker(run, t->id, end ? end : run_now_us(), 1);
    if (show_progress)
        runstats_progress(run, 1);
    return NULL;
}

/* Every worker has drained: what the host events have not said yet is said once. */
static void run_final_hosts(struct run *run)
{
    worker_final_hosts(run->wk[0], run->last_ts_us ? run->last_ts_us : run_now_us());
}

void run_capture(struct run *run)
{
    struct run_thread th[RUN_MAX_WORKERS];
    pthread_t tid[RUN_MAX_WORKERS];
    run->start_mono_us = run_mono_us();
    if (run->read_file && run->nworkers > 1) {
        dispatch_run(run);
        run_final_hosts(run);
        if (run->cfg->stats.enabled)
            runstats_total(run);
        return;
    }
    if (run->nworkers == 1) {
        th[0].run = run;
        th[0].id = 0;
        run_capture_loop(&th[0]);
        run_final_hosts(run);
        return;
    }
    int started = 0;
    for (int i = 0; i < run->nworkers; i++) {
        th[i].run = run;
        th[i].id = i;
        if (pthread_create(&tid[i], NULL, run_capture_loop, &th[i]) != 0) {
            mw_log(MW_LOG_ERR, "cannot start capture worker %d; stopping", i);
            run_stop = 1;
            break;
        }
        started++;
    }
    /* The calling thread handles signals that concern everyone while workers capture. */
    while (!run_stop) {
        usleep(100000);
        if (run_hup) {
            run_hup = 0;
            run_reopen(run);
        }
        if (run_usr2) {
            run_usr2 = 0;
            reload_rules(run);
        }
        /* A set retired by a reload is freed once every worker has moved on. */
        ruleswap_reclaim(run->sh.rules);
    }
    for (int i = 0; i < run->nworkers; i++)
        capture_breakloop(run->cap[i]);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    run_final_hosts(run);
    if (run->cfg->stats.enabled)
        runstats_total(run);
}
