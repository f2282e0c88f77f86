/* httpmine.c - HTTP/1.x stream dissector: message framing, names, and mining over HTTP
 * and WebSocket.
 *
 * Spec: RFC 9112 section 6 (message body length: Transfer-Encoding chunked wins over
 * Content-Length; HEAD, 1xx, 204, 304 carry no body; a response without either runs to
 * the close), RFC 9110 section 9.3.6 (CONNECT), RFC 6455 section 4 (upgrade) and 5
 * (frames, via dissectors/websocket.h); mining dialects: Bitcoin wiki "Getwork", BIP 22/23
 * (getblocktemplate), open-ethereum-pool's HTTP API (eth-proxy), classified by
 * dissectors/jsonmine.h.
 *
 * Requests come from the client (the miner). Each request's head is parsed and reported
 * (Host, absolute URI and CONNECT names; mining-only headers), its body is framed and,
 * for POST, copied up to HTTPM_BODY_CAP and classified. Requests wait in a small queue
 * so pipelined responses pair with them in order; a response is classified only when
 * its request was, so a page that quotes a mining message is never evidence.
 * After "101 Switching Protocols" to an Upgrade: websocket request both directions carry
 * WebSocket frames; text messages (fragments reassembled up to the cap) are classified.
 * A direction's body buffer is taken the first time it collects a body (once per flow at
 * most) and released by fini, which the sensor calls for every state it attached.
 */
#include <string.h>

#include "dissectors/http.h"
#include "dissectors/jsonmine.h"
#include "dissectors/websocket.h"
#include "core/evidence.h"
#include "core/signatures.h"

/* A head larger than this is not waited for: the direction is given up. */
#define HTTPM_HEAD_CAP 32768u
/* Bodies and WebSocket messages copied for classification (one engine body block);
 * larger ones are skipped. */
#define HTTPM_BODY_CAP MW_BODY_BLOCK
/* Requests awaiting their response (pipelining depth we keep). */
#define HTTPM_PIPE 8u
/* Distinct names reported per flow. */
#define HTTPM_NAMES 4u

enum httpm_mode {
    HM_HEAD = 0,
    HM_BODY_LEN,
    HM_CHUNK_SIZE,
    HM_CHUNK_DATA,
    HM_CHUNK_CRLF,
    HM_TRAILER,
    HM_UNTIL_CLOSE,
    HM_WEBSOCKET,
    HM_OPAQUE, /* CONNECT tunnel or a direction we lost: consume and ignore */
};

enum httpm_method { HMM_OTHER = 0, HMM_GET, HMM_HEAD, HMM_POST, HMM_CONNECT };

struct httpm_req {
    uint32_t seq;
    uint8_t method;
    uint8_t ws_upgrade;
    int kind;                /* jsonmine kind of the body, JM_K_NONE when not classified */
    enum mw_variant variant; /* dialect of the body */
};

struct httpm_dir {
    uint8_t mode;
    uint8_t collect;    /* copy body bytes for classification */
    uint8_t truncated;  /* body exceeded the cap */
    uint64_t remaining; /* body or chunk or frame payload bytes still to come */
    size_t body_len;
    /* WebSocket frame in progress */
    uint8_t ws_in_frame, ws_opcode, ws_fin, ws_masked, ws_in_msg;
    uint8_t ws_mask[4];
    uint64_t ws_off;
    /* HTTPM_BODY_CAP bytes, taken the first time this direction collects a body and
     * kept until fini: most web flows never collect one, and an inline buffer made every
     * HTTP flow's state 9 KB (the largest share of the sensor's memory on busy links). */
    uint8_t *body;
};

struct httpm_state {
    int8_t client_dir;
    uint8_t npend;
    uint8_t mining_seen;
    uint32_t next_seq;
    uint32_t body_req_seq;   /* request whose body the client direction is framing */
    struct httpm_req pend[HTTPM_PIPE];
    struct httpm_req resp_req; /* the request the response in progress answers */
    uint64_t emitted[2];       /* per side: bit per jsonmine kind already reported */
    uint32_t hdr_emitted;      /* bit per header signal already reported */
    uint32_t names[HTTPM_NAMES];
    uint8_t nnames;
    char ua[MW_EV_AGENT_LEN];
    char miner_agent[MW_EV_AGENT_LEN];
    char host[MW_EV_HOST_LEN];
    char url_worker[MW_EV_WORKER_LEN];
    struct httpm_dir d[2];
};

