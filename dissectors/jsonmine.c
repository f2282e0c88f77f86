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
 */
#include <math.h>
#include <string.h>

#include "dissectors/json_tok.h"
#include "dissectors/jsonmine.h"

struct jm {
    const uint8_t *js;
    const struct json_tok *t;
    int n;
    struct jsonmine_msg *out;
};

/* ---- token access ------------------------------------------------------ */

static int ty(const struct jm *m, int i)
{
    return (i >= 0 && i < m->n) ? m->t[i].type : JSON_T_NONE;
}

static uint32_t sz(const struct jm *m, int i)
{
    return (i >= 0 && i < m->n) ? m->t[i].size : 0;
}

static int get(const struct jm *m, int obj, const char *key)
{
    return json_tok_obj_get(m->js, m->t, m->n, obj, key);
}

static int el(const struct jm *m, int arr, unsigned i)
{
    return json_tok_arr_get(m->t, m->n, arr, i);
}

static int is_str(const struct jm *m, int i)
{
    return ty(m, i) == JSON_T_STRING;
}

static int eq(const struct jm *m, int i, const char *s)
{
    return json_tok_eq(m->js, m->t, m->n, i, s);
}

/* String token holding only hex digits, with between lo and hi of them.
 * want_0x: 0 prefix optional, 1 prefix required. */
static int hexs(const struct jm *m, int i, long lo, long hi, int want_0x)
{
    int had = 0;
    long h = json_tok_hex_len(m->js, m->t, m->n, i, &had);
    if (h < lo || h > hi)
        return 0;
    return !want_0x || had;
}

static int nonempty_str(const struct jm *m, int i)
{
    return is_str(m, i) && m->t[i].end > m->t[i].start;
}

static void copy_str(const struct jm *m, int i, char *dst, size_t cap)
{
    if (is_str(m, i))
        (void)json_tok_unescape(m->js, m->t, m->n, i, dst, cap);
}

static int num(const struct jm *m, int i, double *v)
{
    return json_tok_to_double(m->js, m->t, m->n, i, v) == 0;
}

/* Every element of array a is one of the token types in mask (bit per type). */
static int all_of(const struct jm *m, int a, unsigned mask)
{
    for (unsigned k = 0; k < sz(m, a); k++)
        if (!(mask & (1u << ty(m, el(m, a, k)))))
            return 0;
    return 1;
}
#define B(t) (1u << (t))
#define SCALAR (B(JSON_T_STRING) | B(JSON_T_NUMBER) | B(JSON_T_NULL))

static void set(struct jm *m, enum mw_variant v, uint8_t side, int kind)
{
    m->out->variant = v;
    m->out->side = side;
    m->out->kind = kind;
}

/* ---- coin inference ---------------------------------------------------- */

static const struct {
    const char *algo, *coin;
} algo_coins[] = {
    { "rx/0", "XMR" },       { "randomx", "XMR" },     { "rx/wow", "WOW" },    { "rx/arq", "ARQ" },
    { "rx/graft", "GRFT" },  { "rx/sfx", "SFX" },      { "rx/keva", "KVA" },   { "cn/r", "XMR" },
    { "cn/half", "MSR" },    { "cn/gpu", "RYO" },      { "argon2/chukwa", "TRTL" },
    { "argon2/chukwav2", "TRTL" }, { "astrobwt", "DERO" }, { "ghostrider", "RTM" },
    { "kawpow", "RVN" },     { "ethash", "ETH" },      { "etchash", "ETC" },   { "kheavyhash", "KAS" },
    { "equihash", "ZEC" },   { "sha256d", "BTC" },     { "scrypt", "LTC" },    { "autolykos2", "ERG" },
};

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static int b58(char c)
{
    return (c >= '1' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O') ||
           (c >= 'a' && c <= 'z' && c != 'l');
}

static int all_b58(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!b58(s[i]))
            return 0;
    return 1;
}

