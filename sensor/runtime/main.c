/* main.c - command line and start-up; sensor/runtime/run.c runs the capture from there.
 *
 * Start-up is the only place allowed to fail fatally: configuration and rule errors exit 2
 * with file:line:column, capture problems exit 1. Once packets flow, trouble is counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules.h"
#include "sensor/capture/capture.h"
#include "sensor/runtime/config.h"
#include "sensor/decode/decode.h"
#include "sensor/detect/geoip.h"
#include "sensor/runtime/log.h"
#include "sensor/detect/netset.h"
#include "sensor/eve/eve.h"
#include "sensor/eve/output.h"
#include "sensor/eve/prom.h"
#include "sensor/runtime/privdrop.h"
#include "sensor/runtime/readlist.h"
#include "sensor/runtime/rulefiles.h"
#include "sensor/runtime/run.h"
#include "sensor/runtime/ruleswap.h"
#include "sensor/runtime/worker.h"

#define MW_EXIT_OK 0
#define MW_EXIT_RUNTIME 1
#define MW_EXIT_USAGE 2
#define MW_MAX_WORKERS RUN_MAX_WORKERS

struct mw_opts {
    const char *read_file; /* the first -r argument, NULL when capturing live */
    const char *read_args[64]; /* every -r argument: files and directories, in order */
    int nread_args;
    const char *iface, *eve_path, *log_dir, *config, *pidfile, *user, *group;
    const char *update_file; /* --update-file: replaces rules.update-file */
    int test_config, daemon, workers, allow_root;
    const char *extra_rules[16]; /* -s FILE: rule files on top of the configured ones */
    int nextra_rules;
    char bpf[4096];
};

static void mw_usage(FILE *f)
{
    fprintf(f,
            "Usage: minewatch [options] (-r FILE|DIR ... | -i IFACE) [BPF filter]\n"
            "Find cryptocurrency mining on a network; write Suricata-compatible EVE JSON.\n\n"
            "  -r, --read FILE|DIR    read a pcap or pcapng file (- for standard input), or a\n"
            "                         directory's files in name order; repeat -r to read several\n"
            "                         as one run (one flow table, packet numbers continue)\n"
            "  -i, --interface IFACE  capture live on IFACE\n"
            "      --eve PATH         write EVE lines to PATH (- for standard output)\n"
            "  -l, --log-dir DIR      write DIR/eve.json\n"
            "  -c, --config FILE      load a YAML configuration (docs/minewatch.yaml)\n"
            "  -s, --rules FILE       load this rule file too (repeatable; docs/rules.md)\n"
            "      --update-file FILE minewatch-update's rule file (overrides rules.update-file)\n"
            "  -T, --test-config      load configuration and rules, report problems, exit 0 or 2\n"
            "  -D, --daemon           run in the background (diagnostics to syslog)\n"
            "      --pidfile FILE     write the process id to FILE\n"
            "      --workers N        worker threads: live, one AF_PACKET fanout group; with -r, frames\n"
            "                         dispatched by address pair (one host table for all)\n"
            "      --user USER        drop privileges to USER after opening capture and outputs\n"
            "      --group GROUP      drop to GROUP (default: USER's primary group)\n"
            "      --allow-root       keep running as root when no --user is given\n"
            "  -V, --version          print the version and exit\n"
            "  -h, --help             print this help and exit\n\n"
            "Signals: HUP reopens output files, USR2 reloads rules, TERM/INT stop cleanly.\n"
            "Exit status: 0 success, 1 runtime failure, 2 usage or configuration error.\n");
}

