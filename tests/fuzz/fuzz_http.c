/* fuzz_http.c - HTTP head parsers, framing helpers and the HTTP/WebSocket dissector.
 * Input: byte 0 picks the split size; the rest is cut at the first "\0\0" into a client
 * stream and a server stream, fed alternately. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/http.h"

static void sink(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    (void)ctx;
    (void)ev;
}

static void parsers(const uint8_t *d, size_t n)
{
    struct http_request rq;
    struct http_response rs;
    uint64_t v;
    (void)http_parse_request(d, n, &rq);
    (void)http_parse_response(d, n, &rs);
    (void)http_parse_chunk_size(d, n, &v);
    struct http_slice s = { d, n }, a, h;
    (void)http_parse_content_length(&s, &v);
    if (http_absolute_authority(&s, &a) == 0)
        (void)http_authority_host(&a, &h);
    (void)http_authority_host(&s, &h);
}

struct side {
    uint8_t buf[16384];
    size_t len;
};

static int deliver(void *st, struct mw_dctx *ctx, struct side *sd, int dir, const uint8_t *p, size_t n)
{
    if (n > sizeof sd->buf - sd->len)
        n = sizeof sd->buf - sd->len;
    memcpy(sd->buf + sd->len, p, n);
    sd->len += n;
    long used = http_dissector.feed(st, ctx, dir, sd->buf, sd->len);
    if (used < 0)
        return -1;
    if ((size_t)used > sd->len)
        abort();
    if (used == 0 && sd->len == sizeof sd->buf) {
        sd->len = 0;
        http_dissector.gap(st, ctx, dir);
        return 0;
    }
    memmove(sd->buf, sd->buf + used, sd->len - (size_t)used);
    sd->len -= (size_t)used;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)(data[0] % 64) + 1;
    data++;
    size--;
    parsers(data, size);
    size_t cut = size;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == 0 && data[i + 1] == 0) {
            cut = i;
            break;
        }
    const uint8_t *cli = data, *srv = data + (cut + 2 <= size ? cut + 2 : size);
    size_t clen = cut, slen = size - (size_t)(srv - data);

    static struct side sides[2];
    sides[0].len = sides[1].len = 0;
    void *st = malloc(http_dissector.state_size);
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
    ctx.handshake_seen = 1;
    (void)http_dissector.probe(data, size, 0, &ctx);
    http_dissector.init(st);
    size_t co = 0, so = 0;
    int dead = 0;
    while (!dead && (co < clen || so < slen)) {
        if (co < clen) {
            size_t n = clen - co < step ? clen - co : step;
            dead = deliver(st, &ctx, &sides[0], MW_DIR_FWD, cli + co, n) < 0;
            co += n;
        }
        if (!dead && so < slen) {
            size_t n = slen - so < step ? slen - so : step;
            dead = deliver(st, &ctx, &sides[1], MW_DIR_REV, srv + so, n) < 0;
            so += n;
        }
    }
    http_dissector.fini(st, &ctx);
    free(st);
    return 0;
}
