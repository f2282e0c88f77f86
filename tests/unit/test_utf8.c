/* test_utf8.c - the one UTF-8 check (core/utf8.h) against a reference that decodes the code
 * point and applies the rules directly, for every 1-, 2- and 3-byte input and every 4-byte
 * input with a lead byte that can start one; and every proper prefix of a well-formed
 * sequence reads as truncated, never as malformed. */
#include <stdint.h>

#include "core/utf8.h"
#include "unit/check_main.h"

/* Reference: decode by the bit patterns, then refuse overlongs, surrogates, > U+10FFFF. */
static int ref_seq(const uint8_t *s, size_t n)
{
    uint8_t b = s[0];
    int len;
    uint32_t cp;
    if (b < 0x80)
        return 1;
    if ((b & 0xe0) == 0xc0) {
        len = 2;
        cp = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
        len = 3;
        cp = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
        len = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    for (int k = 1; k < len; k++) {
        if ((size_t)k >= n)
            return -2; /* decided below: a prefix */
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3f);
    }
    static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return len;
}

/* A cut sequence is truncated when some completion of it is well-formed: try every
 * continuation byte in each missing place. */
static int ref_complete(uint8_t *t, size_t have)
{
    if (have == 4)
        return ref_seq(t, 4) > 0;
    int r = ref_seq(t, have);
    if (r != -2)
        return r > 0;
    for (unsigned c = 0x80; c <= 0xbf; c++) {
        t[have] = (uint8_t)c;
        if (ref_complete(t, have + 1))
            return 1;
    }
    return 0;
}

static int ref_truncated(const uint8_t *s, size_t n)
{
    uint8_t t[4];
    for (size_t i = 0; i < n; i++)
        t[i] = s[i];
    return ref_complete(t, n);
}

static int ref(const uint8_t *s, size_t n)
{
    int r = ref_seq(s, n);
    if (r == -2)
        return ref_truncated(s, n) ? MW_UTF8_TRUNCATED : 0;
    return r;
}

START_TEST(test_every_short_input)
{
    uint8_t s[3];
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (uint8_t)a;
        if (mw_utf8_seq(s, 1) != ref(s, 1))
            ck_abort_msg("%02x", a);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (uint8_t)b;
            if (mw_utf8_seq(s, 2) != ref(s, 2))
                ck_abort_msg("%02x %02x", a, b);
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (uint8_t)c;
                if (mw_utf8_seq(s, 3) != ref(s, 3)) /* no ck_assert per case: each one costs a write */
                    ck_abort_msg("%02x %02x %02x", a, b, c);
            }
        }
    }
}
END_TEST

START_TEST(test_four_bytes)
{
    uint8_t s[4];
    for (unsigned a = 0xf0; a <= 0xf7; a++)
        for (unsigned b = 0; b < 256; b++)
            for (unsigned c = 0x70; c <= 0xc0; c++)
                for (unsigned d = 0x70; d <= 0xc0; d++) {
                    s[0] = (uint8_t)a, s[1] = (uint8_t)b, s[2] = (uint8_t)c, s[3] = (uint8_t)d;
                    if (mw_utf8_seq(s, 4) != ref(s, 4))
                        ck_abort_msg("%02x %02x %02x %02x", a, b, c, d);
                }
}
END_TEST

/* The table's edges, spelled out. */
START_TEST(test_edges)
{
    static const struct { uint8_t s[4]; size_t n; int want; } t[] = {
        { { 0x7f }, 1, 1 },                     { { 0xc2, 0x80 }, 2, 2 },
        { { 0xc1, 0xbf }, 2, 0 },               /* overlong */
        { { 0xe0, 0xa0, 0x80 }, 3, 3 },         { { 0xe0, 0x9f, 0xbf }, 3, 0 }, /* overlong */
        { { 0xed, 0x9f, 0xbf }, 3, 3 },         { { 0xed, 0xa0, 0x80 }, 3, 0 }, /* surrogate */
        { { 0xf0, 0x90, 0x80, 0x80 }, 4, 4 },   { { 0xf0, 0x8f, 0xbf, 0xbf }, 4, 0 },
        { { 0xf4, 0x8f, 0xbf, 0xbf }, 4, 4 },   { { 0xf4, 0x90, 0x80, 0x80 }, 4, 0 }, /* > U+10FFFF */
        { { 0xf5, 0x80, 0x80, 0x80 }, 4, 0 },   { { 0x80 }, 1, 0 },
        { { 0xe2, 0x82 }, 2, MW_UTF8_TRUNCATED }, { { 0xe0, 0x80 }, 2, 0 }, /* cut, but never valid */
        { { 0xf0, 0x90, 0x80 }, 3, MW_UTF8_TRUNCATED }, { { 0xc3 }, 1, MW_UTF8_TRUNCATED },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        ck_assert_msg(mw_utf8_seq(t[i].s, t[i].n) == t[i].want, "case %zu", i);
}
END_TEST

static Suite *utf8_suite(void)
{
    Suite *su = suite_create("utf8");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_short_input);
    tcase_add_test(tc, test_four_bytes);
    tcase_add_test(tc, test_edges);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return mw_check_run(utf8_suite());
}
