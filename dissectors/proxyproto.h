/* proxyproto.h - HAProxy PROXY protocol (v1 text, v2 binary) header parser and dissector.
 *
 * Spec: "The PROXY protocol, Versions 1 & 2" (HAProxy, doc/proxy-protocol.txt). A load
 * balancer or relay that accepts a connection opens its own to the backend and sends one
 * header first, naming the original client; the backend's protocol follows unchanged.
 *
 * proxyp_parse is pure: it reads (buf, len) and returns the header length, PROXYP_NEED_MORE
 * or PROXYP_MALFORMED, filling a typed record. The dissector reports the original
 * endpoints as evidence and hands the rest of the stream on (ctx->reprobe).
 */
#ifndef MW_PROXYPROTO_H
#define MW_PROXYPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "dissectors/dissector.h"

#define PROXYP_NEED_MORE (-2L)
#define PROXYP_MALFORMED (-1L)

/* v1: the spec's longest line, "PROXY UNKNOWN ..." included, is 107 bytes with CRLF. */
#define PROXYP_V1_MAX 107u
/* v2: the spec allows a 64 KB address+TLV block; real ones are a few hundred bytes. A
 * longer one is refused so a header always fits the smallest stream buffer (1 KB). */
#define PROXYP_V2_MAX_LEN 1008u
#define PROXYP_V2_SIG_LEN 12u
#define PROXYP_V2_HDR_LEN 16u

struct proxyp_header {
    uint8_t version;  /* 1 or 2 */
    uint8_t local;    /* v2 LOCAL command (health check): no original endpoints */
    uint8_t has_addr; /* TCP4/TCP6 (v1), INET/INET6 (v2): src/dst below are valid */
    uint8_t stream;   /* 1 when the original transport is a stream (v1 always; v2 STREAM) */
    struct mw_addr src, dst;
    uint16_t src_port, dst_port;
    uint16_t tlv_len; /* v2: bytes of TLVs after the addresses (checked, not kept) */
};

long proxyp_parse(const uint8_t *buf, size_t len, struct proxyp_header *out);

struct proxyp_state {
    int8_t client_dir;
    uint8_t done;
};

extern const struct mw_dissector proxyp_dissector;

#endif
