/* pcapgen.c - synthetic capture writer: pcap/pcapng files, Ethernet/802.1Q/IPv4/IPv6/TCP/UDP
 * with correct checksums (RFC 791, 8200, 793, 768, 1071), TCP sessions and a DNS writer.
 *
 * File formats: classic libpcap (magic a1b2c3d4, v2.4, LINKTYPE_ETHERNET, microseconds) and
 * pcapng (SHB + one IDB with the default microsecond resolution + EPBs), both little endian.
 */
#include "pcapgen.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define PG_SNAPLEN 262144u
#define PG_MAX_L4 65000u /* keeps every IPv4/IPv6 packet under 65535 bytes */

/* ---- little-endian output ---- */

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void wr(struct pg_writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n)
        w->error = 1;
}

static int write_file_header(struct pg_writer *w)
{
    uint8_t h[32];
    if (w->fmt == PG_PCAP) {
        put_le32(h, 0xa1b2c3d4u);
        put_le16(h + 4, 2);
        put_le16(h + 6, 4);
        put_le32(h + 8, 0);  /* thiszone */
        put_le32(h + 12, 0); /* sigfigs */
        put_le32(h + 16, PG_SNAPLEN);
        put_le32(h + 20, 1); /* LINKTYPE_ETHERNET */
        wr(w, h, 24);
    } else {
        /* Section Header Block, no options, unknown section length. */
        put_le32(h, 0x0a0d0d0au);
        put_le32(h + 4, 28);
        put_le32(h + 8, 0x1a2b3c4du);
        put_le16(h + 12, 1);
        put_le16(h + 14, 0);
        put_le32(h + 16, 0xffffffffu);
        put_le32(h + 20, 0xffffffffu);
        put_le32(h + 24, 28);
        wr(w, h, 28);
        /* Interface Description Block: Ethernet, default if_tsresol (microseconds). */
        put_le32(h, 1);
        put_le32(h + 4, 20);
        put_le16(h + 8, 1);
        put_le16(h + 10, 0);
        put_le32(h + 12, PG_SNAPLEN);
        put_le32(h + 16, 20);
        wr(w, h, 20);
    }
    return w->error ? -1 : 0;
}

int pg_open_stream(struct pg_writer *w, FILE *f, enum pg_format fmt, uint64_t start_us)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->fmt = fmt;
    w->ts_us = start_us;
    w->step_us = 1000;
    return write_file_header(w);
}

int pg_open(struct pg_writer *w, const char *path, enum pg_format fmt, uint64_t start_us)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    if (pg_open_stream(w, f, fmt, start_us) != 0) {
        fclose(f);
        return -1;
    }
    w->owns_file = 1;
    return 0;
}

int pg_close(struct pg_writer *w)
{
    int rc = w->error ? -1 : 0;
    if (w->f && (w->owns_file ? fclose(w->f) : fflush(w->f)) != 0)
        rc = -1;
    w->f = NULL;
    return rc;
}

void pg_advance(struct pg_writer *w, uint64_t us)
{
    w->ts_us += us;
}

void pg_frame(struct pg_writer *w, const uint8_t *frame, size_t len)
{
    uint8_t h[28];
    static const uint8_t pad[4];
    if (w->fmt == PG_PCAP) {
        put_le32(h, (uint32_t)(w->ts_us / 1000000u));
        put_le32(h + 4, (uint32_t)(w->ts_us % 1000000u));
        put_le32(h + 8, (uint32_t)len);
        put_le32(h + 12, (uint32_t)len);
        wr(w, h, 16);
        wr(w, frame, len);
    } else {
        size_t padded = (len + 3) & ~(size_t)3;
        uint32_t total = (uint32_t)(28 + padded + 4);
        put_le32(h, 6);
        put_le32(h + 4, total);
        put_le32(h + 8, 0);
        put_le32(h + 12, (uint32_t)(w->ts_us >> 32));
        put_le32(h + 16, (uint32_t)w->ts_us);
        put_le32(h + 20, (uint32_t)len);
        put_le32(h + 24, (uint32_t)len);
        wr(w, h, 28);
        wr(w, frame, len);
        wr(w, pad, padded - len);
        put_le32(h, total);
        wr(w, h, 4);
    }
    w->frames++;
    w->ts_us += w->step_us;
}

