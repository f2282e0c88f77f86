/* geoip.c - MaxMind DB enrichment (country, city, ASN) with a per-worker direct-mapped cache.
 *
 * Reads GeoIP2/GeoLite2 Country, City and ASN databases through libmaxminddb (MaxMind DB
 * format 2.0). libmaxminddb checks only the metadata when it opens a file: a bad search
 * tree record or a data pointer out of range surfaces at the first lookup that meets it.
 * We walk the whole tree and decode every distinct data record at open instead, so a
 * corrupt file is a start-up error and lookups on a file that opened cannot hit one.
 *
 * Strings from the databases are data we did not write: they are copied into fixed-size
 * fields, stopped at a NUL, and cut at a UTF-8 character boundary.
 */
#include "sensor/detect/geoip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sensor/runtime/log.h"

enum { DB_COUNTRY, DB_CITY, DB_ASN, DB_COUNT };

static const char *const db_key[DB_COUNT] = {
    "geoip.country-database", "geoip.city-database", "geoip.asn-database"
};

struct geoip_db {
    MMDB_s mmdb;
    int open;
};

struct geoip_slot {
    struct mw_addr key;
    uint8_t used;
    uint8_t recent; /* the more recently used of its pair */
    struct geoip_result res;
};

struct geoip {
    struct geoip_db db[DB_COUNT];
    int any_open;
    struct geoip_slot *cache;
    uint32_t pair_mask; /* the cache is 2-way set associative: pairs of slots */
    uint64_t lookups, cache_hits, found, reserved, errors;
};

/* A missing database is reported once per process, not once per worker. */
static atomic_int geoip_missing_logged[DB_COUNT];

/* Files already checked whole by this process: each worker opens its own object, and the
 * check of a large City database costs a noticeable fraction of a second. Keyed by
 * device, inode, size and modification time, so a replaced file is checked again. */
#define GEOIP_VERIFIED_MAX 8
static struct geoip_file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} geoip_verified[GEOIP_VERIFIED_MAX];
static size_t geoip_verified_n;
static pthread_mutex_t geoip_verified_lock = PTHREAD_MUTEX_INITIALIZER;

static struct geoip_file_id file_id(const struct stat *st)
{
    struct geoip_file_id id;
    memset(&id, 0, sizeof id);
    id.dev = st->st_dev;
    id.ino = st->st_ino;
    id.size = st->st_size;
    id.mtime = st->st_mtim;
    return id;
}

