#!/usr/bin/env python3
"""live_equivalence.py - one thread and AF_PACKET fanout workers, live, give the verdicts of
the offline one-thread run (issue #11).

usage: live_equivalence.py MINEWATCH MWGEN DEMO_PCAP

In a network namespace this script creates (a veth pair, no outside address), each capture
is replayed with tcpreplay at a fixed rate into one end while minewatch captures the other
with one thread and with --workers 2 and 4 (one fanout group hashed by address pair: the DNS
answer and the connection that follows it often reach different workers). Compared with
`minewatch -r FILE` (one thread) over the same file:
- every alert of the offline run is written live (sid, severity, addresses, ports), and no
  other mining alert;
- the same hosts are flagged, each once, with the same final verdict, score, pool set (or
  pool count when the evidence table was full) and worker names.
The captures: the README demo (whose DNS-learned alert two workers once lost, #11),
`mwgen hosts-mix 100 1` (100 miners, lookups, XMRig and Stratum) and `mwgen pool-hop 40`
(one host, 40 pools, four signatures each; per-host ceiling off, as in equivalence.py).

The fanout group hashes the address pair (sensor/capture/capture.c), as the offline
dispatch does, so the TLS and the Stratum session of one host to one pool run on one
worker and the DNS-learned-address alert (8100106) names the same session as offline; with
the kernel's 5-tuple hash mode it named the other session for 11 of the pool hopper's 40
pools. Every alert is compared with its flow (addresses, ports, signature, severity).

The sensor's end of the replay is waited for, never slept for: the stats counters
(stats.interval 1 s) must account for every replayed packet before SIGTERM. A kernel drop
fails the test (the comparison would mean nothing); none has been seen at this rate.
Skips (77) without root, network namespaces or tcpreplay. Under the sanitizers the rate
is lower.
"""
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

