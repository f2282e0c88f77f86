/* community_id.h - Community ID v1 flow hash (corelight/community-id-spec).
 *
 * "1:" + base64(SHA-1(seed, addresses, proto, 0, ports)) with the endpoints ordered so
 * both directions of a flow give the same string, the value Suricata and Zeek log as
 * `community_id`, so our events join theirs.
 */
#ifndef MW_COMMUNITY_ID_H
#define MW_COMMUNITY_ID_H

#include <stdint.h>

#include "sensor/decode/packet.h"

#define COMMUNITY_ID_LEN 64 /* output buffer size; v1 strings are 30 characters */

/* Computes the v1 id of a flow into out (NUL-terminated).
 * sport/dport are the transport ports for TCP (6), UDP (17) and SCTP (132), and the
 * ICMP type and code for ICMP (1) and ICMPv6 (58), as struct mw_packet carries them;
 * for every other protocol they are ignored (the spec hashes no ports there).
 * IPv4 (held as ::ffff:a.b.c.d) hashes 4-byte addresses, IPv6 16-byte ones.
 * Returns 0, or -1 (out = "") when the two addresses are of different families. */
int community_id_v1(uint16_t seed, const struct mw_addr *src, const struct mw_addr *dst, uint8_t proto,
                    uint16_t sport, uint16_t dport, char out[COMMUNITY_ID_LEN]);

#endif
