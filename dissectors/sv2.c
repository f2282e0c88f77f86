/* sv2.c - Stratum V2 dissector: cleartext framing and the Noise NX handshake shape.
 *
 * Spec: stratum-mining/sv2-spec 03-Protocol-Overview.md sections 3.1 (data types), 3.2
 * (framing) and 3.6 (SetupConnection*), 05-Mining-Protocol.md (channel and share
 * messages), 08-Message-Types.md (type numbers), 04-Protocol-Security.md (Noise NX).
 *
 * Frame (all little-endian):
 *   extension_type U16 (bit 15 = channel_msg) | msg_type U8 | msg_length U24 | payload
 * SetupConnection (0x00):
 *   protocol U8 | min_version U16 | max_version U16 | flags U32 | endpoint_host STR0_255 |
 *   endpoint_port U16 | vendor STR0_255 | hardware_version STR0_255 | firmware STR0_255 |
 *   device_id STR0_255
 * Encrypted connections carry no framing during the handshake: the initiator sends its
 * 64-byte ElligatorSwift key, the responder 64 + (64+16) + (74+16) = 234 bytes (the
 * spec's prose still says 170, computed for 32-byte keys; noise_sv2's
 * INITIATOR_EXPECTED_HANDSHAKE_MESSAGE_SIZE is the 234 sum), then AEAD frames follow.
 * The byte counts in each direction up to the other side's reply are all we can see,
 * so that shape is reported as a suspicion only.
 */
#include "dissectors/sv2.h"

#include <string.h>

#include "core/reader.h"
#include "core/evidence.h"

/* Largest frame we parse in place; larger frames (jobs with big merkle paths, template
 * data) are skipped as they stream past. */
#define SV2_MAX_PARSED_FRAME 4096u
/* SetupConnection payload bounds: 9 fixed bytes + 5 string length bytes + port, and
 * that plus 5 strings of 255 bytes. */
#define SV2_SETUP_MIN_LEN 16u
#define SV2_SETUP_MAX_LEN (16u + 5u * 255u)
/* 64 random bytes show about 56 distinct values; text or zero padding far fewer. */
#define SV2_NOISE_MIN_DISTINCT 40

static const char *const sv2_names[] = {
    [SV2_SETUP_CONNECTION] = "SetupConnection",
    [SV2_SETUP_CONNECTION_SUCCESS] = "SetupConnection.Success",
    [SV2_SETUP_CONNECTION_ERROR] = "SetupConnection.Error",
    [SV2_CHANNEL_ENDPOINT_CHANGED] = "ChannelEndpointChanged",
    [SV2_RECONNECT] = "Reconnect",
    [SV2_OPEN_STANDARD_MINING_CHANNEL] = "OpenStandardMiningChannel",
    [SV2_OPEN_STANDARD_MINING_CHANNEL_SUCCESS] = "OpenStandardMiningChannel.Success",
    [SV2_OPEN_MINING_CHANNEL_ERROR] = "OpenMiningChannel.Error",
    [SV2_OPEN_EXTENDED_MINING_CHANNEL] = "OpenExtendedMiningChannel",
    [SV2_OPEN_EXTENDED_MINING_CHANNEL_SUCCESS] = "OpenExtendedMiningChannel.Success",
    [SV2_NEW_MINING_JOB] = "NewMiningJob",
    [SV2_UPDATE_CHANNEL] = "UpdateChannel",
    [SV2_UPDATE_CHANNEL_ERROR] = "UpdateChannel.Error",
    [SV2_CLOSE_CHANNEL] = "CloseChannel",
    [SV2_SET_EXTRANONCE_PREFIX] = "SetExtranoncePrefix",
    [SV2_SUBMIT_SHARES_STANDARD] = "SubmitSharesStandard",
    [SV2_SUBMIT_SHARES_EXTENDED] = "SubmitSharesExtended",
    [SV2_SUBMIT_SHARES_SUCCESS] = "SubmitShares.Success",
    [SV2_SUBMIT_SHARES_ERROR] = "SubmitShares.Error",
    [SV2_NEW_EXTENDED_MINING_JOB] = "NewExtendedMiningJob",
    [SV2_SET_NEW_PREV_HASH] = "SetNewPrevHash",
    [SV2_SET_TARGET] = "SetTarget",
    [SV2_SET_CUSTOM_MINING_JOB] = "SetCustomMiningJob",
    [SV2_SET_CUSTOM_MINING_JOB_SUCCESS] = "SetCustomMiningJob.Success",
    [SV2_SET_CUSTOM_MINING_JOB_ERROR] = "SetCustomMiningJob.Error",
    [SV2_SET_GROUP_CHANNEL] = "SetGroupChannel",
};

