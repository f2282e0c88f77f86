/* httpmine_heur.c - what HTTP heads say about mining software: the agent table, the
 * getwork extension headers, the worker name pools put in the URL.
 *
 * Spec: Bitcoin wiki "Getwork" (X-Mining-Extensions, X-Mining-Hashrate, X-Long-Polling,
 * X-Roll-NTime, X-Reject-Reason) and the X-Stratum redirect header pools send; miner
 * agents as the miners identify themselves (cgminer, bfgminer, ethminer, xmrig ...).
 * Every signal is reported once per flow (httpm_emit_header) and only counts with the
 * dialect it belongs to; a miner's User-Agent on a GET (an update check) says nothing.
 */
#include <string.h>

#include "dissectors/httpmine.h"

/* Miner software that speaks HTTP to pools or nodes (getwork, GBT, eth-proxy, daemon RPC). */
static const struct {
    const char *prefix;
    enum mw_variant variant;
} httpm_miner_uas[] = {
    { "cgminer", MW_VAR_GETWORK },      { "bfgminer", MW_VAR_GETWORK },
    { "cpuminer", MW_VAR_GETWORK },     { "sgminer", MW_VAR_GETWORK },
    { "ccminer", MW_VAR_GETWORK },      { "minerd", MW_VAR_GETWORK },
    { "poclbm", MW_VAR_GETWORK },       { "DiabloMiner", MW_VAR_GETWORK },
    { "cudaminer", MW_VAR_GETWORK },    { "bitcoin-miner", MW_VAR_GETWORK },
    { "ethminer", MW_VAR_ETHPROXY },    { "Claymore", MW_VAR_ETHPROXY },
    { "PhoenixMiner", MW_VAR_ETHPROXY }, { "xmrig", MW_VAR_CRYPTONOTE },
    { "xmr-stak", MW_VAR_CRYPTONOTE },
};

static enum mw_variant httpm_miner_ua(const struct http_slice *ua)
{
    for (size_t i = 0; i < sizeof httpm_miner_uas / sizeof httpm_miner_uas[0]; i++) {
        size_t n = strlen(httpm_miner_uas[i].prefix);
        if (ua->len < n)
            continue;
        struct http_slice head = { ua->p, n };
        if (!http_slice_ieq(&head, httpm_miner_uas[i].prefix))
            continue;
        if (ua->len == n || ua->p[n] == '/' || ua->p[n] == ' ' || ua->p[n] == '-')
            return httpm_miner_uas[i].variant;
    }
    return MW_VAR_NONE;
}

/* Worker names that pools put in the request target: "?miner=...", "?worker=...",
 * "/0xWALLET/worker", "/WALLET.worker". Only used once the body proved mining. */
static void httpm_url_worker(struct httpm_state *s, const struct http_slice *target)
{
    struct http_slice path = *target, auth;
    if (http_absolute_authority(target, &auth) == 0) {
        size_t skip = (size_t)(auth.p + auth.len - target->p);
        path.p = target->p + skip;
        path.len = target->len - skip;
    }
    const uint8_t *q = memchr(path.p, '?', path.len);
    size_t plen = q ? (size_t)(q - path.p) : path.len;
    if (q) {
        static const char *const keys[] = { "miner=", "worker=", "user=", "login=", "wallet=" };
        const uint8_t *qs = q + 1;
        size_t ql = path.len - plen - 1;
        size_t i = 0;
        while (i < ql) {
            size_t e = i;
            while (e < ql && qs[e] != '&')
                e++;
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                size_t kl = strlen(keys[k]);
                struct http_slice key = { qs + i, kl };
                if (e - i > kl && http_slice_ieq(&key, keys[k])) {
                    mw_ev_set(s->url_worker, sizeof s->url_worker, qs + i + kl, e - i - kl);
                    return;
                }
            }
            i = e + 1;
        }
    }
    while (plen && path.p[0] == '/') {
        path.p++;
        plen--;
    }
    if (plen)
        mw_ev_set(s->url_worker, sizeof s->url_worker, path.p, plen);
}

/* A request's head: the miner's User-Agent, getwork's X-Mining headers, and the worker
 * name in a POST's target. */
void httpm_request_heuristics(struct httpm_state *s, struct mw_dctx *ctx, const struct http_request *rq,
                              uint8_t method)
{
    const struct http_header *h = rq->headers;
    size_t n = rq->num_headers;
    const struct http_slice *ua = http_header_get(h, n, "User-Agent");
    enum mw_variant uav = MW_VAR_NONE;
    if (ua) {
        uav = httpm_miner_ua(ua);
        if (uav != MW_VAR_NONE)
            mw_ev_set(s->miner_agent, sizeof s->miner_agent, ua->p, ua->len);
    }

    if (http_header_get(h, n, "X-Mining-Extensions"))
        httpm_emit_header(s, ctx, 0, MW_VAR_GETWORK, MW_SIDE_CLIENT, 80, "X-Mining-Extensions", NULL);
    if (http_header_get(h, n, "X-Mining-Hashrate"))
        httpm_emit_header(s, ctx, 1, MW_VAR_GETWORK, MW_SIDE_CLIENT, 80, "X-Mining-Hashrate", NULL);
    /* A miner's User-Agent on a GET may be an update check; on a POST it is the RPC. */
    if (uav != MW_VAR_NONE && method == HMM_POST)
        httpm_emit_header(s, ctx, 2, uav, MW_SIDE_CLIENT, 50, "User-Agent", NULL);
    if (method == HMM_POST)
        httpm_url_worker(s, &rq->target);
}

/* A response's head: the pool's getwork headers. */
void httpm_response_heuristics(struct httpm_state *s, struct mw_dctx *ctx, const struct http_response *rs)
{
    const struct http_header *h = rs->headers;
    size_t n = rs->num_headers;
    if (http_header_get(h, n, "X-Long-Polling"))
        httpm_emit_header(s, ctx, 8, MW_VAR_GETWORK, MW_SIDE_SERVER, 80, "X-Long-Polling", NULL);
    if (http_header_get(h, n, "X-Roll-NTime"))
        httpm_emit_header(s, ctx, 9, MW_VAR_GETWORK, MW_SIDE_SERVER, 80, "X-Roll-NTime", NULL);
    const struct http_slice *st = http_header_get(h, n, "X-Stratum");
    if (st)
        httpm_emit_header(s, ctx, 10, MW_VAR_GETWORK, MW_SIDE_SERVER, 85, "X-Stratum", st);
    if (http_header_get(h, n, "X-Reject-Reason"))
        httpm_emit_header(s, ctx, 11, MW_VAR_GETWORK, MW_SIDE_SERVER, 80, "X-Reject-Reason", NULL);
}
