/* test_flow.c - flow table: keying, VLANs, initiator rules, timeouts, memcap eviction, scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/check_main.h"
#include "unit/stream_harness.h"

struct ends {
    uint32_t n;
    uint32_t by_why[5];
    uint64_t ids[256];
    uint16_t ports[256];
};

static void on_end(void *u, struct mw_flow *f, enum flow_end_reason why)
{
    struct ends *e = u;
    if (e->n < 256) {
        e->ids[e->n] = f->flow_id;
        e->ports[e->n] = f->port[0];
    }
    e->n++;
    e->by_why[why]++;
}

static struct mw_packet pkt(uint8_t proto, uint8_t src, uint16_t sport, uint8_t dst, uint16_t dport, uint8_t flags,
                            uint64_t ts)
{
    struct mw_packet p = h_tcp(src, sport, dst, dport, flags, 1, NULL, 0);
    p.proto = proto;
    p.ts_us = ts;
    return p;
}

static struct flow_table *table(struct ends *e, size_t memcap)
{
    struct flow_params fp;
    flow_params_default(&fp);
    if (memcap)
        fp.memcap = memcap;
    fp.hash_buckets = 256;
    struct flow_table *t = flow_table_new(&fp, on_end, e);
    ck_assert_ptr_nonnull(t);
    return t;
}

START_TEST(test_both_directions_one_flow)
{
    struct ends e = { 0 };
    struct flow_table *t = table(&e, 0);
    int d1, d2;
    struct mw_packet a = pkt(17, 1, 50000, 2, 53, 0, 1000);
    struct mw_packet b = pkt(17, 2, 53, 1, 50000, 0, 2000);
    struct mw_flow *f1 = flow_get(t, &a, &d1);
    struct mw_flow *f2 = flow_get(t, &b, &d2);
    ck_assert_ptr_nonnull(f1);
    ck_assert_ptr_eq(f1, f2);
    ck_assert_int_eq(d1, MW_DIR_FWD);
    ck_assert_int_eq(d2, MW_DIR_REV);
    ck_assert_uint_eq(f1->pkts[0], 1);
    ck_assert_uint_eq(f1->pkts[1], 1);
    ck_assert_uint_eq(f1->first_ts_us, 1000);
    ck_assert_uint_eq(f1->last_ts_us, 2000);
    ck_assert_uint_eq(flow_table_count(t), 1);
    /* Other port, other protocol, other address: other flows. */
    struct mw_packet c = pkt(17, 1, 50001, 2, 53, 0, 3000);
    struct mw_packet d = pkt(6, 1, 50000, 2, 53, MW_TCP_ACK, 3000);
    struct mw_packet g = pkt(17, 3, 50000, 2, 53, 0, 3000);
    ck_assert_ptr_ne(flow_get(t, &c, &d1), f1);
    ck_assert_ptr_ne(flow_get(t, &d, &d1), f1);
    ck_assert_ptr_ne(flow_get(t, &g, &d1), f1);
    ck_assert_uint_eq(flow_table_count(t), 4);
    ck_assert_uint_eq(h_flow_stat(t, "flow.created"), 4);
    /* Non-IP packets have no flow. */
    struct mw_packet x = a;
    x.ip_version = 0;
    ck_assert_ptr_null(flow_get(t, &x, &d1));
    flow_table_shutdown(t);
    ck_assert_uint_eq(e.by_why[FLOW_END_SHUTDOWN], 4);
    ck_assert_uint_eq(flow_table_count(t), 0);
    flow_table_free(t);
}
END_TEST

START_TEST(test_icmp_request_reply_one_flow)
{
    struct ends e = { 0 };
    struct flow_table *t = table(&e, 0);
    int d1, d2;
    struct mw_packet req = pkt(1, 1, 8, 2, 0, 0, 1000);
    struct mw_packet rep = pkt(1, 2, 0, 1, 0, 0, 2000);
    struct mw_flow *f = flow_get(t, &req, &d1);
    ck_assert_ptr_eq(flow_get(t, &rep, &d2), f);
    ck_assert_int_eq(d1, MW_DIR_FWD);
    ck_assert_int_eq(d2, MW_DIR_REV);
    flow_table_shutdown(t);
    flow_table_free(t);
}
END_TEST

