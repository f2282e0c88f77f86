/* test_cidr.c - longest-prefix match over mw_addr, ports, parsing, and load scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/cidr.h"
#include "unit/check_main.h"

static struct mw_addr A(const char *s)
{
    struct mw_addr a;
    unsigned plen;
    uint16_t port;
    ck_assert_int_eq(cidr_parse(s, strlen(s), &a, &plen, &port), CIDR_PARSE_OK);
    return a;
}

static void add(struct cidr_set *c, const char *s, uint32_t payload)
{
    struct mw_addr a;
    unsigned plen;
    uint16_t port;
    ck_assert_int_eq(cidr_parse(s, strlen(s), &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_int_eq(cidr_add(c, &a, plen, port, payload, NULL), CIDR_OK);
}

static int lk(const struct cidr_set *c, const char *addr, uint16_t port, uint32_t *p)
{
    struct mw_addr a = A(addr);
    return cidr_lookup(c, &a, port, p);
}

START_TEST(test_parse_forms)
{
    struct mw_addr a;
    unsigned plen;
    uint16_t port;
    ck_assert_int_eq(cidr_parse("1.2.3.0/24", 10, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(plen, 120);
    ck_assert_uint_eq(port, 0);
    ck_assert(mw_addr_is_v4(&a));
    ck_assert_uint_eq(a.b[12], 1);
    ck_assert_uint_eq(a.b[14], 3);
    ck_assert_int_eq(cidr_parse("2001:db8::/32", 13, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(plen, 32);
    ck_assert_uint_eq(a.b[0], 0x20);
    ck_assert_uint_eq(a.b[3], 0xb8);
    ck_assert_int_eq(cidr_parse("10.0.0.1", 8, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(plen, 128);
    ck_assert_int_eq(cidr_parse("10.0.0.1:3333", 13, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(port, 3333);
    ck_assert_uint_eq(plen, 128);
    ck_assert_int_eq(cidr_parse("[2001:db8::1]:14444", 19, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(port, 14444);
    ck_assert_uint_eq(a.b[15], 1);
    ck_assert_int_eq(cidr_parse("::1", 3, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(port, 0);
    ck_assert_int_eq(cidr_parse("[2001:db8::]/32", 15, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(plen, 32);
    ck_assert_int_eq(cidr_parse("0.0.0.0/0", 9, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(plen, 96);
    ck_assert_int_eq(cidr_parse("::/0", 4, &a, &plen, &port), CIDR_PARSE_OK);
    ck_assert_uint_eq(plen, 0);
}
END_TEST

START_TEST(test_parse_errors)
{
    static const struct { const char *s; enum cidr_parse_result r; } bad[] = {
        { "", CIDR_PARSE_BAD_ADDR }, { "1.2.3", CIDR_PARSE_BAD_ADDR },
        { "1.2.3.256", CIDR_PARSE_BAD_ADDR }, { "example.com", CIDR_PARSE_BAD_ADDR },
        { "1.2.3.0/33", CIDR_PARSE_BAD_PREFIX }, { "1.2.3.0/", CIDR_PARSE_BAD_PREFIX },
        { "1.2.3.0/2x", CIDR_PARSE_BAD_PREFIX }, { "::/129", CIDR_PARSE_BAD_PREFIX },
        { "1.2.3.4:0", CIDR_PARSE_BAD_PORT }, { "1.2.3.4:65536", CIDR_PARSE_BAD_PORT },
        { "1.2.3.4:", CIDR_PARSE_BAD_PORT }, { "[::1]:x", CIDR_PARSE_BAD_PORT },
        { "[::1", CIDR_PARSE_BAD_ADDR }, { "[1.2.3.4]:80", CIDR_PARSE_BAD_ADDR },
        { "[::1]x", CIDR_PARSE_BAD_ADDR }, { "10.1.2.3/8", CIDR_PARSE_HOST_BITS },
        { "2001:db8::1/32", CIDR_PARSE_HOST_BITS }, { "1.2.3.4/99999999", CIDR_PARSE_BAD_PREFIX },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mw_addr a;
        ck_assert_msg(cidr_parse(bad[i].s, strlen(bad[i].s), &a, NULL, NULL) == bad[i].r,
                      "input '%s'", bad[i].s);
    }
    /* An embedded NUL must not let "1.2.3.4\0junk" pass as 1.2.3.4. */
    ck_assert_int_eq(cidr_parse("1.2.3.4\0junk", 12, NULL, NULL, NULL), CIDR_PARSE_BAD_ADDR);
    char huge[200];
    memset(huge, '1', sizeof huge);
    ck_assert_int_eq(cidr_parse(huge, sizeof huge, NULL, NULL, NULL), CIDR_PARSE_BAD_ADDR);
    ck_assert_int_eq(cidr_parse(NULL, 4, NULL, NULL, NULL), CIDR_PARSE_BAD_ADDR);
}
END_TEST

