/* scen_behave.c - long encrypted sessions for the behaviour detector (issue 12): mining over
 * TLS without SNI for each coin family, and the long-lived encrypted traffic of a campus
 * that must stay silent (IoT telemetry, chat, tickers, mail, push channels, video, calls,
 * SSH, VPN, updates).
 *
 * Every scenario takes [SEED [MINUTES [holdout]]]. The seed draws the session's own
 * parameters (round trip, vardiff rate, job cadence, message sizes) from ranges taken from
 * each protocol's facts (block time, template refresh, vardiff practice, message layout)
 * and then every event's timing and size; "holdout" widens those ranges beyond the
 * nominal ones and adds retransmissions, so the detector can be checked on sessions it
 * was not written against (docs/detection.md). Message sizes are plaintext application
 * bytes; each becomes TLS 1.3 application-data records (plus 22 bytes each) or, for SSH,
 * an opaque binary packet. Timing is compressed only in the sense that a capture of
 * twelve minutes is written in milliseconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen.h"

struct bev {
    uint64_t t_us;
    uint32_t len;
    uint8_t dir;
};

struct bsess {
    struct pg_writer *w;
    struct pg_tcp tcp;
    uint64_t rng;
    uint64_t end_us;  /* session length */
    uint32_t rtt_us;
    double loss;      /* chance that a message's first segment is retransmitted */
    int holdout;
    int raw;          /* SSH: opaque packets instead of TLS records */
    struct bev *ev;
    size_t n, cap;
    uint32_t seq;     /* record seed */
};

/* ---- randomness (splitmix64: deterministic per seed) ---- */

