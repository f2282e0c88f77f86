/* dispatch.c - software dispatch of a capture file to N workers (dispatch.h). */
#include "sensor/runtime/dispatch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sensor/capture/capture.h"
#include "sensor/decode/decode.h"
#include "sensor/eve/output.h"
#include "sensor/runtime/config.h"
#include "sensor/runtime/log.h"
#include "sensor/runtime/run.h"
#include "sensor/runtime/runstats.h"
#include "sensor/runtime/worker.h"

/* Bytes per worker ring, a power of two above the largest frame. Small on purpose: it bounds
 * how far one worker can run ahead of another (what detect's re-check of DNS-learned
 * addresses has to cover), a few thousand frames. */
#define DQ_SIZE (512u << 10)
#define DQ_HDR 16u
#define DQ_PAD UINT32_MAX   /* caplen of a record that only fills the ring's end */
#define DQ_WAIT_NS 20000000 /* a bound on each wait; wake-ups come from the other side */

struct dq_rec {
    uint32_t caplen, wirelen;
    uint64_t ts_us;
};

struct dq {
    uint8_t *buf;
    uint64_t head; /* written by the reader only (atomic) */
    uint64_t tail; /* written by the worker only (atomic) */
    int done;      /* atomic: no more records will come */
    uint64_t seen_ts; /* atomic: packet time of the last frame the worker finished */
    uint64_t end_ts;  /* packet time of the file's last frame, set by the reader before done */
    int sleeping_worker, sleeping_reader; /* atomic */
    pthread_mutex_t m;
    pthread_cond_t cv;
    struct run *run;
    int id;
    pthread_barrier_t *all_read; /* every worker has emptied its ring */
};

static uint32_t dq_need(uint32_t caplen)
{
    return DQ_HDR + ((caplen + 7u) & ~7u);
}

static void dq_wait(struct dq *q, int *flag, int (*ready)(struct dq *))
{
    pthread_mutex_lock(&q->m);
    __atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
    if (!ready(q)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += DQ_WAIT_NS;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&q->cv, &q->m, &ts);
    }
    __atomic_store_n(flag, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&q->m);
}

static void dq_wake(struct dq *q, int *flag)
{
    if (__atomic_load_n(flag, __ATOMIC_SEQ_CST)) {
        pthread_mutex_lock(&q->m);
        pthread_cond_signal(&q->cv);
        pthread_mutex_unlock(&q->m);
    }
}

static uint32_t dq_pending_need; /* reader-only scratch for dq_has_room */

static int dq_has_room(struct dq *q)
{
    uint64_t used = q->head - __atomic_load_n(&q->tail, __ATOMIC_SEQ_CST);
    return DQ_SIZE - used >= dq_pending_need;
}

/* How far, in packet time, a worker may run ahead of one that still has frames queued: far
 * less than any flow timeout, so a worker never ends a flow by time before another worker
 * has seen the DNS answers that came before that time (detect's re-check needs the flow). */
#define DQ_MAX_SKEW_US 1000000u
static uint64_t dq_skew_ts; /* reader-only scratch for dq_caught_up */

static int dq_caught_up(struct dq *q)
{
    return __atomic_load_n(&q->head, __ATOMIC_SEQ_CST) == __atomic_load_n(&q->tail, __ATOMIC_SEQ_CST) ||
           __atomic_load_n(&q->seen_ts, __ATOMIC_SEQ_CST) + DQ_MAX_SKEW_US >= dq_skew_ts;
}

static int dq_has_data(struct dq *q)
{
    return __atomic_load_n(&q->head, __ATOMIC_SEQ_CST) != q->tail || __atomic_load_n(&q->done, __ATOMIC_SEQ_CST);
}

