/* json_tok.c - allocation-free strict JSON (RFC 8259) tokenizer and token helpers.
 *
 * Grammar (RFC 8259 sections 2-7): value = object / array / string / number /
 * true / false / null; whitespace is space, tab, LF, CR only; strings forbid raw
 * control characters and allow the eight short escapes plus \uXXXX; numbers are
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
 *
 * The parser is an explicit state machine over one buffer: containers are tokens,
 * the "stack" is the chain of parent indices, so depth costs no C stack.
 */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "dissectors/json_tok.h"

enum st { S_VALUE, S_VALUE_OR_CLOSE, S_KEY, S_KEY_OR_CLOSE, S_COLON, S_COMMA_OR_CLOSE, S_DONE };

static int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Scan a string whose opening quote is at *pos; on success *pos is past the
 * closing quote and *end at it. */
static int scan_string(const uint8_t *js, size_t len, size_t *pos, size_t *end, int *escaped, unsigned flags)
{
    size_t p = *pos + 1;
    while (p < len) {
        uint8_t c = js[p];
        if (c == '"') {
            *end = p;
            *pos = p + 1;
            return 0;
        }
        if (c < 0x20)
            return JSON_TOK_ERR_INVAL;
        if (c == '\\') {
            if (p + 1 >= len)
                return JSON_TOK_ERR_PART;
            uint8_t e = js[p + 1];
            *escaped = 1;
            if (e == 'u') {
                for (size_t k = 0; k < 4; k++) {
                    if (p + 2 + k >= len)
                        return JSON_TOK_ERR_PART;
                    if (hexval(js[p + 2 + k]) < 0)
                        return JSON_TOK_ERR_INVAL;
                }
                p += 6;
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                       e == 't') {
                p += 2;
            } else {
                return JSON_TOK_ERR_INVAL;
            }
        } else if (c >= 0x80 && (flags & JSON_TOK_STRICT_UTF8)) {
            int n = mw_utf8_seq(js + p, len - p);
            if (n < 0)
                return JSON_TOK_ERR_PART;
            if (n == 0)
                return JSON_TOK_ERR_INVAL;
            p += (size_t)n;
        } else {
            p++;
        }
    }
    return JSON_TOK_ERR_PART;
}

static int scan_digits(const uint8_t *js, size_t len, size_t *p)
{
    if (*p >= len)
        return JSON_TOK_ERR_PART;
    if (!is_digit(js[*p]))
        return JSON_TOK_ERR_INVAL;
    while (*p < len && is_digit(js[*p]))
        (*p)++;
    return 0;
}

static int scan_number(const uint8_t *js, size_t len, size_t *pos)
{
    size_t p = *pos;
    int rc;
    if (js[p] == '-')
        p++;
    if (p >= len)
        return JSON_TOK_ERR_PART;
    if (js[p] == '0')
        p++;
    else if ((rc = scan_digits(js, len, &p)) != 0)
        return rc;
    if (p < len && js[p] == '.') {
        p++;
        if ((rc = scan_digits(js, len, &p)) != 0)
            return rc;
    }
    if (p < len && (js[p] == 'e' || js[p] == 'E')) {
        p++;
        if (p < len && (js[p] == '+' || js[p] == '-'))
            p++;
        if ((rc = scan_digits(js, len, &p)) != 0)
            return rc;
    }
    *pos = p;
    return 0;
}

static int scan_literal(const uint8_t *js, size_t len, size_t *pos, const char *lit)
{
    size_t n = strlen(lit);
    for (size_t k = 0; k < n; k++) {
        if (*pos + k >= len)
            return JSON_TOK_ERR_PART;
        if (js[*pos + k] != (uint8_t)lit[k])
            return JSON_TOK_ERR_INVAL;
    }
    *pos += n;
    return 0;
}

static int tok_new(struct json_tok *toks, unsigned max_toks, int *n, uint8_t type, size_t start, int parent)
{
    if ((unsigned)*n >= max_toks)
        return JSON_TOK_ERR_NOMEM;
    struct json_tok *t = &toks[*n];
    t->type = type;
    t->escaped = 0;
    t->start = (uint32_t)start;
    t->end = (uint32_t)start;
    t->size = 0;
    t->parent = parent;
    t->skip = (uint32_t)*n + 1;
    return (*n)++;
}

