/* test_geoip.c - GeoIP/ASN enrichment over databases built at test time and MaxMind's test files. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sensor/detect/geoip.h"
#include "unit/check_main.h"

static char tmpdir[256];
static char city_db[300], asn_db[300], rand_db[300], empty_db[300], trunc_db[300];
static char far_db[300], loop_db[300];
static const char *shared_dir;

/* A City-like database: names in two languages, overlapping networks, odd records. */
static const char city_json[] =
    "{\"database_type\": \"minewatch-Test-City\", \"languages\": [\"de\", \"en\"],\n"
    " \"description\": {\"en\": \"minewatch geoip unit test\"},\n"
    " \"networks\": [\n"
    "  {\"network\": \"81.2.69.0/24\", \"data\": {\"country\": {\"iso_code\": \"GB\", \"names\": {\"en\": \"United Kingdom\"}},\n"
    "     \"city\": {\"names\": {\"de\": \"London (de)\", \"en\": \"London\"}}}},\n"
    /* More specific: a city name longer than the field, made of 2-byte characters. */
    "  {\"network\": \"81.2.69.160/27\", \"data\": {\"country\": {\"iso_code\": \"GB\"},\n"
    "     \"city\": {\"names\": {\"en\": \"X\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}}}},\n"
    "  {\"network\": \"89.160.20.112/28\", \"data\": {\"country\": {\"iso_code\": \"SE\"},\n"
    "     \"city\": {\"names\": {\"en\": \"Link\\u00f6ping\"}}}},\n"
    "  {\"network\": \"2a02:ff00::/32\", \"data\": {\"country\": {\"iso_code\": \"DE\"},\n"
    "     \"city\": {\"names\": {\"en\": \"Berlin\"}}}},\n"
    /* Only the registration country (anycast-like). */
    "  {\"network\": \"202.196.224.0/20\", \"data\": {\"registered_country\": {\"iso_code\": \"PH\"}}},\n"
    /* Not an ISO alpha-2 code: must not be reported. */
    "  {\"network\": \"1.2.3.0/24\", \"data\": {\"country\": {\"iso_code\": \"gbr\"}}},\n"
    /* city is a string, not a map: the path does not match, country still read. */
    "  {\"network\": \"5.5.5.0/24\", \"data\": {\"country\": {\"iso_code\": \"FR\"}, \"city\": \"Paris\"}},\n"
    /* Reserved ranges that a careless database might still cover. */
    "  {\"network\": \"10.0.0.0/8\", \"data\": {\"country\": {\"iso_code\": \"ZZ\"}}},\n"
    "  {\"network\": \"2001:db8::/32\", \"data\": {\"country\": {\"iso_code\": \"ZZ\"}}},\n"
    "  {\"network\": \"fc00::/7\", \"data\": {\"country\": {\"iso_code\": \"ZZ\"}}}\n"
    " ]}\n";

static const char asn_json[] =
    "{\"database_type\": \"minewatch-Test-ASN\",\n"
    " \"networks\": [\n"
    "  {\"network\": \"1.128.0.0/11\", \"data\": {\"autonomous_system_number\": 1221,\n"
    "     \"autonomous_system_organization\": \"Telstra Pty Ltd\"}},\n"
    "  {\"network\": \"81.2.69.0/24\", \"data\": {\"autonomous_system_number\": 20712,\n"
    "     \"autonomous_system_organization\": \"Andrews & Arnold Ltd\"}},\n"
    "  {\"network\": \"2a02:ff00::/32\", \"data\": {\"autonomous_system_number\": 64512,\n"
    "     \"autonomous_system_organization\": \"Example \\\"quoted\\\" GmbH\"}},\n"
    "  {\"network\": \"12.81.92.0/22\", \"data\": {\"autonomous_system_number\": 7018}},\n"
    "  {\"network\": \"23.0.0.0/8\", \"data\": {\"autonomous_system_number\": 65001,\n"
    "     \"autonomous_system_organization\": \"Evil\\u0000Org\"}}\n"
    " ]}\n";

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

