/* dispatch.h - one capture file, N workers (-r FILE --workers N).
 *
 * The calling thread reads the file and hands each frame to a worker chosen by
 * decode_dispatch_hash() (both directions and every fragment of a flow meet in one worker),
 * over one bounded single-producer single-consumer ring per worker. The reader waits when a
 * ring is full, a worker when its ring is empty: nothing is dropped, and the workers share
 * the host and DNS-learned tables as live workers do. Offline time is packet time in each
 * worker. Speeds up large captures, and lets tests compare one thread with N.
 */
#ifndef MW_DISPATCH_H
#define MW_DISPATCH_H

struct run;

/* Read run->cap[0] to its end (or a stop signal) through run->nworkers workers, drain them
 * and write their final stats events. */
void dispatch_run(struct run *run);

#endif
