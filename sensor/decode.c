/* decode.c - link-layer frame to struct mw_packet, peeling encapsulations down to the innermost IP.
 *
 * Specs: IEEE 802.3 / 802.1Q / 802.1ad (Ethernet, VLAN, QinQ), RFC 3032 (MPLS label
 * stack), RFC 2516 (PPPoE session), RFC 1661/1662 (PPP, HDLC-like framing), RFC 2784,
 * 2890 (GRE, key and sequence), RFC 2637 (enhanced GRE, version 1), ERSPAN types I-III
 * (draft-foschiano-erspan), RFC 7348 (VXLAN), RFC 2003 / 4213 / 2473 (IP-in-IP, 6in4,
 * IPv6 tunnelling), RFC 791 (IPv4), RFC 8200 (IPv6 and its extension headers), RFC 4302
 * (AH), RFC 9293 (TCP), RFC 768 (UDP), RFC 792 / 4443 (ICMP, ICMPv6), pcap LINKTYPE_*.
 *
 * Shape: one loop over a "next layer" state. Each step reads one header from (p, len),
 * where len is what the enclosing layers vouch for: the smaller of the captured bytes
 * and the claimed length (p0f's rule), so a lying inner length can never reach past
 * its outer datagram. Every step counts as a layer (capped), every tunnel header as a
 * tunnel level (capped); exceeding either is malformed, so no frame can make the loop
 * run long. The innermost IP and transport header win: outer ones are overwritten.
 */
#include "sensor/decode.h"

#include <stdlib.h>
#include <string.h>

#include "dissectors/reader.h"

/* pcap LINKTYPE_* numbers (DLT_* where they agree). */
#define DLT_NULL_ 0
#define DLT_EN10MB_ 1
#define DLT_PPP_ 9
#define DLT_RAW_ 12
#define DLT_RAW_OBSD_ 14
#define DLT_PPP_HDLC_ 50
#define DLT_RAW_LT_ 101
#define DLT_C_HDLC_ 104
#define DLT_LOOP_ 108
#define DLT_LINUX_SLL_ 113
#define DLT_IPV4_ 228
#define DLT_IPV6_ 229
#define DLT_LINUX_SLL2_ 276

#define ET_IPV4 0x0800
#define ET_IPV6 0x86DD
#define ET_VLAN 0x8100
#define ET_QINQ 0x88A8
#define ET_QINQ_OLD 0x9100
#define ET_MPLS_UC 0x8847
#define ET_MPLS_MC 0x8848
#define ET_PPPOE_SESS 0x8864
#define ET_TEB 0x6558     /* transparent Ethernet bridging (GRE, NVGRE) */
#define ET_ERSPAN_2 0x88BE
#define ET_ERSPAN_3 0x22EB
#define ET_PPP 0x880B     /* PPP over enhanced GRE (PPTP) */

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_MPLS_UC 0x0281
#define PPP_MPLS_MC 0x0283

#define IPP_HOPOPTS 0
#define IPP_ICMP 1
#define IPP_IPIP 4
#define IPP_TCP 6
#define IPP_UDP 17
#define IPP_IPV6 41
#define IPP_ROUTING 43
#define IPP_FRAGMENT 44
#define IPP_GRE 47
#define IPP_AH 51
#define IPP_ICMPV6 58
#define IPP_DSTOPTS 60
#define IPP_MOBILITY 135
#define IPP_HIP 139
#define IPP_SHIM6 140

#define VXLAN_PORT 4789

static const int supported_dlts[] = {
    DLT_NULL_,  DLT_EN10MB_, DLT_PPP_,       DLT_RAW_,  DLT_RAW_OBSD_,   DLT_PPP_HDLC_, DLT_RAW_LT_,
    DLT_C_HDLC_, DLT_LOOP_,  DLT_LINUX_SLL_, DLT_IPV4_, DLT_IPV6_,       DLT_LINUX_SLL2_,
};

struct decode_ctx {
    struct decode_stats st;
    struct defrag *df;
};

