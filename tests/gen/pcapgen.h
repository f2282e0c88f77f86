/* pcapgen.h - write synthetic Ethernet captures (pcap or pcapng) for minewatch's tests.
 *
 * Test-only code: it never links into mwcore. A pg_writer owns the output file and a
 * deterministic clock; a pg_tcp is one TCP session between a client ("miner") and a
 * server ("pool") that writes correctly checksummed segments through the writer.
 * Everything is deterministic: the same calls produce byte-identical files.
 */
#ifndef MW_PCAPGEN_H
#define MW_PCAPGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pg_format { PG_PCAP = 0, PG_PCAPNG = 1 };

struct pg_writer {
    FILE *f;
    enum pg_format fmt;
    uint64_t ts_us;   /* timestamp of the next frame */
    uint32_t step_us; /* added after every frame */
    uint32_t frames;
    int error;        /* sticky: any write failed */
    int owns_file;    /* pg_close closes f */
};

/* Open path for writing; ts starts at start_us (microseconds since the epoch). 0 or -1. */
int pg_open(struct pg_writer *w, const char *path, enum pg_format fmt, uint64_t start_us);
/* Open on an already open stream (not closed by pg_close). */
int pg_open_stream(struct pg_writer *w, FILE *f, enum pg_format fmt, uint64_t start_us);
/* Flush and close; returns -1 when any write failed. */
int pg_close(struct pg_writer *w);
/* Write one Ethernet frame at the current time, then advance the clock by step_us. */
void pg_frame(struct pg_writer *w, const uint8_t *frame, size_t len);
/* Let time pass (e.g. between a keepalive and the next share). */
void pg_advance(struct pg_writer *w, uint64_t us);

/* RFC 1071 Internet checksum of data (folded, complemented) continuing from sum. */
uint16_t pg_cksum(const void *data, size_t len, uint32_t sum);

/* An IP endpoint: family 4 or 6, address bytes (4 or 16 used), port, MAC. */
struct pg_endpoint {
    int family;
    uint8_t addr[16];
    uint16_t port;
    uint8_t mac[6];
};

/* Parse "a.b.c.d" or an IPv6 literal into ep (MAC derived from the address). 0 or -1. */
int pg_endpoint(struct pg_endpoint *ep, const char *ip, uint16_t port);

/* Link and IP framing shared by TCP and UDP. */
struct pg_link {
    uint16_t vlan[2]; /* 802.1Q ids, outermost first */
    int nvlan;
    uint8_t ttl;
};

/* Build and write one IP packet (with transport header already in l4) from a to b.
 * The transport checksum at l4[cksum_off] is computed here (pseudo-header included). */
void pg_ip_packet(struct pg_writer *w, const struct pg_link *link, const struct pg_endpoint *a,
                  const struct pg_endpoint *b, uint8_t proto, uint8_t *l4, size_t l4_len,
                  size_t cksum_off, uint16_t ip_id);

/* UDP datagram; frag_payload > 0 splits an IPv4 datagram into fragments carrying at most
 * that many bytes of IP payload each (rounded down to a multiple of 8), written last
 * fragment first when reverse_frags is set. */
void pg_udp(struct pg_writer *w, const struct pg_link *link, const struct pg_endpoint *src,
            const struct pg_endpoint *dst, const void *payload, size_t len, size_t frag_payload,
            int reverse_frags);

/* How a message is cut into segments and in which order they are written. */
enum pg_order { PG_IN_ORDER = 0, PG_REVERSE, PG_SHUFFLE };

struct pg_plan {
    size_t seg_size;       /* cut every seg_size bytes (0: one segment, or the splits) */
    const size_t *splits;  /* or cut at these increasing offsets */
    size_t nsplits;
    enum pg_order order;
    uint32_t seed;         /* PG_SHUFFLE: deterministic permutation */
    int retransmit;        /* write segment number retransmit-1 a second time (0: none) */
};

/* Direction of a send. */
enum pg_dir { PG_C2S = 0, PG_S2C = 1 };

#define PG_WRITE_C2S 0x01
#define PG_WRITE_S2C 0x02

struct pg_tcp {
    struct pg_writer *w;
    struct pg_link link;
    struct pg_endpoint ep[2];  /* [PG_C2S] client, [PG_S2C] server */
    uint32_t next_seq[2];      /* next sequence number each side sends */
    uint16_t ip_id[2];
    uint16_t mss;              /* default segment size for a plain send */
    uint8_t write_mask;        /* PG_WRITE_*: which directions reach the file */
    uint8_t ack_each;          /* write a pure ACK from the receiver after each message */
    uint32_t rtt_us;           /* time the receiver's ACK takes */
};

/* Session between client and server; isn_client/isn_server are the initial sequence numbers
 * (pick values near 2^32 to make the stream cross the wrap). Writes nothing yet. */
void pg_tcp_init(struct pg_tcp *s, struct pg_writer *w, const struct pg_endpoint *client,
                 const struct pg_endpoint *server, uint32_t isn_client, uint32_t isn_server);
/* SYN, SYN-ACK, ACK. Omit the call to start midstream. */
void pg_tcp_handshake(struct pg_tcp *s);
/* Send bytes from one side: segmented per plan (NULL: mss-sized, in order), PSH on the
 * last segment, then an ACK from the peer when ack_each is set. */
void pg_tcp_send(struct pg_tcp *s, enum pg_dir dir, const void *data, size_t len,
                 const struct pg_plan *plan);
/* Convenience: a NUL-terminated string sent in one piece. */
void pg_tcp_sends(struct pg_tcp *s, enum pg_dir dir, const char *text);
/* Orderly close started by dir: FIN, FIN-ACK, ACK. */
void pg_tcp_fin(struct pg_tcp *s, enum pg_dir dir);
/* Abort from dir. */
void pg_tcp_rst(struct pg_tcp *s, enum pg_dir dir);
/* A bare SYN from client (e.g. a flood); nothing else. */
void pg_tcp_syn_only(struct pg_tcp *s);
/* One segment exactly as given (sequence number, flags, urgent pointer, link TTL of s),
 * without touching the session's next_seq: overlaps, decoys, urgent data. */
void pg_tcp_segment(struct pg_tcp *s, enum pg_dir dir, uint32_t seq, uint8_t flags, uint16_t urg,
                    const void *data, size_t len);
/* One IP packet around a ready payload (transport header included, checksums are the
 * caller's): IPv4 with fragment offset (bytes) and MF; IPv6 ignores both (put a fragment
 * header in the payload with proto 44). For hand-made fragments. */
void pg_ip_raw(struct pg_writer *w, const struct pg_link *link, const struct pg_endpoint *a,
               const struct pg_endpoint *b, uint8_t proto, const void *payload, size_t len,
               uint16_t ip_id, size_t frag_off, int mf);

/* Tiny DNS message writer (RFC 1035): returns the length written or 0 when cap is too small. */
#define PG_DNS_A 1
#define PG_DNS_AAAA 28
size_t pg_dns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype);
/* Response with n answers for name of type qtype (rdata each 4 or 16 bytes), name compressed. */
size_t pg_dns_answer(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t qtype,
                     const uint8_t (*rdata)[16], size_t n, uint32_t ttl);

#endif
