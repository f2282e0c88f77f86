/* jsonmine.h - classify one JSON message as a message of a mining dialect.
 *
 * Used by the Stratum V1-family stream dissector (dissectors/stratum.c) for each
 * newline-framed line, and by the HTTP / WebSocket dissectors for POST bodies and
 * text frames. Recognition is structural: the message is parsed as strict JSON
 * (dissectors/json_tok.h), names are compared after unescaping, and the params /
 * result must have the documented shape of the dialect (docs/protocols.md lists
 * each dialect, its sources and what is required). Key order, spacing and escapes
 * do not matter; a method name alone never makes a message "mining".
 *
 * Pure functions: no allocation, no global state, bounded work (token cap
 * JSONMINE_MAX_TOKENS, depth cap JSONMINE_MAX_DEPTH; beyond them JM_TOO_COMPLEX).
 */
#ifndef MW_JSONMINE_H
#define MW_JSONMINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/evidence.h"

/* Limits of one classification (tokens live on the stack of jsonmine_classify). */
#define JSONMINE_MAX_TOKENS 1024
#define JSONMINE_MAX_DEPTH 32

enum jsonmine_role {
    JM_NONE = 0,  /* not a JSON-RPC-like message (no method, no result/error) */
    JM_REQUEST,   /* has a method and a non-null id: expects a response */
    JM_RESPONSE,  /* has result and/or error, no method */
    JM_NOTIFY     /* a method with a null/absent id (or an id-0 server push), or a webminer "type" message */
};

/* Values of jsonmine_msg.kind. A kind is shared by the dialects that have the
 * same meaning, the variant tells them apart (JM_K_SUBMIT is a share in every
 * dialect: mining.submit, cryptonote submit, eth_submitWork, getwork with data,
 * webminer submit). Append only: values are stable. */
enum jsonmine_kind {
    JM_K_NONE = 0,
    /* client (miner) requests */
    JM_K_SUBSCRIBE,          /* mining.subscribe */
    JM_K_AUTHORIZE,          /* mining.authorize */
    JM_K_CONFIGURE,          /* mining.configure (BIP 310) */
    JM_K_SUBMIT,             /* a share / work / solution submission */
    JM_K_SUGGEST_DIFFICULTY, /* mining.suggest_difficulty / suggest_target */
    JM_K_EXTRANONCE_SUBSCRIBE,
    JM_K_GET_TRANSACTIONS,
    JM_K_LOGIN,              /* cryptonote login */
    JM_K_GETJOB,             /* cryptonote getjob */
    JM_K_KEEPALIVE,          /* cryptonote keepalived */
    JM_K_SUBMITLOGIN,        /* eth_submitLogin */
    JM_K_GETWORK,            /* eth_getWork, getwork without data */
    JM_K_SUBMITHASHRATE,     /* eth_submitHashrate */
    JM_K_GBT,                /* getblocktemplate */
    JM_K_SUBMITBLOCK,        /* submitblock */
    JM_K_WEBMINER_AUTH,      /* webminer {"type":"auth"} */
    /* server (pool) notifications */
    JM_K_NOTIFY,             /* mining.notify (stratum1, ethstratum) */
    JM_K_SET_DIFFICULTY,
    JM_K_SET_TARGET,
    JM_K_SET_EXTRANONCE,
    JM_K_SET_VERSION_MASK,
    JM_K_RECONNECT,          /* client.reconnect */
    JM_K_JOB,                /* cryptonote / webminer job push */
    JM_K_WEBMINER_AUTHED,    /* webminer {"type":"authed"} */
    /* server responses */
    JM_K_SUBSCRIBE_RESULT,   /* stratum1 / ethstratum subscribe result */
    JM_K_LOGIN_RESULT,       /* cryptonote login result (carries a job) */
    JM_K_WORK_RESULT,        /* getwork result, eth_getWork result / pushed work */
    JM_K_TEMPLATE_RESULT,    /* getblocktemplate result */
    JM_K_SHARE_RESULT,       /* answer to a submit (result_bool), webminer hash_accepted */
    JM_K_AUTH_RESULT,        /* answer to authorize / submitLogin */
    JM_K_RESULT,             /* any other response: variant NONE unless paired */
    JM_K__COUNT
};

struct jsonmine_msg {
    enum mw_variant variant; /* MW_VAR_NONE: not a message of a mining dialect */
    uint8_t side;            /* MW_SIDE_CLIENT (miner sends this) or MW_SIDE_SERVER (pool sends this); 0 unknown */
    enum jsonmine_role role;
    int kind;                /* enum jsonmine_kind */
    char id[24];             /* request id as text: number as written, string unescaped, "null"; "" absent */
    int result_bool;         /* -1 none, 0 false, 1 true (share accepted/rejected) */
    int has_error;           /* error member present and not null */
    double difficulty;       /* 0 when not carried */
    char method[MW_EV_METHOD_LEN]; /* method / webminer type, unescaped */
    char agent[MW_EV_AGENT_LEN];
    char worker[MW_EV_WORKER_LEN]; /* login / wallet.worker; never a password */
    char algo[MW_EV_ALGO_LEN];
    char pool_host[MW_EV_HOST_LEN];
    char coin[MW_EV_COIN_LEN];     /* inferred from algo or wallet format; "" unknown */
};

enum jsonmine_status {
    JM_OK = 0,      /* a JSON object; out->variant says whether it is mining */
    JM_NOT_JSON,    /* not a complete, valid JSON object (arrays and scalars included) */
    JM_TOO_COMPLEX  /* token/depth cap hit: count it, do not trust it */
};

/* Classify one complete JSON text (leading/trailing whitespace allowed). Always
 * fills *out (zeroed, result_bool -1) before looking at the bytes. Responses that
 * identify themselves by shape (subscribe result, cryptonote login result,
 * getwork/eth work, block template) are classified without their request. */
enum jsonmine_status jsonmine_classify(const uint8_t *json, size_t len, struct jsonmine_msg *out);
/* jsonmine_classify calls so far on this thread (tests check a line is parsed once). */
uint64_t jsonmine_parse_count(void);

/* What a classified message means for the flow's counters (enum mw_msg_meaning), and
 * the accounting itself: the counters of app and the last difficulty. */
enum mw_msg_meaning jsonmine_meaning(const struct jsonmine_msg *m);
void jsonmine_account(struct mw_flow_app *app, const struct jsonmine_msg *m);

/* Interpret a response (which carries no method) given the kind of the request it
 * answers (request_kind: the enum jsonmine_kind returned for that request). Fills
 * *out like jsonmine_classify; out->kind says what the answer means
 * (JM_K_SHARE_RESULT with result_bool for a submit, JM_K_AUTH_RESULT for
 * authorize/submitLogin, JM_K_SUBSCRIBE_RESULT ...). out->variant is set when the
 * request kind or the result's shape fixes the dialect (login -> cryptonote,
 * submitLogin -> ethproxy, a subscribe result's shape ...); otherwise (a share
 * result: every dialect submits) it stays MW_VAR_NONE and the caller keeps the
 * dialect of its request. A request_kind of JM_K_NONE behaves like
 * jsonmine_classify. */
void jsonmine_classify_response(const uint8_t *json, size_t len, int request_kind, struct jsonmine_msg *out);

/* Short stable name of a kind ("subscribe", "share_result" ...), "none" when unknown. */
const char *jsonmine_kind_name(int kind);

#endif