const char *sv2_msg_name(uint8_t msg_type)
{
    if (msg_type >= sizeof sv2_names / sizeof sv2_names[0])
        return NULL;
    return sv2_names[msg_type];
}

int sv2_is_reference_port(uint16_t port)
{
    return port == 34254 || port == 34255 || port == 34264 || port == 34265 || port == 8442;
}

long sv2_parse_frame(const uint8_t *buf, size_t len, struct sv2_frame *out)
{
    memset(out, 0, sizeof *out);
    struct mw_reader r = mw_reader_make(buf, len);
    out->extension_type = mw_reader_le16(&r);
    out->msg_type = mw_reader_u8(&r);
    out->msg_length = mw_reader_le24(&r);
    if (r.err)
        return SV2_NEED_MORE;
    out->channel_msg = (out->extension_type & SV2_CHANNEL_MSG_BIT) != 0;
    if (!mw_reader_has(&r, out->msg_length))
        return SV2_NEED_MORE;
    out->payload = buf + SV2_HEADER_LEN;
    return (long)(SV2_HEADER_LEN + out->msg_length);
}

static struct sv2_str sv2_read_str(struct mw_reader *r)
{
    struct sv2_str s = { NULL, 0 };
    s.len = mw_reader_u8(r);
    s.p = mw_reader_take(r, s.len);
    if (!s.p)
        s.len = 0;
    return s;
}

int sv2_parse_setup_connection(const uint8_t *p, size_t len, struct sv2_setup_connection *out)
{
    memset(out, 0, sizeof *out);
    struct mw_reader r = mw_reader_make(p, len);
    out->protocol = mw_reader_u8(&r);
    out->min_version = mw_reader_le16(&r);
    out->max_version = mw_reader_le16(&r);
    out->flags = mw_reader_le32(&r);
    out->endpoint_host = sv2_read_str(&r);
    out->endpoint_port = mw_reader_le16(&r);
    out->vendor = sv2_read_str(&r);
    out->hardware_version = sv2_read_str(&r);
    out->firmware = sv2_read_str(&r);
    out->device_id = sv2_read_str(&r);
    if (r.err || mw_reader_left(&r) != 0)
        return -1;
    return 0;
}

int sv2_parse_setup_success(const uint8_t *p, size_t len, struct sv2_setup_success *out)
{
    struct mw_reader r = mw_reader_make(p, len);
    out->used_version = mw_reader_le16(&r);
    out->flags = mw_reader_le32(&r);
    return (r.err || mw_reader_left(&r) != 0) ? -1 : 0;
}

int sv2_parse_setup_error(const uint8_t *p, size_t len, struct sv2_setup_error *out)
{
    struct mw_reader r = mw_reader_make(p, len);
    out->flags = mw_reader_le32(&r);
    out->error_code = sv2_read_str(&r);
    return (r.err || mw_reader_left(&r) != 0) ? -1 : 0;
}

int sv2_parse_open_channel(int msg_type, const uint8_t *p, size_t len, struct sv2_open_channel *out)
{
    memset(out, 0, sizeof *out);
    struct mw_reader r = mw_reader_make(p, len);
    out->request_id = mw_reader_le32(&r);
    out->user_identity = sv2_read_str(&r);
    mw_reader_skip(&r, 4);  /* nominal_hash_rate F32 */
    mw_reader_skip(&r, 32); /* max_target U256 */
    if (msg_type == SV2_OPEN_EXTENDED_MINING_CHANNEL) {
        out->extended = 1;
        mw_reader_skip(&r, 2); /* min_extranonce_size */
    } else if (msg_type != SV2_OPEN_STANDARD_MINING_CHANNEL) {
        return -1;
    }
    return (r.err || mw_reader_left(&r) != 0) ? -1 : 0;
}

