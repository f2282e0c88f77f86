/* yamlpos.c - "FILE:LINE:COL: message" for a YAML node (libyaml marks count from zero). */
#include "core/yamlpos.h"

#include <stdio.h>

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
