/* worker.c - one packet pipeline per capture thread, and the tables its workers share.
 *
 * worker_new() builds a pipeline from the configuration's module parameters: decoder
 * (with defrag), flow table, stream reassembly, detect context (which owns the app-layer
 * engine), optional nDPI labelling, this worker's view of the shared host table and its
 * EVE writer. worker_packet() runs one frame decode -> flow -> detect/stream -> host
 * while holding the current rule set (ruleswap.h: a reload frees the old set only once
 * every worker has let go; worker_idle() lets go before a read that may block).
 * worker_housekeep()/worker_drain() age flows and hosts in bounded steps; worker_stats*()
 * write per-worker stats and their sum. worker_shared_tables_new() makes the host and
 * DNS-learned tables every worker shares. Nothing here allocates per packet: every
 * table was sized at start-up (flow slab, stream pool, detect buffers). */
#include "sensor/runtime/worker.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "sensor/runtime/ruleswap.h"
#include "sensor/applayer/appid.h"
#include "sensor/runtime/config.h"
#include "sensor/decode/decode.h"
#include "sensor/detect/detect.h"
#include "sensor/detect/dnslearn.h"
#include "sensor/eve/eve.h"
#include "sensor/flow/flow.h"
#include "sensor/detect/geoip.h"
#include "sensor/host/host.h"
#include "sensor/detect/netset.h"
#include "sensor/detect/policy.h"
#include "sensor/stream/stream.h"

#define WORKER_MAX_COUNTERS 1024

struct worker_sum {
    size_t n, at;
    int mismatch;
    struct {
        char name[48];
        uint64_t v;
    } c[WORKER_MAX_COUNTERS];
};

struct worker {
    int id;
    const struct worker_shared *sh; /* the run's shared state: rule set swapped on reload */
    struct rules *rules;        /* the set this worker holds (worker_hold); detect reads it */
    struct decode_ctx *decode;
    struct flow_table *flows;
    struct stream_ctx *stream;
    struct detect *detect;
    struct dnslearn *learn;     /* shared (worker_shared) */
    struct hosts *hosts;        /* shared (worker_shared) */
    struct hosts_view *hv;      /* this worker's handle on the host table */
    struct worker_sum *snap;    /* counters of the latest stats event, for the total */
    struct geoip *geoip;
    struct appid *appid;        /* nDPI labels for flows no dissector of ours claimed; NULL = off */
    struct eve *eve;
    uint64_t now_us;
    uint64_t packets, bytes;
    uint64_t files[3]; /* offline: capture files read, skipped, failed part-way (worker_set_files) */
    uint64_t ndpi_suspicions;
    uint64_t next_housekeep_us;
};

static void worker_flow_end(void *user, struct mw_flow *f, enum flow_end_reason why)
{
    struct worker *w = user;
    if (f->proto == IPPROTO_TCP)
        stream_flow_release(w->stream, f); /* may still deliver held bytes to detect */
    uint64_t ts = f->last_ts_us > w->now_us ? f->last_ts_us : w->now_us;
    if (w->appid)
        appid_flow_end(w->appid, f);
    detect_flow_end(w->detect, f, flow_end_reason_name(why), ts);
}

static int worker_finding(void *user, const struct detect_finding *fd, uint32_t *repeats)
{
    struct worker *w = user;
    return hosts_finding(w->hv, fd, repeats);
}

struct worker *worker_new(const struct worker_shared *sh, int id, char *err, size_t errlen)
{
    const struct mw_config *cfg = sh->cfg;
    struct worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->id = id;
    w->sh = sh;
    w->snap = calloc(1, sizeof *w->snap); /* start-up only; NULL just leaves totals without it */
    w->rules = ruleswap_current(sh->rules);

    /* The modules' parameters live in the configuration (config.h); only what the run
     * shares (networks, GeoIP handles) is added here. */
    w->decode = decode_new(&cfg->defrag);
    w->flows = flow_table_new(&cfg->flow, worker_flow_end, w);

    w->learn = sh->learn;

    struct eve_params ep = { 0 };
    ep.sensor_name = sh->sensor_name;
    ep.in_iface = sh->in_iface;
    ep.community_id = cfg->outputs.eve.community_id;
    ep.community_seed = cfg->outputs.eve.community_id_seed;
    w->eve = eve_new(&ep, sh->out);

    /* Before the host table: host events carry the pools' geography too. */
    if (cfg->geoip.enabled) {
        struct geoip_params gp = { cfg->geoip.country_database, cfg->geoip.city_database,
                                   cfg->geoip.asn_database, 0 };
        w->geoip = geoip_open(&gp, err, errlen);
        if (!w->geoip) {
            worker_free(w);
            return NULL;
        }
    }