START_TEST(test_vlan_separation)
{
    struct ends e = { 0 };
    struct flow_table *t = table(&e, 0);
    int d;
    struct mw_packet a = pkt(6, 1, 40000, 2, 443, MW_TCP_SYN, 1000);
    struct mw_packet b = a, c = a, r = a;
    b.vlan_count = 1, b.vlan[0] = 10;
    c.vlan_count = 1, c.vlan[0] = 20;
    struct mw_flow *fa = flow_get(t, &a, &d), *fb = flow_get(t, &b, &d), *fc = flow_get(t, &c, &d);
    ck_assert_ptr_ne(fa, fb);
    ck_assert_ptr_ne(fb, fc);
    ck_assert_ptr_ne(fa, fc);
    ck_assert_uint_eq(fb->vlan_count, 1);
    ck_assert_uint_eq(fb->vlan[0], 10);
    /* QinQ: outer 10 inner 20 differs from outer 10 alone. */
    struct mw_packet q = b;
    q.vlan_count = 2, q.vlan[1] = 20;
    ck_assert_ptr_ne(flow_get(t, &q, &d), fb);
    /* The reply on VLAN 20 finds the VLAN 20 flow. */
    r = pkt(6, 2, 443, 1, 40000, MW_TCP_SYN | MW_TCP_ACK, 2000);
    r.vlan_count = 1, r.vlan[0] = 20;
    ck_assert_ptr_eq(flow_get(t, &r, &d), fc);
    ck_assert_int_eq(d, MW_DIR_REV);
    ck_assert_uint_eq(flow_table_count(t), 4);
    flow_table_shutdown(t);
    flow_table_free(t);
}
END_TEST

START_TEST(test_initiator_rules)
{
    struct ends e = { 0 };
    struct flow_table *t = table(&e, 0);
    int d;
    struct mw_addr a1, a2;
    const uint8_t v1[4] = { 10, 0, 0, 1 }, v2[4] = { 10, 0, 0, 2 };
    mw_addr_from_v4(&a1, v1);
    mw_addr_from_v4(&a2, v2);

    /* SYN sender, even from the lower port. */
    struct mw_packet syn = pkt(6, 2, 80, 1, 40000, MW_TCP_SYN, 1000);
    struct mw_flow *f = flow_get(t, &syn, &d);
    ck_assert_int_eq(d, MW_DIR_FWD);
    ck_assert(memcmp(&f->addr[MW_DIR_FWD], &a2, sizeof a2) == 0);
    ck_assert_uint_eq(f->port[MW_DIR_FWD], 80);
    ck_assert_uint_eq(f->handshake_seen, 1);
    ck_assert_uint_eq(f->tcp_state, FLOW_TCP_NEW);

    /* SYN-ACK seen first: its receiver initiated. */
    struct mw_packet sa = pkt(6, 2, 3333, 1, 1000, MW_TCP_SYN | MW_TCP_ACK, 1000);
    f = flow_get(t, &sa, &d);
    ck_assert_int_eq(d, MW_DIR_REV);
    ck_assert(memcmp(&f->addr[MW_DIR_FWD], &a1, sizeof a1) == 0);
    ck_assert_uint_eq(f->port[MW_DIR_FWD], 1000);
    ck_assert_uint_eq(f->port[MW_DIR_REV], 3333);
    ck_assert_uint_eq(f->handshake_seen, 1);

    /* Midstream: the higher port initiated, whoever spoke first. */
    struct mw_packet mid = pkt(6, 2, 4444, 1, 51000, MW_TCP_ACK | MW_TCP_PSH, 1000);
    f = flow_get(t, &mid, &d);
    ck_assert_int_eq(d, MW_DIR_REV);
    ck_assert_uint_eq(f->port[MW_DIR_FWD], 51000);
    ck_assert_uint_eq(f->handshake_seen, 0);
    ck_assert_uint_eq(f->tcp_state, FLOW_TCP_ESTABLISHED);
    mid = pkt(6, 1, 51001, 2, 4444, MW_TCP_ACK, 1000);
    f = flow_get(t, &mid, &d);
    ck_assert_int_eq(d, MW_DIR_FWD);

    /* Equal ports: the first sender. */
    struct mw_packet eq = pkt(17, 2, 123, 1, 123, 0, 1000);
    f = flow_get(t, &eq, &d);
    ck_assert_int_eq(d, MW_DIR_FWD);
    ck_assert(memcmp(&f->addr[MW_DIR_FWD], &a2, sizeof a2) == 0);

    /* UDP without handshake: the higher port too (a DNS answer seen first). */
    struct mw_packet dns = pkt(17, 2, 53, 1, 33333, 0, 1000);
    f = flow_get(t, &dns, &d);
    ck_assert_int_eq(d, MW_DIR_REV);
    ck_assert_uint_eq(f->port[MW_DIR_REV], 53);

    /* Other protocols: first sender. */
    struct mw_packet gre = pkt(47, 2, 0, 1, 0, 0, 1000);
    f = flow_get(t, &gre, &d);
    ck_assert_int_eq(d, MW_DIR_FWD);
    flow_table_shutdown(t);
    flow_table_free(t);
}
END_TEST

