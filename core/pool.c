/* pool.c - fixed-size block pool with a memory cap (see pool.h). */
#include <stdlib.h>

#include "core/pool.h"

#if defined(__SANITIZE_ADDRESS__)
#define MW_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MW_POOL_ASAN 1
#endif
#endif
#ifdef MW_POOL_ASAN
#include <sanitizer/asan_interface.h>
/* A recycled block stays poisoned while free so ASan still catches use after free;
 * the first word holds the free-list link and stays readable. */
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Chunks stay modest so a small cap does not reserve much more than it allows. */
#define POOL_CHUNK_BYTES (64u * 1024u)

struct pool_chunk {
    struct pool_chunk *next;
    void *pad; /* keeps the blocks after the header 16-byte aligned */
};

struct pool_free_block {
    struct pool_free_block *next;
};

struct mw_pool {
    size_t block_size;
    size_t max_blocks;       /* 0: no cap */
    size_t blocks_per_chunk;
    uint64_t in_use;
    size_t allocated;
    struct pool_chunk *chunks;
    struct pool_free_block *free_list;
};

struct mw_pool *pool_new(size_t block_size, size_t memcap)
{
    if (block_size == 0 || block_size > POOL_CHUNK_BYTES)
        return NULL;
    struct mw_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->block_size = (block_size + 15u) & ~(size_t)15u;
    pool->max_blocks = memcap ? memcap / pool->block_size : 0;
    pool->blocks_per_chunk = POOL_CHUNK_BYTES / pool->block_size;
    if (pool->max_blocks && pool->blocks_per_chunk > pool->max_blocks)
        pool->blocks_per_chunk = pool->max_blocks;
    if (pool->blocks_per_chunk == 0)
        pool->blocks_per_chunk = 1;
    return pool;
}

static int pool_grow(struct mw_pool *pool)
{
    size_t n = pool->blocks_per_chunk;
    if (n == 0) /* pool_new never leaves it 0; a chunk without blocks would loop forever */
        return -1;
    size_t bytes = sizeof(struct pool_chunk) + n * pool->block_size;
    struct pool_chunk *c = malloc(bytes);
    if (!c)
        return -1;
    c->next = pool->chunks;
    pool->chunks = c;
    pool->allocated += bytes;
    unsigned char *base = (unsigned char *)(c + 1);
    for (size_t i = n; i-- > 0;) {
        struct pool_free_block *b = (void *)(base + i * pool->block_size);
        b->next = pool->free_list;
        pool->free_list = b;
        POISON((unsigned char *)b + sizeof *b, pool->block_size - sizeof *b);
    }
    return 0;
}

void *pool_get(struct mw_pool *pool)
{
    if (pool->max_blocks && pool->in_use >= pool->max_blocks)
        return NULL;
    if (!pool->free_list && pool_grow(pool) != 0)
        return NULL;
    struct pool_free_block *b = pool->free_list;
    pool->free_list = b->next;
    pool->in_use++;
    UNPOISON(b, pool->block_size);
    return b;
}

void pool_put(struct mw_pool *pool, void *block)
{
    if (!block)
        return;
    struct pool_free_block *b = block;
    b->next = pool->free_list;
    pool->free_list = b;
    pool->in_use--;
    POISON((unsigned char *)b + sizeof *b, pool->block_size - sizeof *b);
}

size_t pool_block_size(const struct mw_pool *pool) { return pool->block_size; }
size_t pool_memuse(const struct mw_pool *pool) { return (size_t)pool->in_use * pool->block_size; }
size_t pool_allocated(const struct mw_pool *pool) { return pool->allocated; }
uint64_t pool_in_use(const struct mw_pool *pool) { return pool->in_use; }

void pool_free(struct mw_pool *pool)
{
    if (!pool)
        return;
    struct pool_chunk *c = pool->chunks;
    while (c) {
        struct pool_chunk *next = c->next;
        UNPOISON(c, sizeof *c + pool->blocks_per_chunk * pool->block_size);
        free(c);
        c = next;
    }
    free(pool);
}