/* Reader side: copy one frame in, waiting for room. */
static void dq_push(struct dq *q, const struct capture_packet *pk)
{
    uint32_t need = dq_need(pk->caplen);
    uint32_t off = (uint32_t)(q->head & (DQ_SIZE - 1));
    uint32_t room_to_end = DQ_SIZE - off;
    /* A record never wraps: the ring's end is skipped when the frame does not fit there. */
    dq_pending_need = need + (room_to_end < need ? room_to_end : 0);
    while (!dq_has_room(q))
        dq_wait(q, &q->sleeping_reader, dq_has_room);
    if (room_to_end < need) {
        if (room_to_end >= DQ_HDR) {
            struct dq_rec pad = { DQ_PAD, 0, 0 };
            memcpy(q->buf + off, &pad, sizeof pad);
        }
        q->head += room_to_end;
        off = 0;
    }
    struct dq_rec r = { pk->caplen, pk->wirelen, pk->ts_us };
    memcpy(q->buf + off, &r, sizeof r);
    memcpy(q->buf + off + DQ_HDR, pk->data, pk->caplen);
    __atomic_store_n(&q->head, q->head + need, __ATOMIC_SEQ_CST);
    dq_wake(q, &q->sleeping_worker);
}

static void *dispatch_worker(void *arg)
{
    struct dq *q = arg;
    struct run *run = q->run;
    struct worker *w = run->wk[q->id];
    int dlt = capture_datalink(run->cap[0]);
    struct runstats_timer stats;
    runstats_timer_init(&stats, run);
    uint64_t next_house = 0, last_ts = 0;
    for (;;) {
        uint64_t head = __atomic_load_n(&q->head, __ATOMIC_SEQ_CST);
        if (head == q->tail) {
            if (__atomic_load_n(&q->done, __ATOMIC_SEQ_CST) && __atomic_load_n(&q->head, __ATOMIC_SEQ_CST) == q->tail)
                break;
            dq_wait(q, &q->sleeping_worker, dq_has_data);
            continue;
        }
        while (q->tail != head) {
            uint32_t off = (uint32_t)(q->tail & (DQ_SIZE - 1));
            uint32_t room_to_end = DQ_SIZE - off;
            struct dq_rec r;
            if (room_to_end < DQ_HDR) {
                q->tail += room_to_end;
                continue;
            }
            memcpy(&r, q->buf + off, sizeof r);
            if (r.caplen == DQ_PAD) {
                q->tail += room_to_end;
                continue;
            }
            worker_packet(w, dlt, q->buf + off + DQ_HDR, r.caplen, r.wirelen, r.ts_us);
            if (r.ts_us > __atomic_load_n(&q->seen_ts, __ATOMIC_RELAXED))
                __atomic_store_n(&q->seen_ts, r.ts_us, __ATOMIC_SEQ_CST);
            __atomic_store_n(&q->tail, q->tail + dq_need(r.caplen), __ATOMIC_SEQ_CST);
            dq_wake(q, &q->sleeping_reader);
            if (r.ts_us > last_ts)
                last_ts = r.ts_us;
            if (last_ts >= next_house) {
                worker_housekeep(w, last_ts);
                next_house = last_ts + 100000; /* as the capture loop: bounded steps every 100 ms */
            }
            if (runstats_timer_due(&stats, last_ts))
                runstats_worker(run, q->id, last_ts, 0);
        }
    }
    /* Drain only once every ring is empty: an address the last DNS answers taught (in any
     * worker) is re-checked against this worker's flows before they end. The flows still
     * open end at the file's last packet time, as in one thread, not at the last packet this
     * worker happened to get: findings made at the end then carry the same time in every
     * worker, and a throttle window opened by one of them covers the others'. */
    pthread_barrier_wait(q->all_read);
    uint64_t end_ts = __atomic_load_n(&q->end_ts, __ATOMIC_SEQ_CST);
    if (end_ts > last_ts)
        last_ts = end_ts;
    worker_drain(w, last_ts);
    if (q->id == 0)
        run->last_ts_us = last_ts;
    if (run->cfg->stats.enabled)
        runstats_worker(run, q->id, last_ts ? last_ts : run_now_us(), 1);
    return NULL;
}

