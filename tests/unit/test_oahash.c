/* test_oahash.c - the one rehash of the open-addressing tables (core/oahash.h): after every
 * growth each entry is found by probing from its hash's home, nothing is lost or duplicated,
 * and colliding hashes keep their probe order. */
#include <stdint.h>
#include <stdlib.h>

#include "core/oahash.h"
#include "unit/check_main.h"

struct slot {
    uint32_t id1; /* id + 1; 0 = empty */
    uint32_t hash;
};

static int used(const void *s) { return ((const struct slot *)s)->id1 != 0; }
static uint32_t hash(const void *s) { return ((const struct slot *)s)->hash; }

static size_t find(const struct slot *t, size_t cap, uint32_t id1, uint32_t h)
{
    for (size_t j = h & (cap - 1), n = 0; n < cap; j = (j + 1) & (cap - 1), n++) {
        if (t[j].id1 == id1)
            return j;
        if (!t[j].id1)
            break;
    }
    return SIZE_MAX;
}

START_TEST(test_grow_keeps_every_entry)
{
    size_t cap = 4;
    struct slot *t = calloc(cap, sizeof *t);
    ck_assert_ptr_nonnull(t);
    uint32_t n = 0;
    for (uint32_t id = 0; id < 5000; id++) {
        if ((n + 1) * 2 > cap) {
            void *p = t;
            ck_assert_int_eq(mw_oahash_grow(&p, &cap, sizeof *t, used, hash), 0);
            t = p;
        }
        /* few distinct hashes: long collision chains that wrap around the end */
        uint32_t h = (id * 2654435761u) % 97u + (uint32_t)cap - 3u;
        size_t j = h & (cap - 1);
        while (t[j].id1)
            j = (j + 1) & (cap - 1);
        t[j].id1 = id + 1;
        t[j].hash = h;
        n++;
    }
    ck_assert_uint_eq(cap, 16384);
    size_t count = 0;
    for (size_t j = 0; j < cap; j++) {
        if (!t[j].id1)
            continue;
        count++;
        ck_assert_uint_eq(find(t, cap, t[j].id1, t[j].hash), j);
    }
    ck_assert_uint_eq(count, n);
    free(t);
}
END_TEST

static Suite *oahash_suite(void)
{
    Suite *su = suite_create("oahash");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_grow_keeps_every_entry);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return mw_check_run(oahash_suite());
}
