/* rules.h - the compiled pool-intelligence rule set loaded from YAML rule files.
 *
 * docs/rules.md defines the file format. rules_load compiles any number of files into one
 * immutable struct rules: every query takes a const pointer, allocates nothing and is
 * safe from any number of threads, so a reload builds a new set and swaps a pointer
 * (the old one is freed once no reader holds it: sensor/runtime/ruleswap.h).
 */
#ifndef MW_RULES_H
#define MW_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

enum rules_category {
    RULES_CAT_MINING_POOL = 0, /* stratum/getwork endpoints of mining pools */
    RULES_CAT_WEB_MINER,       /* browser-mining script and WebSocket services */
    RULES_CAT_MINING_PROXY,    /* stratum proxies / relays / hash-rental marketplaces */
    RULES_CAT_CRYPTO_GENERAL,  /* crypto sites that are not mining: context only, never an alert */
    RULES_CAT__COUNT
};

struct rules_match {
    const char *list;          /* list name (<= 63 bytes) */
    enum rules_category category;
    const char *category_name; /* "mining-pool", ... */
    int alert;                 /* 0 for crypto-general: record as context only */
    /* Names: the matched tail of the caller's name (NOT NUL-terminated, valid as long as
     * the caller's buffer). Addresses: NULL. */
    const char *entry;
    size_t entry_len;
    unsigned prefix_len;       /* address matches: prefix in the 16-byte space */
    const char *comment;       /* the entry's source/comment, else the list's, never NULL */
};

struct rules_counts {
    size_t files, lists;
    size_t domains, addresses;   /* distinct entries in the matchers */
    size_t imported_names, imported_addrs;
    size_t import_rejected;      /* malformed lines in imported lists (warnings) */
    size_t import_skipped;       /* e.g. Adblock cosmetic rules */
    size_t duplicates;           /* entries already present (first or stronger kept) */
    size_t allow;
    size_t memuse;               /* heap bytes held by the compiled set */
};

struct rules;

/* Warning sink for rules_load_ex: non-fatal problems (rejected lines of imported lists). */
typedef void (*rules_warn_fn)(void *ctx, const char *msg);

/* Compile files in order. NULL on error with "FILE:LINE:COL: message" in err. */
struct rules *rules_load(const char *const *files, size_t nfiles, char *err, size_t errlen);
struct rules *rules_load_ex(const char *const *files, size_t nfiles, rules_warn_fn warn,
                            void *warn_ctx, char *err, size_t errlen);
/* Compile one document from memory; label names it in messages. Imports are refused
 * unless base_dir is given (relative import paths resolve against it). */
struct rules *rules_load_buffer(const char *buf, size_t len, const char *label,
                                const char *base_dir, char *err, size_t errlen);
void rules_free(struct rules *r);

/* 1 and *out filled when a listed name covers name (most specific entry wins). */
int rules_match_name(const struct rules *r, const char *name, size_t len, struct rules_match *out);
/* 1 and *out filled when a listed block covers addr (port 0 = unknown/any). */
int rules_match_addr(const struct rules *r, const struct mw_addr *addr, uint16_t port,
                     struct rules_match *out);
/* 1 when an allowlist entry covers this host (and this pool, when the entry names one;
 * an entry that names a pool never matches a NULL pool_name). */
int rules_allowed(const struct rules *r, const struct mw_addr *host, const char *pool_name);
/* Same, returning the allowlist entry's name, or NULL. */
const char *rules_allowed_by(const struct rules *r, const struct mw_addr *host,
                             const char *pool_name);

void rules_counts(const struct rules *r, struct rules_counts *out);

/* The active lists (disabled lists are not loaded), in load order: what `minewatch -T`
 * prints, so an admin sees which files and lists the sensor really uses. */
struct rules_list_info {
    const char *name;
    enum rules_category category;
    const char *file;          /* the rule file that defined it */
    size_t names, addresses;   /* entries it gave (duplicates of earlier lists included) */
};
size_t rules_list_count(const struct rules *r);
/* 0 and *out filled, -1 when i is out of range. */
int rules_list_info(const struct rules *r, size_t i, struct rules_list_info *out);

/* One compiled entry, as rules_foreach reports it: a name (name != NULL) or a block. */
struct rules_entry {
    const char *name;          /* lower-case, NUL-terminated, no trailing dot; NULL: a block */
    int exact;                 /* names: match: exact */
    struct mw_addr addr;       /* blocks: 16-byte space (IPv4 mapped) */
    unsigned plen;             /* blocks: prefix length in the 16-byte space */
    uint16_t port;             /* blocks: 0 = any port */
    const char *list;
    enum rules_category category;
};
typedef void (*rules_visit_fn)(void *ctx, const struct rules_entry *e);
/* Every name, then every block, with the list that keeps it (for exports). */
void rules_foreach(const struct rules *r, rules_visit_fn fn, void *ctx);
/* 1 when an allowlist entry's pool is this name, under it or above it: blocking the name
 * would block what the allowlist authorises. */
int rules_allowlist_touches_name(const struct rules *r, const char *name);
/* 1 when an allowlist entry's host block overlaps addr/plen (16-byte space). */
int rules_allowlist_touches_block(const struct rules *r, const struct mw_addr *addr, unsigned plen);

const char *rules_category_name(enum rules_category c);
/* 0 and *c set for "mining-pool" | "web-miner" | "mining-proxy" | "crypto-general". */
int rules_category_from_name(const char *name, enum rules_category *c);

#endif