START_TEST(test_longest_prefix_v4_v6)
{
    struct cidr_set *c = cidr_new();
    add(c, "10.0.0.0/8", 1);
    add(c, "10.1.0.0/16", 2);
    add(c, "10.1.2.0/24", 3);
    add(c, "10.1.2.3", 4);
    add(c, "2001:db8::/32", 6);
    add(c, "2001:db8:1::/48", 7);
    add(c, "2001:db8:1::42", 8);
    uint32_t p = 0;
    ck_assert(lk(c, "10.9.9.9", 0, &p));
    ck_assert_uint_eq(p, 1);
    ck_assert(lk(c, "10.1.9.9", 0, &p));
    ck_assert_uint_eq(p, 2);
    ck_assert(lk(c, "10.1.2.9", 0, &p));
    ck_assert_uint_eq(p, 3);
    ck_assert(lk(c, "10.1.2.3", 0, &p));
    ck_assert_uint_eq(p, 4);
    ck_assert(!lk(c, "11.0.0.1", 0, &p));
    ck_assert(lk(c, "2001:db8:ffff::1", 0, &p));
    ck_assert_uint_eq(p, 6);
    ck_assert(lk(c, "2001:db8:1::1", 0, &p));
    ck_assert_uint_eq(p, 7);
    ck_assert(lk(c, "2001:db8:1::42", 0, &p));
    ck_assert_uint_eq(p, 8);
    ck_assert(!lk(c, "2001:db9::1", 0, &p));
    /* IPv4 /8 must not cover the IPv6 address with the same first bytes. */
    ck_assert(!lk(c, "a00::1", 0, &p));
    unsigned plen = 0;
    struct mw_addr a = A("10.1.2.77");
    ck_assert(cidr_lookup_prefix(c, &a, 0, &p, &plen));
    ck_assert_uint_eq(plen, 120);
    ck_assert_uint_eq(cidr_count(c), 7);
    ck_assert_uint_gt(cidr_memuse(c), 0);
    cidr_free(c);
}
END_TEST

START_TEST(test_default_routes)
{
    struct cidr_set *c = cidr_new();
    add(c, "0.0.0.0/0", 40); /* all of IPv4 = ::ffff:0:0/96 */
    uint32_t p = 0;
    ck_assert(lk(c, "192.0.2.1", 0, &p));
    ck_assert_uint_eq(p, 40);
    ck_assert(!lk(c, "2001:db8::1", 0, &p));
    add(c, "::/0", 60);
    ck_assert(lk(c, "2001:db8::1", 0, &p));
    ck_assert_uint_eq(p, 60);
    ck_assert(lk(c, "192.0.2.1", 0, &p));
    ck_assert_uint_eq(p, 40);
    add(c, "192.0.2.1/32", 32);
    ck_assert(lk(c, "192.0.2.1", 0, &p));
    ck_assert_uint_eq(p, 32);
    add(c, "2001:db8::1/128", 128);
    ck_assert(lk(c, "2001:db8::1", 0, &p));
    ck_assert_uint_eq(p, 128);
    ck_assert(lk(c, "2001:db8::2", 0, &p));
    ck_assert_uint_eq(p, 60);
    struct mw_addr a = A("1.1.1.1");
    ck_assert_int_eq(cidr_add(c, &a, 129, 0, 1, NULL), CIDR_EINVAL);
    uint32_t old = 0;
    a = A("192.0.2.1");
    ck_assert_int_eq(cidr_add(c, &a, 128, 0, 99, &old), CIDR_DUPLICATE);
    ck_assert_uint_eq(old, 32);
    cidr_free(c);
}
END_TEST

