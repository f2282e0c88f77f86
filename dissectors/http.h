/* http.h - HTTP/1.x message head parser, body framing helpers and the HTTP dissector.
 *
 * Spec: RFC 9112 (HTTP/1.1 message syntax: request/status line, field lines, chunked
 * transfer coding, message body length), RFC 9110 (Host, CONNECT, authority form),
 * RFC 6455 section 4 (the WebSocket upgrade handshake).
 *
 * The head parser is pure: it reads (buf, len), returns the head length (request or
 * status line, field lines and the empty line), HTTP_NEED_MORE or HTTP_MALFORMED, and
 * fills slices that point into buf. The dissector (dissectors/httpmine.c) frames the
 * bodies and reports names and mining evidence.
 */
#ifndef MW_HTTP_H
#define MW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"

#define HTTP_NEED_MORE (-2L)
#define HTTP_MALFORMED (-1L)

/* Headers kept per message; more are checked and framed but not kept (counted in
 * total_headers). */
#define HTTP_MAX_HEADERS 64
/* Longest request/status line or field line. */
#define HTTP_MAX_LINE 8192

struct http_slice {
    const uint8_t *p;
    size_t len;
};

struct http_header {
    struct http_slice name;  /* field name, without the colon */
    struct http_slice value; /* without leading/trailing whitespace */
};

struct http_request {
    struct http_slice method;
    struct http_slice target; /* request-target as sent (origin, absolute, authority or '*') */
    int version_minor;        /* HTTP/1.x */
    size_t num_headers;       /* kept, at most HTTP_MAX_HEADERS */
    size_t total_headers;     /* seen */
    struct http_header headers[HTTP_MAX_HEADERS];
};

struct http_response {
    int version_minor;
    int status;
    struct http_slice reason;
    size_t num_headers;
    size_t total_headers;
    struct http_header headers[HTTP_MAX_HEADERS];
};

long http_parse_request(const uint8_t *buf, size_t len, struct http_request *out);
long http_parse_response(const uint8_t *buf, size_t len, struct http_response *out);

/* First header called name (case-insensitive), or NULL. */
const struct http_slice *http_header_get(const struct http_header *h, size_t n, const char *name);

/* 1 when the slice equals the NUL-terminated s ignoring ASCII case. */
int http_slice_ieq(const struct http_slice *a, const char *s);
/* 1 when the comma-separated list contains token (case-insensitive). */
int http_list_has(const struct http_slice *list, const char *token);

/* Content-Length value: 0 and *out set, or -1 when not 1*DIGIT (or overflowing). */
int http_parse_content_length(const struct http_slice *v, uint64_t *out);

/* Chunk-size line "HEX[;ext]\r\n" at buf: line length consumed and *size set,
 * HTTP_NEED_MORE, or HTTP_MALFORMED. */
long http_parse_chunk_size(const uint8_t *buf, size_t len, uint64_t *size);

/* Host part of an authority ("host", "host:port", "[v6]:port", "user@host"), without
 * port or brackets. Returns 0 and sets *host (a slice into the authority), or -1 when
 * empty or containing bytes no host name has. */
int http_authority_host(const struct http_slice *authority, struct http_slice *host);

/* Authority of an absolute-form target ("scheme://authority/..."), or -1. */
int http_absolute_authority(const struct http_slice *target, struct http_slice *authority);

/* Named events of the HTTP/WebSocket dissector (stats: app.http.<name>). */
enum http_event {
    HTTP_EV_HEAD_TOO_LONG,    /* a message head longer than the dissector waits for */
    HTTP_EV_BAD_HEAD,         /* a head that breaks RFC 9112 syntax or framing */
    HTTP_EV_BAD_CHUNK,        /* a chunk-size line that does not parse */
    HTTP_EV_BAD_CHUNK_END,    /* chunk data not followed by CRLF */
    HTTP_EV_TRAILER_TOO_LONG, /* a trailer field line over HTTP_MAX_LINE */
    HTTP_EV_BODY_REFUSED,     /* no body buffer (the engine's body pool is at its cap) */
    HTTP_EV_WS_RSV,           /* WebSocket: enum ws_error values, in order */
    HTTP_EV_WS_OPCODE,
    HTTP_EV_WS_CONTROL,
    HTTP_EV_WS_LENGTH_MSB,
    HTTP_EV_WS_NON_MINIMAL,
    HTTP_EV_WS_SEQUENCE,      /* masking the wrong way round, or fragments out of order */
    HTTP_EV_COUNT
};

extern const struct mw_dissector http_dissector;

#endif
