/* stats_tree.c - counter names of the stats event: Suricata's where the meaning is the
 * same (its EVE schema, stats section), ours under "minewatch"; see stats_tree.h. */
#include "sensor/eve/stats_tree.h"

#include <stdio.h>
#include <string.h>

#include "sensor/eve/json.h"

/* Only counters whose meaning matches Suricata's definition are renamed:
 *  - decoder.*: packets and captured bytes handed to the decoder, one per header decoded;
 *  - defrag.ipv4/ipv6.*: fragments offered, datagrams reassembled, trackers timed out;
 *  - flow.total is flows created, flow.memcap flows refused because of the memcap;
 *  - tcp.*: reassembly of TCP streams (Suricata calls our "stream" group "tcp");
 *  - detect.alert: alerts written.
 * Anything not listed keeps its name under "minewatch" (e.g. minewatch.flow.evicted). */
static const struct {
    const char *ours, *suricata;
} stats_suricata_names[] = {
    { "capture.kernel_packets", "capture.kernel_packets" },
    { "capture.kernel_drops", "capture.kernel_drops" },
    { "capture.kernel_ifdrops", "capture.kernel_ifdrops" },
    { "decode.packets", "decoder.pkts" },
    { "decode.bytes", "decoder.bytes" },
    { "decode.ipv4", "decoder.ipv4" },
    { "decode.ipv6", "decoder.ipv6" },
    { "decode.tcp", "decoder.tcp" },
    { "decode.udp", "decoder.udp" },
    { "decode.icmp", "decoder.icmpv4" },
    { "decode.icmpv6", "decoder.icmpv6" },
    { "decode.vlan", "decoder.vlan" },
    { "decode.mpls", "decoder.mpls" },
    { "decode.pppoe", "decoder.pppoe" },
    { "decode.gre", "decoder.gre" },
    { "decode.erspan", "decoder.erspan" },
    { "decode.vxlan", "decoder.vxlan" },
    { "defrag.ipv4_fragments", "defrag.ipv4.fragments" },
    { "defrag.ipv4_reassembled", "defrag.ipv4.reassembled" },
    { "defrag.ipv4_timeouts", "defrag.ipv4.timeouts" },
    { "defrag.ipv6_fragments", "defrag.ipv6.fragments" },
    { "defrag.ipv6_reassembled", "defrag.ipv6.reassembled" },
    { "defrag.ipv6_timeouts", "defrag.ipv6.timeouts" },
    { "flow.created", "flow.total" },
    { "flow.active", "flow.active" },
    { "flow.memuse", "flow.memuse" },
    { "flow.memcap_fail", "flow.memcap" },
    { "flow.tcp_reuse", "flow.tcp_reuse" },
    { "stream.midstream", "tcp.midstream_pickups" },
    { "stream.gaps", "tcp.reassembly_gap" },
    { "stream.overlaps", "tcp.overlap" },
    { "stream.overlap_mismatch", "tcp.overlap_diff_data" },
    { "stream.depth_reached", "tcp.stream_depth_reached" },
    { "stream.memcap_drops", "tcp.segment_memcap_drop" },
    { "stream.memuse", "tcp.reassembly_memuse" },
    { "detect.alerts", "detect.alert" },
};

const char *stats_tree_eve_name(const char *internal_name, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof stats_suricata_names / sizeof stats_suricata_names[0]; i++)
        if (stats_suricata_names[i].ours[0] == internal_name[0] && strcmp(stats_suricata_names[i].ours, internal_name) == 0)
            return stats_suricata_names[i].suricata;
    /* "minewatch." + name, cut to len: a stats event names ~150 counters, per worker. */
    static const char prefix[] = "minewatch.";
    size_t n = strlen(internal_name);
    if (len < sizeof prefix)
        return "";
    if (n > len - sizeof prefix)
        n = len - sizeof prefix;
    memcpy(buf, prefix, sizeof prefix - 1);
    memcpy(buf + sizeof prefix - 1, internal_name, n);
    buf[sizeof prefix - 1 + n] = '\0';
    return buf;
}

void stats_tree_reset(struct stats_tree *t)
{
    memset(&t->n[0], 0, sizeof t->n[0]);
    t->n[0].first_child = t->n[0].last_child = t->n[0].next = -1;
    t->n[0].is_group = 1;
    t->used = 1;
    t->refused = 0;
}

static int stats_tree_child(struct stats_tree *t, int parent, const char *name, size_t nlen, int group)
{
    for (int c = t->n[parent].first_child; c >= 0; c = t->n[c].next)
        if (t->n[c].nlen == nlen && memcmp(t->n[c].name, name, nlen) == 0)
            return t->n[c].is_group == group ? c : -1;
    if (t->used >= STATS_TREE_MAX_NODES || nlen == 0 || nlen >= STATS_TREE_NAME_LEN)
        return -1;
    int k = (int)t->used++;
    struct stats_tree_node *n = &t->n[k];
    memcpy(n->name, name, nlen);
    n->name[nlen] = '\0';
    n->nlen = (uint8_t)nlen;
    n->value = 0;
    n->first_child = n->last_child = n->next = -1;
    n->is_group = (uint8_t)group;
    if (t->n[parent].last_child >= 0)
        t->n[t->n[parent].last_child].next = (int16_t)k;
    else
        t->n[parent].first_child = (int16_t)k;
    t->n[parent].last_child = (int16_t)k;
    return k;
}

void stats_tree_add(struct stats_tree *t, const char *internal_name, uint64_t value)
{
    char buf[128];
    const char *path = stats_tree_eve_name(internal_name, buf, sizeof buf);
    int segments = 1;
    for (const char *p = path; *p; p++)
        segments += *p == '.';
    if (segments > STATS_TREE_MAX_DEPTH) { /* refused before any group is made for it */
        t->refused++;
        return;
    }
    int node = 0;
    while (node >= 0) {
        const char *dot = strchr(path, '.');
        size_t seglen = dot ? (size_t)(dot - path) : strlen(path);
        node = stats_tree_child(t, node, path, seglen, dot != NULL);
        if (!dot)
            break;
        path = dot + 1;
    }
    if (node < 0) {
        t->refused++;
        return;
    }
    t->n[node].value += value;
}

static void stats_tree_write_node(const struct stats_tree *t, int k, struct jw *w)
{
    const struct stats_tree_node *n = &t->n[k];
    jw_key(w, n->name);
    if (!n->is_group) {
        jw_uint(w, n->value);
        return;
    }
    jw_object_begin(w);
    for (int c = n->first_child; c >= 0; c = t->n[c].next)
        stats_tree_write_node(t, c, w);
    jw_object_end(w);
}

void stats_tree_write(const struct stats_tree *t, struct jw *w)
{
    int ours = -1;
    for (int c = t->n[0].first_child; c >= 0; c = t->n[c].next) {
        if (strcmp(t->n[c].name, "minewatch") == 0)
            ours = c;
        else
            stats_tree_write_node(t, c, w);
    }
    if (ours >= 0)
        stats_tree_write_node(t, ours, w);
}