START_TEST(test_tcp_state_and_timeouts)
{
    struct ends e = { 0 };
    struct flow_params fp;
    flow_params_default(&fp);
    fp.hash_buckets = 64;
    fp.timeout_tcp_new = 10;
    fp.timeout_tcp_established = 100;
    fp.timeout_tcp_closed = 5;
    fp.timeout_udp = 20;
    struct flow_table *t = flow_table_new(&fp, on_end, &e);
    const uint64_t s = 1000000;
    int d;
    /* A: SYN only (new). B: full handshake (established). C: established then FIN (closed).
     * U: UDP. */
    struct mw_packet a = pkt(6, 1, 40001, 2, 80, MW_TCP_SYN, 0);
    struct mw_packet b1 = pkt(6, 1, 40002, 2, 80, MW_TCP_SYN, 0);
    struct mw_packet b2 = pkt(6, 2, 80, 1, 40002, MW_TCP_SYN | MW_TCP_ACK, 0);
    struct mw_packet b3 = pkt(6, 1, 40002, 2, 80, MW_TCP_ACK, 0);
    struct mw_packet c1 = pkt(6, 1, 40003, 2, 80, MW_TCP_ACK, 0);
    struct mw_packet c2 = pkt(6, 1, 40003, 2, 80, MW_TCP_ACK | MW_TCP_FIN, 0);
    struct mw_packet u = pkt(17, 1, 40004, 2, 53, 0, 0);
    struct mw_flow *fa = flow_get(t, &a, &d);
    ck_assert_uint_eq(fa->tcp_state, FLOW_TCP_NEW);
    struct mw_flow *fb = flow_get(t, &b1, &d);
    flow_get(t, &b2, &d);
    ck_assert_uint_eq(fb->tcp_state, FLOW_TCP_NEW);
    flow_get(t, &b3, &d);
    ck_assert_uint_eq(fb->tcp_state, FLOW_TCP_ESTABLISHED);
    struct mw_flow *fc = flow_get(t, &c1, &d);
    ck_assert_uint_eq(fc->tcp_state, FLOW_TCP_ESTABLISHED);
    flow_get(t, &c2, &d);
    ck_assert_uint_eq(fc->tcp_state, FLOW_TCP_CLOSED);
    ck_assert_uint_eq(fc->tcp_flags[MW_DIR_FWD], MW_TCP_ACK | MW_TCP_FIN);
    flow_get(t, &u, &d);
    ck_assert_uint_eq(flow_table_count(t), 4);

    flow_housekeep(t, 4 * s);
    ck_assert_uint_eq(e.n, 0);
    flow_housekeep(t, 5 * s); /* closed: 5 s */
    ck_assert_uint_eq(e.n, 1);
    ck_assert_uint_eq(e.by_why[FLOW_END_CLOSED], 1);
    ck_assert_uint_eq(e.ports[0], 40003);
    flow_housekeep(t, 10 * s); /* new: 10 s */
    ck_assert_uint_eq(e.n, 2);
    ck_assert_uint_eq(e.ports[1], 40001);
    flow_housekeep(t, 20 * s); /* udp: 20 s */
    ck_assert_uint_eq(e.n, 3);
    ck_assert_uint_eq(e.ports[2], 40004);
    ck_assert_uint_eq(flow_table_count(t), 1);
    /* Activity keeps the established flow alive. */
    b3.ts_us = 90 * s;
    flow_get(t, &b3, &d);
    flow_housekeep(t, 150 * s);
    ck_assert_uint_eq(flow_table_count(t), 1);
    flow_housekeep(t, 190 * s);
    ck_assert_uint_eq(flow_table_count(t), 0);
    ck_assert_uint_eq(e.by_why[FLOW_END_TIMEOUT], 3);
    ck_assert_uint_eq(h_flow_stat(t, "flow.timed_out"), 3);
    ck_assert_uint_eq(h_flow_stat(t, "flow.active"), 0);
    flow_table_free(t);
}
END_TEST

