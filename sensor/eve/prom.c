/* prom.c - stats as a Prometheus textfile for node_exporter's textfile collector.
 *
 * Spec: Prometheus "Exposition formats", text format 0.0.4 (HELP and TYPE lines before
 * each family, one sample per line, label values escaped: backslash, double quote, line
 * feed); naming practice: a `minewatch_` prefix, base units (bytes, seconds), `_total` on
 * counters. node_exporter reads every *.prom file of its directory at each scrape, so the
 * file is written beside itself under another name and renamed over the old one: a scrape
 * sees the previous interval or this one, never half a file.
 *
 * The values are the counters of the EVE stats event being written (eve_stats feeds both),
 * picked by name: the mapping table below is the metric list (docs/eve.md). Everything is
 * sized at start-up: one text buffer, fixed tables of signatures and verdicts.
 */
#include "sensor/eve/prom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROM_TEXT_CAP 32768u
#define PROM_SIDS 64
#define PROM_VERDICTS 8
#define PROM_LABEL_LEN 24

/* Scalar metrics: the counter each one reads, by its internal name (sensor/eve/stats_tree.c
 * gives the EVE name, in the help text). */
static const struct prom_scalar {
    const char *counter, *metric, *type, *help;
} prom_scalars[] = {
    { "decode.packets", "minewatch_packets_total", "counter", "Packets decoded (EVE stats.decoder.pkts)." },
    { "decode.bytes", "minewatch_bytes_total", "counter", "Captured bytes of the packets decoded (stats.decoder.bytes)." },
    { "capture.kernel_packets", "minewatch_kernel_packets_total", "counter",
      "Packets the capture saw, from pcap_stats (stats.capture.kernel_packets)." },
    { "capture.kernel_drops", "minewatch_kernel_drops_total", "counter",
      "Packets dropped by the kernel for lack of buffer space (stats.capture.kernel_drops)." },
    { "capture.kernel_ifdrops", "minewatch_kernel_ifdrops_total", "counter",
      "Packets dropped by the interface (stats.capture.kernel_ifdrops)." },
    { "flow.created", "minewatch_flows_total", "counter", "Flows created (stats.flow.total)." },
    { "flow.active", "minewatch_flows_active", "gauge", "Flows in the flow table now (stats.flow.active)." },
    { "flow.memcap_fail", "minewatch_flows_memcap_total", "counter",
      "Flows not created because the flow memcap was reached (stats.flow.memcap)." },
    { "detect.alerts", "minewatch_alerts_written_total", "counter", "Alerts written, all signatures (stats.detect.alert)." },
    { "memory.in_use", "minewatch_memory_bytes", "gauge",
      "Memory held by the sensor's tables (stats.minewatch.memory.in_use)." },
    { "output.dropped", "minewatch_eve_lines_dropped_total", "counter",
      "EVE lines dropped by the sink: disk full, reader gone (stats.minewatch.output.dropped)." },
};
#define PROM_NSCALARS (sizeof prom_scalars / sizeof prom_scalars[0])

struct prom_labelled {
    char label[PROM_LABEL_LEN];
    uint64_t v;
};

struct prom {
    char *path, *tmp;
    int nworkers;
    int total, worker; /* this event carries workers.count / worker.id */
    uint64_t scalar[PROM_NSCALARS];
    uint8_t seen[PROM_NSCALARS];
    struct prom_labelled sid[PROM_SIDS], verdict[PROM_VERDICTS];
    size_t nsid, nverdict;
    char *text;
    size_t len;
    uint64_t write_errors;
};

struct prom *prom_new(const char *path, int nworkers, char *err, size_t errlen)
{
    struct prom *p = calloc(1, sizeof *p);
    size_t n = strlen(path) + 32;
    if (!p || !(p->path = strdup(path)) || !(p->tmp = malloc(n)) || !(p->text = malloc(PROM_TEXT_CAP))) {
        snprintf(err, errlen, "out of memory");
        prom_free(p);
        return NULL;
    }
    /* A dot name: node_exporter only reads *.prom, and never the file being written. */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    snprintf(p->tmp, n, "%.*s.%s.%ld.tmp", (int)dirlen, path, path + dirlen, (long)getpid());
    p->nworkers = nworkers;
    int fd = open(p->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "stats.prometheus-file %s: cannot write in its directory: %s", path, strerror(errno));
        prom_free(p);
        return NULL;
    }
    close(fd);
    unlink(p->tmp);
    return p;
}

void prom_free(struct prom *p)
{
    if (!p)
        return;
    free(p->path);
    free(p->tmp);
    free(p->text);
    free(p);
}

