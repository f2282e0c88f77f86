/* policy.h - the one place that decides which signature a finding raises, and how severe.
 *
 * Dissectors report facts (variant, which sides spoke, a weak-signal flag); the rule lists
 * report a category; the signature table (core/signatures.c) holds each signature's
 * message and severities. This function joins them. Nothing else names a sid or a
 * severity, so docs/signatures.md, the table and the output cannot drift apart.
 */
#ifndef MW_POLICY_H
#define MW_POLICY_H

#include <stdint.h>

#include "core/evidence.h"
#include "rules/rules.h"

/* What the finding rests on. */
enum policy_basis {
    POLICY_PROTOCOL,    /* a dissector saw a mining protocol spoken (MW_EV_PROTOCOL) */
    POLICY_LISTED,      /* a name (DNS, SNI, Host, CONNECT) or an address on a list */
    POLICY_DNS_LEARNED, /* an address a listed pool name resolved to */
};

struct policy_decision {
    uint32_t sid;     /* 0: no alert (crypto-general context, nDPI's guess) */
    uint8_t severity; /* 1 high .. 3 low; also set when sid is 0 (host score of a suspicion) */
};

/* Decide for merged evidence ev. cat is the list's category for POLICY_LISTED and is
 * ignored otherwise. Returns 1 when the finding raises an alert (out->sid != 0). */
int policy_decide(const struct mw_evidence *ev, enum policy_basis basis, enum rules_category cat,
                  struct policy_decision *out);

#endif
