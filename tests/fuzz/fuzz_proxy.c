/* fuzz_proxy.c - the SOCKS4/4a/5 and PROXY protocol v1/v2 parsers, and their dissectors over
 * a two-sided stream fed through the real app-layer engine (sensor/applayer/drive.h).
 * Input: byte 0 picks the dissector (bit 7), attaching it instead of probing (bit 6) and
 * the split size (bits 0-5); then records of one header byte (bit 7: the side, bits 0-6:
 * length) and that many bytes, each delivered in chunks of the split size, so a seed is a
 * real exchange. */
#include <stddef.h>
#include <stdint.h>

#include "dissectors/proxyproto.h"
#include "dissectors/socks.h"
#include "sensor/applayer/drive.h"

static void parsers(const uint8_t *data, size_t size)
{
    struct socks_slice sl;
    struct socks_request rq;
    struct proxyp_header ph;
    uint8_t v;
    (void)socks5_parse_greeting(data, size, &sl);
    (void)socks5_parse_choice(data, size, &v);
    (void)socks5_parse_auth(data, size, &sl);
    (void)socks5_parse_auth_status(data, size, &v);
    (void)socks5_parse_request(data, size, &rq);
    (void)socks5_parse_reply(data, size, &v);
    (void)socks4_parse_request(data, size, &rq);
    (void)socks4_parse_reply(data, size, &v);
    (void)proxyp_parse(data, size, &ph);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct mw_dissector *ds = (data[0] & 0x80) ? &proxyp_dissector : &socks_dissector;
    size_t step = (size_t)(data[0] & 0x3f) + 1;
    int force = data[0] & 0x40;
    data++;
    size--;
    parsers(data, size);
    struct applayer_drive_params p;
    applayer_drive_params_default(&p);
    p.port[MW_DIR_REV] = 1080;
    /* Bit 6: the dissector is attached so every input reaches its feed; otherwise probing
     * picks one as the sensor does. After a hand-over the engine probes the tunnel's bytes
     * afresh, so the dissectors behind a proxy are fuzzed too. */
    struct applayer_drive *dr = applayer_drive_new(&p, force ? ds : NULL, NULL, NULL);
    if (!dr)
        return 0;
    size_t off = 0;
    while (off < size) {
        int dir = data[off] >> 7;
        size_t rec = data[off] & 0x7f;
        off++;
        if (rec > size - off)
            rec = size - off;
        applayer_drive_steps(dr, dir, data + off, rec, step);
        off += rec;
    }
    if (applayer_drive_stat(dr, "detect.feed_contract") != 0)
        __builtin_trap();
    applayer_drive_free(dr);
    return 0;
}
