#!/usr/bin/env python3
"""minewatch-report over EVE files the sensor wrote for our own generated captures.

The EVE stream comes from minewatch runs over mwgen scenarios (multi-pool with GeoIP
databases built by tests/tools/mkmmdb.py, demo, dns-pool-lookup, allowlisted-miner), is
rotated as logrotate leaves it (an older eve.json.1.gz and the current eve.json, the cut
falling inside one host's events) and ends in a line the sensor was still writing. The
expected hosts, verdicts, pools, workers, countries and AS follow from the scenarios
(tests/gen/scen_names.c) and docs/detection.md, not from a previous run.
"""
import csv
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
TOOL = os.path.join(SRC, "tools", "minewatch-report")
BIN = os.environ.get("MW_BINARY_DIR", "")

WALLET = "48MASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4deS4F3cw9KTAb8dLcukC7edhDQ7cn5d4gEYkbUrMWeWQLGsCmrG6dLaYyNoVK"
MULTI = "10.20.10.10"
MULTI_POOLS = ["89.160.20.130", "214.78.0.10", "216.160.83.57"]
CITY = {"database_type": "minewatch-Test-City", "languages": ["en"], "networks": [
    {"network": "89.160.20.0/24", "data": {"country": {"iso_code": "NO"}, "city": {"names": {"en": "Bergen"}}}},
    {"network": "214.78.0.0/16", "data": {"country": {"iso_code": "FI"}}}]}
ASN = {"database_type": "minewatch-Test-ASN", "networks": [
    {"network": "89.160.0.0/16", "data": {"autonomous_system_number": 64500,
                                         "autonomous_system_organization": "Example Pool Hosting"}},
    {"network": "214.78.0.0/16", "data": {"autonomous_system_number": 64501}}]}

# host -> (verdict, pools, workers, countries, AS), from the scenarios.
EXPECTED = {
    MULTI: ("miner", MULTI_POOLS, ["multi.rig1", WALLET + ".multi", "multi.rig2"], ["NO", "FI"],
            ["AS64500 Example Pool Hosting", "AS64501"]),
    "10.20.8.82": ("miner", ["198.51.100.80"], ["demo.worker1"], [], []),
    "10.20.8.83": ("miner", ["xmr-eu1.nanopool.org", "198.51.100.81"], [WALLET + ".demo"], [], []),
    "10.20.7.71": ("likely-miner", ["xmr-eu1.nanopool.org"], [], [], []),
    "10.20.9.9": ("authorised", ["198.51.100.99"], ["labrig.approved"], [], []),
}


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, timeout=120, **kw)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d: %s" % (cmd, p.returncode, p.stderr.decode(errors="replace")))
    return p


