/* fuzz_sv2.c - Stratum V2 frame and message parsers, and the dissector over a two-sided
 * stream. Input: byte 0 picks the split size and which side speaks first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/sv2.h"

static void sink(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    (void)ctx;
    (void)ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)(data[0] & 0x7f) + 1;
    int flip = data[0] >> 7;
    data++;
    size--;
    struct sv2_frame f;
    if (sv2_parse_frame(data, size, &f) > 0) {
        struct sv2_setup_connection sc;
        struct sv2_setup_success ss;
        struct sv2_setup_error se;
        struct sv2_open_channel oc;
        (void)sv2_parse_setup_connection(f.payload, f.msg_length, &sc);
        (void)sv2_parse_setup_success(f.payload, f.msg_length, &ss);
        (void)sv2_parse_setup_error(f.payload, f.msg_length, &se);
        (void)sv2_parse_open_channel(f.msg_type, f.payload, f.msg_length, &oc);
        (void)sv2_msg_name(f.msg_type);
    }
    void *st = malloc(sv2_dissector.state_size);
    if (!st)
        return 0;
    uint64_t mal = 0;
    struct mw_flow_app app;
    memset(&app, 0, sizeof app);
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.emit = sink;
    ctx.malformed = &mal;
    ctx.app = &app;
    ctx.port[1] = 34254;
    (void)sv2_dissector.probe(data, size, 0, &ctx);
    sv2_dissector.init(st);
    static uint8_t pend[2][8192];
    size_t plen[2] = { 0, 0 };
    int dir = flip;
    for (size_t off = 0; off < size; off += step, dir ^= 1) {
        size_t n = size - off < step ? size - off : step;
        if (n > sizeof pend[dir] - plen[dir])
            n = sizeof pend[dir] - plen[dir];
        memcpy(pend[dir] + plen[dir], data + off, n);
        plen[dir] += n;
        long used = sv2_dissector.feed(st, &ctx, dir, pend[dir], plen[dir]);
        if (used < 0)
            break;
        if ((size_t)used > plen[dir])
            abort();
        if (used == 0 && plen[dir] == sizeof pend[dir]) {
            plen[dir] = 0;
            sv2_dissector.gap(st, &ctx, dir);
            continue;
        }
        memmove(pend[dir], pend[dir] + used, plen[dir] - (size_t)used);
        plen[dir] -= (size_t)used;
    }
    sv2_dissector.fini(st, &ctx);
    free(st);
    return 0;
}
