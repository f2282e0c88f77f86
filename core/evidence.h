/* evidence.h - typed findings, the only thing dissectors hand to the rest of the sensor.
 *
 * A dissector that recognises something fills a struct mw_evidence and passes it to
 * the emit callback of its struct mw_dctx (dissectors/dissector.h). Evidence is facts only:
 * which signature and severity they raise is sensor/detect/policy.c's decision. Nothing here is
 * JSON: sensor/detect/detect.c merges evidence per flow, matches names against the pool
 * lists, feeds host verdicts, and only sensor/eve/eve.c turns it into text.
 *
 * Strings are raw bytes from the wire, NUL-terminated and truncated to the field size;
 * they are escaped when written, never before.
 */
#ifndef MW_EVIDENCE_H
#define MW_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* The `mining.variant` values of docs/eve.md, in registry order. */
enum mw_variant {
    MW_VAR_NONE = 0,
    MW_VAR_STRATUM1,     /* Stratum V1, Bitcoin family */
    MW_VAR_ETHSTRATUM,   /* EthereumStratum/1.0.0 (NiceHash) */
    MW_VAR_ETHPROXY,     /* eth_submitLogin / eth_getWork, raw TCP or HTTP */
    MW_VAR_CRYPTONOTE,   /* XMRig-style login/job/submit */
    MW_VAR_GETWORK,      /* getwork over HTTP */
    MW_VAR_GBT,          /* getblocktemplate / submitblock over HTTP */
    MW_VAR_STRATUM2,     /* Stratum V2, cleartext or Noise handshake */
    MW_VAR_WEBMINER,     /* browser miner over WebSocket */
    MW_VAR_DNS,          /* lookup of a listed pool name */
    MW_VAR_TLS_SNI,      /* TLS server name of a listed pool */
    MW_VAR_HTTP_HOST,    /* HTTP Host / absolute URI / CONNECT target of a listed pool */
    MW_VAR_POOL_ADDRESS, /* connection to a listed or DNS-learned pool address */
    MW_VAR_NDPI,         /* nDPI's mining guess: a suspicion only, never an alert */
    MW_VAR_SOCKS_CONNECT, /* SOCKS4/4a/5 CONNECT target of a listed pool (name or address) */
    MW_VAR_ENCRYPTED,    /* an opaque (TLS) session with the timing and sizes of mining */
    MW_VAR__COUNT
};

const char *mw_variant_name(enum mw_variant v);

/* What kind of finding this is. */
enum mw_ev_kind {
    MW_EV_PROTOCOL = 0, /* a mining protocol was seen: complete evidence by itself */
    MW_EV_NAME,         /* a name was seen (DNS/SNI/Host/CONNECT): detect.c matches it against the lists */
    MW_EV_PROXY,        /* a proxy handshake (SOCKS request, PROXY-protocol header): `proxy` holds
                           its facts, pool_host a target name; detect.c keeps them for the
                           flow's alerts and matches the target against the lists */
    MW_EV_HTTP,         /* HTTP transaction facts only (the first response after a report):
                           `http` completes the flow's record; never an alert by itself */
};

/* Which proxy protocol stood in front of the stream (the `mining.proxy.protocol` values). */
enum mw_proxy_proto {
    MW_PROXY_NONE = 0,
    MW_PROXY_SOCKS4,
    MW_PROXY_SOCKS4A,
    MW_PROXY_SOCKS5,
    MW_PROXY_V1, /* HAProxy PROXY protocol, text header */
    MW_PROXY_V2, /* HAProxy PROXY protocol, binary header */
    MW_PROXY__COUNT
};

const char *mw_proxy_proto_name(enum mw_proxy_proto p);

/* Which side(s) of the protocol the evidence came from (bit mask). */
#define MW_SIDE_CLIENT 0x01
#define MW_SIDE_SERVER 0x02

/* Field sizes: documented in docs/eve.md as the truncation lengths. */
#define MW_EV_METHOD_LEN 48
#define MW_EV_AGENT_LEN 128
#define MW_EV_WORKER_LEN 192
#define MW_EV_ALGO_LEN 48
#define MW_EV_HOST_LEN 256
#define MW_EV_COIN_LEN 16
#define MW_EV_LIST_LEN 64
#define MW_EV_URL_LEN 256
#define MW_EV_HTTP_METHOD_LEN 24

/* What a proxy handshake told about the connection behind it. */
struct mw_proxy_facts {
    uint8_t proto;           /* enum mw_proxy_proto; MW_PROXY_NONE when no proxy was seen */
    uint8_t has_target_addr; /* SOCKS: the target was given as an address */
    uint8_t has_src;         /* PROXY protocol: the original connection's endpoints are known */
    uint16_t target_port;    /* SOCKS: the target's port (its name is in pool_host) */
    struct mw_addr target_addr;
    struct mw_addr src, dst; /* PROXY protocol: the original client and the address it reached */
    uint16_t src_port, dst_port;
};

/* Why a flow was judged encrypted mining (sensor/detect/behave.c), in the numbers an
 * analyst checks: filled only for MW_VAR_ENCRYPTED, written as `mining.behaviour`. */
