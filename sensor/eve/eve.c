/* eve.c - EVE JSON lines: alerts, flow ends and stats, in Suricata's field order.
 *
 * Every string that came from the wire goes through jw_strn_max(), which escapes it and
 * truncates at the documented lengths of docs/eve.md. A line that does not fit the line
 * buffer is dropped and counted rather than written half.
 */
#include "sensor/eve/eve.h"

#include <arpa/inet.h>
#include <math.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/eve/community_id.h"
#include "sensor/flow/flow.h"
#include "sensor/eve/json.h"
#include "sensor/eve/output.h"
#include "sensor/eve/prom.h"
#include "sensor/eve/stats_tree.h"
#include "core/signatures.h"
#include "dissectors/dns.h"
#include "dissectors/tls.h"

#define EVE_LINE_MAX 16384 /* SIEM consumers (Wazuh) reject lines over ~20 KB */

struct eve {
    struct eve_params p;
    char sensor_name[256];
    char in_iface[64];
    struct output *out;
    uint64_t dropped;
    uint64_t pcap_cnt; /* packet being processed, numbered in its capture file; 0: none */
    char line[EVE_LINE_MAX];
    struct stats_tree stats; /* rebuilt for each stats event */
    struct prom *prom;       /* the same counters as a Prometheus textfile, or NULL */
};

struct eve *eve_new(const struct eve_params *p, struct output *out)
{
    struct eve *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->p = *p;
    snprintf(e->sensor_name, sizeof e->sensor_name, "%s", p->sensor_name ? p->sensor_name : "");
    snprintf(e->in_iface, sizeof e->in_iface, "%s", p->in_iface ? p->in_iface : "");
    e->out = out;
    return e;
}

void eve_free(struct eve *e)
{
    free(e);
}

void eve_format_addr(const struct mw_addr *a, char *out, size_t outlen)
{
    if (mw_addr_is_v4(a))
        inet_ntop(AF_INET, a->b + 12, out, (socklen_t)outlen);
    else
        inet_ntop(AF_INET6, a->b, out, (socklen_t)outlen);
}

const char *eve_proto_name(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_ICMP: return "ICMP";
    case IPPROTO_ICMPV6: return "IPv6-ICMP";
    case IPPROTO_SCTP: return "SCTP";
    default: return NULL;
    }
}

void eve_write_timestamp(struct jw *w, uint64_t ts_us)
{
    time_t secs = (time_t)(ts_us / 1000000u);
    struct tm tm;
    char buf[64];
    gmtime_r(&secs, &tm);
    int n = (int)strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - (size_t)n, ".%06u+0000", (unsigned)(ts_us % 1000000u));
    jw_str(w, buf);
}

static void eve_emit(struct eve *e, struct jw *w)
{
    long n = jw_finish(w);
    if (n < 0) {
        e->dropped++;
        return;
    }
    output_write(e->out, e->line, (size_t)n);
}

void eve_set_pcap_cnt(struct eve *e, uint64_t n)
{
    e->pcap_cnt = n;
}

uint64_t eve_lines_dropped(const struct eve *e)
{
    return e->dropped;
}