/* ---- dissector ---- */

enum sv2_mode { SV2_MODE_START = 0, SV2_MODE_CLEAR, SV2_MODE_NOISE, SV2_MODE_DONE };

struct sv2_state {
    uint8_t mode;
    int8_t client_dir;         /* -1 until the first bytes */
    uint8_t setup_ok;          /* a valid client SetupConnection was seen */
    uint8_t setup_protocol;
    uint8_t server_replied;    /* Success/Error seen */
    uint8_t noise_reported;
    uint8_t server_started;    /* the responder has sent something */
    uint8_t reported_worker;
    uint64_t bytes[2];
    uint64_t client_before_server;
    uint64_t skip[2];          /* payload bytes of an oversized frame still to skip */
    uint8_t seen[32];          /* bitmap of byte values in the client's first 64 bytes */
    char host[MW_EV_HOST_LEN];
    char agent[MW_EV_AGENT_LEN];
};

static void sv2_init(void *vs)
{
    struct sv2_state *s = vs;
    memset(s, 0, sizeof *s);
    s->client_dir = -1;
}

static int sv2_looks_like_setup(const uint8_t *d, size_t len)
{
    struct sv2_frame f;
    (void)sv2_parse_frame(d, len, &f);
    if (len < SV2_HEADER_LEN)
        return 0;
    if (f.extension_type != 0 || f.msg_type != SV2_SETUP_CONNECTION)
        return 0;
    return f.msg_length >= SV2_SETUP_MIN_LEN && f.msg_length <= SV2_SETUP_MAX_LEN;
}

static int sv2_probe(const uint8_t *data, size_t len, int dir, const struct mw_dctx *ctx)
{
    if (sv2_looks_like_setup(data, len)) {
        if (len > SV2_HEADER_LEN)
            return data[SV2_HEADER_LEN] <= SV2_PROTO_JOB_DISTRIBUTION ? MW_PROBE_YES : MW_PROBE_NO;
        return MW_PROBE_MAYBE;
    }
    if (len > 0 && len < SV2_HEADER_LEN && data[0] == 0)
        return MW_PROBE_MAYBE;
    /* A Noise initiator sends its 64-byte key and waits. */
    if (len <= SV2_NOISE_ACT1_LEN && (dir == MW_DIR_FWD || !ctx->handshake_seen))
        return MW_PROBE_MAYBE;
    return MW_PROBE_NO;
}

static void sv2_base_ev(struct mw_evidence *ev, const struct sv2_state *s)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = MW_EV_PROTOCOL;
    ev->variant = MW_VAR_STRATUM2;
    ev->client_dir = (uint8_t)(s->client_dir < 0 ? MW_DIR_FWD : s->client_dir);
    mw_ev_set(ev->pool_host, sizeof ev->pool_host, s->host, strlen(s->host));
    mw_ev_set(ev->agent, sizeof ev->agent, s->agent, strlen(s->agent));
}

static void sv2_set_app(struct mw_dctx *ctx)
{
    if (ctx->app)
        ctx->app->app_proto = "stratum2";
    ctx->keep_following = 1;
}

static void sv2_append(char *dst, size_t size, const struct sv2_str *str)
{
    if (!str->len)
        return;
    size_t used = strlen(dst);
    if (used && used + 1 < size) {
        dst[used++] = ' ';
        dst[used] = '\0';
    }
    if (used + 1 < size)
        mw_ev_set(dst + used, size - used, str->p, str->len);
}

static int sv2_printable(const struct sv2_str *str)
{
    for (size_t i = 0; i < str->len; i++)
        if (str->p[i] < 0x20 || str->p[i] >= 0x7f)
            return 0;
    return 1;
}

