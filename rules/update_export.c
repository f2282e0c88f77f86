/* update_export.c - the active pool names and addresses as resolver and firewall block lists.
 *
 * Formats (docs/rules.md, "Exports"):
 *   rpz      a DNS Response Policy Zone (draft-vixie-dnsop-dns-rpz): "NAME CNAME ." answers
 *            NXDOMAIN; a suffix entry also gets "*.NAME". BIND, Unbound, Knot and PowerDNS
 *            load it as a zone.
 *   unbound  unbound.conf "server:" clauses: local-zone always_nxdomain for suffix entries
 *            (a local zone covers the name and everything below it); an exact entry gets a
 *            transparent zone with 0.0.0.0 / :: data, so only that name is answered.
 *   nft      an nftables script defining sets in "table inet minewatch" (replaced as a whole
 *            by `nft -f`): pool4/pool6 for blocks on any port, pool4_ports/pool6_ports
 *            (address . port) for blocks listed with a port.
 *   ipset    an `ipset restore` file with the same four sets (minewatch-pool4, ...).
 * Only categories that alert are exported (crypto-general never is). Nothing an allowlist
 * entry authorises appears: a name at, above or below an allowlisted pool, a block that
 * overlaps an allowlisted host. Output is sorted so the same rules give the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cidr.h"
#include "rules/domainset.h"
#include "rules/update.h"

static const char *const upx_names[] = { "rpz", "unbound", "nft", "ipset" };

int update_export_format_from_name(const char *name, enum update_export_format *f)
{
    for (size_t i = 0; i < sizeof upx_names / sizeof upx_names[0]; i++)
        if (strcmp(name, upx_names[i]) == 0) {
            *f = (enum update_export_format)i;
            return 0;
        }
    return -1;
}

struct upx_name {
    char *name;
    int exact;
};

struct upx_block {
    struct mw_addr addr;
    unsigned plen;
    uint16_t port;
};

struct upx {
    const struct rules *r;
    struct upx_name *names;
    size_t nnames, names_cap;
    struct upx_block *blocks;
    size_t nblocks, blocks_cap;
    struct update_export_stats *st;
    int oom;
};

static int upx_exported(enum rules_category c)
{
    return c != RULES_CAT_CRYPTO_GENERAL;
}

static int upx_add_block(struct upx *x, const struct mw_addr *a, unsigned plen, uint16_t port)
{
    if (rules_allowlist_touches_block(x->r, a, plen)) {
        x->st->allowlisted++;
        return 0;
    }
    if (x->nblocks == x->blocks_cap) {
        size_t nc = x->blocks_cap ? x->blocks_cap * 2 : 256;
        struct upx_block *nb = realloc(x->blocks, nc * sizeof *nb);
        if (!nb)
            return -1;
        x->blocks = nb;
        x->blocks_cap = nc;
    }
    struct upx_block *b = &x->blocks[x->nblocks++];
    b->addr = *a;
    b->plen = plen;
    b->port = port;
    return 0;
}

static void upx_visit(void *ctx, const struct rules_entry *e)
{
    struct upx *x = ctx;
    if (x->oom || !upx_exported(e->category))
        return;
    if (!e->name) {
        x->oom |= upx_add_block(x, &e->addr, e->plen, e->port) != 0;
        return;
    }
    if (rules_allowlist_touches_name(x->r, e->name)) {
        x->st->allowlisted++;
        return;
    }
    if (x->nnames == x->names_cap) {
        size_t nc = x->names_cap ? x->names_cap * 2 : 256;
        struct upx_name *nn = realloc(x->names, nc * sizeof *nn);
        if (!nn) {
            x->oom = 1;
            return;
        }
        x->names = nn;
        x->names_cap = nc;
    }
    char *dup = strdup(e->name);
    if (!dup) {
        x->oom = 1;
        return;
    }
    x->names[x->nnames].name = dup;
    x->names[x->nnames++].exact = e->exact;
}

static int upx_name_cmp(const void *a, const void *b)
{
    const struct upx_name *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->exact - y->exact;
}

static int upx_block_cmp(const void *a, const void *b)
{
    const struct upx_block *x = a, *y = b;
    int c = memcmp(x->addr.b, y->addr.b, 16);
    if (c)
        return c;
    if (x->plen != y->plen)
        return x->plen < y->plen ? -1 : 1;
    return (int)x->port - (int)y->port;
}

/* 1 when block a contains block b (same port, or a on any port). */
static int upx_covers(const struct upx_block *a, const struct upx_block *b)
{
    if (a->plen > b->plen || (a->port && a->port != b->port) || (!a->port) != (!b->port))
        return 0;
    for (unsigned k = 0; k < a->plen; k++)
        if ((a->addr.b[k >> 3] ^ b->addr.b[k >> 3]) & (0x80u >> (k & 7)))
            return 0;
    return 1;
}

