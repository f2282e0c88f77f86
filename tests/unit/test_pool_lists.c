/* test_pool_lists.c - the default lists (rules/default/ YAML files) as data: every listed name is
 * a syntactically valid domain with its source line, no general crypto site nor any of a
 * list of well-known non-mining sites is covered by an alerting entry (names match by
 * suffix, so one careless short entry would alert on a whole site), and the coverage the
 * docs promise (pools of the 25 most-mined coins, auto-exchange pools, rentals, browser
 * miners) is there. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rules/rules.h"
#include "unit/check_main.h"

#define MAX_NAMES 2048

struct entry {
    char file[64];
    char name[256];
    unsigned line;
    int has_source;
};

static struct entry entries[MAX_NAMES];
static size_t nentries;

/* Domain entries of one list file: the `name` and `source` keys of each mapping inside a
 * `domains` sequence (docs/rules.md). */
static void collect(const char *path, const char *file)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s", path);
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    int in_domains = 0, depth = 0, domains_depth = -1, want_key = 0;
    char key[64] = "";
    struct entry *cur = NULL;
    for (;;) {
        yaml_event_t ev;
        ck_assert_msg(yaml_parser_parse(&p, &ev), "%s: YAML error", path);
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
            depth++;
            if (t == YAML_SEQUENCE_START_EVENT && strcmp(key, "domains") == 0) {
                in_domains = 1;
                domains_depth = depth;
            }
            if (t == YAML_MAPPING_START_EVENT && in_domains && depth == domains_depth + 1) {
                ck_assert_uint_lt(nentries, MAX_NAMES);
                cur = &entries[nentries++];
                memset(cur, 0, sizeof *cur);
                snprintf(cur->file, sizeof cur->file, "%s", file);
                cur->line = (unsigned)ev.start_mark.line + 1;
            }
            want_key = t == YAML_MAPPING_START_EVENT;
            key[0] = '\0';
        } else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
            if (t == YAML_SEQUENCE_END_EVENT && in_domains && depth == domains_depth)
                in_domains = 0;
            if (t == YAML_MAPPING_END_EVENT && in_domains && depth == domains_depth + 1)
                cur = NULL;
            depth--;
            want_key = 1;
        } else if (t == YAML_SCALAR_EVENT) {
            const char *v = (const char *)ev.data.scalar.value;
            if (want_key) {
                snprintf(key, sizeof key, "%s", v);
                want_key = 0;
            } else {
                if (cur && strcmp(key, "name") == 0)
                    snprintf(cur->name, sizeof cur->name, "%s", v);
                if (cur && strcmp(key, "source") == 0)
                    cur->has_source = v[0] != '\0';
                want_key = 1;
            }
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    fclose(f);
}

static size_t list_files(char paths[][512], char names[][64], size_t max)
{
    DIR *d = opendir(MW_DEFAULT_RULES_DIR);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < max) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) {
            snprintf(paths[n], 512, "%s/%s", MW_DEFAULT_RULES_DIR, de->d_name);
            snprintf(names[n], 64, "%s", de->d_name);
            n++;
        }
    }
    closedir(d);
    return n;
}

static void load_entries(void)
{
    char paths[16][512], names[16][64];
    size_t n = list_files(paths, names, 16);
    ck_assert_uint_ge(n, 4);
    nentries = 0;
    for (size_t i = 0; i < n; i++)
        collect(paths[i], names[i]);
}

/* RFC 1035 section 2.3.1 preferred syntax (letters, digits, hyphen; labels of 1..63 not
 * starting or ending with a hyphen; at most 253 characters), lower case as the lists are
 * written, at least two labels, and a top-level label of letters (or an IDN xn-- label). */
static const char *domain_problem(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return "length";
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            unsigned char c = (unsigned char)s[i];
            if (!(islower(c) || isdigit(c) || c == '-'))
                return "character outside [a-z0-9-.]";
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > 63)
            return "empty or over-long label";
        if (s[start] == '-' || s[i - 1] == '-')
            return "label starts or ends with a hyphen";
        labels++;
        if (i == n) {
            int alpha = 1;
            for (size_t k = start; k < n; k++)
                alpha &= islower((unsigned char)s[k]) != 0;
            if (!alpha && strncmp(s + start, "xn--", 4) != 0)
                return "top-level label is not alphabetic";
        }
        start = i + 1;
    }
    return labels >= 2 ? NULL : "a single label";
}

