/* dns.c - DNS message parser and dissector (RFC 1035 4.1, RFC 2181, RFC 3596, RFC 6891).
 *
 * Wire layout (RFC 1035 4.1.1-4.1.4), all big-endian:
 *   header   id(2) flags(2: QR|opcode4|AA|TC|RD|RA|Z|AD|CD|rcode4) qd an ns ar (2 each)
 *   question name, type(2), class(2)
 *   RR       name, type(2), class(2), ttl(4), rdlength(2), rdata(rdlength)
 *   name     labels len(1, 0..63)+bytes ending in 0, or a pointer 11xxxxxx xxxxxxxx
 *            (offset from the start of the message) replacing the remaining labels.
 *   TCP      each message is preceded by a 2-byte length (RFC 1035 4.2.2).
 *
 * Compression pointers must lead strictly backwards, each before the start of the
 * labels it interrupts, so a chain of jumps always terminates; anything else is a loop
 * or a bad pointer. Names are rendered in presentation form with the case kept; bytes
 * that would make the text ambiguous ('.', '\\', non-printables) are escaped.
 */
#include <stddef.h>
#include <string.h>

#include "dissectors/dns.h"
#include "core/reader.h"

#define DNS_HEADER_LEN 12
#define DNS_WIRE_NAME_MAX 255
#define DNS_PORT 53

/* Appends one byte of a label, escaped, into text; sets *trunc when out of room. */
static void name_put(char *text, size_t size, size_t *o, uint8_t b, int *trunc)
{
    char tmp[4];
    size_t n;
    if (b == '.' || b == '\\') {
        tmp[0] = '\\';
        tmp[1] = (char)b;
        n = 2;
    } else if (b < 0x21 || b > 0x7e) {
        tmp[0] = '\\';
        tmp[1] = (char)('0' + b / 100);
        tmp[2] = (char)('0' + (b / 10) % 10);
        tmp[3] = (char)('0' + b % 10);
        n = 4;
    } else {
        tmp[0] = (char)b;
        n = 1;
    }
    if (*trunc || *o + n >= size) {
        *trunc = 1;
        return;
    }
    memcpy(text + *o, tmp, n);
    *o += n;
}

int dns_name_decode(const uint8_t *msg, size_t len, size_t off, char *text, size_t size, size_t *next,
                    int *truncated)
{
    size_t pos = off, seg_start = off, o = 0, wire = 1;
    int jumped = 0, jumps = 0, trunc = 0;
    text[0] = '\0';
    for (;;) {
        if (pos >= len)
            return DNS_ERR_TRUNCATED;
        uint8_t c = msg[pos];
        if (c == 0) {
            if (!jumped)
                *next = pos + 1;
            break;
        }
        if ((c & 0xc0) == 0xc0) {
            if (pos + 1 >= len)
                return DNS_ERR_TRUNCATED;
            size_t t = ((size_t)(c & 0x3f) << 8) | msg[pos + 1];
            if (!jumped) {
                *next = pos + 2;
                jumped = 1;
            }
            if (t >= len || t < DNS_HEADER_LEN || t > pos)
                return DNS_ERR_BAD_POINTER;
            /* Into the labels just read (or onto itself): following it repeats forever. */
            if (t >= seg_start || ++jumps > DNS_MAX_JUMPS)
                return DNS_ERR_COMPRESSION_LOOP;
            pos = seg_start = t;
            continue;
        }
        if (c & 0xc0)
            return DNS_ERR_LABEL; /* 0x40 extended (RFC 6891 deprecated it) / 0x80 reserved */
        wire += (size_t)c + 1;
        if (wire > DNS_WIRE_NAME_MAX)
            return DNS_ERR_NAME_TOO_LONG;
        if (len - pos - 1 < c)
            return DNS_ERR_TRUNCATED;
        if (o > 0 && !trunc) {
            if (o + 1 >= size)
                trunc = 1;
            else
                text[o++] = '.';
        }
        for (size_t i = 0; i < c; i++)
            name_put(text, size, &o, msg[pos + 1 + i], &trunc);
        pos += 1 + (size_t)c;
    }
    if (o == 0) {
        text[o++] = '.'; /* the root */
    }
    text[o] = '\0';
    if (truncated)
        *truncated = trunc;
    return DNS_OK;
}

