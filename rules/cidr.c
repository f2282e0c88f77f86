/* cidr.c - binary trie over the 128-bit mw_addr space for longest-prefix match.
 *
 * Nodes live in one array addressed by 32-bit indices (node 0 is the root, index 0 as a
 * child means "none"), 12 bytes each. A node that ends a prefix points to a short chain
 * of values, one per port (0 = any port), so port-specific and port-less entries for the
 * same block coexist. 100k IPv4 blocks cost on the order of a million nodes; a
 * path-compressed trie would be smaller but this is simple and fast enough.
 */
#include "rules/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cidr_node {
    uint32_t child[2];
    uint32_t val1; /* value index + 1; 0 = no entry ends here */
};

struct cidr_val {
    uint32_t next1;  /* next value of the same node, index + 1 */
    uint32_t payload;
    uint16_t port;
};

struct cidr_set {
    struct cidr_node *nodes;
    size_t nnodes, nodes_cap;
    struct cidr_val *vals;
    size_t nvals, vals_cap;
};

struct cidr_set *cidr_new(void)
{
    struct cidr_set *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->nodes_cap = 1024;
    s->nodes = calloc(s->nodes_cap, sizeof *s->nodes);
    if (!s->nodes) {
        free(s);
        return NULL;
    }
    s->nnodes = 1;
    return s;
}

void cidr_free(struct cidr_set *s)
{
    if (!s)
        return;
    free(s->nodes);
    free(s->vals);
    free(s);
}

size_t cidr_count(const struct cidr_set *s)
{
    return s ? s->nvals : 0;
}

size_t cidr_memuse(const struct cidr_set *s)
{
    return s ? sizeof *s + s->nodes_cap * sizeof *s->nodes + s->vals_cap * sizeof *s->vals : 0;
}

static inline unsigned cidr_bit(const struct mw_addr *a, unsigned i)
{
    return (a->b[i >> 3] >> (7 - (i & 7))) & 1u;
}

enum cidr_result cidr_add(struct cidr_set *s, const struct mw_addr *addr, unsigned plen,
                          uint16_t port, uint32_t payload, uint32_t *existing_payload)
{
    if (!s || !addr || plen > 128)
        return CIDR_EINVAL;
    uint32_t n = 0;
    for (unsigned i = 0; i < plen; i++) {
        unsigned b = cidr_bit(addr, i);
        if (!s->nodes[n].child[b]) {
            if (s->nnodes >= CIDR_MAX_NODES)
                return CIDR_ENOMEM;
            if (s->nnodes == s->nodes_cap) {
                size_t ncap = s->nodes_cap * 2;
                struct cidr_node *nn = realloc(s->nodes, ncap * sizeof *nn);
                if (!nn)
                    return CIDR_ENOMEM;
                s->nodes = nn;
                s->nodes_cap = ncap;
            }
            memset(&s->nodes[s->nnodes], 0, sizeof s->nodes[0]);
            s->nodes[n].child[b] = (uint32_t)s->nnodes++;
        }
        n = s->nodes[n].child[b];
    }
    for (uint32_t v = s->nodes[n].val1; v; v = s->vals[v - 1].next1) {
        if (s->vals[v - 1].port == port) {
            if (existing_payload)
                *existing_payload = s->vals[v - 1].payload;
            return CIDR_DUPLICATE;
        }
    }
    if (s->nvals == s->vals_cap) {
        size_t ncap = s->vals_cap ? s->vals_cap * 2 : 256;
        struct cidr_val *nv = realloc(s->vals, ncap * sizeof *nv);
        if (!nv)
            return CIDR_ENOMEM;
        s->vals = nv;
        s->vals_cap = ncap;
    }
    struct cidr_val *v = &s->vals[s->nvals++];
    v->next1 = s->nodes[n].val1;
    v->payload = payload;
    v->port = port;
    s->nodes[n].val1 = (uint32_t)s->nvals;
    return CIDR_OK;
}

