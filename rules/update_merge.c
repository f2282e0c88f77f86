/* update_merge.c - merge imported block lists into one de-duplicated set and render it as a rule file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/oahash.h"
#include "rules/cidr.h"
#include "rules/domainset.h"
#include "rules/update.h"

#define UPM_MAX_ENTRIES (1u << 24) /* cap: a hostile list cannot make the update eat the host */
#define UPM_KEY_MAX 80             /* names <= 253 are stored by pointer; see upm_entry */

enum upm_kind { UPM_NAME = 0, UPM_ADDR = 1 };

struct upm_entry {
    char *key;       /* lower-case name without trailing dot, or "addr/len" / "addr/len:port" text */
    uint32_t hash;
    uint16_t src;
    uint8_t cat;
    uint8_t kind;
};

struct update_merge {
    struct upm_entry *e;     /* open addressing, linear probing, power-of-two capacity */
    size_t cap, n;
    int oom;
};

int update_category_rank(enum rules_category c)
{
    switch (c) {
    case RULES_CAT_MINING_POOL: return 3;
    case RULES_CAT_MINING_PROXY: return 2;
    case RULES_CAT_WEB_MINER: return 1;
    default: return 0;
    }
}

static uint32_t upm_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a: keys are short and the table is rebuilt per run */
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)s[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

struct update_merge *update_merge_new(void)
{
    struct update_merge *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 1024;
    if (!(m->e = calloc(m->cap, sizeof *m->e))) {
        free(m);
        return NULL;
    }
    return m;
}

void update_merge_free(struct update_merge *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->e[i].key);
    free(m->e);
    free(m);
}

static int upm_used(const void *slot)
{
    return ((const struct upm_entry *)slot)->key != NULL;
}

static uint32_t upm_slot_hash(const void *slot)
{
    return ((const struct upm_entry *)slot)->hash;
}

static int upm_grow(struct update_merge *m)
{
    void *e = m->e;
    if (mw_oahash_grow(&e, &m->cap, sizeof *m->e, upm_used, upm_slot_hash) != 0)
        return -1;
    m->e = e;
    return 0;
}

static struct upm_entry *upm_find(const struct update_merge *m, const char *key, size_t len, uint32_t h)
{
    size_t j = h & (m->cap - 1);
    while (m->e[j].key) {
        if (m->e[j].hash == h && strlen(m->e[j].key) == len && memcmp(m->e[j].key, key, len) == 0)
            return &m->e[j];
        j = (j + 1) & (m->cap - 1);
    }
    return &m->e[j];
}

/* 0 added, 1 duplicate kept, 2 upgraded to a stronger category, -1 no memory. */
static int upm_put(struct update_merge *m, const char *key, size_t len, enum upm_kind kind,
                   enum rules_category cat, size_t src)
{
    uint32_t h = upm_hash(key, len);
    struct upm_entry *e = upm_find(m, key, len, h);
    if (e->key) {
        if (update_category_rank(cat) <= update_category_rank((enum rules_category)e->cat))
            return 1;
        e->cat = (uint8_t)cat;
        e->src = (uint16_t)src;
        return 2;
    }
    if (m->n >= UPM_MAX_ENTRIES)
        return -1;
    if ((m->n + 1) * 4 > m->cap * 3) { /* keep the load under 3/4 */
        if (upm_grow(m) != 0)
            return -1;
        e = upm_find(m, key, len, h);
    }
    char *k = malloc(len + 1);
    if (!k)
        return -1;
    memcpy(k, key, len);
    k[len] = '\0';
    e->key = k;
    e->hash = h;
    e->src = (uint16_t)src;
    e->cat = (uint8_t)cat;
    e->kind = (uint8_t)kind;
    m->n++;
    return 0;
}

struct upm_ctx {
    struct update_merge *m;
    enum rules_category cat;
    size_t src;
    struct update_source_stats *st;
    size_t nbad;
};

static void upm_count(struct upm_ctx *c, int rc)
{
    if (rc < 0)
        c->m->oom = 1;
    else if (rc == 0)
        c->st->added++;
    else if (rc == 1)
        c->st->duplicates++;
    else
        c->st->upgraded++;
}

