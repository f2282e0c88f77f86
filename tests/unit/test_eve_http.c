/* test_eve_http.c - Suricata's `http` object on alert and flow events (docs/eve.md): the
 * typed facts a dissector copied are rendered under Suricata's names and types, every wire
 * string escaped and cut at its documented length, fields not seen left out; and the
 * merge that completes a flow's record keeps one request's and one response's fields
 * together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/evidence.h"
#include "sensor/detect/netset.h"
#include "sensor/eve/eve.h"
#include "sensor/eve/output.h"
#include "sensor/flow/flow.h"
#include "unit/check_main.h"
#include "unit/eve_fixture.h"

static struct eve_fixture fx;
static struct output *out;
static struct eve *eve;
static char line[20000];

static void setup(void)
{
    eve_fixture_open(&fx, "evehttp");
    out = fx.out;
    eve = fx.eve;
}

static void teardown(void)
{
    eve_fixture_close(&fx);
}

/* The last line written. */
static const char *last_line(void)
{
    output_flush(out);
    FILE *f = fopen(fx.path, "r");
    ck_assert_ptr_nonnull(f);
    line[0] = '\0';
    while (fgets(line, sizeof line, f))
        ;
    fclose(f);
    return line;
}

/* The text of the line's "http" object, or NULL. */
static const char *http_object(char *buf, size_t n)
{
    const char *l = last_line();
    const char *p = strstr(l, "\"http\":{");
    if (!p)
        return NULL;
    const char *e = strchr(p, '}');
    ck_assert_ptr_nonnull(e);
    snprintf(buf, n, "%.*s", (int)(e - p + 1), p);
    return buf;
}

static void make_flow(struct mw_flow *f)
{
    memset(f, 0, sizeof *f);
    uint8_t bits;
    ck_assert_int_eq(netset_parse_prefix("10.0.0.5", &f->addr[0], &bits), 0);
    ck_assert_int_eq(netset_parse_prefix("192.0.2.40", &f->addr[1], &bits), 0);
    f->port[0] = 50000;
    f->port[1] = 8332;
    f->proto = 6;
    f->flow_id = 77;
    f->app.app_proto = "http";
}

static void alert(const struct mw_flow *f, const struct mw_evidence *ev)
{
    struct eve_alert a = { 0 };
    a.flow = f;
    a.ev = ev;
    a.sid = 8100005;
    a.severity = 1;
    a.miner_dir = MW_DIR_FWD;
    a.ts_us = 1700000000000000ull;
    eve_alert(eve, &a);
}

START_TEST(test_alert_http_object)
{
    struct mw_flow f;
    make_flow(&f);
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_PROTOCOL;
    ev.variant = MW_VAR_GETWORK;
    ev.sides = MW_SIDE_CLIENT | MW_SIDE_SERVER;
    ev.http.seen = 1;
    strcpy(ev.http.method, "POST");
    strcpy(ev.http.hostname, "pool.example.com");
    strcpy(ev.http.url, "/?miner=alice.rig1");
    strcpy(ev.http.user_agent, "cgminer 2.7.2");
    ev.http.status = 200;
    ev.http.has_length = 1;
    ev.http.length = 591;
    alert(&f, &ev);
    char buf[4096];
    ck_assert_ptr_nonnull(http_object(buf, sizeof buf));
    ck_assert_str_eq(buf, "\"http\":{\"hostname\":\"pool.example.com\",\"url\":\"/?miner=alice.rig1\","
                          "\"http_user_agent\":\"cgminer 2.7.2\",\"http_method\":\"POST\",\"status\":200,"
                          "\"length\":591}");
    /* Suricata's order: the alert object, then the protocol object, then ours */
    const char *l = last_line();
    ck_assert_ptr_nonnull(strstr(l, "}},\"http\":{"));
    ck_assert_ptr_nonnull(strstr(l, "},\"mining\":{"));

    /* Before the response: no status, no length; an empty field is left out. A length of
     * 0 that was seen is written. */
    ev.http.status = 0;
    ev.http.has_length = 0;
    ev.http.user_agent[0] = '\0';
    alert(&f, &ev);
    ck_assert_str_eq(http_object(buf, sizeof buf),
                     "\"http\":{\"hostname\":\"pool.example.com\",\"url\":\"/?miner=alice.rig1\","
                     "\"http_method\":\"POST\"}");
    ev.http.status = 204;
    ev.http.has_length = 1;
    ev.http.length = 0;
    alert(&f, &ev);
    ck_assert_ptr_nonnull(strstr(http_object(buf, sizeof buf), "\"status\":204,\"length\":0}"));

    /* Not carried by HTTP: no object at all */
    ev.http.seen = 0;
    alert(&f, &ev);
    ck_assert_ptr_null(http_object(buf, sizeof buf));
}
END_TEST

