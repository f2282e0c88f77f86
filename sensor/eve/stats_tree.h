/* stats_tree.h - the counters of one stats event, named as EVE readers expect them.
 *
 * Modules report counters under their own names ("decode.packets", "stream.gaps"). A
 * counter Suricata also has, with the same meaning, is written under Suricata's name
 * (decoder.pkts, tcp.reassembly_gap); every other counter goes under "minewatch", so a
 * stats event validates against Suricata's EVE schema extended only by stats.minewatch
 * (docs/schema/minewatch-eve.schema.json). The tree is rebuilt for each event in a
 * fixed arena: stats time only, never the packet path.
 */
#ifndef MW_STATS_TREE_H
#define MW_STATS_TREE_H

#include <stddef.h>
#include <stdint.h>

struct jw;

#define STATS_TREE_MAX_NODES 1024
#define STATS_TREE_NAME_LEN 40
#define STATS_TREE_MAX_DEPTH 6

struct stats_tree_node {
    char name[STATS_TREE_NAME_LEN];
    uint64_t value;
    int16_t first_child, last_child, next; /* -1: none */
    uint8_t is_group;
    uint8_t nlen; /* strlen(name): siblings are compared by length first */
};

struct stats_tree {
    struct stats_tree_node n[STATS_TREE_MAX_NODES]; /* [0] is the root */
    uint32_t used;
    uint64_t refused; /* counters that did not fit or clashed with a group name */
};

void stats_tree_reset(struct stats_tree *t);
/* Adds one counter under its EVE name (stats_tree_eve_name); a second counter with the
 * same EVE name is added to the first. */
void stats_tree_add(struct stats_tree *t, const char *internal_name, uint64_t value);
/* Writes the groups as members of the object the caller opened, "minewatch" last. */
void stats_tree_write(const struct stats_tree *t, struct jw *w);
/* The EVE name of a counter: Suricata's when it means the same, else "minewatch." + name. */
const char *stats_tree_eve_name(const char *internal_name, char *buf, size_t len);

#endif