static void upm_on_name(void *ctx, const char *name, size_t len, size_t line)
{
    struct upm_ctx *c = ctx;
    char k[DOMAINSET_NAME_MAX + 2];
    (void)line;
    if (len && name[len - 1] == '.')
        len--;
    if (len == 0 || len > DOMAINSET_NAME_MAX)
        return; /* listfmt already checked the name; this only keeps k in bounds */
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        k[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    upm_count(c, upm_put(c->m, k, len, UPM_NAME, c->cat, c->src));
}

static void upm_on_addr(void *ctx, const struct mw_addr *a, unsigned plen, uint16_t port, size_t line)
{
    struct upm_ctx *c = ctx;
    char k[UPM_KEY_MAX], txt[64];
    static const uint8_t v4pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    (void)line;
    cidr_addr_format(a, txt, sizeof txt);
    int v4 = memcmp(a->b, v4pfx, sizeof v4pfx) == 0 && plen >= 96;
    unsigned shown = v4 ? plen - 96 : plen;
    int n;
    if (port)
        n = v4 ? snprintf(k, sizeof k, "%s/%u:%u", txt, shown, port)
               : snprintf(k, sizeof k, "[%s]/%u:%u", txt, shown, port);
    else
        n = snprintf(k, sizeof k, "%s/%u", txt, shown);
    if (n <= 0 || (size_t)n >= sizeof k)
        return;
    upm_count(c, upm_put(c->m, k, (size_t)n, UPM_ADDR, c->cat, c->src));
}

static void upm_on_error(void *ctx, size_t line, const char *msg)
{
    struct upm_ctx *c = ctx;
    if (c->nbad < 5) {
        c->st->first_bad_line[c->nbad] = line;
        snprintf(c->st->first_bad_msg[c->nbad], sizeof c->st->first_bad_msg[0], "%s", msg);
    }
    c->nbad++;
}

int update_merge_add_list(struct update_merge *m, const char *buf, size_t len,
                          enum listfmt_format fmt, enum rules_category cat, size_t src_index,
                          struct update_source_stats *st)
{
    memset(st, 0, sizeof *st);
    if (src_index >= UPDATE_MAX_SOURCES)
        return -1;
    struct upm_ctx c = { m, cat, src_index, st, 0 };
    struct listfmt_sink sink = { &c, upm_on_name, upm_on_addr, upm_on_error };
    listfmt_parse(buf, len, fmt, &sink, &st->lf);
    return m->oom ? -1 : 0;
}

int update_source_rejected(const struct update_source_stats *st, unsigned long max_pct)
{
    size_t good = st->lf.names + st->lf.addrs;
    if (good == 0)
        return 1;
    size_t considered = good + st->lf.rejected;
    return st->lf.rejected * 100 > considered * max_pct;
}

size_t update_merge_count(const struct update_merge *m, size_t per_cat[RULES_CAT__COUNT])
{
    if (per_cat)
        memset(per_cat, 0, RULES_CAT__COUNT * sizeof *per_cat);
    for (size_t i = 0; per_cat && i < m->cap; i++)
        if (m->e[i].key)
            per_cat[m->e[i].cat]++;
    return m->n;
}

int update_merge_lookup(const struct update_merge *m, const char *key, enum rules_category *cat)
{
    size_t len = strlen(key);
    const struct upm_entry *e = upm_find(m, key, len, upm_hash(key, len));
    if (!e->key)
        return 0;
    if (cat)
        *cat = (enum rules_category)e->cat;
    return 1;
}

/* ---- rendering ------------------------------------------------------------------------ */

void update_buf_printf(struct update_buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    if (!b->p) { /* a zeroed buffer: no pointer arithmetic on NULL */
        b->cap = 4096;
        b->len = 0;
        if (!(b->p = malloc(b->cap))) {
            b->oom = 1;
            return;
        }
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = b->cap * 2 + (size_t)n + 1;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

static int upm_cmp(const void *a, const void *b)
{
    const struct upm_entry *x = *(const struct upm_entry *const *)a;
    const struct upm_entry *y = *(const struct upm_entry *const *)b;
    if (x->cat != y->cat)
        return x->cat < y->cat ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->key, y->key);
}

char *update_merge_render(const struct update_merge *m, const struct update_source *src, size_t nsrc,
                          const char *date, size_t *out_len)
{
    const struct upm_entry **v = malloc((m->n ? m->n : 1) * sizeof *v); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
    struct update_buf b = { malloc(65536), 0, 65536, 0 };
    if (!v || !b.p) {
        free(v);
        free(b.p);
        return NULL;
    }
    size_t k = 0, per_cat[RULES_CAT__COUNT] = { 0 }, names = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].key) {
            v[k++] = &m->e[i];
            per_cat[m->e[i].cat]++;
            names += m->e[i].kind == UPM_NAME;
        }
    qsort(v, k, sizeof *v, upm_cmp); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
    update_buf_printf(&b, "# Generated by minewatch-update: do not edit, it is rewritten on the next update.\n");
    update_buf_printf(&b, "# generated: %s\n", date);
    update_buf_printf(&b, "# sources:\n");
    for (size_t i = 0; i < nsrc; i++)
        update_buf_printf(&b, "#   %s (%s, %s): %s\n", src[i].name, rules_category_name(src[i].category),
                  listfmt_format_name(src[i].format), src[i].url ? src[i].url : src[i].path);
    update_buf_printf(&b, "# entries: %zu (%zu names, %zu addresses)", k, names, k - names);
    for (int c = 0; c < RULES_CAT__COUNT; c++)
        update_buf_printf(&b, "%s %s %zu", c ? "," : ";", rules_category_name((enum rules_category)c), per_cat[c]);
    update_buf_printf(&b, "\nversion: 1\nlists:\n");
    size_t i = 0;
    while (i < k) {
        enum rules_category cat = (enum rules_category)v[i]->cat;
        update_buf_printf(&b, "  - name: update-%s\n    category: %s\n"
                      "    description: \"merged by minewatch-update\"\n",
                  rules_category_name(cat), rules_category_name(cat));
        for (int kind = UPM_NAME; kind <= UPM_ADDR; kind++) {
            if (i >= k || v[i]->cat != (uint8_t)cat || v[i]->kind != (uint8_t)kind)
                continue;
            update_buf_printf(&b, "    %s:\n", kind == UPM_NAME ? "domains" : "addresses");
            for (; i < k && v[i]->cat == (uint8_t)cat && v[i]->kind == (uint8_t)kind; i++) {
                const char *sn = v[i]->src < nsrc ? src[v[i]->src].name : "?";
                if (kind == UPM_NAME) {
                    update_buf_printf(&b, "      - { name: \"%s\", source: \"%s\" }\n", v[i]->key, sn);
                } else {
                    /* "addr/len:port" -> cidr + port keys; the loader wants them apart */
                    const char *colon = strrchr(v[i]->key, ':');
                    const char *slash = strrchr(v[i]->key, '/');
                    if (colon && slash && colon > slash) {
                        const char *a = v[i]->key;
                        size_t alen = (size_t)(colon - a);
                        if (a[0] == '[') { /* "[v6]/len:port" */
                            const char *rb = strchr(a, ']');
                            update_buf_printf(&b, "      - { cidr: \"%.*s%.*s\", port: %s, source: \"%s\" }\n",
                                      (int)(rb - a - 1), a + 1, (int)(colon - rb - 1), rb + 1, colon + 1, sn);
                        } else {
                            update_buf_printf(&b, "      - { cidr: \"%.*s\", port: %s, source: \"%s\" }\n",
                                      (int)alen, a, colon + 1, sn);
                        }
                    } else {
                        update_buf_printf(&b, "      - { cidr: \"%s\", source: \"%s\" }\n", v[i]->key, sn);
                    }
                }
            }
        }
    }
    if (k == 0)
        update_buf_printf(&b, "  []\n");
    free(v);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    *out_len = b.len;
    return b.p;
}

