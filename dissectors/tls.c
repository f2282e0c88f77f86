/* tls.c - TLS ClientHello: record framing, parsing, JA3 and JA4.
 *
 * Specs: RFC 8446 5.1 (records) and 4.1.2 (ClientHello), RFC 5246 7.4.1.2, RFC 6066 3
 * (server_name), RFC 7301 3.1 (ALPN), RFC 8701 (GREASE); JA3 as described in
 * salesforce/ja3 README.md, JA4 as in FoxIO-LLC/ja4 technical_details/JA4.md.
 *
 * Wire layout, big-endian:
 *   record     type(1)=22 version(2)=0x03xx length(2)<=2^14 fragment
 *   handshake  msg_type(1)=1 length(3) body  (may span several records)
 *   body       legacy_version(2) random(32) session_id<0..32>(1-byte length)
 *              cipher_suites<2..2^16-2>(2) compression_methods<1..2^8-1>(1)
 *              [extensions<0..2^16-1>(2): type(2) length(2) data]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reader.h"
#include "dissectors/tls.h"
#include "core/digest.h"

#define TLS_CT_HANDSHAKE 22
#define TLS_HS_CLIENT_HELLO 1

#define EXT_SERVER_NAME 0x0000
#define EXT_SUPPORTED_GROUPS 0x000a
#define EXT_EC_POINT_FORMATS 0x000b
#define EXT_SIGNATURE_ALGORITHMS 0x000d
#define EXT_ALPN 0x0010
#define EXT_SUPPORTED_VERSIONS 0x002b

int tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

long tls_reassemble(const uint8_t *data, size_t len, uint8_t *msg, size_t cap, size_t *msg_len)
{
    size_t off = 0, have = 0;
    for (;;) {
        if (len - off < 5)
            return TLS_NEED_MORE;
        struct mw_reader r = mw_reader_make(data + off, len - off);
        uint8_t type = mw_reader_u8(&r);
        uint8_t major = mw_reader_u8(&r);
        mw_reader_skip(&r, 1);
        size_t rlen = mw_reader_be16(&r);
        /* RFC 8446 5.1: handshake fragments are never empty and never exceed 2^14. */
        if (type != TLS_CT_HANDSHAKE || major != 3 || rlen == 0)
            return TLS_ERR_RECORD;
        if (rlen > TLS_MAX_RECORD)
            return TLS_ERR_RECORD_TOO_LONG;
        const uint8_t *frag = mw_reader_take(&r, rlen);
        if (!frag)
            return TLS_NEED_MORE;
        size_t n = rlen < cap - have ? rlen : cap - have;
        memcpy(msg + have, frag, n);
        have += n;
        off += 5 + rlen;
        if (have >= 4) {
            size_t total = 4 + (((size_t)msg[1] << 16) | ((size_t)msg[2] << 8) | msg[3]);
            if (total > cap)
                return TLS_ERR_TOO_LARGE;
            if (have >= total) {
                *msg_len = total;
                return (long)off;
            }
        }
    }
}

/* A 16-bit list with a 1- or 2-byte length prefix that must fill `ext` exactly. */
static int read_u16_list(struct mw_reader *ext, int len_bytes, uint16_t *dst, size_t cap, size_t *count,
                         struct mw_tls_hello *h)
{
    size_t n = len_bytes == 1 ? mw_reader_u8(ext) : mw_reader_be16(ext);
    if (ext->err || n % 2 || n != mw_reader_left(ext))
        return TLS_ERR_EXTENSION;
    for (size_t i = 0; i < n / 2; i++) {
        uint16_t v = mw_reader_be16(ext);
        if (tls_is_grease(v)) {
            h->grease_seen++;
        } else if (*count < cap) {
            dst[(*count)++] = v;
        } else {
            h->clipped = 1;
        }
    }
    return TLS_OK;
}