/* Coin of a wallet address (the part of a login before ".worker" etc.), or NULL. */
static const char *wallet_coin(const char *w)
{
    if (strncmp(w, "kaspa:", 6) == 0)
        return "KAS";
    size_t n = strcspn(w, "./+:@ ");
    if ((n == 95 || n == 106) && (w[0] == '4' || w[0] == '8') && all_b58(w, n))
        return "XMR";
    if (n == 42 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!((w[i] >= '0' && w[i] <= '9') || (w[i] >= 'a' && w[i] <= 'f') || (w[i] >= 'A' && w[i] <= 'F')))
                return NULL;
        return "ETH";
    }
    if (n >= 26 && n <= 35 && (w[0] == '1' || w[0] == '3') && all_b58(w, n))
        return "BTC";
    if (n >= 14 && n <= 74 && strncmp(w, "bc1", 3) == 0) {
        for (size_t i = 3; i < n; i++)
            if (!((w[i] >= '0' && w[i] <= '9') || (w[i] >= 'a' && w[i] <= 'z')))
                return NULL;
        return "BTC";
    }
    if (n == 35 && w[0] == 't' && (w[1] == '1' || w[1] == '3') && all_b58(w, n))
        return "ZEC";
    return NULL;
}

static void infer_coin(struct jsonmine_msg *o)
{
    if (o->coin[0])
        return;
    if (o->algo[0]) {
        for (size_t i = 0; i < sizeof algo_coins / sizeof algo_coins[0]; i++)
            if (ieq(o->algo, algo_coins[i].algo)) {
                mw_ev_set(o->coin, sizeof o->coin, algo_coins[i].coin, strlen(algo_coins[i].coin));
                return;
            }
    }
    const char *c = o->worker[0] ? wallet_coin(o->worker) : NULL;
    if (c)
        mw_ev_set(o->coin, sizeof o->coin, c, strlen(c));
}

static void set_algo(struct jm *m, const char *a)
{
    mw_ev_set(m->out->algo, sizeof m->out->algo, a, strlen(a));
}

/* ---- shared shapes ----------------------------------------------------- */

/* Little-endian hex target of a CryptoNote job -> share difficulty (xmrig's rule:
 * 4-byte targets stand for the top half of a 64-bit target). */
static double cn_difficulty(const struct jm *m, int target)
{
    char hx[17];
    long n = json_tok_unescape(m->js, m->t, m->n, target, hx, sizeof hx);
    if (n != 8 && n != 16)
        return 0;
    uint64_t v = 0;
    for (long i = n - 2; i >= 0; i -= 2) {
        unsigned b = 0;
        for (int k = 0; k < 2; k++) {
            char c = hx[i + k];
            b = b * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        v = (v << 8) | b;
    }
    if (v == 0)
        return 0;
    if (n == 8)
        return 4294967295.0 / (double)v;
    return 18446744073709551615.0 / (double)v;
}

/* A CryptoNote/webminer job object: blob (hashing blob, >= 76 bytes in hex; shorter
 * only when the job names its algo), job_id, hex target. */
static int job_shape(struct jm *m, int job)
{
    if (ty(m, job) != JSON_T_OBJECT)
        return 0;
    int blob = get(m, job, "blob"), jid = get(m, job, "job_id"), tgt = get(m, job, "target");
    int algo = get(m, job, "algo");
    long minblob = nonempty_str(m, algo) ? 64 : 152;
    if (!hexs(m, blob, minblob, 1 << 20, 0) || !nonempty_str(m, jid) || !hexs(m, tgt, 4, 64, 0))
        return 0;
    copy_str(m, algo, m->out->algo, sizeof m->out->algo);
    m->out->difficulty = cn_difficulty(m, tgt);
    return 1;
}

/* Hex target (big-endian) -> difficulty: Ethereum's is 2^256/target, Bitcoin's
 * is the difficulty-1 target 0xffff * 2^208 over the target. */
#define ETH_BASE 256
#define BTC_BASE 0
static double target_difficulty(const struct jm *m, int tok, int base)
{
    char hx[80];
    long n = json_tok_unescape(m->js, m->t, m->n, tok, hx, sizeof hx);
    if (n <= 0 || n >= (long)sizeof hx)
        return 0;
    const char *p = hx;
    if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    double v = 0;
    for (; *p; p++)
        v = v * 16 + (*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
    if (!(v > 0))
        return 0;
    return (base == ETH_BASE ? ldexp(1.0, 256) : ldexp(65535.0, 208)) / v;
}

/* ---- stratum1 / ethstratum: client ------------------------------------ */

static int m_subscribe(struct jm *m, int p)
{
    if (p >= 0 && (ty(m, p) != JSON_T_ARRAY || sz(m, p) > 5 || !all_of(m, p, SCALAR)))
        return 0;
    int a0 = el(m, p, 0), a1 = el(m, p, 1), a2 = el(m, p, 2);
    int eth = json_tok_prefix(m->js, m->t, m->n, a1, "EthereumStratum/");
    set(m, eth ? MW_VAR_ETHSTRATUM : MW_VAR_STRATUM1, MW_SIDE_CLIENT, JM_K_SUBSCRIBE);
    copy_str(m, a0, m->out->agent, sizeof m->out->agent);
    /* ZIP 301: [agent, session, host, port]: the pool name the miner was given */
    if (!eth && nonempty_str(m, a2))
        copy_str(m, a2, m->out->pool_host, sizeof m->out->pool_host);
    return 1;
}

static int m_authorize(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) < 1 || sz(m, p) > 3 || !all_of(m, p, SCALAR) ||
        !nonempty_str(m, el(m, p, 0)))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_CLIENT, JM_K_AUTHORIZE);
    copy_str(m, el(m, p, 0), m->out->worker, sizeof m->out->worker); /* params[1] is the password */
    return 1;
}