static int build_db(const char *src_dir, const char *json, const char *name, char *out, size_t outlen)
{
    char jpath[300], cmd[1200];
    snprintf(jpath, sizeof jpath, "%s/%s.json", tmpdir, name);
    snprintf(out, outlen, "%s/%s.mmdb", tmpdir, name);
    if (write_file(jpath, json, strlen(json)) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/tools/mkmmdb.py' -o '%s' '%s'", src_dir, out, jpath);
    return system(cmd) == 0 ? 0 : -1;
}

static struct mw_addr A(const char *s)
{
    struct mw_addr a;
    uint8_t v4[4];
    if (inet_pton(AF_INET, s, v4) == 1) {
        mw_addr_from_v4(&a, v4);
        return a;
    }
    ck_assert_msg(inet_pton(AF_INET6, s, a.b) == 1, "bad test address %s", s);
    return a;
}

struct counters {
    uint64_t lookups, cache_hits, found, reserved, errors;
    int names;
};

static void counter_cb(void *u, const char *name, uint64_t v)
{
    struct counters *c = u;
    c->names++;
    if (!strcmp(name, "geoip.lookups"))
        c->lookups = v;
    else if (!strcmp(name, "geoip.cache_hits"))
        c->cache_hits = v;
    else if (!strcmp(name, "geoip.found"))
        c->found = v;
    else if (!strcmp(name, "geoip.reserved"))
        c->reserved = v;
    else if (!strcmp(name, "geoip.errors"))
        c->errors = v;
}

static struct counters stats(const struct geoip *g)
{
    struct counters c;
    memset(&c, 0, sizeof c);
    geoip_stats_foreach(g, counter_cb, &c);
    return c;
}

static struct geoip *open3(const char *country, const char *city, const char *asn, uint32_t cache)
{
    struct geoip_params p = { country, city, asn, cache };
    char err[512];
    struct geoip *g = geoip_open(&p, err, sizeof err);
    ck_assert_msg(g != NULL, "geoip_open failed: %s", err);
    return g;
}

static int look(struct geoip *g, const char *addr, struct geoip_result *r)
{
    struct mw_addr a = A(addr);
    int rc = geoip_lookup(g, &a, r);
    ck_assert_int_eq(rc, r->found);
    return rc;
}

/* Valid UTF-8 and no NUL before the terminator. */
static int utf8_ok(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    while (*p) {
        int extra = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
        if (extra < 0)
            return 0;
        p++;
        for (int i = 0; i < extra; i++, p++)
            if ((*p & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

/* ---- our own databases ----------------------------------------------------------- */

START_TEST(test_city_asn_v4)
{
    struct geoip *g = open3(NULL, city_db, asn_db, 0);
    struct geoip_result r;
    ck_assert(geoip_enabled(g));
    ck_assert_int_eq(look(g, "81.2.69.142", &r), 1);
    ck_assert_str_eq(r.country, "GB");
    ck_assert_str_eq(r.city, "London"); /* the English name, not the first one */
    ck_assert_uint_eq(r.asn, 20712);
    ck_assert_str_eq(r.as_org, "Andrews & Arnold Ltd");

    ck_assert_int_eq(look(g, "89.160.20.120", &r), 1);
    ck_assert_str_eq(r.country, "SE");
    ck_assert_str_eq(r.city, "Link\xc3\xb6ping");
    ck_assert_uint_eq(r.asn, 0);
    ck_assert_str_eq(r.as_org, "");

    /* ASN only: outside every City network. */
    ck_assert_int_eq(look(g, "1.130.1.1", &r), 1);
    ck_assert_str_eq(r.country, "");
    ck_assert_str_eq(r.city, "");
    ck_assert_uint_eq(r.asn, 1221);
    ck_assert_str_eq(r.as_org, "Telstra Pty Ltd");
    ck_assert_int_eq(look(g, "1.128.0.0", &r), 1);
    ck_assert_uint_eq(r.asn, 1221);
    ck_assert_int_eq(look(g, "1.159.255.255", &r), 1);
    ck_assert_uint_eq(r.asn, 1221);
    ck_assert_int_eq(look(g, "1.160.0.0", &r), 0); /* just past 1.128.0.0/11 */
    ck_assert_int_eq(look(g, "1.127.255.255", &r), 0);

    /* ASN without an organisation. */
    ck_assert_int_eq(look(g, "12.81.93.1", &r), 1);
    ck_assert_uint_eq(r.asn, 7018);
    ck_assert_str_eq(r.as_org, "");

    /* Outside everything. */
    ck_assert_int_eq(look(g, "81.2.70.1", &r), 0);
    ck_assert_str_eq(r.country, "");
    ck_assert_str_eq(r.city, "");
    ck_assert_uint_eq(r.asn, 0);
    ck_assert_str_eq(r.as_org, "");
    ck_assert_int_eq(look(g, "8.8.8.8", &r), 0);

    struct counters c = stats(g);
    ck_assert_int_eq(c.names, 5);
    ck_assert_uint_eq(c.errors, 0);
    geoip_close(g);
}
END_TEST

START_TEST(test_v6_and_mapped_forms)
{
    struct geoip *g = open3(NULL, city_db, asn_db, 0);
    struct geoip_result r;
    ck_assert_int_eq(look(g, "2a02:ff00::1", &r), 1);
    ck_assert_str_eq(r.country, "DE");
    ck_assert_str_eq(r.city, "Berlin");
    ck_assert_uint_eq(r.asn, 64512);
    ck_assert_str_eq(r.as_org, "Example \"quoted\" GmbH");
    ck_assert_int_eq(look(g, "2a02:ff00:ffff:ffff:ffff:ffff:ffff:ffff", &r), 1);
    ck_assert_int_eq(look(g, "2a02:ff01::1", &r), 0);
    ck_assert_int_eq(look(g, "2a03::1", &r), 0);
    /* NAT64 (RFC 6052 well-known prefix) embeds an IPv4 address: looked up as IPv4. */
    ck_assert_int_eq(look(g, "64:ff9b::5102:458e", &r), 1);
    ck_assert_str_eq(r.country, "GB");
    ck_assert_uint_eq(r.asn, 20712);
    /* An IPv6 address whose low 32 bits look like a covered IPv4 one is not IPv4. */
    ck_assert_int_eq(look(g, "2a03::5102:458e", &r), 0);
    geoip_close(g);
}
END_TEST

START_TEST(test_reserved_skipped)
{
    static const char *const reserved[] = {
        "10.1.2.3", "127.0.0.1", "0.1.2.3", "100.64.0.1", "169.254.1.1", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "192.0.2.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1",
        "255.255.255.255", "::", "::1", "::10.1.2.3", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
        "2001:db8::1", "3fff::1", "64:ff9b::a01:203",
    };
    struct geoip *g = open3(NULL, city_db, asn_db, 0);
    struct geoip_result r;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        ck_assert_msg(look(g, reserved[i], &r) == 0, "%s was looked up", reserved[i]);
        ck_assert_str_eq(r.country, "");
    }
    struct counters c = stats(g);
    ck_assert_uint_eq(c.reserved, sizeof reserved / sizeof reserved[0]);
    ck_assert_uint_eq(c.lookups, sizeof reserved / sizeof reserved[0]);
    ck_assert_uint_eq(c.found, 0);
    /* Neighbours of the private ranges are public. */
    ck_assert_int_eq(look(g, "172.32.0.1", &r), 0);
    ck_assert_int_eq(look(g, "11.0.0.1", &r), 0);
    c = stats(g);
    ck_assert_uint_eq(c.reserved, sizeof reserved / sizeof reserved[0]);
    geoip_close(g);
}
END_TEST

START_TEST(test_odd_records)
{
    struct geoip *g = open3(NULL, city_db, asn_db, 0);
    struct geoip_result r;
    /* Registration country when the located one is absent. */
    ck_assert_int_eq(look(g, "202.196.224.1", &r), 1);
    ck_assert_str_eq(r.country, "PH");
    /* "gbr" is not an ISO alpha-2 code: nothing reported. */
    ck_assert_int_eq(look(g, "1.2.3.4", &r), 0);
    ck_assert_str_eq(r.country, "");
    /* city of the wrong shape: absent, not an error. */
    ck_assert_int_eq(look(g, "5.5.5.5", &r), 1);
    ck_assert_str_eq(r.country, "FR");
    ck_assert_str_eq(r.city, "");
    ck_assert_uint_eq(stats(g).errors, 0);
    /* An organisation with a NUL inside stops there. */
    ck_assert_int_eq(look(g, "23.1.2.3", &r), 1);
    ck_assert_uint_eq(r.asn, 65001);
    ck_assert_str_eq(r.as_org, "Evil");
    /* A city name longer than the field: cut, terminated, still valid UTF-8. */
    ck_assert_int_eq(look(g, "81.2.69.170", &r), 1);
    ck_assert_uint_le(strlen(r.city), sizeof r.city - 1);
    ck_assert_uint_ge(strlen(r.city), sizeof r.city - 2);
    ck_assert(utf8_ok(r.city));
    ck_assert_int_eq(r.city[0], 'X');
    ck_assert_int_eq(memcmp(r.city + 1, "\xc3\xa9\xc3\xa9", 4), 0);
    ck_assert_uint_eq(r.asn, 20712); /* the ASN DB has only the /24 */
    geoip_close(g);
}
END_TEST

START_TEST(test_cache)
{
    struct geoip *g = open3(NULL, city_db, asn_db, 0);
    struct geoip_result r1, r2;
    ck_assert_int_eq(look(g, "81.2.69.142", &r1), 1);
    ck_assert_int_eq(look(g, "81.2.69.142", &r2), 1);
    ck_assert_int_eq(memcmp(&r1, &r2, sizeof r1), 0);
    struct counters c = stats(g);
    ck_assert_uint_eq(c.lookups, 2);
    ck_assert_uint_eq(c.cache_hits, 1);
    ck_assert_uint_eq(c.found, 2);
    /* A negative answer is cached too and stays negative. */
    ck_assert_int_eq(look(g, "8.8.4.4", &r1), 0);
    ck_assert_int_eq(look(g, "8.8.4.4", &r2), 0);
    ck_assert_int_eq(memcmp(&r1, &r2, sizeof r1), 0);
    c = stats(g);
    ck_assert_uint_eq(c.cache_hits, 2);
    ck_assert_uint_eq(c.found, 2);
    geoip_close(g);
}
END_TEST

/* With one pair of slots, cycling through five addresses evicts every time (least
 * recently used goes): answers must stay right. */
START_TEST(test_cache_collisions)
{
    static const struct { const char *addr; const char *cc; uint32_t asn; } q[] = {
        { "81.2.69.142", "GB", 20712 }, { "2a02:ff00::5", "DE", 64512 }, { "1.130.0.1", "", 1221 },
        { "89.160.20.113", "SE", 0 },   { "8.8.8.8", "", 0 },
    };
    struct geoip *g = open3(NULL, city_db, asn_db, 1);
    struct geoip_result r;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
            look(g, q[i].addr, &r);
            ck_assert_str_eq(r.country, q[i].cc);
            ck_assert_uint_eq(r.asn, q[i].asn);
        }
    ck_assert_uint_eq(stats(g).cache_hits, 0);
    /* Same address twice in a row hits. */
    look(g, "8.8.8.8", &r);
    ck_assert_uint_eq(stats(g).cache_hits, 1);
    /* Two addresses alternating both stay in the pair. */
    for (int i = 0; i < 10; i++) {
        look(g, i % 2 ? "81.2.69.142" : "2a02:ff00::5", &r);
        ck_assert_str_eq(r.country, i % 2 ? "GB" : "DE");
    }
    ck_assert_uint_eq(stats(g).cache_hits, 1 + 8);
    /* A third one evicts the least recently used (2a02:ff00::5), not the other. */
    look(g, "1.130.0.1", &r);
    look(g, "81.2.69.142", &r);
    ck_assert_uint_eq(stats(g).cache_hits, 1 + 8 + 1);
    look(g, "2a02:ff00::5", &r);
    ck_assert_uint_eq(stats(g).cache_hits, 1 + 8 + 1);
    ck_assert_str_eq(r.country, "DE");
    geoip_close(g);

    /* A large cache holds all of them: the second round is all hits. */
    g = open3(NULL, city_db, asn_db, 1u << 30); /* capped, not allocated as asked */
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
            look(g, q[i].addr, &r);
            ck_assert_str_eq(r.country, q[i].cc);
        }
    ck_assert_uint_eq(stats(g).cache_hits, sizeof q / sizeof q[0]);
    geoip_close(g);
}
END_TEST

START_TEST(test_single_databases)
{
    struct geoip_result r;
    /* ASN only. */
    struct geoip *g = open3("", "", asn_db, 0);
    ck_assert_int_eq(look(g, "81.2.69.142", &r), 1);
    ck_assert_str_eq(r.country, "");
    ck_assert_uint_eq(r.asn, 20712);
    geoip_close(g);
    /* A City-shaped file configured as the country database gives the country only. */
    g = open3(city_db, NULL, NULL, 0);
    ck_assert_int_eq(look(g, "81.2.69.142", &r), 1);
    ck_assert_str_eq(r.country, "GB");
    ck_assert_str_eq(r.city, "");
    geoip_close(g);
}
END_TEST

START_TEST(test_missing_and_empty)
{
    struct geoip_result r;
    char path[400];
    snprintf(path, sizeof path, "%s/does-not-exist.mmdb", tmpdir);
    /* One missing, one present: works with what is there. */
    struct geoip *g = open3(path, city_db, "/nonexistent-dir/asn.mmdb", 0);
    ck_assert(geoip_enabled(g));
    ck_assert_int_eq(look(g, "81.2.69.142", &r), 1);
    ck_assert_str_eq(r.country, "GB");
    ck_assert_uint_eq(r.asn, 0);
    geoip_close(g);
    /* All missing: a usable object that finds nothing. */
    g = open3(path, path, path, 0);
    ck_assert(!geoip_enabled(g));
    ck_assert_int_eq(look(g, "81.2.69.142", &r), 0);
    ck_assert_uint_eq(stats(g).lookups, 1);
    geoip_close(g);
    /* Nothing configured. */
    g = open3(NULL, "", NULL, 0);
    ck_assert(!geoip_enabled(g));
    ck_assert_int_eq(look(g, "1.130.1.1", &r), 0);
    geoip_close(g);
    char err[256];
    g = geoip_open(NULL, err, sizeof err);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(look(g, "1.130.1.1", &r), 0);
    geoip_close(g);
    geoip_close(NULL);
}
END_TEST

static void expect_open_error(const char *country, const char *city, const char *asn, const char *key,
                              const char *path)
{
    struct geoip_params p = { country, city, asn, 0 };
    char err[512];
    memset(err, 'x', sizeof err);
    struct geoip *g = geoip_open(&p, err, sizeof err);
    ck_assert_msg(g == NULL, "%s opened", path);
    ck_assert_msg(strstr(err, key) != NULL, "error does not name %s: %s", key, err);
    ck_assert_msg(strstr(err, path) != NULL, "error does not name %s: %s", path, err);
}

START_TEST(test_bad_files)
{
    expect_open_error(NULL, rand_db, NULL, "geoip.city-database", rand_db);
    expect_open_error(rand_db, NULL, NULL, "geoip.country-database", rand_db);
    expect_open_error(NULL, NULL, empty_db, "geoip.asn-database", empty_db);
    expect_open_error(NULL, city_db, trunc_db, "geoip.asn-database", trunc_db);
    /* Metadata fine, search tree corrupt: libmaxminddb opens these, we must not. */
    expect_open_error(NULL, NULL, far_db, "geoip.asn-database", far_db);
    expect_open_error(NULL, NULL, loop_db, "geoip.asn-database", loop_db);
    /* Refused again on a second open (a failed check is not remembered as passed). */
    expect_open_error(NULL, NULL, loop_db, "geoip.asn-database", loop_db);
    /* A directory exists but is not a database. */
    expect_open_error(NULL, NULL, tmpdir, "geoip.asn-database", tmpdir);
}
END_TEST

/* ---- MaxMind's test databases (../shared) ------------------------------------------- */

static void shared_path(char *out, size_t outlen, const char *name)
{
    snprintf(out, outlen, "%s/geoip/%s", shared_dir, name);
}

START_TEST(test_shared_good)
{
    char city[512], lite[512], country[512], asn[512];
    struct geoip_result r;
    shared_path(city, sizeof city, "GeoIP2-City-Test.mmdb");
    shared_path(lite, sizeof lite, "GeoLite2-City-Test.mmdb");
    shared_path(country, sizeof country, "GeoLite2-Country-Test.mmdb");
    shared_path(asn, sizeof asn, "GeoLite2-ASN-Test.mmdb");

    struct geoip *g = open3(NULL, city, asn, 0);
    ck_assert_int_eq(look(g, "81.2.69.142", &r), 1);
    ck_assert_str_eq(r.country, "GB");
    ck_assert_str_eq(r.city, "London");
    ck_assert_int_eq(look(g, "1.128.0.0", &r), 1);
    ck_assert_uint_eq(r.asn, 1221);
    ck_assert_str_eq(r.as_org, "Telstra Pty Ltd");
    ck_assert_int_eq(look(g, "12.81.92.1", &r), 1);
    ck_assert_uint_eq(r.asn, 7018);
    ck_assert_str_eq(r.as_org, "AT&T Services");
    ck_assert_int_eq(look(g, "2600:6000::1", &r), 1);
    ck_assert_uint_eq(r.asn, 237);
    ck_assert_str_eq(r.as_org, "Merit Network Inc.");
    ck_assert_uint_eq(stats(g).errors, 0);
    geoip_close(g);

    g = open3(country, lite, NULL, 0);
    ck_assert_int_eq(look(g, "2a02:cf40::1", &r), 1);
    ck_assert_str_eq(r.country, "NO");
    ck_assert_int_eq(look(g, "81.2.69.160", &r), 1);
    ck_assert_str_eq(r.country, "GB");
    ck_assert_str_eq(r.city, "London");
    ck_assert_int_eq(look(g, "2001:218::1", &r), 1);
    ck_assert_str_eq(r.country, "JP");
    ck_assert_uint_eq(stats(g).errors, 0);
    geoip_close(g);
}
END_TEST

START_TEST(test_shared_broken)
{
    static const char *const broken[] = {
        "MaxMind-DB-test-broken-pointers-24.mmdb",
        "MaxMind-DB-test-broken-search-tree-24.mmdb",
        "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
    };
    char path[512], good[512];
    shared_path(good, sizeof good, "GeoLite2-ASN-Test.mmdb");
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        shared_path(path, sizeof path, broken[i]);
        expect_open_error(NULL, path, good, "geoip.city-database", path);
        expect_open_error(path, NULL, NULL, "geoip.country-database", path);
    }
}
END_TEST

/* ---- setup ---------------------------------------------------------------------- */

static int make_fixtures(void)
{
    const char *src = getenv("MW_SOURCE_DIR");
    const char *base = getenv("TMPDIR");
    if (!src) {
        fprintf(stderr, "test_geoip: MW_SOURCE_DIR not set, cannot find tests/tools/mkmmdb.py\n");
        return -1;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/mw-geoip-XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    if (build_db(src, city_json, "city", city_db, sizeof city_db) != 0 ||
        build_db(src, asn_json, "asn", asn_db, sizeof asn_db) != 0) {
        fprintf(stderr, "test_geoip: building test databases with python3 failed\n");
        return -1;
    }
    /* Random bytes (fixed seed): no metadata marker, so not a database. */
    uint8_t junk[4096];
    uint32_t x = 0x12345678;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (uint8_t)(x >> 16);
    }
    snprintf(rand_db, sizeof rand_db, "%s/random.mmdb", tmpdir);
    snprintf(empty_db, sizeof empty_db, "%s/empty.mmdb", tmpdir);
    snprintf(trunc_db, sizeof trunc_db, "%s/truncated.mmdb", tmpdir);
    if (write_file(rand_db, junk, sizeof junk) != 0 || write_file(empty_db, "", 0) != 0)
        return -1;
    /* The ASN database without its metadata tail. */
    FILE *f = fopen(asn_db, "rb");
    if (!f)
        return -1;
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n < 64 || write_file(trunc_db, buf, n - 40) != 0)
        return -1;
    /* Node 0's left record (the first 3 bytes, record size 24) pointing far past the data
     * section, then at node 0 itself (a loop: every lookup under ::/1 would run out of bits). */
    snprintf(far_db, sizeof far_db, "%s/far.mmdb", tmpdir);
    snprintf(loop_db, sizeof loop_db, "%s/loop.mmdb", tmpdir);
    memset(buf, 0xff, 3);
    if (write_file(far_db, buf, n) != 0)
        return -1;
    memset(buf, 0, 3);
    if (write_file(loop_db, buf, n) != 0)
        return -1;
    return 0;
}

