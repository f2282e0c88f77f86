/* output.h - sinks for EVE lines: file, stdout, syslog, unix datagram/stream socket.
 *
 * output_write() takes one whole line ending in '\n'. Lines are never split or
 * interleaved: writers are serialised by a mutex, and file/stdout/stream sinks
 * buffer whole lines and flush at line boundaries (when the buffer is full, when the
 * oldest buffered line is a second old at the next write, on output_flush(), and on
 * reopen/close). Host failures (disk full, socket gone) drop lines, count them in
 * output.dropped, log once per episode through mw_log(), and recover by themselves.
 *
 * A file that fills up mid-write is truncated back to the last complete line; if
 * that is impossible the rest of the half-written line is kept and written first
 * once space returns, so the file never holds a torn line followed by another.
 *
 * The process should ignore SIGPIPE (stdout to a closed pipe). */
#ifndef MW_OUTPUT_H
#define MW_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

enum output_kind { OUTPUT_FILE, OUTPUT_STDOUT, OUTPUT_SYSLOG, OUTPUT_UNIX_DGRAM, OUTPUT_UNIX_STREAM };

#define OUTPUT_DEFAULT_BUFFER (256u * 1024u)
#define OUTPUT_MIN_BUFFER 4096u

struct output_params {
    enum output_kind kind;
    const char *path;         /* file path, or socket path for the unix kinds */
    int syslog_facility;      /* LOG_LOCAL5 ... */
    int syslog_priority;      /* LOG_INFO ... */
    const char *syslog_ident; /* NULL = "minewatch" */
    size_t buffer_size;       /* 0 = OUTPUT_DEFAULT_BUFFER; also the longest accepted line */
};

struct output;

/* NULL with a message in err when the sink cannot work at all (file cannot be
 * opened, socket path too long). A unix stream peer that is not listening yet is
 * not an error: lines are dropped and counted until it accepts a connection. */
struct output *output_open(const struct output_params *p, char *err, size_t errlen);

/* One line ending in '\n' with no other '\n'. Returns 0 when accepted (written or
 * buffered), -1 when dropped (counted in output.dropped). Thread-safe. Datagram and
 * syslog sinks send the line without its newline, one message per line. */
int output_write(struct output *o, const char *line, size_t len);

void output_flush(struct output *o);

/* SIGHUP / logrotate: flush, close and reopen the same path (O_APPEND|O_CREAT, 0640);
 * a unix stream reconnects. No line is lost or duplicated. Returns 0, or -1 when the
 * file could not be reopened (retried on later writes). */
int output_reopen(struct output *o);

void output_close(struct output *o);

typedef void (*output_stat_fn)(void *ctx, const char *name, uint64_t value);
/* output.lines, output.bytes, output.dropped, output.write_errors, output.reopens */
void output_stats_foreach(struct output *o, output_stat_fn fn, void *ctx);

#endif
