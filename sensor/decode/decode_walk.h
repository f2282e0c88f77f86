/* decode_walk.h - private to decode.c and decode_ip.c: the per-call state of the layer walk. */
#ifndef MW_DECODE_WALK_H
#define MW_DECODE_WALK_H

#include <stdint.h>

#include "sensor/decode/decode.h"
#include "sensor/decode/defrag.h"
#include "sensor/decode/packet.h"

struct decode_ctx {
    struct decode_stats st;
    struct defrag *df;
};

enum decode_layer {
    DECODE_L_ETH,
    DECODE_L_VLAN,
    DECODE_L_MPLS,
    DECODE_L_PPPOE,
    DECODE_L_PPP,
    DECODE_L_IP_GUESS,
    DECODE_L_IP4,
    DECODE_L_IP6,
    DECODE_L_L4,
    DECODE_L_GRE,
    DECODE_L_NON_IP,
};

/* Per-call state of the layer loop. */
struct decode_walk {
    struct decode_ctx *ctx;
    struct mw_packet *out;
    uint64_t ts_us;
    unsigned layers;
    uint8_t reassembled;    /* one reassembly per call: a fragment inside is refused */
    uint8_t fresh_datagram; /* the IP header about to be parsed came out of defrag */
    uint8_t short_capture;  /* the current IP datagram was cut by the capture length */
    uint8_t l4_proto;
    uint8_t done;           /* transport header parsed: out is complete */
};

/* Count a malformed outcome under its reason. */
static inline enum decode_result decode_bad(uint64_t *counter)
{
    (*counter)++;
    return DECODE_MALFORMED;
}

static inline enum decode_result decode_skip(uint64_t *counter)
{
    (*counter)++;
    return DECODE_SKIP;
}

static inline int decode_tunnel_enter(struct decode_walk *w)
{
    if (w->out->tunnel_depth >= DECODE_MAX_TUNNEL_DEPTH)
        return 0;
    w->out->tunnel_depth++;
    return 1;
}

/* The IP and transport steps of the walk (decode_ip.c). Each reads one header at
 * *pp, narrows the (pointer, length) pair to what follows and sets *next; DECODE_OK
 * means go on (w->done is set once the transport header is parsed). */
enum decode_result decode_ip_v4(struct decode_walk *w, const uint8_t **pp, uint32_t *plen,
                                enum decode_layer *next);
enum decode_result decode_ip_v6(struct decode_walk *w, const uint8_t **pp, uint32_t *plen,
                                enum decode_layer *next);
enum decode_result decode_ip_l4(struct decode_walk *w, const uint8_t **pp, uint32_t *plen,
                                enum decode_layer *next);

#endif