enum layer {
    L_ETH,
    L_VLAN,
    L_MPLS,
    L_PPPOE,
    L_PPP,
    L_IP_GUESS,
    L_IP4,
    L_IP6,
    L_L4,
    L_GRE,
    L_NON_IP,
};

/* Per-call state of the layer loop. */
struct walk {
    struct decode_ctx *ctx;
    struct mw_packet *out;
    uint64_t ts_us;
    unsigned layers;
    uint8_t reassembled;    /* one reassembly per call: a fragment inside is refused */
    uint8_t fresh_datagram; /* the IP header about to be parsed came out of defrag */
    uint8_t short_capture;  /* the current IP datagram was cut by the capture length */
    uint8_t l4_proto;
    uint8_t done;           /* transport header parsed: out is complete */
};

void decode_stats_foreach(const struct decode_stats *s,
                          void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
#define DECODE_X_CB(n) cb(u, "decode." #n, s->n);
    DECODE_COUNTERS(DECODE_X_CB)
#undef DECODE_X_CB
    defrag_stats_foreach(&s->defrag, cb, u);
}

int decode_dlt_supported(int dlt)
{
    for (size_t i = 0; i < sizeof supported_dlts / sizeof supported_dlts[0]; i++)
        if (supported_dlts[i] == dlt)
            return 1;
    return 0;
}

unsigned decode_dlt_list(const int **list)
{
    *list = supported_dlts;
    return (unsigned)(sizeof supported_dlts / sizeof supported_dlts[0]);
}

