/* json.h - the one JSON line writer: builds an EVE line in a caller-provided buffer.
 *
 * No allocation. Every string is treated as untrusted bytes and escaped so that the
 * output is always valid UTF-8 and valid JSON: quotes and backslashes, controls below
 * 0x20 and DEL as \uXXXX (\n \r \t short), U+2028/U+2029 as escapes, and every byte
 * that is not part of a well-formed UTF-8 sequence as the six characters "\\xHH"
 * (so the decoded string shows a literal backslash, 'x' and two hex digits).
 *
 * Errors are sticky: running out of room or nesting deeper than JW_MAX_DEPTH sets
 * `overflow`, later calls do nothing, and jw_finish() returns -1 so the caller drops
 * and counts the line instead of emitting a truncated one.
 */
#ifndef MW_JSON_H
#define MW_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 16

/* Appended inside the string by jw_strn_max() when it cut the value. */
#define JW_TRUNCATED_MARKER "[truncated]"

struct jw {
    char *buf;
    size_t cap, len;
    int overflow;                   /* out of room, too deep, or unbalanced */
    int depth;                      /* open objects/arrays */
    int after_key;                  /* a key was written, its value comes next */
    uint8_t has_items[JW_MAX_DEPTH + 1]; /* container at this depth needs a comma */
};

void jw_init(struct jw *w, char *buf, size_t cap);

void jw_object_begin(struct jw *w);
void jw_object_end(struct jw *w);
void jw_array_begin(struct jw *w);
void jw_array_end(struct jw *w);

/* Keys are trusted ASCII chosen by our code; they are still escaped. */
void jw_key(struct jw *w, const char *key);

void jw_str(struct jw *w, const char *s);                  /* NUL-terminated, untrusted */
void jw_strn(struct jw *w, const void *s, size_t n);       /* untrusted bytes */
/* At most max_bytes input bytes, cut only between UTF-8 sequences, then
 * JW_TRUNCATED_MARKER. Nothing is appended when n <= max_bytes. */
void jw_strn_max(struct jw *w, const void *s, size_t n, size_t max_bytes);

void jw_uint(struct jw *w, uint64_t v);
void jw_int(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v);   /* NaN and infinities become null */
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* A trusted, already valid JSON value (e.g. a pre-rendered object). */
void jw_raw(struct jw *w, const char *fragment);

void jw_kv_str(struct jw *w, const char *key, const char *s);
void jw_kv_uint(struct jw *w, const char *key, uint64_t v);
void jw_kv_int(struct jw *w, const char *key, int64_t v);
void jw_kv_bool(struct jw *w, const char *key, int v);
void jw_kv_double(struct jw *w, const char *key, double v);

/* Appends '\n' (and a NUL after it, not counted). Returns the line length including
 * the newline, or -1 when the line overflowed or is unbalanced and must be dropped. */
long jw_finish(struct jw *w);

#endif
