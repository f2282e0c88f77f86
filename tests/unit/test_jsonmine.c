/* test_jsonmine.c - the mining-message classifier: every dialect's messages, under
 * key reordering, respacing, CRLF and escaped names; and what must not alert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/json_tok.h"
#include "dissectors/jsonmine.h"
#include "unit/check_main.h"
#include "unit/mining_msgs.h"

static enum jsonmine_status cls(const char *s, struct jsonmine_msg *m)
{
    return jsonmine_classify((const uint8_t *)s, strlen(s), m);
}

struct expect {
    const char *json;
    enum mw_variant variant;
    int kind;
    uint8_t side;
};

static const struct expect positives[] = {
    { S1_SUBSCRIBE, MW_VAR_STRATUM1, JM_K_SUBSCRIBE, MW_SIDE_CLIENT },
    { S1_SUBSCRIBE_RESULT, MW_VAR_STRATUM1, JM_K_SUBSCRIBE_RESULT, MW_SIDE_SERVER },
    { S1_AUTHORIZE, MW_VAR_STRATUM1, JM_K_AUTHORIZE, MW_SIDE_CLIENT },
    { S1_SET_DIFF, MW_VAR_STRATUM1, JM_K_SET_DIFFICULTY, MW_SIDE_SERVER },
    { S1_NOTIFY, MW_VAR_STRATUM1, JM_K_NOTIFY, MW_SIDE_SERVER },
    { S1_SUBMIT, MW_VAR_STRATUM1, JM_K_SUBMIT, MW_SIDE_CLIENT },
    { S1_SUBMIT_VR, MW_VAR_STRATUM1, JM_K_SUBMIT, MW_SIDE_CLIENT },
    { S1_CONFIGURE, MW_VAR_STRATUM1, JM_K_CONFIGURE, MW_SIDE_CLIENT },
    { S1_SUGGEST, MW_VAR_STRATUM1, JM_K_SUGGEST_DIFFICULTY, MW_SIDE_CLIENT },
    { S1_XN_SUB, MW_VAR_STRATUM1, JM_K_EXTRANONCE_SUBSCRIBE, MW_SIDE_CLIENT },
    { S1_GET_TXS, MW_VAR_STRATUM1, JM_K_GET_TRANSACTIONS, MW_SIDE_CLIENT },
    { S1_SET_XN, MW_VAR_STRATUM1, JM_K_SET_EXTRANONCE, MW_SIDE_SERVER },
    { S1_SET_VMASK, MW_VAR_STRATUM1, JM_K_SET_VERSION_MASK, MW_SIDE_SERVER },
    { S1_SET_TARGET, MW_VAR_STRATUM1, JM_K_SET_TARGET, MW_SIDE_SERVER },
    { S1_RECONNECT, MW_VAR_STRATUM1, JM_K_RECONNECT, MW_SIDE_SERVER },
    { ZEC_SUBSCRIBE, MW_VAR_STRATUM1, JM_K_SUBSCRIBE, MW_SIDE_CLIENT },
    { ZEC_NOTIFY, MW_VAR_STRATUM1, JM_K_NOTIFY, MW_SIDE_SERVER },
    { RVN_NOTIFY, MW_VAR_STRATUM1, JM_K_NOTIFY, MW_SIDE_SERVER },
    { RVN_SUBMIT, MW_VAR_STRATUM1, JM_K_SUBMIT, MW_SIDE_CLIENT },
    { KAS_NOTIFY, MW_VAR_STRATUM1, JM_K_NOTIFY, MW_SIDE_SERVER },
    { ES_SUBSCRIBE, MW_VAR_ETHSTRATUM, JM_K_SUBSCRIBE, MW_SIDE_CLIENT },
    { ES_SUBSCRIBE_RESULT, MW_VAR_ETHSTRATUM, JM_K_SUBSCRIBE_RESULT, MW_SIDE_SERVER },
    { ES_NOTIFY, MW_VAR_ETHSTRATUM, JM_K_NOTIFY, MW_SIDE_SERVER },
    { ES_SUBMIT, MW_VAR_ETHSTRATUM, JM_K_SUBMIT, MW_SIDE_CLIENT },
    { ES_SET_DIFF, MW_VAR_STRATUM1, JM_K_SET_DIFFICULTY, MW_SIDE_SERVER },
    { EP_LOGIN, MW_VAR_ETHPROXY, JM_K_SUBMITLOGIN, MW_SIDE_CLIENT },
    { EP_GETWORK, MW_VAR_ETHPROXY, JM_K_GETWORK, MW_SIDE_CLIENT },
    { EP_GETWORK_NOPARAMS, MW_VAR_ETHPROXY, JM_K_GETWORK, MW_SIDE_CLIENT },
    { EP_WORK, MW_VAR_ETHPROXY, JM_K_WORK_RESULT, MW_SIDE_SERVER },
    { EP_SUBMITWORK, MW_VAR_ETHPROXY, JM_K_SUBMIT, MW_SIDE_CLIENT },
    { EP_HASHRATE, MW_VAR_ETHPROXY, JM_K_SUBMITHASHRATE, MW_SIDE_CLIENT },
    { CN_LOGIN, MW_VAR_CRYPTONOTE, JM_K_LOGIN, MW_SIDE_CLIENT },
    { CN_LOGIN_STAK, MW_VAR_CRYPTONOTE, JM_K_LOGIN, MW_SIDE_CLIENT },
    { CN_LOGIN_WALLET_ONLY, MW_VAR_CRYPTONOTE, JM_K_LOGIN, MW_SIDE_CLIENT },
    { CN_LOGIN_RESULT, MW_VAR_CRYPTONOTE, JM_K_LOGIN_RESULT, MW_SIDE_SERVER },
    { CN_JOB, MW_VAR_CRYPTONOTE, JM_K_JOB, MW_SIDE_SERVER },
    { CN_SUBMIT, MW_VAR_CRYPTONOTE, JM_K_SUBMIT, MW_SIDE_CLIENT },
    { CN_KEEPALIVE, MW_VAR_CRYPTONOTE, JM_K_KEEPALIVE, MW_SIDE_CLIENT },
    { CN_GETJOB, MW_VAR_CRYPTONOTE, JM_K_GETJOB, MW_SIDE_CLIENT },
    { GW_REQ, MW_VAR_GETWORK, JM_K_GETWORK, MW_SIDE_CLIENT },
    { GW_SUBMIT, MW_VAR_GETWORK, JM_K_SUBMIT, MW_SIDE_CLIENT },
    { GW_RESULT, MW_VAR_GETWORK, JM_K_WORK_RESULT, MW_SIDE_SERVER },
    { GBT_REQ, MW_VAR_GBT, JM_K_GBT, MW_SIDE_CLIENT },
    { GBT_CLI, MW_VAR_GBT, JM_K_GBT, MW_SIDE_CLIENT },
    { GBT_SUBMITBLOCK, MW_VAR_GBT, JM_K_SUBMITBLOCK, MW_SIDE_CLIENT },
    { GBT_RESULT, MW_VAR_GBT, JM_K_TEMPLATE_RESULT, MW_SIDE_SERVER },
    { WM_AUTH, MW_VAR_WEBMINER, JM_K_WEBMINER_AUTH, MW_SIDE_CLIENT },
    { WM_AUTHED, MW_VAR_WEBMINER, JM_K_WEBMINER_AUTHED, MW_SIDE_SERVER },
    { WM_JOB, MW_VAR_WEBMINER, JM_K_JOB, MW_SIDE_SERVER },
    { WM_SUBMIT, MW_VAR_WEBMINER, JM_K_SUBMIT, MW_SIDE_CLIENT },
    { WM_ACCEPTED, MW_VAR_WEBMINER, JM_K_SHARE_RESULT, MW_SIDE_SERVER },
};
#define NPOS (sizeof positives / sizeof positives[0])

/* ---- transformations that must not change the verdict ---- */

