/* fuzz_json_writer.c - arbitrary bytes as strings must always give valid UTF-8 JSON.
 *
 * Input layout: byte 0 = truncation limit for jw_strn_max, byte 1 = output buffer
 * size selector (small sizes exercise overflow), the rest is split at the first NUL
 * into a key-ish part and a value. The produced line is checked by an independent
 * strict UTF-8 + JSON validator written here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/eve/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct vp {
    const uint8_t *p;
    size_t n, i;
};

/* Strict UTF-8 (RFC 3629) over the whole buffer. */
static int utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = s[i];
        size_t len;
        uint32_t min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (s[i + k] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

static int peek(struct vp *v) { return v->i < v->n ? v->p[v->i] : -1; }

static int lit(struct vp *v, const char *s)
{
    size_t l = strlen(s);
    if (v->n - v->i < l || memcmp(v->p + v->i, s, l) != 0)
        return 0;
    v->i += l;
    return 1;
}

static int is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int string_ok(struct vp *v)
{
    if (peek(v) != '"')
        return 0;
    v->i++;
    for (;;) {
        int c = peek(v);
        if (c < 0)
            return 0;
        v->i++;
        if (c == '"')
            return 1;
        if (c < 0x20 || c == 0x7f)
            return 0; /* we promise to escape DEL too */
        if (c == '\\') {
            c = peek(v);
            v->i++;
            if (c == 'u') {
                for (int k = 0; k < 4; k++, v->i++)
                    if (!is_hex(peek(v)))
                        return 0;
            } else if (!c || !strchr("\"\\/bfnrt", c)) {
                return 0;
            }
        }
    }
}

static int number_ok(struct vp *v)
{
    size_t start = v->i;
    if (peek(v) == '-')
        v->i++;
    if (peek(v) == '0')
        v->i++;
    else if (peek(v) >= '1' && peek(v) <= '9')
        while (peek(v) >= '0' && peek(v) <= '9')
            v->i++;
    else
        return 0;
    if (peek(v) == '.') {
        v->i++;
        if (!(peek(v) >= '0' && peek(v) <= '9'))
            return 0;
        while (peek(v) >= '0' && peek(v) <= '9')
            v->i++;
    }
    if (peek(v) == 'e' || peek(v) == 'E') {
        v->i++;
        if (peek(v) == '+' || peek(v) == '-')
            v->i++;
        if (!(peek(v) >= '0' && peek(v) <= '9'))
            return 0;
        while (peek(v) >= '0' && peek(v) <= '9')
            v->i++;
    }
    return v->i > start;
}

static int value_ok(struct vp *v, int depth)
{
    if (depth > 64)
        return 0;
    int c = peek(v);
    if (c == '"')
        return string_ok(v);
    if (c == '{' || c == '[') {
        int close = c == '{' ? '}' : ']';
        v->i++;
        if (peek(v) == close) {
            v->i++;
            return 1;
        }
        for (;;) {
            if (c == '{') {
                if (!string_ok(v) || peek(v) != ':')
                    return 0;
                v->i++;
            }
            if (!value_ok(v, depth + 1))
                return 0;
            if (peek(v) == ',') {
                v->i++;
                continue;
            }
            if (peek(v) != close)
                return 0;
            v->i++;
            return 1;
        }
    }
    if (lit(v, "true") || lit(v, "false") || lit(v, "null"))
        return 1;
    return number_ok(v);
}

static void check_line(const char *buf, long n)
{
    if (n < 0)
        return;
    if (n < 2 || buf[n - 1] != '\n' || buf[n] != '\0')
        abort();
    if (!utf8_ok((const uint8_t *)buf, (size_t)n))
        abort();
    struct vp v = { (const uint8_t *)buf, (size_t)n - 1, 0 };
    if (!value_ok(&v, 0) || v.i != v.n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max = data[0];
    size_t cap = (size_t)data[1] * 16 + 2;
    data += 2;
    size -= 2;
    const uint8_t *nul = memchr(data, 0, size);
    size_t klen = nul ? (size_t)(nul - data) : 0;
    char key[64];
    size_t kl = klen < sizeof key - 1 ? klen : sizeof key - 1;
    memcpy(key, data, kl);
    key[kl] = '\0';

    char *buf = malloc(cap);
    if (!buf)
        return 0;
    struct jw w;
    jw_init(&w, buf, cap);
    jw_object_begin(&w);
    jw_key(&w, key);
    jw_strn(&w, data, size);
    jw_key(&w, "max");
    jw_strn_max(&w, data, size, max);
    jw_key(&w, "list");
    jw_array_begin(&w);
    jw_str(&w, key);
    jw_uint(&w, size);
    jw_int(&w, -(int64_t)size);
    jw_double(&w, (double)size / 3.0);
    jw_bool(&w, (int)(size & 1));
    jw_null(&w);
    jw_array_end(&w);
    jw_object_end(&w);
    check_line(buf, jw_finish(&w));
    free(buf);
    return 0;
}
