/* test_decode.c - decoder: every link type and encapsulation, truncation at every length, lying lengths. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/decode/decode.h"
#include "unit/check_main.h"
#include "unit/frame_builder.h"

static const uint8_t A4[4] = { 10, 0, 0, 1 };
static const uint8_t B4[4] = { 192, 0, 2, 7 };
static const uint8_t C4[4] = { 198, 51, 100, 1 };
static const uint8_t D4[4] = { 198, 51, 100, 2 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static struct decode_ctx *ctx;
static struct mw_packet pkt;

static void setup(void)
{
    ctx = decode_new(NULL);
    ck_assert_ptr_nonnull(ctx);
}

static void teardown(void)
{
    decode_free(ctx);
    ctx = NULL;
}

/* Decode from an exactly sized heap copy so ASan catches any read past caplen. */
static enum decode_result run_len(int dlt, const struct fb *f, uint32_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, f->b, len);
    static uint64_t ts = 1700000000000000ULL;
    enum decode_result r = decode_packet(ctx, dlt, copy, len, f->n, ts++, &pkt);
    /* copy must outlive pkt's pointers for the caller's checks; freed on the next call */
    static uint8_t *prev;
    free(prev);
    prev = copy;
    return r;
}

static enum decode_result run(int dlt, const struct fb *f)
{
    return run_len(dlt, f, f->n);
}

#define ST (decode_stats(ctx))

/* Appends IPv4 A4 -> B4 / TCP 40000 -> 3333 "hello". */
static void inner_v4_tcp(struct fb *f)
{
    uint32_t ip = fb_ipv4(f, 6, A4, B4, 7, 0x4000);
    fb_tcp(f, 40000, 3333, 1000, 2000, MW_TCP_PSH | MW_TCP_ACK, 512, 0);
    fb_bytes(f, "hello", 5);
    fb_end_ipv4(f, ip);
}

static void inner_v6_udp(struct fb *f)
{
    uint32_t ip = fb_ipv6(f, 17, A6, B6);
    uint32_t u = fb_udp(f, 5353, 53);
    fb_bytes(f, "query", 5);
    fb_end_udp(f, u);
    fb_end_ipv6(f, ip);
}

static void expect_v4_tcp(void)
{
    struct mw_addr a, b;
    mw_addr_from_v4(&a, A4);
    mw_addr_from_v4(&b, B4);
    ck_assert_uint_eq(pkt.ip_version, 4);
    ck_assert_uint_eq(pkt.proto, 6);
    ck_assert_mem_eq(pkt.src.b, a.b, 16);
    ck_assert_mem_eq(pkt.dst.b, b.b, 16);
    ck_assert_uint_eq(pkt.sport, 40000);
    ck_assert_uint_eq(pkt.dport, 3333);
    ck_assert_uint_eq(pkt.seq, 1000);
    ck_assert_uint_eq(pkt.ack, 2000);
    ck_assert_uint_eq(pkt.tcp_flags, MW_TCP_PSH | MW_TCP_ACK);
    ck_assert_uint_eq(pkt.window, 512);
    ck_assert_uint_eq(pkt.ttl, 64);
    ck_assert_uint_eq(pkt.l3_len, 45);
    ck_assert_uint_eq(pkt.l3[0], 0x45);
    ck_assert_uint_eq(pkt.payload_len, 5);
    ck_assert_mem_eq(pkt.payload, "hello", 5);
}

static void expect_v6_udp(void)
{
    ck_assert_uint_eq(pkt.ip_version, 6);
    ck_assert_uint_eq(pkt.proto, 17);
    ck_assert_mem_eq(pkt.src.b, A6, 16);
    ck_assert_mem_eq(pkt.dst.b, B6, 16);
    ck_assert_uint_eq(pkt.sport, 5353);
    ck_assert_uint_eq(pkt.dport, 53);
    ck_assert_uint_eq(pkt.ttl, 57);
    ck_assert_uint_eq(pkt.l3_len, 53);
    ck_assert_uint_eq(pkt.payload_len, 5);
    ck_assert_mem_eq(pkt.payload, "query", 5);
}

START_TEST(test_ethernet_ipv4_tcp)
{
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x0800);
    inner_v4_tcp(&f);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_uint_eq(pkt.caplen, f.n);
    ck_assert_uint_eq(pkt.wirelen, f.n);
    ck_assert_uint_eq(pkt.tunnel_depth, 0);
    ck_assert_uint_eq(pkt.vlan_count, 0);
    ck_assert_uint_eq(pkt.reassembled, 0);
    ck_assert_ptr_nonnull(pkt.l3);
    ck_assert_uint_eq(ST->packets, 1);
    ck_assert_uint_eq(ST->ipv4, 1);
    ck_assert_uint_eq(ST->tcp, 1);
    ck_assert_uint_eq(ST->bytes, f.n);
}
END_TEST

START_TEST(test_ethernet_padding_trimmed)
{
    /* 60-byte minimum Ethernet frame: padding must not become TCP payload. */
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x0800);
    uint32_t ip = fb_ipv4(&f, 6, A4, B4, 1, 0);
    fb_tcp(&f, 1, 2, 3, 4, MW_TCP_SYN, 5, 0);
    fb_end_ipv4(&f, ip);
    fb_fill(&f, 0xee, 6);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.payload_len, 0);
    ck_assert_uint_eq(pkt.l3_len, 40);
    ck_assert_uint_eq(pkt.tcp_flags, MW_TCP_SYN);
}
END_TEST

START_TEST(test_qinq_vlan_ids)
{
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x88a8);
    fb_vlan(&f, 100, 0x8100);
    fb_vlan(&f, 200, 0x86dd);
    inner_v6_udp(&f);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v6_udp();
    ck_assert_uint_eq(pkt.vlan_count, 2);
    ck_assert_uint_eq(pkt.vlan[0], 100);
    ck_assert_uint_eq(pkt.vlan[1], 200);
    ck_assert_uint_eq(ST->vlan, 2);
    ck_assert_uint_eq(ST->udp, 1);

    /* three tags (old 0x9100 QinQ): the outermost two are kept */
    f.n = 0;
    fb_eth(&f, 0x9100);
    fb_vlan(&f, 4000, 0x88a8);
    fb_vlan(&f, 5, 0x8100);
    fb_vlan(&f, 6, 0x0800);
    inner_v4_tcp(&f);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_uint_eq(pkt.vlan_count, 2);
    ck_assert_uint_eq(pkt.vlan[0], 4000);
    ck_assert_uint_eq(pkt.vlan[1], 5);
}
END_TEST

START_TEST(test_mpls)
{
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x8847);
    fb_mpls(&f, 16, 0);
    fb_mpls(&f, 17, 1);
    inner_v4_tcp(&f);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_uint_eq(ST->mpls, 1);

    f.n = 0;
    fb_eth(&f, 0x8848);
    fb_mpls(&f, 99, 1);
    inner_v6_udp(&f);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v6_udp();

    /* pseudowire control word then an Ethernet frame */
    f.n = 0;
    fb_eth(&f, 0x8847);
    fb_mpls(&f, 1000, 1);
    fb_u32(&f, 0);
    fb_eth(&f, 0x0800);
    inner_v4_tcp(&f);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();

    /* unknown payload after the stack: not IP */
    f.n = 0;
    fb_eth(&f, 0x8847);
    fb_mpls(&f, 1000, 1);
    fb_u32(&f, 0x90000000u);
    ck_assert_int_eq(run(1, &f), DECODE_SKIP);
    ck_assert_uint_eq(ST->non_ip, 1);
}
END_TEST

