/* httpmine_report.c - classify what the HTTP/WebSocket framing collected and report it.
 *
 * Spec: mining dialects as dissectors/jsonmine.h classifies them (Bitcoin wiki "Getwork",
 * BIP 22/23 getblocktemplate, open-ethereum-pool's HTTP API, web-miner JSON messages).
 * A request body is classified alone; a response body only through the request it
 * answers, so a page that quotes a mining message is never evidence. Each kind of
 * message, each header signal and each name is reported once per flow and side.
 */
#include <string.h>

#include "dissectors/httpmine.h"
#include "dissectors/jsonmine.h"

static uint32_t httpm_hash(const char *p, size_t n, uint32_t salt)
{
    uint32_t h = 2166136261u ^ salt;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)p[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        h = (h ^ c) * 16777619u;
    }
    return h;
}

void httpm_facts(const struct httpm_state *s, struct mw_http_facts *h, int with_response)
{
    *h = s->txn;
    h->status = 0;
    h->has_length = 0;
    h->length = 0;
    if (!with_response || !s->resp_seen)
        return;
    if (s->resp_req.seq != s->txn_seq) { /* pipelined: the request fields are another's */
        memset(h, 0, sizeof *h);
        h->seen = 1;
    }
    h->status = s->resp_status;
    h->has_length = s->resp_has_len;
    h->length = s->resp_len;
}

void httpm_emit_response(struct httpm_state *s, struct mw_dctx *ctx)
{
    if (!s->reported || s->response_sent)
        return;
    s->response_sent = 1;
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_HTTP;
    ev.client_dir = (uint8_t)s->client_dir;
    httpm_facts(s, &ev.http, 1);
    ctx->emit(ctx, &ev);
}

void httpm_mining(struct httpm_state *s, struct mw_dctx *ctx)
{
    s->mining_seen = 1;
    ctx->keep_following = 1;
}

void httpm_emit_name(struct httpm_state *s, struct mw_dctx *ctx, const struct http_slice *host,
                            const struct http_slice *method, uint32_t connect)
{
    uint32_t h = httpm_hash((const char *)host->p, host->len, connect); /* CONNECT and Host: two facts */
    for (uint8_t i = 0; i < s->nnames; i++)
        if (s->names[i] == h)
            return;
    if (s->nnames == HTTPM_NAMES)
        return; /* a flow naming more hosts than this is a proxy client: enough said */
    s->names[s->nnames++] = h;
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_NAME;
    ev.variant = MW_VAR_HTTP_HOST;
    ev.sides = MW_SIDE_CLIENT;
    ev.client_dir = (uint8_t)s->client_dir;
    ev.confidence = 100;
    mw_ev_set(ev.pool_host, sizeof ev.pool_host, host->p, host->len);
    mw_ev_set(ev.method, sizeof ev.method, method->p, method->len);
    httpm_facts(s, &ev.http, 0);
    s->reported = 1;
    ctx->emit(ctx, &ev);
}

static void httpm_base_ev(struct httpm_state *s, struct mw_evidence *ev, enum mw_variant v,
                          uint8_t side, uint8_t confidence, const char *method)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = MW_EV_PROTOCOL;
    ev->variant = v;
    ev->sides = side;
    ev->client_dir = (uint8_t)s->client_dir;
    ev->confidence = confidence;
    mw_ev_set(ev->method, sizeof ev->method, method, strlen(method));
    const char *agent = s->miner_agent[0] ? s->miner_agent : s->txn.user_agent;
    mw_ev_set(ev->agent, sizeof ev->agent, agent, strlen(agent));
    mw_ev_set(ev->worker, sizeof ev->worker, s->url_worker, strlen(s->url_worker));
    mw_ev_set(ev->pool_host, sizeof ev->pool_host, s->txn.hostname, strlen(s->txn.hostname));
    /* The server's side, and both sides of a WebSocket session, come after the response. */
    httpm_facts(s, &ev->http, side == MW_SIDE_SERVER || s->d[0].mode == HM_WEBSOCKET);
    s->reported = 1;
}

