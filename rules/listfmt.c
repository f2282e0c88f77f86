/* listfmt.c - line parsers for plain, hosts, Adblock and IP block lists.
 *
 * Formats as found in the wild: plain lists (one host per line, sometimes "host:port" or
 * a bare address mixed in), hosts files (an address, then one or more names, '#'
 * comments), Adblock Plus filters (only "||host^" with optional "$options" names a whole
 * host; element hiding "##", exceptions "@@" and URL-path rules cannot be expressed as a
 * name and are counted as skipped), and address lists (address, CIDR or address:port).
 */
#include "rules/listfmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cidr.h"
#include "rules/domainset.h"

#define LISTFMT_FILE_MAX (256u << 20)
#define LISTFMT_DETECT_LINES 200

struct lf_ctx {
    const struct listfmt_sink *sink;
    struct listfmt_stats *st;
    size_t line;
};

static int lf_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void lf_trim(const char **s, size_t *len)
{
    while (*len && lf_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && lf_space((*s)[*len - 1]))
        (*len)--;
}

/* Cut a '#' comment (hosts and plain lists): '#' never occurs in a name or address. */
static void lf_cut_hash(const char *s, size_t *len)
{
    const char *h = memchr(s, '#', *len);
    if (h)
        *len = (size_t)(h - s);
}

/* Next whitespace-separated field of s[*pos..len); 0 when none. */
static int lf_field(const char *s, size_t len, size_t *pos, const char **f, size_t *flen)
{
    size_t i = *pos;
    while (i < len && lf_space(s[i]))
        i++;
    if (i >= len)
        return 0;
    size_t st = i;
    while (i < len && !lf_space(s[i]))
        i++;
    *f = s + st;
    *flen = i - st;
    *pos = i;
    return 1;
}

static void lf_reject(struct lf_ctx *c, const char *msg)
{
    c->st->rejected++;
    if (c->sink && c->sink->on_error)
        c->sink->on_error(c->sink->ctx, c->line, msg);
}

static void lf_emit_name(struct lf_ctx *c, const char *n, size_t len)
{
    c->st->names++;
    if (c->sink && c->sink->on_name)
        c->sink->on_name(c->sink->ctx, n, len, c->line);
}

static void lf_emit_addr(struct lf_ctx *c, const struct mw_addr *a, unsigned plen, uint16_t port)
{
    c->st->addrs++;
    if (c->sink && c->sink->on_addr)
        c->sink->on_addr(c->sink->ctx, a, plen, port, c->line);
}

static int lf_is_local_name(const char *s, size_t len)
{
    static const char *const names[] = { "localhost", "localhost.localdomain", "local",
                                         "broadcasthost", "ip6-localhost", "ip6-loopback",
                                         "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes",
                                         "ip6-allrouters", "ip6-allhosts", "0.0.0.0" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && strncmp(names[i], s, len) == 0)
            return 1;
    return 0;
}

/* A single token that is a name, "name:port", "*.name", an address or a CIDR. */
static void lf_token(struct lf_ctx *c, const char *t, size_t len, int names_ok)
{
    struct mw_addr a;
    unsigned plen;
    uint16_t port;
    enum cidr_parse_result r = cidr_parse(t, len, &a, &plen, &port);
    if (r == CIDR_PARSE_OK) {
        lf_emit_addr(c, &a, plen, port);
        return;
    }
    if (r == CIDR_PARSE_HOST_BITS || r == CIDR_PARSE_BAD_PREFIX || r == CIDR_PARSE_BAD_PORT) {
        lf_reject(c, cidr_parse_strerror(r));
        return;
    }
    if (!names_ok) {
        lf_reject(c, "not an address or CIDR block");
        return;
    }
    if (len > 2 && t[0] == '*' && t[1] == '.') {
        t += 2;
        len -= 2;
    }
    /* "pool.example.com:3333": the name is what can be matched; the port is dropped. */
    const char *colon = memchr(t, ':', len);
    if (colon) {
        size_t nl = (size_t)(colon - t), pl = len - nl - 1;
        int digits = pl > 0 && pl <= 5;
        for (size_t i = 0; digits && i < pl; i++)
            digits = colon[1 + i] >= '0' && colon[1 + i] <= '9';
        if (!digits) {
            lf_reject(c, "bad port after name");
            return;
        }
        len = nl;
    }
    const char *why = domainset_name_check(t, len);
    if (why) {
        lf_reject(c, why);
        return;
    }
    lf_emit_name(c, t, len);
}