    w->hosts = sh->hosts;
    w->hv = w->hosts ? hosts_view_new(w->hosts, w->eve, w->geoip) : NULL;

    if (cfg->ndpi) {
        struct appid_params ap;
        appid_params_default(&ap);
        w->appid = appid_new(&ap);
        if (!w->appid) {
            snprintf(err, errlen, "cannot initialise nDPI");
            worker_free(w);
            return NULL;
        }
    }
    struct detect_params dtp = cfg->detect;
    dtp.geoip = w->geoip;
    dtp.dns_servers = sh->dns_servers;
    dtp.proxies = sh->proxies;
    w->detect = detect_new(&dtp, w->eve, (struct rules *const *)&w->rules, w->learn, worker_finding, w);
    w->stream = stream_new(&cfg->stream, detect_stream_data, detect_stream_gap, w->detect);

    if (!w->decode || !w->flows || !w->stream || !w->learn || !w->eve || !w->detect || !w->hv) {
        snprintf(err, errlen, "cannot allocate the worker's tables (memory caps too large?)");
        worker_free(w);
        return NULL;
    }
    return w;
}

void worker_free(struct worker *w)
{
    if (!w)
        return;
    if (w->flows)
        flow_table_free(w->flows);
    if (w->appid) /* after the flows: their app_proto labels point into it */
        appid_free(w->appid);
    if (w->stream)
        stream_free(w->stream);
    detect_free(w->detect);
    hosts_view_free(w->hv);
    free(w->snap);
    if (w->geoip)
        geoip_close(w->geoip);
    eve_free(w->eve);
    if (w->decode)
        decode_free(w->decode);
    free(w);
}

/* Between worker_hold() and worker_idle() the set in w->rules cannot be freed. */
static void worker_hold(struct worker *w)
{
    w->rules = ruleswap_enter(w->sh->rules, w->id);
}

void worker_idle(struct worker *w)
{
    ruleswap_leave(w->sh->rules, w->id);
}

static void worker_ndpi_suspicion(struct worker *w, struct mw_flow *f, int dir, uint64_t ts_us)
{
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_PROTOCOL;
    ev.variant = MW_VAR_NDPI;
    ev.suspicion = 1;
    ev.confidence = 10;
    ev.sides = MW_SIDE_CLIENT;
    /* nDPI does not say who is the client: take the flow's initiator. */
    ev.client_dir = MW_DIR_FWD;
    (void)dir;
    struct policy_decision pd; /* no signature: a host-score suspicion only */
    policy_decide(&ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd);
    struct detect_finding fd = { f, &ev, MW_DIR_FWD, pd.sid, pd.severity, 0, 0, ts_us, 1, NULL, NULL };
    uint32_t repeats;
    w->ndpi_suspicions++;
    hosts_finding(w->hv, &fd, &repeats);
}

void worker_packet(struct worker *w, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, uint64_t ts_us)
{
    struct mw_packet p;
    if (ts_us > w->now_us)
        w->now_us = ts_us;
    w->packets++;
    w->bytes += wirelen;
    worker_hold(w);
    if (decode_packet(w->decode, dlt, data, caplen, wirelen, ts_us, &p) != DECODE_OK)
        return;
    int dir;
    struct mw_flow *f = flow_get(w->flows, &p, &dir);
    if (!f)
        return;
    detect_packet(w->detect, f, dir, &p);
    if (p.proto == IPPROTO_TCP)
        stream_packet(w->stream, f, dir, &p);
    /* Our dissectors had the first look; nDPI only names what they did not claim. Its
     * mining verdict flags ordinary JSON-RPC too, so it is a weak suspicion for the host
     * score and never an alert. */
    if (w->appid && !f->app.app_proto && appid_packet(w->appid, f, &p))
        worker_ndpi_suspicion(w, f, dir, p.ts_us);
    hosts_flush(w->hv);
}

void worker_housekeep(struct worker *w, uint64_t now_us)
{
    worker_hold(w);
    if (now_us > w->now_us)
        w->now_us = now_us;
    detect_recheck(w->detect, w->now_us);
    flow_housekeep(w->flows, w->now_us);
    hosts_housekeep(w->hv, w->now_us);
}

void worker_drain(struct worker *w, uint64_t now_us)
{
    worker_hold(w);
    if (now_us > w->now_us)
        w->now_us = now_us;
    detect_recheck(w->detect, w->now_us); /* an address another worker learned at the very end */
    flow_table_shutdown(w->flows);
    hosts_flush(w->hv);
}

struct worker_cap {
    uint64_t pk, drop, ifdrop, packets, bytes, mem;
    int id;
    const uint64_t *files; /* read, skipped, failed; NULL: none */
};

