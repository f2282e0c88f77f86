/* test_domainset.c - whole-label suffix matching, name validation and load scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/domainset.h"
#include "unit/check_main.h"

static int lk(const struct domainset *ds, const char *name, uint32_t *p, size_t *ml)
{
    return domainset_lookup(ds, name, strlen(name), p, ml);
}

static struct domainset *mk(void)
{
    struct domainset *ds = domainset_new(0);
    ck_assert_ptr_nonnull(ds);
    ck_assert_int_eq(domainset_add(ds, "nanopool.org", 12, DOMAINSET_SUFFIX, 7, NULL), DOMAINSET_ADDED);
    ck_assert_int_eq(domainset_add(ds, "exact.example.com", 17, DOMAINSET_EXACT, 9, NULL), DOMAINSET_ADDED);
    ck_assert_int_eq(domainset_add(ds, "XMR.Special.Nanopool.ORG.", 25, DOMAINSET_SUFFIX, 11, NULL), DOMAINSET_ADDED);
    ck_assert_int_eq(domainset_add(ds, "xn--80ak6aa92e.com", 18, DOMAINSET_SUFFIX, 13, NULL), DOMAINSET_ADDED);
    return ds;
}

START_TEST(test_suffix_label_boundary)
{
    struct domainset *ds = mk();
    uint32_t p = 0;
    size_t ml = 0;
    ck_assert(lk(ds, "nanopool.org", &p, &ml));
    ck_assert_uint_eq(p, 7);
    ck_assert_uint_eq(ml, 12);
    ck_assert(lk(ds, "xmr-eu1.nanopool.org", &p, &ml));
    ck_assert_uint_eq(p, 7);
    ck_assert_uint_eq(ml, 12);
    ck_assert(!lk(ds, "notnanopool.org", &p, &ml));
    ck_assert(!lk(ds, "nanopool.org.evil.com", &p, &ml));
    ck_assert(!lk(ds, "org", &p, &ml));
    ck_assert(!lk(ds, "anopool.org", &p, &ml));
    ck_assert(!lk(ds, "nanopool.orgx", &p, &ml));
    domainset_free(ds);
}
END_TEST

START_TEST(test_case_and_trailing_dot)
{
    struct domainset *ds = mk();
    uint32_t p = 0;
    size_t ml = 0;
    ck_assert(lk(ds, "XMR-EU1.NanoPool.Org.", &p, &ml));
    ck_assert_uint_eq(p, 7);
    ck_assert_uint_eq(ml, 12);
    ck_assert(!lk(ds, "nanopool.org..", &p, &ml)); /* only one trailing dot is the root */
    ck_assert(!lk(ds, ".nanopool.org", &p, &ml));  /* empty leading label */
    ck_assert(!lk(ds, "a..nanopool.org", &p, &ml));
    domainset_free(ds);
}
END_TEST

START_TEST(test_most_specific_wins)
{
    struct domainset *ds = mk();
    uint32_t p = 0;
    size_t ml = 0;
    ck_assert(lk(ds, "a.xmr.special.nanopool.org", &p, &ml));
    ck_assert_uint_eq(p, 11);
    ck_assert_uint_eq(ml, strlen("xmr.special.nanopool.org"));
    ck_assert(lk(ds, "special.nanopool.org", &p, &ml));
    ck_assert_uint_eq(p, 7);
    domainset_free(ds);
}
END_TEST

START_TEST(test_exact_entries)
{
    struct domainset *ds = mk();
    uint32_t p = 0;
    ck_assert(lk(ds, "exact.example.com", &p, NULL));
    ck_assert_uint_eq(p, 9);
    ck_assert(lk(ds, "EXACT.example.com.", &p, NULL));
    ck_assert(!lk(ds, "a.exact.example.com", &p, NULL));
    ck_assert(!lk(ds, "example.com", &p, NULL));
    /* The same name may carry both kinds; the whole name prefers the exact payload. */
    ck_assert_int_eq(domainset_add(ds, "exact.example.com", 17, DOMAINSET_SUFFIX, 21, NULL), DOMAINSET_ADDED);
    ck_assert(lk(ds, "exact.example.com", &p, NULL));
    ck_assert_uint_eq(p, 9);
    ck_assert(lk(ds, "a.exact.example.com", &p, NULL));
    ck_assert_uint_eq(p, 21);
    domainset_free(ds);
}
END_TEST

