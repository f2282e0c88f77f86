/* frame_builder.h - byte-by-byte frame construction for decoder tests and seed corpora.
 *
 * Headers are appended in wire order; length fields of IPv4, IPv6, UDP and PPPoE are
 * patched afterwards with fb_end_*() (innermost first), so a test states the layout
 * once and every length is consistent unless the test deliberately breaks it.
 */
#ifndef MW_TEST_FRAME_BUILDER_H
#define MW_TEST_FRAME_BUILDER_H

#include <stdint.h>
#include <string.h>

struct fb {
    uint8_t b[4096];
    uint32_t n;
};

static inline void fb_u8(struct fb *f, uint8_t v) { f->b[f->n++] = v; }
static inline void fb_u16(struct fb *f, uint16_t v)
{
    fb_u8(f, (uint8_t)(v >> 8));
    fb_u8(f, (uint8_t)v);
}
static inline void fb_u32(struct fb *f, uint32_t v)
{
    fb_u16(f, (uint16_t)(v >> 16));
    fb_u16(f, (uint16_t)v);
}
static inline void fb_bytes(struct fb *f, const void *p, uint32_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}
static inline void fb_fill(struct fb *f, uint8_t v, uint32_t n)
{
    memset(f->b + f->n, v, n);
    f->n += n;
}
static inline void fb_set16(struct fb *f, uint32_t at, uint16_t v)
{
    f->b[at] = (uint8_t)(v >> 8);
    f->b[at + 1] = (uint8_t)v;
}

static inline void fb_eth(struct fb *f, uint16_t ethertype)
{
    static const uint8_t mac[12] = { 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2 };
    fb_bytes(f, mac, 12);
    fb_u16(f, ethertype);
}

/* One 802.1Q/802.1ad tag body: TCI then the next ethertype. */
static inline void fb_vlan(struct fb *f, uint16_t vid, uint16_t next)
{
    fb_u16(f, (uint16_t)(0x2000 | (vid & 0x0fff))); /* PCP 1 so priority bits are masked */
    fb_u16(f, next);
}

static inline void fb_mpls(struct fb *f, uint32_t label, int bottom)
{
    fb_u32(f, (label << 12) | (bottom ? 0x100u : 0u) | 64u);
}

/* IPv4 header; returns its offset for fb_end_ipv4(). */
static inline uint32_t fb_ipv4(struct fb *f, uint8_t proto, const uint8_t src[4],
                               const uint8_t dst[4], uint16_t id, uint16_t frag)
{
    uint32_t at = f->n;
    fb_u8(f, 0x45);
    fb_u8(f, 0);
    fb_u16(f, 0); /* total length, patched */
    fb_u16(f, id);
    fb_u16(f, frag);
    fb_u8(f, 64);
    fb_u8(f, proto);
    fb_u16(f, 0xdead); /* checksum: never verified */
    fb_bytes(f, src, 4);
    fb_bytes(f, dst, 4);
    return at;
}
static inline void fb_end_ipv4(struct fb *f, uint32_t at) { fb_set16(f, at + 2, (uint16_t)(f->n - at)); }

static inline uint32_t fb_ipv6(struct fb *f, uint8_t nh, const uint8_t src[16], const uint8_t dst[16])
{
    uint32_t at = f->n;
    fb_u32(f, 0x60000000u);
    fb_u16(f, 0); /* payload length, patched */
    fb_u8(f, nh);
    fb_u8(f, 57);
    fb_bytes(f, src, 16);
    fb_bytes(f, dst, 16);
    return at;
}
static inline void fb_end_ipv6(struct fb *f, uint32_t at) { fb_set16(f, at + 4, (uint16_t)(f->n - at - 40)); }

/* Generic IPv6 extension header of (hlen8+1)*8 bytes. */
static inline void fb_ipv6_ext(struct fb *f, uint8_t nh, uint8_t hlen8)
{
    fb_u8(f, nh);
    fb_u8(f, hlen8);
    fb_fill(f, 0x01, (uint32_t)(hlen8 + 1) * 8 - 2); /* PadN-ish filler */
}

static inline void fb_tcp(struct fb *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                          uint8_t flags, uint16_t win, uint16_t urg)
{
    fb_u16(f, sport);
    fb_u16(f, dport);
    fb_u32(f, seq);
    fb_u32(f, ack);
    fb_u8(f, 0x50);
    fb_u8(f, flags);
    fb_u16(f, win);
    fb_u16(f, 0);
    fb_u16(f, urg);
}

static inline uint32_t fb_udp(struct fb *f, uint16_t sport, uint16_t dport)
{
    uint32_t at = f->n;
    fb_u16(f, sport);
    fb_u16(f, dport);
    fb_u16(f, 0);
    fb_u16(f, 0);
    return at;
}
static inline void fb_end_udp(struct fb *f, uint32_t at) { fb_set16(f, at + 4, (uint16_t)(f->n - at)); }

static inline void fb_vxlan(struct fb *f, uint32_t vni)
{
    fb_u32(f, 0x08000000u);
    fb_u32(f, vni << 8);
}

static inline uint32_t fb_pppoe(struct fb *f, uint16_t ppp_proto)
{
    uint32_t at = f->n;
    fb_u8(f, 0x11);
    fb_u8(f, 0x00);
    fb_u16(f, 0x1234);
    fb_u16(f, 0);
    fb_u16(f, ppp_proto);
    return at;
}
static inline void fb_end_pppoe(struct fb *f, uint32_t at) { fb_set16(f, at + 4, (uint16_t)(f->n - at - 6)); }

#endif