/* The common head of every flow-related event, with src = the endpoint sending in src_dir. */
static void eve_head(struct eve *e, struct jw *w, const struct mw_flow *f, int src_dir,
                     const char *event_type, uint64_t ts_us, const char *app_proto, uint64_t pcap_cnt)
{
    char ip[INET6_ADDRSTRLEN];
    int s = src_dir, d = !src_dir;
    jw_object_begin(w);
    jw_key(w, "timestamp");
    eve_write_timestamp(w, ts_us);
    jw_kv_uint(w, "flow_id", f->flow_id);
    if (e->in_iface[0])
        jw_kv_str(w, "in_iface", e->in_iface);
    if (pcap_cnt) /* as Suricata: "jump to packet N" in Wireshark */
        jw_kv_uint(w, "pcap_cnt", pcap_cnt);
    jw_kv_str(w, "event_type", event_type);
    if (f->vlan_count) {
        jw_key(w, "vlan");
        jw_array_begin(w);
        for (int i = 0; i < f->vlan_count && i < MW_MAX_VLAN; i++)
            jw_uint(w, f->vlan[i]);
        jw_array_end(w);
    }
    eve_format_addr(&f->addr[s], ip, sizeof ip);
    jw_kv_str(w, "src_ip", ip);
    if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP || f->proto == IPPROTO_SCTP)
        jw_kv_uint(w, "src_port", f->port[s]);
    eve_format_addr(&f->addr[d], ip, sizeof ip);
    jw_kv_str(w, "dest_ip", ip);
    if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP || f->proto == IPPROTO_SCTP)
        jw_kv_uint(w, "dest_port", f->port[d]);
    const char *pn = eve_proto_name(f->proto);
    char num[8];
    if (!pn) { /* Suricata writes the number as a string: proto is always a string */
        snprintf(num, sizeof num, "%u", (unsigned)f->proto);
        pn = num;
    }
    jw_kv_str(w, "proto", pn);
    if (app_proto)
        jw_kv_str(w, "app_proto", app_proto);
    if (e->p.community_id) {
        char cid[64];
        if (community_id_v1(e->p.community_seed, &f->addr[s], &f->addr[d], f->proto, f->port[s],
                            f->port[d], cid) == 0)
            jw_kv_str(w, "community_id", cid);
    }
    if (e->sensor_name[0])
        jw_kv_str(w, "host", e->sensor_name);
}

/* A wire string kept in a fixed field of field_size bytes (NUL included). A value that
 * filled the field was probably cut when it was stored, so anything longer than
 * field_size - 2 bytes is shown as its first field_size - 2 bytes plus the marker: the
 * documented lengths of docs/eve.md, and a cut value is always marked. */
static void eve_kv_wire(struct jw *w, const char *key, const char *value, size_t field_size)
{
    if (value && value[0] && field_size >= 3) {
        jw_key(w, key);
        jw_strn_max(w, value, strnlen(value, field_size), field_size - 2);
    }
}

static void eve_dns_object(struct jw *w, const struct mw_dns_record *r)
{
    char ip[INET6_ADDRSTRLEN];
    jw_key(w, "dns");
    jw_object_begin(w);
    jw_kv_uint(w, "version", 2);
    jw_kv_str(w, "type", r->qr ? "answer" : "query");
    jw_kv_uint(w, "id", r->id);
    eve_kv_wire(w, "rrname", r->rrname, sizeof r->rrname);
    jw_kv_str(w, "rrtype", dns_type_name(r->rrtype));
    if (r->qr) {
        jw_key(w, "rcode");
        jw_str(w, dns_rcode_name(r->rcode));
        if (r->answer_count) {
            jw_key(w, "answers");
            jw_array_begin(w);
            for (unsigned i = 0; i < r->answer_count; i++) {
                const struct dns_answer *a = &r->answers[i];
                jw_object_begin(w);
                eve_kv_wire(w, "rrname", a->name, sizeof a->name);
                jw_kv_str(w, "rrtype", dns_type_name(a->type));
                jw_kv_uint(w, "ttl", a->ttl);
                if (a->type == DNS_TYPE_A || a->type == DNS_TYPE_AAAA) {
                    eve_format_addr(&a->addr, ip, sizeof ip);
                    jw_kv_str(w, "rdata", ip);
                } else if (a->target[0]) {
                    eve_kv_wire(w, "rdata", a->target, sizeof a->target);
                }
                jw_object_end(w);
            }
            jw_array_end(w);
        }
    }
    jw_object_end(w);
}

static void eve_tls_object(struct jw *w, const struct mw_tls_hello *h)
{
    jw_key(w, "tls");
    jw_object_begin(w);
    eve_kv_wire(w, "sni", h->sni, sizeof h->sni);
    if (h->ja3_hash[0]) {
        jw_key(w, "ja3");
        jw_object_begin(w);
        jw_kv_str(w, "hash", h->ja3_hash);
        eve_kv_wire(w, "string", h->ja3_string, sizeof h->ja3_string);
        jw_object_end(w);
    }
    if (h->ja4[0])
        jw_kv_str(w, "ja4", h->ja4);
    jw_object_end(w);
}

/* Suricata's `http` object of the transaction that carried a finding: what was seen of it,
 * every wire string escaped and cut at its field's documented length; a field not seen is
 * left out, never written empty. */
