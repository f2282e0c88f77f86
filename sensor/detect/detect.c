/* detect.c - the alert decision: evidence merging, the confirm hold, name and address
 * matching, and the one place that raises an alert.
 *
 * The app-layer engine (sensor/applayer/) hands over every piece of dissector evidence.
 * Evidence is merged per flow. A protocol seen from one side only is held for
 * confirm_hold so the other side's reply can confirm it: one alert per flow and
 * signature, whose id and severity policy_decide() (sensor/detect/policy.c) picks.
 * Names (DNS, SNI, Host, HTTP and SOCKS CONNECT) are matched against the active
 * rule set (a SOCKS target given as an address against the address lists);
 * answers for listed names teach the DNS-learned address table, and the first packet
 * of every flow is checked against listed and learned pool addresses.
 *
 * Per-flow records and merged evidence come from block pools recycled through free lists,
 * so once the busiest moment has been seen a flow starting or ending mallocs nothing
 * (tests/unit/test_noalloc.c). Their number is bounded by the flow table's memcap: at most
 * one record per live flow.
 */
#include "sensor/detect/detect.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/dns.h"
#include "rules/rules.h"
#include "sensor/applayer/applayer.h"
#include "sensor/detect/behave.h"
#include "sensor/detect/dnslearn.h"
#include "sensor/eve/enrich.h"
#include "sensor/eve/eve.h"
#include "sensor/flow/flow.h"
#include "sensor/detect/netset.h"
#include "sensor/detect/policy.h"
#include "core/pool.h"
#include "core/signatures.h"

#define DETECT_MAX_ALERTED 8
#define DETECT_SIGS 64 /* alerts counted per row of core/signatures.c (unit.test_prom: the table fits) */
#define DETECT_RESOLVERS 256

struct detect_flow {
    struct applayer_flow al;   /* the app-layer engine's part */
    struct mw_evidence *pend;  /* merged protocol evidence not yet alerted */
    struct mw_evidence *info;  /* what the flow event and host verdicts learn after the alert */
    struct mw_evidence *proxy; /* the SOCKS / PROXY-protocol handshake in front of the stream */
    struct mw_http_facts *http; /* the HTTP transaction of a mining finding, for the flow event */
    uint64_t pend_deadline_us;
    uint32_t alerted[DETECT_MAX_ALERTED];
    uint8_t nalerted;
    uint8_t miner_dir;
    uint8_t proto_alerted;
    const char *held;          /* a mining finding whose alert was held back, and why */
    enum mw_variant variant;
};

struct detect_counters {
    uint64_t alerts_by_sig[DETECT_SIGS]; /* written alerts per signature table row */
    uint64_t alerts, suppressed, allowlisted, names_seen, names_matched, crypto_general, pool_address,
        dns_learned_address, on_behalf, alloc_fail, rechecked, recheck_hits, recheck_ended, proxied,
        relayed_clients;
};

/* Flows whose first packet matched no pool address, the last DETECT_RECHECK of them: with
 * several workers the DNS answer that teaches their address may be processed just after the
 * connection (another worker), so they are checked again when the DNS-learned table
 * changes, and alert when the answer was seen at most DETECT_RECHECK_WINDOW_US after the
 * flow opened (packet time; in one thread too, so one thread and N agree). A reference
 * holds the flow's id: an ended or reused flow no longer matches, and its alert is written
 * from the identity kept here. */
#define DETECT_RECHECK 1024
#define DETECT_RECHECK_WINDOW_US (10ull * 1000000u)

struct detect_recheck {
    struct mw_flow *f;
    uint64_t flow_id, ts_us;
    /* The flow's identity, for an alert after it ended (a short session may be over before
     * the worker that saw its DNS answer got to it). */
    struct mw_addr addr[2];
    uint16_t port[2];
    uint8_t proto, vlan_count;
    uint16_t vlan[MW_MAX_VLAN];
    uint64_t first_ts_us;
};

