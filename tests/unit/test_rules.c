/* test_rules.c - YAML rule compilation, error positions, matching and the default set. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/cidr.h"
#include "rules/rules.h"
#include "unit/check_main.h"

static struct rules *load_str(const char *y, char *err, size_t errlen)
{
    return rules_load_buffer(y, strlen(y), "t.yaml", NULL, err, errlen);
}

static struct mw_addr A(const char *s)
{
    struct mw_addr a;
    ck_assert_int_eq(cidr_parse(s, strlen(s), &a, NULL, NULL), CIDR_PARSE_OK);
    return a;
}

static const char *good =
    "version: 1\n"
    "lists:\n"
    "  - name: pools\n"
    "    category: mining-pool\n"
    "    description: test pools\n"
    "    domains:\n"
    "      - nanopool.org\n"
    "      - { name: only.example.org, match: exact, source: \"doc\" }\n"
    "    addresses:\n"
    "      - { cidr: 203.0.113.0/24, port: 3333, comment: \"pool block\" }\n"
    "      - 198.51.100.9\n"
    "  - name: web\n"
    "    category: web-miner\n"
    "    domains: [coinhive.com]\n"
    "  - name: ctx\n"
    "    category: crypto-general\n"
    "    domains: [xmrig.com, nanopool.org]\n"
    "  - name: prox\n"
    "    category: mining-proxy\n"
    "    domains: [proxy.example.net]\n"
    "    addresses: ['[2001:db8::1]:8080']\n"
    "allowlist:\n"
    "  - { name: research, host: 10.1.2.3/32, pool: pool.example.org, comment: \"ticket 123\" }\n"
    "  - { name: lab, host: 10.9.0.0/16 }\n";

START_TEST(test_load_and_match)
{
    char err[512];
    struct rules *r = load_str(good, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    struct rules_match m;
    const char *q = "XMR-EU1.nanopool.org.";
    ck_assert(rules_match_name(r, q, strlen(q), &m));
    ck_assert_str_eq(m.list, "pools"); /* mining-pool outranks the crypto-general duplicate */
    ck_assert_int_eq(m.category, RULES_CAT_MINING_POOL);
    ck_assert_str_eq(m.category_name, "mining-pool");
    ck_assert_int_eq(m.alert, 1);
    ck_assert_uint_eq(m.entry_len, 12);
    ck_assert(strncmp(m.entry, "nanopool.org", 12) == 0);
    ck_assert_str_eq(m.comment, "test pools");
    ck_assert(!rules_match_name(r, "notnanopool.org", 15, &m));
    ck_assert(rules_match_name(r, "only.example.org", 16, &m));
    ck_assert_str_eq(m.comment, "doc");
    ck_assert(!rules_match_name(r, "a.only.example.org", 18, &m));
    ck_assert(rules_match_name(r, "ws1.coinhive.com", 16, &m));
    ck_assert_int_eq(m.category, RULES_CAT_WEB_MINER);
    ck_assert(rules_match_name(r, "xmrig.com", 9, &m));
    ck_assert_int_eq(m.alert, 0);
    ck_assert(rules_match_name(r, "a.proxy.example.net", 19, &m));
    ck_assert_int_eq(m.category, RULES_CAT_MINING_PROXY);

    struct mw_addr a = A("203.0.113.77");
    ck_assert(rules_match_addr(r, &a, 3333, &m));
    ck_assert_str_eq(m.comment, "pool block");
    ck_assert_uint_eq(m.prefix_len, 120);
    ck_assert_ptr_null(m.entry);
    ck_assert(!rules_match_addr(r, &a, 443, &m));
    a = A("198.51.100.9");
    ck_assert(rules_match_addr(r, &a, 0, &m));
    a = A("2001:db8::1");
    ck_assert(rules_match_addr(r, &a, 8080, &m));
    ck_assert_int_eq(m.category, RULES_CAT_MINING_PROXY);

    struct mw_addr h = A("10.1.2.3"), h2 = A("10.1.2.4"), lab = A("10.9.200.1");
    ck_assert(rules_allowed(r, &h, "xmr.pool.example.org"));
    ck_assert(rules_allowed(r, &h, "POOL.example.org."));
    ck_assert_str_eq(rules_allowed_by(r, &h, "pool.example.org"), "research");
    ck_assert(!rules_allowed(r, &h, "notpool.example.org"));
    ck_assert(!rules_allowed(r, &h, NULL));
    ck_assert(!rules_allowed(r, &h2, "pool.example.org"));
    ck_assert(rules_allowed(r, &lab, NULL));
    ck_assert(rules_allowed(r, &lab, "anything.example"));

    struct rules_counts c;
    rules_counts(r, &c);
    ck_assert_uint_eq(c.lists, 4);
    ck_assert_uint_eq(c.domains, 5); /* nanopool.org is listed twice */
    ck_assert_uint_eq(c.addresses, 3);
    ck_assert_uint_eq(c.allow, 2);
    ck_assert_uint_eq(c.duplicates, 1);
    ck_assert_uint_gt(c.memuse, 0);
    rules_free(r);
}
END_TEST

