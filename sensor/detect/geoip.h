/* geoip.h - country, city and autonomous system of an address from MaxMind DB files (docs/geoip.md). */
#ifndef MW_GEOIP_H
#define MW_GEOIP_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/decode/packet.h"

/* Cache slots when geoip_params.cache_entries is 0; larger requests are capped. */
#define GEOIP_CACHE_DEFAULT 1024u
#define GEOIP_CACHE_MAX (1u << 20)

struct geoip_params {
    const char *country_db; /* geoip.country-database; NULL or "" = not configured */
    const char *city_db;    /* geoip.city-database */
    const char *asn_db;     /* geoip.asn-database */
    uint32_t cache_entries; /* rounded up to a power of two (at least 2); 0 = GEOIP_CACHE_DEFAULT */
};

struct geoip;

/* Opens the configured databases and checks each one whole (search tree and every data
 * record) so a corrupt file fails here, not at the first lookup.
 * - a path that does not exist: logged once per process on stderr, that database is
 *   disabled, the object is still returned;
 * - a file that exists but cannot be read or is not a valid MaxMind DB: NULL, with a
 *   message naming the configuration key and the path in err (a start-up error);
 * - every path empty (or p NULL): an object whose lookups find nothing.
 * One object per worker thread: lookups update its cache and counters. */
struct geoip *geoip_open(const struct geoip_params *p, char *err, size_t errlen);

struct geoip_result {
    char country[3];  /* ISO 3166-1 alpha-2 ("GB"), "" when unknown */
    char city[64];    /* English name, cut at a UTF-8 character boundary; "" when unknown */
    uint32_t asn;     /* 0 when unknown */
    char as_org[96];  /* "" when unknown; bounded like city */
    uint8_t found;    /* 1 when any field above is set */
};

/* Fills out (always; zeroed when nothing is known) and returns out->found.
 * Private, loopback, link-local, documentation, multicast and other reserved ranges are
 * not looked up. IPv4 (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are looked
 * up as IPv4. Answers, including "not found", are cached per address (2-way set
 * associative, least recently used of the pair replaced; no allocation per call). */
int geoip_lookup(struct geoip *g, const struct mw_addr *a, struct geoip_result *out);

/* geoip.lookups, geoip.cache_hits, geoip.found, geoip.reserved, geoip.errors. */
void geoip_stats_foreach(const struct geoip *g, void (*cb)(void *u, const char *name, uint64_t v),
                         void *u);

/* 1 when at least one database is open (lookups can find something). */
int geoip_enabled(const struct geoip *g);

void geoip_close(struct geoip *g);

#endif
