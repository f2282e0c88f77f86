/* scen_hostile.c - hostile captures: strings crafted to break a log pipeline, TCP and IP
 * evasion tricks (overlaps with other content, decoys with a low TTL, urgent data,
 * overlapping fragments) and application messages built to exhaust a parser (DNS
 * compression loop, TLS lying lengths, 100k HTTP headers, 2^63-byte WebSocket frame,
 * JSON nested 10k deep). Expected behaviour and policies: docs/evasion.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen.h"

#define SUB_RESULT "{\"id\":1,\"result\":[[[\"mining.set_difficulty\",\"b4b6693b72a50c7116db18d6497cac52\"]," \
                   "[\"mining.notify\",\"ae6812eb4cd7735a302a8a9dd95cf71f\"]],\"08000002\",4],\"error\":null}\n"
#define NOTIFY "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"77a\"," \
               "\"4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000\"," \
               "\"01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20020862062f503253482f04b8864e5008\"," \
               "\"072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000\"," \
               "[],\"00000002\",\"1c2ac4af\",\"504e86b9\",true]}\n"

/* ---- strings from the wire ---- */

/* The nasty bytes every string carries: ANSI colour and clear-screen, quote, backslash,
 * a JSON-escaped newline and NUL-free controls, DEL, invalid UTF-8, U+2028, a raw
 * "fake JSON" fragment. Raw bytes >= 0x80 are legal inside a JSON string for our
 * tokenizer (docs/protocols.md), controls must be escaped or the line is malformed. */
#define NASTY_JSON "\\u001b[31mRED\\u001b[0m\\\"q\\\\b\\nnl\\r\\u0007\\u007f\xff\xfe\xc3\x28\xe2\x80\xa8\\\"},{\\\"x\\\":1"
/* HTTP field values may carry obs-text (bytes >= 0x80) but no controls (RFC 9110 5.5). */
#define HTTP_NASTY "\"q\\b\xff\xfe\xc3\x28\xe2\x80\xa8\"}{"

/* Five evidence sources carrying crafted strings: Stratum agent and a 300-byte worker,
 * XMRig login with a 400-byte wallet and agent, a DNS query for a pool name with control
 * bytes in a label, TLS SNI with them, HTTP getwork with a nasty Host and a long agent. */
