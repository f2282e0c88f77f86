/* jsonmine.c - classify one JSON message as a message of a mining dialect.
 *
 * Specs followed (docs/protocols.md has the details and URLs): the Bitcoin wiki's
 * "Stratum mining protocol" and BIP 310 (stratum1), ZIP 301 (Equihash stratum),
 * NiceHash EthereumStratum/1.0.0 (ethstratum), open-ethereum-pool docs/STRATUM.md
 * (ethproxy), xmrig-proxy doc/STRATUM.md (cryptonote), the Bitcoin wiki's getwork
 * page and BIPs 22/23 (getwork, gbt), and the Coinhive-era WebSocket messages
 * (webminer).
 *
 * Wire layout: one JSON object, JSON-RPC 1.0/2.0 style {"id","method","params"}
 * requests and notifications, {"id","result","error"} responses; webminer
 * messages are {"type","params"}. A message counts as mining only when its name
 * AND the shape of its params/result match the dialect: the name alone proves
 * nothing (apps have "login" and "submit" methods too).
 *
 * This file: the entry points, the responses (paired with the request they answer) and
 * the webminer messages; jsonmine_req.c: the requests and notifications of each dialect.
 */
#include <math.h>
#include <string.h>

#include "dissectors/jsonmine_shape.h"

/* ---- responses --------------------------------------------------------- */

/* [[["mining.set_difficulty", id], ["mining.notify", id]], extranonce1, extranonce2_size]
 * (the subscription list may also be a single pair); ethstratum
 * [["mining.notify", id, "EthereumStratum/1.0.0"], extranonce]; Equihash
 * [session_or_null, extranonce1] only when known to answer a subscribe. */
static int subscribe_result(struct jm *m, int res, int paired)
{
    int r0 = el(m, res, 0), r1 = el(m, res, 1), r2 = el(m, res, 2);
    uint32_t n = sz(m, res);
    if (ty(m, r0) == JSON_T_ARRAY) {
        if (n == 2 && sz(m, r0) == 3 && eq(m, el(m, r0, 0), "mining.notify") &&
            json_tok_prefix(m->js, m->t, m->n, el(m, r0, 2), "EthereumStratum/") && hexs(m, r1, 0, 16, 0)) {
            set(m, MW_VAR_ETHSTRATUM, MW_SIDE_SERVER, JM_K_SUBSCRIBE_RESULT);
            return 1;
        }
        int pair_ok = sz(m, r0) > 0;
        int single = sz(m, r0) == 2 && is_str(m, el(m, r0, 0));
        for (unsigned k = 0; pair_ok && !single && k < sz(m, r0); k++) {
            int pr = el(m, r0, k);
            pair_ok = ty(m, pr) == JSON_T_ARRAY && sz(m, pr) == 2 &&
                      json_tok_prefix(m->js, m->t, m->n, el(m, pr, 0), "mining.");
        }
        if (single)
            pair_ok = json_tok_prefix(m->js, m->t, m->n, el(m, r0, 0), "mining.");
        int64_t en2 = -1;
        if (pair_ok && n == 3 && hexs(m, r1, 0, 64, 0) &&
            json_tok_to_i64(m->js, m->t, m->n, r2, &en2) == 0 && en2 >= 0 && en2 <= 32) {
            set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_SUBSCRIBE_RESULT);
            return 1;
        }
        return 0;
    }
    if (paired && n == 2 && (is_str(m, r0) || ty(m, r0) == JSON_T_NULL) && hexs(m, r1, 1, 64, 0)) {
        set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_SUBSCRIBE_RESULT);
        return 1;
    }
    return 0;
}

/* eth_getWork result / pushed work: [0x header, 0x seed, 0x target(, 0x height)].
 * Alone, a full 64-digit target must start with 0000 (share targets do; a list of
 * three block hashes from eth_getFilterChanges almost never does). */
static int eth_work(struct jm *m, int res, int paired)
{
    uint32_t n = sz(m, res);
    int tg = el(m, res, 2);
    if (n < 3 || n > 4 || !hexs(m, el(m, res, 0), 64, 64, 1) || !hexs(m, el(m, res, 1), 64, 64, 1) ||
        !hexs(m, tg, 1, 64, 1) || (n == 4 && !hexs(m, el(m, res, 3), 1, 16, 1)))
        return 0;
    if (!paired && json_tok_hex_len(m->js, m->t, m->n, tg, NULL) == 64) {
        char hx[8];
        (void)json_tok_unescape(m->js, m->t, m->n, tg, hx, sizeof hx);
        if (memcmp(hx + 2, "0000", 4) != 0)
            return 0;
    }
    set(m, MW_VAR_ETHPROXY, MW_SIDE_SERVER, JM_K_WORK_RESULT);
    m->out->difficulty = jsonmine_target_difficulty(m, tg, ETH_BASE);
    return 1;
}

