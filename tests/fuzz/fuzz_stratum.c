/* fuzz_stratum.c - the stream dissector fed like the sensor feeds it: the first
 * byte picks the chunk size, chunks alternate direction when bit 7 is set, and
 * unconsumed bytes are kept and offered again. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dissectors/stratum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_emit(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    (void)ctx;
    (void)ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static uint8_t buf[2][STRATUM_MAX_LINE + 4096];
    size_t blen[2] = { 0, 0 };
    size_t chunk = (size_t)(data[0] & 0x3f) + 1;
    int alternate = data[0] & 0x80;
    data++;
    size--;
    struct stratum_state st;
    struct mw_flow_app app;
    uint64_t malformed = 0;
    memset(&app, 0, sizeof app);
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.app = &app;
    ctx.emit = on_emit;
    ctx.malformed = &malformed;
    stratum_dissector.init(&st);
    (void)stratum_dissector.probe(data, size, 0, &ctx);
    int dir = 0;
    for (size_t off = 0; off < size && !ctx.closed; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (blen[dir] + n > sizeof buf[dir]) {
            blen[dir] = 0;
            stratum_dissector.gap(&st, &ctx, dir);
        }
        memcpy(buf[dir] + blen[dir], data + off, n);
        blen[dir] += n;
        long r = stratum_dissector.feed(&st, &ctx, dir, buf[dir], blen[dir]);
        if (r == MW_FEED_MALFORMED)
            break;
        if (r < 0 || (size_t)r > blen[dir])
            __builtin_trap();
        memmove(buf[dir], buf[dir] + r, blen[dir] - (size_t)r);
        blen[dir] -= (size_t)r;
        if (alternate)
            dir ^= 1;
    }
    stratum_dissector.fini(&st, &ctx);
    return 0;
}