/* Reads a name at r->off into text and advances the reader past it. */
static int read_name(struct mw_reader *r, char *text, size_t size, struct mw_dns_record *out)
{
    size_t next = 0;
    int trunc = 0;
    int rc = dns_name_decode(r->p, r->len, r->off, text, size, &next, &trunc);
    if (rc != DNS_OK)
        return rc;
    if (trunc)
        out->name_truncated = 1;
    r->off = next;
    return DNS_OK;
}

enum dns_section { SEC_ANSWER, SEC_AUTHORITY, SEC_ADDITIONAL };

/* Walks one resource record; answers (up to the cap) are stored. */
static int read_rr(struct mw_reader *r, struct mw_dns_record *out, enum dns_section sec)
{
    char scratch[DNS_NAME_TEXT];
    struct dns_answer *a = NULL;
    if (sec == SEC_ANSWER && out->answer_count < DNS_MAX_ANSWERS) {
        a = &out->answers[out->answer_count];
        memset(a, 0, sizeof *a); /* dns_parse cleared only the header part */
    }
    int rc = read_name(r, a ? a->name : scratch, a ? sizeof a->name : sizeof scratch, out);
    if (rc != DNS_OK)
        return rc;
    uint16_t type = mw_reader_be16(r);
    uint16_t rrclass = mw_reader_be16(r);
    uint32_t ttl = mw_reader_be32(r);
    uint16_t rdlen = mw_reader_be16(r);
    size_t rdata = r->off;
    if (r->err || !mw_reader_has(r, rdlen))
        return DNS_ERR_TRUNCATED;
    size_t rdend = rdata + rdlen;

    if (sec == SEC_ADDITIONAL && type == DNS_TYPE_OPT) {
        /* RFC 6891 6.1.2-6.1.3: class is the UDP payload size, TTL carries the
         * extended rcode and version. Options are skipped with the rdata. */
        out->has_opt = 1;
        out->edns_udp_size = rrclass;
        out->ext_rcode = (uint8_t)(ttl >> 24);
        out->edns_version = (uint8_t)(ttl >> 16);
    }
    if (a) {
        a->type = type;
        a->rrclass = rrclass;
        a->ttl = ttl;
        a->rdlength = rdlen;
        if (type == DNS_TYPE_A || type == DNS_TYPE_AAAA) {
            size_t want = type == DNS_TYPE_A ? 4 : 16;
            if (rdlen != want)
                return DNS_ERR_RDATA;
            if (type == DNS_TYPE_A)
                mw_addr_from_v4(&a->addr, r->p + rdata);
            else
                memcpy(a->addr.b, r->p + rdata, 16);
            a->has_addr = 1;
        } else if (type == DNS_TYPE_CNAME || type == DNS_TYPE_PTR || type == DNS_TYPE_NS) {
            size_t next = 0;
            int trunc = 0;
            rc = dns_name_decode(r->p, r->len, rdata, a->target, sizeof a->target, &next, &trunc);
            if (rc != DNS_OK)
                return rc;
            if (next != rdend) /* the name must fill its rdata exactly */
                return DNS_ERR_RDATA;
            if (trunc)
                out->name_truncated = 1;
            a->has_target = 1;
        }
        out->answer_count++;
    }
    r->off = rdend;
    return DNS_OK;
}

