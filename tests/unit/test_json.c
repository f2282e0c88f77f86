/* test_json.c - the JSON line writer: escaping, UTF-8 repair, truncation, overflow,
 * nesting, and a round trip through Python's json module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/eve/json.h"
#include "unit/check_main.h"

/* One string value as a complete line, returned without the trailing newline. */
static const char *render(const void *s, size_t n)
{
    static char buf[8192];
    struct jw w;
    jw_init(&w, buf, sizeof buf);
    jw_strn(&w, s, n);
    long len = jw_finish(&w);
    ck_assert_int_gt(len, 0);
    ck_assert_int_eq(buf[len - 1], '\n');
    buf[len - 1] = '\0';
    return buf;
}

#define R(lit) render(lit, sizeof(lit) - 1)

START_TEST(test_plain_and_quotes)
{
    ck_assert_str_eq(R("hello"), "\"hello\"");
    ck_assert_str_eq(R(""), "\"\"");
    ck_assert_str_eq(R("a\"b"), "\"a\\\"b\"");
    ck_assert_str_eq(R("a\\b"), "\"a\\\\b\"");
    ck_assert_str_eq(R("\\\""), "\"\\\\\\\"\"");
    ck_assert_str_eq(R("/"), "\"/\"");
}
END_TEST

START_TEST(test_every_control_char)
{
    for (unsigned c = 0; c < 0x20; c++) {
        char in[3] = { 'a', (char)c, 'b' };
        char want[32];
        if (c == '\n')
            snprintf(want, sizeof want, "\"a\\nb\"");
        else if (c == '\r')
            snprintf(want, sizeof want, "\"a\\rb\"");
        else if (c == '\t')
            snprintf(want, sizeof want, "\"a\\tb\"");
        else
            snprintf(want, sizeof want, "\"a\\u%04xb\"", c);
        ck_assert_str_eq(render(in, 3), want);
    }
    ck_assert_str_eq(R("\x7f"), "\"\\u007f\"");
    /* An ANSI colour sequence loses its ESC, so it cannot drive a terminal. */
    ck_assert_str_eq(R("\x1b[31mred"), "\"\\u001b[31mred\"");
}
END_TEST