struct detect {
    struct detect_params p;
    struct eve *eve;
    struct rules *const *rules;
    struct dnslearn *learn;
    detect_finding_fn on_finding;
    void *finding_user;
    /* Hosts seen serving DNS on port 53: their own lookups are made on behalf of clients. */
    struct mw_addr resolvers[DETECT_RESOLVERS];
    unsigned nresolvers, resolver_next;
    struct applayer *al;
    struct mw_pool *flow_pool, *ev_pool, *http_pool;
    struct behave *behave; /* encrypted mining by behaviour: its own per-flow state */
    uint64_t live_flows;
    struct detect_recheck recheck[DETECT_RECHECK];
    unsigned recheck_next;
    uint64_t learn_gen; /* the DNS-learned table's generation last re-checked against */
    struct detect_counters c;
};

void detect_params_default(struct detect_params *p)
{
    memset(p, 0, sizeof *p);
    p->buffer_size = 16384;
    p->max_buffers = 4096;
    p->confirm_hold_us = 30000000;
    behave_params_default(&p->behave);
}

static void detect_evidence(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us);

struct detect *detect_new(const struct detect_params *p, struct eve *eve, struct rules *const *rules,
                          struct dnslearn *learn, detect_finding_fn on_finding, void *finding_user)
{
    struct detect *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->p = *p;
    d->eve = eve;
    d->rules = rules;
    d->learn = learn;
    d->on_finding = on_finding;
    d->finding_user = finding_user;
    d->flow_pool = pool_new(sizeof(struct detect_flow), 0);
    d->ev_pool = pool_new(sizeof(struct mw_evidence), 0);
    d->http_pool = pool_new(sizeof(struct mw_http_facts), 0);
    struct applayer_params ap = { p->buffer_size, p->max_buffers, 0 };
    d->al = applayer_new(&ap, detect_evidence, d);
    d->behave = behave_new(&d->p.behave);
    if (!d->flow_pool || !d->ev_pool || !d->http_pool || !d->al || !d->behave) {
        detect_free(d);
        return NULL;
    }
    return d;
}

void detect_free(struct detect *d)
{
    if (!d)
        return;
    applayer_free(d->al);
    pool_free(d->flow_pool);
    pool_free(d->ev_pool);
    pool_free(d->http_pool);
    behave_free(d->behave);
    free(d);
}

static struct detect_flow *detect_flow_get(struct detect *d, struct mw_flow *f)
{
    if (f->detect)
        return f->detect;
    struct detect_flow *df = pool_get(d->flow_pool);
    if (!df) {
        d->c.alloc_fail++;
        return NULL;
    }
    memset(df, 0, sizeof *df);
    f->detect = df;
    d->live_flows++;
    return df;
}

static int detect_already(const struct detect_flow *df, uint32_t sid)
{
    for (unsigned i = 0; i < df->nalerted; i++)
        if (df->alerted[i] == sid)
            return 1;
    return 0;
}

/* Fill the empty fields of dst from src; a specific dialect wins over plain stratum1. */
static void detect_merge(struct mw_evidence *dst, const struct mw_evidence *src)
{
    /* Generic first impressions give way to the specific dialect: plain Stratum V1 to
     * a Stratum dialect, HTTP getwork signals (headers) to a getblocktemplate body. */
    int upgrade = dst->variant == MW_VAR_NONE ||
                  (src->kind == MW_EV_PROTOCOL && !src->suspicion && src->variant != dst->variant &&
                   (dst->variant == MW_VAR_STRATUM1 || (dst->variant == MW_VAR_GETWORK && src->variant == MW_VAR_GBT)));
    if (upgrade)
        dst->variant = src->variant;
    dst->sides |= src->sides;
    if (src->confidence > dst->confidence)
        dst->confidence = src->confidence;
    if (!src->suspicion)
        dst->suspicion = 0;
#define MERGE_FIELD(x)                                   \
    if (!dst->x[0] && src->x[0])                         \
        memcpy(dst->x, src->x, sizeof dst->x);
    MERGE_FIELD(method)
    MERGE_FIELD(agent)
    MERGE_FIELD(worker)
    MERGE_FIELD(algo)
    MERGE_FIELD(pool_host)
    MERGE_FIELD(coin)
#undef MERGE_FIELD
    if (dst->proxy.proto == MW_PROXY_NONE)
        dst->proxy = src->proxy;
    mw_http_merge(&dst->http, &src->http);
}

