/* test_applayer_reprobe.c - the app-layer engine hands a stream on after a proxy handshake:
 * the bytes behind a SOCKS reply or a PROXY header reach the dissector probed afresh, from
 * both directions, whatever the segmentation (kept bytes of the other side, a reply split
 * across packets, a packet larger than the engine's buffer). */
#include <stdio.h>
#include <string.h>

#include "core/evidence.h"
#include "sensor/applayer/drive.h"
#include "sensor/flow/flow.h"
#include "unit/check_main.h"

#define MAXEV 64
static struct mw_evidence evs[MAXEV];
static int nev;

static void rec(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    (void)user, (void)f, (void)ts_us;
    if (nev < MAXEV)
        evs[nev++] = *ev;
}

static const struct mw_evidence *find(enum mw_ev_kind kind, enum mw_variant v, const char *method)
{
    for (int i = 0; i < nev; i++)
        if (evs[i].kind == kind && evs[i].variant == v && (!method || strcmp(evs[i].method, method) == 0))
            return &evs[i];
    return NULL;
}

/* The real engine through the one test driver (sensor/applayer/drive.h), probing as the
 * sensor does: nothing is forced, the SOCKS or PROXY dissector is found by its probe. */
static struct applayer_drive *rig_start(uint32_t buffer_size)
{
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.engine.buffer_size = buffer_size;
    p.port[MW_DIR_FWD] = 41300;
    p.port[MW_DIR_REV] = 1080;
    nev = 0;
    struct applayer_drive *dr = applayer_drive_new(&p, NULL, rec, NULL);
    ck_assert_ptr_nonnull(dr);
    return dr;
}

static void rig_send(struct applayer_drive *dr, int dir, const void *p, size_t n)
{
    applayer_drive_data(dr, dir, p, n);
}

static const uint8_t greet[] = { 5, 1, 0 }, choice[] = { 5, 0 };
static const uint8_t req[] = { 5, 1, 0, 3, 9, 'p', 'o', 'o', 'l', '.', 't', 'e', 's', 't', 0x0d, 0x05 };
static const uint8_t reply[] = { 5, 0, 0, 1, 10, 0, 0, 1, 0x04, 0x38 };
static const char subscribe[] = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n";
static const char sub_result[] = "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae68\"]],\"08000002\",4],\"error\":null}\n";

/* The miner sends its first Stratum line before the proxy's reply (optimistic data): the
 * kept client bytes are the tunnel's first and are probed after the reply. */
START_TEST(test_other_side_kept_bytes)
{
    struct applayer_drive *r = rig_start(16384);
    rig_send(r, MW_DIR_FWD, greet, sizeof greet);
    rig_send(r, MW_DIR_REV, choice, sizeof choice);
    uint8_t c[256];
    memcpy(c, req, sizeof req);
    memcpy(c + sizeof req, subscribe, sizeof subscribe - 1);
    rig_send(r, MW_DIR_FWD, c, sizeof req + sizeof subscribe - 1);
    ck_assert_ptr_nonnull(find(MW_EV_PROXY, MW_VAR_SOCKS_CONNECT, "CONNECT"));
    ck_assert_ptr_null(find(MW_EV_PROTOCOL, MW_VAR_STRATUM1, NULL));
    rig_send(r, MW_DIR_REV, reply, sizeof reply);
    const struct mw_evidence *ev = find(MW_EV_PROTOCOL, MW_VAR_STRATUM1, "mining.subscribe");
    ck_assert_ptr_nonnull(ev);
    ck_assert_uint_eq(ev->client_dir, MW_DIR_FWD);
    ck_assert_str_eq(ev->agent, "cgminer/4.10.0");
    ck_assert_str_eq(applayer_drive_flow(r)->app.app_proto, "stratum");
    applayer_drive_free(r);
}
END_TEST

/* The reply split across packets (its first bytes kept by the engine), then its end and far
 * more tunnel bytes than the engine's buffer holds in one packet: nothing of the tunnel is
 * fed to the SOCKS dissector or dropped as an overflow. */
START_TEST(test_tail_larger_than_buffer)
{
    struct applayer_drive *r = rig_start(1024);
    rig_send(r, MW_DIR_FWD, greet, sizeof greet);
    rig_send(r, MW_DIR_REV, choice, sizeof choice);
    rig_send(r, MW_DIR_FWD, req, sizeof req);
    rig_send(r, MW_DIR_FWD, subscribe, sizeof subscribe - 1);
    rig_send(r, MW_DIR_REV, reply, 3);
    static uint8_t big[4096];
    size_t n = 0;
    memcpy(big, reply + 3, sizeof reply - 3);
    n = sizeof reply - 3;
    /* 30 lines of padding the pool may send (a long set_extranonce/notify burst), then the answer */
    while (n + 120 < 3000) {
        n += (size_t)snprintf((char *)big + n, sizeof big - n,
                              "{\"id\":null,\"method\":\"client.show_message\",\"params\":[\"%080d\"]}\n", 0);
    }
    memcpy(big + n, sub_result, sizeof sub_result - 1);
    n += sizeof sub_result - 1;
    ck_assert_uint_gt(n, 2 * 1024);
    rig_send(r, MW_DIR_REV, big, n);
    const struct mw_evidence *ev = find(MW_EV_PROTOCOL, MW_VAR_STRATUM1, NULL);
    ck_assert_ptr_nonnull(ev);
    int server_seen = 0;
    for (int i = 0; i < nev; i++)
        server_seen |= evs[i].kind == MW_EV_PROTOCOL && (evs[i].sides & MW_SIDE_SERVER);
    ck_assert_msg(server_seen, "the subscribe result at the end of the big packet was not seen");
    applayer_drive_free(r);
}
END_TEST

/* A PROXY v1 header and the Stratum line in one segment, the pool answering after. */
START_TEST(test_proxy_header_then_stratum)
{
    struct applayer_drive *r = rig_start(16384);
    char c[256];
    int n = snprintf(c, sizeof c, "PROXY TCP4 192.0.2.9 198.51.100.1 50000 3333\r\n%s", subscribe);
    rig_send(r, MW_DIR_FWD, c, (size_t)n);
    rig_send(r, MW_DIR_REV, sub_result, sizeof sub_result - 1);
    const struct mw_evidence *p = find(MW_EV_PROXY, MW_VAR_NONE, NULL);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->proxy.proto, MW_PROXY_V1);
    ck_assert_uint_eq(p->proxy.src.b[15], 9);
    ck_assert_ptr_nonnull(find(MW_EV_PROTOCOL, MW_VAR_STRATUM1, "mining.subscribe"));
    applayer_drive_free(r);
}
END_TEST

static Suite *reprobe_suite(void)
{
    Suite *su = suite_create("applayer_reprobe");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_other_side_kept_bytes);
    tcase_add_test(tc, test_tail_larger_than_buffer);
    tcase_add_test(tc, test_proxy_header_then_stratum);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return mw_check_run(reprobe_suite());
}