class OwnEveReport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mw, gen = os.path.join(BIN, "minewatch"), os.path.join(BIN, "mwgen")
        if not (os.access(mw, os.X_OK) and os.access(gen, os.X_OK)):
            raise AssertionError("MW_BINARY_DIR=%r has no minewatch and mwgen (run under ctest)" % BIN)
        cls.tmp = tempfile.TemporaryDirectory()
        t = cls.tmp.name
        for name, desc in (("city.mmdb", CITY), ("asn.mmdb", ASN)):
            run([sys.executable, os.path.join(SRC, "tests", "tools", "mkmmdb.py"), "-o",
                 os.path.join(t, name), "-"], input=json.dumps(desc).encode())
        conf = os.path.join(t, "geo.yaml")
        with open(conf, "w") as f:
            f.write("geoip:\n  enabled: yes\n  city-database: %s/city.mmdb\n  asn-database: %s/asn.mmdb\n" % (t, t))
        rules = os.path.join(SRC, "tests", "pcap", "cases", "allowlisted-miner.rules.yaml")
        lines = []
        for scen, args in (("multi-pool", ["-c", conf]), ("demo", []), ("dns-pool-lookup", []),
                           ("allowlisted-miner", ["-s", rules])):
            pcap, eve = os.path.join(t, scen + ".pcap"), os.path.join(t, scen + ".json")
            run([gen, scen, pcap])
            run([mw, "-r", pcap, "--eve", eve] + args)
            with open(eve, "rb") as f:
                lines += f.read().splitlines(keepends=True)
        # logrotate's layout: the older part compressed, the cut inside MULTI's host events.
        host_lines = [i for i, l in enumerate(lines) if b'"event_type":"host"' in l and MULTI.encode() in l]
        cut = host_lines[len(host_lines) // 2]
        cls.rotated = os.path.join(t, "eve.json.1.gz")
        with gzip.open(cls.rotated, "wb") as f:
            f.write(b"".join(lines[:cut]))
        cls.current = os.path.join(t, "eve.json")
        with open(cls.current, "wb") as f:
            f.write(b"".join(lines[cut:]))
            # still being written: half of an alert from a host seen nowhere else
            alert = next(l for l in lines if b'"event_type":"alert"' in l).replace(b"10.20.10.10", b"10.20.99.99")
            f.write(alert[:len(alert) // 2])
        cls.parts = (lines[:cut], lines[cut:])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def report(self, *args):
        p = subprocess.run([sys.executable, TOOL, *args, self.rotated, self.current],
                           capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"last line is truncated", p.stderr)
        return p.stdout.decode()

    def test_fixture_cut_inside_one_host(self):
        for part in self.parts:
            self.assertTrue(any(MULTI.encode() in l for l in part))

    def test_json(self):
        hosts = {h["host"]: h for h in json.loads(self.report("--json"))}
        self.assertEqual(set(hosts), set(EXPECTED))
        for ip, (verdict, pools, workers, countries, ases) in EXPECTED.items():
            h = hosts[ip]
            with self.subTest(host=ip):
                self.assertEqual(h["verdict"], verdict)
                self.assertEqual(h["verdict_source"], "host-event")
                self.assertEqual(sorted(h["pools"]), sorted(pools))
                self.assertEqual(sorted(h["workers"]), sorted(workers))
                self.assertEqual(sorted(h["countries"]), sorted(countries))
                self.assertEqual(sorted(h["as"]), sorted(ases))
        self.assertEqual(hosts[MULTI]["alerts"], 3)  # the reconnect to pool A is throttled
        self.assertEqual(hosts["10.20.9.9"]["alerts"], 0)  # allowlisted: no alert at all

    def test_csv(self):
        rows = {r["host"]: r for r in csv.DictReader(io.StringIO(self.report("--csv")))}
        self.assertEqual(set(rows), set(EXPECTED))
        for ip, (verdict, pools, workers, countries, ases) in EXPECTED.items():
            r = rows[ip]
            with self.subTest(host=ip):
                self.assertEqual(r["verdict"], verdict)
                self.assertEqual(sorted(filter(None, r["pools"].split(";"))), sorted(pools))
                self.assertEqual(sorted(filter(None, r["workers"].split(";"))), sorted(workers))
                self.assertEqual(sorted(filter(None, r["countries"].split(";"))), sorted(countries))
                self.assertEqual(sorted(filter(None, r["as"].split(";"))), sorted(ases))

    def test_table(self):
        out = self.report("--width", "0")
        rows = {l.split()[0]: l for l in out.splitlines()[1:]}
        self.assertEqual(set(rows), set(EXPECTED))
        for ip, (verdict, pools, workers, countries, ases) in EXPECTED.items():
            with self.subTest(host=ip):
                self.assertEqual(rows[ip].split()[1], verdict)
                for v in pools + workers + countries + ases:
                    self.assertIn(v, rows[ip])

    def test_geo_from_host_events_alone(self):
        """With the alerts filtered out, the pools' geography still comes from host events."""
        only_hosts = os.path.join(self.tmp.name, "hosts-only.json")
        with open(only_hosts, "wb") as f:
            f.write(b"".join(l for part in self.parts for l in part if b'"event_type":"host"' in l))
        p = subprocess.run([sys.executable, TOOL, "--json", only_hosts], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        h = {x["host"]: x for x in json.loads(p.stdout)}[MULTI]
        self.assertEqual(sorted(h["countries"]), ["FI", "NO"])
        self.assertEqual(sorted(h["as"]), ["AS64500 Example Pool Hosting", "AS64501"])


if __name__ == "__main__":
    unittest.main()
