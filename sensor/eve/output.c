/* output.c - EVE line sinks with whole-line buffering, drop accounting and recovery.
 *
 * The buffer holds [0, len) bytes not yet written. Normally they are whole lines.
 * The exception is `owed`: when a line was written partially and could not be taken
 * back (a pipe, a stream socket, or ftruncate failing), the first `owed` bytes are
 * the rest of that line, and they must go to the same descriptor before anything
 * else so the reader sees the line completed rather than torn. */
#include "sensor/eve/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sensor/runtime/log.h"

#define FLUSH_AGE_MS 1000u
#define RETRY_MIN_MS 250u
#define RETRY_MAX_MS 30000u

struct output {
    enum output_kind kind;
    char path[PATH_MAX];
    int fd;                 /* -1: closed, disconnected or not yet reopened */
    int regular;            /* fd is a regular file: short writes can be truncated back */
    pthread_mutex_t mu;
    char *buf;
    size_t cap, len, owed;
    uint64_t pending_since_ms;
    int syslog_pri;
    char ident[64];
    struct sockaddr_un sun;
    uint64_t next_retry_ms;
    uint32_t backoff_ms;
    int failing;            /* inside an error episode (logged once) */
    uint64_t episode_dropped;
    uint64_t lines, bytes, dropped, write_errors, reopens;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *kind_name(enum output_kind k)
{
    switch (k) {
    case OUTPUT_FILE: return "file";
    case OUTPUT_STDOUT: return "stdout";
    case OUTPUT_SYSLOG: return "syslog";
    case OUTPUT_UNIX_DGRAM: return "unix_dgram";
    case OUTPUT_UNIX_STREAM: return "unix_stream";
    }
    return "?";
}

static size_t count_lines(const char *p, size_t n)
{
    size_t c = 0;
    const char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

static void episode_fail(struct output *o, int err, uint64_t dropped)
{
    o->write_errors++;
    o->dropped += dropped;
    o->episode_dropped += dropped;
    if (!o->failing) {
        o->failing = 1;
        mw_log(MW_LOG_ERR, "eve output %s %s: %s; dropping lines until it recovers",
               kind_name(o->kind), o->path, strerror(err));
    }
}

static void episode_drop(struct output *o, uint64_t dropped)
{
    o->dropped += dropped;
    o->episode_dropped += dropped;
}

static void episode_ok(struct output *o)
{
    if (o->failing) {
        o->failing = 0;
        mw_log(MW_LOG_NOTICE, "eve output %s %s: writing again, %llu lines were dropped",
               kind_name(o->kind), o->path, (unsigned long long)o->episode_dropped);
        o->episode_dropped = 0;
    }
}

static void schedule_retry(struct output *o)
{
    o->backoff_ms = o->backoff_ms ? o->backoff_ms * 2 : RETRY_MIN_MS;
    if (o->backoff_ms > RETRY_MAX_MS)
        o->backoff_ms = RETRY_MAX_MS;
    o->next_retry_ms = now_ms() + o->backoff_ms;
}

/* Open the file or connect the stream socket; 0 on success, else errno. */
static int sink_open(struct output *o)
{
    if (o->kind == OUTPUT_FILE) {
        int fd = open(o->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0)
            return errno;
        struct stat st;
        o->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        o->fd = fd;
        return 0;
    }
    if (o->kind == OUTPUT_UNIX_STREAM) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return errno;
        if (connect(fd, (const struct sockaddr *)&o->sun, sizeof o->sun) != 0) {
            int e = errno;
            close(fd);
            return e;
        }
        /* Non-blocking from now on: a slow reader must not stall packet processing. */
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
            int e = errno;
            close(fd);
            return e;
        }
        o->fd = fd;
        o->regular = 0;
        return 0;
    }
    return 0;
}

static void sink_close(struct output *o)
{
    if (o->fd >= 0 && o->kind != OUTPUT_STDOUT)
        close(o->fd);
    if (o->kind != OUTPUT_STDOUT)
        o->fd = -1;
}

/* Make sure there is a descriptor, retrying with backoff. 0 when usable. */
static int ensure_open(struct output *o)
{
    if (o->fd >= 0)
        return 0;
    if (now_ms() < o->next_retry_ms)
        return -1;
    int e = sink_open(o);
    if (e) {
        if (!o->failing) {
            o->failing = 1;
            mw_log(MW_LOG_ERR, "eve output %s %s: %s; dropping lines until it recovers",
                   kind_name(o->kind), o->path, strerror(e));
        }
        schedule_retry(o);
        return -1;
    }
    o->backoff_ms = 0;
    return 0;
}

/* Discard the buffer; every line in it (an owed tail included) counts as dropped. */
static void drop_buffer(struct output *o)
{
    episode_drop(o, count_lines(o->buf, o->len));
    o->len = 0;
    o->owed = 0;
}