static char buf[65536];

/* A space after every ':' and ',' outside strings, a newline after '{'. */
static const char *spaced(const char *in)
{
    size_t o = 0;
    int instr = 0, esc = 0;
    for (const char *p = in; *p && o + 4 < sizeof buf; p++) {
        buf[o++] = *p;
        if (instr) {
            if (esc)
                esc = 0;
            else if (*p == '\\')
                esc = 1;
            else if (*p == '"')
                instr = 0;
            continue;
        }
        if (*p == '"')
            instr = 1;
        else if (*p == ':' || *p == ',')
            buf[o++] = ' ';
        else if (*p == '{') {
            buf[o++] = '\n';
            buf[o++] = '\t';
        }
    }
    buf[o] = '\0';
    return buf;
}

static const char *compact(const char *in)
{
    size_t o = 0;
    int instr = 0, esc = 0;
    for (const char *p = in; *p && o + 1 < sizeof buf; p++) {
        if (instr) {
            buf[o++] = *p;
            if (esc)
                esc = 0;
            else if (*p == '\\')
                esc = 1;
            else if (*p == '"')
                instr = 0;
            continue;
        }
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            continue;
        if (*p == '"')
            instr = 1;
        buf[o++] = *p;
    }
    buf[o] = '\0';
    return buf;
}

