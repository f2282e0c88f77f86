/* test_yamlpos.c - the YAML walking shared by the configuration, the rule files and
 * minewatch-update's sources.yaml (core/yamlpos.h): every error names FILE:LINE:COL of the
 * node at fault, and a parser error carries libyaml's problem and context. */
#include <string.h>

#include "core/yamlpos.h"
#include "unit/check_main.h"

static yaml_document_t doc;
static char err[512];
static struct yamlpos_doc d;

static yaml_node_t *load(const char *y)
{
    yaml_parser_t p;
    ck_assert(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)y, strlen(y));
    ck_assert(yaml_parser_load(&p, &doc));
    yaml_parser_delete(&p);
    err[0] = '\0';
    d.doc = &doc;
    d.file = "f.yaml";
    d.err = err;
    d.errlen = sizeof err;
    return yaml_document_get_root_node(&doc);
}

static const char *const keys[] = { "name", "path" };

START_TEST(test_mapping)
{
    yaml_node_t *v[2];
    yaml_node_t *root = load("name: a\npath: /x\n");
    ck_assert_int_eq(yamlpos_mapping(&d, root, "source", keys, 2, v), 0);
    char buf[8];
    ck_assert_int_eq(yamlpos_scalar(&d, v[0], "name", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "a");
    yaml_document_delete(&doc);

    root = load("name: a\n  # x\nsize: 3\n");
    ck_assert_int_eq(yamlpos_mapping(&d, root, "source", keys, 2, v), -1);
    ck_assert_str_eq(err, "f.yaml:3:1: unknown key 'size' in source (expected one of: name, path)");
    ck_assert_ptr_null(v[1]);
    yaml_document_delete(&doc);

    root = load("{name: a, name: b}\n");
    ck_assert_int_eq(yamlpos_mapping(&d, root, "source", keys, 2, v), -1);
    ck_assert_str_eq(err, "f.yaml:1:11: duplicate key 'name' in source");
    yaml_document_delete(&doc);

    root = load("- a\n");
    ck_assert_int_eq(yamlpos_mapping(&d, root, "source", keys, 2, v), -1);
    ck_assert_str_eq(err, "f.yaml:1:1: source must be a mapping");
    yaml_document_delete(&doc);
}
END_TEST

START_TEST(test_scalar)
{
    char buf[4];
    yaml_node_t *root = load("[abcd, [x], \"a\\0b\"]\n");
    yaml_node_t *item[3];
    for (int i = 0; i < 3; i++)
        item[i] = yaml_document_get_node(&doc, root->data.sequence.items.start[i]);
    ck_assert_int_eq(yamlpos_scalar(&d, item[0], "name", buf, sizeof buf), -1);
    ck_assert_str_eq(err, "f.yaml:1:2: name is longer than 3 bytes");
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(yamlpos_scalar(&d, item[1], "name", buf, sizeof buf), -1);
    ck_assert_str_eq(err, "f.yaml:1:8: name must be a scalar");
    ck_assert_int_eq(yamlpos_scalar(&d, item[2], "name", buf, sizeof buf), -1);
    ck_assert_str_eq(err, "f.yaml:1:13: name contains a NUL byte");
    ck_assert_int_eq(yamlpos_fail(&d, NULL, "empty file"), -1);
    ck_assert_str_eq(err, "f.yaml: empty file");
    yaml_document_delete(&doc);
}
END_TEST

START_TEST(test_parser_error)
{
    static const char y[] = "a: 1\n b: 2\n";
    yaml_parser_t p;
    yaml_document_t bad;
    ck_assert(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)y, sizeof y - 1);
    ck_assert(!yaml_parser_load(&p, &bad));
    yamlpos_parser_error(err, sizeof err, "f.yaml", &p);
    ck_assert_str_eq(err, "f.yaml:2:3: mapping values are not allowed in this context");
    yaml_parser_delete(&p);

    static const char y2[] = "a: [1, 2\nb: 3\n";
    ck_assert(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)y2, sizeof y2 - 1);
    ck_assert(!yaml_parser_load(&p, &bad));
    yamlpos_parser_error(err, sizeof err, "f.yaml", &p);
    ck_assert_str_eq(err, "f.yaml:2:2: did not find expected ',' or ']' (while parsing a flow sequence)");
    yaml_parser_delete(&p);
}
END_TEST

static Suite *yamlpos_suite(void)
{
    Suite *su = suite_create("yamlpos");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mapping);
    tcase_add_test(tc, test_scalar);
    tcase_add_test(tc, test_parser_error);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    return mw_check_run(yamlpos_suite());
}
