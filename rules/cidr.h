/* cidr.h - longest-prefix match of addresses (with optional port) to a payload.
 *
 * Addresses are struct mw_addr (IPv4 as ::ffff:a.b.c.d), so an IPv4 /24 is stored as a
 * /120. Built once with cidr_add, then read-only: lookups take a const pointer, walk at
 * most 128 trie nodes and allocate nothing, so a reload can build a new set and swap it.
 */
#ifndef MW_CIDR_H
#define MW_CIDR_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define CIDR_MAX_NODES (1u << 26) /* hard cap on trie nodes (12 bytes each) */

enum cidr_result {
    CIDR_OK = 0,
    CIDR_DUPLICATE = 1,  /* same prefix and port already present; existing payload kept */
    CIDR_EINVAL = -1,    /* prefix length out of range */
    CIDR_ENOMEM = -2,
};

struct cidr_set;

struct cidr_set *cidr_new(void);
void cidr_free(struct cidr_set *set);

/* Add addr/plen (0..128 in the 16-byte space; host bits are ignored). port 0 = any port.
 * On CIDR_DUPLICATE *existing_payload (if not NULL) receives the stored payload. */
enum cidr_result cidr_add(struct cidr_set *set, const struct mw_addr *addr, unsigned plen,
                          uint16_t port, uint32_t payload, uint32_t *existing_payload);

/* 1 when some entry covers addr: the longest prefix wins; at equal length an entry for
 * exactly this port beats an any-port entry; a port-specific entry whose port differs is
 * passed over (a shorter covering prefix may still match). */
int cidr_lookup(const struct cidr_set *set, const struct mw_addr *addr, uint16_t port,
                uint32_t *payload);
/* Same, also giving the matched prefix length (0..128, 16-byte space). */
int cidr_lookup_prefix(const struct cidr_set *set, const struct mw_addr *addr, uint16_t port,
                       uint32_t *payload, unsigned *plen);

size_t cidr_count(const struct cidr_set *set);
/* Call fn for every (block, port, payload), blocks in address order (a depth-first walk of
 * the trie with a fixed 129-entry stack: no allocation). Read-only: for exports. */
typedef void (*cidr_visit_fn)(void *ctx, const struct mw_addr *addr, unsigned plen, uint16_t port,
                              uint32_t payload);
void cidr_foreach(const struct cidr_set *set, cidr_visit_fn fn, void *ctx);
size_t cidr_memuse(const struct cidr_set *set);

enum cidr_parse_result {
    CIDR_PARSE_OK = 0,
    CIDR_PARSE_BAD_ADDR = -1,   /* not an IPv4/IPv6 address */
    CIDR_PARSE_BAD_PREFIX = -2, /* /N missing digits or out of range for the family */
    CIDR_PARSE_BAD_PORT = -3,   /* :N not 1..65535 */
    CIDR_PARSE_HOST_BITS = -4,  /* bits set below the prefix, e.g. 10.1.2.3/8 */
};

/* Parse "1.2.3.0/24", "2001:db8::/32", "1.2.3.4", "::1", "1.2.3.4:3333",
 * "[2001:db8::1]:3333", "[2001:db8::]/32" (no port with a prefix). *plen is in the
 * 16-byte space (IPv4 /24 -> 120; a bare address gives 128); *port is 0 when absent.
 * Any out pointer may be NULL. */
enum cidr_parse_result cidr_parse(const char *s, size_t len, struct mw_addr *addr,
                                  unsigned *plen, uint16_t *port);
const char *cidr_parse_strerror(enum cidr_parse_result r);

/* "a.b.c.d" or RFC 5952 IPv6 text into buf (at least 46 bytes). */
void cidr_addr_format(const struct mw_addr *addr, char *buf, size_t buflen);

#endif
