/* minewatch-update.c - download block lists, merge them into one rule file, test it, swap it in, signal the sensor.
 *
 * Order matters for safety: everything is fetched and parsed first, the new file is
 * written beside the active one and compiled by the real rule loader, and only then
 * renamed over it; any failure before the rename leaves the active file untouched.
 * Exit status: 0 updated or unchanged, 1 update failed (old file kept), 2 usage/config error.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/update.h"

#define UPD_OK 0
#define UPD_FAIL 1
#define UPD_USAGE 2
#define UPD_DEFAULT_SOURCES "/etc/minewatch/sources.yaml"

static int verbose;

/* How each source's bytes were obtained, for the summary. */
enum src_state { SRC_UNUSED, SRC_LOCAL, SRC_DOWNLOADED, SRC_NOT_MODIFIED, SRC_CACHE_FALLBACK, SRC_CACHE_OFFLINE,
                 SRC_DISABLED, SRC_LEFT_OUT };
static const char *const src_state_name[] = { "-", "local file", "downloaded", "not modified (cache)",
                                              "download failed (cache)", "offline (cache)", "disabled",
                                              "unavailable, left out" };

struct run_opts {
    int dry_run, no_signal, offline, force;
};

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void say(const char *fmt, ...)
{
    /* Messages carry strings from outside: curl's error text about a server, the name of
     * the process a pidfile names, paths. Terminal controls in them (C0, DEL, C1 in UTF-8)
     * are shown as escapes, never sent to the operator's terminal. */
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fputs("minewatch-update: ", stderr);
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            fprintf(stderr, "\\x%02x", *p);
        } else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            fprintf(stderr, "\\u%04x", p[1]);
            p++;
        } else {
            fputc(*p, stderr);
        }
    }
    fputc('\n', stderr);
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: minewatch-update [options]\n"
            "Download the block lists named in sources.yaml, merge them into one minewatch rule\n"
            "file, test it with the rule loader, install it and tell the sensor to reload (SIGUSR2).\n\n"
            "  -c, --config FILE     sources file (default " UPD_DEFAULT_SOURCES ")\n"
            "      --output FILE     the generated rule file (overrides 'output')\n"
            "      --cache-dir DIR   where downloads are cached (overrides 'cache-dir')\n"
            "      --pidfile FILE    the sensor's pidfile to signal (overrides 'pidfile'; the\n"
            "                        shipped systemd unit uses " UPDATE_UNIT_PIDFILE ")\n"
            "      --reload-command CMD  run CMD (/bin/sh -c) to reload the sensor instead of\n"
            "                        signalling the pidfile (overrides 'reload-command')\n"
            "      --no-signal       install the file but do not reload the sensor\n"
            "      --offline         download nothing: url sources come from the cache only\n"
            "      --force           download without validators; install and reload even when\n"
            "                        nothing changed\n"
            "  -n, --dry-run         fetch, merge and test, but install nothing\n"
            "      --export FORMAT   write the active pool names (rpz, unbound) or addresses\n"
            "                        (nft, ipset) of test-rules + output; no update is run\n"
            "      --export-file FILE  write the export there atomically (default: stdout)\n"
            "      --learned FILE    DNS-learned pool addresses (\"ADDRESS NAME\" lines, from\n"
            "                        minewatch-report --learned-addresses) for nft and ipset\n"
            "  -v, --verbose         per-source counts and every cache decision\n"
            "  -V, --version         print the version and exit\n"
            "  -h, --help            print this help and exit\n\n"
            "docs/rules.md (\"Updating lists\") documents sources.yaml.\n"
            "Exit status: 0 updated or unchanged, 1 update failed (active file kept),\n"
            "2 usage or configuration error.\n");
}

/* ---- files ------------------------------------------------------------------------------ */

/* Whole file into a malloc'd buffer (NUL-terminated), at most cap bytes. 0, -1 errno set,
 * -2 too large. */