int dns_parse(const uint8_t *msg, size_t len, struct mw_dns_record *out)
{
    /* The answers (~9 KB) are cleared one by one as they are stored: clearing them all was
     * most of the cost of a short DNS message. Readers stop at answer_count. */
    memset(out, 0, offsetof(struct mw_dns_record, answers));
    struct mw_reader r = mw_reader_make(msg, len);
    out->id = mw_reader_be16(&r);
    out->flags = mw_reader_be16(&r);
    out->qdcount = mw_reader_be16(&r);
    out->ancount = mw_reader_be16(&r);
    out->nscount = mw_reader_be16(&r);
    out->arcount = mw_reader_be16(&r);
    if (r.err)
        return DNS_ERR_TRUNCATED;
    out->qr = (uint8_t)(out->flags >> 15);
    out->opcode = (uint8_t)((out->flags >> 11) & 0x0f);
    out->aa = (uint8_t)((out->flags >> 10) & 1);
    out->tc = (uint8_t)((out->flags >> 9) & 1);
    out->rd = (uint8_t)((out->flags >> 8) & 1);
    out->ra = (uint8_t)((out->flags >> 7) & 1);
    out->rcode = (uint8_t)(out->flags & 0x0f);

    char scratch[DNS_NAME_TEXT];
    for (unsigned i = 0; i < out->qdcount; i++) {
        int first = i == 0;
        /* cppcheck-suppress legacyUninitvar ; read_name writes the buffer, never reads it */
        int rc = read_name(&r, first ? out->rrname : scratch, DNS_NAME_TEXT, out);
        if (rc != DNS_OK)
            return rc;
        uint16_t type = mw_reader_be16(&r);
        uint16_t qclass = mw_reader_be16(&r);
        if (r.err)
            return DNS_ERR_TRUNCATED;
        if (first) {
            out->rrtype = type;
            out->rrclass = qclass;
            out->has_question = 1;
        }
        out->questions_parsed++;
    }
    static const enum dns_section secs[3] = { SEC_ANSWER, SEC_AUTHORITY, SEC_ADDITIONAL };
    const uint16_t counts[3] = { out->ancount, out->nscount, out->arcount };
    uint16_t *parsed[3] = { &out->answers_parsed, &out->authority_parsed, &out->additional_parsed };
    for (int s = 0; s < 3; s++) {
        for (unsigned i = 0; i < counts[s]; i++) {
            int rc = read_rr(&r, out, secs[s]);
            if (rc != DNS_OK)
                return rc;
            (*parsed[s])++;
        }
    }
    return DNS_OK;
}

const char *dns_type_name(uint16_t type)
{
    switch (type) {
    case DNS_TYPE_A: return "A";
    case DNS_TYPE_NS: return "NS";
    case DNS_TYPE_CNAME: return "CNAME";
    case DNS_TYPE_SOA: return "SOA";
    case DNS_TYPE_PTR: return "PTR";
    case DNS_TYPE_MX: return "MX";
    case DNS_TYPE_TXT: return "TXT";
    case DNS_TYPE_AAAA: return "AAAA";
    case DNS_TYPE_SRV: return "SRV";
    case DNS_TYPE_OPT: return "OPT";
    case 43: return "DS";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 257: return "CAA";
    default: return "UNKNOWN";
    }
}

const char *dns_rcode_name(uint8_t rcode)
{
    static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                         "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE" };
    return rcode < sizeof names / sizeof names[0] ? names[rcode] : "UNKNOWN";
}

int dns_result_event(int result)
{
    switch (result) {
    case DNS_ERR_TRUNCATED: return DNS_EV_TRUNCATED;
    case DNS_ERR_COMPRESSION_LOOP: return DNS_EV_COMPRESSION_LOOP;
    case DNS_ERR_BAD_POINTER: return DNS_EV_BAD_POINTER;
    case DNS_ERR_LABEL: return DNS_EV_BAD_LABEL;
    case DNS_ERR_NAME_TOO_LONG: return DNS_EV_NAME_TOO_LONG;
    case DNS_ERR_RDATA: return DNS_EV_BAD_RDATA;
    default: return -1;
    }
}

/* ---- dissector ------------------------------------------------------------ */

enum dns_mode { DNS_MODE_UNKNOWN = 0, DNS_MODE_UDP, DNS_MODE_TCP };

struct dns_state {
    uint8_t mode;
};

/* Emits one message; the question name is what the integrator matches. */
static void dns_report(struct mw_dctx *ctx, int dir, const uint8_t *msg, size_t len)
{
    struct mw_dns_record rec;
    int rc = dns_parse(msg, len, &rec);
    int ev_id = dns_result_event(rc);
    if (ev_id >= 0)
        mw_event(ctx, (unsigned)ev_id);
    if (!rec.has_question || !ctx->emit)
        return;
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_NAME;
    ev.variant = MW_VAR_DNS;
    /* Queries are sent by the client, responses by the server. */
    ev.client_dir = (uint8_t)(rec.qr ? !dir : dir);
    ev.sides = rec.qr ? MW_SIDE_SERVER : MW_SIDE_CLIENT;
    const char *m = rec.qr ? "answer" : "query";
    mw_ev_set(ev.method, sizeof ev.method, m, strlen(m));
    mw_ev_set(ev.pool_host, sizeof ev.pool_host, rec.rrname, strlen(rec.rrname));
    ev.dns = &rec;
    ctx->emit(ctx, &ev);
}

