/* signatures.c - the signature table behind core/signatures.h; docs/signatures.md mirrors it
 * row for row (test_policy checks sid, rev, message and severities). */
#include "core/signatures.h"

#include <stddef.h>

static const struct mw_signature mw_signatures[] = {
    { MW_SID_STRATUM1, 1, "MINEWATCH MINING Stratum V1 mining session", "2026_11_23", "2026_11_23", 2, 1 },
    { MW_SID_ETHSTRATUM, 1, "MINEWATCH MINING EthereumStratum/1.0.0 (NiceHash) mining session", "2026_11_23", "2026_11_23", 2, 1 },
    { MW_SID_ETHPROXY, 1, "MINEWATCH MINING eth-proxy mining session", "2026_11_23", "2026_11_23", 2, 1 },
    { MW_SID_CRYPTONOTE, 1, "MINEWATCH MINING CryptoNote/Monero (XMRig) mining session", "2026_11_23", "2026_11_23", 2, 1 },
    { MW_SID_GETWORK, 1, "MINEWATCH MINING getwork over HTTP", "2026_11_23", "2026_11_23", 2, 1 },
    { MW_SID_GBT, 1, "MINEWATCH MINING getblocktemplate over HTTP", "2026_11_23", "2026_11_23", 2, 1 },
    { MW_SID_STRATUM2, 1, "MINEWATCH MINING Stratum V2 mining session", "2026_11_23", "2026_11_23", 2, 1 },
    { MW_SID_STRATUM2_NOISE, 1, "MINEWATCH MINING possible encrypted Stratum V2 (Noise handshake shape)", "2026_11_23", "2026_11_23", 3, 3 },
    { MW_SID_WEBMINER, 1, "MINEWATCH MINING browser miner over WebSocket", "2026_11_23", "2026_11_23", 2, 1 },
    { MW_SID_ENCRYPTED_BEHAVIOUR, 1, "MINEWATCH MINING encrypted session with the timing and sizes of mining", "2026_12_02", "2026_12_02", 3, 3 },
    { MW_SID_DNS_POOL, 1, "MINEWATCH POOL DNS lookup of a mining pool", "2026_11_23", "2026_11_23", 3, 3 },
    { MW_SID_TLS_SNI_POOL, 1, "MINEWATCH POOL TLS connection to a mining pool (SNI)", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_HTTP_HOST_POOL, 1, "MINEWATCH POOL HTTP request to a mining pool (Host)", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_HTTP_CONNECT_POOL, 1, "MINEWATCH POOL proxy CONNECT to a mining pool", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_POOL_ADDRESS, 1, "MINEWATCH POOL connection to a listed mining pool address", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_DNS_LEARNED_ADDRESS, 1, "MINEWATCH POOL connection to an address a pool name resolved to", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_DNS_WEBMINER, 1, "MINEWATCH WEBMINER DNS lookup of a web-mining service", "2026_11_23", "2026_11_23", 3, 3 },
    { MW_SID_TLS_SNI_WEBMINER, 1, "MINEWATCH WEBMINER TLS connection to a web-mining service (SNI)", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_HTTP_HOST_WEBMINER, 1, "MINEWATCH WEBMINER HTTP request to a web-mining service", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_DNS_PROXY, 1, "MINEWATCH PROXY DNS lookup of a mining proxy", "2026_11_23", "2026_11_23", 3, 3 },
    { MW_SID_TLS_SNI_PROXY, 1, "MINEWATCH PROXY TLS connection to a mining proxy (SNI)", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_HTTP_HOST_PROXY, 1, "MINEWATCH PROXY HTTP request to a mining proxy", "2026_11_23", "2026_11_23", 2, 2 },
    { MW_SID_POOL_ADDRESS_PROXY, 1, "MINEWATCH PROXY connection to a listed mining proxy address", "2026_11_23", "2026_11_23", 2, 2 },
};

const struct mw_signature *mw_signature_find(uint32_t sid)
{
    for (size_t i = 0; i < sizeof mw_signatures / sizeof mw_signatures[0]; i++)
        if (mw_signatures[i].sid == sid)
            return &mw_signatures[i];
    return NULL;
}

const struct mw_signature *mw_signature_table(size_t *count)
{
    *count = sizeof mw_signatures / sizeof mw_signatures[0];
    return mw_signatures;
}
