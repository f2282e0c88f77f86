/* reload.h - SIGUSR2: load the rule files again and swap the new set in. */
#ifndef MW_RELOAD_H
#define MW_RELOAD_H

struct run;

/* Build the new rule set completely, then swap (ruleswap_publish); a failed reload keeps
 * the old set and logs why (FILE:LINE:COL). Call from the one thread that reloads. */
void reload_rules(struct run *run);

#endif
