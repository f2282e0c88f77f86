/* pcap_walk.h - test helper: every TCP/UDP payload of the captures in a directory.
 *
 * A deliberately small Ethernet/SLL/raw -> VLAN -> IPv4/IPv6 -> TCP/UDP walk for tests
 * that want real-world payloads; IP fragments and IPv6 extension headers are skipped.
 * Header-only so each test stays one file; not part of the sensor.
 */
#ifndef MW_TEST_PCAP_WALK_H
#define MW_TEST_PCAP_WALK_H

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reader.h"

typedef void (*pcap_walk_fn)(void *user, uint8_t proto, uint16_t sport, uint16_t dport, const uint8_t *payload,
                             size_t len);

static void pcap_walk_ip(const uint8_t *p, size_t len, pcap_walk_fn cb, void *user)
{
    struct mw_reader r = mw_reader_make(p, len);
    uint8_t v = mw_reader_peek_u8(&r, 0) >> 4;
    uint8_t proto;
    size_t end;
    if (v == 4) {
        uint8_t vihl = mw_reader_u8(&r);
        mw_reader_skip(&r, 1);
        uint16_t tot = mw_reader_be16(&r);
        mw_reader_skip(&r, 2);
        uint16_t frag = mw_reader_be16(&r);
        mw_reader_skip(&r, 1);
        proto = mw_reader_u8(&r);
        size_t ihl = (size_t)(vihl & 15) * 4;
        if (r.err || ihl < 20 || ihl > len || (frag & 0x3fff) != 0)
            return;
        end = tot < len ? tot : len;
        if (end < ihl)
            return;
        r.off = ihl;
    } else if (v == 6) {
        mw_reader_skip(&r, 4);
        uint16_t plen = mw_reader_be16(&r);
        proto = mw_reader_u8(&r);
        mw_reader_skip(&r, 33);
        if (r.err)
            return;
        end = (size_t)plen + 40 < len ? (size_t)plen + 40 : len;
    } else {
        return;
    }
    r.len = end;
    uint16_t sport = mw_reader_be16(&r), dport = mw_reader_be16(&r);
    if (proto == 17) {
        mw_reader_skip(&r, 4);
    } else if (proto == 6) {
        mw_reader_skip(&r, 8);
        uint8_t doff = mw_reader_u8(&r) >> 4;
        if (r.err || doff < 5)
            return;
        r.off = r.off - 13 + (size_t)doff * 4;
        if (r.off > r.len)
            return;
    } else {
        return;
    }
    if (r.err)
        return;
    cb(user, proto, sport, dport, r.p + r.off, r.len - r.off);
}

static void pcap_walk_frame(int dlt, const uint8_t *p, size_t len, pcap_walk_fn cb, void *user)
{
    struct mw_reader r = mw_reader_make(p, len);
    uint16_t et;
    if (dlt == DLT_EN10MB) {
        mw_reader_skip(&r, 12);
        et = mw_reader_be16(&r);
        while ((et == 0x8100 || et == 0x88a8) && !r.err) {
            mw_reader_skip(&r, 2);
            et = mw_reader_be16(&r);
        }
    } else if (dlt == DLT_LINUX_SLL) {
        mw_reader_skip(&r, 14);
        et = mw_reader_be16(&r);
    } else if (dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6 || dlt == 12 /* LINKTYPE_RAW on OpenBSD */) {
        et = 0x0800;
    } else if (dlt == DLT_NULL) {
        mw_reader_skip(&r, 4);
        et = 0x0800;
    } else {
        return;
    }
    if (r.err || (et != 0x0800 && et != 0x86dd))
        return;
    pcap_walk_ip(r.p + r.off, r.len - r.off, cb, user);
}

/* Walks every capture file in dir; returns the number of files opened, -1 if no dir. */
static int pcap_walk_dir(const char *dir, pcap_walk_fn cb, void *user)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (!((n > 5 && strcmp(de->d_name + n - 5, ".pcap") == 0) ||
              (n > 7 && strcmp(de->d_name + n - 7, ".pcapng") == 0)))
            continue;
        char path[8192], err[PCAP_ERRBUF_SIZE];
        if (strlen(dir) + n + 2 > sizeof path)
            continue;
        memcpy(path, dir, strlen(dir));
        path[strlen(dir)] = '/';
        memcpy(path + strlen(dir) + 1, de->d_name, n + 1);
        pcap_t *pc = pcap_open_offline(path, err);
        if (!pc)
            continue;
        files++;
        int dlt = pcap_datalink(pc);
        struct pcap_pkthdr *h;
        const u_char *data;
        while (pcap_next_ex(pc, &h, &data) == 1)
            pcap_walk_frame(dlt, data, h->caplen, cb, user);
        pcap_close(pc);
    }
    closedir(d);
    return files;
}

#endif
