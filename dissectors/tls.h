/* tls.h - TLS ClientHello parser, JA3/JA4 fingerprints and dissector
 * (RFC 8446 4.1.2, RFC 5246 7.4.1.2, RFC 6066 3 SNI, RFC 7301 ALPN, RFC 8701 GREASE).
 *
 * The dissector reassembles the first handshake message of the client direction from
 * TLS records, parses the ClientHello into a struct mw_tls_hello and reports it as
 * MW_EV_NAME evidence (the SNI, possibly empty), then closes: nothing after the hello
 * is readable.
 */
#ifndef MW_TLS_H
#define MW_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"

#define TLS_MAX_RECORD 16384    /* RFC 8446 5.1: plaintext record limit 2^14 */
#define TLS_HELLO_MAX 16384     /* cap on the reassembled ClientHello (with its 4-byte header) */
#define TLS_MAX_CIPHERS 256
#define TLS_MAX_EXTENSIONS 64
#define TLS_MAX_VERSIONS 16
#define TLS_MAX_GROUPS 64
#define TLS_MAX_POINT_FORMATS 16
#define TLS_MAX_SIGALGS 64
#define TLS_MAX_ALPN 8
#define TLS_ALPN_LEN 64         /* each protocol name, truncated */
#define TLS_SNI_LEN 256
#define TLS_JA3_LEN 2048

/* Results (0 = success); each failure is also a named event of the dissector. */
enum tls_result {
    TLS_OK = 0,
    TLS_ERR_RECORD = -1,        /* bad record header: type, version or an empty record */
    TLS_ERR_TOO_LARGE = -2,     /* handshake message longer than TLS_HELLO_MAX */
    TLS_ERR_TRUNCATED = -3,     /* a ClientHello field runs past its container */
    TLS_ERR_EXTENSION = -4,     /* an extension's inner lengths disagree with its own */
    TLS_ERR_RECORD_TOO_LONG = -5, /* record length over 2^14 (RFC 8446 5.1) */
};

/* tls_reassemble's "message incomplete": a byte count (nothing consumed), not a result. */
#define TLS_NEED_MORE 0L

/* Named events (stats: app.tls.<name>), one per failing enum tls_result. */
enum tls_event {
    TLS_EV_BAD_RECORD,      /* TLS_ERR_RECORD */
    TLS_EV_HELLO_TOO_LONG,  /* TLS_ERR_TOO_LARGE */
    TLS_EV_TRUNCATED,       /* TLS_ERR_TRUNCATED */
    TLS_EV_BAD_EXTENSION,   /* TLS_ERR_EXTENSION */
    TLS_EV_RECORD_TOO_LONG, /* TLS_ERR_RECORD_TOO_LONG */
    TLS_EV_COUNT
};

/* Every list holds values in wire order with GREASE (RFC 8701) removed; a list longer
 * than its cap is clipped and `clipped` is set (fingerprints then cover the kept part). */
struct mw_tls_hello {
    uint16_t record_version;     /* version of the first record header */
    uint16_t legacy_version;     /* ClientHello.legacy_version (client_version) */
    uint16_t version;            /* highest supported_versions entry, else legacy_version */
    uint16_t n_ciphers;
    uint16_t ciphers[TLS_MAX_CIPHERS];
    uint16_t n_extensions;
    uint16_t extensions[TLS_MAX_EXTENSIONS];
    uint8_t n_versions;
    uint16_t versions[TLS_MAX_VERSIONS]; /* supported_versions (43) */
    uint8_t n_groups;
    uint16_t groups[TLS_MAX_GROUPS];     /* supported_groups (10) */
    uint8_t n_point_formats;
    uint8_t point_formats[TLS_MAX_POINT_FORMATS]; /* ec_point_formats (11) */
    uint8_t n_sigalgs;
    uint16_t sigalgs[TLS_MAX_SIGALGS];   /* signature_algorithms (13) */
    uint8_t has_sni;             /* server_name extension present (JA4 'd') */
    char sni[TLS_SNI_LEN];       /* first host_name, raw bytes, NUL-terminated; may be "" */
    uint8_t n_alpn;
    char alpn[TLS_MAX_ALPN][TLS_ALPN_LEN]; /* application_layer_protocol_negotiation (16) */
    uint8_t clipped;
    uint16_t grease_seen;        /* GREASE values dropped from all lists */
    char ja3_string[TLS_JA3_LEN];
    char ja3_hash[33];           /* MD5 of ja3_string, lower-case hex */
    char ja4[40];                /* e.g. t13d1516h2_8daaf6152771_e5627efa2ab1 */
};

/* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa. */
int tls_is_grease(uint16_t v);

/* Frames the first handshake message from TLS records at data[0..len). Copies the
 * message (handshake header included) into msg (cap bytes) and sets *msg_len.
 * Returns the bytes of data consumed (> 0), 0 when more records are needed, or a
 * negative enum tls_result. Only handshake records may carry the message. */
long tls_reassemble(const uint8_t *data, size_t len, uint8_t *msg, size_t cap, size_t *msg_len);

/* Parses a ClientHello body (after the 4-byte handshake header) and computes JA3/JA4.
 * Returns TLS_OK or a negative enum tls_result. */
int tls_parse_client_hello(const uint8_t *body, size_t len, struct mw_tls_hello *out);

/* The event a failing result counts as (enum tls_event), or -1 for TLS_OK and unknown values. */
int tls_result_event(int result);

extern const struct mw_dissector tls_dissector;

#endif
