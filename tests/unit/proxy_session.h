/* proxy_session.h - what the proxy dissector tests read back from the real app-layer engine.
 *
 * Sessions run through sensor/applayer/drive.h (the engine's own buffering, hand-over and
 * re-probe), never a copy of it; this header only records the evidence and names the
 * engine counters the tests check.
 */
#ifndef MW_TEST_PROXY_SESSION_H
#define MW_TEST_PROXY_SESSION_H

#include <check.h>
#include <string.h>

#include "core/evidence.h"
#include "sensor/applayer/drive.h"
#include "sensor/flow/flow.h"

#define PS_MAXEV 16
static struct mw_evidence ps_ev[PS_MAXEV];
static int ps_nev;

static inline void ps_rec(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    (void)user, (void)f, (void)ts_us;
    if (ps_nev < PS_MAXEV)
        ps_ev[ps_nev++] = *ev;
}

/* A flow to port server_port with ds attached, as after its probe said yes. */
static inline struct applayer_drive *ps_start(const struct mw_dissector *ds, uint16_t server_port)
{
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_REV] = server_port;
    ps_nev = 0;
    struct applayer_drive *dr = applayer_drive_new(&p, ds, ps_rec, NULL);
    ck_assert_ptr_nonnull(dr);
    return dr;
}

/* The proxy's own findings: after the hand-over the tunnel's dissector reports its own. */
static inline int ps_nproxy(void)
{
    int n = 0;
    for (int i = 0; i < ps_nev; i++)
        n += ps_ev[i].kind == MW_EV_PROXY;
    return n;
}

static inline uint64_t ps_reprobes(const struct applayer_drive *dr)
{
    return applayer_drive_stat(dr, "detect.reprobes");
}

/* The feed returned malformed (the engine detached the dissector). */
static inline uint64_t ps_feed_malformed(const struct applayer_drive *dr)
{
    return applayer_drive_stat(dr, "detect.dissector_malformed");
}

/* The dissector let go of the stream by itself, handing nothing on. */
static inline int ps_closed(const struct applayer_drive *dr)
{
    return !applayer_drive_attached(dr) && ps_reprobes(dr) == 0 && ps_feed_malformed(dr) == 0;
}

/* Nothing of the tunnel was eaten: the probe after the hand-over found Stratum in the
 * client's first tunnel bytes (its subscribe) and, when want_server, the pool's answer. */
static inline void ps_check_stratum_behind(struct applayer_drive *dr, int want_server)
{
    ck_assert_str_eq(applayer_drive_flow(dr)->app.app_proto, "stratum");
    int client = 0, server = 0;
    for (int i = 0; i < ps_nev; i++) {
        if (ps_ev[i].kind != MW_EV_PROTOCOL || ps_ev[i].variant != MW_VAR_STRATUM1)
            continue;
        client |= strcmp(ps_ev[i].method, "mining.subscribe") == 0 && ps_ev[i].client_dir == MW_DIR_FWD;
        server |= (ps_ev[i].sides & MW_SIDE_SERVER) != 0;
    }
    ck_assert_msg(client, "the client's first tunnel bytes did not reach the probe");
    if (want_server)
        ck_assert_msg(server, "the pool's first tunnel bytes did not reach the probe");
}

#endif
