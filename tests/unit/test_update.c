/* test_update.c - minewatch-update's sources.yaml parser and the merge/de-duplication of lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/update.h"
#include "unit/check_main.h"

static const char good_yaml[] =
    "version: 1\n"
    "output: gen/generated.yaml\n"
    "cache-dir: /var/cache/mwu\n"
    "pidfile: run/minewatch.pid\n"
    "timeout: 20\n"
    "max-size: 8M\n"
    "max-malformed-percent: 10\n"
    "test-rules: [ /etc/minewatch/rules/pools.yaml ]\n"
    "sources:\n"
    "  - name: coinblocker\n"
    "    url: https://example.org/list.txt\n"
    "    format: plain\n"
    "    category: mining-pool\n"
    "  - { name: local.hosts, path: lists/nocoin-hosts.txt, format: hosts, category: web-miner, optional: true }\n"
    "  - { name: broad, url: \"file:///srv/crypto.txt\", format: hosts, category: crypto-general }\n";

START_TEST(config_good)
{
    struct update_config c;
    char err[512] = "";
    ck_assert_msg(update_config_parse(&c, good_yaml, strlen(good_yaml), "/etc/mw/sources.yaml", err, sizeof err) == 0,
                  "%s", err);
    ck_assert_uint_eq(c.nsrc, 3);
    ck_assert_str_eq(c.output, "/etc/mw/gen/generated.yaml");      /* relative: beside sources.yaml */
    ck_assert_str_eq(c.cache_dir, "/var/cache/mwu");                /* absolute: as given */
    ck_assert_str_eq(c.pidfile, "/etc/mw/run/minewatch.pid");
    ck_assert_uint_eq(c.timeout, 20);
    ck_assert_uint_eq(c.max_size, 8ul << 20);
    ck_assert_uint_eq(c.max_malformed_pct, 10);
    ck_assert_uint_eq(c.ntest_rules, 1);
    ck_assert_str_eq(c.src[0].name, "coinblocker");
    ck_assert_str_eq(c.src[0].url, "https://example.org/list.txt");
    ck_assert_ptr_null(c.src[0].path);
    ck_assert_int_eq(c.src[0].format, LISTFMT_PLAIN);
    ck_assert_int_eq(c.src[0].category, RULES_CAT_MINING_POOL);
    ck_assert_int_eq(c.src[0].optional, 0);
    ck_assert_uint_eq(c.src[0].line, 10);
    ck_assert_str_eq(c.src[1].path, "/etc/mw/lists/nocoin-hosts.txt");
    ck_assert_int_eq(c.src[1].format, LISTFMT_HOSTS);
    ck_assert_int_eq(c.src[1].category, RULES_CAT_WEB_MINER);
    ck_assert_int_eq(c.src[1].optional, 1);
    ck_assert_int_eq(c.src[2].category, RULES_CAT_CRYPTO_GENERAL);
    update_config_free(&c);
}
END_TEST