/* The top-level members in reverse order. */
static const char *reversed(const char *in)
{
    static struct json_tok t[2048];
    const uint8_t *js = (const uint8_t *)in;
    int n = json_tok_parse(js, strlen(in), t, 2048, 64, 0);
    ck_assert_int_gt(n, 0);
    int spans[64][2], ns = 0;
    int i = 1;
    for (uint32_t m = 0; m < t[0].size && ns < 64; m++) {
        int v = i + 1;
        int last = (int)t[v].skip - 1; /* the last token of the value's subtree */
        uint32_t end = t[v].end;
        if (t[v].type == JSON_T_STRING)
            end++;
        (void)last;
        spans[ns][0] = (int)t[i].start - 1;
        spans[ns][1] = (int)end;
        ns++;
        i = (int)t[v].skip;
    }
    size_t o = 0;
    buf[o++] = '{';
    for (int k = ns - 1; k >= 0; k--) {
        size_t len = (size_t)(spans[k][1] - spans[k][0]);
        memcpy(buf + o, in + spans[k][0], len);
        o += len;
        if (k)
            buf[o++] = ',';
    }
    buf[o++] = '}';
    buf[o] = '\0';
    return buf;
}

/* The first character of the "method" (or webminer "type") value as \u00XX. */
static const char *escaped_name(const char *in)
{
    static struct json_tok t[2048];
    const uint8_t *js = (const uint8_t *)in;
    int n = json_tok_parse(js, strlen(in), t, 2048, 64, 0);
    ck_assert_int_gt(n, 0);
    int v = json_tok_obj_get(js, t, n, 0, "method");
    if (v < 0)
        v = json_tok_obj_get(js, t, n, 0, "type");
    if (v < 0 || t[v].type != JSON_T_STRING)
        return NULL;
    size_t at = t[v].start;
    int o = snprintf(buf, sizeof buf, "%.*s\\u%04x%s", (int)at, in, (unsigned char)in[at], in + at + 1);
    ck_assert_int_gt(o, 0);
    return buf;
}

static void check_one(const struct expect *e, const char *text, const char *how)
{
    struct jsonmine_msg m;
    ck_assert_msg(cls(text, &m) == JM_OK, "%s: not OK: %s", how, text);
    ck_assert_msg(m.variant == e->variant && m.kind == e->kind && m.side == e->side,
                  "%s: got %s/%s/%d want %s/%s/%d: %s", how, mw_variant_name(m.variant), jsonmine_kind_name(m.kind),
                  m.side, mw_variant_name(e->variant), jsonmine_kind_name(e->kind), e->side, text);
}

START_TEST(test_positive_as_written)
{
    for (size_t i = 0; i < NPOS; i++)
        check_one(&positives[i], positives[i].json, "as written");
}
END_TEST

