/* runstats.c - the stats timer, the per-worker and total stats events, the progress line. */
#include "sensor/runtime/runstats.h"

#include <pthread.h>
#include <stdio.h>

#include "sensor/capture/capture.h"
#include "sensor/runtime/config.h"
#include "sensor/runtime/log.h"
#include "sensor/runtime/run.h"
#include "sensor/runtime/worker.h"

void runstats_timer_init(struct runstats_timer *t, const struct run *run)
{
    t->interval_us = run->cfg->stats.enabled ? (uint64_t)run->cfg->stats.interval * 1000000u : 0;
    t->next_us = 0;
}

int runstats_timer_due(struct runstats_timer *t, uint64_t now_us)
{
    if (!t->interval_us)
        return 0;
    if (!t->next_us) {
        t->next_us = now_us + t->interval_us;
        return 0;
    }
    if (now_us < t->next_us)
        return 0;
    t->next_us = now_us + t->interval_us;
    return 1;
}

void runstats_progress(struct run *run, int final)
{
    static uint64_t last_us;
    uint64_t pos, size, now = run_mono_us();
    if (!final && now - last_us < 500000)
        return;
    last_us = now;
    if (capture_file_progress(run->cap[0], &pos, &size) != 0)
        return;
    double secs = (double)(now - run->start_mono_us) / 1e6;
    uint64_t pk = capture_packet_number(run->cap[0]);
    fprintf(stderr, "\r%s: %5.1f%% read, %llu packets, %.0f packets/s%s", capture_current_file(run->cap[0]),
            size ? 100.0 * (double)pos / (double)size : 100.0, (unsigned long long)pk,
            secs > 0 ? (double)pk / secs : 0.0, final ? "\n" : "");
}

static void runstats_total_locked(struct run *run, uint64_t ts_us, uint64_t uptime);

void runstats_worker(struct run *run, int i, uint64_t ts_us, int final)
{
    uint64_t kp = 0, kd = 0, ki = 0;
    if (run->cap[i]) { /* offline dispatch: only the reading thread has a capture handle */
        capture_kernel_stats(run->cap[i], &kp, &kd, &ki);
        uint64_t fr, fs, ff;
        capture_file_counts(run->cap[i], &fr, &fs, &ff);
        worker_set_files(run->wk[i], fr, fs, ff);
    }
    uint64_t uptime = (run_mono_us() - run->start_mono_us) / 1000000u;
    pthread_mutex_lock(&run->stats_lock);
    worker_stats(run->wk[i], ts_us, uptime, kp, kd, ki);
    /* With several workers the first one also writes the total at each of its intervals,
     * over every worker's latest event: a dashboard needs no sum of its own. */
    if (i == 0 && run->nworkers > 1 && !final)
        runstats_total_locked(run, ts_us, uptime);
    pthread_mutex_unlock(&run->stats_lock);
}

static void runstats_total_locked(struct run *run, uint64_t ts_us, uint64_t uptime)
{
    if (worker_stats_total(run->wk, run->nworkers, ts_us, uptime) != 0)
        mw_log(MW_LOG_WARN, "cannot write the total stats event of the workers");
}

void runstats_total(struct run *run)
{
    pthread_mutex_lock(&run->stats_lock);
    runstats_total_locked(run, run_now_us(), (run_mono_us() - run->start_mono_us) / 1000000u);
    pthread_mutex_unlock(&run->stats_lock);
}
