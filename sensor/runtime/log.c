/* log.c - operator diagnostics to stderr or syslog, one line per message. */
#include "sensor/runtime/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_to_syslog;
static atomic_int log_level = MW_LOG_INFO;

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
    if (atomic_load(&log_to_syslog)) {
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
    /* One write() so concurrent threads never interleave inside a message. */
    ssize_t r = write(STDERR_FILENO, line, (size_t)n);
    (void)r;
}
