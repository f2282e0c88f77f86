/* test_community_id.c - Community ID v1 against the specification's baseline data.
 *
 * Vectors: corelight/community-id-spec, baseline/baseline_deflt.json (seed 0) and
 * baseline/baseline_seed1.json (seed 1), commit c4ec2bc40d65ddbcbdd642582bf5609797a80772.
 * The baseline lists ICMP flows with the type in sport and the mapped "port" in dport;
 * we pass type and code as the sensor does (code 0 where the baseline shows a mapped
 * partner type, which the mapping then supplies).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/eve/community_id.h"
#include "unit/check_main.h"

struct vec {
    uint8_t proto;
    const char *saddr, *daddr;
    uint16_t sport, dport;
    const char *seed0, *seed1;
};

static const struct vec vecs[] = {
    { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0,
      "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
    { 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0,
      "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
    { 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 0,
      "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
    { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 0,
      "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
    /* destination unreachable, code 0: one-way */
    { 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
      "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
    /* destination unreachable, code 4: one-way */
    { 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
      "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
    { 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 0,
      "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
    { 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0,
      "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
    { 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0,
      "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
    { 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 0,
      "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
    { 1, "192.168.0.89", "192.168.0.1", 8, 0,
      "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
    { 1, "192.168.0.1", "192.168.0.89", 0, 0,
      "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
    /* time exceeded: one-way */
    { 1, "10.0.0.1", "10.0.0.2", 11, 0,
      "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
    { 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
      "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
    { 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
      "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
    { 132, "192.168.170.8", "192.168.170.56", 7, 7,
      "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
    { 132, "192.168.170.56", "192.168.170.8", 7, 7,
      "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
    { 6, "128.232.110.120", "66.35.250.204", 34855, 80,
      "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
    { 6, "66.35.250.204", "128.232.110.120", 80, 34855,
      "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
    { 17, "192.168.1.52", "8.8.8.8", 54585, 53,
      "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
    { 17, "8.8.8.8", "192.168.1.52", 53, 54585,
      "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
    /* RSVP: no ports in the hash (the ports passed here must be ignored) */
    { 46, "10.1.12.1", "10.1.12.2", 1234, 80,
      "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
    { 46, "10.1.12.2", "10.1.12.1", 0, 0,
      "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

static void parse_addr(const char *s, struct mw_addr *a)
{
    uint8_t v4[4];
    if (inet_pton(AF_INET, s, v4) == 1) {
        mw_addr_from_v4(a, v4);
        return;
    }
    ck_assert_int_eq(inet_pton(AF_INET6, s, a->b), 1);
}

START_TEST(test_spec_baseline)
{
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        const struct vec *v = &vecs[i];
        struct mw_addr s, d;
        parse_addr(v->saddr, &s);
        parse_addr(v->daddr, &d);
        char out[COMMUNITY_ID_LEN];
        ck_assert_int_eq(community_id_v1(0, &s, &d, v->proto, v->sport, v->dport, out), 0);
        ck_assert_msg(strcmp(out, v->seed0) == 0, "vector %zu seed 0: %s != %s", i, out, v->seed0);
        ck_assert_int_eq(community_id_v1(1, &s, &d, v->proto, v->sport, v->dport, out), 0);
        ck_assert_msg(strcmp(out, v->seed1) == 0, "vector %zu seed 1: %s != %s", i, out, v->seed1);
    }
}
END_TEST

/* The spec's README: 10.0.0.1:1234 -> 127.0.0.1:80 and its reverse give one id; equal
 * addresses are ordered by port. */
START_TEST(test_ordering)
{
    struct mw_addr a, b;
    parse_addr("10.0.0.1", &a);
    parse_addr("127.0.0.1", &b);
    char x[COMMUNITY_ID_LEN], y[COMMUNITY_ID_LEN];
    community_id_v1(0, &a, &b, 6, 1234, 80, x);
    community_id_v1(0, &b, &a, 6, 80, 1234, y);
    ck_assert_str_eq(x, y);
    ck_assert_uint_eq(strlen(x), 30);
    community_id_v1(0, &a, &a, 17, 1000, 2000, x);
    community_id_v1(0, &a, &a, 17, 2000, 1000, y);
    ck_assert_str_eq(x, y);
    /* One-way ICMP is not reordered: the two directions differ. */
    community_id_v1(0, &a, &b, 1, 3, 1, x);
    community_id_v1(0, &b, &a, 1, 3, 1, y);
    ck_assert_str_ne(x, y);
}
END_TEST

START_TEST(test_mixed_families_rejected)
{
    struct mw_addr a, b;
    parse_addr("10.0.0.1", &a);
    parse_addr("2001:db8::1", &b);
    char out[COMMUNITY_ID_LEN] = "x";
    ck_assert_int_eq(community_id_v1(0, &a, &b, 6, 1, 2, out), -1);
    ck_assert_str_eq(out, "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("community_id");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_spec_baseline);
    tcase_add_test(tc, test_ordering);
    tcase_add_test(tc, test_mixed_families_rejected);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
