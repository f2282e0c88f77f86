/* signatures.c - the signature table behind core/signatures.h; docs/signatures.md mirrors it. */
#include "core/signatures.h"

#include <stddef.h>

static const struct mw_signature mw_signatures[] = {
    { MW_SID_STRATUM1, 1, "MINEWATCH MINING Stratum V1 mining session" , "2026_11_23", "2026_11_23" },
    { MW_SID_ETHSTRATUM, 1, "MINEWATCH MINING EthereumStratum/1.0.0 (NiceHash) mining session" , "2026_11_23", "2026_11_23" },
    { MW_SID_ETHPROXY, 1, "MINEWATCH MINING eth-proxy mining session" , "2026_11_23", "2026_11_23" },
    { MW_SID_CRYPTONOTE, 1, "MINEWATCH MINING CryptoNote/Monero (XMRig) mining session" , "2026_11_23", "2026_11_23" },
    { MW_SID_GETWORK, 1, "MINEWATCH MINING getwork over HTTP" , "2026_11_23", "2026_11_23" },
    { MW_SID_GBT, 1, "MINEWATCH MINING getblocktemplate over HTTP" , "2026_11_23", "2026_11_23" },
    { MW_SID_STRATUM2, 1, "MINEWATCH MINING Stratum V2 mining session" , "2026_11_23", "2026_11_23" },
    { MW_SID_STRATUM2_NOISE, 1, "MINEWATCH MINING possible encrypted Stratum V2 (Noise handshake shape)" , "2026_11_23", "2026_11_23" },
    { MW_SID_WEBMINER, 1, "MINEWATCH MINING browser miner over WebSocket" , "2026_11_23", "2026_11_23" },
    { MW_SID_ENCRYPTED_BEHAVIOUR, 1, "MINEWATCH MINING encrypted session with the timing and sizes of mining", "2026_12_02", "2026_12_02" },
    { MW_SID_DNS_POOL, 1, "MINEWATCH POOL DNS lookup of a mining pool" , "2026_11_23", "2026_11_23" },
    { MW_SID_TLS_SNI_POOL, 1, "MINEWATCH POOL TLS connection to a mining pool (SNI)" , "2026_11_23", "2026_11_23" },
    { MW_SID_HTTP_HOST_POOL, 1, "MINEWATCH POOL HTTP request to a mining pool (Host)" , "2026_11_23", "2026_11_23" },
    { MW_SID_HTTP_CONNECT_POOL, 1, "MINEWATCH POOL proxy CONNECT to a mining pool" , "2026_11_23", "2026_11_23" },
    { MW_SID_POOL_ADDRESS, 1, "MINEWATCH POOL connection to a listed mining pool address" , "2026_11_23", "2026_11_23" },
    { MW_SID_DNS_LEARNED_ADDRESS, 1, "MINEWATCH POOL connection to an address a pool name resolved to" , "2026_11_23", "2026_11_23" },
    { MW_SID_DNS_WEBMINER, 1, "MINEWATCH WEBMINER DNS lookup of a web-mining service" , "2026_11_23", "2026_11_23" },
    { MW_SID_TLS_SNI_WEBMINER, 1, "MINEWATCH WEBMINER TLS connection to a web-mining service (SNI)" , "2026_11_23", "2026_11_23" },
    { MW_SID_HTTP_HOST_WEBMINER, 1, "MINEWATCH WEBMINER HTTP request to a web-mining service" , "2026_11_23", "2026_11_23" },
    { MW_SID_DNS_PROXY, 1, "MINEWATCH PROXY DNS lookup of a mining proxy" , "2026_11_23", "2026_11_23" },
    { MW_SID_TLS_SNI_PROXY, 1, "MINEWATCH PROXY TLS connection to a mining proxy (SNI)" , "2026_11_23", "2026_11_23" },
    { MW_SID_HTTP_HOST_PROXY, 1, "MINEWATCH PROXY HTTP request to a mining proxy" , "2026_11_23", "2026_11_23" },
    { MW_SID_POOL_ADDRESS_PROXY, 1, "MINEWATCH PROXY connection to a listed mining proxy address" , "2026_11_23", "2026_11_23" },
};

const struct mw_signature *mw_signature_find(uint32_t sid)
{
    for (size_t i = 0; i < sizeof mw_signatures / sizeof mw_signatures[0]; i++)
        if (mw_signatures[i].sid == sid)
            return &mw_signatures[i];
    return NULL;
}

uint32_t mw_signature_for_variant(enum mw_variant v)
{
    switch (v) {
    case MW_VAR_STRATUM1: return MW_SID_STRATUM1;
    case MW_VAR_ETHSTRATUM: return MW_SID_ETHSTRATUM;
    case MW_VAR_ETHPROXY: return MW_SID_ETHPROXY;
    case MW_VAR_CRYPTONOTE: return MW_SID_CRYPTONOTE;
    case MW_VAR_GETWORK: return MW_SID_GETWORK;
    case MW_VAR_GBT: return MW_SID_GBT;
    case MW_VAR_STRATUM2: return MW_SID_STRATUM2;
    case MW_VAR_WEBMINER: return MW_SID_WEBMINER;
    case MW_VAR_DNS: return MW_SID_DNS_POOL;
    case MW_VAR_TLS_SNI: return MW_SID_TLS_SNI_POOL;
    case MW_VAR_HTTP_HOST: return MW_SID_HTTP_HOST_POOL;
    case MW_VAR_POOL_ADDRESS: return MW_SID_POOL_ADDRESS;
    case MW_VAR_SOCKS_CONNECT: return MW_SID_HTTP_CONNECT_POOL;
    case MW_VAR_ENCRYPTED: return MW_SID_ENCRYPTED_BEHAVIOUR;
    case MW_VAR_NDPI:
    case MW_VAR_NONE:
    case MW_VAR__COUNT:
        break;
    }
    return 0;
}
