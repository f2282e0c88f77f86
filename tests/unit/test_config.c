/* test_config.c - minewatch.yaml loading: defaults, every key, exact error positions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "sensor/runtime/config.h"
#include "unit/check_main.h"

static struct mw_config cfg;
static char err[512];

static int load(const char *yaml)
{
    config_defaults(&cfg);
    err[0] = '\0';
    return config_load_buffer(&cfg, "t.yaml", yaml, strlen(yaml), err, sizeof err);
}

/* The load must fail with exactly this message. */
#define LOAD_ERR(yaml, msg)                                                    \
    do {                                                                       \
        ck_assert_int_eq(load(yaml), -1);                                      \
        ck_assert_str_eq(err, msg);                                            \
    } while (0)

START_TEST(test_defaults)
{
    config_defaults(&cfg);
    char host[256] = "";
    gethostname(host, sizeof host);
    if (host[0])
        ck_assert_str_eq(cfg.sensor_name, host);
    ck_assert_uint_eq(cfg.home_net.count, 4);
    ck_assert_uint_eq(cfg.home_net.net[0].family, 4);
    ck_assert_uint_eq(cfg.home_net.net[0].prefix, 8);
    ck_assert_uint_eq(cfg.home_net.net[0].addr[0], 10);
    ck_assert_uint_eq(cfg.home_net.net[1].prefix, 12);
    ck_assert_uint_eq(cfg.home_net.net[3].family, 6);
    ck_assert_uint_eq(cfg.home_net.net[3].prefix, 7);
    ck_assert_uint_eq(cfg.home_net.net[3].addr[0], 0xfc);
    ck_assert_uint_eq(cfg.dns_servers.count, 0);
    ck_assert_uint_eq(cfg.proxies.count, 0);
    ck_assert_str_eq(cfg.default_log_dir, "/var/log/minewatch");
    ck_assert(!cfg.capture.has_interface);
    ck_assert_uint_eq(cfg.capture.snaplen, 65535);
    ck_assert_uint_eq(cfg.capture.buffer_size, 64u << 20);
    ck_assert(cfg.capture.promiscuous);
    ck_assert_str_eq(cfg.capture.bpf_filter, "");
    ck_assert_uint_eq(cfg.capture.workers, 1);
    ck_assert_uint_eq(cfg.capture.fanout_group, 0);
    ck_assert(cfg.outputs.eve.enabled);
    ck_assert_int_eq(cfg.outputs.eve.type, MW_EVE_FILE);
    ck_assert_str_eq(cfg.outputs.eve.filename, "eve.json");
    ck_assert_str_eq(cfg.outputs.eve.path, "");
    ck_assert_int_eq(cfg.outputs.eve.syslog_facility, LOG_LOCAL5);
    ck_assert_int_eq(cfg.outputs.eve.syslog_level, LOG_INFO);
    ck_assert(cfg.outputs.eve.community_id);
    ck_assert_uint_eq(cfg.outputs.eve.community_id_seed, 0);
    ck_assert(cfg.stats.enabled);
    ck_assert_uint_eq(cfg.stats.interval, 60);
    ck_assert_uint_eq(cfg.flow.memcap, 32u << 20);
    ck_assert_uint_eq(cfg.flow.hash_buckets, 65536);
    ck_assert_uint_eq(cfg.flow.evict_batch, 64);
    ck_assert_uint_eq(cfg.flow.timeout_tcp_new, 30);
    ck_assert_uint_eq(cfg.flow.timeout_tcp_established, 3600);
    ck_assert_uint_eq(cfg.flow.timeout_tcp_closed, 30);
    ck_assert_uint_eq(cfg.flow.timeout_udp, 120);
    ck_assert_uint_eq(cfg.flow.timeout_icmp, 30);
    ck_assert_uint_eq(cfg.flow.timeout_other, 60);
    ck_assert_uint_eq(cfg.defrag.memcap, 16u << 20);
    ck_assert_uint_eq(cfg.defrag.max_trackers, 4096);
    ck_assert_uint_eq(cfg.defrag.timeout_s, 30);
    ck_assert_uint_eq(cfg.stream.memcap, 16u << 20);
    ck_assert_uint_eq(cfg.stream.depth, 1u << 20);
    ck_assert_uint_eq(cfg.detect.buffer_size, 16u << 10);
    ck_assert_uint_eq(cfg.stream.max_ooo_segments_per_flow, 64);
    ck_assert_uint_eq(cfg.detect.confirm_hold_us, 30ull * 1000000u);
    ck_assert(!cfg.ndpi); /* opt-in */
    ck_assert(cfg.rules.directory[0] != '\0');
    ck_assert_uint_eq(cfg.rules.files.count, 0);
    ck_assert_uint_eq(cfg.rules.allowlist_files.count, 0);
    ck_assert(!cfg.hosts.track_all);
    ck_assert_uint_eq(cfg.hosts.max_hosts, 65536);
    ck_assert_uint_eq(cfg.hosts.max_evidence, 16);
    ck_assert_uint_eq(cfg.hosts.report_interval_us, 3600ull * 1000000u);
    ck_assert_uint_eq(cfg.hosts.throttle_window_us, 3600ull * 1000000u);
    ck_assert_uint_eq(cfg.alerts.nsuppress, 0);
    ck_assert(cfg.geoip.enabled);
    ck_assert_str_eq(cfg.geoip.country_database, "");
    ck_assert_str_eq(cfg.run_as.user, "");
    ck_assert_str_eq(cfg.daemon.pidfile, "/run/minewatch/minewatch.pid"); /* dist/minewatch.service */
    config_free(&cfg);
}
END_TEST

