/* log.h - diagnostics for operators (stderr, a log file or syslog); never EVE. */
#ifndef MW_LOG_H
#define MW_LOG_H

#include <stddef.h>

enum mw_log_level { MW_LOG_ERR = 3, MW_LOG_WARN = 4, MW_LOG_NOTICE = 5, MW_LOG_INFO = 6, MW_LOG_DEBUG = 7 };

/* Levels match syslog priorities. Thread-safe; each message is one write. */
void mw_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* on = send to syslog (facility daemon, ident "minewatch") instead of stderr. */
void mw_log_set_syslog(int on);
/* Append every later message to the file at path (created 0640) instead of stderr or
 * syslog. The path is made absolute here, so a reopen after the daemon's chdir("/")
 * still finds it. 0, or -1 with the reason in err. */
int mw_log_set_file(const char *path, char *err, size_t errlen);
/* SIGHUP (log rotation): reopen the log file under its name; a failure keeps the old
 * file and is said there. No-op without a log file. */
void mw_log_reopen(void);
/* Messages above this level are discarded (default MW_LOG_INFO). */
void mw_log_set_level(int level);

#endif
