/* reload.c - rule reload on SIGUSR2: a complete new set or none. */
#include "sensor/runtime/reload.h"

#include <unistd.h>

#include "rules/rules.h"
#include "sensor/capture/capture.h"
#include "sensor/runtime/log.h"
#include "sensor/runtime/rulefiles.h"
#include "sensor/runtime/run.h"

void reload_rules(struct run *run)
{
    char err[512];
    struct rules *nr = rulefiles_load(run->cfg, run->extra_rules, run->nextra_rules, err, sizeof err);
    if (!nr) {
        mw_log(MW_LOG_ERR, "rule reload failed, keeping the current rules: %s", err);
        return;
    }
    struct rules *old = run->sh.rules;
    run->sh.rules = nr;
    /* Workers pick up the new pointer before their next packet; give them time to leave
     * any packet in flight before the old set goes away. Offline runs are single-threaded. */
    if (run->nworkers > 1 || capture_is_live(run->cap[0]))
        usleep(200000);
    rules_free(old);
    mw_log(MW_LOG_INFO, "rules reloaded");
}
