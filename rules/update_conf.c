/* update_conf.c - parse minewatch-update's sources.yaml (libyaml document API) with FILE:LINE:COL errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rules/update.h"
#include "core/units.h"
#include "core/yamlpos.h"

#define UPD_FILE_MAX (1u << 20) /* a sources.yaml is a few kilobytes */

struct upc {
    struct update_config *c;
    yaml_document_t *doc;
    const char *label;
    char dir[4096]; /* directory of the file, "" for the current one */
    char *err;
    size_t errlen;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int upc_fail(struct upc *p, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yamlpos_verror(p->err, p->errlen, p->label, n, fmt, ap);
    va_end(ap);
    return -1;
}

static struct yamlpos_doc upc_pos(const struct upc *p)
{
    struct yamlpos_doc d = { p->doc, p->label, p->err, p->errlen };
    return d;
}

/* A scalar, and never an empty one: every sources.yaml setting needs a value. */
static int upc_scalar(struct upc *p, const yaml_node_t *n, const char *what, char *buf, size_t bufsz)
{
    if (n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0)
        return upc_fail(p, n, "%s is empty", what);
    struct yamlpos_doc d = upc_pos(p);
    return yamlpos_scalar(&d, n, what, buf, bufsz);
}

static int upc_bool(struct upc *p, const yaml_node_t *n, const char *what, int *out)
{
    char b[8] = "";
    if (upc_scalar(p, n, what, b, sizeof b) != 0)
        return -1;
    if (strcmp(b, "true") == 0 || strcmp(b, "yes") == 0)
        *out = 1;
    else if (strcmp(b, "false") == 0 || strcmp(b, "no") == 0)
        *out = 0;
    else
        return upc_fail(p, n, "%s must be true or false", what);
    return 0;
}

/* A number; when sized, a size as minewatch.yaml writes them (core/units.h: 64M, 64mb, 1gb). */
static int upc_number(struct upc *p, const yaml_node_t *n, const char *what, unsigned long lo,
                      unsigned long hi, int sized, unsigned long *out)
{
    char b[32] = "";
    if (upc_scalar(p, n, what, b, sizeof b) != 0)
        return -1;
    uint64_t v;
    if ((sized ? mw_parse_size(b, &v) : mw_parse_uint(b, &v)) != 0 || v < lo || v > hi)
        return upc_fail(p, n, "%s must be a number from %lu to %lu", what, lo, hi);
    *out = (unsigned long)v;
    return 0;
}

/* A path setting: relative paths resolve against the directory of sources.yaml. */
static int upc_path(struct upc *p, const yaml_node_t *n, const char *what, char **out)
{
    char b[4096];
    if (upc_scalar(p, n, what, b, sizeof b) != 0)
        return -1;
    size_t need = strlen(p->dir) + strlen(b) + 2;
    char *s = malloc(need);
    if (!s)
        return upc_fail(p, n, "out of memory");
    if (b[0] == '/' || p->dir[0] == '\0')
        snprintf(s, need, "%s", b);
    else
        snprintf(s, need, "%s/%s", p->dir, b);
    free(*out);
    *out = s;
    return 0;
}

/* Look up the value nodes of a mapping's keys; unknown and repeated keys are errors. */
static int upc_mapping(struct upc *p, yaml_node_t *n, const char *what, const char *const *keys,
                       size_t nkeys, yaml_node_t **vals)
{
    struct yamlpos_doc d = upc_pos(p);
    return yamlpos_mapping(&d, n, what, keys, nkeys, vals);
}

static int upc_name_ok(const char *s)
{
    if (!*s || strlen(s) > UPDATE_NAME_MAX || s[0] == '.')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int upc_source(struct upc *p, yaml_node_t *n)
{
    static const char *const keys[] = { "name", "url", "path", "format", "category", "optional", "enabled" };
    yaml_node_t *v[7];
    if (upc_mapping(p, n, "source", keys, 7, v) != 0)
        return -1;
    struct update_config *c = p->c;
    if (c->nsrc == UPDATE_MAX_SOURCES)
        return upc_fail(p, n, "more than %d sources", UPDATE_MAX_SOURCES);
    struct update_source *s = &c->src[c->nsrc];
    memset(s, 0, sizeof *s);
    s->line = n->start_mark.line + 1;
    c->nsrc++; /* counted now so update_config_free releases what is parsed below */
    if (!v[0])
        return upc_fail(p, n, "source needs a 'name'");
    if (upc_scalar(p, v[0], "name", s->name, sizeof s->name) != 0)
        return -1;
    if (!upc_name_ok(s->name))
        return upc_fail(p, v[0], "source name '%s' must be 1-%d bytes of [A-Za-z0-9._-] not starting with '.'",
                        s->name, UPDATE_NAME_MAX);
    for (size_t i = 0; i + 1 < c->nsrc; i++)
        if (strcmp(c->src[i].name, s->name) == 0)
            return upc_fail(p, v[0], "duplicate source name '%s' (first at line %zu)", s->name, c->src[i].line);
    if (!!v[1] == !!v[2])
        return upc_fail(p, n, "source '%s' needs exactly one of 'url' and 'path'", s->name);
    if (v[1]) {
        char u[4096];
        if (upc_scalar(p, v[1], "url", u, sizeof u) != 0)
            return -1;
        if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0 && strncmp(u, "file://", 7) != 0)
            return upc_fail(p, v[1], "url must start with http://, https:// or file://");
        for (const char *q = u; *q; q++)
            if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f)
                return upc_fail(p, v[1], "url contains a space or control byte");
        if (!(s->url = strdup(u)))
            return upc_fail(p, v[1], "out of memory");
    } else if (upc_path(p, v[2], "path", &s->path) != 0) {
        return -1;
    }
    if (!v[3])
        return upc_fail(p, n, "source '%s' needs a 'format' (plain, hosts, adblock, ip or auto)", s->name);
    char b[32] = "";
    if (upc_scalar(p, v[3], "format", b, sizeof b) != 0)
        return -1;
    if (listfmt_format_from_name(b, &s->format) != 0)
        return upc_fail(p, v[3], "unknown format '%s' (plain, hosts, adblock, ip, auto)", b);
    if (!v[4])
        return upc_fail(p, n, "source '%s' needs a 'category'", s->name);
    if (upc_scalar(p, v[4], "category", b, sizeof b) != 0)
        return -1;
    if (rules_category_from_name(b, &s->category) != 0)
        return upc_fail(p, v[4], "unknown category '%s' (mining-pool, web-miner, mining-proxy, crypto-general)", b);
    if (v[5] && upc_bool(p, v[5], "optional", &s->optional) != 0)
        return -1;
    int enabled = 1;
    if (v[6] && upc_bool(p, v[6], "enabled", &enabled) != 0)
        return -1;
    s->disabled = !enabled;
    return 0;
}