/* Keep the HTTP facts of a flow's mining findings for its flow event: created by a
 * mining finding (create), completed by later facts (the response). Only mining flows get
 * a record, so ordinary web traffic costs nothing here. */
static void detect_http_keep(struct detect *d, struct detect_flow *df, const struct mw_http_facts *h, int create)
{
    if (!h->seen)
        return;
    if (!df->http) {
        if (!create)
            return;
        if (!(df->http = pool_get(d->http_pool))) {
            d->c.alloc_fail++;
            return;
        }
        memset(df->http, 0, sizeof *df->http);
    }
    mw_http_merge(df->http, h);
}

/* The single place that decides whether a finding becomes an alert line. */
/* A PROXY-protocol header names the client a relay forwards. It is believed only when the
 * relay is a configured proxy (as a web server believes X-Forwarded-For only from its own
 * load balancers): anyone can write a header, and a crafted one must not move the verdict of
 * a host that never mined. Then the client gets the verdict and the relay does not; from
 * any other sender the relay, the host seen mining, keeps it and mining.proxy shows the
 * claimed client. */
static const struct mw_addr *detect_relayed_client(const struct detect *d, const struct mw_flow *f,
                                                   const struct mw_evidence *ev, int miner_dir)
{
    if ((ev->proxy.proto != MW_PROXY_V1 && ev->proxy.proto != MW_PROXY_V2) || !ev->proxy.has_src)
        return NULL;
    if (!d->p.proxies || !netset_contains(d->p.proxies, &f->addr[miner_dir]))
        return NULL;
    return &ev->proxy.src;
}

static void detect_raise(struct detect *d, struct mw_flow *f, struct detect_flow *df,
                         const struct mw_evidence *ev, uint32_t sid, uint8_t severity, int miner_dir,
                         uint64_t ts_us, uint8_t on_behalf)
{
    if (detect_already(df, sid))
        return;
    detect_http_keep(d, df, &ev->http, 1);
    if (df->nalerted < DETECT_MAX_ALERTED)
        df->alerted[df->nalerted++] = sid;
    const struct rules *r = *d->rules;
    const char *held = NULL;
    struct detect_finding fd = { f, ev, miner_dir, sid, severity, on_behalf, 0, ts_us, 0, &held, NULL };
    fd.host_addr = detect_relayed_client(d, f, ev, miner_dir);
    if (fd.host_addr)
        d->c.relayed_clients++;
    if (r && rules_allowed(r, &f->addr[miner_dir], ev->pool_host[0] ? ev->pool_host : NULL)) {
        fd.allowlisted = 1;
        d->c.allowlisted++;
    }
    uint32_t repeats = 0;
    int write = 1;
    if (d->on_finding)
        write = d->on_finding(d->finding_user, &fd, &repeats);
    if (fd.allowlisted || !write) {
        if (!fd.allowlisted) {
            d->c.suppressed++;
            /* Still a mining flow: its flow event is written (alerted: false, and why), so
             * the worker, agent and shares of a throttled session can be found. */
            df->held = held ? held : "suppressed";
            df->miner_dir = (uint8_t)miner_dir;
            if (df->variant == MW_VAR_NONE || ev->kind == MW_EV_PROTOCOL)
                df->variant = ev->variant;
        }
        return;
    }
    struct eve_alert a = { 0 };
    a.flow = f;
    a.ev = ev;
    a.sid = sid;
    a.severity = severity;
    a.miner_dir = miner_dir;
    a.ts_us = ts_us;
    a.repeats = repeats;
    if (on_behalf)
        a.resolver_note = ev->variant == MW_VAR_DNS ? "asked by a DNS server on behalf of its clients"
                                                    : "requested by a configured proxy on behalf of its clients";
    else if (fd.host_addr)
        a.resolver_note = "relayed by a configured proxy: the miner is mining.proxy.src_ip";
    f->alerted = 1;
    df->miner_dir = (uint8_t)miner_dir;
    if (df->variant == MW_VAR_NONE || ev->kind == MW_EV_PROTOCOL)
        df->variant = ev->variant;
    d->c.alerts++;
    size_t nsig;
    const struct mw_signature *tab = mw_signature_table(&nsig), *sig = mw_signature_find(sid);
    if (sig && (size_t)(sig - tab) < DETECT_SIGS)
        d->c.alerts_by_sig[sig - tab]++;
    struct geoip_result geo;
    eve_enrich_alert(&a, d->p.geoip, &f->addr[!miner_dir], &geo);
    eve_alert(d->eve, &a);
}

