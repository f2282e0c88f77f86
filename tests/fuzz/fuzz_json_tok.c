/* fuzz_json_tok.c - the tokenizer, its helpers on every token, and the classifier. */
#include <stddef.h>
#include <stdint.h>

#include "dissectors/json_tok.h"
#include "dissectors/jsonmine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct json_tok toks[256];
    int n = json_tok_parse(data, size, toks, 256, 16, JSON_TOK_STRICT_UTF8);
    n = json_tok_parse(data, size, toks, 256, 16, 0);
    for (int i = 0; i < n; i++) {
        char buf[16];
        double d;
        int64_t v;
        int had;
        (void)json_tok_unescape(data, toks, n, i, buf, sizeof buf);
        (void)json_tok_to_double(data, toks, n, i, &d);
        (void)json_tok_to_i64(data, toks, n, i, &v);
        (void)json_tok_hex_len(data, toks, n, i, &had);
        (void)json_tok_eq(data, toks, n, i, "mining.subscribe");
        (void)json_tok_arr_get(toks, n, i, 2);
        (void)json_tok_obj_get(data, toks, n, i, "params");
    }
    struct jsonmine_msg m;
    (void)jsonmine_classify(data, size, &m);
    for (int k = 0; k < JM_K__COUNT; k += 5)
        jsonmine_classify_response(data, size, k, &m);
    return 0;
}
