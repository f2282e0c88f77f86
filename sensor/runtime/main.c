/* main.c - command line, start-up, signals and the capture loop.
 *
 * Start-up is the only place allowed to fail fatally: configuration and rule errors exit 2
 * with file:line:column, capture problems exit 1. Once packets flow, trouble is counted.
 * Signals only set flags; the loop acts on them between packets (SIGHUP reopens outputs,
 * SIGUSR2 reloads rules, SIGTERM/SIGINT stop after a flush and a final stats event).
 */
#include <dirent.h>
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rules/rules.h"
#include "sensor/capture/capture.h"
#include "sensor/runtime/config.h"
#include "sensor/decode/decode.h"
#include "sensor/detect/geoip.h"
#include "sensor/runtime/log.h"
#include "sensor/detect/netset.h"
#include "sensor/eve/output.h"
#include "sensor/runtime/privdrop.h"
#include "sensor/runtime/worker.h"

#define MW_EXIT_OK 0
#define MW_EXIT_RUNTIME 1
#define MW_EXIT_USAGE 2
#define MW_MAX_WORKERS 64
#define MW_MAX_RULE_FILES 256

static volatile sig_atomic_t mw_stop, mw_hup, mw_usr2;

static void mw_on_signal(int sig)
{
    if (sig == SIGHUP)
        mw_hup = 1;
    else if (sig == SIGUSR2)
        mw_usr2 = 1;
    else if (sig == SIGALRM) {
        if (mw_stop)
            alarm(1); /* keep interrupting until the loop has seen the stop */
    } else {
        mw_stop = 1;
        /* A read that began just before this signal would block again: a capture file
         * read from a quiet pipe or FIFO. The alarm interrupts it within a second. */
        alarm(1);
    }
}

struct mw_opts {
    const char *read_file, *iface, *eve_path, *log_dir, *config, *pidfile, *user, *group;
    int test_config, daemon, workers, allow_root;
    const char *extra_rules[16]; /* -s FILE: rule files on top of the configured ones */
    int nextra_rules;
    char bpf[4096];
};

