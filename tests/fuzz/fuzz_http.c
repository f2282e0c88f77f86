/* fuzz_http.c - HTTP head parsers, framing helpers and the HTTP/WebSocket dissector.
 * Input: byte 0 picks the split size; the rest is cut at the first "\0\0" into a client
 * stream and a server stream, fed alternately through the real app-layer engine
 * (sensor/applayer/drive.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/http.h"
#include "sensor/applayer/drive.h"

static void parsers(const uint8_t *d, size_t n)
{
    struct http_request rq;
    struct http_response rs;
    uint64_t v;
    (void)http_parse_request(d, n, &rq);
    (void)http_parse_response(d, n, &rs);
    (void)http_parse_chunk_size(d, n, &v);
    struct http_slice s = { d, n }, a, h;
    (void)http_parse_content_length(&s, &v);
    if (http_absolute_authority(&s, &a) == 0)
        (void)http_authority_host(&a, &h);
    (void)http_authority_host(&s, &h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)(data[0] % 64) + 1;
    data++;
    size--;
    parsers(data, size);
    size_t cut = size;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == 0 && data[i + 1] == 0) {
            cut = i;
            break;
        }
    const uint8_t *cli = data, *srv = data + (cut + 2 <= size ? cut + 2 : size);
    size_t clen = cut, slen = size - (size_t)(srv - data);

    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_REV] = 80;
    struct applayer_drive *dr = applayer_drive_new(&p, &http_dissector, NULL, NULL);
    if (!dr)
        return 0;
    size_t co = 0, so = 0;
    while (applayer_drive_attached(dr) && (co < clen || so < slen)) {
        if (co < clen) {
            size_t n = clen - co < step ? clen - co : step;
            applayer_drive_data(dr, MW_DIR_FWD, cli + co, n);
            co += n;
        }
        if (so < slen) {
            size_t n = slen - so < step ? slen - so : step;
            applayer_drive_data(dr, MW_DIR_REV, srv + so, n);
            so += n;
        }
    }
    if (applayer_drive_stat(dr, "detect.feed_contract") != 0)
        __builtin_trap();
    applayer_drive_free(dr);
    return 0;
}