static void lf_plain_line(struct lf_ctx *c, const char *s, size_t len, int names_ok)
{
    lf_cut_hash(s, &len);
    lf_trim(&s, &len);
    if (len == 0 || s[0] == '!' || s[0] == ';') {
        c->st->comments++;
        return;
    }
    size_t pos = 0;
    const char *f;
    size_t flen;
    lf_field(s, len, &pos, &f, &flen);
    const char *extra;
    size_t elen;
    if (lf_field(s, len, &pos, &extra, &elen)) {
        lf_reject(c, "more than one field on the line");
        return;
    }
    lf_token(c, f, flen, names_ok);
}

static void lf_hosts_line(struct lf_ctx *c, const char *s, size_t len)
{
    lf_cut_hash(s, &len);
    lf_trim(&s, &len);
    if (len == 0) {
        c->st->comments++;
        return;
    }
    size_t pos = 0;
    const char *f;
    size_t flen;
    lf_field(s, len, &pos, &f, &flen);
    unsigned plen;
    struct mw_addr a;
    uint16_t port;
    if (cidr_parse(f, flen, &a, &plen, &port) != CIDR_PARSE_OK || plen != 128 || port != 0) {
        lf_reject(c, "first field is not an address");
        return;
    }
    int names = 0, bad = 0, skipped = 0;
    const char *why = NULL;
    while (lf_field(s, len, &pos, &f, &flen)) {
        if (lf_is_local_name(f, flen)) {
            skipped++;
            continue;
        }
        const char *w = domainset_name_check(f, flen);
        if (w) {
            bad++;
            why = w;
            continue;
        }
        lf_emit_name(c, f, flen);
        names++;
    }
    if (bad)
        lf_reject(c, why);
    else if (skipped && !names)
        c->st->skipped++;
    else if (!names)
        lf_reject(c, "address without a name");
}

static int lf_hostch(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '-' || ch == '_' || (unsigned char)ch >= 0x80;
}

