#!/usr/bin/env python3
"""A pool hopper (issue #11): one host, 500 pools, four signatures each (DNS lookup, TLS SNI,
DNS-learned address, Stratum), twice within one throttle window, with one thread and with
two workers. Alerts never exceed the distinct (pool, signature) pairs nor the per-host
ceiling (alerts.host-ceiling, default 100 a minute); no pair alerts twice in the window;
the host event accounts for every pool (pools_total) and says the list was cut; every
mining flow has a flow event, alerted or held back with the reason.
usage: pool_hopping.py MINEWATCH MWGEN"""
import json
import os
import subprocess
import sys
import tempfile

MW, GEN = sys.argv[1], sys.argv[2]
POOLS, ROUNDS, CEILING = 500, 2, 100


def ts(s):
    # "2024-03-13T10:00:00.123456+0000" -> seconds
    import datetime
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def check(path, workers):
    alerts, flows, host = [], [], None
    for line in open(path):
        e = json.loads(line)
        if e["event_type"] == "alert":
            alerts.append(e)
        elif e["event_type"] == "flow":
            flows.append(e)
        elif e["event_type"] == "host" and e["src_ip"] == "10.20.60.6":
            host = e["mining_host"]
    pairs = {}
    for a in alerts:
        key = (a["mining"].get("pool_host") or a["dest_ip"], a["alert"]["signature_id"])
        pairs[key] = pairs.get(key, 0) + 1
    twice = [k for k, n in pairs.items() if n > 1]
    if twice:
        sys.exit("FAIL: %d workers: pairs alerted twice within the window: %s" % (workers, twice[:3]))
    distinct = POOLS * 4
    times = sorted(ts(a["timestamp"]) for a in alerts)
    minutes = int((times[-1] - times[0]) // 60) + 1
    if len(alerts) > distinct or len(alerts) > CEILING * (minutes + 1):
        sys.exit("FAIL: %d workers: %d alerts over %d minutes (pairs %d, ceiling %d a minute)"
                 % (workers, len(alerts), minutes, distinct, CEILING))
    # The ceiling counts per minute of packet time (fixed slices): with one thread no minute
    # holds more; with workers a late finding counts against the next minute, so the bound
    # is the total above.
    per_minute = {}
    for t in times:
        per_minute[int(t // 60)] = per_minute.get(int(t // 60), 0) + 1
    if workers == 1 and max(per_minute.values()) > CEILING:
        sys.exit("FAIL: %d alerts in one minute, ceiling %d" % (max(per_minute.values()), CEILING))
    if host is None:
        sys.exit("FAIL: %d workers: no host event for the hopper" % workers)
    if host["pools_total"] != 2 * POOLS or not host["pools_truncated"]:
        sys.exit("FAIL: %d workers: host event pools_total %d truncated %s, expected %d and true"
                 % (workers, host["pools_total"], host["pools_truncated"], 2 * POOLS))
    held = [f for f in flows if not f["flow"]["alerted"]]
    if len(flows) != 3 * POOLS * ROUNDS:
        sys.exit("FAIL: %d workers: %d flow events for %d mining flows" % (workers, len(flows), 3 * POOLS * ROUNDS))
    bad = [f for f in held if f["mining"].get("alert_held") not in ("throttled", "host-ceiling")]
    if bad or not held:
        sys.exit("FAIL: %d workers: held flows without a reason: %s" % (workers, bad[:1]))
    print("ok: %d worker(s): %d alerts for %d pairs over %d minutes, %d flows held (%s), pools_total %d"
          % (workers, len(alerts), distinct, minutes, len(held),
             ", ".join(sorted({f["mining"]["alert_held"] for f in held})), host["pools_total"]))


with tempfile.TemporaryDirectory() as work:
    pcap = os.path.join(work, "hop.pcap")
    subprocess.run([GEN, "pool-hop", str(POOLS), str(ROUNDS), pcap], check=True)
    for workers in (1, 2):
        out = os.path.join(work, "eve-%d.json" % workers)
        cmd = [MW, "-r", pcap, "--eve", out] + (["--workers", str(workers)] if workers > 1 else [])
        p = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, timeout=120)
        if p.returncode != 0:
            sys.exit("FAIL: %s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
        check(out, workers)
