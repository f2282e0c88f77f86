/* test_pcapgen.c - the capture generator (tests/gen/pcapgen.c) writes what it claims:
 * valid file headers, correct checksums, segment plans that cover the stream exactly once
 * in the requested order across the sequence wrap, IPv4 fragments that reassemble, DNS wire
 * format. Frames are read back by an independent little parser below. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/pcapgen.h"
#include "unit/check_main.h"

#define MAXF 4096

struct frame {
    uint8_t *b;
    size_t len;
    uint64_t ts;
};

struct cap {
    struct frame f[MAXF];
    size_t n;
    uint8_t *raw;
    size_t raw_len;
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* Read a FILE written by the generator (rewound) into frames. */
static void cap_read(struct cap *c, FILE *f, enum pg_format fmt)
{
    memset(c, 0, sizeof *c);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long sz = ftell(f);
    ck_assert_int_gt(sz, 0);
    rewind(f);
    c->raw = malloc((size_t)sz);
    ck_assert_ptr_nonnull(c->raw);
    ck_assert_uint_eq(fread(c->raw, 1, (size_t)sz, f), (size_t)sz);
    c->raw_len = (size_t)sz;
    const uint8_t *p = c->raw;
    size_t o;
    if (fmt == PG_PCAP) {
        ck_assert_uint_ge(c->raw_len, 24);
        ck_assert_uint_eq(le32(p), 0xa1b2c3d4u);
        ck_assert_uint_eq(le32(p + 20), 1); /* LINKTYPE_ETHERNET */
        for (o = 24; o < c->raw_len;) {
            ck_assert_uint_le(o + 16, c->raw_len);
            uint32_t incl = le32(p + o + 8);
            ck_assert_uint_eq(incl, le32(p + o + 12));
            ck_assert_uint_lt(le32(p + o + 4), 1000000u);
            ck_assert_uint_le(o + 16 + incl, c->raw_len);
            ck_assert_uint_lt(c->n, MAXF);
            c->f[c->n].b = c->raw + o + 16;
            c->f[c->n].len = incl;
            c->f[c->n].ts = (uint64_t)le32(p + o) * 1000000u + le32(p + o + 4);
            c->n++;
            o += 16 + incl;
        }
    } else {
        ck_assert_uint_eq(le32(p), 0x0a0d0d0au);
        ck_assert_uint_eq(le32(p + 8), 0x1a2b3c4du);
        for (o = 0; o < c->raw_len;) {
            uint32_t type = le32(p + o), len = le32(p + o + 4);
            ck_assert_uint_eq(len % 4, 0);
            ck_assert_uint_le(o + len, c->raw_len);
            ck_assert_uint_eq(le32(p + o + len - 4), len); /* trailing length */
            if (type == 6) {
                c->f[c->n].b = c->raw + o + 28;
                c->f[c->n].len = le32(p + o + 20);
                c->f[c->n].ts = (uint64_t)le32(p + o + 12) << 32 | le32(p + o + 16);
                c->n++;
            } else {
                ck_assert(type == 0x0a0d0d0au || type == 1);
            }
            o += len;
        }
    }
}

static void cap_free(struct cap *c)
{
    free(c->raw);
}

/* Decoded view of one frame. */
struct pkt {
    int vlan_count;
    uint16_t vlan;
    int family;
    const uint8_t *ip;
    const uint8_t *l4;
    size_t l4_len;
    uint8_t proto;
    uint16_t frag; /* IPv4 flags+offset field */
};

static uint32_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += be16(p + i);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static void decode(const struct frame *fr, struct pkt *k)
{
    memset(k, 0, sizeof *k);
    ck_assert_uint_ge(fr->len, 60);
    size_t o = 12;
    while (be16(fr->b + o) == 0x8100 || be16(fr->b + o) == 0x88a8) {
        k->vlan = be16(fr->b + o + 2) & 0xfff;
        k->vlan_count++;
        o += 4;
    }
    uint16_t et = be16(fr->b + o);
    o += 2;
    k->ip = fr->b + o;
    if (et == 0x0800) {
        k->family = 4;
        ck_assert_uint_eq(k->ip[0], 0x45);
        size_t tot = be16(k->ip + 2);
        ck_assert_uint_le(o + tot, fr->len);
        ck_assert_uint_eq(fold(sum16(k->ip, 20, 0)), 0xffff); /* header checksum verifies */
        k->proto = k->ip[9];
        k->frag = be16(k->ip + 6);
        k->l4 = k->ip + 20;
        k->l4_len = tot - 20;
    } else {
        ck_assert_uint_eq(et, 0x86dd);
        k->family = 6;
        k->proto = k->ip[6];
        k->l4 = k->ip + 40;
        k->l4_len = be16(k->ip + 4);
        ck_assert_uint_le(o + 40 + k->l4_len, fr->len);
    }
    if ((k->frag & 0x3fff) == 0) { /* whole datagram: transport checksum verifies */
        size_t al = k->family == 4 ? 4 : 16;
        const uint8_t *src = k->family == 4 ? k->ip + 12 : k->ip + 8;
        uint32_t s = sum16(src, 2 * al, 0) + k->proto + (uint32_t)k->l4_len;
        ck_assert_uint_eq(fold(sum16(k->l4, k->l4_len, s)), 0xffff);
    }
}