static void worker_capture_counters(void *src, eve_counter_fn cb, void *u)
{
    const struct worker_cap *c = src;
    cb(u, "worker.id", (uint64_t)c->id); /* which fanout member this event covers */
    cb(u, "capture.kernel_packets", c->pk);
    cb(u, "capture.kernel_drops", c->drop);
    cb(u, "capture.kernel_ifdrops", c->ifdrop);
    cb(u, "capture.packets", c->packets);
    cb(u, "capture.bytes", c->bytes);
    /* offline (-r): how the files of the run went; 0 live, and on workers that do not read
     * (every worker names the same counters, so the total lines up) */
    cb(u, "capture.files_read", c->files ? c->files[0] : 0);
    cb(u, "capture.files_skipped", c->files ? c->files[1] : 0);
    cb(u, "capture.files_failed", c->files ? c->files[2] : 0);
    cb(u, "memory.in_use", c->mem);
}

static void worker_decode_counters(void *src, eve_counter_fn cb, void *u)
{
    decode_stats_foreach(decode_stats(src), cb, u);
}

static void worker_flow_counters(void *src, eve_counter_fn cb, void *u)
{
    flow_stats_foreach(src, cb, u);
}

static void worker_stream_counters(void *src, eve_counter_fn cb, void *u)
{
    stream_stats_foreach(src, cb, u);
}

static void worker_detect_counters(void *src, eve_counter_fn cb, void *u)
{
    detect_stats_foreach(src, cb, u);
}

static void worker_learn_counters(void *src, eve_counter_fn cb, void *u)
{
    dnslearn_stats_foreach(src, cb, u);
}

static void worker_host_counters(void *src, eve_counter_fn cb, void *u)
{
    hosts_stats_foreach(src, cb, u);
}

static void worker_appid_counters(void *src, eve_counter_fn cb, void *u)
{
    if (src)
        appid_stats_foreach(src, cb, u);
}

static void worker_geoip_counters(void *src, eve_counter_fn cb, void *u)
{
    if (src)
        geoip_stats_foreach(src, cb, u);
}

/* What this worker alone holds; the shared tables are counted once, in worker_shared_memuse. */
uint64_t worker_memuse(const struct worker *w)
{
    return flow_table_memuse(w->flows) + stream_memuse(w->stream) + detect_memuse(w->detect) +
           (w->appid ? appid_memuse(w->appid) : 0);
}

uint64_t worker_shared_memuse(const struct worker_shared *sh)
{
    return (sh->learn ? dnslearn_memuse(sh->learn) : 0) + (sh->hosts ? hosts_memuse(sh->hosts) : 0);
}

/* Counters of this worker's own tables, then those of the tables every worker shares:
 * a total over workers sums the first kind and takes the second once. */
#define WORKER_NPRIVATE 7
#define WORKER_NSHARED 2
#define WORKER_NSOURCES (WORKER_NPRIVATE + WORKER_NSHARED)

static void worker_sources(struct worker *w, struct worker_cap *cap, eve_stats_source *fns, void **srcs)
{
    eve_stats_source f[WORKER_NSOURCES] = { worker_capture_counters, worker_decode_counters, worker_flow_counters,
                                            worker_stream_counters,  worker_detect_counters, worker_geoip_counters,
                                            worker_appid_counters,   worker_learn_counters,  worker_host_counters };
    void *s[WORKER_NSOURCES] = { cap, w->decode, w->flows, w->stream, w->detect, w->geoip, w->appid, w->learn, w->hosts };
    memcpy(fns, f, sizeof f);
    memcpy(srcs, s, sizeof s);
}

static void worker_snapshot(struct worker *w, struct worker_cap *cap);

void worker_set_files(struct worker *w, uint64_t read, uint64_t skipped, uint64_t failed)
{
    w->files[0] = read;
    w->files[1] = skipped;
    w->files[2] = failed;
}

void worker_stats(struct worker *w, uint64_t now_us, uint64_t uptime_s, uint64_t kernel_packets,
                  uint64_t kernel_drops, uint64_t kernel_ifdrops)
{
    struct worker_cap cap = { kernel_packets, kernel_drops, kernel_ifdrops, w->packets, w->bytes,
                              worker_memuse(w) + worker_shared_memuse(w->sh), w->id, w->files };
    eve_stats_source fns[WORKER_NSOURCES];
    void *srcs[WORKER_NSOURCES];
    worker_sources(w, &cap, fns, srcs);
    eve_stats(w->eve, now_us, uptime_s, fns, srcs, WORKER_NSOURCES);
    worker_snapshot(w, &cap);
}

/* ---- totals over several workers ---- */

