/* test_listfmt.c - block list importers: each format, malformed lines, detection, shared lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/listfmt.h"
#include "unit/check_main.h"

struct col {
    char names[32][64];
    size_t nnames;
    unsigned plens[32];
    uint16_t ports[32];
    size_t naddrs;
    size_t err_lines[32];
    size_t nerr;
};

static void c_name(void *ctx, const char *n, size_t len, size_t line)
{
    struct col *c = ctx;
    (void)line;
    if (c->nnames < 32 && len < 64) {
        memcpy(c->names[c->nnames], n, len);
        c->names[c->nnames][len] = '\0';
    }
    c->nnames++;
}

static void c_addr(void *ctx, const struct mw_addr *a, unsigned plen, uint16_t port, size_t line)
{
    struct col *c = ctx;
    (void)a;
    (void)line;
    if (c->naddrs < 32) {
        c->plens[c->naddrs] = plen;
        c->ports[c->naddrs] = port;
    }
    c->naddrs++;
}

static void c_err(void *ctx, size_t line, const char *msg)
{
    struct col *c = ctx;
    ck_assert_ptr_nonnull(msg);
    if (c->nerr < 32)
        c->err_lines[c->nerr] = line;
    c->nerr++;
}

static enum listfmt_format run(const char *text, enum listfmt_format fmt, struct col *c,
                               struct listfmt_stats *st)
{
    memset(c, 0, sizeof *c);
    struct listfmt_sink s = { c, c_name, c_addr, c_err };
    return listfmt_parse(text, strlen(text), fmt, &s, st);
}

START_TEST(test_plain)
{
    struct col c;
    struct listfmt_stats st;
    const char *t = "# comment\n"
                    "pool.example.com\n"
                    "\n"
                    "  Stratum.Example.NET  # trailing comment\r\n"
                    "bad..name\n"
                    "hashbag.cc:8688\n"
                    "192.0.2.7\n"
                    "198.51.100.0/24\n"
                    "two fields\n"
                    "*.wild.example.org\n"
                    "m\xc3\xbc.example\n"
                    "last.example.com";
    ck_assert_int_eq(run(t, LISTFMT_PLAIN, &c, &st), LISTFMT_PLAIN);
    ck_assert_uint_eq(c.nnames, 5);
    ck_assert_str_eq(c.names[4], "last.example.com");
    ck_assert_str_eq(c.names[0], "pool.example.com");
    ck_assert_str_eq(c.names[1], "Stratum.Example.NET");
    ck_assert_str_eq(c.names[2], "hashbag.cc");
    ck_assert_str_eq(c.names[3], "wild.example.org");
    ck_assert_uint_eq(c.naddrs, 2);
    ck_assert_uint_eq(c.plens[0], 128);
    ck_assert_uint_eq(c.plens[1], 120);
    ck_assert_uint_eq(c.nerr, 3);
    ck_assert_uint_eq(c.err_lines[0], 5);
    ck_assert_uint_eq(c.err_lines[1], 9);
    ck_assert_uint_eq(c.err_lines[2], 11);
    ck_assert_uint_eq(st.lines, 12);
    ck_assert_uint_eq(st.comments, 2);
    ck_assert_uint_eq(st.rejected, 3);
}
END_TEST

START_TEST(test_hosts)
{
    struct col c;
    struct listfmt_stats st;
    const char *t = "# hosts\n"
                    "127.0.0.1 localhost\n"
                    "::1 localhost ip6-localhost\n"
                    "0.0.0.0 a.example.com b.example.com # two\n"
                    "127.0.0.1\tc.example.com\n"
                    "0.0.0.0\n"
                    "notanip d.example.com\n"
                    "0.0.0.0 bad_-.-x\n"
                    "0.0.0.0 0.0.0.0\n";
    ck_assert_int_eq(run(t, LISTFMT_HOSTS, &c, &st), LISTFMT_HOSTS);
    ck_assert_uint_eq(c.nnames, 3);
    ck_assert_str_eq(c.names[0], "a.example.com");
    ck_assert_str_eq(c.names[1], "b.example.com");
    ck_assert_str_eq(c.names[2], "c.example.com");
    ck_assert_uint_eq(c.nerr, 3);
    ck_assert_uint_eq(c.err_lines[0], 6);
    ck_assert_uint_eq(c.err_lines[1], 7);
    ck_assert_uint_eq(c.err_lines[2], 8);
    ck_assert_uint_eq(st.skipped, 3);
    ck_assert_uint_eq(c.naddrs, 0);
}
END_TEST

START_TEST(test_adblock)
{
    struct col c;
    struct listfmt_stats st;
    const char *t = "[Adblock Plus 2.0]\n"
                    "! Title: x\n"
                    "||coinhive.com^\n"
                    "||miner.example.org^$third-party\n"
                    "||203.0.113.9^$third-party\n"
                    "||path.example.com/miner.js\n"
                    "example.com##.miner-banner\n"
                    "@@||good.example.com^\n"
                    "/coinhive.min.js\n"
                    "||bad..name^\n"
                    "||^\n"
                    "||port.example.net:8080^\n"
                    "||ends.example.net\n"
                    "||wild.example.net^*.js\n";
    ck_assert_int_eq(run(t, LISTFMT_AUTO, &c, &st), LISTFMT_ADBLOCK);
    ck_assert_uint_eq(c.nnames, 4);
    ck_assert_str_eq(c.names[0], "coinhive.com");
    ck_assert_str_eq(c.names[1], "miner.example.org");
    ck_assert_str_eq(c.names[2], "port.example.net");
    ck_assert_str_eq(c.names[3], "ends.example.net");
    ck_assert_uint_eq(c.naddrs, 1);
    ck_assert_uint_eq(c.nerr, 2);
    ck_assert_uint_eq(c.err_lines[0], 10);
    ck_assert_uint_eq(c.err_lines[1], 11);
    ck_assert_uint_eq(st.skipped, 5);
    ck_assert_uint_eq(st.comments, 2);
}
END_TEST

START_TEST(test_ip)
{
    struct col c;
    struct listfmt_stats st;
    const char *t = "# ips\n192.0.2.1\n2001:db8::/32\n10.0.0.1:3333\n[2001:db8::5]:14444\n"
                    "pool.example.com\n10.1.2.3/8\n300.1.1.1\n";
    ck_assert_int_eq(run(t, LISTFMT_IP, &c, &st), LISTFMT_IP);
    ck_assert_uint_eq(c.naddrs, 4);
    ck_assert_uint_eq(c.plens[1], 32);
    ck_assert_uint_eq(c.ports[2], 3333);
    ck_assert_uint_eq(c.ports[3], 14444);
    ck_assert_uint_eq(c.nnames, 0);
    ck_assert_uint_eq(c.nerr, 3);
    ck_assert_uint_eq(c.err_lines[0], 6);
    ck_assert_uint_eq(c.err_lines[1], 7);
    ck_assert_uint_eq(c.err_lines[2], 8);
}
END_TEST

START_TEST(test_detect)
{
    ck_assert_int_eq(listfmt_detect("0.0.0.0 a.com\n0.0.0.0 b.com\n", 28), LISTFMT_HOSTS);
    ck_assert_int_eq(listfmt_detect("# x\n1.2.3.4\n5.6.7.0/24\n", 23), LISTFMT_IP);
    ck_assert_int_eq(listfmt_detect("a.com\nb.com\n1.2.3.4\n", 20), LISTFMT_PLAIN);
    ck_assert_int_eq(listfmt_detect("! c\n||a.com^\n||b.com^\n", 22), LISTFMT_ADBLOCK);
    ck_assert_int_eq(listfmt_detect("", 0), LISTFMT_PLAIN);
    ck_assert_int_eq(listfmt_detect(NULL, 10), LISTFMT_PLAIN);
    enum listfmt_format f;
    ck_assert_int_eq(listfmt_format_from_name("adblock", &f), 0);
    ck_assert_int_eq(f, LISTFMT_ADBLOCK);
    ck_assert_int_eq(listfmt_format_from_name("csv", &f), -1);
}
END_TEST

START_TEST(test_hostile)
{
    struct col c;
    struct listfmt_stats st;
    /* A line past the cap is rejected whole, not split into pieces. */
    size_t n = LISTFMT_LINE_MAX + 100;
    char *big = malloc(n + 20);
    memset(big, 'a', n);
    memcpy(big + n, "\nok.example.com\n", 17);
    ck_assert_int_eq(run(big, LISTFMT_PLAIN, &c, &st), LISTFMT_PLAIN);
    ck_assert_uint_eq(c.nerr, 1);
    ck_assert_uint_eq(c.err_lines[0], 1);
    ck_assert_uint_eq(c.nnames, 1);
    free(big);
    /* Embedded NULs and no final newline. */
    static const char nul[] = "a.example.com\0junk\nb.example.com";
    memset(&c, 0, sizeof c);
    struct listfmt_sink s = { &c, c_name, c_addr, c_err };
    listfmt_parse(nul, sizeof nul - 1, LISTFMT_PLAIN, &s, &st);
    ck_assert_uint_eq(c.nnames, 1);
    ck_assert_uint_eq(c.nerr, 1);
    /* NULL sink callbacks are allowed. */
    listfmt_parse("a.example.com\n", 14, LISTFMT_PLAIN, NULL, &st);
    ck_assert_uint_eq(st.names, 1);
}
END_TEST

