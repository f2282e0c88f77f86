/* log.c - operator diagnostics to stderr, a log file or syslog, one line per message.
 *
 * Once the sensor has daemonised, stderr is /dev/null: everything said after start-up
 * must come through here so it reaches syslog or daemon.log-file instead. */
#include "sensor/runtime/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_to_syslog;
static atomic_int log_level = MW_LOG_INFO;
/* The log file's descriptor, -1 for none. A reopen dup2()s the new file onto this same
 * number, so a thread writing meanwhile writes to the old file or the new, never to a
 * descriptor that was closed or reused. */
static atomic_int log_fd = -1;
static char log_path[PATH_MAX];

void mw_log_set_syslog(int on)
{
    if (on)
        openlog("minewatch", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    atomic_store(&log_to_syslog, on != 0);
}

void mw_log_set_level(int level)
{
    atomic_store(&log_level, level);
}

static int log_open(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

int mw_log_set_file(const char *path, char *err, size_t errlen)
{
    char cwd[PATH_MAX];
    int n;
    if (path[0] == '/')
        n = snprintf(log_path, sizeof log_path, "%s", path);
    else if (getcwd(cwd, sizeof cwd))
        n = snprintf(log_path, sizeof log_path, "%s/%s", cwd, path);
    else {
        snprintf(err, errlen, "log file %s: cannot find the current directory: %s", path, strerror(errno));
        return -1;
    }
    if (n < 0 || (size_t)n >= sizeof log_path) {
        snprintf(err, errlen, "log file %s: path too long", path);
        return -1;
    }
    int fd = log_open(log_path);
    if (fd < 0) {
        snprintf(err, errlen, "log file %s: %s", log_path, strerror(errno));
        return -1;
    }
    int old = atomic_load(&log_fd);
    if (old >= 0) {
        dup2(fd, old);
        close(fd);
    } else {
        atomic_store(&log_fd, fd);
    }
    return 0;
}

void mw_log_reopen(void)
{
    int old = atomic_load(&log_fd);
    if (old < 0)
        return;
    int fd = log_open(log_path);
    if (fd < 0) {
        mw_log(MW_LOG_ERR, "cannot reopen log file %s: %s; still writing to the old one", log_path,
               strerror(errno));
        return;
    }
    dup2(fd, old);
    close(fd);
}

static const char *level_name(int level)
{
    switch (level) {
    case MW_LOG_ERR: return "error";
    case MW_LOG_WARN: return "warning";
    case MW_LOG_NOTICE: return "notice";
    case MW_LOG_INFO: return "info";
    default: return "debug";
    }
}

void mw_log(int level, const char *fmt, ...)
{
    if (level > atomic_load(&log_level))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int fd = atomic_load(&log_fd);
    if (fd < 0 && atomic_load(&log_to_syslog)) {
        /* The facility is explicit so an EVE syslog output's openlog() cannot move us. */
        syslog(LOG_DAEMON | (level & 7), "%s", msg);
        return;
    }
    char line[1200];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02dZ minewatch %s: %s\n",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, level_name(level), msg);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    /* One write() so concurrent threads never interleave inside a message (O_APPEND
     * keeps whole lines with other writers of the same file too). */
    ssize_t r = write(fd >= 0 ? fd : STDERR_FILENO, line, (size_t)n);
    (void)r;
}