static void sv2_on_setup(struct sv2_state *s, struct mw_dctx *ctx, const struct sv2_frame *f)
{
    struct sv2_setup_connection sc;
    if (sv2_parse_setup_connection(f->payload, f->msg_length, &sc) != 0 ||
        sc.min_version == 0 || sc.min_version > sc.max_version ||
        sc.protocol > SV2_PROTO_JOB_DISTRIBUTION || !sv2_printable(&sc.endpoint_host)) {
        mw_event(ctx, SV2_EV_BAD_SETUP);
        s->mode = SV2_MODE_NOISE; /* leave the byte-count watch running */
        return;
    }
    s->setup_ok = 1;
    s->setup_protocol = sc.protocol;
    mw_ev_set(s->host, sizeof s->host, sc.endpoint_host.p, sc.endpoint_host.len);
    s->agent[0] = '\0';
    sv2_append(s->agent, sizeof s->agent, &sc.vendor);
    sv2_append(s->agent, sizeof s->agent, &sc.hardware_version);
    sv2_append(s->agent, sizeof s->agent, &sc.firmware);
    /* Template distribution is a node feeding a pool, job distribution is unspecified:
     * neither is a miner talking to a pool. */
    if (sc.protocol != SV2_PROTO_MINING && sc.protocol != SV2_PROTO_JOB_DECLARATION) {
        s->mode = SV2_MODE_DONE;
        ctx->closed = 1;
        return;
    }
    struct mw_evidence ev;
    sv2_base_ev(&ev, s);
    ev.sides = MW_SIDE_CLIENT;
    ev.confidence = sc.protocol == SV2_PROTO_MINING ? 90 : 60;
    mw_ev_set(ev.method, sizeof ev.method, "SetupConnection", 15);
    sv2_set_app(ctx);
    ctx->emit(ctx, &ev);
}

static void sv2_on_server_frame(struct sv2_state *s, struct mw_dctx *ctx, const struct sv2_frame *f)
{
    int ok = 0;
    if (f->extension_type == 0 && f->msg_type == SV2_SETUP_CONNECTION_SUCCESS) {
        struct sv2_setup_success ss;
        ok = sv2_parse_setup_success(f->payload, f->msg_length, &ss) == 0;
    } else if (f->extension_type == 0 && f->msg_type == SV2_SETUP_CONNECTION_ERROR) {
        struct sv2_setup_error se;
        ok = sv2_parse_setup_error(f->payload, f->msg_length, &se) == 0;
    }
    if (!ok) {
        mw_event(ctx, SV2_EV_BAD_SETUP_REPLY);
        s->mode = SV2_MODE_DONE;
        ctx->closed = 1;
        return;
    }
    s->server_replied = 1;
    struct mw_evidence ev;
    sv2_base_ev(&ev, s);
    ev.sides = MW_SIDE_SERVER;
    ev.confidence = s->setup_protocol == SV2_PROTO_MINING ? 95 : 65;
    const char *name = sv2_msg_name(f->msg_type);
    mw_ev_set(ev.method, sizeof ev.method, name, strlen(name));
    ctx->emit(ctx, &ev);
}