static int read_file(const char *path, size_t cap, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *buf = malloc(cap + 2);
    if (!buf) {
        fclose(f);
        errno = ENOMEM;
        return -1;
    }
    size_t n = fread(buf, 1, cap + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EIO;
        return -1;
    }
    if (n > cap) {
        free(buf);
        return -2;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* Write data to path through a temporary file in the same directory and a rename. */
static int write_atomic(const char *path, const char *data, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    int ok = write(fd, data, len) == (ssize_t)len && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ---- download with a cache ------------------------------------------------------------ */

struct dl {
    char *buf;
    size_t len, cap, max;
    int too_big;
    char etag[512], lastmod[128], date[128];
};

static size_t dl_write(char *p, size_t size, size_t n, void *ctx)
{
    struct dl *d = ctx;
    size_t add = size * n;
    if (d->len + add > d->max) {
        d->too_big = 1;
        return 0; /* aborts the transfer */
    }
    if (d->len + add + 1 > d->cap) {
        size_t nc = d->cap ? d->cap : 65536;
        while (nc < d->len + add + 1)
            nc *= 2;
        char *nb = realloc(d->buf, nc);
        if (!nb)
            return 0;
        d->buf = nb;
        d->cap = nc;
    }
    memcpy(d->buf + d->len, p, add);
    d->len += add;
    d->buf[d->len] = '\0';
    return add;
}

/* Keep the validators the server gives, for the next conditional request. */
static size_t dl_header(char *p, size_t size, size_t n, void *ctx)
{
    struct dl *d = ctx;
    size_t len = size * n;
    static const char et[] = "etag:", lm[] = "last-modified:", dt[] = "date:";
    char *dst = NULL;
    size_t dcap = 0, skip = 0;
    if (len > sizeof et - 1 && strncasecmp(p, et, sizeof et - 1) == 0)
        dst = d->etag, dcap = sizeof d->etag, skip = sizeof et - 1;
    else if (len > sizeof lm - 1 && strncasecmp(p, lm, sizeof lm - 1) == 0)
        dst = d->lastmod, dcap = sizeof d->lastmod, skip = sizeof lm - 1;
    else if (len > sizeof dt - 1 && strncasecmp(p, dt, sizeof dt - 1) == 0)
        dst = d->date, dcap = sizeof d->date, skip = sizeof dt - 1;
    if (dst) {
        const char *v = p + skip, *end = p + len;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
            end--;
        size_t vl = (size_t)(end - v);
        int clean = vl < dcap;
        for (size_t i = 0; clean && i < vl; i++)
            clean = (unsigned char)v[i] >= 0x20 && (unsigned char)v[i] < 0x7f;
        if (clean) {
            memcpy(dst, v, vl);
            dst[vl] = '\0';
        }
    }
    return len;
}

/* Last-Modified has a resolution of one second, so a list rewritten within the second it
 * was served under keeps its date, and If-Modified-Since would be answered 304 for new
 * content. RFC 9110 8.8.2.2 calls such a date weak unless it is at least 60 seconds before
 * the response's Date; a weak date is not kept as a validator (the next run downloads the
 * list and compares it with the cached bytes instead). ETags have no such limit. */
#define MW_LASTMOD_STRONG_AGE 60
static void lastmod_keep_if_strong(struct dl *d)
{
    if (!d->lastmod[0])
        return;
    time_t lm = curl_getdate(d->lastmod, NULL);
    time_t now = d->date[0] ? curl_getdate(d->date, NULL) : (time_t)-1;
    if (lm == (time_t)-1 || now == (time_t)-1 || lm > now - MW_LASTMOD_STRONG_AGE)
        d->lastmod[0] = '\0';
}

enum fetch_result { FETCH_NEW, FETCH_NOT_MODIFIED, FETCH_FAILED };

static enum fetch_result fetch(const struct update_config *c, const struct update_source *s,
                               const char *old_etag, const char *old_lastmod, struct dl *d,
                               char *why, size_t whylen)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(why, whylen, "cannot initialise libcurl");
        return FETCH_FAILED;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
    char hb[700];
    if (old_etag && old_etag[0]) {
        snprintf(hb, sizeof hb, "If-None-Match: %s", old_etag);
        hdrs = curl_slist_append(hdrs, hb);
    }
    if (old_lastmod && old_lastmod[0]) {
        snprintf(hb, sizeof hb, "If-Modified-Since: %s", old_lastmod);
        hdrs = curl_slist_append(hdrs, hb);
    }
    curl_easy_setopt(h, CURLOPT_URL, s->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(c->timeout < 15 ? c->timeout : 15));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)c->timeout);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_size);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "minewatch-update/" MW_VERSION);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, d);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, dl_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, d);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip lists arrive decoded */
    if (hdrs)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    d->max = c->max_size;
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (d->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(why, whylen, "larger than max-size (%lu bytes)", c->max_size);
        return FETCH_FAILED;
    }
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return FETCH_FAILED;
    }
    if (code == 304)
        return FETCH_NOT_MODIFIED;
    if (code != 200 && !(code == 0 && strncmp(s->url, "file://", 7) == 0)) {
        snprintf(why, whylen, "HTTP status %ld", code);
        return FETCH_FAILED;
    }
    lastmod_keep_if_strong(d);
    if (!d->buf) { /* an empty body is a valid (if useless) answer */
        d->buf = calloc(1, 1);
        if (!d->buf) {
            snprintf(why, whylen, "out of memory");
            return FETCH_FAILED;
        }
    }
    return FETCH_NEW;
}

