/* json_tok.h - allocation-free strict JSON (RFC 8259) tokenizer and token helpers.
 *
 * One pass over a complete JSON text fills a caller-provided token array (the idea
 * of jsmn: tokens are offsets into the caller's buffer, nothing is copied) and
 * validates the grammar: literals, numbers, string escapes, nesting. Token count
 * and nesting depth are capped by the caller; hitting a cap is an error of its own
 * so callers can count "too complex" apart from "not JSON".
 *
 * Tokens are stored in document order. Every token knows its parent and `skip`,
 * the index just past its subtree, so siblings are walked without recursion.
 * Object members are stored as key (a string token) followed by its value; both
 * have the object as parent.
 */
#ifndef MW_JSON_TOK_H
#define MW_JSON_TOK_H

#include <stddef.h>
#include <stdint.h>

enum json_tok_type {
    JSON_T_NONE = 0,
    JSON_T_OBJECT,
    JSON_T_ARRAY,
    JSON_T_STRING,
    JSON_T_NUMBER,
    JSON_T_TRUE,
    JSON_T_FALSE,
    JSON_T_NULL
};

struct json_tok {
    uint8_t type;     /* enum json_tok_type */
    uint8_t escaped;  /* string: contains at least one backslash escape */
    uint32_t start;   /* byte offset; strings: after the opening quote */
    uint32_t end;     /* one past the last byte; strings: at the closing quote */
    uint32_t size;    /* object: members; array: elements; else 0 */
    int32_t parent;   /* index of the enclosing container, -1 at the top */
    uint32_t skip;    /* index of the first token after this token's subtree */
};

/* Errors (negative returns of json_tok_parse). */
#define JSON_TOK_ERR_INVAL (-1) /* not valid JSON */
#define JSON_TOK_ERR_PART (-2)  /* valid so far but truncated */
#define JSON_TOK_ERR_NOMEM (-3) /* more tokens than max_toks */
#define JSON_TOK_ERR_DEPTH (-4) /* nesting deeper than max_depth */

/* Flags of json_tok_parse. */
#define JSON_TOK_STRICT_UTF8 0x01 /* reject strings that are not well-formed UTF-8 */

/* Tokenize one complete JSON text of len bytes (a single value with optional
 * surrounding whitespace). Returns the number of tokens (>= 1) or a JSON_TOK_ERR_*.
 * Without JSON_TOK_STRICT_UTF8, bytes >= 0x80 inside strings are accepted as they
 * are (peers such as Node.js pools accept them, so a detector must too). */
int json_tok_parse(const uint8_t *js, size_t len, struct json_tok *toks, unsigned max_toks,
                   unsigned max_depth, unsigned flags);

/* Value token of member `key` (compared after unescaping) of object token obj, or
 * -1 (obj not an object, or key absent). The first occurrence wins. */
int json_tok_obj_get(const uint8_t *js, const struct json_tok *toks, int ntok, int obj, const char *key);

/* Element i (0-based) of array token arr, or -1. */
int json_tok_arr_get(const struct json_tok *toks, int ntok, int arr, unsigned i);

/* 1 when token idx is a string whose unescaped value equals s (NUL-terminated). */
int json_tok_eq(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, const char *s);

/* 1 when token idx is a string whose unescaped value starts with prefix. */
int json_tok_prefix(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, const char *prefix);

/* Unescape string token idx into buf (UTF-8, \uXXXX with surrogate pairs joined;
 * a lone surrogate becomes U+FFFD), truncated to cap-1 bytes and NUL-terminated.
 * Returns the full unescaped length (may exceed cap-1 when truncated), or -1 when
 * idx is not a string. cap must be >= 1. */
long json_tok_unescape(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, char *buf, size_t cap);

/* Number of hex digits when the unescaped string token idx consists only of hex
 * digits after an optional "0x"/"0X" prefix (then *had_0x is set to 1; had_0x may
 * be NULL), else -1. "" and "0x" give 0. */
long json_tok_hex_len(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, int *had_0x);

/* Number token idx as double / exact int64 (0 on success, -1 when not a number or,
 * for int64, not an integer in range). */
int json_tok_to_double(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, double *out);
int json_tok_to_i64(const uint8_t *js, const struct json_tok *toks, int ntok, int idx, int64_t *out);

#endif