static void lf_adblock_line(struct lf_ctx *c, const char *s, size_t len)
{
    lf_trim(&s, &len);
    if (len == 0 || s[0] == '!' || s[0] == '[') {
        c->st->comments++;
        return;
    }
    if (len < 2 || s[0] != '|' || s[1] != '|') {
        /* Element hiding (##, #@#, #?#), exceptions (@@) and URL patterns. */
        c->st->skipped++;
        return;
    }
    size_t i = 2, st = 2;
    while (i < len && lf_hostch(s[i]))
        i++;
    size_t nlen = i - st;
    if (i < len && s[i] == ':') { /* "||host:port^" - the port is not part of the name */
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    /* Only "^", "^|", end of line or "$options" right after the host block the whole host;
     * a '/' or '*' means a path or wildcard pattern on that host. */
    if (i < len && s[i] == '^') {
        i++;
        if (i < len && s[i] == '|')
            i++;
    }
    if (i < len && s[i] != '$') {
        c->st->skipped++;
        return;
    }
    if (nlen == 0) {
        lf_reject(c, "empty host in ||host^ rule");
        return;
    }
    struct mw_addr a;
    unsigned plen;
    if (cidr_parse(s + st, nlen, &a, &plen, NULL) == CIDR_PARSE_OK) {
        lf_emit_addr(c, &a, plen, 0);
        return;
    }
    const char *why = domainset_name_check(s + st, nlen);
    if (why) {
        lf_reject(c, why);
        return;
    }
    lf_emit_name(c, s + st, nlen);
}

static void lf_line(struct lf_ctx *c, enum listfmt_format fmt, const char *s, size_t len)
{
    switch (fmt) {
    case LISTFMT_HOSTS: lf_hosts_line(c, s, len); break;
    case LISTFMT_ADBLOCK: lf_adblock_line(c, s, len); break;
    case LISTFMT_IP: lf_plain_line(c, s, len, 0); break;
    case LISTFMT_PLAIN:
    case LISTFMT_AUTO:
    default: lf_plain_line(c, s, len, 1); break;
    }
}

/* Calls fn for each line; returns nothing, lines over LISTFMT_LINE_MAX are flagged by len. */
static size_t lf_next_line(const char *buf, size_t len, size_t pos, size_t *llen)
{
    const char *nl = memchr(buf + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - buf) : len;
    *llen = end - pos;
    return nl ? end + 1 : len;
}

enum listfmt_format listfmt_detect(const char *buf, size_t len)
{
    size_t pos = 0, seen = 0, ad = 0, hosts = 0, ip = 0, plain = 0;
    if (!buf)
        return LISTFMT_PLAIN;
    if (len >= 8 && strncmp(buf, "[Adblock", 8) == 0)
        return LISTFMT_ADBLOCK;
    while (pos < len && seen < LISTFMT_DETECT_LINES) {
        size_t ll;
        const char *s = buf + pos;
        pos = lf_next_line(buf, len, pos, &ll);
        if (ll > LISTFMT_LINE_MAX)
            continue;
        lf_trim(&s, &ll);
        if (ll == 0 || s[0] == '#' || s[0] == '!')
            continue;
        seen++;
        if (ll >= 2 && s[0] == '|' && s[1] == '|') {
            ad++;
            continue;
        }
        lf_cut_hash(s, &ll);
        size_t p = 0, flen;
        const char *f;
        if (!lf_field(s, ll, &p, &f, &flen))
            continue;
        const char *g;
        size_t glen;
        int more = lf_field(s, ll, &p, &g, &glen);
        int isaddr = cidr_parse(f, flen, NULL, NULL, NULL) == CIDR_PARSE_OK;
        if (more && isaddr)
            hosts++;
        else if (isaddr)
            ip++;
        else
            plain++;
    }
    if (seen == 0)
        return LISTFMT_PLAIN;
    if (ad * 2 >= seen)
        return LISTFMT_ADBLOCK;
    if (hosts * 2 >= seen)
        return LISTFMT_HOSTS;
    if (ip > 0 && plain == 0 && hosts == 0)
        return LISTFMT_IP;
    return LISTFMT_PLAIN;
}

enum listfmt_format listfmt_parse(const char *buf, size_t len, enum listfmt_format fmt,
                                  const struct listfmt_sink *sink, struct listfmt_stats *stats)
{
    struct listfmt_stats local;
    /* cppcheck-suppress uninitvar ; only the address is taken, the memset below fills it */
    struct listfmt_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (fmt == LISTFMT_AUTO || fmt > LISTFMT_IP)
        fmt = listfmt_detect(buf, len);
    if (!buf)
        return fmt;
    struct lf_ctx c = { sink, st, 0 };
    size_t pos = 0;
    while (pos < len) {
        size_t ll;
        const char *s = buf + pos;
        pos = lf_next_line(buf, len, pos, &ll);
        c.line++;
        st->lines++;
        if (ll > LISTFMT_LINE_MAX) {
            lf_reject(&c, "line too long");
            continue;
        }
        lf_line(&c, fmt, s, ll);
    }
    return fmt;
}

int listfmt_parse_file(const char *path, enum listfmt_format fmt, const struct listfmt_sink *sink,
                       struct listfmt_stats *stats, enum listfmt_format *used,
                       char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= LISTFMT_FILE_MAX) {
                snprintf(err, errlen, "%s: larger than %u MiB", path, LISTFMT_FILE_MAX >> 20);
                free(buf);
                fclose(f);
                return -1;
            }
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                snprintf(err, errlen, "%s: out of memory", path);
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        snprintf(err, errlen, "%s: read error", path);
        free(buf);
        return -1;
    }
    enum listfmt_format u = listfmt_parse(buf, len, fmt, sink, stats);
    if (used)
        *used = u;
    free(buf);
    return 0;
}

const char *listfmt_format_name(enum listfmt_format fmt)
{
    switch (fmt) {
    case LISTFMT_AUTO: return "auto";
    case LISTFMT_PLAIN: return "plain";
    case LISTFMT_HOSTS: return "hosts";
    case LISTFMT_ADBLOCK: return "adblock";
    case LISTFMT_IP: return "ip";
    }
    return "unknown";
}

int listfmt_format_from_name(const char *name, enum listfmt_format *fmt)
{
    for (int f = LISTFMT_AUTO; f <= LISTFMT_IP; f++) {
        if (strcmp(name, listfmt_format_name((enum listfmt_format)f)) == 0) {
            *fmt = (enum listfmt_format)f;
            return 0;
        }
    }
    return -1;
}