SANITIZED = os.environ.get("MW_SANITIZED") == "1"
PPS = 2000 if SANITIZED else 5000
NO_CEILING = "alerts:\n  host-ceiling: 0\n"
DEADLINE = 60


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def sh(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


def count_packets(path):
    with open(path, "rb") as f:
        data = f.read()
    off, n = 24, 0
    while off + 16 <= len(data):
        off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
        n += 1
    return n


def read_events(path):
    out = []
    with open(path, "rb") as f:
        for no, line in enumerate(f, 1):
            try:
                out.append(json.loads(line))
            except ValueError:
                fail("%s:%d is not one JSON object (interleaved writes?): %r" % (path, no, line[:120]))
    return out


def alert_key(e):
    return (e["src_ip"], e.get("src_port"), e["dest_ip"], e.get("dest_port"), e["alert"]["signature_id"],
            e["alert"]["severity"])


def summary(evs, what):
    alerts = [alert_key(e) for e in evs if e["event_type"] == "alert"]
    if len(alerts) != len(set(alerts)):
        fail("%s: %d alerts written twice" % (what, len(alerts) - len(set(alerts))))
    alerts = set(alerts)
    hosts, flagged = {}, {}
    for e in evs:
        if e["event_type"] != "host":
            continue
        h = e["mining_host"]
        hosts[h["ip"]] = h
        if h["reason"] == "flagged":
            flagged[h["ip"]] = flagged.get(h["ip"], 0) + 1
    twice = sorted(ip for ip, n in flagged.items() if n != 1)
    if twice:
        fail("%s: hosts flagged more than once: %s" % (what, twice[:5]))
    final = {ip: (h["verdict"], h["score"],
                  tuple(sorted(h.get("pools", []))) if not h["pools_truncated"] else "truncated",
                  h["pools_total"], tuple(sorted(h.get("workers", []))))
             for ip, h in hosts.items()}
    return alerts, final


class Netns:
    def __init__(self):
        self.name = "mwle%d" % os.getpid()
        if os.geteuid() != 0:
            skip("needs root for a network namespace")
        for tool in ("ip", "tcpreplay"):
            if not shutil.which(tool):
                skip("%s is not installed" % tool)
        r = sh("ip", "netns", "add", self.name)
        if r.returncode != 0:
            skip("cannot create a network namespace: " + r.stderr.strip())
        self.made = True
        for cmd in (["link", "add", "mwcap", "type", "veth", "peer", "name", "mwinj"],
                    ["link", "set", "mwcap", "up"], ["link", "set", "mwinj", "up"], ["link", "set", "lo", "up"]):
            r = sh("ip", "-n", self.name, *cmd)
            if r.returncode != 0:
                self.close()
                skip("cannot set up the veth pair: " + r.stderr.strip())
        # No router solicitations or MLD reports of our own on the capture side.
        sh("ip", "netns", "exec", self.name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")

    def close(self):
        if self.made:
            sh("ip", "netns", "del", self.name)
            self.made = False


def live_run(ns, mw, pcap, workers, tmp, config, npk):
    tag = "%s-%d" % (os.path.basename(pcap), workers)
    eve = os.path.join(tmp, "live-%s.json" % tag)
    pid = os.path.join(tmp, "live-%s.pid" % tag)
    conf = os.path.join(tmp, "live-%s.yaml" % tag)
    with open(conf, "w") as f:
        f.write("stats:\n  interval: 1s\n" + config)
    errp = os.path.join(tmp, "live-%s.err" % tag)
    err = open(errp, "wb")
    cmd = ["ip", "netns", "exec", ns.name, mw, "-i", "mwcap", "-c", conf, "--eve", eve, "--allow-root",
           "--pidfile", pid] + (["--workers", str(workers)] if workers > 1 else [])
    proc = subprocess.Popen(cmd, stderr=err)

    def wait(cond, what):
        deadline = time.monotonic() + DEADLINE
        while not cond():
            if proc.poll() is not None:
                fail("%s: minewatch exited %d while waiting for %s:\n%s"
                     % (tag, proc.returncode, what, open(errp, errors="replace").read()[-2000:]))
            if time.monotonic() > deadline:
                proc.kill()
                fail("%s: no %s within %d s" % (tag, what, DEADLINE))
            time.sleep(0.05)

    try:
        # The pidfile is written once every capture handle is open.
        wait(lambda: os.path.exists(pid) and os.path.getsize(pid) > 0, "pidfile")
        t0 = time.monotonic()
        r = sh("ip", "netns", "exec", ns.name, "tcpreplay", "-q", "-i", "mwinj", "--pps", str(PPS), pcap)
        if r.returncode != 0:
            fail("tcpreplay: " + r.stdout + r.stderr)
        replay_s = time.monotonic() - t0
        seen = {"pkts": 0, "drops": 0}

        def accounted():
            # The latest stats event of each worker (and the total with workers): capture
            # counters at least the replayed packets.
            per = {}
            try:
                with open(eve, "rb") as f:
                    for line in f:
                        if b'"event_type":"stats"' not in line:
                            continue
                        s = json.loads(line)["stats"]
                        m = s["minewatch"]
                        if "workers" in m:
                            continue
                        per[m.get("worker", {}).get("id", 0)] = s
            except (OSError, ValueError):
                return False
            seen["pkts"] = sum(s["decoder"]["pkts"] for s in per.values())
            seen["drops"] = sum(s["capture"]["kernel_drops"] for s in per.values())
            return seen["pkts"] + seen["drops"] >= npk

        wait(accounted, "stats event accounting for the %d replayed packets" % npk)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("%s: minewatch did not stop within %d s" % (tag, DEADLINE))
        err.close()
    errtext = open(errp, errors="replace").read()
    if rc != 0 or "Sanitizer" in errtext or "runtime error:" in errtext:
        fail("%s: minewatch exited %d:\n%s" % (tag, rc, errtext[-2000:]))
    if workers > 1 and "falling back" in errtext:
        fail("%s: the fanout group could not be joined:\n%s" % (tag, errtext))
    evs = read_events(eve)
    per = {}
    for e in evs:
        if e["event_type"] == "stats" and "workers" not in e["stats"]["minewatch"]:
            per[e["stats"]["minewatch"].get("worker", {}).get("id", 0)] = e["stats"]
    drops = sum(s["capture"]["kernel_drops"] + s["capture"]["kernel_ifdrops"] for s in per.values())
    if drops:
        fail("%s: the kernel dropped %d packets at %d packets/s: the comparison would mean nothing" % (tag, drops, PPS))
    if sorted(per) != list(range(workers)):
        fail("%s: stats events from workers %s" % (tag, sorted(per)))
    spread = " / ".join(str(per[i]["decoder"]["pkts"]) for i in sorted(per))
    return evs, "%d packets in %.2f s (%s per worker), 0 kernel drops" % (npk, replay_s, spread)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    mw, mwgen, demo = sys.argv[1:]
    ns = Netns()
    tmp = tempfile.mkdtemp(prefix="mw-liveeq-")
    ok = False
    try:
        caps = [(demo, "")]
        for scen, args, config in (("hosts-mix", ["100", "1"], ""), ("pool-hop", ["40"], NO_CEILING)):
            p = os.path.join(tmp, scen + ".pcap")
            subprocess.run([mwgen, scen] + args + [p], check=True)
            caps.append((p, config))
        print("tcpreplay at %d packets/s%s" % (PPS, " (lower under the sanitizers)" if SANITIZED else ""))
        for pcap, config in caps:
            name = os.path.basename(pcap)
            npk = count_packets(pcap)
            off = os.path.join(tmp, "offline-%s.json" % name)
            conf = os.path.join(tmp, "offline-%s.yaml" % name)
            with open(conf, "w") as f:
                f.write(config or "stats:\n  enabled: yes\n")
            subprocess.run([mw, "-r", pcap, "-c", conf, "--eve", off], check=True, stderr=subprocess.DEVNULL)
            a1, h1 = summary(read_events(off), name + " offline")
            if not a1 or not h1:
                fail("%s: the offline run found nothing to compare" % name)
            for workers in (1, 2, 4):
                evs, how = live_run(ns, mw, pcap, workers, tmp, config, npk)
                what = "%s live, %d worker(s)" % (name, workers)
                an, hn = summary(evs, what)
                if a1 - an:
                    fail("%s lost %d alerts of the offline one-thread run, e.g. %s" % (what, len(a1 - an), sorted(a1 - an)[:3]))
                if an - a1:
                    fail("%s wrote %d alerts the offline run did not, e.g. %s" % (what, len(an - a1), sorted(an - a1)[:3]))
                diff = sorted(ip for ip in set(h1) | set(hn) if h1.get(ip) != hn.get(ip))
                if diff:
                    ip = diff[0]
                    fail("%s: %d hosts differ from the offline run, e.g. %s:\n offline: %s\n live:    %s"
                         % (what, len(diff), ip, h1.get(ip), hn.get(ip)))
                print("ok: %s: %s; %d alerts and %d flagged hosts as offline" % (what, how, len(an), len(hn)))
        ok = True
        print("PASS")
        return 0
    finally:
        ns.close()
        if ok and not os.environ.get("MW_KEEP_WORK"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept " + tmp)


if __name__ == "__main__":
    sys.exit(main())