START_TEST(config_defaults)
{
    static const char y[] = "sources:\n  - { name: a, path: /x, format: ip, category: mining-proxy }\n";
    struct update_config c;
    char err[512] = "";
    ck_assert_msg(update_config_parse(&c, y, strlen(y), "sources.yaml", err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_null(c.output);
    ck_assert_ptr_null(c.pidfile);
    ck_assert_uint_eq(c.timeout, 60);
    ck_assert_uint_eq(c.max_size, 64ul << 20);
    ck_assert_uint_eq(c.max_malformed_pct, 50);
    ck_assert_str_eq(c.src[0].path, "/x");
    update_config_free(&c);

    /* max-size takes the sizes minewatch.yaml takes (core/units.h), not only 8M. */
    static const char y2[] = "max-size: 8 mb\nsources:\n  - { name: a, path: /x, format: ip, category: mining-proxy }\n";
    ck_assert_msg(update_config_parse(&c, y2, strlen(y2), "sources.yaml", err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(c.max_size, 8ul << 20);
    update_config_free(&c);
}
END_TEST

/* Each broken file must fail with the exact place of the problem. */
static const struct {
    const char *yaml, *want;
} bad_cases[] = {
    { "sources:\n  - { name: a, path: /x, format: plain, category: pools }\n",
      "s.yaml:2:51: unknown category 'pools'" },
    { "sources:\n  - { name: a, path: /x, format: csv, category: mining-pool }\n", "s.yaml:2:34: unknown format 'csv'" },
    { "sources:\n  - { name: a, format: plain, category: mining-pool }\n",
      "s.yaml:2:5: source 'a' needs exactly one of 'url' and 'path'" },
    { "sources:\n  - { name: a, path: /x, url: http://h/x, format: plain, category: mining-pool }\n",
      "s.yaml:2:5: source 'a' needs exactly one of" },
    { "sources:\n  - { name: a, url: ftp://h/x, format: plain, category: mining-pool }\n",
      "s.yaml:2:21: url must start with http://, https:// or file://" },
    { "sources:\n  - { name: a, path: /x, format: plain, category: mining-pool, colour: red }\n",
      "s.yaml:2:64: unknown key 'colour' in source" },
    { "sources:\n  - { name: a, path: /x, format: plain, category: mining-pool }\n"
      "  - { name: a, path: /y, format: plain, category: mining-pool }\n",
      "s.yaml:3:13: duplicate source name 'a' (first at line 2)" },
    { "sources:\n  - { name: \"a/b\", path: /x, format: plain, category: mining-pool }\n",
      "s.yaml:2:13: source name 'a/b' must be" },
    { "sources:\n  - { name: a, path: /x, format: plain, category: mining-pool, optional: maybe }\n",
      "s.yaml:2:74: optional must be true or false" },
    { "sources:\n  - { name: a, path: /x, category: mining-pool }\n", "s.yaml:2:5: source 'a' needs a 'format'" },
    { "sources: []\n", "s.yaml:1:10: sources is empty" },
    { "output: x\n", "s.yaml:1:1: no 'sources' list" },
    { "sources:\n  - [ a ]\n", "s.yaml:2:5: source must be a mapping" },
    { "timeout: 0\nsources:\n  - { name: a, path: /x, format: plain, category: mining-pool }\n",
      "s.yaml:1:10: timeout must be a number from 1 to 3600" },
    { "max-size: 99999999999999999999\nsources:\n  - { name: a, path: /x, format: plain, category: mining-pool }\n",
      "s.yaml:1:11: max-size must be a number" },
    { "version: 2\nsources:\n  - { name: a, path: /x, format: plain, category: mining-pool }\n",
      "s.yaml:1:10: unsupported version '2'" },
    { "sources:\n  - { name: a\n", "s.yaml:3:1:" },
    { "", "s.yaml: empty file" },
};

START_TEST(config_errors)
{
    const char *y = bad_cases[_i].yaml;
    struct update_config c;
    char err[512] = "";
    ck_assert_int_eq(update_config_parse(&c, y, strlen(y), "s.yaml", err, sizeof err), -1);
    ck_assert_msg(strncmp(err, bad_cases[_i].want, strlen(bad_cases[_i].want)) == 0, "case %d: got '%s' want '%s'",
                  _i, err, bad_cases[_i].want);
    ck_assert_ptr_null(c.src); /* freed on failure */
}
END_TEST

/* Every prefix of a valid file either parses or fails with a message; never crashes or leaks. */
START_TEST(config_every_prefix)
{
    size_t n = strlen(good_yaml), ok = 0;
    for (size_t i = 0; i <= n; i++) {
        struct update_config c;
        char err[512] = "";
        if (update_config_parse(&c, good_yaml, i, "p.yaml", err, sizeof err) == 0) {
            ok++;
            ck_assert_uint_ge(c.nsrc, 1);
            update_config_free(&c);
        } else {
            ck_assert_msg(strncmp(err, "p.yaml", 6) == 0, "prefix %zu: '%s'", i, err);
        }
    }
    ck_assert_uint_ge(ok, 1);
}
END_TEST

START_TEST(config_nul_byte)
{
    static const char y[] = "sources:\n  - { name: a, path: /x\0y, format: plain, category: mining-pool }\n";
    struct update_config c;
    char err[512] = "";
    ck_assert_int_eq(update_config_parse(&c, y, sizeof y - 1, "s.yaml", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "NUL"));
}
END_TEST

/* ---- merge ---- */

static void add(struct update_merge *m, const char *text, enum listfmt_format fmt, enum rules_category cat,
                size_t src, struct update_source_stats *st)
{
    ck_assert_int_eq(update_merge_add_list(m, text, strlen(text), fmt, cat, src, st), 0);
}

START_TEST(merge_case_and_trailing_dot)
{
    struct update_merge *m = update_merge_new();
    struct update_source_stats st;
    add(m, "Pool.Example.ORG\npool.example.org.\nPOOL.EXAMPLE.ORG.\nother.example.net\n", LISTFMT_PLAIN,
        RULES_CAT_MINING_POOL, 0, &st);
    ck_assert_uint_eq(st.added, 2);
    ck_assert_uint_eq(st.duplicates, 2);
    ck_assert_uint_eq(update_merge_count(m, NULL), 2);
    enum rules_category c;
    ck_assert_int_eq(update_merge_lookup(m, "pool.example.org", &c), 1);
    ck_assert_int_eq(c, RULES_CAT_MINING_POOL);
    ck_assert_int_eq(update_merge_lookup(m, "Pool.Example.ORG", NULL), 0); /* keys are folded */
    /* the same name from a hosts list of another source is a duplicate too */
    add(m, "0.0.0.0 POOL.example.org\n", LISTFMT_HOSTS, RULES_CAT_MINING_POOL, 1, &st);
    ck_assert_uint_eq(st.duplicates, 1);
    ck_assert_uint_eq(update_merge_count(m, NULL), 2);
    update_merge_free(m);
}
END_TEST

/* mining-pool > mining-proxy > web-miner > crypto-general, in whichever order they arrive. */
START_TEST(merge_stronger_category_wins)
{
    static const enum rules_category order[] = { RULES_CAT_CRYPTO_GENERAL, RULES_CAT_WEB_MINER,
                                                 RULES_CAT_MINING_PROXY, RULES_CAT_MINING_POOL };
    for (int strongest_first = 0; strongest_first < 2; strongest_first++) {
        struct update_merge *m = update_merge_new();
        struct update_source_stats st;
        for (int i = 0; i < 4; i++) {
            enum rules_category cat = order[strongest_first ? 3 - i : i];
            add(m, "x.example.com\n198.51.100.0/24\n", LISTFMT_PLAIN, cat, (size_t)i, &st);
            if (i == 0)
                ck_assert_uint_eq(st.added, 2);
            else if (strongest_first)
                ck_assert_uint_eq(st.duplicates, 2);
            else
                ck_assert_uint_eq(st.upgraded, 2);
        }
        enum rules_category c;
        ck_assert_int_eq(update_merge_lookup(m, "x.example.com", &c), 1);
        ck_assert_int_eq(c, RULES_CAT_MINING_POOL);
        ck_assert_int_eq(update_merge_lookup(m, "198.51.100.0/24", &c), 1);
        ck_assert_int_eq(c, RULES_CAT_MINING_POOL);
        size_t per[RULES_CAT__COUNT];
        ck_assert_uint_eq(update_merge_count(m, per), 2);
        ck_assert_uint_eq(per[RULES_CAT_MINING_POOL], 2);
        ck_assert_uint_eq(per[RULES_CAT_CRYPTO_GENERAL], 0);
        update_merge_free(m);
    }
    ck_assert_int_gt(update_category_rank(RULES_CAT_MINING_POOL), update_category_rank(RULES_CAT_MINING_PROXY));
    ck_assert_int_gt(update_category_rank(RULES_CAT_MINING_PROXY), update_category_rank(RULES_CAT_WEB_MINER));
    ck_assert_int_gt(update_category_rank(RULES_CAT_WEB_MINER), update_category_rank(RULES_CAT_CRYPTO_GENERAL));
}
END_TEST

START_TEST(merge_addresses)
{
    struct update_merge *m = update_merge_new();
    struct update_source_stats st;
    add(m, "203.0.113.7\n203.0.113.7/32\n203.0.113.7:3333\n2001:db8::/32\n[2001:db8::1]:4444\n192.0.2.0/24\n",
        LISTFMT_IP, RULES_CAT_MINING_POOL, 0, &st);
    ck_assert_uint_eq(st.lf.addrs, 6);
    ck_assert_uint_eq(st.added, 5); /* 203.0.113.7 and 203.0.113.7/32 are one block */
    ck_assert_int_eq(update_merge_lookup(m, "203.0.113.7/32", NULL), 1);
    ck_assert_int_eq(update_merge_lookup(m, "203.0.113.7/32:3333", NULL), 1);
    ck_assert_int_eq(update_merge_lookup(m, "2001:db8::/32", NULL), 1);
    ck_assert_int_eq(update_merge_lookup(m, "[2001:db8::1]/128:4444", NULL), 1);
    ck_assert_int_eq(update_merge_lookup(m, "192.0.2.0/24", NULL), 1);
    update_merge_free(m);
}
END_TEST

START_TEST(merge_malformed_lines_reported)
{
    struct update_merge *m = update_merge_new();
    struct update_source_stats st;
    add(m, "good.example.com\nbad..name\n-bad.example.com\nalso.good.example\n\xc3\xa9t\xc3\xa9.example\n",
        LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 0, &st);
    ck_assert_uint_eq(st.lf.rejected, 3);
    ck_assert_uint_eq(st.first_bad_line[0], 2);
    ck_assert_uint_eq(st.first_bad_line[1], 3);
    ck_assert_uint_eq(st.first_bad_line[2], 5);
    ck_assert_uint_eq(st.first_bad_line[3], 0);
    ck_assert_str_ne(st.first_bad_msg[0], "");
    /* 3 malformed of 5: more than half -> rejected at 50%, accepted at 60% */
    ck_assert_int_eq(update_source_rejected(&st, 50), 1);
    ck_assert_int_eq(update_source_rejected(&st, 60), 0);
    update_merge_free(m);
}
END_TEST

START_TEST(merge_rejects_empty_and_mostly_bad)
{
    struct update_merge *m = update_merge_new();
    struct update_source_stats st;
    add(m, "# only comments\n\n# nothing else\n", LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 0, &st);
    ck_assert_int_eq(update_source_rejected(&st, 50), 1);         /* zero valid entries */
    ck_assert_int_eq(update_source_rejected(&st, 100), 1);
    add(m, "<html>\n<body>not a list</body>\n</html>\nok.example.com\n", LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 1, &st);
    ck_assert_uint_eq(st.lf.names, 1);
    ck_assert_uint_eq(st.lf.rejected, 3);
    ck_assert_int_eq(update_source_rejected(&st, 50), 1);
    /* exactly half malformed is still accepted at 50% */
    add(m, "a.example.com\nb..x\n", LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 2, &st);
    ck_assert_int_eq(update_source_rejected(&st, 50), 0);
    update_merge_free(m);
}
END_TEST

/* The rendered file loads with the real rule loader and matches under the kept category. */
START_TEST(render_loads_and_matches)
{
    struct update_merge *m = update_merge_new();
    struct update_source_stats st;
    add(m, "||pool.example.com^\n||miner.example.net^$third-party\n", LISTFMT_ADBLOCK, RULES_CAT_WEB_MINER, 0, &st);
    add(m, "pool.example.com\n203.0.113.9:3333\n2001:db8:1::/48\n", LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 1, &st);
    add(m, "0.0.0.0 exchange.example.org\n", LISTFMT_HOSTS, RULES_CAT_CRYPTO_GENERAL, 2, &st);
    struct update_source src[3];
    memset(src, 0, sizeof src);
    snprintf(src[0].name, sizeof src[0].name, "nocoin");
    src[0].category = RULES_CAT_WEB_MINER;
    src[0].format = LISTFMT_ADBLOCK;
    src[0].url = (char *)"https://example.org/nocoin.txt";
    snprintf(src[1].name, sizeof src[1].name, "pools");
    src[1].path = (char *)"/srv/pools.txt";
    snprintf(src[2].name, sizeof src[2].name, "broad");
    src[2].path = (char *)"/srv/broad.txt";
    src[2].category = RULES_CAT_CRYPTO_GENERAL;
    size_t len, len2;
    char *y = update_merge_render(m, src, 3, "2026-01-01T00:00:00Z", &len);
    ck_assert_ptr_nonnull(y);
    ck_assert_ptr_nonnull(strstr(y, "# generated: 2026-01-01T00:00:00Z\n"));
    ck_assert_ptr_nonnull(strstr(y, "nocoin (web-miner, adblock): https://example.org/nocoin.txt"));
    char err[512] = "";
    struct rules *r = rules_load_buffer(y, len, "gen.yaml", NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s\n%s", err, y);
    struct rules_match mt;
    ck_assert_int_eq(rules_match_name(r, "xmr.pool.example.com", 20, &mt), 1);
    ck_assert_str_eq(mt.category_name, "mining-pool"); /* upgraded from web-miner */
    ck_assert_str_eq(mt.list, "update-mining-pool");
    ck_assert_str_eq(mt.comment, "pools");              /* the source that gave the kept category */
    ck_assert_int_eq(rules_match_name(r, "miner.example.net", 17, &mt), 1);
    ck_assert_str_eq(mt.category_name, "web-miner");
    ck_assert_int_eq(rules_match_name(r, "exchange.example.org", 20, &mt), 1);
    ck_assert_int_eq(mt.alert, 0);
    struct mw_addr a = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 9 } };
    ck_assert_int_eq(rules_match_addr(r, &a, 3333, &mt), 1);
    ck_assert_int_eq(rules_match_addr(r, &a, 80, &mt), 0);
    struct mw_addr a6 = { { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 5 } };
    ck_assert_int_eq(rules_match_addr(r, &a6, 0, &mt), 1);
    ck_assert_uint_eq(mt.prefix_len, 48);
    rules_free(r);
    /* same input, another date: only the date line differs; another entry: differs */
    char *y2 = update_merge_render(m, src, 3, "2027-05-05T10:00:00Z", &len2);
    ck_assert_int_eq(update_render_differs(y, len, y2, len2), 0);
    ck_assert_int_ne(len == len2 ? memcmp(y, y2, len) : 1, 0);
    free(y2);
    add(m, "new.example.com\n", LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 1, &st);
    y2 = update_merge_render(m, src, 3, "2026-01-01T00:00:00Z", &len2);
    ck_assert_int_eq(update_render_differs(y, len, y2, len2), 1);
    ck_assert_int_eq(update_render_differs(y, len, y, len - 1), 1);
    free(y2);
    free(y);
    update_merge_free(m);
}
END_TEST

START_TEST(render_is_sorted_and_deterministic)
{
    struct update_merge *a = update_merge_new(), *b = update_merge_new();
    struct update_source_stats st;
    add(a, "c.example.com\na.example.com\nb.example.com\n", LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 0, &st);
    add(b, "b.example.com\nc.example.com\na.example.com\n", LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 0, &st);
    struct update_source src[1];
    memset(src, 0, sizeof src);
    snprintf(src[0].name, sizeof src[0].name, "s");
    src[0].path = (char *)"/s";
    size_t la, lb;
    char *ya = update_merge_render(a, src, 1, "d", &la), *yb = update_merge_render(b, src, 1, "d", &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_int_eq(memcmp(ya, yb, la), 0);
    const char *pa = strstr(ya, "\"a.example.com\""), *pb = strstr(ya, "\"b.example.com\""),
               *pc = strstr(ya, "\"c.example.com\"");
    ck_assert(pa && pb && pc && pa < pb && pb < pc);
    free(ya);
    free(yb);
    update_merge_free(a);
    update_merge_free(b);
}
END_TEST

/* Many entries: the table grows and every entry stays findable. */
START_TEST(merge_grows)
{
    struct update_merge *m = update_merge_new();
    size_t n = 20000, cap = n * 32;
    char *text = malloc(cap), *p = text;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "h%zu.example.com\n", i);
    struct update_source_stats st;
    ck_assert_int_eq(update_merge_add_list(m, text, (size_t)(p - text), LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 0, &st), 0);
    ck_assert_uint_eq(st.added, n);
    ck_assert_uint_eq(update_merge_count(m, NULL), n);
    char k[64];
    for (size_t i = 0; i < n; i += 997) {
        snprintf(k, sizeof k, "h%zu.example.com", i);
        ck_assert_int_eq(update_merge_lookup(m, k, NULL), 1);
    }
    ck_assert_int_eq(update_merge_lookup(m, "h20000.example.com", NULL), 0);
    free(text);
    update_merge_free(m);
}
END_TEST

/* ---- summary, list info, exports ---- */

static char *render_of(const char *plain, const char *second, size_t *len, struct update_source *src)
{
    struct update_merge *m = update_merge_new();
    struct update_source_stats st;
    add(m, plain, LISTFMT_PLAIN, RULES_CAT_MINING_POOL, 0, &st);
    if (second)
        add(m, second, LISTFMT_PLAIN, RULES_CAT_WEB_MINER, 1, &st);
    memset(src, 0, 2 * sizeof *src);
    snprintf(src[0].name, sizeof src[0].name, "pools");
    snprintf(src[1].name, sizeof src[1].name, "web");
    src[0].path = src[1].path = (char *)"/x";
    char *y = update_merge_render(m, src, 2, "2026-01-01T00:00:00Z", len);
    update_merge_free(m);
    ck_assert_ptr_nonnull(y);
    return y;
}

START_TEST(summary_counts_changes)
{
    struct update_source src[2];
    size_t ol, nl;
    char *old = render_of("a.example.com\nb.example.com\n203.0.113.0/24\n", "w.example.net\n", &ol, src);
    /* b removed, c added, the block kept; w moves from web-miner (source web) to mining-pool */
    char *cur = render_of("a.example.com\nc.example.com\n203.0.113.0/24\nw.example.net\n", NULL, &nl, src);
    struct update_summary sm;
    ck_assert_int_eq(update_render_summary(old, ol, cur, nl, src, 2, &sm), 0);
    ck_assert_uint_eq(sm.cat[RULES_CAT_MINING_POOL].entries, 4);
    ck_assert_uint_eq(sm.cat[RULES_CAT_MINING_POOL].added, 2);   /* c, w */
    ck_assert_uint_eq(sm.cat[RULES_CAT_MINING_POOL].removed, 1); /* b */
    ck_assert_uint_eq(sm.cat[RULES_CAT_WEB_MINER].entries, 0);
    ck_assert_uint_eq(sm.cat[RULES_CAT_WEB_MINER].removed, 1);   /* w */
    ck_assert_uint_eq(sm.src[0].entries, 4);
    ck_assert_uint_eq(sm.src[0].added, 2);
    ck_assert_uint_eq(sm.src[1].removed, 1);
    update_summary_free(&sm);
    /* no previous file: everything is added */
    ck_assert_int_eq(update_render_summary(NULL, 0, cur, nl, src, 2, &sm), 0);
    ck_assert_uint_eq(sm.cat[RULES_CAT_MINING_POOL].added, 4);
    ck_assert_uint_eq(sm.cat[RULES_CAT_MINING_POOL].removed, 0);
    update_summary_free(&sm);
    free(old);
    free(cur);
}
END_TEST

static const char export_rules_yaml[] =
    "version: 1\n"
    "lists:\n"
    "  - name: p\n"
    "    category: mining-pool\n"
    "    domains: [ pool.example.com, { name: one.example.net, match: exact }, ok.example.org ]\n"
    "    addresses: [ 198.51.100.0/24, 198.51.100.128/25, \"203.0.113.5:3333\", 10.9.0.0/16, \"2001:db8::/32\" ]\n"
    "  - name: g\n"
    "    category: crypto-general\n"
    "    domains: [ exchange.example.com ]\n"
    "    addresses: [ 192.0.2.0/24 ]\n"
    "  - name: off\n"
    "    category: mining-pool\n"
    "    enabled: false\n"
    "    domains: [ disabled.example.com ]\n"
    "allowlist:\n"
    "  - { name: lab, host: 10.9.8.7/32 }\n"
    "  - { name: ok, pool: x.ok.example.org }\n";

START_TEST(list_info_names_active_lists)
{
    char err[256];
    struct rules *r = rules_load_buffer(export_rules_yaml, sizeof export_rules_yaml - 1, "e.yaml", NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_uint_eq(rules_list_count(r), 2); /* the disabled list is not active */
    struct rules_list_info li;
    ck_assert_int_eq(rules_list_info(r, 0, &li), 0);
    ck_assert_str_eq(li.name, "p");
    ck_assert_str_eq(li.file, "e.yaml");
    ck_assert_uint_eq(li.names, 3);
    ck_assert_uint_eq(li.addresses, 5);
    ck_assert_int_eq(rules_list_info(r, 1, &li), 0);
    ck_assert_int_eq(li.category, RULES_CAT_CRYPTO_GENERAL);
    ck_assert_int_eq(rules_list_info(r, 2, &li), -1);
    rules_free(r);
}
END_TEST

START_TEST(export_formats)
{
    char err[256];
    struct rules *r = rules_load_buffer(export_rules_yaml, sizeof export_rules_yaml - 1, "e.yaml", NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    static const char learned_txt[] = "# learned\n198.18.0.1 a.pool.example.com\n\n198.18.0.2 exchange.example.com\n"
                                      "198.18.0.3 y.x.ok.example.org\n";
    struct update_learned *l;
    size_t nl;
    ck_assert_int_eq(update_learned_parse(learned_txt, sizeof learned_txt - 1, "l.txt", &l, &nl, err, sizeof err), 0);
    ck_assert_uint_eq(nl, 3);
    struct update_export_stats st;
    size_t len;
    char *t = update_export(r, UPDATE_EXPORT_RPZ, l, nl, 7, &st, &len);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(strstr(t, "( 7 3600"));
    ck_assert_ptr_nonnull(strstr(t, "\npool.example.com CNAME .\n*.pool.example.com CNAME .\n"));
    ck_assert_ptr_nonnull(strstr(t, "\none.example.net CNAME .\n"));
    ck_assert_ptr_null(strstr(t, "*.one.example.net"));
    ck_assert_ptr_null(strstr(t, "ok.example.org"));       /* above an allowlisted pool */
    ck_assert_ptr_null(strstr(t, "exchange.example.com")); /* crypto-general */
    ck_assert_ptr_null(strstr(t, "disabled.example.com"));
    ck_assert_uint_eq(st.names, 2);
    free(t);
    t = update_export(r, UPDATE_EXPORT_NFT, l, nl, 7, &st, &len);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(strstr(t, "elements = { 198.18.0.1/32,\n"));
    ck_assert_ptr_nonnull(strstr(t, "198.51.100.0/24 }"));
    ck_assert_ptr_null(strstr(t, "198.51.100.128/25"));    /* inside the /24: one interval */
    ck_assert_ptr_null(strstr(t, "10.9.0.0/16"));          /* holds an allowlisted host */
    ck_assert_ptr_null(strstr(t, "192.0.2.0"));
    ck_assert_ptr_null(strstr(t, "198.18.0.2"));           /* learned under a crypto-general name */
    ck_assert_ptr_null(strstr(t, "198.18.0.3"));           /* learned under an allowlisted pool */
    ck_assert_ptr_nonnull(strstr(t, "203.0.113.5/32 . 3333"));
    ck_assert_ptr_nonnull(strstr(t, "2001:db8::/32"));
    ck_assert_uint_eq(st.learned, 1);
    ck_assert_uint_eq(st.learned_unlisted, 1);
    free(t);
    t = update_export(r, UPDATE_EXPORT_IPSET, l, nl, 7, &st, &len);
    ck_assert_ptr_nonnull(strstr(t, "add minewatch-pool4-ports 203.0.113.5/32,tcp:3333\n"));
    free(t);
    t = update_export(r, UPDATE_EXPORT_UNBOUND, l, nl, 7, &st, &len);
    ck_assert_ptr_nonnull(strstr(t, "local-zone: \"pool.example.com.\" always_nxdomain\n"));
    ck_assert_ptr_nonnull(strstr(t, "local-zone: \"one.example.net.\" transparent\n"));
    free(t);
    free(l);
    static const char *const bad[] = { "198.18.0.1\n", "198.18.0.0/24 a.example.com\n", "x a.example.com\n",
                                       "198.18.0.1 -bad-.example.com\n", "198.18.0.1:80 a.example.com\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(update_learned_parse(bad[i], strlen(bad[i]), "l.txt", &l, &nl, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "l.txt:1: "));
    rules_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("update");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, config_good);
    tcase_add_test(tc, config_defaults);
    tcase_add_loop_test(tc, config_errors, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, config_every_prefix);
    tcase_add_test(tc, config_nul_byte);
    suite_add_tcase(s, tc);
    tc = tcase_create("merge");
    tcase_add_test(tc, merge_case_and_trailing_dot);
    tcase_add_test(tc, merge_stronger_category_wins);
    tcase_add_test(tc, merge_addresses);
    tcase_add_test(tc, merge_malformed_lines_reported);
    tcase_add_test(tc, merge_rejects_empty_and_mostly_bad);
    tcase_add_test(tc, render_loads_and_matches);
    tcase_add_test(tc, render_is_sorted_and_deterministic);
    tcase_add_test(tc, merge_grows);
    tcase_add_test(tc, summary_counts_changes);
    tcase_add_test(tc, list_info_names_active_lists);
    tcase_add_test(tc, export_formats);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
