/* json.c - escaping JSON line writer over a fixed buffer (see json.h for the rules). */
#include "sensor/eve/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

static const char hexdig[] = "0123456789abcdef";

void jw_init(struct jw *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
    /* Two bytes stay reserved for jw_finish()'s '\n' and NUL, so finishing a line
     * that fit never fails for lack of room. */
    if (cap < 2)
        w->overflow = 1;
    else
        buf[0] = '\0';
}

static void put(struct jw *w, const void *p, size_t n)
{
    if (w->overflow)
        return;
    if (n > w->cap - 2 - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void putc1(struct jw *w, char c)
{
    put(w, &c, 1);
}

/* Comma before a value or key that is not the first in its container. */
static void pre_value(struct jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth])
            putc1(w, ',');
        w->has_items[w->depth] = 1;
    }
}

static void open_container(struct jw *w, char c)
{
    pre_value(w);
    if (w->depth >= JW_MAX_DEPTH) {
        w->overflow = 1;
        return;
    }
    w->depth++;
    w->has_items[w->depth] = 0;
    putc1(w, c);
}

static void close_container(struct jw *w, char c)
{
    if (w->depth == 0 || w->after_key) {
        w->overflow = 1; /* unbalanced or a key without a value: never valid JSON */
        return;
    }
    w->depth--;
    putc1(w, c);
}

void jw_object_begin(struct jw *w) { open_container(w, '{'); }
void jw_object_end(struct jw *w) { close_container(w, '}'); }
void jw_array_begin(struct jw *w) { open_container(w, '['); }
void jw_array_end(struct jw *w) { close_container(w, ']'); }

/* Length of the well-formed UTF-8 sequence at s, 0 if the byte at s does not start one
 * (overlongs, surrogates, > U+10FFFF and truncated sequences fail, byte by byte). */
static size_t utf8_seq_len(const uint8_t *s, size_t n)
{
    int r = mw_utf8_seq(s, n);
    return r > 0 ? (size_t)r : 0;
}

static void put_u_escape(struct jw *w, unsigned cp)
{
    char e[6] = { '\\', 'u', hexdig[(cp >> 12) & 15], hexdig[(cp >> 8) & 15],
                  hexdig[(cp >> 4) & 15], hexdig[cp & 15] };
    put(w, e, sizeof e);
}

/* Escaped body of a string, no quotes. Runs of safe bytes are copied in one go. */
static void put_escaped(struct jw *w, const uint8_t *s, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n && !w->overflow) {
        uint8_t b = s[i];
        size_t sl = utf8_seq_len(s + i, n - i);
        int plain = 0;
        if (sl == 1)
            plain = b >= 0x20 && b != '"' && b != '\\' && b != 0x7f;
        else if (sl == 3 && b == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
            plain = 0; /* U+2028/U+2029 break JavaScript consumers of JSON */
        else if (sl > 1)
            plain = 1;
        if (plain) {
            i += sl;
            continue;
        }
        put(w, s + run, i - run);
        if (sl == 0) {
            char e[6] = { '\\', '\\', 'x', hexdig[b >> 4], hexdig[b & 15], 0 };
            put(w, e, 5);
            i += 1;
        } else if (sl == 3) {
            put_u_escape(w, s[i + 2] == 0xa8 ? 0x2028 : 0x2029);
            i += 3;
        } else {
            switch (b) {
            case '"': put(w, "\\\"", 2); break;
            case '\\': put(w, "\\\\", 2); break;
            case '\n': put(w, "\\n", 2); break;
            case '\r': put(w, "\\r", 2); break;
            case '\t': put(w, "\\t", 2); break;
            default: put_u_escape(w, b); break;
            }
            i += 1;
        }
        run = i;
    }
    put(w, s + run, i - run);
}

void jw_key(struct jw *w, const char *key)
{
    pre_value(w);
    putc1(w, '"');
    put_escaped(w, (const uint8_t *)key, strlen(key));
    put(w, "\":", 2);
    w->after_key = 1;
}

void jw_strn(struct jw *w, const void *s, size_t n)
{
    pre_value(w);
    putc1(w, '"');
    put_escaped(w, s, n);
    putc1(w, '"');
}

void jw_str(struct jw *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

void jw_strn_max(struct jw *w, const void *s, size_t n, size_t max_bytes)
{
    if (n <= max_bytes) {
        jw_strn(w, s, n);
        return;
    }
    /* Walk whole sequences (an invalid byte counts as a 1-byte unit) so the cut
     * never splits a character into \xHH escapes that were not in the input. */
    const uint8_t *p = s;
    size_t cut = 0;
    for (;;) {
        size_t sl = utf8_seq_len(p + cut, n - cut);
        if (sl == 0 && mw_utf8_seq(p + cut, n - cut) == MW_UTF8_TRUNCATED)
            break; /* a character an earlier copy cut off: drop it rather than escape its bytes */
        if (sl == 0)
            sl = 1;
        if (cut + sl > max_bytes)
            break;
        cut += sl;
    }
    pre_value(w);
    putc1(w, '"');
    put_escaped(w, p, cut);
    put(w, JW_TRUNCATED_MARKER, sizeof JW_TRUNCATED_MARKER - 1);
    putc1(w, '"');
}

void jw_uint(struct jw *w, uint64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%" PRIu64, v);
    pre_value(w);
    put(w, t, (size_t)n);
}

void jw_int(struct jw *w, int64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%" PRId64, v);
    pre_value(w);
    put(w, t, (size_t)n);
}

void jw_double(struct jw *w, double v)
{
    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    /* Shortest of %.15g / %.17g that reads back exactly. The sensor never calls
     * setlocale(), so the decimal point is '.'. */
    char t[40];
    int n = snprintf(t, sizeof t, "%.15g", v);
    if (strtod(t, NULL) != v)
        n = snprintf(t, sizeof t, "%.17g", v);
    /* Always a float literal (8192.0, not 8192): a SIEM maps a field by the first value it
     * sees, and an integer there would truncate every later fraction. */
    if (!strpbrk(t, ".eE") && n > 0 && (size_t)n + 2 < sizeof t) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    pre_value(w);
    put(w, t, (size_t)n);
}

void jw_bool(struct jw *w, int v)
{
    pre_value(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void jw_null(struct jw *w)
{
    pre_value(w);
    put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *fragment)
{
    pre_value(w);
    put(w, fragment, strlen(fragment));
}

void jw_kv_str(struct jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kv_uint(struct jw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_uint(w, v);
}

void jw_kv_int(struct jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void jw_kv_bool(struct jw *w, const char *key, int v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

void jw_kv_double(struct jw *w, const char *key, double v)
{
    jw_key(w, key);
    jw_double(w, v);
}

long jw_finish(struct jw *w)
{
    if (w->overflow || w->depth != 0 || w->after_key || w->len == 0)
        return -1;
    w->buf[w->len++] = '\n'; /* room reserved by put() */
    w->buf[w->len] = '\0';
    return (long)w->len;
}
