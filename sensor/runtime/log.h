/* log.h - diagnostics for operators (stderr, or syslog in daemon mode); never EVE. */
#ifndef MW_LOG_H
#define MW_LOG_H

enum mw_log_level { MW_LOG_ERR = 3, MW_LOG_WARN = 4, MW_LOG_NOTICE = 5, MW_LOG_INFO = 6, MW_LOG_DEBUG = 7 };

/* Levels match syslog priorities. Thread-safe; each message is one write. */
void mw_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* on = send to syslog (facility daemon, ident "minewatch") instead of stderr. */
void mw_log_set_syslog(int on);
/* Messages above this level are discarded (default MW_LOG_INFO). */
void mw_log_set_level(int level);

#endif