static void remove_fixtures(void)
{
    const char *names[] = { "city.json", "asn.json", "city.mmdb", "asn.mmdb", "random.mmdb", "empty.mmdb",
                            "truncated.mmdb", "far.mmdb", "loop.mmdb" };
    char p[400];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

int main(void)
{
    int have_own = make_fixtures() == 0;
    struct stat st;
    char probe[512];

    shared_dir = getenv("MW_SHARED_DIR");
    if (shared_dir) {
        shared_path(probe, sizeof probe, "GeoIP2-City-Test.mmdb");
        if (stat(probe, &st) != 0)
            shared_dir = NULL;
    }
    if (!shared_dir)
        fprintf(stderr, "test_geoip: MaxMind test databases not found under $MW_SHARED_DIR/geoip; "
                        "those tests are skipped\n");
    if (!have_own && !shared_dir) {
        fprintf(stderr, "test_geoip: no database to test with (python3 and ../shared both unavailable)\n");
        if (tmpdir[0])
            remove_fixtures();
        return 77;
    }

    Suite *s = suite_create("geoip");
    if (have_own) {
        TCase *tc = tcase_create("own");
        tcase_add_test(tc, test_city_asn_v4);
        tcase_add_test(tc, test_v6_and_mapped_forms);
        tcase_add_test(tc, test_reserved_skipped);
        tcase_add_test(tc, test_odd_records);
        tcase_add_test(tc, test_cache);
        tcase_add_test(tc, test_cache_collisions);
        tcase_add_test(tc, test_single_databases);
        tcase_add_test(tc, test_missing_and_empty);
        tcase_add_test(tc, test_bad_files);
        suite_add_tcase(s, tc);
    }
    if (shared_dir) {
        TCase *tc = tcase_create("maxmind");
        tcase_add_test(tc, test_shared_good);
        tcase_add_test(tc, test_shared_broken);
        suite_add_tcase(s, tc);
    }
    int rc = mw_check_run(s);
    remove_fixtures();
    return rc;
}
