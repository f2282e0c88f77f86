/* socks.c - SOCKS4/4a/5 handshake dissector: the CONNECT target, then the tunnel.
 *
 * Spec: SOCKS4 and SOCKS 4A (Ying-Da Lee's protocol documents), RFC 1928 (SOCKS5),
 * RFC 1929 (SOCKS5 username/password). Wire layout (network byte order):
 *
 *   SOCKS4/4a  C: VN=4 CD(1 connect, 2 bind) DSTPORT(2) DSTIP(4) USERID.. 0 [HOST.. 0]
 *                 (4a: DSTIP 0.0.0.x with x != 0 means HOST follows the USERID's NUL)
 *              S: VN=0 CD(90 granted, 91..93 refused) DSTPORT(2) DSTIP(4)
 *   SOCKS5     C: VER=5 NMETHODS(1..255) METHODS[NMETHODS]
 *              S: VER=5 METHOD (0 none, 2 username/password, 0xff none acceptable)
 *     RFC 1929 C: VER=1 ULEN(1..255) UNAME PLEN(1..255) PASSWD     S: VER=1 STATUS(0 ok)
 *              C: VER=5 CMD(1 connect, 2 bind, 3 udp) RSV=0 ATYP DST.ADDR DST.PORT(2)
 *              S: VER=5 REP(0 succeeded) RSV=0 ATYP BND.ADDR BND.PORT(2)
 *              ATYP 1: 4-byte IPv4; 3: LEN(1..255) + name; 4: 16-byte IPv6
 *
 * Each direction is read on its own: the client's next message is told from its first
 * byte (5 a request, 1 a username/password sub-negotiation), so nothing waits for the other
 * side's bytes. The CONNECT target is reported when the request is seen (an attempt to
 * reach a pool through a proxy is worth knowing even if the proxy refuses); the stream is
 * handed on (ctx->reprobe) after the success reply. Client bytes after the request are
 * left unconsumed, so the sensor can probe them as the tunnel's first bytes. Any other
 * method (GSSAPI, private) encapsulates what follows: the dissector closes. Every length
 * is checked against the spec's range before it is trusted; a violation is malformed.
 */
#include "dissectors/socks.h"

#include <string.h>

#include "core/evidence.h"
#include "core/reader.h"

enum socks_cphase { SC_FIRST = 0, SC_NEXT, SC_DONE };
enum socks_sphase { SS_FIRST = 0, SS_AUTH_STATUS, SS_REPLY, SS_DONE };

/* ---- parsers ---- */

static int socks_name_ok(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7f)
            return 0;
    return 1;
}

/* An RFC 1928 method byte is assigned (0x00..0x09), private (0x80..0xfe), never 0xff. */
static int socks5_method_ok(uint8_t m)
{
    return m <= 0x09 || (m >= 0x80 && m <= 0xfe);
}

long socks5_parse_greeting(const uint8_t *buf, size_t len, struct socks_slice *methods)
{
    struct mw_reader r = mw_reader_make(buf, len);
    uint8_t ver = mw_reader_u8(&r);
    if (r.err)
        return SOCKS_NEED_MORE;
    if (ver != 5)
        return SOCKS_MALFORMED;
    uint8_t n = mw_reader_u8(&r);
    if (r.err)
        return SOCKS_NEED_MORE;
    if (n == 0)
        return SOCKS_MALFORMED;
    /* Methods seen so far are checked before waiting for the rest. */
    for (size_t i = 0; i < n && mw_reader_has(&r, i + 1); i++)
        if (!socks5_method_ok(buf[2 + i]))
            return SOCKS_MALFORMED;
    const uint8_t *m = mw_reader_take(&r, n);
    if (!m)
        return SOCKS_NEED_MORE;
    methods->p = m;
    methods->len = n;
    return (long)r.off;
}

/* VER VALUE: the server's method choice (VER 5) and its authentication status (VER 1, the
 * sub-negotiation's own version, RFC 1929) have one layout. */
static long socks_version_byte(const uint8_t *buf, size_t len, uint8_t want_ver, uint8_t *value)
{
    struct mw_reader r = mw_reader_make(buf, len);
    uint8_t ver = mw_reader_u8(&r);
    if (!r.err && ver != want_ver)
        return SOCKS_MALFORMED;
    *value = mw_reader_u8(&r);
    if (r.err)
        return SOCKS_NEED_MORE;
    return (long)r.off;
}

