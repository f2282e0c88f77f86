/* test_defrag.c - fragment reassembly: orders, overlaps, duplicates, limits, timeouts, memcap. */
#include <stdlib.h>
#include <string.h>

#include "sensor/decode/defrag.h"
#include "unit/check_main.h"

static struct defrag_stats st;
static struct defrag *df;
static uint8_t payload[70000];
static uint8_t hdr4[20];
static uint8_t hdr6[40];

static void make(size_t memcap, uint32_t trackers, uint32_t timeout_s)
{
    memset(&st, 0, sizeof st);
    struct defrag_params p = { memcap, trackers, timeout_s };
    df = defrag_new(&p, &st);
    ck_assert_ptr_nonnull(df);
}

static void setup(void)
{
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + (i >> 8));
    memset(hdr4, 0, sizeof hdr4);
    hdr4[0] = 0x45;
    hdr4[6] = 0x20; /* MF, must be cleared in the output */
    hdr4[8] = 64;
    hdr4[9] = 17;
    memset(hdr6, 0, sizeof hdr6);
    hdr6[0] = 0x60;
    hdr6[6] = 44;
    make(defrag_params_default().memcap, 64, 30);
}

static void teardown(void)
{
    defrag_free(df);
    df = NULL;
}

static struct defrag_frag frag4(uint32_t id, uint32_t off, uint32_t len, int more)
{
    struct defrag_frag f;
    memset(&f, 0, sizeof f);
    f.family = 4;
    f.proto = 17;
    f.src.b[15] = 1;
    f.dst.b[15] = 2;
    f.id = id;
    f.offset = off;
    f.more = more;
    f.hdr = hdr4;
    f.hdr_len = 20;
    f.data = payload + off;
    f.data_len = len;
    return f;
}

static const uint8_t *out;
static uint32_t out_len;

static enum defrag_result add(const struct defrag_frag *f, uint64_t t_s)
{
    return defrag_add(df, f, t_s * 1000000u, &out, &out_len);
}

/* The completed datagram: header with length set and MF clear, then the payload. */
static void expect_v4(uint32_t len)
{
    ck_assert_uint_eq(out_len, 20 + len);
    ck_assert_uint_eq(out[0], 0x45);
    ck_assert_uint_eq(((uint32_t)out[2] << 8) | out[3], 20 + len);
    ck_assert_uint_eq(out[6] & 0x3f, 0);
    ck_assert_uint_eq(out[7], 0);
    ck_assert_uint_eq(out[9], 17);
    ck_assert_mem_eq(out + 20, payload, len);
}

START_TEST(test_in_order)
{
    for (uint32_t i = 0; i < 9; i++) {
        struct defrag_frag f = frag4(1, i * 1480, 1480, i < 8);
        ck_assert_int_eq(add(&f, 1), i < 8 ? DEFRAG_HELD : DEFRAG_DONE);
    }
    expect_v4(9 * 1480);
    ck_assert_uint_eq(st.ipv4_reassembled, 1);
    ck_assert_uint_eq(st.ipv4_fragments, 9);
    ck_assert_uint_eq(st.ipv6_fragments + st.ipv6_reassembled, 0);
    ck_assert_uint_eq(st.overlap, 0);
    ck_assert_uint_eq(defrag_trackers_in_use(df), 0);
    /* the tracker is given back on the next call */
    defrag_expire(df, 1000000, 1);
    ck_assert_uint_eq(defrag_bytes_in_use(df), 0);
}
END_TEST

START_TEST(test_reverse_and_shuffled)
{
    for (int i = 8; i >= 0; i--) {
        struct defrag_frag f = frag4(2, (uint32_t)i * 800, 800, i < 8);
        ck_assert_int_eq(add(&f, 1), i > 0 ? DEFRAG_HELD : DEFRAG_DONE);
    }
    expect_v4(9 * 800);
    const int order[] = { 3, 0, 5, 1, 4, 2 };
    for (int i = 0; i < 6; i++) {
        struct defrag_frag f = frag4(3, (uint32_t)order[i] * 16, 16, order[i] < 5);
        ck_assert_int_eq(add(&f, 2), i < 5 ? DEFRAG_HELD : DEFRAG_DONE);
    }
    expect_v4(96);
    ck_assert_uint_eq(st.ipv4_reassembled, 2);
}
END_TEST

