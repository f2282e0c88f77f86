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

/* The rule files: those the configuration names, else every *.yaml of the rules directory. */
static size_t rulefiles_list(const struct mw_config *cfg, char **files, size_t max)
{
    size_t n = 0;
    const char *dir = cfg->rules.directory[0] ? cfg->rules.directory : MW_INSTALLED_RULES_DIR;
    struct stat st;
    /* Run from a build tree before `make install`: the installed default directory does not
     * exist yet, so the repository's default rules stand in for it. */
    if (strcmp(dir, MW_INSTALLED_RULES_DIR) == 0 && stat(dir, &st) != 0)
        dir = MW_DEFAULT_RULES_DIR;
    for (size_t i = 0; i < cfg->rules.files.count && n < max; i++) {
        const char *f = cfg->rules.files.path[i];
        size_t len = strlen(dir) + strlen(f) + 2;
        files[n] = malloc(len);
        if (!files[n])
            continue;
        if (f[0] == '/')
            snprintf(files[n++], len, "%s", f);
        else
            snprintf(files[n++], len, "%s/%s", dir, f);
    }
    if (cfg->rules.files.count)
        return n;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < max) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        size_t plen = strlen(dir) + len + 2;
        files[n] = malloc(plen);
        if (files[n])
            snprintf(files[n++], plen, "%s/%s", dir, de->d_name);
    }
    closedir(d);
    /* readdir order is arbitrary; load in name order so list precedence is stable. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(files[j - 1], files[j]) > 0; j--) {
            char *t = files[j];
            files[j] = files[j - 1];
            files[j - 1] = t;
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
