/* scen_mining.c - mining sessions of every dialect in docs/PROTOCOLS.md, written from the
 * specifications (Bitcoin wiki Stratum page, BIP 310, NiceHash EthereumStratum/1.0.0,
 * open-ethereum-pool, xmrig-proxy STRATUM.md, BIP 22/23, sv2-spec, RFC 6455).
 *
 * Addresses: miners in 10.20.0.0/16 (the "campus"), pools in the documentation ranges
 * 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32. Each scenario uses its
 * own pair so tests/pcap/cases/ can assert them. Key order and spacing differ on purpose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen.h"

#define PREVHASH "74bf20f876ffc474c0251908fcdce4b314f68d9dcbd7a085a368932ff2b2d409"
#define SEEDHASH "dd311ca871902316d9841aab4ccec38d79d89a0da0c41aebb8f010b8e9a5b5ab"
#define HEADERHASH "89c3049787a5d33aa7e52a6e87316a58a2b4d98ebd9dd1d460fd71e9a7293711"
#define XMR_BLOB "1010e8a1b5b006" "6d10f35970d13a48f1b763357840fc1878d1fa0141312f12fa5a2bcc9b86ad340c251bec1d1bfadde07682d7d40ab83e3c3a30f47c123c50a303f99217331a52757ec8bcbd2c7d5df4c453ff"
#define XMR_RESULT "e54864a79d86908fc65b7af4df6e0f2c1e77268768451851a5d2232891bea00a"
#define XMR_WALLET "48MASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4deS4F3cw9KTAb8dLcukC7edhDQ7cn5d4gEYkbUrMWeWQLGsCmrG6dLaYyNoVK"
#define ETH_WALLET "0xb85150eb365e7df0941f0cf08235f987ba91506a"

/* ---- Stratum V1, Bitcoin family ---- */

#define BTC_SUB_RESULT                                                                            \
    "{\"id\":1,\"result\":[[[\"mining.set_difficulty\",\"b4b6693b72a50c7116db18d6497cac52\"],"     \
    "[\"mining.notify\",\"ae6812eb4cd7735a302a8a9dd95cf71f\"]],\"08000002\",4],\"error\":null}\n"
#define BTC_NOTIFY(job, clean)                                                                    \
    "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"" job "\",\"" PREVHASH "\","        \
    "\"01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20020862062f503253482f04b8864e5008\"," \
    "\"072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000\"," \
    "[\"" SEEDHASH "\"],\"20000000\",\"1703a30c\",\"65f1c2a0\"," clean "]}\n"

void scen_stratum1_short(struct pg_tcp *s, const char *agent, const char *worker)
{
    char buf[512];
    pg_tcp_handshake(s);
    snprintf(buf, sizeof buf, "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"%s\"]}\n", agent);
    scen_c(s, buf);
    scen_s(s, BTC_SUB_RESULT);
    snprintf(buf, sizeof buf, "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"%s\", \"x\"]}\n", worker);
    scen_c(s, buf);
    scen_s(s, "{\"id\":2,\"result\":true,\"error\":null}\n"
              "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[16384]}\n");
    scen_s(s, BTC_NOTIFY("4d2", "true"));
    snprintf(buf, sizeof buf, "{\"id\": 3, \"method\": \"mining.submit\", \"params\": [\"%s\", \"4d2\", \"00000001\", \"65f1c2a0\", \"9a3b2c1d\"]}\n", worker);
    scen_c(s, buf);
    scen_s(s, "{\"id\":3,\"result\":true,\"error\":null}\n");
    pg_tcp_fin(s, PG_C2S);
}

/* cgminer 4.x: spaces after separators, numeric ids from 0, a rejected share. */
static void stratum1_btc_session(struct pg_tcp *s, int handshake)
{
    if (handshake)
        pg_tcp_handshake(s);
    scen_c(s, "{\"id\": 0, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n");
    scen_s(s, "{\"id\":0,\"result\":[[[\"mining.set_difficulty\",\"deadbeefcafebabe0100000000000000\"],"
              "[\"mining.notify\",\"deadbeefcafebabe0100000000000000\"]],\"6a1e0f3b\",4],\"error\":null}\n");
    scen_c(s, "{\"id\": 1, \"method\": \"mining.authorize\", \"params\": [\"campusrig.worker1\", \"x\"]}\n");
    scen_s(s, "{\"id\":1,\"result\":true,\"error\":null}\n");
    scen_s(s, "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[8192]}\n");
    scen_s(s, BTC_NOTIFY("1f7a", "true"));
    pg_advance(s->w, 2000000);
    scen_c(s, "{\"params\": [\"campusrig.worker1\", \"1f7a\", \"00000000\", \"65f1c2a0\", \"3c2f1a90\"], \"id\": 4, \"method\": \"mining.submit\"}\n");
    scen_s(s, "{\"id\":4,\"result\":true,\"error\":null}\n");
    pg_advance(s->w, 3000000);
    scen_c(s, "{\"params\": [\"campusrig.worker1\", \"1f7a\", \"01000000\", \"65f1c2a0\", \"77d1e4b2\"], \"id\": 5, \"method\": \"mining.submit\"}\n");
    scen_s(s, "{\"id\":5,\"result\":null,\"error\":[23,\"Low difficulty share\",null]}\n");
    scen_s(s, BTC_NOTIFY("1f7b", "false"));
    pg_tcp_fin(s, PG_C2S);
}

