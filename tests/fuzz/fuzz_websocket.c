/* fuzz_websocket.c - walk a buffer as a sequence of RFC 6455 frames. */
#include <stdint.h>
#include <stdlib.h>

#include "dissectors/websocket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[256];
    size_t off = 0;
    while (off < size) {
        struct ws_frame f;
        long got = ws_parse_frame(data + off, size - off, &f);
        if (got <= 0)
            break;
        if ((size_t)got > size - off || f.avail > size - off - (size_t)got)
            abort();
        size_t n = f.avail < sizeof out ? f.avail : sizeof out;
        ws_unmask(out, f.payload, n, f.mask, 0);
        off += (size_t)got + f.avail;
        if (f.avail < f.payload_len)
            break;
    }
    return 0;
}
