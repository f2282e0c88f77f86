/* test_tls.c - ClientHello framing, parsing, JA3/JA4 and the dissector.
 *
 * Fingerprint vectors come from the algorithms' own documentation:
 *  - JA3: salesforce/ja3 README.md ("769,47-53-5-10-...,0-10-11,23-24-25,0 -->
 *    ada70206e40642a3e4461f35503241d5" and "769,4-5-10-9-100-98-3-6-19-18-99,,, -->
 *    de350869b8c85de67a350c8d186f11e6").
 *  - JA4: FoxIO-LLC/ja4 technical_details/JA4.md, the worked example
 *    t13d1516h2_8daaf6152771_e5627efa2ab1 (its cipher, extension and signature
 *    algorithm lists), and "6d807ffa2a79" for the same extensions without signature
 *    algorithms. The hellos below are built to carry exactly those lists, plus GREASE.
 */
#include <stdlib.h>
#include <string.h>

#include "dissectors/tls.h"
#include "sensor/applayer/drive.h"
#include "core/digest.h"
#include "unit/check_main.h"
#include "unit/pcap_walk.h"

struct buf {
    uint8_t b[8192];
    size_t n;
};

static void p8(struct buf *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void p16(struct buf *m, unsigned v)
{
    p8(m, v >> 8);
    p8(m, v & 0xff);
}
static void pbytes(struct buf *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}
static void ext(struct buf *m, unsigned type, const void *data, size_t n)
{
    p16(m, type);
    p16(m, (unsigned)n);
    pbytes(m, data, n);
}

/* A u16 list with a 2-byte (or 1-byte) length prefix, as extension data. */
static size_t u16list(uint8_t *out, int len_bytes, const unsigned *v, size_t n)
{
    size_t o = 0;
    if (len_bytes == 2)
        out[o++] = (uint8_t)((2 * n) >> 8);
    out[o++] = (uint8_t)(2 * n);
    for (size_t i = 0; i < n; i++) {
        out[o++] = (uint8_t)(v[i] >> 8);
        out[o++] = (uint8_t)v[i];
    }
    return o;
}

/* Handshake message (type 1, 3-byte length) around a ClientHello body. */
static void handshake(struct buf *hs, const struct buf *body)
{
    hs->n = 0;
    p8(hs, 1);
    p8(hs, (unsigned)(body->n >> 16));
    p16(hs, (unsigned)(body->n & 0xffff));
    pbytes(hs, body->b, body->n);
}

/* Records of at most `frag` bytes each around a handshake message. */
static void records(struct buf *out, const uint8_t *hs, size_t n, size_t frag)
{
    out->n = 0;
    for (size_t off = 0; off < n; off += frag) {
        size_t l = n - off < frag ? n - off : frag;
        p8(out, 22);
        p16(out, 0x0301);
        p16(out, (unsigned)l);
        pbytes(out, hs + off, l);
    }
}

static void body_start(struct buf *b, unsigned version, const unsigned *ciphers, size_t nc)
{
    b->n = 0;
    p16(b, version);
    for (int i = 0; i < 32; i++)
        p8(b, (unsigned)i);
    p8(b, 32);
    for (int i = 0; i < 32; i++)
        p8(b, 0xaa);
    p16(b, (unsigned)(2 * nc));
    for (size_t i = 0; i < nc; i++)
        p16(b, ciphers[i]);
    p8(b, 1);
    p8(b, 0);
}

/* The JA4.md example: 15 ciphers, 16 extensions, 8 signature algorithms, ALPN h2 first;
 * GREASE in ciphers, extensions, groups and versions. with_sni=0 drops the SNI
 * extension; empty_sigalgs keeps extension 000d with an empty list. */
static void build_spec_hello(struct buf *body, int with_sni, int empty_sigalgs, const char *sni)
{
    static const unsigned ciphers[] = { 0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                        0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
    body_start(body, 0x0303, ciphers, sizeof ciphers / sizeof ciphers[0]);
    struct buf e = { .n = 0 };
    uint8_t d[512];
    size_t n;
    ext(&e, 0x8a8a, "", 0); /* GREASE extension */
    static const unsigned cc[] = { 0x0002 };
    n = u16list(d, 1, cc, 1);
    ext(&e, 0x001b, d, n);
    if (with_sni) {
        size_t l = strlen(sni);
        n = 0;
        d[n++] = (uint8_t)((l + 3) >> 8);
        d[n++] = (uint8_t)(l + 3);
        d[n++] = 0;
        d[n++] = (uint8_t)(l >> 8);
        d[n++] = (uint8_t)l;
        memcpy(d + n, sni, l);
        n += l;
        ext(&e, 0x0000, d, n);
    }
    ext(&e, 0x0033, "\x00\x24\x00\x1d\x00\x20" "0123456789abcdef0123456789abcdef", 38);
    ext(&e, 0x0010, "\x00\x0c\x02h2\x08http/1.1", 14);
    ext(&e, 0x4469, "\x00\x03\x02h2", 5);
    ext(&e, 0x0017, "", 0);
    ext(&e, 0x002d, "\x01\x01", 2);
    static const unsigned sig[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };
    n = u16list(d, 2, sig, empty_sigalgs ? 0 : 8);
    ext(&e, 0x000d, d, n);
    ext(&e, 0x0005, "\x01\x00\x00\x00\x00", 5);
    ext(&e, 0x0023, "", 0);
    ext(&e, 0x0012, "", 0);
    static const unsigned vers[] = { 0x7a7a, 0x0304, 0x0303 };
    n = u16list(d, 1, vers, 3);
    ext(&e, 0x002b, d, n);
    ext(&e, 0xff01, "\x00", 1);
    ext(&e, 0x000b, "\x01\x00", 2);
    static const unsigned groups[] = { 0x2a2a, 0x001d, 0x0017, 0x0018 };
    n = u16list(d, 2, groups, 4);
    ext(&e, 0x000a, d, n);
    ext(&e, 0x1a1a, "\x00", 1); /* GREASE extension */
    memset(d, 0, 40);
    ext(&e, 0x0015, d, 40);
    p16(body, (unsigned)e.n);
    pbytes(body, e.b, e.n);
}

static struct mw_tls_hello hello;

static int parse_exact(const struct buf *body, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    memcpy(p, body->b, len);
    int rc = tls_parse_client_hello(p, len, &hello);
    free(p);
    return rc;
}

START_TEST(test_ja4_spec_example)
{
    struct buf body;
    build_spec_hello(&body, 1, 0, "pool.example.org");
    ck_assert_int_eq(parse_exact(&body, body.n), TLS_OK);
    ck_assert_str_eq(hello.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    ck_assert_str_eq(hello.sni, "pool.example.org");
    ck_assert(hello.has_sni);
    ck_assert_uint_eq(hello.legacy_version, 0x0303);
    ck_assert_uint_eq(hello.version, 0x0304);
    ck_assert_uint_eq(hello.n_ciphers, 15);
    ck_assert_uint_eq(hello.ciphers[0], 0x1301);
    ck_assert_uint_eq(hello.n_extensions, 16);
    ck_assert_uint_eq(hello.extensions[0], 0x001b);
    ck_assert_uint_eq(hello.extensions[15], 0x0015);
    ck_assert_uint_eq(hello.n_versions, 2);
    ck_assert_uint_eq(hello.n_groups, 3);
    ck_assert_uint_eq(hello.groups[0], 0x001d);
    ck_assert_uint_eq(hello.n_point_formats, 1);
    ck_assert_uint_eq(hello.n_sigalgs, 8);
    ck_assert_uint_eq(hello.sigalgs[7], 0x0601);
    ck_assert_uint_eq(hello.n_alpn, 2);
    ck_assert_str_eq(hello.alpn[0], "h2");
    ck_assert_str_eq(hello.alpn[1], "http/1.1");
    ck_assert_uint_eq(hello.grease_seen, 5); /* one cipher, two extensions, a version, a group */
    ck_assert(!hello.clipped);
    /* JA3 over the same hello: GREASE gone, decimal, wire order. */
    ck_assert_str_eq(hello.ja3_string,
                     "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
                     "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0");
    uint8_t d[16];
    char hex[33];
    digest_md5(hello.ja3_string, strlen(hello.ja3_string), d);
    digest_hex(d, 16, hex);
    ck_assert_str_eq(hello.ja3_hash, hex);

    /* JA4.md: same extensions without signature algorithms hash to 6d807ffa2a79. */
    build_spec_hello(&body, 1, 1, "pool.example.org");
    ck_assert_int_eq(parse_exact(&body, body.n), TLS_OK);
    ck_assert_str_eq(hello.ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79");

    /* Without SNI: 'i', one extension fewer; the extension hash ignores SNI anyway. */
    build_spec_hello(&body, 0, 0, "");
    ck_assert_int_eq(parse_exact(&body, body.n), TLS_OK);
    ck_assert_str_eq(hello.ja4, "t13i1515h2_8daaf6152771_e5627efa2ab1");
    ck_assert_str_eq(hello.sni, "");
    ck_assert(!hello.has_sni);
}
END_TEST

START_TEST(test_ja3_readme_examples)
{
    static const unsigned c1[] = { 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4 };
    struct buf body;
    body_start(&body, 0x0301, c1, sizeof c1 / sizeof c1[0]);
    struct buf e = { .n = 0 };
    ext(&e, 0, "\x00\x0c\x00\x00\x09" "localhost", 14);
    ext(&e, 10, "\x00\x06\x00\x17\x00\x18\x00\x19", 8);
    ext(&e, 11, "\x01\x00", 2);
    p16(&body, (unsigned)e.n);
    pbytes(&body, e.b, e.n);
    ck_assert_int_eq(parse_exact(&body, body.n), TLS_OK);
    ck_assert_str_eq(hello.ja3_string, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
    ck_assert_str_eq(hello.ja3_hash, "ada70206e40642a3e4461f35503241d5");
    ck_assert_str_eq(hello.sni, "localhost");

    static const unsigned c2[] = { 4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99 };
    body_start(&body, 0x0301, c2, sizeof c2 / sizeof c2[0]); /* no extensions block at all */
    ck_assert_int_eq(parse_exact(&body, body.n), TLS_OK);
    ck_assert_str_eq(hello.ja3_string, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
    ck_assert_str_eq(hello.ja3_hash, "de350869b8c85de67a350c8d186f11e6");
    /* JA4 of a hello with no extensions: TLS 1.0, no SNI, no ALPN, empty extension hash */
    ck_assert_uint_eq(strncmp(hello.ja4, "t10i110000_", 11), 0);
    ck_assert_str_eq(hello.ja4 + 24, "000000000000");
}
END_TEST

START_TEST(test_ja4_alpn_rules)
{
    /* JA4.md: non-alphanumeric first/last byte -> first/last hex digits. */
    static const struct {
        const char *alpn;
        size_t n;
        const char *want;
    } v[] = { { "\xab", 1, "ab" }, { "\xab\xcd", 2, "ad" }, { "\x30\xab", 2, "3b" },
              { "\x30\x31\xab\xcd", 4, "3d" }, { "\x30\xab\xcd\x31", 4, "01" }, { "h", 1, "hh" },
              { "http/1.1", 8, "h1" } };
    static const unsigned c[] = { 0x1301 };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct buf body, e = { .n = 0 };
        body_start(&body, 0x0303, c, 1);
        uint8_t d[32];
        d[0] = 0;
        d[1] = (uint8_t)(v[i].n + 1);
        d[2] = (uint8_t)v[i].n;
        memcpy(d + 3, v[i].alpn, v[i].n);
        ext(&e, 0x0010, d, v[i].n + 3);
        p16(&body, (unsigned)e.n);
        pbytes(&body, e.b, e.n);
        ck_assert_int_eq(parse_exact(&body, body.n), TLS_OK);
        ck_assert_msg(strncmp(hello.ja4 + 8, v[i].want, 2) == 0, "alpn %zu: %s", i, hello.ja4);
    }
}
END_TEST

START_TEST(test_hostile_bodies)
{
    struct buf body;
    build_spec_hello(&body, 1, 0, "a.example");
    /* Every truncation of the body fails cleanly, except the one ending right after the
     * compression methods: extensions are optional (RFC 5246 7.4.1.2). */
    const size_t no_ext = 2 + 32 + 1 + 32 + 2 + 2 * 16 + 1 + 1;
    for (size_t n = 0; n < body.n; n++) {
        if (n == no_ext)
            ck_assert_int_eq(parse_exact(&body, n), TLS_OK);
        else
            ck_assert_int_lt(parse_exact(&body, n), 0);
    }
    /* odd cipher suite length */
    struct buf b2 = body;
    b2.b[2 + 32 + 1 + 32 + 1] |= 1;
    ck_assert_int_lt(parse_exact(&b2, b2.n), 0);
    /* session id longer than 32 */
    b2 = body;
    b2.b[34] = 33;
    ck_assert_int_eq(parse_exact(&b2, b2.n), TLS_ERR_TRUNCATED);
    /* SNI list length disagreeing with the extension length */
    static const unsigned c[] = { 0x1301 };
    body_start(&b2, 0x0303, c, 1);
    struct buf e = { .n = 0 };
    ext(&e, 0, "\x00\x20\x00\x00\x03" "abc", 8);
    p16(&b2, (unsigned)e.n);
    pbytes(&b2, e.b, e.n);
    ck_assert_int_eq(parse_exact(&b2, b2.n), TLS_ERR_EXTENSION);
    /* SNI name longer than its list */
    body_start(&b2, 0x0303, c, 1);
    e.n = 0;
    ext(&e, 0, "\x00\x06\x00\x00\x09" "abc", 8);
    p16(&b2, (unsigned)e.n);
    pbytes(&b2, e.b, e.n);
    ck_assert_int_eq(parse_exact(&b2, b2.n), TLS_ERR_EXTENSION);
    /* supported_versions with an odd length */
    body_start(&b2, 0x0303, c, 1);
    e.n = 0;
    ext(&e, 0x2b, "\x03\x03\x04\x03", 4);
    p16(&b2, (unsigned)e.n);
    pbytes(&b2, e.b, e.n);
    ck_assert_int_eq(parse_exact(&b2, b2.n), TLS_ERR_EXTENSION);
    /* an extension claiming more bytes than remain */
    body_start(&b2, 0x0303, c, 1);
    p16(&b2, 4);
    p16(&b2, 0x0017);
    p16(&b2, 100);
    ck_assert_int_eq(parse_exact(&b2, b2.n), TLS_ERR_TRUNCATED);
    /* too many ciphers: clipped, not rejected */
    unsigned many[400];
    for (unsigned i = 0; i < 400; i++)
        many[i] = i + 1;
    body_start(&b2, 0x0303, many, 400);
    ck_assert_int_eq(parse_exact(&b2, b2.n), TLS_OK);
    ck_assert(hello.clipped);
    ck_assert_uint_eq(hello.n_ciphers, TLS_MAX_CIPHERS);
    ck_assert_uint_eq(strncmp(hello.ja4 + 4, "99", 2), 0);
}
END_TEST

START_TEST(test_grease)
{
    for (unsigned v = 0; v <= 0xffff; v++) {
        int want = (v & 0xff) == (v >> 8) && (v & 0x0f) == 0x0a;
        ck_assert_int_eq(tls_is_grease((uint16_t)v), want);
    }
}
END_TEST

/* ---- record framing -------------------------------------------------------------- */

static long reassemble_exact(const struct buf *s, size_t len, uint8_t *msg, size_t *mlen)
{
    uint8_t *p = malloc(len ? len : 1);
    memcpy(p, s->b, len);
    long r = tls_reassemble(p, len, msg, TLS_HELLO_MAX, mlen);
    free(p);
    return r;
}

START_TEST(test_reassembly)
{
    static uint8_t msg[TLS_HELLO_MAX];
    struct buf body, hs, s;
    build_spec_hello(&body, 1, 0, "x.example");
    handshake(&hs, &body);
    for (size_t frag = 1; frag <= hs.n; frag += (frag < 40 ? 1 : 37)) {
        records(&s, hs.b, hs.n, frag);
        size_t mlen = 0;
        ck_assert_int_eq(reassemble_exact(&s, s.n, msg, &mlen), (long)s.n);
        ck_assert_uint_eq(mlen, hs.n);
        ck_assert_mem_eq(msg, hs.b, hs.n);
        for (size_t n = 0; n < s.n; n++)
            ck_assert_int_eq(reassemble_exact(&s, n, msg, &mlen), 0);
    }
    records(&s, hs.b, hs.n, hs.n);
    size_t mlen;
    struct buf bad = s;
    bad.b[0] = 23; /* application data */
    ck_assert_int_eq(reassemble_exact(&bad, bad.n, msg, &mlen), TLS_ERR_RECORD);
    bad = s;
    bad.b[1] = 2; /* SSL 2 major version */
    ck_assert_int_eq(reassemble_exact(&bad, bad.n, msg, &mlen), TLS_ERR_RECORD);
    bad = s;
    bad.b[3] = 0x40; /* record length 16384 + body: over 2^14 */
    bad.b[4] = 0x01;
    ck_assert_int_eq(reassemble_exact(&bad, bad.n, msg, &mlen), TLS_ERR_RECORD_TOO_LONG);
    bad = s;
    bad.b[3] = 0; /* empty handshake record */
    bad.b[4] = 0;
    ck_assert_int_eq(reassemble_exact(&bad, bad.n, msg, &mlen), TLS_ERR_RECORD);
    bad = s;
    bad.b[6] = 0x10; /* handshake length 1 MiB */
    ck_assert_int_eq(reassemble_exact(&bad, bad.n, msg, &mlen), TLS_ERR_TOO_LARGE);
    /* A non-handshake record between two fragments */
    records(&s, hs.b, hs.n, 100);
    bad = s;
    bad.b[105] = 21;
    ck_assert_int_eq(reassemble_exact(&bad, bad.n, msg, &mlen), TLS_ERR_RECORD);
}
END_TEST

/* ---- dissector -------------------------------------------------------------------- */

struct sink {
    int n;
    char host[MW_EV_HOST_LEN];
    char ja4[40];
    uint8_t client_dir;
};

static void sink_record(struct sink *s, const struct mw_evidence *ev)
{
    ck_assert_int_eq(ev->kind, MW_EV_NAME);
    ck_assert_int_eq(ev->variant, MW_VAR_TLS_SNI);
    ck_assert_ptr_nonnull(ev->tls);
    strcpy(s->host, ev->pool_host);
    strcpy(s->ja4, ev->tls->ja4);
    s->client_dir = ev->client_dir;
    s->n++;
}

static void sink_emit(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    sink_record(ctx->sink, ev);
}

static void drive_emit(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    sink_record(user, ev);
}

/* For the direct feed calls that check the contract's return values. */
static void make_ctx(struct mw_dctx *ctx, struct sink *s, uint64_t ev[TLS_EV_COUNT])
{
    memset(ctx, 0, sizeof *ctx);
    memset(s, 0, sizeof *s);
    memset(ev, 0, TLS_EV_COUNT * sizeof ev[0]);
    ctx->port[0] = 50000;
    ctx->port[1] = 443;
    ctx->emit = sink_emit;
    ctx->sink = s;
    ctx->events = ev;
    ctx->nevents = TLS_EV_COUNT;
}

/* The sensor's side, through the real engine: the stream cut at the given offsets. */
static struct applayer_drive *feed_stream(struct sink *sk, const uint8_t *data, size_t len, const size_t *cuts,
                                          size_t ncuts)
{
    memset(sk, 0, sizeof *sk);
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_REV] = 443;
    struct applayer_drive *dr = applayer_drive_new(&p, &tls_dissector, drive_emit, sk);
    ck_assert_ptr_nonnull(dr);
    size_t pos = 0;
    for (size_t c = 0; c <= ncuts; c++) {
        size_t end = c < ncuts ? cuts[c] : len;
        applayer_drive_data(dr, MW_DIR_FWD, data + pos, end - pos);
        pos = end;
    }
    ck_assert_uint_eq(applayer_drive_stat(dr, "detect.feed_contract"), 0);
    return dr;
}

START_TEST(test_dissector_split_every_byte)
{
    struct buf body, hs, s;
    build_spec_hello(&body, 1, 0, "xmr.pool.example");
    handshake(&hs, &body);
    for (int two = 0; two < 2; two++) {
        records(&s, hs.b, hs.n, two ? hs.n / 2 + 1 : hs.n); /* one record, or two */
        for (size_t cut = 0; cut <= s.n; cut++) {
            struct sink sk;
            struct applayer_drive *dr = feed_stream(&sk, s.b, s.n, &cut, 1);
            ck_assert_int_eq(sk.n, 1);
            ck_assert_str_eq(sk.host, "xmr.pool.example");
            ck_assert_str_eq(sk.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
            ck_assert_uint_eq(sk.client_dir, MW_DIR_FWD);
            ck_assert(!applayer_drive_attached(dr)); /* closed after the hello */
            ck_assert_uint_eq(applayer_drive_stat(dr, "detect.dissector_malformed"), 0);
            ck_assert_uint_eq(applayer_drive_events(dr, "tls"), 0);
            applayer_drive_free(dr);
        }
    }
    /* byte by byte over three records */
    records(&s, hs.b, hs.n, hs.n / 3 + 1);
    size_t cuts[4096];
    for (size_t i = 0; i < s.n; i++)
        cuts[i] = i;
    struct sink sk;
    struct applayer_drive *dr = feed_stream(&sk, s.b, s.n, cuts, s.n);
    ck_assert_int_eq(sk.n, 1);
    applayer_drive_free(dr);
}
END_TEST

START_TEST(test_dissector_cases)
{
    struct buf body, hs, s;
    struct mw_dctx ctx;
    struct sink sk;
    uint64_t bad[TLS_EV_COUNT];
    uint8_t st[16];
    ck_assert_uint_le(tls_dissector.state_size, sizeof st);
    /* no SNI: still reported, with an empty name, so ja3/ja4 can be logged */
    build_spec_hello(&body, 0, 0, "");
    handshake(&hs, &body);
    records(&s, hs.b, hs.n, hs.n);
    make_ctx(&ctx, &sk, bad);
    tls_dissector.init(st);
    ck_assert_int_eq(tls_dissector.feed(st, &ctx, MW_DIR_REV, s.b, s.n), (long)s.n);
    ck_assert_int_eq(sk.n, 1);
    ck_assert_str_eq(sk.host, "");
    ck_assert_uint_eq(sk.client_dir, MW_DIR_REV);
    /* lying handshake length: bigger than the cap -> malformed */
    s.b[6] = 0x7f;
    make_ctx(&ctx, &sk, bad);
    tls_dissector.init(st);
    ck_assert_int_eq(tls_dissector.feed(st, &ctx, MW_DIR_FWD, s.b, s.n), MW_FEED_MALFORMED);
    ck_assert_uint_eq(bad[TLS_EV_HELLO_TOO_LONG], 1); /* counted under its own name */
    ck_assert_uint_eq(bad[TLS_EV_BAD_RECORD] + bad[TLS_EV_TRUNCATED] + bad[TLS_EV_RECORD_TOO_LONG], 0);
    ck_assert_int_eq(sk.n, 0);
    /* the same through the engine: the stats name is app.tls.hello_too_long */
    struct sink sk2;
    struct applayer_drive *dr = feed_stream(&sk2, s.b, s.n, NULL, 0);
    ck_assert_uint_eq(applayer_drive_stat(dr, "app.tls.hello_too_long"), 1);
    ck_assert_uint_eq(applayer_drive_stat(dr, "detect.dissector_malformed"), 1);
    applayer_drive_free(dr);
    /* a record over 2^14: app.tls.record_too_long */
    struct buf big = s;
    big.b[3] = 0x40;
    big.b[4] = 0x01;
    dr = feed_stream(&sk2, big.b, big.n, NULL, 0);
    ck_assert_uint_eq(applayer_drive_stat(dr, "app.tls.record_too_long"), 1);
    applayer_drive_free(dr);
    /* handshake length shorter than the hello: the body no longer parses */
    records(&s, hs.b, hs.n, hs.n);
    s.b[8] = (uint8_t)(s.b[8] - 10);
    make_ctx(&ctx, &sk, bad);
    tls_dissector.init(st);
    ck_assert_int_eq(tls_dissector.feed(st, &ctx, MW_DIR_FWD, s.b, s.n), MW_FEED_MALFORMED);
    ck_assert_int_eq(sk.n, 0);
    /* a ServerHello-first direction is ignored, the client's hello still counts */
    struct buf sh;
    sh.n = 0;
    p8(&sh, 22);
    p16(&sh, 0x0303);
    p16(&sh, 8);
    pbytes(&sh, "\x02\x00\x00\x04\x03\x03\x00\x00", 8);
    make_ctx(&ctx, &sk, bad);
    tls_dissector.init(st);
    ck_assert_int_eq(tls_dissector.feed(st, &ctx, MW_DIR_REV, sh.b, sh.n), (long)sh.n);
    ck_assert(!ctx.closed);
    ck_assert_int_eq(tls_dissector.feed(st, &ctx, MW_DIR_REV, (const uint8_t *)"\x17\x03\x03", 3), 3);
    records(&s, hs.b, hs.n, hs.n);
    ck_assert_int_eq(tls_dissector.feed(st, &ctx, MW_DIR_FWD, s.b, s.n), (long)s.n);
    ck_assert_int_eq(sk.n, 1);
    /* probe */
    ck_assert_int_eq(tls_dissector.probe(s.b, s.n, 0, &ctx), MW_PROBE_YES);
    ck_assert_int_eq(tls_dissector.probe((const uint8_t *)"\x16\x03", 2, 0, &ctx), MW_PROBE_MAYBE);
    ck_assert_int_eq(tls_dissector.probe((const uint8_t *)"\x16\x03\x05", 3, 0, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(tls_dissector.probe((const uint8_t *)"GET / HTTP/1.1", 14, 0, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(tls_dissector.probe((const uint8_t *)"\x16\x02\x00", 3, 0, &ctx), MW_PROBE_NO);
    ck_assert(tls_dissector.transports == MW_TRANSPORT_TCP);
}
END_TEST

/* ---- real captures ------------------------------------------------------------------ */

struct walk_stats {
    unsigned hellos, complete, parsed, with_sni;
};

static int is_hostname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '.' || c == '_'))
            return 0;
    }
    return 1;
}

static void on_payload(void *user, uint8_t proto, uint16_t sport, uint16_t dport, const uint8_t *p, size_t len)
{
    struct walk_stats *w = user;
    (void)sport;
    (void)dport;
    if (proto != 6 || len < 6 || p[0] != 22 || p[1] != 3 || p[2] > 4 || p[5] != 1)
        return;
    static uint8_t msg[TLS_HELLO_MAX];
    w->hellos++;
    uint8_t *copy = malloc(len);
    memcpy(copy, p, len);
    size_t mlen = 0;
    long r = tls_reassemble(copy, len, msg, sizeof msg, &mlen);
    if (r > 0) {
        w->complete++;
        if (tls_parse_client_hello(msg + 4, mlen - 4, &hello) == TLS_OK) {
            w->parsed++;
            ck_assert_uint_eq(strlen(hello.ja4), 36);
            ck_assert_uint_eq(strlen(hello.ja3_hash), 32);
            if (hello.sni[0]) {
                w->with_sni++;
                ck_assert_msg(is_hostname(hello.sni), "SNI not a hostname: %s", hello.sni);
            }
        }
    }
    free(copy);
}

START_TEST(test_shared_captures)
{
    char dir[4096];
    ck_assert_ptr_nonnull(mw_shared_dir("pcaps/traffic", dir, sizeof dir));
    struct walk_stats w = { 0, 0, 0, 0 };
    int files = pcap_walk_dir(dir, on_payload, &w);
    ck_assert_int_gt(files, 0); /* main() only adds this test when the directory exists */
    fprintf(stderr, "tls: %d files, %u ClientHello starts, %u in one segment, %u parsed, %u with SNI\n", files,
            w.hellos, w.complete, w.parsed, w.with_sni);
    ck_assert_uint_gt(w.complete, 0);
    /* The set includes fuzzed and deliberately broken hellos (fuzz-*, tls_invalid_reads,
     * badpackets), which must fail cleanly; real clients' hellos must parse. */
    ck_assert_uint_ge(w.parsed * 100, w.complete * 95);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tls");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_ja4_spec_example);
    tcase_add_test(tc, test_ja3_readme_examples);
    tcase_add_test(tc, test_ja4_alpn_rules);
    tcase_add_test(tc, test_hostile_bodies);
    tcase_add_test(tc, test_grease);
    tcase_add_test(tc, test_reassembly);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("dissector");
    tcase_add_test(td, test_dissector_split_every_byte);
    tcase_add_test(td, test_dissector_cases);
    suite_add_tcase(s, td);
    char dir[4096];
    int captures = mw_shared_dir("pcaps/traffic", dir, sizeof dir) != NULL;
    if (captures) {
        TCase *tp = tcase_create("captures");
        tcase_set_timeout(tp, 600);
        tcase_add_test(tp, test_shared_captures);
        suite_add_tcase(s, tp);
    }
    return mw_check_run_or_skip(
        s, captures ? NULL : "capture test needs $MW_SHARED_DIR/pcaps/traffic (MW_SHARED_DIR unset or missing)");
}