static void sv2_on_mining_frame(struct sv2_state *s, struct mw_dctx *ctx, int from_client,
                                const struct sv2_frame *f)
{
    struct mw_flow_app *app = ctx->app;
    if ((f->extension_type & ~SV2_CHANNEL_MSG_BIT) != 0)
        return; /* an extension: not ours to interpret */
    struct mw_reader r = mw_reader_make(f->payload, f->msg_length);
    switch (f->msg_type) {
    case SV2_OPEN_STANDARD_MINING_CHANNEL:
    case SV2_OPEN_EXTENDED_MINING_CHANNEL: {
        struct sv2_open_channel oc;
        if (!from_client || s->reported_worker ||
            sv2_parse_open_channel(f->msg_type, f->payload, f->msg_length, &oc) != 0)
            return;
        s->reported_worker = 1;
        struct mw_evidence ev;
        sv2_base_ev(&ev, s);
        ev.sides = MW_SIDE_CLIENT;
        ev.confidence = 95;
        mw_ev_set(ev.worker, sizeof ev.worker, oc.user_identity.p, oc.user_identity.len);
        const char *name = sv2_msg_name(f->msg_type);
        mw_ev_set(ev.method, sizeof ev.method, name, strlen(name));
        ctx->emit(ctx, &ev);
        return;
    }
    case SV2_SUBMIT_SHARES_STANDARD:
    case SV2_SUBMIT_SHARES_EXTENDED:
        if (from_client)
            mw_app_count(app, MW_MSG_SHARE_SUBMITTED, 1);
        return;
    case SV2_SUBMIT_SHARES_SUCCESS: {
        mw_reader_skip(&r, 8); /* channel_id, last_sequence_number */
        uint32_t n = mw_reader_le32(&r);
        if (!from_client && !r.err)
            mw_app_count(app, MW_MSG_SHARES_ACCEPTED, n);
        return;
    }
    case SV2_SUBMIT_SHARES_ERROR:
        if (!from_client)
            mw_app_count(app, MW_MSG_SHARE_REJECTED, 1);
        return;
    case SV2_NEW_MINING_JOB:
    case SV2_NEW_EXTENDED_MINING_JOB:
        if (!from_client)
            mw_app_count(app, MW_MSG_JOB, 1);
        return;
    default:
        return;
    }
}

/* Frame loop for one direction of a cleartext connection. */
static long sv2_feed_clear(struct sv2_state *s, struct mw_dctx *ctx, int dir, const uint8_t *data,
                           size_t len)
{
    size_t off = 0;
    int from_client = dir == s->client_dir;
    while (off < len && s->mode == SV2_MODE_CLEAR) {
        if (s->skip[dir]) {
            size_t n = len - off;
            if (n > s->skip[dir])
                n = (size_t)s->skip[dir];
            s->skip[dir] -= n;
            off += n;
            continue;
        }
        struct sv2_frame f;
        long got = sv2_parse_frame(data + off, len - off, &f);
        if (got == SV2_NEED_MORE) {
            if (len - off < SV2_HEADER_LEN || f.msg_length <= SV2_MAX_PARSED_FRAME) {
                if (off == 0 && len >= SV2_HEADER_LEN)
                    ctx->need = SV2_HEADER_LEN + f.msg_length;
                break;
            }
            /* Too big to parse in place: skip it as it streams past. */
            off += SV2_HEADER_LEN;
            s->skip[dir] = f.msg_length;
            continue;
        }
        if (from_client && !s->setup_ok) {
            if (f.extension_type != 0 || f.msg_type != SV2_SETUP_CONNECTION) {
                s->mode = SV2_MODE_DONE;
                ctx->closed = 1;
                break;
            }
            sv2_on_setup(s, ctx, &f);
        } else if (!from_client && !s->server_replied) {
            if (!s->setup_ok) {
                s->mode = SV2_MODE_DONE; /* the server spoke first: not SV2 */
                ctx->closed = 1;
                break;
            }
            sv2_on_server_frame(s, ctx, &f);
        } else {
            sv2_on_mining_frame(s, ctx, from_client, &f);
        }
        off += (size_t)got;
    }
    if (s->mode != SV2_MODE_CLEAR)
        return (long)len;
    return (long)off;
}

static int sv2_distinct(const uint8_t seen[32])
{
    int n = 0;
    for (int i = 0; i < 32; i++)
        for (int b = 0; b < 8; b++)
            n += (seen[i] >> b) & 1;
    return n;
}

static void sv2_noise_check(struct sv2_state *s, struct mw_dctx *ctx)
{
    if (s->noise_reported || s->setup_ok || !s->server_started)
        return;
    int cd = s->client_dir < 0 ? MW_DIR_FWD : s->client_dir;
    if (s->client_before_server != SV2_NOISE_ACT1_LEN || s->bytes[!cd] != SV2_NOISE_ACT2_LEN)
        return;
    if (sv2_distinct(s->seen) < SV2_NOISE_MIN_DISTINCT)
        return;
    s->noise_reported = 1;
    struct mw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = MW_EV_PROTOCOL;
    ev.variant = MW_VAR_STRATUM2;
    ev.sides = MW_SIDE_CLIENT | MW_SIDE_SERVER;
    ev.client_dir = (uint8_t)cd;
    ev.suspicion = 1; /* the Noise shape only: sensor/detect/policy.c names its signature */
    int refport = sv2_is_reference_port(ctx->port[MW_DIR_REV]);
    ev.confidence = refport ? 40 : 25;
    const char *m = refport ? "NoiseHandshake(reference-port)" : "NoiseHandshake";
    mw_ev_set(ev.method, sizeof ev.method, m, strlen(m));
    ctx->emit(ctx, &ev);
}