/* The first worker names the counters; the others add to them in the same order. */
static void worker_sum_add(void *u, const char *name, uint64_t v)
{
    struct worker_sum *s = u;
    if (strcmp(name, "worker.id") == 0)
        return; /* replaced by workers.count in the total */
    if (s->at == s->n) {
        if (s->n == WORKER_MAX_COUNTERS)
            return;
        snprintf(s->c[s->n].name, sizeof s->c[s->n].name, "%s", name);
        s->c[s->n++].v = 0;
    } else if (strcmp(s->c[s->at].name, name) != 0) {
        s->mismatch = 1;
        return;
    }
    s->c[s->at++].v += v;
}

static void worker_sum_replay(void *src, eve_counter_fn cb, void *u)
{
    const struct worker_sum *s = src;
    for (size_t i = 0; i < s->n; i++)
        cb(u, s->c[i].name, s->c[i].v);
}

/* This worker's counters as of its latest stats event (private tables only), for totals
 * written while the workers run: a worker's tables are read by its own thread only. */
static void worker_snapshot(struct worker *w, struct worker_cap *cap)
{
    if (!w->snap)
        return;
    cap->mem = worker_memuse(w);
    eve_stats_source fns[WORKER_NSOURCES];
    void *srcs[WORKER_NSOURCES];
    worker_sources(w, cap, fns, srcs);
    w->snap->n = w->snap->at = 0;
    w->snap->mismatch = 0;
    for (size_t k = 0; k < WORKER_NPRIVATE; k++)
        fns[k](srcs[k], worker_sum_add, w->snap);
}

static void worker_shared_counters(void *src, eve_counter_fn cb, void *u)
{
    struct worker *w = src;
    worker_learn_counters(w->learn, cb, u);
    worker_host_counters(w->hosts, cb, u);
}

int worker_stats_total(struct worker *const *ws, int n, uint64_t now_us, uint64_t uptime_s)
{
    if (n < 1)
        return -1;
    /* Stats time only, never the packet path: one allocation for the table. */
    struct worker_sum *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    for (int i = 0; i < n; i++) {
        if (!ws[i]->snap)
            continue;
        s->at = 0;
        worker_sum_replay(ws[i]->snap, worker_sum_add, s);
    }
    /* The shared tables once: their memory, their counters. */
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->c[i].name, "memory.in_use") == 0)
            s->c[i].v += worker_shared_memuse(ws[0]->sh);
    s->at = s->n;
    worker_shared_counters(ws[0], worker_sum_add, s);
    if (s->n < WORKER_MAX_COUNTERS) {
        snprintf(s->c[s->n].name, sizeof s->c[s->n].name, "workers.count");
        s->c[s->n++].v = (uint64_t)n;
    }
    int rc = s->mismatch ? -1 : 0;
    if (!s->mismatch) {
        eve_stats_source fn = worker_sum_replay;
        void *src = s;
        eve_stats(ws[0]->eve, now_us, uptime_s, &fn, &src, 1);
    }
    free(s);
    return rc;
}

struct eve *worker_eve(struct worker *w)
{
    return w->eve;
}

struct rules *const *worker_rules_slot(struct worker *w)
{
    return (struct rules *const *)&w->rules;
}

int worker_shared_tables_new(struct worker_shared *sh, char *err, size_t errlen)
{
    const struct mw_config *cfg = sh->cfg;
    struct dnslearn_params lp;
    dnslearn_params_default(&lp);
    sh->learn = dnslearn_new(&lp);

    struct hosts_params hp = cfg->hosts;
    hp.home_net = sh->home_net;
    hp.nsuppress = 0; /* from the configuration's list, which allows more entries */
    for (size_t i = 0; i < cfg->alerts.nsuppress && hp.nsuppress < HOSTS_MAX_SUPPRESS; i++) {
        const struct mw_suppress *cs = &cfg->alerts.suppress[i];
        struct hosts_suppress *hs = &hp.suppress[hp.nsuppress++];
        hs->sid = cs->sid;
        if (cs->has_host)
            netset_prefix_from_cidr(&cs->host, &hs->net, &hs->bits);
        snprintf(hs->pool, sizeof hs->pool, "%s", cs->pool);
    }
    sh->hosts = hosts_new(&hp);
    if (!sh->learn || !sh->hosts) {
        snprintf(err, errlen, "cannot allocate the host and DNS-learned tables (hosts.max-hosts too large?)");
        worker_shared_tables_free(sh);
        return -1;
    }
    return 0;
}

void worker_shared_tables_free(struct worker_shared *sh)
{
    hosts_free(sh->hosts);
    dnslearn_free(sh->learn);
    sh->hosts = NULL;
    sh->learn = NULL;
}

void worker_final_hosts(struct worker *w, uint64_t now_us)
{
    hosts_final(w->hv, now_us);
}
