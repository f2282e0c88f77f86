/* runstats.h - when stats events are written, and the offline progress line.
 * Each worker thread keeps its own timer; the kernel counters each worker last reported
 * are kept in struct run so the total over the workers at exit adds up. */
#ifndef MW_RUNSTATS_H
#define MW_RUNSTATS_H

#include <stdint.h>

struct run;

struct runstats_timer {
    uint64_t interval_us; /* 0: stats are off */
    uint64_t next_us;     /* 0 until the first packet time is known */
};

void runstats_timer_init(struct runstats_timer *t, const struct run *run);
/* 1 when a stats event is due at time now_us (packet time offline, clock live); the first
 * call only starts the interval. */
int runstats_timer_due(struct runstats_timer *t, uint64_t now_us);
/* Write worker i's stats event at ts_us with its capture handle's kernel counters; with
 * several workers, worker 0's interval events (not its final one) are followed by the
 * total over every worker's latest event. */
void runstats_worker(struct run *run, int i, uint64_t ts_us, int final);
/* After every worker stopped (--workers N): one event summing them all. */
void runstats_total(struct run *run);
/* The "N% read" line on a terminal while reading a file; final ends it with a newline. */
void runstats_progress(struct run *run, int final);

#endif