static int upc_root(struct upc *p, yaml_node_t *root)
{
    static const char *const keys[] = { "version", "sources", "output", "cache-dir", "pidfile",
                                         "minewatch", "minewatch-config", "test-rules",
                                         "timeout", "max-size", "max-malformed-percent", "reload-command" };
    enum { K_VER, K_SRC, K_OUT, K_CACHE, K_PID, K_MW, K_MWCFG, K_TEST, K_TIMEOUT, K_SIZE, K_BAD, K_RELOAD, K_N };
    yaml_node_t *v[K_N];
    if (upc_mapping(p, root, "sources file", keys, K_N, v) != 0)
        return -1;
    struct update_config *c = p->c;
    if (v[K_VER]) {
        char b[8] = "";
        if (upc_scalar(p, v[K_VER], "version", b, sizeof b) != 0)
            return -1;
        if (strcmp(b, "1") != 0)
            return upc_fail(p, v[K_VER], "unsupported version '%s' (only 1)", b);
    }
    if (!v[K_SRC])
        return upc_fail(p, root, "no 'sources' list");
    if (v[K_SRC]->type != YAML_SEQUENCE_NODE)
        return upc_fail(p, v[K_SRC], "sources must be a sequence");
    yaml_node_item_t *it = v[K_SRC]->data.sequence.items.start;
    size_t ns = (size_t)(v[K_SRC]->data.sequence.items.top - it);
    if (ns == 0)
        return upc_fail(p, v[K_SRC], "sources is empty");
    if (ns > UPDATE_MAX_SOURCES)
        return upc_fail(p, v[K_SRC], "more than %d sources", UPDATE_MAX_SOURCES);
    if (!(c->src = calloc(ns, sizeof *c->src)))
        return upc_fail(p, v[K_SRC], "out of memory");
    for (; it < v[K_SRC]->data.sequence.items.top; it++)
        if (upc_source(p, yaml_document_get_node(p->doc, *it)) != 0)
            return -1;
    if (v[K_OUT] && upc_path(p, v[K_OUT], "output", &c->output) != 0)
        return -1;
    if (v[K_CACHE] && upc_path(p, v[K_CACHE], "cache-dir", &c->cache_dir) != 0)
        return -1;
    if (v[K_PID] && upc_path(p, v[K_PID], "pidfile", &c->pidfile) != 0)
        return -1;
    if (v[K_MW] && upc_path(p, v[K_MW], "minewatch", &c->minewatch) != 0)
        return -1;
    if (v[K_MWCFG] && upc_path(p, v[K_MWCFG], "minewatch-config", &c->minewatch_config) != 0)
        return -1;
    if (v[K_RELOAD]) {
        char b[4096];
        if (upc_scalar(p, v[K_RELOAD], "reload-command", b, sizeof b) != 0)
            return -1;
        if (!(c->reload_command = strdup(b)))
            return upc_fail(p, v[K_RELOAD], "out of memory");
    }
    if (v[K_TEST]) {
        yaml_node_t *t = v[K_TEST];
        if (t->type != YAML_SEQUENCE_NODE)
            return upc_fail(p, t, "test-rules must be a sequence of rule files");
        for (it = t->data.sequence.items.start; it < t->data.sequence.items.top; it++) {
            if (c->ntest_rules == UPDATE_MAX_TEST_RULES)
                return upc_fail(p, t, "more than %d test-rules", UPDATE_MAX_TEST_RULES);
            if (upc_path(p, yaml_document_get_node(p->doc, *it), "test-rules entry",
                         &c->test_rules[c->ntest_rules++]) != 0)
                return -1;
        }
    }
    if (v[K_TIMEOUT] && upc_number(p, v[K_TIMEOUT], "timeout", 1, 3600, 0, &c->timeout) != 0)
        return -1;
    if (v[K_SIZE] && upc_number(p, v[K_SIZE], "max-size", 1024, 256ul << 20, 1, &c->max_size) != 0)
        return -1;
    if (v[K_BAD] && upc_number(p, v[K_BAD], "max-malformed-percent", 0, 100, 0, &c->max_malformed_pct) != 0)
        return -1;
    return 0;
}

