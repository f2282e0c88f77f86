/* httpmine.c - HTTP/1.x stream dissector: message framing and pipelining, names, and the
 * dissector's callbacks; mining heuristics, the WebSocket loop and classification are in
 * httpmine_heur.c, httpmine_ws.c and httpmine_report.c (dissectors/httpmine.h).
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
 * A direction's body buffer is taken from the engine's capped body pool (ctx->body_get)
 * the first time it collects a body (once per flow at most) and given back by fini, which
 * the engine calls for every state it attached; a refusal is counted (app.http.body_refused)
 * and the body is framed without being read.
 *
 * Wire layout (RFC 9112 2.1): start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
 */
#include <string.h>

#include "dissectors/httpmine.h"
#include "dissectors/jsonmine.h"
#include "core/evidence.h"

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
uint8_t httpm_collect(struct mw_dctx *ctx, struct httpm_dir *d, int want)
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

/* ---- pipelining: requests waiting for their responses ---- */

struct httpm_req *httpm_find_req(struct httpm_state *s, uint32_t seq)
{
    for (uint8_t i = 0; i < s->npend; i++)
        if (s->pend[i].seq == seq)
            return &s->pend[i];
    return NULL;
}

/* ---- heads ---- */

static void httpm_on_request(struct httpm_state *s, struct mw_dctx *ctx, const struct http_request *rq,
                             struct httpm_req *entry)
{
    const struct http_header *h = rq->headers;
    size_t n = rq->num_headers;
    entry->method = httpm_method_id(&rq->method);
    struct http_slice auth, host, target_host = { 0 }, host_hdr = { 0 };
    int has_target = 0, has_host = 0;
    if (entry->method == HMM_CONNECT)
        has_target = http_authority_host(&rq->target, &target_host) == 0;
    else
        has_target = http_absolute_authority(&rq->target, &auth) == 0 && http_authority_host(&auth, &target_host) == 0;
    const struct http_slice *hv = http_header_get(h, n, "Host");
    has_host = hv && http_authority_host(hv, &host_hdr) == 0;

    /* This request's facts, before any evidence it raises copies them. */
    struct mw_http_facts *t = &s->txn;
    memset(t, 0, sizeof *t);
    t->seen = 1;
    s->txn_seq = entry->seq;
    mw_ev_set(t->method, sizeof t->method, rq->method.p, rq->method.len);
    mw_ev_set(t->url, sizeof t->url, rq->target.p, rq->target.len);
    host = has_host ? host_hdr : target_host;
    if (has_host || has_target)
        mw_ev_set(t->hostname, sizeof t->hostname, host.p, host.len);
    const struct http_slice *ua = http_header_get(h, n, "User-Agent");
    if (ua)
        mw_ev_set(t->user_agent, sizeof t->user_agent, ua->p, ua->len);

    if (has_target)
        httpm_emit_name(s, ctx, &target_host, &rq->method, entry->method == HMM_CONNECT);
    if (has_host && entry->method != HMM_CONNECT)
        httpm_emit_name(s, ctx, &host_hdr, &rq->method, 0);

    const struct http_slice *upg = http_header_get(h, n, "Upgrade");
    entry->ws_upgrade = upg && http_list_has(upg, "websocket");
    httpm_request_heuristics(s, ctx, rq, entry->method);
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
    if (rs.status >= 100 && rs.status < 200 && rs.status != 101) {
        httpm_response_heuristics(s, ctx, &rs);
        return got; /* interim: the final answer follows */
    }
    struct httpm_req req = { 0 };
    if (s->npend) {
        req = s->pend[0];
        memmove(&s->pend[0], &s->pend[1], sizeof s->pend[0] * (HTTPM_PIPE - 1));
        s->npend--;
    }
    s->resp_req = req;
    /* The response's facts, before any evidence it raises copies them. */
    uint64_t blen;
    int has_len;
    int fr = httpm_body_framing(rs.headers, rs.num_headers, &blen, &has_len);
    s->resp_seen = 1;
    s->resp_status = (uint16_t)rs.status;
    s->resp_has_len = fr == 0 && has_len && req.method != HMM_HEAD && rs.status != 204 && rs.status != 304;
    s->resp_len = s->resp_has_len ? blen : 0;
    httpm_response_heuristics(s, ctx, &rs);
    httpm_emit_response(s, ctx);
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