/* Every direction is byte-counted whatever the mode, so the Noise shape is judged on the
 * exact amounts each side sent before the other answered. */
static void sv2_count(struct sv2_state *s, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len)
{
    int from_client = dir == s->client_dir;
    if (from_client) {
        if (s->server_started && s->bytes[dir] == s->client_before_server) {
            /* The client speaks again after the responder's act 2. */
            sv2_noise_check(s, ctx);
        }
        for (size_t i = 0; i < len && s->bytes[dir] + i < SV2_NOISE_ACT1_LEN; i++)
            s->seen[data[i] >> 3] |= (uint8_t)(1u << (data[i] & 7));
    } else if (!s->server_started) {
        s->server_started = 1;
        s->client_before_server = s->bytes[!dir];
    }
    s->bytes[dir] += len;
}

static long sv2_feed(void *vs, struct mw_dctx *ctx, int dir, const uint8_t *data, size_t len)
{
    struct sv2_state *s = vs;
    if (len == 0)
        return 0;
    if (s->mode == SV2_MODE_DONE)
        return (long)len;
    if (s->client_dir < 0)
        s->client_dir = (int8_t)(ctx->handshake_seen ? MW_DIR_FWD : dir);
    if (s->mode == SV2_MODE_START) {
        if (dir != s->client_dir) {
            s->mode = SV2_MODE_DONE; /* the responder spoke first */
            ctx->closed = 1;
            return (long)len;
        }
        if (len < SV2_HEADER_LEN)
            return 0; /* decide once the header is here */
        s->mode = sv2_looks_like_setup(data, len) ? SV2_MODE_CLEAR : SV2_MODE_NOISE;
    }
    if (s->mode == SV2_MODE_CLEAR) {
        long used = sv2_feed_clear(s, ctx, dir, data, len);
        if (used > 0)
            sv2_count(s, ctx, dir, data, (size_t)used);
        return used;
    }
    sv2_count(s, ctx, dir, data, len);
    /* Anything but 64 then 234 ends the watch; so does the client's next chunk, after
     * sv2_count has judged the shape. */
    int cd = s->client_dir < 0 ? MW_DIR_FWD : s->client_dir;
    if (s->bytes[cd] > SV2_NOISE_ACT1_LEN ||
        (s->server_started && s->client_before_server != SV2_NOISE_ACT1_LEN) ||
        s->bytes[!cd] > SV2_NOISE_ACT2_LEN) {
        s->mode = SV2_MODE_DONE;
        ctx->closed = 1;
    }
    return (long)len;
}

static void sv2_gap(void *vs, struct mw_dctx *ctx, int dir)
{
    struct sv2_state *s = vs;
    /* Lost bytes break both the framing and the byte-count shape. */
    s->mode = SV2_MODE_DONE;
    ctx->closed = 1;
}

static void sv2_fini(void *vs, struct mw_dctx *ctx)
{
    struct sv2_state *s = vs;
    if (s->mode == SV2_MODE_NOISE)
        sv2_noise_check(s, ctx);
}

const struct mw_dissector sv2_dissector = {
    .name = "stratum2",
    .transports = MW_TRANSPORT_TCP,
    .state_size = sizeof(struct sv2_state),
    .probe = sv2_probe,
    .init = sv2_init,
    .feed = sv2_feed,
    .gap = sv2_gap,
    .fini = sv2_fini,
    .events = (const char *const[]){ [SV2_EV_BAD_SETUP] = "bad_setup",
                                     [SV2_EV_BAD_SETUP_REPLY] = "bad_setup_reply" },
    .nevents = SV2_EV_COUNT,
};
