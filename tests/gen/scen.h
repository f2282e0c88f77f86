/* scen.h - the scenario catalogue of mwgen: one function per named capture. Test-only code. */
#ifndef MW_SCEN_H
#define MW_SCEN_H

#include <stdint.h>

#include "msgbuild.h"
#include "pcapgen.h"

/* Writes one scenario into w; extra command-line arguments in argv. 0, or 2 on bad usage. */
typedef int (*scen_fn)(struct pg_writer *w, int argc, char **argv);

struct scenario {
    const char *name;
    const char *args;    /* usage of the extra arguments, "" when none */
    const char *summary;
    scen_fn fn;
};

/* NULL-terminated tables, one per file. */
extern const struct scenario scen_mining[];
extern const struct scenario scen_names[];
extern const struct scenario scen_benign[];
extern const struct scenario scen_hostile[];
extern const struct scenario scen_proxies[];
extern const struct scenario scen_hosts[];
extern const struct scenario scen_behave[];

/* Open a TCP session (aborts on a bad address: scenarios are constants). */
void scen_tcp(struct pg_tcp *s, struct pg_writer *w, const char *cip, uint16_t cport,
              const char *sip, uint16_t sport, uint32_t isn_c, uint32_t isn_s);
struct pg_endpoint scen_ep(const char *ip, uint16_t port);

/* Send text from the client (C) or the server (S), then let a little time pass. */
void scen_c(struct pg_tcp *s, const char *text);
void scen_s(struct pg_tcp *s, const char *text);

/* A complete short Stratum V1 session (handshake, subscribe .. submit, FIN) used by the
 * demo, allowlist, proxy and flood scenarios. */
void scen_stratum1_short(struct pg_tcp *s, const char *agent, const char *worker);

/* A DNS query and its A answer between client and resolver (port 53). */
void scen_dns_a(struct pg_writer *w, const char *client_ip, uint16_t cport, const char *resolver_ip,
                uint16_t id, const char *name, const char *answer_ip);

#endif
