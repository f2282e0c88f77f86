/* fuzz_decode.c - libFuzzer target for decode_packet() and the defragmenter behind it.
 *
 * Input: byte 0 picks the link type from decode_dlt_list(); the rest is one frame, or
 * several frames separated by the 4 bytes ff 'M' 'W' ff so fragment sequences can be
 * fuzzed. Each frame is decoded from an exactly sized heap copy so any overread trips
 * ASan, and the decoded slices are checked to stay inside their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t sep[4] = { 0xff, 'M', 'W', 0xff };

static const uint8_t *find_sep(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + sizeof sep <= n; i++)
        if (memcmp(p + i, sep, sizeof sep) == 0)
            return p + i;
    return NULL;
}

static void check(const struct mw_packet *pkt, const uint8_t *buf, size_t len)
{
    if (pkt->ip_version != 4 && pkt->ip_version != 6)
        abort();
    if (pkt->payload_len > 65535 || pkt->l3_len > 65535 + 40)
        abort();
    if (pkt->payload < pkt->l3 || pkt->payload + pkt->payload_len > pkt->l3 + pkt->l3_len)
        abort();
    if (!pkt->reassembled && (pkt->l3 < buf || pkt->l3 + pkt->l3_len > buf + len))
        abort();
    if (pkt->vlan_count > MW_MAX_VLAN || pkt->tunnel_depth > DECODE_MAX_TUNNEL_DEPTH)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int *dlts;
    unsigned n = decode_dlt_list(&dlts);
    int dlt = dlts[data[0] % n];
    struct defrag_params dp = { 256 * 1024, 32, 30 };
    struct decode_ctx *ctx = decode_new(&dp);
    if (!ctx)
        return 0;
    const uint8_t *p = data + 1, *end = data + size;
    uint64_t ts = 1000000;
    for (;;) {
        const uint8_t *s = find_sep(p, (size_t)(end - p));
        size_t len = s ? (size_t)(s - p) : (size_t)(end - p);
        uint8_t *copy = malloc(len ? len : 1);
        if (!copy)
            break;
        if (len)
            memcpy(copy, p, len);
        struct mw_packet pkt;
        enum decode_result r = decode_packet(ctx, dlt, copy, (uint32_t)len, (uint32_t)len, ts, &pkt);
        if (r == DECODE_OK)
            check(&pkt, copy, len);
        free(copy);
        ts += 1000;
        if (!s)
            break;
        p = s + sizeof sep;
    }
    decode_free(ctx);
    return 0;
}
