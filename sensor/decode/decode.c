/* decode.c - link-layer frame to struct mw_packet, peeling encapsulations down to the innermost IP.
 *
 * Specs: IEEE 802.3 / 802.1Q / 802.1ad (Ethernet, VLAN, QinQ), RFC 3032 (MPLS label
 * stack), RFC 2516 (PPPoE session), RFC 1661/1662 (PPP, HDLC-like framing), RFC 2784,
 * 2890 (GRE, key and sequence), RFC 2637 (enhanced GRE, version 1), ERSPAN types I-III
 * (draft-foschiano-erspan), RFC 7348 (VXLAN), RFC 2003 / 4213 / 2473 (IP-in-IP, 6in4,
 * IPv6 tunnelling), pcap LINKTYPE_* (link headers). IP and transport: see decode_ip.c.
 *
 * Shape: one loop over a "next layer" state. Each step reads one header from (p, len),
 * where len is what the enclosing layers vouch for: the smaller of the captured bytes
 * and the claimed length (p0f's rule), so a lying inner length can never reach past
 * its outer datagram. Every step counts as a layer (capped), every tunnel header as a
 * tunnel level (capped); exceeding either is malformed, so no frame can make the loop
 * run long. The innermost IP and transport header win: outer ones are overwritten.
 * This file holds the link layers and encapsulations; decode_ip.c the IP and
 * transport steps (they share struct decode_walk through decode_walk.h).
 */
#include "sensor/decode/decode.h"

#include <stdlib.h>
#include <string.h>

#include "core/reader.h"
#include "sensor/decode/decode_walk.h"

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



