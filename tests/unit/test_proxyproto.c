/* test_proxyproto.c - PROXY protocol v1/v2 header parser (HAProxy proxy-protocol.txt) and its
 * dissector: every prefix, every split, hostile lengths, the hand-over to the stream. */
#include <string.h>

#include "core/evidence.h"
#include "dissectors/proxyproto.h"
#include "proxy_session.h"
#include "unit/check_main.h"

#define B(...) ((const uint8_t[]){ __VA_ARGS__ })
#define S(x) (const uint8_t *)(x), (sizeof(x) - 1)

static const char v1_tcp4[] = "PROXY TCP4 192.0.2.44 198.51.100.7 51234 3333\r\n";
static const char v1_tcp6[] = "PROXY TCP6 2001:db8::2c 2001:db8::7 51234 443\r\n";
static const char v1_unknown[] = "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n";
static const char stratum_c[] = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n";

/* v2 PROXY, TCP over IPv4, 192.0.2.44:51234 -> 198.51.100.7:3333, plus TLVs. */
static size_t v2_header(uint8_t *b, uint8_t ver_cmd, uint8_t fam, const uint8_t *tlv, size_t tlvn)
{
    static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
    size_t n = 0, alen = (fam >> 4) == 1 ? 12 : (fam >> 4) == 2 ? 36 : (fam >> 4) == 3 ? 216 : 0;
    memcpy(b, sig, 12);
    n = 12;
    b[n++] = ver_cmd;
    b[n++] = fam;
    b[n++] = (uint8_t)((alen + tlvn) >> 8);
    b[n++] = (uint8_t)(alen + tlvn);
    memset(b + n, 0, alen);
    if (alen == 12) {
        memcpy(b + n, B(192, 0, 2, 44, 198, 51, 100, 7, 0xc8, 0x22, 0x0d, 0x05), 12);
    } else if (alen == 36) {
        b[n] = 0x20, b[n + 1] = 0x01, b[n + 15] = 0x2c;
        b[n + 16] = 0x20, b[n + 17] = 0x01, b[n + 31] = 0x07;
        b[n + 32] = 0xc8, b[n + 33] = 0x22, b[n + 34] = 0x01, b[n + 35] = 0xbb;
    }
    n += alen;
    if (tlvn)
        memcpy(b + n, tlv, tlvn);
    return n + tlvn;
}

static const uint8_t tlvs[] = { 0x02, 0x00, 0x0e, 'p', 'o', 'o', 'l', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'n',
                                0x04, 0x00, 0x03, 0, 0, 0 };

static void every_prefix(const uint8_t *h, size_t n)
{
    struct proxyp_header out;
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(proxyp_parse(h, i, &out) == PROXYP_NEED_MORE, "prefix %zu of %zu", i, n);
    ck_assert_int_eq(proxyp_parse(h, n, &out), (long)n);
}

START_TEST(test_every_prefix)
{
    uint8_t b[600];
    every_prefix(S(v1_tcp4));
    every_prefix(S(v1_tcp6));
    every_prefix(S(v1_unknown));
    every_prefix(b, v2_header(b, 0x21, 0x11, NULL, 0));
    every_prefix(b, v2_header(b, 0x21, 0x21, tlvs, sizeof tlvs));
    every_prefix(b, v2_header(b, 0x20, 0x00, NULL, 0));
    every_prefix(b, v2_header(b, 0x21, 0x31, NULL, 0));
}
END_TEST

