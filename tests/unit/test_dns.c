/* test_dns.c - DNS parser (RFC 1035/3596/6891) and dissector framing.
 * Messages are built here field by field from the RFC layouts; hostile variants break
 * one rule each. */
#include <stdlib.h>
#include <string.h>

#include "dissectors/dns.h"
#include "sensor/applayer/drive.h"
#include "unit/check_main.h"
#include "unit/pcap_walk.h"

/* ---- message builder ------------------------------------------------------ */

struct msg {
    uint8_t b[4096];
    size_t n;
};

static void put8(struct msg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void put16(struct msg *m, unsigned v)
{
    put8(m, v >> 8);
    put8(m, v & 0xff);
}
static void put32(struct msg *m, uint32_t v)
{
    put16(m, v >> 16);
    put16(m, v & 0xffff);
}
static void putbytes(struct msg *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

/* Dotted name as labels, terminated by the root unless ptr >= 0 (then a pointer). */
static void putname(struct msg *m, const char *dotted, int ptr)
{
    const char *s = dotted;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        put8(m, (unsigned)l);
        putbytes(m, s, l);
        s += l;
        if (*s == '.')
            s++;
    }
    if (ptr >= 0)
        put16(m, 0xc000u | (unsigned)ptr);
    else
        put8(m, 0);
}

static void header(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    m->n = 0;
    put16(m, id);
    put16(m, flags);
    put16(m, qd);
    put16(m, an);
    put16(m, ns);
    put16(m, ar);
}

/* RR header after the owner name; returns the offset of rdlength for later patching. */
static void rr(struct msg *m, unsigned type, uint32_t ttl, const void *rdata, size_t rdlen)
{
    put16(m, type);
    put16(m, 1);
    put32(m, ttl);
    put16(m, (unsigned)rdlen);
    putbytes(m, rdata, rdlen);
}

static int parse_copy(const struct msg *m, size_t len, struct mw_dns_record *rec)
{
    /* An exactly sized heap copy, so ASan sees any read past the end. */
    uint8_t *p = malloc(len ? len : 1);
    memcpy(p, m->b, len);
    int rc = dns_parse(p, len, rec);
    free(p);
    return rc;
}

static struct mw_dns_record rec; /* 9 KiB: keep it off the test's stack */

static void build_query(struct msg *m)
{
    header(m, 0x1234, 0x0100, 1, 0, 0, 0);
    putname(m, "Pool.Example.com", -1);
    put16(m, DNS_TYPE_A);
    put16(m, 1);
}

/* Response: question, A answer compressed to the question name. */
static void build_a_response(struct msg *m)
{
    header(m, 0x1234, 0x8180, 1, 2, 0, 0);
    putname(m, "pool.example.com", -1);
    put16(m, DNS_TYPE_A);
    put16(m, 1);
    put16(m, 0xc00c);
    rr(m, DNS_TYPE_A, 300, "\x01\x02\x03\x04", 4);
    put16(m, 0xc00c);
    rr(m, DNS_TYPE_AAAA, 60, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
}

START_TEST(test_query)
{
    struct msg m;
    build_query(&m);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert_uint_eq(rec.id, 0x1234);
    ck_assert_uint_eq(rec.qr, 0);
    ck_assert_uint_eq(rec.rd, 1);
    ck_assert_uint_eq(rec.opcode, 0);
    ck_assert(rec.has_question);
    ck_assert_str_eq(rec.rrname, "Pool.Example.com"); /* case kept */
    ck_assert_uint_eq(rec.rrtype, DNS_TYPE_A);
    ck_assert_uint_eq(rec.rrclass, 1);
    ck_assert_uint_eq(rec.answer_count, 0);
}
END_TEST

START_TEST(test_a_aaaa_response)
{
    struct msg m;
    build_a_response(&m);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert_uint_eq(rec.qr, 1);
    ck_assert_uint_eq(rec.ra, 1);
    ck_assert_uint_eq(rec.rcode, 0);
    ck_assert_uint_eq(rec.answers_parsed, 2);
    ck_assert_uint_eq(rec.answer_count, 2);
    ck_assert_str_eq(rec.answers[0].name, "pool.example.com");
    ck_assert_uint_eq(rec.answers[0].type, DNS_TYPE_A);
    ck_assert_uint_eq(rec.answers[0].ttl, 300);
    ck_assert(rec.answers[0].has_addr);
    static const uint8_t v4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4 };
    ck_assert_mem_eq(rec.answers[0].addr.b, v4, 16);
    ck_assert_str_eq(rec.answers[0].target, "");
    ck_assert_uint_eq(rec.answers[1].type, DNS_TYPE_AAAA);
    ck_assert_uint_eq(rec.answers[1].addr.b[0], 0x20);
    ck_assert_uint_eq(rec.answers[1].addr.b[15], 0x01);
    ck_assert(!mw_addr_is_v4(&rec.answers[1].addr));
}
END_TEST

START_TEST(test_cname_chain)
{
    struct msg m;
    header(&m, 7, 0x8180, 1, 3, 0, 0);
    putname(&m, "www.example.com", -1); /* at 12 */
    put16(&m, DNS_TYPE_A);
    put16(&m, 1);
    put16(&m, 0xc00c);
    size_t rdl = m.n + 8;
    rr(&m, DNS_TYPE_CNAME, 10, "", 0);
    size_t t1 = m.n;
    putname(&m, "a.pool", 0x10); /* a.pool.example.com, suffix compressed */
    m.b[rdl] = 0;
    m.b[rdl + 1] = (uint8_t)(m.n - t1);
    put16(&m, 0xc000u | (unsigned)t1);
    rdl = m.n + 8;
    rr(&m, DNS_TYPE_CNAME, 20, "", 0);
    size_t t2 = m.n;
    putname(&m, "b", (int)(t1 + 2)); /* b.pool.example.com */
    m.b[rdl] = 0;
    m.b[rdl + 1] = (uint8_t)(m.n - t2);
    put16(&m, 0xc000u | (unsigned)t2);
    rr(&m, DNS_TYPE_A, 30, "\x05\x06\x07\x08", 4);

    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert_uint_eq(rec.answer_count, 3);
    ck_assert_str_eq(rec.answers[0].name, "www.example.com");
    ck_assert_str_eq(rec.answers[0].target, "a.pool.example.com");
    ck_assert(rec.answers[0].has_target);
    ck_assert_str_eq(rec.answers[1].name, "a.pool.example.com");
    ck_assert_str_eq(rec.answers[1].target, "b.pool.example.com");
    ck_assert_str_eq(rec.answers[2].name, "b.pool.example.com");
    ck_assert_uint_eq(rec.answers[2].addr.b[12], 5);
}
END_TEST

/* MX, TXT, SRV answers, an SOA in authority and OPT in additional are walked by
 * rdlength; an A after them still lands in the right place. */
START_TEST(test_other_types_skipped)
{
    struct msg m;
    header(&m, 9, 0x8180, 1, 4, 1, 1);
    putname(&m, "example.com", -1);
    put16(&m, DNS_TYPE_MX);
    put16(&m, 1);
    put16(&m, 0xc00c);
    rr(&m, DNS_TYPE_MX, 1, "\x00\x0a\x02mx\xc0\x0c", 7);
    put16(&m, 0xc00c);
    rr(&m, DNS_TYPE_TXT, 2, "\x0bhello world", 12);
    put16(&m, 0xc00c);
    rr(&m, DNS_TYPE_SRV, 3, "\x00\x01\x00\x02\x0d\x05\x03srv\xc0\x0c", 11);
    put16(&m, 0xc00c);
    rr(&m, DNS_TYPE_A, 4, "\x0a\x00\x00\x01", 4);
    put16(&m, 0xc00c);
    rr(&m, DNS_TYPE_SOA, 5, "\xc0\x0c\xc0\x0c\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5", 24);
    put8(&m, 0); /* OPT owner: root */
    put16(&m, DNS_TYPE_OPT);
    put16(&m, 4096);            /* UDP payload size */
    put32(&m, 0x01000000);      /* extended rcode 1, version 0 */
    put16(&m, 8);
    putbytes(&m, "\x00\x0a\x00\x04\xde\xad\xbe\xef", 8); /* a cookie-like option */
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert_uint_eq(rec.answers_parsed, 4);
    ck_assert_uint_eq(rec.authority_parsed, 1);
    ck_assert_uint_eq(rec.additional_parsed, 1);
    ck_assert_uint_eq(rec.answers[0].type, DNS_TYPE_MX);
    ck_assert_uint_eq(rec.answers[0].rdlength, 7);
    ck_assert(!rec.answers[0].has_target && !rec.answers[0].has_addr);
    ck_assert_uint_eq(rec.answers[1].rdlength, 12);
    ck_assert_uint_eq(rec.answers[2].type, DNS_TYPE_SRV);
    ck_assert_uint_eq(rec.answers[3].type, DNS_TYPE_A);
    ck_assert_uint_eq(rec.answers[3].addr.b[12], 10);
    ck_assert(rec.has_opt);
    ck_assert_uint_eq(rec.edns_udp_size, 4096);
    ck_assert_uint_eq(rec.ext_rcode, 1);
}
END_TEST

START_TEST(test_answers_capped)
{
    struct msg m;
    header(&m, 1, 0x8180, 1, 40, 0, 0);
    putname(&m, "many.example", -1);
    put16(&m, 1);
    put16(&m, 1);
    for (int i = 0; i < 40; i++) {
        put16(&m, 0xc00c);
        uint8_t a[4] = { 10, 0, 0, (uint8_t)i };
        rr(&m, DNS_TYPE_A, 1, a, 4);
    }
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert_uint_eq(rec.answers_parsed, 40);
    ck_assert_uint_eq(rec.answer_count, DNS_MAX_ANSWERS);
    ck_assert_uint_eq(rec.answers[DNS_MAX_ANSWERS - 1].addr.b[15], DNS_MAX_ANSWERS - 1);
}
END_TEST

/* A question whose name is only a pointer (at offset 12) to `target`. */
static void build_ptr_question(struct msg *m, unsigned target)
{
    header(m, 1, 0, 1, 0, 0, 0);
    put16(m, 0xc000u | target);
    put16(m, 1);
    put16(m, 1);
}

START_TEST(test_compression_hostile)
{
    struct msg m;
    /* pointer to itself */
    build_ptr_question(&m, 12);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_COMPRESSION_LOOP);
    /* forward pointer */
    build_ptr_question(&m, 14);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_BAD_POINTER);
    /* out of range */
    build_ptr_question(&m, 0x3fff);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_BAD_POINTER);
    /* into the header */
    build_ptr_question(&m, 4);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_BAD_POINTER);
    /* pointer back into the name's own labels: "a" "b" -> offset 12 */
    header(&m, 1, 0, 1, 0, 0, 0);
    putname(&m, "a.b", 12);
    put16(&m, 1);
    put16(&m, 1);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_COMPRESSION_LOOP);
    /* mutual loop: question name at 12 jumps to a name in the answer that jumps back */
    header(&m, 1, 0x8000, 1, 1, 0, 0);
    putname(&m, "x", 18); /* 12: 01 'x' c0 12 -> label at 18 */
    put16(&m, 1);
    put16(&m, 1);
    putname(&m, "y", 12); /* 18: 01 'y' c0 0c */
    rr(&m, 1, 1, "\1\2\3\4", 4);
    ck_assert_int_lt(parse_copy(&m, m.n, &rec), 0);
    /* A chain of valid backward pointers longer than the jump budget: a root label at
     * 12, then each pointer aims at the one before it. Decoding the last one must stop
     * at DNS_MAX_JUMPS; decoding one ten links in still reaches the root. */
    header(&m, 1, 0, 0, 0, 0, 0);
    put8(&m, 0);
    for (unsigned i = 0; i < DNS_MAX_JUMPS + 4; i++)
        put16(&m, 0xc000u | (unsigned)(m.n - (i == 0 ? 1 : 2)));
    char text[DNS_NAME_TEXT];
    size_t next;
    int trunc;
    ck_assert_int_eq(dns_name_decode(m.b, m.n, m.n - 2, text, sizeof text, &next, &trunc),
                     DNS_ERR_COMPRESSION_LOOP);
    ck_assert_int_eq(dns_name_decode(m.b, m.n, 12 + 1 + 2 * 10, text, sizeof text, &next, &trunc), DNS_OK);
    ck_assert_str_eq(text, ".");
}
END_TEST