static void detect_flush_pending(struct detect *d, struct mw_flow *f, struct detect_flow *df, uint64_t ts_us)
{
    struct mw_evidence *ev = df->pend;
    if (!ev)
        return;
    df->pend = NULL;
    struct policy_decision pd;
    df->proto_alerted = 1;
    if (policy_decide(ev, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd))
        detect_raise(d, f, df, ev, pd.sid, pd.severity, ev->client_dir, ts_us, 0);
    /* Keep the merged record: the flow event and later host updates use it. */
    if (!df->info)
        df->info = ev;
    else
        pool_put(d->ev_pool, ev);
}

static void detect_protocol(struct detect *d, struct mw_flow *f, struct detect_flow *df,
                            const struct mw_evidence *ev, uint64_t ts_us)
{
    if (df->proto_alerted) {
        if (!df->info)
            return;
        struct mw_evidence before = *df->info;
        detect_merge(df->info, ev);
        /* A worker or agent learned after the alert still belongs in the host's record. */
        if (d->on_finding && (strcmp(before.worker, df->info->worker) != 0 ||
                              strcmp(before.agent, df->info->agent) != 0)) {
            struct policy_decision pd;
            policy_decide(df->info, POLICY_PROTOCOL, RULES_CAT_MINING_POOL, &pd);
            struct detect_finding fd = { f, df->info, df->info->client_dir, pd.sid, 0, 0, 0, ts_us, 1, NULL, NULL };
            fd.host_addr = detect_relayed_client(d, f, df->info, df->info->client_dir);
            uint32_t repeats;
            d->on_finding(d->finding_user, &fd, &repeats);
        }
        return;
    }
    if (!df->pend) {
        df->pend = pool_get(d->ev_pool);
        if (!df->pend) {
            d->c.alloc_fail++;
            return;
        }
        *df->pend = *ev;
        df->pend->dns = NULL;
        df->pend->tls = NULL;
        if (df->proxy) { /* the session behind a proxy: its alert names the proxy and its target */
            df->pend->proxy = df->proxy->proxy;
            if (!df->pend->pool_host[0])
                memcpy(df->pend->pool_host, df->proxy->pool_host, sizeof df->pend->pool_host);
        }
        df->pend_deadline_us = ts_us + d->p.confirm_hold_us;
    } else {
        detect_merge(df->pend, ev);
    }
    const struct mw_evidence *p = df->pend;
    if (p->suspicion || ((p->sides & MW_SIDE_CLIENT) && (p->sides & MW_SIDE_SERVER)))
        detect_flush_pending(d, f, df, ts_us);
}

static int detect_is_resolver(const struct detect *d, const struct mw_addr *a)
{
    for (unsigned i = 0; i < d->nresolvers; i++)
        if (memcmp(&d->resolvers[i], a, sizeof *a) == 0)
            return 1;
    return 0;
}

/* Remember the server side of a DNS exchange (bounded, oldest replaced first). */
static void detect_learn_resolver(struct detect *d, const struct mw_addr *a)
{
    if (detect_is_resolver(d, a))
        return;
    d->resolvers[d->resolver_next] = *a;
    d->resolver_next = (d->resolver_next + 1) % DETECT_RESOLVERS;
    if (d->nresolvers < DETECT_RESOLVERS)
        d->nresolvers++;
}

/* A DNS answer for a listed name: remember every address it maps to. */
static void detect_learn_answers(struct detect *d, const struct mw_dns_record *rec,
                                 const char *pool_name, uint64_t ts_us)
{
    if (!d->learn || !rec->qr)
        return;
    for (unsigned i = 0; i < rec->answer_count; i++) {
        const struct dns_answer *a = &rec->answers[i];
        if (a->type != DNS_TYPE_A && a->type != DNS_TYPE_AAAA)
            continue;
        dnslearn_add(d->learn, &a->addr, pool_name, a->ttl, ts_us);
        d->c.dns_learned_address++;
    }
}

