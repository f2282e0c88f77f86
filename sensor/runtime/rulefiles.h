/* rulefiles.h - which rule files a run loads, and loading them into one rule set.
 * Start-up and every SIGUSR2 reload go through here, so both see the same files. */
#ifndef MW_RULEFILES_H
#define MW_RULEFILES_H

#include <stddef.h>

struct mw_config;
struct rules;

/* The files the configuration names (relative to rules.directory), else every *.yaml of
 * that directory in name order, then rules.update-file (when it exists: before the first
 * update it does not, a warning), then the nextra files of -s on top. A rules.files entry
 * that is minewatch-update's generated file is an error at its place in the configuration. NULL with a message
 * naming FILE:LINE:COL in err when a file does not load. */
struct rules *rulefiles_load(const struct mw_config *cfg, const char *const *extra, size_t nextra, char *err,
                             size_t errlen);

/* Only the build tree's binary calls this, with the source tree's rules/default: the
 * fallback when neither the installed rules directory nor one relative to the binary
 * exists. The installed binary never names a source path. */
void rulefiles_set_build_tree_dir(const char *dir);

#endif
