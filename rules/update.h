/* update.h - minewatch-update's sources.yaml and the merge of block lists into one rule file.
 *
 * The downloader (tools/minewatch-update.c, libcurl) is not here: these functions only
 * read configuration text and list bytes, so they are unit-tested without a network.
 * docs/rules.md ("Updating lists: minewatch-update") defines the sources.yaml format.
 */
#ifndef MW_UPDATE_H
#define MW_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "rules/listfmt.h"
#include "rules/rules.h"

#define UPDATE_NAME_MAX 63      /* source names: [A-Za-z0-9._-], also the cache file name */
#define UPDATE_MAX_SOURCES 256
#define UPDATE_MAX_TEST_RULES 32
/* The pidfile the shipped systemd unit (dist/minewatch.service) gives the sensor. */
#define UPDATE_UNIT_PIDFILE "/run/minewatch/minewatch.pid"

struct update_source {
    char name[UPDATE_NAME_MAX + 1];
    char *url;                  /* http://, https:// or file:// (exactly one of url/path) */
    char *path;                 /* local file, resolved against the sources.yaml directory */
    enum listfmt_format format;
    enum rules_category category;
    int optional;               /* missing with no cache: warning instead of failure */
    int disabled;               /* enabled: false: kept in the file, not fetched or merged */
    size_t line;                /* 1-based line of the entry in sources.yaml */
};

struct update_config {
    char *file;                 /* the sources.yaml path as given */
    struct update_source *src;
    size_t nsrc;
    char *output;               /* the generated rule file */
    char *cache_dir;
    char *pidfile;              /* NULL: do not signal */
    char *reload_command;       /* run by /bin/sh -c instead of signalling the pidfile */
    char *minewatch;            /* optional: also run "MINEWATCH -T [-c CONFIG] -s TMP" */
    char *minewatch_config;
    char *test_rules[UPDATE_MAX_TEST_RULES]; /* rule files loaded beside TMP in the test */
    size_t ntest_rules;
    unsigned long timeout;      /* seconds per download */
    unsigned long max_size;     /* bytes per download */
    unsigned long max_malformed_pct; /* a source with more malformed lines is rejected */
};

/* Parse sources.yaml text; label names it in "LABEL:LINE:COL: message" errors and its
 * directory resolves relative paths (output, cache-dir, pidfile, source paths).
 * 0, or -1 with the message in err (c is then freed). */
int update_config_parse(struct update_config *c, const char *buf, size_t len, const char *label,
                        char *err, size_t errlen);
/* Read and parse a file. */
int update_config_load(struct update_config *c, const char *path, char *err, size_t errlen);
void update_config_free(struct update_config *c);

/* A growing text buffer; start from all zeros (p is then malloc'd); oom is sticky. */
struct update_buf {
    char *p;
    size_t len, cap;
    int oom;
};
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void update_buf_printf(struct update_buf *b, const char *fmt, ...);

/* ---- merge -------------------------------------------------------------------------- */

struct update_merge;

struct update_source_stats {
    struct listfmt_stats lf;
    size_t added;        /* entries new to the merge */
    size_t duplicates;   /* already present at the same or a stronger category */
    size_t upgraded;     /* present under a weaker category: this source's category now */
    size_t first_bad_line[5];  /* line numbers of the first malformed lines (0 = none) */
    char first_bad_msg[5][96];
};

/* Precedence when one name or block is listed under two categories (docs/rules.md):
 * mining-pool > mining-proxy > web-miner > crypto-general. */
int update_category_rank(enum rules_category c);

struct update_merge *update_merge_new(void);
void update_merge_free(struct update_merge *m);

/* Import buf (format fmt) as source src_index under category cat. Names are folded to
 * lower case with one trailing dot dropped before de-duplication. Returns 0, or -1 when
 * memory ran out. */
int update_merge_add_list(struct update_merge *m, const char *buf, size_t len,
                          enum listfmt_format fmt, enum rules_category cat, size_t src_index,
                          struct update_source_stats *st);
/* 1 when the source must be rejected: it gave no valid entry, or more than max_pct
 * percent of its non-comment lines were malformed. */
int update_source_rejected(const struct update_source_stats *st, unsigned long max_pct);

/* Entries in the merge; per_cat (may be NULL) gets the count of each category. */
size_t update_merge_count(const struct update_merge *m, size_t per_cat[RULES_CAT__COUNT]);
/* 1 and *cat (may be NULL) set when key is in the merge. key: a lower-case name without
 * trailing dot, or a block as "a.b.c.d/len", "a.b.c.d/len:port", "2001:db8::/32",
 * "[2001:db8::1]/128:port" (IPv4 lengths counted in the IPv4 space). */
int update_merge_lookup(const struct update_merge *m, const char *key, enum rules_category *cat);

/* Render the rule YAML (docs/rules.md format) into a malloc'd buffer: a header comment
 * (date line "# generated: ...", sources, counts), then one list per non-empty category
 * named "update-CATEGORY", entries sorted so the same input gives the same bytes.
 * src names the sources (source_index -> name). NULL when memory ran out. */
char *update_merge_render(const struct update_merge *m, const struct update_source *src, size_t nsrc,
                          const char *date, size_t *out_len);

/* 1 when two rendered files differ in more than their "# generated:" line. */
int update_render_differs(const char *a, size_t alen, const char *b, size_t blen);

/* What a run changed, from the previous and the new rendered file: per category list
 * (update-CATEGORY) and per source (src[nsrc] counts entries of sources no longer
 * configured). An entry that moved to another category is removed from one list and added
 * to the other; one whose source changed is counted under the new source. */
struct update_change {
    size_t entries, added, removed;
};
struct update_summary {
    struct update_change cat[RULES_CAT__COUNT];
    struct update_change *src; /* nsrc + 1, malloc'd */
};
/* old may be NULL (no previous file). 0, or -1 when memory ran out. */
int update_render_summary(const char *old, size_t olen, const char *cur, size_t clen,
                          const struct update_source *src, size_t nsrc, struct update_summary *out);
void update_summary_free(struct update_summary *s);

/* ---- exports (update_export.c) ------------------------------------------------------ */

enum update_export_format { UPDATE_EXPORT_RPZ, UPDATE_EXPORT_UNBOUND, UPDATE_EXPORT_NFT, UPDATE_EXPORT_IPSET };
/* 0 and *f set for "rpz" | "unbound" | "nft" | "ipset". */
int update_export_format_from_name(const char *name, enum update_export_format *f);

/* A pool address the sensor learned from a DNS answer for a listed name, and saw confirmed
 * mining on (minewatch-report --learned-addresses writes these as "ADDRESS NAME" lines). */
struct update_learned {
    struct mw_addr addr;
    char name[256];
};
/* Parse "ADDRESS NAME" lines ('#' comments). 0, or -1 with "LABEL:LINE: message" in err. */
int update_learned_parse(const char *buf, size_t len, const char *label, struct update_learned **out,
                         size_t *n, char *err, size_t errlen);

struct update_export_stats {
    size_t names, addresses;   /* written */
    size_t allowlisted;        /* left out: an allowlist entry authorises them */
    size_t learned;            /* learned addresses taken */
    size_t learned_unlisted;   /* learned addresses whose name is no longer listed */
};
/* The export text (malloc'd) of r's alerting names and blocks plus the learned addresses;
 * serial is the RPZ SOA serial. NULL when memory ran out. */
char *update_export(const struct rules *r, enum update_export_format f, const struct update_learned *learned,
                    size_t nlearned, uint32_t serial, struct update_export_stats *st, size_t *out_len);

#endif