START_TEST(test_names_are_domains_with_sources)
{
    load_entries();
    ck_assert_uint_ge(nentries, 150); /* the walker saw the lists (190 entries when written) */
    for (size_t i = 0; i < nentries; i++) {
        const struct entry *e = &entries[i];
        const char *why = domain_problem(e->name);
        ck_assert_msg(why == NULL, "%s:%u: \"%s\": %s", e->file, e->line, e->name, why);
        ck_assert_msg(e->has_source, "%s:%u: %s has no source", e->file, e->line, e->name);
    }
}
END_TEST

/* The checker itself: the shapes a careless entry takes are refused. */
START_TEST(test_domain_checker)
{
    static const char *const bad[] = { "", "com", "pool", ".pool.com", "pool.com.", "pool..com",
        "-pool.com", "pool-.com", "Pool.com", "pool_x.com", "pool.c0m", "*.pool.com", "pool.com/x",
        "1.2.3.4", "a.b c" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(domain_problem(bad[i]) != NULL, "accepted \"%s\"", bad[i]);
    char lng[80];
    memset(lng, 'a', 64);
    memcpy(lng + 64, ".com", 5);
    ck_assert_ptr_nonnull(domain_problem(lng));
    static const char *const good[] = { "2miners.com", "666pool.cn", "xmr-eu1.nanopool.org", "xn--80ak6aa92e.com",
        "mining-dutch.nl" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(domain_problem(good[i]) == NULL, "refused \"%s\"", good[i]);
}
END_TEST

/* Every default file except crypto-general (the alerting lists), compiled. */
static struct rules *alerting_rules(void)
{
    char paths[16][512], names[16][64];
    const char *files[16];
    size_t n = list_files(paths, names, 16), k = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], "crypto-general.yaml") != 0)
            files[k++] = paths[i];
    ck_assert_uint_ge(k, 3);
    char err[512];
    struct rules *r = rules_load(files, k, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    return r;
}

static void assert_not_covered(const struct rules *r, const char *name, const char *why)
{
    struct rules_match m;
    char www[300];
    snprintf(www, sizeof www, "www.%s", name);
    const char *const tries[] = { name, www };
    for (int i = 0; i < 2; i++) {
        int hit = rules_match_name(r, tries[i], strlen(tries[i]), &m);
        ck_assert_msg(!hit, "%s \"%s\" is covered by %s entry \"%.*s\" (list %s)", why, tries[i],
                      hit ? m.category_name : "", hit ? (int)m.entry_len : 0, hit ? m.entry : "", hit ? m.list : "");
    }
}

START_TEST(test_general_sites_not_covered)
{
    load_entries();
    struct rules *r = alerting_rules();
    size_t general = 0;
    for (size_t i = 0; i < nentries; i++) {
        if (strcmp(entries[i].file, "crypto-general.yaml") != 0)
            continue;
        assert_not_covered(r, entries[i].name, "crypto-general site");
        general++;
    }
    ck_assert_uint_ge(general, 5);

    char path[600];
    snprintf(path, sizeof path, "%s/../../tests/unit/data/non-mining-sites.txt", MW_DEFAULT_RULES_DIR);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s", path);
    char line[300];
    size_t sites = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n#")] = '\0';
        size_t l = strlen(line);
        while (l && line[l - 1] == ' ')
            line[--l] = '\0';
        if (!l)
            continue;
        ck_assert_msg(domain_problem(line) == NULL, "non-mining-sites.txt: bad name \"%s\"", line);
        assert_not_covered(r, line, "non-mining site");
        sites++;
    }
    fclose(f);
    ck_assert_uint_ge(sites, 80);
    rules_free(r);
}
END_TEST

/* The coverage docs/rules.md promises, host by host (stratum host patterns from each
 * pool's connection page); each must hit an entry of the named category. */
