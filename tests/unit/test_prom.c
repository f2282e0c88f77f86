/* test_prom.c - the Prometheus textfile writer (sensor/eve/prom.c): names and types, the
 * per-signature and per-verdict families, label escaping, atomic replacement, and which
 * stats events it writes with several workers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/signatures.h"
#include "sensor/eve/prom.h"
#include "unit/check_main.h"

static char dir[] = "/tmp/mw_test_promXXXXXX";
static char path[256];

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/minewatch.prom", dir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
    strcpy(dir, "/tmp/mw_test_promXXXXXX");
}

static char *slurp(const char *p)
{
    static char buf[65536];
    FILE *f = fopen(p, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_families_and_values)
{
    char err[256];
    struct prom *p = prom_new(path, 1, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    prom_begin(p);
    prom_counter(p, "worker.id", 0);
    prom_counter(p, "decode.packets", 1234);
    prom_counter(p, "capture.kernel_drops", 7);
    prom_counter(p, "detect.alerts_by_sid.8100001", 3);
    prom_counter(p, "hosts.verdict.likely-miner", 2);
    prom_counter(p, "hosts.verdict.we\"ird\\", 1); /* escaped, whatever the table says */
    prom_counter(p, "minewatch.unrelated", 99);
    ck_assert_int_eq(prom_commit(p, 42), 1);
    const char *t = slurp(path);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(strstr(t, "# TYPE minewatch_packets_total counter\nminewatch_packets_total 1234\n"));
    ck_assert_ptr_nonnull(strstr(t, "# HELP minewatch_kernel_drops_total "));
    ck_assert_ptr_nonnull(strstr(t, "minewatch_kernel_drops_total 7\n"));
    ck_assert_ptr_nonnull(strstr(t, "minewatch_uptime_seconds 42\n"));
    ck_assert_ptr_nonnull(strstr(t, "# TYPE minewatch_alerts_total counter\nminewatch_alerts_total{sid=\"8100001\"} 3\n"));
    ck_assert_ptr_nonnull(strstr(t, "# TYPE minewatch_hosts gauge\nminewatch_hosts{verdict=\"likely-miner\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(t, "minewatch_hosts{verdict=\"we\\\"ird\\\\\"} 1\n"));
    ck_assert_ptr_null(strstr(t, "unrelated"));
    ck_assert_ptr_null(strstr(t, "minewatch_bytes_total")); /* a counter not given is not invented */

    /* the next event replaces the file whole */
    prom_begin(p);
    prom_counter(p, "decode.packets", 2000);
    ck_assert_int_eq(prom_commit(p, 43), 1);
    t = slurp(path);
    ck_assert_ptr_nonnull(strstr(t, "minewatch_packets_total 2000\n"));
    ck_assert_ptr_null(strstr(t, "minewatch_alerts_total"));
    prom_free(p);
}
END_TEST

START_TEST(test_several_workers_write_the_total_only)
{
    char err[256];
    struct prom *p = prom_new(path, 2, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    prom_begin(p);
    prom_counter(p, "worker.id", 1);
    prom_counter(p, "decode.packets", 5);
    ck_assert_int_eq(prom_commit(p, 1), 0);
    struct stat st;
    ck_assert_int_ne(stat(path, &st), 0);
    prom_begin(p);
    prom_counter(p, "decode.packets", 11);
    prom_counter(p, "workers.count", 2);
    ck_assert_int_eq(prom_commit(p, 1), 1);
    ck_assert_ptr_nonnull(strstr(slurp(path), "minewatch_packets_total 11\n"));
    prom_free(p);
}
END_TEST

START_TEST(test_errors)
{
    char err[256];
    ck_assert_ptr_null(prom_new("/nonexistent-dir/x.prom", 1, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.prom"));
    /* the directory goes away: counted, the run goes on */
    struct prom *p = prom_new(path, 1, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(rmdir(dir), 0);
    prom_begin(p);
    ck_assert_int_eq(prom_commit(p, 1), -1);
    ck_assert_uint_eq(prom_write_errors(p), 1);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    ck_assert_int_eq(prom_commit(p, 1), 1);
    prom_free(p);
    /* every signature has its counter slot (sensor/detect/detect.c DETECT_SIGS) */
    size_t n;
    mw_signature_table(&n);
    ck_assert_uint_le(n, 64);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("prom");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_families_and_values);
    tcase_add_test(tc, test_several_workers_write_the_total_only);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
