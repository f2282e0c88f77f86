/* msgbuild.h - application messages for the capture generator: HTTP, TLS hellos, WebSocket
 * frames, Stratum V2 frames and deterministic random bytes. Test-only code. */
#ifndef MW_MSGBUILD_H
#define MW_MSGBUILD_H

#include <stddef.h>
#include <stdint.h>

/* Deterministic pseudo-random bytes (xorshift32). */
void mb_random(uint8_t *buf, size_t n, uint32_t *state);

/* HTTP/1.1 message: head is the start line plus header lines, each ending in CRLF, without
 * Content-Length; a Content-Length header (when body is non-NULL) and the blank line are
 * added. Returns the length, or 0 when cap is too small. */
size_t mb_http(char *buf, size_t cap, const char *head, const char *body);

/* TLS 1.3-style ClientHello record (RFC 8446 section 4.1.2), with server_name only when sni
 * is non-NULL. Returns the record length or 0. */
size_t mb_tls_client_hello(uint8_t *buf, size_t cap, const char *sni, uint32_t seed);
/* ServerHello record + ChangeCipherSpec + one application-data record of random bytes. */
size_t mb_tls_server_flight(uint8_t *buf, size_t cap, uint32_t seed);
/* One TLS application-data record of len random bytes. */
size_t mb_tls_app_data(uint8_t *buf, size_t cap, size_t len, uint32_t seed);

/* WebSocket frame (RFC 6455 section 5.2), FIN set; mask NULL for a server frame. */
#define MB_WS_TEXT 0x1
#define MB_WS_CLOSE 0x8
size_t mb_ws_frame(uint8_t *buf, size_t cap, uint8_t opcode, const void *payload, size_t len,
                   const uint8_t *mask);

/* Stratum V2 frame: extension_type U16 LE, msg_type U8, msg_length U24 LE, payload. */
size_t mb_sv2_frame(uint8_t *buf, size_t cap, uint16_t ext_type, uint8_t msg_type,
                    const uint8_t *payload, size_t len);

/* Little helpers for building binary payloads; each returns the new offset (cap-checked:
 * on overflow they return cap + 1 and keep returning it). */
size_t mb_u8(uint8_t *buf, size_t cap, size_t off, uint8_t v);
size_t mb_u16le(uint8_t *buf, size_t cap, size_t off, uint16_t v);
size_t mb_u32le(uint8_t *buf, size_t cap, size_t off, uint32_t v);
size_t mb_str0_255(uint8_t *buf, size_t cap, size_t off, const char *s);
size_t mb_bytes(uint8_t *buf, size_t cap, size_t off, const void *p, size_t n);

#endif