struct mw_behaviour {
    uint32_t duration_s;         /* seen so far */
    uint32_t jobs;               /* unsolicited pool pushes of job size */
    uint32_t job_bytes;          /* their mean size on the wire */
    uint32_t submits;            /* miner messages answered by a small acknowledgement */
    uint32_t submit_bytes;       /* lower edge of the most common submit size bin (4% wide) */
    uint32_t ack_bytes;          /* mean acknowledgement size */
    double job_interval_s;       /* mean time between pushes */
    double job_interval_cv;      /* their coefficient of variation */
    double submits_per_min;
    double submit_interval_cv;   /* 1 for a Poisson process (shares), ~0 for a timer */
    double submit_size_share;    /* fraction of submits in the two dominant size clusters */
    double acked_ratio;          /* submits / submit-sized miner messages */
    double ack_size_share;       /* fraction of acknowledgements within +-8% of the usual size */
    double ack_delay_ms;         /* mean submit-to-acknowledgement delay */
    double rtt_ms;               /* handshake round trip (0: not seen) */
    double bytes_per_s;          /* payload bytes, both directions */
    double client_server_ratio;  /* miner bytes / pool bytes */
};

/* The HTTP transaction that carried a finding (Suricata's `http` object): copied, bounded
 * strings from the wire; a field not seen is empty (status 0, has_length 0). */
struct mw_http_facts {
    uint8_t seen;          /* 1: the finding came over HTTP (the fields below describe it) */
    uint8_t has_length;    /* length is known */
    uint16_t status;       /* response status code; 0 before the response */
    uint64_t length;       /* response body bytes */
    char method[MW_EV_HTTP_METHOD_LEN];
    char hostname[MW_EV_HOST_LEN]; /* Host header (or the CONNECT / absolute-URI authority), no port */
    char url[MW_EV_URL_LEN];       /* request-target as sent */
    char user_agent[MW_EV_AGENT_LEN];
};

/* Fill what dst does not know yet from src (the request's fields come together). */
void mw_http_merge(struct mw_http_facts *dst, const struct mw_http_facts *src);

struct mw_dns_record; /* dissectors/dns.h */
struct mw_tls_hello;  /* dissectors/tls.h */

struct mw_evidence {
    enum mw_ev_kind kind;
    enum mw_variant variant;
    uint8_t sides;       /* MW_SIDE_* that this piece of evidence confirms */
    uint8_t client_dir;  /* MW_DIR_FWD/MW_DIR_REV: direction in which the miner (protocol client) sends */
    uint8_t confidence;  /* 0..100, the dissector's own certainty */
    uint8_t suspicion;   /* 1: weak signal (Noise handshake shape, nDPI guess): severity 3 at most */
    char method[MW_EV_METHOD_LEN];
    char agent[MW_EV_AGENT_LEN];   /* miner software */
    char worker[MW_EV_WORKER_LEN]; /* login / wallet.worker; never the password */
    char algo[MW_EV_ALGO_LEN];
    char pool_host[MW_EV_HOST_LEN];/* pool name from subscribe params, Host, SV2 endpoint, SNI, DNS */
    char coin[MW_EV_COIN_LEN];
    /* Filled by detect.c when a list matched (MW_EV_NAME and pool addresses). */
    char list_name[MW_EV_LIST_LEN];
    char list_category[24];
    struct mw_proxy_facts proxy; /* MW_EV_PROXY, and name evidence of a SOCKS target */
    struct mw_behaviour behaviour; /* MW_VAR_ENCRYPTED only */
    struct mw_http_facts http;     /* findings carried by HTTP (http.seen) */
    /* Optional protocol records for the EVE `dns` / `tls` objects; valid only during emit. */
    const struct mw_dns_record *dns;
    const struct mw_tls_hello *tls;
};

/* Per-flow application counters, owned by the flow, updated by dissectors,
 * reported in the `flow` event of every flow that alerted. */
struct mw_flow_app {
    uint32_t shares_submitted;
    uint32_t shares_accepted;
    uint32_t shares_rejected;
    uint32_t jobs;
    double difficulty;   /* last difficulty / share target seen */
    const char *app_proto; /* static string naming the protocol, NULL when unknown */
};

/* What a mining message means for the flow's counters (docs/eve.md, flow `mining`):
 * the one mapping every dissector goes through. A job is work the pool hands the miner:
 * a Stratum notify, a CryptoNote/web-miner job push or the job inside a CryptoNote login
 * result, getwork/eth_getWork work and a getblocktemplate template. A share is submitted
 * by the miner and accepted or rejected by the pool. */
enum mw_msg_meaning {
    MW_MSG_OTHER = 0,
    MW_MSG_SHARE_SUBMITTED,
    MW_MSG_SHARES_ACCEPTED, /* n shares (Stratum V2 acknowledges several at once) */
    MW_MSG_SHARE_REJECTED,
    MW_MSG_JOB,
};

/* Count n messages of that meaning on app (saturating; app may be NULL). */
void mw_app_count(struct mw_flow_app *app, enum mw_msg_meaning what, uint32_t n);

/* Copy a byte slice into a fixed evidence field, truncating, always NUL-terminated. */
void mw_ev_set(char *dst, size_t dst_size, const void *src, size_t len);

#endif