static uint64_t b_next(struct bsess *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double b_unif(struct bsess *s, double a, double b)
{
    return a + (b - a) * ((double)(b_next(s) >> 11) / 9007199254740992.0);
}

static double b_exp(struct bsess *s, double mean)
{
    double u = b_unif(s, 1e-12, 1.0);
    return -mean * log(u);
}

static double b_norm(struct bsess *s)
{
    double u1 = b_unif(s, 1e-12, 1.0), u2 = b_unif(s, 0.0, 1.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* A value around base, spread by a relative sigma. */
static uint32_t b_around(struct bsess *s, double base, double rel)
{
    double v = base * (1.0 + rel * b_norm(s));
    return v < 1.0 ? 1u : (uint32_t)v;
}

static double b_lognorm(struct bsess *s, double median, double sigma)
{
    return median * exp(sigma * b_norm(s));
}

/* A range [lo, hi] that the hold-out set widens by `by` on both ends (geometrically). */
static double b_range(struct bsess *s, double lo, double hi, double by)
{
    if (s->holdout) {
        lo /= by;
        hi *= by;
    }
    return exp(b_unif(s, log(lo), log(hi)));
}

static int b_chance(struct bsess *s, double p) { return b_unif(s, 0.0, 1.0) < p; }

/* ---- events ---- */

static void b_add(struct bsess *s, double t_s, int dir, uint32_t len)
{
    if (t_s < 0 || t_s * 1e6 >= (double)s->end_us || len == 0)
        return;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        struct bev *ne = realloc(s->ev, nc * sizeof *ne);
        if (!ne) {
            s->w->error = 1;
            return;
        }
        s->ev = ne;
        s->cap = nc;
    }
    s->ev[s->n].t_us = (uint64_t)(t_s * 1e6);
    s->ev[s->n].dir = (uint8_t)dir;
    s->ev[s->n].len = len;
    s->n++;
}

/* A request and its answer one round trip (plus the server's work) later. */
static void b_rr(struct bsess *s, double t, uint32_t req, uint32_t resp, double work_s)
{
    b_add(s, t, PG_C2S, req);
    b_add(s, t + s->rtt_us / 1e6 + work_s, PG_S2C, resp);
}

static int b_cmp(const void *a, const void *b)
{
    const struct bev *x = a, *y = b;
    return x->t_us < y->t_us ? -1 : x->t_us > y->t_us ? 1 : (int)x->dir - (int)y->dir;
}

/* One application message as TLS records (or an opaque packet), cut into TCP segments
 * and, past 60 KB, into several sends so the peer's ACKs keep the window open. */
static void b_send(struct bsess *s, int dir, uint32_t len)
{
    static uint8_t buf[65536 + 1024];
    while (len > 0) {
        uint32_t chunk = len > 60000 ? 60000 : len;
        size_t o = 0;
        uint32_t left = chunk;
        while (left > 0) {
            uint32_t rec = left > 16000 ? 16000 : left;
            size_t n;
            if (s->raw) {
                uint32_t st = ++s->seq * 2654435761u;
                mb_random(buf + o, rec, &st);
                n = rec;
            } else {
                n = mb_tls_app_data(buf + o, sizeof buf - o, rec + 17, ++s->seq * 2654435761u);
            }
            o += n;
            left -= rec;
        }
        struct pg_plan plan = { 0 };
        plan.retransmit = b_chance(s, s->loss) ? 1 : 0;
        pg_tcp_send(&s->tcp, (enum pg_dir)dir, buf, o, plan.retransmit ? &plan : NULL);
        len -= chunk;
    }
}

static void b_begin(struct bsess *s, struct pg_writer *w, int argc, char **argv, uint32_t salt,
                    const char *client_ip, const char *server_ip, uint16_t port, double minutes_default)
{
    memset(s, 0, sizeof *s);
    s->w = w;
    unsigned long seed = argc > 0 ? strtoul(argv[0], NULL, 10) : 1;
    double minutes = argc > 1 ? atof(argv[1]) : minutes_default;
    if (minutes <= 0 || minutes > 240)
        minutes = minutes_default;
    s->holdout = argc > 2 && strcmp(argv[2], "holdout") == 0;
    s->rng = ((uint64_t)seed << 20) ^ salt;
    s->end_us = (uint64_t)(minutes * 60e6);
    s->rtt_us = (uint32_t)(b_range(s, 5, 120, 3) * 1000);
    s->loss = s->holdout ? 0.02 : 0.0;
    uint16_t cport = (uint16_t)(32768 + (b_next(s) % 28000));
    scen_tcp(&s->tcp, w, client_ip, cport, server_ip, port, (uint32_t)b_next(s), (uint32_t)b_next(s));
    s->tcp.rtt_us = s->rtt_us;
    s->seq = (uint32_t)seed;
}

/* TLS 1.3 handshake without server_name, then the session's events in time order. */
static int b_finish(struct bsess *s)
{
    uint8_t hs[4096];
    uint64_t t0 = s->w->ts_us;
    pg_tcp_handshake(&s->tcp);
    if (!s->raw) {
        size_t n = mb_tls_client_hello(hs, sizeof hs, NULL, s->seq);
        pg_tcp_send(&s->tcp, PG_C2S, hs, n, NULL);
        n = mb_tls_server_flight(hs, sizeof hs, s->seq);
        pg_tcp_send(&s->tcp, PG_S2C, hs, n, NULL);
        n = mb_tls_app_data(hs, sizeof hs, 58, s->seq + 7); /* client Finished */
        pg_tcp_send(&s->tcp, PG_C2S, hs, n, NULL);
    } else {
        pg_tcp_sends(&s->tcp, PG_C2S, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
        pg_tcp_sends(&s->tcp, PG_S2C, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    }
    t0 = s->w->ts_us + 1000;
    qsort(s->ev, s->n, sizeof *s->ev, b_cmp);
    for (size_t i = 0; i < s->n; i++) {
        uint64_t at = t0 + s->ev[i].t_us;
        if (s->w->ts_us < at)
            pg_advance(s->w, at - s->w->ts_us);
        b_send(s, s->ev[i].dir, s->ev[i].len);
    }
    pg_tcp_fin(&s->tcp, PG_C2S);
    free(s->ev);
    return s->w->error ? 1 : 0;
}

/* ---- mining families ---- */

/* What distinguishes the coins: job cadence (block time, template refresh) and sizes. */
struct family {
    const char *name;
    double block_s;                  /* new block: a Poisson process of this mean */
    double refresh_p;                /* chance the pool also refreshes jobs on a timer */
    double refresh_lo, refresh_hi;   /* its period */
    double job_lo, job_hi, job_rel;  /* job size range, per-job spread */
    double share_lo, share_hi;       /* vardiff target: mean seconds between shares */
    double sub_lo, sub_hi, sub_rel;  /* submit size */
    double ack_lo, ack_hi;
    double login_req, login_resp;
    int keepalive;                   /* XMRig: keepalived after 60 s of silence */
    double report_p;                 /* chance of a periodic hashrate report (ethminer) */
};

static const struct family families[] = {
    /* Monero: 120 s blocks; XMRig login returns the first job; job blob ~76 B in hex. */
    { "cryptonote", 120, 0.6, 30, 90, 350, 520, 0.03, 10, 60, 200, 240, 0.015, 62, 72, 380, 640, 1, 0 },
    /* Ethereum Classic (Etchash) / ethash pools: 13 s blocks, notify on each. */
    { "ethash", 13, 0.2, 5, 10, 260, 330, 0.02, 5, 30, 170, 210, 0.015, 40, 55, 160, 120, 0, 0.7 },
    /* Bitcoin ASICs: 600 s blocks, template refresh every 20-60 s, merkle branches. */
    { "sha256", 600, 1.0, 20, 60, 700, 1300, 0.08, 2, 20, 150, 190, 0.015, 38, 45, 140, 160, 0, 0 },
    /* Ravencoin (KawPow): 60 s blocks. */
    { "kawpow", 60, 0.5, 15, 45, 300, 380, 0.02, 5, 40, 200, 235, 0.01, 40, 50, 150, 130, 0, 0 },
    /* Kaspa (kHeavyHash): blocks every second or faster, pools throttle jobs to 1-5 s. */
    { "kheavyhash", 2, 0.5, 1, 5, 170, 260, 0.05, 3, 30, 120, 160, 0.02, 40, 50, 150, 120, 0, 0 },
    /* Zcash (Equihash 200,9): 75 s blocks; a submit carries a 1344-byte solution in hex. */
    { "equihash", 75, 0.6, 30, 60, 420, 540, 0.02, 5, 40, 2750, 2850, 0.005, 40, 50, 150, 140, 0, 0 },
};

static int mining_session(struct pg_writer *w, int argc, char **argv, const struct family *fam, uint32_t salt)
{
    struct bsess s;
    if (salt & 0x1000u) /* corroborated: the miner looked the pool up first */
        scen_dns_a(w, "10.20.30.40", 53140, "10.20.0.53", 0x4242, "gulf.moneroocean.stream", "203.0.113.140");
    b_begin(&s, w, argc, argv, salt, "10.20.30.40", "203.0.113.140", 443, 12);
    double end = s.end_us / 1e6;
    double rtt = s.rtt_us / 1e6;
    /* Login / subscribe + authorize: the first job comes with the answer. */
    b_rr(&s, 0.05, b_around(&s, fam->login_req, 0.1), b_around(&s, fam->login_resp, 0.1), 0.002);
    /* Jobs: new blocks (Poisson) merged with the pool's refresh timer. */
    double job_base = b_unif(&s, fam->job_lo, fam->job_hi) * (s.holdout ? b_unif(&s, 0.85, 1.15) : 1.0);
    for (double t = b_exp(&s, fam->block_s); t < end; t += b_exp(&s, fam->block_s))
        b_add(&s, t, PG_S2C, b_around(&s, job_base, fam->job_rel));
    if (b_chance(&s, fam->refresh_p)) {
        double per = b_range(&s, fam->refresh_lo, fam->refresh_hi, 1.5);
        for (double t = per; t < end; t += per * b_unif(&s, 0.9, 1.1))
            b_add(&s, t, PG_S2C, b_around(&s, job_base, fam->job_rel));
    }
    /* Shares: Poisson at the vardiff rate; the pool starts at a guessed difficulty, so
     * the first minutes may run faster or slower before vardiff settles. */
    double share = b_range(&s, fam->share_lo, fam->share_hi, 2.0);
    double start_factor = b_chance(&s, 0.5) ? b_unif(&s, 0.25, 3.0) : 1.0;
    double sub_base = b_unif(&s, fam->sub_lo, fam->sub_hi);
    double last_c = 0.05;
    double ack_base = b_unif(&s, fam->ack_lo, fam->ack_hi); /* one result template per pool */
    double next_report = b_chance(&s, fam->report_p) ? b_unif(&s, 20, 60) : 1e18;
    for (double t = 1.0;;) {
        double mean = t < 120 ? share * start_factor : share;
        double next = t + b_exp(&s, mean);
        if (fam->keepalive)
            while (next - last_c > 60 && last_c + 60 < end) { /* XMRig keepalived */
                last_c += 60;
                b_rr(&s, last_c, b_around(&s, 105, 0.03), b_around(&s, 76, 0.03), 0.001);
            }
        while (next_report < next && next_report < end) { /* eth_submitHashrate */
            b_rr(&s, next_report, b_around(&s, 160, 0.04), b_around(&s, 45, 0.05), 0.001);
            next_report += 60 * b_unif(&s, 0.95, 1.05);
        }
        if (next >= end)
            break;
        b_rr(&s, next, b_around(&s, sub_base, fam->sub_rel), b_around(&s, ack_base, 0.015),
             b_unif(&s, 0.0005, 0.02));
        t = last_c = next;
    }
    (void)rtt;
    return b_finish(&s);
}

#define FAMILY_FN(idx, fname)                                                    \
    static int fname(struct pg_writer *w, int argc, char **argv)                \
    {                                                                            \
        return mining_session(w, argc, argv, &families[idx], 0x100u + (idx));    \
    }
FAMILY_FN(0, enc_cryptonote)
FAMILY_FN(1, enc_ethash)
FAMILY_FN(2, enc_sha256)
FAMILY_FN(3, enc_kawpow)
FAMILY_FN(4, enc_kheavyhash)
FAMILY_FN(5, enc_equihash)

/* The same CryptoNote session after a DNS lookup of a listed pool name. */
static int enc_after_lookup(struct pg_writer *w, int argc, char **argv)
{
    return mining_session(w, argc, argv, &families[0], 0x1100u);
}

/* ---- look-alikes ---- */

/* MQTT over TLS (8883): telemetry PUBLISH on a timer or on events, QoS 1 PUBACKs (4 B),
 * commands and shadow updates from the broker, PINGREQ/PINGRESP when idle. */
static int like_mqtt(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x201, "10.20.31.41", "198.51.100.141", 8883, 12);
    double end = s.end_us / 1e6;
    b_rr(&s, 0.05, b_around(&s, 120, 0.2), 4, 0.003); /* CONNECT / CONNACK */
    b_rr(&s, 0.3, b_around(&s, 60, 0.2), 5, 0.003);   /* SUBSCRIBE / SUBACK */
    int qos1 = b_chance(&s, 0.7), timer = b_chance(&s, 0.6);
    double period = b_range(&s, 5, 120, 2), payload = b_unif(&s, 60, 600);
    double jitter = b_unif(&s, 0.0, s.holdout ? 0.3 : 0.15);
    for (double t = period; t < end; t += timer ? period * (1 + jitter * b_norm(&s)) : b_exp(&s, period)) {
        uint32_t n = b_around(&s, payload, b_unif(&s, 0.02, 0.3));
        if (qos1)
            b_rr(&s, t, n, 4, 0.002);
        else
            b_add(&s, t, PG_C2S, n);
    }
    double cmd = b_range(&s, 20, 300, 2);
    for (double t = b_exp(&s, cmd); t < end; t += b_exp(&s, cmd)) {
        b_add(&s, t, PG_S2C, b_around(&s, b_unif(&s, 80, 900), 0.2));
        if (qos1)
            b_add(&s, t + 0.002, PG_C2S, 4);
    }
    double ka = b_range(&s, 30, 120, 1.5);
    for (double t = ka; t < end; t += ka)
        b_rr(&s, t, 2, 2, 0.001);
    return b_finish(&s);
}

/* Chat / collaboration WebSocket: conversations come in episodes; the user's own
 * messages (human lengths) are acknowledged at once; presence and typing events; a
 * client heartbeat on a timer. */
static int like_chat(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x202, "10.20.31.42", "198.51.100.142", 443, 12);
    double end = s.end_us / 1e6;
    b_rr(&s, 0.05, b_around(&s, 600, 0.1), b_around(&s, 4000, 0.3), 0.05); /* upgrade + boot */
    double hb = b_range(&s, 15, 60, 1.5);
    for (double t = hb; t < end; t += hb)
        b_rr(&s, t, b_around(&s, 30, 0.1), b_around(&s, 30, 0.1), 0.001);
    double episodes = b_range(&s, 30, 300, 2), talk = b_unif(&s, 0.2, 0.8);
    for (double t = b_exp(&s, episodes); t < end; t += b_exp(&s, episodes)) {
        int msgs = 2 + (int)b_exp(&s, 8);
        double u = t;
        for (int i = 0; i < msgs && u < end; i++) {
            u += b_lognorm(&s, 8, 1.0);
            if (b_chance(&s, talk))
                b_rr(&s, u, (uint32_t)b_lognorm(&s, 220, 0.6), b_around(&s, 160, 0.25), 0.01);
            else
                b_add(&s, u, PG_S2C, (uint32_t)b_lognorm(&s, 450, 0.8));
            if (b_chance(&s, 0.5))
                b_add(&s, u - 2, PG_S2C, b_around(&s, 110, 0.1)); /* typing */
        }
    }
    double presence = b_range(&s, 20, 120, 2);
    for (double t = b_exp(&s, presence); t < end; t += b_exp(&s, presence))
        b_add(&s, t, PG_S2C, b_around(&s, 180, 0.3));
    return b_finish(&s);
}

/* An exchange's price ticker over WebSocket: pushes at a fixed cadence or on trades,
 * subscription changes now and then, pings from either side. */
static int like_ticker(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x203, "10.20.31.43", "198.51.100.143", 443, 12);
    double end = s.end_us / 1e6;
    b_rr(&s, 0.05, b_around(&s, 450, 0.1), b_around(&s, 250, 0.1), 0.03);
    double rate = b_range(&s, 0.3, 10, 2), size = b_unif(&s, 120, 800);
    int fixed = b_chance(&s, 0.5);
    for (double t = 0.5; t < end; t += fixed ? 1.0 / rate : b_exp(&s, 1.0 / rate))
        b_add(&s, t, PG_S2C, b_around(&s, size, b_unif(&s, 0.05, 0.3)));
    double subs = b_range(&s, 60, 600, 2);
    for (double t = b_exp(&s, subs); t < end; t += b_exp(&s, subs))
        b_rr(&s, t, b_around(&s, 140, 0.3), b_around(&s, 90, 0.2), 0.01);
    double ping = b_range(&s, 15, 180, 1.5), ping_len = b_unif(&s, 30, 120);
    int client_ping = b_chance(&s, 0.5);
    for (double t = ping; t < end; t += ping) {
        if (client_ping) /* {"op":"ping","req_id":N}: one size give or take a digit */
            b_rr(&s, t, b_around(&s, ping_len, 0.01), b_around(&s, ping_len, 0.01), 0.001);
        else {
            b_add(&s, t, PG_S2C, 8);
            b_add(&s, t + s.rtt_us / 2e6, PG_C2S, 8);
        }
    }
    return b_finish(&s);
}

/* IMAP IDLE (993): the server pushes EXISTS/EXPUNGE when mail arrives; the client ends
 * IDLE, fetches (a bigger answer), idles again; re-IDLE before 29 minutes. */
static int like_imap(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x204, "10.20.31.44", "198.51.100.144", 993, 12);
    double end = s.end_us / 1e6;
    b_rr(&s, 0.05, 60, 300, 0.02);
    b_rr(&s, 0.2, b_around(&s, 70, 0.2), b_around(&s, 180, 0.2), 0.05);
    b_rr(&s, 0.4, 20, 40, 0.005); /* IDLE / + idling */
    double mail = b_range(&s, 30, 900, 2);
    for (double t = b_exp(&s, mail); t < end; t += b_exp(&s, mail)) {
        b_add(&s, t, PG_S2C, b_around(&s, 40, 0.2));
        b_rr(&s, t + 0.05, 8, 30, 0.002);                                   /* DONE */
        b_rr(&s, t + 0.2, b_around(&s, 80, 0.2), (uint32_t)b_lognorm(&s, 6000, 1.0), 0.05);
        b_rr(&s, t + 1.0, 20, 40, 0.005);                                   /* IDLE again */
    }
    double noop = b_range(&s, 120, 1740, 1.2);
    for (double t = noop; t < end; t += noop)
        b_rr(&s, t, 20, b_around(&s, 60, 0.2), 0.005);
    return b_finish(&s);
}

