/* domainset.h - a set of DNS names with exact and whole-label-suffix entries.
 *
 * Built once (domainset_add), then read-only: lookups take a const pointer, allocate
 * nothing and cost one hash probe per label of the queried name, so a reload builds a
 * new set beside the old one and swaps a pointer. Names are stored lower-case without a
 * trailing dot; internationalised names must be given in their punycode (xn--) form.
 */
#ifndef MW_DOMAINSET_H
#define MW_DOMAINSET_H

#include <stddef.h>
#include <stdint.h>

#define DOMAINSET_NAME_MAX 253   /* presentation form without the trailing dot */
#define DOMAINSET_LABEL_MAX 63
#define DOMAINSET_MAX_ENTRIES (1u << 26) /* hard cap so a hostile list cannot eat the host */

enum domainset_kind {
    DOMAINSET_EXACT = 1,  /* matches the name itself only */
    DOMAINSET_SUFFIX = 2, /* matches the name and every name below it (whole labels) */
};

enum domainset_result {
    DOMAINSET_ADDED = 0,
    DOMAINSET_DUPLICATE = 1, /* same name and kind already present; existing payload kept */
    DOMAINSET_INVALID = -1,  /* not a valid name (see domainset_name_check) */
    DOMAINSET_NOMEM = -2,    /* allocation failed or DOMAINSET_MAX_ENTRIES reached */
};

struct domainset;

/* An empty set; expected_entries sizes the table (0 is fine). NULL on allocation failure. */
struct domainset *domainset_new(size_t expected_entries);
void domainset_free(struct domainset *ds);

/* Add a name. On DOMAINSET_DUPLICATE *existing_payload (if not NULL) receives the payload
 * already stored, so a caller can decide whether to domainset_set_payload(). */
enum domainset_result domainset_add(struct domainset *ds, const char *name, size_t len,
                                    enum domainset_kind kind, uint32_t payload,
                                    uint32_t *existing_payload);

/* Replace the payload of an existing entry (build time only). 0 on success, -1 if absent. */
int domainset_set_payload(struct domainset *ds, const char *name, size_t len,
                          enum domainset_kind kind, uint32_t payload);

/* 1 when the most specific entry covering name was found: *payload gets its payload and
 * *matched_suffix_len the length of the matching tail of name (without a trailing dot).
 * Exact entries match only the whole name; suffix entries the whole name or any tail that
 * starts at a label boundary. Case-insensitive; one trailing dot ignored; names with bytes
 * >= 0x80, control bytes, empty labels or longer than DOMAINSET_NAME_MAX never match.
 * Either out pointer may be NULL. */
int domainset_lookup(const struct domainset *ds, const char *name, size_t len,
                     uint32_t *payload, size_t *matched_suffix_len);

/* NULL when name is acceptable for loading, else a static description of the problem.
 * Accepted: 2..127 labels of 1..63 bytes [A-Za-z0-9_-], no label starting or ending with
 * '-', a non-numeric last label, total <= DOMAINSET_NAME_MAX, one trailing dot allowed. */
const char *domainset_name_check(const char *name, size_t len);

size_t domainset_count(const struct domainset *ds);
/* Call fn for every (name, kind, payload) in insertion order; a name carrying both kinds
 * is reported twice. name is lower-case and NUL-terminated. Read-only: for exports. */
typedef void (*domainset_visit_fn)(void *ctx, const char *name, size_t len, enum domainset_kind kind,
                                   uint32_t payload);
void domainset_foreach(const struct domainset *ds, domainset_visit_fn fn, void *ctx);
/* Bytes of heap the set holds (tables + string arena). */
size_t domainset_memuse(const struct domainset *ds);

#endif
