/* test_json_tok.c - the strict JSON tokenizer: grammar, caps, escapes, helpers. */
#include <stdlib.h>
#include <string.h>

#include "dissectors/json_tok.h"
#include "unit/check_main.h"

#define NT 64
static struct json_tok toks[NT];

static int parse(const char *s)
{
    return json_tok_parse((const uint8_t *)s, strlen(s), toks, NT, 8, 0);
}

static int parse_strict(const char *s)
{
    return json_tok_parse((const uint8_t *)s, strlen(s), toks, NT, 8, JSON_TOK_STRICT_UTF8);
}

START_TEST(test_valid_texts)
{
    static const char *ok[] = {
        "{}", "[]", " \t\r\n{ } \n", "0", "-0", "-0.5e+10", "1E5", "123.456", "\"\"", "true", "false", "null",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\\"y\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}", "[[[[]]]]",
        "{\"k\":\"\xc3\xa9\"}", "[1 , 2 ,3 ]",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        ck_assert_msg(parse(ok[i]) > 0, "rejected %s", ok[i]);
}
END_TEST

START_TEST(test_invalid_texts)
{
    static const char *bad[] = {
        "{,}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
        "'x'", "[1 2]", "{\"a\":1}{}", "{} x", "\"\\x\"", "\"\\u12g4\"", "\"a\tb\"", "[}", "{]", "{\"a\":1]",
        "--1", "1.e5", "[,1]", "\"\x01\"", "NaN", "Infinity",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i]);
        ck_assert_msg(rc == JSON_TOK_ERR_INVAL || rc == JSON_TOK_ERR_PART, "accepted %s (%d)", bad[i], rc);
    }
    ck_assert_int_eq(parse("{\"a\":1,}"), JSON_TOK_ERR_INVAL);
    ck_assert_int_eq(parse("{\"a\":1} x"), JSON_TOK_ERR_INVAL);
}
END_TEST

/* Every proper prefix of a container text is incomplete, never accepted. */
START_TEST(test_every_prefix_is_partial)
{
    const char *s = "{\"id\":12,\"m\":\"a\\u00e9\\\"\",\"p\":[true,false,null,-1.5e3,{\"x\":[]}]}";
    size_t n = strlen(s);
    for (size_t k = 0; k < n; k++) {
        int rc = json_tok_parse((const uint8_t *)s, k, toks, NT, 8, 0);
        ck_assert_msg(rc == JSON_TOK_ERR_PART, "prefix %zu gave %d", k, rc);
    }
    ck_assert_int_gt(json_tok_parse((const uint8_t *)s, n, toks, NT, 8, 0), 0);
}
END_TEST

START_TEST(test_caps_are_distinct_errors)
{
    ck_assert_int_eq(parse("[[[[[[[[[1]]]]]]]]]"), JSON_TOK_ERR_DEPTH); /* 9 levels, cap 8 */
    ck_assert_int_gt(parse("[[[[[[[[1]]]]]]]]"), 0);                    /* 8 levels */
    char big[400];
    strcpy(big, "[");
    for (int i = 0; i < 70; i++)
        strcat(big, i ? ",1" : "1");
    strcat(big, "]");
    ck_assert_int_eq(parse(big), JSON_TOK_ERR_NOMEM);
    /* hostile: very deep nesting is refused without recursion */
    size_t n = 100000;
    char *deep = malloc(n);
    ck_assert_ptr_nonnull(deep);
    memset(deep, '[', n);
    ck_assert_int_eq(json_tok_parse((const uint8_t *)deep, n, toks, NT, 32, 0), JSON_TOK_ERR_DEPTH);
    free(deep);
}
END_TEST

START_TEST(test_structure_and_lookup)
{
    const char *s = "{\"mining\\u002esubscribe\":1,\"b\":[10,\"x\",[1,2],{\"k\":true}],\"c\":\"v\"}";
    int n = parse(s);
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(toks[0].type, JSON_T_OBJECT);
    ck_assert_uint_eq(toks[0].size, 3);
    ck_assert_uint_eq(toks[0].skip, (uint32_t)n);
    const uint8_t *js = (const uint8_t *)s;
    int v = json_tok_obj_get(js, toks, n, 0, "mining.subscribe");
    ck_assert_int_ge(v, 0);
    int64_t i64 = 0;
    ck_assert_int_eq(json_tok_to_i64(js, toks, n, v, &i64), 0);
    ck_assert_int_eq(i64, 1);
    int b = json_tok_obj_get(js, toks, n, 0, "b");
    ck_assert_int_eq(toks[b].type, JSON_T_ARRAY);
    ck_assert_uint_eq(toks[b].size, 4);
    ck_assert(json_tok_eq(js, toks, n, json_tok_arr_get(toks, n, b, 1), "x"));
    int inner = json_tok_arr_get(toks, n, b, 3);
    ck_assert_int_eq(toks[inner].type, JSON_T_OBJECT);
    ck_assert_int_eq(toks[json_tok_obj_get(js, toks, n, inner, "k")].type, JSON_T_TRUE);
    ck_assert_int_eq(json_tok_arr_get(toks, n, b, 4), -1);
    ck_assert(json_tok_eq(js, toks, n, json_tok_obj_get(js, toks, n, 0, "c"), "v"));
    ck_assert_int_eq(json_tok_obj_get(js, toks, n, 0, "missing"), -1);
    ck_assert_int_eq(json_tok_obj_get(js, toks, n, b, "x"), -1); /* not an object */
    ck_assert_int_eq(toks[json_tok_arr_get(toks, n, b, 2)].parent, b);
}
END_TEST