START_TEST(test_grows_buffer_class)
{
    /* last piece first, far out: the buffer must move up and keep earlier bytes */
    struct defrag_frag f = frag4(4, 1000, 40, 0);
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    f = frag4(4, 8, 992, 1);
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    f = frag4(4, 0, 8, 1);
    ck_assert_int_eq(add(&f, 1), DEFRAG_DONE);
    expect_v4(1040);

    /* a big datagram built front to back through every size class */
    for (uint32_t off = 0; off < 64000; off += 8000) {
        f = frag4(5, off, 8000, off + 8000 < 64000);
        ck_assert_int_eq(add(&f, 1), off + 8000 < 64000 ? DEFRAG_HELD : DEFRAG_DONE);
    }
    expect_v4(64000);
}
END_TEST

START_TEST(test_overlap_same_and_different)
{
    struct defrag_frag f = frag4(6, 0, 32, 1);
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    /* overlaps [16, 48) with identical bytes */
    f = frag4(6, 16, 32, 1);
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    ck_assert_uint_eq(st.overlap, 1);
    ck_assert_uint_eq(st.overlap_mismatch, 0);
    /* overlaps [40, 64) with different bytes: first-seen wins, counted */
    static uint8_t evil[64];
    memset(evil, 0x5a, sizeof evil);
    f = frag4(6, 40, 24, 0);
    f.data = evil;
    ck_assert_int_eq(add(&f, 1), DEFRAG_DONE);
    ck_assert_uint_eq(st.overlap, 2);
    ck_assert_uint_eq(st.overlap_mismatch, 1);
    ck_assert_uint_eq(out_len, 20 + 64);
    ck_assert_mem_eq(out + 20, payload, 48);     /* held bytes kept */
    ck_assert_mem_eq(out + 20 + 48, evil, 16);   /* the gap came from the new fragment */
}
END_TEST

START_TEST(test_overlap_spanning_holes)
{
    /* pieces [0,8) [16,24) [32,40), then one fragment covering [0,48) with other bytes */
    for (uint32_t off = 0; off < 40; off += 16) {
        struct defrag_frag f = frag4(7, off, 8, 1);
        ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    }
    static uint8_t other[48];
    memset(other, 0xee, sizeof other);
    struct defrag_frag f = frag4(7, 0, 48, 0);
    f.data = other;
    ck_assert_int_eq(add(&f, 1), DEFRAG_DONE);
    ck_assert_uint_eq(st.overlap_mismatch, 1);
    for (uint32_t i = 0; i < 48; i++) {
        int held = (i % 16) < 8;
        ck_assert_uint_eq(out[20 + i], held ? payload[i] : 0xee);
    }
}
END_TEST

START_TEST(test_duplicates)
{
    struct defrag_frag a = frag4(8, 0, 24, 1), b = frag4(8, 24, 8, 0);
    ck_assert_int_eq(add(&a, 1), DEFRAG_HELD);
    ck_assert_int_eq(add(&a, 1), DEFRAG_HELD);
    ck_assert_int_eq(add(&a, 1), DEFRAG_HELD);
    ck_assert_uint_eq(st.duplicates, 2);
    ck_assert_uint_eq(st.overlap_mismatch, 0);
    ck_assert_int_eq(add(&b, 1), DEFRAG_DONE);
    expect_v4(32);
    /* a late duplicate after completion starts a new tracker that never completes */
    ck_assert_int_eq(add(&b, 1), DEFRAG_HELD);
    ck_assert_uint_eq(defrag_trackers_in_use(df), 1);
}
END_TEST

START_TEST(test_timeout)
{
    struct defrag_frag f = frag4(9, 0, 16, 1);
    ck_assert_int_eq(add(&f, 100), DEFRAG_HELD);
    f = frag4(10, 0, 16, 1);
    ck_assert_int_eq(add(&f, 110), DEFRAG_HELD);
    ck_assert_uint_eq(defrag_trackers_in_use(df), 2);
    /* 31 s after the first: it expires; the second is 21 s old and stays */
    defrag_expire(df, 131 * 1000000ull, 16);
    ck_assert_uint_eq(st.ipv4_timeouts, 1);
    ck_assert_uint_eq(defrag_trackers_in_use(df), 1);
    /* the rest of datagram 9 now starts a fresh tracker: no completion */
    f = frag4(9, 16, 16, 0);
    ck_assert_int_eq(add(&f, 131), DEFRAG_HELD);
    /* the tail of datagram 10 arrives too late: its tracker is expired on lookup */
    f = frag4(10, 16, 16, 0);
    ck_assert_int_eq(add(&f, 200), DEFRAG_HELD);
    ck_assert_uint_ge(st.ipv4_timeouts, 2);
    ck_assert_uint_eq(st.ipv4_reassembled, 0);
}
END_TEST

