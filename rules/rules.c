/* rules.c - compile YAML rule files (docs/rules.md) into a rule set (rules_set.c).
 *
 * The loader walks libyaml's document tree so every error can name FILE:LINE:COL of the
 * offending node. After rules_load returns nothing is written again, which is what lets
 * the integrator swap whole sets on reload.
 */
#include "rules/rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "rules/cidr.h"
#include "rules/domainset.h"
#include "rules/listfmt.h"
#include "rules/rules_set.h"
#include "core/yamlpos.h"

#define RULES_STR_MAX 1024
#define RULES_MAX_ALLOW 100000
#define RULES_IMPORT_WARN_MAX 20 /* per import; the rest are only counted */

struct ld {
    struct rules *r;
    const char *file;
    const char *base_dir;
    int base_is_dir; /* base_dir given explicitly (buffer) vs. derived from file */
    yaml_document_t *doc;
    rules_warn_fn warn;
    void *warn_ctx;
    char *err;
    size_t errlen;
};

/* ---- error reporting ---------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void ld_report(struct ld *l, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yamlpos_verror(l->err, l->errlen, l->file, n, fmt, ap);
    va_end(ap);
}
/* Report and evaluate to -1. A macro so the -1 is visible at every call: static analysers
 * do not follow variadic calls, and otherwise assumed a failed load could go on. */
#define ld_fail(l, n, ...) (ld_report((l), (n), __VA_ARGS__), -1)

/* ---- YAML node helpers --------------------------------------------------------------- */

static yaml_node_t *ld_node(struct ld *l, int id)
{
    return yaml_document_get_node(l->doc, id);
}

static struct yamlpos_doc ld_pos(const struct ld *l)
{
    struct yamlpos_doc d = { l->doc, l->file, l->err, l->errlen };
    return d;
}

/* Scalar text as a NUL-terminated copy in buf; -1 (error set) when not a usable scalar. */
static int ld_scalar(struct ld *l, const yaml_node_t *n, const char *what, char *buf, size_t bufsz)
{
    struct yamlpos_doc d = ld_pos(l);
    return yamlpos_scalar(&d, n, what, buf, bufsz);
}

static int ld_uint(struct ld *l, const yaml_node_t *n, const char *what, unsigned long max,
                   unsigned long *out)
{
    char buf[32];
    if (ld_scalar(l, n, what, buf, sizeof buf) != 0)
        return -1;
    unsigned long v = 0;
    if (buf[0] == '\0')
        return ld_fail(l, n, "%s must be a number", what);
    for (const char *p = buf; *p; p++) {
        if (*p < '0' || *p > '9' || v > max)
            return ld_fail(l, n, "%s must be a number from 0 to %lu", what, max);
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > max)
        return ld_fail(l, n, "%s must be a number from 0 to %lu", what, max);
    *out = v;
    return 0;
}

static int ld_bool(struct ld *l, const yaml_node_t *n, const char *what, int *out)
{
    char buf[8];
    if (ld_scalar(l, n, what, buf, sizeof buf) != 0)
        return -1;
    if (!strcmp(buf, "true") || !strcmp(buf, "yes") || !strcmp(buf, "on"))
        *out = 1;
    else if (!strcmp(buf, "false") || !strcmp(buf, "no") || !strcmp(buf, "off"))
        *out = 0;
    else
        return ld_fail(l, n, "%s must be true or false", what);
    return 0;
}

/* Walk a mapping: checks every key is one of keys[] (and appears once) and stores the
 * value nodes in vals[] in the order of keys[]. */
static int ld_mapping(struct ld *l, const yaml_node_t *n, const char *what,
                      const char *const *keys, size_t nkeys, yaml_node_t **vals)
{
    struct yamlpos_doc d = ld_pos(l);
    return yamlpos_mapping(&d, n, what, keys, nkeys, vals);
}

static int ld_seq(struct ld *l, const yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return ld_fail(l, n, "%s must be a sequence", what);
    return 0;
}

/* Text of an optional comment/source pair, joined, into the string pool. */
static int ld_comment(struct ld *l, yaml_node_t *comment, yaml_node_t *source, uint32_t *out)
{
    char c[RULES_STR_MAX], s[RULES_STR_MAX], both[2 * RULES_STR_MAX + 8];
    c[0] = s[0] = '\0';
    if (comment && ld_scalar(l, comment, "comment", c, sizeof c) != 0)
        return -1;
    if (source && ld_scalar(l, source, "source", s, sizeof s) != 0)
        return -1;
    if (c[0] && s[0])
        snprintf(both, sizeof both, "%s (source: %s)", c, s);
    else
        snprintf(both, sizeof both, "%s", c[0] ? c : s);
    *out = rules_str(l->r, both, strlen(both));
    if (*out == UINT32_MAX)
        return ld_fail(l, NULL, "out of memory");
    return 0;
}

