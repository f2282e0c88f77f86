/* test_netset_dnslearn.c - configuration prefix sets and the DNS-learned address table. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/detect/dnslearn.h"
#include "sensor/detect/netset.h"
#include "unit/check_main.h"

static struct mw_addr addr(const char *text)
{
    struct mw_addr a;
    uint8_t bits;
    ck_assert_int_eq(netset_parse_prefix(text, &a, &bits), 0);
    return a;
}

START_TEST(test_netset_prefixes)
{
    struct netset s;
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(netset_add(&s, "10.0.0.0/8"), 0);
    ck_assert_int_eq(netset_add(&s, "192.168.1.7"), 0);
    ck_assert_int_eq(netset_add(&s, "fc00::/7"), 0);
    ck_assert_int_eq(netset_add(&s, "172.16.5.9/12"), 0); /* host bits cleared */
    struct mw_addr a = addr("10.255.1.2");
    ck_assert(netset_contains(&s, &a));
    a = addr("11.0.0.1");
    ck_assert(!netset_contains(&s, &a));
    a = addr("192.168.1.7");
    ck_assert(netset_contains(&s, &a));
    a = addr("192.168.1.8");
    ck_assert(!netset_contains(&s, &a));
    a = addr("fd12::1");
    ck_assert(netset_contains(&s, &a));
    a = addr("fe80::1");
    ck_assert(!netset_contains(&s, &a));
    a = addr("172.31.255.255");
    ck_assert(netset_contains(&s, &a));
    a = addr("172.32.0.0");
    ck_assert(!netset_contains(&s, &a));
    /* An IPv4 prefix never matches an IPv6 address that merely shares bytes. */
    a = addr("::a00:1");
    ck_assert(!netset_contains(&s, &a));
}
END_TEST

START_TEST(test_netset_rejects_malformed)
{
    struct netset s;
    memset(&s, 0, sizeof s);
    const char *bad[] = { "", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::/129", "host.example", "1.2.3.4/-1",
                          "1.2.3.4/8x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(netset_add(&s, bad[i]) != 0, "accepted %s", bad[i]);
    ck_assert_uint_eq(s.n, 0);
    for (int i = 0; i < NETSET_MAX; i++)
        ck_assert_int_eq(netset_add(&s, "10.0.0.0/8"), 0);
    ck_assert_int_eq(netset_add(&s, "10.0.0.0/8"), -1);
}
END_TEST

START_TEST(test_dnslearn_ttl_clamp)
{
    struct dnslearn_params p = { 64, 300, 3600 };
    struct dnslearn *t = dnslearn_new(&p);
    struct mw_addr a = addr("198.51.100.7");
    char name[64];
    dnslearn_add(t, &a, "xmr.pool.example", 5, 1000000); /* TTL 5 s stretched to 300 s */
    ck_assert(dnslearn_lookup(t, &a, 1000000 + 200ull * 1000000u, name, sizeof name));
    ck_assert_str_eq(name, "xmr.pool.example");
    ck_assert(!dnslearn_lookup(t, &a, 1000000 + 301ull * 1000000u, name, sizeof name));
    dnslearn_add(t, &a, "xmr.pool.example", 999999, 1000000); /* cut to 3600 s */
    ck_assert(dnslearn_lookup(t, &a, 1000000 + 3599ull * 1000000u, name, sizeof name));
    ck_assert(!dnslearn_lookup(t, &a, 1000000 + 3601ull * 1000000u, name, sizeof name));
    struct mw_addr other = addr("198.51.100.8");
    ck_assert(!dnslearn_lookup(t, &other, 1000000, name, sizeof name));
    dnslearn_free(t);
}
END_TEST

START_TEST(test_dnslearn_bounded)
{
    struct dnslearn_params p = { 64, 300, 3600 };
    struct dnslearn *t = dnslearn_new(&p);
    size_t mem = dnslearn_memuse(t);
    char text[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(text, sizeof text, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        struct mw_addr a = addr(text);
        dnslearn_add(t, &a, "pool.example", 600, 1000000 + (uint64_t)i);
    }
    ck_assert_uint_eq(dnslearn_memuse(t), mem);
    /* The newest answers are still there. */
    struct mw_addr last = addr("10.1.134.159"); /* i = 99999 */
    char name[64];
    ck_assert(dnslearn_lookup(t, &last, 2000000, name, sizeof name));
    /* A long name is truncated, not overflowed. */
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    dnslearn_add(t, &last, longname, 600, 3000000);
    ck_assert(dnslearn_lookup(t, &last, 3000000, name, sizeof name));
    ck_assert_uint_eq(strlen(name), sizeof name - 1);
    dnslearn_free(t);
}
END_TEST


/* One table for every worker: a writer keeps rewriting a small table (every add replaces
 * another address of the same bucket) while a reader looks addresses up. A lookup may miss,
 * but a name it returns is always the one learned for that address, never a torn mix. */
#define SHARED_ADDRS 256
static struct dnslearn *shared_t;
static volatile int shared_done;

static void shared_name(int i, char *out, size_t n)
{
    snprintf(out, n, "pool-%d.%0*d.example", i, 40 + i % 50, i);
}

static void *shared_writer(void *arg)
{
    (void)arg;
    char text[32], name[128];
    for (int round = 0; round < 400; round++)
        for (int i = 0; i < SHARED_ADDRS; i++) {
            snprintf(text, sizeof text, "10.30.%d.%d", i >> 8, i & 255);
            struct mw_addr a = addr(text);
            shared_name(i, name, sizeof name);
            dnslearn_add(shared_t, &a, name, 600, 1000000 + (uint64_t)round);
        }
    __atomic_store_n(&shared_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

START_TEST(test_dnslearn_shared_reader_never_torn)
{
    struct dnslearn_params p = { 64, 300, 3600 };
    shared_t = dnslearn_new(&p);
    shared_done = 0;
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, shared_writer, NULL), 0);
    char text[32], name[128], want[128];
    struct mw_addr as[SHARED_ADDRS];
    for (int i = 0; i < SHARED_ADDRS; i++) {
        snprintf(text, sizeof text, "10.30.%d.%d", i >> 8, i & 255);
        as[i] = addr(text);
    }
    unsigned long hits = 0, lookups = 0;
    while (!__atomic_load_n(&shared_done, __ATOMIC_ACQUIRE) || lookups < 100000) {
        int i = (int)(lookups++ % SHARED_ADDRS);
        if (dnslearn_lookup(shared_t, &as[i], 2000000, name, sizeof name)) {
            shared_name(i, want, sizeof want);
            ck_assert_str_eq(name, want);
            hits++;
        }
    }
    pthread_join(th, NULL);
    ck_assert_uint_gt(hits, 0);
    dnslearn_free(shared_t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("netset_dnslearn");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_netset_prefixes);
    tcase_add_test(tc, test_netset_rejects_malformed);
    tcase_add_test(tc, test_dnslearn_ttl_clamp);
    tcase_add_test(tc, test_dnslearn_bounded);
    tcase_add_test(tc, test_dnslearn_shared_reader_never_torn);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