/* Interval sets refuse overlapping elements (nft: "conflicting intervals"), and a block
 * inside another adds nothing: keep only the outermost. Sorted by address then length, a
 * block's container comes before it, and so does every block between them; a port-less
 * block is compared with the last kept port-less one, a port block with the kept blocks of
 * its port (few: lists rarely name ports). */
static size_t upx_drop_covered(struct upx_block *v, size_t n)
{
    size_t k = 0, last_any = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        int covered = 0;
        if (!v[i].port)
            covered = last_any != SIZE_MAX && upx_covers(&v[last_any], &v[i]);
        else
            for (size_t j = 0; j < k && !covered; j++)
                covered = upx_covers(&v[j], &v[i]);
        if (covered)
            continue;
        if (!v[i].port)
            last_any = k;
        v[k++] = v[i];
    }
    return k;
}

/* "a.b.c.d/len" or "v6/len", the prefix counted in the address family's own space. */
static void upx_block_text(const struct upx_block *b, char *buf, size_t cap)
{
    char a[64];
    cidr_addr_format(&b->addr, a, sizeof a);
    int v4 = mw_addr_is_v4(&b->addr) && b->plen >= 96;
    snprintf(buf, cap, "%s/%u", a, v4 ? b->plen - 96 : b->plen);
}

static int upx_is_v4(const struct upx_block *b)
{
    return mw_addr_is_v4(&b->addr) && b->plen >= 96;
}

static void upx_rpz(const struct upx *x, uint32_t serial, struct update_buf *o)
{
    update_buf_printf(o, "; minewatch pool names as a Response Policy Zone (generated by minewatch-update)\n"
                         "; load it as a zone of type rpz/response-policy; every name answers NXDOMAIN\n"
                         "$TTL 300\n"
                         "@ IN SOA localhost. hostmaster.localhost. ( %u 3600 600 86400 300 )\n"
                         "@ IN NS localhost.\n",
                      serial);
    for (size_t i = 0; i < x->nnames; i++) {
        update_buf_printf(o, "%s CNAME .\n", x->names[i].name);
        if (!x->names[i].exact)
            update_buf_printf(o, "*.%s CNAME .\n", x->names[i].name);
    }
}

static void upx_unbound(const struct upx *x, struct update_buf *o)
{
    update_buf_printf(o, "# minewatch pool names for Unbound (generated by minewatch-update)\n"
                         "# include: this file from unbound.conf\n"
                         "server:\n");
    for (size_t i = 0; i < x->nnames; i++) {
        const char *n = x->names[i].name;
        if (x->names[i].exact)
            update_buf_printf(o, "    local-zone: \"%s.\" transparent\n"
                                 "    local-data: \"%s. 300 IN A 0.0.0.0\"\n"
                                 "    local-data: \"%s. 300 IN AAAA ::\"\n",
                              n, n, n);
        else
            update_buf_printf(o, "    local-zone: \"%s.\" always_nxdomain\n", n);
    }
}

/* The elements of one of the four address sets: v4 or v6, with or without a port. */
static size_t upx_elements(const struct upx *x, int v4, int with_port, const char *sep, const char *port_sep,
                           struct update_buf *o, const char *prefix)
{
    size_t n = 0;
    for (size_t i = 0; i < x->nblocks; i++) {
        const struct upx_block *b = &x->blocks[i];
        if (upx_is_v4(b) != v4 || (b->port != 0) != with_port)
            continue;
        char t[80];
        upx_block_text(b, t, sizeof t);
        update_buf_printf(o, "%s%s", n ? sep : prefix, t);
        if (with_port)
            update_buf_printf(o, "%s%u", port_sep, (unsigned)b->port);
        n++;
    }
    return n;
}

static void upx_nft(const struct upx *x, struct update_buf *o)
{
    update_buf_printf(o, "# minewatch pool addresses as nftables sets (generated by minewatch-update)\n"
                         "# nft -f this file; match with e.g. ip daddr @pool4 drop\n"
                         "table inet minewatch\n"
                         "delete table inet minewatch\n"
                         "table inet minewatch {\n");
    static const char *const set[4] = { "pool4", "pool6", "pool4_ports", "pool6_ports" };
    static const char *const type[4] = { "ipv4_addr", "ipv6_addr", "ipv4_addr . inet_service",
                                         "ipv6_addr . inet_service" };
    for (int k = 0; k < 4; k++) {
        update_buf_printf(o, "    set %s {\n        type %s\n        flags interval\n", set[k], type[k]);
        struct update_buf tmp = { NULL, 0, 0, 0 };
        size_t n = upx_elements(x, k % 2 == 0, k >= 2, ",\n                     ", " . ", &tmp,
                                "        elements = { ");
        if (n && !tmp.oom)
            update_buf_printf(o, "%.*s }\n", (int)tmp.len, tmp.p);
        o->oom |= tmp.oom;
        free(tmp.p);
        update_buf_printf(o, "    }\n");
    }
    update_buf_printf(o, "}\n");
}

