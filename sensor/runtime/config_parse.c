/* config_parse.c - the scalar syntaxes of minewatch.yaml: booleans, integers, sizes,
 * durations and CIDRs. Strict: no signs, no blanks around values, overflow refused. */
#include "sensor/runtime/config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#define KB 1024ull
#define MB (1024ull * KB)
#define GB (1024ull * MB)

int config_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "no", "false", "off", "0" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/* Decimal digits only (no sign, no spaces); *end points after them. */
static int parse_digits(const char *s, uint64_t *out, const char **end)
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

int config_parse_uint(const char *s, uint64_t *out)
{
    const char *end;
    uint64_t v;
    if (parse_digits(s, &v, &end) != 0 || *end)
        return -1;
    *out = v;
    return 0;
}

int config_parse_size(const char *s, uint64_t *out)
{
    static const struct { const char *suffix; uint64_t mult; } units[] = {
        { "", 1 }, { "b", 1 }, { "k", KB }, { "kb", KB }, { "kib", KB },
        { "m", MB }, { "mb", MB }, { "mib", MB }, { "g", GB }, { "gb", GB }, { "gib", GB },
    };
    uint64_t v;
    const char *end;
    if (parse_digits(s, &v, &end) != 0)
        return -1;
    if (*end == ' ' && end[strspn(end, " ")] != '\0')
        end += strspn(end, " "); /* "64 mb", but never a trailing blank */
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].suffix) == 0) {
            if (v > UINT64_MAX / units[i].mult)
                return -1;
            *out = v * units[i].mult;
            return 0;
        }
    }
    return -1;
}

int config_parse_duration(const char *s, uint32_t *out)
{
    static const struct { const char *suffix; uint64_t mult; } units[] = {
        { "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
    };
    uint64_t v;
    const char *end;
    if (parse_digits(s, &v, &end) != 0)
        return -1;
    if (*end == ' ' && end[strspn(end, " ")] != '\0')
        end += strspn(end, " "); /* "64 mb", but never a trailing blank */
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].suffix) == 0) {
            if (v > UINT32_MAX / units[i].mult)
                return -1;
            *out = (uint32_t)(v * units[i].mult);
            return 0;
        }
    }
    return -1;
}

int config_parse_cidr(const char *s, struct mw_cidr *out)
{
    char addr[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (alen == 0 || alen >= sizeof addr)
        return -1;
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    struct mw_cidr c;
    memset(&c, 0, sizeof c);
    unsigned maxp;
    if (strchr(addr, ':')) {
        if (inet_pton(AF_INET6, addr, c.addr) != 1)
            return -1;
        c.family = 6;
        maxp = 128;
    } else {
        if (inet_pton(AF_INET, addr, c.addr) != 1)
            return -1;
        c.family = 4;
        maxp = 32;
    }
    unsigned prefix = maxp;
    if (slash) {
        uint64_t p;
        const char *end;
        if (strlen(slash + 1) > 3 || parse_digits(slash + 1, &p, &end) != 0 || *end || p > maxp)
            return -1;
        prefix = (unsigned)p;
    }
    /* Host bits set usually means a typo in the prefix: refuse rather than guess. */
    for (unsigned bit = prefix; bit < maxp; bit++)
        if (c.addr[bit / 8] & (0x80u >> (bit % 8)))
            return -1;
    c.prefix = (uint8_t)prefix;
    *out = c;
    return 0;
}

