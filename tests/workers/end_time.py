#!/usr/bin/env python3
"""end_time.py MINEWATCH CAPTURE - a capture file read with --workers N ends the flows still
open at the file's last packet time, as one thread does, whichever worker holds them: flow
events with reason "shutdown" (and what they carry) must have the same timestamps with 1, 2
and 4 workers. Before the fix a worker ended its flows at the last packet it happened to be
given, so one capture gave two different end times."""
import json
import subprocess
import sys


def shutdown_flows(mw, pcap, workers):
    r = subprocess.run([mw, "-r", pcap, "--workers", str(workers), "--eve", "-"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit("FAIL: minewatch --workers %d exited %d: %s" % (workers, r.returncode, r.stderr[-1000:]))
    got = {}
    for line in r.stdout.splitlines():
        e = json.loads(line)
        if e["event_type"] == "flow" and e["flow"]["reason"] == "shutdown":
            key = (e["src_ip"], e.get("src_port"), e["dest_ip"], e.get("dest_port"), e["proto"])
            got[key] = e["timestamp"]
    return got


def main():
    mw, pcap = sys.argv[1:3]
    one = shutdown_flows(mw, pcap, 1)
    if len(set(one.values())) != 1 or len(one) < 2:
        sys.exit("FAIL: the capture should leave several flows open at its end, all ending at one time: %s" % one)
    for n in (2, 4):
        got = shutdown_flows(mw, pcap, n)
        if got != one:
            for k in sorted(set(one) | set(got), key=str):
                if one.get(k) != got.get(k):
                    print("flow %s: one thread %s, %d workers %s" % (k, one.get(k), n, got.get(k)))
            sys.exit("FAIL: --workers %d ends the open flows at other times than one thread" % n)
    print("ok: %d flows open at the end of the capture end at %s with 1, 2 and 4 workers"
          % (len(one), next(iter(one.values()))))


if __name__ == "__main__":
    main()