static FILE *tmp(void)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    return f;
}

START_TEST(test_cksum_vectors)
{
    /* RFC 1071 section 3 example: sum ddf2, checksum 220d. */
    static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    ck_assert_uint_eq(pg_cksum(rfc, sizeof rfc, 0), 0x220d);
    static const uint8_t iph[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    ck_assert_uint_eq(pg_cksum(iph, sizeof iph, 0), 0xb861);
    static const uint8_t odd[] = { 0xff };
    ck_assert_uint_eq(pg_cksum(odd, 1, 0), 0x00ff);
}
END_TEST

/* Every byte of a client message arrives exactly once at seq ISN+1+offset, whatever the plan. */
static void check_plan(const struct pg_plan *plan, uint32_t isn, enum pg_format fmt, int v6)
{
    static char msg[1000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)('A' + (i * 7) % 26);
    FILE *f = tmp();
    struct pg_writer w;
    ck_assert_int_eq(pg_open_stream(&w, f, fmt, 1710324000000000ull), 0);
    struct pg_endpoint c, s;
    ck_assert_int_eq(pg_endpoint(&c, v6 ? "2001:db8::1" : "10.0.0.1", 40000), 0);
    ck_assert_int_eq(pg_endpoint(&s, v6 ? "2001:db8::2" : "192.0.2.1", 3333), 0);
    struct pg_tcp t;
    pg_tcp_init(&t, &w, &c, &s, isn, 7);
    pg_tcp_handshake(&t);
    pg_tcp_send(&t, PG_C2S, msg, sizeof msg, plan);
    ck_assert_int_eq(pg_close(&w), 0);

    struct cap *cp = malloc(sizeof *cp);
    ck_assert_ptr_nonnull(cp);
    cap_read(cp, f, fmt);
    static uint8_t seen[sizeof msg];
    memset(seen, 0, sizeof seen);
    size_t data_segs = 0;
    int64_t prev = -1;
    int monotonic_up = 1, monotonic_down = 1;
    uint64_t prev_ts = 0;
    for (size_t i = 0; i < cp->n; i++) {
        struct pkt k;
        decode(&cp->f[i], &k);
        ck_assert_uint_ge(cp->f[i].ts, prev_ts);
        prev_ts = cp->f[i].ts;
        ck_assert_int_eq(k.family, v6 ? 6 : 4);
        ck_assert_uint_eq(k.proto, 6);
        size_t hl = (size_t)(k.l4[12] >> 4) * 4;
        size_t plen = k.l4_len - hl;
        if (i == 0)
            ck_assert_uint_eq(be32(k.l4 + 4), isn);
        if (plen == 0 || be16(k.l4) != 40000)
            continue;
        uint32_t off = be32(k.l4 + 4) - (isn + 1); /* modular: works across the wrap */
        ck_assert_uint_le(off + plen, sizeof msg);
        ck_assert_mem_eq(k.l4 + hl, msg + off, plen);
        for (size_t j = 0; j < plen; j++)
            seen[off + j]++;
        if (prev >= 0) {
            monotonic_up &= (int64_t)off > prev;
            monotonic_down &= (int64_t)off < prev;
        }
        prev = off;
        data_segs++;
        if (plan && plan->seg_size)
            ck_assert_uint_le(plen, plan->seg_size);
        if (plan && plan->nsplits) {
            int at_split = off == 0;
            for (size_t j = 0; j < plan->nsplits; j++)
                at_split |= off == plan->splits[j];
            ck_assert(at_split);
        }
    }
    size_t extra = plan && plan->retransmit ? 1 : 0;
    for (size_t j = 0; j < sizeof msg; j++)
        ck_assert_uint_ge(seen[j], 1);
    if (!extra)
        for (size_t j = 0; j < sizeof msg; j++)
            ck_assert_uint_eq(seen[j], 1);
    if (plan && plan->seg_size)
        ck_assert_uint_eq(data_segs, (sizeof msg + plan->seg_size - 1) / plan->seg_size + extra);
    if (plan && plan->nsplits)
        ck_assert_uint_eq(data_segs, plan->nsplits + 1 + extra);
    if (extra) /* the retransmitted segment comes last, out of order */
        ck_assert_int_eq(prev, (int64_t)((size_t)(plan->retransmit - 1) * plan->seg_size));
    else if (!plan || plan->order == PG_IN_ORDER)
        ck_assert(monotonic_up || data_segs == 1);
    else if (plan->order == PG_REVERSE)
        ck_assert(monotonic_down);
    else
        ck_assert(!monotonic_up && !monotonic_down);
    cap_free(cp);
    free(cp);
    fclose(f);
}

START_TEST(test_plans)
{
    struct pg_plan one_by_reverse = { .seg_size = 1, .order = PG_REVERSE };
    struct pg_plan shuffled = { .seg_size = 7, .order = PG_SHUFFLE, .seed = 5 };
    struct pg_plan retrans = { .seg_size = 100, .retransmit = 3 };
    static const size_t cuts[] = { 1, 2, 500, 999 };
    struct pg_plan splits = { .splits = cuts, .nsplits = 4 };
    check_plan(NULL, 1000, PG_PCAP, 0);
    check_plan(&one_by_reverse, 0xfffffe00u, PG_PCAP, 0); /* crosses 2^32 */
    check_plan(&shuffled, 0xffffff00u, PG_PCAPNG, 1);
    check_plan(&retrans, 42, PG_PCAP, 1);
    check_plan(&splits, 0xffffffffu, PG_PCAP, 0);
}
END_TEST

START_TEST(test_one_direction_and_vlan)
{
    FILE *f = tmp();
    struct pg_writer w;
    ck_assert_int_eq(pg_open_stream(&w, f, PG_PCAP, 0), 0);
    struct pg_endpoint c, s;
    pg_endpoint(&c, "10.0.0.1", 1111);
    pg_endpoint(&s, "10.0.0.2", 2222);
    struct pg_tcp t;
    pg_tcp_init(&t, &w, &c, &s, 1, 2);
    t.write_mask = PG_WRITE_S2C;
    t.link.vlan[0] = 100;
    t.link.vlan[1] = 200;
    t.link.nvlan = 2;
    pg_tcp_handshake(&t);
    pg_tcp_sends(&t, PG_C2S, "hello\n");
    pg_tcp_sends(&t, PG_S2C, "world\n");
    pg_tcp_fin(&t, PG_C2S);
    ck_assert_int_eq(pg_close(&w), 0);
    struct cap *cp = malloc(sizeof *cp);
    cap_read(cp, f, PG_PCAP);
    ck_assert_uint_eq(cp->n, 4); /* SYN-ACK, ACK of hello, "world", FIN-ACK */
    for (size_t i = 0; i < cp->n; i++) {
        struct pkt k;
        decode(&cp->f[i], &k);
        ck_assert_uint_eq(be16(k.l4), 2222);
        ck_assert_int_eq(k.vlan_count, 2);
        ck_assert_uint_eq(k.vlan, 200);
        ck_assert_uint_eq(be16(cp->f[i].b + 12), 0x88a8);
    }
    cap_free(cp);
    free(cp);
    fclose(f);
}
END_TEST

START_TEST(test_udp_fragments)
{
    uint8_t payload[1000];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 31);
    for (int rev = 0; rev < 2; rev++) {
        FILE *f = tmp();
        struct pg_writer w;
        ck_assert_int_eq(pg_open_stream(&w, f, PG_PCAP, 0), 0);
        struct pg_endpoint a, b;
        pg_endpoint(&a, "10.0.0.53", 53);
        pg_endpoint(&b, "10.0.0.9", 5353);
        pg_udp(&w, NULL, &a, &b, payload, sizeof payload, 300, rev);
        ck_assert_int_eq(pg_close(&w), 0);
        struct cap *cp = malloc(sizeof *cp);
        cap_read(cp, f, PG_PCAP);
        ck_assert_uint_eq(cp->n, 4); /* 1008 bytes in 296-byte fragments */
        uint8_t dgram[1008];
        size_t got = 0;
        for (size_t i = 0; i < cp->n; i++) {
            struct pkt k;
            decode(&cp->f[i], &k);
            size_t off = (size_t)(k.frag & 0x1fff) * 8;
            int mf = (k.frag & 0x2000) != 0;
            ck_assert_int_eq(mf, off + k.l4_len < sizeof dgram);
            ck_assert_uint_le(off + k.l4_len, sizeof dgram);
            memcpy(dgram + off, k.l4, k.l4_len);
            got += k.l4_len;
            if (i == 0)
                ck_assert_int_eq(off == 0, !rev);
        }
        ck_assert_uint_eq(got, sizeof dgram);
        ck_assert_uint_eq(be16(dgram + 4), sizeof dgram);
        ck_assert_mem_eq(dgram + 8, payload, sizeof payload);
        /* The reassembled datagram's UDP checksum verifies. */
        uint32_t s = sum16(a.addr, 4, 0) + sum16(b.addr, 4, 0) + 17 + (uint32_t)sizeof dgram;
        ck_assert_uint_eq(fold(sum16(dgram, sizeof dgram, s)), 0xffff);
        cap_free(cp);
        free(cp);
        fclose(f);
    }
}
END_TEST