START_TEST(test_pppoe)
{
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x8864);
    uint32_t pp = fb_pppoe(&f, 0x0021);
    inner_v4_tcp(&f);
    fb_end_pppoe(&f, pp);
    fb_fill(&f, 0, 4); /* padding beyond the PPPoE length */
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_uint_eq(ST->pppoe, 1);

    f.n = 0;
    fb_eth(&f, 0x8864);
    pp = fb_pppoe(&f, 0x0057);
    inner_v6_udp(&f);
    fb_end_pppoe(&f, pp);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v6_udp();

    /* LCP is not IP */
    f.n = 0;
    fb_eth(&f, 0x8864);
    pp = fb_pppoe(&f, 0xc021);
    fb_fill(&f, 1, 8);
    fb_end_pppoe(&f, pp);
    ck_assert_int_eq(run(1, &f), DECODE_SKIP);
    ck_assert_uint_eq(ST->non_ip, 1);

    /* wrong version/type */
    f.b[14] = 0x21;
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->pppoe_bad_header, 1);
}
END_TEST

START_TEST(test_gre)
{
    /* version 0 with checksum, key and sequence number */
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x0800);
    uint32_t o = fb_ipv4(&f, 47, C4, D4, 1, 0);
    fb_u16(&f, 0xB000);
    fb_u16(&f, 0x0800);
    fb_u32(&f, 0x12340000u);
    fb_u32(&f, 42);
    fb_u32(&f, 7);
    inner_v4_tcp(&f);
    fb_end_ipv4(&f, o);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_uint_eq(pkt.tunnel_depth, 1);
    ck_assert_uint_eq(ST->gre, 1);
    ck_assert_uint_eq(ST->ipv4, 2);

    /* transparent Ethernet bridging over GRE in IPv6 */
    f.n = 0;
    fb_eth(&f, 0x86dd);
    o = fb_ipv6(&f, 47, B6, A6);
    fb_u16(&f, 0x2000);
    fb_u16(&f, 0x6558);
    fb_u32(&f, 5);
    fb_eth(&f, 0x86dd);
    inner_v6_udp(&f);
    fb_end_ipv6(&f, o);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v6_udp();
    ck_assert_uint_eq(pkt.tunnel_depth, 1);

    /* version 1 (PPTP): key, sequence, acknowledgment; PPP with address/control */
    f.n = 0;
    fb_eth(&f, 0x0800);
    o = fb_ipv4(&f, 47, C4, D4, 1, 0);
    fb_u16(&f, 0x3081);
    fb_u16(&f, 0x880B);
    fb_u32(&f, 0x00400001u);
    fb_u32(&f, 1);
    fb_u32(&f, 2);
    fb_u8(&f, 0xff);
    fb_u8(&f, 0x03);
    fb_u16(&f, 0x0021);
    inner_v4_tcp(&f);
    fb_end_ipv4(&f, o);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();

    /* RFC 1701 routing present: obsolete, skipped and counted */
    f.b[34] = 0x40;
    f.b[35] = 0x00;
    fb_set16(&f, 36, 0x0800);
    ck_assert_int_eq(run(1, &f), DECODE_SKIP);
    ck_assert_uint_eq(ST->gre_unsupported, 1);
    f.b[34] = 0x30;
    f.b[35] = 0x81;
    fb_set16(&f, 36, 0x880B);

    /* version 2 does not exist */
    f.b[34 + 1] = 0x82;
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->gre_bad_version, 1);
}
END_TEST

START_TEST(test_erspan)
{
    struct fb f = { .n = 0 };
    uint32_t o;
    fb_eth(&f, 0x0800);
    /* type II: GRE with sequence number, 8-byte ERSPAN header (version 1) */
    o = fb_ipv4(&f, 47, C4, D4, 1, 0);
    fb_u16(&f, 0x1000);
    fb_u16(&f, 0x88BE);
    fb_u32(&f, 9);
    fb_u32(&f, 0x10640001u);
    fb_u32(&f, 0);
    fb_eth(&f, 0x8100);
    fb_vlan(&f, 300, 0x0800);
    inner_v4_tcp(&f);
    fb_end_ipv4(&f, o);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_uint_eq(pkt.vlan_count, 1);
    ck_assert_uint_eq(pkt.vlan[0], 300);
    ck_assert_uint_eq(ST->erspan, 1);

    /* type I: no sequence number, no ERSPAN header */
    f.n = 0;
    fb_eth(&f, 0x0800);
    o = fb_ipv4(&f, 47, C4, D4, 1, 0);
    fb_u16(&f, 0x0000);
    fb_u16(&f, 0x88BE);
    fb_eth(&f, 0x0800);
    inner_v4_tcp(&f);
    fb_end_ipv4(&f, o);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();

    /* type III without and with the platform subheader (O bit) */
    for (int obit = 0; obit <= 1; obit++) {
        f.n = 0;
        fb_eth(&f, 0x0800);
        o = fb_ipv4(&f, 47, C4, D4, 1, 0);
        fb_u16(&f, 0x1000);
        fb_u16(&f, 0x22EB);
        fb_u32(&f, 9);
        fb_u32(&f, 0x20640001u);
        fb_u32(&f, 0xabcdef01u);           /* timestamp */
        fb_u16(&f, 0);                     /* SGT */
        fb_u16(&f, (uint16_t)(obit ? 1 : 0)); /* P=0 FT=0 HWID=0 D=0 Gra=0 O */
        if (obit) {
            fb_u32(&f, 0x0c000000u);
            fb_u32(&f, 0x11223344u);
        }
        fb_eth(&f, 0x86dd);
        inner_v6_udp(&f);
        fb_end_ipv4(&f, o);
        ck_assert_int_eq(run(1, &f), DECODE_OK);
        expect_v6_udp();
        ck_assert_uint_eq(pkt.tunnel_depth, 1);
    }

    /* type III carrying an IP frame (FT 2), then an unknown frame type and version */
    f.n = 0;
    fb_eth(&f, 0x0800);
    o = fb_ipv4(&f, 47, C4, D4, 1, 0);
    fb_u16(&f, 0x1000);
    fb_u16(&f, 0x22EB);
    fb_u32(&f, 9);
    fb_u32(&f, 0x20640001u);
    fb_u32(&f, 0);
    fb_u16(&f, 0);
    uint32_t ftb = f.n;
    fb_u16(&f, 2 << 10); /* FT = 2 */
    inner_v4_tcp(&f);
    fb_end_ipv4(&f, o);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();
    f.b[ftb] = 5 << 2;
    ck_assert_int_eq(run(1, &f), DECODE_SKIP);
    f.b[ftb] = 0;
    f.b[ftb - 10] = 0x70; /* ERSPAN version 7 */
    ck_assert_int_eq(run(1, &f), DECODE_SKIP);
    ck_assert_uint_eq(ST->erspan_unsupported, 2);
}
END_TEST

