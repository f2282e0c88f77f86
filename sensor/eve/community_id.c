/* community_id.c - Community ID v1 (corelight/community-id-spec, README "Pseudo code").
 *
 * Hash input, all big-endian, 4-byte aligned in the spec's words:
 *   seed(2) | saddr(4|16) | daddr(4|16) | proto(1) | 0(1) | sport(2) | dport(2)
 * Ports are left out for protocols without them. ICMP type/code become ports the way
 * Zeek maps them (the spec points at pycommunityid's icmp.py / icmp6.py): a type with a
 * request/reply partner gets (type, partner type) and the flow is two-way; any other
 * type gets (type, code) and is one-way, so its endpoints are never swapped.
 */
#include <string.h>

#include "sensor/eve/community_id.h"
#include "core/digest.h"

#define CID_PROTO_ICMP 1
#define CID_PROTO_TCP 6
#define CID_PROTO_UDP 17
#define CID_PROTO_ICMPV6 58
#define CID_PROTO_SCTP 132

struct icmp_pair {
    uint8_t type, partner;
};

/* ICMP (RFC 792/950/1256): echo, timestamp, information, router discovery, mask. */
static const struct icmp_pair icmp4_pairs[] = {
    { 8, 0 },   { 0, 8 },   { 13, 14 }, { 14, 13 }, { 15, 16 },
    { 16, 15 }, { 10, 9 },  { 9, 10 },  { 17, 18 }, { 18, 17 },
};

/* ICMPv6: echo, MLD query/report, router and neighbor discovery, node information
 * ("who are you", 139/140), home agent address discovery (144/145). */
static const struct icmp_pair icmp6_pairs[] = {
    { 128, 129 }, { 129, 128 }, { 130, 131 }, { 131, 130 }, { 133, 134 }, { 134, 133 },
    { 135, 136 }, { 136, 135 }, { 139, 140 }, { 140, 139 }, { 144, 145 }, { 145, 144 },
};

/* Maps (type, code) held in the two port slots to port equivalents; returns 1 when one-way. */
static int icmp_ports(const struct icmp_pair *tab, size_t n, uint16_t *sport, uint16_t *dport)
{
    for (size_t i = 0; i < n; i++) {
        if (tab[i].type == *sport) {
            *dport = tab[i].partner;
            return 0;
        }
    }
    return 1;
}

static void base64(const uint8_t *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
}

int community_id_v1(uint16_t seed, const struct mw_addr *src, const struct mw_addr *dst, uint8_t proto,
                    uint16_t sport, uint16_t dport, char out[COMMUNITY_ID_LEN])
{
    out[0] = '\0';
    int v4 = mw_addr_is_v4(src);
    if (v4 != mw_addr_is_v4(dst))
        return -1;
    size_t alen = v4 ? 4 : 16;
    const uint8_t *sa = src->b + (16 - alen);
    const uint8_t *da = dst->b + (16 - alen);

    int has_ports = 0, one_way = 0;
    switch (proto) {
    case CID_PROTO_TCP:
    case CID_PROTO_UDP:
    case CID_PROTO_SCTP:
        has_ports = 1;
        break;
    case CID_PROTO_ICMP:
        has_ports = 1;
        one_way = icmp_ports(icmp4_pairs, sizeof icmp4_pairs / sizeof icmp4_pairs[0], &sport, &dport);
        break;
    case CID_PROTO_ICMPV6:
        has_ports = 1;
        one_way = icmp_ports(icmp6_pairs, sizeof icmp6_pairs / sizeof icmp6_pairs[0], &sport, &dport);
        break;
    default:
        break;
    }

    /* Smaller address first; equal addresses are ordered by port. */
    int cmp = memcmp(sa, da, alen);
    if (!one_way && (cmp > 0 || (cmp == 0 && has_ports && sport > dport))) {
        const uint8_t *ta = sa;
        sa = da;
        da = ta;
        uint16_t tp = sport;
        sport = dport;
        dport = tp;
    }

    uint8_t buf[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, sa, alen);
    n += alen;
    memcpy(buf + n, da, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;
    if (has_ports) {
        buf[n++] = (uint8_t)(sport >> 8);
        buf[n++] = (uint8_t)sport;
        buf[n++] = (uint8_t)(dport >> 8);
        buf[n++] = (uint8_t)dport;
    }
    uint8_t h[DIGEST_SHA1_LEN];
    digest_sha1(buf, n, h);
    out[0] = '1';
    out[1] = ':';
    base64(h, sizeof h, out + 2);
    return 0;
}
