/* mwgen.c - command line of the capture generator: `mwgen [--pcapng] SCENARIO [ARGS] OUTPUT`
 * writes one scenario of the catalogue (scen_*.c), `mwgen --list` prints the catalogue.
 * OUTPUT "-" streams to stdout, so a flood of millions of packets can be piped into
 * `minewatch -r -` without a file of that size on disk. */
#include <stdio.h>
#include <string.h>

#include "scen.h"

/* Fixed start time (2024-03-13T10:00:00Z) so every run writes identical bytes. */
#define MWGEN_START_US 1710324000000000ull

static const struct scenario *const tables[] = { scen_mining,  scen_names,   scen_benign, scen_hostile,
                                                 scen_proxies, scen_hosts, scen_behave };

static const struct scenario *find(const char *name)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct scenario *s = tables[t]; s->name; s++)
            if (strcmp(s->name, name) == 0)
                return s;
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mwgen [--pcapng] SCENARIO [ARGS...] OUTPUT.pcap|-\n"
               "       mwgen --list\n");
}

int main(int argc, char **argv)
{
    enum pg_format fmt = PG_PCAP;
    int i = 1;
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
            for (const struct scenario *s = tables[t]; s->name; s++)
                printf("%-26s %-14s %s\n", s->name, s->args, s->summary);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (i < argc && strcmp(argv[i], "--pcapng") == 0) {
        fmt = PG_PCAPNG;
        i++;
    }
    if (argc - i < 2) {
        usage(stderr);
        return 2;
    }
    const struct scenario *sc = find(argv[i]);
    if (!sc) {
        fprintf(stderr, "mwgen: unknown scenario '%s' (try --list)\n", argv[i]);
        return 2;
    }
    const char *out = argv[argc - 1];
    struct pg_writer w;
    /* "-" streams to stdout: a gigabyte capture piped into `minewatch -r -` needs no disk. */
    int to_stdout = strcmp(out, "-") == 0;
    if ((to_stdout ? pg_open_stream(&w, stdout, fmt, MWGEN_START_US) : pg_open(&w, out, fmt, MWGEN_START_US)) != 0) {
        perror(out);
        return 1;
    }
    int rc = sc->fn(&w, argc - i - 2, argv + i + 1);
    if (pg_close(&w) != 0) {
        fprintf(stderr, "mwgen: write error on %s\n", out);
        return 1;
    }
    if (rc != 0 && !to_stdout)
        remove(out);
    return rc;
}
