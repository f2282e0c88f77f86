/* stratum.c - newline-framed JSON mining stream dissector (Stratum V1 family).
 *
 * Spec: the Bitcoin wiki "Stratum mining protocol" (framing: each message is a
 * JSON object on its own line, LF or CRLF, both directions, over one TCP
 * connection); the same framing carries EthereumStratum/1.0.0, eth-proxy and the
 * CryptoNote (XMRig) protocol, so one dissector serves them all and
 * dissectors/jsonmine.c tells the dialects apart.
 *
 * Wire layout:   {"id":1,"method":"mining.subscribe","params":[...]}\n
 *                {"id":1,"result":[...],"error":null}\r\n
 *
 * Frame first: a line is taken only when its newline has arrived (the sensor keeps
 * the rest and offers it again); a line longer than STRATUM_MAX_LINE is skipped up
 * to the next newline. Requests are remembered by id (a small ring) so that a
 * response, which carries no method, can be read as a share accepted/rejected, a
 * subscribe result, a login result.
 */
#include <string.h>

#include "dissectors/jsonmine.h"
#include "dissectors/stratum.h"

static int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static uint32_t fnv1a(uint32_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 16777619u;
    }
    return h;
}

/* What the probe leaves in the engine's memo for the first feed of the same line. */
struct stratum_memo {
    enum jsonmine_status rc;
    struct jsonmine_msg m;
};
_Static_assert(sizeof(struct stratum_memo) <= MW_PROBE_MEMO_SIZE, "stratum memo too large");

static int probe(const uint8_t *data, size_t len, int dir, const struct mw_dctx *ctx)
{
    size_t i = 0;
    while (i < len && is_ws(data[i]))
        i++;
    if (i == len)
        return MW_PROBE_MAYBE;
    if (data[i] != '{')
        return MW_PROBE_NO;
    const uint8_t *nl = memchr(data + i, '\n', len - i);
    if (nl) {
        /* The line is classified here to decide; the feed that follows in the same engine
         * call takes the result from the memo instead of parsing the line again. */
        struct stratum_memo local, *mm = &local;
        if (ctx->memo) {
            mm = (struct stratum_memo *)(void *)ctx->memo->body;
            ctx->memo->owner = &stratum_dissector;
            ctx->memo->data = data + i;
            ctx->memo->len = (size_t)(nl - (data + i));
        }
        mm->rc = jsonmine_classify(data + i, (size_t)(nl - (data + i)), &mm->m);
        if (mm->rc == JM_OK && mm->m.variant != MW_VAR_NONE)
            return MW_PROBE_YES;
    }
    return MW_PROBE_MAYBE;
}

static void init(void *state)
{
    memset(state, 0, sizeof(struct stratum_state));
}

static void pending_add(struct stratum_state *st, const char *id, int kind)
{
    struct stratum_pending *p = &st->pending[st->pend_next];
    p->id_hash = fnv1a(2166136261u, id);
    p->kind = (uint8_t)kind;
    p->used = 1;
    st->pend_next = (uint8_t)((st->pend_next + 1) % STRATUM_PENDING);
}

/* Kind of the request that id answers (and forget it), or JM_K_NONE. */
static int pending_take(struct stratum_state *st, const char *id)
{
    uint32_t h = fnv1a(2166136261u, id);
    for (int i = 0; i < STRATUM_PENDING; i++) {
        struct stratum_pending *p = &st->pending[i];
        if (p->used && p->id_hash == h) {
            p->used = 0;
            return p->kind;
        }
    }
    return JM_K_NONE;
}

/* 1 when this fact was not reported yet (remembers it). */
static int fact_new(struct stratum_state *st, int field, const char *val)
{
    if (!val[0])
        return 0;
    uint32_t h = fnv1a(2166136261u ^ (uint32_t)field * 0x9e3779b9u, val);
    for (int i = 0; i < STRATUM_FACTS; i++)
        if (st->facts[i] == h)
            return 0;
    st->facts[st->fact_next] = h;
    st->fact_next = (uint8_t)((st->fact_next + 1) % STRATUM_FACTS);
    return 1;
}

/* The dialect a message suggests replaces the session's only when the message
 * defines it (a subscribe, its result, a job): a Kaspa submit has ethstratum's
 * three parameters but the session said stratum1. */
static void merge_variant(struct stratum_state *st, const struct jsonmine_msg *m, int *changed)
{
    if (m->variant == MW_VAR_NONE || m->variant == st->variant)
        return;
    int defining = m->kind == JM_K_SUBSCRIBE || m->kind == JM_K_SUBSCRIBE_RESULT || m->kind == JM_K_NOTIFY;
    if (st->variant == MW_VAR_NONE || defining) {
        st->variant = (uint8_t)m->variant;
        *changed = 1;
    }
}

static void emit(struct stratum_state *st, struct mw_dctx *ctx, const struct jsonmine_msg *m)
{
    if (!ctx->emit)
        return;
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_PROTOCOL;
    ev.variant = (enum mw_variant)st->variant;
    ev.sides = st->sides;
    ev.client_dir = st->client_dir;
    ev.confidence = st->sides == (MW_SIDE_CLIENT | MW_SIDE_SERVER) ? 100 : st->messages >= 3 ? 90 : 80;
    memcpy(ev.method, m->method, sizeof ev.method);
    memcpy(ev.agent, m->agent, sizeof ev.agent);
    memcpy(ev.worker, m->worker, sizeof ev.worker);
    memcpy(ev.algo, m->algo, sizeof ev.algo);
    memcpy(ev.pool_host, m->pool_host, sizeof ev.pool_host);
    memcpy(ev.coin, m->coin, sizeof ev.coin);
    ctx->emit(ctx, &ev);
}