static void flush_locked(struct output *o)
{
    if (o->len == 0)
        return;
    if (o->fd < 0 && (o->owed || ensure_open(o) != 0)) {
        /* An owed tail belonged to a descriptor that is gone: nowhere to finish it. */
        drop_buffer(o);
        return;
    }
    size_t done = 0;
    int err = 0;
    while (done < o->len) {
        ssize_t r;
        if (o->kind == OUTPUT_UNIX_STREAM)
            r = send(o->fd, o->buf + done, o->len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        else
            r = write(o->fd, o->buf + done, o->len - done);
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        err = r < 0 ? errno : EIO;
        break;
    }
    o->bytes += done;
    o->lines += count_lines(o->buf, done);

    if (!err) {
        o->len = 0;
        o->owed = 0;
        episode_ok(o);
        return;
    }

    /* How much of a line sits half written at the end of what went out. */
    const char *last_nl = done ? memrchr(o->buf, '\n', done) : NULL;
    size_t line_start = last_nl ? (size_t)(last_nl - o->buf) + 1 : 0;
    size_t partial = done - line_start;
    int partial_is_owed = !last_nl && o->owed > 0; /* its head went out earlier */

    if (o->kind == OUTPUT_UNIX_STREAM && (err == EAGAIN || err == EWOULDBLOCK)) {
        /* Back-pressure, not failure: keep everything, finish the line first later. */
        memmove(o->buf, o->buf + done, o->len - done);
        o->len -= done;
        if (partial_is_owed) {
            o->owed -= done;
        } else if (partial) {
            const char *nl = memchr(o->buf, '\n', o->len);
            o->owed = nl ? (size_t)(nl - o->buf) + 1 : o->len;
        } else {
            o->owed = 0;
        }
        return;
    }

    /* Every line ends up counted once: in `lines` when its '\n' is written, in
     * `dropped` when it is discarded. */
    if (o->kind == OUTPUT_UNIX_STREAM) {
        /* The connection is dead; a new one starts at a line boundary. */
        episode_fail(o, err, count_lines(o->buf + done, o->len - done));
        o->len = 0;
        o->owed = 0;
        sink_close(o);
        schedule_retry(o);
        return;
    }

    /* File or stdout: take a torn line back if we can. */
    int torn = partial_is_owed;
    if (partial && !partial_is_owed) {
        off_t end = o->regular ? lseek(o->fd, 0, SEEK_CUR) : -1;
        if (end >= (off_t)partial && ftruncate(o->fd, end - (off_t)partial) == 0)
            o->bytes -= partial;
        else
            torn = 1;
    }
    size_t keep = 0;
    if (torn) {
        /* Could not take it back: the rest of this line is owed before anything else. */
        const char *nl = memchr(o->buf + done, '\n', o->len - done);
        keep = nl ? (size_t)(nl - (o->buf + done)) + 1 : o->len - done;
    }
    size_t dropped = count_lines(o->buf + done + keep, o->len - done - keep);
    memmove(o->buf, o->buf + done, keep);
    o->len = keep;
    o->owed = keep;
    episode_fail(o, err, dropped);
}

struct output *output_open(const struct output_params *p, char *err, size_t errlen)
{
    struct output *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    o->kind = p->kind;
    o->fd = -1;
    pthread_mutex_init(&o->mu, NULL);
    if (p->path)
        snprintf(o->path, sizeof o->path, "%s", p->path);
    if ((p->kind == OUTPUT_FILE || p->kind == OUTPUT_UNIX_DGRAM || p->kind == OUTPUT_UNIX_STREAM) &&
        !o->path[0]) {
        snprintf(err, errlen, "eve output %s: no path given", kind_name(p->kind));
        goto fail;
    }
    if (p->kind == OUTPUT_UNIX_DGRAM || p->kind == OUTPUT_UNIX_STREAM) {
        if (strlen(o->path) >= sizeof o->sun.sun_path) {
            snprintf(err, errlen, "eve output %s: socket path longer than %zu bytes: %s",
                     kind_name(p->kind), sizeof o->sun.sun_path - 1, o->path);
            goto fail;
        }
        o->sun.sun_family = AF_UNIX;
        memcpy(o->sun.sun_path, o->path, strlen(o->path) + 1);
    }
    o->cap = p->buffer_size ? p->buffer_size : OUTPUT_DEFAULT_BUFFER;
    if (o->cap < OUTPUT_MIN_BUFFER)
        o->cap = OUTPUT_MIN_BUFFER;

    switch (p->kind) {
    case OUTPUT_FILE: {
        int e = sink_open(o);
        if (e) {
            snprintf(err, errlen, "eve output file %s: %s", o->path, strerror(e));
            goto fail;
        }
        break;
    }
    case OUTPUT_STDOUT: {
        o->fd = STDOUT_FILENO;
        struct stat st;
        o->regular = fstat(o->fd, &st) == 0 && S_ISREG(st.st_mode);
        snprintf(o->path, sizeof o->path, "-");
        break;
    }
    case OUTPUT_SYSLOG:
        snprintf(o->ident, sizeof o->ident, "%s", p->syslog_ident ? p->syslog_ident : "minewatch");
        o->syslog_pri = (p->syslog_facility & LOG_FACMASK) | (p->syslog_priority & LOG_PRIMASK);
        openlog(o->ident, LOG_PID | LOG_NDELAY, p->syslog_facility);
        o->cap = 0;
        break;
    case OUTPUT_UNIX_DGRAM:
        o->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (o->fd < 0) {
            snprintf(err, errlen, "eve output unix_dgram: socket: %s", strerror(errno));
            goto fail;
        }
        o->cap = 0;
        break;
    case OUTPUT_UNIX_STREAM:
        /* A reader that is not up yet is retried; lines are dropped meanwhile. */
        (void)ensure_open(o);
        break;
    default:
        snprintf(err, errlen, "eve output: unknown kind %d", (int)p->kind);
        goto fail;
    }
    if (o->cap) {
        o->buf = malloc(o->cap);
        if (!o->buf) {
            snprintf(err, errlen, "eve output: out of memory for a %zu byte buffer", o->cap);
            sink_close(o);
            goto fail;
        }
    }
    return o;
fail:
    pthread_mutex_destroy(&o->mu);
    free(o);
    return NULL;
}

static int write_dgram(struct output *o, const char *line, size_t len)
{
    ssize_t r;
    do
        r = sendto(o->fd, line, len - 1, MSG_NOSIGNAL | MSG_DONTWAIT,
                   (const struct sockaddr *)&o->sun, sizeof o->sun);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        episode_fail(o, errno, 1);
        return -1;
    }
    o->lines++;
    o->bytes += len - 1;
    episode_ok(o);
    return 0;
}

