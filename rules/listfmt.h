/* listfmt.h - importers for third-party block lists (plain, hosts, Adblock, IP/CIDR).
 *
 * A parser walks a buffer line by line and hands every name or address it accepts to a
 * sink; malformed lines go to the sink's error callback with their 1-based line number
 * and are skipped. Nothing is allocated: names are slices of the input buffer.
 */
#ifndef MW_LISTFMT_H
#define MW_LISTFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define LISTFMT_LINE_MAX 4096 /* longer lines are rejected, not truncated */

enum listfmt_format {
    LISTFMT_AUTO = 0,
    LISTFMT_PLAIN,   /* one name (or address/CIDR) per line, '#' comments */
    LISTFMT_HOSTS,   /* "0.0.0.0 name [name...] [# comment]" */
    LISTFMT_ADBLOCK, /* "||name^[$options]"; cosmetic and path rules are skipped */
    LISTFMT_IP,      /* one address, CIDR or addr:port per line */
};

struct listfmt_stats {
    size_t lines;     /* lines read */
    size_t names;     /* names handed to the sink */
    size_t addrs;     /* addresses/blocks handed to the sink */
    size_t comments;  /* blank, comment and header lines */
    size_t skipped;   /* well-formed but not importable (cosmetic/path/exception rules, localhost) */
    size_t rejected;  /* malformed lines reported to on_error */
};

struct listfmt_sink {
    void *ctx;
    /* name is not NUL-terminated and may carry upper case; it passed domainset_name_check. */
    void (*on_name)(void *ctx, const char *name, size_t len, size_t line);
    /* plen in the 16-byte space (IPv4 /24 = 120); port 0 = any. */
    void (*on_addr)(void *ctx, const struct mw_addr *addr, unsigned plen, uint16_t port,
                    size_t line);
    void (*on_error)(void *ctx, size_t line, const char *msg);
};

/* Guess the format from the first lines of buf (never returns LISTFMT_AUTO). */
enum listfmt_format listfmt_detect(const char *buf, size_t len);

/* Parse buf in format fmt (LISTFMT_AUTO detects first). Returns the format used.
 * stats is zeroed first; sink callbacks may be NULL. */
enum listfmt_format listfmt_parse(const char *buf, size_t len, enum listfmt_format fmt,
                                  const struct listfmt_sink *sink, struct listfmt_stats *stats);

/* Read and parse a file (cap 256 MiB). 0 on success, -1 with a message in err. */
int listfmt_parse_file(const char *path, enum listfmt_format fmt, const struct listfmt_sink *sink,
                       struct listfmt_stats *stats, enum listfmt_format *used,
                       char *err, size_t errlen);

const char *listfmt_format_name(enum listfmt_format fmt);
/* 0 and *fmt set when name is auto|plain|hosts|adblock|ip, else -1. */
int listfmt_format_from_name(const char *name, enum listfmt_format *fmt);

#endif