/* ---- probe ---- */

static const char *const httpm_methods[] = { "GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS",
                                             "CONNECT", "PATCH", "TRACE" };

static int httpm_probe(const uint8_t *data, size_t len, int dir, const struct mw_dctx *ctx)
{
    static const char resp[] = "HTTP/1.";
    if (len == 0)
        return MW_PROBE_MAYBE;
    size_t n = len < 7 ? len : 7;
    if (memcmp(data, resp, n) == 0)
        return len >= 7 ? MW_PROBE_YES : MW_PROBE_MAYBE;
    for (size_t i = 0; i < sizeof httpm_methods / sizeof httpm_methods[0]; i++) {
        size_t ml = strlen(httpm_methods[i]);
        size_t k = len < ml + 1 ? len : ml + 1;
        char want[16];
        memcpy(want, httpm_methods[i], ml);
        want[ml] = ' ';
        if (memcmp(data, want, k) == 0)
            return len > ml ? MW_PROBE_YES : MW_PROBE_MAYBE;
    }
    return MW_PROBE_NO;
}

/* ---- helpers ---- */

static void httpm_init(void *vs)
{
    struct httpm_state *s = vs;
    memset(s, 0, sizeof *s);
    s->client_dir = -1;
}

static void httpm_bad(struct mw_dctx *ctx, enum http_event ev)
{
    mw_event(ctx, ev);
}

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

static void httpm_mining(struct httpm_state *s, struct mw_dctx *ctx)
{
    s->mining_seen = 1;
    ctx->keep_following = 1;
}

static void httpm_emit_name(struct httpm_state *s, struct mw_dctx *ctx, const struct http_slice *host,
                            const struct http_slice *method, uint32_t sid)
{
    uint32_t h = httpm_hash((const char *)host->p, host->len, sid);
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
    ev.sid = sid;
    ev.sides = MW_SIDE_CLIENT;
    ev.client_dir = (uint8_t)s->client_dir;
    ev.confidence = 100;
    mw_ev_set(ev.pool_host, sizeof ev.pool_host, host->p, host->len);
    mw_ev_set(ev.method, sizeof ev.method, method->p, method->len);
    ctx->emit(ctx, &ev);
}

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

static void httpm_base_ev(const struct httpm_state *s, struct mw_evidence *ev, enum mw_variant v,
                          uint8_t side, uint8_t confidence, const char *method)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = MW_EV_PROTOCOL;
    ev->variant = v;
    ev->sides = side;
    ev->client_dir = (uint8_t)s->client_dir;
    ev->confidence = confidence;
    mw_ev_set(ev->method, sizeof ev->method, method, strlen(method));
    const char *agent = s->miner_agent[0] ? s->miner_agent : s->ua;
    mw_ev_set(ev->agent, sizeof ev->agent, agent, strlen(agent));
    mw_ev_set(ev->worker, sizeof ev->worker, s->url_worker, strlen(s->url_worker));
    mw_ev_set(ev->pool_host, sizeof ev->pool_host, s->host, strlen(s->host));
}

