#!/usr/bin/env python3
"""pcap_cnt: every alert from a capture file names the packet that raised it, as Suricata does.

For the demo capture and several generated scenarios (IPv6 in VLAN, IP fragments, HTTP,
WebSocket, several pools), tshark (an independent dissector) lists every frame; each
alert's pcap_cnt must be a frame of the alert's own flow (addresses and ports, either
direction) whose time is the alert's timestamp. Skips (77) without tshark.
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ.get("MW_BINARY_DIR", "")
SRC = os.environ.get("MW_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCENARIOS = ["stratum1-btc", "stratum1-ipv6-vlan", "dns-fragmented", "getwork-http", "webminer-ws",
             "multi-pool", "tls-sni-pool-highport", "stratum1-ooo"]
FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"]


def frames(pcap):
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "occurrence=l"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        src, dst = v["ip.src"] or v["ipv6.src"], v["ip.dst"] or v["ipv6.dst"]
        sp, dp = v["tcp.srcport"] or v["udp.srcport"], v["tcp.dstport"] or v["udp.dstport"]
        table[int(v["frame.number"])] = (v["frame.time_epoch"], src, dst, sp, dp)
    return table


def epoch(ts):
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f%z")
    return "%d.%06d" % (int(t.timestamp()), t.microsecond)


def check(pcap, tag):
    eve = subprocess.run([os.path.join(BIN, "minewatch"), "-r", pcap, "--eve", "-"],
                         capture_output=True, text=True, check=True).stdout
    alerts = [e for e in map(json.loads, eve.splitlines()) if e["event_type"] == "alert"]
    if not alerts:
        raise SystemExit("FAIL %s: no alert" % tag)
    table = frames(pcap)
    for a in alerts:
        n = a.get("pcap_cnt")
        if not isinstance(n, int) or n not in table:
            raise SystemExit("FAIL %s: alert %s has pcap_cnt %r (file has %d frames)"
                             % (tag, a["alert"]["signature_id"], n, len(table)))
        t, src, dst, sp, dp = table[n]
        mine = {(a["src_ip"], str(a.get("src_port", ""))), (a["dest_ip"], str(a.get("dest_port", "")))}
        if {(src, sp), (dst, dp)} != mine:
            raise SystemExit("FAIL %s: pcap_cnt %d is %s:%s -> %s:%s, not the alert's flow %s"
                             % (tag, n, src, sp, dst, dp, sorted(mine)))
        # tshark prints the epoch with nanoseconds: compare to the microsecond
        if t[:len(epoch(a["timestamp"]))] != epoch(a["timestamp"]):
            raise SystemExit("FAIL %s: pcap_cnt %d is at %s, the alert at %s" % (tag, n, t, a["timestamp"]))
    print("%s: %d alerts, each pcap_cnt is a packet of its flow at its time" % (tag, len(alerts)))
    return len(alerts)


def main():
    if not shutil.which("tshark"):
        print("SKIP: tshark not installed (Debian package tshark, README Quick start)")
        return 77
    total = check(os.path.join(SRC, "tests", "pcap", "data", "demo.pcap"), "demo")
    with tempfile.TemporaryDirectory(prefix="mw-pcapcnt-") as work:
        for sc in SCENARIOS:
            pcap = os.path.join(work, sc + ".pcap")
            subprocess.run([os.path.join(BIN, "mwgen"), sc, pcap], check=True, capture_output=True)
            total += check(pcap, sc)
    print("PASS: %d alerts" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
