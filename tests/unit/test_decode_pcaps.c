/* test_decode_pcaps.c - decode every capture in $MW_SHARED_DIR/pcaps/{traffic,mining}: no crash, little left undecoded. */
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/decode/decode.h"
#include "unit/check_main.h"

struct totals {
    uint64_t files, skipped_files, packets, ok, held, skip, malformed;
};

/* Sum of every counter over all files, printed so a regression shows its reason. */
#define MAX_COUNTERS 128
static const char *cname[MAX_COUNTERS];
static uint64_t cval[MAX_COUNTERS];

static void add_counter(void *u, const char *name, uint64_t v)
{
    for (int i = 0; i < MAX_COUNTERS; i++) {
        if (!cname[i])
            cname[i] = name;
        if (cname[i] == name || strcmp(cname[i], name) == 0) {
            cval[i] += v;
            return;
        }
    }
}

static void decode_file(const char *path, struct totals *t)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc) {
        t->skipped_files++;
        return;
    }
    int dlt = pcap_datalink(pc);
    if (!decode_dlt_supported(dlt)) {
        /* e.g. PPI or 802.11: counted, not a failure of the decoder */
        t->skipped_files++;
        pcap_close(pc);
        return;
    }
    struct decode_ctx *ctx = decode_new(NULL);
    ck_assert_ptr_nonnull(ctx);
    struct pcap_pkthdr *h;
    const u_char *data;
    struct mw_packet pkt;
    uint64_t n = 0;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        /* pcapng files may mix interfaces; libpcap reports one link type per file */
        enum decode_result r = decode_packet(ctx, dlt, data, h->caplen, h->len, ts, &pkt);
        t->packets++;
        n++;
        switch (r) {
        case DECODE_OK:
            t->ok++;
            ck_assert(pkt.ip_version == 4 || pkt.ip_version == 6);
            ck_assert_uint_le(pkt.payload_len, 65535);
            break;
        case DECODE_HELD:
            t->held++;
            break;
        case DECODE_SKIP:
            t->skip++;
            break;
        case DECODE_MALFORMED:
            t->malformed++;
            break;
        }
    }
    const struct decode_stats *s = decode_stats(ctx);
    ck_assert_uint_eq(s->packets, n);
    decode_stats_foreach(s, add_counter, NULL);
    decode_free(ctx);
    pcap_close(pc);
    t->files++;
}

static int decode_dir(const char *dir, struct totals *t)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        int cap = (n > 5 && strcmp(de->d_name + n - 5, ".pcap") == 0) ||
                  (n > 7 && strcmp(de->d_name + n - 7, ".pcapng") == 0) ||
                  (n > 4 && strcmp(de->d_name + n - 4, ".cap") == 0);
        if (!cap)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        decode_file(path, t);
    }
    closedir(d);
    return 0;
}

static const char *shared;

START_TEST(test_all_captures)
{
    struct totals t = { 0, 0, 0, 0, 0, 0, 0 };
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/pcaps/traffic", shared);
    ck_assert_int_eq(decode_dir(dir, &t), 0);
    snprintf(dir, sizeof dir, "%s/pcaps/mining", shared);
    decode_dir(dir, &t);
    printf("decode_pcaps: %llu files (%llu not decodable), %llu packets: ok %llu held %llu "
           "skip %llu malformed %llu\n",
           (unsigned long long)t.files, (unsigned long long)t.skipped_files,
           (unsigned long long)t.packets, (unsigned long long)t.ok, (unsigned long long)t.held,
           (unsigned long long)t.skip, (unsigned long long)t.malformed);
    for (int i = 0; i < MAX_COUNTERS && cname[i]; i++)
        if (cval[i])
            printf("  %s %llu\n", cname[i], (unsigned long long)cval[i]);
    ck_assert_uint_gt(t.files, 300);
    ck_assert_uint_le(t.skipped_files, t.files / 20);
    ck_assert_uint_gt(t.packets, 10000);
    /* These are IP application captures: most packets must decode. */
    ck_assert_uint_le(t.skip * 20, t.packets);       /* under 5 % not IP */
    ck_assert_uint_le(t.malformed * 100, t.packets); /* under 1 % malformed */
}
END_TEST

int main(void)
{
    shared = getenv("MW_SHARED_DIR");
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/pcaps/traffic", shared ? shared : "");
    DIR *d = shared ? opendir(probe) : NULL;
    if (!d) {
        printf("skipped: MW_SHARED_DIR/pcaps/traffic not found (MW_SHARED_DIR=%s)\n",
               shared ? shared : "(unset)");
        return 77;
    }
    closedir(d);
    Suite *s = suite_create("decode_pcaps");
    TCase *tc = tcase_create("captures");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_all_captures);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