static int dns_probe(const uint8_t *data, size_t len, int dir, const struct mw_dctx *ctx)
{
    (void)dir;
    if (ctx->port[MW_DIR_FWD] != DNS_PORT && ctx->port[MW_DIR_REV] != DNS_PORT)
        return MW_PROBE_NO;
    return len >= 2 ? MW_PROBE_YES : MW_PROBE_MAYBE;
}

static void dns_init(void *state)
{
    memset(state, 0, sizeof(struct dns_state));
}

/* The contract does not tell a dissector its transport, so the first bytes decide: a
 * flow whose handshake was seen is TCP; otherwise a datagram that parses as a DNS
 * message is UDP, and one whose first two bytes frame a DNS message that follows is
 * TCP. A midstream TCP pickup whose first frame is incomplete is taken for UDP and its
 * messages count as malformed. */
static uint8_t dns_guess_mode(const uint8_t *data, size_t len, const struct mw_dctx *ctx)
{
    if (ctx->handshake_seen)
        return DNS_MODE_TCP;
    struct mw_dns_record rec;
    if (dns_parse(data, len, &rec) == DNS_OK && rec.has_question)
        return DNS_MODE_UDP;
    size_t mlen = len >= 2 ? mw_load_be16(data) : 0;
    if (mlen >= DNS_HEADER_LEN && mlen <= len - 2 && dns_parse(data + 2, mlen, &rec) == DNS_OK)
        return DNS_MODE_TCP;
    return DNS_MODE_UDP;
}

static long dns_feed(void *state, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len)
{
    struct dns_state *st = state;
    if (st->mode == DNS_MODE_UNKNOWN)
        st->mode = dns_guess_mode(data, len, ctx);
    if (st->mode == DNS_MODE_UDP) {
        dns_report(ctx, dir, data, len);
        return (long)len;
    }
    size_t off = 0;
    while (len - off >= 2) {
        size_t mlen = mw_load_be16(data + off);
        if (mlen < DNS_HEADER_LEN) {
            mw_event(ctx, DNS_EV_TCP_BAD_LENGTH);
            return MW_FEED_MALFORMED; /* framing is lost: nothing after this can be trusted */
        }
        if (len - off - 2 < mlen) {
            if (off == 0)
                ctx->need = (uint32_t)(2 + mlen);
            break; /* need more */
        }
        dns_report(ctx, dir, data + off + 2, mlen);
        off += 2 + mlen;
    }
    return (long)off;
}

static void dns_gap(void *state, struct mw_dctx *ctx, int dir)
{
    struct dns_state *st = state;
    (void)dir;
    /* A TCP stream has no resync point after a loss; datagrams are independent. */
    if (st->mode == DNS_MODE_TCP)
        ctx->closed = 1;
}

const struct mw_dissector dns_dissector = {
    .name = "dns",
    .transports = MW_TRANSPORT_UDP | MW_TRANSPORT_TCP,
    .state_size = sizeof(struct dns_state),
    .probe = dns_probe,
    .init = dns_init,
    .feed = dns_feed,
    .gap = dns_gap,
    .fini = NULL,
    .events = (const char *const[]){ [DNS_EV_TRUNCATED] = "truncated",
                                     [DNS_EV_COMPRESSION_LOOP] = "compression_loop",
                                     [DNS_EV_BAD_POINTER] = "bad_pointer",
                                     [DNS_EV_BAD_LABEL] = "bad_label",
                                     [DNS_EV_NAME_TOO_LONG] = "name_too_long",
                                     [DNS_EV_BAD_RDATA] = "bad_rdata",
                                     [DNS_EV_TCP_BAD_LENGTH] = "tcp_bad_length" },
    .nevents = DNS_EV_COUNT,
};
