/* capture.c - libpcap wrapper: offline files (pcap/pcapng), live interfaces, fanout groups.
 *
 * Live handles are set up with pcap_create/pcap_activate so snaplen, buffer size and
 * promiscuous mode are explicit; activation warnings are logged, not fatal. With several
 * workers each opens its own handle and joins one PACKET_FANOUT group steered by a
 * classic BPF program that hashes the address pair (capture_fanout_prog), as the offline
 * dispatch does: every flow between two hosts, both directions and every port, reaches
 * one worker, so a host's TLS and Stratum sessions to one pool are judged in the order one
 * thread would judge them. Kernels without PACKET_FANOUT_CBPF (before 4.2) fall back to
 * hash mode (the kernel's symmetric 5-tuple hash), with a warning.
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
#include <linux/filter.h>
#include <linux/if_packet.h>

#include "sensor/runtime/log.h"

#define CAPTURE_FILE_BUFFER (256u * 1024u)

struct capture {
    pcap_t *pcap;
    /* offline: the files in order, the next one to open, the first one's link type */
    const char *const *files;
    size_t nfiles, next_file, cur_file;
    int dlt;
    char *bpf;
    uint64_t files_read, files_skipped, files_failed;
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

#if defined(PACKET_FANOUT) && defined(PACKET_FANOUT_CBPF) && defined(PACKET_FANOUT_DATA)
/* The worker of a packet: XOR of the source and destination address words (symmetric, so
 * both directions agree), times a Fibonacci constant, high half; the kernel takes it modulo
 * the group's size. Loads are relative to the network header (SKF_NET_OFF), which holds
 * whether the kernel saw the frame received or sent and after VLAN untagging; the
 * protocol comes from skb metadata. Neither IPv4 nor IPv6 (ARP, ...): worker 0. */
#define FP_LD_NET(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_NET_OFF + (off)))
#define FP_XOR_IN(off) FP_LD_NET(off), BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0), BPF_STMT(BPF_MISC | BPF_TAX, 0)
static struct sock_filter capture_fanout_insns[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 0, 7),
    /* IPv4: saddr at 12, daddr at 16 */
    FP_LD_NET(12), BPF_STMT(BPF_MISC | BPF_TAX, 0),
    FP_LD_NET(16), BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
    BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9e3779b1u),
    BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
    BPF_STMT(BPF_RET | BPF_A, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, 0, 25),
    /* IPv6: saddr at 8..23, daddr at 24..39: eight words folded into X */
    FP_LD_NET(8), BPF_STMT(BPF_MISC | BPF_TAX, 0),
    FP_XOR_IN(12), FP_XOR_IN(16), FP_XOR_IN(20), FP_XOR_IN(24), FP_XOR_IN(28), FP_XOR_IN(32),
    FP_LD_NET(36), BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
    BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9e3779b1u),
    BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
    BPF_STMT(BPF_RET | BPF_A, 0),
    BPF_STMT(BPF_RET | BPF_K, 0),
};
#endif

static int capture_fanout_setopt(int fd, int group, uint32_t mode, char *err, size_t errlen)
{
    /* Unsigned: the DEFRAG flag (0x8000) shifted into bit 31 overflows an int. */
    uint32_t arg = ((uint32_t)group & 0xffffu) | ((mode | PACKET_FANOUT_FLAG_DEFRAG) << 16);
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
        snprintf(err, errlen, "cannot join fanout group %d: %s", group, strerror(errno));
        return -1;
    }
    return 0;
}

static int capture_join_fanout(struct capture *c, int group, char *err, size_t errlen)
{
#ifdef PACKET_FANOUT
    int fd = pcap_fileno(c->pcap);
#if defined(PACKET_FANOUT_CBPF) && defined(PACKET_FANOUT_DATA)
    /* Every member sets the (same) program: the group keeps the last one, and no member
     * depends on another having started first. */
    if (capture_fanout_setopt(fd, group, PACKET_FANOUT_CBPF, err, errlen) == 0) {
        struct sock_fprog prog = { (unsigned short)(sizeof capture_fanout_insns / sizeof capture_fanout_insns[0]),
                                   capture_fanout_insns };
        if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &prog, sizeof prog) == 0)
            return 0;
        snprintf(err, errlen, "cannot set the fanout program of group %d: %s", group, strerror(errno));
        return -1; /* joined in CBPF mode: hash mode can no longer be chosen for this socket */
    }
    if (errno != EINVAL)
        return -1; /* e.g. the group exists in another mode: the caller falls back */
    mw_log(MW_LOG_WARN, "fanout by address pair (PACKET_FANOUT_CBPF) is not supported here: "
                        "group %d hashes the 5-tuple, so two sessions between the same hosts may reach two workers", group);
#endif
    return capture_fanout_setopt(fd, group, PACKET_FANOUT_HASH, err, errlen);
#else
    (void)c;
    (void)group;
    snprintf(err, errlen, "PACKET_FANOUT is not available on this system");
    return -1;
#endif
}