START_TEST(test_fields)
{
    struct proxyp_header h;
    uint8_t v4[16];
    struct mw_addr want;
    ck_assert_int_eq(proxyp_parse(S(v1_tcp4), &h), (long)sizeof v1_tcp4 - 1);
    ck_assert_uint_eq(h.version, 1);
    ck_assert_uint_eq(h.has_addr, 1);
    memcpy(v4, B(192, 0, 2, 44), 4);
    mw_addr_from_v4(&want, v4);
    ck_assert(memcmp(&h.src, &want, sizeof want) == 0);
    ck_assert_uint_eq(h.src_port, 51234);
    ck_assert_uint_eq(h.dst_port, 3333);
    ck_assert_uint_eq(h.dst.b[15], 7);
    ck_assert_int_eq(proxyp_parse(S(v1_tcp6), &h), (long)sizeof v1_tcp6 - 1);
    ck_assert_uint_eq(h.src.b[0], 0x20);
    ck_assert_uint_eq(h.src.b[15], 0x2c);
    ck_assert_uint_eq(h.dst_port, 443);
    ck_assert_int_eq(proxyp_parse(S(v1_unknown), &h), (long)sizeof v1_unknown - 1);
    ck_assert_uint_eq(h.has_addr, 0);

    uint8_t b[600];
    size_t n = v2_header(b, 0x21, 0x11, tlvs, sizeof tlvs);
    ck_assert_int_eq(proxyp_parse(b, n, &h), (long)n);
    ck_assert_uint_eq(h.version, 2);
    ck_assert_uint_eq(h.has_addr, 1);
    ck_assert_uint_eq(h.stream, 1);
    ck_assert(memcmp(&h.src, &want, sizeof want) == 0);
    ck_assert_uint_eq(h.src_port, 51234);
    ck_assert_uint_eq(h.dst_port, 3333);
    ck_assert_uint_eq(h.tlv_len, sizeof tlvs);
    n = v2_header(b, 0x21, 0x21, NULL, 0);
    ck_assert_int_eq(proxyp_parse(b, n, &h), (long)n);
    ck_assert_uint_eq(h.src.b[15], 0x2c);
    ck_assert_uint_eq(h.dst_port, 443);
    n = v2_header(b, 0x20, 0x11, NULL, 0); /* LOCAL: addresses are not the client's */
    ck_assert_int_eq(proxyp_parse(b, n, &h), (long)n);
    ck_assert_uint_eq(h.local, 1);
    ck_assert_uint_eq(h.has_addr, 0);
    n = v2_header(b, 0x21, 0x31, NULL, 0); /* UNIX: no IP endpoints */
    ck_assert_int_eq(proxyp_parse(b, n, &h), (long)n);
    ck_assert_uint_eq(h.has_addr, 0);
}
END_TEST

