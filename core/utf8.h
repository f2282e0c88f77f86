/* utf8.h - well-formed UTF-8 (RFC 3629 section 4; Unicode table 3-7): no overlong forms, no
 * surrogates, nothing above U+10FFFF. The one check the JSON tokenizer (strict strings) and
 * the EVE writer (escaping, cutting) share. */
#ifndef MW_CORE_UTF8_H
#define MW_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define MW_UTF8_TRUNCATED (-1)

/* The sequence starting at s[0] (n >= 1 bytes available): its length 1..4 when
 * well-formed; 0 when malformed (a byte that cannot start a sequence, or a wrong
 * continuation byte); MW_UTF8_TRUNCATED when the n bytes are a well-formed beginning that
 * the end of the buffer cuts off. */
int mw_utf8_seq(const uint8_t *s, size_t n);

#endif
