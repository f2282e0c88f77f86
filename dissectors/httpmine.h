/* httpmine.h - the parts of the HTTP/WebSocket mining dissector (dissectors/httpmine*.c)
 * and the per-flow state they share. Not for other modules: the dissector's interface is
 * http_dissector in dissectors/http.h.
 *
 *   httpmine.c         HTTP/1.x framing and pipelining, the dissector callbacks
 *   httpmine_ws.c      the WebSocket frame loop after an Upgrade
 *   httpmine_heur.c    miner heuristics: agent table, X-Mining headers, worker from the URL
 *   httpmine_report.c  classify a body or message and report evidence
 */
#ifndef MW_HTTPMINE_H
#define MW_HTTPMINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/evidence.h"
#include "dissectors/dissector.h"
#include "dissectors/http.h"

/* A head larger than this is not waited for: the direction is given up. */
#define HTTPM_HEAD_CAP 32768u
/* Bodies and WebSocket messages copied for classification (one engine body block);
 * larger ones are skipped. */
#define HTTPM_BODY_CAP MW_BODY_BLOCK
/* Requests awaiting their response (pipelining depth we keep). */
#define HTTPM_PIPE 8u
/* Distinct names reported per flow. */
#define HTTPM_NAMES 4u

enum httpm_mode {
    HM_HEAD = 0,
    HM_BODY_LEN,
    HM_CHUNK_SIZE,
    HM_CHUNK_DATA,
    HM_CHUNK_CRLF,
    HM_TRAILER,
    HM_UNTIL_CLOSE,
    HM_WEBSOCKET,
    HM_OPAQUE, /* CONNECT tunnel or a direction we lost: consume and ignore */
};

enum httpm_method { HMM_OTHER = 0, HMM_GET, HMM_HEAD, HMM_POST, HMM_CONNECT };

struct httpm_req {
    uint32_t seq;
    uint8_t method;
    uint8_t ws_upgrade;
    int kind;                /* jsonmine kind of the body, JM_K_NONE when not classified */
    enum mw_variant variant; /* dialect of the body */
};

struct httpm_dir {
    uint8_t mode;
    uint8_t collect;    /* copy body bytes for classification */
    uint8_t truncated;  /* body exceeded the cap */
    uint64_t remaining; /* body or chunk or frame payload bytes still to come */
    size_t body_len;
    /* WebSocket frame in progress */
    uint8_t ws_in_frame, ws_opcode, ws_fin, ws_masked, ws_in_msg;
    uint8_t ws_mask[4];
    uint64_t ws_off;
    /* HTTPM_BODY_CAP bytes, taken the first time this direction collects a body and
     * kept until fini: most web flows never collect one, and an inline buffer made every
     * HTTP flow's state 9 KB (the largest share of the sensor's memory on busy links). */
    uint8_t *body;
};

struct httpm_state {
    int8_t client_dir;
    uint8_t npend;
    uint8_t mining_seen;
    uint32_t next_seq;
    uint32_t body_req_seq;   /* request whose body the client direction is framing */
    struct httpm_req pend[HTTPM_PIPE];
    struct httpm_req resp_req; /* the request the response in progress answers */
    uint64_t emitted[2];       /* per side: bit per jsonmine kind already reported */
    uint32_t hdr_emitted;      /* bit per header signal already reported */
    uint32_t names[HTTPM_NAMES];
    uint8_t nnames;
    uint8_t reported;        /* evidence was emitted: the first response's facts follow it */
    uint8_t response_sent;   /* that MW_EV_HTTP went out (once per flow) */
    /* The last request head (Suricata's http object): method, url, hostname (also the pool
     * name of the evidence) and User-Agent, of request txn_seq; and the status and body
     * length of the last final response (to request resp_req.seq). */
    struct mw_http_facts txn;
    uint32_t txn_seq;
    uint8_t resp_seen, resp_has_len;
    uint16_t resp_status;
    uint64_t resp_len;
    char miner_agent[MW_EV_AGENT_LEN];
    char url_worker[MW_EV_WORKER_LEN];
    struct httpm_dir d[2];
};

/* httpmine.c */
struct httpm_req *httpm_find_req(struct httpm_state *s, uint32_t seq);
/* Collect the next body (or WebSocket message) only when a buffer can be had. */
uint8_t httpm_collect(struct mw_dctx *ctx, struct httpm_dir *d, int want);

static inline void httpm_bad(struct mw_dctx *ctx, enum http_event ev)
{
    mw_event(ctx, ev);
}

/* httpmine_ws.c: frames of direction dir after the upgrade; bytes consumed. */
long httpm_ws(struct httpm_state *s, struct mw_dctx *ctx, int dir, const uint8_t *p, size_t len);

/* httpmine_heur.c: what a request's or a response's head says about mining software. */
void httpm_request_heuristics(struct httpm_state *s, struct mw_dctx *ctx, const struct http_request *rq,
                              uint8_t method);
void httpm_response_heuristics(struct httpm_state *s, struct mw_dctx *ctx, const struct http_response *rs);

/* httpmine_report.c */
/* The http facts of evidence: the last request, with its response when with_response and
 * the response seen answers it (a response to an earlier request: its status alone). */
void httpm_facts(const struct httpm_state *s, struct mw_http_facts *h, int with_response);
/* The first final response after evidence was reported: its facts, once per flow. */
void httpm_emit_response(struct httpm_state *s, struct mw_dctx *ctx);
void httpm_mining(struct httpm_state *s, struct mw_dctx *ctx);
/* A name the request addresses (Host, absolute URI, CONNECT target), once per flow each. */
void httpm_emit_name(struct httpm_state *s, struct mw_dctx *ctx, const struct http_slice *host,
                     const struct http_slice *method, uint32_t connect); /* 1: a CONNECT target */
/* A header-only signal (bit: which one, reported once per flow). */
void httpm_emit_header(struct httpm_state *s, struct mw_dctx *ctx, unsigned bit, enum mw_variant v, uint8_t side,
                       uint8_t confidence, const char *method, const struct http_slice *stratum_url);
/* A complete body (or WebSocket text message) of direction dir is in d->body: classify it. */
void httpm_body_done(struct httpm_state *s, struct mw_dctx *ctx, int dir);

#endif