static int m_configure(struct jm *m, int p)
{
    int ext = el(m, p, 0);
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) != 2 || ty(m, ext) != JSON_T_ARRAY ||
        !all_of(m, ext, B(JSON_T_STRING)) || ty(m, el(m, p, 1)) != JSON_T_OBJECT)
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_CLIENT, JM_K_CONFIGURE);
    return 1;
}

/* stratum1 [worker, job_id, extranonce2, ntime, nonce(, version_bits)], Equihash
 * [worker, job_id, ntime, nonce_2, solution], KawPow [worker, job_id, 0xnonce,
 * 0xheader, 0xmix]; ethstratum [worker, job_id, nonce]. */
static int m_submit(struct jm *m, int p)
{
    uint32_t n = sz(m, p);
    if (ty(m, p) != JSON_T_ARRAY || n < 3 || n > 6 || !all_of(m, p, B(JSON_T_STRING)) ||
        !nonempty_str(m, el(m, p, 1)))
        return 0;
    for (uint32_t k = 2; k < n; k++)
        if (!hexs(m, el(m, p, k), 1, 4096, 0))
            return 0;
    set(m, n == 3 ? MW_VAR_ETHSTRATUM : MW_VAR_STRATUM1, MW_SIDE_CLIENT, JM_K_SUBMIT);
    copy_str(m, el(m, p, 0), m->out->worker, sizeof m->out->worker);
    return 1;
}

static int m_suggest(struct jm *m, int p)
{
    int a0 = el(m, p, 0);
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) != 1 || (ty(m, a0) != JSON_T_NUMBER && !hexs(m, a0, 1, 64, 0)))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_CLIENT, JM_K_SUGGEST_DIFFICULTY);
    return 1;
}

static int m_extranonce_subscribe(struct jm *m, int p)
{
    if (p >= 0 && (ty(m, p) != JSON_T_ARRAY || sz(m, p) != 0))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_CLIENT, JM_K_EXTRANONCE_SUBSCRIBE);
    return 1;
}

static int m_get_transactions(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) > 1 || !all_of(m, p, B(JSON_T_STRING)))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_CLIENT, JM_K_GET_TRANSACTIONS);
    return 1;
}

/* ---- stratum1 / ethstratum: server ------------------------------------ */

static int hex64_at(struct jm *m, int p, unsigned i)
{
    return hexs(m, el(m, p, i), 64, 64, 0);
}

