/* addr.h - addresses and flow directions: the vocabulary every layer shares.
 *
 * Addresses are 16 bytes for both families (IPv4 as ::ffff:a.b.c.d) so flow keys,
 * host tables, CIDR lookups and DNS answers have one shape.
 */
#ifndef MW_ADDR_H
#define MW_ADDR_H

#include <stdint.h>

struct mw_addr {
    uint8_t b[16];
};

/* Directions relative to the flow: FWD is from the flow's initiator (SYN sender,
 * or the first packet's sender when the handshake was missed). */
enum mw_dir { MW_DIR_FWD = 0, MW_DIR_REV = 1 };

static inline int mw_addr_is_v4(const struct mw_addr *a)
{
    static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    for (int i = 0; i < 12; i++)
        if (a->b[i] != pfx[i])
            return 0;
    return 1;
}

static inline void mw_addr_from_v4(struct mw_addr *a, const uint8_t v4[4])
{
    for (int i = 0; i < 10; i++)
        a->b[i] = 0;
    a->b[10] = 0xff;
    a->b[11] = 0xff;
    a->b[12] = v4[0];
    a->b[13] = v4[1];
    a->b[14] = v4[2];
    a->b[15] = v4[3];
}

#endif
