/* fuzz_geoip.c - arbitrary bytes as a MaxMind DB file: geoip_open either refuses it or every
 * later lookup works without a libmaxminddb error (the whole-file check at open holds). */
/* Run libFuzzer with -detect_leaks=0: libmaxminddb 1.7.1 leaks inside MMDB_open on some
 * malformed metadata (maxmind/libmaxminddb#356), which is not ours to fix. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sensor/detect/geoip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void errors_cb(void *u, const char *name, uint64_t v)
{
    if (!strcmp(name, "geoip.errors"))
        *(uint64_t *)u = v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A new memfd per input: a fresh inode, so the "already checked" memory never applies. */
    int fd = memfd_create("fuzz-mmdb", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) {
            close(fd);
            return 0;
        }
        off += (size_t)n;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct geoip_params p = { NULL, path, path, 4 };
    char err[256];
    struct geoip *g = geoip_open(&p, err, sizeof err);
    if (g) {
        static const uint8_t probes[][16] = {
            { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4 },
            { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 81, 2, 69, 142 },
            { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 255, 255, 255, 254 },
            { 0x2a, 0x02, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
            { 0x26, 0, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
            { 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
        };
        struct geoip_result r;
        for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
            struct mw_addr a;
            memcpy(a.b, probes[i], 16);
            geoip_lookup(g, &a, &r);
            if (strlen(r.city) >= sizeof r.city || strlen(r.as_org) >= sizeof r.as_org)
                abort();
        }
        uint64_t errors = 0;
        geoip_stats_foreach(g, errors_cb, &errors);
        if (errors)
            abort();
        geoip_close(g);
    }
    close(fd);
    return 0;
}
