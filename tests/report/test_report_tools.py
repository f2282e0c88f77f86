#!/usr/bin/env python3
"""minewatch-report's pool summary, flow events, follow mode, zoned times, inputs given
twice, other engines' coin-mining alerts and --learned-addresses (issue #13)."""

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_report import TOOL, alert, dumps, flow_event, host_event, ts  # noqa: E402


def flow(t, src, dst, worker=None, pool=None, shares=(3, 3, 0), age=600, flow_id=1234):
    ev = flow_event(t, src, dst)
    ev["flow_id"] = flow_id
    ev["flow"]["age"] = age
    m = ev["mining"]
    m["shares_submitted"], m["shares_accepted"], m["shares_rejected"] = shares
    if worker:
        m["worker"] = worker
    if pool:
        m["pool_host"] = pool
    return ev


def dns_alert(t, src, name, addrs):
    ev = alert(t, src, "10.0.0.53", "dns", 3, dport=53, flow_id=99,
               mining={"method": "answer", "pool_host": name})
    ev["dns"] = {"version": 2, "type": "answer", "rrname": name, "rrtype": "A", "rcode": "NOERROR",
                 "answers": [{"rrname": name, "rrtype": "A" if ":" not in a else "AAAA", "ttl": 60,
                              "rdata": a} for a in addrs]}
    return ev


def suricata_coinminer(t, src, dst, sni):
    """A Suricata ET rule's coin-mining alert (classtype coin-mining) in the same file."""
    return {"timestamp": t, "flow_id": 4242, "event_type": "alert", "src_ip": src, "src_port": 40000,
            "dest_ip": dst, "dest_port": 443, "proto": "TCP", "app_proto": "tls",
            "alert": {"action": "allowed", "gid": 1, "signature_id": 2033495, "rev": 2,
                      "signature": "ET COINMINER Observed Coinminer Pool Domain in TLS SNI",
                      "category": "Crypto Currency Mining Activity Detected", "severity": 1},
            "tls": {"sni": sni, "version": "TLS 1.3"}}


EVENTS = [
    # 10.0.0.5 subscribes (alert without worker); the worker logs in after the alert and
    # is only in the flow event
    alert(ts(20, 9), "10.0.0.5", "198.51.100.7", "stratum1", 1, flow_id=11,
          mining={"method": "mining.subscribe", "pool_host": "eu.pool.example.com",
                  "confirmed_by": "both"}),
    flow(ts(20, 10), "10.0.0.5", "198.51.100.7", worker="4Bwallet.late-rig", pool="eu.pool.example.com",
         shares=(10, 9, 1), age=3600, flow_id=11),
    # 10.0.0.6 uses the same pool in two sessions
    alert(ts(21, 8), "10.0.0.6", "198.51.100.7", "stratum1", 2, flow_id=21,
          mining={"method": "mining.subscribe", "pool_host": "eu.pool.example.com", "confirmed_by": "miner"}),
    alert(ts(21, 9), "10.0.0.6", "198.51.100.7", "stratum1", 2, flow_id=22,
          mining={"method": "mining.subscribe", "pool_host": "eu.pool.example.com", "confirmed_by": "miner"}),
    # DNS teaches 203.0.113.9 for xmr.pool.example.net; a confirmed session reaches it; an
    # address learned but never mined to is not reported
    dns_alert(ts(22, 7), "10.0.0.7", "xmr.pool.example.net", ["203.0.113.9", "203.0.113.10"]),
    alert(ts(22, 7, 1), "10.0.0.7", "203.0.113.9", "cryptonote", 1, flow_id=31,
          mining={"method": "login", "pool_host": "203.0.113.9", "confirmed_by": "both"}),
    # another engine only: counted apart, likely-miner at most
    suricata_coinminer(ts(22, 12), "10.0.0.8", "192.0.2.80", "gulf.pool.example.org"),
]


# Wire strings with terminal controls: ESC sequences (ANSI colour, clear screen, OSC title),
# C1 controls (CSI as one byte), a bidi override, CR, BEL, DEL. Each event puts them where the
# report prints them: pools, workers, agents, another engine's signature and SNI, and the
# verdict and lists of a host event.
HOSTILE = "x\u001b[31m\u001b]0;pwned\u0007\u009b2J\u202e\r\u007fy"
HOSTILE_EVENTS = [
    alert(ts(24, 9), "10.9.0.1", "198.51.100.9", "stratum1", 1, flow_id=91,
          mining={"method": "mining.authorize", "pool_host": "pool" + HOSTILE + ".example.com",
                  "worker": "w" + HOSTILE, "agent": "a" + HOSTILE, "confirmed_by": "both"}),
    flow(ts(24, 10), "10.9.0.1", "198.51.100.9", worker="late" + HOSTILE, pool="pool" + HOSTILE + ".example.com",
         flow_id=91),
    suricata_coinminer(ts(24, 11), "10.9.0.2", "192.0.2.90", "sni" + HOSTILE + ".example.org"),
    host_event(ts(24, 12), "10.9.0.3", "miner" + HOSTILE, 90, ts(24, 11), ts(24, 12),
               pools=["hp" + HOSTILE], workers=["hw" + HOSTILE], agents=["ha" + HOSTILE]),
]
HOSTILE_EVENTS[2]["alert"]["signature"] = "ET COINMINER " + HOSTILE