static void detect_name(struct detect *d, struct mw_flow *f, struct detect_flow *df,
                        const struct mw_evidence *ev, uint64_t ts_us)
{
    const struct rules *r = *d->rules;
    d->c.names_seen++;
    if (ev->variant == MW_VAR_DNS && f->port[!ev->client_dir] == 53)
        detect_learn_resolver(d, &f->addr[!ev->client_dir]);
    if (!r || !ev->pool_host[0])
        return;
    struct rules_match m;
    const char *matched = ev->pool_host;
    int hit = rules_match_name(r, ev->pool_host, strlen(ev->pool_host), &m);
    /* A CNAME chain can lead from an innocent-looking alias to a pool name. */
    if (!hit && ev->dns) {
        for (unsigned i = 0; i < ev->dns->answer_count && !hit; i++) {
            const struct dns_answer *a = &ev->dns->answers[i];
            if (a->target[0] && rules_match_name(r, a->target, strlen(a->target), &m)) {
                hit = 1;
                matched = a->target;
            }
        }
    }
    if (!hit)
        return;
    if (!m.alert) {
        d->c.crypto_general++; /* exchanges and wallets: context, never a mining alert */
        return;
    }
    d->c.names_matched++;
    if (ev->dns)
        detect_learn_answers(d, ev->dns, matched, ts_us);
    struct mw_evidence out = *ev;
    mw_ev_set(out.list_name, sizeof out.list_name, m.list, strlen(m.list));
    mw_ev_set(out.list_category, sizeof out.list_category, m.category_name, strlen(m.category_name));
    if (matched != ev->pool_host)
        mw_ev_set(out.pool_host, sizeof out.pool_host, matched, strlen(matched));
    struct policy_decision pd;
    if (!policy_decide(ev, POLICY_LISTED, m.category, &pd))
        return;
    const struct netset *helpers = ev->variant == MW_VAR_DNS ? d->p.dns_servers : d->p.proxies;
    uint8_t on_behalf = (helpers && netset_contains(helpers, &f->addr[ev->client_dir])) ||
                        (ev->variant == MW_VAR_DNS && detect_is_resolver(d, &f->addr[ev->client_dir]));
    if (on_behalf)
        d->c.on_behalf++;
    if (!out.confidence)
        out.confidence = ev->variant == MW_VAR_DNS ? 30 : 60;
    detect_raise(d, f, df, &out, pd.sid, pd.severity, ev->client_dir, ts_us, on_behalf);
}

/* Is addr:port a listed or DNS-learned pool address? Fills the list fields of ev and the
 * policy's decision for it (ev->variant says how the address was reached); 0 when not. */
static int detect_match_address(struct detect *d, const struct mw_addr *addr, uint16_t port, uint64_t ts_us,
                                struct mw_evidence *ev, struct policy_decision *pd)
{
    const struct rules *r = *d->rules;
    struct rules_match m;
    if (rules_match_addr(r, addr, port, &m) && m.alert && policy_decide(ev, POLICY_LISTED, m.category, pd)) {
        mw_ev_set(ev->list_name, sizeof ev->list_name, m.list, strlen(m.list));
        mw_ev_set(ev->list_category, sizeof ev->list_category, m.category_name, strlen(m.category_name));
        ev->confidence = 60;
        d->c.pool_address++;
        return 1;
    }
    if (d->learn && dnslearn_lookup(d->learn, addr, ts_us, ev->pool_host, sizeof ev->pool_host)) {
        mw_ev_set(ev->list_name, sizeof ev->list_name, "dns-learned", 11);
        mw_ev_set(ev->list_category, sizeof ev->list_category, "mining-pool", 11);
        ev->confidence = 50;
        d->c.pool_address++;
        return policy_decide(ev, POLICY_DNS_LEARNED, RULES_CAT_MINING_POOL, pd);
    }
    return 0;
}

