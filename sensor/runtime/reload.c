/* reload.c - rule reload on SIGUSR2: a complete new set or none. */
#include "sensor/runtime/reload.h"

#include "rules/rules.h"
#include "sensor/runtime/log.h"
#include "sensor/runtime/rulefiles.h"
#include "sensor/runtime/ruleswap.h"
#include "sensor/runtime/run.h"

void reload_rules(struct run *run)
{
    char err[512];
    struct rules *nr = rulefiles_load(run->cfg, run->extra_rules, run->nextra_rules, err, sizeof err);
    if (!nr) {
        mw_log(MW_LOG_ERR, "rule reload failed, keeping the current rules: %s", err);
        return;
    }
    /* Workers take the new set when they next start work; the old one is freed when the
     * last of them has moved on (ruleswap.h), here or on a later ruleswap_reclaim(). */
    if (ruleswap_publish(run->sh.rules, nr) != 0) {
        rules_free(nr);
        mw_log(MW_LOG_ERR, "rule reload refused, keeping the current rules: %d earlier rule sets still wait "
                           "for a worker to finish its packet", RULESWAP_MAX_RETIRED);
        return;
    }
    mw_log(MW_LOG_INFO, "rules reloaded");
}