static void eve_http_object(struct jw *w, const struct mw_http_facts *h)
{
    jw_key(w, "http");
    jw_object_begin(w);
    eve_kv_wire(w, "hostname", h->hostname, sizeof h->hostname);
    eve_kv_wire(w, "url", h->url, sizeof h->url);
    eve_kv_wire(w, "http_user_agent", h->user_agent, sizeof h->user_agent);
    eve_kv_wire(w, "http_method", h->method, sizeof h->method);
    if (h->status)
        jw_kv_uint(w, "status", h->status);
    if (h->has_length)
        jw_kv_uint(w, "length", h->length);
    jw_object_end(w);
}

/* The `geoip` object of the pool side: alerts and the principal pool of host events. */
static void eve_geo_object(struct jw *w, const struct eve_geo *g)
{
    jw_key(w, "geoip");
    jw_object_begin(w);
    if (g->country && g->country[0])
        jw_kv_str(w, "country", g->country);
    if (g->city && g->city[0])
        jw_kv_str(w, "city", g->city);
    if (g->asn)
        jw_kv_uint(w, "asn", g->asn);
    if (g->as_org && g->as_org[0])
        jw_kv_str(w, "as_org", g->as_org);
    jw_object_end(w);
}

static void eve_kv_one(struct jw *w, const char *key, const char *value)
{
    jw_key(w, key);
    jw_array_begin(w);
    jw_str(w, value);
    jw_array_end(w);
}

/* alert.metadata in the Emerging Threats style (every value an array of strings), which
 * SIEM integrations for Suricata map to threat.* (docs/eve.md): cryptomining is MITRE
 * ATT&CK Impact / T1496 Resource Hijacking. signature_severity follows the alert's
 * severity, confidence the finding's (ET's High/Medium/Low). */
static void eve_alert_metadata(struct jw *w, const struct mw_signature *sig, unsigned severity,
                               unsigned confidence)
{
    jw_key(w, "metadata");
    jw_object_begin(w);
    eve_kv_one(w, "mitre_tactic_id", "TA0040");
    eve_kv_one(w, "mitre_tactic_name", "Impact");
    eve_kv_one(w, "mitre_technique_id", "T1496");
    eve_kv_one(w, "mitre_technique_name", "Resource_Hijacking");
    eve_kv_one(w, "signature_severity", severity <= 1 ? "Major" : severity == 2 ? "Minor" : "Informational");
    eve_kv_one(w, "confidence", confidence >= 80 ? "High" : confidence >= 50 ? "Medium" : "Low");
    if (sig && sig->created_at)
        eve_kv_one(w, "created_at", sig->created_at);
    if (sig && sig->updated_at)
        eve_kv_one(w, "updated_at", sig->updated_at);
    jw_object_end(w);
}

/* mining.proxy: the proxy in front of the session (docs/eve.md). The SOCKS target's name is
 * mining.pool_host; an address target is target_ip; a PROXY-protocol header's original
 * client is src_ip/src_port (the host behind the relay that is the flow's src_ip). */
static void eve_proxy_object(struct jw *w, const struct mw_proxy_facts *p)
{
    char ip[64];
    jw_key(w, "proxy");
    jw_object_begin(w);
    jw_kv_str(w, "protocol", mw_proxy_proto_name((enum mw_proxy_proto)p->proto));
    if (p->has_target_addr) {
        eve_format_addr(&p->target_addr, ip, sizeof ip);
        jw_kv_str(w, "target_ip", ip);
    }
    if (p->target_port)
        jw_kv_uint(w, "target_port", p->target_port);
    if (p->has_src) {
        eve_format_addr(&p->src, ip, sizeof ip);
        jw_kv_str(w, "src_ip", ip);
        jw_kv_uint(w, "src_port", p->src_port);
        eve_format_addr(&p->dst, ip, sizeof ip);
        jw_kv_str(w, "dest_ip", ip);
        jw_kv_uint(w, "dest_port", p->dst_port);
    }
    jw_object_end(w);
}