struct decode_ctx *decode_new(const struct defrag_params *dp)
{
    struct decode_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    struct defrag_params def = defrag_params_default();
    ctx->df = defrag_new(dp ? dp : &def, &ctx->st.defrag);
    if (!ctx->df) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

void decode_free(struct decode_ctx *ctx)
{
    if (!ctx)
        return;
    defrag_free(ctx->df);
    free(ctx);
}

const struct decode_stats *decode_stats(const struct decode_ctx *ctx)
{
    return &ctx->st;
}

void decode_housekeep(struct decode_ctx *ctx, uint64_t now_us)
{
    defrag_expire(ctx->df, now_us, 64);
}

/* Count a malformed outcome under its reason. */
static enum decode_result bad(uint64_t *counter)
{
    (*counter)++;
    return DECODE_MALFORMED;
}

static enum decode_result skip(uint64_t *counter)
{
    (*counter)++;
    return DECODE_SKIP;
}

static enum layer layer_for_ethertype(uint16_t et)
{
    switch (et) {
    case ET_IPV4:
        return L_IP4;
    case ET_IPV6:
        return L_IP6;
    case ET_VLAN:
    case ET_QINQ:
    case ET_QINQ_OLD:
        return L_VLAN;
    case ET_MPLS_UC:
    case ET_MPLS_MC:
        return L_MPLS;
    case ET_PPPOE_SESS:
        return L_PPPOE;
    case ET_TEB:
        return L_ETH;
    default:
        return L_NON_IP;
    }
}

static enum layer layer_for_ppp(uint16_t proto)
{
    switch (proto) {
    case PPP_IPV4:
        return L_IP4;
    case PPP_IPV6:
        return L_IP6;
    case PPP_MPLS_UC:
    case PPP_MPLS_MC:
        return L_MPLS;
    default:
        return L_NON_IP;
    }
}

static int tunnel_enter(struct walk *w)
{
    if (w->out->tunnel_depth >= DECODE_MAX_TUNNEL_DEPTH)
        return 0;
    w->out->tunnel_depth++;
    return 1;
}

/* Hand a fragment to the defragmenter. On a completed datagram p and len point at it and
 * DECODE_OK is returned so the caller re-parses it as an unfragmented IP datagram. */
static enum decode_result fragment(struct walk *w, struct defrag_frag *f, const uint8_t **p,
                                   uint32_t *len)
{
    struct decode_stats *st = &w->ctx->st;
    if (w->reassembled)
        return skip(&st->nested_fragment);
    if (w->short_capture)
        return skip(&st->frag_dropped); /* bytes are missing: reassembly would be wrong */
    f->vlan[0] = w->out->vlan[0];
    f->vlan[1] = w->out->vlan[1];
    const uint8_t *dg = NULL;
    uint32_t dg_len = 0;
    switch (defrag_add(w->ctx->df, f, w->ts_us, &dg, &dg_len)) {
    case DEFRAG_HELD:
        return DECODE_HELD;
    case DEFRAG_DROPPED:
        return skip(&st->frag_dropped);
    case DEFRAG_DONE:
        break;
    }
    w->reassembled = 1;
    w->fresh_datagram = 1;
    w->out->reassembled = 1;
    *p = dg;
    *len = dg_len;
    return DECODE_OK;
}

/* IPv4 header: sets out's L3 fields, trims len to the datagram, leaves p at the payload.
 * Returns DECODE_OK to continue with L_L4 (or L_IP4 again after reassembly). */
static enum decode_result parse_ipv4(struct walk *w, const uint8_t **pp, uint32_t *plen,
                                     enum layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    if (len < 20)
        return bad(&st->truncated_ipv4);
    if ((p[0] >> 4) != 4)
        return bad(&st->ip_bad_version);
    uint32_t hlen = (uint32_t)(p[0] & 0x0f) * 4;
    if (hlen < 20)
        return bad(&st->ipv4_bad_hlen);
    uint32_t tot = mw_load_be16(p + 2);
    if (tot != 0 && tot < hlen)
        return bad(&st->ipv4_bad_total_len);
    if (len < hlen)
        return bad(&st->truncated_ipv4);
    w->short_capture = 0;
    if (tot == 0) {
        /* Segmentation offload on the capturing host leaves total length 0. */
        st->ipv4_zero_total_len++;
        tot = len;
    } else if (tot > len) {
        st->ipv4_short_capture++;
        w->short_capture = 1;
        tot = len;
    }
    if (!w->fresh_datagram)
        st->ipv4++;
    w->fresh_datagram = 0;

    struct mw_packet *o = w->out;
    o->ip_version = 4;
    o->ttl = p[8];
    o->proto = p[9];
    mw_addr_from_v4(&o->src, p + 12);
    mw_addr_from_v4(&o->dst, p + 16);
    o->l3 = p;
    o->l3_len = tot;

    uint16_t frag = mw_load_be16(p + 6);
    uint32_t off = (uint32_t)(frag & 0x1fff) * 8;
    int more = (frag & 0x2000) != 0;
    if (off != 0 || more) {
        st->ipv4_frag++;
        struct defrag_frag f;
        memset(&f, 0, sizeof f);
        f.family = 4;
        f.proto = p[9];
        f.src = o->src;
        f.dst = o->dst;
        f.id = mw_load_be16(p + 4);
        f.offset = off;
        f.more = more;
        f.hdr = p;
        f.hdr_len = hlen;
        f.data = p + hlen;
        f.data_len = tot - hlen;
        enum decode_result r = fragment(w, &f, pp, plen);
        if (r == DECODE_OK)
            *next = L_IP4;
        return r;
    }
    w->l4_proto = p[9];
    *pp = p + hlen;
    *plen = tot - hlen;
    *next = L_L4;
    return DECODE_OK;
}

static enum decode_result parse_ipv6(struct walk *w, const uint8_t **pp, uint32_t *plen,
                                     enum layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    if (len < 40)
        return bad(&st->truncated_ipv6);
    if ((p[0] >> 4) != 6)
        return bad(&st->ip_bad_version);
    uint32_t pl = mw_load_be16(p + 4);
    uint8_t nh = p[6];
    uint32_t avail = len - 40;
    w->short_capture = 0;
    if (pl == 0 && nh == IPP_HOPOPTS) {
        /* Jumbogram (RFC 2675): the length lives in a hop-by-hop option; trust the capture. */
        st->ipv6_jumbo++;
        pl = avail;
    } else if (pl > avail) {
        st->ipv6_short_capture++;
        w->short_capture = 1;
        pl = avail;
    }
    if (!w->fresh_datagram)
        st->ipv6++;
    w->fresh_datagram = 0;

    struct mw_packet *o = w->out;
    o->ip_version = 6;
    o->ttl = p[7];
    memcpy(o->src.b, p + 8, 16);
    memcpy(o->dst.b, p + 24, 16);
    o->l3 = p;
    o->l3_len = 40 + pl;

    struct mw_reader r = mw_reader_make(p + 40, pl);
    for (unsigned n = 0;; n++) {
        uint32_t elen;
        switch (nh) {
        case IPP_HOPOPTS:
        case IPP_ROUTING:
        case IPP_DSTOPTS:
        case IPP_MOBILITY:
        case IPP_HIP:
        case IPP_SHIM6:
        case IPP_AH:
        case IPP_FRAGMENT:
            break;
        default:
            o->proto = nh;
            w->l4_proto = nh;
            *pp = r.p + r.off;
            *plen = (uint32_t)mw_reader_left(&r);
            *next = L_L4;
            return DECODE_OK;
        }
        if (n >= DECODE_MAX_IPV6_EXT)
            return bad(&st->ipv6_ext_chain_too_long);
        if (nh == IPP_HOPOPTS && n != 0)
            return bad(&st->ipv6_hbh_not_first);
        if (!mw_reader_has(&r, nh == IPP_FRAGMENT ? 8 : 2))
            return bad(&st->truncated_ipv6_ext);
        const uint8_t *e = r.p + r.off;
        if (nh == IPP_FRAGMENT) {
            uint16_t offm = mw_load_be16(e + 2);
            uint8_t inner = e[0];
            mw_reader_skip(&r, 8);
            if ((offm & 0xfff8) == 0 && (offm & 1) == 0) {
                nh = inner; /* atomic fragment (RFC 6946): nothing to reassemble */
                continue;
            }
            st->ipv6_frag++;
            struct defrag_frag f;
            memset(&f, 0, sizeof f);
            f.family = 6;
            f.proto = inner;
            f.src = o->src;
            f.dst = o->dst;
            f.id = mw_load_be32(e + 4);
            f.offset = offm & 0xfff8;
            f.more = offm & 1;
            f.hdr = p;
            f.hdr_len = 40;
            f.data = r.p + r.off;
            f.data_len = (uint32_t)mw_reader_left(&r);
            o->proto = inner;
            enum decode_result res = fragment(w, &f, pp, plen);
            if (res == DECODE_OK)
                *next = L_IP6;
            return res;
        }
        elen = nh == IPP_AH ? ((uint32_t)e[1] + 2) * 4 : ((uint32_t)e[1] + 1) * 8;
        if (!mw_reader_has(&r, elen))
            return bad(&st->truncated_ipv6_ext);
        nh = e[0];
        mw_reader_skip(&r, elen);
    }
}

/* Transport header of the innermost datagram, or the start of another tunnel. */
static enum decode_result parse_l4(struct walk *w, const uint8_t **pp, uint32_t *plen,
                                   enum layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    struct mw_packet *o = w->out;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    uint32_t hl;
    switch (w->l4_proto) {
    case IPP_IPIP:
    case IPP_IPV6:
        if (!tunnel_enter(w))
            return bad(&st->encap_depth_exceeded);
        st->ipip++;
        *next = w->l4_proto == IPP_IPIP ? L_IP4 : L_IP6;
        return DECODE_OK;
    case IPP_GRE:
        *next = L_GRE;
        return DECODE_OK;
    case IPP_TCP:
        if (len < 20)
            return bad(&st->truncated_tcp);
        hl = (uint32_t)(p[12] >> 4) * 4;
        if (hl < 20)
            return bad(&st->tcp_bad_offset);
        if (hl > len) /* past the datagram: lying offset; past the capture: snaplen */
            return bad(w->short_capture ? &st->truncated_tcp : &st->tcp_bad_offset);
        st->tcp++;
        o->sport = mw_load_be16(p);
        o->dport = mw_load_be16(p + 2);
        o->seq = mw_load_be32(p + 4);
        o->ack = mw_load_be32(p + 8);
        o->tcp_flags = p[13];
        o->window = mw_load_be16(p + 14);
        o->urg_ptr = mw_load_be16(p + 18);
        break;
    case IPP_UDP: {
        if (len < 8)
            return bad(&st->truncated_udp);
        uint32_t ulen = mw_load_be16(p + 4);
        if (ulen == 0 && o->ip_version == 6 && len > 0xffff)
            ulen = len; /* UDP in a jumbogram (RFC 2675) */
        if (ulen < 8)
            return bad(&st->udp_bad_len);
        if (ulen > len) {
            if (!w->short_capture)
                return bad(&st->udp_bad_len);
            st->udp_short_capture++;
        } else {
            len = ulen; /* trust the smaller: bytes past the UDP length are padding */
        }
        hl = 8;
        o->sport = mw_load_be16(p);
        o->dport = mw_load_be16(p + 2);
        if (o->dport == VXLAN_PORT) {
            if (len < 16)
                return bad(&st->truncated_vxlan);
            if (p[8] & 0x08) { /* I flag: a VNI is present, this is VXLAN */
                if (!tunnel_enter(w))
                    return bad(&st->encap_depth_exceeded);
                st->vxlan++;
                *pp = p + 16;
                *plen = len - 16;
                *next = L_ETH;
                return DECODE_OK;
            }
        }
        st->udp++;
        break;
    }
    case IPP_ICMP:
    case IPP_ICMPV6:
        if (len < 8)
            return bad(&st->truncated_icmp);
        hl = 8;
        o->sport = p[0];
        o->dport = p[1];
        if (w->l4_proto == IPP_ICMP)
            st->icmp++;
        else
            st->icmpv6++;
        break;
    default:
        hl = 0;
        st->other_l4++;
        break;
    }
    o->proto = w->l4_proto;
    o->payload = p + hl;
    o->payload_len = len - hl;
    w->done = 1;
    return DECODE_OK;
}

static enum decode_result parse_gre(struct walk *w, const uint8_t **pp, uint32_t *plen,
                                    enum layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    if (len < 4)
        return bad(&st->truncated_gre);
    uint16_t flags = mw_load_be16(p);
    uint16_t proto = mw_load_be16(p + 2);
    uint32_t hl = 4;
    switch (flags & 7) {
    case 0:
        if (flags & 0x4000) /* RFC 1701 source routing: obsolete, variable length */
            return skip(&st->gre_unsupported);
        hl += (flags & 0x8000) ? 4 : 0; /* checksum + reserved */
        hl += (flags & 0x2000) ? 4 : 0; /* key */
        hl += (flags & 0x1000) ? 4 : 0; /* sequence */
        break;
    case 1: /* RFC 2637: key always present (payload length + call id), PPP payload */
        if (!(flags & 0x2000) || proto != ET_PPP)
            return bad(&st->gre_bad_header);
        hl += 4;
        hl += (flags & 0x1000) ? 4 : 0;
        hl += (flags & 0x0080) ? 4 : 0; /* acknowledgment number */
        break;
    default:
        return bad(&st->gre_bad_version);
    }
    if (len < hl)
        return bad(&st->truncated_gre);
    if (!tunnel_enter(w))
        return bad(&st->encap_depth_exceeded);
    st->gre++;
    p += hl;
    len -= hl;
    if (proto == ET_ERSPAN_2) {
        st->erspan++;
        if (flags & 0x1000) { /* type II carries a sequence number and an 8-byte header */
            if (len < 8)
                return bad(&st->truncated_erspan);
            if ((p[0] >> 4) != 1)
                return skip(&st->erspan_unsupported);
            p += 8;
            len -= 8;
        } /* type I: no sequence number, Ethernet follows the GRE header directly */
        *next = L_ETH;
    } else if (proto == ET_ERSPAN_3) {
        st->erspan++;
        if (len < 12)
            return bad(&st->truncated_erspan);
        if ((p[0] >> 4) != 2)
            return skip(&st->erspan_unsupported);
        unsigned ft = (p[10] >> 2) & 0x1f;
        uint32_t eh = (p[11] & 1) ? 20 : 12; /* O bit: 8-byte platform subheader follows */
        if (len < eh)
            return bad(&st->truncated_erspan);
        if (ft == 0)
            *next = L_ETH;
        else if (ft == 2)
            *next = L_IP_GUESS;
        else
            return skip(&st->erspan_unsupported);
        p += eh;
        len -= eh;
    } else if (proto == ET_PPP) {
        *next = L_PPP;
    } else {
        *next = layer_for_ethertype(proto);
    }
    *pp = p;
    *plen = len;
    return DECODE_OK;
}

/* The link header of dlt: sets *next, advances p/len. */
static enum decode_result parse_link(struct walk *w, int dlt, const uint8_t **pp, uint32_t *plen,
                                     enum layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    switch (dlt) {
    case DLT_EN10MB_:
        *next = L_ETH;
        return DECODE_OK;
    case DLT_RAW_:
    case DLT_RAW_OBSD_:
    case DLT_RAW_LT_:
        *next = L_IP_GUESS;
        return DECODE_OK;
    case DLT_IPV4_:
        *next = L_IP4;
        return DECODE_OK;
    case DLT_IPV6_:
        *next = L_IP6;
        return DECODE_OK;
    case DLT_PPP_:
    case DLT_PPP_HDLC_:
        /* Cisco routers write Cisco HDLC frames under the PPP link types; PPP's own
         * address byte is 0xff, so 0x0f/0x8f cannot be confused with it. */
        if (len >= 2 && (p[0] == 0x0f || p[0] == 0x8f) && p[1] == 0x00)
            return parse_link(w, DLT_C_HDLC_, pp, plen, next);
        *next = L_PPP;
        return DECODE_OK;
    case DLT_NULL_:
    case DLT_LOOP_: {
        /* Address family in the capturing host's byte order (NULL) or network order
         * (LOOP); files from either kind of host exist, so accept both orders. */
        if (len < 4)
            return bad(&st->truncated_null);
        uint32_t le = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                      ((uint32_t)p[3] << 24);
        uint32_t be = mw_load_be32(p);
        uint32_t fam = le < be ? le : be;
        if (fam == 2)
            *next = L_IP4;
        else if (fam == 24 || fam == 28 || fam == 30)
            *next = L_IP6;
        else
            *next = L_NON_IP;
        *pp = p + 4;
        *plen = len - 4;
        return DECODE_OK;
    }
    case DLT_C_HDLC_:
        if (len < 4)
            return bad(&st->truncated_link);
        *next = layer_for_ethertype(mw_load_be16(p + 2));
        *pp = p + 4;
        *plen = len - 4;
        return DECODE_OK;
    case DLT_LINUX_SLL_:
        if (len < 16)
            return bad(&st->truncated_sll);
        *next = layer_for_ethertype(mw_load_be16(p + 14));
        *pp = p + 16;
        *plen = len - 16;
        return DECODE_OK;
    case DLT_LINUX_SLL2_:
        if (len < 20)
            return bad(&st->truncated_sll);
        *next = layer_for_ethertype(mw_load_be16(p));
        *pp = p + 20;
        *plen = len - 20;
        return DECODE_OK;
    default:
        return skip(&st->unsupported_link);
    }
}

enum decode_result decode_packet(struct decode_ctx *ctx, int dlt, const uint8_t *data,
                                 uint32_t caplen, uint32_t wirelen, uint64_t ts_us,
                                 struct mw_packet *out)
{
    struct decode_stats *st = &ctx->st;
    memset(out, 0, sizeof *out);
    out->ts_us = ts_us;
    out->caplen = caplen;
    out->wirelen = wirelen;
    st->packets++;
    st->bytes += wirelen;

