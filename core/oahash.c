/* oahash.c - the one rehash of an open-addressing table (oahash.h). */
#include "core/oahash.h"

#include <stdlib.h>
#include <string.h>

int mw_oahash_grow(void **slots, size_t *cap, size_t elem, mw_oahash_used_fn used, mw_oahash_hash_fn hash)
{
    size_t ncap = *cap * 2;
    if (ncap < *cap)
        return -1;
    unsigned char *ns = calloc(ncap, elem);
    if (!ns)
        return -1;
    const unsigned char *os = *slots;
    for (size_t i = 0; i < *cap; i++) {
        const void *s = os + i * elem;
        if (!used(s))
            continue;
        size_t j = hash(s) & (ncap - 1);
        while (used(ns + j * elem))
            j = (j + 1) & (ncap - 1);
        memcpy(ns + j * elem, s, elem);
    }
    free(*slots);
    *slots = ns;
    *cap = ncap;
    return 0;
}
