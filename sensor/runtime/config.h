/* config.h - the YAML configuration (minewatch.yaml), parsed with libyaml into fixed
 * fields. docs/minewatch.yaml documents every key.
 *
 * Strict by design: unknown keys, duplicate keys and wrong types are errors reported
 * as "FILE:LINE:COL: message" (1-based), so a typo never silently falls back to a
 * default. Lists have fixed caps; exceeding one is an error too.
 * Units: sizes in bytes (64mb = 64 MiB), durations in seconds. */
#ifndef MW_CONFIG_H
#define MW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/decode/defrag.h"
#include "sensor/detect/detect.h"
#include "sensor/flow/flow.h"
#include "sensor/host/host.h"
#include "sensor/stream/stream.h"

#define MW_CFG_PATH_MAX 512
#define MW_CFG_NAME_MAX 128
#define MW_CFG_MAX_NETS 64          /* per CIDR list (home-net, dns-servers, proxies) */
#define MW_CFG_MAX_RULE_FILES 32    /* rules.files and rules.allowlist-files each */
#define MW_CFG_MAX_SUPPRESS 128
#define MW_CFG_BPF_MAX 1024

struct mw_cidr {
    uint8_t family;   /* 4 or 6 */
    uint8_t prefix;   /* 0..32 or 0..128; a bare address is /32 or /128 */
    uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes; host bits are zero */
};

struct mw_cidr_list {
    size_t count;
    struct mw_cidr net[MW_CFG_MAX_NETS];
};

struct mw_path_list {
    size_t count;
    char path[MW_CFG_MAX_RULE_FILES][MW_CFG_PATH_MAX];
    uint32_t line[MW_CFG_MAX_RULE_FILES], col[MW_CFG_MAX_RULE_FILES]; /* in mw_config.source */
};

enum mw_eve_type {
    MW_EVE_FILE = 0,
    MW_EVE_STDOUT,
    MW_EVE_SYSLOG,
    MW_EVE_UNIX_DGRAM,
    MW_EVE_UNIX_STREAM,
};

struct mw_suppress {
    uint32_t sid;           /* 0 = any signature */
    bool has_host;
    struct mw_cidr host;    /* valid when has_host */
    char pool[MW_CFG_NAME_MAX]; /* "" = any pool */
};

struct mw_config {
    char sensor_name[MW_CFG_NAME_MAX];
    struct mw_cidr_list home_net;
    struct mw_cidr_list dns_servers;
    struct mw_cidr_list proxies;
    char default_log_dir[MW_CFG_PATH_MAX];

    struct {
        bool has_interface;     /* false: interface: null (use -i or -r) */
        char interface[64];
        uint32_t snaplen;
        uint64_t buffer_size;
        bool promiscuous;
        char bpf_filter[MW_CFG_BPF_MAX];
        uint32_t workers;
        uint32_t fanout_group;  /* 0 = derive from pid */
    } capture;

    struct {
        struct {
            bool enabled;
            enum mw_eve_type type;
            char filename[MW_CFG_PATH_MAX]; /* relative names go under default-log-dir */
            char path[MW_CFG_PATH_MAX];     /* socket path for unix_dgram/unix_stream */
            int syslog_facility;            /* LOG_LOCAL5 etc. (already shifted) */
            int syslog_level;               /* LOG_INFO etc. */
            bool community_id;
            uint16_t community_id_seed;
        } eve;
    } outputs;

    struct {
        bool enabled;
        uint32_t interval;
        /* The same counters as a node_exporter textfile (Prometheus text format), written
         * atomically every interval; "" = none (docs/deployment.md). */
        char prometheus_file[MW_CFG_PATH_MAX];
    } stats;

    /* Module parameters, embedded: config_defaults() fills each from its module's own
     * defaults function (the one the module uses when given no parameters), and the YAML
     * keys write into them directly, so a setting has one default and one field. */
    struct flow_params flow;       /* flow.* */
    struct defrag_params defrag;   /* defrag.* */
    struct stream_params stream;   /* stream.* except buffer-size */
    struct detect_params detect;   /* detect.confirm-hold, stream.buffer-size */
    bool ndpi;                     /* detect.ndpi */

    struct {
        char directory[MW_CFG_PATH_MAX];
        struct mw_path_list files;      /* empty = every file in directory */
        char update_file[MW_CFG_PATH_MAX]; /* minewatch-update's output, loaded on top; "" = none */
        struct mw_path_list allowlist_files;
    } rules;

    struct hosts_params hosts;     /* hosts.*, alerts.throttle-window */

    struct {
        size_t nsuppress; /* converted to hosts.suppress by the worker */
        struct mw_suppress suppress[MW_CFG_MAX_SUPPRESS];
    } alerts;

    struct {
        bool enabled;
        char country_database[MW_CFG_PATH_MAX];
        char city_database[MW_CFG_PATH_MAX];
        char asn_database[MW_CFG_PATH_MAX];
    } geoip;

    struct {
        char user[64];
        char group[64];
    } run_as;

    struct {
        char pidfile[MW_CFG_PATH_MAX];
        char log_file[MW_CFG_PATH_MAX]; /* diagnostics once daemonised; "" = syslog */
    } daemon;

    char source[MW_CFG_PATH_MAX]; /* the configuration file's name, for FILE:LINE:COL later */
};

/* The built-in defaults: each module's defaults function for its embedded parameters,
 * the values documented in docs/minewatch.yaml for the rest (test_config checks the two
 * agree key by key). */
void config_defaults(struct mw_config *cfg);

/* Applies the file on top of *cfg (normally fresh from config_defaults()). On error
 * *cfg is left unchanged and err holds "FILE:LINE:COL: message". Returns 0 or -1. */
int config_load(struct mw_config *cfg, const char *path, char *err, size_t errlen);
/* Same from memory; name is used in error messages. */
int config_load_buffer(struct mw_config *cfg, const char *name, const void *data, size_t len,
                       char *err, size_t errlen);

/* Releases anything config_load allocated (nothing today; call it anyway). */
void config_free(struct mw_config *cfg);

/* Helpers shared with the command line and tests. Each returns 0 or -1. */
int config_parse_bool(const char *s, bool *out);
int config_parse_cidr(const char *s, struct mw_cidr *out);

const char *config_eve_type_name(enum mw_eve_type t);

#endif