START_TEST(test_malformed)
{
    struct proxyp_header h;
    static const char *const bad_v1[] = {
        "PROXY TCP4 192.0.2.44 198.51.100.7 51234 3333\n",     /* LF without CR */
        "PROXY TCP5 192.0.2.44 198.51.100.7 51234 3333\r\n",   /* protocol */
        "PROXY TCP4 192.0.2.444 198.51.100.7 51234 3333\r\n",  /* address */
        "PROXY TCP4 2001:db8::1 198.51.100.7 51234 3333\r\n",  /* family mismatch */
        "PROXY TCP4 192.0.2.44 198.51.100.7 65536 3333\r\n",   /* port range */
        "PROXY TCP4 192.0.2.44 198.51.100.7 05123 3333\r\n",   /* leading zero */
        "PROXY TCP4 192.0.2.44 198.51.100.7 -1 3333\r\n",
        "PROXY TCP4 192.0.2.44 198.51.100.7 51234\r\n",        /* field missing */
        "PROXY TCP4 192.0.2.44 198.51.100.7 51234 3333 \r\n",  /* trailing space */
        "PROXY TCP4 192.0.2.44  198.51.100.7 51234 3333\r\n",  /* doubled space */
        "PROXY TCP4 192.0.2.44 198.51.100.7 51234 3333 x\r\n", /* trailing field */
        "PROXY \r\n",
        "PROXY TCP4 192.0.2.44\t198.51.100.7 51234 3333\r\n",  /* control byte */
    };
    for (size_t i = 0; i < sizeof bad_v1 / sizeof bad_v1[0]; i++)
        ck_assert_msg(proxyp_parse((const uint8_t *)bad_v1[i], strlen(bad_v1[i]), &h) == PROXYP_MALFORMED,
                      "%s", bad_v1[i]);
    /* No CRLF within the spec's 107 bytes: refused, not waited for. */
    uint8_t lng[300];
    memcpy(lng, "PROXY UNKNOWN ", 14);
    memset(lng + 14, 'x', sizeof lng - 14);
    ck_assert_int_eq(proxyp_parse(lng, PROXYP_V1_MAX - 1, &h), PROXYP_NEED_MORE);
    ck_assert_int_eq(proxyp_parse(lng, PROXYP_V1_MAX, &h), PROXYP_MALFORMED);
    ck_assert_int_eq(proxyp_parse(lng, sizeof lng, &h), PROXYP_MALFORMED);

    uint8_t b[1200];
    size_t n = v2_header(b, 0x31, 0x11, NULL, 0); /* version 3 */
    ck_assert_int_eq(proxyp_parse(b, 13, &h), PROXYP_MALFORMED);
    n = v2_header(b, 0x22, 0x11, NULL, 0); /* command 2 */
    ck_assert_int_eq(proxyp_parse(b, n, &h), PROXYP_MALFORMED);
    n = v2_header(b, 0x21, 0x41, NULL, 0); /* family 4 */
    ck_assert_int_eq(proxyp_parse(b, 14, &h), PROXYP_MALFORMED);
    n = v2_header(b, 0x21, 0x13, NULL, 0); /* transport 3 */
    ck_assert_int_eq(proxyp_parse(b, n, &h), PROXYP_MALFORMED);
    n = v2_header(b, 0x21, 0x21, NULL, 0); /* INET6 with a length shorter than its addresses */
    b[15] = 12;
    ck_assert_int_eq(proxyp_parse(b, n, &h), PROXYP_MALFORMED);
    n = v2_header(b, 0x21, 0x11, NULL, 0); /* a length past our cap: refused on sight */
    b[14] = 0xff, b[15] = 0xff;
    ck_assert_int_eq(proxyp_parse(b, 16, &h), PROXYP_MALFORMED);
    b[14] = (uint8_t)((PROXYP_V2_MAX_LEN + 1) >> 8), b[15] = (uint8_t)(PROXYP_V2_MAX_LEN + 1);
    ck_assert_int_eq(proxyp_parse(b, 16, &h), PROXYP_MALFORMED);
    /* a TLV whose length runs past the block */
    static const uint8_t bad_tlv[] = { 0x02, 0x00, 0x09, 'a', 'b' };
    n = v2_header(b, 0x21, 0x11, bad_tlv, sizeof bad_tlv);
    ck_assert_int_eq(proxyp_parse(b, n, &h), PROXYP_MALFORMED);
    static const uint8_t short_tlv[] = { 0x02, 0x00 };
    n = v2_header(b, 0x21, 0x11, short_tlv, sizeof short_tlv);
    ck_assert_int_eq(proxyp_parse(b, n, &h), PROXYP_MALFORMED);
    /* neither signature */
    ck_assert_int_eq(proxyp_parse(S("GET / HTTP/1.1\r\n"), &h), PROXYP_MALFORMED);
    ck_assert_int_eq(proxyp_parse(S("\r\n\r\nxx"), &h), PROXYP_MALFORMED);
}
END_TEST

