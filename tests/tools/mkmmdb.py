#!/usr/bin/env python3
"""mkmmdb.py - write a small MaxMind DB (format 2.0) from a JSON or command-line description.

Our own writer, from the MaxMind DB File Format Specification 2.0, for tests: it lets the
test suite build City-like and ASN-like databases at test time instead of shipping
third-party files.  Standard library only.

Layout written (spec sections in brackets):
  search tree [Binary Search Tree Section]  IPv6 tree, record size 24, node 0 first,
                                            two big-endian 24-bit records per node
  16 zero bytes [Data Section Separator]
  data section [Output Data Section]        maps, UTF-8 strings, uint16/32/64, int32,
                                            doubles, booleans, arrays; repeated strings
                                            (map keys included) become pointers
  "\\xab\\xcd\\xefMaxMind.com" + metadata map [Database Metadata]

IPv4 networks go under ::/96 (a.b.c.d/n is stored as ::a.b.c.d/(96+n)); that is where
readers such as libmaxminddb descend for an IPv4 lookup in an ip_version 6 tree.  No
::ffff:0:0/96 or 2002::/16 alias is written (the spec leaves aliases to the creator).

Description (JSON):
  {"database_type": "minewatch-Test-City", "languages": ["en"],
   "description": {"en": "..."}, "build_epoch": 1700000000,
   "networks": [{"network": "81.2.69.0/24", "data": {"country": {"iso_code": "GB"}}}, ...]}
Command line instead of (or on top of) a file:
  mkmmdb.py -o out.mmdb --type T --net '1.128.0.0/11={"autonomous_system_number": 1221}'
Integers in data are uint32 (uint64 above 2**32-1, int32 when negative).  When networks
overlap, the more specific one wins inside its range whatever the order given.
"""

import argparse
import ipaddress
import json
import struct
import sys

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"
RECORD_SIZE = 24

# Type numbers [Output Data Section].
T_POINTER, T_STRING, T_DOUBLE, T_BYTES, T_UINT16, T_UINT32, T_MAP = 1, 2, 3, 4, 5, 6, 7
T_INT32, T_UINT64, T_UINT128, T_ARRAY, T_BOOLEAN = 8, 9, 10, 11, 14


class UInt:
    """An unsigned integer of an explicit MMDB type (metadata needs uint16 and uint64)."""

    def __init__(self, value, type_num):
        self.value = value
        self.type_num = type_num