def terminal_unsafe(text):
    """The characters of text a terminal would act on rather than show."""
    return sorted({c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0
                   or c in "\u202e\u2028\u2029"})


class ReportToolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.eve = os.path.join(cls.tmp.name, "eve.json")
        with open(cls.eve, "w") as f:
            for ev in EVENTS:
                f.write(dumps(ev) + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_tool(self, *args, expect=0):
        p = subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, timeout=120)
        self.assertEqual(p.returncode, expect, p.stderr.decode(errors="replace"))
        return p.stdout.decode(), p.stderr.decode()

    def hosts(self, *args):
        return {h["host"]: h for h in json.loads(self.run_tool("--json", *args)[0])}

    def test_wire_strings_escaped_in_every_mode(self):
        """No output mode lets a terminal control from an EVE line reach the terminal raw;
        JSON keeps the exact string (escaped by the encoder)."""
        path = os.path.join(self.tmp.name, "hostile.json")
        with open(path, "w") as f:
            for ev in HOSTILE_EVENTS:
                f.write(dumps(ev) + "\n")
        modes = [(), ("--csv",), ("--json",), ("--pools",), ("--pools", "--csv"), ("--pools", "--json"),
                 ("--follow", "--exit-at-eof")]
        for mode in modes:
            out, err = self.run_tool("--width", "0", *mode, path)
            self.assertEqual(terminal_unsafe(out + err), [], mode)
            if "--json" not in mode:
                self.assertIn("\\x1b[31m", out, mode)  # shown, escaped, not dropped
        out, _ = self.run_tool("--follow", "--exit-at-eof", path)
        self.assertIn("minerx\\x1b[31m", out)  # the host event's verdict, escaped
        self.assertIn("ET COINMINER x\\x1b", out)
        hosts = self.hosts(path)
        self.assertEqual(hosts["10.9.0.1"]["workers"], ["w" + HOSTILE, "late" + HOSTILE])

    def test_installed_copy(self):
        """The install rule: the installed entry script finds the installed package (under
        the data directory, whatever the prefix) and reports what the source tree does."""
        build = os.environ.get("MW_BINARY_DIR")
        if not build or not shutil.which("cmake"):
            self.skipTest("needs MW_BINARY_DIR and cmake (run under ctest)")
        prefix = os.path.join(self.tmp.name, "prefix")
        p = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        tool = os.path.join(prefix, "bin", "minewatch-report")
        self.assertTrue(os.path.isdir(os.path.join(prefix, "share", "minewatch", "python", "minewatch_report")))
        # Run from elsewhere with a clean environment: nothing may come from the source tree.
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
        q = subprocess.run([tool, "--json", self.eve], capture_output=True, timeout=120, cwd="/", env=env)
        self.assertEqual(q.returncode, 0, q.stderr.decode(errors="replace"))
        self.assertEqual(json.loads(q.stdout), json.loads(self.run_tool("--json", self.eve)[0]))

    def test_pool_summary(self):
        pools = {p["pool"]: p for p in json.loads(self.run_tool("--pools", "--json", self.eve)[0])}
        p = pools["eu.pool.example.com"]
        self.assertEqual(p["hosts"], ["10.0.0.5", "10.0.0.6"])
        self.assertEqual(p["sessions"], 3)           # flow ids 11, 21, 22 (the flow event is 11 again)
        self.assertEqual(p["shares_accepted"], 9)
        self.assertEqual(p["first_seen"], ts(20, 9))
        self.assertEqual(p["last_seen"], ts(21, 9))
        self.assertIn("gulf.pool.example.org", pools)  # the other engine's SNI
        table = self.run_tool("--pools", self.eve)[0].splitlines()
        self.assertTrue(table[0].startswith("POOL"), table)
        row = [r for r in table if r.startswith("eu.pool.example.com")][0]
        self.assertIn("2026-11-20 09:00:00+0000", row)
        self.assertIn("10.0.0.5, 10.0.0.6", row)
        only = json.loads(self.run_tool("--pools", "--json", "--pool", "example.net", self.eve)[0])
        self.assertEqual([p["pool"] for p in only], ["xmr.pool.example.net"])

    def test_flow_events_shares_duration_late_worker(self):
        h = self.hosts(self.eve)["10.0.0.5"]
        self.assertEqual((h["flows"], h["shares_submitted"], h["shares_accepted"], h["shares_rejected"]),
                         (1, 10, 9, 1))
        self.assertEqual(h["flow_seconds"], 3600)
        self.assertIn("4Bwallet.late-rig", h["workers"])
        self.assertEqual(list(self.hosts("--worker", "late-rig", self.eve)), ["10.0.0.5"])
        row = [r for r in self.run_tool(self.eve)[0].splitlines() if r.startswith("10.0.0.5")][0]
        self.assertIn("1 (3600s)", row)
        self.assertIn("10/9/1", row)

    def test_times_carry_their_zone(self):
        out = self.run_tool(self.eve)[0]
        self.assertIn("2026-11-20 09:00:00+0000", out)
        env = dict(os.environ, TZ="Asia/Kolkata")
        p = subprocess.run([sys.executable, TOOL, "--localtime", self.eve], capture_output=True, env=env,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2026-11-20 14:30:00+0530", p.stdout.decode())

    def test_file_given_twice_counted_once(self):
        link = os.path.join(self.tmp.name, "link.json")
        if not os.path.exists(link):
            os.symlink(self.eve, link)
        p = subprocess.run([sys.executable, TOOL, "--json", self.eve, self.eve, link], capture_output=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"is the same file as", p.stderr)
        once = self.hosts(self.eve)
        twice = {h["host"]: h for h in json.loads(p.stdout)}
        self.assertEqual(twice["10.0.0.6"]["alerts"], once["10.0.0.6"]["alerts"])
        self.assertEqual(twice["10.0.0.6"]["alerts"], 2)

    def test_other_engines_counted_apart(self):
        h = self.hosts(self.eve)["10.0.0.8"]
        self.assertEqual(h["other_engine_alerts"], 1)
        self.assertEqual(h["alerts"], 0)
        self.assertEqual(h["verdict"], "likely-miner")  # severity 1 there, but not our confirmation
        self.assertEqual(h["signature_ids"], [2033495])
        self.assertEqual(h["pools"], ["gulf.pool.example.org"])
        row = [r for r in self.run_tool(self.eve)[0].splitlines() if r.startswith("10.0.0.8")][0]
        self.assertIn("likely-miner", row)

    def test_learned_addresses(self):
        out = self.run_tool("--learned-addresses", self.eve)[0].splitlines()
        self.assertEqual([l for l in out if not l.startswith("#")], ["203.0.113.9 xmr.pool.example.net"])

    def test_follow(self):
        """Lines appended to a live file are reported as they arrive; no fixed sleeps: the
        test waits (bounded) for each output line."""
        live = os.path.join(self.tmp.name, "live.json")
        with open(live, "w") as f:
            f.write(dumps(EVENTS[0]) + "\n")
        p = subprocess.Popen([sys.executable, TOOL, "--follow", "--exit-after", "4", live],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        got = []
        pending = [b""]

        def next_line():
            # os.read on the pipe's fd: a buffered reader could hold lines select cannot see
            deadline = time.monotonic() + 30
            while b"\n" not in pending[0]:
                left = deadline - time.monotonic()
                self.assertGreater(left, 0, "no follow output within 30 s; got %r" % got)
                r, _, _ = select.select([p.stdout], [], [], left)
                if r:
                    c = os.read(p.stdout.fileno(), 4096)
                    if not c:
                        self.fail("follow exited early: %r" % p.stderr.read())
                    pending[0] += c
            line, pending[0] = pending[0].split(b"\n", 1)
            got.append(line.decode())
            return line.decode()

        try:
            self.assertIn("10.0.0.5", next_line())
            with open(live, "a") as f:  # the late worker, then a new host
                f.write(dumps(EVENTS[1]) + "\n")
            self.assertIn("worker 4Bwallet.late-rig", next_line())
            with open(live, "a") as f:
                f.write(dumps(EVENTS[2])[:40])  # half a line first: nothing until it ends
                f.flush()
                f.write(dumps(EVENTS[2])[40:] + "\n")
            line = next_line()
            self.assertIn("10.0.0.6", line)
            self.assertIn("2026-11-21 08:00:00+0000", line)
            os.rename(live, live + ".1")  # rotation: the new file is read from its start
            with open(live, "w") as f:
                f.write(dumps(EVENTS[6]) + "\n")
            self.assertIn("10.0.0.8", next_line())
            self.assertEqual(p.wait(timeout=30), 0)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            p.stdout.close()
            p.stderr.close()
        # --exit-at-eof: the whole file, then stop
        out = self.run_tool("--follow", "--exit-at-eof", self.eve)[0]
        self.assertIn("10.0.0.7", out)
        self.run_tool("--follow", self.eve, self.eve, expect=2)
        self.run_tool("--exit-after", "1", self.eve, expect=2)


if __name__ == "__main__":
    unittest.main()
