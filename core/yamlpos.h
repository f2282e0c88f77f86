/* yamlpos.h - the YAML walking every file minewatch reads shares (configuration, rule files,
 * minewatch-update's sources.yaml): "FILE:LINE:COL: message" for a node or a parser error,
 * scalars copied out checked, mappings checked against the keys they may have. */
#ifndef MW_RULES_YAMLPOS_H
#define MW_RULES_YAMLPOS_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

/* Writes the message to err (errlen bytes, always terminated when errlen > 0); without a node
 * (an error about the whole file) the position is left out: "FILE: message". */
void yamlpos_verror(char *err, size_t errlen, const char *file, const yaml_node_t *n, const char *fmt,
                    va_list ap) __attribute__((format(printf, 5, 0)));

/* A document being walked and where its first error goes. */
struct yamlpos_doc {
    yaml_document_t *doc;
    const char *file;
    char *err;
    size_t errlen;
};

/* yamlpos_verror into d's err; returns -1 so callers can `return yamlpos_fail(...)`. */
int yamlpos_fail(const struct yamlpos_doc *d, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "FILE:LINE:COL: problem (context)" for a document libyaml could not parse. */
void yamlpos_parser_error(char *err, size_t errlen, const char *file, const yaml_parser_t *p);

/* The scalar n as a NUL-terminated copy in buf (buf is "" on failure): -1 with the error
 * set when n is not a scalar, is bufsz bytes or longer, or holds a NUL byte. */
int yamlpos_scalar(const struct yamlpos_doc *d, const yaml_node_t *n, const char *what, char *buf, size_t bufsz);

/* The mapping n, whose keys must be among keys[0..nkeys), each at most once: vals[i] is the
 * value node of keys[i] or NULL when absent. -1 (error at the offending key, naming the
 * keys allowed) otherwise. */
int yamlpos_mapping(const struct yamlpos_doc *d, const yaml_node_t *n, const char *what, const char *const *keys,
                    size_t nkeys, yaml_node_t **vals);

#endif