START_TEST(test_vxlan)
{
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x0800);
    uint32_t o = fb_ipv4(&f, 17, C4, D4, 1, 0);
    uint32_t u = fb_udp(&f, 51000, 4789);
    fb_vxlan(&f, 77);
    fb_eth(&f, 0x8100);
    fb_vlan(&f, 12, 0x0800);
    inner_v4_tcp(&f);
    fb_end_udp(&f, u);
    fb_end_ipv4(&f, o);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_uint_eq(pkt.tunnel_depth, 1);
    ck_assert_uint_eq(pkt.vlan_count, 1);
    ck_assert_uint_eq(pkt.vlan[0], 12);
    ck_assert_uint_eq(ST->vxlan, 1);
    ck_assert_uint_eq(ST->udp, 0);

    /* I flag clear: plain UDP to port 4789 */
    f.b[42] = 0;
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.proto, 17);
    ck_assert_uint_eq(pkt.dport, 4789);
    ck_assert_uint_eq(pkt.tunnel_depth, 0);
    ck_assert_uint_eq(ST->udp, 1);
}
END_TEST

START_TEST(test_ip_in_ip)
{
    const int kinds[4][2] = { { 4, 4 }, { 4, 6 }, { 6, 4 }, { 6, 6 } };
    for (int k = 0; k < 4; k++) {
        struct fb f = { .n = 0 };
        int outer = kinds[k][0], inner = kinds[k][1];
        uint8_t proto = inner == 4 ? 4 : 41;
        fb_eth(&f, outer == 4 ? 0x0800 : 0x86dd);
        uint32_t o = outer == 4 ? fb_ipv4(&f, proto, C4, D4, 1, 0) : fb_ipv6(&f, proto, B6, A6);
        if (inner == 4)
            inner_v4_tcp(&f);
        else
            inner_v6_udp(&f);
        if (outer == 4)
            fb_end_ipv4(&f, o);
        else
            fb_end_ipv6(&f, o);
        ck_assert_int_eq(run(1, &f), DECODE_OK);
        if (inner == 4)
            expect_v4_tcp();
        else
            expect_v6_udp();
        ck_assert_uint_eq(pkt.tunnel_depth, 1);
    }
    ck_assert_uint_eq(ST->ipip, 4);
}
END_TEST

START_TEST(test_link_types)
{
    struct fb f;
    /* Linux cooked v1: 16 bytes, protocol last */
    f.n = 0;
    fb_u16(&f, 0);
    fb_u16(&f, 1);
    fb_u16(&f, 6);
    fb_fill(&f, 0xaa, 8);
    fb_u16(&f, 0x0800);
    inner_v4_tcp(&f);
    ck_assert_int_eq(run(113, &f), DECODE_OK);
    expect_v4_tcp();

    /* Linux cooked v2: 20 bytes, protocol first */
    f.n = 0;
    fb_u16(&f, 0x86dd);
    fb_u16(&f, 0);
    fb_u32(&f, 3);
    fb_u16(&f, 1);
    fb_u8(&f, 0);
    fb_u8(&f, 6);
    fb_fill(&f, 0xbb, 8);
    inner_v6_udp(&f);
    ck_assert_int_eq(run(276, &f), DECODE_OK);
    expect_v6_udp();

    /* raw IP in all its numbers */
    const int raw[] = { 12, 14, 101 };
    for (int i = 0; i < 3; i++) {
        f.n = 0;
        inner_v4_tcp(&f);
        ck_assert_int_eq(run(raw[i], &f), DECODE_OK);
        expect_v4_tcp();
        f.n = 0;
        inner_v6_udp(&f);
        ck_assert_int_eq(run(raw[i], &f), DECODE_OK);
        expect_v6_udp();
    }
    f.n = 0;
    inner_v4_tcp(&f);
    ck_assert_int_eq(run(228, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_int_eq(run(229, &f), DECODE_MALFORMED); /* IPv4 on the IPv6-only link type */
    ck_assert_uint_eq(ST->ip_bad_version, 1);
    f.n = 0;
    inner_v6_udp(&f);
    ck_assert_int_eq(run(229, &f), DECODE_OK);
    expect_v6_udp();

    /* BSD NULL / LOOP: both byte orders, every AF_INET6 value */
    const int nulls[] = { 0, 108 };
    for (int i = 0; i < 2; i++) {
        for (int be = 0; be <= 1; be++) {
            f.n = 0;
            if (be)
                fb_u32(&f, 2);
            else
                fb_bytes(&f, "\x02\x00\x00\x00", 4);
            inner_v4_tcp(&f);
            ck_assert_int_eq(run(nulls[i], &f), DECODE_OK);
            expect_v4_tcp();
            const uint32_t af6[] = { 24, 28, 30 };
            for (int a = 0; a < 3; a++) {
                f.n = 0;
                if (be)
                    fb_u32(&f, af6[a]);
                else {
                    fb_u8(&f, (uint8_t)af6[a]);
                    fb_fill(&f, 0, 3);
                }
                inner_v6_udp(&f);
                ck_assert_int_eq(run(nulls[i], &f), DECODE_OK);
                expect_v6_udp();
            }
        }
    }
    f.n = 0;
    fb_u32(&f, 7); /* AF_NS or whatever: not IP */
    fb_fill(&f, 0, 20);
    ck_assert_int_eq(run(0, &f), DECODE_SKIP);

    /* PPP with address/control, without, and with a compressed protocol field */
    for (int variant = 0; variant < 3; variant++) {
        f.n = 0;
        if (variant == 0) {
            fb_u8(&f, 0xff);
            fb_u8(&f, 0x03);
        }
        if (variant == 2)
            fb_u8(&f, 0x21);
        else
            fb_u16(&f, 0x0021);
        inner_v4_tcp(&f);
        ck_assert_int_eq(run(9, &f), DECODE_OK);
        expect_v4_tcp();
        ck_assert_int_eq(run(50, &f), DECODE_OK);
        expect_v4_tcp();
    }
    f.n = 0;
    fb_u8(&f, 0xff);
    fb_u8(&f, 0x03);
    fb_u16(&f, 0x0057);
    inner_v6_udp(&f);
    ck_assert_int_eq(run(50, &f), DECODE_OK);
    expect_v6_udp();

    /* Cisco HDLC */
    f.n = 0;
    fb_u8(&f, 0x0f);
    fb_u8(&f, 0x00);
    fb_u16(&f, 0x0800);
    inner_v4_tcp(&f);
    ck_assert_int_eq(run(104, &f), DECODE_OK);
    expect_v4_tcp();
    ck_assert_int_eq(run(9, &f), DECODE_OK); /* Cisco HDLC under the PPP link type */
    expect_v4_tcp();

    /* 802.11 radiotap is not supported */
    ck_assert_int_eq(decode_dlt_supported(127), 0);
    ck_assert_int_eq(run(127, &f), DECODE_SKIP);
    ck_assert_uint_eq(ST->unsupported_link, 1);
    const int *list;
    unsigned n = decode_dlt_list(&list);
    ck_assert_uint_ge(n, 13);
    for (unsigned i = 0; i < n; i++)
        ck_assert_int_eq(decode_dlt_supported(list[i]), 1);
}
END_TEST

START_TEST(test_non_ip)
{
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x0806); /* ARP */
    fb_fill(&f, 0, 28);
    ck_assert_int_eq(run(1, &f), DECODE_SKIP);
    f.n = 0;
    fb_eth(&f, 46); /* 802.3 length field: LLC follows */
    fb_fill(&f, 0x42, 46);
    ck_assert_int_eq(run(1, &f), DECODE_SKIP);
    ck_assert_uint_eq(ST->non_ip, 2);
    ck_assert_uint_eq(pkt.ip_version, 0);
}
END_TEST

START_TEST(test_ipv6_ext_headers)
{
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x86dd);
    uint32_t ip = fb_ipv6(&f, 0, A6, B6);
    fb_ipv6_ext(&f, 60, 0);  /* hop-by-hop */
    fb_ipv6_ext(&f, 43, 1);  /* destination options, 16 bytes */
    fb_ipv6_ext(&f, 51, 2);  /* routing, 24 bytes */
    fb_u8(&f, 6);            /* AH: payload length in 4-byte units minus 2 */
    fb_u8(&f, 4);
    fb_fill(&f, 0x33, 22);
    fb_tcp(&f, 443, 50000, 5, 6, MW_TCP_SYN | MW_TCP_ACK, 65535, 0);
    fb_end_ipv6(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.proto, 6);
    ck_assert_uint_eq(pkt.sport, 443);
    ck_assert_uint_eq(pkt.dport, 50000);
    ck_assert_uint_eq(pkt.tcp_flags, MW_TCP_SYN | MW_TCP_ACK);
    ck_assert_uint_eq(pkt.window, 65535);
    ck_assert_uint_eq(pkt.l3_len, f.n - 14);

    /* chain too long: DECODE_MAX_IPV6_EXT + 1 destination options headers */
    f.n = 0;
    fb_eth(&f, 0x86dd);
    ip = fb_ipv6(&f, 60, A6, B6);
    for (int i = 0; i <= DECODE_MAX_IPV6_EXT; i++)
        fb_ipv6_ext(&f, i == DECODE_MAX_IPV6_EXT ? 17 : 60, 0);
    uint32_t u = fb_udp(&f, 1, 2);
    fb_end_udp(&f, u);
    fb_end_ipv6(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->ipv6_ext_chain_too_long, 1);

    /* exactly DECODE_MAX_IPV6_EXT is fine */
    f.n = 0;
    fb_eth(&f, 0x86dd);
    ip = fb_ipv6(&f, 60, A6, B6);
    for (int i = 0; i < DECODE_MAX_IPV6_EXT; i++)
        fb_ipv6_ext(&f, i == DECODE_MAX_IPV6_EXT - 1 ? 17 : 60, 0);
    u = fb_udp(&f, 1, 2);
    fb_end_udp(&f, u);
    fb_end_ipv6(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.sport, 1);

    /* hop-by-hop anywhere but first is malformed */
    f.n = 0;
    fb_eth(&f, 0x86dd);
    ip = fb_ipv6(&f, 60, A6, B6);
    fb_ipv6_ext(&f, 0, 0);
    fb_ipv6_ext(&f, 17, 0);
    u = fb_udp(&f, 1, 2);
    fb_end_udp(&f, u);
    fb_end_ipv6(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->ipv6_hbh_not_first, 1);

    /* extension header longer than the payload */
    f.n = 0;
    fb_eth(&f, 0x86dd);
    ip = fb_ipv6(&f, 60, A6, B6);
    fb_u8(&f, 17);
    fb_u8(&f, 200);
    fb_fill(&f, 0, 14);
    fb_end_ipv6(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->truncated_ipv6_ext, 1);

    /* atomic fragment (offset 0, M 0) is decoded in place */
    f.n = 0;
    fb_eth(&f, 0x86dd);
    ip = fb_ipv6(&f, 44, A6, B6);
    fb_u8(&f, 17);
    fb_u8(&f, 0);
    fb_u16(&f, 0);
    fb_u32(&f, 0xabcdef);
    u = fb_udp(&f, 7, 8);
    fb_end_udp(&f, u);
    fb_end_ipv6(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.dport, 8);
    ck_assert_uint_eq(pkt.reassembled, 0);
}
END_TEST