/* Why an opaque session was judged mining, in the numbers behind the rules (docs/eve.md). */
static void eve_behaviour_object(struct jw *w, const struct mw_behaviour *b)
{
    jw_key(w, "behaviour");
    jw_object_begin(w);
    jw_kv_uint(w, "duration_s", b->duration_s);
    jw_kv_double(w, "job_interval_s", b->job_interval_s);
    jw_kv_double(w, "job_interval_cv", b->job_interval_cv);
    jw_kv_uint(w, "job_bytes", b->job_bytes);
    jw_kv_uint(w, "jobs", b->jobs);
    jw_kv_double(w, "submits_per_min", b->submits_per_min);
    jw_kv_double(w, "submit_interval_cv", b->submit_interval_cv);
    jw_kv_uint(w, "submit_bytes", b->submit_bytes);
    jw_kv_double(w, "submit_size_share", b->submit_size_share);
    jw_kv_uint(w, "submits", b->submits);
    jw_kv_double(w, "acked_ratio", b->acked_ratio);
    jw_kv_double(w, "ack_delay_ms", b->ack_delay_ms);
    jw_kv_uint(w, "ack_bytes", b->ack_bytes);
    jw_kv_double(w, "ack_size_share", b->ack_size_share);
    jw_kv_double(w, "rtt_ms", b->rtt_ms);
    jw_kv_double(w, "bytes_per_s", b->bytes_per_s);
    jw_kv_double(w, "client_server_ratio", b->client_server_ratio);
    jw_object_end(w);
}

void eve_alert(struct eve *e, const struct eve_alert *a)
{
    struct jw w;
    const struct mw_evidence *ev = a->ev;
    const struct mw_signature *sig = mw_signature_find(a->sid);
    jw_init(&w, e->line, sizeof e->line);
    eve_head(e, &w, a->flow, a->miner_dir, "alert", a->ts_us, a->flow->app.app_proto, e->pcap_cnt);
    jw_key(&w, "alert");
    jw_object_begin(&w);
    jw_kv_str(&w, "action", "allowed");
    jw_kv_uint(&w, "gid", 1);
    jw_kv_uint(&w, "signature_id", a->sid);
    jw_kv_uint(&w, "rev", sig ? sig->rev : 1);
    jw_kv_str(&w, "signature", sig ? sig->msg : "MINEWATCH unknown signature");
    jw_kv_str(&w, "category", "Crypto Currency Mining Activity Detected");
    jw_kv_uint(&w, "severity", a->severity);
    eve_alert_metadata(&w, sig, a->severity, ev->confidence);
    jw_object_end(&w);
    if (ev->dns)
        eve_dns_object(&w, ev->dns);
    if (ev->tls)
        eve_tls_object(&w, ev->tls);
    if (ev->http.seen)
        eve_http_object(&w, &ev->http);
    jw_key(&w, "mining");
    jw_object_begin(&w);
    jw_kv_str(&w, "variant", mw_variant_name(ev->variant));
    eve_kv_wire(&w, "method", ev->method, sizeof ev->method);
    eve_kv_wire(&w, "agent", ev->agent, sizeof ev->agent);
    eve_kv_wire(&w, "worker", ev->worker, sizeof ev->worker);
    eve_kv_wire(&w, "algo", ev->algo, sizeof ev->algo);
    eve_kv_wire(&w, "pool_host", ev->pool_host, sizeof ev->pool_host);
    eve_kv_wire(&w, "coin", ev->coin, sizeof ev->coin);
    if (ev->list_name[0])
        eve_kv_wire(&w, "list", ev->list_name, sizeof ev->list_name);
    if (ev->list_category[0])
        jw_kv_str(&w, "list_category", ev->list_category);
    jw_kv_str(&w, "confirmed_by", (ev->sides & MW_SIDE_CLIENT) && (ev->sides & MW_SIDE_SERVER) ? "both"
                                  : (ev->sides & MW_SIDE_SERVER)                              ? "pool"
                                                                                              : "miner");
    jw_kv_uint(&w, "confidence", ev->confidence);
    if (ev->variant == MW_VAR_ENCRYPTED)
        eve_behaviour_object(&w, &ev->behaviour);
    if (a->resolver_note)
        jw_kv_str(&w, "note", a->resolver_note);
    if (a->repeats)
        jw_kv_uint(&w, "repeats", a->repeats);
    if (ev->proxy.proto != MW_PROXY_NONE)
        eve_proxy_object(&w, &ev->proxy);
    /* Pool geography belongs to the finding: under mining, since Suricata's schema has no
     * top-level geoip (docs/schema/minewatch-eve.schema.json). */
    if (a->geo_country || a->geo_asn) {
        struct eve_geo g = { a->geo_country, a->geo_city, a->geo_as_org, a->geo_asn, 1 };
        eve_geo_object(&w, &g);
    }
    jw_object_end(&w);
    jw_object_end(&w);
    eve_emit(e, &w);
}

