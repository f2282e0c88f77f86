/* test_socks.c - SOCKS4/4a/5 parsers (RFC 1928, RFC 1929, the SOCKS4/4A documents) and the
 * SOCKS dissector: every prefix, every split, hostile lengths, the hand-over to the tunnel. */
#include <stdio.h>
#include <string.h>

#include "core/evidence.h"
#include "dissectors/socks.h"
#include "proxy_session.h"
#include "unit/check_main.h"

#define B(...) ((const uint8_t[]){ __VA_ARGS__ })
#define S(x) (const uint8_t *)(x), (sizeof(x) - 1)

/* RFC 1928 messages for a CONNECT to pool.example.net:3333 (names are 3 + LEN + name). */
static const uint8_t greet_noauth[] = { 5, 1, 0 };
static const uint8_t greet_both[] = { 5, 2, 0, 2 };
static const uint8_t choice_none[] = { 5, 0 };
static const uint8_t choice_userpass[] = { 5, 2 };
static const uint8_t auth_req[] = { 1, 5, 'a', 'l', 'i', 'c', 'e', 3, 'p', 'w', 'd' };
static const uint8_t auth_ok[] = { 1, 0 };
static const uint8_t req_name[] = { 5, 1, 0, 3, 16, 'p', 'o', 'o', 'l', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                    '.', 'n', 'e', 't', 0x0d, 0x05 };
static const uint8_t req_v4[] = { 5, 1, 0, 1, 203, 0, 113, 9, 0x11, 0x5c };
static const uint8_t req_v6[] = { 5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, 0x0d, 0x05 };
static const uint8_t reply_ok[] = { 5, 0, 0, 1, 10, 0, 0, 3, 0xc3, 0x50 };
static const uint8_t reply_refused[] = { 5, 5, 0, 1, 0, 0, 0, 0, 0, 0 };
/* SOCKS4 CONNECT 203.0.113.9:3333 user "miner"; SOCKS4a CONNECT xmr.pool.example:443. */
static const uint8_t s4_req[] = { 4, 1, 0x0d, 0x05, 203, 0, 113, 9, 'm', 'i', 'n', 'e', 'r', 0 };
static const uint8_t s4a_req[] = { 4, 1, 0x01, 0xbb, 0, 0, 0, 1, 0, 'x', 'm', 'r', '.', 'p', 'o', 'o', 'l',
                                   '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
static const uint8_t s4_granted[] = { 0, 90, 0, 0, 0, 0, 0, 0 };
static const uint8_t s4_rejected[] = { 0, 91, 0, 0, 0, 0, 0, 0 };
static const char tunnel_c[] = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n";
static const char tunnel_s[] = "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae68\"]],\"08000002\",4],\"error\":null}\n";

/* ---- parsers: every proper prefix needs more, the whole message is its length ---- */

typedef long (*parse_fn)(const uint8_t *, size_t);

static long p_greet(const uint8_t *b, size_t n) { struct socks_slice m; return socks5_parse_greeting(b, n, &m); }
static long p_choice(const uint8_t *b, size_t n) { uint8_t v; return socks5_parse_choice(b, n, &v); }
static long p_auth(const uint8_t *b, size_t n) { struct socks_slice u; return socks5_parse_auth(b, n, &u); }
static long p_astat(const uint8_t *b, size_t n) { uint8_t v; return socks5_parse_auth_status(b, n, &v); }
static long p_req5(const uint8_t *b, size_t n) { struct socks_request r; return socks5_parse_request(b, n, &r); }
static long p_rep5(const uint8_t *b, size_t n) { uint8_t v; return socks5_parse_reply(b, n, &v); }
static long p_req4(const uint8_t *b, size_t n) { struct socks_request r; return socks4_parse_request(b, n, &r); }
static long p_rep4(const uint8_t *b, size_t n) { uint8_t v; return socks4_parse_reply(b, n, &v); }

static void every_prefix(parse_fn fn, const uint8_t *msg, size_t len)
{
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(fn(msg, i) == SOCKS_NEED_MORE, "prefix %zu of %zu", i, len);
    ck_assert_int_eq(fn(msg, len), (long)len);
    uint8_t more[512];
    memcpy(more, msg, len);
    memset(more + len, 0xee, sizeof more - len);
    ck_assert_int_eq(fn(more, sizeof more), (long)len); /* trailing bytes are the next message's */
}

START_TEST(test_parsers_every_prefix)
{
    every_prefix(p_greet, greet_noauth, sizeof greet_noauth);
    every_prefix(p_greet, greet_both, sizeof greet_both);
    every_prefix(p_choice, choice_userpass, sizeof choice_userpass);
    every_prefix(p_auth, auth_req, sizeof auth_req);
    every_prefix(p_astat, auth_ok, sizeof auth_ok);
    every_prefix(p_req5, req_name, sizeof req_name);
    every_prefix(p_req5, req_v4, sizeof req_v4);
    every_prefix(p_req5, req_v6, sizeof req_v6);
    every_prefix(p_rep5, reply_ok, sizeof reply_ok);
    every_prefix(p_req4, s4_req, sizeof s4_req);
    every_prefix(p_req4, s4a_req, sizeof s4a_req);
    every_prefix(p_rep4, s4_granted, sizeof s4_granted);
}
END_TEST

START_TEST(test_parsed_fields)
{
    struct socks_request r;
    ck_assert_int_eq(socks5_parse_request(req_name, sizeof req_name, &r), (long)sizeof req_name);
    ck_assert_uint_eq(r.cmd, SOCKS_CMD_CONNECT);
    ck_assert_uint_eq(r.atyp, SOCKS_ATYP_NAME);
    ck_assert_uint_eq(r.name.len, 16);
    ck_assert(memcmp(r.name.p, "pool.example.net", 16) == 0);
    ck_assert_uint_eq(r.port, 3333);
    ck_assert_int_eq(socks5_parse_request(req_v6, sizeof req_v6, &r), (long)sizeof req_v6);
    ck_assert_uint_eq(r.atyp, SOCKS_ATYP_IPV6);
    ck_assert_uint_eq(r.addr[0], 0x20);
    ck_assert_uint_eq(r.addr[15], 0x53);
    ck_assert_int_eq(socks4_parse_request(s4_req, sizeof s4_req, &r), (long)sizeof s4_req);
    ck_assert_uint_eq(r.atyp, SOCKS_ATYP_IPV4);
    ck_assert_uint_eq(r.addr[0], 203);
    ck_assert_uint_eq(r.port, 3333);
    ck_assert_uint_eq(r.user.len, 5);
    ck_assert_int_eq(socks4_parse_request(s4a_req, sizeof s4a_req, &r), (long)sizeof s4a_req);
    ck_assert_uint_eq(r.atyp, SOCKS_ATYP_NAME);
    ck_assert_uint_eq(r.name.len, 16);
    ck_assert(memcmp(r.name.p, "xmr.pool.example", 16) == 0);
    ck_assert_uint_eq(r.user.len, 0);
    struct socks_slice u;
    ck_assert_int_eq(socks5_parse_auth(auth_req, sizeof auth_req, &u), (long)sizeof auth_req);
    ck_assert_uint_eq(u.len, 5);
    uint8_t v;
    ck_assert_int_eq(socks5_parse_reply(reply_refused, sizeof reply_refused, &v), (long)sizeof reply_refused);
    ck_assert_uint_eq(v, 5);
}
END_TEST

/* Hostile lengths and values fail closed, as soon as the offending byte is visible. */
START_TEST(test_parsers_malformed)
{
    struct socks_slice sl;
    struct socks_request r;
    uint8_t v;
    ck_assert_int_eq(socks5_parse_greeting(B(5, 0), 2, &sl), SOCKS_MALFORMED);         /* NMETHODS 0 */
    ck_assert_int_eq(socks5_parse_greeting(B(5, 3, 0, 0xff), 4, &sl), SOCKS_MALFORMED); /* 0xff offered */
    ck_assert_int_eq(socks5_parse_greeting(B(5, 2, 0x40), 3, &sl), SOCKS_MALFORMED);   /* unassigned */
    ck_assert_int_eq(socks5_parse_greeting(B(4, 1, 0), 3, &sl), SOCKS_MALFORMED);
    ck_assert_int_eq(socks5_parse_choice(B(1, 0), 2, &v), SOCKS_MALFORMED);
    ck_assert_int_eq(socks5_parse_auth(B(1, 0, 1, 'x'), 4, &sl), SOCKS_MALFORMED);     /* ULEN 0 */
    ck_assert_int_eq(socks5_parse_auth(B(1, 1, 'u', 0), 4, &sl), SOCKS_MALFORMED);     /* PLEN 0 */
    ck_assert_int_eq(socks5_parse_auth(B(5, 1, 'u', 1, 'p'), 5, &sl), SOCKS_MALFORMED);
    ck_assert_int_eq(socks5_parse_auth_status(B(5, 0), 2, &v), SOCKS_MALFORMED);
    ck_assert_int_eq(socks5_parse_request(B(5, 4, 0, 1), 4, &r), SOCKS_MALFORMED);      /* CMD 4 */
    ck_assert_int_eq(socks5_parse_request(B(5, 0, 0, 1), 4, &r), SOCKS_MALFORMED);      /* CMD 0 */
    ck_assert_int_eq(socks5_parse_request(B(5, 1, 1, 1), 4, &r), SOCKS_MALFORMED);      /* RSV */
    ck_assert_int_eq(socks5_parse_request(B(5, 1, 0, 2), 4, &r), SOCKS_MALFORMED);      /* ATYP 2 */
    ck_assert_int_eq(socks5_parse_request(B(5, 1, 0, 3, 0, 0, 80), 7, &r), SOCKS_MALFORMED); /* name LEN 0 */
    ck_assert_int_eq(socks5_parse_request(B(5, 1, 0, 3, 3, 'a', 0, 'b', 0, 80), 10, &r), SOCKS_MALFORMED);
    ck_assert_int_eq(socks5_parse_request(B(5, 1, 0, 3, 3, 'a', ' ', 'b', 0, 80), 10, &r), SOCKS_MALFORMED);
    ck_assert_int_eq(socks5_parse_reply(B(5, 9, 0, 1), 4, &v), SOCKS_MALFORMED);        /* REP 9 */
    ck_assert_int_eq(socks4_parse_request(B(4, 3, 0, 80, 1, 2, 3, 4, 0), 9, &r), SOCKS_MALFORMED);
    ck_assert_int_eq(socks4_parse_reply(B(4, 90, 0, 0, 0, 0, 0, 0), 8, &v), SOCKS_MALFORMED);
    ck_assert_int_eq(socks4_parse_reply(B(0, 89, 0, 0, 0, 0, 0, 0), 8, &v), SOCKS_MALFORMED);

    /* SOCKS4 USERID and 4a HOST have no length: 255 bytes and no NUL is the end of patience. */
    uint8_t big[8 + 300];
    memcpy(big, B(4, 1, 0, 80, 1, 2, 3, 4), 8);
    memset(big + 8, 'u', sizeof big - 8);
    for (size_t n = 8; n <= 8 + SOCKS4_FIELD_MAX; n++)
        ck_assert_int_eq(socks4_parse_request(big, n, &r), SOCKS_NEED_MORE);
    ck_assert_int_eq(socks4_parse_request(big, 8 + SOCKS4_FIELD_MAX + 1, &r), SOCKS_MALFORMED);
    ck_assert_int_eq(socks4_parse_request(big, sizeof big, &r), SOCKS_MALFORMED);
    memcpy(big, B(4, 1, 0, 80, 0, 0, 0, 7, 0), 9); /* 4a, empty user, then an endless host */
    memset(big + 9, 'h', sizeof big - 9);
    ck_assert_int_eq(socks4_parse_request(big, 9 + SOCKS4_FIELD_MAX, &r), SOCKS_NEED_MORE);
    ck_assert_int_eq(socks4_parse_request(big, sizeof big, &r), SOCKS_MALFORMED);
    big[9] = 0; /* 4a with an empty host */
    ck_assert_int_eq(socks4_parse_request(big, 10, &r), SOCKS_MALFORMED);
}
END_TEST

/* ---- probe ---- */

START_TEST(test_probe)
{
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.handshake_seen = 1;
    ck_assert_int_eq(socks_dissector.probe(greet_noauth, sizeof greet_noauth, MW_DIR_FWD, &ctx), MW_PROBE_YES);
    ck_assert_int_eq(socks_dissector.probe(greet_noauth, 1, MW_DIR_FWD, &ctx), MW_PROBE_MAYBE);
    ck_assert_int_eq(socks_dissector.probe(s4a_req, sizeof s4a_req, MW_DIR_FWD, &ctx), MW_PROBE_YES);
    ck_assert_int_eq(socks_dissector.probe(s4a_req, 12, MW_DIR_FWD, &ctx), MW_PROBE_MAYBE);
    /* the proxy never speaks first */
    ck_assert_int_eq(socks_dissector.probe(greet_noauth, sizeof greet_noauth, MW_DIR_REV, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(socks_dissector.probe(S("{\"id\":1}\n"), MW_DIR_FWD, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(socks_dissector.probe(S("GET / HTTP/1.1\r\n"), MW_DIR_FWD, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(socks_dissector.probe(B(0x16, 3, 1, 0, 0x40), 5, MW_DIR_FWD, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(socks_dissector.probe(B(5, 2, 0x30, 0), 4, MW_DIR_FWD, &ctx), MW_PROBE_NO);
    ck_assert_int_eq(socks_dissector.probe(B(4, 7, 0, 80), 4, MW_DIR_FWD, &ctx), MW_PROBE_NO);
}
END_TEST

/* ---- dissector sessions, split at every byte ---- */

struct msg {
    int dir;
    const uint8_t *p;
    size_t n;
};

/* Plays a session in chunks of step through the engine. */
static struct applayer_drive *play(const struct msg *m, size_t nm, size_t step)
{
    struct applayer_drive *dr = ps_start(&socks_dissector, 1080);
    for (size_t i = 0; i < nm; i++)
        applayer_drive_steps(dr, m[i].dir, m[i].p, m[i].n, step);
    return dr;
}

static void check_tunnel(struct applayer_drive *dr)
{
    ck_assert_uint_eq(ps_reprobes(dr), 1);
    ck_assert_uint_eq(ps_feed_malformed(dr), 0);
    ck_assert_uint_eq(applayer_drive_events(dr, "socks"), 0);
    ck_assert_int_eq(ps_ev[0].kind, MW_EV_PROXY); /* reported before any tunnel byte */
    ps_check_stratum_behind(dr, 1);
}

START_TEST(test_socks5_name_every_split)
{
    /* The client sends its first tunnel line right behind the request (optimistic data);
     * the proxy's reply and the pool's first line arrive together. */
    uint8_t creq[sizeof req_name + sizeof tunnel_c - 1];
    memcpy(creq, req_name, sizeof req_name);
    memcpy(creq + sizeof req_name, tunnel_c, sizeof tunnel_c - 1);
    uint8_t srep[sizeof reply_ok + sizeof tunnel_s - 1];
    memcpy(srep, reply_ok, sizeof reply_ok);
    memcpy(srep + sizeof reply_ok, tunnel_s, sizeof tunnel_s - 1);
    const struct msg m[] = {
        { MW_DIR_FWD, greet_noauth, sizeof greet_noauth },
        { MW_DIR_REV, choice_none, sizeof choice_none },
        { MW_DIR_FWD, creq, sizeof creq },
        { MW_DIR_REV, srep, sizeof srep },
    };
    for (size_t step = 1; step <= sizeof creq; step++) {
        struct applayer_drive *s = play(m, 4, step);
        check_tunnel(s);
        ck_assert_int_eq(ps_nproxy(), 1);
        ck_assert_int_eq(ps_ev[0].kind, MW_EV_PROXY);
        ck_assert_int_eq(ps_ev[0].variant, MW_VAR_SOCKS_CONNECT);
        ck_assert_uint_eq(ps_ev[0].proxy.proto, MW_PROXY_SOCKS5);
        ck_assert_str_eq(ps_ev[0].pool_host, "pool.example.net");
        ck_assert_uint_eq(ps_ev[0].proxy.target_port, 3333);
        ck_assert_uint_eq(ps_ev[0].proxy.has_target_addr, 0);
        ck_assert_uint_eq(ps_ev[0].client_dir, MW_DIR_FWD);
        ck_assert_str_eq(ps_ev[0].method, "CONNECT");
        applayer_drive_free(s);
    }
}
END_TEST

START_TEST(test_socks5_userpass_every_split)
{
    uint8_t srep[sizeof reply_ok + sizeof tunnel_s - 1];
    memcpy(srep, reply_ok, sizeof reply_ok);
    memcpy(srep + sizeof reply_ok, tunnel_s, sizeof tunnel_s - 1);
    const struct msg m[] = {
        { MW_DIR_FWD, greet_both, sizeof greet_both },
        { MW_DIR_REV, choice_userpass, sizeof choice_userpass },
        { MW_DIR_FWD, auth_req, sizeof auth_req },
        { MW_DIR_REV, auth_ok, sizeof auth_ok },
        { MW_DIR_FWD, req_v4, sizeof req_v4 },
        { MW_DIR_REV, srep, sizeof srep },
        { MW_DIR_FWD, (const uint8_t *)tunnel_c, sizeof tunnel_c - 1 },
    };
    for (size_t step = 1; step <= sizeof srep; step++) {
        struct applayer_drive *s = play(m, 7, step);
        check_tunnel(s);
        ck_assert_int_eq(ps_nproxy(), 1);
        ck_assert_uint_eq(ps_ev[0].proxy.proto, MW_PROXY_SOCKS5);
        ck_assert_uint_eq(ps_ev[0].proxy.has_target_addr, 1);
        struct mw_addr want;
        mw_addr_from_v4(&want, B(203, 0, 113, 9));
        ck_assert(memcmp(&ps_ev[0].proxy.target_addr, &want, sizeof want) == 0);
        ck_assert_uint_eq(ps_ev[0].proxy.target_port, 4444);
        ck_assert_str_eq(ps_ev[0].pool_host, "");
        ck_assert_str_eq(ps_ev[0].worker, ""); /* the proxy login is not a mining worker */
        applayer_drive_free(s);
    }
}
END_TEST

START_TEST(test_socks4_and_4a_every_split)
{
    for (int v4a = 0; v4a <= 1; v4a++) {
        const uint8_t *rq = v4a ? s4a_req : s4_req;
        size_t rqn = v4a ? sizeof s4a_req : sizeof s4_req;
        uint8_t srep[sizeof s4_granted + sizeof tunnel_s - 1];
        memcpy(srep, s4_granted, sizeof s4_granted);
        memcpy(srep + sizeof s4_granted, tunnel_s, sizeof tunnel_s - 1);
        const struct msg m[] = {
            { MW_DIR_FWD, rq, rqn },
            { MW_DIR_REV, srep, sizeof srep },
            { MW_DIR_FWD, (const uint8_t *)tunnel_c, sizeof tunnel_c - 1 },
        };
        for (size_t step = 1; step <= sizeof srep; step++) {
            struct applayer_drive *s = play(m, 3, step);
            check_tunnel(s);
            ck_assert_int_eq(ps_nproxy(), 1);
            if (v4a) {
                ck_assert_uint_eq(ps_ev[0].proxy.proto, MW_PROXY_SOCKS4A);
                ck_assert_str_eq(ps_ev[0].pool_host, "xmr.pool.example");
                ck_assert_uint_eq(ps_ev[0].proxy.target_port, 443);
            } else {
                ck_assert_uint_eq(ps_ev[0].proxy.proto, MW_PROXY_SOCKS4);
                ck_assert_uint_eq(ps_ev[0].proxy.has_target_addr, 1);
                ck_assert_uint_eq(ps_ev[0].proxy.target_addr.b[12], 203);
                ck_assert_uint_eq(ps_ev[0].proxy.target_port, 3333);
            }
            applayer_drive_free(s);
        }
    }
}
END_TEST

/* Refusals close the dissector without handing anything on; the attempt is still reported. */
START_TEST(test_refusals)
{
    struct applayer_drive *s;
    const struct msg refused5[] = {
        { MW_DIR_FWD, greet_noauth, sizeof greet_noauth },
        { MW_DIR_REV, choice_none, sizeof choice_none },
        { MW_DIR_FWD, req_name, sizeof req_name },
        { MW_DIR_REV, reply_refused, sizeof reply_refused },
    };
    s = play(refused5, 4, 64);
    ck_assert_int_eq(ps_reprobes(s), 0);
    ck_assert_int_eq(ps_closed(s), 1);
    ck_assert_int_eq(ps_nev, 1);
    applayer_drive_free(s);

    const struct msg noacc[] = {
        { MW_DIR_FWD, greet_both, sizeof greet_both },
        { MW_DIR_REV, B(5, 0xff), 2 },
    };
    s = play(noacc, 2, 64);
    ck_assert_int_eq(ps_closed(s), 1);
    ck_assert_int_eq(ps_nev, 0);
    applayer_drive_free(s);

    const struct msg gss[] = { /* GSSAPI wraps what follows: nothing more to read */
        { MW_DIR_FWD, B(5, 1, 1), 3 },
        { MW_DIR_REV, B(5, 1), 2 },
    };
    s = play(gss, 2, 64);
    ck_assert_int_eq(ps_closed(s), 1);
    applayer_drive_free(s);

    const struct msg badauth[] = {
        { MW_DIR_FWD, greet_both, sizeof greet_both },
        { MW_DIR_REV, choice_userpass, sizeof choice_userpass },
        { MW_DIR_FWD, auth_req, sizeof auth_req },
        { MW_DIR_REV, B(1, 1), 2 },
    };
    s = play(badauth, 4, 64);
    ck_assert_int_eq(ps_closed(s), 1);
    ck_assert_int_eq(ps_reprobes(s), 0);
    applayer_drive_free(s);

    const struct msg rej4[] = {
        { MW_DIR_FWD, s4_req, sizeof s4_req },
        { MW_DIR_REV, s4_rejected, sizeof s4_rejected },
    };
    s = play(rej4, 2, 64);
    ck_assert_int_eq(ps_closed(s), 1);
    ck_assert_int_eq(ps_reprobes(s), 0);
    ck_assert_int_eq(ps_nev, 1);
    applayer_drive_free(s);
}
END_TEST

/* BIND opens the tunnel after its second reply; UDP ASSOCIATE leaves a control channel. */
START_TEST(test_bind_and_udp)
{
    struct applayer_drive *s;
    const struct msg bind[] = {
        { MW_DIR_FWD, greet_noauth, sizeof greet_noauth },
        { MW_DIR_REV, choice_none, sizeof choice_none },
        { MW_DIR_FWD, B(5, 2, 0, 1, 198, 51, 100, 1, 0, 21), 10 },
        { MW_DIR_REV, reply_ok, sizeof reply_ok },
    };
    s = play(bind, 4, 3);
    ck_assert_int_eq(ps_reprobes(s), 0);
    ck_assert_int_eq(ps_nev, 0); /* not a CONNECT: no target to match */
    applayer_drive_steps(s, MW_DIR_REV, reply_ok, sizeof reply_ok, 3);
    ck_assert_int_eq(ps_reprobes(s), 1);
    applayer_drive_free(s);

    const struct msg udp[] = {
        { MW_DIR_FWD, greet_noauth, sizeof greet_noauth },
        { MW_DIR_REV, choice_none, sizeof choice_none },
        { MW_DIR_FWD, B(5, 3, 0, 1, 0, 0, 0, 0, 0, 0), 10 },
        { MW_DIR_REV, reply_ok, sizeof reply_ok },
    };
    s = play(udp, 4, 1);
    ck_assert_int_eq(ps_reprobes(s), 0);
    ck_assert_int_eq(ps_closed(s), 1);
    ck_assert_int_eq(ps_nev, 0);
    applayer_drive_free(s);
}
END_TEST

/* Hostile handshakes are counted and detach the dissector; nothing is reported. */
START_TEST(test_hostile_handshakes)
{
    struct applayer_drive *s;
    const struct msg greet[] = { { MW_DIR_FWD, greet_noauth, sizeof greet_noauth } };
    s = play(greet, 1, 64);
    applayer_drive_steps(s, MW_DIR_REV, B(5, 0, 5, 1), 4, 64); /* choice then garbage in place of a reply */
    ck_assert_int_eq(ps_feed_malformed(s), 0);
    applayer_drive_steps(s, MW_DIR_FWD, B(9, 9, 9), 3, 64); /* neither a request nor an auth */
    ck_assert_int_eq(ps_feed_malformed(s), 1);
    ck_assert_uint_eq(applayer_drive_stat(s, "app.socks.malformed"), 1);
    ck_assert_int_eq(ps_nev, 0);
    applayer_drive_free(s);

    const struct msg noauth_offered[] = { /* user/pass sent although only no-auth was offered */
        { MW_DIR_FWD, greet_noauth, sizeof greet_noauth },
        { MW_DIR_FWD, auth_req, sizeof auth_req },
    };
    s = play(noauth_offered, 2, 1);
    ck_assert_int_eq(ps_feed_malformed(s), 1);
    applayer_drive_free(s);

    const struct msg bad_reply[] = {
        { MW_DIR_FWD, greet_noauth, sizeof greet_noauth },
        { MW_DIR_REV, choice_none, sizeof choice_none },
        { MW_DIR_FWD, req_name, sizeof req_name },
        { MW_DIR_REV, B(5, 0, 0, 7, 1, 2, 3, 4), 8 }, /* ATYP 7 */
    };
    s = play(bad_reply, 4, 2);
    ck_assert_int_eq(ps_feed_malformed(s), 1);
    ck_assert_int_eq(ps_reprobes(s), 0);
    applayer_drive_free(s);

}
END_TEST

static Suite *socks_suite(void)
{
    Suite *su = suite_create("socks");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parsers_every_prefix);
    tcase_add_test(tc, test_parsed_fields);
    tcase_add_test(tc, test_parsers_malformed);
    tcase_add_test(tc, test_probe);
    tcase_add_test(tc, test_socks5_name_every_split);
    tcase_add_test(tc, test_socks5_userpass_every_split);
    tcase_add_test(tc, test_socks4_and_4a_every_split);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_bind_and_udp);
    tcase_add_test(tc, test_hostile_handshakes);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return mw_check_run(socks_suite());
}