static int ld_domain(struct ld *l, yaml_node_t *n, uint32_t list)
{
    static const char *const keys[] = { "name", "match", "source", "comment" };
    yaml_node_t *v[4] = { NULL, NULL, NULL, NULL };
    yaml_node_t *name_node = n;
    char name[DOMAINSET_NAME_MAX + 2];
    enum domainset_kind kind = DOMAINSET_SUFFIX;
    uint32_t comment = 0;
    if (n && n->type == YAML_MAPPING_NODE) {
        if (ld_mapping(l, n, "domain entry", keys, 4, v) != 0)
            return -1;
        if (!v[0])
            return ld_fail(l, n, "domain entry needs a 'name'");
        name_node = v[0];
        if (v[1]) {
            char m[16];
            if (ld_scalar(l, v[1], "match", m, sizeof m) != 0)
                return -1;
            if (!strcmp(m, "suffix"))
                kind = DOMAINSET_SUFFIX;
            else if (!strcmp(m, "exact"))
                kind = DOMAINSET_EXACT;
            else
                return ld_fail(l, v[1], "match must be 'suffix' or 'exact', not '%s'", m);
        }
        if (ld_comment(l, v[3], v[2], &comment) != 0)
            return -1;
    }
    if (ld_scalar(l, name_node, "domain name", name, sizeof name) != 0)
        return -1;
    const char *why = domainset_name_check(name, strlen(name));
    if (why)
        return ld_fail(l, name_node, "bad domain '%s': %s", name, why);
    uint32_t meta = rules_add_meta(l->r, list, comment);
    if (meta == UINT32_MAX)
        return ld_fail(l, NULL, "out of memory");
    int rc = rules_add_name(l->r, name, strlen(name), kind, meta);
    if (rc == -2)
        return ld_fail(l, name_node, "out of memory or too many names");
    if (rc != 0)
        return ld_fail(l, name_node, "bad domain '%s'", name);
    return 0;
}

static int ld_address(struct ld *l, yaml_node_t *n, uint32_t list)
{
    static const char *const keys[] = { "cidr", "port", "source", "comment" };
    yaml_node_t *v[4] = { NULL, NULL, NULL, NULL };
    yaml_node_t *cidr_node = n;
    char text[80];
    uint32_t comment = 0;
    unsigned long port_override = 0;
    if (n && n->type == YAML_MAPPING_NODE) {
        if (ld_mapping(l, n, "address entry", keys, 4, v) != 0)
            return -1;
        if (!v[0])
            return ld_fail(l, n, "address entry needs a 'cidr'");
        cidr_node = v[0];
        if (v[1]) {
            if (ld_uint(l, v[1], "port", 65535, &port_override) != 0)
                return -1;
            if (port_override == 0)
                return ld_fail(l, v[1], "port must be 1-65535 (omit it for any port)");
        }
        if (ld_comment(l, v[3], v[2], &comment) != 0)
            return -1;
    }
    if (ld_scalar(l, cidr_node, "cidr", text, sizeof text) != 0)
        return -1;
    struct mw_addr a;
    unsigned plen;
    uint16_t port;
    enum cidr_parse_result pr = cidr_parse(text, strlen(text), &a, &plen, &port);
    if (pr != CIDR_PARSE_OK)
        return ld_fail(l, cidr_node, "bad CIDR '%s': %s", text, cidr_parse_strerror(pr));
    if (port_override) {
        if (port && port != port_override)
            return ld_fail(l, v[1], "port %lu contradicts the port in '%s'", port_override, text);
        port = (uint16_t)port_override;
    }
    uint32_t meta = rules_add_meta(l->r, list, comment);
    if (meta == UINT32_MAX || rules_add_addr(l->r, &a, plen, port, meta) != 0)
        return ld_fail(l, cidr_node, "out of memory or too many addresses");
    return 0;
}

struct imp_ctx {
    struct ld *l;
    const char *path;
    uint32_t meta;
    size_t warned;
    int oom;
};