/* Mail / notification long-polling over HTTPS: the server holds each request until
 * something happens or its timeout, then the client asks again at once. */
static int like_longpoll(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x205, "10.20.31.45", "198.51.100.145", 443, 12);
    double end = s.end_us / 1e6;
    double hold = b_range(&s, 20, 90, 1.5), event = b_range(&s, 30, 600, 2), req = b_unif(&s, 300, 900);
    for (double t = 0.05; t < end;) {
        double wait = b_exp(&s, event);
        int news = wait < hold;
        if (!news)
            wait = hold;
        b_rr(&s, t, b_around(&s, req, 0.02), news ? (uint32_t)b_lognorm(&s, 900, 0.8) : b_around(&s, 200, 0.05), wait);
        t += wait + s.rtt_us / 1e6 + b_unif(&s, 0.01, 0.2);
    }
    return b_finish(&s);
}

/* A push-notification channel (APNs / FCM style): heartbeats minutes apart, rare pushes. */
static int like_push(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x206, "10.20.31.46", "198.51.100.146", 5228, 12);
    double end = s.end_us / 1e6;
    b_rr(&s, 0.05, b_around(&s, 300, 0.2), b_around(&s, 200, 0.2), 0.05);
    double hb = b_range(&s, 60, 900, 1.5);
    for (double t = hb; t < end; t += hb * b_unif(&s, 0.95, 1.05))
        b_rr(&s, t, b_around(&s, 40, 0.2), b_around(&s, 40, 0.2), 0.005);
    double push = b_range(&s, 30, 600, 2);
    for (double t = b_exp(&s, push); t < end; t += b_exp(&s, push)) {
        b_add(&s, t, PG_S2C, (uint32_t)b_lognorm(&s, 600, 0.9));
        b_add(&s, t + 0.01, PG_C2S, b_around(&s, 30, 0.1)); /* delivery receipt */
    }
    return b_finish(&s);
}

