/* domainset.c - open-addressing hash of DNS names keyed by whole-label suffix.
 *
 * Layout: every distinct name is stored once, lower-case and NUL-terminated, in one
 * string arena; an entry records its arena offset, length, which kinds (exact/suffix)
 * it carries and one payload per kind. The slot table holds (entry index + 1, hash) so
 * most probes are rejected without touching the arena.
 *
 * The hash is FNV-1a run from the LAST byte of the name towards the first. That makes
 * the hash of every tail "b.c", "a.b.c" a by-product of one right-to-left pass, so a
 * lookup hashes the query once (O(length)) and then does one probe per label boundary,
 * longest candidate first, with no allocation.
 */
#include "rules/domainset.h"

#include <stdlib.h>
#include <string.h>

#include "core/oahash.h"

struct ds_entry {
    uint32_t off;     /* into arena */
    uint8_t len;
    uint8_t kinds;    /* DOMAINSET_EXACT | DOMAINSET_SUFFIX bits */
    uint32_t payload_exact;
    uint32_t payload_suffix;
};

struct ds_slot {
    uint32_t idx1;    /* entry index + 1; 0 = empty */
    uint32_t hash;    /* low 32 bits of the name hash */
};

struct domainset {
    struct ds_entry *entries;
    size_t nentries, entries_cap;
    struct ds_slot *slots;
    size_t slots_cap; /* power of two */
    char *arena;
    size_t arena_len, arena_cap;
};

#define DS_FNV_OFFSET 0xcbf29ce484222325ull
#define DS_FNV_PRIME 0x100000001b3ull

static inline unsigned char ds_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static inline uint64_t ds_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * DS_FNV_PRIME;
}

/* Final mix so the slot index uses all bits of the running FNV state. */
static inline uint32_t ds_fin(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (uint32_t)h;
}

static uint32_t ds_hash_lower(const char *s, size_t len)
{
    uint64_t h = DS_FNV_OFFSET;
    for (size_t i = len; i > 0; i--)
        h = ds_step(h, ds_lower((unsigned char)s[i - 1]));
    return ds_fin(h);
}

struct domainset *domainset_new(size_t expected)
{
    struct domainset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    size_t cap = 64;
    while (cap < expected * 2 && cap < ((size_t)DOMAINSET_MAX_ENTRIES << 1))
        cap <<= 1;
    ds->slots = calloc(cap, sizeof *ds->slots);
    if (!ds->slots) {
        free(ds);
        return NULL;
    }
    ds->slots_cap = cap;
    return ds;
}

void domainset_free(struct domainset *ds)
{
    if (!ds)
        return;
    free(ds->entries);
    free(ds->slots);
    free(ds->arena);
    free(ds);
}

size_t domainset_count(const struct domainset *ds)
{
    return ds ? ds->nentries : 0;
}

void domainset_foreach(const struct domainset *ds, domainset_visit_fn fn, void *ctx)
{
    for (size_t i = 0; ds && i < ds->nentries; i++) {
        const struct ds_entry *e = &ds->entries[i];
        if (e->kinds & DOMAINSET_EXACT)
            fn(ctx, ds->arena + e->off, e->len, DOMAINSET_EXACT, e->payload_exact);
        if (e->kinds & DOMAINSET_SUFFIX)
            fn(ctx, ds->arena + e->off, e->len, DOMAINSET_SUFFIX, e->payload_suffix);
    }
}

size_t domainset_memuse(const struct domainset *ds)
{
    if (!ds)
        return 0;
    return sizeof *ds + ds->entries_cap * sizeof *ds->entries +
           ds->slots_cap * sizeof *ds->slots + ds->arena_cap;
}

const char *domainset_name_check(const char *name, size_t len)
{
    if (!name || len == 0)
        return "empty name";
    if (name[len - 1] == '.')
        len--;
    if (len == 0)
        return "empty name";
    if (len > DOMAINSET_NAME_MAX)
        return "name longer than 253 bytes";
    size_t labels = 0, lablen = 0, start = 0;
    int all_digits = 1;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)name[i] : '.';
        if (c == '.') {
            if (lablen == 0)
                return "empty label";
            if (name[start] == '-' || name[i - 1] == '-')
                return "label starts or ends with '-'";
            labels++;
            lablen = 0;
            start = i + 1;
            if (i < len)
                all_digits = 1;
            continue;
        }
        if (c >= 0x80)
            return "non-ASCII byte (give internationalised names in punycode xn-- form)";
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        int digit = c >= '0' && c <= '9';
        if (!alpha && !digit && c != '-' && c != '_')
            return "invalid character in name";
        if (!digit)
            all_digits = 0;
        if (++lablen > DOMAINSET_LABEL_MAX)
            return "label longer than 63 bytes";
    }
    if (labels < 2)
        return "name needs at least two labels";
    if (all_digits)
        return "last label is numeric (an address, not a name)";
    return NULL;
}

