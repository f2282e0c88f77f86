/* rulefiles.c - rule discovery: the configured rule files or the rules directory's *.yaml,
 * plus the -s files, handed to rules_load() as one set. */
#include "sensor/runtime/rulefiles.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/rules.h"
#include "sensor/runtime/config.h"

#define RULEFILES_MAX 256

static char *rulefiles_path(const char *dir, const char *f)
{
    size_t len = strlen(dir) + strlen(f) + 2;
    char *p = malloc(len);
    if (p && f[0] == '/')
        snprintf(p, len, "%s", f);
    else if (p)
        snprintf(p, len, "%s/%s", dir, f);
    return p;
}

/* The rule files: those the configuration names, else every *.yaml of the rules directory;
 * then the allowlist files (the rule format's `allowlist:` section, docs/rules.md). */
static size_t rulefiles_list(const struct mw_config *cfg, char **files, size_t max)
{
    size_t n = 0;
    const char *dir = cfg->rules.directory[0] ? cfg->rules.directory : MW_INSTALLED_RULES_DIR;
    struct stat st;
    /* Run from a build tree before `make install`: the installed default directory does not
     * exist yet, so the repository's default rules stand in for it. */
    if (strcmp(dir, MW_INSTALLED_RULES_DIR) == 0 && stat(dir, &st) != 0)
        dir = MW_DEFAULT_RULES_DIR;
    for (size_t i = 0; i < cfg->rules.files.count && n < max; i++)
        if ((files[n] = rulefiles_path(dir, cfg->rules.files.path[i])) != NULL)
            n++;
    DIR *d = cfg->rules.files.count ? NULL : opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL && n < max) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        if ((files[n] = rulefiles_path(dir, de->d_name)) != NULL)
            n++;
    }
    if (d)
        closedir(d);
    /* readdir order is arbitrary; load in name order so list precedence is stable. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(files[j - 1], files[j]) > 0; j--) {
            char *t = files[j];
            files[j] = files[j - 1];
            files[j - 1] = t;
        }
    for (size_t i = 0; i < cfg->rules.allowlist_files.count && n < max; i++) {
        char *p = rulefiles_path(dir, cfg->rules.allowlist_files.path[i]);
        int dup = 0;
        for (size_t k = 0; p && k < n && !dup; k++)
            dup = strcmp(files[k], p) == 0; /* already read from the rules directory */
        if (p && !dup)
            files[n++] = p;
        else
            free(p);
    }
    return n;
}

struct rules *rulefiles_load(const struct mw_config *cfg, const char *const *extra, size_t nextra, char *err,
                             size_t errlen)
{
    char *files[RULEFILES_MAX];
    size_t n = rulefiles_list(cfg, files, RULEFILES_MAX - 16);
    for (size_t i = 0; i < nextra && n < RULEFILES_MAX; i++) {
        char *dup = strdup(extra[i]);
        if (dup)
            files[n++] = dup;
    }
    struct rules *r = rules_load((const char *const *)files, n, err, errlen);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    return r;
}
