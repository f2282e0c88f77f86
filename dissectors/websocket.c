/* websocket.c - RFC 6455 frame header parser.
 *
 * Spec: RFC 6455 section 5.2. Wire layout (network byte order):
 *   byte 0: FIN(1) RSV1 RSV2 RSV3 opcode(4)
 *   byte 1: MASK(1) len7(7); len7 126 -> U16 length follows, 127 -> U64 length (MSB 0)
 *   then a 4-byte masking key when MASK is set, then the payload.
 * Clients mask every frame, servers never do (5.1); the caller checks that, because it
 * knows the direction.
 */
#include "dissectors/websocket.h"

#include <string.h>

#include "core/reader.h"

int ws_is_control(uint8_t opcode)
{
    return (opcode & 0x8) != 0;
}

static int ws_opcode_known(uint8_t op)
{
    return op == WS_OP_CONT || op == WS_OP_TEXT || op == WS_OP_BINARY || op == WS_OP_CLOSE ||
           op == WS_OP_PING || op == WS_OP_PONG;
}

long ws_parse_frame(const uint8_t *buf, size_t len, struct ws_frame *out)
{
    memset(out, 0, sizeof *out);
    struct mw_reader r = mw_reader_make(buf, len);
    uint8_t b0 = mw_reader_u8(&r);
    uint8_t b1 = mw_reader_u8(&r);
    if (r.err)
        return WS_NEED_MORE;
    out->fin = (b0 >> 7) & 1;
    out->rsv1 = (b0 >> 6) & 1;
    out->opcode = b0 & 0x0f;
    out->masked = (b1 >> 7) & 1;
    uint8_t len7 = b1 & 0x7f;
    /* Header errors visible in the first two bytes are reported before waiting for more. */
    if (b0 & 0x30) {
        out->error = WS_ERR_RSV;
        return WS_MALFORMED;
    }
    if (!ws_opcode_known(out->opcode)) {
        out->error = WS_ERR_OPCODE;
        return WS_MALFORMED;
    }
    if (ws_is_control(out->opcode) && (!out->fin || len7 > 125)) {
        out->error = WS_ERR_CONTROL;
        return WS_MALFORMED;
    }
    if (len7 == 126) {
        out->payload_len = mw_reader_be16(&r);
        if (!r.err && out->payload_len < 126) {
            out->error = WS_ERR_NON_MINIMAL;
            return WS_MALFORMED;
        }
    } else if (len7 == 127) {
        uint32_t hi = mw_reader_be32(&r);
        uint32_t lo = mw_reader_be32(&r);
        if (r.err)
            return WS_NEED_MORE;
        if (hi & 0x80000000u) {
            out->error = WS_ERR_LENGTH_MSB;
            return WS_MALFORMED;
        }
        out->payload_len = ((uint64_t)hi << 32) | lo;
        if (out->payload_len <= 0xffff) {
            out->error = WS_ERR_NON_MINIMAL;
            return WS_MALFORMED;
        }
    } else {
        out->payload_len = len7;
    }
    if (out->masked) {
        const uint8_t *m = mw_reader_take(&r, 4);
        if (m)
            memcpy(out->mask, m, 4);
    }
    if (r.err)
        return WS_NEED_MORE;
    out->header_len = r.off;
    size_t left = len - r.off;
    out->avail = (uint64_t)left < out->payload_len ? left : (size_t)out->payload_len;
    out->payload = buf + r.off;
    return (long)r.off;
}

void ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], uint64_t offset)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (uint8_t)(src[i] ^ mask[(offset + i) & 3]);
}