static int ds_slot_used(const void *slot)
{
    return ((const struct ds_slot *)slot)->idx1 != 0;
}

static uint32_t ds_slot_hash(const void *slot)
{
    return ((const struct ds_slot *)slot)->hash;
}

static int ds_grow_slots(struct domainset *ds)
{
    void *slots = ds->slots;
    if (mw_oahash_grow(&slots, &ds->slots_cap, sizeof *ds->slots, ds_slot_used, ds_slot_hash) != 0)
        return -1;
    ds->slots = slots;
    return 0;
}

/* Slot of the entry spelled exactly (lower-case) s[0..len), or of the empty slot where it goes. */
static size_t ds_find_slot(const struct domainset *ds, const char *s, size_t len, uint32_t h)
{
    size_t mask = ds->slots_cap - 1;
    size_t j = h & mask;
    for (;;) {
        const struct ds_slot *sl = &ds->slots[j];
        if (!sl->idx1)
            return j;
        if (sl->hash == h) {
            const struct ds_entry *e = &ds->entries[sl->idx1 - 1];
            if (e->len == len && memcmp(ds->arena + e->off, s, len) == 0)
                return j;
        }
        j = (j + 1) & mask;
    }
}

/* Lower-cased copy without the trailing dot into buf (DOMAINSET_NAME_MAX + 1 bytes). */
static size_t ds_normalise(const char *name, size_t len, char *buf)
{
    if (len && name[len - 1] == '.')
        len--;
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)ds_lower((unsigned char)name[i]);
    buf[len] = '\0';
    return len;
}

enum domainset_result domainset_add(struct domainset *ds, const char *name, size_t len,
                                    enum domainset_kind kind, uint32_t payload,
                                    uint32_t *existing_payload)
{
    if (!ds || (kind != DOMAINSET_EXACT && kind != DOMAINSET_SUFFIX))
        return DOMAINSET_INVALID;
    if (domainset_name_check(name, len))
        return DOMAINSET_INVALID;
    char buf[DOMAINSET_NAME_MAX + 1];
    len = ds_normalise(name, len, buf);
    uint32_t h = ds_hash_lower(buf, len);
    size_t j = ds_find_slot(ds, buf, len, h);
    if (ds->slots[j].idx1) {
        struct ds_entry *e = &ds->entries[ds->slots[j].idx1 - 1];
        if (e->kinds & kind) {
            if (existing_payload)
                *existing_payload = kind == DOMAINSET_EXACT ? e->payload_exact : e->payload_suffix;
            return DOMAINSET_DUPLICATE;
        }
        e->kinds |= (uint8_t)kind;
        if (kind == DOMAINSET_EXACT)
            e->payload_exact = payload;
        else
            e->payload_suffix = payload;
        return DOMAINSET_ADDED;
    }
    if (ds->nentries >= DOMAINSET_MAX_ENTRIES)
        return DOMAINSET_NOMEM;
    if (ds->nentries == ds->entries_cap) {
        size_t ncap = ds->entries_cap ? ds->entries_cap * 2 : 256;
        struct ds_entry *ne = realloc(ds->entries, ncap * sizeof *ne);
        if (!ne)
            return DOMAINSET_NOMEM;
        ds->entries = ne;
        ds->entries_cap = ncap;
    }
    if (ds->arena_len + len + 1 > ds->arena_cap) {
        size_t ncap = ds->arena_cap ? ds->arena_cap : 4096;
        while (ds->arena_len + len + 1 > ncap)
            ncap *= 2;
        char *na = realloc(ds->arena, ncap);
        if (!na)
            return DOMAINSET_NOMEM;
        ds->arena = na;
        ds->arena_cap = ncap;
    }
    /* Keep the load factor at or below one half so probe chains stay short. */
    if ((ds->nentries + 1) * 2 > ds->slots_cap) {
        if (ds_grow_slots(ds) != 0)
            return DOMAINSET_NOMEM;
        j = ds_find_slot(ds, buf, len, h);
    }
    struct ds_entry *e = &ds->entries[ds->nentries];
    e->off = (uint32_t)ds->arena_len;
    e->len = (uint8_t)len;
    e->kinds = (uint8_t)kind;
    e->payload_exact = kind == DOMAINSET_EXACT ? payload : 0;
    e->payload_suffix = kind == DOMAINSET_SUFFIX ? payload : 0;
    memcpy(ds->arena + ds->arena_len, buf, len + 1);
    ds->arena_len += len + 1;
    ds->nentries++;
    ds->slots[j].idx1 = (uint32_t)ds->nentries;
    ds->slots[j].hash = h;
    return DOMAINSET_ADDED;
}

