/* pcapinject.c - replay a capture file onto an interface at a fixed packet rate (live tests).
 * Usage: pcapinject IFACE FILE [PPS] [MAX_SECONDS]. Bounded in count (the file) and time. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pcapinject IFACE FILE [PPS] [MAX_SECONDS]\n");
        return 2;
    }
    long pps = argc > 3 ? atol(argv[3]) : 1000;
    long max_s = argc > 4 ? atol(argv[4]) : 30;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline(argv[2], err);
    if (!in) {
        fprintf(stderr, "pcapinject: %s\n", err);
        return 1;
    }
    pcap_t *out = pcap_open_live(argv[1], 65535, 0, 10, err);
    if (!out) {
        fprintf(stderr, "pcapinject: %s\n", err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    long sent = 0, failed = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (pcap_next_ex(in, &h, &d) == 1) {
        if (pcap_inject(out, d, h->caplen) < 0)
            failed++;
        else
            sent++;
        if (pps > 0) {
            struct timespec gap = { 0, 1000000000L / pps };
            nanosleep(&gap, NULL);
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= max_s)
            break;
    }
    printf("pcapinject: sent %ld packets, %ld failed\n", sent, failed);
    pcap_close(out);
    pcap_close(in);
    return sent > 0 ? 0 : 1;
}