static int getwork_result(struct jm *m, int res)
{
    if (!hexs(m, get(m, res, "data"), 160, 512, 0) || !hexs(m, get(m, res, "target"), 64, 64, 0))
        return 0;
    set(m, MW_VAR_GETWORK, MW_SIDE_SERVER, JM_K_WORK_RESULT);
    m->out->difficulty = 0;
    return 1;
}

/* BIP 22 template: what a getblock answer never has is coinbasevalue/coinbasetxn/longpollid. */
static int template_result(struct jm *m, int res)
{
    if (!hexs(m, get(m, res, "previousblockhash"), 64, 64, 0))
        return 0;
    if (ty(m, get(m, res, "coinbasevalue")) != JSON_T_NUMBER && ty(m, get(m, res, "coinbasetxn")) != JSON_T_OBJECT &&
        !is_str(m, get(m, res, "longpollid")))
        return 0;
    if (ty(m, get(m, res, "curtime")) != JSON_T_NUMBER && ty(m, get(m, res, "transactions")) != JSON_T_ARRAY)
        return 0;
    set(m, MW_VAR_GBT, MW_SIDE_SERVER, JM_K_TEMPLATE_RESULT);
    return 1;
}

static int cn_login_result(struct jm *m, int res)
{
    if (!jsonmine_job_shape(m, get(m, res, "job")))
        return 0;
    set(m, MW_VAR_CRYPTONOTE, MW_SIDE_SERVER, JM_K_LOGIN_RESULT);
    return 1;
}

static void classify_result(struct jm *m, int res, int request_kind)
{
    struct jsonmine_msg *o = m->out;
    o->role = JM_RESPONSE;
    o->side = MW_SIDE_SERVER;
    o->kind = JM_K_RESULT;
    if (ty(m, res) == JSON_T_ARRAY &&
        (subscribe_result(m, res, request_kind == JM_K_SUBSCRIBE) || eth_work(m, res, request_kind == JM_K_GETWORK)))
        return;
    if (ty(m, res) == JSON_T_OBJECT && (cn_login_result(m, res) || getwork_result(m, res) || template_result(m, res)))
        return;
    int rt = ty(m, res);
    switch (request_kind) {
    case JM_K_SUBMIT:
        o->kind = JM_K_SHARE_RESULT;
        if (rt == JSON_T_OBJECT && eq(m, get(m, res, "status"), "OK")) {
            o->variant = MW_VAR_CRYPTONOTE;
            o->result_bool = 1;
        } else if (o->result_bool < 0 && o->has_error)
            o->result_bool = 0;
        break;
    case JM_K_SUBMITBLOCK:
        /* BIP 22: null means accepted, a string is the reason for rejection */
        o->kind = JM_K_SHARE_RESULT;
        o->variant = MW_VAR_GBT;
        o->result_bool = (rt == JSON_T_NULL && !o->has_error) ? 1 : 0;
        break;
    case JM_K_AUTHORIZE:
        o->kind = JM_K_AUTH_RESULT;
        break;
    case JM_K_SUBMITLOGIN:
        o->kind = JM_K_AUTH_RESULT;
        o->variant = MW_VAR_ETHPROXY;
        break;
    case JM_K_LOGIN:
        o->kind = JM_K_LOGIN_RESULT;
        o->variant = MW_VAR_CRYPTONOTE;
        break;
    case JM_K_KEEPALIVE:
    case JM_K_GETJOB:
        o->variant = MW_VAR_CRYPTONOTE;
        break;
    case JM_K_SUBSCRIBE:
        o->kind = JM_K_SUBSCRIBE_RESULT;
        break;
    case JM_K_GETWORK:
        o->kind = JM_K_WORK_RESULT;
        break;
    case JM_K_GBT:
        o->kind = JM_K_TEMPLATE_RESULT;
        o->variant = MW_VAR_GBT;
        break;
    default:
        break;
    }
}

/* ---- webminer ---------------------------------------------------------- */

