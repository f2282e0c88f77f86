/* fuzz_tls.c - the ClientHello body parser on the input, then the dissector over the
 * input as a client stream split where the first byte says. */
#include <stdint.h>
#include <string.h>

#include "dissectors/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_emit(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    (void)ctx;
    volatile size_t n = strlen(ev->pool_host) + strlen(ev->tls->ja3_string) + strlen(ev->tls->ja4);
    for (unsigned i = 0; i < ev->tls->n_alpn; i++)
        n += strlen(ev->tls->alpn[i]);
    (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mw_tls_hello hello;
    if (size < 1)
        return 0;
    (void)tls_parse_client_hello(data + 1, size - 1, &hello);

    uint64_t bad = 0;
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.emit = fuzz_emit;
    ctx.malformed = &bad;
    uint8_t st[16];
    tls_dissector.init(st);
    const uint8_t *p = data + 1;
    size_t n = size - 1, off = 0;
    size_t cut = n ? data[0] % (n + 1) : 0;
    size_t ends[2] = { cut, n };
    for (int k = 0; k < 2 && !ctx.closed; k++) {
        while (off < ends[k] && !ctx.closed) {
            long r = tls_dissector.feed(st, &ctx, MW_DIR_FWD, p + off, ends[k] - off);
            if (r <= 0) {
                if (r < 0)
                    ctx.closed = 1;
                break;
            }
            off += (size_t)r;
        }
    }
    return 0;
}
