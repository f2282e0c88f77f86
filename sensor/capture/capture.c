/* capture.c - libpcap wrapper: offline files (pcap/pcapng), live interfaces, fanout groups.
 *
 * Live handles are set up with pcap_create/pcap_activate so snaplen, buffer size and
 * promiscuous mode are explicit; activation warnings are logged, not fatal. With several
 * workers each opens its own handle and joins one PACKET_FANOUT group in hash mode, so
 * both directions of a flow reach the same worker (the kernel hashes the symmetric tuple).
 */
#include "sensor/capture/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_packet.h>

#include "sensor/runtime/log.h"

#define CAPTURE_FILE_BUFFER (256u * 1024u)

struct capture {
    pcap_t *pcap;
    FILE *file;          /* offline: the stream libpcap reads, for progress */
    char *filebuf;       /* offline: its stdio buffer, freed after the stream is closed */
    uint64_t file_size;
    int live;
    uint64_t packets;
    /* 32-bit kernel counters from pcap_stats, widened across wrap-around. */
    uint32_t last_recv, last_drop, last_ifdrop;
    uint64_t recv64, drop64, ifdrop64;
    char errbuf[PCAP_ERRBUF_SIZE];
};

static int capture_set_filter(struct capture *c, const char *bpf, char *err, size_t errlen)
{
    if (!bpf || !*bpf)
        return 0;
    struct bpf_program prog;
    if (pcap_compile(c->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad BPF filter \"%s\": %s", bpf, pcap_geterr(c->pcap));
        return -1;
    }
    int rc = pcap_setfilter(c->pcap, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, errlen, "cannot set BPF filter: %s", pcap_geterr(c->pcap));
        return -1;
    }
    return 0;
}

static int capture_join_fanout(struct capture *c, int group, char *err, size_t errlen)
{
#ifdef PACKET_FANOUT
    int fd = pcap_fileno(c->pcap);
    /* Unsigned: the DEFRAG flag (0x8000) shifted into bit 31 overflows an int. */
    uint32_t arg = ((uint32_t)group & 0xffffu) | ((uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
        snprintf(err, errlen, "cannot join fanout group %d: %s", group, strerror(errno));
        return -1;
    }
    return 0;
#else
    snprintf(err, errlen, "PACKET_FANOUT is not available on this system");
    return -1;
#endif
}

static struct capture *capture_open_offline(struct capture *c, const struct capture_params *p,
                                            char *err, size_t errlen)
{
    if (strcmp(p->file, "-") == 0) {
        c->file = stdin;
    } else {
        c->file = fopen(p->file, "rb");
        if (!c->file) {
            snprintf(err, errlen, "%s: %s", p->file, strerror(errno));
            return NULL;
        }
        struct stat st;
        if (fstat(fileno(c->file), &st) == 0 && S_ISREG(st.st_mode))
            c->file_size = (uint64_t)st.st_size;
    }
    /* libpcap reads a file record by record through stdio; the default 4 KiB buffer
     * made one read() per few packets, a large share of offline time. */
    c->filebuf = c->file != stdin ? malloc(CAPTURE_FILE_BUFFER) : NULL;
    if (c->filebuf && setvbuf(c->file, c->filebuf, _IOFBF, CAPTURE_FILE_BUFFER) != 0) {
        free(c->filebuf);
        c->filebuf = NULL;
    }
    c->pcap = pcap_fopen_offline_with_tstamp_precision(c->file, PCAP_TSTAMP_PRECISION_MICRO, c->errbuf);
    if (!c->pcap) {
        snprintf(err, errlen, "%s: %s", p->file, c->errbuf);
        if (c->file != stdin)
            fclose(c->file);
        c->file = NULL;
        return NULL;
    }
    return c;
}

static struct capture *capture_open_live(struct capture *c, const struct capture_params *p,
                                         char *err, size_t errlen)
{
    c->live = 1;
    c->pcap = pcap_create(p->iface, c->errbuf);
    if (!c->pcap) {
        snprintf(err, errlen, "%s: %s", p->iface, c->errbuf);
        return NULL;
    }
    pcap_set_snaplen(c->pcap, p->snaplen > 0 ? p->snaplen : 65535);
    pcap_set_promisc(c->pcap, p->promiscuous);
    pcap_set_timeout(c->pcap, 100); /* ms: lets the loop run housekeeping on a quiet link */
    if (p->buffer_size)
        pcap_set_buffer_size(c->pcap, (int)(p->buffer_size > 0x7fffffff ? 0x7fffffff : p->buffer_size));
    pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(c->pcap);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", p->iface, pcap_geterr(c->pcap));
        return NULL;
    }
    if (rc > 0)
        mw_log(MW_LOG_WARN, "capture on %s: %s", p->iface,
               rc == PCAP_WARNING_PROMISC_NOTSUP ? "promiscuous mode not supported"
                                                 : pcap_geterr(c->pcap));
    if (p->fanout_group > 0 && capture_join_fanout(c, p->fanout_group, err, errlen) != 0)
        return NULL;
    /* With TPACKET_V3 a blocking read may wait for the kernel to retire a block and never
     * return on a quiet link; non-blocking reads plus our own poll() bound every wait so
     * housekeeping and signals (HUP, USR2, TERM) are handled within 100 ms. */
    if (pcap_setnonblock(c->pcap, 1, c->errbuf) != 0) {
        snprintf(err, errlen, "%s: %s", p->iface, c->errbuf);
        return NULL;
    }
    return c;
}

