/* jsonmine_req.c - the requests and notifications of each mining dialect (method name plus
 * params shape), coin inference, and the job/target shapes responses share.
 *
 * Specs: as listed in jsonmine.c (docs/protocols.md has the details and URLs). Wire
 * layout: the "params" of a JSON-RPC request or notification, an array (stratum1,
 * ethstratum, ethproxy, getwork, gbt) or an object (cryptonote). Part of the jsonmine
 * module: jsonmine.c holds the entry points and calls jsonmine_dispatch() for a method.
 */
#include <math.h>
#include <string.h>

#include "dissectors/jsonmine_shape.h"

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

void jsonmine_infer_coin(struct jsonmine_msg *o)
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
int jsonmine_job_shape(struct jm *m, int job)
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
double jsonmine_target_difficulty(const struct jm *m, int tok, int base)
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
        m->out->difficulty = jsonmine_target_difficulty(m, el(m, p, 3), BTC_BASE);
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
    m->out->difficulty = jsonmine_target_difficulty(m, el(m, p, 0), BTC_BASE);
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
int jsonmine_share_obj(struct jm *m, int p)
{
    return ty(m, p) == JSON_T_OBJECT && nonempty_str(m, get(m, p, "job_id")) &&
           hexs(m, get(m, p, "nonce"), 8, 16, 0) && hexs(m, get(m, p, "result"), 64, 64, 0);
}

static int m_cn_submit(struct jm *m, int p)
{
    if (!jsonmine_share_obj(m, p))
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
    if (!jsonmine_job_shape(m, p))
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

int jsonmine_dispatch(struct jm *m, const char *name, int params)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(name, methods[i].name) == 0)
            return methods[i].fn(m, params);
    return 0;
}