/* Adaptive video over HTTPS: a segment request every few seconds, a large answer. */
static int like_video(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x207, "10.20.31.47", "198.51.100.147", 443, 3.5);
    double end = s.end_us / 1e6;
    double seg = b_unif(&s, 2, 6), kbps = b_range(&s, 200, 1500, 1.5);
    for (double t = 0.05; t < end; t += seg)
        b_rr(&s, t, b_around(&s, 500, 0.2), b_around(&s, kbps * 1000 / 8 * seg, 0.3), 0.02);
    return b_finish(&s);
}

/* A call relayed over TCP/TLS (TURN on 443): audio every 20 ms each way, video frames. */
static int like_call(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x208, "10.20.31.48", "198.51.100.148", 443, 3.5);
    double end = s.end_us / 1e6;
    s.tcp.ack_each = 0; /* both sides send all the time: data carries the ACKs */
    int video = b_chance(&s, 0.5);
    double off = b_unif(&s, 0.001, 0.009);
    for (double t = 0.05; t < end; t += 0.02) {
        b_add(&s, t, PG_C2S, b_around(&s, 120, 0.2));
        b_add(&s, t + off, PG_S2C, b_around(&s, 120, 0.2));
    }
    if (video)
        for (double t = 0.06; t < end; t += 1.0 / 15) {
            b_add(&s, t + 0.003, PG_C2S, b_around(&s, 1100, 0.3));
            b_add(&s, t + 0.012, PG_S2C, b_around(&s, 1100, 0.3));
        }
    return b_finish(&s);
}