START_TEST(test_positive_transformed)
{
    static char copy[65536];
    for (size_t i = 0; i < NPOS; i++) {
        const struct expect *e = &positives[i];
        check_one(e, compact(e->json), "compact");
        check_one(e, spaced(e->json), "spaced");
        strcpy(copy, reversed(e->json));
        check_one(e, copy, "reversed keys");
        check_one(e, spaced(copy), "reversed+spaced");
        snprintf(copy, sizeof copy, "%s\r\n", e->json);
        check_one(e, copy, "CRLF");
        snprintf(copy, sizeof copy, " \t%s\n", e->json);
        check_one(e, copy, "padded");
        const char *esc = escaped_name(e->json);
        if (esc)
            check_one(e, esc, "escaped name");
    }
}
END_TEST

START_TEST(test_escaped_dot)
{
    struct jsonmine_msg m;
    ck_assert_int_eq(cls("{\"id\":1,\"method\":\"mining\\u002esubscribe\",\"params\":[\"x/1\"]}", &m), JM_OK);
    ck_assert_int_eq(m.variant, MW_VAR_STRATUM1);
    ck_assert_str_eq(m.method, "mining.subscribe");
    ck_assert_str_eq(m.agent, "x/1");
    ck_assert_int_eq(cls("{\"id\":1,\"\\u006dethod\":\"mining.subscribe\",\"params\":[]}", &m), JM_OK);
    ck_assert_int_eq(m.variant, MW_VAR_STRATUM1);
    /* a NUL hidden in the name is not the name */
    ck_assert_int_eq(cls("{\"id\":1,\"method\":\"mining.subscribe\\u0000x\",\"params\":[]}", &m), JM_OK);
    ck_assert_int_eq(m.variant, MW_VAR_NONE);
}
END_TEST

START_TEST(test_ids)
{
    struct jsonmine_msg m;
    cls("{\"id\":12345678901234,\"method\":\"mining.subscribe\",\"params\":[]}", &m);
    ck_assert_str_eq(m.id, "12345678901234");
    ck_assert_int_eq(m.role, JM_REQUEST);
    cls("{\"id\":\"ab\\u0063\",\"method\":\"mining.subscribe\",\"params\":[]}", &m);
    ck_assert_str_eq(m.id, "abc");
    cls("{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[2]}", &m);
    ck_assert_str_eq(m.id, "null");
    ck_assert_int_eq(m.role, JM_NOTIFY);
    cls("{\"method\":\"mining.set_difficulty\",\"params\":[2]}", &m);
    ck_assert_str_eq(m.id, "");
    ck_assert_int_eq(m.role, JM_NOTIFY);
    cls("{\"id\":\"0123456789012345678901234567890\",\"method\":\"mining.subscribe\",\"params\":[]}", &m);
    ck_assert_uint_eq(strlen(m.id), sizeof m.id - 1); /* truncated, terminated */
    cls(S1_SHARE_OK, &m);
    ck_assert_str_eq(m.id, "4");
    ck_assert_int_eq(m.role, JM_RESPONSE);
    ck_assert_int_eq(m.result_bool, 1);
    ck_assert_int_eq(m.has_error, 0);
    cls(S1_SHARE_BAD, &m);
    ck_assert_int_eq(m.result_bool, -1);
    ck_assert_int_eq(m.has_error, 1);
}
END_TEST

