/* msgbuild.c - application message builders for the capture generator (RFC 7230 HTTP,
 * RFC 8446 TLS hellos, RFC 6455 WebSocket frames, sv2-spec framing). Test-only code. */
#include "msgbuild.h"

#include <stdio.h>
#include <string.h>

void mb_random(uint8_t *buf, size_t n, uint32_t *state)
{
    uint32_t x = *state ? *state : 0x2545f491u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)(x >> 24);
    }
    *state = x;
}

size_t mb_http(char *buf, size_t cap, const char *head, const char *body)
{
    int n;
    if (body)
        n = snprintf(buf, cap, "%sContent-Length: %zu\r\n\r\n%s", head, strlen(body), body);
    else
        n = snprintf(buf, cap, "%s\r\n", head);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

size_t mb_u8(uint8_t *buf, size_t cap, size_t off, uint8_t v)
{
    if (off >= cap)
        return cap + 1;
    buf[off] = v;
    return off + 1;
}

size_t mb_u16le(uint8_t *buf, size_t cap, size_t off, uint16_t v)
{
    off = mb_u8(buf, cap, off, (uint8_t)v);
    return mb_u8(buf, cap, off, (uint8_t)(v >> 8));
}

size_t mb_u32le(uint8_t *buf, size_t cap, size_t off, uint32_t v)
{
    off = mb_u16le(buf, cap, off, (uint16_t)v);
    return mb_u16le(buf, cap, off, (uint16_t)(v >> 16));
}

static size_t mb_u16be(uint8_t *buf, size_t cap, size_t off, uint16_t v)
{
    off = mb_u8(buf, cap, off, (uint8_t)(v >> 8));
    return mb_u8(buf, cap, off, (uint8_t)v);
}

size_t mb_bytes(uint8_t *buf, size_t cap, size_t off, const void *p, size_t n)
{
    if (off > cap || n > cap - off)
        return cap + 1;
    memcpy(buf + off, p, n);
    return off + n;
}

size_t mb_str0_255(uint8_t *buf, size_t cap, size_t off, const char *s)
{
    size_t n = strlen(s);
    if (n > 255)
        n = 255;
    off = mb_u8(buf, cap, off, (uint8_t)n);
    return mb_bytes(buf, cap, off, s, n);
}

/* Patch a big-endian length of width bytes at at, covering everything after it. */
static void patch_len(uint8_t *buf, size_t at, int width, size_t end)
{
    size_t v = end - at - (size_t)width;
    for (int i = 0; i < width; i++)
        buf[at + (size_t)i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

size_t mb_tls_client_hello(uint8_t *buf, size_t cap, const char *sni, uint32_t seed)
{
    static const uint16_t suites[] = { 0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xc02b,
                                       0xc02f, 0xcca9, 0xcca8, 0x009f, 0x009e, 0x00ff };
    static const uint16_t groups[] = { 0x001d, 0x0017, 0x0018, 0x0019 };
    static const uint16_t sigalgs[] = { 0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804,
                                        0x0805, 0x0806, 0x0401, 0x0501, 0x0601 };
    uint8_t rnd[32 + 32 + 32];
    uint32_t st = seed;
    size_t o = 0, ext_len_at, hs_len_at, rec_len_at;
    if (cap < 512)
        return 0;
    mb_random(rnd, sizeof rnd, &st);
    buf[o++] = 0x16; /* handshake */
    o = mb_u16be(buf, cap, o, 0x0301);
    rec_len_at = o;
    o += 2;
    buf[o++] = 0x01; /* client_hello */
    hs_len_at = o;
    o += 3;
    o = mb_u16be(buf, cap, o, 0x0303);
    o = mb_bytes(buf, cap, o, rnd, 32);
    o = mb_u8(buf, cap, o, 32);
    o = mb_bytes(buf, cap, o, rnd + 32, 32);
    o = mb_u16be(buf, cap, o, (uint16_t)(2 * (sizeof suites / sizeof suites[0])));
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        o = mb_u16be(buf, cap, o, suites[i]);
    o = mb_u8(buf, cap, o, 1);
    o = mb_u8(buf, cap, o, 0);
    ext_len_at = o;
    o += 2;
    if (sni) {
        size_t n = strlen(sni);
        o = mb_u16be(buf, cap, o, 0x0000);
        o = mb_u16be(buf, cap, o, (uint16_t)(n + 5));
        o = mb_u16be(buf, cap, o, (uint16_t)(n + 3));
        o = mb_u8(buf, cap, o, 0); /* host_name */
        o = mb_u16be(buf, cap, o, (uint16_t)n);
        o = mb_bytes(buf, cap, o, sni, n);
    }
    o = mb_u16be(buf, cap, o, 0x000b); /* ec_point_formats */
    o = mb_u16be(buf, cap, o, 2);
    o = mb_u8(buf, cap, o, 1);
    o = mb_u8(buf, cap, o, 0);
    o = mb_u16be(buf, cap, o, 0x000a); /* supported_groups */
    o = mb_u16be(buf, cap, o, (uint16_t)(2 + 2 * (sizeof groups / sizeof groups[0])));
    o = mb_u16be(buf, cap, o, (uint16_t)(2 * (sizeof groups / sizeof groups[0])));
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        o = mb_u16be(buf, cap, o, groups[i]);
    o = mb_u16be(buf, cap, o, 0x000d); /* signature_algorithms */
    o = mb_u16be(buf, cap, o, (uint16_t)(2 + 2 * (sizeof sigalgs / sizeof sigalgs[0])));
    o = mb_u16be(buf, cap, o, (uint16_t)(2 * (sizeof sigalgs / sizeof sigalgs[0])));
    for (size_t i = 0; i < sizeof sigalgs / sizeof sigalgs[0]; i++)
        o = mb_u16be(buf, cap, o, sigalgs[i]);
    o = mb_u16be(buf, cap, o, 0x002b); /* supported_versions */
    o = mb_u16be(buf, cap, o, 5);
    o = mb_u8(buf, cap, o, 4);
    o = mb_u16be(buf, cap, o, 0x0304);
    o = mb_u16be(buf, cap, o, 0x0303);
    o = mb_u16be(buf, cap, o, 0x002d); /* psk_key_exchange_modes */
    o = mb_u16be(buf, cap, o, 2);
    o = mb_u8(buf, cap, o, 1);
    o = mb_u8(buf, cap, o, 1);
    o = mb_u16be(buf, cap, o, 0x0033); /* key_share: x25519 */
    o = mb_u16be(buf, cap, o, 38);
    o = mb_u16be(buf, cap, o, 36);
    o = mb_u16be(buf, cap, o, 0x001d);
    o = mb_u16be(buf, cap, o, 32);
    o = mb_bytes(buf, cap, o, rnd + 64, 32);
    if (o > cap)
        return 0;
    patch_len(buf, ext_len_at, 2, o);
    patch_len(buf, hs_len_at, 3, o);
    patch_len(buf, rec_len_at, 2, o);
    return o;
}

size_t mb_tls_app_data(uint8_t *buf, size_t cap, size_t len, uint32_t seed)
{
    uint32_t st = seed;
    if (cap < 5 || len > cap - 5 || len > 16384 + 256)
        return 0;
    buf[0] = 0x17;
    buf[1] = 0x03;
    buf[2] = 0x03;
    buf[3] = (uint8_t)(len >> 8);
    buf[4] = (uint8_t)len;
    mb_random(buf + 5, len, &st);
    return len + 5;
}

size_t mb_tls_server_flight(uint8_t *buf, size_t cap, uint32_t seed)
{
    uint8_t rnd[64];
    uint32_t st = seed ^ 0x5a5a5a5au;
    size_t o = 0, rec_len_at, hs_len_at, ext_len_at;
    if (cap < 256)
        return 0;
    mb_random(rnd, sizeof rnd, &st);
    buf[o++] = 0x16;
    o = mb_u16be(buf, cap, o, 0x0303);
    rec_len_at = o;
    o += 2;
    buf[o++] = 0x02; /* server_hello */
    hs_len_at = o;
    o += 3;
    o = mb_u16be(buf, cap, o, 0x0303);
    o = mb_bytes(buf, cap, o, rnd, 32);
    o = mb_u8(buf, cap, o, 0); /* legacy_session_id_echo: empty, nothing reads it */
    o = mb_u16be(buf, cap, o, 0x1301);
    o = mb_u8(buf, cap, o, 0);
    ext_len_at = o;
    o += 2;
    o = mb_u16be(buf, cap, o, 0x002b);
    o = mb_u16be(buf, cap, o, 2);
    o = mb_u16be(buf, cap, o, 0x0304);
    o = mb_u16be(buf, cap, o, 0x0033);
    o = mb_u16be(buf, cap, o, 36);
    o = mb_u16be(buf, cap, o, 0x001d);
    o = mb_u16be(buf, cap, o, 32);
    o = mb_bytes(buf, cap, o, rnd + 32, 32);
    if (o > cap)
        return 0;
    patch_len(buf, ext_len_at, 2, o);
    patch_len(buf, hs_len_at, 3, o);
    patch_len(buf, rec_len_at, 2, o);
    static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
    o = mb_bytes(buf, cap, o, ccs, sizeof ccs);
    if (o > cap)
        return 0;
    size_t n = mb_tls_app_data(buf + o, cap - o, 1200, seed + 1);
    return n ? o + n : 0;
}

size_t mb_ws_frame(uint8_t *buf, size_t cap, uint8_t opcode, const void *payload, size_t len,
                   const uint8_t *mask)
{
    const uint8_t *p = payload;
    size_t o = 0;
    o = mb_u8(buf, cap, o, (uint8_t)(0x80 | opcode));
    uint8_t mbit = mask ? 0x80 : 0;
    if (len < 126) {
        o = mb_u8(buf, cap, o, (uint8_t)(mbit | len));
    } else if (len <= 0xffff) {
        o = mb_u8(buf, cap, o, (uint8_t)(mbit | 126));
        o = mb_u16be(buf, cap, o, (uint16_t)len);
    } else {
        return 0; /* our messages are small */
    }
    if (mask)
        o = mb_bytes(buf, cap, o, mask, 4);
    if (o > cap || len > cap - o)
        return 0;
    for (size_t i = 0; i < len; i++)
        buf[o + i] = (uint8_t)(mask ? p[i] ^ mask[i % 4] : p[i]);
    return o + len;
}

size_t mb_sv2_frame(uint8_t *buf, size_t cap, uint16_t ext_type, uint8_t msg_type,
                    const uint8_t *payload, size_t len)
{
    size_t o = 0;
    if (len > 0xffffff)
        return 0;
    o = mb_u16le(buf, cap, o, ext_type);
    o = mb_u8(buf, cap, o, msg_type);
    o = mb_u8(buf, cap, o, (uint8_t)len);
    o = mb_u8(buf, cap, o, (uint8_t)(len >> 8));
    o = mb_u8(buf, cap, o, (uint8_t)(len >> 16));
    o = mb_bytes(buf, cap, o, payload, len);
    return o > cap ? 0 : o;
}
