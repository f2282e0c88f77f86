/* mixbuild.c - benchmark input: concatenates Ethernet captures into one pcap, each copy
 * with its IP addresses shifted so flows stay distinct, timestamps rewritten monotonic,
 * and mining captures sprinkled in; writes a manifest of which mining capture went where.
 *
 * usage: mixbuild -o OUT.pcap -l MANIFEST [-p MIN_PACKETS] [-e EVERY] [-g MAX_GAP_US]
 *                 [-M MINING.pcap]... TRAFFIC.pcap...
 * Copies of the traffic list are appended until MIN_PACKETS are written; after every
 * EVERY traffic files the next mining capture (round robin) is appended with the same
 * shift as the current copy plus a per-insertion offset, so every insertion is a new
 * set of hosts. Copy k adds k to the third octet of every IPv4 address and to byte 13 of
 * every IPv6 address (outer header only, checksums updated incrementally, RFC 1624), so
 * private ranges stay private and /16 home networks stay home. Captures that are not
 * Ethernet are skipped. A gap between packets is clamped to [0, MAX_GAP_US] (default
 * 20 ms): the shared captures are sparse (minutes between packets), a campus link is
 * not; dense time keeps many flows alive at once and makes per-second housekeeping
 * cost what it costs on a busy link rather than once per packet. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MB_FILE_GAP_US 1000u
#define MB_MAX_INSERTIONS 56 /* third octets 200..255 */

struct mix {
    pcap_dumper_t *dump;
    FILE *manifest;
    uint64_t clock_us;
    uint64_t max_gap_us;
    uint64_t packets, bytes, skipped_files;
    uint8_t buf[262144];
};

static uint16_t mb_get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void mb_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
static void mb_csum_fix(uint8_t *csum, uint16_t old_word, uint16_t new_word)
{
    uint32_t s = (uint16_t)~mb_get16(csum);
    s += (uint16_t)~old_word;
    s += new_word;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    mb_put16(csum, (uint16_t)~s);
}

/* Add k to byte `at` of the 16-bit word at w (at 0 = high byte); record old/new words. */
static void mb_shift_word(uint8_t *w, int at, unsigned k, uint16_t *old_word, uint16_t *new_word)
{
    *old_word = mb_get16(w);
    w[at] = (uint8_t)(w[at] + k);
    *new_word = mb_get16(w);
}

/* Offset of the L4 checksum field for proto, or -1 when it has none we can fix. */
static long mb_l4_csum_off(int proto, int v6)
{
    if (proto == 6)
        return 16;
    if (proto == 17)
        return 6;
    if (proto == 58 && v6)
        return 2;
    return -1;
}

static void mb_fix_l4(uint8_t *l4, uint32_t l4len, int proto, int v6, const uint16_t *olds,
                      const uint16_t *news, int n)
{
    long off = mb_l4_csum_off(proto, v6);
    if (off < 0 || (uint32_t)off + 2 > l4len)
        return;
    uint8_t *c = l4 + off;
    if (proto == 17 && mb_get16(c) == 0)
        return; /* IPv4 UDP without checksum stays without */
    for (int i = 0; i < n; i++)
        mb_csum_fix(c, olds[i], news[i]);
    if (proto == 17 && mb_get16(c) == 0)
        mb_put16(c, 0xffff);
}

static void mb_shift(uint8_t *p, uint32_t len, unsigned k)
{
    if (!k || len < 14)
        return;
    uint32_t off = 12;
    uint16_t et = mb_get16(p + off);
    while ((et == 0x8100 || et == 0x88a8 || et == 0x9100) && off + 6 <= len) {
        off += 4;
        et = mb_get16(p + off);
    }
    off += 2;
    uint16_t olds[2], news[2];
    if (et == 0x0800 && off + 20 <= len) {
        uint8_t *ip = p + off;
        uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
        if ((ip[0] >> 4) != 4 || ihl < 20 || off + ihl > len)
            return;
        mb_shift_word(ip + 14, 0, k, &olds[0], &news[0]);
        mb_shift_word(ip + 18, 0, k, &olds[1], &news[1]);
        mb_csum_fix(ip + 10, olds[0], news[0]);
        mb_csum_fix(ip + 10, olds[1], news[1]);
        if ((mb_get16(ip + 6) & 0x1fff) == 0)
            mb_fix_l4(ip + ihl, len - off - ihl, ip[9], 0, olds, news, 2);
    } else if (et == 0x86dd && off + 40 <= len) {
        uint8_t *ip = p + off;
        if ((ip[0] >> 4) != 6)
            return;
        mb_shift_word(ip + 8 + 12, 1, k, &olds[0], &news[0]);
        mb_shift_word(ip + 24 + 12, 1, k, &olds[1], &news[1]);
        mb_fix_l4(ip + 40, len - off - 40, ip[6], 1, olds, news, 2);
    }
}

