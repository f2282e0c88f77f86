/* fuzz_worker.c - the whole pipeline (decode, defrag, flow, stream, dissectors, detection,
 * host verdicts, EVE) fed a byte-coded packet sequence through one fresh worker per input.
 *
 * Input: byte 0 picks the link type from decode_dlt_list(), then records until the end:
 *   dt(1) len(2, BE) frame[len]
 *   dt: the packet clock advances dt * 10 ms before the frame; dt 0xff instead advances
 *   700 s and runs housekeeping (flow, stream and defrag timeouts).
 * At the end the worker drains every flow and writes a stats event, so the flow/alert/stats
 * writers run over whatever state the packets left. Caps are tiny so eviction paths run.
 * EVE lines go to /dev/null; nDPI is off (fuzz_appid covers it; it costs 0.1 s per worker). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "sensor/runtime/config.h"
#include "sensor/decode/decode.h"
#include "sensor/detect/netset.h"
#include "sensor/eve/output.h"
#include "sensor/runtime/ruleswap.h"
#include "sensor/runtime/worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mw_config cfg;
static struct netset home_net, dns_servers, proxies;
static struct worker_shared sh;
static volatile sig_atomic_t stop_flag;

static void setup(void)
{
    char err[512];
    config_defaults(&cfg);
    cfg.flow.memcap = 64 * 1024;
    cfg.flow.hash_buckets = 64;
    cfg.defrag.memcap = 32 * 1024;
    cfg.defrag.max_trackers = 8;
    cfg.stream.memcap = 64 * 1024;
    cfg.stream.max_ooo_segments_per_flow = 8;
    cfg.hosts.max_hosts = 16;
    cfg.hosts.max_evidence = 8;
    cfg.ndpi = false;
    cfg.geoip.enabled = false;
    if (netset_add(&home_net, "10.0.0.0/8") != 0 || netset_add(&home_net, "fd00::/8") != 0 ||
        netset_add(&dns_servers, "10.0.0.53") != 0 || netset_add(&proxies, "10.0.0.8") != 0)
        abort();
    const char *files[] = { MW_DEFAULT_RULES_DIR "/pools.yaml", MW_DEFAULT_RULES_DIR "/webminers.yaml",
                            MW_DEFAULT_RULES_DIR "/crypto-general.yaml" };
    struct rules *r = rules_load(files, sizeof files / sizeof files[0], err, sizeof err);
    if (!r) {
        fprintf(stderr, "fuzz_worker: %s\n", err);
        abort();
    }
    struct output_params op;
    memset(&op, 0, sizeof op);
    op.kind = OUTPUT_FILE;
    op.path = "/dev/null";
    struct output *out = output_open(&op, err, sizeof err);
    if (!out) {
        fprintf(stderr, "fuzz_worker: %s\n", err);
        abort();
    }
    sh.cfg = &cfg;
    sh.out = out;
    sh.rules = ruleswap_new(r, 1, NULL);
    if (!sh.rules)
        abort();
    sh.home_net = &home_net;
    sh.dns_servers = &dns_servers;
    sh.proxies = &proxies;
    sh.sensor_name = "fuzz";
    sh.in_iface = "fuzz0";
    sh.stop = &stop_flag;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size < 1)
        return 0;
    const int *dlts;
    unsigned ndlt = decode_dlt_list(&dlts);
    int dlt = dlts[data[0] % ndlt];
    char err[256];
    if (worker_shared_tables_new(&sh, err, sizeof err) != 0)
        abort();
    struct worker *w = worker_new(&sh, 0, err, sizeof err);
    if (!w)
        abort();
    uint64_t ts = 1710324000000000ull;
    size_t off = 1;
    while (size - off >= 3) {
        uint8_t dt = data[off];
        size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (len > size - off)
            len = size - off;
        if (dt == 0xff) {
            ts += 700ull * 1000000u;
            worker_housekeep(w, ts);
        } else {
            ts += (uint64_t)dt * 10000u;
        }
        /* An exactly sized heap copy, so any read past the frame trips ASan. */
        uint8_t *frame = malloc(len ? len : 1);
        if (!frame)
            abort();
        memcpy(frame, data + off, len);
        worker_packet(w, dlt, frame, (uint32_t)len, (uint32_t)len, ts);
        free(frame);
        off += len;
    }
    worker_drain(w, ts + 1);
    worker_stats(w, ts + 2, 10, 0, 0, 0);
    worker_final_hosts(w, ts + 3);
    worker_free(w);
    worker_shared_tables_free(&sh);
    return 0;
}