START_TEST(test_icmp)
{
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x0800);
    uint32_t ip = fb_ipv4(&f, 1, A4, B4, 1, 0);
    fb_u8(&f, 8);
    fb_u8(&f, 0);
    fb_u16(&f, 0);
    fb_u32(&f, 0x00010002u);
    fb_bytes(&f, "ping", 4);
    fb_end_ipv4(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.proto, 1);
    ck_assert_uint_eq(pkt.sport, 8);
    ck_assert_uint_eq(pkt.dport, 0);
    ck_assert_uint_eq(pkt.payload_len, 4);

    f.n = 0;
    fb_eth(&f, 0x86dd);
    ip = fb_ipv6(&f, 58, A6, B6);
    fb_u8(&f, 1);
    fb_u8(&f, 4);
    fb_u16(&f, 0);
    fb_u32(&f, 0);
    fb_end_ipv6(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.proto, 58);
    ck_assert_uint_eq(pkt.sport, 1);
    ck_assert_uint_eq(pkt.dport, 4);
    ck_assert_uint_eq(ST->icmp, 1);
    ck_assert_uint_eq(ST->icmpv6, 1);

    /* another protocol (SCTP): delivered without ports, payload is the L4 bytes */
    f.n = 0;
    fb_eth(&f, 0x0800);
    ip = fb_ipv4(&f, 132, A4, B4, 1, 0);
    fb_fill(&f, 9, 12);
    fb_end_ipv4(&f, ip);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.proto, 132);
    ck_assert_uint_eq(pkt.sport, 0);
    ck_assert_uint_eq(pkt.payload_len, 12);
    ck_assert_uint_eq(ST->other_l4, 1);
}
END_TEST

static void v4_frag(struct fb *f, uint16_t id, uint16_t off8, int more, const uint8_t *data, uint32_t n);

/* ---- lying lengths ---- */

static void v4_tcp_frame(struct fb *f)
{
    f->n = 0;
    fb_eth(f, 0x0800);
    inner_v4_tcp(f);
}