struct capture *capture_open(const struct capture_params *p, char *err, size_t errlen)
{
    struct capture *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    struct capture *ok = p->file ? capture_open_offline(c, p, err, errlen)
                                 : capture_open_live(c, p, err, errlen);
    if (ok && capture_set_filter(c, p->bpf, err, errlen) != 0)
        ok = NULL;
    if (!ok) {
        capture_close(c);
        return NULL;
    }
    return c;
}

int capture_datalink(const struct capture *c)
{
    return pcap_datalink(c->pcap);
}

enum capture_status capture_next(struct capture *c, struct capture_packet *out)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = pcap_next_ex(c->pcap, &h, &d);
    if (rc == 0 && c->live) {
        struct pollfd pfd = { pcap_get_selectable_fd(c->pcap), POLLIN, 0 };
        if (pfd.fd >= 0 && poll(&pfd, 1, 100) > 0)
            rc = pcap_next_ex(c->pcap, &h, &d);
    }
    if (rc == 1) {
        c->packets++;
        out->data = d;
        out->caplen = h->caplen;
        out->wirelen = h->len;
        out->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        return CAPTURE_OK;
    }
    if (rc == 0)
        return CAPTURE_TIMEOUT;
    if (rc == PCAP_ERROR_BREAK)
        return CAPTURE_EOF;
    snprintf(c->errbuf, sizeof c->errbuf, "%s", pcap_geterr(c->pcap));
    return CAPTURE_ERROR;
}

const char *capture_error(const struct capture *c)
{
    return c->errbuf;
}

static uint64_t capture_widen(uint32_t now, uint32_t *last, uint64_t *acc)
{
    *acc += (uint32_t)(now - *last); /* unsigned difference survives one wrap */
    *last = now;
    return *acc;
}

void capture_kernel_stats(struct capture *c, uint64_t *received, uint64_t *dropped, uint64_t *ifdropped)
{
    struct pcap_stat st;
    if (c->live && pcap_stats(c->pcap, &st) == 0) {
        capture_widen(st.ps_recv, &c->last_recv, &c->recv64);
        capture_widen(st.ps_drop, &c->last_drop, &c->drop64);
        capture_widen(st.ps_ifdrop, &c->last_ifdrop, &c->ifdrop64);
    }
    *received = c->live ? c->recv64 : c->packets;
    *dropped = c->drop64;
    *ifdropped = c->ifdrop64;
}

int capture_file_progress(const struct capture *c, uint64_t *pos, uint64_t *size)
{
    if (c->live || !c->file || !c->file_size)
        return -1;
    long at = ftell(c->file);
    if (at < 0)
        return -1;
    *pos = (uint64_t)at;
    *size = c->file_size;
    return 0;
}

void capture_breakloop(struct capture *c)
{
    pcap_breakloop(c->pcap);
}

int capture_is_live(const struct capture *c)
{
    return c->live;
}

uint64_t capture_packet_number(const struct capture *c)
{
    return c->packets;
}

void capture_close(struct capture *c)
{
    if (!c)
        return;
    if (c->pcap)
        pcap_close(c->pcap); /* closes the FILE it was given, too */
    else if (c->file && c->file != stdin)
        fclose(c->file);
    free(c->filebuf);
    free(c);
}