static void webminer(struct jm *m, int type, int p)
{
    struct jsonmine_msg *o = m->out;
    if (ty(m, p) != JSON_T_OBJECT)
        return;
    copy_str(m, type, o->method, sizeof o->method);
    if (eq(m, type, "auth")) {
        int key = get(m, p, "site_key");
        if (!nonempty_str(m, key) || !is_str(m, get(m, p, "type")))
            return;
        set(m, MW_VAR_WEBMINER, MW_SIDE_CLIENT, JM_K_WEBMINER_AUTH);
        copy_str(m, key, o->worker, sizeof o->worker);
    } else if (eq(m, type, "submit")) {
        if (!jsonmine_share_obj(m, p))
            return;
        set(m, MW_VAR_WEBMINER, MW_SIDE_CLIENT, JM_K_SUBMIT);
    } else if (eq(m, type, "job")) {
        if (!jsonmine_job_shape(m, p))
            return;
        set(m, MW_VAR_WEBMINER, MW_SIDE_SERVER, JM_K_JOB);
    } else if (eq(m, type, "authed")) {
        if (!is_str(m, get(m, p, "token")) && ty(m, get(m, p, "hashes")) != JSON_T_NUMBER)
            return;
        set(m, MW_VAR_WEBMINER, MW_SIDE_SERVER, JM_K_WEBMINER_AUTHED);
    } else if (eq(m, type, "hash_accepted")) {
        if (ty(m, get(m, p, "hashes")) != JSON_T_NUMBER)
            return;
        set(m, MW_VAR_WEBMINER, MW_SIDE_SERVER, JM_K_SHARE_RESULT);
        o->result_bool = 1;
    } else {
        return;
    }
    o->role = o->side == MW_SIDE_CLIENT ? JM_REQUEST : JM_NOTIFY;
}

/* ---- entry points ------------------------------------------------------ */

static void msg_init(struct jsonmine_msg *out)
{
    memset(out, 0, sizeof *out);
    out->variant = MW_VAR_NONE;
    out->role = JM_NONE;
    out->kind = JM_K_NONE;
    out->result_bool = -1;
}

static void id_text(struct jm *m, int id)
{
    char *d = m->out->id;
    switch (ty(m, id)) {
    case JSON_T_STRING:
        copy_str(m, id, d, sizeof m->out->id);
        break;
    case JSON_T_NUMBER:
        mw_ev_set(d, sizeof m->out->id, m->js + m->t[id].start, m->t[id].end - m->t[id].start);
        break;
    case JSON_T_NULL:
        mw_ev_set(d, sizeof m->out->id, "null", 4);
        break;
    default:
        break;
    }
}

static enum jsonmine_status classify(const uint8_t *json, size_t len, int request_kind, struct jsonmine_msg *out)
{
    msg_init(out);
    if (!json)
        return JM_NOT_JSON;
    struct json_tok toks[JSONMINE_MAX_TOKENS];
    int n = json_tok_parse(json, len, toks, JSONMINE_MAX_TOKENS, JSONMINE_MAX_DEPTH, 0);
    if (n == JSON_TOK_ERR_NOMEM || n == JSON_TOK_ERR_DEPTH)
        return JM_TOO_COMPLEX;
    if (n < 1 || toks[0].type != JSON_T_OBJECT)
        return JM_NOT_JSON;
    struct jm m = { json, toks, n, out };
    int method = get(&m, 0, "method"), params = get(&m, 0, "params"), id = get(&m, 0, "id");
    int result = get(&m, 0, "result"), error = get(&m, 0, "error");

    id_text(&m, id);
    if (ty(&m, result) == JSON_T_TRUE)
        out->result_bool = 1;
    else if (ty(&m, result) == JSON_T_FALSE)
        out->result_bool = 0;
    out->has_error = error >= 0 && ty(&m, error) != JSON_T_NULL;

    if (is_str(&m, method)) {
        long ml = json_tok_unescape(json, toks, n, method, out->method, sizeof out->method);
        out->role = (id < 0 || ty(&m, id) == JSON_T_NULL) ? JM_NOTIFY : JM_REQUEST;
        /* a name that did not fit, or hides a NUL, is no known method */
        if (ml >= 0 && (size_t)ml == strlen(out->method) && jsonmine_dispatch(&m, out->method, params)) {
            jsonmine_infer_coin(out);
            return JM_OK;
        }
        out->variant = MW_VAR_NONE;
        out->side = 0;
        out->kind = JM_K_NONE;
        out->agent[0] = out->worker[0] = out->algo[0] = out->pool_host[0] = '\0';
        out->difficulty = 0;
        /* some pools echo the method in their responses: fall through to the result */
        if (ty(&m, params) != JSON_T_NULL && params >= 0)
            return JM_OK;
    }
    if (result >= 0 || error >= 0) {
        if (method < 0 || ty(&m, params) == JSON_T_NULL || params < 0)
            classify_result(&m, result, request_kind);
    } else if (method < 0 && is_str(&m, get(&m, 0, "type"))) {
        webminer(&m, get(&m, 0, "type"), params);
    }
    jsonmine_infer_coin(out);
    return JM_OK;
}