int json_tok_parse(const uint8_t *js, size_t len, struct json_tok *toks, unsigned max_toks,
                   unsigned max_depth, unsigned flags)
{
    if (!js || !toks || len >= UINT32_MAX)
        return JSON_TOK_ERR_INVAL;
    size_t pos = 0;
    int n = 0, cur = -1, rc;
    unsigned depth = 0;
    enum st st = S_VALUE;

    for (;;) {
        while (pos < len && is_ws(js[pos]))
            pos++;
        if (pos == len)
            return st == S_DONE ? n : JSON_TOK_ERR_PART;
        uint8_t c = js[pos];
        int closing = 0;

        switch (st) {
        case S_DONE:
            return JSON_TOK_ERR_INVAL;
        case S_COLON:
            if (c != ':')
                return JSON_TOK_ERR_INVAL;
            pos++;
            st = S_VALUE;
            continue;
        case S_COMMA_OR_CLOSE:
            if (c == ',') {
                pos++;
                st = toks[cur].type == JSON_T_OBJECT ? S_KEY : S_VALUE;
                continue;
            }
            if ((c == '}' && toks[cur].type == JSON_T_OBJECT) || (c == ']' && toks[cur].type == JSON_T_ARRAY))
                closing = 1;
            else
                return JSON_TOK_ERR_INVAL;
            break;
        case S_KEY_OR_CLOSE:
        case S_KEY:
            if (c == '}' && st == S_KEY_OR_CLOSE) {
                closing = 1;
                break;
            }
            if (c != '"')
                return JSON_TOK_ERR_INVAL;
            {
                int k = tok_new(toks, max_toks, &n, JSON_T_STRING, pos + 1, cur);
                if (k < 0)
                    return k;
                size_t end = 0;
                int esc = 0;
                if ((rc = scan_string(js, len, &pos, &end, &esc, flags)) != 0)
                    return rc;
                toks[k].end = (uint32_t)end;
                toks[k].escaped = (uint8_t)esc;
                toks[cur].size++;
                st = S_COLON;
            }
            continue;
        case S_VALUE_OR_CLOSE:
            if (c == ']') {
                closing = 1;
                break;
            }
            break; /* a value starts here */
        case S_VALUE:
            break;
        }

        if (closing) {
            toks[cur].end = (uint32_t)(pos + 1);
            toks[cur].skip = (uint32_t)n;
            pos++;
            depth--;
            cur = toks[cur].parent;
            st = cur < 0 ? S_DONE : S_COMMA_OR_CLOSE;
            continue;
        }

        /* A value starts at pos. */
        if (cur >= 0 && toks[cur].type == JSON_T_ARRAY)
            toks[cur].size++;
        if (c == '{' || c == '[') {
            if (depth >= max_depth)
                return JSON_TOK_ERR_DEPTH;
            int k = tok_new(toks, max_toks, &n, c == '{' ? JSON_T_OBJECT : JSON_T_ARRAY, pos, cur);
            if (k < 0)
                return k;
            depth++;
            cur = k;
            pos++;
            st = c == '{' ? S_KEY_OR_CLOSE : S_VALUE_OR_CLOSE;
            continue;
        }
        int k;
        if (c == '"') {
            k = tok_new(toks, max_toks, &n, JSON_T_STRING, pos + 1, cur);
            if (k < 0)
                return k;
            size_t end = 0;
            int esc = 0;
            if ((rc = scan_string(js, len, &pos, &end, &esc, flags)) != 0)
                return rc;
            toks[k].end = (uint32_t)end;
            toks[k].escaped = (uint8_t)esc;
        } else {
            uint8_t type;
            const char *lit = NULL;
            if (c == '-' || is_digit(c))
                type = JSON_T_NUMBER;
            else if (c == 't')
                type = JSON_T_TRUE, lit = "true";
            else if (c == 'f')
                type = JSON_T_FALSE, lit = "false";
            else if (c == 'n')
                type = JSON_T_NULL, lit = "null";
            else
                return JSON_TOK_ERR_INVAL;
            k = tok_new(toks, max_toks, &n, type, pos, cur);
            if (k < 0)
                return k;
            rc = lit ? scan_literal(js, len, &pos, lit) : scan_number(js, len, &pos);
            if (rc != 0)
                return rc;
            toks[k].end = (uint32_t)pos;
        }
        st = cur < 0 ? S_DONE : S_COMMA_OR_CLOSE;
    }
}

static int valid(const struct json_tok *toks, int ntok, int idx)
{
    return toks && idx >= 0 && idx < ntok;
}

/* Iterator over the unescaped bytes of a validated string token. */
struct ustr {
    const uint8_t *js;
    size_t pos, end;
};

/* Four hex digits; U+FFFD for a non-digit (the tokenizer rejects those, but a negative
 * digit must never reach the shifts). */
static unsigned hex4(const uint8_t *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hexval(p[i]);
        if (d < 0)
            return 0xFFFDu;
        v = v << 4 | (unsigned)d;
    }
    return v;
}