START_TEST(test_coverage)
{
    static const struct {
        const char *host;
        const char *category;
    } want[] = {
        /* BTC (mempool.space ranking) */
        { "stratum.foundryusapool.com", "mining-pool" }, { "ss.antpool.com", "mining-pool" },
        { "btc.viabtc.io", "mining-pool" }, { "btc.f2pool.com", "mining-pool" },
        { "sha256.poolbinance.com", "mining-pool" }, { "btc.marapool.com", "mining-pool" },
        { "btc.spiderpool.com", "mining-pool" }, { "btc.global.luxor.tech", "mining-pool" },
        { "btc.secpool.com", "mining-pool" }, { "stratum.braiins.com", "mining-pool" },
        { "mine.ocean.xyz", "mining-pool" }, { "stratum.ultimuspool.com", "mining-pool" },
        { "btc.ss.poolin.me", "mining-pool" }, { "solo.ckpool.org", "mining-pool" },
        /* LTC+DOGE, BCH, BSV, DASH, DGB, XEC, DCR */
        { "litecoinpool.org", "mining-pool" }, { "ltc.trustpool.cc", "mining-pool" },
        { "stratum.aikapool.com", "mining-pool" }, { "dash.coinmine.pl", "mining-pool" },
        { "digibyte.mining4people.com", "mining-pool" }, { "xec.mining-dutch.nl", "mining-pool" },
        /* XMR */
        { "pool.supportxmr.com", "mining-pool" }, { "xmr-eu1.nanopool.org", "mining-pool" },
        { "pool.hashvault.pro", "mining-pool" }, { "gulf.moneroocean.stream", "mining-pool" },
        { "mine.c3pool.com", "mining-pool" }, { "xmr.2miners.com", "mining-pool" },
        { "stratum-eu.rplant.xyz", "mining-pool" }, { "donate.ssl.xmrig.com", "mining-pool" },
        /* ETC, ETHW, KAS, ALPH, ERG */
        { "etc.2miners.com", "mining-pool" }, { "etc.cruxpool.com", "mining-pool" },
        { "etc.666pool.cn", "mining-pool" }, { "kas.humpool.com", "mining-pool" },
        { "stratum.kaspa-pool.org", "mining-pool" }, { "kas.acc-pool.pw", "mining-pool" },
        { "alph.herominers.com", "mining-pool" }, { "ergo.woolypooly.com", "mining-pool" },
        { "radiant.vipor.net", "mining-pool" },
        /* ZEC, ZEN, BEAM, RVN, FIRO, FLUX, KDA, CKB, SC, HNS */
        { "zec.flypool.org", "mining-pool" }, { "zen.zenmine.pro", "mining-pool" },
        { "beam.leafpool.com", "mining-pool" }, { "rvn.mintpond.com", "mining-pool" },
        { "stratum.ravenminer.com", "mining-pool" }, { "flux.fluxpools.net", "mining-pool" },
        { "kda.poolflare.net", "mining-pool" }, { "ckb.dxpool.com", "mining-pool" },
        { "sia.siamining.com", "mining-pool" }, { "hns.6block.com", "mining-pool" },
        { "na.luckpool.net", "mining-pool" },
        /* multi-coin, auto-exchange and rental */
        { "kawpow.mine.zergpool.com", "mining-pool" }, { "scrypt.na.mine.zpool.ca", "mining-pool" },
        { "prohashing.com", "mining-pool" }, { "rx.unmineable.com", "mining-pool" },
        { "autolykos.auto.nicehash.com", "mining-pool" }, { "hub.miningpoolhub.com", "mining-pool" },
        { "x11.bsod.pw", "mining-pool" }, { "us-east01.miningrigrentals.com", "mining-proxy" },
        /* browser miners after Coinhive */
        { "www.hostingcloud.racing", "web-miner" }, { "rock.cryptaloot.pro", "web-miner" },
        { "pool.coinblind.com", "web-miner" }, { "cdn.cloudcoins.co", "web-miner" },
        { "ws1.bmst.pw", "web-miner" }, { "cryptotab.net", "web-miner" }, { "www.coinimp.com", "web-miner" },
    };
    struct rules *r = alerting_rules();
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct rules_match m;
        int hit = rules_match_name(r, want[i].host, strlen(want[i].host), &m);
        ck_assert_msg(hit, "%s is not covered", want[i].host);
        ck_assert_msg(strcmp(m.category_name, want[i].category) == 0, "%s: %s, want %s", want[i].host,
                      m.category_name, want[i].category);
        ck_assert_msg(m.alert, "%s does not alert", want[i].host);
    }
    rules_free(r);
}
END_TEST

static Suite *pool_lists_suite(void)
{
    Suite *su = suite_create("pool_lists");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_domain_checker);
    tcase_add_test(tc, test_names_are_domains_with_sources);
    tcase_add_test(tc, test_general_sites_not_covered);
    tcase_add_test(tc, test_coverage);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return mw_check_run(pool_lists_suite());
}