START_TEST(test_label_and_name_length)
{
    struct msg m;
    /* length byte 64 = 0x40: an extended label type, not a length */
    header(&m, 1, 0, 1, 0, 0, 0);
    put8(&m, 64);
    for (int i = 0; i < 64; i++)
        put8(&m, 'a');
    put8(&m, 0);
    put16(&m, 1);
    put16(&m, 1);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_LABEL);
    /* 0x80 reserved */
    header(&m, 1, 0, 1, 0, 0, 0);
    put8(&m, 0x80);
    put8(&m, 0);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_LABEL);

    /* exactly 255 wire bytes: 3 x 63-byte labels + one 61-byte label + root */
    char name[300];
    size_t o = 0;
    for (int l = 0; l < 4; l++) {
        int n = l < 3 ? 63 : 61;
        for (int i = 0; i < n; i++)
            name[o++] = (char)('a' + l);
        name[o++] = '.';
    }
    name[--o] = '\0';
    header(&m, 1, 0, 1, 0, 0, 0);
    putname(&m, name, -1);
    put16(&m, 1);
    put16(&m, 1);
    ck_assert_uint_eq(m.n, 12 + 255 + 4);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert_str_eq(rec.rrname, name);
    ck_assert_uint_eq(strlen(rec.rrname), 253);
    ck_assert(!rec.name_truncated);
    /* one more byte: 256 */
    name[o++] = 'z';
    name[o] = '\0';
    header(&m, 1, 0, 1, 0, 0, 0);
    putname(&m, name, -1);
    put16(&m, 1);
    put16(&m, 1);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_NAME_TOO_LONG);
    /* the limit also counts labels reached through pointers */
    header(&m, 1, 0x8000, 1, 1, 0, 0);
    name[o - 1] = '\0';
    putname(&m, name + 64, -1); /* 12: 191 wire bytes */
    put16(&m, 1);
    put16(&m, 1);
    putname(&m, "0123456789012345678901234567890123456789012345678901234567890123456789", 12);
    rr(&m, 1, 1, "\1\2\3\4", 4);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_LABEL); /* 70 > 63 */
    header(&m, 1, 0x8000, 1, 1, 0, 0);
    putname(&m, name + 64, -1);
    put16(&m, 1);
    put16(&m, 1);
    putname(&m, "012345678901234567890123456789012345678901234567890123456789012.x", 12);
    rr(&m, 1, 1, "\1\2\3\4", 4);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_NAME_TOO_LONG); /* 64+2+191 */
}
END_TEST