/* Next unescaped UTF-8 bytes into out[4]; returns their count, 0 at the end. */
static int ustr_next(struct ustr *u, uint8_t out[4])
{
    if (u->pos >= u->end)
        return 0;
    uint8_t c = u->js[u->pos];
    if (c != '\\' || u->pos + 1 >= u->end) {
        u->pos++;
        out[0] = c;
        return 1;
    }
    uint8_t e = u->js[u->pos + 1];
    u->pos += 2;
    switch (e) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = e; return 1;
    }
    if (u->pos + 4 > u->end)
        return 0; /* cannot happen on a validated token */
    unsigned cp = hex4(u->js + u->pos);
    u->pos += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (u->pos + 6 <= u->end && u->js[u->pos] == '\\' && u->js[u->pos + 1] == 'u') {
            unsigned lo = hex4(u->js + u->pos + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                u->pos += 6;
            } else
                cp = 0xFFFD;
        } else
            cp = 0xFFFD;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;
    }
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Compare the unescaped string with s: returns 1 equal, 2 s is a proper prefix, 0 else. */
static int ustr_cmp(const uint8_t *js, const struct json_tok *t, const char *s)
{
    size_t sl = strlen(s);
    if (!t->escaped) {
        size_t tl = t->end - t->start;
        if (tl < sl || memcmp(js + t->start, s, sl) != 0)
            return 0;
        return tl == sl ? 1 : 2;
    }
    struct ustr u = { js, t->start, t->end };
    size_t i = 0;
    uint8_t b[4];
    int n;
    while ((n = ustr_next(&u, b)) > 0) {
        for (int k = 0; k < n; k++) {
            if (i >= sl)
                return 2;
            if ((uint8_t)s[i] != b[k])
                return 0;
            i++;
        }
    }
    return i == sl ? 1 : 0;
}

int json_tok_eq(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, const char *s)
{
    if (!valid(toks, ntok, idx) || toks[idx].type != JSON_T_STRING || !s)
        return 0;
    return ustr_cmp(js, &toks[idx], s) == 1;
}

int json_tok_prefix(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, const char *prefix)
{
    if (!valid(toks, ntok, idx) || toks[idx].type != JSON_T_STRING || !prefix)
        return 0;
    return ustr_cmp(js, &toks[idx], prefix) != 0;
}

int json_tok_obj_get(const uint8_t *js, const struct json_tok *toks, int ntok, int obj, const char *key)
{
    if (!valid(toks, ntok, obj) || toks[obj].type != JSON_T_OBJECT)
        return -1;
    int i = obj + 1;
    for (uint32_t m = 0; m < toks[obj].size; m++) {
        int val = i + 1;
        if (!valid(toks, ntok, val))
            return -1;
        if (json_tok_eq(js, toks, ntok, i, key))
            return val;
        i = (int)toks[val].skip;
    }
    return -1;
}

int json_tok_arr_get(const struct json_tok *toks, int ntok, int arr, unsigned i)
{
    if (!valid(toks, ntok, arr) || toks[arr].type != JSON_T_ARRAY || i >= toks[arr].size)
        return -1;
    int k = arr + 1;
    for (unsigned e = 0; e < i; e++) {
        if (!valid(toks, ntok, k))
            return -1;
        k = (int)toks[k].skip;
    }
    return valid(toks, ntok, k) ? k : -1;
}

long json_tok_unescape(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, char *buf, size_t cap)
{
    if (!valid(toks, ntok, idx) || toks[idx].type != JSON_T_STRING || !buf || cap == 0) {
        if (buf && cap)
            buf[0] = '\0';
        return -1;
    }
    struct ustr u = { js, toks[idx].start, toks[idx].end };
    size_t out = 0, total = 0;
    uint8_t b[4];
    int n;
    while ((n = ustr_next(&u, b)) > 0) {
        for (int k = 0; k < n; k++) {
            if (out + 1 < cap)
                buf[out++] = (char)b[k];
            total++;
        }
    }
    buf[out] = '\0';
    return (long)total;
}

long json_tok_hex_len(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, int *had_0x)
{
    if (had_0x)
        *had_0x = 0;
    if (!valid(toks, ntok, idx) || toks[idx].type != JSON_T_STRING)
        return -1;
    struct ustr u = { js, toks[idx].start, toks[idx].end };
    long hex = 0, i = 0;
    uint8_t first = 0, b[4];
    int n;
    while ((n = ustr_next(&u, b)) > 0) {
        for (int k = 0; k < n; k++, i++) {
            if (i == 0)
                first = b[k];
            if (i == 1 && first == '0' && (b[k] == 'x' || b[k] == 'X')) {
                hex = 0; /* the '0' counted so far was the prefix */
                if (had_0x)
                    *had_0x = 1;
                continue;
            }
            if (hexval(b[k]) < 0)
                return -1;
            hex++;
        }
    }
    return hex;
}

int json_tok_to_double(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, double *out)
{
    if (!valid(toks, ntok, idx) || toks[idx].type != JSON_T_NUMBER || !out)
        return -1;
    char tmp[64];
    size_t n = toks[idx].end - toks[idx].start;
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, js + toks[idx].start, n);
    tmp[n] = '\0';
    char *endp = NULL;
    double v = strtod(tmp, &endp);
    if (!endp || *endp != '\0')
        return -1;
    *out = v;
    return 0;
}

int json_tok_to_i64(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, int64_t *out)
{
    if (!valid(toks, ntok, idx) || toks[idx].type != JSON_T_NUMBER || !out)
        return -1;
    size_t p = toks[idx].start, end = toks[idx].end;
    int neg = 0;
    if (p < end && js[p] == '-') {
        neg = 1;
        p++;
    }
    if (p >= end)
        return -1;
    uint64_t v = 0;
    const uint64_t lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; p < end; p++) {
        if (!is_digit(js[p]))
            return -1;
        unsigned d = (unsigned)(js[p] - '0');
        if (v > (lim - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}