class Encoder:
    """Appends encoded fields to one buffer; offsets are relative to its start."""

    def __init__(self, use_pointers):
        self.buf = bytearray()
        self.use_pointers = use_pointers
        self.strings = {}

    def _control(self, type_num, size):
        # Control byte: 3 type bits, 5 size bits; types above 7 are "extended" (0, then type-7).
        if size < 29:
            first, extra = size, b""
        elif size < 29 + 256:
            first, extra = 29, bytes([size - 29])
        elif size < 285 + 65536:
            first, extra = 30, struct.pack(">H", size - 285)
        elif size < 65821 + (1 << 24):
            first, extra = 31, struct.pack(">I", size - 65821)[1:]
        else:
            raise ValueError("field too large for the MMDB format")
        if type_num <= 7:
            self.buf += bytes([(type_num << 5) | first])
        else:
            self.buf += bytes([first, type_num - 7])
        self.buf += extra

    def _pointer(self, target):
        # 001SSVVV: sizes 0..3 hold 11, 19 (+2048), 27 (+526336) and 32-bit values.
        if target < 2048:
            self.buf += bytes([0x20 | (target >> 8), target & 0xFF])
        elif target < 2048 + (1 << 19):
            v = target - 2048
            self.buf += bytes([0x28 | (v >> 16), (v >> 8) & 0xFF, v & 0xFF])
        elif target < 526336 + (1 << 27):
            v = target - 526336
            self.buf += bytes([0x30 | (v >> 24), (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF])
        else:
            self.buf += bytes([0x38]) + struct.pack(">I", target)

    @staticmethod
    def _uint_bytes(value, width):
        raw = value.to_bytes(width, "big")
        return raw.lstrip(b"\x00")  # integers use as few bytes as needed; 0 has none

    def encode(self, value):
        if isinstance(value, bool):
            self._control(T_BOOLEAN, 1 if value else 0)
        elif isinstance(value, UInt):
            width = {T_UINT16: 2, T_UINT32: 4, T_UINT64: 8, T_UINT128: 16}[value.type_num]
            raw = self._uint_bytes(value.value, width)
            self._control(value.type_num, len(raw))
            self.buf += raw
        elif isinstance(value, int):
            if 0 <= value < (1 << 32):
                self.encode(UInt(value, T_UINT32))
            elif value >= 0:
                self.encode(UInt(value, T_UINT64 if value < (1 << 64) else T_UINT128))
            elif value >= -(1 << 31):
                raw = struct.pack(">i", value)
                self._control(T_INT32, 4)
                self.buf += raw
            else:
                raise ValueError("negative integer below int32: %d" % value)
        elif isinstance(value, float):
            self._control(T_DOUBLE, 8)
            self.buf += struct.pack(">d", value)
        elif isinstance(value, str):
            raw = value.encode("utf-8")
            if self.use_pointers and len(raw) > 3 and value in self.strings:
                self._pointer(self.strings[value])
                return
            if self.use_pointers:
                self.strings[value] = len(self.buf)
            self._control(T_STRING, len(raw))
            self.buf += raw
        elif isinstance(value, (bytes, bytearray)):
            self._control(T_BYTES, len(value))
            self.buf += value
        elif isinstance(value, dict):
            self._control(T_MAP, len(value))
            for k, v in value.items():
                if not isinstance(k, str):
                    raise ValueError("map keys must be strings")
                self.encode(k)
                self.encode(v)
        elif isinstance(value, (list, tuple)):
            self._control(T_ARRAY, len(value))
            for v in value:
                self.encode(v)
        else:
            raise ValueError("cannot encode %r" % (value,))


def parse_network(text):
    """Returns (128-bit int, prefix length over 128 bits)."""
    net = ipaddress.ip_network(text, strict=False)
    if net.version == 4:
        return int(net.network_address), 96 + net.prefixlen
    return int(net.network_address), net.prefixlen


class Node:
    __slots__ = ("rec", "num")

    def __init__(self):
        self.rec = [None, None]  # None = empty, int = data offset, Node = subtree
        self.num = -1


def insert(root, addr, plen, data_off):
    node = root
    for depth in range(plen):
        bit = (addr >> (127 - depth)) & 1
        if depth == plen - 1:
            node.rec[bit] = data_off
            return
        child = node.rec[bit]
        if not isinstance(child, Node):
            # Split an empty or data record: both halves keep what the wider range had.
            n = Node()
            n.rec = [child, child]
            node.rec[bit] = n
            child = n
        node = child
    raise ValueError("prefix length 0 is not supported")


def build(desc):
    networks = desc.get("networks", [])
    data = Encoder(use_pointers=True)
    record_offsets = {}
    parsed = []
    for item in networks:
        addr, plen = parse_network(item["network"])
        key = json.dumps(item["data"], sort_keys=True)
        if key not in record_offsets:
            record_offsets[key] = len(data.buf)
            data.encode(item["data"])
        parsed.append((plen, addr, record_offsets[key]))
    # Wider networks first, so a more specific one overrides inside its range.
    parsed.sort(key=lambda t: t[0])
    root = Node()
    for plen, addr, off in parsed:
        insert(root, addr, plen, off)

    order = []
    stack = [root]
    while stack:
        n = stack.pop()
        n.num = len(order)
        order.append(n)
        for child in reversed(n.rec):
            if isinstance(child, Node):
                stack.append(child)
    node_count = len(order)

    def value(rec):
        if rec is None:
            return node_count
        if isinstance(rec, Node):
            return rec.num
        return node_count + 16 + rec

    tree = bytearray()
    for n in order:
        for rec in n.rec:
            v = value(rec)
            if v >= (1 << RECORD_SIZE):
                raise ValueError("database too large for 24-bit records")
            tree += v.to_bytes(3, "big")

    meta = Encoder(use_pointers=False)
    meta.encode({
        "binary_format_major_version": UInt(2, T_UINT16),
        "binary_format_minor_version": UInt(0, T_UINT16),
        # libmaxminddb rejects a zero build_epoch; a fixed default keeps output reproducible.
        "build_epoch": UInt(int(desc.get("build_epoch", 1700000000)), T_UINT64),
        "database_type": desc.get("database_type", "minewatch-Test"),
        "description": desc.get("description", {"en": "minewatch test database"}),
        "ip_version": UInt(6, T_UINT16),
        "languages": desc.get("languages", ["en"]),
        "node_count": UInt(node_count, T_UINT32),
        "record_size": UInt(RECORD_SIZE, T_UINT16),
    })
    return bytes(tree) + bytes(16) + bytes(data.buf) + METADATA_MARKER + bytes(meta.buf)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("description", nargs="?", help="JSON description file ('-' = stdin)")
    ap.add_argument("-o", "--output", required=True, help="database file to write")
    ap.add_argument("--type", help="database_type")
    ap.add_argument("--net", action="append", default=[], metavar="CIDR=JSON",
                    help="a network and its data record (repeatable)")
    args = ap.parse_args(argv)

    desc = {}
    if args.description:
        fh = sys.stdin if args.description == "-" else open(args.description, encoding="utf-8")
        with fh:
            desc = json.load(fh)
    if args.type:
        desc["database_type"] = args.type
    nets = list(desc.get("networks", []))
    for spec in args.net:
        cidr, sep, js = spec.partition("=")
        if not sep:
            ap.error("--net needs CIDR=JSON: %r" % spec)
        nets.append({"network": cidr, "data": json.loads(js)})
    desc["networks"] = nets
    try:
        blob = build(desc)
    except (ValueError, KeyError) as e:
        print("mkmmdb: %s" % e, file=sys.stderr)
        return 1
    with open(args.output, "wb") as out:
        out.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
