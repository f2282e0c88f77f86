/* decode.h - link-layer frame to struct mw_packet: link types, tunnels, IP, transport.
 *
 * One decode_ctx per worker thread: it owns the counters and the IP defragmenter.
 * decode_packet() peels link layers and encapsulations (VLAN, MPLS, PPPoE, GRE,
 * ERSPAN, VXLAN, IP-in-IP) down to the innermost IP header and its transport header.
 * Every outcome other than DECODE_OK/DECODE_HELD increments exactly one named counter.
 * Checksums are never verified: span feeds from hosts with offload carry bad ones.
 */
#ifndef MW_DECODE_H
#define MW_DECODE_H

#include <stdint.h>

#include "sensor/decode/defrag.h"
#include "sensor/decode/packet.h"

/* Encapsulations (tunnels) peeled before the packet is refused. */
#define DECODE_MAX_TUNNEL_DEPTH 8
/* Any headers peeled (VLAN tags, MPLS labels, PPPoE, tunnels) before it is refused. */
#define DECODE_MAX_LAYERS 24
/* IPv6 extension headers followed before the chain is refused. */
#define DECODE_MAX_IPV6_EXT 8

/* X(name): one counter each, reported as "decode.<name>". Layer counters count
 * headers peeled: vlan per tag, mpls per label stack, gre/erspan/vxlan/ipip per
 * tunnel header, ipv4/ipv6 per IP header (outer and inner). */
#define DECODE_COUNTERS(X)                                                         \
    /* seen */                                                                     \
    X(packets) X(bytes)                                                            \
    /* good outcomes and layers seen */                                            \
    X(ipv4) X(ipv6) X(tcp) X(udp) X(icmp) X(icmpv6) X(other_l4)                    \
    X(vlan) X(mpls) X(pppoe) X(gre) X(erspan) X(vxlan) X(ipip)                     \
    X(ipv4_frag) X(ipv6_frag)                                                      \
    /* skipped, not malformed */                                                   \
    X(non_ip) X(unsupported_link) X(erspan_unsupported) X(gre_unsupported)         \
    X(frag_dropped) X(nested_fragment)                                             \
    /* accepted with a note (trusted the smaller length, TSO zero length, ...) */  \
    X(ipv4_short_capture) X(ipv4_zero_total_len) X(ipv6_short_capture)             \
    X(ipv6_jumbo) X(udp_short_capture) X(ipv4_option_anomaly)                      \
    /* malformed: one per reason */                                                \
    X(truncated_link) X(truncated_eth) X(truncated_sll) X(truncated_null)          \
    X(truncated_ppp) X(truncated_vlan) X(truncated_mpls) X(truncated_pppoe)        \
    X(truncated_gre) X(truncated_erspan) X(truncated_vxlan)                        \
    X(truncated_ipv4) X(truncated_ipv6) X(truncated_ipv6_ext)                      \
    X(truncated_tcp) X(truncated_udp) X(truncated_icmp)                            \
    X(ip_bad_version) X(ipv4_bad_hlen) X(ipv4_bad_total_len)                       \
    X(ipv6_bad_plen) X(ipv6_ext_chain_too_long) X(ipv6_hbh_not_first)             \
    X(pppoe_bad_header) X(gre_bad_header) X(gre_bad_version)                       \
    X(tcp_bad_offset) X(udp_bad_len) X(encap_depth_exceeded)

struct decode_stats {
#define DECODE_X_FIELD(n) uint64_t n;
    DECODE_COUNTERS(DECODE_X_FIELD)
#undef DECODE_X_FIELD
    struct defrag_stats defrag; /* the defragmenter's counters, reported as "defrag.*" */
};

/* Calls cb once per counter, decode.* then defrag.*. */
void decode_stats_foreach(const struct decode_stats *s,
                          void (*cb)(void *u, const char *name, uint64_t v), void *u);

enum decode_result {
    DECODE_OK,        /* out filled */
    DECODE_SKIP,      /* not IP or not decodable by design (counted) */
    DECODE_MALFORMED, /* counted under the reason */
    DECODE_HELD,      /* an IP fragment was stored; nothing to deliver yet */
};

struct decode_ctx;

/* dp NULL means defrag_params_default(). Returns NULL on allocation failure. */
struct decode_ctx *decode_new(const struct defrag_params *dp);
void decode_free(struct decode_ctx *ctx);

/* Decode one frame of link type dlt (pcap DLT_* number). On DECODE_OK every field of
 * *out is set; its pointers refer to data, or to the defragmenter's buffer when
 * out->reassembled is 1, and stay valid until the next call. */
enum decode_result decode_packet(struct decode_ctx *ctx, int dlt, const uint8_t *data,
                                 uint32_t caplen, uint32_t wirelen, uint64_t ts_us,
                                 struct mw_packet *out);

const struct decode_stats *decode_stats(const struct decode_ctx *ctx);

/* 1 when decode_packet() understands this pcap link type. */
int decode_dlt_supported(int dlt);

/* The supported link types, for fuzzers and start-up messages; returns the count. */
unsigned decode_dlt_list(const int **list);

/* Which worker a frame goes to when one thread reads a capture file for N workers: a hash
 * of the outermost IP address pair, the same in both directions and for every fragment of
 * a datagram, so all packets of a flow meet in one worker. Frames whose link layers this
 * short walk does not follow (MPLS, PPPoE, PPP, non-IP) hash to 0: one worker gets them
 * all, which keeps them together. Reads only the headers, counts nothing. */
uint32_t decode_dispatch_hash(int dlt, const uint8_t *data, uint32_t caplen);

/* Expire idle fragment trackers (for a capture loop that sees no packets). */
void decode_housekeep(struct decode_ctx *ctx, uint64_t now_us);

#endif