/* A too long validator is dropped, not cut: a truncated ETag would never match. */
static void copy_value(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        n = 0;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* The validators stored with a cached copy; 0 when the copy came from url, else -1 (a
 * source whose url changed must not be answered with another list's cache). */
static int meta_read(const char *path, const char *url, char *etag, size_t elen, char *lm, size_t llen)
{
    etag[0] = lm[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4200];
    int same = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "url: ", 5) == 0)
            same = strcmp(line + 5, url) == 0;
        else if (strncmp(line, "etag: ", 6) == 0)
            copy_value(etag, elen, line + 6);
        else if (strncmp(line, "last-modified: ", 15) == 0)
            copy_value(lm, llen, line + 15);
    }
    fclose(f);
    if (!same)
        etag[0] = lm[0] = '\0';
    return same ? 0 : -1;
}

/* ---- one run ---------------------------------------------------------------------------- */

struct got {
    char *buf;
    size_t len;
    int fresh;               /* downloaded now: commit to the cache once the update succeeds */
    char etag[512], lastmod[128];
    int have;
    enum src_state state;
};

/* The bytes of one source: local file, fresh download, or cached copy. 0, or -1 missing. */
static int obtain(const struct update_config *c, const struct update_source *s, const struct run_opts *ro,
                  struct got *g)
{
    memset(g, 0, sizeof *g);
    if (s->path) {
        int rc = read_file(s->path, c->max_size, &g->buf, &g->len);
        if (rc == 0) {
            g->have = 1;
            g->state = SRC_LOCAL;
            return 0;
        }
        say("%s: cannot read %s: %s", s->name, s->path,
            rc == -2 ? "larger than max-size" : strerror(errno));
        return -1;
    }
    char data[4200], meta[4200];
    snprintf(data, sizeof data, "%s/%s.list", c->cache_dir, s->name);
    snprintf(meta, sizeof meta, "%s/%s.meta", c->cache_dir, s->name);
    struct stat st;
    int cached = stat(data, &st) == 0;
    char etag[512] = "", lm[128] = "";
    if (cached && meta_read(meta, s->url, etag, sizeof etag, lm, sizeof lm) != 0) {
        if (verbose)
            say("%s: the cached copy is of another url; not used", s->name);
        cached = 0;
    }
    struct dl d;
    memset(&d, 0, sizeof d);
    char why[CURL_ERROR_SIZE + 64] = "offline";
    if (ro->force) /* no validators: the server must send the whole list */
        etag[0] = lm[0] = '\0';
    enum fetch_result fr = ro->offline ? FETCH_FAILED : fetch(c, s, etag, lm, &d, why, sizeof why);
    if (fr == FETCH_NEW) {
        if (verbose)
            say("%s: downloaded %zu bytes from %s", s->name, d.len, s->url);
        g->buf = d.buf;
        g->len = d.len;
        g->fresh = 1;
        g->have = 1;
        g->state = SRC_DOWNLOADED;
        snprintf(g->etag, sizeof g->etag, "%s", d.etag);
        snprintf(g->lastmod, sizeof g->lastmod, "%s", d.lastmod);
        return 0;
    }
    free(d.buf);
    if (fr == FETCH_FAILED && !cached) {
        if (ro->offline)
            say("%s: offline and no cached copy of %s", s->name, s->url);
        else
            say("%s: download of %s failed: %s; no cached copy", s->name, s->url, why);
        return -1;
    }
    g->state = ro->offline ? SRC_CACHE_OFFLINE : fr == FETCH_FAILED ? SRC_CACHE_FALLBACK : SRC_NOT_MODIFIED;
    if (fr == FETCH_FAILED && ro->offline) {
        if (verbose)
            say("%s: offline: using the cached copy", s->name);
    } else if (fr == FETCH_FAILED)
        say("warning: %s: download of %s failed: %s; using the cached copy", s->name, s->url, why);
    else if (verbose)
        say("%s: not modified since the cached copy (304)", s->name);
    int rc = read_file(data, c->max_size, &g->buf, &g->len);
    if (rc != 0) {
        say("%s: cannot read the cached copy %s: %s", s->name, data,
            rc == -2 ? "larger than max-size" : strerror(errno));
        return -1;
    }
    g->have = 1;
    return 0;
}