static int m_notify(struct jm *m, int p)
{
    uint32_t n = sz(m, p);
    if (ty(m, p) != JSON_T_ARRAY || n < 2 || n > 16 || !is_str(m, el(m, p, 0)))
        return 0;
    int last = el(m, p, n - 1);
    int clean = ty(m, last) == JSON_T_TRUE || ty(m, last) == JSON_T_FALSE;
    if (n == 9 && clean && hex64_at(m, p, 1) && hexs(m, el(m, p, 2), 1, 1 << 20, 0) &&
        hexs(m, el(m, p, 3), 1, 1 << 20, 0) && ty(m, el(m, p, 4)) == JSON_T_ARRAY &&
        hexs(m, el(m, p, 5), 8, 8, 0) && hexs(m, el(m, p, 6), 8, 8, 0) && hexs(m, el(m, p, 7), 8, 8, 0)) {
        int mb = el(m, p, 4);
        for (unsigned k = 0; k < sz(m, mb); k++)
            if (!hex64_at(m, mb, k))
                return 0;
        set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_NOTIFY); /* Bitcoin family */
        return 1;
    }
    if (n == 8 && clean && hexs(m, el(m, p, 1), 8, 8, 0) && hex64_at(m, p, 2) && hex64_at(m, p, 3) &&
        hex64_at(m, p, 4) && hexs(m, el(m, p, 5), 8, 8, 0) && hexs(m, el(m, p, 6), 8, 8, 0)) {
        set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_NOTIFY); /* ZIP 301 Equihash */
        set_algo(m, "equihash");
        return 1;
    }
    if (n == 4 && clean && hex64_at(m, p, 1) && hex64_at(m, p, 2)) {
        set(m, MW_VAR_ETHSTRATUM, MW_SIDE_SERVER, JM_K_NOTIFY); /* job, seedhash, headerhash, clean */
        return 1;
    }
    if (n == 7 && (ty(m, el(m, p, 4)) == JSON_T_TRUE || ty(m, el(m, p, 4)) == JSON_T_FALSE) &&
        hex64_at(m, p, 1) && hex64_at(m, p, 2) && hex64_at(m, p, 3) && ty(m, el(m, p, 5)) == JSON_T_NUMBER) {
        set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_NOTIFY); /* KawPow: header, seed, target, clean, height, bits */
        set_algo(m, "kawpow");
        m->out->difficulty = target_difficulty(m, el(m, p, 3), BTC_BASE);
        return 1;
    }
    int a1 = el(m, p, 1);
    if (n == 3 && ty(m, a1) == JSON_T_ARRAY && sz(m, a1) == 4 && all_of(m, a1, B(JSON_T_NUMBER)) &&
        ty(m, el(m, p, 2)) == JSON_T_NUMBER) {
        set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_NOTIFY); /* kHeavyHash: job, header as 4 u64, time */
        set_algo(m, "kheavyhash");
        return 1;
    }
    /* Other coins' variants: a job id plus at least one 256-bit hash. */
    for (uint32_t k = 1; k < n; k++)
        if (hexs(m, el(m, p, k), 64, 64, 0)) {
            set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_NOTIFY);
            return 1;
        }
    return 0;
}

static int m_set_difficulty(struct jm *m, int p)
{
    double d;
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) < 1 || sz(m, p) > 2 || !num(m, el(m, p, 0), &d) || !(d > 0))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_SET_DIFFICULTY);
    m->out->difficulty = d;
    return 1;
}

static int m_set_target(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) != 1 || !hexs(m, el(m, p, 0), 8, 64, 0))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_SET_TARGET);
    m->out->difficulty = target_difficulty(m, el(m, p, 0), BTC_BASE);
    return 1;
}

static int m_set_extranonce(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) < 1 || sz(m, p) > 2 || !hexs(m, el(m, p, 0), 0, 64, 0) ||
        (sz(m, p) == 2 && ty(m, el(m, p, 1)) != JSON_T_NUMBER))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_SET_EXTRANONCE);
    return 1;
}

static int m_set_version_mask(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) != 1 || !hexs(m, el(m, p, 0), 1, 8, 0))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_SET_VERSION_MASK);
    return 1;
}

static int m_reconnect(struct jm *m, int p)
{
    if (p >= 0 && (ty(m, p) != JSON_T_ARRAY || sz(m, p) > 3 || !all_of(m, p, SCALAR)))
        return 0;
    set(m, MW_VAR_STRATUM1, MW_SIDE_SERVER, JM_K_RECONNECT);
    copy_str(m, el(m, p, 0), m->out->pool_host, sizeof m->out->pool_host);
    return 1;
}

/* ---- cryptonote -------------------------------------------------------- */