static void upx_ipset(const struct upx *x, struct update_buf *o)
{
    update_buf_printf(o, "# minewatch pool addresses for `ipset restore` (generated by minewatch-update)\n");
    static const char *const set[4] = { "minewatch-pool4", "minewatch-pool6", "minewatch-pool4-ports",
                                         "minewatch-pool6-ports" };
    for (int k = 0; k < 4; k++) {
        update_buf_printf(o, "create %s hash:net%s family %s maxelem 1048576 -exist\nflush %s\n", set[k],
                          k >= 2 ? ",port" : "", k % 2 == 0 ? "inet" : "inet6", set[k]);
        char pre[96];
        snprintf(pre, sizeof pre, "add %s ", set[k]);
        char sep[100];
        snprintf(sep, sizeof sep, "\nadd %s ", set[k]);
        if (upx_elements(x, k % 2 == 0, k >= 2, sep, ",tcp:", o, pre))
            update_buf_printf(o, "\n");
    }
}

char *update_export(const struct rules *r, enum update_export_format f, const struct update_learned *learned,
                    size_t nlearned, uint32_t serial, struct update_export_stats *st, size_t *out_len)
{
    memset(st, 0, sizeof *st);
    struct upx x = { .r = r, .st = st };
    rules_foreach(r, upx_visit, &x);
    /* DNS-learned addresses join the address sets while their name is still listed (under a
     * category that alerts); the name's allowlist check is the one names get. */
    for (size_t i = 0; i < nlearned && !x.oom; i++) {
        struct rules_match m;
        const char *n = learned[i].name;
        if (!rules_match_name(r, n, strlen(n), &m) || !upx_exported(m.category)) {
            st->learned_unlisted++;
            continue;
        }
        if (rules_allowlist_touches_name(r, n)) {
            st->allowlisted++;
            continue;
        }
        x.oom |= upx_add_block(&x, &learned[i].addr, 128, 0) != 0;
        st->learned++;
    }
    char *text = NULL;
    if (!x.oom) {
        qsort(x.names, x.nnames, sizeof *x.names, upx_name_cmp);
        qsort(x.blocks, x.nblocks, sizeof *x.blocks, upx_block_cmp);
        x.nblocks = upx_drop_covered(x.blocks, x.nblocks);
        st->names = x.nnames;
        st->addresses = x.nblocks;
        struct update_buf o = { NULL, 0, 0, 0 };
        if (f == UPDATE_EXPORT_RPZ)
            upx_rpz(&x, serial, &o);
        else if (f == UPDATE_EXPORT_UNBOUND)
            upx_unbound(&x, &o);
        else if (f == UPDATE_EXPORT_NFT)
            upx_nft(&x, &o);
        else
            upx_ipset(&x, &o);
        if (o.oom)
            free(o.p);
        else {
            text = o.p;
            *out_len = o.len;
        }
    }
    for (size_t i = 0; i < x.nnames; i++)
        free(x.names[i].name);
    free(x.names);
    free(x.blocks);
    return text;
}

/* "ADDRESS NAME" per line; '#' starts a comment; blank lines are skipped. */
int update_learned_parse(const char *buf, size_t len, const char *label, struct update_learned **out, size_t *n,
                         char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0, line = 0, p = 0;
    while (p < len) {
        const char *nl = memchr(buf + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - buf) : len, q = p;
        line++;
        size_t next = nl ? e + 1 : len;
        while (q < e && (buf[q] == ' ' || buf[q] == '\t'))
            q++;
        if (q == e || buf[q] == '#' || buf[q] == '\r') {
            p = next;
            continue;
        }
        size_t a0 = q;
        while (q < e && buf[q] != ' ' && buf[q] != '\t')
            q++;
        size_t a1 = q;
        while (q < e && (buf[q] == ' ' || buf[q] == '\t'))
            q++;
        size_t n0 = q;
        while (q < e && buf[q] != ' ' && buf[q] != '\t' && buf[q] != '\r')
            q++;
        size_t n1 = q;
        struct mw_addr a;
        unsigned plen;
        uint16_t port;
        const char *why = NULL;
        if (cidr_parse(buf + a0, a1 - a0, &a, &plen, &port) != CIDR_PARSE_OK || plen != 128 || port)
            why = "not an address";
        else if (n1 == n0 || domainset_name_check(buf + n0, n1 - n0) != NULL)
            why = "no valid pool name after the address";
        if (why) {
            snprintf(err, errlen, "%s:%zu: %s (expected \"ADDRESS POOL-NAME\")", label, line, why);
            free(*out);
            *out = NULL;
            *n = 0;
            return -1;
        }
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct update_learned *nb = realloc(*out, nc * sizeof *nb);
            if (!nb) {
                snprintf(err, errlen, "%s: out of memory", label);
                free(*out);
                *out = NULL;
                *n = 0;
                return -1;
            }
            *out = nb;
            cap = nc;
        }
        struct update_learned *l = &(*out)[(*n)++];
        l->addr = a;
        memcpy(l->name, buf + n0, n1 - n0);
        l->name[n1 - n0] = '\0';
        p = next;
    }
    return 0;
}
