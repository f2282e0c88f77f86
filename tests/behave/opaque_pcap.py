#!/usr/bin/env python3
"""opaque_pcap.py - rewrite a capture so every TCP payload is opaque (stdlib only).

usage: opaque_pcap.py IN.pcap|IN.pcapng OUT.pcap [SEED]

Each TCP segment keeps its length, direction, sequence numbers and timestamp; its payload
bytes are replaced by deterministic pseudo-random bytes, as if the session had been
encrypted. This replays real mining captures (../shared/pcaps/mining) through the
behaviour detector with their real timing and sizes: the plaintext dissectors see
nothing they recognise, so only behaviour can alert. Ethernet (with 802.1Q tags), raw IP
and Linux cooked (SLL) links; IPv4 and IPv6 without extension headers. Other packets are
copied unchanged. Transport checksums are left as they were (minewatch does not check
them). Writes classic pcap with the input's link type.
"""
import random
import struct
import sys


def read_packets(path):
    """Yields (linktype, ts_sec, ts_usec, data) for pcap and pcapng."""
    with open(path, "rb") as f:
        blob = f.read()
    magic = blob[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
        le = magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        e = "<" if le else ">"
        linktype = struct.unpack(e + "I", blob[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(blob):
            sec, frac, incl, _orig = struct.unpack(e + "IIII", blob[off:off + 16])
            data = blob[off + 16:off + 16 + incl]
            off += 16 + incl
            yield linktype, sec, frac // 1000 if nano else frac, data
        return
    if magic != b"\x0a\x0d\x0d\x0a":
        raise SystemExit("opaque_pcap: %s is not a pcap or pcapng file" % path)
    off, e, ifaces = 0, "<", []
    while off + 12 <= len(blob):
        btype = blob[off:off + 4]
        if btype == b"\x0a\x0d\x0d\x0a":
            e = "<" if blob[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        btype, blen = struct.unpack(e + "II", blob[off:off + 8])
        if blen < 12:
            break
        body = blob[off + 8:off + blen - 4]
        if btype == 1:  # interface description: link type, timestamp resolution option
            lt = struct.unpack(e + "H", body[0:2])[0]
            res, o = 6, 8
            while o + 4 <= len(body):
                code, ln = struct.unpack(e + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9 and ln >= 1:
                    v = body[o + 4]
                    res = v if v < 128 else None
                o += 4 + ((ln + 3) & ~3)
            ifaces.append((lt, res if res is not None else 6))
        elif btype == 6 and len(body) >= 20:  # enhanced packet
            iface, hi, lo, incl, _orig = struct.unpack(e + "IIIII", body[:20])
            lt, res = ifaces[iface] if iface < len(ifaces) else (1, 6)
            ts = (hi << 32) | lo
            div = 10 ** res
            sec, frac = divmod(ts, div)
            yield lt, sec, frac * 1000000 // div, body[20:20 + incl]
        elif btype == 3 and len(body) >= 4:  # simple packet
            lt, _res = ifaces[0] if ifaces else (1, 6)
            yield lt, 0, 0, body[4:]
        off += blen


def l3_offset(linktype, data):
    if linktype == 1:  # Ethernet
        off, etype = 14, struct.unpack(">H", data[12:14])[0] if len(data) >= 14 else 0
        while etype in (0x8100, 0x88A8) and len(data) >= off + 4:
            etype = struct.unpack(">H", data[off + 2:off + 4])[0]
            off += 4
        return off if etype in (0x0800, 0x86DD) else None
    if linktype in (101, 12, 14):  # raw IP
        return 0
    if linktype == 113:  # Linux cooked
        return 16
    return None


def opaque(data, off, rng):
    """The packet with its TCP payload (if any) replaced by random bytes."""
    if off is None or len(data) < off + 20:
        return data
    ver = data[off] >> 4
    if ver == 4:
        ihl = (data[off] & 0x0F) * 4
        proto = data[off + 9]
        total = struct.unpack(">H", data[off + 2:off + 4])[0]
        frag = struct.unpack(">H", data[off + 6:off + 8])[0] & 0x1FFF
        if proto != 6 or frag:
            return data
        l4, end = off + ihl, min(len(data), off + total)
    elif ver == 6:
        if len(data) < off + 40 or data[off + 6] != 6:
            return data
        l4, end = off + 40, min(len(data), off + 40 + struct.unpack(">H", data[off + 4:off + 6])[0])
    else:
        return data
    if end < l4 + 20:
        return data
    start = l4 + (data[l4 + 12] >> 4) * 4
    if start >= end:
        return data
    noise = bytes(rng.getrandbits(8) for _ in range(end - start))
    return data[:start] + noise + data[end:]


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    rng = random.Random(int(argv[3]) if len(argv) == 4 else 1)
    out, linktype = [], None
    for lt, sec, usec, data in read_packets(argv[1]):
        if linktype is None:
            linktype = lt
        if lt != linktype:
            continue  # one link type per output file
        data = opaque(data, l3_offset(lt, data), rng)
        out.append(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)
    with open(argv[2], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype or 1))
        f.writelines(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