static void cache_commit(const struct update_config *c, const struct update_source *s, const struct got *g)
{
    char data[4200], meta[4200], m[5000];
    snprintf(data, sizeof data, "%s/%s.list", c->cache_dir, s->name);
    snprintf(meta, sizeof meta, "%s/%s.meta", c->cache_dir, s->name);
    int n = snprintf(m, sizeof m, "url: %s\netag: %s\nlast-modified: %s\n", s->url, g->etag, g->lastmod);
    if (n < 0 || (size_t)n >= sizeof m)
        n = 0;
    if (write_atomic(data, g->buf, g->len) != 0 || write_atomic(meta, m, (size_t)n) != 0)
        say("warning: %s: cannot update the cache in %s: %s", s->name, c->cache_dir, strerror(errno));
}

static void warn_cb(void *ctx, const char *msg)
{
    (void)ctx;
    if (verbose)
        say("rule test: %s", msg);
}

/* The rule loader over [test-rules..., tmp]; then the sensor's own -T when configured. */
static int test_rules(const struct update_config *c, const char *tmp)
{
    const char *files[UPDATE_MAX_TEST_RULES + 1];
    size_t n = 0;
    for (size_t i = 0; i < c->ntest_rules; i++)
        files[n++] = c->test_rules[i];
    files[n++] = tmp;
    char err[1024];
    struct rules *r = rules_load_ex(files, n, warn_cb, NULL, err, sizeof err);
    if (!r) {
        say("the generated rules do not load: %s", err);
        return -1;
    }
    struct rules_counts rc;
    rules_counts(r, &rc);
    if (verbose)
        say("rule test: %zu files, %zu lists, %zu names, %zu addresses", rc.files, rc.lists, rc.domains, rc.addresses);
    rules_free(r);
    if (!c->minewatch)
        return 0;
    pid_t pid = fork();
    if (pid < 0) {
        say("cannot run %s: %s", c->minewatch, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        const char *argv[8];
        int k = 0;
        argv[k++] = c->minewatch;
        argv[k++] = "-T";
        if (c->minewatch_config) {
            argv[k++] = "-c";
            argv[k++] = c->minewatch_config;
        }
        /* The new file takes the place of rules.update-file: a configuration that loads the
         * current output there must not see it twice (duplicate list names). */
        argv[k++] = "--update-file";
        argv[k++] = tmp;
        argv[k] = NULL;
        execv(c->minewatch, (char *const *)argv);
        fprintf(stderr, "minewatch-update: cannot run %s: %s\n", c->minewatch, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        say("%s -T rejected the generated rules (status %d)", c->minewatch,
            WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    return 0;
}

/* SIGUSR2 to the sensor named by the pidfile; anything wrong is a warning (the file is in
 * place and the sensor picks it up at its next reload or start). */
static void signal_sensor(const char *pidfile)
{
    char *buf;
    size_t len;
    if (read_file(pidfile, 64, &buf, &len) != 0) {
        say("warning: cannot read pidfile %s: %s; sensor not signalled", pidfile, strerror(errno));
        return;
    }
    char *end;
    long pid = strtol(buf, &end, 10);
    int ok = end != buf && (*end == '\n' || *end == '\0') && pid > 1;
    free(buf);
    if (!ok) {
        say("warning: pidfile %s holds no process id; sensor not signalled", pidfile);
        return;
    }
    /* A stale pidfile may name a recycled pid: signal only a process called minewatch
     * (SIGUSR2's default action would kill anything else). */
    char comm[64], cp[64];
    snprintf(cp, sizeof cp, "/proc/%ld/comm", pid);
    if (read_file(cp, 60, &buf, &len) != 0) {
        say("warning: pidfile %s names process %ld, which is not running (stale pidfile); sensor not signalled",
            pidfile, pid);
        return;
    }
    snprintf(comm, sizeof comm, "%s", buf);
    free(buf);
    comm[strcspn(comm, "\n")] = '\0';
    if (strcmp(comm, "minewatch") != 0) {
        say("warning: pidfile %s names process %ld (%s), not minewatch (stale pidfile); sensor not signalled",
            pidfile, pid, comm);
        return;
    }
    if (kill((pid_t)pid, SIGUSR2) != 0) {
        say("warning: cannot signal process %ld: %s", pid, strerror(errno));
        return;
    }
    say("signalled minewatch (pid %ld) to reload its rules", pid);
}

/* The configured reload: a command (e.g. "systemctl reload minewatch") or SIGUSR2 to the
 * pidfile's process. Failure is a warning, like a stale pidfile: the file is installed. */
static void reload_sensor(const struct update_config *c)
{
    if (!c->reload_command) {
        if (c->pidfile)
            signal_sensor(c->pidfile);
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        say("warning: cannot run the reload command: %s; sensor not reloaded", strerror(errno));
        return;
    }
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", c->reload_command, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        say("reload command succeeded: %s", c->reload_command);
    else
        say("warning: reload command failed (status %d): %s; sensor not reloaded",
            WIFEXITED(status) ? WEXITSTATUS(status) : -1, c->reload_command);
}

/* One table on stdout after every run that got as far as a merged file: each source (how it
 * was obtained, its entries in the file, added/removed since the previous file) and each
 * list of the file. */
static void print_summary(const struct update_config *c, const struct got *got, const char *old, size_t olen,
                          const char *text, size_t tlen, const char *verdict)
{
    struct update_summary sm;
    if (update_render_summary(old, olen, text, tlen, c->src, c->nsrc, &sm) != 0) {
        say("out of memory computing the summary");
        return;
    }
    printf("minewatch-update summary: %s\n", verdict);
    printf("  %-24s %-26s %8s %8s %8s\n", "source", "status", "entries", "added", "removed");
    for (size_t i = 0; i <= c->nsrc; i++) {
        const struct update_change *ch = &sm.src[i];
        if (i == c->nsrc && !ch->removed)
            break;
        printf("  %-24s %-26s %8zu %8zu %8zu\n", i < c->nsrc ? c->src[i].name : "(sources removed)",
               i < c->nsrc ? src_state_name[got[i].state] : "-", ch->entries, ch->added, ch->removed);
    }
    printf("  %-24s %-26s %8s %8s %8s\n", "list", "category", "entries", "added", "removed");
    for (int k = 0; k < RULES_CAT__COUNT; k++) {
        const struct update_change *ch = &sm.cat[k];
        char name[64];
        snprintf(name, sizeof name, "update-%s", rules_category_name((enum rules_category)k));
        if (ch->entries || ch->removed)
            printf("  %-24s %-26s %8zu %8zu %8zu\n", name, rules_category_name((enum rules_category)k), ch->entries,
                   ch->added, ch->removed);
    }
    fflush(stdout);
    update_summary_free(&sm);
}

static int run(struct update_config *c, const struct run_opts *ro)
{
    struct update_merge *m = update_merge_new();
    struct got *got = calloc(c->nsrc, sizeof *got);
    int status = UPD_FAIL;
    char *text = NULL, *old = NULL;
    char tmp[4200] = "";
    if (!m || !got) {
        say("out of memory");
        goto out;
    }
    size_t used = 0;
    for (size_t i = 0; i < c->nsrc; i++) {
        const struct update_source *s = &c->src[i];
        if (s->disabled) {
            got[i].state = SRC_DISABLED;
            if (verbose)
                say("%s: disabled (enabled: false), left out", s->name);
            continue;
        }
        if (obtain(c, s, ro, &got[i]) != 0) {
            if (s->optional) {
                say("warning: %s: optional source unavailable, left out", s->name);
                got[i].state = SRC_LEFT_OUT;
                continue;
            }
            say("update failed: source %s unavailable; %s left untouched", s->name, c->output);
            goto out;
        }
        struct update_source_stats st;
        if (update_merge_add_list(m, got[i].buf, got[i].len, s->format, s->category, i, &st) != 0) {
            say("out of memory merging %s", s->name);
            goto out;
        }
        const char *where = s->path ? s->path : s->url;
        for (size_t k = 0; k < 5 && st.first_bad_line[k]; k++)
            say("warning: %s:%zu: malformed: %s", where, st.first_bad_line[k], st.first_bad_msg[k]);
        if (st.lf.rejected > 5)
            say("warning: %s: %zu malformed lines in all", s->name, st.lf.rejected);
        if (verbose || st.lf.rejected)
            say("%s: %zu lines, %zu names, %zu addresses, %zu malformed, %zu skipped; %zu new, %zu duplicates, %zu upgraded",
                s->name, st.lf.lines, st.lf.names, st.lf.addrs, st.lf.rejected, st.lf.skipped, st.added,
                st.duplicates, st.upgraded);
        if (update_source_rejected(&st, c->max_malformed_pct)) {
            say("update failed: source %s rejected (%zu valid entries, %zu malformed lines, limit %lu%%); %s left untouched",
                s->name, st.lf.names + st.lf.addrs, st.lf.rejected, c->max_malformed_pct, c->output);
            goto out;
        }
        used++;
    }
    if (used == 0) {
        say("update failed: no source available (or every source disabled); %s left untouched", c->output);
        goto out;
    }
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    size_t tlen, olen;
    text = update_merge_render(m, c->src, c->nsrc, date, &tlen);
    if (!text) {
        say("out of memory rendering the rule file");
        goto out;
    }
    size_t per[RULES_CAT__COUNT];
    size_t total = update_merge_count(m, per);
    if (read_file(c->output, 1ul << 30, &old, &olen) != 0) {
        old = NULL;
        olen = 0;
    }
    if (old && !update_render_differs(old, olen, text, tlen) && !ro->force) {
        say("%s is up to date (%zu entries); nothing to do", c->output, total);
        print_summary(c, got, old, olen, text, tlen, "up to date");
        for (size_t i = 0; i < c->nsrc; i++)
            if (got[i].fresh)
                cache_commit(c, &c->src[i], &got[i]);
        status = UPD_OK;
        goto out;
    }
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", c->output);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        say("update failed: cannot create a temporary file beside %s: %s", c->output, strerror(errno));
        tmp[0] = '\0';
        goto out;
    }
    int ok = write(fd, text, tlen) == (ssize_t)tlen && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        say("update failed: cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (test_rules(c, tmp) != 0) {
        say("update failed: %s left untouched", c->output);
        goto out;
    }
    if (ro->dry_run) {
        print_summary(c, got, old, olen, text, tlen, "dry run, nothing installed");
        say("dry run: %s would be replaced (%zu entries: %zu mining-pool, %zu mining-proxy, %zu web-miner, %zu crypto-general)",
            c->output, total, per[RULES_CAT_MINING_POOL], per[RULES_CAT_MINING_PROXY], per[RULES_CAT_WEB_MINER],
            per[RULES_CAT_CRYPTO_GENERAL]);
        status = UPD_OK;
        goto out;
    }
    if (rename(tmp, c->output) != 0) {
        say("update failed: cannot rename %s to %s: %s", tmp, c->output, strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
    for (size_t i = 0; i < c->nsrc; i++)
        if (got[i].fresh)
            cache_commit(c, &c->src[i], &got[i]);
    say("installed %s (%zu entries: %zu mining-pool, %zu mining-proxy, %zu web-miner, %zu crypto-general)",
        c->output, total, per[RULES_CAT_MINING_POOL], per[RULES_CAT_MINING_PROXY], per[RULES_CAT_WEB_MINER],
        per[RULES_CAT_CRYPTO_GENERAL]);
    print_summary(c, got, old, olen, text, tlen, "installed");
    if (!ro->no_signal)
        reload_sensor(c);
    status = UPD_OK;
out:
    if (tmp[0])
        unlink(tmp);
    for (size_t i = 0; got && i < c->nsrc; i++)
        free(got[i].buf);
    free(got);
    free(text);
    free(old);
    update_merge_free(m);
    return status;
}

/* --export: the rule set the sensor runs with (test-rules + output) as a block list. */
static int export_rules(const struct update_config *c, const char *format, const char *file, const char *learned_path)
{
    enum update_export_format f;
    if (update_export_format_from_name(format, &f) != 0) {
        say("unknown export format '%s' (rpz, unbound, nft, ipset)", format);
        return UPD_USAGE;
    }
    struct update_learned *learned = NULL;
    size_t nlearned = 0;
    char err[1024];
    if (learned_path) {
        char *buf;
        size_t len;
        int rc = read_file(learned_path, 64ul << 20, &buf, &len);
        if (rc != 0) {
            say("cannot read %s: %s", learned_path, rc == -2 ? "larger than 64 MiB" : strerror(errno));
            return UPD_FAIL;
        }
        rc = update_learned_parse(buf, len, learned_path, &learned, &nlearned, err, sizeof err);
        free(buf);
        if (rc != 0) {
            say("%s", err);
            return UPD_USAGE;
        }
    }
    const char *files[UPDATE_MAX_TEST_RULES + 1];
    size_t n = 0;
    for (size_t i = 0; i < c->ntest_rules; i++)
        files[n++] = c->test_rules[i];
    struct stat st;
    if (stat(c->output, &st) == 0)
        files[n++] = c->output;
    else
        say("warning: %s does not exist yet (run an update first); exporting test-rules only", c->output);
    if (n == 0) {
        say("nothing to export: no test-rules and no %s", c->output);
        free(learned);
        return UPD_FAIL;
    }
    struct rules *r = rules_load_ex(files, n, warn_cb, NULL, err, sizeof err);
    if (!r) {
        say("export failed: the rules do not load: %s", err);
        free(learned);
        return UPD_FAIL;
    }
    struct update_export_stats es;
    size_t len = 0;
    char *text = update_export(r, f, learned, nlearned, (uint32_t)time(NULL), &es, &len);
    rules_free(r);
    free(learned);
    if (!text) {
        say("out of memory exporting");
        return UPD_FAIL;
    }
    int status = UPD_OK;
    if (!file) {
        status = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? UPD_OK : UPD_FAIL;
        if (status != UPD_OK)
            say("cannot write the export to standard output: %s", strerror(errno));
    } else if (write_atomic(file, text, len) != 0) {
        say("cannot write %s: %s", file, strerror(errno));
        status = UPD_FAIL;
    }
    free(text);
    if (status == UPD_OK)
        say("exported %zu names and %zu address blocks as %s%s%s (%zu left out for the allowlist, %zu learned "
            "addresses taken, %zu whose name is no longer listed)",
            es.names, es.addresses, format, file ? " to " : "", file ? file : "", es.allowlisted, es.learned,
            es.learned_unlisted);
    return status;
}

static int set_str(char **dst, const char *v)
{
    char *s = strdup(v);
    if (!s)
        return -1;
    free(*dst);
    *dst = s;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },  { "output", required_argument, NULL, 'o' },
        { "cache-dir", required_argument, NULL, 'C' }, { "pidfile", required_argument, NULL, 'p' },
        { "no-signal", no_argument, NULL, 'S' },     { "dry-run", no_argument, NULL, 'n' },
        { "verbose", no_argument, NULL, 'v' },       { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },          { "offline", no_argument, NULL, 'O' },
        { "force", no_argument, NULL, 'F' },         { "reload-command", required_argument, NULL, 'R' },
        { "export", required_argument, NULL, 'E' },  { "export-file", required_argument, NULL, 'X' },
        { "learned", required_argument, NULL, 'L' }, { NULL, 0, NULL, 0 },
    };
    const char *cfgpath = UPD_DEFAULT_SOURCES, *output = NULL, *cache = NULL, *pidfile = NULL, *reload = NULL;
    const char *export_fmt = NULL, *export_file = NULL, *learned = NULL;
    struct run_opts ro = { 0, 0, 0, 0 };
    int ch;
    while ((ch = getopt_long(argc, argv, "c:nvVh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfgpath = optarg; break;
        case 'o': output = optarg; break;
        case 'C': cache = optarg; break;
        case 'p': pidfile = optarg; break;
        case 'S': ro.no_signal = 1; break;
        case 'n': ro.dry_run = 1; break;
        case 'O': ro.offline = 1; break;
        case 'F': ro.force = 1; break;
        case 'R': reload = optarg; break;
        case 'E': export_fmt = optarg; break;
        case 'X': export_file = optarg; break;
        case 'L': learned = optarg; break;
        case 'v': verbose = 1; break;
        case 'V': printf("minewatch-update %s\n", MW_VERSION); return UPD_OK;
        case 'h': usage(stdout); return UPD_OK;
        default: usage(stderr); return UPD_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "minewatch-update: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return UPD_USAGE;
    }
    if ((export_file || learned) && !export_fmt) {
        fprintf(stderr, "minewatch-update: --export-file and --learned need --export FORMAT\n");
        return UPD_USAGE;
    }
    if (ro.offline && ro.force) {
        fprintf(stderr, "minewatch-update: --offline and --force cannot be combined (--force downloads)\n");
        return UPD_USAGE;
    }
    struct update_config c;
    char err[1024];
    if (update_config_load(&c, cfgpath, err, sizeof err) != 0) {
        fprintf(stderr, "minewatch-update: %s\n", err);
        return UPD_USAGE;
    }
    if ((output && set_str(&c.output, output) != 0) || (cache && set_str(&c.cache_dir, cache) != 0) ||
        (pidfile && set_str(&c.pidfile, pidfile) != 0) || (reload && set_str(&c.reload_command, reload) != 0)) {
        say("out of memory");
        update_config_free(&c);
        return UPD_FAIL;
    }
    int status = UPD_USAGE;
    if (export_fmt) {
        if (!c.output)
            fprintf(stderr, "minewatch-update: %s: no 'output' (or --output): the export reads it\n", cfgpath);
        else
            status = export_rules(&c, export_fmt, export_file, learned);
        update_config_free(&c);
        return status;
    }
    int need_cache = 0;
    for (size_t i = 0; i < c.nsrc; i++)
        need_cache |= c.src[i].url != NULL;
    if (!c.output)
        fprintf(stderr, "minewatch-update: %s: no 'output' (or --output) for the generated rule file\n", cfgpath);
    else if (need_cache && !c.cache_dir)
        fprintf(stderr, "minewatch-update: %s: sources with a url need 'cache-dir' (or --cache-dir)\n", cfgpath);
    else if (need_cache && mkdir(c.cache_dir, 0755) != 0 && errno != EEXIST)
        fprintf(stderr, "minewatch-update: cannot create cache directory %s: %s\n", c.cache_dir, strerror(errno));
    else if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        fprintf(stderr, "minewatch-update: cannot initialise libcurl\n");
    else {
        status = run(&c, &ro);
        curl_global_cleanup();
    }
    update_config_free(&c);
    return status;
}
