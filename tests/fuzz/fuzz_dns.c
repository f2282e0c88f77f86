/* fuzz_dns.c - dns_parse on the input, then the dissector over it as a TCP stream
 * split where the first byte says. */
#include <stdint.h>
#include <string.h>

#include "dissectors/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_emit(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    (void)ctx;
    /* Touch every string the integrator will read. */
    volatile size_t n = strlen(ev->pool_host);
    for (unsigned i = 0; i < ev->dns->answer_count; i++)
        n += strlen(ev->dns->answers[i].name) + strlen(ev->dns->answers[i].target);
    (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mw_dns_record rec;
    (void)dns_parse(data, size, &rec);
    if (size < 1)
        return 0;

    uint64_t bad = 0;
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.port[0] = 40000;
    ctx.port[1] = 53;
    ctx.handshake_seen = data[0] & 1;
    ctx.emit = fuzz_emit;
    ctx.malformed = &bad;
    uint8_t st[64];
    dns_dissector.init(st);
    size_t cut = size > 1 ? 1 + data[0] % (size - 1) : 1;
    const uint8_t *p = data + 1;
    size_t n = size - 1, off = 0;
    /* Re-offer unconsumed bytes as the sensor does: feed [off, cut), then [off, end). */
    size_t ends[2] = { cut - 1 < n ? cut - 1 : n, n };
    for (int k = 0; k < 2 && !ctx.closed; k++) {
        while (off < ends[k]) {
            long r = dns_dissector.feed(st, &ctx, MW_DIR_FWD, p + off, ends[k] - off);
            if (r <= 0)
                break;
            off += (size_t)r;
        }
    }
    return 0;
}
