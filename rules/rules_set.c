/* rules_set.c - the compiled rule set: categories, storage, and the lock-free queries.
 *
 * Each domain/address entry has a small metadata record (list, comment) whose index is
 * the payload stored in the domainset / cidr set; entries imported from a third-party
 * list share one record per import. Built by the loader (rules.c), then read-only: every
 * query takes a const pointer and allocates nothing, so a reload swaps whole sets.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules_set.h"

/* Which signature a category's match raises is sensor/detect/policy.c's business. */
static const struct {
    const char *name;
    int alert;
    uint8_t rank; /* which list wins when two categories list the same entry */
} rules_cats[RULES_CAT__COUNT] = {
    [RULES_CAT_MINING_POOL] = { "mining-pool", 1, 3 },
    [RULES_CAT_WEB_MINER] = { "web-miner", 1, 1 },
    [RULES_CAT_MINING_PROXY] = { "mining-proxy", 1, 2 },
    [RULES_CAT_CRYPTO_GENERAL] = { "crypto-general", 0, 0 },
};

const char *rules_category_name(enum rules_category c)
{
    return (unsigned)c < RULES_CAT__COUNT ? rules_cats[c].name : "unknown";
}

int rules_category_from_name(const char *name, enum rules_category *c)
{
    for (int i = 0; i < RULES_CAT__COUNT; i++) {
        if (strcmp(name, rules_cats[i].name) == 0) {
            *c = (enum rules_category)i;
            return 0;
        }
    }
    return -1;
}

/* ---- storage helpers ---------------------------------------------------------------- */

int rules_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    void *np = realloc(*p, ncap * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = ncap;
    return 0;
}

uint32_t rules_str(struct rules *r, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (r->strs_len + len + 1 > UINT32_MAX ||
        rules_grow((void **)&r->strs, &r->strs_cap, r->strs_len + len + 1, 1) != 0)
        return UINT32_MAX;
    uint32_t off = (uint32_t)r->strs_len;
    memcpy(r->strs + off, s, len);
    r->strs[off + len] = '\0';
    r->strs_len += len + 1;
    return off;
}

uint32_t rules_add_meta(struct rules *r, uint32_t list, uint32_t comment)
{
    if (rules_grow((void **)&r->meta, &r->meta_cap, r->nmeta + 1, sizeof *r->meta) != 0)
        return UINT32_MAX;
    r->meta[r->nmeta].list = list;
    r->meta[r->nmeta].comment = comment;
    return (uint32_t)r->nmeta++;
}

/* ---- entries ---------------------------------------------------------------------- */

static enum rules_category rules_meta_cat(const struct rules *r, uint32_t meta)
{
    return r->lists[r->meta[meta].list].cat;
}

int rules_add_name(struct rules *r, const char *name, size_t len, enum domainset_kind kind,
                          uint32_t meta)
{
    uint32_t old;
    enum domainset_result res = domainset_add(r->names, name, len, kind, meta, &old);
    if (res == DOMAINSET_INVALID)
        return -1;
    if (res == DOMAINSET_NOMEM)
        return -2;
    r->lists[r->meta[meta].list].names++;
    if (res == DOMAINSET_DUPLICATE) {
        r->counts.duplicates++;
        if (rules_cats[rules_meta_cat(r, meta)].rank > rules_cats[rules_meta_cat(r, old)].rank)
            domainset_set_payload(r->names, name, len, kind, meta);
    }
    return 0;
}

int rules_add_addr(struct rules *r, const struct mw_addr *a, unsigned plen, uint16_t port,
                          uint32_t meta)
{
    uint32_t old;
    enum cidr_result res = cidr_add(r->addrs, a, plen, port, meta, &old);
    if (res == CIDR_ENOMEM || res == CIDR_EINVAL)
        return -2;
    r->lists[r->meta[meta].list].addrs++;
    if (res == CIDR_DUPLICATE) {
        r->counts.duplicates++;
        /* cidr has no replace: keeping the first is documented for addresses. */
    }
    return 0;
}

struct rules *rules_new(void)
{
    struct rules *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->names = domainset_new(0);
    r->addrs = cidr_new();
    /* offset 0 of the string pool is the empty string */
    if (!r->names || !r->addrs || rules_grow((void **)&r->strs, &r->strs_cap, 256, 1) != 0) {
        rules_free(r);
        return NULL;
    }
    r->strs[0] = '\0';
    r->strs_len = 1;
    return r;
}

void rules_finish(struct rules *r)
{
    r->counts.lists = r->nlists;
    r->counts.domains = domainset_count(r->names);
    r->counts.addresses = cidr_count(r->addrs);
    r->counts.allow = r->nallow;
    r->counts.memuse = sizeof *r + domainset_memuse(r->names) + cidr_memuse(r->addrs) +
                       r->lists_cap * sizeof *r->lists + r->meta_cap * sizeof *r->meta +
                       r->strs_cap + r->allow_cap * sizeof *r->allow;
}

void rules_free(struct rules *r)
{
    if (!r)
        return;
    domainset_free(r->names);
    cidr_free(r->addrs);
    free(r->lists);
    free(r->meta);
    free(r->strs);
    free(r->allow);
    free(r);
}

/* ---- queries ---------------------------------------------------------------------- */

static void rules_fill(const struct rules *r, uint32_t meta, struct rules_match *out)
{
    const struct rules_meta *m = &r->meta[meta];
    const struct rules_list *li = &r->lists[m->list];
    memset(out, 0, sizeof *out);
    out->list = li->name;
    out->category = li->cat;
    out->category_name = rules_cats[li->cat].name;
    out->alert = rules_cats[li->cat].alert;
    out->comment = r->strs + (m->comment ? m->comment : li->comment);
}