struct shared_case {
    const char *file;
    enum listfmt_format expect;
    size_t min_names, min_addrs, max_rejected;
};

START_TEST(test_shared_blocklists)
{
    const char *sd = getenv("MW_SHARED_DIR");
    char probe[1024];
    snprintf(probe, sizeof probe, "%s/blocklists", sd ? sd : "");
    if (!sd || access(probe, R_OK) != 0) {
        printf("test_shared_blocklists: MW_SHARED_DIR/blocklists absent, not run\n");
        return;
    }
    static const struct shared_case cases[] = {
        { "blocklistproject-crypto-hosts.txt", LISTFMT_HOSTS, 1000, 0, 10 },
        { "coinblocker-browser.txt", LISTFMT_PLAIN, 1500, 0, 10 },
        { "coinblocker-list.txt", LISTFMT_PLAIN, 5000, 0, 20 },
        { "coinblocker-ips.txt", LISTFMT_IP, 0, 1000, 5 },
        { "nocoin-adblock.txt", LISTFMT_ADBLOCK, 100, 1, 5 },
        { "nocoin-hosts.txt", LISTFMT_HOSTS, 200, 0, 5 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1200], err[256];
        snprintf(path, sizeof path, "%s/blocklists/%s", sd, cases[i].file);
        struct listfmt_stats st;
        enum listfmt_format used;
        ck_assert_int_eq(listfmt_parse_file(path, LISTFMT_AUTO, NULL, &st, &used, err, sizeof err), 0);
        printf("%-36s %-7s lines %5zu names %5zu addrs %5zu skipped %4zu rejected %zu\n",
               cases[i].file, listfmt_format_name(used), st.lines, st.names, st.addrs, st.skipped,
               st.rejected);
        ck_assert_msg(used == cases[i].expect, "%s detected as %s", cases[i].file, listfmt_format_name(used));
        ck_assert_uint_ge(st.names, cases[i].min_names);
        ck_assert_uint_ge(st.addrs, cases[i].min_addrs);
        ck_assert_uint_le(st.rejected, cases[i].max_rejected);
    }
    char err[256];
    ck_assert_int_eq(listfmt_parse_file("/nonexistent/x.txt", LISTFMT_AUTO, NULL, NULL, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.txt"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("listfmt");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_plain);
    tcase_add_test(tc, test_hosts);
    tcase_add_test(tc, test_adblock);
    tcase_add_test(tc, test_ip);
    tcase_add_test(tc, test_detect);
    tcase_add_test(tc, test_hostile);
    tcase_add_test(tc, test_shared_blocklists);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
