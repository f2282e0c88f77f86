/* fuzz_stream.c - drive flow_get + stream_packet with byte-coded segments under tiny caps
 * and check that what is delivered per direction is a consistent prefix-with-gaps.
 *
 * Input: isn_a(4, BE) isn_b(4, BE) cfg(1) then records until the input ends:
 *   ctl(1) off(2, BE) len(1) data[len]
 *   ctl bit 0: sender (0 = A 10.0.0.1:40000, 1 = B 10.0.0.2:3333)
 *   ctl bits 1..4: SYN, FIN, RST, ACK     bit 5: toggle keep_following
 *   ctl bit 6: 700 s pass first (housekeeping ends the flow)
 *   cfg low 2 bits: depth (0, 7, 64, 300), bits 2-3:
 *   segment limit (1, 2, 4, 64), bits 4-5: stream memcap in blocks (1, 2, 3, 8).
 * The oracle: every delivered byte sits at the offset the model expects (delivery and
 * gaps move a cursor) and equals the first byte ever sent at that offset in this flow. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/flow/flow.h"
#include "sensor/stream/stream.h"

#define SPAN (65536 + 256 + 2)

struct model {
    int16_t first[2][SPAN]; /* -1: never sent */
    int64_t cursor[2];      /* offset of the next delivered byte; -1 before init */
    uint64_t delivered[2];
    int followed;           /* keep_following was ever set in this flow */
    uint32_t depth;
};

static struct model M;
static struct mw_addr A, B;

static void model_reset(void)
{
    memset(M.first, 0xff, sizeof M.first);
    M.cursor[0] = M.cursor[1] = -1;
    M.delivered[0] = M.delivered[1] = 0;
    M.followed = 0;
}

static int endpoint_of(const struct mw_flow *f, int dir)
{
    return memcmp(&f->addr[dir], &A, sizeof A) == 0 && f->port[dir] == 40000 ? 0 : 1;
}

static void on_data(void *u, struct mw_flow *f, int dir, const uint8_t *data, size_t len, uint64_t ts)
{
    (void)u, (void)ts;
    int e = endpoint_of(f, dir);
    if (M.cursor[e] < 0 || len == 0)
        abort();
    for (size_t i = 0; i < len; i++) {
        int64_t o = M.cursor[e] + (int64_t)i;
        if (o >= SPAN || M.first[e][o] != data[i])
            abort();
    }
    M.cursor[e] += (int64_t)len;
    M.delivered[e] += len;
    if (M.depth && !M.followed && M.delivered[e] > M.depth)
        abort();
}

static void on_gap(void *u, struct mw_flow *f, int dir, uint32_t lost)
{
    (void)u;
    int e = endpoint_of(f, dir);
    if (M.cursor[e] < 0 || lost == 0)
        abort();
    M.cursor[e] += lost;
    if (M.cursor[e] > SPAN)
        abort();
}

static struct stream_ctx *SC;

static void on_end(void *u, struct mw_flow *f, enum flow_end_reason why)
{
    (void)u, (void)why;
    stream_flow_release(SC, f);
    model_reset();
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    static const uint8_t va[4] = { 10, 0, 0, 1 }, vb[4] = { 10, 0, 0, 2 };
    static const uint32_t depths[4] = { 0, 7, 64, 300 }, limits[4] = { 1, 2, 4, 64 }, blocks[4] = { 1, 2, 3, 8 };
    mw_addr_from_v4(&A, va);
    mw_addr_from_v4(&B, vb);
    uint32_t isn[2] = { be32(data), be32(data + 4) };
    uint8_t cfg = data[8];
    data += 9, size -= 9;

    struct stream_params sp;
    stream_params_default(&sp);
    sp.depth = depths[cfg & 3];
    sp.max_ooo_segments_per_flow = limits[(cfg >> 2) & 3];
    sp.memcap = 2048u * blocks[(cfg >> 4) & 3];
    struct flow_params fp;
    flow_params_default(&fp);
    fp.hash_buckets = 4;
    fp.memcap = 4096;
    SC = stream_new(&sp, on_data, on_gap, NULL);
    struct flow_table *ft = flow_table_new(&fp, on_end, NULL);
    if (!SC || !ft)
        abort();
    model_reset();
    M.depth = sp.depth;

    uint64_t ts = 1000000;
    while (size >= 4) {
        uint8_t ctl = data[0];
        uint32_t off = ((uint32_t)data[1] << 8) | data[2];
        uint32_t len = data[3];
        data += 4, size -= 4;
        if (len > size)
            len = (uint32_t)size;
        int e = ctl & 1;
        struct mw_packet p;
        memset(&p, 0, sizeof p);
        p.ip_version = 4;
        p.proto = 6;
        p.src = e ? B : A;
        p.dst = e ? A : B;
        p.sport = e ? 3333 : 40000;
        p.dport = e ? 40000 : 3333;
        p.tcp_flags = (uint8_t)(((ctl & 0x02) ? MW_TCP_SYN : 0) | ((ctl & 0x04) ? MW_TCP_FIN : 0) |
                                ((ctl & 0x08) ? MW_TCP_RST : 0) | ((ctl & 0x10) ? MW_TCP_ACK : 0));
        p.seq = isn[e] + off;
        p.payload = len ? data : NULL;
        p.payload_len = len;
        if (ctl & 0x40) {
            ts += 700u * 1000000u;
            flow_housekeep(ft, ts);
        }
        p.ts_us = ts += 1000;

        int dir = -1;
        struct mw_flow *f = flow_get(ft, &p, &dir);
        if (!f)
            abort(); /* one flow always fits */
        if (ctl & 0x20) {
            f->keep_following = !f->keep_following;
            M.followed = 1;
        }
        if (!(p.tcp_flags & MW_TCP_RST)) {
            int syn = (p.tcp_flags & MW_TCP_SYN) != 0;
            if (syn && M.cursor[e] < 0)
                M.cursor[e] = off + 1;
            if (len && M.cursor[e] < 0)
                M.cursor[e] = off;
            for (uint32_t i = 0; i < len; i++) {
                uint32_t o = off + (uint32_t)syn + i;
                if (M.first[e][o] < 0)
                    M.first[e][o] = data[i];
            }
        }
        stream_packet(SC, f, dir, &p);
        data += len, size -= len;
    }
    flow_table_shutdown(ft);
    if (stream_memuse(SC) != 0 || flow_table_count(ft) != 0)
        abort();
    flow_table_free(ft);
    stream_free(SC);
    return 0;
}