static int stratum1_btc(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.1.11", 49152, "198.51.100.10", 3333, 1000, 900000);
    stratum1_btc_session(&s, 1);
    return 0;
}

/* An ASIC-style client on 443 with compact JSON and BIP 310 version rolling first. */
static int stratum1_compact_443(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.1.12", 51000, "198.51.100.11", 443, 77777, 55555);
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"id\":1,\"method\":\"mining.configure\",\"params\":[[\"version-rolling\"],{\"version-rolling.mask\":\"1fffe000\",\"version-rolling.min-bit-count\":2}]}\n");
    scen_s(&s, "{\"id\":1,\"result\":{\"version-rolling\":true,\"version-rolling.mask\":\"1fffe000\"},\"error\":null}\n");
    scen_c(&s, "{\"id\":2,\"method\":\"mining.subscribe\",\"params\":[\"bmminer/2.0.0\"]}\n");
    scen_s(&s, "{\"error\":null,\"id\":2,\"result\":[[[\"mining.notify\",\"1a2b3c\"]],\"f0e1d2c3\",8]}\n");
    scen_c(&s, "{\"id\":3,\"method\":\"mining.authorize\",\"params\":[\"antminer01.s19\",\"123\"]}\n");
    scen_s(&s, "{\"error\":null,\"id\":3,\"result\":true}\n{\"params\":[65536],\"id\":null,\"method\":\"mining.set_difficulty\"}\n");
    scen_s(&s, BTC_NOTIFY("9e01", "true"));
    scen_c(&s, "{\"id\":4,\"method\":\"mining.submit\",\"params\":[\"antminer01.s19\",\"9e01\",\"0000000000000001\",\"65f1c2a0\",\"a1b2c3d4\",\"00e0a000\"]}\n");
    scen_s(&s, "{\"error\":null,\"id\":4,\"result\":true}\n");
    pg_tcp_fin(&s, PG_S2C);
    return 0;
}

/* Capture starts in an established session: first bytes are a pool notify. */
static int stratum1_midstream(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.1.13", 40404, "198.51.100.12", 3333, 3000000000u, 12345678);
    scen_s(&s, BTC_NOTIFY("a77", "false"));
    scen_s(&s, "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[4096]}\n");
    pg_advance(w, 5000000);
    scen_c(&s, "{\"id\": 118, \"method\": \"mining.submit\", \"params\": [\"midrig.001\", \"a77\", \"00000a3f\", \"65f1c2a0\", \"0f0e0d0c\"]}\n");
    scen_s(&s, "{\"id\":118,\"result\":true,\"error\":null}\n");
    scen_s(&s, BTC_NOTIFY("a78", "true"));
    return 0;
}