START_TEST(test_escaping_and_root)
{
    struct msg m;
    header(&m, 1, 0, 1, 0, 0, 0);
    putbytes(&m, "\x05" "a.b c" "\x02" "\\\xff" "\x00", 10);
    put16(&m, 1);
    put16(&m, 1);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert_str_eq(rec.rrname, "a\\.b\\032c.\\\\\\255");
    header(&m, 1, 0, 1, 0, 0, 0);
    put8(&m, 0);
    put16(&m, DNS_TYPE_SOA);
    put16(&m, 1);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert_str_eq(rec.rrname, ".");
    /* A name of binary labels overflows its text buffer: flagged, still bounded */
    header(&m, 1, 0, 1, 0, 0, 0);
    for (int l = 0; l < 4; l++) {
        put8(&m, 60);
        for (int i = 0; i < 60; i++)
            put8(&m, 0x01);
    }
    put8(&m, 0);
    put16(&m, 1);
    put16(&m, 1);
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_OK);
    ck_assert(rec.name_truncated);
    ck_assert_uint_lt(strlen(rec.rrname), DNS_NAME_TEXT);
}
END_TEST

START_TEST(test_bad_rdata)
{
    struct msg m;
    header(&m, 1, 0x8180, 1, 1, 0, 0);
    putname(&m, "e.com", -1);
    put16(&m, 1);
    put16(&m, 1);
    put16(&m, 0xc00c);
    rr(&m, DNS_TYPE_A, 1, "\1\2\3", 3); /* A with 3 bytes */
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_RDATA);
    ck_assert(rec.has_question); /* the question survives for the caller */
    /* CNAME whose name runs past its rdlength */
    header(&m, 1, 0x8180, 1, 1, 0, 0);
    putname(&m, "e.com", -1);
    put16(&m, 1);
    put16(&m, 1);
    put16(&m, 0xc00c);
    rr(&m, DNS_TYPE_CNAME, 1, "\x03" "abc" "\x00", 3);
    m.n += 0;
    ck_assert_int_lt(parse_copy(&m, m.n, &rec), 0);
    /* rdlength past the end */
    header(&m, 1, 0x8180, 1, 1, 0, 0);
    putname(&m, "e.com", -1);
    put16(&m, 1);
    put16(&m, 1);
    put16(&m, 0xc00c);
    rr(&m, 99, 1, "xx", 2);
    m.b[m.n - 3] = 200;
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_TRUNCATED);
    /* counts that lie */
    build_query(&m);
    m.b[7] = 5; /* ancount 5, none present */
    ck_assert_int_eq(parse_copy(&m, m.n, &rec), DNS_ERR_TRUNCATED);
    ck_assert(rec.has_question);
}
END_TEST