struct bad_case {
    const char *yaml;
    const char *pos;  /* expected "t.yaml:L:C:" prefix */
    const char *text; /* expected substring */
};

START_TEST(test_errors_have_positions)
{
    static const struct bad_case cases[] = {
        { "lists:\n  - name: a\n    category: mining-pool\n    colour: red\n", "t.yaml:4:5:", "unknown key 'colour'" },
        { "lists:\n  - name: a\n    category: pools\n", "t.yaml:3:15:", "unknown category 'pools'" },
        { "lists:\n  - name: a\n    category: mining-pool\n    addresses: [1.2.3.0/33]\n", "t.yaml:4:17:", "bad CIDR" },
        { "lists:\n  - name: a\n    category: mining-pool\n    addresses: [10.1.2.3/8]\n", "t.yaml:4:17:", "bits set" },
        { "lists:\n  - name: a\n    category: mining-pool\n    domains: [bad_domain..org]\n", "t.yaml:4:15:", "bad domain" },
        { "lists:\n  - name: a\n    category: mining-pool\n    domains:\n      - { name: \"m\xc3\xbcnchen.de\" }\n", "t.yaml:5:17:", "punycode" },
        { "lists:\n  - name: a\n    category: mining-pool\n    domains: [{ name: a.com, match: fuzzy }]\n", "t.yaml:4:37:", "match must be" },
        { "lists:\n  - name: a\n    category: mining-pool\n  - name: a\n    category: web-miner\n", "t.yaml:4:11:", "duplicate list name" },
        { "lists:\n  - category: mining-pool\n", "t.yaml:2:5:", "needs a 'name'" },
        { "lists:\n  - name: a\n", "t.yaml:2:5:", "needs a 'category'" },
        { "version: 2\n", "t.yaml:1:10:", "unsupported" },
        { "lists: {a: 1}\n", "t.yaml:1:8:", "must be a sequence" },
        { "lists:\n  - name: a\n    category: mining-pool\n    import: { path: x.txt }\n", "t.yaml:4:21:", "not allowed" },
        { "lists:\n  - [name, a]\n", "t.yaml:2:5:", "must be a mapping" },
        { "lists:\n  - name: a\n    name: b\n", "t.yaml:3:5:", "duplicate key" },
        { "allowlist:\n  - { name: x }\n", "t.yaml:2:5:", "needs a 'host' or a 'pool'" },
        { "allowlist:\n  - { name: x, host: 10.0.0.1:80 }\n", "t.yaml:2:22:", "no port" },
        { "lists:\n  - name: a\n    category: mining-pool\n    addresses: [{ cidr: 1.2.3.4, port: 70000 }]\n", "t.yaml:4:40:", "port" },
        { "lists: [\n", "t.yaml:2:1:", "" },
        { "a: b: c\n", "t.yaml:1:5:", "mapping values" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512] = "";
        struct rules *r = load_str(cases[i].yaml, err, sizeof err);
        ck_assert_msg(r == NULL, "case %zu loaded", i);
        ck_assert_msg(strncmp(err, cases[i].pos, strlen(cases[i].pos)) == 0, "case %zu: got '%s', want '%s'",
                      i, err, cases[i].pos);
        ck_assert_msg(strstr(err, cases[i].text) != NULL, "case %zu: '%s' lacks '%s'", i, err, cases[i].text);
    }
}
END_TEST