static void imp_name(void *ctx, const char *name, size_t len, size_t line)
{
    struct imp_ctx *c = ctx;
    (void)line;
    int rc = rules_add_name(c->l->r, name, len, DOMAINSET_SUFFIX, c->meta);
    if (rc == -2)
        c->oom = 1;
    else if (rc == 0)
        c->l->r->counts.imported_names++;
}

static void imp_addr(void *ctx, const struct mw_addr *a, unsigned plen, uint16_t port, size_t line)
{
    struct imp_ctx *c = ctx;
    (void)line;
    if (rules_add_addr(c->l->r, a, plen, port, c->meta) != 0)
        c->oom = 1;
    else
        c->l->r->counts.imported_addrs++;
}

static void imp_error(void *ctx, size_t line, const char *msg)
{
    struct imp_ctx *c = ctx;
    if (!c->l->warn || c->warned >= RULES_IMPORT_WARN_MAX)
        return;
    c->warned++;
    char buf[2600];
    snprintf(buf, sizeof buf, "%s:%zu: skipped: %s", c->path, line, msg);
    c->l->warn(c->l->warn_ctx, buf);
}

static int ld_import_one(struct ld *l, yaml_node_t *n, uint32_t list)
{
    static const char *const keys[] = { "path", "format", "comment" };
    yaml_node_t *v[3];
    char path[1024], fmtname[16], full[2100];
    enum listfmt_format fmt = LISTFMT_AUTO;
    if (ld_mapping(l, n, "import", keys, 3, v) != 0)
        return -1;
    if (!v[0])
        return ld_fail(l, n, "import needs a 'path'");
    if (ld_scalar(l, v[0], "path", path, sizeof path) != 0)
        return -1;
    if (v[1]) {
        if (ld_scalar(l, v[1], "format", fmtname, sizeof fmtname) != 0)
            return -1;
        if (listfmt_format_from_name(fmtname, &fmt) != 0)
            return ld_fail(l, v[1], "unknown format '%s' (auto, plain, hosts, adblock, ip)", fmtname);
    }
    if (path[0] == '\0')
        return ld_fail(l, v[0], "empty import path");
    if (path[0] == '/') {
        snprintf(full, sizeof full, "%s", path);
    } else if (l->base_is_dir) {
        if (!l->base_dir)
            return ld_fail(l, v[0], "import is not allowed here (no base directory)");
        snprintf(full, sizeof full, "%s/%s", l->base_dir, path);
    } else {
        const char *slash = strrchr(l->file, '/');
        if (slash)
            snprintf(full, sizeof full, "%.*s/%s", (int)(slash - l->file), l->file, path);
        else
            snprintf(full, sizeof full, "%s", path);
    }
    uint32_t comment = 0;
    if (v[2]) {
        if (ld_comment(l, v[2], NULL, &comment) != 0)
            return -1;
    } else {
        char c[2200];
        snprintf(c, sizeof c, "imported from %s", path);
        comment = rules_str(l->r, c, strlen(c));
    }
    uint32_t meta = rules_add_meta(l->r, list, comment);
    if (comment == UINT32_MAX || meta == UINT32_MAX)
        return ld_fail(l, NULL, "out of memory");
    struct imp_ctx ic = { l, full, meta, 0, 0 };
    struct listfmt_sink sink = { &ic, imp_name, imp_addr, imp_error };
    struct listfmt_stats st;
    char e[2600];
    if (listfmt_parse_file(full, fmt, &sink, &st, NULL, e, sizeof e) != 0)
        return ld_fail(l, v[0], "cannot import: %s", e);
    if (ic.oom)
        return ld_fail(l, v[0], "out of memory importing %s", full);
    l->r->counts.import_rejected += st.rejected;
    l->r->counts.import_skipped += st.skipped;
    if (l->warn && st.rejected > ic.warned) {
        char buf[2600];
        snprintf(buf, sizeof buf, "%s: %zu more malformed lines skipped", full,
                 st.rejected - ic.warned);
        l->warn(l->warn_ctx, buf);
    }
    return 0;
}

