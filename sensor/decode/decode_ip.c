/* decode_ip.c - the IP steps of the decoder: IPv4, IPv6 and its extension headers, fragments, transport.
 *
 * Specs: RFC 791 (IPv4), RFC 8200 (IPv6, extension headers, fragment header), RFC 6946
 * (atomic fragments), RFC 2675 (jumbograms), RFC 4302 (AH), RFC 9293 (TCP), RFC 768
 * (UDP), RFC 792 / 4443 (ICMP, ICMPv6), RFC 7348 (VXLAN, found here as a UDP port).
 * Lengths: the datagram is the smaller of its claimed and captured length (p0f);
 * a header that runs past a complete datagram is a lie (bad_*), past a snaplen-cut
 * one a truncation (truncated_*).
 */
#include <string.h>

#include "core/reader.h"
#include "sensor/decode/decode_walk.h"

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

/* Hand a fragment to the defragmenter. On a completed datagram p and len point at it and
 * DECODE_OK is returned so the caller re-parses it as an unfragmented IP datagram. */
static enum decode_result fragment(struct decode_walk *w, struct defrag_frag *f, const uint8_t **p,
                                   uint32_t *len)
{
    struct decode_stats *st = &w->ctx->st;
    if (w->reassembled)
        return decode_skip(&st->nested_fragment);
    if (w->short_capture)
        return decode_skip(&st->frag_dropped); /* bytes are missing: reassembly would be wrong */
    f->vlan[0] = w->out->vlan[0];
    f->vlan[1] = w->out->vlan[1];
    const uint8_t *dg = NULL;
    uint32_t dg_len = 0;
    switch (defrag_add(w->ctx->df, f, w->ts_us, &dg, &dg_len)) {
    case DEFRAG_HELD:
        return DECODE_HELD;
    case DEFRAG_DROPPED:
        return decode_skip(&st->frag_dropped);
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

/* RFC 791 option list: EOL ends it, NOP is one byte, every other option carries a
 * length of at least 2 that must fit. A broken list does not stop decoding (the host
 * stack may still accept the datagram) but is counted: crafted options are a classic
 * way to make an IDS and the target parse a datagram differently. */
static int ipv4_options_ok(const uint8_t *opt, uint32_t n)
{
    struct mw_reader r = mw_reader_make(opt, n);
    while (mw_reader_left(&r) > 0) {
        uint8_t type = mw_reader_u8(&r);
        if (type == 0)
            return 1;
        if (type == 1)
            continue;
        uint8_t olen = mw_reader_u8(&r);
        if (r.err || olen < 2)
            return 0;
        mw_reader_skip(&r, (size_t)olen - 2);
        if (r.err)
            return 0;
    }
    return 1;
}

/* IPv4 header: sets out's L3 fields, trims len to the datagram, leaves p at the payload.
 * Returns DECODE_OK to continue with DECODE_L_L4 (or DECODE_L_IP4 again after reassembly). */
enum decode_result decode_ip_v4(struct decode_walk *w, const uint8_t **pp, uint32_t *plen,
                                enum decode_layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    if (len < 20)
        return decode_bad(&st->truncated_ipv4);
    if ((p[0] >> 4) != 4)
        return decode_bad(&st->ip_bad_version);
    uint32_t hlen = (uint32_t)(p[0] & 0x0f) * 4;
    if (hlen < 20)
        return decode_bad(&st->ipv4_bad_hlen);
    uint32_t tot = mw_load_be16(p + 2);
    if (tot != 0 && tot < hlen)
        return decode_bad(&st->ipv4_bad_total_len);
    if (len < hlen)
        return decode_bad(&st->truncated_ipv4);
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
    if (!w->fresh_datagram) {
        st->ipv4++;
        if (hlen > 20 && !ipv4_options_ok(p + 20, hlen - 20))
            st->ipv4_option_anomaly++;
    }
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
            *next = DECODE_L_IP4;
        return r;
    }
    w->l4_proto = p[9];
    *pp = p + hlen;
    *plen = tot - hlen;
    *next = DECODE_L_L4;
    return DECODE_OK;
}

enum decode_result decode_ip_v6(struct decode_walk *w, const uint8_t **pp, uint32_t *plen,
                                enum decode_layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    if (len < 40)
        return decode_bad(&st->truncated_ipv6);
    if ((p[0] >> 4) != 6)
        return decode_bad(&st->ip_bad_version);
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
            *next = DECODE_L_L4;
            return DECODE_OK;
        }
        if (n >= DECODE_MAX_IPV6_EXT)
            return decode_bad(&st->ipv6_ext_chain_too_long);
        if (nh == IPP_HOPOPTS && n != 0)
            return decode_bad(&st->ipv6_hbh_not_first);
        if (!mw_reader_has(&r, nh == IPP_FRAGMENT ? 8 : 2))
            return decode_bad(&st->truncated_ipv6_ext);
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
                *next = DECODE_L_IP6;
            return res;
        }
        elen = nh == IPP_AH ? ((uint32_t)e[1] + 2) * 4 : ((uint32_t)e[1] + 1) * 8;
        if (!mw_reader_has(&r, elen))
            return decode_bad(&st->truncated_ipv6_ext);
        nh = e[0];
        mw_reader_skip(&r, elen);
    }
}

