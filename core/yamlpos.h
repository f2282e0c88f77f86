/* yamlpos.h - "FILE:LINE:COL: message" for a YAML node: the one error format of every YAML
 * file minewatch reads (configuration, rule files, minewatch-update's sources.yaml). */
#ifndef MW_RULES_YAMLPOS_H
#define MW_RULES_YAMLPOS_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

/* Writes the message to err (errlen bytes, always terminated when errlen > 0); without a node
 * (an error about the whole file) the position is left out: "FILE: message". */
void yamlpos_verror(char *err, size_t errlen, const char *file, const yaml_node_t *n, const char *fmt,
                    va_list ap) __attribute__((format(printf, 5, 0)));

#endif
