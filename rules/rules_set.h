/* rules_set.h - internal to rules/: the compiled rule set's storage, shared by the YAML
 * loader (rules.c) and the set and its queries (rules_set.c). Not a public interface:
 * everything outside rules/ uses rules/rules.h.
 */
#ifndef MW_RULES_SET_H
#define MW_RULES_SET_H

#include <stddef.h>
#include <stdint.h>

#include "rules/cidr.h"
#include "rules/domainset.h"
#include "rules/rules.h"
#include "core/addr.h"

#define RULES_NAME_MAX 63

struct rules_list {
    char name[RULES_NAME_MAX + 1];
    enum rules_category cat;
    uint32_t comment; /* string pool offset of the description */
    uint32_t file;    /* string pool offset of the file that defined it */
    size_t names, addrs;
};

struct rules_meta {
    uint32_t list;
    uint32_t comment; /* 0 = use the list's description */
};

struct rules_allow {
    char name[RULES_NAME_MAX + 1];
    int has_host;
    struct mw_addr host;
    unsigned plen;
    uint32_t pool;    /* string pool offset, 0 = any pool */
    size_t pool_len;
};

struct rules {
    struct domainset *names;
    struct cidr_set *addrs;
    struct rules_list *lists;
    size_t nlists, lists_cap;
    struct rules_meta *meta;
    size_t nmeta, meta_cap;
    char *strs; /* offset 0 is the empty string */
    size_t strs_len, strs_cap;
    struct rules_allow *allow;
    size_t nallow, allow_cap;
    struct rules_counts counts;
};

/* An empty set (string pool offset 0 = ""), NULL on allocation failure. */
struct rules *rules_new(void);
/* Fill the counts once loading is done; nothing is written to r afterwards. */
void rules_finish(struct rules *r);
/* Grow *p (elements of elem bytes) to hold need; 0 or -1. */
int rules_grow(void **p, size_t *cap, size_t need, size_t elem);
/* Copy s into the string pool: its offset, 0 for "", UINT32_MAX on failure. */
uint32_t rules_str(struct rules *r, const char *s, size_t len);
/* A metadata record (list index, comment offset): its index, UINT32_MAX on failure. */
uint32_t rules_add_meta(struct rules *r, uint32_t list, uint32_t comment);
/* Add a name; on a duplicate the stronger category keeps it. 0 ok, -1 invalid, -2 nomem. */
int rules_add_name(struct rules *r, const char *name, size_t len, enum domainset_kind kind, uint32_t meta);
/* Add an address block; a duplicate keeps the first. 0 ok, -2 nomem or bad prefix. */
int rules_add_addr(struct rules *r, const struct mw_addr *a, unsigned plen, uint16_t port, uint32_t meta);

#endif
