#!/usr/bin/env python3
"""Equivalence of one thread and N workers (issue #11), offline: the same captures read with
-r FILE and with --workers 2 and 4 (software dispatch by address pair, so the DNS answer
and the connection that follows it often land in different workers) must give the same
set of flagged hosts with the same final verdicts, scores and pool sets, "flagged" once per
host, the same flow events, and every alert of the one-thread run (order aside).
usage: equivalence.py MINEWATCH MWGEN"""
import json
import os
import subprocess
import sys
import tempfile

MW, GEN = sys.argv[1], sys.argv[2]
# The per-host ceiling lets the first alerts of a minute through, whichever worker got to
# them first: the pool hopper runs without it here (pool_hopping.py checks it with N workers).
NO_CEILING = "alerts:\n  host-ceiling: 0\n"
CAPTURES = [("hosts-mix", ["60", "3"], None), ("demo", [], None), ("multi-pool", [], None),
            ("dns-then-tls-nosni", [], None), ("pool-hop", ["40"], NO_CEILING),
            # Resolvers the sensor learns by watching (not configured) are learned per worker:
            # a deployment with workers lists its resolvers in dns-servers (docs/deployment.md).
            ("resolver-on-behalf", [], "dns-servers: [10.20.0.53/32]\n")]


def run(pcap, workers, work, config):
    out = os.path.join(work, "eve-%d.json" % workers)
    if os.path.exists(out):
        os.unlink(out)
    cmd = [MW, "-r", pcap, "--eve", out] + (["--workers", str(workers)] if workers > 1 else [])
    if config:
        path = os.path.join(work, "config.yaml")
        with open(path, "w") as f:
            f.write(config)
        cmd += ["-c", path]
    p = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
    alerts, flows, hosts, flagged = set(), set(), {}, {}
    with open(out) as f:
        for line in f:
            e = json.loads(line)
            t = e["event_type"]
            if t == "alert":
                alerts.add((e["src_ip"], e.get("src_port"), e["dest_ip"], e.get("dest_port"),
                            e["alert"]["signature_id"], e["alert"]["severity"], e["mining"].get("pool_host")))
            elif t == "flow":
                # (mining.variant names the flow's first alert: a re-checked learned address
                # may come after the SNI alert in another worker, so it is not compared)
                flows.add((e["src_ip"], e.get("src_port"), e["dest_ip"], e.get("dest_port"), e["flow"]["alerted"]))
            elif t == "host":
                h = e["mining_host"]
                hosts[h["ip"]] = h  # a host's events are written in order: the last one is its verdict
                if h["reason"] == "flagged":
                    flagged[h["ip"]] = flagged.get(h["ip"], 0) + 1
    twice = [ip for ip, n in flagged.items() if n != 1]
    if twice:
        sys.exit("FAIL: %d workers: hosts flagged more than once: %s" % (workers, twice[:5]))
    # Which pools fill a full evidence table depends on arrival order; the count does not.
    final = {ip: (h["verdict"], h["score"],
                  tuple(sorted(h.get("pools", []))) if not h["pools_truncated"] else "truncated", h["pools_total"],
                  tuple(sorted(h.get("workers", []))))
             for ip, h in hosts.items()}
    return alerts, flows, final, set(flagged)


def main():
    with tempfile.TemporaryDirectory() as work:
        for scen, args, config in CAPTURES:
            pcap = os.path.join(work, scen + ".pcap")
            subprocess.run([GEN, scen] + args + [pcap], check=True)
            a1, f1, h1, fl1 = run(pcap, 1, work, config)
            if not a1 or not h1:
                sys.exit("FAIL: %s: the one-thread run found nothing to compare" % scen)
            for n in (2, 4):
                an, fn, hn, fln = run(pcap, n, work, config)
                if a1 - an:
                    sys.exit("FAIL: %s: %d workers lost %d alerts of the one-thread run, e.g. %s"
                             % (scen, n, len(a1 - an), sorted(a1 - an)[:3]))
                if an - a1:
                    sys.exit("FAIL: %s: %d workers wrote alerts one thread did not: %s" % (scen, n, sorted(an - a1)[:3]))
                if fl1 != fln:
                    sys.exit("FAIL: %s: flagged hosts differ with %d workers: %s" % (scen, n, sorted(fl1 ^ fln)[:5]))
                diff = [ip for ip in h1 if h1[ip] != hn.get(ip)]
                if diff or set(hn) != set(h1):
                    ip = (diff or sorted(set(hn) ^ set(h1)))[0]
                    sys.exit("FAIL: %s: host %s differs with %d workers:\n 1: %s\n %d: %s"
                             % (scen, ip, n, h1.get(ip), n, hn.get(ip)))
                if f1 != fn:
                    sys.exit("FAIL: %s: flow events differ with %d workers: %s" % (scen, n, sorted(f1 ^ fn)[:3]))
            print("ok: %s: %d alerts, %d hosts, %d flow events alike with 1, 2 and 4 workers"
                  % (scen, len(a1), len(h1), len(f1)))


main()