START_TEST(test_expire_is_bounded)
{
    for (uint32_t i = 0; i < 50; i++) {
        struct defrag_frag f = frag4(100 + i, 0, 16, 1);
        ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    }
    defrag_expire(df, 100 * 1000000ull, 10);
    ck_assert_uint_eq(st.ipv4_timeouts, 10);
    ck_assert_uint_eq(defrag_trackers_in_use(df), 40);
    /* each fragment also sweeps a few */
    struct defrag_frag f = frag4(999, 0, 16, 1);
    add(&f, 100);
    ck_assert_uint_gt(st.ipv4_timeouts, 10);
    ck_assert_uint_lt(st.ipv4_timeouts, 50);
}
END_TEST

START_TEST(test_memcap)
{
    teardown();
    make(64 * 1024, 1000, 30);
    /* every tracker takes a 2 KiB buffer plus the tracker: the cap forces evictions */
    for (uint32_t i = 0; i < 200; i++) {
        struct defrag_frag f = frag4(i, 0, 1000, 1);
        enum defrag_result r = add(&f, 1);
        ck_assert_int_eq(r, DEFRAG_HELD);
        ck_assert_uint_le(defrag_bytes_in_use(df), 64 * 1024);
    }
    ck_assert_uint_gt(st.memcap_drops, 0);
    ck_assert_uint_lt(defrag_trackers_in_use(df), 200);
    /* the newest survived, the oldest went */
    struct defrag_frag f = frag4(199, 1000, 8, 0);
    ck_assert_int_eq(add(&f, 1), DEFRAG_DONE);
    f = frag4(0, 1000, 8, 0);
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);

    /* a single datagram bigger than the whole cap is refused, not grown without bound */
    for (uint32_t off = 0; off < 64000; off += 8000) {
        f = frag4(5000, off, 8000, 1);
        add(&f, 1);
        ck_assert_uint_le(defrag_bytes_in_use(df), 64 * 1024);
    }
    ck_assert_uint_gt(st.memcap_drops, 1);
}
END_TEST

START_TEST(test_max_trackers)
{
    teardown();
    make(16u << 20, 8, 30);
    for (uint32_t i = 0; i < 20; i++) {
        struct defrag_frag f = frag4(i, 0, 8, 1);
        ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
        ck_assert_uint_le(defrag_trackers_in_use(df), 8);
    }
    ck_assert_uint_eq(st.tracker_drops, 12);
    struct defrag_frag f = frag4(19, 8, 8, 0);
    ck_assert_int_eq(add(&f, 1), DEFRAG_DONE);
}
END_TEST

START_TEST(test_bad_fragments)
{
    struct defrag_frag f = frag4(20, 0, 12, 1); /* non-last, not a multiple of 8 */
    ck_assert_int_eq(add(&f, 1), DEFRAG_DROPPED);
    f = frag4(20, 0, 0, 1);
    ck_assert_int_eq(add(&f, 1), DEFRAG_DROPPED);
    ck_assert_uint_eq(st.bad_length, 2);

    /* beyond 65535 bytes */
    f = frag4(21, 65528, 16, 0);
    ck_assert_int_eq(add(&f, 1), DEFRAG_DROPPED);
    ck_assert_uint_eq(st.too_large, 1);
    f = frag4(21, 65496, 16, 0); /* 20 + 65512 fits */
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);

    /* two last fragments that disagree on the end */
    f = frag4(22, 32, 8, 0);
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    f = frag4(22, 32, 16, 0);
    ck_assert_int_eq(add(&f, 1), DEFRAG_DROPPED);
    ck_assert_uint_eq(st.end_mismatch, 1);
    /* data past the known end */
    f = frag4(22, 40, 8, 1);
    ck_assert_int_eq(add(&f, 1), DEFRAG_DROPPED);
    ck_assert_uint_eq(st.beyond_end, 1);
    /* a last fragment that ends before data already held */
    f = frag4(23, 64, 8, 1);
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    f = frag4(23, 0, 8, 0);
    ck_assert_int_eq(add(&f, 1), DEFRAG_DROPPED);
    ck_assert_uint_eq(st.beyond_end, 2);
}
END_TEST