static int capture_open_file(struct capture *c, const char *path, char *err, size_t errlen)
{
    c->file_size = 0;
    if (strcmp(path, "-") == 0) {
        c->file = stdin;
    } else {
        c->file = fopen(path, "rb");
        if (!c->file) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return -1;
        }
        struct stat st;
        if (fstat(fileno(c->file), &st) == 0 && S_ISREG(st.st_mode))
            c->file_size = (uint64_t)st.st_size;
    }
    /* libpcap reads a file record by record through stdio; the default 4 KiB buffer
     * made one read() per few packets, a large share of offline time. */
    if (!c->filebuf && c->file != stdin)
        c->filebuf = malloc(CAPTURE_FILE_BUFFER); /* kept for the next file */
    if (c->filebuf && c->file != stdin && setvbuf(c->file, c->filebuf, _IOFBF, CAPTURE_FILE_BUFFER) != 0) {
        free(c->filebuf);
        c->filebuf = NULL;
    }
    c->pcap = pcap_fopen_offline_with_tstamp_precision(c->file, PCAP_TSTAMP_PRECISION_MICRO, c->errbuf);
    if (!c->pcap) {
        snprintf(err, errlen, "%s: %s", path, c->errbuf);
        if (c->file != stdin)
            fclose(c->file);
        c->file = NULL;
        return -1;
    }
    return 0;
}

/* Close the file being read and open the next one that is a capture of the same link
 * type, skipping (with a warning) those that are not. 0, or -1 when none is left. */
static int capture_next_file(struct capture *c, char *err, size_t errlen)
{
    if (c->pcap) {
        pcap_close(c->pcap); /* closes its FILE too */
        c->pcap = NULL;
        c->file = NULL;
    }
    while (c->next_file < c->nfiles) {
        size_t i = c->next_file++;
        const char *path = c->files[i];
        if (capture_open_file(c, path, err, errlen) == 0) {
            int dlt = pcap_datalink(c->pcap);
            if (c->files_read == 0)
                c->dlt = dlt;
            if (dlt == c->dlt && capture_set_filter(c, c->bpf, err, errlen) == 0) {
                c->cur_file = i;
                c->files_read++;
                return 0;
            }
            if (dlt != c->dlt)
                snprintf(err, errlen, "%s: link type %d, not %d as the first file", path, dlt, c->dlt);
            pcap_close(c->pcap);
            c->pcap = NULL;
            c->file = NULL;
        }
        c->files_skipped++;
        if (c->nfiles > 1)
            mw_log(MW_LOG_WARN, "skipped %s", err);
    }
    return -1;
}

static struct capture *capture_open_offline(struct capture *c, const struct capture_params *p,
                                            char *err, size_t errlen)
{
    c->files = p->files;
    c->nfiles = p->nfiles;
    if (p->bpf && *p->bpf && !(c->bpf = strdup(p->bpf))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (capture_next_file(c, err, errlen) != 0) {
        if (p->nfiles > 1) /* each was named in a warning */
            snprintf(err, errlen, "no capture file to read among %zu", p->nfiles);
        return NULL;
    }
    return c;
}

int capture_probe_file(const char *path, int *dlt, char *err, size_t errlen)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, eb);
    if (!pc) {
        snprintf(err, errlen, "%s: %s", path, eb);
        return -1;
    }
    *dlt = pcap_datalink(pc);
    pcap_close(pc);
    return 0;
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
    struct capture *ok = p->nfiles ? capture_open_offline(c, p, err, errlen)
                                   : capture_open_live(c, p, err, errlen);
    if (ok && !p->nfiles && capture_set_filter(c, p->bpf, err, errlen) != 0)
        ok = NULL;
    if (!ok) {
        capture_close(c);
        return NULL;
    }
    return c;
}

int capture_datalink(const struct capture *c)
{
    return c->live ? pcap_datalink(c->pcap) : c->dlt;
}

enum capture_status capture_next(struct capture *c, struct capture_packet *out)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    if (!c->pcap)
        return CAPTURE_EOF; /* offline: every file read */
    int rc = pcap_next_ex(c->pcap, &h, &d);
    /* Offline, the end of a file, or an error in one that is not the last, moves on to
     * the next file; an error is reported and counted (the exit status says so). */
    while (!c->live && rc < 0 && c->next_file < c->nfiles) {
        if (rc != PCAP_ERROR_BREAK) {
            c->files_failed++;
            mw_log(MW_LOG_ERR, "%s: error after packet %llu: %s; reading the next file",
                   c->files[c->cur_file], (unsigned long long)c->packets, pcap_geterr(c->pcap));
        }
        char err[PCAP_ERRBUF_SIZE + 256];
        if (capture_next_file(c, err, sizeof err) != 0)
            return CAPTURE_EOF;
        rc = pcap_next_ex(c->pcap, &h, &d);
    }
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
    if (c->pcap)
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

const char *capture_current_file(const struct capture *c)
{
    return c->nfiles ? c->files[c->cur_file] : "";
}

void capture_file_counts(const struct capture *c, uint64_t *read, uint64_t *skipped, uint64_t *failed)
{
    *read = c->files_read;
    *skipped = c->files_skipped;
    *failed = c->files_failed;
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
    free(c->bpf);
    free(c);
}