START_TEST(test_valid_utf8_passes)
{
    ck_assert_str_eq(R("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    ck_assert_str_eq(R("\xe2\x82\xac"), "\"\xe2\x82\xac\"");          /* U+20AC */
    ck_assert_str_eq(R("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");  /* U+1F600 */
    ck_assert_str_eq(R("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");  /* U+10FFFF */
    ck_assert_str_eq(R("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");          /* U+D7FF */
    ck_assert_str_eq(R("\xee\x80\x80"), "\"\xee\x80\x80\"");          /* U+E000 */
    ck_assert_str_eq(R("\xc2\x80"), "\"\xc2\x80\"");                  /* U+0080 */
    ck_assert_str_eq(R("\xe2\x80\xa8"), "\"\\u2028\"");
    ck_assert_str_eq(R("\xe2\x80\xa9"), "\"\\u2029\"");
    ck_assert_str_eq(R("\xe2\x80\xa7"), "\"\xe2\x80\xa7\"");          /* U+2027 is fine */
}
END_TEST

START_TEST(test_invalid_utf8_classes)
{
    /* lone continuation bytes */
    ck_assert_str_eq(R("\x80"), "\"\\\\x80\"");
    ck_assert_str_eq(R("a\xbf"), "\"a\\\\xbf\"");
    /* bytes that never occur */
    ck_assert_str_eq(R("\xc0\xc1\xf5\xff"), "\"\\\\xc0\\\\xc1\\\\xf5\\\\xff\"");
    /* overlongs: / as 2 and 3 bytes, U+FFFF as 4 bytes */
    ck_assert_str_eq(R("\xc0\xaf"), "\"\\\\xc0\\\\xaf\"");
    ck_assert_str_eq(R("\xe0\x80\xaf"), "\"\\\\xe0\\\\x80\\\\xaf\"");
    ck_assert_str_eq(R("\xf0\x8f\xbf\xbf"), "\"\\\\xf0\\\\x8f\\\\xbf\\\\xbf\"");
    /* UTF-16 surrogates U+D800, U+DFFF */
    ck_assert_str_eq(R("\xed\xa0\x80"), "\"\\\\xed\\\\xa0\\\\x80\"");
    ck_assert_str_eq(R("\xed\xbf\xbf"), "\"\\\\xed\\\\xbf\\\\xbf\"");
    /* above U+10FFFF */
    ck_assert_str_eq(R("\xf4\x90\x80\x80"), "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");
    /* truncated sequences: at the end, and followed by ASCII */
    ck_assert_str_eq(R("\xe2\x82"), "\"\\\\xe2\\\\x82\"");
    ck_assert_str_eq(R("\xf0\x9f\x98" "A"), "\"\\\\xf0\\\\x9f\\\\x98A\"");
    ck_assert_str_eq(R("\xc3"), "\"\\\\xc3\"");
    /* a valid character right after a broken one survives */
    ck_assert_str_eq(R("\xe2\xc3\xa9"), "\"\\\\xe2\xc3\xa9\"");
    /* NUL inside a counted string */
    ck_assert_str_eq(render("a\0b", 3), "\"a\\u0000b\"");
}
END_TEST

START_TEST(test_truncation)
{
    char buf[256];
    struct jw w;
    jw_init(&w, buf, sizeof buf);
    jw_strn_max(&w, "abcdef", 6, 6);
    ck_assert_int_gt(jw_finish(&w), 0);
    ck_assert_str_eq(buf, "\"abcdef\"\n");

    jw_init(&w, buf, sizeof buf);
    jw_strn_max(&w, "abcdefg", 7, 6);
    ck_assert_int_gt(jw_finish(&w), 0);
    ck_assert_str_eq(buf, "\"abcdef[truncated]\"\n");

    /* The cut falls inside U+20AC (bytes 2..4): the whole character goes. */
    const char *euro = "ab\xe2\x82\xac" "cd";
    for (size_t max = 2; max <= 4; max++) {
        jw_init(&w, buf, sizeof buf);
        jw_strn_max(&w, euro, 7, max);
        ck_assert_int_gt(jw_finish(&w), 0);
        ck_assert_str_eq(buf, "\"ab[truncated]\"\n");
    }
    jw_init(&w, buf, sizeof buf);
    jw_strn_max(&w, euro, 7, 5);
    ck_assert_int_gt(jw_finish(&w), 0);
    ck_assert_str_eq(buf, "\"ab\xe2\x82\xac[truncated]\"\n");

    /* Invalid bytes are single units: the cut may fall between them. */
    jw_init(&w, buf, sizeof buf);
    jw_strn_max(&w, "\xff\xfe\xfd", 3, 2);
    ck_assert_int_gt(jw_finish(&w), 0);
    ck_assert_str_eq(buf, "\"\\\\xff\\\\xfe[truncated]\"\n");

    jw_init(&w, buf, sizeof buf);
    jw_strn_max(&w, "xyz", 3, 0);
    ck_assert_int_gt(jw_finish(&w), 0);
    ck_assert_str_eq(buf, "\"[truncated]\"\n");
}
END_TEST

/* A value an evidence field already cut inside a character (its last bytes are the start
 * of a sequence whose end was never stored): the truncated output must drop that partial
 * character, not show its bytes as \xHH escapes the wire never had. */
START_TEST(test_truncation_partial_tail)
{
    char buf[256];
    struct jw w;
    static const char *const tails[] = { "ab\xe2\x82", "ab\xe2", "ab\xf0\x9f\x98", "ab\xf0\x9f", "ab\xc3" };
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        size_t n = strlen(tails[i]);
        jw_init(&w, buf, sizeof buf);
        jw_strn_max(&w, tails[i], n, n - 1);
        ck_assert_int_gt(jw_finish(&w), 0);
        ck_assert_msg(strcmp(buf, "\"ab[truncated]\"\n") == 0, "tail %zu gave %s", i, buf);
    }
    /* A stray continuation byte or a lead byte followed by ASCII stays an escaped byte. */
    jw_init(&w, buf, sizeof buf);
    jw_strn_max(&w, "ab\x82\x82", 4, 3);
    ck_assert_int_gt(jw_finish(&w), 0);
    ck_assert_str_eq(buf, "\"ab\\\\x82[truncated]\"\n");
    jw_init(&w, buf, sizeof buf);
    jw_strn_max(&w, "a\xe2z", 3, 2);
    ck_assert_int_gt(jw_finish(&w), 0);
    ck_assert_str_eq(buf, "\"a\\\\xe2[truncated]\"\n");
}
END_TEST

START_TEST(test_nesting_and_types)
{
    char buf[512];
    struct jw w;
    jw_init(&w, buf, sizeof buf);
    jw_object_begin(&w);
    jw_kv_str(&w, "event_type", "alert");
    jw_kv_uint(&w, "u", UINT64_MAX);
    jw_kv_int(&w, "i", INT64_MIN);
    jw_kv_bool(&w, "t", 1);
    jw_kv_bool(&w, "f", 0);
    jw_kv_double(&w, "d", 0.5);
    jw_kv_double(&w, "nan", 0.0 / 0.0);
    jw_kv_double(&w, "inf", -1.0 / 0.0);
    jw_key(&w, "n");
    jw_null(&w);
    jw_key(&w, "a");
    jw_array_begin(&w);
    jw_uint(&w, 1);
    jw_object_begin(&w);
    jw_object_end(&w);
    jw_array_begin(&w);
    jw_array_end(&w);
    jw_str(&w, "x");
    jw_array_end(&w);
    jw_key(&w, "r");
    jw_raw(&w, "{\"k\":1}");
    jw_object_end(&w);
    long n = jw_finish(&w);
    const char *want = "{\"event_type\":\"alert\",\"u\":18446744073709551615,"
                       "\"i\":-9223372036854775808,\"t\":true,\"f\":false,\"d\":0.5,"
                       "\"nan\":null,\"inf\":null,\"n\":null,\"a\":[1,{},[],\"x\"],"
                       "\"r\":{\"k\":1}}\n";
    ck_assert_str_eq(buf, want);
    ck_assert_int_eq(n, (long)strlen(want));
}
END_TEST

/* A double is always written as a float literal, so a SIEM that maps the field from its
 * first value never sees an integer and truncates later fractions. */
START_TEST(test_double_always_float_literal)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = { { 8192, "8192.0" }, { 0, "0.0" }, { -3, "-3.0" }, { 5.96e-06, "5.96e-06" },
                  { 1e300, "1e+300" }, { 10000.016985024307, "10000.016985024307" }, { 0.5, "0.5" } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        struct jw w;
        jw_init(&w, buf, sizeof buf);
        jw_double(&w, cases[i].v);
        ck_assert_int_gt(jw_finish(&w), 0);
        buf[strcspn(buf, "\n")] = '\0';
        ck_assert_str_eq(buf, cases[i].want);
    }
}
END_TEST

START_TEST(test_depth_cap_and_balance)
{
    char buf[512];
    struct jw w;
    jw_init(&w, buf, sizeof buf);
    for (int i = 0; i < JW_MAX_DEPTH; i++)
        jw_array_begin(&w);
    for (int i = 0; i < JW_MAX_DEPTH; i++)
        jw_array_end(&w);
    ck_assert_int_gt(jw_finish(&w), 0);

    jw_init(&w, buf, sizeof buf);
    for (int i = 0; i <= JW_MAX_DEPTH; i++)
        jw_array_begin(&w);
    for (int i = 0; i <= JW_MAX_DEPTH; i++)
        jw_array_end(&w);
    ck_assert_int_eq(jw_finish(&w), -1);

    jw_init(&w, buf, sizeof buf); /* unclosed */
    jw_object_begin(&w);
    ck_assert_int_eq(jw_finish(&w), -1);
    jw_init(&w, buf, sizeof buf); /* extra close */
    jw_object_begin(&w);
    jw_object_end(&w);
    jw_object_end(&w);
    ck_assert_int_eq(jw_finish(&w), -1);
    jw_init(&w, buf, sizeof buf); /* key without value */
    jw_object_begin(&w);
    jw_key(&w, "k");
    jw_object_end(&w);
    ck_assert_int_eq(jw_finish(&w), -1);
    jw_init(&w, buf, sizeof buf); /* nothing */
    ck_assert_int_eq(jw_finish(&w), -1);
}
END_TEST

/* Every buffer size from 0 up: the line either fits exactly or is refused, and the
 * writer never touches a byte past cap. */
START_TEST(test_overflow_every_size)
{
    char full[256];
    struct jw w;
    jw_init(&w, full, sizeof full);
    jw_object_begin(&w);
    jw_kv_str(&w, "k", "v\x01\xff");
    jw_kv_uint(&w, "n", 12345);
    jw_object_end(&w);
    long want = jw_finish(&w);
    ck_assert_int_gt(want, 0);

    for (size_t cap = 0; cap < (size_t)want + 4; cap++) {
        char buf[300];
        memset(buf, 'Z', sizeof buf);
        jw_init(&w, buf, cap);
        jw_object_begin(&w);
        jw_kv_str(&w, "k", "v\x01\xff");
        jw_kv_uint(&w, "n", 12345);
        jw_object_end(&w);
        long n = jw_finish(&w);
        if (cap >= (size_t)want + 1) {
            ck_assert_int_eq(n, want);
            ck_assert_mem_eq(buf, full, (size_t)want + 1);
        } else {
            ck_assert_int_eq(n, -1);
            ck_assert(w.overflow);
        }
        for (size_t i = cap; i < sizeof buf; i++)
            ck_assert_int_eq(buf[i], 'Z');
    }
}
END_TEST

/* --- round trip through a real JSON parser ------------------------------------ */

static const char py_check[] =
    "import json,sys\n"
    "bad=0; n=0\n"
    "lines=sys.stdin.buffer.read().split(b'\\n')\n"
    "for i in range(0, len(lines)-1, 2):\n"
    "    raw=bytes.fromhex(lines[i].decode('ascii'))\n"
    "    txt=lines[i+1].decode('utf-8')\n"
    "    v=json.loads(txt)['v']\n"
    "    n+=1\n"
    "    if v != raw.decode('utf-8','backslashreplace'): bad+=1; print('MISMATCH', lines[i].decode())\n"
    "print('checked', n, 'bad', bad)\n";

static int have_python(void)
{
    return system("python3 -c 'import json' >/dev/null 2>&1") == 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

START_TEST(test_round_trip_python)
{
    if (!have_python()) {
        fprintf(stderr, "python3 not available: round trip skipped\n");
        return; /* the whole executable reports 77 below */
    }
    char tmpl[] = "/tmp/mw_json_rt_XXXXXX";
    int fd = mkstemp(tmpl);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    static const uint8_t alphabet[] = { 0x00, 0x01, 0x1b, 0x1f, 0x20, '"', '\\', 'a', 0x7f,
                                        0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2,
                                        0x80, 0xa8, 0xa9, 0xed, 0xa0, 0x9f, 0xef, 0xf0, 0x90,
                                        0xf4, 0x8f, 0xf5, 0xff, '\n', '\r', '\t', 'z' };
    int cases = 0;
    for (int t = 0; t < 3000; t++) {
        uint8_t in[64];
        size_t n = rnd() % sizeof in;
        for (size_t i = 0; i < n; i++)
            in[i] = (t & 1) ? (uint8_t)rnd() : alphabet[rnd() % sizeof alphabet];
        char line[1024];
        struct jw w;
        jw_init(&w, line, sizeof line);
        jw_object_begin(&w);
        jw_key(&w, "v");
        jw_strn(&w, in, n);
        jw_object_end(&w);
        ck_assert_int_gt(jw_finish(&w), 0);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%02x", in[i]);
        fprintf(f, "\n%s", line);
        cases++;
    }
    fclose(f);

    char cmd[512];
    snprintf(cmd, sizeof cmd, "python3 -c \"$MW_PY\" < %s", tmpl);
    setenv("MW_PY", py_check, 1);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char out[4096] = "";
    size_t got = fread(out, 1, sizeof out - 1, p);
    out[got] = '\0';
    int rc = pclose(p);
    unlink(tmpl);
    char want[64];
    snprintf(want, sizeof want, "checked %d bad 0\n", cases);
    ck_assert_msg(rc == 0 && strcmp(out, want) == 0, "python said (rc %d): %s", rc, out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_plain_and_quotes);
    tcase_add_test(tc, test_every_control_char);
    tcase_add_test(tc, test_valid_utf8_passes);
    tcase_add_test(tc, test_invalid_utf8_classes);
    tcase_add_test(tc, test_truncation);
    tcase_add_test(tc, test_truncation_partial_tail);
    tcase_add_test(tc, test_nesting_and_types);
    tcase_add_test(tc, test_depth_cap_and_balance);
    tcase_add_test(tc, test_overflow_every_size);
    tcase_add_test(tc, test_round_trip_python);
    tcase_add_test(tc, test_double_always_float_literal);
    suite_add_tcase(s, tc);
    return mw_check_run_or_skip(s, have_python() ? NULL : "python3 missing, JSON round trip not checked");
}
