/* enrich.h - enrichment of an alert on its way to EVE: pool-side geography.
 * Kept apart from the alert decision (sensor/detect/) so that deciding never needs the
 * databases, and apart from eve.c so the writer stays a pure formatter. */
#ifndef MW_EVE_ENRICH_H
#define MW_EVE_ENRICH_H

#include "sensor/detect/geoip.h"
#include "sensor/eve/eve.h"

/* Look up the pool side of alert a (pool: its address) in g and point a's geo fields at
 * scratch, which must outlive the eve_alert() call. g may be NULL (no enrichment). */
void eve_enrich_alert(struct eve_alert *a, struct geoip *g, const struct mw_addr *pool,
                      struct geoip_result *scratch);

#endif