/* Header-only signals, reported once each per flow. */
static void httpm_emit_header(struct httpm_state *s, struct mw_dctx *ctx, unsigned bit, enum mw_variant v,
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

static uint8_t httpm_method_id(const struct http_slice *m)
{
    if (http_slice_ieq(m, "GET"))
        return HMM_GET;
    if (http_slice_ieq(m, "HEAD"))
        return HMM_HEAD;
    if (http_slice_ieq(m, "POST"))
        return HMM_POST;
    if (http_slice_ieq(m, "CONNECT"))
        return HMM_CONNECT;
    return HMM_OTHER;
}

/* Body length from the framing headers: 1 chunked, 0 with *len set, -1 malformed. */
static int httpm_body_framing(const struct http_header *h, size_t n, uint64_t *len, int *has_len)
{
    const struct http_slice *te = http_header_get(h, n, "Transfer-Encoding");
    *has_len = 0;
    *len = 0;
    if (te) {
        if (!http_list_has(te, "chunked"))
            return -1; /* a coding we cannot frame */
        return 1;
    }
    /* Repeated Content-Length headers must agree (RFC 9112 section 6.3). */
    for (size_t i = 0; i < n; i++) {
        if (!http_slice_ieq(&h[i].name, "Content-Length"))
            continue;
        uint64_t v;
        if (http_parse_content_length(&h[i].value, &v) != 0 || (*has_len && v != *len))
            return -1;
        *len = v;
        *has_len = 1;
    }
    return 0;
}

/* Collect the next body only when its buffer exists or the engine's capped pool gives
 * one; a refusal is counted and the body is framed without being read. */
static uint8_t httpm_collect(struct mw_dctx *ctx, struct httpm_dir *d, int want)
{
    if (want && !d->body && ctx->body_get) {
        d->body = ctx->body_get(ctx);
        if (!d->body)
            httpm_bad(ctx, HTTP_EV_BODY_REFUSED);
    }
    return want && d->body;
}

static void httpm_start_body(struct mw_dctx *ctx, struct httpm_dir *d, int chunked, uint64_t len, int collect)
{
    d->collect = httpm_collect(ctx, d, collect);
    d->truncated = 0;
    d->body_len = 0;
    if (chunked) {
        d->mode = HM_CHUNK_SIZE;
    } else {
        d->remaining = len;
        d->mode = HM_BODY_LEN;
    }
}

static void httpm_copy(struct httpm_dir *d, const uint8_t *p, size_t n)
{
    if (!d->collect || d->truncated)
        return;
    if (n > HTTPM_BODY_CAP - d->body_len) {
        d->truncated = 1;
        return;
    }
    memcpy(d->body + d->body_len, p, n);
    d->body_len += n;
}

/* ---- classification ---- */

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

static struct httpm_req *httpm_find_req(struct httpm_state *s, uint32_t seq)
{
    for (uint8_t i = 0; i < s->npend; i++)
        if (s->pend[i].seq == seq)
            return &s->pend[i];
    return NULL;
}

/* A complete body (or WebSocket text message) in d->body. */
static void httpm_body_done(struct httpm_state *s, struct mw_dctx *ctx, int dir)
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
    httpm_report(s, ctx, &m, v, MW_SIDE_SERVER, 95);
}

/* ---- heads ---- */

static void httpm_on_request(struct httpm_state *s, struct mw_dctx *ctx, const struct http_request *rq,
                             struct httpm_req *entry)
{
    const struct http_header *h = rq->headers;
    size_t n = rq->num_headers;
    entry->method = httpm_method_id(&rq->method);
    struct http_slice auth, host;

    if (entry->method == HMM_CONNECT) {
        if (http_authority_host(&rq->target, &host) == 0)
            httpm_emit_name(s, ctx, &host, &rq->method, MW_SID_HTTP_CONNECT_POOL);
    } else if (http_absolute_authority(&rq->target, &auth) == 0 && http_authority_host(&auth, &host) == 0) {
        httpm_emit_name(s, ctx, &host, &rq->method, 0);
    }
    const struct http_slice *hv = http_header_get(h, n, "Host");
    if (hv && http_authority_host(hv, &host) == 0) {
        mw_ev_set(s->host, sizeof s->host, host.p, host.len);
        if (entry->method != HMM_CONNECT)
            httpm_emit_name(s, ctx, &host, &rq->method, 0);
    }

    const struct http_slice *ua = http_header_get(h, n, "User-Agent");
    enum mw_variant uav = MW_VAR_NONE;
    if (ua) {
        mw_ev_set(s->ua, sizeof s->ua, ua->p, ua->len);
        uav = httpm_miner_ua(ua);
        if (uav != MW_VAR_NONE)
            mw_ev_set(s->miner_agent, sizeof s->miner_agent, ua->p, ua->len);
    }
    const struct http_slice *upg = http_header_get(h, n, "Upgrade");
    entry->ws_upgrade = upg && http_list_has(upg, "websocket");

    if (http_header_get(h, n, "X-Mining-Extensions"))
        httpm_emit_header(s, ctx, 0, MW_VAR_GETWORK, MW_SIDE_CLIENT, 80, "X-Mining-Extensions", NULL);
    if (http_header_get(h, n, "X-Mining-Hashrate"))
        httpm_emit_header(s, ctx, 1, MW_VAR_GETWORK, MW_SIDE_CLIENT, 80, "X-Mining-Hashrate", NULL);
    /* A miner's User-Agent on a GET may be an update check; on a POST it is the RPC. */
    if (uav != MW_VAR_NONE && entry->method == HMM_POST)
        httpm_emit_header(s, ctx, 2, uav, MW_SIDE_CLIENT, 50, "User-Agent", NULL);
    if (entry->method == HMM_POST)
        httpm_url_worker(s, &rq->target);
}