START_TEST(test_duplicates_and_replace)
{
    struct domainset *ds = mk();
    uint32_t old = 0, p = 0;
    ck_assert_int_eq(domainset_add(ds, "NANOPOOL.org", 12, DOMAINSET_SUFFIX, 99, &old), DOMAINSET_DUPLICATE);
    ck_assert_uint_eq(old, 7);
    ck_assert(lk(ds, "nanopool.org", &p, NULL));
    ck_assert_uint_eq(p, 7);
    ck_assert_int_eq(domainset_set_payload(ds, "nanopool.org", 12, DOMAINSET_SUFFIX, 99), 0);
    ck_assert(lk(ds, "x.nanopool.org", &p, NULL));
    ck_assert_uint_eq(p, 99);
    ck_assert_int_eq(domainset_set_payload(ds, "absent.org", 10, DOMAINSET_SUFFIX, 1), -1);
    ck_assert_int_eq(domainset_set_payload(ds, "nanopool.org", 12, DOMAINSET_EXACT, 1), -1);
    ck_assert_uint_eq(domainset_count(ds), 4);
    domainset_free(ds);
}
END_TEST

START_TEST(test_punycode_and_high_bytes)
{
    struct domainset *ds = mk();
    uint32_t p = 0;
    ck_assert(lk(ds, "pool.XN--80AK6AA92E.com", &p, NULL));
    ck_assert_uint_eq(p, 13);
    /* UTF-8 spelling of an IDN never matches (the sensor sees punycode on the wire). */
    ck_assert(!lk(ds, "\xd0\xbf\xd1\x80\xd0\xb8.com", &p, NULL));
    ck_assert(!lk(ds, "x\xff.nanopool.org", &p, NULL));
    ck_assert(!lk(ds, "nanopool.org\x80", &p, NULL));
    /* Loading UTF-8 is refused with a hint at the punycode form. */
    ck_assert_int_eq(domainset_add(ds, "m\xc3\xbc" "nchen.de", 10, DOMAINSET_SUFFIX, 1, NULL), DOMAINSET_INVALID);
    ck_assert_ptr_nonnull(strstr(domainset_name_check("\xc3\xbc.de", 5), "punycode"));
    domainset_free(ds);
}
END_TEST

START_TEST(test_empty_long_and_hostile)
{
    struct domainset *ds = mk();
    uint32_t p = 0;
    ck_assert(!domainset_lookup(ds, "", 0, &p, NULL));
    ck_assert(!domainset_lookup(ds, ".", 1, &p, NULL));
    ck_assert(!domainset_lookup(ds, NULL, 5, &p, NULL));
    ck_assert(!domainset_lookup(NULL, "nanopool.org", 12, &p, NULL));
    /* 300 bytes ending in a listed suffix: longer than any DNS name, never a match. */
    char big[400];
    memset(big, 'a', sizeof big);
    for (int i = 1; i < 290; i += 2)
        big[i] = '.';
    memcpy(big + 288, ".nanopool.org", 13);
    ck_assert(!domainset_lookup(ds, big, 301, &p, NULL));
    /* The longest legal shape: 127 one-byte labels = 253 bytes. */
    char maxname[254];
    for (int i = 0; i < 253; i++)
        maxname[i] = (i % 2) ? '.' : 'a';
    memcpy(maxname + 253 - 14, "a.nanopool.org", 14);
    ck_assert_int_eq(maxname[237], '.');
    ck_assert(domainset_lookup(ds, maxname, 253, &p, NULL));
    /* A 64-byte label is not a DNS label. */
    char lab[80];
    memset(lab, 'b', 64);
    memcpy(lab + 64, ".nanopool.org", 13);
    ck_assert(!domainset_lookup(ds, lab, 77, &p, NULL));
    ck_assert(domainset_lookup(ds, lab + 1, 76, &p, NULL));
    /* Embedded NUL and spaces are not names. */
    ck_assert(!domainset_lookup(ds, "a\0b.nanopool.org", 16, &p, NULL));
    ck_assert(!domainset_lookup(ds, "a b.nanopool.org", 16, &p, NULL));
    domainset_free(ds);
}
END_TEST