START_TEST(test_ports)
{
    struct cidr_set *c = cidr_new();
    add(c, "198.51.100.0/24", 1);
    add(c, "198.51.100.7:3333", 2);
    add(c, "198.51.100.7:14444", 3);
    add(c, "203.0.113.5:4444", 4);
    uint32_t p = 0;
    ck_assert(lk(c, "198.51.100.7", 3333, &p));
    ck_assert_uint_eq(p, 2);
    ck_assert(lk(c, "198.51.100.7", 14444, &p));
    ck_assert_uint_eq(p, 3);
    /* Another port falls back to the covering any-port block. */
    ck_assert(lk(c, "198.51.100.7", 443, &p));
    ck_assert_uint_eq(p, 1);
    ck_assert(lk(c, "198.51.100.7", 0, &p));
    ck_assert_uint_eq(p, 1);
    ck_assert(lk(c, "203.0.113.5", 4444, &p));
    ck_assert_uint_eq(p, 4);
    ck_assert(!lk(c, "203.0.113.5", 443, &p));
    ck_assert(!lk(c, "203.0.113.5", 0, &p));
    /* Same block with and without a port are separate entries. */
    add(c, "203.0.113.5", 5);
    ck_assert(lk(c, "203.0.113.5", 443, &p));
    ck_assert_uint_eq(p, 5);
    ck_assert(lk(c, "203.0.113.5", 4444, &p));
    ck_assert_uint_eq(p, 4);
    cidr_free(c);
}
END_TEST

START_TEST(test_format)
{
    char buf[64];
    struct mw_addr a = A("192.0.2.33");
    cidr_addr_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "192.0.2.33");
    a = A("2001:db8:0:0::1");
    cidr_addr_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "2001:db8::1");
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_scale_100k)
{
    const size_t n = 100000;
    struct cidr_set *c = cidr_new();
    double t0 = now_s();
    uint32_t x = 2463534242u;
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        struct mw_addr a;
        if (i % 4 == 3) { /* a quarter IPv6 /48s, the rest IPv4 /24s and /32s */
            memset(&a, 0, sizeof a);
            a.b[0] = 0x20;
            a.b[1] = 0x01;
            a.b[2] = (uint8_t)(x >> 24);
            a.b[3] = (uint8_t)(x >> 16);
            a.b[4] = (uint8_t)(x >> 8);
            a.b[5] = (uint8_t)x;
            failed += cidr_add(c, &a, 48, 0, (uint32_t)i, NULL) == CIDR_ENOMEM;
        } else {
            uint8_t v4[4] = { (uint8_t)(x >> 24), (uint8_t)(x >> 16), (uint8_t)(x >> 8), 0 };
            unsigned plen = (i % 2) ? 120 : 128;
            if (plen == 128)
                v4[3] = (uint8_t)x;
            mw_addr_from_v4(&a, v4);
            failed += cidr_add(c, &a, plen, (i % 8 == 0) ? 3333 : 0, (uint32_t)i, NULL) == CIDR_ENOMEM;
        }
    }
    double t1 = now_s();
    size_t hits = 0;
    for (size_t i = 0; i < 1000000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint8_t v4[4] = { (uint8_t)(x >> 24), (uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x };
        struct mw_addr a;
        mw_addr_from_v4(&a, v4);
        hits += (size_t)cidr_lookup(c, &a, 3333, NULL);
    }
    double t2 = now_s();
    printf("cidr: %zu blocks (%zu distinct) loaded in %.3f s, %.1f MB; 1M lookups in %.3f s (%zu hits)\n",
           n, cidr_count(c), t1 - t0, (double)cidr_memuse(c) / 1e6, t2 - t1, hits);
    ck_assert_uint_eq(failed, 0);
    ck_assert_uint_gt(cidr_count(c), n * 9 / 10);
    /* Load time is a speed claim: bench/run.py measures it (--names-curve), not a timed unit test. */
    ck_assert_uint_lt(cidr_memuse(c), 200u << 20);
    cidr_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cidr");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_forms);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_longest_prefix_v4_v6);
    tcase_add_test(tc, test_default_routes);
    tcase_add_test(tc, test_ports);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_scale_100k);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