/* A proxy handshake (SOCKS request, PROXY-protocol header): keep its facts for the flow's
 * later alerts and flow event, and match a SOCKS CONNECT target against the lists like an
 * HTTP CONNECT target: a name against the names, an address against the addresses. */
static void detect_proxy(struct detect *d, struct mw_flow *f, struct detect_flow *df,
                         const struct mw_evidence *ev, uint64_t ts_us)
{
    d->c.proxied++;
    if (!df->proxy && !(df->proxy = pool_get(d->ev_pool))) {
        d->c.alloc_fail++;
        return;
    }
    *df->proxy = *ev;
    df->proxy->dns = NULL;
    df->proxy->tls = NULL;
    if (ev->variant != MW_VAR_SOCKS_CONNECT)
        return;
    struct mw_evidence out = *ev;
    out.kind = MW_EV_NAME;
    if (ev->pool_host[0]) {
        detect_name(d, f, df, &out, ts_us);
        return;
    }
    if (!ev->proxy.has_target_addr || !*d->rules)
        return;
    struct policy_decision pd;
    if (!detect_match_address(d, &ev->proxy.target_addr, ev->proxy.target_port, ts_us, &out, &pd))
        return;
    const struct netset *helpers = d->p.proxies;
    uint8_t on_behalf = helpers && netset_contains(helpers, &f->addr[ev->client_dir]);
    if (on_behalf)
        d->c.on_behalf++;
    detect_raise(d, f, df, &out, pd.sid, pd.severity, ev->client_dir, ts_us, on_behalf);
}

/* The app-layer engine's emit function: it only runs on flows detect handed to it, so the
 * flow already has its record. */
static void detect_evidence(void *user, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    struct detect *d = user;
    struct detect_flow *df = f->detect;
    if (!df)
        return;
    detect_http_keep(d, df, &ev->http, ev->kind == MW_EV_PROTOCOL);
    if (ev->kind == MW_EV_HTTP)
        return; /* facts only: they complete the record kept above */
    if (ev->kind == MW_EV_NAME)
        detect_name(d, f, df, ev, ts_us);
    else if (ev->kind == MW_EV_PROXY)
        detect_proxy(d, f, df, ev, ts_us);
    else
        detect_protocol(d, f, df, ev, ts_us);
}

static void detect_check_pending(struct detect *d, struct mw_flow *f, struct detect_flow *df, uint64_t ts_us)
{
    if (df->pend && ts_us >= df->pend_deadline_us)
        detect_flush_pending(d, f, df, ts_us);
}

void detect_stream_data(void *user, struct mw_flow *f, int dir, const uint8_t *data, size_t len, uint64_t ts_us)
{
    struct detect *d = user;
    struct detect_flow *df = detect_flow_get(d, f);
    if (!df || len == 0)
        return;
    detect_check_pending(d, f, df, ts_us);
    applayer_stream_data(d->al, f, &df->al, dir, data, len, ts_us);
}

void detect_stream_gap(void *user, struct mw_flow *f, int dir, uint32_t lost)
{
    struct detect *d = user;
    struct detect_flow *df = f->detect;
    applayer_stream_gap(d->al, f, df ? &df->al : NULL, dir);
    (void)lost;
}

/* The first packet of a flow: is the responder a listed or DNS-learned pool address? */
static void detect_check_address(struct detect *d, struct mw_flow *f, const struct mw_packet *p)
{
    if (!*d->rules || f->port[MW_DIR_REV] == 53)
        return;
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_NAME;
    ev.variant = MW_VAR_POOL_ADDRESS;
    ev.client_dir = MW_DIR_FWD;
    ev.sides = MW_SIDE_CLIENT;
    struct policy_decision pd;
    if (!detect_match_address(d, &f->addr[MW_DIR_REV], f->port[MW_DIR_REV], p->ts_us, &ev, &pd)) {
        if (d->learn) {
            struct detect_recheck *rc = &d->recheck[d->recheck_next++ % DETECT_RECHECK];
            rc->f = f;
            rc->flow_id = f->flow_id;
            rc->ts_us = p->ts_us;
            memcpy(rc->addr, f->addr, sizeof rc->addr);
            memcpy(rc->port, f->port, sizeof rc->port);
            memcpy(rc->vlan, f->vlan, sizeof rc->vlan);
            rc->proto = f->proto;
            rc->vlan_count = f->vlan_count;
            rc->first_ts_us = f->first_ts_us;
        }
        return;
    }
    /* Learned by another worker since this packet's re-check (between its generation read
     * and the lookup above): the flows waiting for that answer opened before this one and
     * take their alerts first, as in one thread; else this flow would take the (host, pool,
     * signature) window and an older flow's alert would be throttled. */
    detect_recheck(d, p->ts_us);
    struct detect_flow *df = detect_flow_get(d, f);
    if (!df)
        return;
    detect_raise(d, f, df, &ev, pd.sid, pd.severity, MW_DIR_FWD, p->ts_us, 0);
}

