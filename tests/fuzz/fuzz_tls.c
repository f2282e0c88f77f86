/* fuzz_tls.c - the ClientHello body parser on the input, then the dissector through the
 * real app-layer engine (sensor/applayer/drive.h) over the input as a client stream split
 * where the first byte says. */
#include <stdint.h>
#include <string.h>

#include "dissectors/tls.h"
#include "sensor/applayer/drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_emit(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    volatile size_t n = strlen(ev->pool_host) + strlen(ev->tls->ja3_string) + strlen(ev->tls->ja4);
    for (unsigned i = 0; i < ev->tls->n_alpn; i++)
        n += strlen(ev->tls->alpn[i]);
    (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mw_tls_hello hello;
    if (size < 1)
        return 0;
    (void)tls_parse_client_hello(data + 1, size - 1, &hello);
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_REV] = 443;
    struct applayer_drive *dr = applayer_drive_new(&p, &tls_dissector, fuzz_emit, NULL);
    if (!dr)
        return 0;
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    size_t cut = n ? data[0] % (n + 1) : 0;
    applayer_drive_data(dr, MW_DIR_FWD, in, cut);
    applayer_drive_data(dr, MW_DIR_FWD, in + cut, n - cut);
    if (applayer_drive_stat(dr, "detect.feed_contract") != 0)
        __builtin_trap();
    applayer_drive_free(dr);
    return 0;
}
