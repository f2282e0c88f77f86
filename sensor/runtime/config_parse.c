/* config_parse.c - the scalar syntaxes of minewatch.yaml that are the configuration's own:
 * booleans and CIDRs (integers, sizes and durations: core/units.h). Strict: no signs, no
 * blanks around values, overflow refused. */
#include "sensor/runtime/config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "core/units.h"

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
        if (strlen(slash + 1) > 3 || mw_parse_uint(slash + 1, &p) != 0 || p > maxp)
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

