/* fuzz_stratum.c - the stream dissector fed through the real app-layer engine
 * (sensor/applayer/drive.h): the first byte picks the chunk size, chunks alternate
 * direction when bit 7 is set. */
#include <stddef.h>
#include <stdint.h>

#include "dissectors/stratum.h"
#include "sensor/applayer/drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] & 0x3f) + 1;
    int alternate = data[0] & 0x80;
    data++;
    size--;
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    /* Probing picks the dissector when the input lets it, as the sensor does; otherwise
     * Stratum is attached so every input reaches its feed. */
    struct applayer_drive *dr = applayer_drive_new(&p, (data[-1] & 0x40) ? NULL : &stratum_dissector, NULL, NULL);
    if (!dr)
        return 0;
    int dir = 0;
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        applayer_drive_data(dr, dir, data + off, n);
        if (alternate)
            dir ^= 1;
    }
    if (applayer_drive_stat(dr, "detect.feed_contract") != 0)
        __builtin_trap();
    applayer_drive_free(dr);
    return 0;
}