/* Transport header of the innermost datagram, or the start of another tunnel. */
enum decode_result decode_ip_l4(struct decode_walk *w, const uint8_t **pp, uint32_t *plen,
                                enum decode_layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    struct mw_packet *o = w->out;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    uint32_t hl;
    switch (w->l4_proto) {
    case IPP_IPIP:
    case IPP_IPV6:
        if (!decode_tunnel_enter(w))
            return decode_bad(&st->encap_depth_exceeded);
        st->ipip++;
        *next = w->l4_proto == IPP_IPIP ? DECODE_L_IP4 : DECODE_L_IP6;
        return DECODE_OK;
    case IPP_GRE:
        *next = DECODE_L_GRE;
        return DECODE_OK;
    case IPP_TCP:
        if (len < 20)
            return decode_bad(&st->truncated_tcp);
        hl = (uint32_t)(p[12] >> 4) * 4;
        if (hl < 20)
            return decode_bad(&st->tcp_bad_offset);
        if (hl > len) /* past the datagram: lying offset; past the capture: snaplen */
            return decode_bad(w->short_capture ? &st->truncated_tcp : &st->tcp_bad_offset);
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
            return decode_bad(&st->truncated_udp);
        uint32_t ulen = mw_load_be16(p + 4);
        if (ulen == 0 && o->ip_version == 6 && len > 0xffff)
            ulen = len; /* UDP in a jumbogram (RFC 2675) */
        if (ulen < 8)
            return decode_bad(&st->udp_bad_len);
        if (ulen > len) {
            if (!w->short_capture)
                return decode_bad(&st->udp_bad_len);
            st->udp_short_capture++;
        } else {
            len = ulen; /* trust the smaller: bytes past the UDP length are padding */
        }
        hl = 8;
        o->sport = mw_load_be16(p);
        o->dport = mw_load_be16(p + 2);
        if (o->dport == VXLAN_PORT) {
            if (len < 16)
                return decode_bad(&st->truncated_vxlan);
            if (p[8] & 0x08) { /* I flag: a VNI is present, this is VXLAN */
                if (!decode_tunnel_enter(w))
                    return decode_bad(&st->encap_depth_exceeded);
                st->vxlan++;
                *pp = p + 16;
                *plen = len - 16;
                *next = DECODE_L_ETH;
                return DECODE_OK;
            }
        }
        st->udp++;
        break;
    }
    case IPP_ICMP:
    case IPP_ICMPV6:
        if (len < 8)
            return decode_bad(&st->truncated_icmp);
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

