/* sv2.h - Stratum V2 framing, SetupConnection parsing and the sv2 stream dissector.
 *
 * Spec: stratum-mining/sv2-spec, 03-Protocol-Overview.md (data types, framing,
 * common messages), 05-Mining-Protocol.md, 08-Message-Types.md, 04-Protocol-Security.md
 * (Noise NX handshake). All integers are little-endian on the wire.
 */
#ifndef MW_SV2_H
#define MW_SV2_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"

#define SV2_NEED_MORE 0L
#define SV2_MALFORMED (-1L)

#define SV2_HEADER_LEN 6
#define SV2_CHANNEL_MSG_BIT 0x8000u

/* Message types (08-Message-Types.md). */
enum sv2_msg_type {
    SV2_SETUP_CONNECTION = 0x00,
    SV2_SETUP_CONNECTION_SUCCESS = 0x01,
    SV2_SETUP_CONNECTION_ERROR = 0x02,
    SV2_CHANNEL_ENDPOINT_CHANGED = 0x03,
    SV2_RECONNECT = 0x04,
    SV2_OPEN_STANDARD_MINING_CHANNEL = 0x10,
    SV2_OPEN_STANDARD_MINING_CHANNEL_SUCCESS = 0x11,
    SV2_OPEN_MINING_CHANNEL_ERROR = 0x12,
    SV2_OPEN_EXTENDED_MINING_CHANNEL = 0x13,
    SV2_OPEN_EXTENDED_MINING_CHANNEL_SUCCESS = 0x14,
    SV2_NEW_MINING_JOB = 0x15,
    SV2_UPDATE_CHANNEL = 0x16,
    SV2_UPDATE_CHANNEL_ERROR = 0x17,
    SV2_CLOSE_CHANNEL = 0x18,
    SV2_SET_EXTRANONCE_PREFIX = 0x19,
    SV2_SUBMIT_SHARES_STANDARD = 0x1a,
    SV2_SUBMIT_SHARES_EXTENDED = 0x1b,
    SV2_SUBMIT_SHARES_SUCCESS = 0x1c,
    SV2_SUBMIT_SHARES_ERROR = 0x1d,
    SV2_NEW_EXTENDED_MINING_JOB = 0x1f,
    SV2_SET_NEW_PREV_HASH = 0x20,
    SV2_SET_TARGET = 0x21,
    SV2_SET_CUSTOM_MINING_JOB = 0x22,
    SV2_SET_CUSTOM_MINING_JOB_SUCCESS = 0x23,
    SV2_SET_CUSTOM_MINING_JOB_ERROR = 0x24,
    SV2_SET_GROUP_CHANNEL = 0x25,
};

/* SetupConnection.protocol values. */
enum sv2_protocol {
    SV2_PROTO_MINING = 0,
    SV2_PROTO_JOB_DECLARATION = 1,
    SV2_PROTO_TEMPLATE_DISTRIBUTION = 2,
    SV2_PROTO_JOB_DISTRIBUTION = 3,
};

/* Noise NX handshake sizes: act 1 is one ElligatorSwift key (64); act 2 is
 * ellswift key 64 + encrypted static key 64+16 + encrypted SIGNATURE_NOISE_MESSAGE 74+16. */
#define SV2_NOISE_ACT1_LEN 64
#define SV2_NOISE_ACT2_LEN 234

/* A STR0_255 / B0_255 slice into the caller's buffer. */
struct sv2_str {
    const uint8_t *p;
    uint8_t len;
};

struct sv2_frame {
    uint16_t extension_type; /* with the channel_msg bit */
    uint8_t channel_msg;     /* 1 when bit 15 of extension_type is set */
    uint8_t msg_type;
    uint32_t msg_length;
    const uint8_t *payload;  /* msg_length bytes, valid when the frame was complete */
};

struct sv2_setup_connection {
    uint8_t protocol;
    uint16_t min_version, max_version;
    uint32_t flags;
    struct sv2_str endpoint_host;
    uint16_t endpoint_port;
    struct sv2_str vendor, hardware_version, firmware, device_id;
};

struct sv2_setup_success {
    uint16_t used_version;
    uint32_t flags;
};

struct sv2_setup_error {
    uint32_t flags;
    struct sv2_str error_code;
};

struct sv2_open_channel {
    uint32_t request_id;
    struct sv2_str user_identity;
    uint8_t extended; /* 1 for OpenExtendedMiningChannel (min_extranonce_size follows) */
};

/* Parse the 6-byte header; returns SV2_HEADER_LEN + msg_length when the whole frame is in
 * buf (out->payload set), SV2_NEED_MORE otherwise (out's header fields are still filled
 * once 6 bytes are present). Never malformed: any 6 bytes are a header. */
long sv2_parse_frame(const uint8_t *buf, size_t len, struct sv2_frame *out);

/* Message parsers over a complete payload; 0 on success, -1 when truncated or with
 * trailing garbage the spec does not allow. */
int sv2_parse_setup_connection(const uint8_t *p, size_t len, struct sv2_setup_connection *out);
int sv2_parse_setup_success(const uint8_t *p, size_t len, struct sv2_setup_success *out);
int sv2_parse_setup_error(const uint8_t *p, size_t len, struct sv2_setup_error *out);
int sv2_parse_open_channel(int msg_type, const uint8_t *p, size_t len, struct sv2_open_channel *out);

/* Name of a message of the common/mining protocols, or NULL. */
const char *sv2_msg_name(uint8_t msg_type);

/* 1 when port is one of the reference implementation's default ports. */
int sv2_is_reference_port(uint16_t port);

/* Named events (stats: app.stratum2.<name>). */
enum sv2_event {
    SV2_EV_BAD_SETUP,        /* SetupConnection that does not parse or breaks its ranges */
    SV2_EV_BAD_SETUP_REPLY,  /* the server's first frame is not a valid SetupConnection reply */
    SV2_EV_COUNT
};

extern const struct mw_dissector sv2_dissector;

#endif
