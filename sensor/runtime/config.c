/* config.c - load minewatch.yaml with libyaml into struct mw_config, strictly.
 *
 * The schema is a set of key tables (name, type, offset, limits); one walker applies
 * them so every key gets the same checks and the same "FILE:LINE:COL: key: problem"
 * messages. The walker only follows the schema, never the document's own shape, so
 * YAML aliases (even cyclic ones) cannot make it loop or recurse without bound. */
#include "sensor/runtime/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>
#include <yaml.h>

#include "core/units.h"
#include "core/yamlpos.h"

/* K_SIZE stores uint64_t into size_t memcaps as well. */
_Static_assert(sizeof(size_t) == sizeof(uint64_t), "64-bit size_t");
#define CONFIG_FILE_MAX (1u << 20) /* a config larger than this is a mistake */

enum ktype {
    K_SECTION, K_STR, K_NULLSTR, K_BOOL, K_U32, K_U16, K_SIZE, K_SIZE32, K_DURATION, K_DURATION_US,
    K_CIDR, K_CIDRS, K_PATHS, K_EVE_TYPE, K_FACILITY, K_LEVEL, K_SUPPRESS,
};

struct key {
    const char *name;
    enum ktype type;
    size_t off;              /* into the base struct of this table */
    size_t size;             /* string capacity; K_BOOL: sizeof the field (bool or int) */
    uint64_t min, max;       /* numeric limits, inclusive */
    const struct key *sub;   /* K_SECTION */
    size_t flag_off;         /* K_NULLSTR / K_CIDR: bool "present" */
};

struct ctx {
    yaml_document_t *doc;
    const char *name;
    char *err;
    size_t errlen;
};

#define CFG(m) offsetof(struct mw_config, m)
#define STR(n, m) { n, K_STR, CFG(m), sizeof(((struct mw_config *)0)->m), 0, 0, NULL, 0 }
#define NUM(n, t, m, lo, hi) { n, t, CFG(m), 0, lo, hi, NULL, 0 }
#define BOOLK(n, m) { n, K_BOOL, CFG(m), sizeof(((struct mw_config *)0)->m), 0, 0, NULL, 0 }
#define SECT(n, tab) { n, K_SECTION, 0, 0, 0, 0, tab, 0 }
#define OTHER(n, t, m) { n, t, CFG(m), 0, 0, 0, NULL, 0 }
#define KB 1024ull
#define MB (1024ull * KB)
#define GB (1024ull * MB)
#define DAY 86400ull

