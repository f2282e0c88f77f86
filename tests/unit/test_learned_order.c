/* test_learned_order.c - of two flows to a DNS-learned pool address, the older one takes the
 * alert even when another worker learns the address in the middle of the newer flow's first
 * packet (issue #11; the race workers.equivalence hit 1 run in 100).
 *
 * Two workers share the host and DNS-learned tables, as with --workers 2. Worker 1 sees
 * the demo's connection to 198.51.100.81:14433 (flow A, port 43200) before anyone has
 * learned that address: A waits in worker 1's re-check ring. Then worker 1 gets a second
 * connection to the same pool (flow B, port 43201); while it handles B's first packet,
 * right after it read the table's generation for its re-check, worker 0 handles the DNS
 * answer that teaches the address (this test links with --wrap=dnslearn_generation to
 * play worker 0's part at exactly that point). One thread, which saw the answer first,
 * alerts A (sid 8100106) and throttles B; so must two workers, whatever the interleaving.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "sensor/detect/dnslearn.h"
#include "sensor/detect/netset.h"
#include "sensor/eve/output.h"
#include "sensor/runtime/config.h"
#include "sensor/runtime/ruleswap.h"
#include "sensor/runtime/worker.h"
#include "unit/check_main.h"

struct rec {
    uint8_t data[2048];
    uint32_t len;
    uint64_t ts_us;
};

/* Frames of tests/pcap/data/demo.pcap (pcap, little-endian, Ethernet), numbered from 1. */
static int demo_frame(unsigned no, struct rec *r)
{
    const char *src = getenv("MW_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/pcap/data/demo.pcap", src ? src : MW_SOURCE_DIR_FALLBACK);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t h[24];
    int ok = fread(h, 1, sizeof h, f) == sizeof h;
    for (unsigned i = 1; ok; i++) {
        uint32_t rh[4];
        if (fread(rh, 4, 4, f) != 4 || rh[2] > sizeof r->data)
            break;
        r->len = rh[2];
        r->ts_us = (uint64_t)rh[0] * 1000000u + rh[1];
        if (fread(r->data, 1, r->len, f) != r->len)
            break;
        if (i == no) {
            fclose(f);
            return 0;
        }
    }
    fclose(f);
    return -1;
}

static struct mw_config cfg;
static struct netset home, dns, proxies;
static struct output *out;
static struct worker_shared sh;
static struct worker *w[2];
static volatile sig_atomic_t stop_flag;
static char eve_path[64];

/* Worker 0's part, played once at the next generation read (see the file comment). */
static struct rec answer;
static int answer_pending;

uint64_t __real_dnslearn_generation(const struct dnslearn *t);
uint64_t __wrap_dnslearn_generation(const struct dnslearn *t);
uint64_t __wrap_dnslearn_generation(const struct dnslearn *t)
{
    uint64_t g = __real_dnslearn_generation(t);
    if (answer_pending) {
        answer_pending = 0;
        worker_packet(w[0], 1, answer.data, answer.len, answer.len, answer.ts_us);
    }
    return g;
}

static void rig_open(void)
{
    config_defaults(&cfg);
    cfg.geoip.enabled = false;
    ck_assert_int_eq(netset_add(&home, "10.0.0.0/8"), 0);
    static const char *const files[] = { MW_DEFAULT_RULES_DIR "/pools.yaml" };
    char err[512];
    struct rules *rules = rules_load(files, 1, err, sizeof err);
    ck_assert_msg(rules != NULL, "rules: %s", err);
    snprintf(eve_path, sizeof eve_path, "/tmp/mw-learned-order-%ld.json", (long)getpid());
    struct output_params op = { OUTPUT_FILE, eve_path, 0, 0, NULL, 0 };
    out = output_open(&op, err, sizeof err);
    ck_assert_msg(out != NULL, "output: %s", err);
    sh.cfg = &cfg;
    sh.out = out;
    sh.rules = ruleswap_new(rules, 2, NULL);
    ck_assert_ptr_nonnull(sh.rules);
    sh.home_net = &home;
    sh.dns_servers = &dns;
    sh.proxies = &proxies;
    sh.sensor_name = "learned-order";
    sh.stop = &stop_flag;
    ck_assert_msg(worker_shared_tables_new(&sh, err, sizeof err) == 0, "shared tables: %s", err);
    for (int i = 0; i < 2; i++) {
        w[i] = worker_new(&sh, i, err, sizeof err);
        ck_assert_msg(w[i] != NULL, "worker: %s", err);
    }
}

/* The src_port of every sid 8100106 alert, in file order; returns how many. */
static int rig_close_learned_alerts(int *ports, int max)
{
    for (int i = 0; i < 2; i++)
        worker_drain(w[i], 0);
    for (int i = 0; i < 2; i++)
        worker_free(w[i]);
    worker_shared_tables_free(&sh);
    output_close(out);
    ruleswap_free(sh.rules);
    config_free(&cfg);
    FILE *f = fopen(eve_path, "r");
    ck_assert_ptr_nonnull(f);
    char line[65536];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "\"src_port\":");
        if (strstr(line, "\"event_type\":\"alert\"") && strstr(line, "\"signature_id\":8100106") && p && n < max)
            ports[n++] = atoi(p + 11);
    }
    fclose(f);
    unlink(eve_path);
    return n;
}

START_TEST(older_flow_keeps_its_alert)
{
    struct rec syn_a, syn_b;
    ck_assert_msg(demo_frame(34, &answer) == 0 && demo_frame(35, &syn_a) == 0, "cannot read demo.pcap");
    /* The frames this test relies on: the answer from 10.20.0.53, a SYN to the pool. */
    ck_assert_uint_eq(answer.data[23], 17);
    ck_assert_uint_eq(syn_a.data[23], 6);
    ck_assert_uint_eq(syn_a.data[47], 0x02);
    ck_assert_uint_eq((unsigned)(syn_a.data[34] << 8 | syn_a.data[35]), 43200);
    syn_b = syn_a; /* a second connection to the pool, 1 ms later, from port 43201 */
    syn_b.data[35] = (uint8_t)(syn_b.data[35] + 1);
    syn_b.ts_us += 1000;
    rig_open();
    worker_packet(w[1], 1, syn_a.data, syn_a.len, syn_a.len, syn_a.ts_us); /* nothing learned yet */
    answer_pending = 1;
    worker_packet(w[1], 1, syn_b.data, syn_b.len, syn_b.len, syn_b.ts_us);
    ck_assert_msg(!answer_pending, "the answer was never played: the hook did not run");
    worker_housekeep(w[1], syn_b.ts_us + 200000);
    int ports[8];
    int n = rig_close_learned_alerts(ports, 8);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(ports[0] == 43200, "the DNS-learned alert names the newer flow (port %d), not the older 43200",
                  ports[0]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("learned_order");
    TCase *tc = tcase_create("race");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, older_flow_keeps_its_alert);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
