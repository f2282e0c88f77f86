/* netset.c - linear prefix sets: a handful of campus prefixes, checked once per flow or host. */
#include "sensor/detect/netset.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/runtime/config.h"

int netset_parse_prefix(const char *text, struct mw_addr *net, uint8_t *bits)
{
    char buf[INET6_ADDRSTRLEN + 8];
    size_t len = strlen(text);
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, text, len + 1);
    char *slash = strchr(buf, '/');
    long plen = -1;
    if (slash) {
        *slash = '\0';
        char *end;
        if (!slash[1])
            return -1;
        plen = strtol(slash + 1, &end, 10);
        if (*end || plen < 0)
            return -1;
    }
    uint8_t v4[4];
    if (inet_pton(AF_INET, buf, v4) == 1) {
        if (plen > 32)
            return -1;
        mw_addr_from_v4(net, v4);
        *bits = (uint8_t)(96 + (plen < 0 ? 32 : plen));
    } else if (inet_pton(AF_INET6, buf, net->b) == 1) {
        if (plen > 128)
            return -1;
        *bits = (uint8_t)(plen < 0 ? 128 : plen);
    } else {
        return -1;
    }
    /* Clear host bits so "10.1.2.3/8" means 10.0.0.0/8. */
    for (unsigned i = 0; i < 16; i++) {
        unsigned lo = i * 8;
        if (lo >= *bits)
            net->b[i] = 0;
        else if (lo + 8 > *bits)
            net->b[i] &= (uint8_t)(0xff << (8 - (*bits - lo)));
    }
    return 0;
}

int netset_add(struct netset *s, const char *text)
{
    if (s->n >= NETSET_MAX)
        return -1;
    if (netset_parse_prefix(text, &s->e[s->n].net, &s->e[s->n].bits) != 0)
        return -1;
    s->n++;
    return 0;
}

int netset_prefix_match(const struct mw_addr *net, uint8_t bits, const struct mw_addr *a)
{
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(net->b, a->b, full) != 0)
        return 0;
    if (rest && ((net->b[full] ^ a->b[full]) & (uint8_t)(0xff << (8 - rest))))
        return 0;
    return 1;
}

int netset_contains(const struct netset *s, const struct mw_addr *a)
{
    for (size_t i = 0; i < s->n; i++)
        if (netset_prefix_match(&s->e[i].net, s->e[i].bits, a))
            return 1;
    return 0;
}

void netset_prefix_from_cidr(const struct mw_cidr *c, struct mw_addr *net, uint8_t *bits)
{
    if (c->family == 4) {
        mw_addr_from_v4(net, c->addr);
        *bits = (uint8_t)(96 + c->prefix);
    } else {
        memcpy(net->b, c->addr, 16);
        *bits = c->prefix;
    }
}