START_TEST(test_dns_writer)
{
    uint8_t b[512];
    static const uint8_t want_q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                      1, 'a', 2, 'b', 'c', 0, 0, 1, 0, 1 };
    ck_assert_uint_eq(pg_dns_query(b, sizeof b, 0x1234, "a.bc", PG_DNS_A), sizeof want_q);
    ck_assert_mem_eq(b, want_q, sizeof want_q);
    ck_assert_uint_eq(pg_dns_query(b, sizeof b, 1, "a.bc.", PG_DNS_A), sizeof want_q); /* trailing dot */
    ck_assert_uint_eq(pg_dns_query(b, sizeof want_q - 1, 1, "a.bc", PG_DNS_A), 0);
    ck_assert_uint_eq(pg_dns_query(b, sizeof b, 1, "a..bc", PG_DNS_A), 0);
    char longlabel[80];
    memset(longlabel, 'x', 64);
    strcpy(longlabel + 64, ".org");
    ck_assert_uint_eq(pg_dns_query(b, sizeof b, 1, longlabel, PG_DNS_A), 0);

    const uint8_t rr[2][16] = { { 192, 0, 2, 1 }, { 192, 0, 2, 2 } };
    size_t n = pg_dns_answer(b, sizeof b, 0x1234, "a.bc", PG_DNS_A, rr, 2, 300);
    ck_assert_uint_eq(n, sizeof want_q + 2 * 16);
    ck_assert_uint_eq(be16(b + 2), 0x8180);
    ck_assert_uint_eq(be16(b + 6), 2);
    const uint8_t *a1 = b + sizeof want_q;
    ck_assert_uint_eq(be16(a1), 0xc00c);
    ck_assert_uint_eq(be32(a1 + 6), 300);
    ck_assert_uint_eq(be16(a1 + 10), 4);
    ck_assert_mem_eq(a1 + 12, rr[0], 4);
    ck_assert_mem_eq(a1 + 16 + 12, rr[1], 4);
    for (size_t cap = 0; cap < n; cap++) /* every truncated buffer is refused */
        ck_assert_uint_eq(pg_dns_answer(b, cap, 0x1234, "a.bc", PG_DNS_A, rr, 2, 300), 0);
}
END_TEST

START_TEST(test_endpoint_parse)
{
    struct pg_endpoint e;
    ck_assert_int_eq(pg_endpoint(&e, "10.1.2.3", 80), 0);
    ck_assert_int_eq(e.family, 4);
    ck_assert_int_eq(pg_endpoint(&e, "2001:db8::1", 80), 0);
    ck_assert_int_eq(e.family, 6);
    ck_assert_uint_eq(e.addr[15], 1);
    ck_assert_int_eq(pg_endpoint(&e, "10.1.2", 80), -1);
    ck_assert_int_eq(pg_endpoint(&e, "pool.example", 80), -1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pcapgen");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cksum_vectors);
    tcase_add_test(tc, test_plans);
    tcase_add_test(tc, test_one_direction_and_vlan);
    tcase_add_test(tc, test_udp_fragments);
    tcase_add_test(tc, test_dns_writer);
    tcase_add_test(tc, test_endpoint_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return mw_check_run(suite());
}
