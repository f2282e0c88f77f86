/* proxyproto.c - PROXY protocol v1/v2 header dissector: the original client, then the stream.
 *
 * Spec: HAProxy "The PROXY protocol, Versions 1 & 2", sections 2.1 (v1) and 2.2 (v2).
 * Wire layout:
 *
 *   v1: "PROXY" SP ("TCP4" | "TCP6") SP src SP dst SP sport SP dport CRLF
 *       "PROXY" SP "UNKNOWN" [anything] CRLF             (at most 107 bytes in all)
 *   v2: sig(12) = 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A
 *       ver_cmd(1): 0x2 << 4 | (0 LOCAL, 1 PROXY)
 *       fam(1):     family << 4 | transport  (family 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX;
 *                                             transport 0 UNSPEC, 1 STREAM, 2 DGRAM)
 *       len(2, big-endian): bytes that follow: addresses, then TLVs
 *       INET:  src(4) dst(4) sport(2) dport(2)       = 12 bytes
 *       INET6: src(16) dst(16) sport(2) dport(2)     = 36 bytes
 *       UNIX:  src(108) dst(108)                     = 216 bytes
 *       TLV:   type(1) length(2, big-endian) value[length], repeated to the end of len
 *
 * Frame first: v1 up to its CRLF, v2 by its length field. Everything is checked the way
 * the spec tells a receiver to: a version, command, family or address length out of range,
 * an address that does not parse, a port above 65535, a TLV running past the block, all
 * make the header malformed (counted; the flow is left alone), never a guess.
 */
#include "dissectors/proxyproto.h"

#include <arpa/inet.h>
#include <string.h>

#include "core/evidence.h"
#include "core/reader.h"

static const uint8_t proxyp_sig[PROXYP_V2_SIG_LEN] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                                       0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

/* ---- v1 ---- */

/* The next space-terminated token of the line [*pos, end): 0, or -1 when absent/empty. */
static int proxyp_token(const uint8_t *line, size_t end, size_t *pos, const uint8_t **tok, size_t *tlen)
{
    size_t i = *pos;
    while (i < end && line[i] != ' ')
        i++;
    if (i == *pos)
        return -1;
    *tok = line + *pos;
    *tlen = i - *pos;
    *pos = i < end ? i + 1 : i; /* skip the single separating space */
    return 0;
}

static int proxyp_v1_addr(const uint8_t *t, size_t n, int v6, struct mw_addr *out)
{
    char buf[48];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, t, n);
    buf[n] = '\0';
    if (v6)
        return inet_pton(AF_INET6, buf, out->b) == 1 ? 0 : -1;
    uint8_t v4[4];
    if (inet_pton(AF_INET, buf, v4) != 1)
        return -1;
    mw_addr_from_v4(out, v4);
    return 0;
}