/* Append one capture shifted by k; returns packets written, -1 when not usable. */
static long mb_append(struct mix *m, const char *path, unsigned k)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (!in) {
        fprintf(stderr, "mixbuild: %s: %s (skipped)\n", path, err);
        return -1;
    }
    if (pcap_datalink(in) != DLT_EN10MB) {
        pcap_close(in);
        return -1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t prev = 0;
    int first = 1;
    long n = 0;
    int rc;
    while ((rc = pcap_next_ex(in, &h, &d)) == 1) {
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        uint64_t gap = first ? MB_FILE_GAP_US : (ts > prev ? ts - prev : 0);
        if (gap > m->max_gap_us)
            gap = m->max_gap_us;
        first = 0;
        prev = ts;
        m->clock_us += gap;
        uint32_t len = h->caplen < sizeof m->buf ? h->caplen : (uint32_t)sizeof m->buf;
        memcpy(m->buf, d, len);
        mb_shift(m->buf, len, k);
        struct pcap_pkthdr oh;
        oh.ts.tv_sec = (time_t)(m->clock_us / 1000000u);
        oh.ts.tv_usec = (suseconds_t)(m->clock_us % 1000000u);
        oh.caplen = len;
        oh.len = h->len < len ? len : h->len;
        pcap_dump((u_char *)m->dump, &oh, m->buf);
        m->packets++;
        m->bytes += len;
        n++;
    }
    if (rc == PCAP_ERROR)
        fprintf(stderr, "mixbuild: %s: %s (truncated, kept %ld packets)\n", path, pcap_geterr(in), n);
    pcap_close(in);
    return n;
}

static void mb_insert_mining(struct mix *m, const char *path, int nth)
{
    unsigned shift = 200 + (unsigned)nth;
    if (mb_append(m, path, shift) > 0)
        fprintf(m->manifest, "%s\t%u\n", path, shift);
    else
        fprintf(stderr, "mixbuild: mining capture %s is not usable Ethernet\n", path);
}

static void usage(void)
{
    fprintf(stderr, "usage: mixbuild -o OUT.pcap -l MANIFEST [-p MIN_PACKETS] [-e EVERY] [-g MAX_GAP_US] "
                    "[-M MINING.pcap]... TRAFFIC.pcap...\n");
}

int main(int argc, char **argv)
{
    static struct mix m;
    m.max_gap_us = 20000;
    const char *out = NULL, *manifest = NULL;
    uint64_t min_packets = 500000;
    long every = 25;
    const char *mining[MB_MAX_INSERTIONS];
    int nmining = 0, opt;
    while ((opt = getopt(argc, argv, "o:l:p:e:g:M:h")) != -1) {
        switch (opt) {
        case 'o': out = optarg; break;
        case 'l': manifest = optarg; break;
        case 'p': min_packets = strtoull(optarg, NULL, 10); break;
        case 'g': m.max_gap_us = strtoull(optarg, NULL, 10); break;
        case 'e': every = strtol(optarg, NULL, 10); break;
        case 'M':
            if (nmining == (int)(sizeof mining / sizeof mining[0])) {
                fprintf(stderr, "mixbuild: too many -M\n");
                return 2;
            }
            mining[nmining++] = optarg;
            break;
        default: usage(); return opt == 'h' ? 0 : 2;
        }
    }
    if (!out || !manifest || optind >= argc || every < 1) {
        usage();
        return 2;
    }
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
    m.dump = pcap_dump_open(dead, out);
    if (!m.dump) {
        fprintf(stderr, "mixbuild: %s: %s\n", out, pcap_geterr(dead));
        return 1;
    }
    m.manifest = fopen(manifest, "w");
    if (!m.manifest) {
        perror(manifest);
        return 1;
    }
    m.clock_us = 1700000000000000ull;
    int ntraffic = argc - optind, inserted = 0;
    long since = 0;
    unsigned copy = 0;
    /* Third octet 0..199 for traffic copies; mining insertions use 200..255 so a miner
     * never shares addresses with a traffic copy and no insertion repeats another. */
    while (m.packets < min_packets && copy < 200) {
        long usable = 0;
        for (int i = 0; i < ntraffic && m.packets < min_packets; i++) {
            if (mb_append(&m, argv[optind + i], copy) < 0) {
                m.skipped_files += copy == 0;
                continue;
            }
            usable++;
            if (nmining && ++since >= every && inserted < MB_MAX_INSERTIONS) {
                since = 0;
                mb_insert_mining(&m, mining[inserted % nmining], inserted);
                inserted++;
            }
        }
        if (!usable) {
            fprintf(stderr, "mixbuild: no Ethernet capture among the inputs\n");
            return 1;
        }
        copy++;
    }
    while (inserted < nmining) { /* a small mix still holds every mining capture once */
        mb_insert_mining(&m, mining[inserted], inserted);
        inserted++;
    }
    pcap_dump_close(m.dump);
    pcap_close(dead);
    if (fclose(m.manifest) != 0) {
        perror(manifest);
        return 1;
    }
    printf("mixbuild: %llu packets, %llu bytes, %u copies, %d mining insertions, %llu non-Ethernet files skipped\n",
           (unsigned long long)m.packets, (unsigned long long)m.bytes, copy, inserted,
           (unsigned long long)m.skipped_files);
    return 0;
}