/* Interactive SSH: typing bursts (a packet per keystroke, echoed), command output,
 * sometimes a `watch` refreshing the screen, keepalives when configured. */
static int like_ssh(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x209, "10.20.31.49", "198.51.100.149", 22, 12);
    double end = s.end_us / 1e6;
    s.raw = 1;
    b_rr(&s, 0.05, 1500, 1100, 0.01); /* KEXINIT */
    b_rr(&s, 0.2, 48, 560, 0.01);     /* ECDH */
    b_rr(&s, 0.4, 16, 60, 0.01);
    b_rr(&s, 0.6, 100, 500, 0.02);    /* userauth */
    double cmds = b_range(&s, 10, 120, 2);
    for (double t = b_exp(&s, cmds); t < end; t += b_exp(&s, cmds)) {
        int keys = 2 + (int)b_exp(&s, 15);
        double u = t;
        for (int i = 0; i < keys; i++) {
            u += b_lognorm(&s, 0.15, 0.5);
            b_rr(&s, u, 36, 36, 0.0005);
        }
        b_add(&s, u + s.rtt_us / 1e6 + b_unif(&s, 0.01, 2), PG_S2C, (uint32_t)b_lognorm(&s, 800, 1.5));
    }
    if (b_chance(&s, 0.4)) { /* watch -n N */
        double per = b_range(&s, 1, 10, 1.5), size = b_unif(&s, 300, 3000);
        for (double t = 30; t < end; t += per)
            b_add(&s, t, PG_S2C, b_around(&s, size, 0.05));
    }
    if (b_chance(&s, 0.6)) {
        double ka = b_range(&s, 15, 120, 1.5);
        for (double t = ka; t < end; t += ka)
            b_rr(&s, t, 52, 28, 0.001);
    }
    return b_finish(&s);
}