long socks5_parse_choice(const uint8_t *buf, size_t len, uint8_t *method)
{
    return socks_version_byte(buf, len, 5, method);
}

long socks5_parse_auth(const uint8_t *buf, size_t len, struct socks_slice *user)
{
    struct mw_reader r = mw_reader_make(buf, len);
    uint8_t ver = mw_reader_u8(&r);
    if (!r.err && ver != 1)
        return SOCKS_MALFORMED;
    uint8_t ulen = mw_reader_u8(&r);
    if (!r.err && ulen == 0)
        return SOCKS_MALFORMED;
    const uint8_t *u = mw_reader_take(&r, ulen);
    uint8_t plen = mw_reader_u8(&r);
    if (!r.err && plen == 0)
        return SOCKS_MALFORMED;
    mw_reader_skip(&r, plen);
    if (r.err)
        return SOCKS_NEED_MORE;
    user->p = u;
    user->len = ulen;
    return (long)r.off;
}

long socks5_parse_auth_status(const uint8_t *buf, size_t len, uint8_t *status)
{
    return socks_version_byte(buf, len, 1, status);
}

/* ATYP DST.ADDR DST.PORT, shared by the SOCKS5 request and reply. 0, or SOCKS_* error. */
static long socks5_address(struct mw_reader *r, struct socks_request *out)
{
    out->atyp = mw_reader_u8(r);
    if (r->err)
        return SOCKS_NEED_MORE;
    const uint8_t *a;
    switch (out->atyp) {
    case SOCKS_ATYP_IPV4:
        a = mw_reader_take(r, 4);
        if (a)
            memcpy(out->addr, a, 4);
        break;
    case SOCKS_ATYP_IPV6:
        a = mw_reader_take(r, 16);
        if (a)
            memcpy(out->addr, a, 16);
        break;
    case SOCKS_ATYP_NAME: {
        uint8_t n = mw_reader_u8(r);
        if (!r->err && n == 0)
            return SOCKS_MALFORMED;
        a = mw_reader_take(r, n);
        if (a && !socks_name_ok(a, n))
            return SOCKS_MALFORMED;
        out->name.p = a;
        out->name.len = a ? n : 0;
        break;
    }
    default:
        return SOCKS_MALFORMED;
    }
    out->port = mw_reader_be16(r);
    return r->err ? SOCKS_NEED_MORE : 0;
}

/* VER CMD|REP RSV ATYP ADDR PORT: a request (CMD 1..3) or a reply (REP 0..8). */
static long socks5_message(const uint8_t *buf, size_t len, struct socks_request *out, int is_reply)
{
    memset(out, 0, sizeof *out);
    struct mw_reader r = mw_reader_make(buf, len);
    out->version = mw_reader_u8(&r);
    if (!r.err && out->version != 5)
        return SOCKS_MALFORMED;
    out->cmd = mw_reader_u8(&r);
    if (!r.err && !is_reply && (out->cmd < SOCKS_CMD_CONNECT || out->cmd > SOCKS_CMD_UDP_ASSOCIATE))
        return SOCKS_MALFORMED;
    if (!r.err && is_reply && out->cmd > 0x08) /* RFC 1928 section 6: X'00'..X'08' */
        return SOCKS_MALFORMED;
    uint8_t rsv = mw_reader_u8(&r);
    if (r.err)
        return SOCKS_NEED_MORE;
    if (rsv != 0)
        return SOCKS_MALFORMED;
    long rc = socks5_address(&r, out);
    return rc < 0 ? rc : (long)r.off;
}

long socks5_parse_request(const uint8_t *buf, size_t len, struct socks_request *out)
{
    return socks5_message(buf, len, out, 0);
}

long socks5_parse_reply(const uint8_t *buf, size_t len, uint8_t *rep)
{
    struct socks_request m;
    long rc = socks5_message(buf, len, &m, 1);
    *rep = m.cmd;
    return rc;
}

/* A NUL-terminated field of at most SOCKS4_FIELD_MAX bytes at the reader's position. */
static long socks4_field(struct mw_reader *r, struct socks_slice *out)
{
    size_t left = mw_reader_left(r);
    const uint8_t *p = r->p + r->off;
    size_t look = left < SOCKS4_FIELD_MAX + 1 ? left : SOCKS4_FIELD_MAX + 1;
    const uint8_t *nul = memchr(p, 0, look);
    if (!nul)
        return left > SOCKS4_FIELD_MAX ? SOCKS_MALFORMED : SOCKS_NEED_MORE;
    out->p = p;
    out->len = (size_t)(nul - p);
    mw_reader_skip(r, out->len + 1);
    return 0;
}