static int parse_sni(struct mw_reader *ext, struct mw_tls_hello *h)
{
    /* An empty server_name extension is what servers echo; clients sending one are odd
     * but harmless. */
    if (mw_reader_left(ext) == 0)
        return TLS_OK;
    size_t list = mw_reader_be16(ext);
    if (ext->err || list != mw_reader_left(ext))
        return TLS_ERR_EXTENSION;
    int found = 0;
    while (mw_reader_left(ext) > 0) {
        uint8_t type = mw_reader_u8(ext);
        size_t n = mw_reader_be16(ext);
        const uint8_t *name = mw_reader_take(ext, n);
        if (!name)
            return TLS_ERR_EXTENSION;
        if (type == 0 && !found) {
            mw_ev_set(h->sni, sizeof h->sni, name, n);
            found = 1;
        }
    }
    return TLS_OK;
}

/* ALPN; also yields the JA4 ALPN characters from the first protocol's raw bytes. */
static int parse_alpn(struct mw_reader *ext, struct mw_tls_hello *h, char ja4_alpn[3])
{
    size_t list = mw_reader_be16(ext);
    if (ext->err || list != mw_reader_left(ext))
        return TLS_ERR_EXTENSION;
    int first = 1;
    while (mw_reader_left(ext) > 0) {
        size_t n = mw_reader_u8(ext);
        const uint8_t *p = mw_reader_take(ext, n);
        if (!p)
            return TLS_ERR_EXTENSION;
        if (first && n > 0) {
            uint8_t a = p[0], b = p[n - 1];
            int alnum_a = (a >= '0' && a <= '9') || (a >= 'A' && a <= 'Z') || (a >= 'a' && a <= 'z');
            int alnum_b = (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
            if (alnum_a && alnum_b) {
                ja4_alpn[0] = (char)a;
                ja4_alpn[1] = (char)b;
            } else {
                /* JA4.md: first and last characters of the hex form of the value. */
                static const char hx[] = "0123456789abcdef";
                ja4_alpn[0] = hx[a >> 4];
                ja4_alpn[1] = hx[b & 15];
            }
        }
        first = 0;
        if (h->n_alpn < TLS_MAX_ALPN)
            mw_ev_set(h->alpn[h->n_alpn++], TLS_ALPN_LEN, p, n);
        else
            h->clipped = 1;
    }
    return TLS_OK;
}

static int parse_extension(uint16_t type, struct mw_reader *ext, struct mw_tls_hello *h, char ja4_alpn[3])
{
    size_t count;
    int rc;
    switch (type) {
    case EXT_SERVER_NAME:
        h->has_sni = 1;
        return parse_sni(ext, h);
    case EXT_ALPN:
        return parse_alpn(ext, h, ja4_alpn);
    case EXT_SUPPORTED_GROUPS:
        count = h->n_groups;
        rc = read_u16_list(ext, 2, h->groups, TLS_MAX_GROUPS, &count, h);
        h->n_groups = (uint8_t)count;
        return rc;
    case EXT_SIGNATURE_ALGORITHMS:
        count = h->n_sigalgs;
        rc = read_u16_list(ext, 2, h->sigalgs, TLS_MAX_SIGALGS, &count, h);
        h->n_sigalgs = (uint8_t)count;
        return rc;
    case EXT_SUPPORTED_VERSIONS:
        count = h->n_versions;
        rc = read_u16_list(ext, 1, h->versions, TLS_MAX_VERSIONS, &count, h);
        h->n_versions = (uint8_t)count;
        return rc;
    case EXT_EC_POINT_FORMATS: {
        size_t n = mw_reader_u8(ext);
        if (ext->err || n != mw_reader_left(ext))
            return TLS_ERR_EXTENSION;
        for (size_t i = 0; i < n; i++) {
            uint8_t v = mw_reader_u8(ext);
            if (h->n_point_formats < TLS_MAX_POINT_FORMATS)
                h->point_formats[h->n_point_formats++] = v;
            else
                h->clipped = 1;
        }
        return TLS_OK;
    }
    default:
        return TLS_OK;
    }
}

/* ---- fingerprints ------------------------------------------------------------ */

struct strbuf {
    char *p;
    size_t size, n;
    int overflow;
};

static void sb_add(struct strbuf *b, const char *s)
{
    size_t l = strlen(s);
    if (b->overflow || b->n + l >= b->size) {
        b->overflow = 1;
        return;
    }
    memcpy(b->p + b->n, s, l + 1);
    b->n += l;
}

/* Decimal digits of v into out (no terminator); returns their count. The fingerprints
 * format a few hundred numbers per ClientHello: snprintf was most of the TLS cost. */
static size_t fmt_u16(char *out, unsigned v)
{
    char tmp[5];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof tmp);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static void sb_addn(struct strbuf *b, const char *s, size_t l)
{
    if (b->overflow || b->n + l >= b->size) {
        b->overflow = 1;
        return;
    }
    memcpy(b->p + b->n, s, l);
    b->n += l;
    b->p[b->n] = '\0';
}

/* "v0-v1-..." in decimal, as JA3 writes its lists. */
static void sb_list(struct strbuf *b, const uint16_t *v, size_t n)
{
    char num[8];
    for (size_t i = 0; i < n; i++) {
        size_t l = 0;
        if (i)
            num[l++] = '-';
        l += fmt_u16(num + l, v[i]);
        sb_addn(b, num, l);
    }
}

/* salesforce/ja3: SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats in
 * decimal, '-' between values, GREASE left out. */
static void compute_ja3(struct mw_tls_hello *h)
{
    struct strbuf b = { h->ja3_string, sizeof h->ja3_string, 0, 0 };
    char num[8];
    h->ja3_string[0] = '\0';
    size_t l = fmt_u16(num, h->legacy_version);
    num[l++] = ',';
    sb_addn(&b, num, l);
    sb_list(&b, h->ciphers, h->n_ciphers);
    sb_add(&b, ",");
    sb_list(&b, h->extensions, h->n_extensions);
    sb_add(&b, ",");
    sb_list(&b, h->groups, h->n_groups);
    sb_add(&b, ",");
    for (size_t i = 0; i < h->n_point_formats; i++) {
        l = 0;
        if (i)
            num[l++] = '-';
        l += fmt_u16(num + l, h->point_formats[i]);
        sb_addn(&b, num, l);
    }
    if (b.overflow)
        h->clipped = 1;
    uint8_t d[DIGEST_MD5_LEN];
    digest_md5(h->ja3_string, b.n, d);
    digest_hex(d, sizeof d, h->ja3_hash);
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* Feeds "xxxx,yyyy,..." (4-digit lower-case hex) of v to the hash, in chunks. */
static void hash_hex_list(struct digest_sha256 *c, const uint16_t *v, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char chunk[5 * 64];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k + 5 > sizeof chunk) {
            digest_sha256_update(c, chunk, k);
            k = 0;
        }
        if (i)
            chunk[k++] = ',';
        chunk[k++] = hex[(v[i] >> 12) & 15];
        chunk[k++] = hex[(v[i] >> 8) & 15];
        chunk[k++] = hex[(v[i] >> 4) & 15];
        chunk[k++] = hex[v[i] & 15];
    }
    if (k)
        digest_sha256_update(c, chunk, k);
}