START_TEST(test_http_strings_escaped_and_cut)
{
    struct mw_flow f;
    make_flow(&f);
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_NAME;
    ev.variant = MW_VAR_HTTP_HOST;
    ev.http.seen = 1;
    strcpy(ev.http.method, "G\"ET");
    strcpy(ev.http.user_agent, "x\x1b[31mred\\ \xff");
    memset(ev.http.url, 'u', sizeof ev.http.url - 1); /* filled: it was cut when copied */
    alert(&f, &ev);
    char buf[4096];
    ck_assert_ptr_nonnull(http_object(buf, sizeof buf));
    ck_assert_ptr_nonnull(strstr(buf, "\"http_method\":\"G\\\"ET\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"http_user_agent\":\"x\\u001b[31mred\\\\ \\\\xff\""));
    ck_assert_ptr_null(strstr(buf, "hostname")); /* not seen: left out */
    char want[MW_EV_URL_LEN + 32];
    memset(want, 'u', MW_EV_URL_LEN - 2);
    snprintf(want + MW_EV_URL_LEN - 2, 32, "[truncated]\"");
    ck_assert_ptr_nonnull(strstr(buf, want));
    ck_assert_ptr_null(strstr(buf, "uuu\"")); /* the cut is marked */
}
END_TEST

START_TEST(test_flow_event_http_object)
{
    struct mw_flow f;
    make_flow(&f);
    f.first_ts_us = 1700000000000000ull;
    f.last_ts_us = f.first_ts_us + 5000000;
    struct mw_http_facts h;
    memset(&h, 0, sizeof h);
    h.seen = 1;
    strcpy(h.method, "CONNECT");
    strcpy(h.url, "btc.viabtc.com:3333");
    strcpy(h.hostname, "btc.viabtc.com");
    h.status = 200;
    eve_flow(eve, &f, MW_DIR_FWD, MW_VAR_HTTP_HOST, NULL, &h, "shutdown", NULL, f.last_ts_us);
    char buf[4096];
    ck_assert_str_eq(http_object(buf, sizeof buf),
                     "\"http\":{\"hostname\":\"btc.viabtc.com\",\"url\":\"btc.viabtc.com:3333\","
                     "\"http_method\":\"CONNECT\",\"status\":200}");
    ck_assert_ptr_nonnull(strstr(last_line(), "\"reason\":\"shutdown\"},\"http\":{"));
    eve_flow(eve, &f, MW_DIR_FWD, MW_VAR_STRATUM1, NULL, NULL, "shutdown", NULL, f.last_ts_us);
    ck_assert_ptr_null(http_object(buf, sizeof buf));
}
END_TEST

/* The flow's record: the first request's fields together, the first response's together. */
START_TEST(test_merge_keeps_request_and_response_whole)
{
    struct mw_http_facts dst, src;
    memset(&dst, 0, sizeof dst);
    memset(&src, 0, sizeof src);
    mw_http_merge(&dst, &src); /* nothing seen: nothing taken */
    ck_assert_uint_eq(dst.seen, 0);

    src.seen = 1;
    strcpy(src.method, "GET");
    strcpy(src.url, "/ws");
    strcpy(src.hostname, "a.example");
    mw_http_merge(&dst, &src);
    ck_assert_str_eq(dst.url, "/ws");
    ck_assert_uint_eq(dst.status, 0);

    /* a later request does not overwrite the first; its response completes the record */
    memset(&src, 0, sizeof src);
    src.seen = 1;
    strcpy(src.method, "POST");
    strcpy(src.url, "/other");
    strcpy(src.user_agent, "ua");
    src.status = 101;
    mw_http_merge(&dst, &src);
    ck_assert_str_eq(dst.method, "GET");
    ck_assert_str_eq(dst.url, "/ws");
    ck_assert_str_eq(dst.user_agent, "");
    ck_assert_uint_eq(dst.status, 101);
    ck_assert_uint_eq(dst.has_length, 0);

    /* a second response's length does not join the first response's status */
    memset(&src, 0, sizeof src);
    src.seen = 1;
    src.status = 200;
    src.has_length = 1;
    src.length = 9;
    mw_http_merge(&dst, &src);
    ck_assert_uint_eq(dst.status, 101);
    ck_assert_uint_eq(dst.has_length, 0);

    /* a record that began with a response (pipelined: its request was another's) takes
     * the request fields when they come */
    struct mw_http_facts r;
    memset(&r, 0, sizeof r);
    mw_http_merge(&r, &src);
    memset(&src, 0, sizeof src);
    src.seen = 1;
    strcpy(src.method, "POST");
    strcpy(src.url, "/");
    strcpy(src.hostname, "h");
    mw_http_merge(&r, &src);
    ck_assert_str_eq(r.url, "/");
    ck_assert_str_eq(r.hostname, "h");
    ck_assert_uint_eq(r.status, 200);
    ck_assert_uint_eq(r.length, 9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eve_http");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_alert_http_object);
    tcase_add_test(tc, test_http_strings_escaped_and_cut);
    tcase_add_test(tc, test_flow_event_http_object);
    tcase_add_test(tc, test_merge_keeps_request_and_response_whole);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