static void mw_usage(FILE *f)
{
    fprintf(f,
            "Usage: minewatch [options] (-r FILE | -i IFACE) [BPF filter]\n"
            "Find cryptocurrency mining on a network; write Suricata-compatible EVE JSON.\n\n"
            "  -r, --read FILE        read a pcap or pcapng file (- for standard input)\n"
            "  -i, --interface IFACE  capture live on IFACE\n"
            "      --eve PATH         write EVE lines to PATH (- for standard output)\n"
            "  -l, --log-dir DIR      write DIR/eve.json\n"
            "  -c, --config FILE      load a YAML configuration (docs/minewatch.yaml)\n"
            "  -s, --rules FILE       load this rule file too (repeatable; docs/rules.md)\n"
            "  -T, --test-config      load configuration and rules, report problems, exit 0 or 2\n"
            "  -D, --daemon           run in the background (diagnostics to syslog)\n"
            "      --pidfile FILE     write the process id to FILE\n"
            "      --workers N        capture threads in one AF_PACKET fanout group (live only)\n"
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
        { NULL, 0, NULL, 0 },
    };
    int c;
    memset(o, 0, sizeof *o);
    while ((c = getopt_long(argc, argv, "+r:i:l:c:s:TDVh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': o->read_file = optarg; break;
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

/* The rule files: those the configuration names, else every *.yaml of the rules directory. */
static size_t mw_rule_files(const struct mw_config *cfg, char **files, size_t max)
{
    size_t n = 0;
    const char *dir = cfg->rules.directory[0] ? cfg->rules.directory : MW_INSTALLED_RULES_DIR;
    struct stat st;
    /* Run from a build tree before `make install`: the installed default directory does not
     * exist yet, so the repository's default rules stand in for it. */
    if (strcmp(dir, MW_INSTALLED_RULES_DIR) == 0 && stat(dir, &st) != 0)
        dir = MW_DEFAULT_RULES_DIR;
    for (size_t i = 0; i < cfg->rules.files.count && n < max; i++) {
        const char *f = cfg->rules.files.path[i];
        size_t len = strlen(dir) + strlen(f) + 2;
        files[n] = malloc(len);
        if (!files[n])
            continue;
        if (f[0] == '/')
            snprintf(files[n++], len, "%s", f);
        else
            snprintf(files[n++], len, "%s/%s", dir, f);
    }
    if (cfg->rules.files.count)
        return n;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < max) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        size_t plen = strlen(dir) + len + 2;
        files[n] = malloc(plen);
        if (files[n])
            snprintf(files[n++], plen, "%s/%s", dir, de->d_name);
    }
    closedir(d);
    /* readdir order is arbitrary; load in name order so list precedence is stable. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(files[j - 1], files[j]) > 0; j--) {
            char *t = files[j];
            files[j] = files[j - 1];
            files[j - 1] = t;
        }
    return n;
}

static const struct mw_opts *mw_cli; /* for -s files on reload */

static struct rules *mw_load_rules(const struct mw_config *cfg, char *err, size_t errlen)
{
    char *files[MW_MAX_RULE_FILES];
    size_t n = mw_rule_files(cfg, files, MW_MAX_RULE_FILES - 16);
    for (int i = 0; mw_cli && i < mw_cli->nextra_rules && n < MW_MAX_RULE_FILES; i++) {
        char *dup = strdup(mw_cli->extra_rules[i]);
        if (dup)
            files[n++] = dup;
    }
    struct rules *r = rules_load((const char *const *)files, n, err, errlen);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    return r;
}

static void mw_netset_from(struct netset *s, const struct mw_cidr_list *l)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < l->count && s->n < NETSET_MAX; i++, s->n++)
        netset_prefix_from_cidr(&l->net[i], &s->e[s->n].net, &s->e[s->n].bits);
}

static uint64_t mw_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t mw_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct mw_run {
    struct mw_opts *o;
    struct mw_config *cfg;
    struct worker_shared sh;
    struct output *out;
    struct capture *cap[MW_MAX_WORKERS];
    struct worker *wk[MW_MAX_WORKERS];
    int nworkers;
    uint64_t start_mono_us;
    int failed;           /* a runtime failure (corrupt capture) makes the exit status 1 */
    pthread_mutex_t stats_lock;
    /* Kernel counters of each worker's latest stats event: the total at exit sums exactly
     * these, since packets still reach a socket after its worker has stopped reading. */
    uint64_t kern_packets[MW_MAX_WORKERS], kern_drops[MW_MAX_WORKERS], kern_ifdrops[MW_MAX_WORKERS];
};

static void mw_progress(struct mw_run *run, int final)
{
    static uint64_t last_us;
    uint64_t pos, size, now = mw_mono_us();
    if (!final && now - last_us < 500000)
        return;
    last_us = now;
    if (capture_file_progress(run->cap[0], &pos, &size) != 0)
        return;
    double secs = (double)(now - run->start_mono_us) / 1e6;
    uint64_t pk = capture_packet_number(run->cap[0]);
    fprintf(stderr, "\r%s: %5.1f%% read, %llu packets, %.0f packets/s%s", run->o->read_file,
            size ? 100.0 * (double)pos / (double)size : 100.0, (unsigned long long)pk,
            secs > 0 ? (double)pk / secs : 0.0, final ? "\n" : "");
}

static void mw_stats(struct mw_run *run, int i, uint64_t ts_us)
{
    uint64_t kp = 0, kd = 0, ki = 0;
    capture_kernel_stats(run->cap[i], &kp, &kd, &ki);
    uint64_t uptime = (mw_mono_us() - run->start_mono_us) / 1000000u;
    pthread_mutex_lock(&run->stats_lock);
    run->kern_packets[i] = kp;
    run->kern_drops[i] = kd;
    run->kern_ifdrops[i] = ki;
    worker_stats(run->wk[i], ts_us, uptime, kp, kd, ki);
    pthread_mutex_unlock(&run->stats_lock);
}

/* Reload the rule set: build the new one completely, then swap; a failed reload keeps the old. */
static void mw_reload_rules(struct mw_run *run)
{
    char err[512];
    struct rules *nr = mw_load_rules(run->cfg, err, sizeof err);
    if (!nr) {
        mw_log(MW_LOG_ERR, "rule reload failed, keeping the current rules: %s", err);
        return;
    }
    struct rules *old = run->sh.rules;
    run->sh.rules = nr;
    /* Workers pick up the new pointer before their next packet; give them time to leave
     * any packet in flight before the old set goes away. Offline runs are single-threaded. */
    if (run->nworkers > 1 || capture_is_live(run->cap[0]))
        usleep(200000);
    rules_free(old);
    mw_log(MW_LOG_INFO, "rules reloaded");
}

struct mw_thread {
    struct mw_run *run;
    int id;
};

static void *mw_capture_loop(void *arg)
{
    struct mw_thread *t = arg;
    struct mw_run *run = t->run;
    struct capture *cap = run->cap[t->id];
    struct worker *w = run->wk[t->id];
    int dlt = capture_datalink(cap);
    int offline = !capture_is_live(cap);
    int show_progress = offline && t->id == 0 && isatty(2) && !run->o->daemon;
    uint64_t interval_us = run->cfg->stats.enabled ? (uint64_t)run->cfg->stats.interval * 1000000u : 0;
    uint64_t next_stats = 0, next_house = 0, last_ts = 0;
    struct capture_packet pk;
    for (;;) {
        if (mw_stop)
            break;
        /* Signal flags are acted on at the top of the loop so a quiet link or a read that
         * returned without a packet still reopens outputs and reloads rules promptly. */
        if (t->id == 0 && (offline || run->nworkers == 1)) {
            if (mw_hup) {
                mw_hup = 0;
                output_reopen(run->out);
            }
            if (mw_usr2) {
                mw_usr2 = 0;
                mw_reload_rules(run);
            }
        }
        enum capture_status st = capture_next(cap, &pk);
        /* A capture read from a pipe blocks (SA_RESTART) until its next packet arrives: a
         * reload asked for meanwhile must already apply to that packet. */
        if (st == CAPTURE_OK && mw_usr2 && t->id == 0 && (offline || run->nworkers == 1)) {
            mw_usr2 = 0;
            mw_reload_rules(run);
        }
        /* Offline, time is packet time; live, time is the clock (a quiet link still ages flows). */
        uint64_t now = offline ? (st == CAPTURE_OK ? pk.ts_us : last_ts) : mw_now_us();
        if (st == CAPTURE_OK) {
            worker_packet(w, dlt, pk.data, pk.caplen, pk.wirelen, pk.ts_us);
            last_ts = pk.ts_us > last_ts ? pk.ts_us : last_ts;
        } else if (st == CAPTURE_EOF) {
            break;
        } else if (st == CAPTURE_ERROR) {
            if (mw_stop)
                break; /* the stop signal interrupted a read */
            if (offline) {
                fprintf(stderr, "\nminewatch: %s: error after packet %llu: %s\n", run->o->read_file,
                        (unsigned long long)capture_packet_number(cap), capture_error(cap));
                run->failed = 1;
                break;
            }
            mw_log(MW_LOG_ERR, "capture error: %s", capture_error(cap));
            usleep(100000);
            continue;
        }
        if (now >= next_house) {
            worker_housekeep(w, now);
            if (t->id == 0)
                output_flush(run->out); /* quiet links must not leave lines in the buffer */
            next_house = now + 100000; /* housekeeping steps are bounded; run them every 100 ms */
        }
        if (interval_us) {
            if (!next_stats)
                next_stats = now + interval_us;
            else if (now >= next_stats) {
                mw_stats(run, t->id, now);
                next_stats = now + interval_us;
            }
        }
        if (show_progress)
            mw_progress(run, 0);
    }
    if (t->id == 0 && mw_hup) { /* a rotation that arrived during the last read */
        mw_hup = 0;
        output_reopen(run->out);
    }
    uint64_t end = offline ? last_ts : mw_now_us();
    worker_drain(w, end);
    if (run->cfg->stats.enabled)
        mw_stats(run, t->id, end ? end : mw_now_us());
    if (show_progress)
        mw_progress(run, 1);
    return NULL;
}

static int mw_open_outputs(struct mw_run *run, char *err, size_t errlen)
{
    const struct mw_config *cfg = run->cfg;
    struct output_params op;
    memset(&op, 0, sizeof op);
    char path[4096];
    static const enum output_kind kinds[] = { [MW_EVE_FILE] = OUTPUT_FILE, [MW_EVE_STDOUT] = OUTPUT_STDOUT,
                                              [MW_EVE_SYSLOG] = OUTPUT_SYSLOG, [MW_EVE_UNIX_DGRAM] = OUTPUT_UNIX_DGRAM,
                                              [MW_EVE_UNIX_STREAM] = OUTPUT_UNIX_STREAM };
    op.kind = kinds[cfg->outputs.eve.type];
    if (run->o->eve_path) {
        op.kind = strcmp(run->o->eve_path, "-") == 0 ? OUTPUT_STDOUT : OUTPUT_FILE;
        op.path = run->o->eve_path;
    } else if (run->o->log_dir) {
        snprintf(path, sizeof path, "%s/eve.json", run->o->log_dir);
        op.kind = OUTPUT_FILE;
        op.path = path;
    } else if (op.kind == OUTPUT_FILE) {
        const char *fn = cfg->outputs.eve.filename;
        if (fn[0] == '/')
            snprintf(path, sizeof path, "%s", fn);
        else
            snprintf(path, sizeof path, "%s/%s", cfg->default_log_dir, fn);
        op.path = path;
    } else {
        op.path = cfg->outputs.eve.path;
    }
    op.syslog_facility = cfg->outputs.eve.syslog_facility;
    op.syslog_priority = cfg->outputs.eve.syslog_level;
    op.syslog_ident = "minewatch";
    run->out = output_open(&op, err, errlen);
    return run->out ? 0 : -1;
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

/* A start-up failure after resources were taken: release them so the exit is clean
 * (and LeakSanitizer in the test suite stays quiet). */
static int mw_early_exit(struct mw_run *run, struct rules *rules, struct mw_config *cfg, int status)
{
    for (int i = 0; i < MW_MAX_WORKERS; i++)
        if (run->cap[i]) {
            capture_close(run->cap[i]);
            run->cap[i] = NULL;
        }
    if (run->out)
        output_close(run->out);
    rules_free(rules);
    config_free(cfg);
    return status;
}

int main(int argc, char **argv)
{
    struct mw_opts o;
    static struct mw_config cfg;
    static struct netset home_net, dns_servers, proxies;
    char err[1024];

    if (mw_parse_args(argc, argv, &o) != 0)
        return MW_EXIT_USAGE;
    mw_cli = &o;
    config_defaults(&cfg);
    if (o.config && config_load(&cfg, o.config, err, sizeof err) != 0) {
        fprintf(stderr, "minewatch: %s\n", err);
        return MW_EXIT_USAGE;
    }
    mw_netset_from(&home_net, &cfg.home_net);
    mw_netset_from(&dns_servers, &cfg.dns_servers);
    mw_netset_from(&proxies, &cfg.proxies);
    struct rules *rules = mw_load_rules(&cfg, err, sizeof err);
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
    if (o.test_config) {
        struct rules_counts rc;
        rules_counts(rules, &rc);
        fprintf(stderr, "minewatch: configuration OK (%zu rule files, %zu lists, %zu names, %zu addresses, %zu allowlist entries)\n",
                rc.files, rc.lists, rc.domains, rc.addresses, rc.allow);
        rules_free(rules);
        config_free(&cfg);
        return MW_EXIT_OK;
    }

    struct mw_run run;
    memset(&run, 0, sizeof run);
    pthread_mutex_init(&run.stats_lock, NULL);
    run.o = &o;
    run.cfg = &cfg;
    if (!o.iface && !o.read_file && cfg.capture.has_interface)
        o.iface = cfg.capture.interface;
    int nworkers = o.workers ? o.workers : (int)cfg.capture.workers;
    if (o.read_file && nworkers > 1)
        mw_log(MW_LOG_INFO, "reading a capture file: one thread (%d workers apply to live capture only)", nworkers);
    if (o.read_file || nworkers < 1)
        nworkers = 1;
    const char *bpf = o.bpf[0] ? o.bpf : cfg.capture.bpf_filter;

    /* Open everything that needs privileges first: captures, outputs, pidfile. */
    int fanout = nworkers > 1 ? (cfg.capture.fanout_group ? (int)cfg.capture.fanout_group : (getpid() & 0xffff)) : 0;
    for (int i = 0; i < nworkers; i++) {
        struct capture_params cp = { o.read_file, o.iface, (int)cfg.capture.snaplen, cfg.capture.buffer_size,
                                     cfg.capture.promiscuous, bpf, fanout };
        run.cap[i] = capture_open(&cp, err, sizeof err);
        if (!run.cap[i] && fanout) {
            /* No fanout (old kernel, a group id taken by another program in another mode):
             * one handle outside any group still sees every packet. */
            mw_log(MW_LOG_WARN, "%s; falling back to one capture thread", err);
            for (int k = 0; k < i; k++) {
                capture_close(run.cap[k]);
                run.cap[k] = NULL;
            }
            nworkers = 1;
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
    if (mw_open_outputs(&run, err, sizeof err) != 0) {
        fprintf(stderr, "minewatch: %s\n", err);
        return mw_early_exit(&run, rules, &cfg, MW_EXIT_RUNTIME);
    }
    if (o.daemon) {
        mw_log_set_syslog(1);
        if (mw_daemonize() != 0) {
            fprintf(stderr, "minewatch: cannot daemonize: %s\n", strerror(errno));
            return MW_EXIT_RUNTIME;
        }
    }
    const char *pidfile = o.pidfile ? o.pidfile : (o.daemon ? cfg.daemon.pidfile : NULL);
    if (pidfile && mw_write_pidfile(pidfile) != 0)
        mw_log(MW_LOG_WARN, "cannot write pidfile %s: %s", pidfile, strerror(errno));
    const char *user = o.user ? o.user : (cfg.run_as.user[0] ? cfg.run_as.user : NULL);
    const char *group = o.group ? o.group : (cfg.run_as.group[0] ? cfg.run_as.group : NULL);
    if (privdrop(user, group, o.allow_root || o.read_file != NULL, err, sizeof err) != 0) {
        fprintf(stderr, "minewatch: %s\n", err);
        return mw_early_exit(&run, rules, &cfg, MW_EXIT_USAGE);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = mw_on_signal;
    sigemptyset(&sa.sa_mask);
    /* TERM and INT interrupt a blocked read (a capture file on a pipe or FIFO that went
     * quiet) so the sensor stops, flushes and exits; the loop takes the read error that
     * follows for the stop it is. */
    sa.sa_flags = 0;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_flags = SA_RESTART; /* a capture file read from a pipe must not fail with EINTR */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    run.sh.cfg = &cfg;
    run.sh.out = run.out;
    run.sh.rules = rules;
    run.sh.dns_servers = &dns_servers;
    run.sh.proxies = &proxies;
    run.sh.home_net = &home_net;
    run.sh.sensor_name = cfg.sensor_name;
    run.sh.in_iface = o.iface;
    run.sh.stop = &mw_stop;
    for (int i = 0; i < nworkers; i++) {
        run.wk[i] = worker_new(&run.sh, i, err, sizeof err);
        if (!run.wk[i]) {
            fprintf(stderr, "minewatch: %s\n", err);
            return MW_EXIT_RUNTIME;
        }
    }
    run.start_mono_us = mw_mono_us();
    if (nworkers > 1)
        mw_log(MW_LOG_INFO, "capturing on %s with %d workers (fanout group %d)", o.iface, nworkers, fanout);

    struct mw_thread th[MW_MAX_WORKERS];
    pthread_t tid[MW_MAX_WORKERS];
    if (nworkers == 1) {
        th[0].run = &run;
        th[0].id = 0;
        mw_capture_loop(&th[0]);
    } else {
        for (int i = 0; i < nworkers; i++) {
            th[i].run = &run;
            th[i].id = i;
            pthread_create(&tid[i], NULL, mw_capture_loop, &th[i]);
        }
        /* The main thread handles signals that concern everyone while workers capture. */
        while (!mw_stop) {
            usleep(100000);
            if (mw_hup) {
                mw_hup = 0;
                output_reopen(run.out);
            }
            if (mw_usr2) {
                mw_usr2 = 0;
                mw_reload_rules(&run);
            }
        }
        for (int i = 0; i < nworkers; i++)
            capture_breakloop(run.cap[i]);
        for (int i = 0; i < nworkers; i++)
            pthread_join(tid[i], NULL);
        if (cfg.stats.enabled) {
            if (worker_stats_total(run.wk, nworkers, mw_now_us(), (mw_mono_us() - run.start_mono_us) / 1000000u,
                                   run.kern_packets, run.kern_drops, run.kern_ifdrops) != 0)
                mw_log(MW_LOG_WARN, "cannot write the total stats event of the workers");
        }
    }

    for (int i = 0; i < nworkers; i++) {
        worker_free(run.wk[i]);
        capture_close(run.cap[i]);
    }
    output_close(run.out);
    rules_free(run.sh.rules);
    config_free(&cfg);
    if (pidfile)
        unlink(pidfile);
    return run.failed ? MW_EXIT_RUNTIME : MW_EXIT_OK;
}