    struct walk w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.out = out;
    w.ts_us = ts_us;

    const uint8_t *p = data;
    uint32_t len = data ? caplen : 0;
    enum layer l;
    enum decode_result r = parse_link(&w, dlt, &p, &len, &l);
    if (r != DECODE_OK)
        return r;
    for (;;) {
        if (++w.layers > DECODE_MAX_LAYERS)
            return bad(&st->encap_depth_exceeded);
        switch (l) {
        case L_ETH:
            if (len < 14)
                return bad(&st->truncated_eth);
            l = layer_for_ethertype(mw_load_be16(p + 12));
            p += 14;
            len -= 14;
            break;
        case L_VLAN:
            if (len < 4)
                return bad(&st->truncated_vlan);
            st->vlan++;
            if (out->vlan_count < MW_MAX_VLAN)
                out->vlan[out->vlan_count++] = mw_load_be16(p) & 0x0fff;
            l = layer_for_ethertype(mw_load_be16(p + 2));
            p += 4;
            len -= 4;
            break;
        case L_MPLS: {
            if (len < 4)
                return bad(&st->truncated_mpls);
            int bottom = (p[2] & 0x01) != 0;
            p += 4;
            len -= 4;
            if (!bottom)
                break; /* next label; each one counts as a layer */
            st->mpls++;
            /* RFC 3032 does not say what follows the stack: guess by the first nibble,
             * 0 being a pseudowire control word (RFC 4385) before an Ethernet frame. */
            if (len < 1)
                return bad(&st->truncated_mpls);
            switch (p[0] >> 4) {
            case 4:
                l = L_IP4;
                break;
            case 6:
                l = L_IP6;
                break;
            case 0:
                if (len < 4)
                    return bad(&st->truncated_mpls);
                p += 4;
                len -= 4;
                l = L_ETH;
                break;
            default:
                l = L_NON_IP;
                break;
            }
            break;
        }
        case L_PPPOE: {
            if (len < 8)
                return bad(&st->truncated_pppoe);
            if (p[0] != 0x11 || p[1] != 0x00)
                return bad(&st->pppoe_bad_header);
            uint32_t plen = mw_load_be16(p + 4);
            if (plen < 2)
                return bad(&st->pppoe_bad_header);
            st->pppoe++;
            p += 6;
            len -= 6;
            if (plen < len)
                len = plen; /* trust the smaller: the rest is Ethernet padding */
            l = L_PPP;
            break;
        }
        case L_PPP: {
            /* Address/control (0xff 0x03) may be present; the protocol field may be
             * compressed to one byte (odd first byte, RFC 1661 section 6.5). */
            if (len >= 2 && p[0] == 0xff && p[1] == 0x03) {
                p += 2;
                len -= 2;
            }
            if (len < 1 || (!(p[0] & 1) && len < 2))
                return bad(&st->truncated_ppp);
            uint16_t proto;
            if (p[0] & 1) {
                proto = p[0];
                p += 1;
                len -= 1;
            } else {
                proto = mw_load_be16(p);
                p += 2;
                len -= 2;
            }
            l = layer_for_ppp(proto);
            break;
        }
        case L_IP_GUESS:
            if (len < 1)
                return bad(&st->truncated_link);
            if ((p[0] >> 4) == 4)
                l = L_IP4;
            else if ((p[0] >> 4) == 6)
                l = L_IP6;
            else
                return bad(&st->ip_bad_version);
            break;
        case L_IP4:
            r = parse_ipv4(&w, &p, &len, &l);
            if (r != DECODE_OK)
                return r;
            break;
        case L_IP6:
            r = parse_ipv6(&w, &p, &len, &l);
            if (r != DECODE_OK)
                return r;
            break;
        case L_GRE:
            r = parse_gre(&w, &p, &len, &l);
            if (r != DECODE_OK)
                return r;
            break;
        case L_L4:
            r = parse_l4(&w, &p, &len, &l);
            if (r != DECODE_OK || w.done)
                return r;
            break;
        case L_NON_IP:
            return skip(&st->non_ip);
        }
    }
}
