/* oahash.h - growing an open-addressing table (linear probing, power-of-two size).
 *
 * The rule loader's domain set and the updater's merge table each keep their entries in
 * such a table; they share this one rehash. Start-up and update work only: it allocates. */
#ifndef MW_CORE_OAHASH_H
#define MW_CORE_OAHASH_H

#include <stddef.h>
#include <stdint.h>

/* 1 when the slot holds an entry; an all-zero slot must read as empty. */
typedef int (*mw_oahash_used_fn)(const void *slot);
/* The entry's stored hash: its home slot is hash & (cap - 1). */
typedef uint32_t (*mw_oahash_hash_fn)(const void *slot);

/* Doubles *cap (a power of two): every used slot of *slots (elem bytes each) moves to the
 * first free slot from its home in a zeroed array twice the size, and the old array is
 * freed. 0, or -1 with the table unchanged when out of memory. */
int mw_oahash_grow(void **slots, size_t *cap, size_t elem, mw_oahash_used_fn used, mw_oahash_hash_fn hash);

#endif
