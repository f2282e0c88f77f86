/* websocket.h - RFC 6455 frame header parser and payload unmasking.
 *
 * Spec: RFC 6455 section 5.2 (base framing), 5.3 (masking), 5.4 (fragmentation),
 * 5.5 (control frames). Only the header is parsed here; the payload is streamed by the
 * caller, which may skip it (a length can claim up to 2^63-1 bytes) or unmask a bounded
 * part of it with ws_unmask.
 */
#ifndef MW_WEBSOCKET_H
#define MW_WEBSOCKET_H

#include <stddef.h>
#include <stdint.h>

#define WS_NEED_MORE 0L
#define WS_MALFORMED (-1L)

enum ws_opcode {
    WS_OP_CONT = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xA,
};

/* Why a header was rejected (named counters: HTTP_EV_WS_* follow this order). */
enum ws_error {
    WS_ERR_NONE = 0,
    WS_ERR_RSV,          /* RSV2/RSV3 set: no extension we know defines them */
    WS_ERR_OPCODE,       /* reserved opcode */
    WS_ERR_CONTROL,      /* fragmented control frame or control payload > 125 */
    WS_ERR_LENGTH_MSB,   /* 64-bit length with the most significant bit set */
    WS_ERR_NON_MINIMAL,  /* length not in its shortest encoding */
};

struct ws_frame {
    uint8_t fin;
    uint8_t rsv1;        /* permessage-deflate marks compressed messages with RSV1 */
    uint8_t opcode;
    uint8_t masked;
    uint8_t mask[4];
    uint64_t payload_len;
    size_t header_len;
    const uint8_t *payload; /* first payload byte in buf (when header_len < len) */
    size_t avail;           /* payload bytes present in buf: min(len - header_len, payload_len) */
    enum ws_error error;
};

/* Parse one frame header at buf. Returns the header length (2..14) when the whole header
 * is present, WS_NEED_MORE when it is not, WS_MALFORMED (out->error says why) when the
 * header breaks a MUST of RFC 6455. */
long ws_parse_frame(const uint8_t *buf, size_t len, struct ws_frame *out);

/* Unmask n bytes from src into dst; offset is the position of src[0] within the payload
 * (so a payload can be unmasked piecewise). dst may equal src. */
void ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], uint64_t offset);

int ws_is_control(uint8_t opcode);

#endif