/* A VPN over TLS (SSTP / AnyConnect / OpenVPN on 443): dead-peer keepalives, and the
 * tunnelled traffic of a device: lookups, polls, browsing bursts. */
static int like_vpn(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x20a, "10.20.31.50", "198.51.100.150", 443, 12);
    double end = s.end_us / 1e6;
    double dpd = b_range(&s, 10, 30, 1.5);
    for (double t = dpd; t < end; t += dpd)
        b_rr(&s, t, 16, 16, 0.001);
    double lookups = b_range(&s, 5, 60, 2);
    for (double t = b_exp(&s, lookups); t < end; t += b_exp(&s, lookups))
        b_rr(&s, t, (uint32_t)b_unif(&s, 90, 160), (uint32_t)b_unif(&s, 110, 420), b_unif(&s, 0.005, 0.08));
    double polls = b_range(&s, 20, 200, 2);
    for (double t = b_exp(&s, polls); t < end; t += b_exp(&s, polls))
        b_rr(&s, t, (uint32_t)b_lognorm(&s, 700, 0.4), (uint32_t)b_lognorm(&s, 3000, 1.2), b_unif(&s, 0.03, 0.3));
    double pages = b_range(&s, 60, 600, 2);
    for (double t = b_exp(&s, pages); t < end; t += b_exp(&s, pages))
        for (int i = 0; i < 10; i++)
            b_rr(&s, t + i * 0.2, (uint32_t)b_lognorm(&s, 600, 0.3), (uint32_t)b_lognorm(&s, 30000, 1.0), 0.05);
    return b_finish(&s);
}