START_TEST(test_example_file_loads)
{
    const char *src = getenv("MW_SOURCE_DIR");
    ck_assert_msg(src != NULL, "MW_SOURCE_DIR not set (run under ctest)");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/minewatch.yaml", src);
    config_defaults(&cfg);
    int rc = config_load(&cfg, path, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_str_eq(cfg.sensor_name, "campus-sensor-1");
    ck_assert_uint_eq(cfg.home_net.count, 4);
    ck_assert_uint_eq(cfg.flow.timeout_tcp_established, 3600);
    config_free(&cfg);
}
END_TEST

/* docs/minewatch.yaml shows every key with its default: loaded onto an all-zero
 * configuration it must give, field by field, what config_defaults() and each module's
 * defaults function give. A key missing from the file stays 0 and shows up here too. */
#define SAME(field) ck_assert_msg(memcmp(&got->field, &want->field, sizeof got->field) == 0, \
                                  "docs/minewatch.yaml and the built-in default differ: %s", #field)

START_TEST(test_example_file_is_the_defaults)
{
    const char *src = getenv("MW_SOURCE_DIR");
    ck_assert_msg(src != NULL, "MW_SOURCE_DIR not set (run under ctest)");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/minewatch.yaml", src);
    static struct mw_config zero, def;
    struct mw_config *got = &zero, *want = &def;
    memset(got, 0, sizeof *got);
    ck_assert_msg(config_load(got, path, err, sizeof err) == 0, "%s", err);
    config_defaults(want);

    /* The modules' own defaults, as a module run without -c uses them. */
    struct flow_params fp;
    flow_params_default(&fp);
    struct stream_params sp;
    stream_params_default(&sp);
    struct defrag_params dp = defrag_params_default();
    struct detect_params tp;
    detect_params_default(&tp);
    struct hosts_params hp;
    hosts_params_default(&hp);
    ck_assert(memcmp(&want->flow, &fp, sizeof fp) == 0);
    ck_assert(memcmp(&want->stream, &sp, sizeof sp) == 0);
    ck_assert(memcmp(&want->defrag, &dp, sizeof dp) == 0);
    ck_assert(memcmp(&want->detect, &tp, sizeof tp) == 0);
    ck_assert(memcmp(&want->hosts, &hp, sizeof hp) == 0);

    /* sensor-name: the example names a sensor, the default is the hostname.
     * rules.directory: commented out in the example (built into the binary). Not keys:
     * flow.housekeep_budget, detect.max_buffers, hosts.ceiling_window_us. */
    SAME(home_net);
    SAME(dns_servers);
    SAME(proxies);
    SAME(default_log_dir);
    SAME(capture);
    SAME(outputs);
    SAME(stats);
    SAME(flow.memcap);
    SAME(flow.hash_buckets);
    SAME(flow.evict_batch);
    SAME(flow.timeout_tcp_new);
    SAME(flow.timeout_tcp_established);
    SAME(flow.timeout_tcp_closed);
    SAME(flow.timeout_udp);
    SAME(flow.timeout_icmp);
    SAME(flow.timeout_other);
    SAME(defrag.memcap);
    SAME(defrag.max_trackers);
    SAME(defrag.timeout_s);
    SAME(stream.memcap);
    SAME(stream.depth);
    SAME(stream.max_ooo_segments_per_flow);
    SAME(detect.buffer_size);
    SAME(detect.confirm_hold_us);
    SAME(ndpi);
    SAME(detect.behave.enabled);
    SAME(rules.files);
    SAME(rules.allowlist_files);
    SAME(hosts.track_all);
    SAME(hosts.max_hosts);
    SAME(hosts.max_evidence);
    SAME(hosts.report_interval_us);
    SAME(hosts.throttle_window_us);
    SAME(hosts.max_overflow_hosts);
    SAME(hosts.host_ceiling);
    SAME(alerts.nsuppress);
    SAME(geoip);
    SAME(run_as);
    SAME(daemon);
}
END_TEST

static const char full_yaml[] =
    "sensor-name: s1\n"
    "home-net: [10.1.0.0/16, 2001:db8::/32, 192.0.2.7]\n"
    "dns-servers:\n  - 10.1.0.53\n  - 2001:db8::53\n"
    "proxies: [10.1.0.8/32]\n"
    "default-log-dir: /tmp/mwlog\n"
    "capture:\n  interface: eth1\n  snaplen: 1514\n  buffer-size: 512kb\n"
    "  promiscuous: off\n  bpf-filter: \"not port 22\"\n  workers: 4\n  fanout-group: 77\n"
    "outputs:\n  eve:\n    enabled: true\n    type: unix_stream\n    filename: x.json\n"
    "    path: /run/mw.sock\n    syslog-facility: daemon\n    syslog-level: Warning\n"
    "    community-id: no\n    community-id-seed: 9\n"
    "stats: {enabled: no, interval: 5m}\n"
    "flow:\n  memcap: 1gb\n  hash-buckets: 1024\n  evict-batch: 8\n"
    "  timeouts: {tcp-new: 1, tcp-established: 2h, tcp-closed: 3s, udp: 4m, icmp: 5, default: 1d}\n"
    "defrag: {memcap: 1mb, max-trackers: 10, timeout: 7s}\n"
    "stream: {memcap: 2mb, depth: 64kb, buffer-size: 4kb, max-ooo-segments: 0}\n"
    "detect: {confirm-hold: 0, ndpi: off}\n"
    "rules:\n  directory: /etc/mw/rules\n  files: [pools.list, ips.list]\n"
    "  allowlist-files: [allow.list]\n"
    "hosts: {track-all: yes, max-hosts: 100, max-evidence: 4, report-interval: 30m}\n"
    "alerts:\n  throttle-window: 0\n  suppress:\n"
    "    - {sid: 9000001, host: 10.1.2.3}\n    - {pool: pool.example.org}\n"
    "    - {host: 2001:db8::/64}\n"
    "geoip: {enabled: no, country-database: /g/c.mmdb, city-database: /g/ci.mmdb, "
    "asn-database: /g/a.mmdb}\n"
    "run-as: {user: nobody, group: nogroup}\n"
    "daemon: {pidfile: /tmp/mw.pid, log-file: /var/log/mw/minewatch.log}\n";

START_TEST(test_full_file)
{
    ck_assert_msg(load(full_yaml) == 0, "%s", err);
    ck_assert_str_eq(cfg.sensor_name, "s1");
    ck_assert_uint_eq(cfg.home_net.count, 3);
    ck_assert_uint_eq(cfg.home_net.net[0].addr[1], 1);
    ck_assert_uint_eq(cfg.home_net.net[0].prefix, 16);
    ck_assert_uint_eq(cfg.home_net.net[1].family, 6);
    ck_assert_uint_eq(cfg.home_net.net[1].addr[0], 0x20);
    ck_assert_uint_eq(cfg.home_net.net[1].addr[3], 0xb8);
    ck_assert_uint_eq(cfg.home_net.net[2].prefix, 32);
    ck_assert_uint_eq(cfg.home_net.net[2].addr[3], 7);
    ck_assert_uint_eq(cfg.dns_servers.count, 2);
    ck_assert_uint_eq(cfg.dns_servers.net[1].prefix, 128);
    ck_assert_uint_eq(cfg.proxies.count, 1);
    ck_assert_str_eq(cfg.default_log_dir, "/tmp/mwlog");
    ck_assert(cfg.capture.has_interface);
    ck_assert_str_eq(cfg.capture.interface, "eth1");
    ck_assert_uint_eq(cfg.capture.snaplen, 1514);
    ck_assert_uint_eq(cfg.capture.buffer_size, 512 * 1024);
    ck_assert(!cfg.capture.promiscuous);
    ck_assert_str_eq(cfg.capture.bpf_filter, "not port 22");
    ck_assert_uint_eq(cfg.capture.workers, 4);
    ck_assert_uint_eq(cfg.capture.fanout_group, 77);
    ck_assert(cfg.outputs.eve.enabled);
    ck_assert_int_eq(cfg.outputs.eve.type, MW_EVE_UNIX_STREAM);
    ck_assert_str_eq(cfg.outputs.eve.filename, "x.json");
    ck_assert_str_eq(cfg.outputs.eve.path, "/run/mw.sock");
    ck_assert_int_eq(cfg.outputs.eve.syslog_facility, LOG_DAEMON);
    ck_assert_int_eq(cfg.outputs.eve.syslog_level, LOG_WARNING);
    ck_assert(!cfg.outputs.eve.community_id);
    ck_assert_uint_eq(cfg.outputs.eve.community_id_seed, 9);
    ck_assert(!cfg.stats.enabled);
    ck_assert_uint_eq(cfg.stats.interval, 300);
    ck_assert_uint_eq(cfg.flow.memcap, 1ull << 30);
    ck_assert_uint_eq(cfg.flow.hash_buckets, 1024);
    ck_assert_uint_eq(cfg.flow.evict_batch, 8);
    ck_assert_uint_eq(cfg.flow.timeout_tcp_new, 1);
    ck_assert_uint_eq(cfg.flow.timeout_tcp_established, 7200);
    ck_assert_uint_eq(cfg.flow.timeout_tcp_closed, 3);
    ck_assert_uint_eq(cfg.flow.timeout_udp, 240);
    ck_assert_uint_eq(cfg.flow.timeout_icmp, 5);
    ck_assert_uint_eq(cfg.flow.timeout_other, 86400);
    ck_assert_uint_eq(cfg.defrag.memcap, 1 << 20);
    ck_assert_uint_eq(cfg.defrag.max_trackers, 10);
    ck_assert_uint_eq(cfg.defrag.timeout_s, 7);
    ck_assert_uint_eq(cfg.stream.memcap, 2 << 20);
    ck_assert_uint_eq(cfg.stream.depth, 64 << 10);
    ck_assert_uint_eq(cfg.detect.buffer_size, 4 << 10);
    ck_assert_uint_eq(cfg.stream.max_ooo_segments_per_flow, 0);
    ck_assert_uint_eq(cfg.detect.confirm_hold_us, 0);
    ck_assert(!cfg.ndpi);
    ck_assert_str_eq(cfg.rules.directory, "/etc/mw/rules");
    ck_assert_uint_eq(cfg.rules.files.count, 2);
    ck_assert_str_eq(cfg.rules.files.path[1], "ips.list");
    ck_assert_uint_eq(cfg.rules.allowlist_files.count, 1);
    ck_assert_str_eq(cfg.rules.allowlist_files.path[0], "allow.list");
    ck_assert(cfg.hosts.track_all);
    ck_assert_uint_eq(cfg.hosts.max_hosts, 100);
    ck_assert_uint_eq(cfg.hosts.max_evidence, 4);
    ck_assert_uint_eq(cfg.hosts.report_interval_us, 1800ull * 1000000u);
    ck_assert_uint_eq(cfg.hosts.throttle_window_us, 0);
    ck_assert_uint_eq(cfg.alerts.nsuppress, 3);
    ck_assert_uint_eq(cfg.alerts.suppress[0].sid, 9000001);
    ck_assert(cfg.alerts.suppress[0].has_host);
    ck_assert_uint_eq(cfg.alerts.suppress[0].host.addr[3], 3);
    ck_assert_str_eq(cfg.alerts.suppress[0].pool, "");
    ck_assert_uint_eq(cfg.alerts.suppress[1].sid, 0);
    ck_assert(!cfg.alerts.suppress[1].has_host);
    ck_assert_str_eq(cfg.alerts.suppress[1].pool, "pool.example.org");
    ck_assert_uint_eq(cfg.alerts.suppress[2].host.prefix, 64);
    ck_assert(!cfg.geoip.enabled);
    ck_assert_str_eq(cfg.geoip.country_database, "/g/c.mmdb");
    ck_assert_str_eq(cfg.geoip.city_database, "/g/ci.mmdb");
    ck_assert_str_eq(cfg.geoip.asn_database, "/g/a.mmdb");
    ck_assert_str_eq(cfg.run_as.user, "nobody");
    ck_assert_str_eq(cfg.run_as.group, "nogroup");
    ck_assert_str_eq(cfg.daemon.pidfile, "/tmp/mw.pid");
    ck_assert_str_eq(cfg.daemon.log_file, "/var/log/mw/minewatch.log");
}
END_TEST

START_TEST(test_type_errors_positions)
{
    LOAD_ERR("capture:\n  snaplen: abc\n",
             "t.yaml:2:12: capture.snaplen: expected a non-negative integer, got 'abc'");
    LOAD_ERR("capture:\n  snaplen: -5\n",
             "t.yaml:2:12: capture.snaplen: expected a non-negative integer, got '-5'");
    LOAD_ERR("capture:\n  snaplen: 10\n", "t.yaml:2:12: capture.snaplen: 10 out of range 64..262144");
    LOAD_ERR("sensor-name: {a: 1}\n", "t.yaml:1:14: sensor-name: expected a string, got a mapping");
    LOAD_ERR("capture: [1]\n", "t.yaml:1:10: capture: expected a mapping, got a list");
    LOAD_ERR("home-net: 10.0.0.0/8\n", "t.yaml:1:11: home-net: expected a list, got a scalar");
    LOAD_ERR("home-net: [10.0.0.0/8, [1]]\n",
             "t.yaml:1:24: home-net: expected an address or CIDR, got a list");
    LOAD_ERR("stats:\n  enabled: maybe\n",
             "t.yaml:2:12: stats.enabled: expected a boolean (yes/no, true/false, on/off, 1/0), got 'maybe'");
    LOAD_ERR("stats:\n  interval: 5x\n",
             "t.yaml:2:13: stats.interval: expected a duration like 30s, 10m, 2h or seconds, got '5x'");
    LOAD_ERR("flow:\n  memcap: lots\n",
             "t.yaml:2:11: flow.memcap: expected a size like 512kb, 64mb, 1gb or bytes, got 'lots'");
    LOAD_ERR("outputs:\n  eve:\n    type: kafka\n", "t.yaml:3:11: outputs.eve.type: unknown value 'kafka'");
    LOAD_ERR("outputs:\n  eve:\n    syslog-facility: local9\n",
             "t.yaml:3:22: outputs.eve.syslog-facility: unknown value 'local9'");
    LOAD_ERR("outputs:\n  eve:\n    type: unix_dgram\n",
             "t.yaml:3:5: outputs.eve: type unix_dgram needs a socket 'path'");
    LOAD_ERR("alerts:\n  suppress:\n    - {}\n",
             "t.yaml:3:7: alerts.suppress: an entry needs at least one of sid, host, pool");
    LOAD_ERR("alerts:\n  suppress:\n    - sid: 0\n", "t.yaml:3:12: alerts.suppress.sid: 0 out of range 1..4294967295");
    LOAD_ERR("alerts:\n  suppress: [ {sidd: 1} ]\n", "t.yaml:2:16: unknown key 'alerts.suppress.sidd'");
    LOAD_ERR("sensor-name: \"a\\0b\"\n", "t.yaml:1:14: sensor-name: NUL byte in value");
    LOAD_ERR("{[1]: 2}\n", "t.yaml:1:2: top level: keys must be plain names, got a list");
}
END_TEST

START_TEST(test_unknown_and_duplicate_keys)
{
    LOAD_ERR("flow:\n  memcapp: 1mb\n", "t.yaml:2:3: unknown key 'flow.memcapp'");
    LOAD_ERR("# comment\nsensorname: x\n", "t.yaml:2:1: unknown key 'sensorname'");
    LOAD_ERR("flow:\n  timeouts:\n    tcp: 1\n", "t.yaml:3:5: unknown key 'flow.timeouts.tcp'");
    LOAD_ERR("stats: {enabled: yes}\nstats: {enabled: no}\n", "t.yaml:2:1: duplicate key 'stats'");
}
END_TEST

START_TEST(test_failed_load_leaves_config)
{
    config_defaults(&cfg);
    const char *y = "sensor-name: changed\nstats: {interval: bad}\n";
    ck_assert_int_eq(config_load_buffer(&cfg, "t.yaml", y, strlen(y), err, sizeof err), -1);
    char host[256] = "";
    gethostname(host, sizeof host);
    if (host[0])
        ck_assert_str_eq(cfg.sensor_name, host);
    ck_assert_uint_eq(cfg.stats.interval, 60);
    ck_assert_int_eq(config_load(&cfg, "/nonexistent/mw.yaml", err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/mw.yaml: cannot open: No such file or directory");
}
END_TEST

START_TEST(test_boolean_spellings)
{
    static const char *const yes[] = { "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1" };
    static const char *const no[] = { "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0" };
    char y[64];
    for (size_t i = 0; i < 10; i++) {
        snprintf(y, sizeof y, "detect: {ndpi: %s}\nhosts: {track-all: %s}\n", no[i], yes[i]);
        ck_assert_msg(load(y) == 0, "%s", err);
        ck_assert(!cfg.ndpi);
        ck_assert(cfg.hosts.track_all);
        snprintf(y, sizeof y, "detect: {ndpi: \"%s\"}\n", yes[i]);
        ck_assert_msg(load(y) == 0, "%s", err);
        ck_assert(cfg.ndpi);
        ck_assert(cfg.detect.behave.enabled); /* on unless said otherwise */
        snprintf(y, sizeof y, "detect: {behaviour: %s}\n", no[i]);
        ck_assert_msg(load(y) == 0, "%s", err);
        ck_assert(!cfg.detect.behave.enabled);
    }
    static const char *const bad[] = { "y", "n", "2", "yess", "", " yes", "t", "enable" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool b;
        ck_assert_int_eq(config_parse_bool(bad[i], &b), -1);
    }
}
END_TEST

/* The syntaxes themselves are core/units.h's (test_units); here, that the walker applies them. */
START_TEST(test_sizes)
{
    ck_assert_int_eq(load("stream: {buffer-size: 17mb}\n"), -1);
    ck_assert_str_eq(err, "t.yaml:1:23: stream.buffer-size: 17mb out of range (1024..16777216 bytes)");
    ck_assert_int_eq(load("stream: {buffer-size: 2 MB}\nflow: {timeouts: {udp: 2m}}\n"), 0);
    ck_assert_uint_eq(cfg.detect.buffer_size, 2u << 20);
    ck_assert_uint_eq(cfg.flow.timeout_udp, 120);
}
END_TEST

START_TEST(test_cidrs)
{
    static const char *const ok[] = { "0.0.0.0/0", "10.0.0.0/8", "192.168.1.1", "192.168.1.1/32",
                                      "::/0", "fc00::/7", "2001:db8::1", "2001:db8::/128",
                                      "::ffff:10.0.0.0/104" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct mw_cidr c;
        ck_assert_msg(config_parse_cidr(ok[i], &c) == 0, "%s", ok[i]);
    }
    static const char *const bad[] = { "", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.1/8",
                                       "10.0.0/8", "256.0.0.0/8", "010.0.0.0/8", "10.0.0.0/+8",
                                       "10.0.0.0/08x", "fc00::/129", "fc01::/7", "2001:db8::g",
                                       "10.0.0.0/8/8", "host.example", "10.0.0.0 /8",
                                       "::/0000" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mw_cidr c;
        ck_assert_msg(config_parse_cidr(bad[i], &c) == -1, "'%s' accepted", bad[i]);
    }
    struct mw_cidr c;
    ck_assert_int_eq(config_parse_cidr("172.16.0.0/12", &c), 0);
    ck_assert_uint_eq(c.family, 4);
    ck_assert_uint_eq(c.prefix, 12);
    ck_assert_uint_eq(c.addr[0], 172);
    ck_assert_uint_eq(c.addr[1], 16);
    LOAD_ERR("dns-servers:\n  - 10.0.0.53\n  - 10.0.0.300\n",
             "t.yaml:3:5: dns-servers: invalid address or CIDR '10.0.0.300' (host bits must be zero)");
}
END_TEST

START_TEST(test_empty_and_null_documents)
{
    static const char *const empty[] = { "", "\n\n", "# only a comment\n", "---\n", "~\n", "---\n...\n" };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        ck_assert_msg(load(empty[i]) == 0, "'%s': %s", empty[i], err);
        ck_assert_uint_eq(cfg.stats.interval, 60);
        ck_assert_uint_eq(cfg.home_net.count, 4);
    }
    /* An empty section keeps its defaults; an empty list empties the list. */
    ck_assert_int_eq(load("capture:\nhome-net: []\nrules:\n  files:\n"), 0);
    ck_assert_uint_eq(cfg.capture.snaplen, 65535);
    ck_assert_uint_eq(cfg.home_net.count, 0);
    ck_assert_int_eq(load("capture: {interface: ~}\n"), 0);
    ck_assert(!cfg.capture.has_interface);
    ck_assert_int_eq(load("capture: {interface: \"null\"}\n"), 0); /* quoted: a real name */
    ck_assert(cfg.capture.has_interface);
    ck_assert_str_eq(cfg.capture.interface, "null");
}
END_TEST

START_TEST(test_non_mapping_root)
{
    LOAD_ERR("- a\n- b\n", "t.yaml:1:1: top level must be a mapping of keys, got a list");
    LOAD_ERR("hello\n", "t.yaml:1:1: top level must be a mapping of keys, got a scalar");
    LOAD_ERR("\n\n  42\n", "t.yaml:3:3: top level must be a mapping of keys, got a scalar");
    LOAD_ERR("stats: {}\n---\nstats: {}\n", "t.yaml:3:1: more than one YAML document");
}
END_TEST

START_TEST(test_yaml_syntax_errors)
{
    LOAD_ERR("stats:\n  enabled: yes\n interval: 5\n",
             "t.yaml:3:2: did not find expected key (while parsing a block mapping)");
    LOAD_ERR("a: b: c\n", "t.yaml:1:5: mapping values are not allowed in this context");
    ck_assert_int_eq(load("home-net: [10.0.0.0/8\n"), -1);
    ck_assert_msg(strncmp(err, "t.yaml:2:1: ", 12) == 0, "%s", err);
    ck_assert_int_eq(load("x: \"unterminated\n"), -1);
    ck_assert_msg(strncmp(err, "t.yaml:2:1: ", 12) == 0, "%s", err);
    ck_assert_int_eq(load("home-net: *nope\n"), -1);
    ck_assert_msg(strncmp(err, "t.yaml:1:11: ", 13) == 0, "%s", err);
    /* Aliases resolve; a self-referencing one must not loop. */
    ck_assert_int_eq(load("home-net: &a [10.0.0.0/8]\ndns-servers: *a\n"), 0);
    ck_assert_uint_eq(cfg.dns_servers.count, 1);
    LOAD_ERR("home-net: &a [*a]\n", "t.yaml:1:11: home-net: expected an address or CIDR, got a list");
}
END_TEST

START_TEST(test_list_caps)
{
    char y[8192];
    size_t off = (size_t)snprintf(y, sizeof y, "home-net:\n");
    for (int i = 0; i <= MW_CFG_MAX_NETS; i++)
        off += (size_t)snprintf(y + off, sizeof y - off, "  - 10.0.%d.0/24\n", i);
    ck_assert_int_eq(load(y), -1);
    ck_assert_str_eq(err, "t.yaml:66:5: home-net: more than 64 entries");
    char big[700];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(y, sizeof y, "daemon: {pidfile: %s}\n", big);
    ck_assert_int_eq(load(y), -1);
    ck_assert_str_eq(err, "t.yaml:1:19: daemon.pidfile: value too long (at most 511 bytes)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_example_file_loads);
    tcase_add_test(tc, test_example_file_is_the_defaults);
    tcase_add_test(tc, test_full_file);
    tcase_add_test(tc, test_type_errors_positions);
    tcase_add_test(tc, test_unknown_and_duplicate_keys);
    tcase_add_test(tc, test_failed_load_leaves_config);
    tcase_add_test(tc, test_boolean_spellings);
    tcase_add_test(tc, test_sizes);
    tcase_add_test(tc, test_cidrs);
    tcase_add_test(tc, test_empty_and_null_documents);
    tcase_add_test(tc, test_non_mapping_root);
    tcase_add_test(tc, test_yaml_syntax_errors);
    tcase_add_test(tc, test_list_caps);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
