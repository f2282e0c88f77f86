#!/usr/bin/env python3
"""SIEM conformance: tools/eve-lint on hand-written EVE lines, then on the sensor's real output.

The checks are what docs/siem.md says the Elastic, Wazuh and Splunk consumers need. Every
bad line below breaks exactly one rule, so each violation is shown to be reported on its own.
"""

import copy
import gzip
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
LINT = os.path.join(HERE, "..", "..", "tools", "eve-lint")
REPORT = os.path.join(HERE, "..", "..", "tools", "minewatch-report")

ALERT = {  # docs/eve.md's example, complete
    "timestamp": "2026-11-23T10:00:00.000000+0000", "flow_id": 1234, "event_type": "alert",
    "vlan": [100, 20], "src_ip": "10.0.0.5", "src_port": 51000, "dest_ip": "198.51.100.7",
    "dest_port": 3333, "proto": "TCP", "app_proto": "stratum",
    "community_id": "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "host": "sensor1",
    "alert": {"action": "allowed", "gid": 1, "signature_id": 8100001, "rev": 1,
              "signature": "MINEWATCH MINING Stratum V1 mining session",
              "category": "Crypto Currency Mining Activity Detected", "severity": 1},
    "mining": {"variant": "stratum1", "method": "mining.subscribe", "agent": "cgminer/4.10.0",
               "worker": "alice.rig1", "confirmed_by": "both", "confidence": 95,
               "geoip": {"country": "DE", "city": "Falkenstein", "asn": 64500, "as_org": "Example"}},
}
DNS_ALERT = {
    "timestamp": "2026-11-23T10:00:01.250000+0000", "flow_id": 2 ** 51 - 1, "event_type": "alert",
    "src_ip": "2001:db8::5", "src_port": 40000, "dest_ip": "2001:db8::53", "dest_port": 53,
    "proto": "UDP", "app_proto": "dns", "host": "sensor1",
    "alert": {"action": "allowed", "gid": 1, "signature_id": 8100101, "rev": 1,
              "signature": "MINEWATCH POOL DNS lookup of a mining pool",
              "category": "Crypto Currency Mining Activity Detected", "severity": 3},
    "mining": {"variant": "dns", "method": "answer", "pool_host": "xmr.pool.example.net",
               "list": "pools", "list_category": "pool", "confidence": 20},
    "dns": {"version": 2, "type": "answer", "id": 4711, "rrname": "xmr.pool.example.net",
            "rrtype": "A", "rcode": "NOERROR",
            "answers": [{"rrname": "xmr.pool.example.net", "rrtype": "A", "ttl": 300,
                         "rdata": "203.0.113.20"}]},
}
FLOW = {
    "timestamp": "2026-11-23T10:05:00.000000+0000", "flow_id": 1234, "event_type": "flow",
    "src_ip": "10.0.0.5", "src_port": 51000, "dest_ip": "198.51.100.7", "dest_port": 3333,
    "proto": "TCP", "app_proto": "stratum", "host": "sensor1",
    "flow": {"pkts_toserver": 10, "pkts_toclient": 9, "bytes_toserver": 900,
             "bytes_toclient": 2000, "start": "2026-11-23T10:00:00.000000+0000",
             "end": "2026-11-23T10:05:00.000000+0000", "age": 300, "alerted": True,
             "reason": "timeout"},
    "mining": {"variant": "stratum1", "shares_submitted": 3, "shares_accepted": 3,
               "shares_rejected": 0, "jobs": 2, "difficulty": 65536},
}
HOST = {
    "timestamp": "2026-11-23T10:00:02.000000+0000", "event_type": "host", "src_ip": "10.0.0.5",
    "host": "sensor1",
    "mining_host": {"ip": "10.0.0.5", "verdict": "miner", "reason": "verdict-change",
                    "score": 100, "confidence": 100,
                    "first_seen": "2026-11-23T10:00:00.000000+0000",
                    "last_seen": "2026-11-23T10:00:00.000000+0000", "findings": 1,
                    "pools": ["198.51.100.7"], "workers": ["alice.rig1"],
                    "agents": ["cgminer/4.10.0"], "algos": [], "coins": [],
                    "variants": ["stratum1"]},
}
STATS = {"timestamp": "2026-11-23T11:00:00.000000+0000", "event_type": "stats", "host": "sensor1",
         "stats": {"uptime": 3600, "capture": {"kernel_packets": 10, "kernel_drops": 0,
                                               "kernel_ifdrops": 0},
                   "decoder": {"pkts": 10, "bytes": 900},
                   "minewatch": {"eve": {"lines_too_long": 0}}}}
