/* httpmine_ws.c - the WebSocket frame loop of the HTTP dissector, after a 101 answer to
 * an Upgrade: websocket request.
 *
 * Spec: RFC 6455 section 5 (framing via dissectors/websocket.h: client frames masked,
 * server frames not (5.1), fragments of one message in order (5.4), control frames
 * between them (5.5)). Text messages (not compressed) are reassembled up to one body
 * block and classified when complete; binary, compressed and oversized ones are skipped
 * as they stream past, so a length of 2^63-1 costs nothing. A frame that breaks the RFC
 * is counted under its own name and the direction is given up.
 *
 * Wire layout (RFC 6455 5.2): FIN RSV1-3 opcode(4) | MASK len(7) [len16 | len64] [mask(4)] payload
 */
#include <string.h>

#include "dissectors/httpmine.h"
#include "dissectors/websocket.h"

_Static_assert(HTTP_EV_WS_NON_MINIMAL - HTTP_EV_WS_RSV == WS_ERR_NON_MINIMAL - WS_ERR_RSV,
               "HTTP_EV_WS_* follow enum ws_error");

long httpm_ws(struct httpm_state *s, struct mw_dctx *ctx, int dir, const uint8_t *p, size_t len)
{
    struct httpm_dir *d = &s->d[dir];
    size_t off = 0;
    while (off < len || (d->ws_in_frame && d->remaining == 0)) {
        if (!d->ws_in_frame) {
            struct ws_frame f;
            long got = ws_parse_frame(p + off, len - off, &f);
            if (got == WS_NEED_MORE)
                break;
            int from_client = dir == s->client_dir;
            int bad = got == WS_MALFORMED || f.masked != from_client ||
                      (f.opcode == WS_OP_CONT && !d->ws_in_msg) ||
                      ((f.opcode == WS_OP_TEXT || f.opcode == WS_OP_BINARY) && d->ws_in_msg);
            if (bad) {
                httpm_bad(ctx, got == WS_MALFORMED && f.error != WS_ERR_NONE
                                   ? (enum http_event)(HTTP_EV_WS_RSV + (f.error - WS_ERR_RSV))
                                   : HTTP_EV_WS_SEQUENCE);
                d->mode = HM_OPAQUE;
                return (long)len;
            }
            off += (size_t)got;
            d->ws_in_frame = 1;
            d->ws_opcode = f.opcode;
            d->ws_fin = f.fin;
            d->ws_masked = f.masked;
            memcpy(d->ws_mask, f.mask, 4);
            d->ws_off = 0;
            d->remaining = f.payload_len;
            if (f.opcode == WS_OP_TEXT || f.opcode == WS_OP_BINARY) {
                d->ws_in_msg = 1;
                d->body_len = 0;
                d->truncated = 0;
                /* Compressed (RSV1) and binary messages are not JSON we can read. */
                d->collect = httpm_collect(ctx, d, f.opcode == WS_OP_TEXT && !f.rsv1);
            }
            continue;
        }
        size_t n = len - off;
        if (n > d->remaining)
            n = (size_t)d->remaining;
        if (!ws_is_control(d->ws_opcode) && d->collect && !d->truncated) {
            if (n > HTTPM_BODY_CAP - d->body_len) {
                d->truncated = 1;
            } else {
                /* An unmasked frame has an all-zero key: unmasking is a copy. */
                ws_unmask(d->body + d->body_len, p + off, n, d->ws_mask, d->ws_off);
                d->body_len += n;
            }
        }
        off += n;
        d->ws_off += n;
        d->remaining -= n;
        if (d->remaining)
            break;
        d->ws_in_frame = 0;
        if (d->ws_opcode == WS_OP_CLOSE) {
            d->mode = HM_OPAQUE;
            return (long)len;
        }
        if (!ws_is_control(d->ws_opcode) && d->ws_fin) {
            d->ws_in_msg = 0;
            httpm_body_done(s, ctx, dir);
        }
    }
    return (long)off;
}
