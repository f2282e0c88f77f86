/* jsonmine_shape.h - internal to the jsonmine module: the token view both halves classify
 * over (jsonmine.c: entry points, responses, webminer; jsonmine_req.c: requests and
 * notifications of every dialect, coin inference and the job/target shapes both use). */
#ifndef MW_JSONMINE_SHAPE_H
#define MW_JSONMINE_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/json_tok.h"
#include "dissectors/jsonmine.h"

struct jm {
    const uint8_t *js;
    const struct json_tok *t;
    int n;
    struct jsonmine_msg *out;
};

/* ---- token access ------------------------------------------------------ */

static inline int ty(const struct jm *m, int i)
{
    return (i >= 0 && i < m->n) ? m->t[i].type : JSON_T_NONE;
}

static inline uint32_t sz(const struct jm *m, int i)
{
    return (i >= 0 && i < m->n) ? m->t[i].size : 0;
}

static inline int get(const struct jm *m, int obj, const char *key)
{
    return json_tok_obj_get(m->js, m->t, m->n, obj, key);
}

static inline int el(const struct jm *m, int arr, unsigned i)
{
    return json_tok_arr_get(m->t, m->n, arr, i);
}

static inline int is_str(const struct jm *m, int i)
{
    return ty(m, i) == JSON_T_STRING;
}

static inline int eq(const struct jm *m, int i, const char *s)
{
    return json_tok_eq(m->js, m->t, m->n, i, s);
}

/* String token holding only hex digits, with between lo and hi of them.
 * want_0x: 0 prefix optional, 1 prefix required. */
static inline int hexs(const struct jm *m, int i, long lo, long hi, int want_0x)
{
    int had = 0;
    long h = json_tok_hex_len(m->js, m->t, m->n, i, &had);
    if (h < lo || h > hi)
        return 0;
    return !want_0x || had;
}

static inline int nonempty_str(const struct jm *m, int i)
{
    return is_str(m, i) && m->t[i].end > m->t[i].start;
}

static inline void copy_str(const struct jm *m, int i, char *dst, size_t cap)
{
    if (is_str(m, i))
        (void)json_tok_unescape(m->js, m->t, m->n, i, dst, cap);
}

static inline int num(const struct jm *m, int i, double *v)
{
    return json_tok_to_double(m->js, m->t, m->n, i, v) == 0;
}

/* Every element of array a is one of the token types in mask (bit per type). */
static inline int all_of(const struct jm *m, int a, unsigned mask)
{
    for (unsigned k = 0; k < sz(m, a); k++)
        if (!(mask & (1u << ty(m, el(m, a, k)))))
            return 0;
    return 1;
}
#define B(t) (1u << (t))
#define SCALAR (B(JSON_T_STRING) | B(JSON_T_NUMBER) | B(JSON_T_NULL))

static inline void set(struct jm *m, enum mw_variant v, uint8_t side, int kind)
{
    m->out->variant = v;
    m->out->side = side;
    m->out->kind = kind;
}

/* Base of jsonmine_target_difficulty: Ethereum's 2^256, or Bitcoin's difficulty-1 target. */
#define ETH_BASE 256
#define BTC_BASE 0

/* Classify params of method name as a request/notification of some dialect: 1 when one
 * matched (m->out filled), 0 otherwise. */
int jsonmine_dispatch(struct jm *m, const char *name, int params);
/* Fill out->coin from out->algo or the login's wallet address when they name one. */
void jsonmine_infer_coin(struct jsonmine_msg *o);
/* A CryptoNote/webminer job object; fills algo and difficulty. */
int jsonmine_job_shape(struct jm *m, int job);
/* Big-endian hex target -> difficulty for base ETH_BASE or BTC_BASE. */
double jsonmine_target_difficulty(const struct jm *m, int tok, int base);
/* A CryptoNote share object {job_id, nonce, result}. */
int jsonmine_share_obj(struct jm *m, int p);

#endif