START_TEST(test_every_prefix)
{
    struct msg ms[3];
    build_query(&ms[0]);
    build_a_response(&ms[1]);
    header(&ms[2], 7, 0x8180, 1, 1, 0, 1);
    putname(&ms[2], "x.example", -1);
    put16(&ms[2], 1);
    put16(&ms[2], 1);
    put16(&ms[2], 0xc00c);
    rr(&ms[2], DNS_TYPE_CNAME, 1, "\x01y\xc0\x0c", 4);
    put8(&ms[2], 0);
    rr(&ms[2], DNS_TYPE_OPT, 0, "", 0);
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(parse_copy(&ms[k], ms[k].n, &rec), DNS_OK);
        for (size_t n = 0; n < ms[k].n; n++)
            ck_assert_int_lt(parse_copy(&ms[k], n, &rec), 0);
    }
}
END_TEST

/* ---- dissector ------------------------------------------------------------ */

struct sink {
    int n;
    char host[8][MW_EV_HOST_LEN];
    char method[8][MW_EV_METHOD_LEN];
    uint8_t client_dir[8];
    uint16_t answers[8];
};

static void sink_emit(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    struct sink *s = ctx->sink;
    ck_assert_int_eq(ev->kind, MW_EV_NAME);
    ck_assert_int_eq(ev->variant, MW_VAR_DNS);
    ck_assert_ptr_nonnull(ev->dns);
    if (s->n < 8) {
        strcpy(s->host[s->n], ev->pool_host);
        strcpy(s->method[s->n], ev->method);
        s->client_dir[s->n] = ev->client_dir;
        s->answers[s->n] = ev->dns->answer_count;
    }
    s->n++;
}