static int hostile_strings(struct pg_writer *w, int argc, char **argv)
{
    char agent[256], worker[512], buf[2048];
    struct pg_tcp s;

    /* 1. Stratum V1 */
    snprintf(agent, sizeof agent, "cgminer/4.10.0 " NASTY_JSON);
    int n = snprintf(worker, sizeof worker, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2." NASTY_JSON);
    while (n < 330)
        worker[n++] = 'W';
    worker[n] = '\0';
    scen_tcp(&s, w, "10.20.30.1", 50001, "198.51.100.31", 3333, 31000, 31100);
    scen_stratum1_short(&s, agent, worker);

    /* 2. CryptoNote (XMRig) login: wallet 400 bytes, agent 200 bytes. */
    char wallet[512], xagent[512];
    n = snprintf(wallet, sizeof wallet, "4" NASTY_JSON);
    while (n < 400)
        wallet[n++] = '8';
    wallet[n] = '\0';
    n = snprintf(xagent, sizeof xagent, "XMRig/6.21.0 (Linux x86_64) " NASTY_JSON);
    while (n < 200)
        xagent[n++] = 'A';
    xagent[n] = '\0';
    scen_tcp(&s, w, "10.20.30.2", 50002, "198.51.100.32", 4444, 32000, 32100);
    pg_tcp_handshake(&s);
    snprintf(buf, sizeof buf,
             "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"%s\",\"pass\":\"x\","
             "\"agent\":\"%s\",\"algo\":[\"rx/0\"]}}\n", wallet, xagent);
    scen_c(&s, buf);
    scen_s(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"d1\",\"job\":{\"blob\":\"0707f7a4"
               "000000000000000000000000000000000000000000000000000000000000000000000000000000000000\","
               "\"job_id\":\"j1\",\"target\":\"b88d0600\",\"algo\":\"rx/0\",\"seed_hash\":\"00\"},\"status\":\"OK\"}}\n");
    pg_tcp_fin(&s, PG_C2S);

    /* 3. DNS: control bytes, quote and backslash inside labels of a pool name. */
    uint8_t msg[512];
    struct pg_endpoint c, r;
    pg_endpoint(&c, "10.20.30.3", 50003);
    pg_endpoint(&r, "10.20.0.53", 53);
    static const char qname[] = "\x1b[2J\"q\\\x01\x7f\xff.xmr-eu1.nanopool.org";
    size_t ml = pg_dns_query(msg, sizeof msg, 0x3131, qname, PG_DNS_A);
    pg_udp(w, NULL, &c, &r, msg, ml, 0, 0);

    /* 4. TLS SNI with quote, backslash and JSON-looking bytes in the first label (a name
     * with controls or bytes >= 0x80 is not a DNS name and never matches a list:
     * docs/evasion.md). */
    scen_tcp(&s, w, "10.20.30.4", 50004, "198.51.100.34", 443, 34000, 34100);
    pg_tcp_handshake(&s);
    ml = mb_tls_client_hello(msg, sizeof msg, "\"q\\b\"}{[31m;\\u001b.pool.supportxmr.com", 34);
    pg_tcp_send(&s, PG_C2S, msg, ml, NULL);
    pg_tcp_rst(&s, PG_C2S);

    /* 5. HTTP getwork: a Host with quote, backslash and bad UTF-8, a 300-byte User-Agent. */
    char ua[400];
    n = snprintf(ua, sizeof ua, "cgminer 2.7.2 " HTTP_NASTY);
    while (n < 300)
        ua[n++] = 'U';
    ua[n] = '\0';
    scen_tcp(&s, w, "10.20.30.5", 50005, "198.51.100.35", 8332, 35000, 35100);
    pg_tcp_handshake(&s);
    snprintf(buf, sizeof buf,
             "POST / HTTP/1.1\r\nHost: \"\\\xff\xe2\x80\xa8.198.51.100.35:8332\r\nUser-Agent: %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 44\r\n\r\n"
             "{\"method\": \"getwork\", \"params\": [], \"id\":0}", ua);
    scen_c(&s, buf);
    scen_s(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Long-Polling: /LP\r\nContent-Length: 330\r\n\r\n"
               "{\"result\":{\"midstate\":\"0000000000000000000000000000000000000000000000000000000000000000\","
               "\"data\":\"00000001000000000000000000000000000000000000000000000000000000000000000000000000\","
               "\"hash1\":\"00000000000000000000000000000000000000000000000000000000000000000000\","
               "\"target\":\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffff00000000\"},\"error\":null,\"id\":0}");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* ---- TCP evasion ---- */

static const char SUB[] = "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n";
static const char AUTH[] = "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"evasive.w1\", \"x\"]}\n";

static void rest_of_session(struct pg_tcp *s)
{
    scen_s(s, SUB_RESULT);
    scen_c(s, AUTH);
    scen_s(s, "{\"id\":2,\"result\":true,\"error\":null}\n");
    scen_s(s, NOTIFY);
    pg_tcp_fin(s, PG_C2S);
}

/* The subscribe in tiny segments out of order, then overlapping copies with other bytes:
 * a segment ahead of a hole is held, a later segment over the same bytes differs.
 * First seen wins, so the sensor keeps the real subscribe and counts the mismatch. */
static int tcp_overlap(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.31.1", 51001, "198.51.100.41", 3333, 0xfffffff0u, 41100);
    s.ack_each = 0;
    pg_tcp_handshake(&s);
    uint32_t base = s.next_seq[PG_C2S];
    size_t len = sizeof SUB - 1;
    char decoy[sizeof SUB];
    memset(decoy, 'Z', sizeof decoy);
    /* tail first in 3-byte pieces, back to front (held, wraps the sequence space) */
    for (size_t off = len; off > 20;) {
        size_t k = off - 20 < 3 ? off - 20 : 3;
        off -= k;
        pg_tcp_segment(&s, PG_C2S, base + (uint32_t)off, 0x18, 0, SUB + off, k);
    }
    /* a copy of bytes 20..50 with other content: all of them already held */
    pg_tcp_segment(&s, PG_C2S, base + 20, 0x18, 0, decoy, 30);
    /* the head in 1-byte segments, in order: fills the hole up to the held data */
    for (size_t off = 0; off < 20; off++)
        pg_tcp_segment(&s, PG_C2S, base + (uint32_t)off, 0x10, 0, SUB + off, 1);
    /* an in-order "retransmission" of everything with other content: already delivered */
    pg_tcp_segment(&s, PG_C2S, base, 0x18, 0, decoy, len);
    s.next_seq[PG_C2S] = base + (uint32_t)len;
    pg_advance(w, 20000);
    rest_of_session(&s);
    return 0;
}

/* Decoys with TTL 1 that die at the first router (the pool never sees them) sent just
 * ahead of the real bytes at the same sequence numbers: a sensor on the campus side sees
 * both and cannot know which one the pool receives. */
static int tcp_ttl_decoy(struct pg_writer *w, int argc, char **argv)
{
    static const char fake[] = "{\"id\": 1, \"method\": \"chat.hello\", \"params\": [\"alice\", \"just chatting, nothing\"]}\n";
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.31.2", 51002, "198.51.100.42", 3333, 42000, 42100);
    s.ack_each = 0;
    pg_tcp_handshake(&s);
    uint32_t base = s.next_seq[PG_C2S];
    size_t len = sizeof SUB - 1;
    /* the decoy (same length as the subscribe: the pool's stack would take either) */
    char d[sizeof SUB];
    memset(d, ' ', sizeof d);
    memcpy(d, fake, sizeof fake - 1 < len ? sizeof fake - 1 : len);
    d[len - 1] = '\n';
    /* ahead-of-hole decoy (held by the sensor), then the in-order decoy, both TTL 1 */
    s.link.ttl = 1;
    pg_tcp_segment(&s, PG_C2S, base + 10, 0x18, 0, d + 10, len - 10);
    pg_tcp_segment(&s, PG_C2S, base, 0x10, 0, d, 10);
    /* the real subscribe, TTL 64 */
    s.link.ttl = 64;
    pg_tcp_segment(&s, PG_C2S, base, 0x18, 0, SUB, len);
    s.next_seq[PG_C2S] = base + (uint32_t)len;
    pg_advance(w, 20000);
    rest_of_session(&s);
    return 0;
}

/* Urgent data: the subscribe travels with URG set and the urgent pointer inside it; a
 * receiver without SO_OOBINLINE (the default) removes that one byte from the stream, a
 * sensor cannot know. The urgent byte 'X' makes the line invalid JSON for whoever keeps it. */
static int tcp_urgent(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.31.3", 51003, "198.51.100.43", 3333, 43000, 43100);
    s.ack_each = 0;
    pg_tcp_handshake(&s);
    uint32_t base = s.next_seq[PG_C2S];
    /* "{"id": 1,X..." with 'X' as urgent byte at offset 9 (pointer = 10, RFC 6093: the
     * byte before the pointer is the urgent one, as every stack implements it) */
    char m[sizeof SUB + 1];
    memcpy(m, SUB, 9);
    m[9] = 'X';
    memcpy(m + 10, SUB + 9, sizeof SUB - 9);
    size_t len = strlen(m);
    pg_tcp_segment(&s, PG_C2S, base, 0x38, 10, m, len);
    s.next_seq[PG_C2S] = base + (uint32_t)len;
    /* an urgent pointer past the segment end and one of zero on a later message */
    pg_tcp_segment(&s, PG_C2S, s.next_seq[PG_C2S], 0x38, 0xffff, "\n", 1);
    s.next_seq[PG_C2S] += 1;
    pg_advance(w, 20000);
    rest_of_session(&s);
    return 0;
}

/* ---- overlapping IP fragments ---- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* A DNS answer for xmr-eu1.nanopool.org as a UDP datagram in three fragments (v4) or
 * with IPv6 fragment headers (v6), plus a later fragment over bytes 8..40 carrying other
 * bytes, sent before the datagram completes. First seen wins: the sensor keeps the real
 * answer and counts the mismatch. */
static int frag_overlap(struct pg_writer *w, int argc, char **argv)
{
    int v6 = argc == 1 && strcmp(argv[0], "v6") == 0;
    if (argc > 1 || (argc == 1 && !v6 && strcmp(argv[0], "v4") != 0)) {
        fprintf(stderr, "usage: mwgen frag-overlap [v4|v6] OUTPUT\n");
        return 2;
    }
    struct pg_endpoint c, r;
    pg_endpoint(&c, v6 ? "2001:db8:20::76" : "10.20.32.76", 53032);
    pg_endpoint(&r, v6 ? "2001:db8:20::53" : "10.20.0.53", 53);
    uint8_t msg[512], dg[600], fr[128];
    static const uint8_t addrs[2][16] = { { 198, 51, 100, 77 }, { 198, 51, 100, 78 } };
    size_t ml = pg_dns_query(msg, sizeof msg, 0x3232, "xmr-eu1.nanopool.org", PG_DNS_A);
    pg_udp(w, NULL, &c, &r, msg, ml, 0, 0);
    ml = pg_dns_answer(msg, sizeof msg, 0x3232, "xmr-eu1.nanopool.org", PG_DNS_A, addrs, 2, 300);
    /* the UDP datagram with its checksum, computed over the real (first-seen) bytes */
    size_t dl = ml + 8;
    put16(dg, r.port);
    put16(dg + 2, c.port);
    put16(dg + 4, (uint16_t)dl);
    put16(dg + 6, 0);
    memcpy(dg + 8, msg, ml);
    uint32_t sum = 0;
    size_t al = v6 ? 16 : 4;
    for (size_t i = 0; i < al; i += 2)
        sum += (uint32_t)((r.addr[i] << 8) | r.addr[i + 1]) + (uint32_t)((c.addr[i] << 8) | c.addr[i + 1]);
    sum += 17 + (uint32_t)dl;
    uint16_t ck = pg_cksum(dg, dl, sum);
    put16(dg + 6, ck ? ck : 0xffff);
    /* pieces: [0,24) [24,48) [48,dl); the decoy covers [8,40) */
    const size_t cuts[4] = { 0, 24, 48, dl };
    uint8_t bad[32];
    memset(bad, 0x41, sizeof bad);
    /* order: piece 0, piece 1, the decoy (over bytes both already hold), the last piece */
    static const int order[4] = { 0, 1, 3, 2 };
    for (int j = 0; j < 4; j++) {
        int k = order[j];
        size_t off = k < 3 ? cuts[k] : 8;
        size_t n = k < 3 ? cuts[k + 1] - cuts[k] : sizeof bad;
        const uint8_t *src = k < 3 ? dg + off : bad;
        int mf = k < 3 ? k < 2 : 1;
        if (!v6) {
            pg_ip_raw(w, NULL, &r, &c, 17, src, n, 0x3232, off, mf);
        } else {
            fr[0] = 17;
            fr[1] = 0;
            put16(fr + 2, (uint16_t)(off | (mf ? 1 : 0)));
            fr[4] = 0, fr[5] = 0, fr[6] = 0x32, fr[7] = 0x32;
            memcpy(fr + 8, src, n);
            pg_ip_raw(w, NULL, &r, &c, 44, fr, n + 8, 0, 0, 0);
        }
    }
    return 0;
}

/* ---- parser exhaustion ---- */

/* One hostile application message, then a normal Stratum session from another host that
 * must still be detected: KIND is dnsloop, tlslie, headers, ws63 or deepjson. */
static int hostile_app(struct pg_writer *w, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: mwgen hostile-app dnsloop|tlslie|headers|ws63|deepjson OUTPUT\n");
        return 2;
    }
    const char *k = argv[0];
    struct pg_tcp s;
    size_t big = 1u << 21;
    uint8_t *b = calloc(1, big);
    if (!b)
        return 1;
    if (strcmp(k, "dnsloop") == 0) {
        /* answer whose question name is a pointer to itself, then one pointing to the
         * pointer after it (a two-step loop), on a pool-name lookup id */
        struct pg_endpoint c, r;
        pg_endpoint(&c, "10.20.33.1", 53033);
        pg_endpoint(&r, "10.20.0.53", 53);
        static const uint8_t loop1[] = { 0x33, 0x33, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
                                         0xc0, 12, 0, 1, 0, 1,
                                         0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 198, 51, 100, 1 };
        static const uint8_t loop2[] = { 0x33, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
                                         3, 'x', 'm', 'r', 0xc0, 18, 0xc0, 12, 0, 1, 0, 1 };
        pg_udp(w, NULL, &r, &c, loop1, sizeof loop1, 0, 0);
        pg_udp(w, NULL, &r, &c, loop2, sizeof loop2, 0, 0);
    } else if (strcmp(k, "tlslie") == 0) {
        /* a record claiming 16 KiB that carries 60 bytes, a ClientHello claiming 16 MiB,
         * then a record length beyond the 2^14 limit */
        static const uint8_t lie[] = { 22, 3, 1, 0x40, 0x00, 1, 0xff, 0xff, 0xff, 3, 3 };
        static const uint8_t huge[] = { 22, 3, 3, 0xff, 0xff, 1, 0, 0, 4, 3, 3, 0, 0 };
        scen_tcp(&s, w, "10.20.33.2", 53034, "198.51.100.52", 443, 52000, 52100);
        pg_tcp_handshake(&s);
        memset(b, 0x16, 60);
        memcpy(b, lie, sizeof lie);
        pg_tcp_send(&s, PG_C2S, b, 60, NULL);
        pg_tcp_rst(&s, PG_C2S);
        scen_tcp(&s, w, "10.20.33.2", 53035, "198.51.100.52", 443, 53000, 53100);
        pg_tcp_handshake(&s);
        pg_tcp_send(&s, PG_C2S, huge, sizeof huge, NULL);
        pg_tcp_rst(&s, PG_C2S);
    } else if (strcmp(k, "headers") == 0) {
        /* a POST with 100,000 header lines (1.6 MB) before its getwork body */
        size_t o = (size_t)snprintf((char *)b, big, "POST / HTTP/1.1\r\nHost: 198.51.100.53:8332\r\n");
        for (int i = 0; i < 100000 && o + 64 < big; i++)
            o += (size_t)snprintf((char *)b + o, big - o, "X-H%d: v\r\n", i);
        o += (size_t)snprintf((char *)b + o, big - o, "Content-Length: 44\r\n\r\n"
                              "{\"method\": \"getwork\", \"params\": [], \"id\":0}");
        scen_tcp(&s, w, "10.20.33.3", 53036, "198.51.100.53", 8332, 54000, 54100);
        s.ack_each = 0;
        pg_tcp_handshake(&s);
        pg_tcp_send(&s, PG_C2S, b, o, NULL);
        pg_tcp_fin(&s, PG_C2S);
    } else if (strcmp(k, "ws63") == 0) {
        /* WebSocket upgrade, then a client frame announcing 2^63-1 payload bytes (legal:
         * it swallows the rest of the flow, nothing may be buffered for it); a second
         * flow whose first frame sets the length's top bit (RFC 6455 5.2: malformed). */
        static const uint8_t fr[] = { 0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      1, 2, 3, 4, 'z', 'z', 'z', 'z' };
        static const uint8_t fr2[] = { 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       1, 2, 3, 4, 'z', 'z', 'z', 'z' };
        for (int f = 0; f < 2; f++) {
            scen_tcp(&s, w, "10.20.33.4", (uint16_t)(53037 + 100 * f), "198.51.100.54", 80, 55000, 55100);
            pg_tcp_handshake(&s);
            scen_c(&s, "GET /proxy HTTP/1.1\r\nHost: ws.example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            scen_s(&s, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
            pg_tcp_send(&s, PG_C2S, f ? fr2 : fr, sizeof fr, NULL);
            for (int i = 0; i < 64; i++) /* 90 KB more: swallowed, never buffered */
                pg_tcp_send(&s, PG_C2S, b, 1400, NULL);
            pg_tcp_rst(&s, PG_C2S);
        }
    } else if (strcmp(k, "deepjson") == 0) {
        /* Stratum-looking lines nested 10,000 arrays deep (20 KB, past the line cap) and
         * 7,000 deep (14 KB, inside it: the tokenizer's depth cap must stop it) */
        size_t o = 0;
        for (int depth = 10000; depth >= 7000; depth -= 3000) {
            o += (size_t)snprintf((char *)b + o, big - o, "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": ");
            for (int i = 0; i < depth; i++)
                b[o++] = '[';
            for (int i = 0; i < depth; i++)
                b[o++] = ']';
            b[o++] = '}';
            b[o++] = '\n';
        }
        scen_tcp(&s, w, "10.20.33.5", 53038, "198.51.100.55", 3333, 56000, 56100);
        s.ack_each = 0;
        pg_tcp_handshake(&s);
        pg_tcp_send(&s, PG_C2S, b, o, NULL);
        pg_tcp_fin(&s, PG_C2S);
    } else {
        free(b);
        fprintf(stderr, "mwgen hostile-app: unknown kind '%s'\n", k);
        return 2;
    }
    free(b);
    /* the survivor: detection goes on after the hostile input */
    scen_tcp(&s, w, "10.20.33.9", 53099, "198.51.100.59", 3333, 59000, 59100);
    scen_stratum1_short(&s, "cgminer/4.10.0", "survivor.w1");
    return 0;
}

/* One catalogue name per capture (each pcap case is named after its scenario). */
static int frag_overlap_v4(struct pg_writer *w, int argc, char **argv)
{
    char k[] = "v4", *a[] = { k };
    return argc ? 2 : frag_overlap(w, 1, a);
}
static int frag_overlap_v6(struct pg_writer *w, int argc, char **argv)
{
    char k[] = "v6", *a[] = { k };
    return argc ? 2 : frag_overlap(w, 1, a);
}
#define HOSTILE_APP(fn, kind)                                      \
    static int fn(struct pg_writer *w, int argc, char **argv)      \
    {                                                              \
        char k[] = kind, *a[] = { k };                             \
        return argc ? 2 : hostile_app(w, 1, a);                    \
    }
HOSTILE_APP(app_dnsloop, "dnsloop")
HOSTILE_APP(app_tlslie, "tlslie")
HOSTILE_APP(app_headers, "headers")
HOSTILE_APP(app_ws63, "ws63")
HOSTILE_APP(app_deepjson, "deepjson")

const struct scenario scen_hostile[] = {
    { "hostile-strings", "", "crafted strings (ANSI, controls, bad UTF-8, long) in Stratum, XMRig, DNS, SNI, HTTP", hostile_strings },
    { "tcp-overlap", "", "Stratum subscribe in tiny reversed segments with overlapping other-content copies", tcp_overlap },
    { "tcp-ttl-decoy", "", "TTL-1 decoy segments ahead of the real Stratum subscribe", tcp_ttl_decoy },
    { "tcp-urgent", "", "Stratum with URG segments and urgent pointers", tcp_urgent },
    { "frag-overlap-v4", "", "pool-name DNS answer in IPv4 fragments plus an overlapping one with other bytes", frag_overlap_v4 },
    { "frag-overlap-v6", "", "the same with IPv6 fragment headers", frag_overlap_v6 },
    { "hostile-app-dnsloop", "", "DNS answers with compression loops, then a Stratum session", app_dnsloop },
    { "hostile-app-tlslie", "", "TLS records and ClientHello with lying lengths, then a Stratum session", app_tlslie },
    { "hostile-app-headers", "", "HTTP request with 100,000 headers, then a Stratum session", app_headers },
    { "hostile-app-ws63", "", "WebSocket frames with 2^63-1 and top-bit lengths, then a Stratum session", app_ws63 },
    { "hostile-app-deepjson", "", "Stratum lines nested 10,000 and 7,000 deep, then a Stratum session", app_deepjson },
    { NULL, NULL, NULL, NULL },
};
