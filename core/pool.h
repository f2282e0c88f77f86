/* pool.h - fixed-size block pool with a memory cap: no malloc per packet in steady state.
 *
 * Blocks are carved from chunks allocated on demand and never returned to the system
 * before pool_free(); a freed block goes on a free list and is handed out again. The
 * memcap counts blocks in use (block size rounded to 16 bytes): pool_get() fails, and
 * the caller applies its eviction rule, when one more block would pass it.
 */
#ifndef MW_POOL_H
#define MW_POOL_H

#include <stddef.h>
#include <stdint.h>

struct mw_pool;

/* NULL when block_size is 0 or memory is short. memcap 0 means no cap. */
struct mw_pool *pool_new(size_t block_size, size_t memcap);
/* A block of at least block_size bytes (contents undefined), or NULL at the cap. */
void *pool_get(struct mw_pool *pool);
void pool_put(struct mw_pool *pool, void *block);
size_t pool_block_size(const struct mw_pool *pool);  /* rounded size charged per block */
size_t pool_memuse(const struct mw_pool *pool);      /* bytes charged: blocks in use */
size_t pool_allocated(const struct mw_pool *pool);   /* bytes obtained from malloc */
uint64_t pool_in_use(const struct mw_pool *pool);    /* blocks in use */
void pool_free(struct mw_pool *pool);

#endif