/* Per thread, so workers never share a cache line for it. */
static _Thread_local uint64_t jsonmine_parses;

uint64_t jsonmine_parse_count(void)
{
    return jsonmine_parses;
}

enum jsonmine_status jsonmine_classify(const uint8_t *json, size_t len, struct jsonmine_msg *out)
{
    jsonmine_parses++;
    return classify(json, len, JM_K_NONE, out);
}

void jsonmine_classify_response(const uint8_t *json, size_t len, int request_kind, struct jsonmine_msg *out)
{
    (void)classify(json, len, request_kind, out);
}

static const char *const kind_names[JM_K__COUNT] = {
    [JM_K_NONE] = "none",
    [JM_K_SUBSCRIBE] = "subscribe",
    [JM_K_AUTHORIZE] = "authorize",
    [JM_K_CONFIGURE] = "configure",
    [JM_K_SUBMIT] = "submit",
    [JM_K_SUGGEST_DIFFICULTY] = "suggest_difficulty",
    [JM_K_EXTRANONCE_SUBSCRIBE] = "extranonce_subscribe",
    [JM_K_GET_TRANSACTIONS] = "get_transactions",
    [JM_K_LOGIN] = "login",
    [JM_K_GETJOB] = "getjob",
    [JM_K_KEEPALIVE] = "keepalive",
    [JM_K_SUBMITLOGIN] = "submitlogin",
    [JM_K_GETWORK] = "getwork",
    [JM_K_SUBMITHASHRATE] = "submithashrate",
    [JM_K_GBT] = "gbt",
    [JM_K_SUBMITBLOCK] = "submitblock",
    [JM_K_WEBMINER_AUTH] = "webminer_auth",
    [JM_K_NOTIFY] = "notify",
    [JM_K_SET_DIFFICULTY] = "set_difficulty",
    [JM_K_SET_TARGET] = "set_target",
    [JM_K_SET_EXTRANONCE] = "set_extranonce",
    [JM_K_SET_VERSION_MASK] = "set_version_mask",
    [JM_K_RECONNECT] = "reconnect",
    [JM_K_JOB] = "job",
    [JM_K_WEBMINER_AUTHED] = "webminer_authed",
    [JM_K_SUBSCRIBE_RESULT] = "subscribe_result",
    [JM_K_LOGIN_RESULT] = "login_result",
    [JM_K_WORK_RESULT] = "work_result",
    [JM_K_TEMPLATE_RESULT] = "template_result",
    [JM_K_SHARE_RESULT] = "share_result",
    [JM_K_AUTH_RESULT] = "auth_result",
    [JM_K_RESULT] = "result",
};

const char *jsonmine_kind_name(int kind)
{
    if (kind < 0 || kind >= JM_K__COUNT || !kind_names[kind])
        return "none";
    return kind_names[kind];
}

enum mw_msg_meaning jsonmine_meaning(const struct jsonmine_msg *m)
{
    switch (m->kind) {
    case JM_K_SUBMIT: return MW_MSG_SHARE_SUBMITTED;
    case JM_K_SHARE_RESULT:
        return m->result_bool == 1 ? MW_MSG_SHARES_ACCEPTED : m->result_bool == 0 ? MW_MSG_SHARE_REJECTED : MW_MSG_OTHER;
    case JM_K_NOTIFY:
    case JM_K_JOB:
    case JM_K_LOGIN_RESULT: /* carries the session's first job */
    case JM_K_WORK_RESULT:
    case JM_K_TEMPLATE_RESULT:
        return MW_MSG_JOB;
    default: return MW_MSG_OTHER;
    }
}

void jsonmine_account(struct mw_flow_app *app, const struct jsonmine_msg *m)
{
    if (!app)
        return;
    mw_app_count(app, jsonmine_meaning(m), 1);
    if (m->difficulty > 0)
        app->difficulty = m->difficulty;
}