static int mw_parse_args(int argc, char **argv, struct mw_opts *o)
{
    static const struct option longopts[] = {
        { "read", required_argument, NULL, 'r' },     { "interface", required_argument, NULL, 'i' },
        { "eve", required_argument, NULL, 'e' },      { "log-dir", required_argument, NULL, 'l' },
        { "config", required_argument, NULL, 'c' },   { "test-config", no_argument, NULL, 'T' },
        { "rules", required_argument, NULL, 's' },
        { "daemon", no_argument, NULL, 'D' },         { "pidfile", required_argument, NULL, 'p' },
        { "workers", required_argument, NULL, 'w' },  { "user", required_argument, NULL, 'u' },
        { "group", required_argument, NULL, 'g' },    { "allow-root", no_argument, NULL, 'R' },
        { "version", no_argument, NULL, 'V' },        { "help", no_argument, NULL, 'h' },
        { "update-file", required_argument, NULL, 'U' }, { NULL, 0, NULL, 0 },
    };
    int c;
    memset(o, 0, sizeof *o);
    while ((c = getopt_long(argc, argv, "+r:i:l:c:s:TDVh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->nread_args == (int)(sizeof o->read_args / sizeof o->read_args[0])) {
                fprintf(stderr, "minewatch: too many -r arguments (name a directory instead)\n");
                return -1;
            }
            o->read_args[o->nread_args++] = optarg;
            if (!o->read_file)
                o->read_file = optarg;
            break;
        case 'i': o->iface = optarg; break;
        case 'e': o->eve_path = optarg; break;
        case 'l': o->log_dir = optarg; break;
        case 'c': o->config = optarg; break;
        case 's':
            if (o->nextra_rules == (int)(sizeof o->extra_rules / sizeof o->extra_rules[0])) {
                fprintf(stderr, "minewatch: too many -s rule files\n");
                return -1;
            }
            o->extra_rules[o->nextra_rules++] = optarg;
            break;
        case 'T': o->test_config = 1; break;
        case 'U': o->update_file = optarg; break;
        case 'D': o->daemon = 1; break;
        case 'p': o->pidfile = optarg; break;
        case 'u': o->user = optarg; break;
        case 'g': o->group = optarg; break;
        case 'R': o->allow_root = 1; break;
        case 'w': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > MW_MAX_WORKERS) {
                fprintf(stderr, "minewatch: --workers takes a number from 1 to %d\n", MW_MAX_WORKERS);
                return -1;
            }
            o->workers = (int)n;
            break;
        }
        case 'V': printf("minewatch %s\n", MW_VERSION); exit(MW_EXIT_OK);
        case 'h': mw_usage(stdout); exit(MW_EXIT_OK);
        default: mw_usage(stderr); return -1;
        }
    }
    size_t off = 0;
    for (int i = optind; i < argc; i++) {
        int n = snprintf(o->bpf + off, sizeof o->bpf - off, "%s%s", off ? " " : "", argv[i]);
        if (n < 0 || (size_t)n >= sizeof o->bpf - off) {
            fprintf(stderr, "minewatch: BPF filter too long\n");
            return -1;
        }
        off += (size_t)n;
    }
    if (!o->test_config && !o->read_file && !o->iface) {
        fprintf(stderr, "minewatch: give -r FILE or -i IFACE (see --help)\n");
        return -1;
    }
    if (o->read_file && o->iface) {
        fprintf(stderr, "minewatch: -r and -i cannot be combined\n");
        return -1;
    }
    if (o->eve_path && o->log_dir) {
        fprintf(stderr, "minewatch: --eve and -l cannot be combined\n");
        return -1;
    }
    return 0;
}

static void mw_netset_from(struct netset *s, const struct mw_cidr_list *l)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < l->count && s->n < NETSET_MAX; i++, s->n++)
        netset_prefix_from_cidr(&l->net[i], &s->e[s->n].net, &s->e[s->n].bits);
}

/* The EVE file's path when EVE goes to a file (--eve PATH, -l DIR, or outputs.eve), else NULL. */
static const char *mw_eve_file(const struct mw_opts *o, const struct mw_config *cfg, char *path, size_t cap)
{
    if (o->eve_path)
        return strcmp(o->eve_path, "-") == 0 ? NULL : o->eve_path;
    if (o->log_dir)
        snprintf(path, cap, "%s/eve.json", o->log_dir);
    else if (cfg->outputs.eve.type != MW_EVE_FILE)
        return NULL;
    else if (cfg->outputs.eve.filename[0] == '/')
        snprintf(path, cap, "%s", cfg->outputs.eve.filename);
    else
        snprintf(path, cap, "%s/%s", cfg->default_log_dir, cfg->outputs.eve.filename);
    return path;
}

