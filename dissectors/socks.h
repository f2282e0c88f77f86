/* socks.h - SOCKS4, SOCKS4a and SOCKS5 handshake parsers and the SOCKS dissector.
 *
 * Spec: "SOCKS: A protocol for TCP proxy across firewalls" (SOCKS4, Ying-Da Lee), "SOCKS 4A:
 * A Simple Extension to SOCKS 4 Protocol" (Ying-Da Lee), RFC 1928 (SOCKS Protocol Version
 * 5), RFC 1929 (Username/Password Authentication for SOCKS V5).
 *
 * The parsers are pure: each reads (buf, len) and returns the message length,
 * SOCKS_NEED_MORE or SOCKS_MALFORMED, filling slices that point into buf. The dissector
 * (dissectors/socks.c) follows one handshake, reports the CONNECT target and hands the
 * stream on (ctx->reprobe) after the proxy's success reply, so the tunnelled protocol is
 * probed afresh.
 */
#ifndef MW_SOCKS_H
#define MW_SOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"

#define SOCKS_NEED_MORE (-2L)
#define SOCKS_MALFORMED (-1L)

/* SOCKS4 USERID and SOCKS4a host name are NUL-terminated with no length: longer ones are
 * refused (no client sends more; a never-ending one must not hold the buffer). */
#define SOCKS4_FIELD_MAX 255u

enum socks_cmd { SOCKS_CMD_CONNECT = 1, SOCKS_CMD_BIND = 2, SOCKS_CMD_UDP_ASSOCIATE = 3 };
enum socks_atyp { SOCKS_ATYP_IPV4 = 1, SOCKS_ATYP_NAME = 3, SOCKS_ATYP_IPV6 = 4 };
enum socks_method { SOCKS5_M_NONE = 0x00, SOCKS5_M_GSSAPI = 0x01, SOCKS5_M_USERPASS = 0x02,
                    SOCKS5_M_NO_ACCEPTABLE = 0xff };

struct socks_slice {
    const uint8_t *p;
    size_t len;
};

struct socks_request {
    uint8_t version;         /* 4 or 5 */
    uint8_t cmd;             /* enum socks_cmd */
    uint8_t atyp;            /* enum socks_atyp; a SOCKS4a name is SOCKS_ATYP_NAME */
    uint8_t addr[16];        /* IPv4 in the first 4 bytes, or IPv6 */
    uint16_t port;
    struct socks_slice name; /* SOCKS4a / SOCKS5 domain name: printable ASCII, 1..255 bytes */
    struct socks_slice user; /* SOCKS4 USERID (may be empty) */
};

/* SOCKS5 client greeting: VER=5 NMETHODS(1..255) METHODS. */
long socks5_parse_greeting(const uint8_t *buf, size_t len, struct socks_slice *methods);
/* SOCKS5 method selection: VER=5 METHOD. */
long socks5_parse_choice(const uint8_t *buf, size_t len, uint8_t *method);
/* RFC 1929 request: VER=1 ULEN(1..255) UNAME PLEN(1..255) PASSWD. The password is framed, never kept. */
long socks5_parse_auth(const uint8_t *buf, size_t len, struct socks_slice *user);
/* RFC 1929 status: VER=1 STATUS. */
long socks5_parse_auth_status(const uint8_t *buf, size_t len, uint8_t *status);
/* SOCKS5 request: VER=5 CMD RSV=0 ATYP DST.ADDR DST.PORT. */
long socks5_parse_request(const uint8_t *buf, size_t len, struct socks_request *out);
/* SOCKS5 reply: VER=5 REP RSV=0 ATYP BND.ADDR BND.PORT. */
long socks5_parse_reply(const uint8_t *buf, size_t len, uint8_t *rep);
/* SOCKS4/4a request: VN=4 CD DSTPORT DSTIP USERID NUL [HOST NUL when DSTIP is 0.0.0.x, x != 0]. */
long socks4_parse_request(const uint8_t *buf, size_t len, struct socks_request *out);
/* SOCKS4 reply: VN=0 CD(90..93) DSTPORT DSTIP. */
long socks4_parse_reply(const uint8_t *buf, size_t len, uint8_t *cd);

#define SOCKS5_REP_SUCCEEDED 0x00
#define SOCKS4_CD_GRANTED 90

/* Per-flow state, exposed for tests (the sensor only uses socks_dissector.state_size). */
struct socks_state {
    int8_t client_dir;  /* -1 until the greeting/request is seen */
    uint8_t version;    /* 4 or 5 */
    uint8_t cphase;     /* what the client sends next (socks.c) */
    uint8_t sphase;     /* what the proxy sends next */
    uint8_t offered;    /* bit 0: no-auth offered, bit 1: username/password offered */
    uint8_t cmd;        /* the request's command, 0 until seen */
    uint8_t replies;    /* proxy replies to the request seen (BIND sends two) */
};

extern const struct mw_dissector socks_dissector;

#endif