static void httpm_on_response_headers(struct httpm_state *s, struct mw_dctx *ctx, const struct http_response *rs)
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

static long httpm_head(struct httpm_state *s, struct mw_dctx *ctx, int dir, const uint8_t *p, size_t len)
{
    struct httpm_dir *d = &s->d[dir];
    if (dir == s->client_dir) {
        struct http_request rq;
        long got = http_parse_request(p, len, &rq);
        if (got < 0)
            return got;
        struct httpm_req entry = { .seq = ++s->next_seq };
        httpm_on_request(s, ctx, &rq, &entry);
        uint64_t blen;
        int has_len;
        int fr = httpm_body_framing(rq.headers, rq.num_headers, &blen, &has_len);
        if (fr < 0)
            return HTTP_MALFORMED;
        if (s->npend == HTTPM_PIPE) {
            /* The server is not answering: forget the oldest request. */
            memmove(&s->pend[0], &s->pend[1], sizeof s->pend[0] * (HTTPM_PIPE - 1));
            s->npend--;
        }
        s->pend[s->npend++] = entry;
        s->body_req_seq = entry.seq;
        if (fr == 1 || blen > 0)
            httpm_start_body(ctx, d, fr == 1, blen, entry.method == HMM_POST);
        if (entry.method == HMM_CONNECT)
            d->mode = HM_OPAQUE; /* tunnel bytes follow, whatever the answer */
        return got;
    }
    struct http_response rs;
    long got = http_parse_response(p, len, &rs);
    if (got < 0)
        return got;
    httpm_on_response_headers(s, ctx, &rs);
    if (rs.status >= 100 && rs.status < 200 && rs.status != 101)
        return got; /* interim: the final answer follows */
    struct httpm_req req = { 0 };
    if (s->npend) {
        req = s->pend[0];
        memmove(&s->pend[0], &s->pend[1], sizeof s->pend[0] * (HTTPM_PIPE - 1));
        s->npend--;
    }
    s->resp_req = req;
    if (rs.status == 101) {
        if (req.ws_upgrade) {
            /* Suricata's app_proto after an accepted upgrade is "websocket" */
            if (ctx->app)
                ctx->app->app_proto = "websocket";
            s->d[0].mode = s->d[1].mode = HM_WEBSOCKET;
            s->d[0].ws_in_frame = s->d[1].ws_in_frame = 0;
            s->d[0].ws_in_msg = s->d[1].ws_in_msg = 0;
        } else {
            s->d[0].mode = s->d[1].mode = HM_OPAQUE; /* another protocol we do not speak */
        }
        return got;
    }
    if (req.method == HMM_CONNECT && rs.status >= 200 && rs.status < 300) {
        /* Mining through a web proxy: what follows is the tunnelled protocol itself. */
        s->d[0].mode = s->d[1].mode = HM_OPAQUE;
        ctx->reprobe = 1;
        return got;
    }
    if (req.method == HMM_CONNECT) /* refused: the client may send more requests */
        s->d[s->client_dir].mode = HM_HEAD;
    if (req.method == HMM_HEAD || rs.status == 204 || rs.status == 304)
        return got;
    uint64_t blen;
    int has_len;
    int fr = httpm_body_framing(rs.headers, rs.num_headers, &blen, &has_len);
    if (fr < 0)
        return HTTP_MALFORMED;
    int collect = req.kind != JM_K_NONE;
    if (fr == 1 || has_len) {
        if (fr == 1 || blen > 0)
            httpm_start_body(ctx, d, fr == 1, blen, collect);
    } else {
        httpm_start_body(ctx, d, 0, 0, collect);
        d->mode = HM_UNTIL_CLOSE;
    }
    return got;
}

/* ---- WebSocket ---- */