/* The EVE file's directory must exist before capture starts: found by -T (and at start-up,
 * exit 2) rather than as a failure to open the log once packets are waiting. */
static int mw_check_log_dir(const struct mw_opts *o, const struct mw_config *cfg, char *err, size_t errlen)
{
    char path[4096], dir[4096];
    const char *f = mw_eve_file(o, cfg, path, sizeof path);
    if (!f)
        return 0;
    const char *slash = strrchr(f, '/');
    if (!slash)
        return 0; /* the current directory */
    snprintf(dir, sizeof dir, "%.*s", (int)(slash == f ? 1 : slash - f), f);
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    const char *from = o->eve_path ? "--eve" : o->log_dir ? "-l" : "default-log-dir / outputs.eve.filename";
    snprintf(err, errlen, "the EVE log directory %.512s (from %s%s%.256s) %s; create it (the systemd unit's LogsDirectory= "
             "does) or point the log elsewhere", dir, from, !o->eve_path && !o->log_dir && cfg->source[0] ? " in " : "",
             !o->eve_path && !o->log_dir ? cfg->source : "", stat(dir, &st) == 0 ? "is not a directory" : "does not exist");
    return -1;
}

/* stats.prometheus-file's directory must exist too (node_exporter's textfile directory):
 * -T says so, exit 2. */
static int mw_check_prom_dir(const struct mw_config *cfg, char *err, size_t errlen)
{
    const char *f = cfg->stats.prometheus_file;
    const char *slash = strrchr(f, '/');
    if (!f[0] || !cfg->stats.enabled || !slash)
        return 0;
    char dir[MW_CFG_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash == f ? 1 : slash - f), f);
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    snprintf(err, errlen, "%.256s: stats.prometheus-file %.512s: the directory %s", cfg->source[0] ? cfg->source : "configuration",
             f, stat(dir, &st) == 0 ? "is not a directory" : "does not exist");
    return -1;
}

static struct output *mw_open_outputs(const struct mw_opts *o, const struct mw_config *cfg, char *err, size_t errlen)
{
    struct output_params op;
    memset(&op, 0, sizeof op);
    char path[4096];
    static const enum output_kind kinds[] = { [MW_EVE_FILE] = OUTPUT_FILE, [MW_EVE_STDOUT] = OUTPUT_STDOUT,
                                              [MW_EVE_SYSLOG] = OUTPUT_SYSLOG, [MW_EVE_UNIX_DGRAM] = OUTPUT_UNIX_DGRAM,
                                              [MW_EVE_UNIX_STREAM] = OUTPUT_UNIX_STREAM };
    op.kind = kinds[cfg->outputs.eve.type];
    op.path = mw_eve_file(o, cfg, path, sizeof path);
    if (op.path)
        op.kind = OUTPUT_FILE;
    else if (o->eve_path)
        op.kind = OUTPUT_STDOUT;
    else
        op.path = cfg->outputs.eve.path;
    op.syslog_facility = cfg->outputs.eve.syslog_facility;
    op.syslog_priority = cfg->outputs.eve.syslog_level;
    op.syslog_ident = "minewatch";
    return output_open(&op, err, errlen);
}

/* -T names every active list, so an admin sees that the shipped defaults and the updater's
 * lists are both loaded (and which file each came from). */
static void mw_print_lists(const struct rules *rules)
{
    printf("active lists (load order): name, category, names, addresses, file\n");
    struct rules_list_info li;
    for (size_t i = 0; rules_list_info(rules, i, &li) == 0; i++)
        printf("  %-28s %-15s %7zu %7zu  %s\n", li.name, rules_category_name(li.category), li.names, li.addresses,
               li.file);
}

static int mw_write_pidfile(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    int ok = write(fd, buf, (size_t)n) == n;
    close(fd);
    return ok ? 0 : -1;
}