START_TEST(test_fields)
{
    struct jsonmine_msg m;
    cls(S1_AUTHORIZE, &m);
    ck_assert_str_eq(m.worker, "slush.miner1");
    ck_assert(strstr(m.worker, "password") == NULL);
    cls(S1_SET_DIFF, &m);
    ck_assert(m.difficulty == 16384.0);
    cls(S1_SET_TARGET, &m);
    ck_assert(m.difficulty > 0.99 && m.difficulty < 1.01); /* the difficulty-1 target */
    cls(ZEC_SUBSCRIBE, &m);
    ck_assert_str_eq(m.agent, "nheqminer/0.5c");
    ck_assert_str_eq(m.pool_host, "zec.pool.example");
    cls(ZEC_NOTIFY, &m);
    ck_assert_str_eq(m.algo, "equihash");
    ck_assert_str_eq(m.coin, "ZEC");
    cls(RVN_NOTIFY, &m);
    ck_assert_str_eq(m.coin, "RVN");
    cls(KAS_NOTIFY, &m);
    ck_assert_str_eq(m.coin, "KAS");
    cls(ES_SUBSCRIBE, &m);
    ck_assert_str_eq(m.agent, "EthereumMiner/1.0.0");
    cls(ES_AUTHORIZE, &m);
    ck_assert_str_eq(m.worker, ETH_ADDR ".rig1");
    ck_assert_str_eq(m.coin, "ETH");
    cls(ES_SET_DIFF, &m);
    ck_assert(m.difficulty == 0.5);
    cls(EP_LOGIN, &m);
    ck_assert_str_eq(m.worker, ETH_ADDR ".rig1");
    ck_assert_str_eq(m.coin, "ETH");
    cls(EP_WORK, &m);
    ck_assert(m.difficulty > 3.9e9 && m.difficulty < 4.0e9); /* 2^256 / 0x00000001 12e0... */
    cls(CN_LOGIN, &m);
    ck_assert_str_eq(m.worker, XMR_WALLET);
    ck_assert_str_eq(m.agent, "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0");
    ck_assert_str_eq(m.coin, "XMR");
    ck_assert_str_eq(m.algo, ""); /* a list of what it can do is not what it does */
    cls(CN_LOGIN_STAK, &m);
    ck_assert_str_eq(m.worker, "pooluser");
    ck_assert(strncmp(m.agent, "xmr-stak/", 9) == 0);
    cls(CN_LOGIN_RESULT, &m);
    ck_assert_str_eq(m.algo, "rx/0");
    ck_assert_str_eq(m.coin, "XMR");
    ck_assert(m.difficulty > 9999 && m.difficulty < 10001); /* b88d0600 */
    cls(CN_JOB, &m);
    ck_assert(m.difficulty > 9999 && m.difficulty < 10001);
    cls(WM_AUTH, &m);
    ck_assert_str_eq(m.worker, "Nxc9SqAhAZOiZr2f2KL0ymcVcsWeLVZy");
    ck_assert_str_eq(m.method, "auth");
    cls(WM_ACCEPTED, &m);
    ck_assert_int_eq(m.result_bool, 1);
    /* coins from wallets */
    cls("{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.w1\",\"x\"]}", &m);
    ck_assert_str_eq(m.coin, "BTC");
    cls("{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"1BoatSLRHtKNngkdXEeobR76b53LETtpyT\"]}", &m);
    ck_assert_str_eq(m.coin, "BTC");
    cls("{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"someuser.worker1\",\"x\"]}", &m);
    ck_assert_str_eq(m.coin, "");
}
END_TEST

START_TEST(test_paired_responses)
{
    struct jsonmine_msg m;
    const char *s = S1_SHARE_OK;
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBMIT, &m);
    ck_assert_int_eq(m.kind, JM_K_SHARE_RESULT);
    ck_assert_int_eq(m.result_bool, 1);
    s = S1_SHARE_BAD;
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBMIT, &m);
    ck_assert_int_eq(m.kind, JM_K_SHARE_RESULT);
    ck_assert_int_eq(m.result_bool, 0);
    s = ES_SHARE_BAD;
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBMIT, &m);
    ck_assert_int_eq(m.result_bool, 0);
    s = CN_SUBMIT_OK;
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBMIT, &m);
    ck_assert_int_eq(m.kind, JM_K_SHARE_RESULT);
    ck_assert_int_eq(m.result_bool, 1);
    ck_assert_int_eq(m.variant, MW_VAR_CRYPTONOTE);
    s = CN_SUBMIT_BAD;
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBMIT, &m);
    ck_assert_int_eq(m.result_bool, 0);
    s = S1_AUTH_OK;
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_AUTHORIZE, &m);
    ck_assert_int_eq(m.kind, JM_K_AUTH_RESULT);
    ck_assert_int_eq(m.result_bool, 1);
    s = EP_LOGIN_OK;
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBMITLOGIN, &m);
    ck_assert_int_eq(m.kind, JM_K_AUTH_RESULT);
    ck_assert_int_eq(m.variant, MW_VAR_ETHPROXY);
    /* Equihash subscribe result: only recognisable as the answer to a subscribe */
    s = ZEC_SUBSCRIBE_RESULT;
    jsonmine_classify((const uint8_t *)s, strlen(s), &m);
    ck_assert_int_eq(m.variant, MW_VAR_NONE);
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBSCRIBE, &m);
    ck_assert_int_eq(m.variant, MW_VAR_STRATUM1);
    ck_assert_int_eq(m.kind, JM_K_SUBSCRIBE_RESULT);
    /* open-ethereum-pool's example work (target without leading zeros) */
    s = EP_WORK_DOC;
    jsonmine_classify((const uint8_t *)s, strlen(s), &m);
    ck_assert_int_eq(m.variant, MW_VAR_NONE);
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_GETWORK, &m);
    ck_assert_int_eq(m.variant, MW_VAR_ETHPROXY);
    ck_assert_int_eq(m.kind, JM_K_WORK_RESULT);
    /* BIP 22 submitblock: null accepted, a string is a rejection reason */
    s = "{\"result\":null,\"error\":null,\"id\":2}";
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBMITBLOCK, &m);
    ck_assert_int_eq(m.result_bool, 1);
    s = "{\"result\":\"high-hash\",\"error\":null,\"id\":2}";
    jsonmine_classify_response((const uint8_t *)s, strlen(s), JM_K_SUBMITBLOCK, &m);
    ck_assert_int_eq(m.result_bool, 0);
    /* unpaired, a bare "true" says nothing */
    jsonmine_classify((const uint8_t *)S1_SHARE_OK, strlen(S1_SHARE_OK), &m);
    ck_assert_int_eq(m.variant, MW_VAR_NONE);
    ck_assert_int_eq(m.kind, JM_K_RESULT);
}
END_TEST

