/* fuzz_dns.c - dns_parse on the input, then the dissector through the real app-layer
 * engine (sensor/applayer/drive.h): as a TCP stream split where the first byte says, or
 * (bit 7) as two datagrams. */
#include <stdint.h>
#include <string.h>

#include "dissectors/dns.h"
#include "sensor/applayer/drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_emit(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    /* Touch every string the integrator will read. */
    volatile size_t n = strlen(ev->pool_host);
    for (unsigned i = 0; i < ev->dns->answer_count; i++)
        n += strlen(ev->dns->answers[i].name) + strlen(ev->dns->answers[i].target);
    (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mw_dns_record rec;
    (void)dns_parse(data, size, &rec);
    if (size < 1)
        return 0;
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_REV] = 53;
    p.handshake_seen = data[0] & 1;
    struct applayer_drive *dr = applayer_drive_new(&p, &dns_dissector, fuzz_emit, NULL);
    if (!dr)
        return 0;
    size_t cut = size > 1 ? 1 + data[0] % (size - 1) : 1;
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    size_t first = cut - 1 < n ? cut - 1 : n;
    if (data[0] & 0x80) {
        applayer_drive_datagram(dr, MW_DIR_FWD, in, first);
        applayer_drive_datagram(dr, MW_DIR_REV, in + first, n - first);
    } else {
        applayer_drive_data(dr, MW_DIR_FWD, in, first);
        applayer_drive_data(dr, MW_DIR_FWD, in + first, n - first);
    }
    if (applayer_drive_stat(dr, "detect.feed_contract") != 0)
        __builtin_trap();
    applayer_drive_free(dr);
    return 0;
}