static long httpm_ws(struct httpm_state *s, struct mw_dctx *ctx, int dir, const uint8_t *p, size_t len)
{
    struct httpm_dir *d = &s->d[dir];
    size_t off = 0;
    while (off < len || (d->ws_in_frame && d->remaining == 0)) {
        if (!d->ws_in_frame) {
            struct ws_frame f;
            long got = ws_parse_frame(p + off, len - off, &f);
            if (got == WS_NEED_MORE)
                break;
            int from_client = dir == s->client_dir;
            int bad = got == WS_MALFORMED || f.masked != from_client ||
                      (f.opcode == WS_OP_CONT && !d->ws_in_msg) ||
                      ((f.opcode == WS_OP_TEXT || f.opcode == WS_OP_BINARY) && d->ws_in_msg);
            if (bad) {
                httpm_bad(ctx, got == WS_MALFORMED && f.error != WS_ERR_NONE
                                   ? (enum http_event)(HTTP_EV_WS_RSV + (f.error - WS_ERR_RSV))
                                   : HTTP_EV_WS_SEQUENCE);
                d->mode = HM_OPAQUE;
                return (long)len;
            }
            off += (size_t)got;
            d->ws_in_frame = 1;
            d->ws_opcode = f.opcode;
            d->ws_fin = f.fin;
            d->ws_masked = f.masked;
            memcpy(d->ws_mask, f.mask, 4);
            d->ws_off = 0;
            d->remaining = f.payload_len;
            if (f.opcode == WS_OP_TEXT || f.opcode == WS_OP_BINARY) {
                d->ws_in_msg = 1;
                d->body_len = 0;
                d->truncated = 0;
                /* Compressed (RSV1) and binary messages are not JSON we can read. */
                d->collect = httpm_collect(ctx, d, f.opcode == WS_OP_TEXT && !f.rsv1);
            }
            continue;
        }
        size_t n = len - off;
        if (n > d->remaining)
            n = (size_t)d->remaining;
        if (!ws_is_control(d->ws_opcode) && d->collect && !d->truncated) {
            if (n > HTTPM_BODY_CAP - d->body_len) {
                d->truncated = 1;
            } else {
                /* An unmasked frame has an all-zero key: unmasking is a copy. */
                ws_unmask(d->body + d->body_len, p + off, n, d->ws_mask, d->ws_off);
                d->body_len += n;
            }
        }
        off += n;
        d->ws_off += n;
        d->remaining -= n;
        if (d->remaining)
            break;
        d->ws_in_frame = 0;
        if (d->ws_opcode == WS_OP_CLOSE) {
            d->mode = HM_OPAQUE;
            return (long)len;
        }
        if (!ws_is_control(d->ws_opcode) && d->ws_fin) {
            d->ws_in_msg = 0;
            httpm_body_done(s, ctx, dir);
        }
    }
    return (long)off;
}

/* ---- feed ---- */