void dispatch_run(struct run *run)
{
    int n = run->nworkers;
    struct dq *q = calloc((size_t)n, sizeof *q);
    pthread_t tid[RUN_MAX_WORKERS];
    pthread_barrier_t all_read;
    pthread_barrier_init(&all_read, NULL, (unsigned)n);
    int ok = q != NULL;
    for (int i = 0; ok && i < n; i++)
        ok = (q[i].buf = malloc(DQ_SIZE)) != NULL;
    if (!ok) {
        mw_log(MW_LOG_ERR, "cannot allocate the rings of %d dispatch workers", n);
        run->failed = 1;
        for (int i = 0; q && i < n; i++)
            free(q[i].buf);
        free(q);
        pthread_barrier_destroy(&all_read);
        return;
    }
    for (int i = 0; i < n; i++) {
        q[i].all_read = &all_read;
        q[i].run = run;
        q[i].id = i;
        pthread_mutex_init(&q[i].m, NULL);
        pthread_cond_init(&q[i].cv, NULL);
        if (pthread_create(&tid[i], NULL, dispatch_worker, &q[i]) != 0) {
            /* Start-up of the run: the workers already started would wait for this one. */
            mw_log(MW_LOG_ERR, "cannot start dispatch worker %d", i);
            abort();
        }
    }
    struct capture *cap = run->cap[0];
    int dlt = capture_datalink(cap);
    int show_progress = isatty(2) && !run->daemon;
    struct capture_packet pk;
    uint64_t end_ts = 0;
    for (;;) {
        if (run_steer(run))
            break;
        enum capture_status st = capture_next(cap, &pk);
        if (st == CAPTURE_EOF)
            break;
        if (st == CAPTURE_ERROR) {
            if (run_steer(run))
                break; /* the stop signal interrupted a read */
            if (show_progress)
                fputc('\n', stderr); /* end the progress line */
            mw_log(MW_LOG_ERR, "%s: error after packet %llu: %s", capture_current_file(cap),
                   (unsigned long long)capture_packet_number(cap), capture_error(cap));
            run->failed = 1;
            break;
        }
        if (st != CAPTURE_OK)
            continue;
        if (pk.caplen > DQ_SIZE / 4)
            pk.caplen = DQ_SIZE / 4; /* above any snaplen we open with (262144) */
        uint32_t h = decode_dispatch_hash(dlt, pk.data, pk.caplen);
        h = (h ^ (h >> 16)) * 0x45d9f3bu;
        /* No worker runs more than DQ_MAX_SKEW_US of packet time ahead of one that is still
         * busy: the frames handed out stay close to the order one thread would see. */
        dq_skew_ts = pk.ts_us;
        for (int i = 0; i < n; i++)
            while (!dq_caught_up(&q[i]))
                dq_wait(&q[i], &q[i].sleeping_reader, dq_caught_up);
        dq_push(&q[(h ^ (h >> 16)) % (uint32_t)n], &pk);
        if (pk.ts_us > end_ts)
            end_ts = pk.ts_us;
        if (show_progress)
            runstats_progress(run, 0);
    }
    for (int i = 0; i < n; i++) {
        __atomic_store_n(&q[i].end_ts, end_ts, __ATOMIC_SEQ_CST);
        __atomic_store_n(&q[i].done, 1, __ATOMIC_SEQ_CST);
        pthread_mutex_lock(&q[i].m);
        pthread_cond_signal(&q[i].cv);
        pthread_mutex_unlock(&q[i].m);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(tid[i], NULL);
        free(q[i].buf);
        pthread_mutex_destroy(&q[i].m);
        pthread_cond_destroy(&q[i].cv);
    }
    pthread_barrier_destroy(&all_read);
    if (show_progress)
        runstats_progress(run, 1);
    free(q);
}