/* The value of node n that applies to port: exact port first, then any-port. */
static const struct cidr_val *cidr_node_val(const struct cidr_set *s, uint32_t n, uint16_t port)
{
    const struct cidr_val *any = NULL;
    for (uint32_t v = s->nodes[n].val1; v; v = s->vals[v - 1].next1) {
        const struct cidr_val *cv = &s->vals[v - 1];
        if (cv->port == port && port != 0)
            return cv;
        if (cv->port == 0)
            any = cv;
    }
    return any;
}

int cidr_lookup_prefix(const struct cidr_set *s, const struct mw_addr *addr, uint16_t port,
                       uint32_t *payload, unsigned *plen)
{
    if (!s || !addr)
        return 0;
    const struct cidr_val *best = NULL;
    unsigned best_len = 0;
    uint32_t n = 0;
    for (unsigned i = 0;; i++) {
        if (s->nodes[n].val1) {
            const struct cidr_val *v = cidr_node_val(s, n, port);
            if (v) {
                best = v;
                best_len = i;
            }
        }
        if (i == 128)
            break;
        uint32_t c = s->nodes[n].child[cidr_bit(addr, i)];
        if (!c)
            break;
        n = c;
    }
    if (!best)
        return 0;
    if (payload)
        *payload = best->payload;
    if (plen)
        *plen = best_len;
    return 1;
}

int cidr_lookup(const struct cidr_set *s, const struct mw_addr *addr, uint16_t port,
                uint32_t *payload)
{
    return cidr_lookup_prefix(s, addr, port, payload, NULL);
}

void cidr_foreach(const struct cidr_set *s, cidr_visit_fn fn, void *ctx)
{
    if (!s || !s->nnodes)
        return;
    /* stack[d] is the node at depth d on the current path; next[d] the child to try. */
    uint32_t stack[129];
    unsigned char next[129];
    struct mw_addr a;
    memset(&a, 0, sizeof a);
    unsigned d = 0;
    stack[0] = 0;
    next[0] = 0;
    for (uint32_t v = s->nodes[0].val1; v; v = s->vals[v - 1].next1)
        fn(ctx, &a, 0, s->vals[v - 1].port, s->vals[v - 1].payload);
    for (;;) {
        if (next[d] > 1 || d == 128) {
            if (d == 0)
                return;
            d--;
            continue;
        }
        unsigned b = next[d]++;
        uint32_t c = s->nodes[stack[d]].child[b];
        if (!c)
            continue;
        /* the path's bits from depth d down are stale from an earlier branch: clear them */
        a.b[d / 8] &= (unsigned char)~(0xffu >> (d & 7));
        memset(a.b + d / 8 + 1, 0, 15 - d / 8);
        if (b)
            a.b[d / 8] |= (unsigned char)(0x80u >> (d & 7));
        d++;
        stack[d] = c;
        next[d] = 0;
        for (uint32_t v = s->nodes[c].val1; v; v = s->vals[v - 1].next1)
            fn(ctx, &a, d, s->vals[v - 1].port, s->vals[v - 1].payload);
    }
}

static int cidr_parse_uint(const char *s, size_t len, unsigned long max, unsigned long *out)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* Address text (no brackets, no prefix) into a; 4 or 6 for the family, 0 on failure. */
static int cidr_parse_addr(const char *s, size_t len, struct mw_addr *a)
{
    char buf[INET6_ADDRSTRLEN + 1];
    if (len == 0 || len >= sizeof buf || memchr(s, '\0', len))
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    uint8_t v4[4];
    if (memchr(buf, ':', len) == NULL) {
        if (inet_pton(AF_INET, buf, v4) != 1)
            return 0;
        mw_addr_from_v4(a, v4);
        return 4;
    }
    if (inet_pton(AF_INET6, buf, a->b) != 1)
        return 0;
    return 6;
}

