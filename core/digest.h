/* digest.h - MD5 (RFC 1321), SHA-1 and SHA-256 (FIPS 180-4), one-shot and incremental.
 *
 * Used for fingerprints (JA3 is an MD5, JA4 truncated SHA-256) and the Community ID
 * (SHA-1). None of these is used for security here: they only name things. Contexts
 * are plain structs on the caller's stack; nothing allocates.
 */
#ifndef MW_DIGEST_H
#define MW_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_MD5_LEN 16
#define DIGEST_SHA1_LEN 20
#define DIGEST_SHA256_LEN 32

struct digest_md5 {
    uint32_t h[4];
    uint64_t total;     /* bytes hashed so far */
    uint8_t buf[64];
    size_t used;        /* bytes waiting in buf */
};

struct digest_sha1 {
    uint32_t h[5];
    uint64_t total;
    uint8_t buf[64];
    size_t used;
};

struct digest_sha256 {
    uint32_t h[8];
    uint64_t total;
    uint8_t buf[64];
    size_t used;
};

void digest_md5_init(struct digest_md5 *c);
void digest_md5_update(struct digest_md5 *c, const void *data, size_t len);
void digest_md5_final(struct digest_md5 *c, uint8_t out[DIGEST_MD5_LEN]);
void digest_md5(const void *data, size_t len, uint8_t out[DIGEST_MD5_LEN]);

void digest_sha1_init(struct digest_sha1 *c);
void digest_sha1_update(struct digest_sha1 *c, const void *data, size_t len);
void digest_sha1_final(struct digest_sha1 *c, uint8_t out[DIGEST_SHA1_LEN]);
void digest_sha1(const void *data, size_t len, uint8_t out[DIGEST_SHA1_LEN]);

void digest_sha256_init(struct digest_sha256 *c);
void digest_sha256_update(struct digest_sha256 *c, const void *data, size_t len);
void digest_sha256_final(struct digest_sha256 *c, uint8_t out[DIGEST_SHA256_LEN]);
void digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN]);

/* Lower-case hex of n digest bytes into out (2n+1 bytes, NUL-terminated). */
void digest_hex(const uint8_t *d, size_t n, char *out);

#endif