static const struct key capture_keys[] = {
    { "interface", K_NULLSTR, CFG(capture.interface), sizeof(((struct mw_config *)0)->capture.interface),
      0, 0, NULL, CFG(capture.has_interface) },
    NUM("snaplen", K_U32, capture.snaplen, 64, 262144),
    NUM("buffer-size", K_SIZE, capture.buffer_size, 0, 64 * GB),
    BOOLK("promiscuous", capture.promiscuous),
    STR("bpf-filter", capture.bpf_filter),
    NUM("workers", K_U32, capture.workers, 1, 64),
    NUM("fanout-group", K_U32, capture.fanout_group, 0, 65535),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key eve_keys[] = {
    BOOLK("enabled", outputs.eve.enabled),
    OTHER("type", K_EVE_TYPE, outputs.eve.type),
    STR("filename", outputs.eve.filename),
    STR("path", outputs.eve.path),
    OTHER("syslog-facility", K_FACILITY, outputs.eve.syslog_facility),
    OTHER("syslog-level", K_LEVEL, outputs.eve.syslog_level),
    BOOLK("community-id", outputs.eve.community_id),
    NUM("community-id-seed", K_U16, outputs.eve.community_id_seed, 0, 65535),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key outputs_keys[] = {
    SECT("eve", eve_keys),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key stats_keys[] = {
    BOOLK("enabled", stats.enabled),
    NUM("interval", K_DURATION, stats.interval, 1, DAY),
    STR("prometheus-file", stats.prometheus_file),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key timeout_keys[] = {
    NUM("tcp-new", K_DURATION, flow.timeout_tcp_new, 1, DAY),
    NUM("tcp-established", K_DURATION, flow.timeout_tcp_established, 1, 7 * DAY),
    NUM("tcp-closed", K_DURATION, flow.timeout_tcp_closed, 1, DAY),
    NUM("udp", K_DURATION, flow.timeout_udp, 1, DAY),
    NUM("icmp", K_DURATION, flow.timeout_icmp, 1, DAY),
    NUM("default", K_DURATION, flow.timeout_other, 1, DAY),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key flow_keys[] = {
    NUM("memcap", K_SIZE, flow.memcap, 64 * KB, 1024 * GB),
    NUM("hash-buckets", K_U32, flow.hash_buckets, 1, 1u << 26),
    NUM("evict-batch", K_U32, flow.evict_batch, 1, 65536),
    SECT("timeouts", timeout_keys),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key defrag_keys[] = {
    NUM("memcap", K_SIZE, defrag.memcap, 64 * KB, 1024 * GB),
    NUM("max-trackers", K_U32, defrag.max_trackers, 1, 1u << 24),
    NUM("timeout", K_DURATION, defrag.timeout_s, 1, 3600),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key stream_keys[] = {
    NUM("memcap", K_SIZE, stream.memcap, 64 * KB, 1024 * GB),
    NUM("depth", K_SIZE32, stream.depth, 1, 4 * GB),
    NUM("buffer-size", K_SIZE32, detect.buffer_size, 1 * KB, 16 * MB),
    NUM("max-ooo-segments", K_U32, stream.max_ooo_segments_per_flow, 0, 65535),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key detect_keys[] = {
    NUM("confirm-hold", K_DURATION_US, detect.confirm_hold_us, 0, 3600),
    BOOLK("ndpi", ndpi),
    BOOLK("behaviour", detect.behave.enabled),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key rules_keys[] = {
    STR("directory", rules.directory),
    OTHER("files", K_PATHS, rules.files),
    STR("update-file", rules.update_file),
    OTHER("allowlist-files", K_PATHS, rules.allowlist_files),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key hosts_keys[] = {
    BOOLK("track-all", hosts.track_all),
    NUM("max-hosts", K_U32, hosts.max_hosts, 1, 1u << 24),
    NUM("max-evidence", K_U32, hosts.max_evidence, 1, 1024),
    NUM("report-interval", K_DURATION_US, hosts.report_interval_us, 1, 7 * DAY),
    NUM("max-overflow-hosts", K_U32, hosts.max_overflow_hosts, 0, 1u << 20),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

/* Offsets relative to struct mw_suppress: the walker's base is the list element. */
static const struct key suppress_keys[] = {
    { "sid", K_U32, offsetof(struct mw_suppress, sid), 0, 1, UINT32_MAX, NULL, 0 },
    { "host", K_CIDR, offsetof(struct mw_suppress, host), 0, 0, 0, NULL,
      offsetof(struct mw_suppress, has_host) },
    { "pool", K_STR, offsetof(struct mw_suppress, pool), sizeof(((struct mw_suppress *)0)->pool),
      0, 0, NULL, 0 },
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key alerts_keys[] = {
    NUM("throttle-window", K_DURATION_US, hosts.throttle_window_us, 0, 7 * DAY),
    NUM("host-ceiling", K_U32, hosts.host_ceiling, 0, UINT32_MAX),
    OTHER("suppress", K_SUPPRESS, alerts),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key geoip_keys[] = {
    BOOLK("enabled", geoip.enabled),
    STR("country-database", geoip.country_database),
    STR("city-database", geoip.city_database),
    STR("asn-database", geoip.asn_database),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key run_as_keys[] = {
    STR("user", run_as.user),
    STR("group", run_as.group),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key daemon_keys[] = {
    STR("pidfile", daemon.pidfile),
    STR("log-file", daemon.log_file),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

static const struct key root_keys[] = {
    STR("sensor-name", sensor_name),
    OTHER("home-net", K_CIDRS, home_net),
    OTHER("dns-servers", K_CIDRS, dns_servers),
    OTHER("proxies", K_CIDRS, proxies),
    STR("default-log-dir", default_log_dir),
    SECT("capture", capture_keys),
    SECT("outputs", outputs_keys),
    SECT("stats", stats_keys),
    SECT("flow", flow_keys),
    SECT("defrag", defrag_keys),
    SECT("stream", stream_keys),
    SECT("detect", detect_keys),
    SECT("rules", rules_keys),
    SECT("hosts", hosts_keys),
    SECT("alerts", alerts_keys),
    SECT("geoip", geoip_keys),
    SECT("run-as", run_as_keys),
    SECT("daemon", daemon_keys),
    { NULL, K_SECTION, 0, 0, 0, 0, NULL, 0 },
};

struct named_int {
    const char *name;
    int value;
};

static const struct named_int facilities[] = {
    { "kern", LOG_KERN }, { "user", LOG_USER }, { "mail", LOG_MAIL },
    { "daemon", LOG_DAEMON }, { "auth", LOG_AUTH }, { "syslog", LOG_SYSLOG },
    { "lpr", LOG_LPR }, { "news", LOG_NEWS }, { "uucp", LOG_UUCP }, { "cron", LOG_CRON },
    { "authpriv", LOG_AUTHPRIV }, { "ftp", LOG_FTP }, { "local0", LOG_LOCAL0 },
    { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
    { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
    { "local7", LOG_LOCAL7 }, { NULL, 0 },
};

static const struct named_int levels[] = {
    { "emerg", LOG_EMERG }, { "alert", LOG_ALERT }, { "crit", LOG_CRIT },
    { "err", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
    { "warn", LOG_WARNING }, { "notice", LOG_NOTICE }, { "info", LOG_INFO },
    { "debug", LOG_DEBUG }, { NULL, 0 },
};

static const struct named_int eve_types[] = {
    { "file", MW_EVE_FILE }, { "stdout", MW_EVE_STDOUT }, { "syslog", MW_EVE_SYSLOG },
    { "unix_dgram", MW_EVE_UNIX_DGRAM }, { "unix_stream", MW_EVE_UNIX_STREAM }, { NULL, 0 },
};

const char *config_eve_type_name(enum mw_eve_type t)
{
    for (const struct named_int *n = eve_types; n->name; n++)
        if (n->value == (int)t)
            return n->name;
    return "unknown";
}

/* ---- the walker ---------------------------------------------------------------- */

static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yamlpos_verror(c->err, c->errlen, c->name, n, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    default: return "a scalar";
    }
}

/* The scalar text, or NULL after reporting why it is not a usable scalar. */
static const char *scalar(struct ctx *c, const yaml_node_t *n, const char *path, const char *want)
{
    if (n->type != YAML_SCALAR_NODE) {
        fail(c, n, "%s: expected %s, got %s", path, want, node_kind(n));
        return NULL;
    }
    const char *s = (const char *)n->data.scalar.value;
    if (strlen(s) != n->data.scalar.length) {
        fail(c, n, "%s: NUL byte in value", path);
        return NULL;
    }
    return s;
}

static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *s = (const char *)n->data.scalar.value;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static int copy_str(struct ctx *c, const yaml_node_t *n, const char *path, char *dst, size_t cap)
{
    if (is_null(n)) {
        dst[0] = '\0';
        return 0;
    }
    const char *s = scalar(c, n, path, "a string");
    if (!s)
        return -1;
    size_t l = strlen(s);
    if (l >= cap)
        return fail(c, n, "%s: value too long (at most %zu bytes)", path, cap - 1);
    memcpy(dst, s, l + 1);
    return 0;
}

static int lookup(struct ctx *c, const yaml_node_t *n, const char *path,
                  const struct named_int *tab, int *out)
{
    const char *s = scalar(c, n, path, "a name");
    if (!s)
        return -1;
    for (; tab->name; tab++) {
        if (strcasecmp(s, tab->name) == 0) {
            *out = tab->value;
            return 0;
        }
    }
    return fail(c, n, "%s: unknown value '%s'", path, s);
}

static int walk_map(struct ctx *c, const yaml_node_t *map, const struct key *tab, char *base,
                    const char *path);

static int apply_cidr(struct ctx *c, const yaml_node_t *n, const char *path, struct mw_cidr *out)
{
    const char *s = scalar(c, n, path, "an address or CIDR");
    if (!s)
        return -1;
    if (config_parse_cidr(s, out) != 0)
        return fail(c, n, "%s: invalid address or CIDR '%s' (host bits must be zero)", path, s);
    return 0;
}

static int apply_seq(struct ctx *c, const yaml_node_t *n, const char *path)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n, "%s: expected a list, got %s", path, node_kind(n));
    return 0;
}

static int apply(struct ctx *c, const struct key *k, const yaml_node_t *v, char *base,
                 const char *path)
{
    void *dst = base + k->off;
    switch (k->type) {
    case K_SECTION:
        if (is_null(v))
            return 0; /* "capture:" with nothing under it keeps the defaults */
        return walk_map(c, v, k->sub, base, path);
    case K_STR:
        return copy_str(c, v, path, dst, k->size);
    case K_NULLSTR: {
        if (copy_str(c, v, path, dst, k->size) != 0)
            return -1;
        *(bool *)(base + k->flag_off) = *(char *)dst != '\0';
        return 0;
    }
    case K_BOOL: {
        const char *s = scalar(c, v, path, "a boolean");
        if (!s)
            return -1;
        bool b;
        if (config_parse_bool(s, &b) != 0)
            return fail(c, v, "%s: expected a boolean (yes/no, true/false, on/off, 1/0), got '%s'",
                        path, s);
        if (k->size == sizeof(int))
            *(int *)dst = b;
        else
            *(bool *)dst = b;
        return 0;
    }
    case K_U32:
    case K_U16: {
        const char *s = scalar(c, v, path, "an integer");
        if (!s)
            return -1;
        uint64_t x;
        if (mw_parse_uint(s, &x) != 0)
            return fail(c, v, "%s: expected a non-negative integer, got '%s'", path, s);
        if (x < k->min || x > k->max)
            return fail(c, v, "%s: %llu out of range %llu..%llu", path, (unsigned long long)x,
                        (unsigned long long)k->min, (unsigned long long)k->max);
        if (k->type == K_U32)
            *(uint32_t *)dst = (uint32_t)x;
        else
            *(uint16_t *)dst = (uint16_t)x;
        return 0;
    }
    case K_SIZE:
    case K_SIZE32: {
        const char *s = scalar(c, v, path, "a size");
        if (!s)
            return -1;
        uint64_t x;
        if (mw_parse_size(s, &x) != 0)
            return fail(c, v, "%s: expected a size like 512kb, 64mb, 1gb or bytes, got '%s'", path, s);
        if (x < k->min || x > k->max)
            return fail(c, v, "%s: %s out of range (%llu..%llu bytes)", path, s,
                        (unsigned long long)k->min, (unsigned long long)k->max);
        if (k->type == K_SIZE32) /* 4gb means "all of it": the most a 32-bit field holds */
            *(uint32_t *)dst = x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
        else
            *(uint64_t *)dst = x;
        return 0;
    }
    case K_DURATION:
    case K_DURATION_US: {
        const char *s = scalar(c, v, path, "a duration");
        if (!s)
            return -1;
        uint32_t x;
        if (mw_parse_duration(s, &x) != 0)
            return fail(c, v, "%s: expected a duration like 30s, 10m, 2h or seconds, got '%s'",
                        path, s);
        if (x < k->min || x > k->max)
            return fail(c, v, "%s: %s out of range (%llu..%llu seconds)", path, s,
                        (unsigned long long)k->min, (unsigned long long)k->max);
        if (k->type == K_DURATION_US)
            *(uint64_t *)dst = (uint64_t)x * 1000000u;
        else
            *(uint32_t *)dst = x;
        return 0;
    }
    case K_CIDR:
        if (apply_cidr(c, v, path, dst) != 0)
            return -1;
        *(bool *)(base + k->flag_off) = true;
        return 0;
    case K_CIDRS: {
        struct mw_cidr_list *l = dst;
        l->count = 0;
        if (is_null(v))
            return 0;
        if (apply_seq(c, v, path) != 0)
            return -1;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            const yaml_node_t *e = yaml_document_get_node(c->doc, *it);
            if (l->count == MW_CFG_MAX_NETS)
                return fail(c, e, "%s: more than %d entries", path, MW_CFG_MAX_NETS);
            if (apply_cidr(c, e, path, &l->net[l->count]) != 0)
                return -1;
            l->count++;
        }
        return 0;
    }
    case K_PATHS: {
        struct mw_path_list *l = dst;
        l->count = 0;
        if (is_null(v))
            return 0;
        if (apply_seq(c, v, path) != 0)
            return -1;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            const yaml_node_t *e = yaml_document_get_node(c->doc, *it);
            if (l->count == MW_CFG_MAX_RULE_FILES)
                return fail(c, e, "%s: more than %d entries", path, MW_CFG_MAX_RULE_FILES);
            if (is_null(e))
                return fail(c, e, "%s: empty file name", path);
            if (copy_str(c, e, path, l->path[l->count], MW_CFG_PATH_MAX) != 0)
                return -1;
            l->line[l->count] = (uint32_t)e->start_mark.line + 1;
            l->col[l->count] = (uint32_t)e->start_mark.column + 1;
            l->count++;
        }
        return 0;
    }
    case K_EVE_TYPE: {
        int t = 0;
        if (lookup(c, v, path, eve_types, &t) != 0)
            return -1;
        *(enum mw_eve_type *)dst = (enum mw_eve_type)t;
        return 0;
    }
    case K_FACILITY:
        return lookup(c, v, path, facilities, dst);
    case K_LEVEL:
        return lookup(c, v, path, levels, dst);
    case K_SUPPRESS: {
        struct mw_config *cfg = (void *)base; /* K_SUPPRESS lives only in root_keys */
        cfg->alerts.nsuppress = 0;
        if (is_null(v))
            return 0;
        if (apply_seq(c, v, path) != 0)
            return -1;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            const yaml_node_t *e = yaml_document_get_node(c->doc, *it);
            if (cfg->alerts.nsuppress == MW_CFG_MAX_SUPPRESS)
                return fail(c, e, "%s: more than %d entries", path, MW_CFG_MAX_SUPPRESS);
            struct mw_suppress *s = &cfg->alerts.suppress[cfg->alerts.nsuppress];
            memset(s, 0, sizeof *s);
            if (walk_map(c, e, suppress_keys, (char *)s, path) != 0)
                return -1;
            if (!s->sid && !s->has_host && !s->pool[0])
                return fail(c, e, "%s: an entry needs at least one of sid, host, pool", path);
            cfg->alerts.nsuppress++;
        }
        return 0;
    }
    }
    return fail(c, v, "%s: internal: unhandled key type", path);
}

static int walk_map(struct ctx *c, const yaml_node_t *map, const struct key *tab, char *base,
                    const char *path)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail(c, map, "%s: expected a mapping, got %s", *path ? path : "top level",
                    node_kind(map));
    uint64_t seen = 0; /* tables have fewer than 64 keys */
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
        if (!kn || !vn)
            return fail(c, map, "%s: broken document", path);
        if (kn->type != YAML_SCALAR_NODE)
            return fail(c, kn, "%s: keys must be plain names, got %s", *path ? path : "top level",
                        node_kind(kn));
        const char *name = (const char *)kn->data.scalar.value;
        size_t i = 0;
        while (tab[i].name && strcmp(tab[i].name, name) != 0)
            i++;
        char sub[160];
        snprintf(sub, sizeof sub, "%s%s%.100s", path, *path ? "." : "", name);
        if (!tab[i].name)
            return fail(c, kn, "unknown key '%s'", sub);
        if (seen & (1ull << i))
            return fail(c, kn, "duplicate key '%s'", sub);
        seen |= 1ull << i;
        if (apply(c, &tab[i], vn, base, sub) != 0)
            return -1;
    }
    return 0;
}

/* Settings that are only wrong together. */
static int check_eve(struct ctx *c, const struct mw_config *cfg, const yaml_node_t *root)
{
    const struct mw_config *k = cfg;
    if (!k->outputs.eve.enabled)
        return 0;
    if ((k->outputs.eve.type == MW_EVE_UNIX_DGRAM || k->outputs.eve.type == MW_EVE_UNIX_STREAM) &&
        !k->outputs.eve.path[0])
        return fail(c, root, "outputs.eve: type %s needs a socket 'path'",
                    config_eve_type_name(k->outputs.eve.type));
    if (k->outputs.eve.type == MW_EVE_FILE && !k->outputs.eve.filename[0])
        return fail(c, root, "outputs.eve: type file needs a 'filename'");
    return 0;
}

/* The node for outputs.eve if present (for error positions), else the root. */
static const yaml_node_t *eve_node(yaml_document_t *doc, const yaml_node_t *root)
{
    const yaml_node_t *n = root;
    const char *path[] = { "outputs", "eve" };
    for (size_t d = 0; d < 2; d++) {
        if (n->type != YAML_MAPPING_NODE)
            return root;
        const yaml_node_t *next = NULL;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            const yaml_node_t *kn = yaml_document_get_node(doc, p->key);
            if (kn && kn->type == YAML_SCALAR_NODE && !strcmp((const char *)kn->data.scalar.value, path[d]))
                next = yaml_document_get_node(doc, p->value);
        }
        if (!next)
            return root;
        n = next;
    }
    return n;
}

static void yaml_fail(struct ctx *c, const yaml_parser_t *p)
{
    yamlpos_parser_error(c->err, c->errlen, c->name, p);
}

int config_load_buffer(struct mw_config *cfg, const char *name, const void *data, size_t len,
                       char *err, size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    struct ctx c = { NULL, name, err, errlen };
    /* Work on a copy so a failed load leaves the caller's config untouched. */
    struct mw_config *tmp = malloc(sizeof *tmp);
    if (!tmp) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    *tmp = *cfg;

    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -1;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: cannot initialise YAML parser", name);
        free(tmp);
        return -1;
    }
    yaml_parser_set_input_string(&parser, data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_fail(&c, &parser);
        goto out_parser;
    }
    c.doc = &doc;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && !is_null(root)) {
        if (root->type != YAML_MAPPING_NODE) {
            fail(&c, root, "top level must be a mapping of keys, got %s", node_kind(root));
            goto out_doc;
        }
        if (walk_map(&c, root, root_keys, (char *)tmp, "") != 0)
            goto out_doc;
        if (check_eve(&c, tmp, eve_node(&doc, root)) != 0)
            goto out_doc;
    }
    if (root) {
        /* A second document would be silently ignored: say so instead. */
        yaml_document_t extra;
        if (!yaml_parser_load(&parser, &extra)) {
            yaml_fail(&c, &parser);
            goto out_doc;
        }
        const yaml_node_t *r2 = yaml_document_get_root_node(&extra);
        if (r2) {
            fail(&c, r2, "more than one YAML document");
            yaml_document_delete(&extra);
            goto out_doc;
        }
        yaml_document_delete(&extra);
    }
    snprintf(tmp->source, sizeof tmp->source, "%s", name);
    *cfg = *tmp;
    rc = 0;
out_doc:
    yaml_document_delete(&doc);
out_parser:
    yaml_parser_delete(&parser);
    free(tmp);
    return rc;
}

int config_load(struct mw_config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(CONFIG_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t n = fread(buf, 1, CONFIG_FILE_MAX + 1, f);
    int rerr = ferror(f);
    fclose(f);
    int rc;
    if (rerr) {
        snprintf(err, errlen, "%s: read error", path);
        rc = -1;
    } else if (n > CONFIG_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %u bytes", path, CONFIG_FILE_MAX);
        rc = -1;
    } else {
        rc = config_load_buffer(cfg, path, buf, n, err, errlen);
    }
    free(buf);
    return rc;
}

static void add_net(struct mw_cidr_list *l, const char *s)
{
    if (l->count < MW_CFG_MAX_NETS && config_parse_cidr(s, &l->net[l->count]) == 0)
        l->count++;
}

void config_defaults(struct mw_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    if (gethostname(cfg->sensor_name, sizeof cfg->sensor_name) != 0 || !cfg->sensor_name[0])
        snprintf(cfg->sensor_name, sizeof cfg->sensor_name, "minewatch");
    cfg->sensor_name[sizeof cfg->sensor_name - 1] = '\0';
    add_net(&cfg->home_net, "10.0.0.0/8");
    add_net(&cfg->home_net, "172.16.0.0/12");
    add_net(&cfg->home_net, "192.168.0.0/16");
    add_net(&cfg->home_net, "fc00::/7");
    snprintf(cfg->default_log_dir, sizeof cfg->default_log_dir, "/var/log/minewatch");

    cfg->capture.snaplen = 65535;
    cfg->capture.buffer_size = 64 * MB;
    cfg->capture.promiscuous = true;
    cfg->capture.workers = 1;

    cfg->outputs.eve.enabled = true;
    cfg->outputs.eve.type = MW_EVE_FILE;
    snprintf(cfg->outputs.eve.filename, sizeof cfg->outputs.eve.filename, "eve.json");
    cfg->outputs.eve.syslog_facility = LOG_LOCAL5;
    cfg->outputs.eve.syslog_level = LOG_INFO;
    cfg->outputs.eve.community_id = true;

    cfg->stats.enabled = true;
    cfg->stats.interval = 60;

    flow_params_default(&cfg->flow);
    cfg->defrag = defrag_params_default();
    stream_params_default(&cfg->stream);
    detect_params_default(&cfg->detect);
    cfg->ndpi = false; /* opt-in: docs/detection.md weighs its cost against what it adds */

    snprintf(cfg->rules.directory, sizeof cfg->rules.directory, "%s", MW_INSTALLED_RULES_DIR);

    hosts_params_default(&cfg->hosts);

    cfg->geoip.enabled = true;

    snprintf(cfg->daemon.pidfile, sizeof cfg->daemon.pidfile, "/run/minewatch/minewatch.pid");
}

void config_free(struct mw_config *cfg)
{
    (void)cfg; /* everything is in fixed arrays today; kept so callers need not change */
}
