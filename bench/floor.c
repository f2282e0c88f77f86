/* floor.c - the benchmark's floor: read every packet of a capture with libpcap and touch
 * every byte (a running sum the compiler cannot drop), nothing else. No program that
 * reads the same file through libpcap can be faster than this. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mwfloor FILE.pcap\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    /* The same 256 KiB stdio buffer minewatch gives libpcap, so the floor reads the file
     * at least as cheaply as minewatch does. */
    static char buf[256 * 1024];
    FILE *f = fopen(argv[1], "rb");
    if (!f || setvbuf(f, buf, _IOFBF, sizeof buf) != 0) {
        perror(argv[1]);
        return 1;
    }
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (!p) {
        fprintf(stderr, "mwfloor: %s: %s\n", argv[1], err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t packets = 0, bytes = 0, sum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        packets++;
        bytes += h->caplen;
        for (uint32_t i = 0; i < h->caplen; i++)
            sum += d[i];
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "mwfloor: %s: %s\n", argv[1], pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("packets %llu bytes %llu sum %llu\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)sum);
    return 0;
}
