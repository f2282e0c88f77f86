/* units.h - the numbers people write in minewatch's YAML files: plain unsigned integers,
 * sizes ("64mb", "1gb", "512K") and durations ("30s", "10m", "2h", "1d").
 *
 * One spelling everywhere (minewatch.yaml, minewatch-update's sources.yaml). Strict: decimal
 * digits, no sign, no blanks around the value (one blank between number and unit is
 * allowed: "64 mb"), overflow refused. Sizes are binary multiples: k/kb/kib = 1024,
 * m/mb/mib, g/gb/gib; b or nothing = bytes; case does not matter. Durations in seconds:
 * s or nothing, m, h, d. Each returns 0, or -1 with *out untouched. */
#ifndef MW_CORE_UNITS_H
#define MW_CORE_UNITS_H

#include <stdint.h>

int mw_parse_uint(const char *s, uint64_t *out);
int mw_parse_size(const char *s, uint64_t *out);
int mw_parse_duration(const char *s, uint32_t *out);

#endif