static void hash12(struct digest_sha256 *c, char out[13])
{
    uint8_t d[DIGEST_SHA256_LEN];
    char hex[2 * DIGEST_SHA256_LEN + 1];
    digest_sha256_final(c, d);
    digest_hex(d, sizeof d, hex);
    memcpy(out, hex, 12);
    out[12] = '\0';
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
    }
}

/* FoxIO JA4 (technical_details/JA4.md) for TLS over TCP. */
static void compute_ja4(struct mw_tls_hello *h, const char ja4_alpn[3])
{
    uint16_t sorted[TLS_MAX_CIPHERS > TLS_MAX_EXTENSIONS ? TLS_MAX_CIPHERS : TLS_MAX_EXTENSIONS];
    char a[16], b[13], c[13];
    unsigned nc = h->n_ciphers > 99 ? 99 : h->n_ciphers;
    unsigned ne = h->n_extensions > 99 ? 99 : h->n_extensions;
    snprintf(a, sizeof a, "t%s%c%02u%02u%c%c", ja4_version(h->version), h->has_sni ? 'd' : 'i', nc, ne,
             ja4_alpn[0], ja4_alpn[1]);

    struct digest_sha256 ctx;
    if (h->n_ciphers == 0) {
        strcpy(b, "000000000000");
    } else {
        memcpy(sorted, h->ciphers, h->n_ciphers * sizeof sorted[0]);
        qsort(sorted, h->n_ciphers, sizeof sorted[0], cmp_u16);
        digest_sha256_init(&ctx);
        hash_hex_list(&ctx, sorted, h->n_ciphers);
        hash12(&ctx, b);
    }

    size_t n = 0;
    for (size_t i = 0; i < h->n_extensions; i++)
        if (h->extensions[i] != EXT_SERVER_NAME && h->extensions[i] != EXT_ALPN)
            sorted[n++] = h->extensions[i];
    if (n == 0) {
        strcpy(c, "000000000000");
    } else {
        qsort(sorted, n, sizeof sorted[0], cmp_u16);
        digest_sha256_init(&ctx);
        hash_hex_list(&ctx, sorted, n);
        if (h->n_sigalgs) {
            digest_sha256_update(&ctx, "_", 1);
            hash_hex_list(&ctx, h->sigalgs, h->n_sigalgs);
        }
        hash12(&ctx, c);
    }
    snprintf(h->ja4, sizeof h->ja4, "%s_%s_%s", a, b, c);
}