/* A software update: metadata check, then a large download in ranges. */
static int like_update(struct pg_writer *w, int argc, char **argv)
{
    struct bsess s;
    b_begin(&s, w, argc, argv, 0x20b, "10.20.31.51", "198.51.100.151", 443, 3.5);
    double end = s.end_us / 1e6;
    b_rr(&s, 0.05, b_around(&s, 400, 0.2), b_around(&s, 3000, 0.5), 0.05);
    double mb = b_range(&s, 2, 40, 1.5), t = 1.0;
    for (double got = 0; got < mb * 1e6 && t < end; t += 0.5) {
        uint32_t part = (uint32_t)b_unif(&s, 200000, 1000000);
        b_rr(&s, t, b_around(&s, 450, 0.05), part, 0.02);
        got += part;
    }
    return b_finish(&s);
}

const struct scenario scen_behave[] = {
    { "enc-mining-cryptonote", "[SEED [MIN [holdout]]]", "Monero-style mining over TLS without SNI (behaviour)", enc_cryptonote },
    { "enc-mining-ethash", "[SEED [MIN [holdout]]]", "Ethash/Etchash mining over TLS without SNI", enc_ethash },
    { "enc-mining-sha256", "[SEED [MIN [holdout]]]", "SHA-256 ASIC mining over TLS without SNI", enc_sha256 },
    { "enc-mining-kawpow", "[SEED [MIN [holdout]]]", "KawPow (Ravencoin) mining over TLS without SNI", enc_kawpow },
    { "enc-mining-kheavyhash", "[SEED [MIN [holdout]]]", "kHeavyHash (Kaspa) mining over TLS without SNI", enc_kheavyhash },
    { "enc-mining-equihash", "[SEED [MIN [holdout]]]", "Equihash (Zcash) mining over TLS without SNI", enc_equihash },
    { "enc-mining-after-lookup", "[SEED [MIN [holdout]]]", "pool name looked up, then CryptoNote mining over TLS without SNI", enc_after_lookup },
    { "enc-like-mqtt", "[SEED [MIN [holdout]]]", "MQTT/IoT telemetry over TLS: must not alert", like_mqtt },
    { "enc-like-chat", "[SEED [MIN [holdout]]]", "chat/collaboration WebSocket over TLS: must not alert", like_chat },
    { "enc-like-ticker", "[SEED [MIN [holdout]]]", "exchange price ticker over TLS: must not alert", like_ticker },
    { "enc-like-imap-idle", "[SEED [MIN [holdout]]]", "IMAP IDLE over TLS: must not alert", like_imap },
    { "enc-like-longpoll", "[SEED [MIN [holdout]]]", "mail long-polling over HTTPS: must not alert", like_longpoll },
    { "enc-like-push", "[SEED [MIN [holdout]]]", "push-notification channel: must not alert", like_push },
    { "enc-like-video", "[SEED [MIN [holdout]]]", "adaptive video over HTTPS: must not alert", like_video },
    { "enc-like-call", "[SEED [MIN [holdout]]]", "call relayed over TLS (TURN/443): must not alert", like_call },
    { "enc-like-ssh", "[SEED [MIN [holdout]]]", "interactive SSH: must not alert", like_ssh },
    { "enc-like-vpn", "[SEED [MIN [holdout]]]", "VPN over TLS with tunnelled traffic: must not alert", like_vpn },
    { "enc-like-update", "[SEED [MIN [holdout]]]", "software update download over TLS: must not alert", like_update },
    { NULL, NULL, NULL, NULL },
};
