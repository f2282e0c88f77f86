/* test_stats_tree.c - stats counter names: Suricata's where the meaning is the same, the
 * rest under "minewatch", nested by dots, "minewatch" written last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/eve/json.h"
#include "sensor/eve/stats_tree.h"
#include "unit/check_main.h"

static struct stats_tree *t;
static char buf[65536];

static void setup(void)
{
    t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    stats_tree_reset(t);
}

static void teardown(void)
{
    free(t);
}

static const char *render(void)
{
    struct jw w;
    jw_init(&w, buf, sizeof buf);
    jw_object_begin(&w);
    stats_tree_write(t, &w);
    jw_object_end(&w);
    ck_assert_int_gt(jw_finish(&w), 0);
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

START_TEST(test_names)
{
    char b[128];
    ck_assert_str_eq(stats_tree_eve_name("decode.packets", b, sizeof b), "decoder.pkts");
    ck_assert_str_eq(stats_tree_eve_name("decode.icmp", b, sizeof b), "decoder.icmpv4");
    ck_assert_str_eq(stats_tree_eve_name("flow.created", b, sizeof b), "flow.total");
    ck_assert_str_eq(stats_tree_eve_name("stream.gaps", b, sizeof b), "tcp.reassembly_gap");
    ck_assert_str_eq(stats_tree_eve_name("detect.alerts", b, sizeof b), "detect.alert");
    ck_assert_str_eq(stats_tree_eve_name("defrag.ipv6_timeouts", b, sizeof b), "defrag.ipv6.timeouts");
    /* ours, including counters other modules add later (app.<dissector>.<event>) */
    ck_assert_str_eq(stats_tree_eve_name("flow.evicted", b, sizeof b), "minewatch.flow.evicted");
    ck_assert_str_eq(stats_tree_eve_name("app.stratum.bad_json", b, sizeof b), "minewatch.app.stratum.bad_json");
    ck_assert_str_eq(stats_tree_eve_name("worker.id", b, sizeof b), "minewatch.worker.id");
}
END_TEST

START_TEST(test_nesting_and_order)
{
    stats_tree_add(t, "worker.id", 0);
    stats_tree_add(t, "capture.kernel_packets", 7);
    stats_tree_add(t, "decode.packets", 5);
    stats_tree_add(t, "defrag.ipv4_fragments", 2);
    stats_tree_add(t, "defrag.overlap", 1);
    stats_tree_add(t, "defrag.ipv6_fragments", 3);
    stats_tree_add(t, "app.stratum.bad_json", 4);
    stats_tree_add(t, "decode.bytes", 300);
    ck_assert_str_eq(render(), "{\"capture\":{\"kernel_packets\":7},\"decoder\":{\"pkts\":5,\"bytes\":300},"
                               "\"defrag\":{\"ipv4\":{\"fragments\":2},\"ipv6\":{\"fragments\":3}},"
                               "\"minewatch\":{\"worker\":{\"id\":0},\"defrag\":{\"overlap\":1},"
                               "\"app\":{\"stratum\":{\"bad_json\":4}}}}");
    ck_assert_uint_eq(t->refused, 0);
}
END_TEST

START_TEST(test_same_name_sums_and_clash_is_refused)
{
    stats_tree_add(t, "detect.alerts", 2);
    stats_tree_add(t, "detect.alerts", 3);
    /* "x" is a counter, then asked to be a group: refused, never a duplicate key */
    stats_tree_add(t, "x", 1);
    stats_tree_add(t, "x.y", 1);
    stats_tree_add(t, "deep.a.b.c.d.e.f", 1);
    ck_assert_uint_eq(t->refused, 2);
    ck_assert_str_eq(render(), "{\"detect\":{\"alert\":5},\"minewatch\":{\"x\":1}}");
}
END_TEST

START_TEST(test_full_arena_refuses)
{
    char name[32];
    for (int i = 0; i < STATS_TREE_MAX_NODES + 10; i++) {
        snprintf(name, sizeof name, "g.c%d", i);
        stats_tree_add(t, name, 1);
    }
    /* root, "minewatch" and "g" take three nodes */
    ck_assert_uint_eq(t->refused, 10 + 3);
    ck_assert_uint_eq(t->used, STATS_TREE_MAX_NODES);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats_tree");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_nesting_and_order);
    tcase_add_test(tc, test_same_name_sums_and_clash_is_refused);
    tcase_add_test(tc, test_full_arena_refuses);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