int tls_parse_client_hello(const uint8_t *body, size_t len, struct mw_tls_hello *out)
{
    memset(out, 0, sizeof *out);
    struct mw_reader r = mw_reader_make(body, len);
    out->legacy_version = mw_reader_be16(&r);
    mw_reader_skip(&r, 32); /* random */
    size_t sid = mw_reader_u8(&r);
    if (sid > 32)
        return TLS_ERR_TRUNCATED;
    mw_reader_skip(&r, sid);
    size_t cs = mw_reader_be16(&r);
    if (r.err || cs % 2 || !mw_reader_has(&r, cs))
        return TLS_ERR_TRUNCATED;
    for (size_t i = 0; i < cs / 2; i++) {
        uint16_t v = mw_reader_be16(&r);
        if (tls_is_grease(v))
            out->grease_seen++;
        else if (out->n_ciphers < TLS_MAX_CIPHERS)
            out->ciphers[out->n_ciphers++] = v;
        else
            out->clipped = 1;
    }
    size_t comp = mw_reader_u8(&r);
    mw_reader_skip(&r, comp);
    if (r.err)
        return TLS_ERR_TRUNCATED;

    char ja4_alpn[3] = "00";
    if (mw_reader_left(&r) > 0) { /* extensions are optional before TLS 1.3 */
        size_t elen = mw_reader_be16(&r);
        if (r.err || elen != mw_reader_left(&r))
            return TLS_ERR_TRUNCATED;
        while (mw_reader_left(&r) > 0) {
            uint16_t type = mw_reader_be16(&r);
            size_t l = mw_reader_be16(&r);
            const uint8_t *data = mw_reader_take(&r, l);
            if (!data)
                return TLS_ERR_TRUNCATED;
            if (tls_is_grease(type)) {
                out->grease_seen++;
                continue;
            }
            if (out->n_extensions < TLS_MAX_EXTENSIONS)
                out->extensions[out->n_extensions++] = type;
            else
                out->clipped = 1;
            struct mw_reader ext = mw_reader_make(data, l);
            int rc = parse_extension(type, &ext, out, ja4_alpn);
            if (rc != TLS_OK)
                return rc;
        }
    }

    out->version = out->legacy_version;
    for (size_t i = 0; i < out->n_versions; i++)
        if (i == 0 || out->versions[i] > out->version)
            out->version = out->versions[i];
    compute_ja3(out);
    compute_ja4(out, ja4_alpn);
    return TLS_OK;
}