/* Only the miner's packets were captured (asymmetric routing). */
static int stratum1_client_only(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.1.14", 50123, "198.51.100.13", 3333, 5000, 6000);
    s.write_mask = PG_WRITE_C2S;
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cpuminer-multi/1.3.7\"]}\n");
    scen_s(&s, BTC_SUB_RESULT);
    scen_c(&s, "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"oneway.rig\", \"d=1024\"]}\n");
    scen_s(&s, "{\"id\":2,\"result\":true,\"error\":null}\n");
    scen_s(&s, BTC_NOTIFY("55", "true"));
    scen_c(&s, "{\"id\": 3, \"method\": \"mining.submit\", \"params\": [\"oneway.rig\", \"55\", \"00000000\", \"65f1c2a0\", \"11223344\"]}\n");
    scen_c(&s, "{\"id\": 4, \"method\": \"mining.submit\", \"params\": [\"oneway.rig\", \"55\", \"00000001\", \"65f1c2a0\", \"55667788\"]}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* Equihash-style Stratum (four subscribe params, set_target) over IPv6 in VLAN 100. */
static int stratum1_ipv6_vlan(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "2001:db8:20::15", 53001, "2001:db8:100::10", 3357, 42, 4242);
    s.link.vlan[0] = 100;
    s.link.nvlan = 1;
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"nheqminer/0.5c\", null, \"zec.pool.example\", \"3357\"]}\n");
    scen_s(&s, "{\"id\": 1, \"result\": [null, \"81000001\"], \"error\": null}\n");
    scen_c(&s, "{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"t1KqHoXQ9ZqTYrrc7tdkQbBxBN3dZBWkDrE.rig6\", \"x\"]}\n");
    scen_s(&s, "{\"id\": 2, \"result\": true, \"error\": null}\n");
    scen_s(&s, "{\"id\": null, \"method\": \"mining.set_target\", \"params\": [\"0010000000000000000000000000000000000000000000000000000000000000\"]}\n");
    scen_s(&s, "{\"id\": null, \"method\": \"mining.notify\", \"params\": [\"3f1\", \"04000000\", \"" PREVHASH "\", \"" SEEDHASH "\", \"" HEADERHASH "\", \"a0c1f265\", \"0c1ad31c\", true]}\n");
    scen_c(&s, "{\"id\": 3, \"method\": \"mining.submit\", \"params\": [\"t1KqHoXQ9ZqTYrrc7tdkQbBxBN3dZBWkDrE.rig6\", \"3f1\", \"a0c1f265\", \"00000000000000000000000000000000000000000000000000000000\", \"fd4005" "00aa\"]}\n");
    scen_s(&s, "{\"id\": 3, \"result\": true, \"error\": null}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* Same cgminer session, every message cut into small segments written shuffled. */
static int stratum1_ooo(struct pg_writer *w, int argc, char **argv)
{
    static const char *const c[] = {
        "{\"id\": 0, \"method\": \"mining.subscribe\", \"params\": [\"sgminer/5.6.1\"]}\n",
        "{\"id\": 1, \"method\": \"mining.authorize\", \"params\": [\"shuffled.w1\", \"x\"]}\n",
        "{\"id\": 4, \"method\": \"mining.submit\", \"params\": [\"shuffled.w1\", \"4d2\", \"00000000\", \"65f1c2a0\", \"3c2f1a90\"]}\n",
    };
    static const char *const sv[] = {
        BTC_SUB_RESULT,
        "{\"id\":1,\"result\":true,\"error\":null}\n" BTC_NOTIFY("4d2", "true"),
        "{\"id\":4,\"result\":true,\"error\":null}\n",
    };
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.1.16", 52222, "198.51.100.14", 3333, 4294967000u, 4294966000u);
    pg_tcp_handshake(&s);
    for (unsigned i = 0; i < 3; i++) {
        struct pg_plan p = { .seg_size = 7, .order = PG_SHUFFLE, .seed = 17 + i, .retransmit = 2 };
        pg_tcp_send(&s, PG_C2S, c[i], strlen(c[i]), &p);
        p.seg_size = 11;
        p.seed = 99 + i;
        pg_tcp_send(&s, PG_S2C, sv[i], strlen(sv[i]), &p);
    }
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* One-byte segments, each message written last byte first, across the sequence wrap. */
static int stratum1_onebyte_reverse(struct pg_writer *w, int argc, char **argv)
{
    static const char *const c[] = {
        "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.9.2\"]}\n",
        "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"reverse.w9\",\"x\"]}\n",
    };
    static const char *const sv[] = {
        BTC_SUB_RESULT,
        "{\"id\":2,\"result\":true,\"error\":null}\n",
    };
    struct pg_tcp s;
    struct pg_plan p = { .seg_size = 1, .order = PG_REVERSE };
    scen_tcp(&s, w, "10.20.1.17", 53333, "198.51.100.15", 3333, 4294967250u, 4294967100u);
    s.w->step_us = 100;
    pg_tcp_handshake(&s);
    for (unsigned i = 0; i < 2; i++) {
        pg_tcp_send(&s, PG_C2S, c[i], strlen(c[i]), &p);
        pg_tcp_send(&s, PG_S2C, sv[i], strlen(sv[i]), &p);
    }
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* ---- EthereumStratum/1.0.0 (NiceHash) ---- */

static int ethstratum_nicehash(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.2.21", 45000, "198.51.100.20", 3353, 100, 200);
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"ethminer/0.19.0\", \"EthereumStratum/1.0.0\"]}\n");
    scen_s(&s, "{\"id\": 1, \"result\": [[\"mining.notify\", \"ae6812eb4cd7735a302a8a9dd95cf71f\", \"EthereumStratum/1.0.0\"], \"080c\"], \"error\": null}\n");
    scen_c(&s, "{\"id\": 2, \"method\": \"mining.extranonce.subscribe\", \"params\": []}\n");
    scen_s(&s, "{\"id\": 2, \"result\": true, \"error\": null}\n");
    scen_c(&s, "{\"id\": 3, \"method\": \"mining.authorize\", \"params\": [\"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy.rig2\", \"x\"]}\n");
    scen_s(&s, "{\"id\": 3, \"result\": true, \"error\": null}\n");
    scen_s(&s, "{\"id\": null, \"method\": \"mining.set_difficulty\", \"params\": [0.5]}\n");
    scen_s(&s, "{\"id\": null, \"method\": \"mining.notify\", \"params\": [\"bf0488aa\", \"" SEEDHASH "\", \"" HEADERHASH "\", true]}\n");
    scen_c(&s, "{\"id\": 4, \"method\": \"mining.submit\", \"params\": [\"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy.rig2\", \"bf0488aa\", \"6a909d9bbc0f\"]}\n");
    scen_s(&s, "{\"id\": 4, \"result\": true, \"error\": null}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* ---- eth-proxy (Claymore / ethminer "stratum1") ---- */

#define ETH_WORK                                                                                  \
    "[\"0x" HEADERHASH "\",\"0x" SEEDHASH "\",\"0x0000000112e0be826d694b2e62d01511f12a6061fbaec8bc02357593e70e52ba\"]"

static int ethproxy_tcp(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.2.22", 46000, "198.51.100.21", 8008, 300, 400);
    pg_tcp_handshake(&s);
    scen_c(&s, "{\"worker\": \"rig1\", \"jsonrpc\": \"2.0\", \"params\": [\"" ETH_WALLET "\", \"x\"], \"id\": 1, \"method\": \"eth_submitLogin\"}\n");
    scen_s(&s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":true}\n");
    scen_c(&s, "{\"worker\": \"\", \"jsonrpc\": \"2.0\", \"params\": [], \"id\": 3, \"method\": \"eth_getWork\"}\n");
    scen_s(&s, "{\"id\":3,\"jsonrpc\":\"2.0\",\"result\":" ETH_WORK "}\n");
    scen_c(&s, "{\"id\": 6, \"jsonrpc\": \"2.0\", \"method\": \"eth_submitHashrate\", \"params\": [\"0x0000000000000000000000000000000000000000000000000000000001dcd650\", \"0x" PREVHASH "\"], \"worker\": \"rig1\"}\n");
    scen_s(&s, "{\"id\":6,\"jsonrpc\":\"2.0\",\"result\":true}\n");
    scen_s(&s, "{\"id\":0,\"jsonrpc\":\"2.0\",\"result\":" ETH_WORK "}\n");
    scen_c(&s, "{\"id\": 4, \"jsonrpc\": \"2.0\", \"method\": \"eth_submitWork\", \"params\": [\"0xe2bf34833356dc44\", \"0x" HEADERHASH "\", \"0x" XMR_RESULT "\"], \"worker\": \"rig1\"}\n");
    scen_s(&s, "{\"id\":4,\"jsonrpc\":\"2.0\",\"result\":true}\n");
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

static void http_post(struct pg_tcp *s, const char *path, const char *host, const char *body)
{
    char head[512], msg[2048];
    snprintf(head, sizeof head,
             "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Go-http-client/1.1\r\n"
             "Content-Type: application/json\r\nAccept-Encoding: gzip\r\n", path, host);
    size_t n = mb_http(msg, sizeof msg, head, body);
    pg_tcp_send(s, PG_C2S, msg, n, NULL);
}

static void http_ok_json(struct pg_tcp *s, const char *body, const char *extra_headers)
{
    char head[512], msg[4096];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n%s"
             "Date: Wed, 13 Mar 2024 10:00:00 GMT\r\n", extra_headers ? extra_headers : "");
    size_t n = mb_http(msg, sizeof msg, head, body);
    pg_tcp_send(s, PG_S2C, msg, n, NULL);
}

static int ethproxy_http(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.2.23", 47000, "198.51.100.22", 8888, 500, 600);
    pg_tcp_handshake(&s);
    http_post(&s, "/" ETH_WALLET "/rig1", "198.51.100.22:8888",
              "{\"jsonrpc\":\"2.0\",\"method\":\"eth_getWork\",\"params\":[],\"id\":1}");
    http_ok_json(&s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" ETH_WORK "}", NULL);
    http_post(&s, "/" ETH_WALLET "/rig1", "198.51.100.22:8888",
              "{\"jsonrpc\":\"2.0\",\"method\":\"eth_submitHashrate\",\"params\":[\"0x1dcd650\",\"0x" PREVHASH "\"],\"id\":2}");
    http_ok_json(&s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":true}", NULL);
    http_post(&s, "/" ETH_WALLET "/rig1", "198.51.100.22:8888",
              "{\"jsonrpc\":\"2.0\",\"method\":\"eth_submitWork\",\"params\":[\"0xe2bf34833356dc44\",\"0x" HEADERHASH "\",\"0x" XMR_RESULT "\"],\"id\":3}");
    http_ok_json(&s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":true}", NULL);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* ---- CryptoNote / XMRig ---- */

#define XMR_LOGIN                                                                                 \
    "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"" XMR_WALLET "\","  \
    "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\","            \
    "\"algo\":[\"cn/1\",\"cn/2\",\"cn/r\",\"cn/fast\",\"cn/half\",\"cn/rwz\",\"cn/zls\","           \
    "\"cn/double\",\"cn-lite/1\",\"cn-heavy/0\",\"cn-pico\",\"rx/0\",\"rx/wow\",\"rx/arq\","        \
    "\"argon2/chukwa\",\"argon2/chukwav2\",\"ghostrider\"],\"rigid\":\"lab-pc-07\"}}\n"
#define XMR_JOB(id)                                                                               \
    "{\"blob\":\"" XMR_BLOB "\",\"job_id\":\"" id "\",\"target\":\"b88d0600\",\"algo\":\"rx/0\","   \
    "\"height\":3012345,\"seed_hash\":\"" XMR_RESULT "\"}"
#define XMR_LOGIN_RESULT                                                                          \
    "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"a1b2c3d4e5f6\",\"job\":"   \
    XMR_JOB("Jb4mN7") ",\"extensions\":[\"algo\",\"nicehash\",\"connect\",\"tls\",\"keepalive\"]," \
    "\"status\":\"OK\"}}\n"

static void cryptonote_session(struct pg_tcp *s)
{
    pg_tcp_handshake(s);
    scen_c(s, XMR_LOGIN);
    scen_s(s, XMR_LOGIN_RESULT);
    pg_advance(s->w, 4000000);
    scen_c(s, "{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"a1b2c3d4e5f6\",\"job_id\":\"Jb4mN7\",\"nonce\":\"0c1a0000\",\"result\":\"" XMR_RESULT "\",\"algo\":\"rx/0\"}}\n");
    scen_s(s, "{\"id\":2,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"status\":\"OK\"}}\n");
    scen_s(s, "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":" XMR_JOB("Jb4mN8") "}\n");
    pg_advance(s->w, 60000000);
    scen_c(s, "{\"id\":3,\"jsonrpc\":\"2.0\",\"method\":\"keepalived\",\"params\":{\"id\":\"a1b2c3d4e5f6\"}}\n");
    scen_s(s, "{\"id\":3,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"status\":\"KEEPALIVED\"}}\n");
    scen_c(s, "{\"id\":4,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"a1b2c3d4e5f6\",\"job_id\":\"Jb4mN8\",\"nonce\":\"5e3a0100\",\"result\":\"" PREVHASH "\",\"algo\":\"rx/0\"}}\n");
    scen_s(s, "{\"id\":4,\"jsonrpc\":\"2.0\",\"error\":{\"code\":-1,\"message\":\"Low difficulty share\"}}\n");
    pg_tcp_fin(s, PG_C2S);
}

static int cryptonote_xmrig(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.3.31", 48000, "203.0.113.30", 4444, 700, 800);
    cryptonote_session(&s);
    return 0;
}

static int cryptonote_server_only(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.3.32", 48100, "203.0.113.31", 10128, 900, 1000);
    s.write_mask = PG_WRITE_S2C;
    cryptonote_session(&s);
    return 0;
}

/* ---- getwork / getblocktemplate over HTTP ---- */

static int getwork_http(struct pg_writer *w, int argc, char **argv)
{
    char msg[4096];
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.4.41", 49500, "192.0.2.40", 8332, 1100, 1200);
    pg_tcp_handshake(&s);
    size_t n = mb_http(msg, sizeof msg,
                       "POST / HTTP/1.1\r\nAuthorization: Basic bGFidXNlcjp4\r\nHost: 192.0.2.40:8332\r\n"
                       "Accept: */*\r\nAccept-Encoding: deflate, gzip\r\nContent-type: application/json\r\n"
                       "X-Mining-Extensions: longpoll midstate rollntime submitold\r\n"
                       "X-Mining-Hashrate: 1500000000\r\nUser-Agent: cgminer 2.7.2\r\n",
                       "{\"method\": \"getwork\", \"params\": [], \"id\":0}\n");
    pg_tcp_send(&s, PG_C2S, msg, n, NULL);
    http_ok_json(&s, "{\"result\":{\"midstate\":\"" PREVHASH "\",\"data\":\"00000002" SEEDHASH HEADERHASH
                     "4f8ab3c11a0d6b3f00000000000000800000000000000000000000000000000000000000000000000000000000000000000000000000000080020000\","
                     "\"hash1\":\"00000000000000000000000000000000000000000000000000000000000000000000008000000000000000000000000000000000000000000000000000010000\","
                     "\"target\":\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffff00000000\"},\"error\":null,\"id\":0}",
                 "X-Long-Polling: /LP\r\nX-Roll-NTime: Y\r\nX-Stratum: stratum+tcp://192.0.2.40:3333\r\n");
    n = mb_http(msg, sizeof msg,
                "POST / HTTP/1.1\r\nAuthorization: Basic bGFidXNlcjp4\r\nHost: 192.0.2.40:8332\r\n"
                "Content-type: application/json\r\nX-Mining-Extensions: longpoll midstate rollntime submitold\r\n"
                "User-Agent: cgminer 2.7.2\r\n",
                "{\"method\": \"getwork\", \"params\": [\"00000002" SEEDHASH HEADERHASH "4f8ab3c11a0d6b3f9a3b2c1d000000800000000000000000000000000000000000000000000000000000000000000000000000000000000080020000\"], \"id\":1}\n");
    pg_tcp_send(&s, PG_C2S, msg, n, NULL);
    http_ok_json(&s, "{\"result\":true,\"error\":null,\"id\":1}", NULL);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

static int gbt_http(struct pg_writer *w, int argc, char **argv)
{
    char msg[4096];
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.4.42", 49600, "192.0.2.41", 8332, 1300, 1400);
    pg_tcp_handshake(&s);
    size_t n = mb_http(msg, sizeof msg,
                       "POST / HTTP/1.1\r\nHost: 192.0.2.41:8332\r\nUser-Agent: bfgminer/5.5.0\r\n"
                       "Authorization: Basic bGFidXNlcjp4\r\nContent-Type: application/json\r\n"
                       "X-Mining-Extensions: longpoll midstate rollntime submitold\r\n",
                       "{\"id\": 0, \"method\": \"getblocktemplate\", \"params\": [{\"capabilities\": [\"coinbasetxn\", \"workid\", \"coinbase/append\"], \"maxversion\": 4}]}");
    pg_tcp_send(&s, PG_C2S, msg, n, NULL);
    http_ok_json(&s, "{\"error\": null, \"id\": 0, \"result\": {\"version\": 536870912, \"previousblockhash\": \"" PREVHASH "\", "
                     "\"transactions\": [], \"coinbaseaux\": {\"flags\": \"\"}, \"coinbasevalue\": 625000000, "
                     "\"longpollid\": \"" PREVHASH "1\", \"target\": \"00000000ffff0000000000000000000000000000000000000000000000000000\", "
                     "\"mintime\": 1710323000, \"mutable\": [\"time\", \"transactions\", \"prevblock\"], \"noncerange\": \"00000000ffffffff\", "
                     "\"sigoplimit\": 80000, \"sizelimit\": 4000000, \"curtime\": 1710324000, \"bits\": \"1d00ffff\", \"height\": 2580000}}",
                 "X-Long-Polling: /LP\r\n");
    n = mb_http(msg, sizeof msg,
                "POST / HTTP/1.1\r\nHost: 192.0.2.41:8332\r\nUser-Agent: bfgminer/5.5.0\r\n"
                "Authorization: Basic bGFidXNlcjp4\r\nContent-Type: application/json\r\n",
                "{\"id\": 1, \"method\": \"submitblock\", \"params\": [\"00000020" PREVHASH HEADERHASH "a0c1f265ffff001d9a3b2c1d0101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0403a0de27ffffffff0100f2052a01000000015100000000\"]}");
    pg_tcp_send(&s, PG_C2S, msg, n, NULL);
    http_ok_json(&s, "{\"error\": null, \"id\": 1, \"result\": null}", NULL);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* ---- Stratum V2 ---- */

static int sv2_cleartext(struct pg_writer *w, int argc, char **argv)
{
    uint8_t pl[512], fr[600];
    size_t o = 0, n;
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.5.51", 50500, "203.0.113.50", 3336, 1500, 1600);
    pg_tcp_handshake(&s);
    /* SetupConnection: protocol 0 (mining), versions 2..2, flags REQUIRES_STANDARD_JOBS. */
    o = mb_u8(pl, sizeof pl, o, 0);
    o = mb_u16le(pl, sizeof pl, o, 2);
    o = mb_u16le(pl, sizeof pl, o, 2);
    o = mb_u32le(pl, sizeof pl, o, 1);
    o = mb_str0_255(pl, sizeof pl, o, "v2.pool.example");
    o = mb_u16le(pl, sizeof pl, o, 3336);
    o = mb_str0_255(pl, sizeof pl, o, "Bitmain");
    o = mb_str0_255(pl, sizeof pl, o, "S19 Pro");
    o = mb_str0_255(pl, sizeof pl, o, "braiins-os-2023-06-20");
    o = mb_str0_255(pl, sizeof pl, o, "rig-0042");
    n = mb_sv2_frame(fr, sizeof fr, 0, 0x00, pl, o);
    pg_tcp_send(&s, PG_C2S, fr, n, NULL);
    /* SetupConnection.Success: used_version 2, flags 0. */
    o = 0;
    o = mb_u16le(pl, sizeof pl, o, 2);
    o = mb_u32le(pl, sizeof pl, o, 0);
    n = mb_sv2_frame(fr, sizeof fr, 0, 0x01, pl, o);
    pg_tcp_send(&s, PG_S2C, fr, n, NULL);
    /* OpenStandardMiningChannel: request_id, user_identity, nominal_hash_rate F32, max_target U256. */
    static const uint8_t f32_100th[4] = { 0x00, 0x00, 0xb4, 0x60 }; /* ~1e20 as IEEE 754 LE */
    uint8_t target[32];
    memset(target, 0xff, sizeof target);
    o = 0;
    o = mb_u32le(pl, sizeof pl, o, 1);
    o = mb_str0_255(pl, sizeof pl, o, "sv2user.s19pro");
    o = mb_bytes(pl, sizeof pl, o, f32_100th, 4);
    o = mb_bytes(pl, sizeof pl, o, target, 32);
    n = mb_sv2_frame(fr, sizeof fr, 0, 0x10, pl, o);
    pg_tcp_send(&s, PG_C2S, fr, n, NULL);
    /* OpenStandardMiningChannel.Success: request_id, channel_id, target, extranonce_prefix B0_32, group_channel_id. */
    memset(target, 0, 4);
    o = 0;
    o = mb_u32le(pl, sizeof pl, o, 1);
    o = mb_u32le(pl, sizeof pl, o, 7);
    o = mb_bytes(pl, sizeof pl, o, target, 32);
    o = mb_u8(pl, sizeof pl, o, 4);
    o = mb_u32le(pl, sizeof pl, o, 0x01020304);
    o = mb_u32le(pl, sizeof pl, o, 1);
    n = mb_sv2_frame(fr, sizeof fr, 0, 0x11, pl, o);
    pg_tcp_send(&s, PG_S2C, fr, n, NULL);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

static int sv2_noise(struct pg_writer *w, int argc, char **argv)
{
    uint8_t b[512];
    uint32_t st = 0x5eed0002u;
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.5.52", 50600, "203.0.113.51", 34254, 1700, 1800);
    pg_tcp_handshake(&s);
    mb_random(b, 64, &st);
    pg_tcp_send(&s, PG_C2S, b, 64, NULL);
    mb_random(b, 234, &st);
    pg_tcp_send(&s, PG_S2C, b, 234, NULL);
    for (int i = 0; i < 4; i++) { /* encrypted frames: sizes of small channel messages + tag */
        mb_random(b, 86, &st);
        pg_tcp_send(&s, PG_C2S, b, 86, NULL);
        mb_random(b, 150, &st);
        pg_tcp_send(&s, PG_S2C, b, 150, NULL);
        pg_advance(w, 10000000);
    }
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

/* ---- browser miner over clear WebSocket ---- */

static void ws_send(struct pg_tcp *s, enum pg_dir dir, const char *json, uint32_t mask_seed)
{
    uint8_t fr[2048], mask[4];
    uint32_t st = mask_seed;
    mb_random(mask, 4, &st);
    size_t n = mb_ws_frame(fr, sizeof fr, MB_WS_TEXT, json, strlen(json), dir == PG_C2S ? mask : NULL);
    pg_tcp_send(s, dir, fr, n, NULL);
}

static int webminer_ws(struct pg_writer *w, int argc, char **argv)
{
    struct pg_tcp s;
    scen_tcp(&s, w, "10.20.6.61", 51500, "192.0.2.60", 80, 1900, 2000);
    pg_tcp_handshake(&s);
    scen_c(&s, "GET /proxy2/ HTTP/1.1\r\nHost: ws014.webmine.example\r\nConnection: Upgrade\r\n"
               "Pragma: no-cache\r\nCache-Control: no-cache\r\n"
               "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
               "Upgrade: websocket\r\nOrigin: http://recipes.example\r\nSec-WebSocket-Version: 13\r\n"
               "Accept-Language: en-US,en;q=0.5\r\nSec-WebSocket-Key: m/oSHoNrKsFXJu59awr2qw==\r\n\r\n");
    scen_s(&s, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: +R5BKi4Xp4+JmygWnUp9ztl5AVA=\r\n\r\n");
    ws_send(&s, PG_C2S, "{\"type\":\"auth\",\"params\":{\"site_key\":\"Vh8q3HCy8tx6wQ2mHCvZbLbjWGGwYvBX\",\"type\":\"anonymous\",\"user\":null,\"goal\":0}}", 1);
    ws_send(&s, PG_S2C, "{\"type\":\"authed\",\"params\":{\"token\":\"\",\"hashes\":0}}", 0);
    ws_send(&s, PG_S2C, "{\"type\":\"job\",\"params\":{\"job_id\":\"388717375417424\",\"blob\":\"" XMR_BLOB "\",\"target\":\"ffffff00\"}}", 0);
    pg_advance(w, 8000000);
    ws_send(&s, PG_C2S, "{\"type\":\"submit\",\"params\":{\"job_id\":\"388717375417424\",\"nonce\":\"a3050000\",\"result\":\"" XMR_RESULT "\"}}", 2);
    ws_send(&s, PG_S2C, "{\"type\":\"hash_accepted\",\"params\":{\"hashes\":256}}", 0);
    pg_tcp_fin(&s, PG_C2S);
    return 0;
}

const struct scenario scen_mining[] = {
    { "stratum1-btc", "", "cgminer Stratum V1 session on 3333, accepted and rejected shares", stratum1_btc },
    { "stratum1-compact-443", "", "compact-JSON Stratum V1 with mining.configure on port 443, no TLS", stratum1_compact_443 },
    { "stratum1-midstream", "", "Stratum V1 without handshake, starting at a mining.notify", stratum1_midstream },
    { "stratum1-client-only", "", "Stratum V1, only the miner's direction captured", stratum1_client_only },
    { "stratum1-ipv6-vlan", "", "Equihash-style Stratum V1 over IPv6 in VLAN 100", stratum1_ipv6_vlan },
    { "stratum1-ooo", "", "Stratum V1, messages in 7/11-byte segments shuffled, one retransmit, seq wrap", stratum1_ooo },
    { "stratum1-onebyte-reverse", "", "Stratum V1 in one-byte segments written in reverse, seq wrap", stratum1_onebyte_reverse },
    { "ethstratum-nicehash", "", "EthereumStratum/1.0.0 (NiceHash) session", ethstratum_nicehash },
    { "ethproxy-tcp", "", "eth-proxy over raw TCP: eth_submitLogin with worker, getWork, submitWork, hashrate", ethproxy_tcp },
    { "ethproxy-http", "", "eth-proxy over HTTP POST /WALLET/rig1", ethproxy_http },
    { "cryptonote-xmrig", "", "XMRig 6.x login/job/submit/keepalived on 4444", cryptonote_xmrig },
    { "cryptonote-server-only", "", "XMRig session, only the pool's direction captured", cryptonote_server_only },
    { "getwork-http", "", "cgminer getwork over HTTP with X-Mining-Extensions", getwork_http },
    { "gbt-http", "", "bfgminer getblocktemplate + submitblock over HTTP", gbt_http },
    { "sv2-cleartext", "", "Stratum V2 SetupConnection (mining) + Success + OpenStandardMiningChannel", sv2_cleartext },
    { "sv2-noise", "", "Stratum V2 Noise handshake shape: 64 then 234 random bytes on 34254", sv2_noise },
    { "webminer-ws", "", "browser miner: WebSocket upgrade, masked auth/submit, server job", webminer_ws },
    { NULL, NULL, NULL, NULL },
};
