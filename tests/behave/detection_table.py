#!/usr/bin/env python3
"""detection_table.py - detection and false-alarm rates of the encrypted-mining behaviour
detector over generated sessions (stdlib only).

usage: detection_table.py --build DIR [--n N] [--n-like N] [--minutes M] [--jobs J]
                          [--write docs/detection.md] [--shared DIR]

For every mining family and look-alike class of mwgen's enc-* scenarios (tests/gen/
scen_behave.c) it generates sessions with seeds 1..N ("nominal": the parameter ranges the
rules were written against) and seeds 9001..9000+N with the "holdout" flag (ranges widened
beyond them, 2% retransmissions), runs minewatch on each, and counts sessions with an
alert of signature 8100010 and how long after the session's first packet it came. It also
replays every capture of SHARED/pcaps/mining with opaque payloads (opaque_pcap.py) and
runs SHARED/pcaps/traffic as it is, counting 8100010 alerts. --write replaces the text
between the BEGIN/END markers in the given markdown file with the tables.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile

SID = 8100010
FAMILIES = ["cryptonote", "ethash", "sha256", "kawpow", "kheavyhash", "equihash"]
LIKES = ["mqtt", "chat", "ticker", "imap-idle", "longpoll", "push", "video", "call", "ssh", "vpn", "update"]
BEGIN = "<!-- BEGIN behaviour table (tests/behave/detection_table.py) -->"
END = "<!-- END behaviour table -->"
HERE = os.path.dirname(os.path.abspath(__file__))


def run_minewatch(build, pcap, work):
    eve = os.path.join(work, os.path.basename(pcap) + ".eve")  # never next to a shared capture
    if os.path.exists(eve):
        os.remove(eve)
    subprocess.run([os.path.join(build, "minewatch"), "-r", pcap, "--eve", eve],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    first, alerts, reasons = None, [], {}
    if not os.path.exists(eve):  # a corrupt capture: nothing written
        return alerts, reasons
    with open(eve, encoding="utf-8", errors="replace") as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("event_type") == "alert" and ev["alert"]["signature_id"] == SID:
                alerts.append(ev)
            if ev.get("event_type") == "stats":
                b = ev.get("stats", {}).get("minewatch", {}).get("behave", {})
                reasons = {k[7:]: v for k, v in b.items() if k.startswith("judged_") and v}
    return alerts, reasons


def first_ts(pcap):
    """Timestamp (s) of the first packet of a classic pcap we wrote."""
    import struct
    with open(pcap, "rb") as f:
        f.seek(24)
        hdr = f.read(8)
    sec, usec = struct.unpack("<II", hdr)
    return sec + usec / 1e6


def ts_of(alert):
    from datetime import datetime
    return datetime.strptime(alert["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def one(build, work, scen, seed, minutes, holdout):
    pcap = os.path.join(work, "%s-%d%s.pcap" % (scen, seed, "-h" if holdout else ""))
    args = [os.path.join(build, "mwgen"), scen, str(seed)]
    if minutes:
        args.append(str(minutes))
    if holdout:
        if not minutes:
            args.append("0")
        args.append("holdout")
    args.append(pcap)
    subprocess.run(args, check=True)
    alerts, reasons = run_minewatch(build, pcap, work)
    t = ts_of(alerts[0]) - first_ts(pcap) if alerts else None
    b = alerts[0]["mining"]["behaviour"] if alerts else None
    os.remove(pcap)
    os.remove(os.path.join(work, os.path.basename(pcap) + ".eve"))
    return scen, holdout, t, b, reasons


def fmt_reasons(counter):
    return ", ".join("%s %d" % (k, v) for k, v in sorted(counter.items(), key=lambda kv: -kv[1])) or "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--n-like", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=12)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--write")
    ap.add_argument("--seed-offset", type=int, default=0,
                    help="added to every seed: a run on seeds no development run has seen")
    ap.add_argument("--no-traffic", action="store_true", help="leave out SHARED/pcaps/traffic (pcap.shared_no_false_positives covers it)")
    ap.add_argument("--shared", default=os.environ.get("MW_SHARED_DIR", os.path.join(HERE, "../../../shared")))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mw-behave-")
    tasks = []
    for holdout in (False, True):
        base = (9001 if holdout else 1) + a.seed_offset
        for fam in FAMILIES:
            tasks += [("enc-mining-" + fam, base + i, a.minutes, holdout) for i in range(a.n)]
        for c in LIKES:
            # bulk classes keep their own default length (3.5 min): enough to be judged
            mins = None if c in ("video", "call", "update") else a.minutes
            tasks += [("enc-like-" + c, base + i, mins, holdout) for i in range(a.n_like)]
    res = {}
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for scen, holdout, t, b, reasons in ex.map(lambda t: one(a.build, work, *t), tasks):
            r = res.setdefault((scen, holdout), {"n": 0, "alerts": 0, "in10": 0, "t": [], "why": {}, "b": []})
            r["n"] += 1
            if t is not None:
                r["alerts"] += 1
                r["t"].append(t)
                r["b"].append(b)
                if t <= 600:
                    r["in10"] += 1
            else:
                for k, v in reasons.items():
                    r["why"][k] = r["why"].get(k, 0) + v
    lines = []
    for holdout in (False, True):
        b0 = (9001 if holdout else 1) + a.seed_offset
        title = ("Hold-out (seeds %d+, widened ranges, 2%% retransmissions)" % b0 if holdout
                 else "Nominal (seeds %d..%d)" % (b0, b0 + a.n - 1))
        lines += ["", "**%s**" % title, "",
                  "| class | sessions | alerted | within 10 min | median time to alert | median job interval / submits per min / ack delay | why the others stayed silent |",
                  "|---|---|---|---|---|---|---|"]
        tot_m = tot_m10 = tot_l = tot_la = 0
        for scen in ["enc-mining-" + f for f in FAMILIES] + ["enc-like-" + c for c in LIKES]:
            r = res[(scen, holdout)]
            med = "%.0f s" % statistics.median(r["t"]) if r["t"] else "-"
            if r["b"]:
                ev = "%.1f s / %.1f / %.0f ms" % (statistics.median(x["job_interval_s"] for x in r["b"]),
                                                  statistics.median(x["submits_per_min"] for x in r["b"]),
                                                  statistics.median(x["ack_delay_ms"] for x in r["b"]))
            else:
                ev = "-"
            lines.append("| %s | %d | %d | %d (%.0f%%) | %s | %s | %s |" % (
                scen, r["n"], r["alerts"], r["in10"], 100.0 * r["in10"] / r["n"], med, ev, fmt_reasons(r["why"])))
            if scen.startswith("enc-mining"):
                tot_m += r["n"]
                tot_m10 += r["in10"]
            else:
                tot_l += r["n"]
                tot_la += r["alerts"]
        lines += ["", "Mining sessions detected within 10 minutes: %d of %d (%.1f%%). Look-alike sessions "
                  "with an alert: %d of %d." % (tot_m10, tot_m, 100.0 * tot_m10 / tot_m, tot_la, tot_l)]
    # Real captures: the mining ones replayed as opaque, the campus traffic as it is.
    shared = os.path.abspath(a.shared)
    mining = sorted(glob.glob(os.path.join(shared, "pcaps/mining/*")))
    traffic = [] if a.no_traffic else sorted(p for p in glob.glob(os.path.join(shared, "pcaps/traffic/*")) if p.endswith(("pcap", "pcapng", "cap")))
    if mining:
        lines += ["", "**Real mining captures replayed with opaque payloads** (tests/behave/opaque_pcap.py: "
                  "sizes and timing kept)", "", "| capture | length | alert | judged |", "|---|---|---|---|"]
        for p in mining:
            out = os.path.join(work, os.path.basename(p) + ".opaque.pcap")
            subprocess.run([sys.executable, os.path.join(HERE, "opaque_pcap.py"), p, out], check=True)
            alerts, reasons = run_minewatch(a.build, out, work)
            dur = subprocess.run(["capinfos", "-u", "-M", p], capture_output=True, text=True).stdout
            dur = next((l.split(":", 1)[1].strip() for l in dur.splitlines() if "duration" in l), "?")
            lines.append("| %s | %s | %s | %s |" % (os.path.basename(p), dur, "yes" if alerts else "no", fmt_reasons(reasons)))
    if traffic:
        n_alert = 0
        for p in traffic:
            alerts, _ = run_minewatch(a.build, p, work)
            n_alert += len(alerts)
        lines += ["", "Captures of ../shared/pcaps/traffic: %d, alerts of signature %d: %d." % (len(traffic), SID, n_alert)]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.write:
        with open(a.write, encoding="utf-8") as f:
            doc = f.read()
        if BEGIN in doc and END in doc:
            head, rest = doc.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            doc = head + BEGIN + "\n" + text + END + tail
        else:
            doc += "\n" + BEGIN + "\n" + text + END + "\n"
        with open(a.write, "w", encoding="utf-8") as f:
            f.write(doc)
    mining_ok = all(res[("enc-mining-" + f, h)]["in10"] >= 0.95 * res[("enc-mining-" + f, h)]["n"]
                    for f in FAMILIES for h in (False,))
    quiet = all(res[("enc-like-" + c, h)]["alerts"] == 0 for c in LIKES for h in (False, True))
    return 0 if mining_ok and quiet else 1


if __name__ == "__main__":
    sys.exit(main())
