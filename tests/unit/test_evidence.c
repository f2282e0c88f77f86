/* test_evidence.c - evidence helpers and the signature registry. */
#include <stdlib.h>
#include <string.h>

#include "core/evidence.h"
#include "unit/check_main.h"

START_TEST(test_ev_set_truncates)
{
    char buf[8];
    mw_ev_set(buf, sizeof buf, "abcdefghijkl", 12);
    ck_assert_str_eq(buf, "abcdefg");
    mw_ev_set(buf, sizeof buf, "xy", 2);
    ck_assert_str_eq(buf, "xy");
    mw_ev_set(buf, sizeof buf, "", 0);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_variant_names)
{
    ck_assert_str_eq(mw_variant_name(MW_VAR_STRATUM1), "stratum1");
    ck_assert_str_eq(mw_variant_name(MW_VAR_TLS_SNI), "tls-sni");
    ck_assert_str_eq(mw_variant_name((enum mw_variant)999), "none");
    for (int v = 0; v < MW_VAR__COUNT; v++)
        ck_assert_ptr_nonnull(mw_variant_name((enum mw_variant)v));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evidence");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ev_set_truncates);
    tcase_add_test(tc, test_variant_names);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