START_TEST(test_stale_flow_replaced_on_lookup)
{
    struct ends e = { 0 };
    struct flow_params fp;
    flow_params_default(&fp);
    fp.hash_buckets = 64;
    struct flow_table *t = flow_table_new(&fp, on_end, &e);
    int d;
    struct mw_packet u = pkt(17, 1, 40004, 2, 53, 0, 1000000);
    struct mw_flow *f = flow_get(t, &u, &d);
    uint64_t id = f->flow_id;
    u.ts_us += (uint64_t)fp.timeout_udp * 1000000u;
    f = flow_get(t, &u, &d);
    ck_assert_uint_eq(e.by_why[FLOW_END_TIMEOUT], 1);
    ck_assert_uint_eq(e.ids[0], id);
    ck_assert_uint_ne(f->flow_id, id);
    ck_assert_uint_eq(f->pkts[0], 1);
    ck_assert_uint_eq(flow_table_count(t), 1);

    /* A new SYN on a closed connection starts a new flow. */
    struct mw_packet s1 = pkt(6, 1, 40000, 2, 80, MW_TCP_SYN, 2000000);
    struct mw_packet fin = pkt(6, 2, 80, 1, 40000, MW_TCP_FIN | MW_TCP_ACK, 2000001);
    struct mw_flow *c = flow_get(t, &s1, &d);
    id = c->flow_id;
    flow_get(t, &fin, &d);
    s1.ts_us = 2000002;
    c = flow_get(t, &s1, &d);
    ck_assert_uint_eq(e.by_why[FLOW_END_TCP_REUSE], 1);
    ck_assert_uint_eq(h_flow_stat(t, "flow.tcp_reuse"), 1);
    ck_assert_str_eq(flow_end_reason_name(FLOW_END_TCP_REUSE), "tcp_reuse");
    ck_assert_uint_ne(c->flow_id, id);
    ck_assert_uint_eq(c->tcp_state, FLOW_TCP_NEW);
    flow_table_shutdown(t);
    flow_table_free(t);
}
END_TEST

