/* fuzz_sv2.c - Stratum V2 frame and message parsers, and the dissector over a two-sided
 * stream through the real app-layer engine (sensor/applayer/drive.h). Input: byte 0 picks the split size and which side speaks first. */
#include <stdint.h>

#include "dissectors/sv2.h"
#include "sensor/applayer/drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)(data[0] & 0x7f) + 1;
    int flip = data[0] >> 7;
    data++;
    size--;
    struct sv2_frame f;
    if (sv2_parse_frame(data, size, &f) > 0) {
        struct sv2_setup_connection sc;
        struct sv2_setup_success ss;
        struct sv2_setup_error se;
        struct sv2_open_channel oc;
        (void)sv2_parse_setup_connection(f.payload, f.msg_length, &sc);
        (void)sv2_parse_setup_success(f.payload, f.msg_length, &ss);
        (void)sv2_parse_setup_error(f.payload, f.msg_length, &se);
        (void)sv2_parse_open_channel(f.msg_type, f.payload, f.msg_length, &oc);
        (void)sv2_msg_name(f.msg_type);
    }
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_REV] = 34254;
    p.handshake_seen = 0;
    struct applayer_drive *dr = applayer_drive_new(&p, &sv2_dissector, NULL, NULL);
    if (!dr)
        return 0;
    int dir = flip;
    for (size_t off = 0; off < size; off += step, dir ^= 1)
        applayer_drive_data(dr, dir, data + off, size - off < step ? size - off : step);
    if (applayer_drive_stat(dr, "detect.feed_contract") != 0)
        __builtin_trap();
    applayer_drive_free(dr);
    return 0;
}