START_TEST(test_unescape)
{
    const char *s = "[\"a\\u00e9\\ud83d\\ude00\\n\\/\", \"\\udc00x\", \"\\ud800\", \"abcdef\"]";
    int n = parse(s);
    ck_assert_int_gt(n, 0);
    const uint8_t *js = (const uint8_t *)s;
    char buf[32];
    long l = json_tok_unescape(js, toks, n, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "a\xc3\xa9\xf0\x9f\x98\x80\n/");
    ck_assert_int_eq(l, 9);
    json_tok_unescape(js, toks, n, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "\xef\xbf\xbdx"); /* lone low surrogate */
    json_tok_unescape(js, toks, n, 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "\xef\xbf\xbd"); /* lone high surrogate */
    char small[4];
    l = json_tok_unescape(js, toks, n, 4, small, sizeof small);
    ck_assert_str_eq(small, "abc");
    ck_assert_int_eq(l, 6);
    ck_assert_int_eq(json_tok_unescape(js, toks, n, 0, buf, sizeof buf), -1);
    ck_assert(json_tok_eq(js, toks, n, 1, "a\xc3\xa9\xf0\x9f\x98\x80\n/"));
    ck_assert(!json_tok_eq(js, toks, n, 1, "a\xc3\xa9"));
    ck_assert(json_tok_prefix(js, toks, n, 1, "a\xc3\xa9"));
    ck_assert(!json_tok_prefix(js, toks, n, 4, "abcdefg"));
}
END_TEST

START_TEST(test_numbers_and_hex)
{
    const char *s = "[9223372036854775807,-9223372036854775808,9223372036854775808,1.5,-2e3,\"0x00fF\",\"abc\","
                    "\"0x\",\"x0\",\"\\u0030\\u0078ab\",\"0xg\"]";
    int n = parse(s);
    ck_assert_int_gt(n, 0);
    const uint8_t *js = (const uint8_t *)s;
    int64_t v;
    ck_assert_int_eq(json_tok_to_i64(js, toks, n, 1, &v), 0);
    ck_assert(v == INT64_MAX);
    ck_assert_int_eq(json_tok_to_i64(js, toks, n, 2, &v), 0);
    ck_assert(v == INT64_MIN);
    ck_assert_int_eq(json_tok_to_i64(js, toks, n, 3, &v), -1);
    ck_assert_int_eq(json_tok_to_i64(js, toks, n, 4, &v), -1);
    double d;
    ck_assert_int_eq(json_tok_to_double(js, toks, n, 4, &d), 0);
    ck_assert(d == 1.5);
    ck_assert_int_eq(json_tok_to_double(js, toks, n, 5, &d), 0);
    ck_assert(d == -2000.0);
    ck_assert_int_eq(json_tok_to_double(js, toks, n, 6, &d), -1);
    int had;
    ck_assert_int_eq(json_tok_hex_len(js, toks, n, 6, &had), 4);
    ck_assert_int_eq(had, 1);
    ck_assert_int_eq(json_tok_hex_len(js, toks, n, 7, &had), 3);
    ck_assert_int_eq(had, 0);
    ck_assert_int_eq(json_tok_hex_len(js, toks, n, 8, &had), 0);
    ck_assert_int_eq(json_tok_hex_len(js, toks, n, 9, &had), -1);
    ck_assert_int_eq(json_tok_hex_len(js, toks, n, 10, &had), 2); /* escaped "0xab" */
    ck_assert_int_eq(json_tok_hex_len(js, toks, n, 11, &had), -1);
    ck_assert_int_eq(json_tok_hex_len(js, toks, n, 1, &had), -1);  /* a number */
}
END_TEST

START_TEST(test_utf8_modes)
{
    /* overlong, surrogate, truncated, out of range */
    static const char *bad[] = { "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xe2\x82\"", "\"\xf4\x90\x80\x80\"",
                                 "\"\xff\"" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_lt(parse_strict(bad[i]), 0);
        ck_assert_int_gt(parse(bad[i]), 0); /* lenient mode keeps them: peers do */
    }
    ck_assert_int_gt(parse_strict("\"\xe2\x82\xac \xf0\x9f\x98\x80\""), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json_tok");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_valid_texts);
    tcase_add_test(tc, test_invalid_texts);
    tcase_add_test(tc, test_every_prefix_is_partial);
    tcase_add_test(tc, test_caps_are_distinct_errors);
    tcase_add_test(tc, test_structure_and_lookup);
    tcase_add_test(tc, test_unescape);
    tcase_add_test(tc, test_numbers_and_hex);
    tcase_add_test(tc, test_utf8_modes);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
