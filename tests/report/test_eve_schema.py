#!/usr/bin/env python3
"""EVE conformance: every line the sensor writes validates against Suricata's own EVE schema
($MW_SHARED_DIR/schemas/suricata-eve.schema.json) extended by exactly the three objects of
docs/schema/minewatch-eve.schema.json (mining, mining_host, stats.minewatch).

The lines come from minewatch runs over every mwgen scenario (alerts, flows, hosts, stats;
one with the shared MaxMind test databases so the geoip objects appear) and, in the normal
build, over every shared capture (the sanitizer build runs those in
pcap.shared_no_false_positives). The same lines are checked for one JSON type per numeric
field (a SIEM maps a field by the first value it sees), and their app_proto values against
docs/eve.md, which must list exactly the names the code can write. Skips (77) without ../shared.
"""
import concurrent.futures
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
BIN = os.environ.get("MW_BINARY_DIR", "")
SHARED = os.environ.get("MW_SHARED_DIR") or os.path.join(SRC, "..", "shared")
SURICATA = os.path.join(SHARED, "schemas", "suricata-eve.schema.json")
OURS = os.path.join(SRC, "docs", "schema", "minewatch-eve.schema.json")
SANITIZED = os.environ.get("MW_SANITIZED") == "1"

# Scenarios whose arguments are required (mwgen --list); small sizes keep the run short.
GEN_ARGS = {"synflood": ["300", "stratum"], "fanout-mix": ["3", "30"], "many-miners": ["4"],
            "no-newline": ["70000"], "pool-hop": ["4", "2"], "hosts-mix": ["3", "2"],
            "long-run": ["4", "2"],
            # the behaviour look-alikes that move megabytes: a minute is enough for the schema
            "enc-like-video": ["1", "1"], "enc-like-call": ["1", "1"], "enc-like-update": ["1", "1"]}
GEO_CONFIG = ("geoip:\n  enabled: yes\n  city-database: {s}/geoip/GeoLite2-City-Test.mmdb\n"
              "  asn-database: {s}/geoip/GeoLite2-ASN-Test.mmdb\n")


def union_schema():
    """Suricata's schema with our three objects put where x-minewatch-extends says."""
    with open(SURICATA, encoding="utf-8") as f:
        sur = json.load(f)
    with open(OURS, encoding="utf-8") as f:
        ext = json.load(f)
    u = copy.deepcopy(sur)
    for name, d in ext["$defs"].items():
        if name in u.setdefault("$defs", {}):
            raise AssertionError("extension definition %s collides with Suricata's" % name)
        u["$defs"][name] = d
    for pointer, ref in ext["x-minewatch-extends"].items():
        *parents, last = pointer.strip("/").split("/")
        node = u
        for p in parents:
            node = node[p]
        if last in node:
            raise AssertionError("%s already exists in Suricata's schema: not an extension" % pointer)
        node[last] = {"$ref": ref}
    return u, ext


def numeric_types(obj, path, out):
    """path -> set of 'int'/'float' for every number in obj (arrays collapse to [])."""
    if isinstance(obj, bool):
        return
    if isinstance(obj, int):
        out.setdefault(path, set()).add("int")
    elif isinstance(obj, float):
        out.setdefault(path, set()).add("float")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            numeric_types(v, path + "." + k if path else k, out)
    elif isinstance(obj, list):
        for v in obj:
            numeric_types(v, path + "[]", out)


def docs_app_protos():
    """The app_proto values docs/eve.md lists (its table row, before the nDPI clause)."""
    with open(os.path.join(SRC, "docs", "eve.md"), encoding="utf-8") as f:
        text = f.read()
    row = next(l for l in text.splitlines() if l.startswith("| `app_proto` |"))
    return set(re.findall(r"`([a-z0-9-]+)`", row.split(";")[0])) - {"app_proto"}


def code_app_protos():
    """Names the code can write: every dissector's registry name, every literal assignment."""
    names = set()
    for d in ("dissectors", os.path.join("sensor", "applayer")):
        for fn in sorted(os.listdir(os.path.join(SRC, d))):
            if fn.endswith(".c"):
                with open(os.path.join(SRC, d, fn), encoding="utf-8") as f:
                    c = f.read()
                names |= set(re.findall(r'\.name\s*=\s*"([^"]+)"', c))
                names |= set(re.findall(r'app_proto\s*=\s*"([^"]+)"', c))
    return names


class EveSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import jsonschema  # Debian: python3-jsonschema (README Quick start)
        cls.jsonschema = jsonschema
        cls.union, cls.ext = union_schema()
        cls.validator = jsonschema.Draft202012Validator(cls.union)
        cls.lines = run_everything()

    def errors(self, ev):
        return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:200])
                for e in self.validator.iter_errors(ev)]

    def test_extension_adds_exactly_three_objects(self):
        self.assertEqual(sorted(self.ext["x-minewatch-extends"]),
                         ["/properties/mining", "/properties/mining_host",
                          "/properties/stats/properties/minewatch"])
        self.assertTrue(all(n.startswith("minewatch_") for n in self.ext["$defs"]))

    def test_union_is_strict(self):
        """What Suricata's schema (and ours) must refuse, so a pass below means something."""
        base = {"timestamp": "2024-03-13T10:00:00.252000+0000", "event_type": "alert",
                "src_ip": "10.0.0.5", "proto": "TCP",
                "mining": {"variant": "stratum1", "confidence": 95}}
        self.assertEqual(self.errors(base), [])
        for bad in ({"geoip": {"country": "SE"}},                      # top-level geoip is gone
                    {"mining": {"variant": "stratum1", "extra": 1}},    # unknown mining key
                    {"mining": {"variant": "stratum1", "difficulty": 0}},
                    {"proto": 47},                                      # proto is a string
                    {"stats": {"capture": {"packets": 1}}},             # not Suricata's name
                    {"stats": {"minewatch": {"flow": {"evicted": -1}}}},
                    {"stats": {"minewatch": {"flow": {"evicted": 1.5}}}},
                    {"mining_host": {"ip": "10.0.0.5"}}):               # required fields
            ev = dict(base, **bad)
            self.assertNotEqual(self.errors(ev), [], "accepted: %s" % bad)

    def test_every_line_validates(self):
        kinds = {}
        bad = []
        for src, ev in self.lines:
            kinds[ev.get("event_type")] = kinds.get(ev.get("event_type"), 0) + 1
            errs = self.errors(ev)
            if errs:
                bad.append("%s: %s: %s" % (src, ev.get("event_type"), "; ".join(errs[:3])))
        print("validated %d lines: %s" % (len(self.lines), kinds), file=sys.stderr)
        for k in ("alert", "flow", "host", "stats"):
            self.assertGreater(kinds.get(k, 0), 0, "no %s event was produced" % k)
        self.assertEqual(bad[:10], [], "%d lines fail the schema" % len(bad))

    def test_geoip_objects_were_checked(self):
        alerts = [ev for _, ev in self.lines if "geoip" in ev.get("mining", {})]
        hosts = [ev for _, ev in self.lines if "geoip" in ev.get("mining_host", {})]
        self.assertTrue(alerts and hosts, "the geo run wrote no mining.geoip / mining_host.geoip")

    def test_one_json_type_per_numeric_field(self):
        seen = {}
        for _, ev in self.lines:
            numeric_types(ev, "", seen)
        mixed = {p: sorted(t) for p, t in seen.items() if len(t) > 1}
        self.assertEqual(mixed, {})
        self.assertEqual(seen.get("mining.difficulty"), {"float"},
                         "mining.difficulty must appear, always as a float literal")

    def test_alert_metadata_et_style(self):
        """ET-style alert.metadata on every alert, consistent with the alert it annotates."""
        alerts = [ev for _, ev in self.lines if ev.get("event_type") == "alert"]
        self.assertTrue(alerts)
        sev = {1: "Major", 2: "Minor", 3: "Informational"}
        for ev in alerts:
            md = ev["alert"]["metadata"]
            self.assertTrue(all(isinstance(v, list) and v and all(isinstance(x, str) for x in v)
                                for v in md.values()), md)
            self.assertEqual((md["mitre_tactic_id"], md["mitre_technique_id"]), (["TA0040"], ["T1496"]))
            self.assertEqual(md["signature_severity"], [sev[ev["alert"]["severity"]]])
            c = ev["mining"]["confidence"]
            self.assertEqual(md["confidence"], ["High" if c >= 80 else "Medium" if c >= 50 else "Low"])
            for k in ("created_at", "updated_at"):
                self.assertRegex(md[k][0], r"^\d{4}_\d{2}_\d{2}$")

    def test_app_proto_docs_code_and_output_agree(self):
        docs, code = docs_app_protos(), code_app_protos()
        self.assertEqual(docs, code, "docs/eve.md app_proto values vs the code's")
        out = {ev["app_proto"] for _, ev in self.lines if "app_proto" in ev}
        self.assertLessEqual(out, docs, "app_proto values written but not documented")
        self.assertIn("websocket", out, "a web miner's flow is app_proto websocket, as in Suricata")


