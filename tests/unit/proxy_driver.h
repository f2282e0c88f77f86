/* proxy_driver.h - feeds a dissector the way the sensor does, for the proxy dissector tests.
 *
 * Bytes arrive in chunks of `step`; what the dissector does not consume is kept and offered
 * again with the next chunk (dissectors/dissector.h). Feeding stops at the first reprobe or
 * close, and the bytes left over at that point are recorded: they are what the sensor probes
 * as the tunnel's first bytes. Evidence is collected in pd_ev.
 */
#ifndef MW_TEST_PROXY_DRIVER_H
#define MW_TEST_PROXY_DRIVER_H

#include <stdlib.h>
#include <string.h>

#include "dissectors/dissector.h"

#define PD_MAXEV 8
#define PD_BUF 4096

static struct mw_evidence pd_ev[PD_MAXEV];
static int pd_nev;
static uint64_t pd_events[16]; /* the dissector's named events */
#define pd_malformed pd_events[0] /* event 0 of both proxy dissectors is "malformed" */
static struct mw_flow_app pd_app;

struct pd_dir {
    uint8_t buf[PD_BUF];
    size_t len;
};

struct pd_session {
    const struct mw_dissector *ds;
    void *state;
    struct mw_dctx ctx;
    struct pd_dir d[2];
    int reprobed;  /* reprobe was set (counted: must be once) */
    int closed;
    int malformed; /* feed returned MW_FEED_MALFORMED */
};

static void pd_rec(struct mw_dctx *ctx, const struct mw_evidence *ev)
{
    (void)ctx;
    if (pd_nev < PD_MAXEV)
        pd_ev[pd_nev++] = *ev;
}

static void pd_start(struct pd_session *s, const struct mw_dissector *ds)
{
    memset(s, 0, sizeof *s);
    memset(&pd_app, 0, sizeof pd_app);
    pd_nev = 0;
    memset(pd_events, 0, sizeof pd_events);
    s->ds = ds;
    s->state = calloc(1, ds->state_size);
    ds->init(s->state);
    s->ctx.handshake_seen = 1;
    s->ctx.emit = pd_rec;
    s->ctx.app = &pd_app;
    s->ctx.events = pd_events;
    s->ctx.nevents = ds->nevents;
}

static void pd_end(struct pd_session *s)
{
    if (s->ds->fini)
        s->ds->fini(s->state, &s->ctx);
    free(s->state);
    s->state = NULL;
}

static int pd_stopped(const struct pd_session *s)
{
    return s->reprobed || s->closed || s->malformed;
}

/* Offer what direction dir holds until the dissector stops consuming. */
static void pd_drain(struct pd_session *s, int dir)
{
    struct pd_dir *d = &s->d[dir];
    while (d->len && !pd_stopped(s)) {
        long c = s->ds->feed(s->state, &s->ctx, dir, d->buf, d->len);
        if (c < 0) {
            s->malformed = 1;
            return;
        }
        if ((size_t)c > d->len)
            c = (long)d->len;
        memmove(d->buf, d->buf + c, d->len - (size_t)c);
        d->len -= (size_t)c;
        if (s->ctx.reprobe)
            s->reprobed++;
        if (s->ctx.closed)
            s->closed = 1;
        if (c == 0)
            break;
    }
}

/* Deliver msg in chunks of step bytes from direction dir. */
static void pd_send(struct pd_session *s, int dir, const void *msg, size_t len, size_t step)
{
    const uint8_t *p = msg;
    while (len) {
        size_t n = len < step ? len : step;
        struct pd_dir *d = &s->d[dir];
        if (d->len + n > PD_BUF)
            abort();
        memcpy(d->buf + d->len, p, n);
        d->len += n;
        p += n;
        len -= n;
        if (!pd_stopped(s))
            pd_drain(s, dir);
    }
}

#endif
