/* units.c - integers, sizes and durations as written in minewatch's YAML files (units.h). */
#include "core/units.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

struct unit {
    const char *suffix;
    uint64_t mult;
};

/* Decimal digits only (no sign, no spaces); *end points after them. */
static int units_digits(const char *s, uint64_t *out, const char **end)
{
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    *end = p;
    return 0;
}

/* A number and one of the units (case-insensitive), at most max after multiplying. */
static int units_parse(const char *s, const struct unit *units, size_t nunits, uint64_t max, uint64_t *out)
{
    uint64_t v;
    const char *end;
    if (units_digits(s, &v, &end) != 0)
        return -1;
    if (*end == ' ' && end[strspn(end, " ")] != '\0')
        end += strspn(end, " "); /* "64 mb", but never a trailing blank */
    for (size_t i = 0; i < nunits; i++) {
        if (strcasecmp(end, units[i].suffix) == 0) {
            if (v > max / units[i].mult)
                return -1;
            *out = v * units[i].mult;
            return 0;
        }
    }
    return -1;
}

int mw_parse_uint(const char *s, uint64_t *out)
{
    const char *end;
    uint64_t v;
    if (units_digits(s, &v, &end) != 0 || *end)
        return -1;
    *out = v;
    return 0;
}

int mw_parse_size(const char *s, uint64_t *out)
{
    static const struct unit units[] = {
        { "", 1 },          { "b", 1 },           { "k", 1ull << 10 },  { "kb", 1ull << 10 },
        { "kib", 1ull << 10 }, { "m", 1ull << 20 }, { "mb", 1ull << 20 }, { "mib", 1ull << 20 },
        { "g", 1ull << 30 }, { "gb", 1ull << 30 }, { "gib", 1ull << 30 },
    };
    return units_parse(s, units, sizeof units / sizeof units[0], UINT64_MAX, out);
}

int mw_parse_duration(const char *s, uint32_t *out)
{
    static const struct unit units[] = {
        { "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
    };
    uint64_t v;
    if (units_parse(s, units, sizeof units / sizeof units[0], UINT32_MAX, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}
