/* evidence.c - helpers shared by every producer of struct mw_evidence. */
#include <stddef.h>
#include <string.h>

#include "core/evidence.h"

static const char *const mw_variant_names[MW_VAR__COUNT] = {
    [MW_VAR_NONE] = "none",
    [MW_VAR_STRATUM1] = "stratum1",
    [MW_VAR_ETHSTRATUM] = "ethstratum",
    [MW_VAR_ETHPROXY] = "ethproxy",
    [MW_VAR_CRYPTONOTE] = "cryptonote",
    [MW_VAR_GETWORK] = "getwork",
    [MW_VAR_GBT] = "gbt",
    [MW_VAR_STRATUM2] = "stratum2",
    [MW_VAR_WEBMINER] = "webminer",
    [MW_VAR_DNS] = "dns",
    [MW_VAR_TLS_SNI] = "tls-sni",
    [MW_VAR_HTTP_HOST] = "http-host",
    [MW_VAR_POOL_ADDRESS] = "pool-address",
    [MW_VAR_NDPI] = "ndpi",
    [MW_VAR_SOCKS_CONNECT] = "socks-connect",
    [MW_VAR_ENCRYPTED] = "encrypted",
};

static const char *const mw_proxy_names[MW_PROXY__COUNT] = {
    [MW_PROXY_NONE] = "none",   [MW_PROXY_SOCKS4] = "socks4",     [MW_PROXY_SOCKS4A] = "socks4a",
    [MW_PROXY_SOCKS5] = "socks5", [MW_PROXY_V1] = "proxy-v1", [MW_PROXY_V2] = "proxy-v2",
};

const char *mw_proxy_proto_name(enum mw_proxy_proto p)
{
    if ((unsigned)p >= MW_PROXY__COUNT)
        return "none";
    return mw_proxy_names[p];
}

const char *mw_variant_name(enum mw_variant v)
{
    if ((unsigned)v >= MW_VAR__COUNT)
        return "none";
    return mw_variant_names[v];
}

void mw_ev_set(char *dst, size_t dst_size, const void *src, size_t len)
{
    if (dst_size == 0)
        return;
    if (len >= dst_size)
        len = dst_size - 1;
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

static void mw_add_sat(uint32_t *c, uint32_t n)
{
    *c = *c > UINT32_MAX - n ? UINT32_MAX : *c + n;
}

void mw_app_count(struct mw_flow_app *app, enum mw_msg_meaning what, uint32_t n)
{
    if (!app)
        return;
    switch (what) {
    case MW_MSG_SHARE_SUBMITTED: mw_add_sat(&app->shares_submitted, n); break;
    case MW_MSG_SHARES_ACCEPTED: mw_add_sat(&app->shares_accepted, n); break;
    case MW_MSG_SHARE_REJECTED: mw_add_sat(&app->shares_rejected, n); break;
    case MW_MSG_JOB: mw_add_sat(&app->jobs, n); break;
    case MW_MSG_OTHER: break;
    }
}

void mw_http_merge(struct mw_http_facts *dst, const struct mw_http_facts *src)
{
    if (!src->seen)
        return;
    if (!dst->seen) {
        *dst = *src;
        return;
    }
    /* The request fields describe one request: take them together, or not at all. */
    if (!dst->method[0] && !dst->url[0] && (src->method[0] || src->url[0])) {
        memcpy(dst->method, src->method, sizeof dst->method);
        memcpy(dst->url, src->url, sizeof dst->url);
        if (!dst->hostname[0])
            memcpy(dst->hostname, src->hostname, sizeof dst->hostname);
        if (!dst->user_agent[0])
            memcpy(dst->user_agent, src->user_agent, sizeof dst->user_agent);
    }
    /* So do the response's: status and body length of one response. */
    if (!dst->status && src->status) {
        dst->status = src->status;
        dst->has_length = src->has_length;
        dst->length = src->length;
    }
}
