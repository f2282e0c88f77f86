/* test_policy.c - which signature and severity a finding raises (sensor/detect/policy.c),
 * and docs/signatures.md against the signature table, row by row, both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/signatures.h"
#include "sensor/detect/policy.h"
#include "unit/check_main.h"

static struct mw_evidence ev_of(enum mw_ev_kind k, enum mw_variant v, uint8_t sides, uint8_t suspicion)
{
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = k;
    ev.variant = v;
    ev.sides = sides;
    ev.suspicion = suspicion;
    return ev;
}

START_TEST(test_every_protocol_variant_has_a_signature)
{
    static const enum mw_variant proto[] = { MW_VAR_STRATUM1, MW_VAR_ETHSTRATUM, MW_VAR_ETHPROXY, MW_VAR_CRYPTONOTE,
                                             MW_VAR_GETWORK, MW_VAR_GBT, MW_VAR_STRATUM2, MW_VAR_WEBMINER };
    for (size_t i = 0; i < sizeof proto / sizeof proto[0]; i++) {
        struct mw_evidence ev = ev_of(MW_EV_PROTOCOL, proto[i], MW_SIDE_CLIENT, 0);
        struct policy_decision pd;
        ck_assert_int_eq(policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd), 1);
        const struct mw_signature *s = mw_signature_find(pd.sid);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_ge(s->rev, 1);
        ck_assert(strncmp(s->msg, "MINEWATCH MINING ", 17) == 0);
    }
    ck_assert_ptr_null(mw_signature_find(2000000));
}
END_TEST

START_TEST(test_protocol_severity)
{
    struct policy_decision pd;
    struct mw_evidence ev = ev_of(MW_EV_PROTOCOL, MW_VAR_STRATUM1, MW_SIDE_CLIENT, 0);
    ck_assert_int_eq(policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd), 1);
    ck_assert_uint_eq(pd.sid, MW_SID_STRATUM1);
    ck_assert_uint_eq(pd.severity, 2); /* one side: held, then 2 */
    ev.sides = MW_SIDE_SERVER;
    policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd);
    ck_assert_uint_eq(pd.severity, 2);
    ev.sides = MW_SIDE_CLIENT | MW_SIDE_SERVER;
    policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd);
    ck_assert_uint_eq(pd.severity, 1); /* both sides confirm */
    ev = ev_of(MW_EV_PROTOCOL, MW_VAR_CRYPTONOTE, MW_SIDE_CLIENT | MW_SIDE_SERVER, 1);
    policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd);
    ck_assert_uint_eq(pd.sid, MW_SID_CRYPTONOTE);
    ck_assert_uint_eq(pd.severity, MW_SEVERITY_SUSPICION); /* a weak signal stays low */
}
END_TEST

START_TEST(test_noise_shape_is_its_own_signature)
{
    struct policy_decision pd;
    struct mw_evidence ev = ev_of(MW_EV_PROTOCOL, MW_VAR_STRATUM2, MW_SIDE_CLIENT | MW_SIDE_SERVER, 1);
    ck_assert_int_eq(policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd), 1);
    ck_assert_uint_eq(pd.sid, MW_SID_STRATUM2_NOISE);
    ck_assert_uint_eq(pd.severity, 3);
    ev.suspicion = 0; /* a cleartext SetupConnection seen later: the real thing */
    policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd);
    ck_assert_uint_eq(pd.sid, MW_SID_STRATUM2);
    ck_assert_uint_eq(pd.severity, 1);
}
END_TEST

START_TEST(test_ndpi_guess_never_alerts)
{
    struct policy_decision pd;
    struct mw_evidence ev = ev_of(MW_EV_PROTOCOL, MW_VAR_NDPI, MW_SIDE_CLIENT, 1);
    ck_assert_int_eq(policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd), 0);
    ck_assert_uint_eq(pd.sid, 0);
    ck_assert_uint_eq(pd.severity, 3); /* still a (weak) host-score finding */
}
END_TEST