/* For the direct feed calls that check the contract's return values; bad[] gets the
 * dissector's named events. */
static void make_ctx(struct mw_dctx *ctx, struct sink *s, uint64_t bad[DNS_EV_COUNT], uint16_t p0, uint16_t p1, int hs)
{
    memset(ctx, 0, sizeof *ctx);
    memset(s, 0, sizeof *s);
    memset(bad, 0, DNS_EV_COUNT * sizeof bad[0]);
    ctx->port[0] = p0;
    ctx->port[1] = p1;
    ctx->handshake_seen = (uint8_t)hs;
    ctx->emit = sink_emit;
    ctx->sink = s;
    ctx->events = bad;
    ctx->nevents = DNS_EV_COUNT;
}

static uint64_t events_sum(const uint64_t bad[DNS_EV_COUNT])
{
    uint64_t n = 0;
    for (int i = 0; i < DNS_EV_COUNT; i++)
        n += bad[i];
    return n;
}

START_TEST(test_udp_dissector)
{
    struct mw_dctx ctx;
    struct sink s;
    uint64_t bad[DNS_EV_COUNT];
    make_ctx(&ctx, &s, bad, 40000, 53, 0);
    struct msg q, a;
    build_query(&q);
    build_a_response(&a);
    ck_assert_int_eq(dns_dissector.probe(q.b, q.n, MW_DIR_FWD, &ctx), MW_PROBE_YES);
    ck_assert(dns_dissector.transports & MW_TRANSPORT_UDP);
    uint8_t st[64];
    ck_assert_uint_le(dns_dissector.state_size, sizeof st);
    dns_dissector.init(st);
    ck_assert_int_eq(dns_dissector.feed(st, &ctx, MW_DIR_FWD, q.b, q.n), (long)q.n);
    ck_assert_int_eq(dns_dissector.feed(st, &ctx, MW_DIR_REV, a.b, a.n), (long)a.n);
    ck_assert_int_eq(s.n, 2);
    ck_assert_str_eq(s.method[0], "query");
    ck_assert_str_eq(s.host[0], "Pool.Example.com");
    ck_assert_uint_eq(s.client_dir[0], MW_DIR_FWD);
    ck_assert_str_eq(s.method[1], "answer");
    ck_assert_uint_eq(s.client_dir[1], MW_DIR_FWD); /* the response came from the server */
    ck_assert_uint_eq(s.answers[1], 2);
    ck_assert_uint_eq(events_sum(bad), 0);
    /* garbage datagram: counted under its name, nothing emitted, flow goes on */
    ck_assert_int_eq(dns_dissector.feed(st, &ctx, MW_DIR_FWD, (const uint8_t *)"\1\2\3", 3), 3);
    ck_assert_uint_eq(bad[DNS_EV_TRUNCATED], 1);
    ck_assert_uint_eq(events_sum(bad), 1);
    ck_assert_int_eq(s.n, 2);

    make_ctx(&ctx, &s, bad, 5353, 5353, 0);
    ck_assert_int_eq(dns_dissector.probe(q.b, q.n, MW_DIR_FWD, &ctx), MW_PROBE_NO);
    make_ctx(&ctx, &s, bad, 53, 33333, 0);
    ck_assert_int_eq(dns_dissector.probe(q.b, q.n, MW_DIR_FWD, &ctx), MW_PROBE_YES);
}
END_TEST

