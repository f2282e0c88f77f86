#!/usr/bin/env python3
"""A host's worker names, agents, algorithms and coins do not depend on which of its
findings got an evidence entry (the flake of workers.equivalence: with 4 workers the
worker running the DNS lookups got ahead, the lookups filled the host's evidence table and
the Stratum session's worker name was dropped).

The pool hopper (DNS lookup, TLS SNI, DNS-learned address, then Stratum as worker
hopper.rig with cgminer, per pool) with hosts.max-evidence 2: the first lookup and SNI take
both entries, so every Stratum finding lands beyond the table, whatever the arrival order.
One thread and --workers 2 and 4 must name the worker and the agent on the host's last
event, and that event must say the pool list was cut (else the test proves nothing).
usage: host_names.py MINEWATCH MWGEN"""
import json
import os
import subprocess
import sys
import tempfile

MW, GEN = sys.argv[1], sys.argv[2]
HOST = "10.20.60.6"


def last_host_event(eve):
    last = None
    with open(eve) as f:
        for line in f:
            e = json.loads(line)
            if e["event_type"] == "host" and e["src_ip"] == HOST:
                last = e["mining_host"]
    return last


def main():
    with tempfile.TemporaryDirectory() as work:
        pcap = os.path.join(work, "hop.pcap")
        subprocess.run([GEN, "pool-hop", "3", pcap], check=True)
        conf = os.path.join(work, "small.yaml")
        with open(conf, "w") as f:
            f.write("hosts:\n  max-evidence: 2\n")
        for n in (1, 2, 4):
            eve = os.path.join(work, "eve-%d.json" % n)
            cmd = [MW, "-r", pcap, "-c", conf, "--eve", eve] + (["--workers", str(n)] if n > 1 else [])
            p = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, timeout=60)
            if p.returncode != 0:
                sys.exit("FAIL: %s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
            h = last_host_event(eve)
            if h is None:
                sys.exit("FAIL: %d workers: no host event for %s" % (n, HOST))
            if not h["pools_truncated"] or "stratum1" in h["variants"]:
                sys.exit("FAIL: %d workers: the Stratum findings got an evidence entry (%s): "
                         "the test proves nothing" % (n, h))
            if h.get("workers") != ["hopper.rig"] or h.get("agents") != ["cgminer/4.10.0"]:
                sys.exit("FAIL: %d workers: host %s lost its worker or agent: workers %s agents %s"
                         % (n, HOST, h.get("workers"), h.get("agents")))
            print("ok: %d worker(s): %s is %s, pools %d of %d listed, workers %s, agents %s"
                  % (n, HOST, h["verdict"], len(h.get("pools", [])), h["pools_total"], h["workers"], h["agents"]))


main()