long socks4_parse_request(const uint8_t *buf, size_t len, struct socks_request *out)
{
    memset(out, 0, sizeof *out);
    struct mw_reader r = mw_reader_make(buf, len);
    out->version = mw_reader_u8(&r);
    if (!r.err && out->version != 4)
        return SOCKS_MALFORMED;
    out->cmd = mw_reader_u8(&r);
    if (!r.err && out->cmd != SOCKS_CMD_CONNECT && out->cmd != SOCKS_CMD_BIND)
        return SOCKS_MALFORMED;
    out->port = mw_reader_be16(&r);
    const uint8_t *ip = mw_reader_take(&r, 4);
    if (r.err)
        return SOCKS_NEED_MORE;
    memcpy(out->addr, ip, 4);
    out->atyp = SOCKS_ATYP_IPV4;
    long rc = socks4_field(&r, &out->user);
    if (rc < 0)
        return rc;
    if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0) { /* SOCKS 4A */
        rc = socks4_field(&r, &out->name);
        if (rc < 0)
            return rc;
        if (!socks_name_ok(out->name.p, out->name.len))
            return SOCKS_MALFORMED;
        out->atyp = SOCKS_ATYP_NAME;
    }
    return (long)r.off;
}

long socks4_parse_reply(const uint8_t *buf, size_t len, uint8_t *cd)
{
    struct mw_reader r = mw_reader_make(buf, len);
    uint8_t vn = mw_reader_u8(&r);
    if (!r.err && vn != 0)
        return SOCKS_MALFORMED;
    *cd = mw_reader_u8(&r);
    if (!r.err && (*cd < 90 || *cd > 93))
        return SOCKS_MALFORMED;
    mw_reader_skip(&r, 6);
    if (r.err)
        return SOCKS_NEED_MORE;
    return (long)r.off;
}

/* ---- dissector ---- */

static int socks_probe(const uint8_t *data, size_t len, int dir, const struct mw_dctx *ctx)
{
    /* The client speaks first; with the handshake seen, that is the initiator. */
    if (len == 0 || (ctx->handshake_seen && dir != MW_DIR_FWD))
        return MW_PROBE_NO;
    long rc;
    if (data[0] == 5) {
        struct socks_slice m;
        rc = socks5_parse_greeting(data, len, &m);
    } else if (data[0] == 4) {
        struct socks_request rq;
        rc = socks4_parse_request(data, len, &rq);
    } else {
        return MW_PROBE_NO;
    }
    if (rc == SOCKS_MALFORMED)
        return MW_PROBE_NO;
    return rc == SOCKS_NEED_MORE ? MW_PROBE_MAYBE : MW_PROBE_YES;
}

static void socks_init(void *vs)
{
    struct socks_state *s = vs;
    memset(s, 0, sizeof *s);
    s->client_dir = -1;
}

static long socks_bad(struct mw_dctx *ctx)
{
    mw_event(ctx, 0); /* "malformed" */
    return MW_FEED_MALFORMED;
}

static void socks_report(struct socks_state *s, struct mw_dctx *ctx, const struct socks_request *rq)
{
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_PROXY;
    ev.variant = MW_VAR_SOCKS_CONNECT;
    ev.client_dir = (uint8_t)s->client_dir;
    ev.sides = MW_SIDE_CLIENT;
    mw_ev_set(ev.method, sizeof ev.method, "CONNECT", 7);
    ev.proxy.proto = rq->version == 5 ? MW_PROXY_SOCKS5
                     : rq->atyp == SOCKS_ATYP_NAME ? MW_PROXY_SOCKS4A : MW_PROXY_SOCKS4;
    ev.proxy.target_port = rq->port;
    if (rq->atyp == SOCKS_ATYP_NAME) {
        mw_ev_set(ev.pool_host, sizeof ev.pool_host, rq->name.p, rq->name.len);
    } else {
        ev.proxy.has_target_addr = 1;
        if (rq->atyp == SOCKS_ATYP_IPV4)
            mw_addr_from_v4(&ev.proxy.target_addr, rq->addr);
        else
            memcpy(ev.proxy.target_addr.b, rq->addr, 16);
    }
    ctx->emit(ctx, &ev);
}