int tls_result_event(int result)
{
    switch (result) {
    case TLS_ERR_RECORD: return TLS_EV_BAD_RECORD;
    case TLS_ERR_TOO_LARGE: return TLS_EV_HELLO_TOO_LONG;
    case TLS_ERR_TRUNCATED: return TLS_EV_TRUNCATED;
    case TLS_ERR_EXTENSION: return TLS_EV_BAD_EXTENSION;
    case TLS_ERR_RECORD_TOO_LONG: return TLS_EV_RECORD_TOO_LONG;
    default: return -1;
    }
}

static void tls_count(struct mw_dctx *ctx, long result)
{
    int ev = tls_result_event((int)result);
    if (ev >= 0)
        mw_event(ctx, (unsigned)ev);
}

/* ---- dissector ---------------------------------------------------------------- */

struct tls_state {
    uint8_t ignore[2]; /* this direction does not start with a ClientHello */
};

static int tls_probe(const uint8_t *data, size_t len, int dir, const struct mw_dctx *ctx)
{
    (void)dir;
    (void)ctx;
    if (len >= 1 && data[0] != TLS_CT_HANDSHAKE)
        return MW_PROBE_NO;
    if (len >= 2 && data[1] != 3)
        return MW_PROBE_NO;
    if (len >= 3 && data[2] > 4)
        return MW_PROBE_NO;
    return len >= 3 ? MW_PROBE_YES : MW_PROBE_MAYBE;
}

static void tls_init(void *state)
{
    memset(state, 0, sizeof(struct tls_state));
}

static long tls_feed(void *state, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len)
{
    struct tls_state *st = state;
    if (st->ignore[dir & 1])
        return (long)len;
    uint8_t msg[TLS_HELLO_MAX];
    size_t mlen = 0;
    long used = tls_reassemble(data, len, msg, sizeof msg, &mlen);
    if (used == 0)
        return 0;
    if (used < 0) {
        tls_count(ctx, used);
        return MW_FEED_MALFORMED;
    }
    if (msg[0] != TLS_HS_CLIENT_HELLO) {
        /* A ServerHello or a mid-handshake pickup: nothing for us in this direction. */
        st->ignore[dir & 1] = 1;
        if (st->ignore[0] && st->ignore[1])
            ctx->closed = 1;
        return (long)len;
    }
    struct mw_tls_hello hello;
    int rc = tls_parse_client_hello(msg + 4, mlen - 4, &hello);
    if (rc != TLS_OK) {
        tls_count(ctx, rc);
        return MW_FEED_MALFORMED;
    }
    hello.record_version = (uint16_t)((data[1] << 8) | data[2]);
    if (ctx->emit) {
        struct mw_evidence ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = MW_EV_NAME;
        ev.variant = MW_VAR_TLS_SNI;
        ev.sides = MW_SIDE_CLIENT;
        ev.client_dir = (uint8_t)dir;
        mw_ev_set(ev.method, sizeof ev.method, "client_hello", 12);
        mw_ev_set(ev.pool_host, sizeof ev.pool_host, hello.sni, strlen(hello.sni));
        ev.tls = &hello;
        ctx->emit(ctx, &ev);
    }
    ctx->closed = 1;
    return used;
}

static void tls_gap(void *state, struct mw_dctx *ctx, int dir)
{
    (void)state;
    (void)dir;
    ctx->closed = 1; /* the hello was lost or too big for the sensor's buffer */
}

const struct mw_dissector tls_dissector = {
    .name = "tls",
    .transports = MW_TRANSPORT_TCP,
    .state_size = sizeof(struct tls_state),
    .probe = tls_probe,
    .init = tls_init,
    .feed = tls_feed,
    .gap = tls_gap,
    .fini = NULL,
    .events = (const char *const[]){ [TLS_EV_BAD_RECORD] = "bad_record",
                                     [TLS_EV_HELLO_TOO_LONG] = "hello_too_long",
                                     [TLS_EV_TRUNCATED] = "truncated",
                                     [TLS_EV_BAD_EXTENSION] = "bad_extension",
                                     [TLS_EV_RECORD_TOO_LONG] = "record_too_long" },
    .nevents = TLS_EV_COUNT,
};
