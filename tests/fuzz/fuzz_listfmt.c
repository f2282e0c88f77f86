/* fuzz_listfmt.c - block list importers in every format, fed straight into the matchers. */
#include <stddef.h>
#include <stdint.h>

#include "rules/cidr.h"
#include "rules/domainset.h"
#include "rules/listfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sets {
    struct domainset *ds;
    struct cidr_set *cs;
};

static void on_name(void *ctx, const char *n, size_t len, size_t line)
{
    struct sets *s = ctx;
    (void)domainset_add(s->ds, n, len, DOMAINSET_SUFFIX, (uint32_t)line, NULL);
    uint32_t p;
    size_t ml;
    (void)domainset_lookup(s->ds, n, len, &p, &ml);
}

static void on_addr(void *ctx, const struct mw_addr *a, unsigned plen, uint16_t port, size_t line)
{
    struct sets *s = ctx;
    (void)cidr_add(s->cs, a, plen, port, (uint32_t)line, NULL);
    (void)cidr_lookup(s->cs, a, port, NULL);
}

static void on_error(void *ctx, size_t line, const char *msg)
{
    (void)ctx;
    (void)line;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sets s = { domainset_new(0), cidr_new() };
    if (!s.ds || !s.cs)
        goto out;
    struct listfmt_sink sink = { &s, on_name, on_addr, on_error };
    struct listfmt_stats st;
    for (int f = LISTFMT_AUTO; f <= LISTFMT_IP; f++)
        (void)listfmt_parse((const char *)data, size, (enum listfmt_format)f, &sink, &st);
    /* Every line is also a lookup key: hostile names must not break the matchers. */
    (void)domainset_lookup(s.ds, (const char *)data, size, NULL, NULL);
    (void)cidr_parse((const char *)data, size, NULL, NULL, NULL);
out:
    domainset_free(s.ds);
    cidr_free(s.cs);
    return 0;
}
