/* enrich.c - pool-side geography for an alert (docs/geoip.md). */
#include "sensor/eve/enrich.h"

#include <stddef.h>

void eve_enrich_alert(struct eve_alert *a, struct geoip *g, const struct mw_addr *pool,
                      struct geoip_result *scratch)
{
    if (!g || !geoip_lookup(g, pool, scratch))
        return;
    a->geo_country = scratch->country[0] ? scratch->country : NULL;
    a->geo_city = scratch->city[0] ? scratch->city : NULL;
    a->geo_as_org = scratch->as_org[0] ? scratch->as_org : NULL;
    a->geo_asn = scratch->asn;
}
