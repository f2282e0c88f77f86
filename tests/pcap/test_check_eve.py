#!/usr/bin/env python3
"""test_check_eve.py - self-tests of the pcap harness (ctest pcap.harness_selftest).

Feeds check_eve.py hand-written EVE files and cases and checks that it accepts and rejects
what it should; validates every committed case file; and drives run_case.sh end to end
with a stand-in minewatch so the runner's own failure paths are exercised.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_eve  # noqa: E402

TS = "2024-03-13T10:00:00.123456+0000"
ALERT = {"timestamp": TS, "flow_id": 1234, "event_type": "alert", "src_ip": "10.20.1.11",
         "src_port": 49152, "dest_ip": "198.51.100.10", "dest_port": 3333, "proto": "TCP",
         "app_proto": "stratum",
         "alert": {"action": "allowed", "gid": 1, "signature_id": 8100001, "rev": 1,
                   "signature": "MINEWATCH MINING Stratum V1 mining session",
                   "category": "Crypto Currency Mining Activity Detected", "severity": 1},
         "mining": {"variant": "stratum1", "method": "mining.subscribe", "agent": "cgminer/4.10.0",
                    "worker": "campusrig.worker1", "confidence": 95}}
FLOW = {"timestamp": TS, "flow_id": 1234, "event_type": "flow", "src_ip": "10.20.1.11",
        "dest_ip": "198.51.100.10", "proto": "TCP", "vlan": [100, 200]}
V6 = {"timestamp": TS, "event_type": "alert", "src_ip": "2001:0db8:0020:0000:0000:0000:0000:0015",
      "alert": {"signature_id": 8100001}}


class Harness(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="check_eve_")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def eve(self, *objs):
        return self.write("eve.json", "".join(json.dumps(o) + "\n" for o in objs))

    def run_check(self, eve_path, case):
        case_path = self.write("case.json", json.dumps(case))
        r = subprocess.run([sys.executable, os.path.join(HERE, "check_eve.py"), eve_path, case_path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        return r.returncode, r.stdout

    def assertPass(self, eve_path, case):
        rc, out = self.run_check(eve_path, case)
        self.assertEqual(rc, 0, out)

    def assertFail(self, eve_path, case, *needles, rc_want=1):
        rc, out = self.run_check(eve_path, case)
        self.assertEqual(rc, rc_want, out)
        for n in needles:
            self.assertIn(n, out)

    # --- matching ---
    def test_numeric_bounds(self):
        st = {"timestamp": TS, "event_type": "stats", "stats": {"stream": {"overlap_mismatch": 2}}}
        e = self.eve(st)
        self.assertPass(e, {"expect": [{"event_type": "stats", "stats": {"stream": {"overlap_mismatch": {"$ge": 2}}}}]})
        self.assertPass(e, {"expect": [{"stats": {"stream": {"overlap_mismatch": {"$le": 2}}}}]})
        self.assertFail(e, {"expect": [{"stats": {"stream": {"overlap_mismatch": {"$ge": 3}}}}]}, "$ge")
        self.assertFail(e, {"expect": [{"stats": {"stream": {"overlap_mismatch": {"$le": 1}}}}]}, "$le")

    def test_raw_control_bytes_rejected(self):
        # DEL is legal JSON but the EVE writer escapes it: a raw one is a writer bug.
        e = self.write("eve.json", '{"timestamp": "%s", "event_type": "alert", "x": "a\x7fb"}\n' % TS)
        self.assertFail(e, {"expect": [{"event_type": "alert"}]}, "raw control byte 0x7f")

    def test_truncated_values(self):
        a = dict(ALERT, mining={"agent": "x" * 10 + "[truncated]", "worker": "\\xff" * 3 + "[truncated]"})
        e = self.eve(a)
        self.assertPass(e, {"truncated": {"mining.agent": 10, "mining.worker": 3}})
        self.assertFail(e, {"truncated": {"mining.agent": 9}}, "10 bytes > 9")
        # an unmarked value over the limit beside a marked one: cut without the marker
        self.assertFail(self.eve(a, ALERT), {"truncated": {"mining.agent": 10}}, "14 bytes > 10")
        # a limit met but no marker anywhere: the cut is not visible
        self.assertFail(self.eve(ALERT), {"truncated": {"mining.agent": 100}}, "carries [truncated]")

    def test_subset_match_ignores_other_fields(self):
        e = self.eve(FLOW, ALERT)
        self.assertPass(e, {"expect": [{"event_type": "alert", "src_ip": "10.20.1.11",
                                        "alert": {"signature_id": 8100001, "severity": 1},
                                        "mining": {"variant": "stratum1"}}]})

    def test_wrong_value_reports_path_and_values(self):
        e = self.eve(ALERT)
        self.assertFail(e, {"expect": [{"event_type": "alert", "alert": {"signature_id": 8100004}}]},
                        "alert.signature_id: expected 8100004, got 8100001", "nearest line 1")

    def test_missing_field(self):
        e = self.eve(ALERT)
        self.assertFail(e, {"expect": [{"mining": {"algo": "rx/0"}}]}, "mining.algo: missing")

    def test_nested_object_vs_scalar(self):
        e = self.eve(ALERT)
        self.assertFail(e, {"expect": [{"alert": 1}]}, "expected 1")
        self.assertFail(e, {"expect": [{"src_ip": {"x": 1}}]}, "expected an object")

    def test_swapped_direction_fails(self):
        e = self.eve(ALERT)
        self.assertFail(e, {"expect": [{"event_type": "alert", "src_ip": "198.51.100.10"}]},
                        "src_ip: expected \"198.51.100.10\", got \"10.20.1.11\"")

    def test_bool_is_not_int(self):
        e = self.eve(dict(FLOW, alerted=True, n=1))
        self.assertFail(e, {"expect": [{"alerted": 1}]})
        self.assertFail(e, {"expect": [{"n": True}]})
        self.assertPass(e, {"expect": [{"alerted": True, "n": 1.0}]})

    def test_null(self):
        e = self.eve(dict(FLOW, x=None))
        self.assertPass(e, {"expect": [{"x": None}]})
        self.assertFail(e, {"expect": [{"event_type": None}]})

    def test_ipv6_compares_as_address(self):
        e = self.eve(V6)
        self.assertPass(e, {"expect": [{"src_ip": "2001:db8:20::15"}]})
        self.assertFail(e, {"expect": [{"src_ip": "2001:db8:20::16"}]})

    def test_list_subset(self):
        e = self.eve(FLOW)
        self.assertPass(e, {"expect": [{"vlan": [100]}]})
        self.assertPass(e, {"expect": [{"vlan": [200, 100]}]})
        self.assertFail(e, {"expect": [{"vlan": [300]}]}, "no element matches")
        self.assertFail(e, {"expect": [{"proto": ["TCP"]}]}, "expected a list")

    # --- counts ---
    def test_counts(self):
        e = self.eve(ALERT, ALERT, FLOW)
        pat = {"event_type": "alert"}
        self.assertPass(e, {"expect": [dict(pat, count=2)]})
        self.assertFail(e, {"expect": [dict(pat, count=1)]}, "exactly 1", "found 2")
        self.assertPass(e, {"expect": [dict(pat, min_count=2)]})
        self.assertFail(e, {"expect": [dict(pat, min_count=3)]}, "at least 3")
        self.assertFail(e, {"expect": [dict(pat, max_count=1)]}, "exactly 1")
        self.assertFail(e, {"expect": [dict(pat, min_count=0, max_count=1)]}, "0..1")
        self.assertPass(e, {"expect": [{"match": pat, "max_count": 2}]})
        self.assertPass(e, {"expect": [{"match": {"event_type": "drop"}, "count": 0}]})
        self.assertFail(e, {"expect": [{"match": pat, "count": 0}]})

    # --- forbid ---
    def test_forbid(self):
        e = self.eve(FLOW, ALERT)
        self.assertFail(e, {"forbid": [{"event_type": "alert"}]}, "forbid[0]", "+ line 2")
        self.assertPass(e, {"forbid": [{"event_type": "alert", "src_ip": "198.51.100.10"}]})
        self.assertPass(self.write("empty.json", ""), {"forbid": [{"event_type": "alert"}]})

    def test_empty_file_with_expectation(self):
        self.assertFail(self.write("empty.json", ""), {"expect": [{"event_type": "alert"}]},
                        "the EVE file has no lines")

    # --- line validation ---
    def test_invalid_lines(self):
        good = json.dumps(FLOW) + "\n"
        cases = {
            "not json": good + "{\"event_type\": \"alert\",\n",
            "not an object": good + "[1, 2]\n",
            "NaN": good + json.dumps(dict(FLOW, x=1)).replace("1}", "NaN}") + "\n",
            "duplicate key": good + "{\"timestamp\": \"%s\", \"event_type\": \"a\", \"event_type\": \"b\"}\n" % TS,
            "no newline at end": good + json.dumps(FLOW),
            "CRLF": good.replace("\n", "\r\n"),
            "ts Z": json.dumps(dict(FLOW, timestamp="2024-03-13T10:00:00.123456Z")) + "\n",
            "ts colon offset": json.dumps(dict(FLOW, timestamp="2024-03-13T10:00:00.123456+00:00")) + "\n",
            "ts millis": json.dumps(dict(FLOW, timestamp="2024-03-13T10:00:00.123+0000")) + "\n",
            "ts number": json.dumps(dict(FLOW, timestamp=1710324000)) + "\n",
            "no event_type": json.dumps({"timestamp": TS}) + "\n",
            "empty event_type": json.dumps({"timestamp": TS, "event_type": ""}) + "\n",
        }
        for what, text in cases.items():
            with self.subTest(what):
                self.assertFail(self.write("bad.json", text), {"forbid": [{"event_type": "never"}]},
                                "malformed EVE output")

    def test_invalid_utf8(self):
        raw = json.dumps(dict(FLOW, agent="X")).encode().replace(b'"X"', b'"\xc3\x28"') + b"\n"
        self.assertFail(self.write("bad.json", raw), {"forbid": [{"event_type": "never"}]}, "invalid UTF-8")
        # Escaped non-ASCII and escaped control bytes are fine.
        ok = json.dumps(dict(FLOW, agent="caf\u00e9\u0001")) + "\n"
        self.assertPass(self.write("ok.json", ok), {"expect": [{"agent": "caf\u00e9\u0001"}]})

    # --- case-file errors ---
    def test_case_errors(self):
        e = self.eve(ALERT)
        self.assertFail(e, {}, "neither expect nor forbid", rc_want=2)
        self.assertFail(e, {"expect": [{"event_type": "alert", "count": -1}]}, rc_want=2)
        self.assertFail(e, {"expect": [{"event_type": "alert", "count": True}]}, rc_want=2)
        self.assertFail(e, {"expect": [{"count": 1}]}, "empty pattern", rc_want=2)
        self.assertFail(e, {"expect": [{"match": {"a": 1}, "b": 2}]}, rc_want=2)
        self.assertFail(e, {"expect": "alert"}, rc_want=2)
        rc, _ = self.run_check(os.path.join(self.dir, "missing.json"), {"forbid": [{"a": 1}]})
        self.assertEqual(rc, 2)

    # --- the committed catalogue ---
    def test_committed_cases_are_well_formed(self):
        cases_dir = os.path.join(HERE, "cases")
        names = sorted(f[:-5] for f in os.listdir(cases_dir) if f.endswith(".json"))
        self.assertGreater(len(names), 30)
        for name in names:
            with self.subTest(name):
                case = check_eve.load_case(os.path.join(cases_dir, name + ".json"))
                # A case is named after its scenario; a variant of it (other arguments or
                # configuration) is named SCENARIO-SOMETHING.
                self.assertTrue(case["scenario"] == name or name.startswith(case["scenario"] + "-"),
                                "case %s runs scenario %s" % (name, case["scenario"]))
                if case["scenario"] != name:
                    self.assertIn(case["scenario"], names, "variant %s without its scenario's own case" % name)
                self.assertIsInstance(case.get("args", []), list)
                for i, entry in enumerate(case.get("expect", []) + case.get("forbid", [])):
                    check_eve.split_entry(entry, "%s[%d]" % (name, i))
                for a in case.get("args", []):
                    if "{casedir}" in a:
                        self.assertTrue(os.path.exists(a.replace("{casedir}", cases_dir)), a)
                # Mining cases must pin the miner as src_ip and forbid the reverse.
                for entry in case.get("expect", []):
                    if entry.get("event_type") == "alert":
                        self.assertIn("src_ip", entry)
        mwgen = os.path.join(os.environ.get("MW_BINARY_DIR", ""), "mwgen")
        if os.access(mwgen, os.X_OK):
            listed = subprocess.run([mwgen, "--list"], stdout=subprocess.PIPE, universal_newlines=True,
                                    check=True).stdout.split("\n")
            scenarios = sorted(l.split()[0] for l in listed if l.strip())
            own = [n for n in names if check_eve.load_case(os.path.join(cases_dir, n + ".json"))["scenario"] == n]
            self.assertEqual(scenarios, own, "every mwgen scenario needs exactly one case file named after it")


class Runner(unittest.TestCase):
    """run_case.sh with a stand-in minewatch that prints a canned EVE file."""

    def setUp(self):
        self.bin = tempfile.mkdtemp(prefix="run_case_")
        mwgen = os.path.join(os.environ.get("MW_BINARY_DIR", ""), "mwgen")
        if not os.access(mwgen, os.X_OK):
            self.skipTest("mwgen not built (MW_BINARY_DIR unset)")
        os.symlink(mwgen, os.path.join(self.bin, "mwgen"))
        self.case = os.path.join(self.bin, "stratum1-btc.json")
        with open(self.case, "w") as f:
            json.dump({"scenario": "stratum1-btc", "args": ["--extra", "{casedir}/x"],
                       "expect": [{"event_type": "alert", "src_ip": "10.20.1.11"}]}, f)

    def tearDown(self):
        shutil.rmtree(self.bin)

    def fake(self, body):
        path = os.path.join(self.bin, "minewatch")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)

    def run_case(self):
        env = dict(os.environ, MW_BINARY_DIR=self.bin)
        r = subprocess.run([os.path.join(HERE, "run_case.sh"), self.case], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        return r.returncode, r.stdout

    # The stand-in checks its arguments, then writes EVE to the path after --eve.
    ARGS_OK = ('[ "$1" = -r ] && [ -s "$2" ] && [ "$3" = --eve ] && [ "$5" = --extra ] && '
               '[ "$6" = "%s/x" ] || { echo "bad args: $*" >&2; exit 3; }\n')

    def test_pass(self):
        self.fake(self.ARGS_OK % self.bin + "echo '%s' > \"$4\"\n" % json.dumps(ALERT))
        rc, out = self.run_case()
        self.assertEqual(rc, 0, out)
        self.assertIn("PASS", out)

    def test_expectation_fails(self):
        self.fake(self.ARGS_OK % self.bin + "echo '%s' > \"$4\"\n" % json.dumps(FLOW))
        rc, out = self.run_case()
        self.assertEqual(rc, 1, out)

    def test_nonzero_exit_fails(self):
        self.fake("echo '%s' > \"$4\"; exit 2\n" % json.dumps(ALERT))
        rc, out = self.run_case()
        self.assertNotEqual(rc, 0, out)
        self.assertIn("exited with status 2", out)

    def test_sanitizer_report_fails(self):
        self.fake("echo '%s' > \"$4\"; echo 'sensor/flow/flow.c:12:3: runtime error: signed integer overflow' >&2\n"
                  % json.dumps(ALERT))
        rc, out = self.run_case()
        self.assertNotEqual(rc, 0, out)
        self.assertIn("sanitizer report", out)

    def test_no_eve_file_fails(self):
        self.fake("exit 0\n")
        rc, out = self.run_case()
        self.assertNotEqual(rc, 0, out)


if __name__ == "__main__":
    unittest.main(verbosity=1)