static int ld_list(struct ld *l, yaml_node_t *n)
{
    static const char *const keys[] = { "name", "category", "description", "enabled",
                                        "domains", "addresses", "import" };
    yaml_node_t *v[7];
    if (ld_mapping(l, n, "list", keys, 7, v) != 0)
        return -1;
    if (!v[0])
        return ld_fail(l, n, "list needs a 'name'");
    if (!v[1])
        return ld_fail(l, n, "list needs a 'category'");
    struct rules_list li;
    memset(&li, 0, sizeof li);
    if (ld_scalar(l, v[0], "list name", li.name, sizeof li.name) != 0)
        return -1;
    if (li.name[0] == '\0')
        return ld_fail(l, v[0], "empty list name");
    for (const char *p = li.name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return ld_fail(l, v[0], "list name may use only letters, digits, '-', '_' and '.'");
    char cat[32];
    if (ld_scalar(l, v[1], "category", cat, sizeof cat) != 0)
        return -1;
    if (rules_category_from_name(cat, &li.cat) != 0)
        return ld_fail(l, v[1], "unknown category '%s' (mining-pool, web-miner, mining-proxy, crypto-general)", cat);
    int enabled = 1;
    if (v[3] && ld_bool(l, v[3], "enabled", &enabled) != 0)
        return -1;
    if (v[2] && ld_comment(l, v[2], NULL, &li.comment) != 0)
        return -1;
    for (size_t i = 0; i < l->r->nlists; i++)
        if (strcmp(l->r->lists[i].name, li.name) == 0)
            return ld_fail(l, v[0], "duplicate list name '%s'", li.name);
    if (v[4] && ld_seq(l, v[4], "domains") != 0)
        return -1;
    if (v[5] && ld_seq(l, v[5], "addresses") != 0)
        return -1;
    if (v[6] && v[6]->type != YAML_MAPPING_NODE && v[6]->type != YAML_SEQUENCE_NODE)
        return ld_fail(l, v[6], "import must be a mapping or a sequence of mappings");
    if (!enabled)
        return 0; /* checked for syntax above, contributes nothing */
    struct rules *r = l->r;
    li.file = rules_str(r, l->file, strlen(l->file));
    if (li.file == UINT32_MAX)
        return ld_fail(l, NULL, "out of memory");
    if (rules_grow((void **)&r->lists, &r->lists_cap, r->nlists + 1, sizeof *r->lists) != 0)
        return ld_fail(l, NULL, "out of memory");
    uint32_t idx = (uint32_t)r->nlists;
    r->lists[r->nlists++] = li;
    if (v[4])
        for (yaml_node_item_t *it = v[4]->data.sequence.items.start; it < v[4]->data.sequence.items.top; it++)
            if (ld_domain(l, ld_node(l, *it), idx) != 0)
                return -1;
    if (v[5])
        for (yaml_node_item_t *it = v[5]->data.sequence.items.start; it < v[5]->data.sequence.items.top; it++)
            if (ld_address(l, ld_node(l, *it), idx) != 0)
                return -1;
    if (v[6] && v[6]->type == YAML_MAPPING_NODE)
        return ld_import_one(l, v[6], idx);
    if (v[6])
        for (yaml_node_item_t *it = v[6]->data.sequence.items.start; it < v[6]->data.sequence.items.top; it++)
            if (ld_import_one(l, ld_node(l, *it), idx) != 0)
                return -1;
    return 0;
}

static int ld_allow(struct ld *l, yaml_node_t *n)
{
    static const char *const keys[] = { "name", "host", "pool", "comment" };
    yaml_node_t *v[4];
    if (ld_mapping(l, n, "allowlist entry", keys, 4, v) != 0)
        return -1;
    struct rules_allow a;
    memset(&a, 0, sizeof a);
    if (!v[0])
        return ld_fail(l, n, "allowlist entry needs a 'name'");
    if (ld_scalar(l, v[0], "allowlist name", a.name, sizeof a.name) != 0)
        return -1;
    if (!v[1] && !v[2])
        return ld_fail(l, n, "allowlist entry needs a 'host' or a 'pool' (or both)");
    if (v[1]) {
        char text[80];
        uint16_t port;
        if (ld_scalar(l, v[1], "host", text, sizeof text) != 0)
            return -1;
        enum cidr_parse_result pr = cidr_parse(text, strlen(text), &a.host, &a.plen, &port);
        if (pr != CIDR_PARSE_OK)
            return ld_fail(l, v[1], "bad CIDR '%s': %s", text, cidr_parse_strerror(pr));
        if (port)
            return ld_fail(l, v[1], "allowlist host takes no port");
        a.has_host = 1;
    }
    if (v[2]) {
        char pool[DOMAINSET_NAME_MAX + 2];
        if (ld_scalar(l, v[2], "pool", pool, sizeof pool) != 0)
            return -1;
        const char *why = domainset_name_check(pool, strlen(pool));
        if (why)
            return ld_fail(l, v[2], "bad domain '%s': %s", pool, why);
        size_t pl = strlen(pool);
        if (pool[pl - 1] == '.')
            pl--;
        for (size_t i = 0; i < pl; i++)
            if (pool[i] >= 'A' && pool[i] <= 'Z')
                pool[i] = (char)(pool[i] + 32);
        a.pool = rules_str(l->r, pool, pl);
        a.pool_len = pl;
        if (a.pool == UINT32_MAX)
            return ld_fail(l, NULL, "out of memory");
    }
    uint32_t dummy;
    if (v[3] && ld_comment(l, v[3], NULL, &dummy) != 0)
        return -1;
    struct rules *r = l->r;
    if (r->nallow >= RULES_MAX_ALLOW)
        return ld_fail(l, n, "more than %d allowlist entries", RULES_MAX_ALLOW);
    if (rules_grow((void **)&r->allow, &r->allow_cap, r->nallow + 1, sizeof *r->allow) != 0)
        return ld_fail(l, NULL, "out of memory");
    r->allow[r->nallow++] = a;
    return 0;
}

static int ld_document(struct ld *l)
{
    yaml_node_t *root = yaml_document_get_root_node(l->doc);
    if (!root)
        return 0; /* an empty file is an empty rule set */
    static const char *const keys[] = { "version", "lists", "allowlist" };
    yaml_node_t *v[3];
    if (ld_mapping(l, root, "rule file", keys, 3, v) != 0)
        return -1;
    if (v[0]) {
        unsigned long ver;
        if (ld_uint(l, v[0], "version", 1000, &ver) != 0)
            return -1;
        if (ver != 1)
            return ld_fail(l, v[0], "unsupported rule file version %lu (this build reads 1)", ver);
    }
    if (v[1]) {
        if (ld_seq(l, v[1], "lists") != 0)
            return -1;
        for (yaml_node_item_t *it = v[1]->data.sequence.items.start; it < v[1]->data.sequence.items.top; it++)
            if (ld_list(l, ld_node(l, *it)) != 0)
                return -1;
    }
    if (v[2]) {
        if (ld_seq(l, v[2], "allowlist") != 0)
            return -1;
        for (yaml_node_item_t *it = v[2]->data.sequence.items.start; it < v[2]->data.sequence.items.top; it++)
            if (ld_allow(l, ld_node(l, *it)) != 0)
                return -1;
    }
    return 0;
}

/* Parse one YAML stream (file or buffer) into l->r. Only one document per file. */
static int ld_parse(struct ld *l, yaml_parser_t *p)
{
    yaml_document_t doc;
    if (!yaml_parser_load(p, &doc)) {
        yamlpos_parser_error(l->err, l->errlen, l->file, p);
        return -1;
    }
    l->doc = &doc;
    int rc = ld_document(l);
    l->doc = NULL;
    yaml_document_delete(&doc);
    return rc;
}

struct rules *rules_load_ex(const char *const *files, size_t nfiles, rules_warn_fn warn,
                            void *warn_ctx, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    struct rules *r = rules_new();
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < nfiles; i++) {
        struct ld l = { r, files[i], NULL, 0, NULL, warn, warn_ctx, err, errlen };
        FILE *f = fopen(files[i], "rb");
        if (!f) {
            snprintf(err, errlen, "%s: cannot open: %s", files[i], strerror(errno));
            rules_free(r);
            return NULL;
        }
        yaml_parser_t p;
        if (!yaml_parser_initialize(&p)) {
            fclose(f);
            rules_free(r);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        yaml_parser_set_input_file(&p, f);
        int rc = ld_parse(&l, &p);
        yaml_parser_delete(&p);
        fclose(f);
        if (rc != 0) {
            rules_free(r);
            return NULL;
        }
        r->counts.files++;
    }
    rules_finish(r);
    return r;
}

struct rules *rules_load(const char *const *files, size_t nfiles, char *err, size_t errlen)
{
    return rules_load_ex(files, nfiles, NULL, NULL, err, errlen);
}

struct rules *rules_load_buffer(const char *buf, size_t len, const char *label,
                                const char *base_dir, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    struct rules *r = rules_new();
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    struct ld l = { r, label ? label : "<buffer>", base_dir, 1, NULL, NULL, NULL, err, errlen };
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        rules_free(r);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    int rc = ld_parse(&l, &p);
    yaml_parser_delete(&p);
    if (rc != 0) {
        rules_free(r);
        return NULL;
    }
    r->counts.files = 1;
    rules_finish(r);
    return r;
}

