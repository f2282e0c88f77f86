/* test_stream.c - TCP reassembly: order, holes, overlaps, wrap-around, depth, every split. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/check_main.h"
#include "unit/stream_harness.h"

#define CLI 1
#define SRV 2
#define CPORT 40000
#define SPORT 3333

static const char MSG[] = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10\"]}\n";
#define MSG_LEN ((uint32_t)(sizeof MSG - 1))

/* Client payload segment [off, off+len) of buf, client ISN isn (data starts at isn+1). */
static struct mw_packet cseg(uint32_t isn, const void *buf, uint32_t off, uint32_t len)
{
    return h_tcp(CLI, CPORT, SRV, SPORT, MW_TCP_ACK | MW_TCP_PSH, isn + 1 + off, (const uint8_t *)buf + off, len);
}

static void handshake(struct harness *h, uint32_t cisn, uint32_t sisn)
{
    h_send(h, h_tcp(CLI, CPORT, SRV, SPORT, MW_TCP_SYN, cisn, NULL, 0), NULL);
    h_send(h, h_tcp(SRV, SPORT, CLI, CPORT, MW_TCP_SYN | MW_TCP_ACK, sisn, NULL, 0), NULL);
    h_send(h, h_tcp(CLI, CPORT, SRV, SPORT, MW_TCP_ACK, cisn + 1, NULL, 0), NULL);
}

static void assert_out(const struct h_dir *d, const void *want, size_t len)
{
    ck_assert_uint_eq(d->len, len);
    ck_assert(memcmp(d->out, want, len) == 0);
}