/* Find the "# generated: ..." line in the leading comment block so a run that changes
 * nothing leaves the file alone. start and next bracket the line (both = len when absent). */
static void upm_date_line(const char *s, size_t len, size_t *start, size_t *next)
{
    static const char tag[] = "# generated:";
    size_t p = 0;
    while (p < len && s[p] == '#') {
        const char *nl = memchr(s + p, '\n', len - p);
        size_t n = nl ? (size_t)(nl - s) + 1 : len;
        if (len - p >= sizeof tag - 1 && memcmp(s + p, tag, sizeof tag - 1) == 0) {
            *start = p;
            *next = n;
            return;
        }
        p = n;
    }
    *start = *next = len;
}

int update_render_differs(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t sa, na, sb, nb;
    upm_date_line(a, alen, &sa, &na);
    upm_date_line(b, blen, &sb, &nb);
    if (sa != sb || alen - na != blen - nb)
        return 1;
    return memcmp(a, b, sa) != 0 || memcmp(a + na, b + nb, alen - na) != 0;
}

/* ---- what changed between two rendered files ------------------------------------------ */

struct upm_line {
    const char *key; /* the entry line from its first key, up to ", source:" */
    size_t klen;
    const char *src; /* source name */
    size_t slen;
    int cat;
};

/* The entries of a rendered file (our own format: one entry per line, source last). */
static struct upm_line *upm_lines(const char *s, size_t len, size_t *n)
{
    static const char lhead[] = "  - name: update-", ehead[] = "      - { ", stag[] = ", source: \"";
    size_t cap = 0;
    struct upm_line *v = NULL;
    int cat = -1;
    *n = 0;
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(s + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - s) : len, ll = e - p;
        const char *l = s + p;
        p = nl ? e + 1 : len;
        if (ll > sizeof lhead - 1 && memcmp(l, lhead, sizeof lhead - 1) == 0) {
            char name[32];
            size_t nl2 = ll - (sizeof lhead - 1);
            enum rules_category c;
            cat = -1;
            if (nl2 < sizeof name) {
                memcpy(name, l + sizeof lhead - 1, nl2);
                name[nl2] = '\0';
                if (rules_category_from_name(name, &c) == 0)
                    cat = (int)c;
            }
            continue;
        }
        if (cat < 0 || ll <= sizeof ehead - 1 || memcmp(l, ehead, sizeof ehead - 1) != 0)
            continue;
        const char *st = NULL;
        for (const char *q = l; q + sizeof stag - 1 <= l + ll; q++)
            if (memcmp(q, stag, sizeof stag - 1) == 0)
                st = q;
        if (!st)
            continue;
        const char *sv = st + sizeof stag - 1, *se = memchr(sv, '"', (size_t)(l + ll - sv));
        if (!se)
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            struct upm_line *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                free(v);
                return NULL;
            }
            v = nv;
            cap = nc;
        }
        struct upm_line *x = &v[(*n)++];
        x->key = l + sizeof ehead - 1;
        x->klen = (size_t)(st - x->key);
        x->src = sv;
        x->slen = (size_t)(se - sv);
        x->cat = cat;
    }
    if (!v)
        v = malloc(sizeof *v); /* an empty file: a valid, empty answer */
    return v;
}

