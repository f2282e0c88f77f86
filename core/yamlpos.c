/* yamlpos.c - YAML walking with "FILE:LINE:COL" errors (libyaml marks count from zero). */
#include "core/yamlpos.h"

#include <stdio.h>
#include <string.h>

void yamlpos_verror(char *err, size_t errlen, const char *file, const yaml_node_t *n, const char *fmt,
                    va_list ap)
{
    if (!err || errlen == 0)
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (n)
        snprintf(err, errlen, "%s:%zu:%zu: %s", file, n->start_mark.line + 1, n->start_mark.column + 1, msg);
    else
        snprintf(err, errlen, "%s: %s", file, msg);
}

int yamlpos_fail(const struct yamlpos_doc *d, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yamlpos_verror(d->err, d->errlen, d->file, n, fmt, ap);
    va_end(ap);
    return -1;
}

void yamlpos_parser_error(char *err, size_t errlen, const char *file, const yaml_parser_t *p)
{
    if (!err || errlen == 0)
        return;
    if (p->error == YAML_MEMORY_ERROR) {
        snprintf(err, errlen, "%s: out of memory while parsing", file);
        return;
    }
    const char *problem = p->problem ? p->problem : "YAML syntax error";
    if (p->context)
        snprintf(err, errlen, "%s:%zu:%zu: %s (%s)", file, p->problem_mark.line + 1, p->problem_mark.column + 1,
                 problem, p->context);
    else
        snprintf(err, errlen, "%s:%zu:%zu: %s", file, p->problem_mark.line + 1, p->problem_mark.column + 1,
                 problem);
}

int yamlpos_scalar(const struct yamlpos_doc *d, const yaml_node_t *n, const char *what, char *buf, size_t bufsz)
{
    buf[0] = '\0'; /* callers never see an unset buffer, even on the error path */
    if (!n || n->type != YAML_SCALAR_NODE)
        return yamlpos_fail(d, n, "%s must be a scalar", what);
    size_t len = n->data.scalar.length;
    if (len >= bufsz)
        return yamlpos_fail(d, n, "%s is longer than %zu bytes", what, bufsz - 1);
    if (memchr(n->data.scalar.value, '\0', len))
        return yamlpos_fail(d, n, "%s contains a NUL byte", what);
    memcpy(buf, n->data.scalar.value, len);
    buf[len] = '\0';
    return 0;
}

int yamlpos_mapping(const struct yamlpos_doc *d, const yaml_node_t *n, const char *what, const char *const *keys,
                    size_t nkeys, yaml_node_t **vals)
{
    for (size_t k = 0; k < nkeys; k++) /* before any failure: no caller sees garbage */
        vals[k] = NULL;
    if (!n || n->type != YAML_MAPPING_NODE)
        return yamlpos_fail(d, n, "%s must be a mapping", what);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(d->doc, p->key);
        char key[64];
        if (yamlpos_scalar(d, kn, "key", key, sizeof key) != 0)
            return -1;
        size_t k = 0;
        while (k < nkeys && strcmp(keys[k], key) != 0)
            k++;
        if (k == nkeys) {
            char known[512] = "";
            size_t off = 0;
            for (size_t j = 0; j < nkeys && off < sizeof known; j++) {
                int w = snprintf(known + off, sizeof known - off, "%s%s", j ? ", " : "", keys[j]);
                off += w > 0 ? (size_t)w : 0;
            }
            return yamlpos_fail(d, kn, "unknown key '%s' in %s (expected one of: %s)", key, what, known);
        }
        if (vals[k])
            return yamlpos_fail(d, kn, "duplicate key '%s' in %s", key, what);
        vals[k] = yaml_document_get_node(d->doc, p->value);
        if (!vals[k])
            return yamlpos_fail(d, kn, "missing value for '%s'", key);
    }
    return 0;
}