START_TEST(test_too_many_holes)
{
    /* 8-byte pieces with 8-byte gaps: the piece list fills up and the tracker is dropped */
    uint32_t i;
    for (i = 0; i < 100; i++) {
        struct defrag_frag f = frag4(30, i * 16, 8, 1);
        if (add(&f, 1) == DEFRAG_DROPPED)
            break;
    }
    ck_assert_uint_lt(i, 100);
    ck_assert_uint_eq(st.too_many_holes, 1);
    ck_assert_uint_eq(defrag_trackers_in_use(df), 0);
}
END_TEST

START_TEST(test_keys)
{
    /* same id, different VLAN / protocol / source: separate datagrams */
    struct defrag_frag a = frag4(40, 0, 8, 1), b = frag4(40, 0, 8, 1), c = frag4(40, 0, 8, 1);
    b.vlan[0] = 10;
    c.proto = 6;
    ck_assert_int_eq(add(&a, 1), DEFRAG_HELD);
    ck_assert_int_eq(add(&b, 1), DEFRAG_HELD);
    ck_assert_int_eq(add(&c, 1), DEFRAG_HELD);
    ck_assert_uint_eq(defrag_trackers_in_use(df), 3);
    ck_assert_uint_eq(st.duplicates, 0);

    /* IPv6: keyed without the protocol; output is a fixed header with next header set */
    struct defrag_frag f;
    memset(&f, 0, sizeof f);
    f.family = 6;
    f.proto = 6;
    f.id = 0x11223344;
    f.hdr = hdr6;
    f.hdr_len = 40;
    f.offset = 0;
    f.more = 1;
    f.data = payload;
    f.data_len = 16;
    ck_assert_int_eq(add(&f, 1), DEFRAG_HELD);
    f.proto = 17;
    f.offset = 16;
    f.more = 0;
    f.data = payload + 16;
    f.data_len = 5;
    ck_assert_int_eq(add(&f, 1), DEFRAG_DONE);
    ck_assert_uint_eq(out_len, 40 + 21);
    ck_assert_uint_eq(out[0], 0x60);
    ck_assert_uint_eq(((uint32_t)out[4] << 8) | out[5], 21);
    ck_assert_uint_eq(out[6], 6); /* from the first fragment */
    ck_assert_mem_eq(out + 40, payload, 21);
}
END_TEST

struct name_count {
    int n;
    uint64_t fragments;
};

static void count_cb(void *u, const char *name, uint64_t v)
{
    struct name_count *nc = u;
    nc->n++;
    ck_assert(strncmp(name, "defrag.", 7) == 0);
    if (strcmp(name, "defrag.ipv4_fragments") == 0)
        nc->fragments = v;
}

START_TEST(test_stats_names)
{
    struct name_count nc = { 0, 0 };
    struct defrag_frag f = frag4(1, 0, 8, 1);
    add(&f, 1);
    add(&f, 1);
    defrag_stats_foreach(&st, count_cb, &nc);
    ck_assert_int_eq(nc.n, (int)(sizeof st / sizeof(uint64_t)));
    ck_assert_uint_eq(nc.fragments, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("defrag");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_in_order);
    tcase_add_test(tc, test_reverse_and_shuffled);
    tcase_add_test(tc, test_grows_buffer_class);
    tcase_add_test(tc, test_overlap_same_and_different);
    tcase_add_test(tc, test_overlap_spanning_holes);
    tcase_add_test(tc, test_duplicates);
    tcase_add_test(tc, test_timeout);
    tcase_add_test(tc, test_expire_is_bounded);
    tcase_add_test(tc, test_memcap);
    tcase_add_test(tc, test_max_trackers);
    tcase_add_test(tc, test_bad_fragments);
    tcase_add_test(tc, test_too_many_holes);
    tcase_add_test(tc, test_keys);
    tcase_add_test(tc, test_stats_names);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