START_TEST(test_name_check)
{
    ck_assert_ptr_null(domainset_name_check("pool.example.com", 16));
    ck_assert_ptr_null(domainset_name_check("pool.example.com.", 17));
    ck_assert_ptr_null(domainset_name_check("_srv.x-1.example.com", 20));
    ck_assert_ptr_nonnull(domainset_name_check("", 0));
    ck_assert_ptr_nonnull(domainset_name_check("com", 3));
    ck_assert_ptr_nonnull(domainset_name_check("-a.com", 6));
    ck_assert_ptr_nonnull(domainset_name_check("a-.com", 6));
    ck_assert_ptr_nonnull(domainset_name_check("a..com", 6));
    ck_assert_ptr_nonnull(domainset_name_check("1.2.3.4", 7));
    ck_assert_ptr_nonnull(domainset_name_check("a.b/c", 5));
    ck_assert_ptr_nonnull(domainset_name_check("a*.com", 6));
    char big[300];
    memset(big, 'a', sizeof big);
    big[10] = '.';
    ck_assert_ptr_nonnull(domainset_name_check(big, 260));
    ck_assert_int_eq(domainset_add(NULL, "a.com", 5, DOMAINSET_SUFFIX, 0, NULL), DOMAINSET_INVALID);
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_scale_one_million)
{
    const size_t n = 1000000;
    double t0 = now_s();
    struct domainset *ds = domainset_new(0); /* no size hint: include the rehash cost */
    ck_assert_ptr_nonnull(ds);
    char name[64];
    size_t failed = 0; /* ck_assert per item would dominate the timing (Check logs each) */
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(name, sizeof name, "h%zx.pool%zu.example%zu.net", i * 2654435761u, i, i % 97);
        failed += domainset_add(ds, name, (size_t)len, DOMAINSET_SUFFIX, (uint32_t)i, NULL) != DOMAINSET_ADDED;
    }
    ck_assert_uint_eq(failed, 0);
    double t1 = now_s();
    size_t mem = domainset_memuse(ds);
    size_t hits = 0;
    for (size_t i = 0; i < n; i += 7) {
        int len = snprintf(name, sizeof name, "x.h%zx.pool%zu.example%zu.net", i * 2654435761u, i, i % 97);
        uint32_t p;
        if (domainset_lookup(ds, name, (size_t)len, &p, NULL) && p == i)
            hits++;
    }
    size_t false_hits = 0;
    for (size_t i = 0; i < 100000; i++) {
        int len = snprintf(name, sizeof name, "miss%zu.example%zu.net", i, i % 97);
        false_hits += (size_t)domainset_lookup(ds, name, (size_t)len, NULL, NULL);
    }
    ck_assert_uint_eq(false_hits, 0);
    double t2 = now_s();
    printf("domainset: %zu names loaded in %.3f s, %.1f MB; %zu+100000 lookups in %.3f s\n", n,
           t1 - t0, (double)mem / 1e6, hits, t2 - t1);
    ck_assert_uint_eq(hits, (n + 6) / 7);
    ck_assert_uint_eq(domainset_count(ds), n);
    /* Load time is a speed claim: bench/run.py measures it (--names-curve), not a timed unit test. */
    ck_assert_uint_lt(mem, 200u << 20);
    domainset_free(ds);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("domainset");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_suffix_label_boundary);
    tcase_add_test(tc, test_case_and_trailing_dot);
    tcase_add_test(tc, test_most_specific_wins);
    tcase_add_test(tc, test_exact_entries);
    tcase_add_test(tc, test_duplicates_and_replace);
    tcase_add_test(tc, test_punycode_and_high_bytes);
    tcase_add_test(tc, test_empty_long_and_hostile);
    tcase_add_test(tc, test_name_check);
    tcase_add_test(tc, test_scale_one_million);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
