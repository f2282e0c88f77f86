/* fuzz_config.c - arbitrary bytes as minewatch.yaml: load must return 0 or -1 with a
 * NUL-terminated "NAME:..." message, never crash, and a failed load must not change
 * the configuration. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/runtime/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mw_config cfg, before;
    char err[256];
    config_defaults(&cfg);
    before = cfg;
    memset(err, 'X', sizeof err);
    int rc = config_load_buffer(&cfg, "fuzz.yaml", data, size, err, sizeof err);
    if (rc != 0 && rc != -1)
        abort();
    if (!memchr(err, '\0', sizeof err))
        abort();
    if (rc == -1) {
        if (strncmp(err, "fuzz.yaml:", 10) != 0)
            abort();
        if (memcmp(&cfg, &before, sizeof cfg) != 0)
            abort();
    } else {
        if (cfg.home_net.count > MW_CFG_MAX_NETS || cfg.alerts.nsuppress > MW_CFG_MAX_SUPPRESS ||
            cfg.rules.files.count > MW_CFG_MAX_RULE_FILES)
            abort();
    }
    config_free(&cfg);
    return 0;
}