void update_config_free(struct update_config *c)
{
    for (size_t i = 0; i < c->nsrc; i++) {
        free(c->src[i].url);
        free(c->src[i].path);
    }
    free(c->src);
    free(c->file);
    free(c->output);
    free(c->cache_dir);
    free(c->pidfile);
    free(c->minewatch);
    free(c->minewatch_config);
    free(c->reload_command);
    for (size_t i = 0; i < c->ntest_rules; i++)
        free(c->test_rules[i]);
    memset(c, 0, sizeof *c);
}

int update_config_parse(struct update_config *c, const char *buf, size_t len, const char *label,
                        char *err, size_t errlen)
{
    struct upc p = { .c = c, .label = label, .err = err, .errlen = errlen };
    memset(c, 0, sizeof *c);
    c->timeout = 60;
    c->max_size = 64ul << 20;
    c->max_malformed_pct = 50;
    if (!(c->file = strdup(label)))
        return upc_fail(&p, NULL, "out of memory");
    const char *slash = strrchr(label, '/');
    if (slash && (size_t)(slash - label) < sizeof p.dir)
        snprintf(p.dir, sizeof p.dir, "%.*s", (int)(slash == label ? 1 : slash - label), label);
    if (memchr(buf, '\0', len)) {
        update_config_free(c);
        return upc_fail(&p, NULL, "contains a NUL byte");
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        update_config_free(c);
        return upc_fail(&p, NULL, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yamlpos_parser_error(err, errlen, label, &parser);
        yaml_parser_delete(&parser);
        update_config_free(c);
        return -1;
    }
    p.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc;
    if (!root)
        rc = upc_fail(&p, NULL, "empty file (expected a mapping with 'sources')");
    else
        rc = upc_root(&p, root);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc != 0)
        update_config_free(c);
    return rc;
}

int update_config_load(struct update_config *c, const char *path, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(UPD_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, UPD_FILE_MAX + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad || n > UPD_FILE_MAX) {
        snprintf(err, errlen, "%s: %s", path, !buf ? "out of memory" : bad ? "read error" : "larger than 1 MiB");
        free(buf);
        return -1;
    }
    int rc = update_config_parse(c, buf, n, path, err, errlen);
    free(buf);
    return rc;
}