/* One framed line; returns 0 to go on, 1 to stop (closed), -1 malformed. */
static int line(struct stratum_state *st, struct mw_dctx *ctx, int dir, const uint8_t *p, size_t n)
{
    struct jsonmine_msg m;
    enum jsonmine_status rc;
    struct mw_probe_memo *memo = ctx->memo;
    if (memo && memo->owner == &stratum_dissector && memo->data == p && memo->len == n) {
        const struct stratum_memo *mm = (const struct stratum_memo *)(const void *)memo->body;
        rc = mm->rc;
        m = mm->m;
        memo->owner = NULL; /* one use: the next line is another line */
    } else {
        rc = jsonmine_classify(p, n, &m);
    }
    if (rc == JM_TOO_COMPLEX) {
        st->too_complex++;
        mw_event(ctx, STRATUM_EV_TOO_COMPLEX);
    }
    if (rc != JM_OK) {
        if (rc == JM_NOT_JSON) {
            st->bad_lines++;
            mw_event(ctx, STRATUM_EV_MALFORMED_JSON);
        }
        if (st->mining)
            return 0;
        return ++st->invalid[dir] >= STRATUM_GIVE_UP_INVALID ? -1 : 0;
    }

    int paired = 0, request_kind = JM_K_NONE;
    if (m.role == JM_RESPONSE && m.id[0]) {
        request_kind = pending_take(st, m.id);
        if (request_kind != JM_K_NONE) {
            jsonmine_classify_response(p, n, request_kind, &m);
            paired = 1;
        }
    }
    /* A paired answer is part of the session even when it is just "true"; it
     * confirms the server only when it accepts or has the dialect's shape. */
    int confirms = m.variant != MW_VAR_NONE || (paired && m.result_bool == 1 && !m.has_error);
    if (!confirms && !paired) {
        if (!st->mining && ++st->not_mining[dir] >= STRATUM_GIVE_UP_LINES) {
            ctx->closed = 1;
            return 1;
        }
        return 0;
    }

    int changed = 0;
    if (confirms) {
        uint8_t side = paired ? MW_SIDE_SERVER : m.side;
        if (side) {
            if (!st->sides)
                st->client_dir = (uint8_t)(side == MW_SIDE_CLIENT ? dir : !dir);
            if (!(st->sides & side)) {
                st->sides |= side;
                changed = 1;
            }
        }
        merge_variant(st, &m, &changed);
        if (!st->mining) {
            st->mining = 1;
            changed = 1;
            ctx->keep_following = 1;
            if (ctx->app)
                ctx->app->app_proto = stratum_dissector.name;
        }
        st->messages++;
    }
    if (m.role == JM_REQUEST && m.variant != MW_VAR_NONE && m.id[0] && strcmp(m.id, "null") != 0)
        pending_add(st, m.id, m.kind);
    jsonmine_account(ctx->app, &m);

    /* every fact is checked (no short-circuit) so each is remembered */
    int facts = fact_new(st, 0, m.agent);
    facts |= fact_new(st, 1, m.worker);
    facts |= fact_new(st, 2, m.algo);
    facts |= fact_new(st, 3, m.pool_host);
    facts |= fact_new(st, 4, m.coin);
    if (st->mining && (changed || facts))
        emit(st, ctx, &m);
    return 0;
}

static long feed(void *state, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len)
{
    struct stratum_state *st = state;
    size_t pos = 0;
    dir = dir ? 1 : 0;
    while (pos < len) {
        if (st->skipping[dir]) {
            const uint8_t *nl = memchr(data + pos, '\n', len - pos);
            if (!nl)
                return (long)len;
            pos = (size_t)(nl - data) + 1;
            st->skipping[dir] = 0;
            continue;
        }
        while (pos < len && is_ws(data[pos]))
            pos++;
        if (pos == len)
            break;
        size_t window = len - pos < STRATUM_MAX_LINE ? len - pos : STRATUM_MAX_LINE;
        const uint8_t *nl = memchr(data + pos, '\n', window);
        if (!nl) {
            if (len - pos < STRATUM_MAX_LINE)
                return (long)pos; /* need the rest of the line */
            st->oversize_lines++;
            mw_event(ctx, STRATUM_EV_LINE_TOO_LONG);
            st->skipping[dir] = 1;
            return (long)len;
        }
        size_t end = (size_t)(nl - data);
        int rc = line(st, ctx, dir, data + pos, end - pos);
        pos = end + 1;
        if (rc < 0)
            return MW_FEED_MALFORMED;
        if (rc > 0)
            return (long)pos;
    }
    return (long)pos;
}

static void gap(void *state, struct mw_dctx *ctx, int dir)
{
    struct stratum_state *st = state;
    st->skipping[dir ? 1 : 0] = 1;
}

static void fini(void *state, struct mw_dctx *ctx)
{
    /* evidence is reported as facts are learned; nothing is held back */
}

const struct mw_dissector stratum_dissector = {
    .name = "stratum",
    .transports = MW_TRANSPORT_TCP,
    .state_size = sizeof(struct stratum_state),
    .probe = probe,
    .init = init,
    .feed = feed,
    .gap = gap,
    .fini = fini,
    .events = (const char *const[]){ [STRATUM_EV_LINE_TOO_LONG] = "line_too_long",
                                     [STRATUM_EV_MALFORMED_JSON] = "malformed_json",
                                     [STRATUM_EV_TOO_COMPLEX] = "too_complex" },
    .nevents = STRATUM_EV_COUNT,
};