int domainset_set_payload(struct domainset *ds, const char *name, size_t len,
                          enum domainset_kind kind, uint32_t payload)
{
    if (!ds || domainset_name_check(name, len))
        return -1;
    char buf[DOMAINSET_NAME_MAX + 1];
    len = ds_normalise(name, len, buf);
    size_t j = ds_find_slot(ds, buf, len, ds_hash_lower(buf, len));
    if (!ds->slots[j].idx1)
        return -1;
    struct ds_entry *e = &ds->entries[ds->slots[j].idx1 - 1];
    if (!(e->kinds & kind))
        return -1;
    if (kind == DOMAINSET_EXACT)
        e->payload_exact = payload;
    else
        e->payload_suffix = payload;
    return 0;
}

/* The entry spelled like the query tail q[0..len) in any case, or NULL. */
static const struct ds_entry *ds_probe(const struct domainset *ds, const char *q, size_t len,
                                       uint32_t h)
{
    size_t mask = ds->slots_cap - 1;
    size_t j = h & mask;
    for (;;) {
        const struct ds_slot *sl = &ds->slots[j];
        if (!sl->idx1)
            return NULL;
        if (sl->hash == h) {
            const struct ds_entry *e = &ds->entries[sl->idx1 - 1];
            if (e->len == len) {
                const char *a = ds->arena + e->off;
                size_t i = 0;
                while (i < len && (unsigned char)a[i] == ds_lower((unsigned char)q[i]))
                    i++;
                if (i == len)
                    return e;
            }
        }
        j = (j + 1) & mask;
    }
}

int domainset_lookup(const struct domainset *ds, const char *name, size_t len,
                     uint32_t *payload, size_t *matched_suffix_len)
{
    if (!ds || !name || ds->nentries == 0)
        return 0;
    if (len && name[len - 1] == '.')
        len--;
    if (len == 0 || len > DOMAINSET_NAME_MAX)
        return 0;
    /* One right-to-left pass: validate and remember (start, hash) of every tail. */
    size_t starts[DOMAINSET_NAME_MAX / 2 + 2];
    uint32_t hashes[DOMAINSET_NAME_MAX / 2 + 2];
    size_t n = 0, lablen = 0;
    uint64_t h = DS_FNV_OFFSET;
    for (size_t i = len; i > 0; i--) {
        unsigned char c = (unsigned char)name[i - 1];
        if (c == '.') {
            if (lablen == 0)
                return 0;
            starts[n] = i;
            hashes[n] = ds_fin(h);
            n++;
            lablen = 0;
        } else {
            if (c >= 0x80 || c <= 0x20 || c == 0x7f)
                return 0;
            if (++lablen > DOMAINSET_LABEL_MAX)
                return 0;
        }
        h = ds_step(h, ds_lower(c));
    }
    if (lablen == 0)
        return 0;
    starts[n] = 0;
    hashes[n] = ds_fin(h);
    n++;
    /* Longest candidate (the whole name) first: the most specific entry wins. */
    for (size_t k = n; k > 0; k--) {
        size_t st = starts[k - 1];
        const struct ds_entry *e = ds_probe(ds, name + st, len - st, hashes[k - 1]);
        if (!e)
            continue;
        uint32_t p;
        if (st == 0 && (e->kinds & DOMAINSET_EXACT))
            p = e->payload_exact;
        else if (e->kinds & DOMAINSET_SUFFIX)
            p = e->payload_suffix;
        else
            continue;
        if (payload)
            *payload = p;
        if (matched_suffix_len)
            *matched_suffix_len = len - st;
        return 1;
    }
    return 0;
}
