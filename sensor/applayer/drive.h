/* drive.h - one flow fed straight to the real app-layer engine: the test and fuzz driver.
 *
 * Unit tests and fuzz targets of the stream dissectors use this instead of their own
 * "keep what was not consumed and offer it again" loop, so they exercise exactly the
 * buffering, need-more hints, overflow, gap, detach and re-probe code the sensor runs.
 * No capture, decode, flow table or reassembly: the caller hands in-order bytes per
 * direction (or datagrams) and reads back evidence, the flow's app counters, the
 * dissector's state and the engine's counters.
 */
#ifndef MW_APPLAYER_DRIVE_H
#define MW_APPLAYER_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/applayer/applayer.h"

struct mw_dissector;

struct applayer_drive_params {
    struct applayer_params engine; /* buffer sizes and caps, as the sensor's */
    uint16_t port[2];              /* initiator's and responder's ports */
    uint8_t handshake_seen;        /* the TCP SYN was seen */
};

void applayer_drive_params_default(struct applayer_drive_params *p);

struct applayer_drive;

/* force: attach this registered dissector without probing; NULL: probe as the sensor does.
 * emit receives every piece of evidence (f is applayer_drive_flow()). */
struct applayer_drive *applayer_drive_new(const struct applayer_drive_params *p, const struct mw_dissector *force,
                                          applayer_emit_fn emit, void *user);
void applayer_drive_free(struct applayer_drive *dr);

/* In-order stream bytes of one direction, as stream.c delivers them. */
void applayer_drive_data(struct applayer_drive *dr, int dir, const uint8_t *data, size_t len);
/* The same bytes cut into pieces of step bytes (step 0 = all at once). */
void applayer_drive_steps(struct applayer_drive *dr, int dir, const uint8_t *data, size_t len, size_t step);
void applayer_drive_datagram(struct applayer_drive *dr, int dir, const uint8_t *data, size_t len);
void applayer_drive_gap(struct applayer_drive *dr, int dir);
/* The flow ends: the dissector's fini runs, its state and buffers go back. */
void applayer_drive_end(struct applayer_drive *dr);

struct mw_flow *applayer_drive_flow(struct applayer_drive *dr);
/* The attached dissector's state; once it detached or closed, a copy of the state as it
 * was after the last call that still had it (NULL when none was ever attached). */
void *applayer_drive_state(struct applayer_drive *dr);
/* Bytes the engine keeps for direction dir (an incomplete message). */
size_t applayer_drive_buffered(const struct applayer_drive *dr, int dir);
/* 1 while a dissector is attached and still reading. */
int applayer_drive_attached(const struct applayer_drive *dr);
/* An engine counter by its stats name ("app.stratum.malformed_json", "detect.buffer_overflow");
 * UINT64_MAX when there is no such counter. */
uint64_t applayer_drive_stat(const struct applayer_drive *dr, const char *name);
/* Sum of the named events of one dissector (its app.<name>.* counters). */
uint64_t applayer_drive_events(const struct applayer_drive *dr, const char *dissector);

#endif