static long socks_client(struct socks_state *s, struct mw_dctx *ctx, const uint8_t *p, size_t len)
{
    struct socks_request rq;
    struct socks_slice sl;
    long got;
    if (s->cphase == SC_DONE)
        return 0; /* the tunnel's first bytes: kept for the protocol behind the proxy */
    if (s->cphase == SC_FIRST) {
        s->version = p[0];
        if (p[0] == 5) {
            got = socks5_parse_greeting(p, len, &sl);
            if (got > 0) {
                for (size_t i = 0; i < sl.len; i++)
                    s->offered |= sl.p[i] == SOCKS5_M_NONE ? 1 : sl.p[i] == SOCKS5_M_USERPASS ? 2 : 0;
                s->cphase = SC_NEXT;
            }
            return got;
        }
        got = socks4_parse_request(p, len, &rq);
    } else if (p[0] == 1 && (s->offered & 2)) {
        return socks5_parse_auth(p, len, &sl); /* the user name is a proxy login, not a worker */
    } else if (p[0] == 5) {
        got = socks5_parse_request(p, len, &rq);
    } else {
        return SOCKS_MALFORMED;
    }
    if (got > 0) {
        s->cmd = rq.cmd;
        s->cphase = SC_DONE;
        if (rq.cmd == SOCKS_CMD_CONNECT)
            socks_report(s, ctx, &rq);
    }
    return got;
}

/* The proxy accepted the request: a CONNECT tunnel carries the client's protocol now;
 * BIND's second reply does the same; UDP ASSOCIATE leaves a control channel only. */
static void socks_granted(struct socks_state *s, struct mw_dctx *ctx)
{
    s->replies++;
    if (s->cmd == SOCKS_CMD_BIND && s->replies < 2)
        return;
    s->sphase = SS_DONE;
    if (s->cmd == SOCKS_CMD_UDP_ASSOCIATE)
        ctx->closed = 1;
    else
        ctx->reprobe = 1;
}

static long socks_server(struct socks_state *s, struct mw_dctx *ctx, const uint8_t *p, size_t len)
{
    long got;
    uint8_t v = 0;
    if (s->version == 4) {
        got = socks4_parse_reply(p, len, &v);
        if (got > 0) {
            if (v == SOCKS4_CD_GRANTED)
                socks_granted(s, ctx);
            else
                ctx->closed = 1;
        }
        return got;
    }
    switch (s->sphase) {
    case SS_FIRST:
        got = socks5_parse_choice(p, len, &v);
        if (got > 0) {
            if (v == SOCKS5_M_NONE)
                s->sphase = SS_REPLY;
            else if (v == SOCKS5_M_USERPASS)
                s->sphase = SS_AUTH_STATUS;
            else /* refused, or a method that encapsulates the rest (GSSAPI, private) */
                ctx->closed = 1;
        }
        return got;
    case SS_AUTH_STATUS:
        got = socks5_parse_auth_status(p, len, &v);
        if (got > 0) {
            if (v == 0)
                s->sphase = SS_REPLY;
            else
                ctx->closed = 1;
        }
        return got;
    case SS_REPLY:
        got = socks5_parse_reply(p, len, &v);
        if (got > 0) {
            if (v == SOCKS5_REP_SUCCEEDED)
                socks_granted(s, ctx);
            else
                ctx->closed = 1;
        }
        return got;
    default:
        return 0;
    }
}

static long socks_feed(void *vs, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len)
{
    struct socks_state *s = vs;
    if (len == 0)
        return 0;
    if (s->client_dir < 0)
        s->client_dir = (int8_t)dir;
    long got;
    if (dir == s->client_dir) {
        got = socks_client(s, ctx, data, len);
    } else {
        /* The proxy speaking before the client is not SOCKS. */
        got = s->version == 0 ? SOCKS_MALFORMED : socks_server(s, ctx, data, len);
    }
    if (got == SOCKS_MALFORMED)
        return socks_bad(ctx);
    return got == SOCKS_NEED_MORE ? 0 : got;
}

static void socks_gap(void *vs, struct mw_dctx *ctx, int dir)
{
    /* A handshake with a hole cannot be followed: hand the rest to nobody. */
    (void)vs, (void)dir;
    ctx->closed = 1;
}

const struct mw_dissector socks_dissector = {
    .name = "socks",
    .transports = MW_TRANSPORT_TCP,
    .state_size = sizeof(struct socks_state),
    .probe = socks_probe,
    .init = socks_init,
    .feed = socks_feed,
    .gap = socks_gap,
    .fini = NULL,
    .events = (const char *const[]){ "malformed" },
    .nevents = 1,
};
