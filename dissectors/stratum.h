/* stratum.h - newline-framed JSON mining stream dissector (Stratum V1 family).
 *
 * Covers every dialect that sends one JSON object per line over raw TCP:
 * stratum1, ethstratum, ethproxy and cryptonote (jsonmine.h classifies each line).
 * The state is exposed so tests can look at its counters; the sensor only uses
 * stratum_dissector.state_size.
 */
#ifndef MW_STRATUM_H
#define MW_STRATUM_H

#include <stdint.h>

#include "dissectors/dissector.h"

#define STRATUM_MAX_LINE 16384     /* longer lines are skipped to the next newline and counted */
#define STRATUM_GIVE_UP_LINES 8    /* JSON lines that are not mining before a direction is given up */
#define STRATUM_GIVE_UP_INVALID 4  /* non-JSON lines before the flow is declared not ours */
#define STRATUM_PENDING 8          /* outstanding request ids remembered to pair responses */
#define STRATUM_FACTS 8            /* facts (agent, worker ...) remembered to report each once */

struct stratum_pending {
    uint32_t id_hash;
    uint8_t kind;  /* enum jsonmine_kind of the request */
    uint8_t used;
};

struct stratum_state {
    uint8_t variant;       /* enum mw_variant of the session so far */
    uint8_t sides;         /* MW_SIDE_* confirmed */
    uint8_t client_dir;    /* direction the miner sends in; valid once sides != 0 */
    uint8_t mining;        /* a mining message was seen */
    uint8_t skipping[2];   /* discarding up to the next newline (oversize line or gap) */
    uint8_t not_mining[2]; /* JSON lines that were not mining, before mining was seen */
    uint8_t invalid[2];    /* lines that were not a JSON object, before mining was seen */
    uint8_t pend_next;
    uint8_t fact_next;
    struct stratum_pending pending[STRATUM_PENDING];
    uint32_t facts[STRATUM_FACTS];
    uint32_t messages;       /* mining messages */
    uint32_t oversize_lines; /* lines longer than STRATUM_MAX_LINE */
    uint32_t too_complex;    /* lines over the classifier's token/depth caps */
    uint32_t bad_lines;      /* lines that were not a JSON object */
};

/* Named events (stats: app.stratum.<name>). */
enum stratum_event {
    STRATUM_EV_LINE_TOO_LONG,   /* a line longer than STRATUM_MAX_LINE, skipped to its newline */
    STRATUM_EV_MALFORMED_JSON,  /* a line that is not a JSON object */
    STRATUM_EV_TOO_COMPLEX,     /* a line over the classifier's token/depth caps */
    STRATUM_EV_COUNT
};

extern const struct mw_dissector stratum_dissector;

#endif