/* Messages that must never be called mining. */
static const char *const negatives[] = {
    /* Ethereum node RPC */
    "{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBalance\",\"params\":[\"" ETH_ADDR "\",\"latest\"],\"id\":1}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":83}",
    "{\"id\":83,\"jsonrpc\":\"2.0\",\"result\":\"0x4b7\"}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"eth_call\",\"params\":[{\"to\":\"" ETH_ADDR "\",\"data\":\"0x70a08231\"},"
    "\"latest\"],\"id\":2}",
    /* eth_getFilterChanges: three block hashes */
    "{\"id\":7,\"jsonrpc\":\"2.0\",\"result\":[\"0x" H64A "\",\"0x" H64B "\",\"0x" H64C "\"]}",
    /* a language server */
    "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"processId\":1234,"
    "\"rootUri\":\"file:///home/u/p\",\"capabilities\":{}}}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":"
    "\"file:///home/u/p/a.c\",\"languageId\":\"c\",\"version\":1,\"text\":\"int main(void){}\"}}}",
    "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"capabilities\":{\"textDocumentSync\":1}}}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}",
    /* application logins and submits */
    "{\"id\":1,\"method\":\"login\",\"params\":{\"username\":\"bob\",\"password\":\"hunter2\"}}",
    "{\"id\":1,\"method\":\"login\",\"params\":{\"login\":\"alice\",\"pass\":\"secret\"}}",
    "{\"id\":1,\"method\":\"login\",\"params\":[\"alice\",\"secret\"]}",
    "{\"id\":2,\"method\":\"submit\",\"params\":{\"form\":\"contact\",\"text\":\"hi\"}}",
    "{\"id\":3,\"method\":\"job\",\"params\":{\"name\":\"backup\",\"target\":\"nas\"}}",
    "{\"id\":3,\"method\":\"getjob\",\"params\":[\"backup\"]}",
    /* Bitcoin Core wallet/node RPC */
    "{\"jsonrpc\":\"1.0\",\"id\":\"curltest\",\"method\":\"getblockchaininfo\",\"params\":[]}",
    "{\"result\":{\"chain\":\"main\",\"blocks\":800000,\"headers\":800000,\"bestblockhash\":\"" H64A "\","
    "\"difficulty\":57321508229258.04},\"error\":null,\"id\":\"curltest\"}",
    "{\"result\":{\"hash\":\"" H64A "\",\"confirmations\":1,\"height\":800000,\"version\":536870912,\"merkleroot\":\""
    H64B "\",\"tx\":[],\"time\":1700000000,\"nonce\":1,\"bits\":\"17034219\",\"difficulty\":1.0,"
    "\"previousblockhash\":\"" H64C "\"},\"error\":null,\"id\":1}",
    /* a document quoting Stratum inside string values */
    "{\"text\":\"{\\\"id\\\":1,\\\"method\\\":\\\"mining.subscribe\\\",\\\"params\\\":[\\\"cgminer/4.10.0\\\"]}\"}",
    "{\"method\":\"log.write\",\"params\":[\"{\\\"method\\\":\\\"mining.submit\\\",\\\"params\\\":[]}\"],\"id\":4}",
    "{\"note\":\"mining.subscribe\",\"method\":\"note\",\"params\":[\"mining.notify\"]}",
    /* mining names with the wrong shape */
    "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":{\"agent\":\"x\"}}",
    "{\"id\":1,\"method\":\"mining.submit\",\"params\":[\"w\",\"j\"]}",
    "{\"id\":1,\"method\":\"mining.submit\",\"params\":[\"w\",\"j\",\"not hex\",\"504e86ed\",\"b2957c02\"]}",
    "{\"id\":1,\"method\":\"mining.notify\",\"params\":[\"a\",\"b\",\"c\"]}",
    "{\"id\":1,\"method\":\"mining.set_difficulty\",\"params\":[\"high\"]}",
    "{\"id\":1,\"method\":\"mining.authorize\",\"params\":[]}",
    "{\"id\":1,\"method\":\"eth_submitWork\",\"params\":[\"0x1\",\"0x2\",\"0x3\"]}",
    "{\"type\":\"auth\",\"params\":{\"type\":\"anonymous\"}}",
    "{\"type\":\"auth\",\"params\":{\"user\":\"bob\",\"password\":\"x\"}}",
    "{\"type\":\"job\",\"params\":{\"job_id\":\"1\",\"target\":\"ffffff00\"}}",
    "{\"type\":\"submit\",\"params\":{\"form\":\"x\"}}",
    "{\"id\":0,\"method\":\"getwork\",\"params\":[\"not a header\"]}",
    "{\"id\":0,\"method\":\"getblocktemplate\",\"params\":[\"x\"]}",
};