static int m_login(struct jm *m, int p)
{
    int login = get(m, p, "login"), agent = get(m, p, "agent"), algo = get(m, p, "algo");
    int rigid = get(m, p, "rigid");
    if (!nonempty_str(m, login))
        return 0;
    copy_str(m, login, m->out->worker, sizeof m->out->worker);
    /* {login, pass} alone is any app's login form: only a wallet-shaped login counts */
    if (!is_str(m, agent) && ty(m, algo) != JSON_T_ARRAY && !is_str(m, rigid) && !wallet_coin(m->out->worker)) {
        m->out->worker[0] = '\0';
        return 0;
    }
    set(m, MW_VAR_CRYPTONOTE, MW_SIDE_CLIENT, JM_K_LOGIN);
    copy_str(m, agent, m->out->agent, sizeof m->out->agent);
    if (ty(m, algo) == JSON_T_ARRAY && sz(m, algo) == 1) /* a list says what it can, one says what it does */
        copy_str(m, el(m, algo, 0), m->out->algo, sizeof m->out->algo);
    return 1;
}

/* {id?, job_id, nonce (4-8 bytes hex), result (32-byte hash hex), algo?} */
static int share_obj(struct jm *m, int p)
{
    return ty(m, p) == JSON_T_OBJECT && nonempty_str(m, get(m, p, "job_id")) &&
           hexs(m, get(m, p, "nonce"), 8, 16, 0) && hexs(m, get(m, p, "result"), 64, 64, 0);
}

static int m_cn_submit(struct jm *m, int p)
{
    if (!share_obj(m, p))
        return 0;
    set(m, MW_VAR_CRYPTONOTE, MW_SIDE_CLIENT, JM_K_SUBMIT);
    copy_str(m, get(m, p, "algo"), m->out->algo, sizeof m->out->algo);
    return 1;
}

static int m_keepalived(struct jm *m, int p)
{
    if (p >= 0 && ty(m, p) != JSON_T_OBJECT)
        return 0;
    set(m, MW_VAR_CRYPTONOTE, MW_SIDE_CLIENT, JM_K_KEEPALIVE);
    return 1;
}

static int m_getjob(struct jm *m, int p)
{
    if (!nonempty_str(m, get(m, p, "id")))
        return 0;
    set(m, MW_VAR_CRYPTONOTE, MW_SIDE_CLIENT, JM_K_GETJOB);
    return 1;
}

static int m_job(struct jm *m, int p)
{
    if (!job_shape(m, p))
        return 0;
    set(m, MW_VAR_CRYPTONOTE, MW_SIDE_SERVER, JM_K_JOB);
    return 1;
}

/* ---- ethproxy ---------------------------------------------------------- */

static void eth_worker(struct jm *m, const char *base)
{
    int w = get(m, 0, "worker");
    char wk[MW_EV_WORKER_LEN];
    if (!nonempty_str(m, w))
        return;
    copy_str(m, w, wk, sizeof wk);
    char *o = m->out->worker;
    size_t have = strlen(base);
    if (have == 0)
        mw_ev_set(o, MW_EV_WORKER_LEN, wk, strlen(wk));
    else if (have + 1 < MW_EV_WORKER_LEN && !strstr(base, wk)) {
        o[have] = '.';
        mw_ev_set(o + have + 1, MW_EV_WORKER_LEN - have - 1, wk, strlen(wk));
    }
}

static int m_submitlogin(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) < 1 || sz(m, p) > 3 || !all_of(m, p, SCALAR) ||
        !nonempty_str(m, el(m, p, 0)))
        return 0;
    set(m, MW_VAR_ETHPROXY, MW_SIDE_CLIENT, JM_K_SUBMITLOGIN);
    copy_str(m, el(m, p, 0), m->out->worker, sizeof m->out->worker);
    eth_worker(m, m->out->worker);
    return 1;
}

static int m_eth_getwork(struct jm *m, int p)
{
    if (p >= 0 && (ty(m, p) != JSON_T_ARRAY || sz(m, p) > 2 || !all_of(m, p, SCALAR)))
        return 0;
    set(m, MW_VAR_ETHPROXY, MW_SIDE_CLIENT, JM_K_GETWORK);
    eth_worker(m, "");
    return 1;
}

static int m_submitwork(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) != 3 || !hexs(m, el(m, p, 0), 16, 16, 0) || !hex64_at(m, p, 1) ||
        !hex64_at(m, p, 2))
        return 0;
    set(m, MW_VAR_ETHPROXY, MW_SIDE_CLIENT, JM_K_SUBMIT);
    eth_worker(m, "");
    return 1;
}