START_TEST(test_lying_lengths)
{
    struct fb f;
    v4_tcp_frame(&f);
    f.b[14] = 0x44; /* IHL 4 */
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->ipv4_bad_hlen, 1);

    v4_tcp_frame(&f);
    f.b[14] = 0x65; /* version 6 in an IPv4 ethertype */
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->ip_bad_version, 1);

    v4_tcp_frame(&f);
    fb_set16(&f, 16, 19); /* total length below the header length */
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->ipv4_bad_total_len, 1);

    v4_tcp_frame(&f);
    f.b[14] = 0x4f; /* IHL 15 = 60 bytes, more than total length 45 */
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->ipv4_bad_total_len, 2);

    /* total length larger than captured (snaplen): trust the capture */
    v4_tcp_frame(&f);
    fb_set16(&f, 16, 1500);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.l3_len, 45);
    ck_assert_uint_eq(pkt.payload_len, 5);
    ck_assert_uint_eq(ST->ipv4_short_capture, 1);

    /* total length 0: segmentation offload on the capturing host */
    v4_tcp_frame(&f);
    fb_set16(&f, 16, 0);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.payload_len, 5);
    ck_assert_uint_eq(ST->ipv4_zero_total_len, 1);

    /* TCP data offset below 5, and beyond the (complete) datagram */
    v4_tcp_frame(&f);
    f.b[14 + 20 + 12] = 0x40;
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->tcp_bad_offset, 1);
    v4_tcp_frame(&f);
    f.b[14 + 20 + 12] = 0xf0;
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->tcp_bad_offset, 2);
    /* ... but beyond a snaplen-cut datagram it is a truncation */
    fb_set16(&f, 16, 1500);
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->truncated_tcp, 1);

    /* UDP length: below 8, above the datagram, below the datagram (trust the smaller) */
    f.n = 0;
    fb_eth(&f, 0x0800);
    uint32_t ip = fb_ipv4(&f, 17, A4, B4, 1, 0);
    uint32_t u = fb_udp(&f, 1000, 2000);
    fb_bytes(&f, "abcdefgh", 8);
    fb_end_udp(&f, u);
    fb_end_ipv4(&f, ip);
    fb_set16(&f, u + 4, 7);
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->udp_bad_len, 1);
    fb_set16(&f, u + 4, 17);
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->udp_bad_len, 2);
    fb_set16(&f, u + 4, 11);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.payload_len, 3);
    ck_assert_mem_eq(pkt.payload, "abc", 3);

    /* IPv6 payload length beyond the capture: trust the capture */
    f.n = 0;
    fb_eth(&f, 0x86dd);
    inner_v6_udp(&f);
    fb_set16(&f, 18, 9000);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    ck_assert_uint_eq(pkt.payload_len, 5);
    ck_assert_uint_eq(ST->ipv6_short_capture, 1);
    ck_assert_uint_eq(ST->udp_short_capture, 0); /* UDP length agrees with the bytes */
}
END_TEST

START_TEST(test_ipv4_options)
{
    /* IHL 7: NOP, then a record-route option of length 7 with room for one address */
    static const uint8_t good[8] = { 1, 7, 7, 4, 0, 0, 0, 0 };
    /* an option whose length runs past the header */
    static const uint8_t evil[8] = { 1, 0x44, 12, 0, 0, 0, 0, 0 };
    for (int k = 0; k < 2; k++) {
        struct fb f = { .n = 0 };
        fb_eth(&f, 0x0800);
        uint32_t ip = fb_ipv4(&f, 6, A4, B4, 7, 0x4000);
        f.b[ip] = 0x47;
        fb_bytes(&f, k ? evil : good, 8);
        fb_tcp(&f, 40000, 3333, 1000, 2000, MW_TCP_PSH | MW_TCP_ACK, 512, 0);
        fb_bytes(&f, "hello", 5);
        fb_end_ipv4(&f, ip);
        ck_assert_int_eq(run(1, &f), DECODE_OK);
        ck_assert_uint_eq(pkt.sport, 40000);
        ck_assert_uint_eq(pkt.payload_len, 5);
        ck_assert_uint_eq(pkt.l3_len, 53);
        ck_assert_uint_eq(ST->ipv4_option_anomaly, (uint64_t)k);
    }
}
END_TEST

START_TEST(test_housekeep_expires_fragments)
{
    struct fb f;
    uint8_t data[16] = { 0 };
    v4_frag(&f, 1, 0, 1, data, 16);
    ck_assert_int_eq(run(1, &f), DECODE_HELD);
    decode_housekeep(ctx, 1700000000000000ULL + 5 * 1000000ULL);
    ck_assert_uint_eq(ST->defrag.ipv4_timeouts, 0);
    decode_housekeep(ctx, 1700000000000000ULL + 3600 * 1000000ULL);
    ck_assert_uint_eq(ST->defrag.ipv4_timeouts, 1);
}
END_TEST