int rules_match_name(const struct rules *r, const char *name, size_t len, struct rules_match *out)
{
    uint32_t meta;
    size_t mlen;
    if (!r || !name || !domainset_lookup(r->names, name, len, &meta, &mlen))
        return 0;
    if (out) {
        rules_fill(r, meta, out);
        size_t l = (len && name[len - 1] == '.') ? len - 1 : len;
        out->entry = name + (l - mlen);
        out->entry_len = mlen;
    }
    return 1;
}

int rules_match_addr(const struct rules *r, const struct mw_addr *addr, uint16_t port,
                     struct rules_match *out)
{
    uint32_t meta;
    unsigned plen;
    if (!r || !addr || !cidr_lookup_prefix(r->addrs, addr, port, &meta, &plen))
        return 0;
    if (out) {
        rules_fill(r, meta, out);
        out->prefix_len = plen;
    }
    return 1;
}

static int rules_host_in(const struct rules_allow *a, const struct mw_addr *host)
{
    for (unsigned i = 0; i < a->plen; i++) {
        unsigned m = 0x80u >> (i & 7);
        if ((a->host.b[i >> 3] & m) != (host->b[i >> 3] & m))
            return 0;
    }
    return 1;
}

static int rules_pool_in(const struct rules *r, const struct rules_allow *a, const char *pool)
{
    size_t len = strlen(pool);
    if (len && pool[len - 1] == '.')
        len--;
    if (len < a->pool_len)
        return 0;
    const char *tail = pool + (len - a->pool_len);
    if (len > a->pool_len && tail[-1] != '.')
        return 0;
    return strncasecmp(tail, r->strs + a->pool, a->pool_len) == 0;
}

const char *rules_allowed_by(const struct rules *r, const struct mw_addr *host,
                             const char *pool_name)
{
    if (!r)
        return NULL;
    for (size_t i = 0; i < r->nallow; i++) {
        const struct rules_allow *a = &r->allow[i];
        if (a->has_host && (!host || !rules_host_in(a, host)))
            continue;
        if (a->pool && (!pool_name || !rules_pool_in(r, a, pool_name)))
            continue;
        return a->name;
    }
    return NULL;
}

int rules_allowed(const struct rules *r, const struct mw_addr *host, const char *pool_name)
{
    return rules_allowed_by(r, host, pool_name) != NULL;
}

void rules_counts(const struct rules *r, struct rules_counts *out)
{
    if (!out)
        return;
    if (!r) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = r->counts;
}

size_t rules_list_count(const struct rules *r)
{
    return r ? r->nlists : 0;
}

int rules_list_info(const struct rules *r, size_t i, struct rules_list_info *out)
{
    if (!r || i >= r->nlists)
        return -1;
    const struct rules_list *li = &r->lists[i];
    out->name = li->name;
    out->category = li->cat;
    out->file = r->strs + li->file;
    out->names = li->names;
    out->addresses = li->addrs;
    return 0;
}

struct rules_visit {
    const struct rules *r;
    rules_visit_fn fn;
    void *ctx;
};

static void rules_visit_fill(const struct rules_visit *v, uint32_t meta, struct rules_entry *e)
{
    const struct rules_list *li = &v->r->lists[v->r->meta[meta].list];
    e->list = li->name;
    e->category = li->cat;
}

static void rules_visit_name(void *ctx, const char *name, size_t len, enum domainset_kind kind, uint32_t meta)
{
    (void)len;
    const struct rules_visit *v = ctx;
    struct rules_entry e;
    memset(&e, 0, sizeof e);
    e.name = name;
    e.exact = kind == DOMAINSET_EXACT;
    rules_visit_fill(v, meta, &e);
    v->fn(v->ctx, &e);
}

static void rules_visit_addr(void *ctx, const struct mw_addr *a, unsigned plen, uint16_t port, uint32_t meta)
{
    const struct rules_visit *v = ctx;
    struct rules_entry e;
    memset(&e, 0, sizeof e);
    e.addr = *a;
    e.plen = plen;
    e.port = port;
    rules_visit_fill(v, meta, &e);
    v->fn(v->ctx, &e);
}

void rules_foreach(const struct rules *r, rules_visit_fn fn, void *ctx)
{
    if (!r)
        return;
    struct rules_visit v = { r, fn, ctx };
    domainset_foreach(r->names, rules_visit_name, &v);
    cidr_foreach(r->addrs, rules_visit_addr, &v);
}

/* 1 when the whole-label suffix inner is under (or equal to) outer. */
static int rules_name_under(const char *inner, size_t ilen, const char *outer, size_t olen)
{
    if (ilen < olen || strncasecmp(inner + (ilen - olen), outer, olen) != 0)
        return 0;
    return ilen == olen || inner[ilen - olen - 1] == '.';
}

int rules_allowlist_touches_name(const struct rules *r, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; r && i < r->nallow; i++) {
        const struct rules_allow *a = &r->allow[i];
        if (!a->pool)
            continue;
        const char *p = r->strs + a->pool;
        if (rules_name_under(name, len, p, a->pool_len) || rules_name_under(p, a->pool_len, name, len))
            return 1;
    }
    return 0;
}

int rules_allowlist_touches_block(const struct rules *r, const struct mw_addr *addr, unsigned plen)
{
    for (size_t i = 0; r && i < r->nallow; i++) {
        const struct rules_allow *a = &r->allow[i];
        if (!a->has_host)
            continue;
        /* two blocks overlap when they agree on the shorter prefix */
        unsigned n = plen < a->plen ? plen : a->plen, k = 0;
        while (k < n && ((a->host.b[k >> 3] ^ addr->b[k >> 3]) & (0x80u >> (k & 7))) == 0)
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}