static const int supported_dlts[] = {
    DLT_NULL_,  DLT_EN10MB_, DLT_PPP_,       DLT_RAW_,  DLT_RAW_OBSD_,   DLT_PPP_HDLC_, DLT_RAW_LT_,
    DLT_C_HDLC_, DLT_LOOP_,  DLT_LINUX_SLL_, DLT_IPV4_, DLT_IPV6_,       DLT_LINUX_SLL2_,
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

static enum decode_layer layer_for_ethertype(uint16_t et)
{
    switch (et) {
    case ET_IPV4:
        return DECODE_L_IP4;
    case ET_IPV6:
        return DECODE_L_IP6;
    case ET_VLAN:
    case ET_QINQ:
    case ET_QINQ_OLD:
        return DECODE_L_VLAN;
    case ET_MPLS_UC:
    case ET_MPLS_MC:
        return DECODE_L_MPLS;
    case ET_PPPOE_SESS:
        return DECODE_L_PPPOE;
    case ET_TEB:
        return DECODE_L_ETH;
    default:
        return DECODE_L_NON_IP;
    }
}

static enum decode_layer layer_for_ppp(uint16_t proto)
{
    switch (proto) {
    case PPP_IPV4:
        return DECODE_L_IP4;
    case PPP_IPV6:
        return DECODE_L_IP6;
    case PPP_MPLS_UC:
    case PPP_MPLS_MC:
        return DECODE_L_MPLS;
    default:
        return DECODE_L_NON_IP;
    }
}

static enum decode_result parse_gre(struct decode_walk *w, const uint8_t **pp, uint32_t *plen,
                                    enum decode_layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    if (len < 4)
        return decode_bad(&st->truncated_gre);
    uint16_t flags = mw_load_be16(p);
    uint16_t proto = mw_load_be16(p + 2);
    uint32_t hl = 4;
    switch (flags & 7) {
    case 0:
        if (flags & 0x4000) /* RFC 1701 source routing: obsolete, variable length */
            return decode_skip(&st->gre_unsupported);
        hl += (flags & 0x8000) ? 4 : 0; /* checksum + reserved */
        hl += (flags & 0x2000) ? 4 : 0; /* key */
        hl += (flags & 0x1000) ? 4 : 0; /* sequence */
        break;
    case 1: /* RFC 2637: key always present (payload length + call id), PPP payload */
        if (!(flags & 0x2000) || proto != ET_PPP)
            return decode_bad(&st->gre_bad_header);
        hl += 4;
        hl += (flags & 0x1000) ? 4 : 0;
        hl += (flags & 0x0080) ? 4 : 0; /* acknowledgment number */
        break;
    default:
        return decode_bad(&st->gre_bad_version);
    }
    if (len < hl)
        return decode_bad(&st->truncated_gre);
    if (!decode_tunnel_enter(w))
        return decode_bad(&st->encap_depth_exceeded);
    st->gre++;
    p += hl;
    len -= hl;
    if (proto == ET_ERSPAN_2) {
        st->erspan++;
        if (flags & 0x1000) { /* type II carries a sequence number and an 8-byte header */
            if (len < 8)
                return decode_bad(&st->truncated_erspan);
            if ((p[0] >> 4) != 1)
                return decode_skip(&st->erspan_unsupported);
            p += 8;
            len -= 8;
        } /* type I: no sequence number, Ethernet follows the GRE header directly */
        *next = DECODE_L_ETH;
    } else if (proto == ET_ERSPAN_3) {
        st->erspan++;
        if (len < 12)
            return decode_bad(&st->truncated_erspan);
        if ((p[0] >> 4) != 2)
            return decode_skip(&st->erspan_unsupported);
        unsigned ft = (p[10] >> 2) & 0x1f;
        uint32_t eh = (p[11] & 1) ? 20 : 12; /* O bit: 8-byte platform subheader follows */
        if (len < eh)
            return decode_bad(&st->truncated_erspan);
        if (ft == 0)
            *next = DECODE_L_ETH;
        else if (ft == 2)
            *next = DECODE_L_IP_GUESS;
        else
            return decode_skip(&st->erspan_unsupported);
        p += eh;
        len -= eh;
    } else if (proto == ET_PPP) {
        *next = DECODE_L_PPP;
    } else {
        *next = layer_for_ethertype(proto);
    }
    *pp = p;
    *plen = len;
    return DECODE_OK;
}

/* The link header of dlt: sets *next, advances p/len. */
static enum decode_result parse_link(struct decode_walk *w, int dlt, const uint8_t **pp,
                                     uint32_t *plen, enum decode_layer *next)
{
    struct decode_stats *st = &w->ctx->st;
    const uint8_t *p = *pp;
    uint32_t len = *plen;
    switch (dlt) {
    case DLT_EN10MB_:
        *next = DECODE_L_ETH;
        return DECODE_OK;
    case DLT_RAW_:
    case DLT_RAW_OBSD_:
    case DLT_RAW_LT_:
        *next = DECODE_L_IP_GUESS;
        return DECODE_OK;
    case DLT_IPV4_:
        *next = DECODE_L_IP4;
        return DECODE_OK;
    case DLT_IPV6_:
        *next = DECODE_L_IP6;
        return DECODE_OK;
    case DLT_PPP_:
    case DLT_PPP_HDLC_:
        /* Cisco routers write Cisco HDLC frames under the PPP link types; PPP's own
         * address byte is 0xff, so 0x0f/0x8f cannot be confused with it. */
        if (len >= 2 && (p[0] == 0x0f || p[0] == 0x8f) && p[1] == 0x00)
            return parse_link(w, DLT_C_HDLC_, pp, plen, next);
        *next = DECODE_L_PPP;
        return DECODE_OK;
    case DLT_NULL_:
    case DLT_LOOP_: {
        /* Address family in the capturing host's byte order (NULL) or network order
         * (LOOP); files from either kind of host exist, so accept both orders. */
        if (len < 4)
            return decode_bad(&st->truncated_null);
        uint32_t le = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                      ((uint32_t)p[3] << 24);
        uint32_t be = mw_load_be32(p);
        uint32_t fam = le < be ? le : be;
        if (fam == 2)
            *next = DECODE_L_IP4;
        else if (fam == 24 || fam == 28 || fam == 30)
            *next = DECODE_L_IP6;
        else
            *next = DECODE_L_NON_IP;
        *pp = p + 4;
        *plen = len - 4;
        return DECODE_OK;
    }
    case DLT_C_HDLC_:
        if (len < 4)
            return decode_bad(&st->truncated_link);
        *next = layer_for_ethertype(mw_load_be16(p + 2));
        *pp = p + 4;
        *plen = len - 4;
        return DECODE_OK;
    case DLT_LINUX_SLL_:
        if (len < 16)
            return decode_bad(&st->truncated_sll);
        *next = layer_for_ethertype(mw_load_be16(p + 14));
        *pp = p + 16;
        *plen = len - 16;
        return DECODE_OK;
    case DLT_LINUX_SLL2_:
        if (len < 20)
            return decode_bad(&st->truncated_sll);
        *next = layer_for_ethertype(mw_load_be16(p));
        *pp = p + 20;
        *plen = len - 20;
        return DECODE_OK;
    default:
        return decode_skip(&st->unsupported_link);
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
    st->bytes += caplen; /* captured bytes, as Suricata's decoder.bytes */

    struct decode_walk w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.out = out;
    w.ts_us = ts_us;

    const uint8_t *p = data;
    uint32_t len = data ? caplen : 0;
    enum decode_layer l;
    enum decode_result r = parse_link(&w, dlt, &p, &len, &l);
    if (r != DECODE_OK)
        return r;
    for (;;) {
        if (++w.layers > DECODE_MAX_LAYERS)
            return decode_bad(&st->encap_depth_exceeded);
        switch (l) {
        case DECODE_L_ETH:
            if (len < 14)
                return decode_bad(&st->truncated_eth);
            l = layer_for_ethertype(mw_load_be16(p + 12));
            p += 14;
            len -= 14;
            break;
        case DECODE_L_VLAN:
            if (len < 4)
                return decode_bad(&st->truncated_vlan);
            st->vlan++;
            if (out->vlan_count < MW_MAX_VLAN)
                out->vlan[out->vlan_count++] = mw_load_be16(p) & 0x0fff;
            l = layer_for_ethertype(mw_load_be16(p + 2));
            p += 4;
            len -= 4;
            break;
        case DECODE_L_MPLS: {
            if (len < 4)
                return decode_bad(&st->truncated_mpls);
            int bottom = (p[2] & 0x01) != 0;
            p += 4;
            len -= 4;
            if (!bottom)
                break; /* next label; each one counts as a layer */
            st->mpls++;
            /* RFC 3032 does not say what follows the stack: guess by the first nibble,
             * 0 being a pseudowire control word (RFC 4385) before an Ethernet frame. */
            if (len < 1)
                return decode_bad(&st->truncated_mpls);
            switch (p[0] >> 4) {
            case 4:
                l = DECODE_L_IP4;
                break;
            case 6:
                l = DECODE_L_IP6;
                break;
            case 0:
                if (len < 4)
                    return decode_bad(&st->truncated_mpls);
                p += 4;
                len -= 4;
                l = DECODE_L_ETH;
                break;
            default:
                l = DECODE_L_NON_IP;
                break;
            }
            break;
        }
        case DECODE_L_PPPOE: {
            if (len < 8)
                return decode_bad(&st->truncated_pppoe);
            if (p[0] != 0x11 || p[1] != 0x00)
                return decode_bad(&st->pppoe_bad_header);
            uint32_t plen = mw_load_be16(p + 4);
            if (plen < 2)
                return decode_bad(&st->pppoe_bad_header);
            st->pppoe++;
            p += 6;
            len -= 6;
            if (plen < len)
                len = plen; /* trust the smaller: the rest is Ethernet padding */
            l = DECODE_L_PPP;
            break;
        }
        case DECODE_L_PPP: {
            /* Address/control (0xff 0x03) may be present; the protocol field may be
             * compressed to one byte (odd first byte, RFC 1661 section 6.5). */
            if (len >= 2 && p[0] == 0xff && p[1] == 0x03) {
                p += 2;
                len -= 2;
            }
            if (len < 1 || (!(p[0] & 1) && len < 2))
                return decode_bad(&st->truncated_ppp);
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
        case DECODE_L_IP_GUESS:
            if (len < 1)
                return decode_bad(&st->truncated_link);
            if ((p[0] >> 4) == 4)
                l = DECODE_L_IP4;
            else if ((p[0] >> 4) == 6)
                l = DECODE_L_IP6;
            else
                return decode_bad(&st->ip_bad_version);
            break;
        case DECODE_L_IP4:
            r = decode_ip_v4(&w, &p, &len, &l);
            if (r != DECODE_OK)
                return r;
            break;
        case DECODE_L_IP6:
            r = decode_ip_v6(&w, &p, &len, &l);
            if (r != DECODE_OK)
                return r;
            break;
        case DECODE_L_GRE:
            r = parse_gre(&w, &p, &len, &l);
            if (r != DECODE_OK)
                return r;
            break;
        case DECODE_L_L4:
            r = decode_ip_l4(&w, &p, &len, &l);
            if (r != DECODE_OK || w.done)
                return r;
            break;
        case DECODE_L_NON_IP:
            return decode_skip(&st->non_ip);
        }
    }
}

static uint32_t decode_hash_bytes(const uint8_t *p, size_t n)
{
    uint32_t x = 2166136261u;
    for (size_t i = 0; i < n; i++)
        x = (x ^ p[i]) * 16777619u;
    return x;
}

uint32_t decode_dispatch_hash(int dlt, const uint8_t *data, uint32_t caplen)
{
    struct decode_ctx scratch; /* parse_link counts into it; nobody reads it */
    struct decode_walk w;
    memset(&scratch, 0, sizeof scratch);
    memset(&w, 0, sizeof w);
    w.ctx = &scratch;
    const uint8_t *p = data;
    uint32_t len = data ? caplen : 0;
    enum decode_layer l;
    if (parse_link(&w, dlt, &p, &len, &l) != DECODE_OK)
        return 0;
    for (unsigned layers = 0; layers < DECODE_MAX_LAYERS; layers++) {
        if (l == DECODE_L_ETH && len >= 14) {
            l = layer_for_ethertype(mw_load_be16(p + 12));
            p += 14;
            len -= 14;
        } else if (l == DECODE_L_VLAN && len >= 4) {
            l = layer_for_ethertype(mw_load_be16(p + 2));
            p += 4;
            len -= 4;
        } else if (l == DECODE_L_IP_GUESS && len >= 1) {
            l = (p[0] >> 4) == 6 ? DECODE_L_IP6 : DECODE_L_IP4;
        } else {
            break;
        }
    }
    /* Both directions hash alike: the two addresses' hashes are combined symmetrically. */
    if (l == DECODE_L_IP4 && len >= 20)
        return decode_hash_bytes(p + 12, 4) ^ decode_hash_bytes(p + 16, 4);
    if (l == DECODE_L_IP6 && len >= 40)
        return decode_hash_bytes(p + 8, 16) ^ decode_hash_bytes(p + 24, 16);
    return 0;
}
