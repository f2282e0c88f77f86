/* fuzz_proxy.c - the SOCKS4/4a/5 and PROXY protocol v1/v2 parsers, and their dissectors over
 * a two-sided stream. Input: byte 0 picks the dissector (bit 7) and the split size (bits
 * 0-5); then records of one header byte (bit 7: the side, bits 0-6: length) and that many
 * bytes, each delivered in chunks of the split size, so a seed is a real exchange. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/proxyproto.h"
#include "dissectors/socks.h"

static void sink(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    (void)ctx;
    (void)ev;
}

static void parsers(const uint8_t *data, size_t size)
{
    struct socks_slice sl;
    struct socks_request rq;
    struct proxyp_header ph;
    uint8_t v;
    (void)socks5_parse_greeting(data, size, &sl);
    (void)socks5_parse_choice(data, size, &v);
    (void)socks5_parse_auth(data, size, &sl);
    (void)socks5_parse_auth_status(data, size, &v);
    (void)socks5_parse_request(data, size, &rq);
    (void)socks5_parse_reply(data, size, &v);
    (void)socks4_parse_request(data, size, &rq);
    (void)socks4_parse_reply(data, size, &v);
    (void)proxyp_parse(data, size, &ph);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct mw_dissector *ds = (data[0] & 0x80) ? &proxyp_dissector : &socks_dissector;
    size_t step = (size_t)(data[0] & 0x3f) + 1;
    data++;
    size--;
    parsers(data, size);
    void *st = malloc(ds->state_size);
    if (!st)
        return 0;
    uint64_t events[16] = { 0 };
    struct mw_flow_app app;
    memset(&app, 0, sizeof app);
    struct mw_dctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.emit = sink;
    ctx.events = events;
    ctx.nevents = ds->nevents;
    ctx.app = &app;
    (void)ds->probe(data, size, 0, &ctx);
    ds->init(st);
    static uint8_t pend[2][2048];
    size_t plen[2] = { 0, 0 };
    size_t off = 0;
    int bad = 0;
    while (off < size && !bad && !ctx.reprobe && !ctx.closed) {
        int dir = data[off] >> 7;
        size_t rec = data[off] & 0x7f;
        off++;
        if (rec > size - off)
            rec = size - off;
        for (size_t done = 0; done < rec && !bad && !ctx.reprobe && !ctx.closed;) {
            size_t n = rec - done < step ? rec - done : step;
            if (n > sizeof pend[dir] - plen[dir])
                n = sizeof pend[dir] - plen[dir];
            memcpy(pend[dir] + plen[dir], data + off + done, n);
            plen[dir] += n;
            done += n;
            long used = ds->feed(st, &ctx, dir, pend[dir], plen[dir]);
            if (used < 0) {
                bad = 1;
                break;
            }
            if ((size_t)used > plen[dir])
                abort();
            if (used == 0 && plen[dir] == sizeof pend[dir]) {
                plen[dir] = 0;
                ds->gap(st, &ctx, dir);
                continue;
            }
            memmove(pend[dir], pend[dir] + used, plen[dir] - (size_t)used);
            plen[dir] -= (size_t)used;
        }
        off += rec;
    }
    if (ds->fini)
        ds->fini(st, &ctx);
    free(st);
    return 0;
}