void prom_begin(struct prom *p)
{
    p->total = p->worker = 0;
    p->nsid = p->nverdict = 0;
    memset(p->seen, 0, sizeof p->seen);
}

static void prom_label_add(struct prom_labelled *t, size_t *n, size_t cap, const char *label, uint64_t v)
{
    if (*n == cap)
        return;
    snprintf(t[*n].label, sizeof t[*n].label, "%s", label);
    t[(*n)++].v = v;
}

void prom_counter(void *vp, const char *name, uint64_t value)
{
    struct prom *p = vp;
    static const char sid_prefix[] = "detect.alerts_by_sid.", verdict_prefix[] = "hosts.verdict.";
    if (strcmp(name, "workers.count") == 0) {
        p->total = 1;
        return;
    }
    if (strcmp(name, "worker.id") == 0) {
        p->worker = 1;
        return;
    }
    if (strncmp(name, sid_prefix, sizeof sid_prefix - 1) == 0) {
        prom_label_add(p->sid, &p->nsid, PROM_SIDS, name + sizeof sid_prefix - 1, value);
        return;
    }
    if (strncmp(name, verdict_prefix, sizeof verdict_prefix - 1) == 0) {
        prom_label_add(p->verdict, &p->nverdict, PROM_VERDICTS, name + sizeof verdict_prefix - 1, value);
        return;
    }
    for (size_t i = 0; i < PROM_NSCALARS; i++)
        if (strcmp(name, prom_scalars[i].counter) == 0) {
            p->scalar[i] = value;
            p->seen[i] = 1;
            return;
        }
}

static void prom_printf(struct prom *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void prom_printf(struct prom *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p->text + p->len, PROM_TEXT_CAP - p->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        p->len = (size_t)n < PROM_TEXT_CAP - p->len ? p->len + (size_t)n : PROM_TEXT_CAP;
}

/* Label values come from our own tables (sids, verdict names); escaped all the same. */
static void prom_labelled_family(struct prom *p, const char *metric, const char *type, const char *help,
                                 const char *label, const struct prom_labelled *t, size_t n)
{
    prom_printf(p, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric, type);
    for (size_t i = 0; i < n; i++) {
        char esc[2 * PROM_LABEL_LEN + 1];
        size_t k = 0;
        for (const char *c = t[i].label; *c && k + 2 < sizeof esc; c++) {
            if (*c == '\\' || *c == '"' || *c == '\n')
                esc[k++] = '\\';
            esc[k++] = *c == '\n' ? 'n' : *c;
        }
        esc[k] = '\0';
        prom_printf(p, "%s{%s=\"%s\"} %llu\n", metric, label, esc, (unsigned long long)t[i].v);
    }
}

static void prom_render(struct prom *p, uint64_t uptime_s)
{
    p->len = 0;
    prom_printf(p, "# HELP minewatch_uptime_seconds Seconds since the sensor started.\n"
                   "# TYPE minewatch_uptime_seconds gauge\nminewatch_uptime_seconds %llu\n",
                (unsigned long long)uptime_s);
    for (size_t i = 0; i < PROM_NSCALARS; i++) {
        const struct prom_scalar *m = &prom_scalars[i];
        if (!p->seen[i])
            continue;
        prom_printf(p, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", m->metric, m->help, m->metric, m->type, m->metric,
                    (unsigned long long)p->scalar[i]);
    }
    if (p->nsid)
        prom_labelled_family(p, "minewatch_alerts_total", "counter",
                             "Alerts written per signature (stats.minewatch.detect.alerts_by_sid; docs/signatures.md).",
                             "sid", p->sid, p->nsid);
    if (p->nverdict)
        prom_labelled_family(p, "minewatch_hosts", "gauge",
                             "Hosts holding each verdict now (stats.minewatch.hosts.verdict; docs/detection.md).",
                             "verdict", p->verdict, p->nverdict);
}

int prom_commit(struct prom *p, uint64_t uptime_s)
{
    if (p->nworkers > 1 && !p->total)
        return 0;
    prom_render(p, uptime_s);
    int fd = open(p->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        goto fail;
    size_t off = 0;
    while (off < p->len) {
        ssize_t n = write(fd, p->text + off, p->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            close(fd);
            unlink(p->tmp);
            errno = e;
            goto fail;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0 || rename(p->tmp, p->path) != 0) {
        int e = errno;
        unlink(p->tmp);
        errno = e;
        goto fail;
    }
    return 1;
fail:
    p->write_errors++;
    return -1;
}

uint64_t prom_write_errors(const struct prom *p)
{
    return p->write_errors;
}

const char *prom_text(const struct prom *p, size_t *len)
{
    *len = p->len;
    return p->text;
}
