/* drive.c - the test and fuzz driver over the real app-layer engine (drive.h). */
#include "sensor/applayer/drive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/dissector.h"
#include "sensor/flow/flow.h"

struct applayer_drive {
    struct applayer *a;
    struct mw_flow f;
    struct applayer_flow af;
    uint64_t ts;
    int ended;
    void *snap; /* the state after the last call that had one */
    size_t snap_size;
};

/* Keep a copy of the dissector's state as it goes: tests read it after the dissector gave up. */
static void applayer_drive_on_detach(void *user, const void *state, size_t n)
{
    struct applayer_drive *dr = user;
    if (n > dr->snap_size) {
        void *p = realloc(dr->snap, n);
        if (!p)
            return;
        dr->snap = p;
        dr->snap_size = n;
    }
    memcpy(dr->snap, state, n);
}

void applayer_drive_params_default(struct applayer_drive_params *p)
{
    memset(p, 0, sizeof *p);
    p->engine.buffer_size = 16384;
    p->engine.max_buffers = 64;
    p->port[MW_DIR_FWD] = 40000;
    p->port[MW_DIR_REV] = 3333;
    p->handshake_seen = 1;
}

struct applayer_drive *applayer_drive_new(const struct applayer_drive_params *p, const struct mw_dissector *force,
                                          applayer_emit_fn emit, void *user)
{
    struct applayer_drive *dr = calloc(1, sizeof *dr);
    if (!dr)
        return NULL;
    dr->a = applayer_new(&p->engine, emit, user);
    if (!dr->a) {
        free(dr);
        return NULL;
    }
    dr->f.port[MW_DIR_FWD] = p->port[MW_DIR_FWD];
    dr->f.port[MW_DIR_REV] = p->port[MW_DIR_REV];
    dr->f.handshake_seen = p->handshake_seen;
    dr->ts = 1000000;
    applayer_set_detach_hook(dr->a, applayer_drive_on_detach, dr);
    dr->f.last_ts_us = dr->ts;
    if (force && applayer_attach(dr->a, &dr->f, &dr->af, force) != 0) {
        applayer_free(dr->a);
        free(dr);
        return NULL;
    }
    return dr;
}

void applayer_drive_end(struct applayer_drive *dr)
{
    if (dr->ended)
        return;
    dr->ended = 1;
    applayer_flow_end(dr->a, &dr->f, &dr->af, dr->ts);
}

void applayer_drive_free(struct applayer_drive *dr)
{
    if (!dr)
        return;
    applayer_drive_end(dr);
    applayer_free(dr->a);
    free(dr->snap);
    free(dr);
}

static uint64_t applayer_drive_tick(struct applayer_drive *dr)
{
    dr->ts += 1000;
    dr->f.last_ts_us = dr->ts;
    return dr->ts;
}

void applayer_drive_data(struct applayer_drive *dr, int dir, const uint8_t *data, size_t len)
{
    if (!dr->ended)
        applayer_stream_data(dr->a, &dr->f, &dr->af, dir ? 1 : 0, data, len, applayer_drive_tick(dr));
}

void applayer_drive_steps(struct applayer_drive *dr, int dir, const uint8_t *data, size_t len, size_t step)
{
    if (step == 0)
        step = len ? len : 1;
    for (size_t off = 0; off < len; off += step)
        applayer_drive_data(dr, dir, data + off, len - off < step ? len - off : step);
}

void applayer_drive_datagram(struct applayer_drive *dr, int dir, const uint8_t *data, size_t len)
{
    if (!dr->ended)
        applayer_datagram(dr->a, &dr->f, &dr->af, dir ? 1 : 0, data, len, applayer_drive_tick(dr));
}

void applayer_drive_gap(struct applayer_drive *dr, int dir)
{
    if (!dr->ended)
        applayer_stream_gap(dr->a, &dr->f, &dr->af, dir ? 1 : 0);
}

struct mw_flow *applayer_drive_flow(struct applayer_drive *dr)
{
    return &dr->f;
}

void *applayer_drive_state(struct applayer_drive *dr)
{
    return dr->af.diss ? dr->af.dstate : dr->snap;
}

size_t applayer_drive_buffered(const struct applayer_drive *dr, int dir)
{
    return applayer_flow_buffered(&dr->af, dir);
}

int applayer_drive_attached(const struct applayer_drive *dr)
{
    return dr->af.diss != NULL && !dr->af.done;
}

struct applayer_drive_find {
    const char *name;
    size_t prefix; /* match names starting with name (sum) when non-zero */
    uint64_t v;
    int found;
};

static void applayer_drive_cb(void *u, const char *name, uint64_t v)
{
    struct applayer_drive_find *s = u;
    if (s->prefix ? strncmp(name, s->name, s->prefix) == 0 : strcmp(name, s->name) == 0) {
        s->v += v;
        s->found = 1;
    }
}

uint64_t applayer_drive_stat(const struct applayer_drive *dr, const char *name)
{
    struct applayer_drive_find s = { name, 0, 0, 0 };
    applayer_stats_foreach(dr->a, applayer_drive_cb, &s);
    return s.found ? s.v : UINT64_MAX;
}

uint64_t applayer_drive_events(const struct applayer_drive *dr, const char *dissector)
{
    char prefix[64];
    size_t n = (size_t)snprintf(prefix, sizeof prefix, "app.%s.", dissector);
    struct applayer_drive_find s = { prefix, n < sizeof prefix ? n : sizeof prefix - 1, 0, 0 };
    applayer_stats_foreach(dr->a, applayer_drive_cb, &s);
    return s.v;
}