START_TEST(test_probe)
{
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.handshake_seen = 1;
    uint8_t b[64];
    size_t n = v2_header(b, 0x21, 0x11, NULL, 0);
    ck_assert_int_eq(proxyp_dissector.probe(S(v1_tcp4), MW_DIR_FWD, &ctx), MW_PROBE_YES);
    ck_assert_int_eq(proxyp_dissector.probe((const uint8_t *)v1_tcp4, 10, MW_DIR_FWD, &ctx), MW_PROBE_YES);
    ck_assert_int_eq(proxyp_dissector.probe((const uint8_t *)v1_tcp4, 3, MW_DIR_FWD, &ctx), MW_PROBE_MAYBE);
    ck_assert_int_eq(proxyp_dissector.probe(b, n, MW_DIR_FWD, &ctx), MW_PROBE_YES);
    ck_assert_int_eq(proxyp_dissector.probe(b, 5, MW_DIR_FWD, &ctx), MW_PROBE_MAYBE);
    ck_assert_int_eq(proxyp_dissector.probe(S(v1_tcp4), MW_DIR_REV, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(proxyp_dissector.probe(S("POST / HTTP/1.1\r\n"), MW_DIR_FWD, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(proxyp_dissector.probe(S("PROXYX"), MW_DIR_FWD, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(proxyp_dissector.probe(S("{\"id\":1}\n"), MW_DIR_FWD, &ctx), MW_PROBE_NO);
}
END_TEST

/* Header then Stratum in one stream, at every split: reported once, the rest probed afresh. */
static void session(const uint8_t *hdr, size_t hn, enum mw_proxy_proto want, int has_src)
{
    uint8_t all[1400];
    memcpy(all, hdr, hn);
    memcpy(all + hn, stratum_c, sizeof stratum_c - 1);
    size_t total = hn + sizeof stratum_c - 1;
    for (size_t step = 1; step <= total; step++) {
        struct applayer_drive *s = ps_start(&proxyp_dissector, 3333);
        applayer_drive_steps(s, MW_DIR_FWD, all, total, step);
        ck_assert_uint_eq(ps_reprobes(s), 1);
        ck_assert_uint_eq(ps_feed_malformed(s), 0);
        ps_check_stratum_behind(s, 0);
        ck_assert_int_eq(ps_nproxy(), 1);
        ck_assert_int_eq(ps_ev[0].kind, MW_EV_PROXY);
        ck_assert_uint_eq(ps_ev[0].proxy.proto, want);
        ck_assert_uint_eq(ps_ev[0].proxy.has_src, has_src);
        ck_assert_uint_eq(ps_ev[0].client_dir, MW_DIR_FWD);
        if (has_src) {
            ck_assert_uint_eq(ps_ev[0].proxy.src_port, 51234);
            ck_assert_uint_eq(ps_ev[0].proxy.src.b[15], 44);
        }
        applayer_drive_free(s);
    }
}

START_TEST(test_session_every_split)
{
    uint8_t b[600];
    session(S(v1_tcp4), MW_PROXY_V1, 1);
    session(S(v1_tcp6), MW_PROXY_V1, 1);
    session(S(v1_unknown), MW_PROXY_V1, 0);
    session(b, v2_header(b, 0x21, 0x11, tlvs, sizeof tlvs), MW_PROXY_V2, 1);
    session(b, v2_header(b, 0x20, 0x00, NULL, 0), MW_PROXY_V2, 0);
}
END_TEST

/* A backend that answers before the header is complete keeps its bytes; a bad header is
 * counted and detaches, reporting nothing. */
START_TEST(test_hostile)
{
    struct applayer_drive *s = ps_start(&proxyp_dissector, 3333);
    applayer_drive_steps(s, MW_DIR_FWD, (const uint8_t *)v1_tcp4, 10, 10);
    applayer_drive_steps(s, MW_DIR_REV, S("220 banner\r\n"), 64);
    ck_assert_uint_eq(applayer_drive_buffered(s, MW_DIR_REV), 12);
    applayer_drive_steps(s, MW_DIR_FWD, (const uint8_t *)v1_tcp4 + 10, sizeof v1_tcp4 - 11, 64);
    ck_assert_uint_eq(ps_reprobes(s), 1);
    ck_assert_int_eq(ps_nproxy(), 1);
    /* The stream was handed on: the client's first bytes behind the header are probed. */
    applayer_drive_steps(s, MW_DIR_FWD, S(stratum_c), 64);
    ps_check_stratum_behind(s, 0);
    applayer_drive_free(s);

    s = ps_start(&proxyp_dissector, 3333);
    applayer_drive_steps(s, MW_DIR_FWD, S("PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n{}\n"), 1);
    ck_assert_uint_eq(ps_feed_malformed(s), 1);
    ck_assert_uint_eq(applayer_drive_stat(s, "app.proxy-protocol.malformed"), 1);
    ck_assert_int_eq(ps_nev, 0);
    ck_assert_uint_eq(ps_reprobes(s), 0);
    applayer_drive_free(s);
}
END_TEST

static Suite *proxyp_suite(void)
{
    Suite *su = suite_create("proxyproto");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_every_prefix);
    tcase_add_test(tc, test_fields);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_probe);
    tcase_add_test(tc, test_session_every_split);
    tcase_add_test(tc, test_hostile);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return mw_check_run(proxyp_suite());
}