static int m_submithashrate(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) != 2 || !hexs(m, el(m, p, 0), 1, 64, 0) || !hex64_at(m, p, 1))
        return 0;
    set(m, MW_VAR_ETHPROXY, MW_SIDE_CLIENT, JM_K_SUBMITHASHRATE);
    eth_worker(m, "");
    return 1;
}

/* ---- getwork / getblocktemplate ---------------------------------------- */

static int m_getwork(struct jm *m, int p)
{
    if (p < 0 || (ty(m, p) == JSON_T_ARRAY && sz(m, p) == 0)) {
        set(m, MW_VAR_GETWORK, MW_SIDE_CLIENT, JM_K_GETWORK);
        return 1;
    }
    /* getwork [data]: the solved 128-byte block header (at least the 80-byte header) */
    if (ty(m, p) == JSON_T_ARRAY && sz(m, p) == 1 && hexs(m, el(m, p, 0), 160, 512, 0)) {
        set(m, MW_VAR_GETWORK, MW_SIDE_CLIENT, JM_K_SUBMIT);
        return 1;
    }
    return 0;
}

static int m_gbt(struct jm *m, int p)
{
    int req = el(m, p, 0);
    if (p >= 0 && (ty(m, p) != JSON_T_ARRAY || sz(m, p) > 1))
        return 0;
    if (req >= 0 && (ty(m, req) != JSON_T_OBJECT ||
                     (get(m, req, "capabilities") < 0 && get(m, req, "rules") < 0 && get(m, req, "mode") < 0 &&
                      get(m, req, "longpollid") < 0 && sz(m, req) != 0)))
        return 0;
    set(m, MW_VAR_GBT, MW_SIDE_CLIENT, JM_K_GBT);
    return 1;
}

static int m_submitblock(struct jm *m, int p)
{
    if (ty(m, p) != JSON_T_ARRAY || sz(m, p) < 1 || sz(m, p) > 2 || !hexs(m, el(m, p, 0), 160, 1L << 30, 0))
        return 0;
    set(m, MW_VAR_GBT, MW_SIDE_CLIENT, JM_K_SUBMITBLOCK);
    return 1;
}

/* ---- method dispatch --------------------------------------------------- */

static const struct {
    const char *name;
    int (*fn)(struct jm *, int params);
} methods[] = {
    { "mining.subscribe", m_subscribe },
    { "mining.authorize", m_authorize },
    { "mining.configure", m_configure },
    { "mining.submit", m_submit },
    { "mining.suggest_difficulty", m_suggest },
    { "mining.suggest_target", m_suggest },
    { "mining.extranonce.subscribe", m_extranonce_subscribe },
    { "mining.get_transactions", m_get_transactions },
    { "mining.notify", m_notify },
    { "mining.set_difficulty", m_set_difficulty },
    { "mining.set_target", m_set_target },
    { "mining.set_extranonce", m_set_extranonce },
    { "mining.set_version_mask", m_set_version_mask },
    { "client.reconnect", m_reconnect },
    { "login", m_login },
    { "submit", m_cn_submit },
    { "keepalived", m_keepalived },
    { "getjob", m_getjob },
    { "job", m_job },
    { "eth_submitLogin", m_submitlogin },
    { "eth_getWork", m_eth_getwork },
    { "eth_submitWork", m_submitwork },
    { "eth_submitHashrate", m_submithashrate },
    { "getwork", m_getwork },
    { "getblocktemplate", m_gbt },
    { "submitblock", m_submitblock },
};

static int dispatch(struct jm *m, const char *name, int params)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(name, methods[i].name) == 0)
            return methods[i].fn(m, params);
    return 0;
}

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
    m->out->difficulty = target_difficulty(m, tg, ETH_BASE);
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
    if (!job_shape(m, get(m, res, "job")))
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
        if (!share_obj(m, p))
            return;
        set(m, MW_VAR_WEBMINER, MW_SIDE_CLIENT, JM_K_SUBMIT);
    } else if (eq(m, type, "job")) {
        if (!job_shape(m, p))
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
        if (ml >= 0 && (size_t)ml == strlen(out->method) && dispatch(&m, out->method, params)) {
            infer_coin(out);
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
    infer_coin(out);
    return JM_OK;
}

enum jsonmine_status jsonmine_classify(const uint8_t *json, size_t len, struct jsonmine_msg *out)
{
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