/* Header-only signals, reported once each per flow. */
void httpm_emit_header(struct httpm_state *s, struct mw_dctx *ctx, unsigned bit, enum mw_variant v,
                              uint8_t side, uint8_t confidence, const char *method,
                              const struct http_slice *stratum_url)
{
    if (s->hdr_emitted & (1u << bit))
        return;
    s->hdr_emitted |= 1u << bit;
    struct mw_evidence ev;
    httpm_base_ev(s, &ev, v, side, confidence, method);
    if (stratum_url) {
        struct http_slice auth, host;
        if (http_absolute_authority(stratum_url, &auth) == 0 && http_authority_host(&auth, &host) == 0)
            mw_ev_set(ev.pool_host, sizeof ev.pool_host, host.p, host.len);
    }
    httpm_mining(s, ctx);
    ctx->emit(ctx, &ev);
}

static void httpm_report(struct httpm_state *s, struct mw_dctx *ctx, const struct jsonmine_msg *m,
                         enum mw_variant v, uint8_t side, uint8_t confidence)
{
    jsonmine_account(ctx->app, m);
    httpm_mining(s, ctx);
    if (ctx->app && !ctx->app->app_proto)
        ctx->app->app_proto = "http";
    int si = side == MW_SIDE_SERVER;
    uint64_t bit = (m->kind >= 0 && m->kind < 64) ? (uint64_t)1 << m->kind : 1;
    if (s->emitted[si] & bit)
        return;
    s->emitted[si] |= bit;
    struct mw_evidence ev;
    httpm_base_ev(s, &ev, v, side, confidence, m->method[0] ? m->method : jsonmine_kind_name(m->kind));
    if (m->agent[0])
        mw_ev_set(ev.agent, sizeof ev.agent, m->agent, strlen(m->agent));
    if (m->worker[0])
        mw_ev_set(ev.worker, sizeof ev.worker, m->worker, strlen(m->worker));
    if (m->pool_host[0])
        mw_ev_set(ev.pool_host, sizeof ev.pool_host, m->pool_host, strlen(m->pool_host));
    mw_ev_set(ev.algo, sizeof ev.algo, m->algo, strlen(m->algo));
    mw_ev_set(ev.coin, sizeof ev.coin, m->coin, strlen(m->coin));
    ctx->emit(ctx, &ev);
}

/* A complete body (or WebSocket text message) in d->body. */
void httpm_body_done(struct httpm_state *s, struct mw_dctx *ctx, int dir)
{
    struct httpm_dir *d = &s->d[dir];
    int from_client = dir == s->client_dir;
    if (!d->collect || d->truncated || d->body_len == 0) {
        d->collect = 0;
        return;
    }
    d->collect = 0;
    struct jsonmine_msg m;
    if (d->mode == HM_WEBSOCKET) {
        if (jsonmine_classify(d->body, d->body_len, &m) != JM_OK || m.variant == MW_VAR_NONE)
            return;
        uint8_t side = m.side ? m.side : (from_client ? MW_SIDE_CLIENT : MW_SIDE_SERVER);
        httpm_report(s, ctx, &m, m.variant, side, 90);
        return;
    }
    if (from_client) {
        if (jsonmine_classify(d->body, d->body_len, &m) != JM_OK || m.variant == MW_VAR_NONE ||
            m.side == MW_SIDE_SERVER)
            return;
        struct httpm_req *r = httpm_find_req(s, s->body_req_seq);
        if (r) {
            r->kind = m.kind;
            r->variant = m.variant;
        } else if (s->resp_req.seq == s->body_req_seq) {
            s->resp_req.kind = m.kind; /* the reply overtook the body */
            s->resp_req.variant = m.variant;
        }
        httpm_report(s, ctx, &m, m.variant, MW_SIDE_CLIENT, 85);
        return;
    }
    if (s->resp_req.kind == JM_K_NONE)
        return;
    jsonmine_classify_response(d->body, d->body_len, s->resp_req.kind, &m);
    if (m.role != JM_RESPONSE && m.variant == MW_VAR_NONE)
        return;
    if (m.kind == JM_K_NONE || (m.kind == JM_K_RESULT && m.variant == MW_VAR_NONE))
        return; /* an answer that does not look like the dialect's */
    enum mw_variant v = m.variant != MW_VAR_NONE ? m.variant : s->resp_req.variant;
    if (!s->resp_has_len) { /* chunked or until close: the body as framed */
        s->resp_has_len = 1;
        s->resp_len = d->body_len;
    }
    httpm_report(s, ctx, &m, v, MW_SIDE_SERVER, 95);
}