START_TEST(test_negatives)
{
    for (size_t i = 0; i < sizeof negatives / sizeof negatives[0]; i++) {
        struct jsonmine_msg m;
        enum jsonmine_status rc = cls(negatives[i], &m);
        ck_assert_msg(rc == JM_OK, "not parsed: %s", negatives[i]);
        ck_assert_msg(m.variant == MW_VAR_NONE, "alerted (%s): %s", jsonmine_kind_name(m.kind), negatives[i]);
        ck_assert_str_eq(m.agent, "");
        ck_assert_str_eq(m.worker, "");
    }
}
END_TEST

START_TEST(test_not_json)
{
    static const char *bad[] = {
        "GET /mining.subscribe HTTP/1.1",
        "mining.subscribe {\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}",
        "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]",
        "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}}",
        "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[],}",
        "{'id':1,'method':'mining.subscribe','params':[]}",
        "[{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}]",
        "\"mining.subscribe\"",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct jsonmine_msg m;
        ck_assert_msg(cls(bad[i], &m) == JM_NOT_JSON, "accepted: %s", bad[i]);
        ck_assert_int_eq(m.variant, MW_VAR_NONE);
    }
    struct jsonmine_msg m;
    ck_assert_int_eq(jsonmine_classify(NULL, 0, &m), JM_NOT_JSON);
}
END_TEST

