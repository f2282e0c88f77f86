/* packet.h - one decoded packet: what sensor/decode/decode.c fills and sensor/flow/flow.c consumes.
 *
 * Addresses are struct mw_addr (core/addr.h). Pointers refer to the capture buffer
 * (or to the defragmenter's buffer for a reassembled datagram) and are valid only
 * until the next packet is decoded.
 */
#ifndef MW_PACKET_H
#define MW_PACKET_H

#include <stdint.h>

#include "core/addr.h"

#define MW_MAX_VLAN 2

/* TCP flag bits as on the wire (byte 13 of the TCP header). */
#define MW_TCP_FIN 0x01
#define MW_TCP_SYN 0x02
#define MW_TCP_RST 0x04
#define MW_TCP_PSH 0x08
#define MW_TCP_ACK 0x10
#define MW_TCP_URG 0x20

struct mw_packet {
    uint64_t ts_us;         /* capture time, microseconds since the epoch (UTC) */
    uint32_t caplen;        /* bytes captured at the link layer */
    uint32_t wirelen;       /* bytes on the wire as claimed by the capture header */
    uint16_t vlan[MW_MAX_VLAN]; /* outermost first */
    uint8_t vlan_count;
    uint8_t tunnel_depth;   /* encapsulations peeled (GRE, VXLAN, IP-in-IP, ...) */
    uint8_t ip_version;     /* 4 or 6; 0 when not an IP packet */
    uint8_t proto;          /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, ... */
    uint8_t ttl;            /* IPv4 TTL or IPv6 hop limit */
    uint8_t reassembled;    /* 1 when the datagram came out of IP fragment reassembly */
    struct mw_addr src, dst;
    uint16_t sport, dport;  /* TCP/UDP ports; ICMP type/code in sport/dport */
    uint32_t seq, ack;      /* TCP only */
    uint16_t window;
    uint16_t urg_ptr;
    uint8_t tcp_flags;
    const uint8_t *l3;      /* start of the (innermost) IP header */
    uint32_t l3_len;        /* IP datagram length, trusted (min of claimed and captured) */
    const uint8_t *payload; /* transport payload */
    uint32_t payload_len;
};

#endif