START_TEST(test_memcap_bulk_lru_eviction)
{
    struct ends e = { 0 };
    struct flow_params fp;
    flow_params_default(&fp);
    fp.hash_buckets = 64;
    fp.evict_batch = 8;
    /* Room for exactly 32 flows besides the buckets. */
    size_t per = (sizeof(struct mw_flow) + 15) & ~(size_t)15;
    fp.memcap = 64 * sizeof(void *) + 32 * per;
    struct flow_table *t = flow_table_new(&fp, on_end, &e);
    ck_assert_ptr_nonnull(t);
    int d;
    for (uint16_t i = 0; i < 32; i++) {
        struct mw_packet p = pkt(17, 1, (uint16_t)(10000 + i), 2, 53, 0, 1000u + i);
        ck_assert_ptr_nonnull(flow_get(t, &p, &d));
    }
    ck_assert_uint_eq(flow_table_count(t), 32);
    ck_assert_uint_le(flow_table_memuse(t), fp.memcap);
    /* Touch the two oldest: they become the most recent and must survive. */
    for (uint16_t i = 0; i < 2; i++) {
        struct mw_packet p = pkt(17, 1, (uint16_t)(10000 + i), 2, 53, 0, 5000u + i);
        flow_get(t, &p, &d);
    }
    struct mw_packet n = pkt(6, 1, 20000, 2, 80, MW_TCP_SYN, 6000);
    ck_assert_ptr_nonnull(flow_get(t, &n, &d));
    /* One cap hit evicts a whole batch, oldest first: ports 10002..10009. */
    ck_assert_uint_eq(e.by_why[FLOW_END_EVICTED], 8);
    for (uint32_t i = 0; i < 8; i++)
        ck_assert_uint_eq(e.ports[i], 10002 + i);
    ck_assert_uint_eq(flow_table_count(t), 32 - 8 + 1);
    ck_assert_uint_eq(h_flow_stat(t, "flow.evicted"), 8);
    /* The next 7 new flows need no eviction. */
    for (uint16_t i = 0; i < 7; i++) {
        struct mw_packet p = pkt(17, 3, (uint16_t)(30000 + i), 2, 53, 0, 7000u + i);
        ck_assert_ptr_nonnull(flow_get(t, &p, &d));
    }
    ck_assert_uint_eq(e.by_why[FLOW_END_EVICTED], 8);
    ck_assert_uint_le(flow_table_memuse(t), fp.memcap);
    ck_assert_uint_eq(h_flow_stat(t, "flow.memcap_fail"), 0);
    ck_assert_uint_eq(h_flow_stat(t, "flow.memuse"), flow_table_memuse(t));
    flow_table_shutdown(t);
    flow_table_free(t);

    /* A memcap below the buckets plus one flow is refused up front. */
    fp.memcap = 64 * sizeof(void *);
    ck_assert_ptr_null(flow_table_new(&fp, on_end, &e));
}
END_TEST