/* Suricata's flow.state: TCP by its handshake and FIN/RST; other protocols are
 * "established" once both sides sent. */
static const char *eve_flow_state(const struct mw_flow *f)
{
    if (f->proto == IPPROTO_TCP) {
        switch (f->tcp_state) {
        case FLOW_TCP_ESTABLISHED: return "established";
        case FLOW_TCP_CLOSED: return "closed";
        default: return "new";
        }
    }
    return f->pkts[0] && f->pkts[1] ? "established" : "new";
}

void eve_flow(struct eve *e, const struct mw_flow *f, int miner_dir, enum mw_variant variant,
              const struct mw_evidence *info, const struct mw_http_facts *http, const char *reason,
              const char *held, uint64_t ts_us)
{
    struct jw w;
    int s = miner_dir, d = !miner_dir;
    jw_init(&w, e->line, sizeof e->line);
    eve_head(e, &w, f, miner_dir, "flow", ts_us, f->app.app_proto, 0);
    jw_key(&w, "flow");
    jw_object_begin(&w);
    jw_kv_uint(&w, "pkts_toserver", f->pkts[s]);
    jw_kv_uint(&w, "pkts_toclient", f->pkts[d]);
    jw_kv_uint(&w, "bytes_toserver", f->bytes[s]);
    jw_kv_uint(&w, "bytes_toclient", f->bytes[d]);
    jw_key(&w, "start");
    eve_write_timestamp(&w, f->first_ts_us);
    jw_key(&w, "end");
    eve_write_timestamp(&w, f->last_ts_us);
    jw_kv_uint(&w, "age", (f->last_ts_us - f->first_ts_us) / 1000000u);
    jw_kv_bool(&w, "alerted", held == NULL);
    jw_kv_str(&w, "state", eve_flow_state(f));
    jw_kv_str(&w, "reason", reason);
    jw_object_end(&w);
    if (http && http->seen)
        eve_http_object(&w, http);
    jw_key(&w, "mining");
    jw_object_begin(&w);
    jw_kv_str(&w, "variant", mw_variant_name(variant));
    if (info) { /* what the session told us after its alert: authorize usually follows subscribe */
        eve_kv_wire(&w, "agent", info->agent, MW_EV_AGENT_LEN);
        eve_kv_wire(&w, "worker", info->worker, MW_EV_WORKER_LEN);
        eve_kv_wire(&w, "algo", info->algo, MW_EV_ALGO_LEN);
        eve_kv_wire(&w, "pool_host", info->pool_host, MW_EV_HOST_LEN);
        eve_kv_wire(&w, "coin", info->coin, MW_EV_COIN_LEN);
        if (info->proxy.proto != MW_PROXY_NONE)
            eve_proxy_object(&w, &info->proxy);
    }
    jw_kv_uint(&w, "shares_submitted", f->app.shares_submitted);
    jw_kv_uint(&w, "shares_accepted", f->app.shares_accepted);
    jw_kv_uint(&w, "shares_rejected", f->app.shares_rejected);
    jw_kv_uint(&w, "jobs", f->app.jobs);
    if (isfinite(f->app.difficulty) && f->app.difficulty > 0)
        jw_kv_double(&w, "difficulty", f->app.difficulty);
    if (held)
        jw_kv_str(&w, "alert_held", held);
    jw_object_end(&w);
    jw_object_end(&w);
    eve_emit(e, &w);
}

static void eve_stats_counter(void *u, const char *name, uint64_t value)
{
    struct eve *e = u;
    stats_tree_add(&e->stats, name, value);
    if (e->prom)
        prom_counter(e->prom, name, value);
}

void eve_set_prom(struct eve *e, struct prom *p)
{
    e->prom = p;
}

