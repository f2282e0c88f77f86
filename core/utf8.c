/* utf8.c - the length of a well-formed UTF-8 sequence (utf8.h). */
#include "core/utf8.h"

int mw_utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t b = s[0];
    if (b < 0x80)
        return 1;
    /* The lead byte fixes the length and the range of the second byte (Unicode table 3-7):
     * E0 and F0 exclude overlongs, ED surrogates, F4 code points above U+10FFFF. */
    uint8_t lo = 0x80, hi = 0xbf;
    int len;
    if (b >= 0xc2 && b <= 0xdf) {
        len = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        if (b == 0xe0)
            lo = 0xa0;
        else if (b == 0xed)
            hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        if (b == 0xf0)
            lo = 0x90;
        else if (b == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    for (int k = 1; k < len; k++) {
        if ((size_t)k >= n)
            return MW_UTF8_TRUNCATED;
        uint8_t c = s[k];
        if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf))
            return 0;
    }
    return len;
}
