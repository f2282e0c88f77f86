/* test_units.c - the one parser of integers, sizes and durations (core/units.h) that
 * minewatch.yaml and minewatch-update's sources.yaml share. */
#include <stdint.h>

#include "core/units.h"
#include "unit/check_main.h"

START_TEST(test_sizes)
{
    static const struct { const char *s; uint64_t v; } ok[] = {
        { "0", 0 }, { "4096", 4096 }, { "64mb", 64ull << 20 }, { "512kb", 512ull << 10 },
        { "1gb", 1ull << 30 }, { "1GB", 1ull << 30 }, { "2 MB", 2ull << 20 }, { "3k", 3072 },
        { "7b", 7 }, { "1MiB", 1ull << 20 }, { "18446744073709551615", UINT64_MAX },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 1;
        ck_assert_msg(mw_parse_size(ok[i].s, &v) == 0, "%s", ok[i].s);
        ck_assert_uint_eq(v, ok[i].v);
    }
    static const char *const bad[] = { "", "mb", "-1", "1.5mb", "64 m b", "64tb", "0x10",
                                       "18446744073709551616", "17179869184gb", " 5", "5 " };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v;
        ck_assert_msg(mw_parse_size(bad[i], &v) == -1, "'%s' accepted", bad[i]);
    }
    uint64_t u;
    ck_assert_int_eq(mw_parse_uint("0", &u), 0);
    ck_assert_uint_eq(u, 0);
    ck_assert_int_eq(mw_parse_uint("18446744073709551615", &u), 0);
    ck_assert_uint_eq(u, UINT64_MAX);
    static const char *const badu[] = { "", "+1", "-1", "1k", " 1", "1 ", "0x1", "18446744073709551616" };
    for (size_t i = 0; i < sizeof badu / sizeof badu[0]; i++)
        ck_assert_msg(mw_parse_uint(badu[i], &u) == -1, "'%s' accepted", badu[i]);
}
END_TEST

START_TEST(test_durations)
{
    static const struct { const char *s; uint32_t v; } ok[] = {
        { "0", 0 }, { "30", 30 }, { "30s", 30 }, { "10m", 600 }, { "2h", 7200 }, { "1d", 86400 },
        { "3600S", 3600 }, { "4294967295", UINT32_MAX },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint32_t v = 1;
        ck_assert_msg(mw_parse_duration(ok[i].s, &v) == 0, "%s", ok[i].s);
        ck_assert_uint_eq(v, ok[i].v);
    }
    static const char *const bad[] = { "", "s", "-1s", "1.5h", "10ms", "1w", "4294967296",
                                       "71582789m", "2h30m" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t v;
        ck_assert_msg(mw_parse_duration(bad[i], &v) == -1, "'%s' accepted", bad[i]);
    }
}
END_TEST

/* The spellings minewatch-update's sources.yaml documented (one letter, upper case) mean
 * what they meant there. */
START_TEST(test_updater_spellings)
{
    static const struct { const char *s; uint64_t v; } ok[] = {
        { "1K", 1024 }, { "64M", 64ull << 20 }, { "256M", 256ull << 20 }, { "1G", 1ull << 30 },
        { "65536", 65536 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 1;
        ck_assert_msg(mw_parse_size(ok[i].s, &v) == 0, "%s", ok[i].s);
        ck_assert_uint_eq(v, ok[i].v);
    }
}
END_TEST

static Suite *units_suite(void)
{
    Suite *su = suite_create("units");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_sizes);
    tcase_add_test(tc, test_durations);
    tcase_add_test(tc, test_updater_spellings);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return mw_check_run(units_suite());
}