static long httpm_feed(void *vs, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len)
{
    struct httpm_state *s = vs;
    if (s->client_dir < 0) {
        if (len == 0)
            return 0;
        if (len >= 5 && memcmp(data, "HTTP/", 5) == 0)
            s->client_dir = (int8_t)!dir;
        else
            s->client_dir = (int8_t)(ctx->handshake_seen ? MW_DIR_FWD : dir);
    }
    struct httpm_dir *d = &s->d[dir];
    size_t off = 0;
    while (off < len) {
        const uint8_t *p = data + off;
        size_t left = len - off;
        switch (d->mode) {
        case HM_HEAD: {
            long got = httpm_head(s, ctx, dir, p, left);
            if (got == HTTP_NEED_MORE) {
                if (left >= HTTPM_HEAD_CAP) {
                    httpm_bad(ctx, HTTP_EV_HEAD_TOO_LONG);
                    d->mode = HM_OPAQUE; /* an unbounded head: stop reading this side */
                    continue;
                }
                return (long)off;
            }
            if (got < 0) {
                httpm_bad(ctx, HTTP_EV_BAD_HEAD);
                if (s->mining_seen) {
                    d->mode = HM_OPAQUE;
                    continue;
                }
                return MW_FEED_MALFORMED;
            }
            off += (size_t)got;
            break;
        }
        case HM_BODY_LEN:
        case HM_CHUNK_DATA:
        case HM_UNTIL_CLOSE: {
            size_t n = left;
            if (d->mode != HM_UNTIL_CLOSE && n > d->remaining)
                n = (size_t)d->remaining;
            httpm_copy(d, p, n);
            off += n;
            if (d->mode == HM_UNTIL_CLOSE)
                break;
            d->remaining -= n;
            if (d->remaining == 0) {
                if (d->mode == HM_CHUNK_DATA) {
                    d->mode = HM_CHUNK_CRLF;
                } else {
                    d->mode = HM_HEAD;
                    httpm_body_done(s, ctx, dir);
                }
            }
            break;
        }
        case HM_CHUNK_SIZE: {
            uint64_t sz;
            long got = http_parse_chunk_size(p, left, &sz);
            if (got == HTTP_NEED_MORE)
                return (long)off;
            if (got < 0) {
                httpm_bad(ctx, HTTP_EV_BAD_CHUNK);
                d->mode = HM_OPAQUE;
                continue;
            }
            off += (size_t)got;
            d->remaining = sz;
            d->mode = sz ? HM_CHUNK_DATA : HM_TRAILER;
            break;
        }
        case HM_CHUNK_CRLF:
            if (p[0] == '\n') {
                off += 1;
            } else if (p[0] == '\r') {
                if (left < 2)
                    return (long)off;
                if (p[1] != '\n') {
                    httpm_bad(ctx, HTTP_EV_BAD_CHUNK_END);
                    d->mode = HM_OPAQUE;
                    continue;
                }
                off += 2;
            } else {
                httpm_bad(ctx, HTTP_EV_BAD_CHUNK_END);
                d->mode = HM_OPAQUE;
                continue;
            }
            d->mode = HM_CHUNK_SIZE;
            break;
        case HM_TRAILER: {
            size_t lim = left < HTTP_MAX_LINE ? left : HTTP_MAX_LINE;
            const uint8_t *lf = memchr(p, '\n', lim);
            if (!lf) {
                if (left >= HTTP_MAX_LINE) {
                    httpm_bad(ctx, HTTP_EV_TRAILER_TOO_LONG);
                    d->mode = HM_OPAQUE;
                    continue;
                }
                return (long)off;
            }
            size_t ll = (size_t)(lf - p);
            off += ll + 1;
            if (ll == 0 || (ll == 1 && p[0] == '\r')) {
                d->mode = HM_HEAD;
                httpm_body_done(s, ctx, dir);
            }
            break;
        }
        case HM_WEBSOCKET: {
            long got = httpm_ws(s, ctx, dir, p, left);
            off += (size_t)got;
            if (d->mode == HM_WEBSOCKET && (size_t)got < left)
                return (long)off;
            break;
        }
        default: /* HM_OPAQUE */
            return (long)len;
        }
    }
    return (long)off;
}

static void httpm_gap(void *vs, struct mw_dctx *ctx, int dir)
{
    struct httpm_state *s = vs;
    if (s->client_dir < 0)
        return;
    /* Framing is lost in this direction; without it nothing more can be paired. */
    s->d[dir].mode = HM_OPAQUE;
    s->d[dir].collect = 0;
}

static void httpm_fini(void *vs, struct mw_dctx *ctx)
{
    struct httpm_state *s = vs;
    for (int dir = 0; dir < 2; dir++) {
        if (s->d[dir].mode == HM_UNTIL_CLOSE && s->client_dir >= 0)
            httpm_body_done(s, ctx, dir);
        if (s->d[dir].body && ctx->body_put)
            ctx->body_put(ctx, s->d[dir].body);
        s->d[dir].body = NULL;
    }
}

const struct mw_dissector http_dissector = {
    .name = "http",
    .transports = MW_TRANSPORT_TCP,
    .state_size = sizeof(struct httpm_state),
    .probe = httpm_probe,
    .init = httpm_init,
    .feed = httpm_feed,
    .gap = httpm_gap,
    .fini = httpm_fini,
    .events = (const char *const[]){ [HTTP_EV_HEAD_TOO_LONG] = "head_too_long",
                                     [HTTP_EV_BAD_HEAD] = "bad_head",
                                     [HTTP_EV_BAD_CHUNK] = "bad_chunk",
                                     [HTTP_EV_BAD_CHUNK_END] = "bad_chunk_end",
                                     [HTTP_EV_TRAILER_TOO_LONG] = "trailer_too_long",
                                     [HTTP_EV_BODY_REFUSED] = "body_refused",
                                     [HTTP_EV_WS_RSV] = "ws_rsv",
                                     [HTTP_EV_WS_OPCODE] = "ws_opcode",
                                     [HTTP_EV_WS_CONTROL] = "ws_control",
                                     [HTTP_EV_WS_LENGTH_MSB] = "ws_length_msb",
                                     [HTTP_EV_WS_NON_MINIMAL] = "ws_non_minimal",
                                     [HTTP_EV_WS_SEQUENCE] = "ws_sequence" },
    .nevents = HTTP_EV_COUNT,
};
