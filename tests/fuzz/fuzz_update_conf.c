/* fuzz_update_conf.c - arbitrary bytes as minewatch-update's sources.yaml: parse must return
 * 0 or -1 with a NUL-terminated "LABEL..." message and never crash; the same bytes as a
 * block list go through the merge and the rendered rule file must load. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct update_config c;
    char err[512];
    memset(err, 'X', sizeof err);
    int rc = update_config_parse(&c, (const char *)data, size, "/fuzz/sources.yaml", err, sizeof err);
    if (rc == 0) {
        if (c.nsrc == 0 || c.nsrc > UPDATE_MAX_SOURCES)
            abort();
        for (size_t i = 0; i < c.nsrc; i++)
            if (!c.src[i].url == !c.src[i].path)
                abort();
        update_config_free(&c);
    } else if (rc != -1 || !memchr(err, '\0', sizeof err) || strncmp(err, "/fuzz/sources.yaml", 18) != 0) {
        abort();
    }

    struct update_merge *m = update_merge_new();
    if (!m)
        return 0;
    struct update_source_stats st;
    struct update_source src;
    memset(&src, 0, sizeof src);
    memcpy(src.name, "fuzz", 5);
    src.path = (char *)"/fuzz";
    if (update_merge_add_list(m, (const char *)data, size, LISTFMT_AUTO, RULES_CAT_MINING_POOL, 0, &st) == 0 &&
        update_merge_count(m, NULL) > 0) {
        size_t len;
        char *y = update_merge_render(m, &src, 1, "now", &len);
        if (y) {
            struct rules *r = rules_load_buffer(y, len, "gen.yaml", NULL, err, sizeof err);
            if (!r) /* everything our importers accept must render to a loadable file */
                abort();
            rules_free(r);
            free(y);
        }
    }
    update_merge_free(m);
    return 0;
}
