/* output_test_util.h - helpers shared by the output tests: temp dirs, stats, reading files. */
#ifndef MW_OUTPUT_TEST_UTIL_H
#define MW_OUTPUT_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/eve/output.h"

struct out_stats {
    uint64_t lines, bytes, dropped, write_errors, reopens;
};

static void out_stat_cb(void *ctx, const char *name, uint64_t v)
{
    struct out_stats *s = ctx;
    if (!strcmp(name, "output.lines"))
        s->lines = v;
    else if (!strcmp(name, "output.bytes"))
        s->bytes = v;
    else if (!strcmp(name, "output.dropped"))
        s->dropped = v;
    else if (!strcmp(name, "output.write_errors"))
        s->write_errors = v;
    else if (!strcmp(name, "output.reopens"))
        s->reopens = v;
}

static inline struct out_stats out_stats(struct output *o)
{
    struct out_stats s = { 0, 0, 0, 0, 0 };
    output_stats_foreach(o, out_stat_cb, &s);
    return s;
}

/* Whole file into a NUL-terminated heap buffer (caller frees); *len set. */
static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!b)
        return NULL;
    b[n] = '\0';
    *len = n;
    return b;
}

#endif
