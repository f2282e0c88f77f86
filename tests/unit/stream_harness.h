/* stream_harness.h - shared helpers for the flow and stream unit tests: packet builder
 * and a collector that records what the stream layer delivers per direction. */
#ifndef MW_TEST_STREAM_HARNESS_H
#define MW_TEST_STREAM_HARNESS_H

#include <stdint.h>
#include <string.h>

#include "sensor/flow/flow.h"
#include "sensor/decode/packet.h"
#include "sensor/stream/stream.h"

#define H_OUT_MAX 8192

struct h_dir {
    uint8_t out[H_OUT_MAX];
    size_t len;        /* bytes delivered */
    uint32_t gaps;     /* gap callbacks */
    uint64_t lost;     /* bytes reported lost */
    size_t gap_at[16]; /* output offset at which each gap was reported */
};

struct harness {
    struct flow_table *ft;
    struct stream_ctx *sc;
    struct h_dir dir[2];
    uint32_t ended;
    enum flow_end_reason last_why;
    uint64_t ts;
};

static inline void h_on_data(void *u, struct mw_flow *f, int dir, const uint8_t *data, size_t len, uint64_t ts)
{
    (void)f, (void)ts;
    struct harness *h = u;
    struct h_dir *d = &h->dir[dir];
    if (d->len + len <= H_OUT_MAX)
        memcpy(d->out + d->len, data, len);
    d->len += len;
}

static inline void h_on_gap(void *u, struct mw_flow *f, int dir, uint32_t lost)
{
    (void)f;
    struct harness *h = u;
    struct h_dir *d = &h->dir[dir];
    if (d->gaps < 16)
        d->gap_at[d->gaps] = d->len;
    d->gaps++;
    d->lost += lost;
}

static inline void h_on_end(void *u, struct mw_flow *f, enum flow_end_reason why)
{
    struct harness *h = u;
    h->ended++;
    h->last_why = why;
    if (h->sc)
        stream_flow_release(h->sc, f);
}

static inline struct mw_packet h_tcp(uint8_t src, uint16_t sport, uint8_t dst, uint16_t dport, uint8_t flags, uint32_t seq,
                              const void *data, uint32_t len)
{
    struct mw_packet p;
    memset(&p, 0, sizeof p);
    uint8_t a[4] = { 10, 0, 0, src }, b[4] = { 10, 0, 0, dst };
    mw_addr_from_v4(&p.src, a);
    mw_addr_from_v4(&p.dst, b);
    p.ip_version = 4;
    p.proto = 6;
    p.sport = sport;
    p.dport = dport;
    p.tcp_flags = flags;
    p.seq = seq;
    p.payload = data;
    p.payload_len = len;
    p.wirelen = 54 + len;
    return p;
}

#include <stdlib.h>

static inline struct harness *h_new(size_t flow_memcap, const struct stream_params *sp)
{
    struct harness *h = calloc(1, sizeof *h);
    struct flow_params fp;
    flow_params_default(&fp);
    if (flow_memcap)
        fp.memcap = flow_memcap;
    fp.hash_buckets = 1024;
    struct stream_params def;
    stream_params_default(&def);
    h->ft = flow_table_new(&fp, h_on_end, h);
    h->sc = stream_new(sp ? sp : &def, h_on_data, h_on_gap, h);
    h->ts = 1000000;
    return h;
}

/* Free everything; returns the stream memory still charged after all flows ended. */
static inline size_t h_free(struct harness *h)
{
    flow_table_shutdown(h->ft);
    size_t left = stream_memuse(h->sc);
    flow_table_free(h->ft);
    stream_free(h->sc);
    free(h);
    return left;
}

static inline struct mw_flow *h_send(struct harness *h, struct mw_packet p, int *dir_out)
{
    int dir = -1;
    p.ts_us = h->ts += 1000;
    struct mw_flow *f = flow_get(h->ft, &p, &dir);
    if (f)
        stream_packet(h->sc, f, dir, &p);
    if (dir_out)
        *dir_out = dir;
    return f;
}

struct h_stat_find {
    const char *name;
    uint64_t v;
};

static inline void h_stat_cb(void *u, const char *name, uint64_t v)
{
    struct h_stat_find *s = u;
    if (strcmp(s->name, name) == 0)
        s->v = v;
}

static inline uint64_t h_stream_stat(const struct harness *h, const char *name)
{
    struct h_stat_find s = { name, UINT64_MAX };
    stream_stats_foreach(h->sc, h_stat_cb, &s);
    return s.v;
}

static inline uint64_t h_flow_stat(const struct flow_table *t, const char *name)
{
    struct h_stat_find s = { name, UINT64_MAX };
    flow_stats_foreach(t, h_stat_cb, &s);
    return s.v;
}

#endif
