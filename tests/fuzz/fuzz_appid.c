/* fuzz_appid.c - hostile IP datagrams through appid into nDPI: one flow per input.
 *
 * Input: a sequence of records [be16 length][length bytes], each one IP datagram of the
 * same flow (at most 16). The nDPI module is built once: it costs ~9 MB and ~0.1 s. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/applayer/appid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct appid *a;
    static uint64_t next_id = 1;
    if (!a) {
        struct appid_params p;
        appid_params_default(&p);
        p.max_packets = 8;
        p.max_flows = 16;
        a = appid_new(&p);
        if (!a)
            abort();
    }
    struct mw_flow f;
    memset(&f, 0, sizeof f);
    f.flow_id = next_id++;
    size_t off = 0;
    for (int k = 0; k < 16 && size - off >= 2; k++) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        struct mw_packet pk;
        memset(&pk, 0, sizeof pk);
        pk.ts_us = 1700000000000000ull + (uint64_t)k * 1000u;
        pk.l3 = len ? data + off : NULL;
        pk.l3_len = (uint32_t)len;
        pk.ip_version = len ? (uint8_t)(data[off] >> 4) : 0;
        appid_packet(a, &f, &pk);
        off += len;
    }
    appid_flow_end(a, &f);
    return 0;
}