/* ---- checksums and addressing ---- */

static uint32_t sum_words(const uint8_t *p, size_t len, uint32_t sum)
{
    size_t i;
    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (i < len)
        sum += (uint32_t)(p[i] << 8);
    return sum;
}

uint16_t pg_cksum(const void *data, size_t len, uint32_t sum)
{
    sum = sum_words(data, len, sum);
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

int pg_endpoint(struct pg_endpoint *ep, const char *ip, uint16_t port)
{
    memset(ep, 0, sizeof *ep);
    if (inet_pton(AF_INET, ip, ep->addr) == 1)
        ep->family = 4;
    else if (inet_pton(AF_INET6, ip, ep->addr) == 1)
        ep->family = 6;
    else
        return -1;
    ep->port = port;
    /* Locally administered unicast MAC derived from the address, stable per host. */
    ep->mac[0] = 0x02;
    ep->mac[1] = 0x4d;
    ep->mac[2] = 0x57;
    for (int i = 0; i < 16; i++)
        ep->mac[3 + i % 3] ^= ep->addr[i];
    return 0;
}

static uint8_t g_frame[PG_MAX_L4 + 128];

/* Ethernet + VLAN tags; returns the header length. */
static size_t put_eth(uint8_t *f, const struct pg_link *link, const struct pg_endpoint *a,
                      const struct pg_endpoint *b)
{
    size_t o = 0;
    memcpy(f, b->mac, 6);
    memcpy(f + 6, a->mac, 6);
    o = 12;
    for (int i = 0; link && i < link->nvlan && i < 2; i++) {
        /* 802.1ad outer tag when double tagged, as on real QinQ trunks. */
        put_be16(f + o, (link->nvlan == 2 && i == 0) ? 0x88a8 : 0x8100);
        put_be16(f + o + 2, link->vlan[i] & 0x0fff);
        o += 4;
    }
    put_be16(f + o, a->family == 4 ? 0x0800 : 0x86dd);
    return o + 2;
}

static uint32_t pseudo_sum(const struct pg_endpoint *a, const struct pg_endpoint *b,
                           uint8_t proto, size_t l4_len)
{
    uint32_t sum = 0;
    size_t alen = a->family == 4 ? 4 : 16;
    sum = sum_words(a->addr, alen, sum);
    sum = sum_words(b->addr, alen, sum);
    sum += proto;
    sum += (uint32_t)(l4_len & 0xffff);
    sum += (uint32_t)(l4_len >> 16);
    return sum;
}

/* One IP packet carrying payload bytes; frag_off in bytes, mf = more fragments (IPv4 only). */
static void ip_emit(struct pg_writer *w, const struct pg_link *link, const struct pg_endpoint *a,
                    const struct pg_endpoint *b, uint8_t proto, const uint8_t *payload,
                    size_t len, uint16_t ip_id, size_t frag_off, int mf)
{
    size_t o = put_eth(g_frame, link, a, b);
    uint8_t *ip = g_frame + o;
    uint8_t ttl = link && link->ttl ? link->ttl : 64;
    if (a->family == 4) {
        ip[0] = 0x45;
        ip[1] = 0;
        put_be16(ip + 2, (uint16_t)(20 + len));
        put_be16(ip + 4, ip_id);
        /* DF on unfragmented TCP like a Linux stack; fragments carry offset/MF. */
        uint16_t ff = (uint16_t)(frag_off / 8);
        if (mf)
            ff |= 0x2000;
        if (!mf && frag_off == 0 && proto == 6)
            ff |= 0x4000;
        put_be16(ip + 6, ff);
        ip[8] = ttl;
        ip[9] = proto;
        put_be16(ip + 10, 0);
        memcpy(ip + 12, a->addr, 4);
        memcpy(ip + 16, b->addr, 4);
        put_be16(ip + 10, pg_cksum(ip, 20, 0));
        memcpy(ip + 20, payload, len);
        o += 20 + len;
    } else {
        put_be32(ip, 0x60000000u);
        put_be16(ip + 4, (uint16_t)len);
        ip[6] = proto;
        ip[7] = ttl;
        memcpy(ip + 8, a->addr, 16);
        memcpy(ip + 24, b->addr, 16);
        memcpy(ip + 40, payload, len);
        o += 40 + len;
    }
    /* Ethernet minimum frame (without FCS) is 60 bytes: pad like a NIC would. */
    while (o < 60)
        g_frame[o++] = 0;
    pg_frame(w, g_frame, o);
}

void pg_ip_packet(struct pg_writer *w, const struct pg_link *link, const struct pg_endpoint *a,
                  const struct pg_endpoint *b, uint8_t proto, uint8_t *l4, size_t l4_len,
                  size_t cksum_off, uint16_t ip_id)
{
    l4[cksum_off] = 0;
    l4[cksum_off + 1] = 0;
    uint16_t c = pg_cksum(l4, l4_len, pseudo_sum(a, b, proto, l4_len));
    if (proto == 17 && c == 0)
        c = 0xffff; /* RFC 768: a computed zero is sent as all ones */
    put_be16(l4 + cksum_off, c);
    ip_emit(w, link, a, b, proto, l4, l4_len, ip_id, 0, 0);
}

static uint16_t g_udp_ip_id = 0x4100;

void pg_udp(struct pg_writer *w, const struct pg_link *link, const struct pg_endpoint *src,
            const struct pg_endpoint *dst, const void *payload, size_t len, size_t frag_payload,
            int reverse_frags)
{
    static uint8_t dgram[PG_MAX_L4];
    if (len + 8 > sizeof dgram)
        len = sizeof dgram - 8;
    put_be16(dgram, src->port);
    put_be16(dgram + 2, dst->port);
    put_be16(dgram + 4, (uint16_t)(len + 8));
    put_be16(dgram + 6, 0);
    memcpy(dgram + 8, payload, len);
    uint16_t id = g_udp_ip_id++;
    size_t total = len + 8;
    uint16_t c = pg_cksum(dgram, total, pseudo_sum(src, dst, 17, total));
    put_be16(dgram + 6, c ? c : 0xffff);
    frag_payload &= ~(size_t)7;
    if (frag_payload == 0 || src->family != 4 || total <= frag_payload) {
        ip_emit(w, link, src, dst, 17, dgram, total, id, 0, 0);
        return;
    }
    size_t nfrag = (total + frag_payload - 1) / frag_payload;
    for (size_t k = 0; k < nfrag; k++) {
        size_t i = reverse_frags ? nfrag - 1 - k : k;
        size_t off = i * frag_payload;
        size_t n = total - off < frag_payload ? total - off : frag_payload;
        ip_emit(w, link, src, dst, 17, dgram + off, n, id, off, i + 1 < nfrag);
    }
}

/* ---- TCP ---- */

void pg_tcp_init(struct pg_tcp *s, struct pg_writer *w, const struct pg_endpoint *client,
                 const struct pg_endpoint *server, uint32_t isn_client, uint32_t isn_server)
{
    memset(s, 0, sizeof *s);
    s->w = w;
    s->ep[PG_C2S] = *client;
    s->ep[PG_S2C] = *server;
    s->next_seq[PG_C2S] = isn_client;
    s->next_seq[PG_S2C] = isn_server;
    s->ip_id[PG_C2S] = (uint16_t)(0x1000 + client->port);
    s->ip_id[PG_S2C] = (uint16_t)(0x8000 + server->port);
    s->mss = 1448;
    s->write_mask = PG_WRITE_C2S | PG_WRITE_S2C;
    s->ack_each = 1;
    s->rtt_us = 20000;
}

void pg_ip_raw(struct pg_writer *w, const struct pg_link *link, const struct pg_endpoint *a,
               const struct pg_endpoint *b, uint8_t proto, const void *payload, size_t len,
               uint16_t ip_id, size_t frag_off, int mf)
{
    if (len > PG_MAX_L4)
        len = PG_MAX_L4;
    ip_emit(w, link, a, b, proto, payload, len, ip_id, frag_off, mf);
}

static void tcp_seg_urg(struct pg_tcp *s, enum pg_dir dir, uint32_t seq, uint8_t flags, uint16_t urg,
                        const uint8_t *data, size_t len);

static void tcp_seg(struct pg_tcp *s, enum pg_dir dir, uint32_t seq, uint8_t flags,
                    const uint8_t *data, size_t len)
{
    tcp_seg_urg(s, dir, seq, flags, 0, data, len);
}

void pg_tcp_segment(struct pg_tcp *s, enum pg_dir dir, uint32_t seq, uint8_t flags, uint16_t urg,
                    const void *data, size_t len)
{
    if (len > PG_MAX_L4)
        len = PG_MAX_L4;
    tcp_seg_urg(s, dir, seq, flags, urg, data, len);
}

static void tcp_seg_urg(struct pg_tcp *s, enum pg_dir dir, uint32_t seq, uint8_t flags, uint16_t urg,
                        const uint8_t *data, size_t len)
{
    static uint8_t l4[PG_MAX_L4 + 64];
    if (!(s->write_mask & (dir == PG_C2S ? PG_WRITE_C2S : PG_WRITE_S2C)))
        return;
    const struct pg_endpoint *a = &s->ep[dir], *b = &s->ep[!dir];
    size_t hl = (flags & 0x02) ? 24 : 20;
    put_be16(l4, a->port);
    put_be16(l4 + 2, b->port);
    put_be32(l4 + 4, seq);
    put_be32(l4 + 8, (flags & 0x10) ? s->next_seq[!dir] : 0);
    l4[12] = (uint8_t)((hl / 4) << 4);
    l4[13] = flags;
    put_be16(l4 + 14, 64240);
    put_be16(l4 + 16, 0);
    put_be16(l4 + 18, urg);
    if (hl == 24) { /* MSS option on SYN and SYN-ACK */
        l4[20] = 2;
        l4[21] = 4;
        put_be16(l4 + 22, a->family == 4 ? 1460 : 1440);
    }
    if (len)
        memcpy(l4 + hl, data, len);
    pg_ip_packet(s->w, &s->link, a, b, 6, l4, hl + len, 16, s->ip_id[dir]++);
}

void pg_tcp_handshake(struct pg_tcp *s)
{
    tcp_seg(s, PG_C2S, s->next_seq[PG_C2S], 0x02, NULL, 0);
    s->next_seq[PG_C2S]++;
    pg_advance(s->w, s->rtt_us);
    tcp_seg(s, PG_S2C, s->next_seq[PG_S2C], 0x12, NULL, 0);
    s->next_seq[PG_S2C]++;
    tcp_seg(s, PG_C2S, s->next_seq[PG_C2S], 0x10, NULL, 0);
}

void pg_tcp_syn_only(struct pg_tcp *s)
{
    tcp_seg(s, PG_C2S, s->next_seq[PG_C2S], 0x02, NULL, 0);
}

static uint32_t xorshift(uint32_t *st)
{
    uint32_t x = *st ? *st : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *st = x;
    return x;
}

void pg_tcp_send(struct pg_tcp *s, enum pg_dir dir, const void *data, size_t len,
                 const struct pg_plan *plan)
{
    const uint8_t *p = data;
    if (len == 0)
        return;
    size_t step = plan && plan->seg_size ? plan->seg_size : (plan && plan->nsplits ? 0 : s->mss);
    if (step > PG_MAX_L4)
        step = PG_MAX_L4;
    /* Segment boundaries: start offsets, then len as sentinel. */
    size_t cap = (step ? len / step : 0) + (plan ? plan->nsplits : 0) + len / PG_MAX_L4 + 2;
    size_t *start = calloc(cap, sizeof *start);
    size_t n = 0;
    if (!start) {
        s->w->error = 1;
        return;
    }
    start[n++] = 0;
    if (step) {
        for (size_t o = step; o < len; o += step)
            start[n++] = o;
    } else {
        for (size_t i = 0; i < plan->nsplits; i++)
            if (plan->splits[i] > start[n - 1] && plan->splits[i] < len)
                start[n++] = plan->splits[i];
    }
    /* Oversized pieces from the splits are cut further. */
    for (size_t i = 0; i < n; i++) {
        size_t end = i + 1 < n ? start[i + 1] : len;
        if (end - start[i] > PG_MAX_L4) {
            memmove(start + i + 2, start + i + 1, (n - i - 1) * sizeof *start);
            start[i + 1] = start[i] + PG_MAX_L4;
            n++;
        }
    }
    size_t *order = calloc(n, sizeof *order);
    if (!order) {
        free(start);
        s->w->error = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (plan && plan->order == PG_REVERSE) {
        for (size_t i = 0; i < n; i++)
            order[i] = n - 1 - i;
    } else if (plan && plan->order == PG_SHUFFLE) {
        uint32_t st = plan->seed;
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = xorshift(&st) % (i + 1);
            size_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
    uint32_t base = s->next_seq[dir];
    size_t total = n + (plan && plan->retransmit > 0 && (size_t)plan->retransmit <= n ? 1 : 0);
    for (size_t k = 0; k < total; k++) {
        size_t i = k < n ? order[k] : (size_t)plan->retransmit - 1;
        size_t end = i + 1 < n ? start[i + 1] : len;
        uint8_t flags = 0x10 | (i + 1 == n ? 0x08 : 0);
        tcp_seg(s, dir, base + (uint32_t)start[i], flags, p + start[i], end - start[i]);
    }
    s->next_seq[dir] = base + (uint32_t)len;
    free(order);
    free(start);
    if (s->ack_each) {
        pg_advance(s->w, s->rtt_us);
        tcp_seg(s, (enum pg_dir) !dir, s->next_seq[!dir], 0x10, NULL, 0);
    }
}

void pg_tcp_sends(struct pg_tcp *s, enum pg_dir dir, const char *text)
{
    pg_tcp_send(s, dir, text, strlen(text), NULL);
}

void pg_tcp_fin(struct pg_tcp *s, enum pg_dir dir)
{
    tcp_seg(s, dir, s->next_seq[dir], 0x11, NULL, 0);
    s->next_seq[dir]++;
    pg_advance(s->w, s->rtt_us);
    tcp_seg(s, (enum pg_dir) !dir, s->next_seq[!dir], 0x11, NULL, 0);
    s->next_seq[!dir]++;
    tcp_seg(s, dir, s->next_seq[dir], 0x10, NULL, 0);
}

void pg_tcp_rst(struct pg_tcp *s, enum pg_dir dir)
{
    tcp_seg(s, dir, s->next_seq[dir], 0x14, NULL, 0);
}

/* ---- DNS ---- */

static size_t dns_name(uint8_t *buf, size_t cap, const char *name)
{
    size_t o = 0;
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        if (l == 0 || l > 63 || o + 1 + l >= cap)
            return 0;
        buf[o++] = (uint8_t)l;
        memcpy(buf + o, p, l);
        o += l;
        p += l;
        if (*p == '.')
            p++;
    }
    if (o + 1 > cap)
        return 0;
    buf[o++] = 0;
    return o;
}

static size_t dns_header_question(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
                                  uint16_t ancount, const char *name, uint16_t qtype)
{
    if (cap < 12)
        return 0;
    put_be16(buf, id);
    put_be16(buf + 2, flags);
    put_be16(buf + 4, 1);
    put_be16(buf + 6, ancount);
    put_be16(buf + 8, 0);
    put_be16(buf + 10, 0);
    size_t n = dns_name(buf + 12, cap - 12, name);
    if (n == 0 || 12 + n + 4 > cap)
        return 0;
    put_be16(buf + 12 + n, qtype);
    put_be16(buf + 14 + n, 1); /* IN */
    return 16 + n;
}

size_t pg_dns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype)
{
    return dns_header_question(buf, cap, id, 0x0100 /* RD */, 0, name, qtype);
}

size_t pg_dns_answer(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype,
                     const uint8_t (*rdata)[16], size_t n, uint32_t ttl)
{
    size_t o = dns_header_question(buf, cap, id, 0x8180 /* QR RD RA */, (uint16_t)n, name, qtype);
    size_t rlen = qtype == PG_DNS_AAAA ? 16 : 4;
    if (o == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 12 + rlen > cap)
            return 0;
        put_be16(buf + o, 0xc00c); /* pointer to the question name */
        put_be16(buf + o + 2, qtype);
        put_be16(buf + o + 4, 1);
        put_be32(buf + o + 6, ttl);
        put_be16(buf + o + 10, (uint16_t)rlen);
        memcpy(buf + o + 12, rdata[i], rlen);
        o += 12 + rlen;
    }
    return o;
}