static void drive_emit(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    struct mw_dctx ctx = { .sink = user };
    sink_emit(&ctx, ev);
}

/* The sensor's side of the contract, through the real engine: the stream cut at the
 * given offsets, all of it in direction dir. */
static struct applayer_drive *feed_stream(struct sink *s, int dir, const uint8_t *data, size_t len,
                                          const size_t *cuts, size_t ncuts)
{
    memset(s, 0, sizeof *s);
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_REV] = 53;
    struct applayer_drive *dr = applayer_drive_new(&p, &dns_dissector, drive_emit, s);
    ck_assert_ptr_nonnull(dr);
    size_t pos = 0;
    for (size_t c = 0; c <= ncuts; c++) {
        size_t end = c < ncuts ? cuts[c] : len;
        applayer_drive_data(dr, dir, data + pos, end - pos);
        pos = end;
    }
    ck_assert_uint_eq(applayer_drive_stat(dr, "detect.feed_contract"), 0);
    ck_assert_uint_eq(applayer_drive_stat(dr, "detect.dissector_malformed"), 0);
    return dr;
}

START_TEST(test_tcp_split_every_byte)
{
    struct msg q1, q2;
    build_query(&q1);
    build_a_response(&q2);
    uint8_t stream[1024];
    size_t n = 0;
    stream[n++] = (uint8_t)(q1.n >> 8);
    stream[n++] = (uint8_t)q1.n;
    memcpy(stream + n, q1.b, q1.n);
    n += q1.n;
    stream[n++] = (uint8_t)(q2.n >> 8);
    stream[n++] = (uint8_t)q2.n;
    memcpy(stream + n, q2.b, q2.n);
    n += q2.n;
    for (size_t cut1 = 0; cut1 <= n; cut1++) {
        for (size_t cut2 = cut1; cut2 <= n; cut2 += 7) {
            struct sink s;
            size_t cuts[2] = { cut1, cut2 };
            struct applayer_drive *dr = feed_stream(&s, MW_DIR_REV, stream, n, cuts, 2);
            ck_assert_int_eq(s.n, 2);
            ck_assert_str_eq(s.host[0], "Pool.Example.com");
            ck_assert_str_eq(s.method[0], "query");
            ck_assert_uint_eq(s.client_dir[0], MW_DIR_REV);
            ck_assert_str_eq(s.method[1], "answer");
            ck_assert_uint_eq(s.client_dir[1], MW_DIR_FWD);
            ck_assert_uint_eq(applayer_drive_events(dr, "dns"), 0);
            applayer_drive_free(dr);
        }
    }
    /* byte by byte */
    struct mw_dctx ctx;
    struct sink s;
    uint64_t bad[DNS_EV_COUNT];
    uint8_t st[64];
    size_t cuts[1024];
    for (size_t i = 0; i < n; i++)
        cuts[i] = i;
    struct applayer_drive *dr = feed_stream(&s, MW_DIR_FWD, stream, n, cuts, n);
    ck_assert_int_eq(s.n, 2);
    applayer_drive_free(dr);
    /* Midstream pickup (no handshake): a complete framed message still selects TCP. */
    make_ctx(&ctx, &s, bad, 40000, 53, 0);
    dns_dissector.init(st);
    ck_assert_int_eq(dns_dissector.feed(st, &ctx, MW_DIR_FWD, stream, n), (long)n);
    ck_assert_int_eq(s.n, 2);
    /* A frame shorter than a header breaks the framing. */
    make_ctx(&ctx, &s, bad, 40000, 53, 1);
    dns_dissector.init(st);
    ck_assert_int_eq(dns_dissector.feed(st, &ctx, MW_DIR_FWD, (const uint8_t *)"\0\5abcde", 7), MW_FEED_MALFORMED);
    ck_assert_uint_eq(bad[DNS_EV_TCP_BAD_LENGTH], 1);
    ck_assert_uint_eq(events_sum(bad), 1);
    /* after a gap a TCP flow gives up */
    make_ctx(&ctx, &s, bad, 40000, 53, 1);
    dns_dissector.init(st);
    dns_dissector.feed(st, &ctx, MW_DIR_FWD, stream, 1);
    dns_dissector.gap(st, &ctx, MW_DIR_FWD);
    ck_assert(ctx.closed);
}
END_TEST

