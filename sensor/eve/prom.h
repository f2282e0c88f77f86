/* prom.h - the stats counters in Prometheus text exposition format (version 0.0.4), as a
 * node_exporter textfile that is replaced atomically at every stats event (docs/eve.md
 * "Prometheus"). Fed by eve_stats() with the same counters as the EVE stats event, so the
 * two always agree. */
#ifndef MW_PROM_H
#define MW_PROM_H

#include <stddef.h>
#include <stdint.h>

struct prom;

/* path: the file to replace; nworkers > 1: only run-wide stats (the total over workers,
 * marked by its workers.count counter) are written. NULL and err when the file's
 * directory does not take a file. */
struct prom *prom_new(const char *path, int nworkers, char *err, size_t errlen);
void prom_free(struct prom *p);

/* One stats event: begin, every counter ("module.name", as eve_counter_fn), commit. */
void prom_begin(struct prom *p);
void prom_counter(void *p, const char *name, uint64_t value);
/* Write the file (temporary file in the same directory, then rename). 1 written, 0 not
 * this event's to write (a single worker's among several), -1 on an error (errno set;
 * counted, the previous file stays). */
int prom_commit(struct prom *p, uint64_t uptime_s);
uint64_t prom_write_errors(const struct prom *p);

/* The text of the last commit (tests). */
const char *prom_text(const struct prom *p, size_t *len);

#endif