void detect_recheck(struct detect *d, uint64_t now_us)
{
    if (!d->learn)
        return;
    uint64_t gen = dnslearn_generation(d->learn);
    if (gen == d->learn_gen)
        return; /* one atomic load per packet when nothing was learned */
    d->learn_gen = gen;
    /* Oldest first, as the flows opened: of two flows to one pool (TLS, then Stratum) the
     * first takes the alert and the second is throttled, as in one thread. */
    for (unsigned i = 0; i < DETECT_RECHECK; i++) {
        struct detect_recheck *rc = &d->recheck[(d->recheck_next + i) % DETECT_RECHECK];
        if (!rc->f)
            continue;
        /* Judged in the flow's own time, not this worker's: another worker may be behind or
         * ahead. An address learned within the window after the flow opened counts, as one
         * thread would have found it; the result does not depend on which worker ran first. */
        struct mw_evidence ev;
        uint64_t learned;
        memset(&ev, 0, sizeof ev);
        if (!dnslearn_lookup_learned(d->learn, &rc->addr[MW_DIR_REV], rc->ts_us, ev.pool_host, sizeof ev.pool_host,
                                     &learned) ||
            learned > rc->ts_us + DETECT_RECHECK_WINDOW_US)
            continue;
        d->c.recheck_hits++;
        ev.kind = MW_EV_NAME;
        ev.variant = MW_VAR_POOL_ADDRESS;
        ev.client_dir = MW_DIR_FWD;
        ev.sides = MW_SIDE_CLIENT;
        ev.confidence = 50;
        mw_ev_set(ev.list_name, sizeof ev.list_name, "dns-learned", 11);
        mw_ev_set(ev.list_category, sizeof ev.list_category, "mining-pool", 11);
        d->c.pool_address++;
        struct policy_decision pd;
        policy_decide(&ev, POLICY_DNS_LEARNED, RULES_CAT_MINING_POOL, &pd);
        uint64_t ts = learned > rc->ts_us ? learned : rc->ts_us;
        struct mw_flow *f = rc->f;
        rc->f = NULL;
        if (f->flow_id == rc->flow_id) {
            struct detect_flow *df = detect_flow_get(d, f);
            if (df)
                detect_raise(d, f, df, &ev, pd.sid, pd.severity, MW_DIR_FWD, ts, 0);
            continue;
        }
        /* The flow has ended: its alert still names it, from what was kept. */
        struct mw_flow gone;
        struct detect_flow gone_df;
        memset(&gone, 0, sizeof gone);
        memset(&gone_df, 0, sizeof gone_df);
        memcpy(gone.addr, rc->addr, sizeof gone.addr);
        memcpy(gone.port, rc->port, sizeof gone.port);
        memcpy(gone.vlan, rc->vlan, sizeof gone.vlan);
        gone.proto = rc->proto;
        gone.vlan_count = rc->vlan_count;
        gone.flow_id = rc->flow_id;
        gone.first_ts_us = gone.last_ts_us = rc->first_ts_us;
        d->c.recheck_ended++;
        detect_raise(d, &gone, &gone_df, &ev, pd.sid, pd.severity, MW_DIR_FWD, ts, 0);
    }
    d->c.rechecked++;
}

/* The behaviour module judged an opaque flow mining-shaped: a suspicion (severity 3). */
static void detect_behaviour(struct detect *d, struct mw_flow *f, const struct mw_evidence *ev, uint64_t ts_us)
{
    struct detect_flow *df = detect_flow_get(d, f);
    if (df)
        detect_protocol(d, f, df, ev, ts_us);
}

