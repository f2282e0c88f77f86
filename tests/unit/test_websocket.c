/* test_websocket.c - RFC 6455 frame header parsing and unmasking. */
#include <stdlib.h>
#include <string.h>

#include "dissectors/websocket.h"
#include "unit/check_main.h"

START_TEST(test_unmasked_small)
{
    /* RFC 6455 5.7: a single-frame unmasked text message "Hello" */
    const uint8_t f[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };
    struct ws_frame w;
    ck_assert_int_eq(ws_parse_frame(f, 0, &w), WS_NEED_MORE);
    ck_assert_int_eq(ws_parse_frame(f, 1, &w), WS_NEED_MORE);
    ck_assert_int_eq(ws_parse_frame(f, sizeof f, &w), 2);
    ck_assert_uint_eq(w.fin, 1);
    ck_assert_uint_eq(w.opcode, WS_OP_TEXT);
    ck_assert_uint_eq(w.masked, 0);
    ck_assert_uint_eq(w.payload_len, 5);
    ck_assert_uint_eq(w.avail, 5);
    ck_assert(memcmp(w.payload, "Hello", 5) == 0);
    ck_assert_int_eq(ws_parse_frame(f, 4, &w), 2);
    ck_assert_uint_eq(w.avail, 2);
}
END_TEST

START_TEST(test_masked)
{
    /* RFC 6455 5.7: a single-frame masked text message "Hello" */
    const uint8_t f[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    struct ws_frame w;
    for (size_t i = 0; i < 6; i++)
        ck_assert_int_eq(ws_parse_frame(f, i, &w), WS_NEED_MORE);
    ck_assert_int_eq(ws_parse_frame(f, sizeof f, &w), 6);
    ck_assert_uint_eq(w.masked, 1);
    uint8_t out[5];
    ws_unmask(out, w.payload, 5, w.mask, 0);
    ck_assert(memcmp(out, "Hello", 5) == 0);
    /* piecewise unmasking with offsets gives the same bytes */
    ws_unmask(out, w.payload, 2, w.mask, 0);
    ws_unmask(out + 2, w.payload + 2, 3, w.mask, 2);
    ck_assert(memcmp(out, "Hello", 5) == 0);
}
END_TEST

START_TEST(test_extended_lengths)
{
    uint8_t f16[4] = { 0x82, 126, 0x01, 0x00 }; /* 256 bytes, RFC 6455 5.7 example */
    struct ws_frame w;
    ck_assert_int_eq(ws_parse_frame(f16, 3, &w), WS_NEED_MORE);
    ck_assert_int_eq(ws_parse_frame(f16, 4, &w), 4);
    ck_assert_uint_eq(w.payload_len, 256);
    ck_assert_uint_eq(w.avail, 0);
    uint8_t f64[10] = { 0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0 }; /* 65536 */
    for (size_t i = 2; i < 10; i++)
        ck_assert_int_eq(ws_parse_frame(f64, i, &w), WS_NEED_MORE);
    ck_assert_int_eq(ws_parse_frame(f64, 10, &w), 10);
    ck_assert_uint_eq(w.payload_len, 65536);
    /* 2^63 - 1: legal, reported, nothing buffered */
    uint8_t fmax[14] = { 0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4 };
    ck_assert_int_eq(ws_parse_frame(fmax, 14, &w), 14);
    ck_assert(w.payload_len == 0x7fffffffffffffffULL);
    ck_assert_uint_eq(w.avail, 0);
    /* 2^63: the most significant bit MUST be 0 */
    uint8_t f63[10] = { 0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0 };
    ck_assert_int_eq(ws_parse_frame(f63, 10, &w), WS_MALFORMED);
    ck_assert_int_eq(w.error, WS_ERR_LENGTH_MSB);
    /* non-minimal encodings */
    uint8_t nm16[4] = { 0x82, 126, 0x00, 0x05 };
    ck_assert_int_eq(ws_parse_frame(nm16, 4, &w), WS_MALFORMED);
    ck_assert_int_eq(w.error, WS_ERR_NON_MINIMAL);
    uint8_t nm64[10] = { 0x82, 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    ck_assert_int_eq(ws_parse_frame(nm64, 10, &w), WS_MALFORMED);
}
END_TEST

START_TEST(test_control_frames)
{
    struct ws_frame w;
    const uint8_t ping[] = { 0x89, 0x02, 'h', 'i' };
    ck_assert_int_eq(ws_parse_frame(ping, sizeof ping, &w), 2);
    ck_assert(ws_is_control(w.opcode));
    const uint8_t frag_ping[] = { 0x09, 0x00 };
    ck_assert_int_eq(ws_parse_frame(frag_ping, sizeof frag_ping, &w), WS_MALFORMED);
    ck_assert_int_eq(w.error, WS_ERR_CONTROL);
    const uint8_t big_close[] = { 0x88, 126, 0x00, 0x80 };
    ck_assert_int_eq(ws_parse_frame(big_close, 2, &w), WS_MALFORMED);
    ck_assert_int_eq(ws_parse_frame(big_close, sizeof big_close, &w), WS_MALFORMED);
    const uint8_t pong125[] = { 0x8a, 125 };
    ck_assert_int_eq(ws_parse_frame(pong125, sizeof pong125, &w), 2);
}
END_TEST

START_TEST(test_reserved_bits_and_opcodes)
{
    struct ws_frame w;
    for (int op = 0; op < 16; op++) {
        uint8_t f[2] = { (uint8_t)(0x80 | op), 0 };
        long r = ws_parse_frame(f, 2, &w);
        int known = op <= 2 || (op >= 8 && op <= 10);
        ck_assert_int_eq(r, known ? 2 : WS_MALFORMED);
    }
    const uint8_t rsv1[] = { 0xc1, 0x00 };
    ck_assert_int_eq(ws_parse_frame(rsv1, 2, &w), 2);
    ck_assert_uint_eq(w.rsv1, 1);
    const uint8_t rsv2[] = { 0xa1, 0x00 };
    ck_assert_int_eq(ws_parse_frame(rsv2, 2, &w), WS_MALFORMED);
    ck_assert_int_eq(w.error, WS_ERR_RSV);
    const uint8_t rsv3[] = { 0x91, 0x00 };
    ck_assert_int_eq(ws_parse_frame(rsv3, 2, &w), WS_MALFORMED);
}
END_TEST

START_TEST(test_fragments)
{
    /* RFC 6455 5.7: "Hel" then continuation "lo" */
    const uint8_t f[] = { 0x01, 0x03, 'H', 'e', 'l', 0x80, 0x02, 'l', 'o' };
    struct ws_frame w;
    ck_assert_int_eq(ws_parse_frame(f, sizeof f, &w), 2);
    ck_assert_uint_eq(w.fin, 0);
    ck_assert_uint_eq(w.opcode, WS_OP_TEXT);
    ck_assert_uint_eq(w.avail, 3);
    ck_assert_int_eq(ws_parse_frame(f + 5, 4, &w), 2);
    ck_assert_uint_eq(w.fin, 1);
    ck_assert_uint_eq(w.opcode, WS_OP_CONT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("websocket");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_unmasked_small);
    tcase_add_test(tc, test_masked);
    tcase_add_test(tc, test_extended_lengths);
    tcase_add_test(tc, test_control_frames);
    tcase_add_test(tc, test_reserved_bits_and_opcodes);
    tcase_add_test(tc, test_fragments);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