void eve_stats(struct eve *e, uint64_t ts_us, uint64_t uptime_s, eve_stats_source *sources,
               void **srcs, size_t n)
{
    struct jw w;
    jw_init(&w, e->line, sizeof e->line);
    jw_object_begin(&w);
    jw_key(&w, "timestamp");
    eve_write_timestamp(&w, ts_us);
    if (e->in_iface[0])
        jw_kv_str(&w, "in_iface", e->in_iface);
    jw_kv_str(&w, "event_type", "stats");
    if (e->sensor_name[0])
        jw_kv_str(&w, "host", e->sensor_name);
    jw_key(&w, "stats");
    jw_object_begin(&w);
    jw_kv_uint(&w, "uptime", uptime_s);
    stats_tree_reset(&e->stats);
    if (e->prom)
        prom_begin(e->prom);
    for (size_t i = 0; i < n; i++)
        sources[i](srcs[i], eve_stats_counter, e);
    /* The sink's own counters (shared by every worker): lines lost to a full disk or a
     * gone reader show up in the first stats event that can be written again. */
    if (e->out) {
        output_flush(e->out); /* lines still buffered would be missing from the counts */
        output_stats_foreach(e->out, eve_stats_counter, e);
    }
    if (e->prom) {
        stats_tree_add(&e->stats, "prometheus.write_errors", prom_write_errors(e->prom));
        prom_commit(e->prom, uptime_s);
    }
    stats_tree_add(&e->stats, "eve.lines_too_long", e->dropped);
    stats_tree_add(&e->stats, "eve.counters_refused", e->stats.refused);
    stats_tree_write(&e->stats, &w);
    jw_object_end(&w);
    jw_object_end(&w);
    eve_emit(e, &w);
}

/* ---- host verdicts ---- */

/* A de-duplicated array of one string field of the evidence: Wazuh and Splunk read arrays
 * of scalars, not arrays of objects. A value that filled its field was cut when stored:
 * it is shown cut and marked (lengths in docs/eve.md). */
static void eve_host_list(struct jw *w, const char *key, const struct eve_host *h, size_t off, size_t len)
{
    int open = 0;
    for (unsigned i = 0; i < h->nev; i++) {
        const char *v = (const char *)&h->ev[i] + off;
        if (!v[0])
            continue;
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = strncmp((const char *)&h->ev[j] + off, v, len) == 0;
        if (dup)
            continue;
        if (!open) {
            jw_key(w, key);
            jw_array_begin(w);
            open = 1;
        }
        jw_strn_max(w, v, strnlen(v, len), len - 2);
    }
    if (open)
        jw_array_end(w);
}

/* Copy a database string into a pool_geoip field: '|' separates the fields, so it is
 * never part of one (database strings are ours to shape; pool names are written as-is
 * and are the first field, so a reader splits from the right). */
static size_t eve_geo_field(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < n; i++)
        dst[i] = src[i] == '|' ? '/' : src[i];
    dst[i] = '\0';
    return i;
}

/* Pool-side geography as de-duplicated scalar arrays plus one
 * "pool|ip|country|city|asn|as_org" string per pool (docs/eve.md). */
static void eve_host_geo_lists(struct jw *w, const struct eve_host *h)
{
    const struct eve_geo *g = h->geo;
    int open = 0;
    for (unsigned i = 0; i < h->nev; i++) {
        const char *cc = g[i].country ? g[i].country : "";
        int dup = !cc[0];
        for (unsigned j = 0; j < i && !dup; j++)
            dup = g[j].country && strcmp(g[j].country, cc) == 0;
        if (dup)
            continue;
        if (!open) {
            jw_key(w, "pool_countries");
            jw_array_begin(w);
            open = 1;
        }
        jw_str(w, cc);
    }
    if (open)
        jw_array_end(w);
    open = 0;
    for (unsigned i = 0; i < h->nev; i++) {
        int dup = g[i].asn == 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = g[j].asn == g[i].asn;
        if (dup)
            continue;
        if (!open) {
            jw_key(w, "pool_asns");
            jw_array_begin(w);
            open = 1;
        }
        jw_uint(w, g[i].asn);
    }
    if (open)
        jw_array_end(w);
    open = 0;
    for (unsigned i = 0; i < h->nev; i++) {
        if (!g[i].found)
            continue;
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = g[j].found && strcmp(h->ev[j].pool, h->ev[i].pool) == 0 &&
                  memcmp(&h->ev[j].peer, &h->ev[i].peer, sizeof h->ev[i].peer) == 0;
        if (dup)
            continue;
        char ip[INET6_ADDRSTRLEN], buf[EVE_HOST_POOL_LEN + INET6_ADDRSTRLEN + 3 + 64 + 12 + 96 + 8];
        eve_format_addr(&h->ev[i].peer, ip, sizeof ip);
        size_t n = (size_t)snprintf(buf, sizeof buf, "%s|%s|", h->ev[i].pool, ip);
        n += eve_geo_field(buf + n, sizeof buf - n, g[i].country);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "|");
        n += eve_geo_field(buf + n, sizeof buf - n, g[i].city);
        if (g[i].asn)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "|%u|", (unsigned)g[i].asn);
        else
            n += (size_t)snprintf(buf + n, sizeof buf - n, "||");
        eve_geo_field(buf + n, sizeof buf - n, g[i].as_org);
        if (!open) {
            jw_key(w, "pool_geoip");
            jw_array_begin(w);
            open = 1;
        }
        /* The pool name came from the wire: the writer escapes it. */
        jw_strn_max(w, buf, strlen(buf), sizeof buf - 1);
    }
    if (open)
        jw_array_end(w);
}