/* ---- real captures -------------------------------------------------------- */

struct walk_stats {
    unsigned seen, ok, names;
};

static void on_payload(void *user, uint8_t proto, uint16_t sport, uint16_t dport, const uint8_t *p, size_t len)
{
    struct walk_stats *w = user;
    if (proto != 17 || (sport != 53 && dport != 53))
        return;
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, p, len);
    w->seen++;
    if (dns_parse(copy, len, &rec) == DNS_OK)
        w->ok++;
    if (rec.has_question) {
        w->names++;
        ck_assert_uint_lt(strlen(rec.rrname), DNS_NAME_TEXT);
        for (unsigned i = 0; i < rec.answer_count; i++)
            ck_assert_uint_lt(strlen(rec.answers[i].name), DNS_NAME_TEXT);
    }
    free(copy);
}

START_TEST(test_shared_captures)
{
    char dir[4096];
    ck_assert_ptr_nonnull(mw_shared_dir("pcaps/traffic", dir, sizeof dir));
    struct walk_stats w = { 0, 0, 0 };
    int files = pcap_walk_dir(dir, on_payload, &w);
    ck_assert_int_gt(files, 0); /* main() only adds this test when the directory exists */
    fprintf(stderr, "dns: %d files, %u datagrams on port 53, %u parsed whole, %u with a question\n", files, w.seen,
            w.ok, w.names);
    ck_assert_uint_gt(w.seen, 0);
    /* Real resolvers send well-formed messages; a parser rejecting most would be wrong. */
    ck_assert_uint_ge(w.ok * 10, w.seen * 9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dns");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_query);
    tcase_add_test(tc, test_a_aaaa_response);
    tcase_add_test(tc, test_cname_chain);
    tcase_add_test(tc, test_other_types_skipped);
    tcase_add_test(tc, test_answers_capped);
    tcase_add_test(tc, test_compression_hostile);
    tcase_add_test(tc, test_label_and_name_length);
    tcase_add_test(tc, test_escaping_and_root);
    tcase_add_test(tc, test_bad_rdata);
    tcase_add_test(tc, test_every_prefix);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("dissector");
    tcase_add_test(td, test_udp_dissector);
    tcase_add_test(td, test_tcp_split_every_byte);
    suite_add_tcase(s, td);
    char dir[4096];
    int captures = mw_shared_dir("pcaps/traffic", dir, sizeof dir) != NULL;
    if (captures) {
        TCase *tp = tcase_create("captures");
        tcase_set_timeout(tp, 600);
        tcase_add_test(tp, test_shared_captures);
        suite_add_tcase(s, tp);
    }
    return mw_check_run_or_skip(
        s, captures ? NULL : "capture test needs $MW_SHARED_DIR/pcaps/traffic (MW_SHARED_DIR unset or missing)");
}
