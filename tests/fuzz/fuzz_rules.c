/* fuzz_rules.c - rule files from memory: the loader must reject or compile, never crash. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    /* No base directory: imports are refused, so a fuzzer cannot read host files. */
    struct rules *r = rules_load_buffer((const char *)data, size, "fuzz.yaml", NULL, err, sizeof err);
    if (!r)
        return 0;
    struct rules_match m;
    static const char *const q[] = { "xmr-eu1.nanopool.org", "a.b", "pool.example.org.", "" };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        (void)rules_match_name(r, q[i], strlen(q[i]), &m);
    struct mw_addr a;
    memset(&a, 0, sizeof a);
    (void)rules_match_addr(r, &a, 3333, &m);
    a.b[10] = a.b[11] = 0xff;
    (void)rules_match_addr(r, &a, 0, &m);
    (void)rules_allowed(r, &a, "pool.example.org");
    (void)rules_allowed(r, &a, NULL);
    struct rules_counts c;
    rules_counts(r, &c);
    rules_free(r);
    return 0;
}