START_TEST(test_depth_cap)
{
    /* DECODE_MAX_TUNNEL_DEPTH IP-in-IP levels decode; one more is refused */
    for (int levels = DECODE_MAX_TUNNEL_DEPTH; levels <= DECODE_MAX_TUNNEL_DEPTH + 1; levels++) {
        struct fb f = { .n = 0 };
        uint32_t at[16];
        fb_eth(&f, 0x0800);
        for (int i = 0; i < levels; i++)
            at[i] = fb_ipv4(&f, 4, C4, D4, (uint16_t)i, 0);
        inner_v4_tcp(&f);
        for (int i = levels - 1; i >= 0; i--)
            fb_end_ipv4(&f, at[i]);
        enum decode_result r = run(1, &f);
        if (levels == DECODE_MAX_TUNNEL_DEPTH) {
            ck_assert_int_eq(r, DECODE_OK);
            ck_assert_uint_eq(pkt.tunnel_depth, DECODE_MAX_TUNNEL_DEPTH);
            expect_v4_tcp();
        } else {
            ck_assert_int_eq(r, DECODE_MALFORMED);
            ck_assert_uint_eq(ST->encap_depth_exceeded, 1);
        }
    }
    /* a wall of VLAN tags or MPLS labels hits the layer cap */
    struct fb f = { .n = 0 };
    fb_eth(&f, 0x8100);
    for (int i = 0; i < 40; i++)
        fb_vlan(&f, (uint16_t)i, 0x8100);
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->encap_depth_exceeded, 2);
    f.n = 0;
    fb_eth(&f, 0x8847);
    for (int i = 0; i < 40; i++)
        fb_mpls(&f, (uint32_t)i, 0);
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->encap_depth_exceeded, 3);
    /* VXLAN in VXLAN in ... */
    f.n = 0;
    fb_eth(&f, 0x0800);
    uint32_t ips[12], udps[12];
    for (int i = 0; i < 12; i++) {
        ips[i] = fb_ipv4(&f, 17, C4, D4, 1, 0);
        udps[i] = fb_udp(&f, 1, 4789);
        fb_vxlan(&f, 1);
        fb_eth(&f, 0x0800);
    }
    inner_v4_tcp(&f);
    for (int i = 11; i >= 0; i--) {
        fb_end_udp(&f, udps[i]);
        fb_end_ipv4(&f, ips[i]);
    }
    ck_assert_int_eq(run(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(ST->encap_depth_exceeded, 4);
}
END_TEST

/* ---- truncation at every length ---- */

struct span {
    uint32_t end;      /* prefixes shorter than this ... */
    size_t counter;    /* ... bump this counter (offsetof in decode_stats), or SIZE_MAX: OK */
};

#define CNT(f) offsetof(struct decode_stats, f)

static uint64_t malformed_total(void)
{
    const struct decode_stats *s = ST;
    uint64_t t = 0;
#define SUM_BAD(n) t += (strstr(#n, "truncated") || strstr(#n, "bad") || strstr(#n, "too_long") || \
                         strstr(#n, "not_first") || strstr(#n, "exceeded")) ? s->n : 0;
    DECODE_COUNTERS(SUM_BAD)
#undef SUM_BAD
    return t;
}

static uint64_t counter_at(size_t off)
{
    uint64_t v;
    memcpy(&v, (const uint8_t *)ST + off, sizeof v);
    return v;
}

/* Every prefix of f: never crashes (ASan), exactly one malformed counter per malformed
 * result, and when spans are given, the expected counter for each prefix length. */
static void truncate_all(int dlt, const struct fb *f, const struct span *spans, size_t nspans)
{
    for (uint32_t k = 0; k <= f->n; k++) {
        uint64_t before = malformed_total();
        size_t expect = SIZE_MAX;
        for (size_t i = 0; i < nspans; i++)
            if (k < spans[i].end) {
                expect = spans[i].counter;
                break;
            }
        uint64_t cbefore = expect != SIZE_MAX ? counter_at(expect) : 0;
        enum decode_result r = run_len(dlt, f, k);
        uint64_t after = malformed_total();
        ck_assert_msg(r != DECODE_HELD, "prefix %u held", k);
        if (r == DECODE_MALFORMED)
            ck_assert_msg(after == before + 1, "prefix %u: %llu malformed counters", k,
                          (unsigned long long)(after - before));
        else
            ck_assert_msg(after == before, "prefix %u counted malformed but returned %d", k, r);
        if (nspans) {
            if (expect == SIZE_MAX) {
                ck_assert_msg(r == DECODE_OK, "prefix %u of %u: result %d", k, f->n, r);
            } else {
                ck_assert_msg(r == DECODE_MALFORMED && counter_at(expect) == cbefore + 1,
                              "prefix %u of %u: result %d, wrong counter", k, f->n, r);
            }
        }
        if (r == DECODE_OK && pkt.payload)
            ck_assert(pkt.payload + pkt.payload_len <= pkt.l3 + pkt.l3_len);
    }
}

START_TEST(test_truncation_spans)
{
    struct fb f;
    v4_tcp_frame(&f);
    const struct span s1[] = {
        { 14, CNT(truncated_eth) }, { 34, CNT(truncated_ipv4) }, { 54, CNT(truncated_tcp) },
    };
    truncate_all(1, &f, s1, 3);

    f.n = 0;
    fb_eth(&f, 0x88a8);
    fb_vlan(&f, 1, 0x8100);
    fb_vlan(&f, 2, 0x86dd);
    inner_v6_udp(&f);
    const struct span s2[] = {
        { 14, CNT(truncated_eth) }, { 22, CNT(truncated_vlan) }, { 62, CNT(truncated_ipv6) },
        { 70, CNT(truncated_udp) },
    };
    truncate_all(1, &f, s2, 4);

    /* GRE with key inside IPv4, then IPv4/TCP */
    f.n = 0;
    fb_eth(&f, 0x0800);
    uint32_t o = fb_ipv4(&f, 47, C4, D4, 1, 0);
    fb_u16(&f, 0x2000);
    fb_u16(&f, 0x0800);
    fb_u32(&f, 1);
    inner_v4_tcp(&f);
    fb_end_ipv4(&f, o);
    const struct span s3[] = {
        { 14, CNT(truncated_eth) }, { 34, CNT(truncated_ipv4) }, { 42, CNT(truncated_gre) },
        { 62, CNT(truncated_ipv4) }, { 82, CNT(truncated_tcp) },
    };
    truncate_all(1, &f, s3, 5);

    /* SLL / PPPoE / MPLS */
    f.n = 0;
    fb_fill(&f, 0, 14);
    fb_u16(&f, 0x8847);
    fb_mpls(&f, 5, 0);
    fb_mpls(&f, 6, 1);
    inner_v4_tcp(&f);
    const struct span s4[] = {
        { 16, CNT(truncated_sll) }, { 25, CNT(truncated_mpls) }, { 44, CNT(truncated_ipv4) },
        { 64, CNT(truncated_tcp) },
    };
    truncate_all(113, &f, s4, 4);
}
END_TEST

START_TEST(test_truncation_every_encapsulation)
{
    /* no span table: every prefix must be safe and counted exactly once */
    struct fb f = { .n = 0 };
    uint32_t o, u, pp;
    fb_eth(&f, 0x8864);
    pp = fb_pppoe(&f, 0x0057);
    o = fb_ipv6(&f, 0, B6, A6);
    fb_ipv6_ext(&f, 60, 0);
    fb_ipv6_ext(&f, 43, 0);
    fb_ipv6_ext(&f, 51, 0);
    fb_u8(&f, 47);
    fb_u8(&f, 1);
    fb_fill(&f, 0, 10);
    fb_u16(&f, 0xB000);
    fb_u16(&f, 0x6558);
    fb_fill(&f, 0, 12);
    fb_eth(&f, 0x0800);
    uint32_t o2 = fb_ipv4(&f, 17, C4, D4, 1, 0);
    u = fb_udp(&f, 9, 4789);
    fb_vxlan(&f, 3);
    fb_eth(&f, 0x8100);
    fb_vlan(&f, 9, 0x0800);
    uint32_t o3 = fb_ipv4(&f, 41, C4, D4, 1, 0);
    inner_v6_udp(&f);
    fb_end_ipv4(&f, o3);
    fb_end_udp(&f, u);
    fb_end_ipv4(&f, o2);
    fb_end_ipv6(&f, o);
    fb_end_pppoe(&f, pp);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    expect_v6_udp();
    ck_assert_uint_eq(pkt.tunnel_depth, 3);
    truncate_all(1, &f, NULL, 0);
    ck_assert_int_eq(run(1, &f), DECODE_OK);

    /* ERSPAN III with subheader */
    f.n = 0;
    fb_eth(&f, 0x0800);
    o = fb_ipv4(&f, 47, C4, D4, 1, 0);
    fb_u16(&f, 0x1000);
    fb_u16(&f, 0x22EB);
    fb_u32(&f, 1);
    fb_u32(&f, 0x20000001u);
    fb_u32(&f, 0);
    fb_u32(&f, 1);
    fb_fill(&f, 0, 8);
    fb_eth(&f, 0x0800);
    inner_v4_tcp(&f);
    fb_end_ipv4(&f, o);
    ck_assert_int_eq(run(1, &f), DECODE_OK);
    truncate_all(1, &f, NULL, 0);

    /* link types: NULL, SLL2, PPP, C_HDLC, raw */
    f.n = 0;
    fb_u32(&f, 2);
    inner_v4_tcp(&f);
    truncate_all(0, &f, NULL, 0);
    f.n = 0;
    fb_u16(&f, 0x0800);
    fb_fill(&f, 0, 18);
    inner_v4_tcp(&f);
    truncate_all(276, &f, NULL, 0);
    f.n = 0;
    fb_u8(&f, 0xff);
    fb_u8(&f, 0x03);
    fb_u16(&f, 0x0021);
    inner_v4_tcp(&f);
    truncate_all(9, &f, NULL, 0);
    f.n = 0;
    fb_u8(&f, 0x8f);
    fb_u8(&f, 0x00);
    fb_u16(&f, 0x86dd);
    inner_v6_udp(&f);
    truncate_all(104, &f, NULL, 0);
    f.n = 0;
    inner_v6_udp(&f);
    truncate_all(101, &f, NULL, 0);
}
END_TEST

/* ---- fragments through the decoder ---- */

static void v4_frag(struct fb *f, uint16_t id, uint16_t off8, int more, const uint8_t *data, uint32_t n)
{
    f->n = 0;
    fb_eth(f, 0x0800);
    uint32_t ip = fb_ipv4(f, 17, A4, B4, id, (uint16_t)((more ? 0x2000 : 0) | off8));
    fb_bytes(f, data, n);
    fb_end_ipv4(f, ip);
}

START_TEST(test_decode_fragments)
{
    /* UDP datagram of 8 + 40 bytes split 16 / 16 / 16 */
    uint8_t dg[48];
    dg[0] = 0x30;
    dg[1] = 0x39;
    dg[2] = 0x01;
    dg[3] = 0xbb;
    dg[4] = 0;
    dg[5] = 48;
    dg[6] = dg[7] = 0;
    for (int i = 8; i < 48; i++)
        dg[i] = (uint8_t)i;
    struct fb f;
    for (int order = 0; order < 2; order++) {
        int seq[3] = { 0, 1, 2 };
        if (order) {
            seq[0] = 2;
            seq[2] = 0;
        }
        for (int i = 0; i < 3; i++) {
            int k = seq[i];
            v4_frag(&f, (uint16_t)(77 + order), (uint16_t)(k * 2), k < 2, dg + k * 16, 16);
            enum decode_result r = run(1, &f);
            if (i < 2) {
                ck_assert_int_eq(r, DECODE_HELD);
                continue;
            }
            ck_assert_int_eq(r, DECODE_OK);
            ck_assert_uint_eq(pkt.reassembled, 1);
            ck_assert_uint_eq(pkt.proto, 17);
            ck_assert_uint_eq(pkt.sport, 12345);
            ck_assert_uint_eq(pkt.dport, 443);
            ck_assert_uint_eq(pkt.l3_len, 68);
            ck_assert_uint_eq(pkt.payload_len, 40);
            ck_assert_mem_eq(pkt.payload, dg + 8, 40);
        }
    }
    ck_assert_uint_eq(ST->defrag.ipv4_reassembled, 2);
    ck_assert_uint_eq(ST->ipv4_frag, 6);

    /* IPv6: fragment header, two pieces */
    for (int k = 0; k < 2; k++) {
        f.n = 0;
        fb_eth(&f, 0x86dd);
        uint32_t ip = fb_ipv6(&f, 44, A6, B6);
        fb_u8(&f, 17);
        fb_u8(&f, 0);
        fb_u16(&f, (uint16_t)(k * 24 | (k == 0 ? 1 : 0)));
        fb_u32(&f, 0xfeed);
        fb_bytes(&f, dg + k * 24, 24);
        fb_end_ipv6(&f, ip);
        enum decode_result r = run(1, &f);
        ck_assert_int_eq(r, k == 0 ? DECODE_HELD : DECODE_OK);
    }
    ck_assert_uint_eq(pkt.reassembled, 1);
    ck_assert_uint_eq(pkt.ip_version, 6);
    ck_assert_uint_eq(pkt.proto, 17);
    ck_assert_uint_eq(pkt.dport, 443);
    ck_assert_uint_eq(pkt.payload_len, 40);
    ck_assert_mem_eq(pkt.payload, dg + 8, 40);
    ck_assert_mem_eq(pkt.src.b, A6, 16);
    /* counted per family, as Suricata's defrag.ipv4.* / defrag.ipv6.* */
    ck_assert_uint_eq(ST->defrag.ipv6_fragments, 2);
    ck_assert_uint_eq(ST->defrag.ipv6_reassembled, 1);
    ck_assert_uint_eq(ST->defrag.ipv4_reassembled, 2);

    /* a snaplen-cut fragment cannot be reassembled */
    v4_frag(&f, 5, 0, 1, dg, 16);
    ck_assert_int_eq(run_len(1, &f, f.n - 3), DECODE_SKIP);
    ck_assert_uint_eq(ST->frag_dropped, 1);
}
END_TEST


/* ---- fuzz seed corpus ----
 * The seeds in tests/fuzz/corpus/decode/ come from here: MW_WRITE_CORPUS=<dir> writes
 * them. Without it the test still checks that each seed decodes as intended, so the
 * corpus keeps exercising the paths it was made for. Format: see fuzz_decode.c. */

static void seed(const char *name, int dlt, const struct fb *frames, int nframes,
                 enum decode_result want)
{
    const int *dlts;
    unsigned n = decode_dlt_list(&dlts), idx = n;
    for (unsigned i = 0; i < n; i++)
        if (dlts[i] == dlt)
            idx = i;
    ck_assert_uint_lt(idx, n);
    decode_free(ctx);
    ctx = decode_new(NULL);
    enum decode_result r = DECODE_SKIP;
    for (int i = 0; i < nframes; i++)
        r = run(dlt, &frames[i]);
    ck_assert_msg(r == want, "seed %s: result %d", name, r);
    const char *dir = getenv("MW_WRITE_CORPUS");
    if (!dir)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fputc((int)idx, fp);
    for (int i = 0; i < nframes; i++) {
        if (i)
            fwrite("\xffMW\xff", 1, 4, fp);
        fwrite(frames[i].b, 1, frames[i].n, fp);
    }
    fclose(fp);
}

START_TEST(test_seed_corpus)
{
    static struct fb f[4];
    uint32_t o, u, pp;

    f[0].n = 0;
    fb_eth(&f[0], 0x0800);
    inner_v4_tcp(&f[0]);
    seed("eth-ipv4-tcp", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x88a8);
    fb_vlan(&f[0], 100, 0x8100);
    fb_vlan(&f[0], 200, 0x86dd);
    inner_v6_udp(&f[0]);
    seed("qinq-ipv6-udp", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x8847);
    fb_mpls(&f[0], 16, 0);
    fb_mpls(&f[0], 17, 1);
    inner_v4_tcp(&f[0]);
    seed("mpls-ipv4", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x8864);
    pp = fb_pppoe(&f[0], 0x0057);
    inner_v6_udp(&f[0]);
    fb_end_pppoe(&f[0], pp);
    seed("pppoe-ipv6", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x0800);
    o = fb_ipv4(&f[0], 47, C4, D4, 1, 0);
    fb_u16(&f[0], 0xB000);
    fb_u16(&f[0], 0x6558);
    fb_fill(&f[0], 0, 12);
    fb_eth(&f[0], 0x0800);
    inner_v4_tcp(&f[0]);
    fb_end_ipv4(&f[0], o);
    seed("gre-teb", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x0800);
    o = fb_ipv4(&f[0], 47, C4, D4, 1, 0);
    fb_u16(&f[0], 0x3081);
    fb_u16(&f[0], 0x880B);
    fb_fill(&f[0], 0, 12);
    fb_u16(&f[0], 0xff03);
    fb_u16(&f[0], 0x0021);
    inner_v4_tcp(&f[0]);
    fb_end_ipv4(&f[0], o);
    seed("gre-pptp", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x0800);
    o = fb_ipv4(&f[0], 47, C4, D4, 1, 0);
    fb_u16(&f[0], 0x1000);
    fb_u16(&f[0], 0x88BE);
    fb_u32(&f[0], 1);
    fb_u32(&f[0], 0x10640001u);
    fb_u32(&f[0], 0);
    fb_eth(&f[0], 0x0800);
    inner_v4_tcp(&f[0]);
    fb_end_ipv4(&f[0], o);
    seed("erspan2", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x0800);
    o = fb_ipv4(&f[0], 47, C4, D4, 1, 0);
    fb_u16(&f[0], 0x1000);
    fb_u16(&f[0], 0x22EB);
    fb_u32(&f[0], 1);
    fb_u32(&f[0], 0x20640001u);
    fb_u32(&f[0], 0);
    fb_u32(&f[0], 1);
    fb_fill(&f[0], 0, 8);
    fb_eth(&f[0], 0x86dd);
    inner_v6_udp(&f[0]);
    fb_end_ipv4(&f[0], o);
    seed("erspan3-subheader", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x86dd);
    o = fb_ipv6(&f[0], 17, B6, A6);
    u = fb_udp(&f[0], 1, 4789);
    fb_vxlan(&f[0], 5);
    fb_eth(&f[0], 0x0800);
    uint32_t o2 = fb_ipv4(&f[0], 41, C4, D4, 1, 0);
    inner_v6_udp(&f[0]);
    fb_end_ipv4(&f[0], o2);
    fb_end_udp(&f[0], u);
    fb_end_ipv6(&f[0], o);
    seed("vxlan-6in4", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_eth(&f[0], 0x86dd);
    o = fb_ipv6(&f[0], 0, A6, B6);
    fb_ipv6_ext(&f[0], 60, 0);
    fb_ipv6_ext(&f[0], 43, 1);
    fb_ipv6_ext(&f[0], 51, 0);
    fb_u8(&f[0], 6);
    fb_u8(&f[0], 1);
    fb_fill(&f[0], 0, 10);
    fb_tcp(&f[0], 1, 2, 3, 4, MW_TCP_SYN, 5, 0);
    fb_end_ipv6(&f[0], o);
    seed("ipv6-ext-chain", 1, f, 1, DECODE_OK);

    f[0].n = 0;
    fb_fill(&f[0], 0, 14);
    fb_u16(&f[0], 0x0800);
    inner_v4_tcp(&f[0]);
    seed("sll", 113, f, 1, DECODE_OK);
    f[0].n = 0;
    fb_u16(&f[0], 0x86dd);
    fb_fill(&f[0], 0, 18);
    inner_v6_udp(&f[0]);
    seed("sll2", 276, f, 1, DECODE_OK);
    f[0].n = 0;
    fb_bytes(&f[0], "\x1e\x00\x00\x00", 4);
    inner_v6_udp(&f[0]);
    seed("null-le-inet6", 0, f, 1, DECODE_OK);
    f[0].n = 0;
    fb_u32(&f[0], 2);
    inner_v4_tcp(&f[0]);
    seed("loop-inet", 108, f, 1, DECODE_OK);
    f[0].n = 0;
    fb_u16(&f[0], 0xff03);
    fb_u16(&f[0], 0x0021);
    inner_v4_tcp(&f[0]);
    seed("ppp", 9, f, 1, DECODE_OK);
    f[0].n = 0;
    fb_u16(&f[0], 0x8f00);
    fb_u16(&f[0], 0x0800);
    inner_v4_tcp(&f[0]);
    seed("chdlc", 104, f, 1, DECODE_OK);
    f[0].n = 0;
    inner_v4_tcp(&f[0]);
    seed("raw-ipv4", 101, f, 1, DECODE_OK);

    /* lying lengths */
    v4_tcp_frame(&f[0]);
    f[0].b[14 + 20 + 12] = 0xf0;
    seed("tcp-bad-offset", 1, f, 1, DECODE_MALFORMED);
    v4_tcp_frame(&f[0]);
    fb_set16(&f[0], 16, 1500);
    seed("ipv4-short-capture", 1, f, 1, DECODE_OK);

    /* fragments: three in reverse order, and an overlapping conflicting pair */
    uint8_t dg[48];
    memset(dg, 0x41, sizeof dg);
    dg[4] = 0;
    dg[5] = 48;
    for (int k = 0; k < 3; k++)
        v4_frag(&f[2 - k], 9, (uint16_t)(k * 2), k < 2, dg + k * 16, 16);
    seed("frag-reverse", 1, f, 3, DECODE_OK);
    dg[5] = 32;
    v4_frag(&f[0], 10, 0, 1, dg, 24);
    memset(dg, 0x42, sizeof dg);
    v4_frag(&f[1], 10, 2, 0, dg + 16, 16);
    seed("frag-overlap", 1, f, 2, DECODE_OK);
}
END_TEST

static void name_cb(void *u, const char *name, uint64_t v)
{
    int *n = u;
    (*n)++;
    ck_assert(strncmp(name, "decode.", 7) == 0 || strncmp(name, "defrag.", 7) == 0);
    if (strcmp(name, "decode.packets") == 0)
        ck_assert_uint_eq(v, 1);
}

START_TEST(test_stats_foreach)
{
    struct fb f;
    v4_tcp_frame(&f);
    run(1, &f);
    int n = 0;
    decode_stats_foreach(ST, name_cb, &n);
    ck_assert_int_eq(n, (int)(sizeof(struct decode_stats) / sizeof(uint64_t)));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ethernet_ipv4_tcp);
    tcase_add_test(tc, test_ethernet_padding_trimmed);
    tcase_add_test(tc, test_qinq_vlan_ids);
    tcase_add_test(tc, test_mpls);
    tcase_add_test(tc, test_pppoe);
    tcase_add_test(tc, test_gre);
    tcase_add_test(tc, test_erspan);
    tcase_add_test(tc, test_vxlan);
    tcase_add_test(tc, test_ip_in_ip);
    tcase_add_test(tc, test_link_types);
    tcase_add_test(tc, test_non_ip);
    tcase_add_test(tc, test_ipv6_ext_headers);
    tcase_add_test(tc, test_icmp);
    tcase_add_test(tc, test_lying_lengths);
    tcase_add_test(tc, test_depth_cap);
    tcase_add_test(tc, test_ipv4_options);
    tcase_add_test(tc, test_housekeep_expires_fragments);
    tcase_add_test(tc, test_truncation_spans);
    tcase_add_test(tc, test_truncation_every_encapsulation);
    tcase_add_test(tc, test_decode_fragments);
    tcase_add_test(tc, test_stats_foreach);
    tcase_add_test(tc, test_seed_corpus);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
