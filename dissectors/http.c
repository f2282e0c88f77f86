/* http.c - HTTP/1.x head parser and framing helpers (no state, no allocation).
 *
 * Spec: RFC 9112 sections 3 (request line), 4 (status line), 5 (field lines), 7.1
 * (chunked coding); RFC 3986 section 3.2 (authority). Wire layout:
 *   request:  method SP request-target SP "HTTP/1." DIGIT CRLF *(field-line CRLF) CRLF
 *   response: "HTTP/1." DIGIT SP 3DIGIT [SP reason] CRLF *(field-line CRLF) CRLF
 *   field-line: token ":" OWS value OWS
 * Bare LF is accepted as a line end (RFC 9112 section 2.2 allows it); obsolete line
 * folding is rejected (section 5.2 lets a recipient reject it).
 *
 * Each call scans the buffer once from the start, so the work is linear in len and the
 * caller bounds len (the dissector caps the head size).
 */
#include "dissectors/http.h"

#include <string.h>

static int http_is_tchar(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int http_is_vchar_or_ws(uint8_t c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Find the end of the line starting at off: returns the index of the LF and sets
 * *content_end to where the line's content ends (before CR). HTTP_NEED_MORE when no LF
 * yet (or HTTP_MALFORMED when the partial line already exceeds the cap). */
static long http_line(const uint8_t *buf, size_t len, size_t off, size_t *content_end)
{
    size_t lim = len - off > HTTP_MAX_LINE + 2 ? off + HTTP_MAX_LINE + 2 : len;
    const uint8_t *lf = memchr(buf + off, '\n', lim - off);
    if (!lf)
        return lim < len || lim - off >= HTTP_MAX_LINE + 2 ? HTTP_MALFORMED : HTTP_NEED_MORE;
    size_t at = (size_t)(lf - buf);
    size_t end = at;
    if (end > off && buf[end - 1] == '\r')
        end--;
    /* A CR anywhere else in the line is not allowed. */
    if (memchr(buf + off, '\r', end - off))
        return HTTP_MALFORMED;
    *content_end = end;
    return (long)at;
}

/* "HTTP/1.x" at p (8 bytes). */
static int http_version(const uint8_t *p, size_t n, int *minor)
{
    if (n != 8 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9')
        return -1;
    *minor = p[7] - '0';
    return 0;
}

/* Field lines from off up to and including the empty line. */
static long http_headers(const uint8_t *buf, size_t len, size_t off, struct http_header *hdrs,
                         size_t *num, size_t *total)
{
    *num = 0;
    *total = 0;
    for (;;) {
        size_t end;
        long lf = http_line(buf, len, off, &end);
        if (lf < 0)
            return lf;
        if (end == off) /* the empty line */
            return lf + 1;
        if (buf[off] == ' ' || buf[off] == '\t')
            return HTTP_MALFORMED; /* obsolete line folding */
        size_t i = off;
        while (i < end && http_is_tchar(buf[i]))
            i++;
        if (i == off || i == end || buf[i] != ':')
            return HTTP_MALFORMED;
        size_t name_end = i++;
        while (i < end && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        size_t vend = end;
        while (vend > i && (buf[vend - 1] == ' ' || buf[vend - 1] == '\t'))
            vend--;
        for (size_t k = i; k < vend; k++)
            if (!http_is_vchar_or_ws(buf[k]))
                return HTTP_MALFORMED;
        if (*num < HTTP_MAX_HEADERS) {
            hdrs[*num].name.p = buf + off;
            hdrs[*num].name.len = name_end - off;
            hdrs[*num].value.p = buf + i;
            hdrs[*num].value.len = vend - i;
            (*num)++;
        }
        (*total)++;
        off = (size_t)lf + 1;
    }
}

long http_parse_request(const uint8_t *buf, size_t len, struct http_request *out)
{
    out->num_headers = out->total_headers = 0;
    out->method.p = out->target.p = NULL;
    out->method.len = out->target.len = 0;
    size_t end;
    long lf = http_line(buf, len, 0, &end);
    if (lf < 0) {
        /* Reject a wrong start early instead of waiting for a line end. */
        for (size_t i = 0; i < len && buf[i] != ' '; i++)
            if (!http_is_tchar(buf[i]))
                return HTTP_MALFORMED;
        return lf;
    }
    size_t i = 0;
    while (i < end && http_is_tchar(buf[i]))
        i++;
    if (i == 0 || i >= end || buf[i] != ' ')
        return HTTP_MALFORMED;
    out->method.p = buf;
    out->method.len = i;
    size_t t = ++i;
    while (i < end && buf[i] > 0x20 && buf[i] != 0x7f)
        i++;
    if (i == t || i >= end || buf[i] != ' ')
        return HTTP_MALFORMED;
    out->target.p = buf + t;
    out->target.len = i - t;
    i++;
    if (http_version(buf + i, end - i, &out->version_minor) != 0)
        return HTTP_MALFORMED;
    return http_headers(buf, len, (size_t)lf + 1, out->headers, &out->num_headers, &out->total_headers);
}

long http_parse_response(const uint8_t *buf, size_t len, struct http_response *out)
{
    out->num_headers = out->total_headers = 0;
    out->reason.p = NULL;
    out->reason.len = 0;
    size_t end;
    long lf = http_line(buf, len, 0, &end);
    if (lf < 0) {
        size_t n = len < 7 ? len : 7;
        if (memcmp(buf, "HTTP/1.", n) != 0)
            return HTTP_MALFORMED;
        return lf;
    }
    if (end < 12 || http_version(buf, 8, &out->version_minor) != 0 || buf[8] != ' ')
        return HTTP_MALFORMED;
    int status = 0;
    for (size_t i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return HTTP_MALFORMED;
        status = status * 10 + (buf[i] - '0');
    }
    if (status < 100)
        return HTTP_MALFORMED;
    out->status = status;
    if (end > 12) {
        if (buf[12] != ' ')
            return HTTP_MALFORMED;
        for (size_t k = 13; k < end; k++)
            if (!http_is_vchar_or_ws(buf[k]))
                return HTTP_MALFORMED;
        out->reason.p = buf + 13;
        out->reason.len = end - 13;
    }
    return http_headers(buf, len, (size_t)lf + 1, out->headers, &out->num_headers, &out->total_headers);
}

static uint8_t http_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

int http_slice_ieq(const struct http_slice *a, const char *s)
{
    size_t n = strlen(s);
    if (a->len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (http_lower(a->p[i]) != http_lower((uint8_t)s[i]))
            return 0;
    return 1;
}

const struct http_slice *http_header_get(const struct http_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (http_slice_ieq(&h[i].name, name))
            return &h[i].value;
    return NULL;
}

int http_list_has(const struct http_slice *list, const char *token)
{
    size_t i = 0;
    while (i < list->len) {
        while (i < list->len && (list->p[i] == ' ' || list->p[i] == '\t' || list->p[i] == ','))
            i++;
        size_t s = i;
        while (i < list->len && list->p[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (list->p[e - 1] == ' ' || list->p[e - 1] == '\t'))
            e--;
        struct http_slice item = { list->p + s, e - s };
        if (item.len && http_slice_ieq(&item, token))
            return 1;
    }
    return 0;
}

int http_parse_content_length(const struct http_slice *v, uint64_t *out)
{
    uint64_t n = 0;
    if (v->len == 0)
        return -1;
    for (size_t i = 0; i < v->len; i++) {
        uint8_t c = v->p[i];
        if (c < '0' || c > '9')
            return -1;
        if (n > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
            return -1;
        n = n * 10 + (uint64_t)(c - '0');
    }
    *out = n;
    return 0;
}

long http_parse_chunk_size(const uint8_t *buf, size_t len, uint64_t *size)
{
    size_t end;
    long lf = http_line(buf, len, 0, &end);
    size_t scan = lf < 0 ? len : end;
    uint64_t n = 0;
    size_t i = 0;
    for (; i < scan; i++) {
        uint8_t c = http_lower(buf[i]);
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (d < 0)
            break;
        if (i >= 15) /* 16 hex digits would pass any sane body; refuse before overflow */
            return HTTP_MALFORMED;
        n = (n << 4) | (uint64_t)d;
    }
    if (i < scan && buf[i] != ';' && buf[i] != ' ' && buf[i] != '\t' && !(lf < 0 && buf[i] == '\r'))
        return HTTP_MALFORMED;
    if (lf < 0)
        return lf;
    if (i == 0)
        return HTTP_MALFORMED;
    *size = n;
    return lf + 1;
}

static int http_host_byte(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '%' || c == '~' || c == '!' || c == '$' ||
           c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' ||
           c == ';' || c == '=';
}

int http_authority_host(const struct http_slice *authority, struct http_slice *host)
{
    const uint8_t *p = authority->p;
    size_t n = authority->len;
    /* userinfo ends at the last '@' */
    for (size_t i = n; i > 0; i--) {
        if (p[i - 1] == '@') {
            p += i;
            n -= i;
            break;
        }
    }
    if (n == 0)
        return -1;
    if (p[0] == '[') {
        const uint8_t *close = memchr(p, ']', n);
        if (!close || close == p + 1)
            return -1;
        size_t hl = (size_t)(close - p) - 1;
        for (size_t i = 1; i <= hl; i++)
            if (!(http_host_byte(p[i]) || p[i] == ':'))
                return -1;
        size_t rest = n - hl - 2;
        if (rest && close[1] != ':')
            return -1;
        host->p = p + 1;
        host->len = hl;
        return 0;
    }
    size_t hl = 0;
    while (hl < n && p[hl] != ':') {
        if (!http_host_byte(p[hl]))
            return -1;
        hl++;
    }
    for (size_t i = hl + 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return -1;
    if (hl == 0)
        return -1;
    host->p = p;
    host->len = hl;
    return 0;
}

int http_absolute_authority(const struct http_slice *target, struct http_slice *authority)
{
    const uint8_t *p = target->p;
    size_t n = target->len;
    size_t i = 0;
    while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
                     (i > 0 && ((p[i] >= '0' && p[i] <= '9') || p[i] == '+' || p[i] == '-' || p[i] == '.'))))
        i++;
    if (i == 0 || n - i < 3 || memcmp(p + i, "://", 3) != 0)
        return -1;
    size_t s = i + 3, e = s;
    while (e < n && p[e] != '/' && p[e] != '?' && p[e] != '#')
        e++;
    authority->p = p + s;
    authority->len = e - s;
    return e > s ? 0 : -1;
}