int output_write(struct output *o, const char *line, size_t len)
{
    pthread_mutex_lock(&o->mu);
    int rc = 0;
    if (len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1)) {
        o->dropped++; /* a caller bug, but never let it tear the stream */
        rc = -1;
        goto out;
    }
    switch (o->kind) {
    case OUTPUT_SYSLOG:
        syslog(o->syslog_pri, "%.*s", (int)(len - 1), line);
        o->lines++;
        o->bytes += len - 1;
        goto out;
    case OUTPUT_UNIX_DGRAM:
        rc = write_dgram(o, line, len);
        goto out;
    default:
        break;
    }
    if (len > o->cap) {
        o->dropped++;
        mw_log(MW_LOG_WARN, "eve output %s: dropped a %zu byte line, longer than the %zu byte buffer",
               o->path, len, o->cap);
        rc = -1;
        goto out;
    }
    if (o->fd < 0 && o->len == 0 && ensure_open(o) != 0) {
        episode_drop(o, 1);
        rc = -1;
        goto out;
    }
    if (o->cap - o->len < len)
        flush_locked(o);
    if (o->cap - o->len < len || (o->fd < 0 && ensure_open(o) != 0)) {
        episode_drop(o, 1); /* reader too slow or sink gone */
        rc = -1;
        goto out;
    }
    uint64_t now = now_ms();
    if (o->len == 0)
        o->pending_since_ms = now;
    memcpy(o->buf + o->len, line, len);
    o->len += len;
    if (now - o->pending_since_ms >= FLUSH_AGE_MS)
        flush_locked(o);
out:
    pthread_mutex_unlock(&o->mu);
    return rc;
}

void output_flush(struct output *o)
{
    pthread_mutex_lock(&o->mu);
    flush_locked(o);
    pthread_mutex_unlock(&o->mu);
}

int output_reopen(struct output *o)
{
    int rc = 0;
    pthread_mutex_lock(&o->mu);
    o->reopens++;
    if (o->kind == OUTPUT_FILE || o->kind == OUTPUT_UNIX_STREAM) {
        flush_locked(o);
        if (o->owed) {
            /* The old file would not take the rest of a torn line and it cannot be
             * finished in the new one; the whole lines after it still go there. */
            episode_drop(o, 1);
            memmove(o->buf, o->buf + o->owed, o->len - o->owed);
            o->len -= o->owed;
            o->owed = 0;
        }
        size_t pending = o->len; /* whole lines only now, they go to the new sink */
        sink_close(o);
        o->next_retry_ms = 0;
        o->backoff_ms = 0;
        if (ensure_open(o) != 0)
            rc = -1;
        else if (pending)
            flush_locked(o);
    }
    pthread_mutex_unlock(&o->mu);
    return rc;
}

void output_close(struct output *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->mu);
    flush_locked(o);
    if (o->len)
        drop_buffer(o);
    sink_close(o);
    pthread_mutex_unlock(&o->mu);
    pthread_mutex_destroy(&o->mu);
    free(o->buf);
    free(o);
}

void output_stats_foreach(struct output *o, output_stat_fn fn, void *ctx)
{
    pthread_mutex_lock(&o->mu);
    uint64_t v[5] = { o->lines, o->bytes, o->dropped, o->write_errors, o->reopens };
    pthread_mutex_unlock(&o->mu);
    fn(ctx, "output.lines", v[0]);
    fn(ctx, "output.bytes", v[1]);
    fn(ctx, "output.dropped", v[2]);
    fn(ctx, "output.write_errors", v[3]);
    fn(ctx, "output.reopens", v[4]);
}