void detect_packet(struct detect *d, struct mw_flow *f, int dir, const struct mw_packet *p)
{
    detect_recheck(d, p->ts_us);
    if (f->pkts[0] + f->pkts[1] == 1 && (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP))
        detect_check_address(d, f, p);
    struct mw_evidence bev;
    if (p->proto == IPPROTO_TCP && behave_packet(d->behave, f, dir, p, &bev))
        detect_behaviour(d, f, &bev, p->ts_us);
    struct detect_flow *df = f->detect;
    if (df)
        detect_check_pending(d, f, df, p->ts_us);
    if (p->proto != IPPROTO_UDP || p->payload_len == 0)
        return;
    if (!df && !(df = detect_flow_get(d, f)))
        return;
    applayer_datagram(d->al, f, &df->al, dir, p->payload, p->payload_len, p->ts_us);
}

void detect_flow_end(struct detect *d, struct mw_flow *f, const char *reason, uint64_t ts_us)
{
    struct mw_evidence bev;
    if (f->behave && behave_flow_end(d->behave, f, &bev))
        detect_behaviour(d, f, &bev, f->last_ts_us);
    struct detect_flow *df = f->detect;
    if (!df)
        return;
    applayer_flow_end(d->al, f, &df->al, ts_us);
    detect_flush_pending(d, f, df, ts_us);
    if (f->alerted)
        eve_flow(d->eve, f, df->miner_dir, df->variant, df->info, df->http, reason, NULL, ts_us);
    else if (df->held)
        eve_flow(d->eve, f, df->miner_dir, df->variant, df->info, df->http, reason, df->held, ts_us);
    pool_put(d->ev_pool, df->pend);
    pool_put(d->ev_pool, df->info);
    pool_put(d->ev_pool, df->proxy);
    pool_put(d->http_pool, df->http);
    pool_put(d->flow_pool, df);
    f->detect = NULL;
    d->live_flows--;
}

void detect_stats_foreach(const struct detect *d, void (*cb)(void *u, const char *name, uint64_t v), void *u)
{
    applayer_stats_foreach(d->al, cb, u);
    cb(u, "detect.alerts", d->c.alerts);
    /* per signature, every row always (a monitoring system rates them from zero) */
    size_t nsig;
    const struct mw_signature *tab = mw_signature_table(&nsig);
    for (size_t i = 0; i < nsig && i < DETECT_SIGS; i++) {
        char name[48];
        snprintf(name, sizeof name, "detect.alerts_by_sid.%u", (unsigned)tab[i].sid);
        cb(u, name, d->c.alerts_by_sig[i]);
    }
    cb(u, "detect.suppressed", d->c.suppressed);
    cb(u, "detect.allowlisted", d->c.allowlisted);
    cb(u, "detect.names_seen", d->c.names_seen);
    cb(u, "detect.names_matched", d->c.names_matched);
    cb(u, "detect.crypto_general", d->c.crypto_general);
    cb(u, "detect.pool_address", d->c.pool_address);
    cb(u, "detect.dns_learned_address", d->c.dns_learned_address);
    cb(u, "detect.on_behalf", d->c.on_behalf);
    cb(u, "detect.relayed_clients", d->c.relayed_clients);
    cb(u, "detect.proxied", d->c.proxied);
    cb(u, "detect.alloc_fail", d->c.alloc_fail + applayer_alloc_failures(d->al));
    cb(u, "detect.learned_rechecks", d->c.rechecked);
    cb(u, "detect.learned_recheck_hits", d->c.recheck_hits);
    cb(u, "detect.learned_recheck_ended", d->c.recheck_ended);
    behave_stats_foreach(d->behave, cb, u);
}

size_t detect_memuse(const struct detect *d)
{
    /* Pools keep their chunks after the flows end: what they hold is what the process uses. */
    return sizeof *d + pool_allocated(d->flow_pool) + pool_allocated(d->ev_pool) +
           pool_allocated(d->http_pool) + applayer_memuse(d->al) +
           behave_memuse(d->behave);
}