def run_mw(args, pcap, tag, work):
    eve = os.path.join(work, tag.replace("/", "_") + ".json")
    p = subprocess.run([os.path.join(BIN, "minewatch"), "-r", pcap, "--eve", eve] + args,
                       capture_output=True, timeout=300)
    err = p.stderr.decode(errors="replace")
    if "Sanitizer" in err or "runtime error:" in err:
        raise AssertionError("%s: sanitizer report: %s" % (tag, err[-2000:]))
    if p.returncode not in (0, 1):  # 1: a corrupt shared capture (documented)
        raise AssertionError("%s: exit %d: %s" % (tag, p.returncode, p.stderr.decode(errors="replace")))
    out = []
    if p.returncode == 1 and not os.path.exists(eve):
        return out  # a capture it refuses (unsupported link type) writes nothing
    with open(eve, encoding="utf-8") as f:
        for line in f:
            out.append((tag, json.loads(line)))
    os.unlink(eve)
    return out


def run_everything():
    mw, gen = os.path.join(BIN, "minewatch"), os.path.join(BIN, "mwgen")
    if not (os.access(mw, os.X_OK) and os.access(gen, os.X_OK)):
        raise AssertionError("MW_BINARY_DIR=%r has no minewatch and mwgen (run under ctest)" % BIN)
    listing = subprocess.run([gen, "--list"], capture_output=True, check=True, text=True).stdout
    scenarios = [l.split()[0] for l in listing.splitlines() if l.strip()]
    lines = []
    with tempfile.TemporaryDirectory(prefix="mw-schema-") as work:
        jobs = []
        for sc in scenarios:
            pcap = os.path.join(work, sc + ".pcap")
            g = subprocess.run([gen, sc] + GEN_ARGS.get(sc, []) + [pcap], capture_output=True)
            if g.returncode != 0:  # a new scenario with required arguments: add it to GEN_ARGS
                raise AssertionError("mwgen %s: exit %d: %s (add its arguments to GEN_ARGS)"
                                     % (sc, g.returncode, g.stderr.decode(errors="replace")))
            jobs.append(([], pcap, sc))
        cfg = os.path.join(work, "geo.yaml")
        with open(cfg, "w") as f:
            f.write(GEO_CONFIG.format(s=SHARED))
        jobs.append((["-c", cfg], os.path.join(work, "multi-pool.pcap"), "multi-pool+geoip"))
        # The shared captures: the output format does not depend on the build, so their
        # lines are validated in the normal build only. Under the sanitizers (MW_SANITIZED=1)
        # pcap.shared_no_false_positives already runs the sensor over every one of them,
        # which is what the sanitizers add; a second pass here cost most of this test's
        # time there.
        if SANITIZED:
            print("sanitizer build: the shared captures are left to pcap.shared_no_false_positives "
                  "(their lines are validated in the normal build)", file=sys.stderr)
        for sub in () if SANITIZED else ("mining", "traffic"):
            d = os.path.join(SHARED, "pcaps", sub)
            for fn in sorted(os.listdir(d)):
                if fn.endswith((".pcap", ".pcapng", ".cap")):
                    jobs.append(([], os.path.join(d, fn), "shared/%s/%s" % (sub, fn)))
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            for got in ex.map(lambda j: run_mw(j[0], j[1], j[2], work), jobs):
                lines.extend(got)
    return lines


if __name__ == "__main__":
    if not os.path.isfile(SURICATA) or not os.path.isdir(os.path.join(SHARED, "pcaps")):
        print("SKIP: Suricata's EVE schema or the shared captures not found under %s "
              "(third-party test data absent)" % SHARED)
        sys.exit(77)
    unittest.main(verbosity=2)