static int file_id_eq(const struct geoip_file_id *a, const struct geoip_file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static int already_verified(const struct geoip_file_id *id)
{
    int hit = 0;
    pthread_mutex_lock(&geoip_verified_lock);
    for (size_t i = 0; i < geoip_verified_n && !hit; i++)
        hit = file_id_eq(&geoip_verified[i], id);
    pthread_mutex_unlock(&geoip_verified_lock);
    return hit;
}

static void remember_verified(const struct geoip_file_id *id)
{
    pthread_mutex_lock(&geoip_verified_lock);
    if (geoip_verified_n < GEOIP_VERIFIED_MAX)
        geoip_verified[geoip_verified_n++] = *id;
    pthread_mutex_unlock(&geoip_verified_lock);
}

/* ---- validation at open ---------------------------------------------------------- */

/* Number of nodes on the longest path down from node n (memoised in h[]); -1 when a path
 * has more nodes than the address has bits: a lookup would run out of bits while still
 * on a node (or the tree has a cycle). level counts the nodes above n, so the recursion
 * is never deeper than the address length. */
static int tree_height(const MMDB_s *m, uint32_t n, int level, uint8_t *h)
{
    int maxd = m->metadata.ip_version == 4 ? 32 : 128;
    MMDB_search_node_s node;

    if (h[n])
        return level + h[n] <= maxd ? h[n] : -1;
    if (level + 1 > maxd || MMDB_read_node(m, n, &node) != MMDB_SUCCESS)
        return -1;
    int best = 0;
    uint64_t recs[2] = { node.left_record, node.right_record };
    for (int side = 0; side < 2; side++) {
        if (recs[side] >= m->metadata.node_count)
            continue;
        int c = tree_height(m, (uint32_t)recs[side], level + 1, h);
        if (c < 0)
            return -1;
        if (c > best)
            best = c;
    }
    h[n] = (uint8_t)(best + 1);
    return best + 1;
}

/* Walks one decoded value; NULL when a map key is not a string (libmaxminddb decodes such
 * a map whole but refuses to look a key up in it) or the list ends early. */
static MMDB_entry_data_list_s *check_value(MMDB_entry_data_list_s *e, int *ok)
{
    if (!e) {
        *ok = 0;
        return NULL;
    }
    uint32_t type = e->entry_data.type, n = e->entry_data.data_size;
    e = e->next;
    if (type == MMDB_DATA_TYPE_MAP) {
        for (uint32_t i = 0; i < n && *ok; i++) {
            if (!e || e->entry_data.type != MMDB_DATA_TYPE_UTF8_STRING) {
                *ok = 0;
                return NULL;
            }
            e = check_value(e->next, ok);
        }
    } else if (type == MMDB_DATA_TYPE_ARRAY) {
        for (uint32_t i = 0; i < n && *ok; i++)
            e = check_value(e, ok);
    }
    return e;
}

/* Every record must be a node, "empty" (== node_count) or point into the data section
 * (node_count + 16 + offset, spec "Search Lookup Algorithm"); no path from the root may
 * be longer than the address; every distinct data record must decode whole, which
 * follows and bounds-checks its pointers. */
static int db_verify(const MMDB_s *m, char *why, size_t whylen)
{
    uint32_t nodes = m->metadata.node_count;
    uint32_t dsize = m->data_section_size;
    uint8_t *seen = calloc((size_t)dsize / 8 + 1, 1);
    uint8_t *height = calloc(nodes, 1);
    int rc = -1;

    if (!seen || !height) {
        snprintf(why, whylen, "out of memory while checking the database");
        goto out;
    }
    for (uint32_t n = 0; n < nodes; n++) {
        MMDB_search_node_s node;
        int st = MMDB_read_node(m, n, &node);
        if (st != MMDB_SUCCESS) {
            snprintf(why, whylen, "search tree node %u unreadable (%s)", n, MMDB_strerror(st));
            goto out;
        }
        uint64_t recs[2] = { node.left_record, node.right_record };
        for (int side = 0; side < 2; side++) {
            uint64_t r = recs[side];
            if (r <= nodes)
                continue;
            if (r < (uint64_t)nodes + 16 || r - nodes - 16 >= dsize) {
                snprintf(why, whylen, "corrupt search tree: node %u record %llu points outside the data section",
                         n, (unsigned long long)r);
                goto out;
            }
            uint32_t off = (uint32_t)(r - nodes - 16);
            if (seen[off / 8] & (1u << (off % 8)))
                continue;
            seen[off / 8] |= (uint8_t)(1u << (off % 8));
            MMDB_entry_s entry = { .mmdb = m, .offset = off };
            MMDB_entry_data_list_s *list = NULL;
            st = MMDB_get_entry_data_list(&entry, &list);
            int ok = st == MMDB_SUCCESS;
            if (ok)
                check_value(list, &ok);
            MMDB_free_entry_data_list(list);
            if (st != MMDB_SUCCESS) {
                snprintf(why, whylen, "corrupt data record at offset %u (%s)", off, MMDB_strerror(st));
                goto out;
            }
            if (!ok) {
                snprintf(why, whylen, "corrupt data record at offset %u (a map key is not a string)", off);
                goto out;
            }
        }
    }
    if (tree_height(m, 0, 0, height) < 0) {
        snprintf(why, whylen, "corrupt search tree: a path is longer than the %u-bit address or loops",
                 m->metadata.ip_version == 4 ? 32u : 128u);
        goto out;
    }
    rc = 0;
out:
    free(seen);
    free(height);
    return rc;
}

static int db_open(struct geoip_db *d, int which, const char *path, char *err, size_t errlen)
{
    struct stat st;
    char why[160];

    memset(&st, 0, sizeof st);
    int stat_ok = stat(path, &st) == 0;
    if (!stat_ok && (errno == ENOENT || errno == ENOTDIR)) {
        if (!atomic_exchange(&geoip_missing_logged[which], 1))
            mw_log(MW_LOG_WARN, "geoip: %s %s does not exist; that database is disabled", db_key[which], path);
        return 0;
    }
    int rc = MMDB_open(path, MMDB_MODE_MMAP, &d->mmdb);
    if (rc != MMDB_SUCCESS) {
        if (rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR)
            snprintf(err, errlen, "%s %s: cannot read: %s (%s)", db_key[which], path, MMDB_strerror(rc),
                     strerror(errno));
        else
            snprintf(err, errlen, "%s %s: not a valid MaxMind DB file: %s", db_key[which], path,
                     MMDB_strerror(rc));
        return -1;
    }
    if (d->mmdb.metadata.binary_format_major_version != 2) {
        snprintf(err, errlen, "%s %s: MaxMind DB format version %u is not supported (need 2)",
                 db_key[which], path, d->mmdb.metadata.binary_format_major_version);
        MMDB_close(&d->mmdb);
        return -1;
    }
    /* Identify the mapped file by stat before and after the open: when both agree and the
     * size is the mapping's, what was checked is the file that later opens will find. */
    struct stat st1;
    struct geoip_file_id id = file_id(&st);
    int have_id = stat_ok && stat(path, &st1) == 0 && st1.st_size == d->mmdb.file_size;
    if (have_id) {
        struct geoip_file_id id1 = file_id(&st1);
        have_id = file_id_eq(&id, &id1);
    }
    if (!have_id || !already_verified(&id)) {
        if (db_verify(&d->mmdb, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s %s: not a valid MaxMind DB file: %s", db_key[which], path, why);
            MMDB_close(&d->mmdb);
            return -1;
        }
        if (have_id)
            remember_verified(&id);
    }
    d->open = 1;
    return 0;
}

struct geoip *geoip_open(const struct geoip_params *p, char *err, size_t errlen)
{
    struct geoip *g = calloc(1, sizeof *g);
    const char *paths[DB_COUNT] = { NULL, NULL, NULL };

    if (err && errlen)
        err[0] = 0;
    if (!g) {
        snprintf(err, errlen, "geoip: out of memory");
        return NULL;
    }
    if (p) {
        paths[DB_COUNTRY] = p->country_db;
        paths[DB_CITY] = p->city_db;
        paths[DB_ASN] = p->asn_db;
    }
    for (int i = 0; i < DB_COUNT; i++) {
        if (!paths[i] || !paths[i][0])
            continue;
        if (db_open(&g->db[i], i, paths[i], err, errlen) != 0) {
            geoip_close(g);
            return NULL;
        }
        g->any_open |= g->db[i].open;
    }
    if (g->any_open) {
        uint32_t want = p->cache_entries ? p->cache_entries : GEOIP_CACHE_DEFAULT;
        uint32_t n = 2;
        if (want > GEOIP_CACHE_MAX)
            want = GEOIP_CACHE_MAX;
        while (n < want)
            n <<= 1;
        g->cache = calloc(n, sizeof *g->cache);
        if (!g->cache) {
            snprintf(err, errlen, "geoip: out of memory for %u cache entries", n);
            geoip_close(g);
            return NULL;
        }
        g->pair_mask = n / 2 - 1;
    }
    return g;
}

void geoip_close(struct geoip *g)
{
    if (!g)
        return;
    for (int i = 0; i < DB_COUNT; i++)
        if (g->db[i].open)
            MMDB_close(&g->db[i].mmdb);
    free(g->cache);
    free(g);
}

int geoip_enabled(const struct geoip *g)
{
    return g && g->any_open;
}

/* ---- which addresses are looked up ------------------------------------------------ */

static int v4_reserved(const uint8_t v[4])
{
    uint32_t a = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
    static const struct { uint32_t net; uint8_t bits; } r[] = {
        { 0x00000000, 8 },  /* "this network" */
        { 0x0a000000, 8 },  /* RFC 1918 */
        { 0x64400000, 10 }, /* shared address space (carrier-grade NAT) */
        { 0x7f000000, 8 },  /* loopback */
        { 0xa9fe0000, 16 }, /* link-local */
        { 0xac100000, 12 }, /* RFC 1918 */
        { 0xc0000000, 24 }, /* IETF protocol assignments */
        { 0xc0000200, 24 }, /* TEST-NET-1 */
        { 0xc0a80000, 16 }, /* RFC 1918 */
        { 0xc6120000, 15 }, /* benchmarking */
        { 0xc6336400, 24 }, /* TEST-NET-2 */
        { 0xcb007100, 24 }, /* TEST-NET-3 */
        { 0xe0000000, 4 },  /* multicast */
        { 0xf0000000, 4 },  /* reserved and limited broadcast */
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if ((a >> (32 - r[i].bits)) == (r[i].net >> (32 - r[i].bits)))
            return 1;
    return 0;
}

static int v6_reserved(const uint8_t b[16])
{
    static const struct { uint8_t pfx[4]; uint8_t bits; } r[] = {
        { { 0x01, 0x00, 0, 0 }, 16 },    /* 100::/64 discard (whole /16 is unassigned) */
        { { 0x20, 0x01, 0x0d, 0xb8 }, 32 }, /* documentation */
        { { 0x20, 0x01, 0x00, 0x00 }, 23 }, /* IETF protocol assignments, Teredo */
        { { 0x3f, 0xff, 0x00, 0x00 }, 20 }, /* documentation (RFC 9637) */
        { { 0xfc, 0x00, 0, 0 }, 7 },     /* unique local */
        { { 0xfe, 0x80, 0, 0 }, 10 },    /* link-local */
        { { 0xfe, 0xc0, 0, 0 }, 10 },    /* site-local (deprecated) */
        { { 0xff, 0x00, 0, 0 }, 8 },     /* multicast */
    };
    uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        uint32_t n = (uint32_t)r[i].pfx[0] << 24 | (uint32_t)r[i].pfx[1] << 16 |
                     (uint32_t)r[i].pfx[2] << 8 | r[i].pfx[3];
        if ((a >> (32 - r[i].bits)) == (n >> (32 - r[i].bits)))
            return 1;
    }
    /* ::/96: unspecified, loopback and the deprecated IPv4-compatible form. */
    for (int i = 0; i < 12; i++)
        if (b[i])
            return 0;
    return 1;
}

/* Builds the socket address to look up; returns 0 when the address is not looked up. */
static int lookup_sockaddr(const struct mw_addr *a, struct sockaddr_storage *ss)
{
    static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
    memset(ss, 0, sizeof *ss);
    if (mw_addr_is_v4(a) || memcmp(a->b, nat64, sizeof nat64) == 0) {
        if (v4_reserved(a->b + 12))
            return 0;
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        memcpy(&sin.sin_addr, a->b + 12, 4);
        memcpy(ss, &sin, sizeof sin);
        return 1;
    }
    if (v6_reserved(a->b))
        return 0;
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    memcpy(&sin6.sin6_addr, a->b, 16);
    memcpy(ss, &sin6, sizeof sin6);
    return 1;
}

/* ---- reading fields ------------------------------------------------------------- */

/* Copies at most outlen-1 bytes, stops at a NUL, never leaves half a UTF-8 character. */
static void copy_bounded(char *out, size_t outlen, const char *s, uint32_t len)
{
    size_t n = len;
    const char *nul = memchr(s, 0, len);
    if (nul)
        n = (size_t)(nul - s);
    if (n > outlen - 1) {
        n = outlen - 1;
        while (n > 0 && ((uint8_t)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = 0;
}

static void count_status(struct geoip *g, int st)
{
    /* A path that does not match this record's shape is just absent data. */
    if (st != MMDB_SUCCESS && st != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
        g->errors++;
}

static int get_string(struct geoip *g, MMDB_entry_s *e, char *out, size_t outlen,
                      const char *const *path)
{
    MMDB_entry_data_s d;
    int st = MMDB_aget_value(e, &d, path);
    count_status(g, st);
    if (st != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return 0;
    copy_bounded(out, outlen, d.utf8_string, d.data_size);
    return out[0] != 0;
}

static void get_country(struct geoip *g, MMDB_entry_s *e, char out[3])
{
    static const char *const located[] = { "country", "iso_code", NULL };
    static const char *const registered[] = { "registered_country", "iso_code", NULL };
    char cc[8];
    /* Anycast and satellite networks may carry only the registration country. */
    if (!get_string(g, e, cc, sizeof cc, located) && !get_string(g, e, cc, sizeof cc, registered))
        return;
    if (strlen(cc) == 2 && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z')
        memcpy(out, cc, 3);
}

static int db_find(struct geoip *g, int which, const struct sockaddr *sa, MMDB_entry_s *e)
{
    int st = MMDB_SUCCESS;
    if (!g->db[which].open)
        return 0;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&g->db[which].mmdb, sa, &st);
    if (st != MMDB_SUCCESS) {
        /* An IPv4-only database cannot answer for IPv6: nothing to report. */
        if (st != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
            g->errors++;
        return 0;
    }
    if (!r.found_entry)
        return 0;
    *e = r.entry;
    return 1;
}

static void db_lookup_all(struct geoip *g, const struct sockaddr *sa, struct geoip_result *out)
{
    static const char *const city_path[] = { "city", "names", "en", NULL };
    static const char *const asn_path[] = { "autonomous_system_number", NULL };
    static const char *const org_path[] = { "autonomous_system_organization", NULL };
    MMDB_entry_s e;

    if (db_find(g, DB_COUNTRY, sa, &e))
        get_country(g, &e, out->country);
    if (db_find(g, DB_CITY, sa, &e)) {
        if (!out->country[0])
            get_country(g, &e, out->country);
        get_string(g, &e, out->city, sizeof out->city, city_path);
    }
    if (db_find(g, DB_ASN, sa, &e)) {
        MMDB_entry_data_s d;
        int st = MMDB_aget_value(&e, &d, asn_path);
        count_status(g, st);
        if (st == MMDB_SUCCESS && d.has_data) {
            if (d.type == MMDB_DATA_TYPE_UINT32)
                out->asn = d.uint32;
            else if (d.type == MMDB_DATA_TYPE_UINT16)
                out->asn = d.uint16;
            else if (d.type == MMDB_DATA_TYPE_UINT64 && d.uint64 <= UINT32_MAX)
                out->asn = (uint32_t)d.uint64;
        }
        get_string(g, &e, out->as_org, sizeof out->as_org, org_path);
    }
    out->found = out->country[0] || out->city[0] || out->asn || out->as_org[0];
}

/* ---- lookup with cache ------------------------------------------------------------ */

/* splitmix64's finaliser: every input bit reaches the low bits the index is taken from
 * (a plain multiply would leave them depending on the low input bits only, which for
 * ::ffff:a.b.c.d are constant). */
static uint32_t addr_hash(const struct mw_addr *a)
{
    uint64_t hi, lo;
    memcpy(&hi, a->b, 8);
    memcpy(&lo, a->b + 8, 8);
    uint64_t x = hi ^ (lo * 0x9e3779b97f4a7c15ull);
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (uint32_t)x;
}

int geoip_lookup(struct geoip *g, const struct mw_addr *a, struct geoip_result *out)
{
    struct sockaddr_storage ss;

    memset(out, 0, sizeof *out);
    g->lookups++;
    if (!g->any_open)
        return 0;
    if (!lookup_sockaddr(a, &ss)) {
        g->reserved++;
        return 0;
    }
    /* Two ways per set so two busy addresses that hash alike do not evict each other. */
    struct geoip_slot *pair = &g->cache[(size_t)(addr_hash(a) & g->pair_mask) * 2];
    struct geoip_slot *s = NULL;
    for (int i = 0; i < 2 && !s; i++)
        if (pair[i].used && memcmp(&pair[i].key, a, sizeof *a) == 0)
            s = &pair[i];
    if (s) {
        g->cache_hits++;
        *out = s->res;
    } else {
        db_lookup_all(g, (const struct sockaddr *)&ss, out);
        s = !pair[0].used ? &pair[0] : !pair[1].used ? &pair[1] : pair[0].recent ? &pair[1] : &pair[0];
        s->key = *a;
        s->res = *out;
        s->used = 1;
    }
    pair[0].recent = s == &pair[0];
    pair[1].recent = s == &pair[1];
    if (out->found)
        g->found++;
    return out->found;
}

void geoip_stats_foreach(const struct geoip *g, void (*cb)(void *u, const char *name, uint64_t v),
                         void *u)
{
    cb(u, "geoip.lookups", g->lookups);
    cb(u, "geoip.cache_hits", g->cache_hits);
    cb(u, "geoip.found", g->found);
    cb(u, "geoip.reserved", g->reserved);
    cb(u, "geoip.errors", g->errors);
}