static int mw_daemonize(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (setsid() < 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (chdir("/") != 0)
        return -1;
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    return 0;
}

/* The files -r reads (the capture keeps pointers into it until it is closed). */
static struct readlist mw_readlist;

/* A start-up failure after resources were taken: release them so the exit is clean
 * (and LeakSanitizer in the test suite stays quiet). */
static int mw_early_exit(struct run *run, struct rules *rules, struct mw_config *cfg, int status)
{
    for (int i = 0; i < MW_MAX_WORKERS; i++)
        if (run->cap[i]) {
            capture_close(run->cap[i]);
            run->cap[i] = NULL;
        }
    if (run->out)
        output_close(run->out);
    readlist_free(&mw_readlist);
    rules_free(rules);
    config_free(cfg);
    return status;
}

/* home-net decides which side of a name or address finding is the campus host: say so
 * when it was left at the private ranges, which miss campuses on public space. */
static void mw_home_net_note(const struct mw_config *cfg)
{
    struct mw_config *def = calloc(1, sizeof *def);
    if (!def)
        return;
    config_defaults(def);
    if (cfg->home_net.count == def->home_net.count &&
        memcmp(cfg->home_net.net, def->home_net.net, cfg->home_net.count * sizeof cfg->home_net.net[0]) == 0)
        mw_log(MW_LOG_INFO, "home-net is the default (RFC 1918 and fc00::/7): name and address findings of "
                            "hosts outside it give alerts but no host verdict; set home-net to the campus ranges");
    config_free(def);
    free(def);
}

int main(int argc, char **argv)
{
    struct mw_opts o;
    static struct mw_config cfg;
    static struct netset home_net, dns_servers, proxies;
    char err[1024];

    if (mw_parse_args(argc, argv, &o) != 0)
        return MW_EXIT_USAGE;
#ifdef MW_BUILD_TREE_RULES_DIR /* the build tree's binary only (CMakeLists.txt) */
    rulefiles_set_build_tree_dir(MW_BUILD_TREE_RULES_DIR);
#endif
    config_defaults(&cfg);
    if (o.config && config_load(&cfg, o.config, err, sizeof err) != 0) {
        fprintf(stderr, "minewatch: %s\n", err);
        return MW_EXIT_USAGE;
    }
    if (o.update_file)
        snprintf(cfg.rules.update_file, sizeof cfg.rules.update_file, "%s", o.update_file);
    mw_netset_from(&home_net, &cfg.home_net);
    mw_home_net_note(&cfg);
    mw_netset_from(&dns_servers, &cfg.dns_servers);
    mw_netset_from(&proxies, &cfg.proxies);
    struct rules *rules = rulefiles_load(&cfg, o.extra_rules, (size_t)o.nextra_rules, err, sizeof err);
    if (!rules) {
        fprintf(stderr, "minewatch: %s\n", err);
        config_free(&cfg);
        return MW_EXIT_USAGE;
    }
    if (cfg.geoip.enabled) { /* a corrupt database is a start-up error, found before capture */
        struct geoip_params gp = { cfg.geoip.country_database, cfg.geoip.city_database, cfg.geoip.asn_database, 0 };
        struct geoip *g = geoip_open(&gp, err, sizeof err);
        if (!g) {
            fprintf(stderr, "minewatch: %s\n", err);
            rules_free(rules);
            return MW_EXIT_USAGE;
        }
        geoip_close(g);
    }
    /* A bare -T (no -c, -l, --eve) checks rules only: the built-in log directory is not
     * the user's choice yet. */
    int log_chosen = o.config || o.log_dir || o.eve_path;
    if (((!o.test_config || log_chosen) && mw_check_log_dir(&o, &cfg, err, sizeof err) != 0) ||
        mw_check_prom_dir(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "minewatch: %s\n", err);
        rules_free(rules);
        config_free(&cfg);
        return MW_EXIT_USAGE;
    }
    if (o.test_config) {
        struct rules_counts rc;
        rules_counts(rules, &rc);
        mw_print_lists(rules);
        fprintf(stderr, "minewatch: configuration OK (%zu rule files, %zu lists, %zu names, %zu addresses, %zu allowlist entries)\n",
                rc.files, rc.lists, rc.domains, rc.addresses, rc.allow);
        for (size_t i = 0; i < cfg.rules.allowlist_files.count; i++)
            fprintf(stderr, "minewatch: allowlist file %s loaded\n", cfg.rules.allowlist_files.path[i]);
        rules_free(rules);
        config_free(&cfg);
        return MW_EXIT_OK;
    }

    struct run run;
    memset(&run, 0, sizeof run);
    pthread_mutex_init(&run.stats_lock, NULL);
    run.cfg = &cfg;
    run.read_file = o.read_file;
    run.daemon = o.daemon;
    run.extra_rules = o.extra_rules;
    run.nextra_rules = (size_t)o.nextra_rules;
    if (!o.iface && !o.read_file && cfg.capture.has_interface)
        o.iface = cfg.capture.interface;
    int nworkers = o.workers ? o.workers : (int)cfg.capture.workers;
    if (nworkers < 1)
        nworkers = 1;
    const char *bpf = o.bpf[0] ? o.bpf : cfg.capture.bpf_filter;

    /* Open everything that needs privileges first: captures, outputs, pidfile. */
    int fanout = nworkers > 1 && !o.read_file ? (cfg.capture.fanout_group ? (int)cfg.capture.fanout_group : (getpid() & 0xffff)) : 0;
    /* A capture file is read by one thread that hands frames to the workers (dispatch.c). */
    int ncaptures = o.read_file ? 1 : nworkers;
    if (o.read_file && readlist_build(&mw_readlist, o.read_args, (size_t)o.nread_args, err, sizeof err) != 0) {
        fprintf(stderr, "minewatch: %s\n", err);
        return mw_early_exit(&run, rules, &cfg, MW_EXIT_RUNTIME);
    }
    for (int i = 0; i < ncaptures; i++) {
        struct capture_params cp = { (const char *const *)mw_readlist.files, mw_readlist.n, o.iface, (int)cfg.capture.snaplen,
                                     cfg.capture.buffer_size, cfg.capture.promiscuous, bpf, fanout };
        run.cap[i] = capture_open(&cp, err, sizeof err);
        if (!run.cap[i] && fanout) {
            /* No fanout (old kernel, a group id taken by another program in another mode):
             * one handle outside any group still sees every packet. */
            mw_log(MW_LOG_WARN, "%s; falling back to one capture thread", err);
            for (int k = 0; k < i; k++) {
                capture_close(run.cap[k]);
                run.cap[k] = NULL;
            }
            nworkers = ncaptures = 1;
            fanout = 0;
            i = -1;
            continue;
        }
        if (!run.cap[i]) {
            fprintf(stderr, "minewatch: %s\n", err);
            return mw_early_exit(&run, rules, &cfg, MW_EXIT_RUNTIME);
        }
        if (i == 0 && !decode_dlt_supported(capture_datalink(run.cap[0]))) {
            fprintf(stderr, "minewatch: %s: unsupported link type %d\n", o.read_file ? o.read_file : o.iface,
                    capture_datalink(run.cap[0]));
            return mw_early_exit(&run, rules, &cfg, MW_EXIT_RUNTIME);
        }
    }
    run.nworkers = nworkers;
    run.out = mw_open_outputs(&o, &cfg, err, sizeof err);
    if (!run.out) {
        fprintf(stderr, "minewatch: %s\n", err);
        return mw_early_exit(&run, rules, &cfg, MW_EXIT_RUNTIME);
    }
    if (o.daemon) {
        /* From here on stderr is /dev/null: every diagnostic goes through mw_log(). The
         * log file is opened now, with the privileges and working directory of start-up. */
        if (cfg.daemon.log_file[0] && mw_log_set_file(cfg.daemon.log_file, err, sizeof err) != 0) {
            fprintf(stderr, "minewatch: %s\n", err);
            return mw_early_exit(&run, rules, &cfg, MW_EXIT_USAGE);
        }
        mw_log_set_syslog(1);
        if (mw_daemonize() != 0) {
            mw_log(MW_LOG_ERR, "cannot daemonize: %s", strerror(errno));
            return MW_EXIT_RUNTIME;
        }
    }
    /* Handlers before the pidfile: whoever reads it may signal at once (minewatch-update
     * sends SIGUSR2), and SIGUSR2/SIGHUP would otherwise still kill the process. */
    volatile sig_atomic_t *stop = run_signals_install();
    const char *pidfile = o.pidfile ? o.pidfile : (o.daemon ? cfg.daemon.pidfile : NULL);
    if (pidfile && mw_write_pidfile(pidfile) != 0)
        mw_log(MW_LOG_WARN, "cannot write pidfile %s: %s", pidfile, strerror(errno));
    const char *user = o.user ? o.user : (cfg.run_as.user[0] ? cfg.run_as.user : NULL);
    const char *group = o.group ? o.group : (cfg.run_as.group[0] ? cfg.run_as.group : NULL);
    if (privdrop(user, group, o.allow_root || o.read_file != NULL, err, sizeof err) != 0) {
        mw_log(MW_LOG_ERR, "%s", err);
        return mw_early_exit(&run, rules, &cfg, MW_EXIT_USAGE);
    }

    run.sh.cfg = &cfg;
    run.sh.out = run.out;
    run.sh.rules = ruleswap_new(rules, nworkers, NULL);
    if (!run.sh.rules) {
        mw_log(MW_LOG_ERR, "out of memory");
        return mw_early_exit(&run, rules, &cfg, MW_EXIT_RUNTIME);
    }
    run.sh.dns_servers = &dns_servers;
    run.sh.proxies = &proxies;
    run.sh.home_net = &home_net;
    run.sh.sensor_name = cfg.sensor_name;
    run.sh.in_iface = o.iface;
    run.sh.stop = stop;
    if (worker_shared_tables_new(&run.sh, err, sizeof err) != 0) {
        mw_log(MW_LOG_ERR, "%s", err);
        return MW_EXIT_RUNTIME;
    }
    for (int i = 0; i < nworkers; i++) {
        run.wk[i] = worker_new(&run.sh, i, err, sizeof err);
        if (!run.wk[i]) {
            mw_log(MW_LOG_ERR, "%s", err);
            return MW_EXIT_RUNTIME;
        }
    }
    /* After the privilege drop: the textfile is written as the user the sensor runs as. */
    struct prom *prom = NULL;
    if (cfg.stats.enabled && cfg.stats.prometheus_file[0]) {
        prom = prom_new(cfg.stats.prometheus_file, nworkers, err, sizeof err);
        if (!prom) {
            fprintf(stderr, "minewatch: %s\n", err);
            return MW_EXIT_RUNTIME;
        }
        eve_set_prom(worker_eve(run.wk[0]), prom);
    }
    if (nworkers > 1 && o.read_file)
        mw_log(MW_LOG_INFO, "reading %s with %d workers (frames dispatched by address pair)", o.read_file, nworkers);
    else if (nworkers > 1)
        mw_log(MW_LOG_INFO, "capturing on %s with %d workers (fanout group %d)", o.iface, nworkers, fanout);
    run_capture(&run);
    if (mw_readlist.n > 1) {
        uint64_t nread, nskipped, nfailed;
        capture_file_counts(run.cap[0], &nread, &nskipped, &nfailed);
        mw_log(nskipped || nfailed ? MW_LOG_WARN : MW_LOG_INFO,
               "read %llu capture files of %zu (%llu skipped: not a capture or another link type; "
               "%llu failed part-way)", (unsigned long long)nread, mw_readlist.n, (unsigned long long)nskipped,
               (unsigned long long)nfailed);
        if (nfailed)
            run.failed = 1;
    }

    for (int i = 0; i < nworkers; i++) {
        worker_free(run.wk[i]);
        if (run.cap[i])
            capture_close(run.cap[i]);
    }
    if (prom && prom_write_errors(prom))
        mw_log(MW_LOG_WARN, "stats.prometheus-file %s: %llu writes failed (stats.minewatch.prometheus.write_errors)",
               cfg.stats.prometheus_file, (unsigned long long)prom_write_errors(prom));
    prom_free(prom);
    worker_shared_tables_free(&run.sh);
    readlist_free(&mw_readlist);
    output_close(run.out);
    ruleswap_free(run.sh.rules);
    config_free(&cfg);
    if (pidfile)
        unlink(pidfile);
    return run.failed ? MW_EXIT_RUNTIME : MW_EXIT_OK;
}
