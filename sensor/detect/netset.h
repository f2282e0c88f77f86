/* netset.h - small sets of address prefixes from the configuration (home-net, dns-servers, proxies). */
#ifndef MW_NETSET_H
#define MW_NETSET_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/decode/packet.h"

#define NETSET_MAX 256

struct netset {
    size_t n;
    struct {
        struct mw_addr net;
        uint8_t bits; /* over the 128-bit mapped form */
    } e[NETSET_MAX];
};

/* Parse "10.0.0.0/8", "fc00::/7" or a bare address; returns 0, or -1 when malformed. */
int netset_parse_prefix(const char *text, struct mw_addr *net, uint8_t *bits);
/* Add a prefix given as text; -1 when malformed or the set is full. */
int netset_add(struct netset *s, const char *text);
int netset_contains(const struct netset *s, const struct mw_addr *a);
/* Does a fall inside net/bits (bits over the 128-bit mapped form)? */
int netset_prefix_match(const struct mw_addr *net, uint8_t bits, const struct mw_addr *a);

struct mw_cidr; /* sensor/runtime/config.h */
/* A configuration prefix (4-byte IPv4) in the 16-byte mapped form. */
void netset_prefix_from_cidr(const struct mw_cidr *c, struct mw_addr *net, uint8_t *bits);

#endif
