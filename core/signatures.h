/* signatures.h - minewatch's own signature id registry (docs/signatures.md).
 *
 * Ids live in 8,100,000-8,199,999, clear of Suricata's reserved ranges and of the
 * Emerging Threats 2,000,000-2,999,999 block, so a SIEM can hold both side by side.
 * An id never changes meaning; a changed detection bumps its rev. Which signature a
 * finding raises is decided in one place, sensor/detect/policy.c.
 */
#ifndef MW_SIGNATURES_H
#define MW_SIGNATURES_H

#include <stddef.h>
#include <stdint.h>

#include "core/evidence.h"

enum mw_sid {
    /* Mining protocols seen on the wire (issue 3). */
    MW_SID_STRATUM1 = 8100001,
    MW_SID_ETHSTRATUM = 8100002,
    MW_SID_ETHPROXY = 8100003,
    MW_SID_CRYPTONOTE = 8100004,
    MW_SID_GETWORK = 8100005,
    MW_SID_GBT = 8100006,
    MW_SID_STRATUM2 = 8100007,
    MW_SID_STRATUM2_NOISE = 8100008,
    MW_SID_WEBMINER = 8100009,
    /* Behaviour: an opaque session with the shape of mining (issue 12). */
    MW_SID_ENCRYPTED_BEHAVIOUR = 8100010,
    /* Pool intelligence: names and addresses (issue 4). */
    MW_SID_DNS_POOL = 8100101,
    MW_SID_TLS_SNI_POOL = 8100102,
    MW_SID_HTTP_HOST_POOL = 8100103,
    MW_SID_HTTP_CONNECT_POOL = 8100104,
    MW_SID_POOL_ADDRESS = 8100105,
    MW_SID_DNS_LEARNED_ADDRESS = 8100106,
    MW_SID_DNS_WEBMINER = 8100111,
    MW_SID_TLS_SNI_WEBMINER = 8100112,
    MW_SID_HTTP_HOST_WEBMINER = 8100113,
    MW_SID_DNS_PROXY = 8100121,
    MW_SID_TLS_SNI_PROXY = 8100122,
    MW_SID_HTTP_HOST_PROXY = 8100123,
    MW_SID_POOL_ADDRESS_PROXY = 8100125,
};

/* Suricata-style severities: 1 high .. 3 low. A weak signal (ev->suspicion: the Noise
 * handshake shape, nDPI's guess) is never more than MW_SEVERITY_SUSPICION. */
#define MW_SEVERITY_SUSPICION 3

struct mw_signature {
    uint32_t sid;
    uint32_t rev;
    const char *msg;
    /* ET-style dates (YYYY_MM_DD) for alert.metadata created_at / updated_at: when the
     * signature was written and when its rev last changed. NULL: not written. */
    const char *created_at, *updated_at;
    uint8_t severity;           /* the finding as seen (one side of a protocol session) */
    uint8_t severity_confirmed; /* both sides of the session confirm it; = severity for names */
};

/* The registry entry for sid, or NULL when the id is not ours. */
const struct mw_signature *mw_signature_find(uint32_t sid);
/* The whole table, in sid order (docs/signatures.md lists the same rows). */
const struct mw_signature *mw_signature_table(size_t *count);

#endif
