/* test_digest.c - MD5/SHA-1/SHA-256 against the RFC 1321 and FIPS 180 test vectors. */
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "unit/check_main.h"

static const char *const msg448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void hex_md5(const char *s, size_t n, char *out)
{
    uint8_t d[DIGEST_MD5_LEN];
    digest_md5(s, n, d);
    digest_hex(d, sizeof d, out);
}

static void hex_sha1(const char *s, size_t n, char *out)
{
    uint8_t d[DIGEST_SHA1_LEN];
    digest_sha1(s, n, d);
    digest_hex(d, sizeof d, out);
}

static void hex_sha256(const char *s, size_t n, char *out)
{
    uint8_t d[DIGEST_SHA256_LEN];
    digest_sha256(s, n, d);
    digest_hex(d, sizeof d, out);
}

/* RFC 1321 appendix A.5 test suite. */
START_TEST(test_md5_rfc1321)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        { "", "d41d8cd98f00b204e9800998ecf8427e" },
        { "a", "0cc175b9c0f1b6a831c399e269772661" },
        { "abc", "900150983cd24fb0d6963f7d28e17f72" },
        { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
        { "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
        { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
          "d174ab98d277d9f5a5611c2c9f419d9f" },
        { "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
          "57edf4a22be3c955ac49da2e2107b67a" },
    };
    char hex[2 * DIGEST_MD5_LEN + 1];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        hex_md5(v[i].in, strlen(v[i].in), hex);
        ck_assert_str_eq(hex, v[i].out);
    }
    hex_md5(msg448, strlen(msg448), hex);
    ck_assert_str_eq(hex, "8215ef0796a20bcaaae116d3876c664a");
}
END_TEST

/* FIPS 180-2 appendix A (SHA-1) and B (SHA-256) examples, plus the empty string. */
START_TEST(test_sha_fips180)
{
    char h1[2 * DIGEST_SHA1_LEN + 1], h2[2 * DIGEST_SHA256_LEN + 1];
    hex_sha1("", 0, h1);
    ck_assert_str_eq(h1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    hex_sha1("abc", 3, h1);
    ck_assert_str_eq(h1, "a9993e364706816aba3e25717850c26c9cd0d89d");
    hex_sha1(msg448, strlen(msg448), h1);
    ck_assert_str_eq(h1, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    hex_sha256("", 0, h2);
    ck_assert_str_eq(h2, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_sha256("abc", 3, h2);
    ck_assert_str_eq(h2, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hex_sha256(msg448, strlen(msg448), h2);
    ck_assert_str_eq(h2, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

/* One million 'a' fed in uneven chunks, so the block buffering is exercised. */
START_TEST(test_million_a_incremental)
{
    static char chunk[1024]; /* steps reach 1003 */
    memset(chunk, 'a', sizeof chunk);
    struct digest_md5 m;
    struct digest_sha1 s1;
    struct digest_sha256 s2;
    digest_md5_init(&m);
    digest_sha1_init(&s1);
    digest_sha256_init(&s2);
    size_t left = 1000000, step = 1;
    while (left) {
        size_t n = step < left ? step : left;
        digest_md5_update(&m, chunk, n);
        digest_sha1_update(&s1, chunk, n);
        digest_sha256_update(&s2, chunk, n);
        left -= n;
        step = step % 997 + 7; /* 1, 8, 15, ... crosses block edges at every offset */
    }
    uint8_t d1[16], d2[20], d3[32];
    char hex[65];
    digest_md5_final(&m, d1);
    digest_hex(d1, 16, hex);
    ck_assert_str_eq(hex, "7707d6ae4e027c70eea2a935c2296f21");
    digest_sha1_final(&s1, d2);
    digest_hex(d2, 20, hex);
    ck_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    digest_sha256_final(&s2, d3);
    digest_hex(d3, 32, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Incremental equals one-shot for every split point of a two-block message. */
START_TEST(test_split_equals_oneshot)
{
    char msg[130];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)('A' + i % 26);
    uint8_t ref[32], got[32];
    digest_sha256(msg, sizeof msg, ref);
    for (size_t cut = 0; cut <= sizeof msg; cut++) {
        struct digest_sha256 c;
        digest_sha256_init(&c);
        digest_sha256_update(&c, msg, cut);
        digest_sha256_update(&c, msg + cut, sizeof msg - cut);
        digest_sha256_final(&c, got);
        ck_assert_mem_eq(ref, got, 32);
    }
    /* Lengths 55/56/63/64 hit each padding branch. */
    static const size_t lens[] = { 55, 56, 63, 64 };
    static const char *const sha1_55 = "c1c8bbdc22796e28c0e15163d20899b65621d65a";
    char hex[41];
    char a[64];
    memset(a, 'a', sizeof a);
    hex_sha1(a, lens[0], hex);
    ck_assert_str_eq(hex, sha1_55);
    for (size_t i = 0; i < 4; i++) {
        uint8_t x[20], y[20];
        struct digest_sha1 c;
        digest_sha1(a, lens[i], x);
        digest_sha1_init(&c);
        for (size_t k = 0; k < lens[i]; k++)
            digest_sha1_update(&c, a + k, 1);
        digest_sha1_final(&c, y);
        ck_assert_mem_eq(x, y, 20);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("digest");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_md5_rfc1321);
    tcase_add_test(tc, test_sha_fips180);
    tcase_add_test(tc, test_million_a_incremental);
    tcase_add_test(tc, test_split_equals_oneshot);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