START_TEST(test_housekeep_is_bounded)
{
    struct ends e = { 0 };
    struct flow_params fp;
    flow_params_default(&fp);
    fp.hash_buckets = 64;
    fp.housekeep_budget = 10;
    struct flow_table *t = flow_table_new(&fp, on_end, &e);
    int d;
    for (uint16_t i = 0; i < 100; i++) {
        struct mw_packet p = pkt(17, 1, (uint16_t)(10000 + i), 2, 53, 0, 1000);
        flow_get(t, &p, &d);
    }
    uint64_t later = 1000 + (uint64_t)fp.timeout_udp * 1000000u;
    flow_housekeep(t, later);
    ck_assert_uint_eq(e.n, 10);
    for (int i = 0; i < 9; i++)
        flow_housekeep(t, later);
    ck_assert_uint_eq(e.n, 100);
    ck_assert_uint_eq(flow_table_count(t), 0);
    flow_table_free(t);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(test_many_flows_bounded_memory)
{
    /* 200k concurrent flows at the per-flow cost that lets 1M fit in 512 MiB. */
    const uint32_t n = 200000;
    struct ends e = { 0 };
    struct flow_params fp;
    flow_params_default(&fp);
    fp.hash_buckets = 1u << 18;
    size_t per = (sizeof(struct mw_flow) + 15) & ~(size_t)15;
    fp.memcap = (size_t)fp.hash_buckets * sizeof(void *) + (size_t)n * per;
    struct flow_table *t = flow_table_new(&fp, on_end, &e);
    ck_assert_ptr_nonnull(t);
    uint64_t *ids = malloc(n * sizeof *ids);
    int d;
    for (uint32_t i = 0; i < n; i++) {
        struct mw_packet p = pkt(6, 0, (uint16_t)(1024 + i % 60000), 0, 3333, MW_TCP_SYN, 1000 + i);
        uint8_t v4[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
        mw_addr_from_v4(&p.src, v4);
        struct mw_flow *f = flow_get(t, &p, &d);
        ck_assert_ptr_nonnull(f);
        ids[i] = f->flow_id;
        ck_assert_uint_ne(f->flow_id, 0);
        ck_assert_uint_lt(f->flow_id, UINT64_C(1) << 51);
    }
    ck_assert_uint_eq(flow_table_count(t), n);
    ck_assert_uint_eq(e.n, 0);
    ck_assert_uint_le(flow_table_memuse(t), fp.memcap);
    qsort(ids, n, sizeof *ids, cmp_u64);
    for (uint32_t i = 1; i < n; i++)
        ck_assert_uint_ne(ids[i], ids[i - 1]);
    /* Every flow is still found (both directions). */
    for (uint32_t i = 0; i < n; i += 997) {
        struct mw_packet p = pkt(6, 0, 3333, 0, (uint16_t)(1024 + i % 60000), MW_TCP_ACK, 500000 + i);
        uint8_t v4[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
        mw_addr_from_v4(&p.dst, v4);
        ck_assert_ptr_nonnull(flow_get(t, &p, &d));
        ck_assert_int_eq(d, MW_DIR_REV);
    }
    ck_assert_uint_eq(flow_table_count(t), n);
    /* 10% more flows: the table stays at its cap by evicting. */
    for (uint32_t i = 0; i < n / 10; i++) {
        struct mw_packet p = pkt(17, 0, (uint16_t)(1024 + i % 60000), 0, 53, 0, 900000 + i);
        uint8_t v4[4] = { 11, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
        mw_addr_from_v4(&p.src, v4);
        ck_assert_ptr_nonnull(flow_get(t, &p, &d));
    }
    ck_assert_uint_le(flow_table_memuse(t), fp.memcap);
    ck_assert_uint_ge(e.by_why[FLOW_END_EVICTED], n / 10);
    free(ids);
    flow_table_shutdown(t);
    flow_table_free(t);
}
END_TEST

START_TEST(test_million_flows_fit_512mib)
{
    size_t per = (sizeof(struct mw_flow) + 15) & ~(size_t)15;
    size_t need = (size_t)1000000 * per + ((size_t)1 << 20) * sizeof(void *);
    printf("sizeof(struct mw_flow) = %zu, pool block %zu, 1M flows + 2^20 buckets = %zu MiB\n",
           sizeof(struct mw_flow), per, need >> 20);
    ck_assert_uint_le(need, (size_t)512 << 20);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_both_directions_one_flow);
    tcase_add_test(tc, test_icmp_request_reply_one_flow);
    tcase_add_test(tc, test_vlan_separation);
    tcase_add_test(tc, test_initiator_rules);
    tcase_add_test(tc, test_tcp_state_and_timeouts);
    tcase_add_test(tc, test_stale_flow_replaced_on_lookup);
    tcase_add_test(tc, test_memcap_bulk_lru_eviction);
    tcase_add_test(tc, test_housekeep_is_bounded);
    tcase_add_test(tc, test_many_flows_bounded_memory);
    tcase_add_test(tc, test_million_flows_fit_512mib);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
