/* reader.h - the one bounds-checked reader for untrusted bytes.
 *
 * Every read of packet or stream bytes goes through a struct mw_reader. A read past
 * the end sets a sticky error flag and returns zero, so a parser can read a whole
 * header and check `r.err` once instead of testing every field (tcpdump's
 * GET_* accessors and p0f's "trust the smaller length" are the models).
 * Multi-byte loads are explicit about byte order; nothing is ever cast from the
 * buffer to a wider type.
 */
#ifndef MW_READER_H
#define MW_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct mw_reader {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err; /* sticky: set by any read past the end */
};

static inline struct mw_reader mw_reader_make(const uint8_t *p, size_t len)
{
    struct mw_reader r = { p, len, 0, 0 };
    return r;
}

static inline size_t mw_reader_left(const struct mw_reader *r)
{
    return r->err ? 0 : r->len - r->off;
}

static inline int mw_reader_has(const struct mw_reader *r, size_t n)
{
    return !r->err && r->len - r->off >= n;
}

/* Pointer to the next n bytes (and advance), or NULL with err set. */
static inline const uint8_t *mw_reader_take(struct mw_reader *r, size_t n)
{
    if (!mw_reader_has(r, n)) {
        r->err = 1;
        return NULL;
    }
    const uint8_t *q = r->p + r->off;
    r->off += n;
    return q;
}

static inline void mw_reader_skip(struct mw_reader *r, size_t n)
{
    (void)mw_reader_take(r, n);
}

static inline uint8_t mw_reader_u8(struct mw_reader *r)
{
    const uint8_t *q = mw_reader_take(r, 1);
    return q ? q[0] : 0;
}

static inline uint16_t mw_reader_be16(struct mw_reader *r)
{
    const uint8_t *q = mw_reader_take(r, 2);
    return q ? (uint16_t)((q[0] << 8) | q[1]) : 0;
}

static inline uint32_t mw_reader_be24(struct mw_reader *r)
{
    const uint8_t *q = mw_reader_take(r, 3);
    return q ? ((uint32_t)q[0] << 16) | ((uint32_t)q[1] << 8) | q[2] : 0;
}

static inline uint32_t mw_reader_be32(struct mw_reader *r)
{
    const uint8_t *q = mw_reader_take(r, 4);
    return q ? ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3] : 0;
}

static inline uint16_t mw_reader_le16(struct mw_reader *r)
{
    const uint8_t *q = mw_reader_take(r, 2);
    return q ? (uint16_t)(q[0] | (q[1] << 8)) : 0;
}

static inline uint32_t mw_reader_le24(struct mw_reader *r)
{
    const uint8_t *q = mw_reader_take(r, 3);
    return q ? (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) : 0;
}

static inline uint32_t mw_reader_le32(struct mw_reader *r)
{
    const uint8_t *q = mw_reader_take(r, 4);
    return q ? (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24) : 0;
}

/* Peek without advancing; out-of-range peeks return 0 but do not set err. */
static inline uint8_t mw_reader_peek_u8(const struct mw_reader *r, size_t ahead)
{
    return (!r->err && r->len - r->off > ahead) ? r->p[r->off + ahead] : 0;
}

/* Load helpers for fixed fields of a header already known to be long enough. */
static inline uint16_t mw_load_be16(const uint8_t *q) { return (uint16_t)((q[0] << 8) | q[1]); }
static inline uint32_t mw_load_be32(const uint8_t *q)
{
    return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
}

#endif
