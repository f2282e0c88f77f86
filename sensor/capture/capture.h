/* capture.h - packets in: libpcap on a capture file or a live interface (AF_PACKET fanout for workers). */
#ifndef MW_CAPTURE_H
#define MW_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct capture_params {
    /* Offline: pcap or pcapng files ("-" for stdin, alone) read one after the other as one
     * capture: packet numbers continue, the link type is the first file's. A file that does
     * not open as a capture or has another link type is skipped with a warning, one that
     * fails part-way is reported and the next one read (capture_files_failed). */
    const char *const *files;
    size_t nfiles;          /* 0: live */
    const char *iface;      /* live: interface name */
    int snaplen;
    size_t buffer_size;     /* kernel ring buffer bytes (live) */
    int promiscuous;
    const char *bpf;        /* filter expression or NULL */
    int fanout_group;       /* live with workers > 1: PACKET_FANOUT group id, 0 = none */
};

struct capture;

struct capture_packet {
    const uint8_t *data;
    uint32_t caplen;
    uint32_t wirelen;
    uint64_t ts_us;
};

enum capture_status { CAPTURE_OK = 1, CAPTURE_TIMEOUT = 0, CAPTURE_EOF = -2, CAPTURE_ERROR = -1 };

struct capture *capture_open(const struct capture_params *p, char *err, size_t errlen);
int capture_datalink(const struct capture *c);
enum capture_status capture_next(struct capture *c, struct capture_packet *out);
/* The libpcap error text after CAPTURE_ERROR (a corrupt or truncated file). */
const char *capture_error(const struct capture *c);
/* Kernel counters for a live capture, widened to 64 bits across libpcap's 32-bit wrap. */
void capture_kernel_stats(struct capture *c, uint64_t *received, uint64_t *dropped, uint64_t *ifdropped);
/* Offline: bytes of the file consumed and its total size, for the progress line. */
int capture_file_progress(const struct capture *c, uint64_t *pos, uint64_t *size);
/* Stop a blocking live read from a signal handler or another thread. */
void capture_breakloop(struct capture *c);
int capture_is_live(const struct capture *c);
uint64_t capture_packet_number(const struct capture *c);
/* Offline: the file being read (the last one after the end). */
const char *capture_current_file(const struct capture *c);
/* Offline: files read, skipped (not a capture, another link type) and failed part-way. */
void capture_file_counts(const struct capture *c, uint64_t *read, uint64_t *skipped, uint64_t *failed);
/* Start-up check of a file named on the command line: 0 and its link type, or -1 and err. */
int capture_probe_file(const char *path, int *dlt, char *err, size_t errlen);
void capture_close(struct capture *c);

#endif
