/* dns.h - DNS message parser and dissector (RFC 1035, 2181, 3596, 6891).
 *
 * dns_parse() is a pure function from one DNS message to a struct mw_dns_record; the
 * dissector frames UDP datagrams and TCP length-prefixed messages on port 53 and
 * reports every query and response as MW_EV_NAME evidence carrying the record.
 */
#ifndef MW_DNS_H
#define MW_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"
#include "core/addr.h"

/* A wire name is at most 255 bytes, i.e. 253 characters of dotted text. Names whose
 * presentation form (with \. \\ and \DDD escapes) is longer are truncated and flagged. */
#define DNS_NAME_TEXT 256
#define DNS_MAX_ANSWERS 16
#define DNS_MAX_JUMPS 64 /* compression pointers followed per name */

/* Results of dns_parse (0 = success). */
enum dns_result {
    DNS_OK = 0,
    DNS_ERR_TRUNCATED = -1,        /* a section or field runs past the message */
    DNS_ERR_COMPRESSION_LOOP = -2, /* pointer into the name being decoded, or too many jumps */
    DNS_ERR_BAD_POINTER = -3,      /* pointer forward, into the header, or past the end */
    DNS_ERR_LABEL = -4,            /* reserved label type (0x40/0x80: length byte 64..191) */
    DNS_ERR_NAME_TOO_LONG = -5,    /* wire name over 255 bytes */
    DNS_ERR_RDATA = -6,            /* rdata inconsistent with its type (A not 4 bytes, ...) */
};

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA 6
#define DNS_TYPE_PTR 12
#define DNS_TYPE_MX 15
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_OPT 41

struct dns_answer {
    char name[DNS_NAME_TEXT];   /* owner name, dotted, case kept ("." for the root) */
    uint16_t type;
    uint16_t rrclass;
    uint32_t ttl;
    uint16_t rdlength;          /* raw rdata length, for every type */
    uint8_t has_addr;           /* A / AAAA: addr is valid */
    uint8_t has_target;         /* CNAME / PTR / NS: target is valid */
    struct mw_addr addr;        /* A as ::ffff:a.b.c.d, AAAA as is */
    char target[DNS_NAME_TEXT];
};

struct mw_dns_record {
    uint16_t id;
    uint16_t flags;             /* the raw 16-bit flags word */
    uint8_t qr;                 /* 0 query, 1 response */
    uint8_t opcode;
    uint8_t rcode;              /* header rcode (the OPT extension is in ext_rcode) */
    uint8_t tc, aa, rd, ra;
    uint16_t qdcount, ancount, nscount, arcount; /* as claimed by the header */
    uint8_t has_question;       /* rrname/rrtype/rrclass are valid */
    uint8_t name_truncated;     /* some name did not fit its text buffer */
    char rrname[DNS_NAME_TEXT]; /* first question */
    uint16_t rrtype;
    uint16_t rrclass;
    uint16_t questions_parsed;
    uint16_t answers_parsed;    /* answer RRs walked (stored: min(this, DNS_MAX_ANSWERS)) */
    uint16_t authority_parsed;
    uint16_t additional_parsed;
    uint8_t answer_count;       /* entries filled in answers[] */
    uint8_t has_opt;            /* EDNS(0) OPT pseudo-RR seen in the additional section */
    uint16_t edns_udp_size;
    uint8_t ext_rcode;          /* upper 8 bits of the extended rcode */
    uint8_t edns_version;
    struct dns_answer answers[DNS_MAX_ANSWERS];
};

/* Parses one DNS message (no TCP length prefix). Fills *out as far as it gets, so a
 * message that fails late still has its header and question (check has_question).
 * Returns DNS_OK or a negative enum dns_result. */
int dns_parse(const uint8_t *msg, size_t len, struct mw_dns_record *out);

/* Decodes the name at off of msg into text (size >= 2). *next receives the offset
 * after the name in the original position (past the first pointer if any). Sets
 * *truncated when the text did not fit. Returns DNS_OK or a negative result. */
int dns_name_decode(const uint8_t *msg, size_t len, size_t off, char *text, size_t size, size_t *next,
                    int *truncated);

/* Mnemonics for EVE output ("A", "AAAA", "NOERROR", ...); static strings, "UNKNOWN" for
 * values without one. */
const char *dns_type_name(uint16_t type);
const char *dns_rcode_name(uint8_t rcode);

/* Named events (stats: app.dns.<name>): one per failing enum dns_result, then framing. */
enum dns_event {
    DNS_EV_TRUNCATED,        /* DNS_ERR_TRUNCATED */
    DNS_EV_COMPRESSION_LOOP, /* DNS_ERR_COMPRESSION_LOOP */
    DNS_EV_BAD_POINTER,      /* DNS_ERR_BAD_POINTER */
    DNS_EV_BAD_LABEL,        /* DNS_ERR_LABEL */
    DNS_EV_NAME_TOO_LONG,    /* DNS_ERR_NAME_TOO_LONG */
    DNS_EV_BAD_RDATA,        /* DNS_ERR_RDATA */
    DNS_EV_TCP_BAD_LENGTH,   /* a TCP length prefix shorter than a DNS header: framing lost */
    DNS_EV_COUNT
};

/* The event a failing result counts as (enum dns_event), or -1 for DNS_OK and unknown values. */
int dns_result_event(int result);

extern const struct mw_dissector dns_dissector;

#endif