GOOD = [ALERT, DNS_ALERT, FLOW, HOST, STATS]


def dumps(ev):
    return json.dumps(ev, separators=(",", ":"), ensure_ascii=False).encode()


def mutate(base, path, value):
    ev = copy.deepcopy(base)
    *parents, last = path
    d = ev
    for p in parents:
        d = d[p]
    if value is DELETE:
        del d[last]
    else:
        d[last] = value
    return dumps(ev)


DELETE = object()

# (expected code, raw line): each breaks one rule
BAD = [
    ("json", b'{"timestamp":"2026-11-23T10:00:00.000000+0000","event_type":"alert"'),
    ("json", b"NaN"),
    ("json", dumps(ALERT).replace(b'"confidence":95', b'"confidence":NaN')),
    ("utf8", dumps(ALERT).replace(b"alice.rig1", b"alice\xff\xferig1")),
    ("too-long", mutate(ALERT, ["mining", "worker"], "w" * 21000)),
    ("not-object", b'["timestamp"]'),
    ("duplicate-key", dumps(ALERT).replace(b'"proto":"TCP"', b'"proto":"TCP","proto":"UDP"')),
    ("timestamp", mutate(ALERT, ["timestamp"], "2026-11-23T10:00:00.000000+0100")),
    ("timestamp", mutate(ALERT, ["timestamp"], "2026-11-23T10:00:00+0000")),
    ("timestamp", mutate(ALERT, ["timestamp"], "2026-11-23 10:00:00.000000+0000")),
    ("timestamp", mutate(ALERT, ["timestamp"], 1763892000)),
    ("timestamp", mutate(STATS, ["timestamp"], DELETE)),
    ("event_type", mutate(ALERT, ["event_type"], DELETE)),
    ("event_type", mutate(HOST, ["event_type"], 7)),
    ("ip", mutate(ALERT, ["src_ip"], "10.0.0.256")),
    ("ip", mutate(ALERT, ["dest_ip"], 3325256807)),
    ("ip", mutate(HOST, ["src_ip"], "2001:db8::5::1")),
    ("port", mutate(ALERT, ["dest_port"], "3333")),
    ("array-of-objects", mutate(HOST, ["mining_host", "pools"], [{"name": "p"}])),
    ("array-of-objects", mutate(ALERT, ["mining", "extra"], [1, {"a": 1}])),
    ("array-of-objects", mutate(DNS_ALERT, ["dns", "grouped"], [{"A": ["1.2.3.4"]}])),
    ("alert", mutate(ALERT, ["alert", "signature_id"], "8100001")),
    ("alert", mutate(ALERT, ["alert", "signature_id"], 8100001.0)),
    ("alert", mutate(ALERT, ["alert", "severity"], 0)),
    ("alert", mutate(ALERT, ["alert", "severity"], 4)),
    ("alert", mutate(ALERT, ["alert", "severity"], True)),
    ("alert", mutate(ALERT, ["alert", "category"], DELETE)),
    ("alert", mutate(ALERT, ["alert", "category"], 5)),
    ("alert", mutate(ALERT, ["alert"], DELETE)),
    ("flow_id", mutate(ALERT, ["flow_id"], 2 ** 53)),
    ("flow_id", mutate(ALERT, ["flow_id"], -1)),
    ("flow_id", mutate(ALERT, ["flow_id"], "1234")),
    ("vlan", mutate(ALERT, ["vlan"], 100)),
    ("vlan", mutate(ALERT, ["vlan"], [100, "20"])),
    ("host", mutate(HOST, ["host"], {"ip": "10.0.0.5"})),
]