START_TEST(test_in_order)
{
    struct harness *h = h_new(0, NULL);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 0, 10), NULL);
    h_send(h, cseg(1000, MSG, 10, 20), NULL);
    h_send(h, cseg(1000, MSG, 30, MSG_LEN - 30), NULL);
    assert_out(&h->dir[MW_DIR_FWD], MSG, MSG_LEN);
    ck_assert_uint_eq(h->dir[MW_DIR_REV].len, 0);
    ck_assert_uint_eq(h->dir[MW_DIR_FWD].gaps, 0);
    ck_assert_uint_eq(h_stream_stat(h, "stream.in_order"), 3);
    ck_assert_uint_eq(h_stream_stat(h, "stream.out_of_order"), 0);
    ck_assert_uint_eq(stream_memuse(h->sc), 0);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_out_of_order)
{
    struct harness *h = h_new(0, NULL);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 30, MSG_LEN - 30), NULL);
    h_send(h, cseg(1000, MSG, 10, 20), NULL);
    ck_assert_uint_eq(h->dir[MW_DIR_FWD].len, 0);
    ck_assert_uint_gt(stream_memuse(h->sc), 0);
    h_send(h, cseg(1000, MSG, 0, 10), NULL);
    assert_out(&h->dir[MW_DIR_FWD], MSG, MSG_LEN);
    ck_assert_uint_eq(h_stream_stat(h, "stream.out_of_order"), 2);
    ck_assert_uint_eq(stream_memuse(h->sc), 0);
    ck_assert_uint_eq(h->dir[MW_DIR_FWD].gaps, 0);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_reversed_single_bytes)
{
    struct harness *h = h_new(0, NULL);
    handshake(h, 77, 5000);
    for (uint32_t i = MSG_LEN; i-- > 1;)
        h_send(h, cseg(77, MSG, i, 1), NULL);
    /* Adjacent tiny segments coalesce: the whole held tail fits in one block. */
    ck_assert_uint_eq(stream_memuse(h->sc), 2048);
    ck_assert_uint_eq(h->dir[MW_DIR_FWD].len, 0);
    h_send(h, cseg(77, MSG, 0, 1), NULL);
    assert_out(&h->dir[MW_DIR_FWD], MSG, MSG_LEN);
    ck_assert_uint_eq(stream_memuse(h->sc), 0);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_retransmission)
{
    struct harness *h = h_new(0, NULL);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 0, 10), NULL);
    h_send(h, cseg(1000, MSG, 0, 10), NULL);
    h_send(h, cseg(1000, MSG, 5, 5), NULL);
    h_send(h, cseg(1000, MSG, 5, 15), NULL); /* partly old: only the new part counts */
    h_send(h, cseg(1000, MSG, 20, MSG_LEN - 20), NULL);
    assert_out(&h->dir[MW_DIR_FWD], MSG, MSG_LEN);
    ck_assert_uint_eq(h_stream_stat(h, "stream.retransmissions"), 2);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_overlap_same_and_different)
{
    char alt[sizeof MSG];
    memcpy(alt, MSG, sizeof MSG);
    for (int i = 0; i < 40; i++)
        alt[i] = 'X';

    /* Same data overlapping: counted as overlap, not mismatch. */
    struct harness *h = h_new(0, NULL);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 20, 20), NULL);
    h_send(h, cseg(1000, MSG, 10, 20), NULL);
    h_send(h, cseg(1000, MSG, 0, MSG_LEN), NULL);
    assert_out(&h->dir[MW_DIR_FWD], MSG, MSG_LEN);
    ck_assert_uint_ge(h_stream_stat(h, "stream.overlaps"), 2);
    ck_assert_uint_eq(h_stream_stat(h, "stream.overlap_mismatch"), 0);
    ck_assert_uint_eq(h_free(h), 0);

    /* Different data: the first-seen bytes win and the mismatch is counted. Held
     * [20,40) is real, then [10,30) of junk overlaps it (held wins for [20,30)),
     * then junk [0,40) arrives in order: [0,10) junk, [10,20) junk (held first),
     * [20,40) real. */
    h = h_new(0, NULL);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 20, 20), NULL);
    h_send(h, cseg(1000, alt, 10, 20), NULL);
    ck_assert_uint_eq(h_stream_stat(h, "stream.overlap_mismatch"), 1);
    h_send(h, cseg(1000, alt, 0, 40), NULL);
    h_send(h, cseg(1000, MSG, 40, MSG_LEN - 40), NULL);
    char want[sizeof MSG];
    memcpy(want, MSG, sizeof MSG);
    memset(want, 'X', 20);
    assert_out(&h->dir[MW_DIR_FWD], want, MSG_LEN);
    ck_assert_uint_eq(h_stream_stat(h, "stream.overlap_mismatch"), 2);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_wraparound)
{
    /* ISN just below 2^32: the data crosses the wrap, delivered out of order. */
    uint32_t isn = 0xffffffe0u;
    struct harness *h = h_new(0, NULL);
    handshake(h, isn, 0xfffffff0u);
    h_send(h, cseg(isn, MSG, 40, MSG_LEN - 40), NULL);
    h_send(h, cseg(isn, MSG, 20, 20), NULL);
    h_send(h, cseg(isn, MSG, 0, 20), NULL);
    assert_out(&h->dir[MW_DIR_FWD], MSG, MSG_LEN);
    /* Server side: starts at 0xfffffff1 and wraps within its first segment. */
    h_send(h, h_tcp(SRV, SPORT, CLI, CPORT, MW_TCP_ACK, 0xfffffff1u, MSG, MSG_LEN), NULL);
    assert_out(&h->dir[MW_DIR_REV], MSG, MSG_LEN);
    ck_assert_uint_eq(h->dir[0].gaps + h->dir[1].gaps, 0);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_midstream_and_one_direction)
{
    /* Only the server's direction is ever seen, no handshake. The server (lower port)
     * is the responder, so its bytes arrive in MW_DIR_REV. */
    struct harness *h = h_new(0, NULL);
    int dir;
    struct mw_flow *f = h_send(h, h_tcp(SRV, SPORT, CLI, CPORT, MW_TCP_ACK, 123456, MSG + 10, 20), &dir);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(dir, MW_DIR_REV);
    ck_assert_uint_eq(f->handshake_seen, 0);
    h_send(h, h_tcp(SRV, SPORT, CLI, CPORT, MW_TCP_ACK, 123456 + 20, MSG + 30, MSG_LEN - 30), NULL);
    assert_out(&h->dir[MW_DIR_REV], MSG + 10, MSG_LEN - 10);
    ck_assert_uint_eq(h->dir[MW_DIR_FWD].len, 0);
    ck_assert_uint_eq(h_stream_stat(h, "stream.midstream"), 1);
    /* Old data from before the pick-up point is a retransmission, not delivered. */
    h_send(h, h_tcp(SRV, SPORT, CLI, CPORT, MW_TCP_ACK, 123456 - 10, MSG, 10), NULL);
    ck_assert_uint_eq(h->dir[MW_DIR_REV].len, MSG_LEN - 10);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_syn_data)
{
    struct harness *h = h_new(0, NULL);
    h_send(h, h_tcp(CLI, CPORT, SRV, SPORT, MW_TCP_SYN, 900, MSG, 12), NULL);
    h_send(h, h_tcp(CLI, CPORT, SRV, SPORT, MW_TCP_ACK, 901 + 12, MSG + 12, MSG_LEN - 12), NULL);
    assert_out(&h->dir[MW_DIR_FWD], MSG, MSG_LEN);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_gap_on_fin_then_resync)
{
    struct harness *h = h_new(0, NULL);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 0, 10), NULL);
    /* [10,20) is never seen; [20, end) arrives with FIN: the hole is skipped. */
    struct mw_packet p = cseg(1000, MSG, 20, MSG_LEN - 20);
    p.tcp_flags |= MW_TCP_FIN;
    h_send(h, p, NULL);
    const struct h_dir *d = &h->dir[MW_DIR_FWD];
    ck_assert_uint_eq(d->gaps, 1);
    ck_assert_uint_eq(d->lost, 10);
    ck_assert_uint_eq(d->gap_at[0], 10);
    ck_assert_uint_eq(d->len, MSG_LEN - 10);
    ck_assert(memcmp(d->out, MSG, 10) == 0);
    ck_assert(memcmp(d->out + 10, MSG + 20, MSG_LEN - 20) == 0);
    /* The late retransmission of the hole is old now. */
    h_send(h, cseg(1000, MSG, 10, 10), NULL);
    ck_assert_uint_eq(d->len, MSG_LEN - 10);
    ck_assert_uint_eq(h_stream_stat(h, "stream.gaps"), 1);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_gap_on_segment_limit)
{
    struct stream_params sp;
    stream_params_default(&sp);
    sp.max_ooo_segments_per_flow = 2;
    struct harness *h = h_new(0, &sp);
    handshake(h, 1000, 5000);
    /* Three separated islands ahead of a hole at [0,5): the third cannot be held. */
    h_send(h, cseg(1000, MSG, 10, 5), NULL);
    h_send(h, cseg(1000, MSG, 20, 5), NULL);
    ck_assert_uint_eq(h->dir[0].len, 0);
    h_send(h, cseg(1000, MSG, 30, 5), NULL);
    const struct h_dir *d = &h->dir[MW_DIR_FWD];
    ck_assert_uint_eq(h_stream_stat(h, "stream.seg_limit"), 1);
    /* First hole [0,10) skipped, island 1 delivered; island 2 + 3 now fit. */
    ck_assert_uint_eq(d->gaps, 1);
    ck_assert_uint_eq(d->lost, 10);
    ck_assert_uint_eq(d->len, 5);
    ck_assert(memcmp(d->out, MSG + 10, 5) == 0);
    /* Fill [15,20) and [25,30): everything after the gap arrives intact. */
    h_send(h, cseg(1000, MSG, 15, 5), NULL);
    h_send(h, cseg(1000, MSG, 25, 5), NULL);
    h_send(h, cseg(1000, MSG, 35, MSG_LEN - 35), NULL);
    ck_assert_uint_eq(d->len, MSG_LEN - 10);
    ck_assert(memcmp(d->out, MSG + 10, MSG_LEN - 10) == 0);
    ck_assert_uint_eq(d->gaps, 1);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_memcap_pressure)
{
    struct stream_params sp;
    stream_params_default(&sp);
    sp.memcap = 2048; /* one block for all flows */
    struct harness *h = h_new(0, &sp);
    /* Flow A takes the only block. */
    h_send(h, h_tcp(CLI, 40001, SRV, SPORT, MW_TCP_SYN, 100, NULL, 0), NULL);
    h_send(h, h_tcp(CLI, 40001, SRV, SPORT, MW_TCP_ACK, 101 + 10, MSG + 10, 10), NULL);
    ck_assert_uint_eq(stream_memuse(h->sc), 2048);
    /* Flow B cannot hold its out-of-order segment: it skips the hole at once. */
    h_send(h, h_tcp(CLI, 40002, SRV, SPORT, MW_TCP_SYN, 100, NULL, 0), NULL);
    h_send(h, h_tcp(CLI, 40002, SRV, SPORT, MW_TCP_ACK, 101 + 10, MSG + 10, 10), NULL);
    ck_assert_uint_eq(h_stream_stat(h, "stream.memcap_drops"), 1);
    ck_assert_uint_eq(h->dir[0].gaps, 1);
    ck_assert_uint_eq(h->dir[0].lost, 10);
    assert_out(&h->dir[0], MSG + 10, 10);
    ck_assert_uint_le(stream_memuse(h->sc), 2048);
    /* Flow A's hole fills normally. */
    h_send(h, h_tcp(CLI, 40001, SRV, SPORT, MW_TCP_ACK, 101, MSG, 10), NULL);
    ck_assert_uint_eq(h->dir[0].len, 30);
    ck_assert(memcmp(h->dir[0].out + 10, MSG, 20) == 0);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_rst_flushes)
{
    struct harness *h = h_new(0, NULL);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 10, 10), NULL);
    h_send(h, h_tcp(SRV, SPORT, CLI, CPORT, MW_TCP_RST, 5001, NULL, 0), NULL);
    ck_assert_uint_eq(h->dir[0].gaps, 1);
    assert_out(&h->dir[0], MSG + 10, 10);
    ck_assert_uint_eq(stream_memuse(h->sc), 0);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_flow_end_flushes)
{
    struct harness *h = h_new(0, NULL);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 0, 5), NULL);
    h_send(h, cseg(1000, MSG, 10, 10), NULL);
    h_send(h, cseg(1000, MSG, 30, 10), NULL);
    ck_assert_uint_eq(h->dir[0].len, 5);
    flow_table_shutdown(h->ft);
    ck_assert_uint_eq(h->dir[0].gaps, 2);
    ck_assert_uint_eq(h->dir[0].lost, 15);
    ck_assert_uint_eq(h->dir[0].len, 25);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_depth_and_keep_following)
{
    struct stream_params sp;
    stream_params_default(&sp);
    sp.depth = 25;
    struct harness *h = h_new(0, &sp);
    handshake(h, 1000, 5000);
    struct mw_flow *f = h_send(h, cseg(1000, MSG, 0, 20), NULL);
    h_send(h, cseg(1000, MSG, 30, 5), NULL); /* held, then dropped at the depth */
    h_send(h, cseg(1000, MSG, 20, 10), NULL);
    assert_out(&h->dir[0], MSG, 25);
    ck_assert_uint_eq(h_stream_stat(h, "stream.depth_reached"), 1);
    ck_assert_uint_eq(stream_memuse(h->sc), 0);
    h_send(h, cseg(1000, MSG, 35, 5), NULL);
    ck_assert_uint_eq(h->dir[0].len, 25);
    /* Detection asks for more: delivery resumes with a gap for what was skipped. */
    f->keep_following = 1;
    h_send(h, cseg(1000, MSG, 40, 10), NULL);
    ck_assert_uint_eq(h->dir[0].gaps, 1);
    ck_assert_uint_eq(h->dir[0].lost, 15);
    ck_assert_uint_eq(h->dir[0].len, 35);
    ck_assert(memcmp(h->dir[0].out + 25, MSG + 40, 10) == 0);
    h_send(h, cseg(1000, MSG, 50, MSG_LEN - 50), NULL);
    ck_assert_uint_eq(h->dir[0].len, MSG_LEN - 15);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_depth_is_per_direction)
{
    struct stream_params sp;
    stream_params_default(&sp);
    sp.depth = 10;
    struct harness *h = h_new(0, &sp);
    handshake(h, 1000, 5000);
    h_send(h, cseg(1000, MSG, 0, 30), NULL);
    h_send(h, h_tcp(SRV, SPORT, CLI, CPORT, MW_TCP_ACK, 5001, MSG, 30), NULL);
    assert_out(&h->dir[0], MSG, 10);
    assert_out(&h->dir[1], MSG, 10);
    ck_assert_uint_eq(h_stream_stat(h, "stream.depth_reached"), 2);
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

/* Deliver segments [cuts[i], cuts[i+1]) in the order given by perm, on a fresh
 * connection (client port cport) of the shared harness h; every arrangement must
 * reproduce the message byte for byte with no gap. */
static void run_split(struct harness *h, uint16_t cport, const uint32_t *cuts, int nseg, const int *perm, uint32_t isn)
{
    memset(&h->dir[0], 0, sizeof h->dir[0]);
    h_send(h, h_tcp(CLI, cport, SRV, SPORT, MW_TCP_SYN, isn, NULL, 0), NULL);
    for (int i = 0; i < nseg; i++) {
        int s = perm[i];
        h_send(h, h_tcp(CLI, cport, SRV, SPORT, MW_TCP_ACK, isn + 1 + cuts[s], MSG + cuts[s], cuts[s + 1] - cuts[s]),
               NULL);
    }
    const struct h_dir *d = &h->dir[0];
    if (d->len != MSG_LEN || memcmp(d->out, MSG, MSG_LEN) != 0 || d->gaps != 0)
        ck_abort_msg("split mismatch: cuts %u %u order %d %d %d", cuts[1], nseg > 2 ? cuts[2] : 0, perm[0], perm[1],
                     nseg > 2 ? perm[2] : -1);
    ck_assert_uint_eq(stream_memuse(h->sc), 0);
}

START_TEST(test_every_split_two)
{
    static const int orders[2][2] = { { 0, 1 }, { 1, 0 } };
    struct harness *h = h_new(0, NULL);
    uint16_t port = 1024;
    for (uint32_t a = 1; a < MSG_LEN; a++) {
        uint32_t cuts[3] = { 0, a, MSG_LEN };
        for (int o = 0; o < 2; o++)
            run_split(h, port++, cuts, 2, orders[o], 0xffffffd0u + a);
    }
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_every_split_three)
{
    static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
    struct harness *h = h_new(0, NULL);
    uint16_t port = 1024;
    for (uint32_t a = 1; a < MSG_LEN; a++)
        for (uint32_t b = a + 1; b < MSG_LEN; b++) {
            uint32_t cuts[4] = { 0, a, b, MSG_LEN };
            for (int o = 0; o < 6; o++)
                run_split(h, port++, cuts, 3, orders[o], 0xffffffc0u + a * 3 + b);
        }
    ck_assert_uint_eq(h_free(h), 0);
}
END_TEST

START_TEST(test_every_split_with_duplicates)
{
    /* Every two-way split sent as: second part, whole message (overlapping both),
     * first part again. First seen wins and nothing is delivered twice. */
    for (uint32_t a = 1; a < MSG_LEN; a++) {
        struct harness *h = h_new(0, NULL);
        handshake(h, 42, 5000);
        h_send(h, cseg(42, MSG, a, MSG_LEN - a), NULL);
        h_send(h, cseg(42, MSG, 0, MSG_LEN), NULL);
        h_send(h, cseg(42, MSG, 0, a), NULL);
        assert_out(&h->dir[0], MSG, MSG_LEN);
        ck_assert_uint_eq(h_stream_stat(h, "stream.overlap_mismatch"), 0);
        ck_assert_uint_eq(h_free(h), 0);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_in_order);
    tcase_add_test(tc, test_out_of_order);
    tcase_add_test(tc, test_reversed_single_bytes);
    tcase_add_test(tc, test_retransmission);
    tcase_add_test(tc, test_overlap_same_and_different);
    tcase_add_test(tc, test_wraparound);
    tcase_add_test(tc, test_midstream_and_one_direction);
    tcase_add_test(tc, test_syn_data);
    tcase_add_test(tc, test_gap_on_fin_then_resync);
    tcase_add_test(tc, test_gap_on_segment_limit);
    tcase_add_test(tc, test_memcap_pressure);
    tcase_add_test(tc, test_rst_flushes);
    tcase_add_test(tc, test_flow_end_flushes);
    tcase_add_test(tc, test_depth_and_keep_following);
    tcase_add_test(tc, test_depth_is_per_direction);
    tcase_add_test(tc, test_every_split_two);
    tcase_add_test(tc, test_every_split_three);
    tcase_add_test(tc, test_every_split_with_duplicates);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