START_TEST(test_listed_names_and_addresses)
{
    static const struct {
        enum rules_category cat;
        enum mw_variant v;
        const char *method;
        uint32_t sid;
        uint8_t severity;
    } cases[] = {
        { RULES_CAT_MINING_POOL, MW_VAR_DNS, "", MW_SID_DNS_POOL, 3 },
        { RULES_CAT_MINING_POOL, MW_VAR_TLS_SNI, "", MW_SID_TLS_SNI_POOL, 2 },
        { RULES_CAT_MINING_POOL, MW_VAR_HTTP_HOST, "GET", MW_SID_HTTP_HOST_POOL, 2 },
        { RULES_CAT_MINING_POOL, MW_VAR_HTTP_HOST, "CONNECT", MW_SID_HTTP_CONNECT_POOL, 2 },
        { RULES_CAT_MINING_POOL, MW_VAR_POOL_ADDRESS, "", MW_SID_POOL_ADDRESS, 2 },
        { RULES_CAT_WEB_MINER, MW_VAR_DNS, "", MW_SID_DNS_WEBMINER, 3 },
        { RULES_CAT_WEB_MINER, MW_VAR_TLS_SNI, "", MW_SID_TLS_SNI_WEBMINER, 2 },
        { RULES_CAT_WEB_MINER, MW_VAR_HTTP_HOST, "CONNECT", MW_SID_HTTP_HOST_WEBMINER, 2 },
        { RULES_CAT_WEB_MINER, MW_VAR_POOL_ADDRESS, "", MW_SID_POOL_ADDRESS, 2 },
        { RULES_CAT_MINING_PROXY, MW_VAR_DNS, "", MW_SID_DNS_PROXY, 3 },
        { RULES_CAT_MINING_PROXY, MW_VAR_TLS_SNI, "", MW_SID_TLS_SNI_PROXY, 2 },
        { RULES_CAT_MINING_PROXY, MW_VAR_HTTP_HOST, "POST", MW_SID_HTTP_HOST_PROXY, 2 },
        { RULES_CAT_MINING_PROXY, MW_VAR_POOL_ADDRESS, "", MW_SID_POOL_ADDRESS_PROXY, 2 },
        { RULES_CAT_CRYPTO_GENERAL, MW_VAR_DNS, "", 0, 3 },
        { RULES_CAT_CRYPTO_GENERAL, MW_VAR_TLS_SNI, "", 0, 3 },
        { RULES_CAT_CRYPTO_GENERAL, MW_VAR_POOL_ADDRESS, "", 0, 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mw_evidence ev = ev_of(MW_EV_NAME, cases[i].v, MW_SIDE_CLIENT, 0);
        snprintf(ev.method, sizeof ev.method, "%s", cases[i].method);
        struct policy_decision pd;
        int alert = policy_decide(&ev, POLICY_LISTED, cases[i].cat, &pd);
        ck_assert_msg(alert == (cases[i].sid != 0) && pd.sid == cases[i].sid && pd.severity == cases[i].severity,
                      "case %zu: got sid %u severity %u", i, pd.sid, pd.severity);
    }
    /* A SOCKS CONNECT target, named or given as an address, is judged like an HTTP CONNECT. */
    struct mw_evidence ev = ev_of(MW_EV_NAME, MW_VAR_SOCKS_CONNECT, MW_SIDE_CLIENT, 0);
    struct policy_decision pd;
    ck_assert_int_eq(policy_decide(&ev, POLICY_LISTED, RULES_CAT_MINING_POOL, &pd), 1);
    ck_assert_uint_eq(pd.sid, MW_SID_HTTP_CONNECT_POOL);
    ck_assert_int_eq(policy_decide(&ev, POLICY_LISTED, RULES_CAT_MINING_PROXY, &pd), 1);
    ck_assert_uint_eq(pd.sid, MW_SID_POOL_ADDRESS_PROXY);
    snprintf(ev.pool_host, sizeof ev.pool_host, "coinhive.com");
    ck_assert_int_eq(policy_decide(&ev, POLICY_LISTED, RULES_CAT_WEB_MINER, &pd), 1);
    ck_assert_uint_eq(pd.sid, MW_SID_HTTP_HOST_WEBMINER);
    ck_assert_uint_eq(pd.severity, 2);
    ev = ev_of(MW_EV_NAME, MW_VAR_POOL_ADDRESS, MW_SIDE_CLIENT, 0);
    ck_assert_int_eq(policy_decide(&ev, POLICY_DNS_LEARNED, RULES_CAT_CRYPTO_GENERAL, &pd), 1);
    ck_assert_uint_eq(pd.sid, MW_SID_DNS_LEARNED_ADDRESS);
    ck_assert_uint_eq(pd.severity, 2);
}
END_TEST

/* "1 / 2" (confirmed / one side) or a single number for both. */
static int parse_severity(const char *cell, uint8_t *confirmed, uint8_t *one_side)
{
    unsigned a, b;
    char tail;
    if (sscanf(cell, "%u / %u %c", &a, &b, &tail) == 2) {
        *confirmed = (uint8_t)a;
        *one_side = (uint8_t)b;
        return 0;
    }
    if (sscanf(cell, "%u %c", &a, &tail) == 1) {
        *confirmed = *one_side = (uint8_t)a;
        return 0;
    }
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

START_TEST(test_docs_list_the_table)
{
    const char *src = getenv("MW_SOURCE_DIR");
    ck_assert_msg(src != NULL, "MW_SOURCE_DIR not set (run under ctest)");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/signatures.md", src);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s", path);
    size_t n;
    const struct mw_signature *tab = mw_signature_table(&n);
    int seen[64] = { 0 };
    ck_assert_uint_le(n, 64);
    char line[1024];
    unsigned rows = 0;
    while (fgets(line, sizeof line, f)) {
        /* | sid | rev | variant | signature | severity | */
        if (strncmp(line, "| 81", 4) != 0)
            continue;
        char *cell[7];
        int nc = 0;
        for (char *p = strtok(line + 1, "|"); p && nc < 7; p = strtok(NULL, "|"))
            cell[nc++] = trim(p);
        if (nc && !*cell[nc - 1])
            nc--; /* what follows the closing bar */
        ck_assert_msg(nc == 5, "docs/signatures.md: row with %d cells", nc);
        uint32_t sid = (uint32_t)strtoul(cell[0], NULL, 10);
        size_t i = 0;
        while (i < n && tab[i].sid != sid)
            i++;
        ck_assert_msg(i < n, "docs/signatures.md lists %u, the table does not", sid);
        ck_assert_msg(!seen[i], "docs/signatures.md lists %u twice", sid);
        seen[i] = 1;
        ck_assert_msg(strtoul(cell[1], NULL, 10) == tab[i].rev, "%u: rev %s in the docs, %u in the table", sid,
                      cell[1], tab[i].rev);
        ck_assert_msg(strcmp(cell[3], tab[i].msg) == 0, "%u: docs say '%s', the table '%s'", sid, cell[3], tab[i].msg);
        uint8_t conf, one;
        ck_assert_msg(parse_severity(cell[4], &conf, &one) == 0, "%u: severity '%s'", sid, cell[4]);
        ck_assert_msg(conf == tab[i].severity_confirmed && one == tab[i].severity,
                      "%u: severity '%s' in the docs, %u / %u in the table", sid, cell[4], tab[i].severity_confirmed,
                      tab[i].severity);
        rows++;
    }
    fclose(f);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(seen[i], "signature %u is missing from docs/signatures.md", tab[i].sid);
    ck_assert_uint_eq(rows, n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_every_protocol_variant_has_a_signature);
    tcase_add_test(tc, test_protocol_severity);
    tcase_add_test(tc, test_noise_shape_is_its_own_signature);
    tcase_add_test(tc, test_ndpi_guess_never_alerts);
    tcase_add_test(tc, test_listed_names_and_addresses);
    tcase_add_test(tc, test_docs_list_the_table);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