/* Decimal 0..65535 without leading zeros (the spec's form). */
static int proxyp_v1_port(const uint8_t *t, size_t n, uint16_t *out)
{
    if (n == 0 || n > 5 || (n > 1 && t[0] == '0'))
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(t[i] - '0');
    }
    if (v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static long proxyp_v1(const uint8_t *buf, size_t len, struct proxyp_header *out)
{
    size_t look = len < PROXYP_V1_MAX ? len : PROXYP_V1_MAX;
    const uint8_t *lf = memchr(buf, '\n', look);
    if (!lf)
        return len >= PROXYP_V1_MAX ? PROXYP_MALFORMED : PROXYP_NEED_MORE;
    size_t end = (size_t)(lf - buf); /* index of LF */
    if (end == 0 || buf[end - 1] != '\r')
        return PROXYP_MALFORMED;
    end--; /* the line without CRLF */
    for (size_t i = 0; i < end; i++)
        if (buf[i] < 0x20 || buf[i] > 0x7e)
            return PROXYP_MALFORMED;
    out->version = 1;
    out->stream = 1;
    size_t pos = 6; /* after "PROXY " (checked by the caller) */
    const uint8_t *t;
    size_t tn;
    if (proxyp_token(buf, end, &pos, &t, &tn) != 0)
        return PROXYP_MALFORMED;
    if (tn == 7 && memcmp(t, "UNKNOWN", 7) == 0)
        return (long)(end + 2); /* the rest of an UNKNOWN line is ignored (2.1) */
    int v6;
    if (tn == 4 && memcmp(t, "TCP4", 4) == 0)
        v6 = 0;
    else if (tn == 4 && memcmp(t, "TCP6", 4) == 0)
        v6 = 1;
    else
        return PROXYP_MALFORMED;
    const uint8_t *a[4];
    size_t an[4];
    for (int i = 0; i < 4; i++)
        if (proxyp_token(buf, end, &pos, &a[i], &an[i]) != 0)
            return PROXYP_MALFORMED;
    if (a[3] + an[3] != buf + end) /* trailing bytes or spaces */
        return PROXYP_MALFORMED;
    if (proxyp_v1_addr(a[0], an[0], v6, &out->src) != 0 || proxyp_v1_addr(a[1], an[1], v6, &out->dst) != 0 ||
        proxyp_v1_port(a[2], an[2], &out->src_port) != 0 || proxyp_v1_port(a[3], an[3], &out->dst_port) != 0)
        return PROXYP_MALFORMED;
    out->has_addr = 1;
    return (long)(end + 2);
}

/* ---- v2 ---- */

static long proxyp_v2(const uint8_t *buf, size_t len, struct proxyp_header *out)
{
    struct mw_reader r = mw_reader_make(buf, len);
    mw_reader_skip(&r, PROXYP_V2_SIG_LEN);
    uint8_t ver_cmd = mw_reader_u8(&r);
    if (!r.err && ((ver_cmd >> 4) != 2 || (ver_cmd & 0x0f) > 1))
        return PROXYP_MALFORMED;
    uint8_t fam = mw_reader_u8(&r);
    uint8_t family = fam >> 4, transport = fam & 0x0f;
    if (!r.err && (family > 3 || transport > 2))
        return PROXYP_MALFORMED;
    uint16_t blen = mw_reader_be16(&r);
    if (r.err)
        return PROXYP_NEED_MORE;
    if (blen > PROXYP_V2_MAX_LEN)
        return PROXYP_MALFORMED;
    static const uint16_t addr_len[4] = { 0, 12, 36, 216 };
    uint16_t alen = addr_len[family];
    if (blen < alen)
        return PROXYP_MALFORMED;
    const uint8_t *block = mw_reader_take(&r, blen);
    if (!block)
        return PROXYP_NEED_MORE;
    out->version = 2;
    out->local = (ver_cmd & 0x0f) == 0;
    out->stream = transport == 1;
    out->tlv_len = (uint16_t)(blen - alen);
    /* TLVs must tile the rest of the block exactly. */
    struct mw_reader t = mw_reader_make(block + alen, (size_t)(blen - alen));
    while (mw_reader_left(&t) > 0) {
        (void)mw_reader_u8(&t);
        uint16_t vlen = mw_reader_be16(&t);
        mw_reader_skip(&t, vlen);
        if (t.err)
            return PROXYP_MALFORMED;
    }
    if (!out->local && (family == 1 || family == 2)) {
        struct mw_reader a = mw_reader_make(block, alen);
        size_t al = family == 1 ? 4 : 16;
        const uint8_t *sa = mw_reader_take(&a, al);
        const uint8_t *da = mw_reader_take(&a, al);
        out->src_port = mw_reader_be16(&a);
        out->dst_port = mw_reader_be16(&a);
        if (a.err || !sa || !da)
            return PROXYP_MALFORMED; /* cannot happen: blen >= alen was checked */
        if (family == 1) {
            mw_addr_from_v4(&out->src, sa);
            mw_addr_from_v4(&out->dst, da);
        } else {
            memcpy(out->src.b, sa, 16);
            memcpy(out->dst.b, da, 16);
        }
        out->has_addr = 1;
    }
    return (long)r.off;
}

long proxyp_parse(const uint8_t *buf, size_t len, struct proxyp_header *out)
{
    memset(out, 0, sizeof *out);
    static const char v1[] = "PROXY ";
    size_t n1 = len < 6 ? len : 6;
    if (memcmp(buf, v1, n1) == 0)
        return len < 6 ? PROXYP_NEED_MORE : proxyp_v1(buf, len, out);
    size_t n2 = len < PROXYP_V2_SIG_LEN ? len : PROXYP_V2_SIG_LEN;
    if (memcmp(buf, proxyp_sig, n2) == 0)
        return len < PROXYP_V2_SIG_LEN ? PROXYP_NEED_MORE : proxyp_v2(buf, len, out);
    return PROXYP_MALFORMED;
}

/* ---- dissector ---- */

static int proxyp_probe(const uint8_t *data, size_t len, int dir, const struct mw_dctx *ctx)
{
    if (len == 0 || (ctx->handshake_seen && dir != MW_DIR_FWD))
        return MW_PROBE_NO;
    struct proxyp_header h;
    long rc = proxyp_parse(data, len, &h);
    if (rc == PROXYP_MALFORMED)
        return MW_PROBE_NO;
    /* The signature alone decides: a header that fails later is counted as malformed. */
    if (rc == PROXYP_NEED_MORE && len < 6)
        return MW_PROBE_MAYBE;
    if (rc == PROXYP_NEED_MORE && data[0] == 0x0d && len < PROXYP_V2_SIG_LEN)
        return MW_PROBE_MAYBE;
    return MW_PROBE_YES;
}

static void proxyp_init(void *vs)
{
    struct proxyp_state *s = vs;
    s->client_dir = -1;
    s->done = 0;
}

static long proxyp_feed(void *vs, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len)
{
    struct proxyp_state *s = vs;
    if (s->client_dir < 0)
        s->client_dir = (int8_t)dir;
    if (dir != s->client_dir || s->done || len == 0)
        return 0; /* the backend answers only after the header; keep its bytes for what follows */
    struct proxyp_header h;
    long got = proxyp_parse(data, len, &h);
    if (got == PROXYP_NEED_MORE)
        return 0;
    if (got < 0) {
        mw_event(ctx, 0); /* "malformed" */
        return MW_FEED_MALFORMED;
    }
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_PROXY;
    ev.client_dir = (uint8_t)dir;
    ev.sides = MW_SIDE_CLIENT;
    ev.proxy.proto = h.version == 1 ? MW_PROXY_V1 : MW_PROXY_V2;
    if (h.has_addr) {
        ev.proxy.has_src = 1;
        ev.proxy.src = h.src;
        ev.proxy.dst = h.dst;
        ev.proxy.src_port = h.src_port;
        ev.proxy.dst_port = h.dst_port;
    }
    ctx->emit(ctx, &ev);
    s->done = 1;
    ctx->reprobe = 1;
    return got;
}

static void proxyp_gap(void *vs, struct mw_dctx *ctx, int dir)
{
    (void)vs, (void)dir;
    ctx->closed = 1;
}

const struct mw_dissector proxyp_dissector = {
    .name = "proxy-protocol",
    .transports = MW_TRANSPORT_TCP,
    .state_size = sizeof(struct proxyp_state),
    .probe = proxyp_probe,
    .init = proxyp_init,
    .feed = proxyp_feed,
    .gap = proxyp_gap,
    .fini = NULL,
    .events = (const char *const[]){ "malformed" },
    .nevents = 1,
};