def lint(data, *args):
    p = subprocess.run([sys.executable, LINT] + list(args), input=data, capture_output=True,
                       timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class EveLintTest(unittest.TestCase):
    def test_good_lines_pass(self):
        data = b"".join(dumps(e) + b"\n" for e in GOOD)
        rc, out, err = lint(data)
        self.assertEqual((rc, out), (0, ""), err)
        self.assertIn("5 lines, 0 with violations", err)

    def test_suricata_own_dns_answers_allowed(self):
        # The documented exception: Suricata's DNS v2 answers (Wazuh skips it, see docs/siem.md)
        rc, out, _ = lint(dumps(DNS_ALERT) + b"\n")
        self.assertEqual(rc, 0, out)

    def test_each_violation_reported(self):
        for i, (code, line) in enumerate(BAD):
            with self.subTest(i=i, code=code):
                rc, out, _ = lint(line + b"\n")
                self.assertEqual(rc, 1, out)
                codes = [l.split(": ")[1] for l in out.splitlines()]
                self.assertEqual(codes, [code], out)
                self.assertTrue(out.startswith("-:1: "), out)

    def test_line_numbers_in_a_mixed_stream(self):
        lines = [dumps(GOOD[0]), BAD[14][1], dumps(GOOD[2]), BAD[29][1]]
        rc, out, err = lint(b"\n".join(lines) + b"\n")
        self.assertEqual(rc, 1)
        self.assertEqual([l.split(": ")[0] for l in out.splitlines()], ["-:2", "-:4"])
        self.assertIn("4 lines, 2 with violations", err)

    def test_missing_final_newline_and_crlf(self):
        rc, out, _ = lint(dumps(ALERT))
        self.assertEqual(rc, 1)
        self.assertIn("newline", out)
        rc, out, _ = lint(dumps(ALERT) + b"\r\n")
        self.assertEqual(rc, 1)
        self.assertIn("crlf", out)

    def test_gzip_file_and_exit_codes(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "eve.json.1.gz")
            with gzip.open(p, "wb") as f:
                f.write(b"".join(dumps(e) + b"\n" for e in GOOD))
            self.assertEqual(lint(b"", p)[0], 0)
            self.assertEqual(lint(b"", os.path.join(d, "missing"))[0], 1)
        self.assertEqual(lint(b"", "--bogus")[0], 2)

    def test_no_raw_control_characters_in_messages(self):
        line = mutate(ALERT, ["src_ip"], "\u001b[2J10.0.0.1")
        rc, out, _ = lint(line + b"\n")
        self.assertEqual(rc, 1)
        self.assertNotIn("\x1b", out)


class SensorOutputTest(unittest.TestCase):
    """Run the real sensor on the demo capture and lint what it writes."""

    def test_sensor_output_conforms(self):
        bindir = os.environ.get("MW_BINARY_DIR")
        srcdir = os.environ.get("MW_SOURCE_DIR", os.path.join(HERE, "..", ".."))
        if not bindir:
            self.skipTest("MW_BINARY_DIR not set (run under ctest to lint the sensor's output)")
        sensor = os.path.join(bindir, "minewatch")
        pcap = os.path.join(srcdir, "tests", "pcap", "data", "demo.pcap")
        for need in (sensor, pcap):
            if not os.path.exists(need):
                self.skipTest("%s not found: sensor output not linted" % need)
        with tempfile.TemporaryDirectory() as d:
            eve = os.path.join(d, "eve.json")
            p = subprocess.run([sensor, "-r", pcap, "--eve", eve], capture_output=True,
                               timeout=300)
            self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
            with open(eve, "rb") as f:
                data = f.read()
            self.assertTrue(data, "the sensor wrote no EVE lines (not even stats)")
            rc, out, err = lint(data)
            self.assertEqual(rc, 0, out + err)
            # and the analyst report reads it
            r = subprocess.run([sys.executable, REPORT, "--json", eve], capture_output=True,
                               timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
            json.loads(r.stdout)
            sys.stderr.write("sensor output: %d lines linted clean\n" % data.count(b"\n"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