enum cidr_parse_result cidr_parse(const char *s, size_t len, struct mw_addr *addr,
                                  unsigned *plen, uint16_t *port)
{
    struct mw_addr a;
    unsigned long pl = 128, pt = 0;
    int fam;
    if (!s || len == 0)
        return CIDR_PARSE_BAD_ADDR;
    const char *slash = memchr(s, '/', len);
    if (s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close)
            return CIDR_PARSE_BAD_ADDR;
        fam = cidr_parse_addr(s + 1, (size_t)(close - s - 1), &a);
        if (fam != 6)
            return CIDR_PARSE_BAD_ADDR;
        const char *rest = close + 1;
        size_t rlen = len - (size_t)(rest - s);
        if (rlen > 0 && rest[0] == ':') {
            if (cidr_parse_uint(rest + 1, rlen - 1, 65535, &pt) != 0 || pt == 0)
                return CIDR_PARSE_BAD_PORT;
        } else if (rlen > 0 && rest[0] == '/') {
            if (cidr_parse_uint(rest + 1, rlen - 1, 128, &pl) != 0)
                return CIDR_PARSE_BAD_PREFIX;
        } else if (rlen > 0) {
            return CIDR_PARSE_BAD_ADDR;
        }
    } else if (slash) {
        size_t alen = (size_t)(slash - s);
        fam = cidr_parse_addr(s, alen, &a);
        if (!fam)
            return CIDR_PARSE_BAD_ADDR;
        if (cidr_parse_uint(slash + 1, len - alen - 1, fam == 4 ? 32 : 128, &pl) != 0)
            return CIDR_PARSE_BAD_PREFIX;
        if (fam == 4)
            pl += 96;
    } else {
        const char *colon = memchr(s, ':', len);
        const char *colon2 = colon ? memchr(colon + 1, ':', len - (size_t)(colon - s) - 1) : NULL;
        if (colon && !colon2) {
            /* Exactly one colon: IPv4 address with a port. */
            size_t alen = (size_t)(colon - s);
            fam = cidr_parse_addr(s, alen, &a);
            if (fam != 4)
                return CIDR_PARSE_BAD_ADDR;
            if (cidr_parse_uint(colon + 1, len - alen - 1, 65535, &pt) != 0 || pt == 0)
                return CIDR_PARSE_BAD_PORT;
        } else {
            fam = cidr_parse_addr(s, len, &a);
            if (!fam)
                return CIDR_PARSE_BAD_ADDR;
        }
    }
    /* Bits below the prefix must be zero: "10.1.2.3/8" is more likely a typo than intent. */
    for (unsigned i = (unsigned)pl; i < 128; i++)
        if ((a.b[i >> 3] >> (7 - (i & 7))) & 1u)
            return CIDR_PARSE_HOST_BITS;
    if (addr)
        *addr = a;
    if (plen)
        *plen = (unsigned)pl;
    if (port)
        *port = (uint16_t)pt;
    return CIDR_PARSE_OK;
}

const char *cidr_parse_strerror(enum cidr_parse_result r)
{
    switch (r) {
    case CIDR_PARSE_OK: return "ok";
    case CIDR_PARSE_BAD_ADDR: return "not an IPv4 or IPv6 address";
    case CIDR_PARSE_BAD_PREFIX: return "bad prefix length";
    case CIDR_PARSE_BAD_PORT: return "bad port (1-65535)";
    case CIDR_PARSE_HOST_BITS: return "address has bits set below the prefix length";
    }
    return "unknown error";
}

void cidr_addr_format(const struct mw_addr *addr, char *buf, size_t buflen)
{
    if (!buf || buflen == 0)
        return;
    buf[0] = '\0';
    if (mw_addr_is_v4(addr))
        inet_ntop(AF_INET, addr->b + 12, buf, (socklen_t)buflen);
    else
        inet_ntop(AF_INET6, addr->b, buf, (socklen_t)buflen);
}