START_TEST(test_empty_and_disabled)
{
    char err[256];
    struct rules *r = load_str("", err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert(!rules_match_name(r, "nanopool.org", 12, NULL));
    rules_free(r);
    r = load_str("lists:\n  - { name: a, category: mining-pool, enabled: false, domains: [nanopool.org] }\n",
                 err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert(!rules_match_name(r, "nanopool.org", 12, NULL));
    rules_free(r);
    rules_free(NULL);
    ck_assert(!rules_match_name(NULL, "a.com", 5, NULL));
}
END_TEST

static const char *shared_dir(void)
{
    const char *d = getenv("MW_SHARED_DIR");
    if (!d)
        return NULL;
    char p[1024];
    snprintf(p, sizeof p, "%s/blocklists/nocoin-hosts.txt", d);
    return access(p, R_OK) == 0 ? d : NULL;
}

static int warnings;
static void count_warn(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
    warnings++;
}

START_TEST(test_import_from_file)
{
    const char *sd = shared_dir();
    if (!sd) {
        printf("test_import_from_file: MW_SHARED_DIR/blocklists absent, not run\n");
        return;
    }
    char dir[] = "/tmp/mw-rules-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[1200];
    snprintf(path, sizeof path, "%s/r.yaml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "lists:\n  - name: nocoin\n    category: web-miner\n    import:\n"
               "      - { path: %s/blocklists/nocoin-hosts.txt, format: hosts }\n"
               "      - { path: %s/blocklists/coinblocker-ips.txt }\n", sd, sd);
    fclose(f);
    const char *files[] = { path };
    char err[512];
    warnings = 0;
    struct rules *r = rules_load_ex(files, 1, count_warn, NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    struct rules_counts c;
    rules_counts(r, &c);
    printf("import: %zu names, %zu addresses, %zu rejected, %d warnings\n", c.imported_names,
           c.imported_addrs, c.import_rejected, warnings);
    ck_assert_uint_gt(c.imported_names, 100);
    ck_assert_uint_gt(c.imported_addrs, 500);
    struct rules_match m;
    ck_assert(rules_match_name(r, "abc.pema.cl", 11, &m));
    ck_assert_str_eq(m.list, "nocoin");
    ck_assert_ptr_nonnull(strstr(m.comment, "imported from"));
    rules_free(r);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_import_relative_and_missing)
{
    char dir[] = "/tmp/mw-rules-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256], list[256];
    snprintf(list, sizeof list, "%s/l.txt", dir);
    FILE *f = fopen(list, "w");
    fputs("# mine\npool.one.example\n0.0.0.0 bad line\n192.0.2.0/24\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/r.yaml", dir);
    f = fopen(path, "w");
    fputs("lists:\n  - name: a\n    category: mining-pool\n    import: { path: l.txt, format: plain }\n", f);
    fclose(f);
    const char *files[] = { path };
    char err[512];
    struct rules *r = rules_load(files, 1, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert(rules_match_name(r, "x.pool.one.example", 18, NULL));
    struct mw_addr a = A("192.0.2.200");
    ck_assert(rules_match_addr(r, &a, 0, NULL));
    struct rules_counts c;
    rules_counts(r, &c);
    ck_assert_uint_eq(c.import_rejected, 1);
    rules_free(r);
    f = fopen(path, "w");
    fputs("lists:\n  - name: a\n    category: mining-pool\n    import: { path: missing.txt }\n", f);
    fclose(f);
    r = rules_load(files, 1, err, sizeof err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err, "r.yaml:4:21: cannot import") != NULL, "%s", err);
    const char *nofile[] = { "/nonexistent/rules.yaml" };
    ck_assert_ptr_null(rules_load(nofile, 1, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/rules.yaml"));
    unlink(list);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_default_rules)
{
    const char *dir = MW_DEFAULT_RULES_DIR;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    char paths[32][512];
    const char *files[32];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 32) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) {
            snprintf(paths[n], sizeof paths[n], "%s/%s", dir, de->d_name);
            files[n] = paths[n];
            n++;
        }
    }
    closedir(d);
    ck_assert_uint_ge(n, 3);
    char err[512];
    struct rules *r = rules_load(files, n, err, sizeof err);
    ck_assert_msg(r != NULL, "default rules: %s", err);
    struct rules_counts c;
    rules_counts(r, &c);
    printf("default rules: %zu files, %zu lists, %zu domains, %zu addresses, %zu duplicates, %zu bytes\n",
           c.files, c.lists, c.domains, c.addresses, c.duplicates, c.memuse);
    ck_assert_uint_eq(c.duplicates, 0);
    static const char *const pools[] = { "xmr-eu1.nanopool.org", "pool.supportxmr.com",
        "pool.minexmr.com", "gulf.moneroocean.stream", "stratum.slushpool.com", "btc.f2pool.com",
        "stratum.antpool.com", "etc.2miners.com", "rx.unmineable.com", "randomxmonero.auto.nicehash.com",
        "pool.hashvault.pro", "mine.c3pool.com", "monero.herominers.com", "btc.viabtc.com" };
    struct rules_match m;
    for (size_t i = 0; i < sizeof pools / sizeof pools[0]; i++) {
        ck_assert_msg(rules_match_name(r, pools[i], strlen(pools[i]), &m), "%s not matched", pools[i]);
        ck_assert_msg(m.alert && m.category == RULES_CAT_MINING_POOL, "%s: %s", pools[i], m.category_name);
    }
    static const char *const web[] = { "coinhive.com", "ws001.coinhive.com", "authedmine.com",
        "crypto-loot.com", "www.jsecoin.com", "www.coinimp.com" };
    for (size_t i = 0; i < sizeof web / sizeof web[0]; i++) {
        ck_assert_msg(rules_match_name(r, web[i], strlen(web[i]), &m), "%s not matched", web[i]);
        ck_assert_int_eq(m.category, RULES_CAT_WEB_MINER);
    }
    static const char *const clean[] = { "google.com", "www.google.com", "github.com",
        "raw.githubusercontent.com", "microsoft.com", "binance.com", "www.binance.com",
        "coinbase.com", "kraken.com", "amazonaws.com", "cloudflare.com", "bitcoin.org",
        "btc.com", "bitcoin.com", "wikipedia.org", "braiins.com" };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++)
        ck_assert_msg(!rules_match_name(r, clean[i], strlen(clean[i]), &m), "%s matched list %s",
                      clean[i], m.list);
    /* Miner download sites are context, never an alert. */
    ck_assert(rules_match_name(r, "xmrig.com", 9, &m));
    ck_assert_int_eq(m.alert, 0);
    rules_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_load_and_match);
    tcase_add_test(tc, test_errors_have_positions);
    tcase_add_test(tc, test_empty_and_disabled);
    tcase_add_test(tc, test_import_from_file);
    tcase_add_test(tc, test_import_relative_and_missing);
    tcase_add_test(tc, test_default_rules);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
