/* policy.c - finding -> (signature, severity). The rules, in order:
 *  - a protocol: the variant's signature; suspicion on Stratum V2 is the Noise-handshake
 *    shape (its own signature). Severity: the signature's confirmed severity when client
 *    and server both spoke it, its one-sided severity otherwise, never above
 *    MW_SEVERITY_SUSPICION for a weak signal.
 *  - a listed name or address: the signature of (category, where the name was seen); a
 *    CONNECT (HTTP or SOCKS) to a mining pool has its own; crypto-general lists never alert.
 *  - a DNS-learned address: one signature whatever the list.
 * Severities come from core/signatures.c only.
 */
#include "sensor/detect/policy.h"

#include <string.h>

#include "core/signatures.h"

static uint32_t policy_protocol_sid(const struct mw_evidence *ev)
{
    switch (ev->variant) {
    case MW_VAR_STRATUM1: return MW_SID_STRATUM1;
    case MW_VAR_ETHSTRATUM: return MW_SID_ETHSTRATUM;
    case MW_VAR_ETHPROXY: return MW_SID_ETHPROXY;
    case MW_VAR_CRYPTONOTE: return MW_SID_CRYPTONOTE;
    case MW_VAR_GETWORK: return MW_SID_GETWORK;
    case MW_VAR_GBT: return MW_SID_GBT;
    /* sv2.c's only weak signal is the Noise handshake shape of an encrypted session. */
    case MW_VAR_STRATUM2: return ev->suspicion ? MW_SID_STRATUM2_NOISE : MW_SID_STRATUM2;
    case MW_VAR_WEBMINER: return MW_SID_WEBMINER;
    case MW_VAR_DNS: return MW_SID_DNS_POOL;
    case MW_VAR_TLS_SNI: return MW_SID_TLS_SNI_POOL;
    case MW_VAR_HTTP_HOST: return MW_SID_HTTP_HOST_POOL;
    case MW_VAR_POOL_ADDRESS: return MW_SID_POOL_ADDRESS;
    case MW_VAR_SOCKS_CONNECT: return MW_SID_HTTP_CONNECT_POOL;
    case MW_VAR_ENCRYPTED: return MW_SID_ENCRYPTED_BEHAVIOUR;
    case MW_VAR_NDPI: /* a suspicion for the host score, never an alert */
    case MW_VAR_NONE:
    case MW_VAR__COUNT:
        break;
    }
    return 0;
}

/* Listed names and addresses: [category][DNS, SNI, HTTP Host, address]. */
static const uint32_t policy_listed[RULES_CAT__COUNT][4] = {
    [RULES_CAT_MINING_POOL] = { MW_SID_DNS_POOL, MW_SID_TLS_SNI_POOL, MW_SID_HTTP_HOST_POOL, MW_SID_POOL_ADDRESS },
    [RULES_CAT_WEB_MINER] = { MW_SID_DNS_WEBMINER, MW_SID_TLS_SNI_WEBMINER, MW_SID_HTTP_HOST_WEBMINER,
                              MW_SID_POOL_ADDRESS },
    [RULES_CAT_MINING_PROXY] = { MW_SID_DNS_PROXY, MW_SID_TLS_SNI_PROXY, MW_SID_HTTP_HOST_PROXY,
                                 MW_SID_POOL_ADDRESS_PROXY },
    [RULES_CAT_CRYPTO_GENERAL] = { 0, 0, 0, 0 },
};

static uint32_t policy_listed_sid(const struct mw_evidence *ev, enum rules_category cat)
{
    if ((unsigned)cat >= RULES_CAT__COUNT)
        return 0;
    switch (ev->variant) {
    case MW_VAR_DNS: return policy_listed[cat][0];
    case MW_VAR_TLS_SNI: return policy_listed[cat][1];
    case MW_VAR_HTTP_HOST:
        if (cat == RULES_CAT_MINING_POOL && strcmp(ev->method, "CONNECT") == 0)
            return MW_SID_HTTP_CONNECT_POOL;
        return policy_listed[cat][2];
    case MW_VAR_POOL_ADDRESS: return policy_listed[cat][3];
    case MW_VAR_SOCKS_CONNECT: /* a SOCKS CONNECT target: like an HTTP CONNECT one */
        if (cat == RULES_CAT_MINING_POOL)
            return MW_SID_HTTP_CONNECT_POOL;
        return policy_listed[cat][ev->pool_host[0] ? 2 : 3]; /* a name, or an address */
    default: return 0;
    }
}

int policy_decide(const struct mw_evidence *ev, enum policy_basis basis, enum rules_category cat,
                  struct policy_decision *out)
{
    uint32_t sid = 0;
    switch (basis) {
    case POLICY_PROTOCOL: sid = policy_protocol_sid(ev); break;
    case POLICY_LISTED: sid = policy_listed_sid(ev, cat); break;
    case POLICY_DNS_LEARNED: sid = MW_SID_DNS_LEARNED_ADDRESS; break;
    }
    const struct mw_signature *sig = sid ? mw_signature_find(sid) : NULL;
    out->sid = sig ? sid : 0;
    out->severity = MW_SEVERITY_SUSPICION;
    if (!sig)
        return 0;
    int both = (ev->sides & MW_SIDE_CLIENT) && (ev->sides & MW_SIDE_SERVER);
    out->severity = basis == POLICY_PROTOCOL && both ? sig->severity_confirmed : sig->severity;
    if (ev->suspicion && out->severity < MW_SEVERITY_SUSPICION)
        out->severity = MW_SEVERITY_SUSPICION;
    return 1;
}