static int upm_line_cmp(const void *a, const void *b)
{
    const struct upm_line *x = a, *y = b;
    if (x->cat != y->cat)
        return x->cat < y->cat ? -1 : 1;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return x->klen == y->klen ? 0 : (x->klen < y->klen ? -1 : 1);
}

static size_t upm_src_index(const struct update_source *src, size_t nsrc, const char *name, size_t len)
{
    for (size_t i = 0; i < nsrc; i++)
        if (strlen(src[i].name) == len && memcmp(src[i].name, name, len) == 0)
            return i;
    return nsrc; /* a source no longer configured */
}

int update_render_summary(const char *old, size_t olen, const char *cur, size_t clen,
                          const struct update_source *src, size_t nsrc, struct update_summary *out)
{
    memset(out, 0, sizeof *out);
    out->src = calloc(nsrc + 1, sizeof *out->src);
    size_t no = 0, nc = 0;
    struct upm_line *a = upm_lines(old ? old : "", old ? olen : 0, &no);
    struct upm_line *b = upm_lines(cur, clen, &nc);
    if (!out->src || !a || !b) {
        free(a);
        free(b);
        free(out->src);
        out->src = NULL;
        return -1;
    }
    qsort(a, no, sizeof *a, upm_line_cmp);
    qsort(b, nc, sizeof *b, upm_line_cmp);
    size_t i = 0, j = 0;
    while (i < no || j < nc) {
        int c = i == no ? 1 : j == nc ? -1 : upm_line_cmp(&a[i], &b[j]);
        if (c <= 0 && i < no && c < 0) {
            out->cat[a[i].cat].removed++;
            out->src[upm_src_index(src, nsrc, a[i].src, a[i].slen)].removed++;
            i++;
            continue;
        }
        size_t s = upm_src_index(src, nsrc, b[j].src, b[j].slen);
        out->cat[b[j].cat].entries++;
        out->src[s].entries++;
        if (c > 0) {
            out->cat[b[j].cat].added++;
            out->src[s].added++;
        } else {
            i++;
        }
        j++;
    }
    free(a);
    free(b);
    return 0;
}

void update_summary_free(struct update_summary *s)
{
    free(s->src);
    s->src = NULL;
}