/* The principal pool: the strongest evidence with anything known, the first on a tie. */
static int eve_host_principal(const struct eve_host *h)
{
    int best = -1;
    for (unsigned i = 0; h->geo && i < h->nev; i++)
        if (h->geo[i].found && (best < 0 || h->ev[i].points > h->ev[best].points))
            best = (int)i;
    return best;
}

void eve_host(struct eve *e, const struct eve_host *h, uint64_t ts_us)
{
    struct jw w;
    char ip[INET6_ADDRSTRLEN];
    jw_init(&w, e->line, sizeof e->line);
    jw_object_begin(&w);
    jw_key(&w, "timestamp");
    eve_write_timestamp(&w, ts_us);
    jw_kv_str(&w, "event_type", "host");
    eve_format_addr(&h->addr, ip, sizeof ip);
    jw_kv_str(&w, "src_ip", ip);
    if (e->sensor_name[0])
        jw_kv_str(&w, "host", e->sensor_name);
    jw_key(&w, "mining_host");
    jw_object_begin(&w);
    jw_kv_str(&w, "ip", ip);
    jw_kv_str(&w, "verdict", h->verdict);
    jw_kv_str(&w, "reason", h->reason);
    jw_kv_uint(&w, "score", h->score);
    jw_kv_uint(&w, "confidence", h->score > 100 ? 100 : h->score);
    jw_kv_bool(&w, "home_net", h->in_home_net);
    jw_key(&w, "first_seen");
    eve_write_timestamp(&w, h->first_us);
    jw_key(&w, "last_seen");
    eve_write_timestamp(&w, h->last_us);
    jw_kv_uint(&w, "findings", h->findings);
    eve_host_list(&w, "pools", h, offsetof(struct eve_host_evidence, pool), EVE_HOST_POOL_LEN);
    jw_kv_uint(&w, "pools_total", h->pools_total);
    jw_kv_bool(&w, "pools_truncated", h->pools_truncated);
    eve_host_list(&w, "workers", h, offsetof(struct eve_host_evidence, worker), MW_EV_WORKER_LEN);
    eve_host_list(&w, "agents", h, offsetof(struct eve_host_evidence, agent), MW_EV_AGENT_LEN);
    eve_host_list(&w, "algos", h, offsetof(struct eve_host_evidence, algo), EVE_HOST_ALGO_LEN);
    eve_host_list(&w, "coins", h, offsetof(struct eve_host_evidence, coin), MW_EV_COIN_LEN);
    jw_key(&w, "variants");
    jw_array_begin(&w);
    for (unsigned i = 0; i < h->nev; i++) {
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = h->ev[j].variant == h->ev[i].variant;
        if (!dup)
            jw_str(&w, mw_variant_name(h->ev[i].variant));
    }
    jw_array_end(&w);
    jw_kv_uint(&w, "alerts_throttled", h->alerts_throttled);
    jw_kv_uint(&w, "alerts_over_ceiling", h->alerts_over_ceiling);
    int principal = eve_host_principal(h);
    if (principal >= 0) {
        eve_host_geo_lists(&w, h);
        eve_geo_object(&w, &h->geo[principal]); /* mining_host.geoip: no top-level geoip in EVE */
    }
    jw_object_end(&w);
    jw_object_end(&w);
    eve_emit(e, &w);
}