START_TEST(test_too_complex)
{
    static char deep[200];
    size_t o = 0;
    o += (size_t)snprintf(deep, sizeof deep, "{\"method\":\"mining.subscribe\",\"params\":");
    for (int i = 0; i < 40; i++)
        deep[o++] = '[';
    for (int i = 0; i < 40; i++)
        deep[o++] = ']';
    deep[o++] = '}';
    deep[o] = '\0';
    struct jsonmine_msg m;
    ck_assert_int_eq(cls(deep, &m), JM_TOO_COMPLEX);
    ck_assert_int_eq(m.variant, MW_VAR_NONE);
    size_t cap = 8 * JSONMINE_MAX_TOKENS;
    char *wide = malloc(cap);
    ck_assert_ptr_nonnull(wide);
    o = (size_t)snprintf(wide, cap, "{\"params\":[");
    for (int i = 0; i < JSONMINE_MAX_TOKENS + 10; i++)
        o += (size_t)snprintf(wide + o, cap - o, i ? ",1" : "1");
    snprintf(wide + o, cap - o, "]}");
    ck_assert_int_eq(cls(wide, &m), JM_TOO_COMPLEX);
    free(wide);
}
END_TEST

START_TEST(test_kind_names)
{
    ck_assert_str_eq(jsonmine_kind_name(JM_K_SUBSCRIBE), "subscribe");
    ck_assert_str_eq(jsonmine_kind_name(JM_K_SHARE_RESULT), "share_result");
    ck_assert_str_eq(jsonmine_kind_name(-1), "none");
    ck_assert_str_eq(jsonmine_kind_name(JM_K__COUNT), "none");
    for (int k = 0; k < JM_K__COUNT; k++)
        ck_assert_str_ne(jsonmine_kind_name(k), k ? "none" : "x");
}
END_TEST

/* One mapping from a message to the flow's counters for every JSON dialect: work handed to
 * the miner is a job whatever shape carries it (a CryptoNote login result carries the first
 * job, a getblocktemplate result is the work of a GBT miner). */
START_TEST(test_counter_meaning)
{
    struct jsonmine_msg m;
    memset(&m, 0, sizeof m);
    static const int jobs[] = { JM_K_NOTIFY, JM_K_JOB, JM_K_LOGIN_RESULT, JM_K_WORK_RESULT, JM_K_TEMPLATE_RESULT };
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
        m.kind = jobs[i];
        ck_assert_int_eq(jsonmine_meaning(&m), MW_MSG_JOB);
    }
    m.kind = JM_K_SUBMIT;
    ck_assert_int_eq(jsonmine_meaning(&m), MW_MSG_SHARE_SUBMITTED);
    m.kind = JM_K_SHARE_RESULT;
    m.result_bool = 1;
    ck_assert_int_eq(jsonmine_meaning(&m), MW_MSG_SHARES_ACCEPTED);
    m.result_bool = 0;
    ck_assert_int_eq(jsonmine_meaning(&m), MW_MSG_SHARE_REJECTED);
    m.result_bool = -1;
    ck_assert_int_eq(jsonmine_meaning(&m), MW_MSG_OTHER);
    m.kind = JM_K_AUTH_RESULT;
    ck_assert_int_eq(jsonmine_meaning(&m), MW_MSG_OTHER);
    /* the accounting saturates instead of wrapping */
    struct mw_flow_app app;
    memset(&app, 0, sizeof app);
    app.jobs = UINT32_MAX;
    m.kind = JM_K_TEMPLATE_RESULT;
    m.difficulty = 2.5;
    jsonmine_account(&app, &m);
    ck_assert_uint_eq(app.jobs, UINT32_MAX);
    ck_assert(app.difficulty == 2.5);
    /* a CryptoNote login result classified from the wire counts its job */
    memset(&app, 0, sizeof app);
    ck_assert_int_eq(jsonmine_classify((const uint8_t *)CN_LOGIN_RESULT, strlen(CN_LOGIN_RESULT), &m), JM_OK);
    ck_assert_int_eq(m.kind, JM_K_LOGIN_RESULT);
    jsonmine_account(&app, &m);
    ck_assert_uint_eq(app.jobs, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jsonmine");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_positive_as_written);
    tcase_add_test(tc, test_positive_transformed);
    tcase_add_test(tc, test_escaped_dot);
    tcase_add_test(tc, test_ids);
    tcase_add_test(tc, test_fields);
    tcase_add_test(tc, test_counter_meaning);
    tcase_add_test(tc, test_paired_responses);
    tcase_add_test(tc, test_negatives);
    tcase_add_test(tc, test_not_json);
    tcase_add_test(tc, test_too_complex);
    tcase_add_test(tc, test_kind_names);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
