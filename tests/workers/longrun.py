#!/usr/bin/env python3
"""longrun.py - hours of traffic time through a running sensor, with signals mid-stream (#11).

usage: longrun.py MINEWATCH MWGEN

`mwgen long-run MINERS ROUNDS` writes ROUNDS half-hour rounds (one every 30 minutes of
traffic time, idle time between): each miner looks up a pool name and connects with XMRig
to the answer (a new pool every round), every third also speaks Stratum V1, bare SYNs
from outside between them; a marker session in the middle and at the end of every round.
minewatch reads it from a FIFO this script feeds round by round, with one thread and with
--workers 2 and 4 (software dispatch), so signals arrive while it runs:

- checkpoints: after each marker the script waits (deadline, never a fixed sleep) until
  the marker's alert is in the file: the marker's last packet raises it, so every packet
  up to that one has been processed (see hosts_marker in tests/gen/scen_hosts.c); then it
  reads VmRSS from /proc/PID/status;
- memory: after the warm-up (the first half of the rounds, by which every table has met
  its cap) VmRSS and each worker's minewatch.memory.in_use (stats events) may not grow by
  more than RSS_TOLERANCE / INUSE_TOLERANCE over the rest of the run;
- SIGHUP: after round 2 and every third round, a logrotate-style rotation (rename, create,
  HUP): each line lands in exactly one file, whole;
- SIGUSR2: rule reloads after rounds 3 and 6 (the log says "rules reloaded" each time);
- SIGTERM: in the middle of one more round (its first half's sessions still open, the
  FIFO still open), after the marker: the final stats event must count every packet fed
  (decoder.pkts), and the alerts over all files must be exactly those of an offline
  one-thread run over the same packets (none lost, none duplicated, none extra);
- hosts: every host flagged once; a host's events never contradict each other (the
  verdict never falls back, score, findings and pools_total never go down, nothing before
  "flagged"); the final verdicts, scores, pool sets and worker names of 2 and 4 workers
  equal those of one thread.

Under the sanitizers (MW_SANITIZED=1) fewer miners and rounds; the script says so.
Exit 0 pass, 1 fail.
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
MINERS, ROUNDS = (100, 8) if SANITIZED else (300, 16)
WARMUP = ROUNDS // 2
# Documented in docs/deployment.md: what "flat" allows after the warm-up.
RSS_TOLERANCE = 512 << 10    # bytes of VmRSS (malloc arenas, page granularity)
INUSE_TOLERANCE = 64 << 10   # bytes of a worker's minewatch.memory.in_use
# ASan keeps freed memory in quarantine, so RSS grows by design there; the in_use counters
# and LeakSanitizer at exit still apply.
RSS_CHECKED = not SANITIZED
HUP_AFTER = {2} | set(range(5, ROUNDS + 1, 3))
USR2_AFTER = {3, 6}
DEADLINE = 120 if SANITIZED else 60


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    off, recs = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + incl])
        off += 16 + incl
    return data[:24], recs


def markers(recs):
    """Index of the last packet of each marker (the pool's answer): (kind, round) -> index
    (round from 1)."""
    out = {}
    for i, r in enumerate(recs):
        frame = r[16:]
        if len(frame) < 38 or frame[12:14] != b"\x08\x00" or b'"id":2,"result":true' not in frame:
            continue
        dst = frame[30:34]
        if dst in (bytes([10, 23, 0, 1]), bytes([10, 24, 0, 1])):
            port = struct.unpack(">H", frame[36:38])[0]
            out[("end" if dst[1] == 23 else "mid", (port - 50000) // 2 + 1)] = i
    return out


def marker(kind, rnd):
    """The start of the marker's alert line (src_ip, src_port: unique per marker)."""
    ip, port = ("10.23.0.1", 50001 + 2 * (rnd - 1)) if kind == "end" else ("10.24.0.1", 50000 + 2 * (rnd - 1))
    return ip, port


def parse_lines(data, path):
    if data and not data.endswith(b"\n"):
        fail("%s does not end with a newline (torn line)" % path)
    out = []
    for no, line in enumerate(data.split(b"\n")[:-1], 1):
        try:
            out.append(json.loads(line))
        except ValueError:
            fail("%s:%d is not a whole JSON line: %r" % (path, no, line[:120]))
    return out


class Sensor:
    def __init__(self, mw, tmp, workers, head):
        self.tmp, self.workers = tmp, workers
        self.logdir = os.path.join(tmp, "log-%d" % workers)
        os.mkdir(self.logdir)
        self.eve = os.path.join(self.logdir, "eve.json")
        self.rotated = []
        fifo = os.path.join(tmp, "feed-%d.fifo" % workers)
        os.mkfifo(fifo)
        conf = os.path.join(tmp, "longrun.yaml")
        self.errpath = os.path.join(tmp, "stderr-%d.txt" % workers)
        self.err = open(self.errpath, "wb")
        cmd = [mw, "-r", fifo, "-c", conf, "--eve", self.eve] + (["--workers", str(workers)] if workers > 1 else [])
        self.proc = subprocess.Popen(cmd, stderr=self.err)
        self.feed = open(fifo, "wb", buffering=0)
        self.feed.write(head)
        self.scanned, self.tails = {}, {}  # has_marker: bytes of each file read so far
        self.wait(lambda: os.path.exists(self.eve), "the EVE file to be created")

    def wait(self, cond, what):
        deadline = time.monotonic() + DEADLINE
        while not cond():
            if self.proc.poll() is not None:
                fail("%d workers: minewatch exited %d while waiting for %s:\n%s"
                     % (self.workers, self.proc.returncode, what, self.stderr()[-2000:]))
            if time.monotonic() > deadline:
                fail("%d workers: no %s within %d s" % (self.workers, what, DEADLINE))
            time.sleep(0.02)

    def stderr(self):
        return open(self.errpath, errors="replace").read()

    def has_marker(self, kind, rnd):
        """Is the marker's alert in the current file (or the one rotated last, which takes the
        lines written before the reopen)? Reads only what was added since the last call."""
        needle = ('"event_type":"alert","src_ip":"%s","src_port":%d,' % marker(kind, rnd)).encode()
        for path in self.rotated[-1:] + [self.eve]:
            off = self.scanned.get(path, 0)
            with open(path, "rb") as f:
                f.seek(off)
                new = f.read()
            # keep a line's worth of overlap: the needle may straddle two reads
            chunk = self.tails.get(path, b"") + new
            self.scanned[path] = off + len(new)
            self.tails[path] = chunk[-len(needle):]
            if needle in chunk:
                self.tails[path] = b""
                return True
        return False

    def rss(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        fail("no VmRSS")

    def rotate(self):
        rotated = "%s.%d" % (self.eve, len(self.rotated) + 1)
        os.rename(self.eve, rotated)
        self.rotated.append(rotated)
        self.scanned[rotated] = self.scanned.pop(self.eve, 0)
        self.tails[rotated] = self.tails.pop(self.eve, b"")
        open(self.eve, "ab").close()
        self.proc.send_signal(signal.SIGHUP)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("%d workers: minewatch did not exit within %d s of SIGTERM" % (self.workers, DEADLINE))
        self.feed.close()
        self.err.close()
        err = self.stderr()
        if "Sanitizer" in err or "runtime error:" in err:
            fail("sanitizer report:\n" + err)
        if rc != 0:
            fail("%d workers: minewatch exited %d:\n%s" % (self.workers, rc, err[-2000:]))
        return err

    def events(self):
        evs = []
        for p in self.rotated + [self.eve]:
            with open(p, "rb") as f:
                evs += parse_lines(f.read(), p)
        return evs


def alert_key(e):
    return (e["src_ip"], e["src_port"], e["dest_ip"], e["dest_port"], e["alert"]["signature_id"])


def check_hosts(evs, workers):
    """Consistency of the host events; returns each host's final state."""
    last, flagged = {}, {}
    order = {"likely-miner": 1, "miner": 2, "authorised": 3}
    for e in evs:
        if e["event_type"] != "host":
            continue
        h = e["mining_host"]
        ip = h["ip"]
        if h["reason"] == "flagged":
            flagged[ip] = flagged.get(ip, 0) + 1
        elif ip not in last:
            fail("%d workers: host %s: a %s event before its flagged event" % (workers, ip, h["reason"]))
        p = last.get(ip)
        if p:
            for k in ("score", "findings", "pools_total"):
                if h[k] < p[k]:
                    fail("%d workers: host %s: %s went down from %d to %d" % (workers, ip, k, p[k], h[k]))
            if order[h["verdict"]] < order[p["verdict"]]:
                fail("%d workers: host %s: verdict fell back from %s to %s" % (workers, ip, p["verdict"], h["verdict"]))
        last[ip] = h
    twice = sorted(ip for ip, n in flagged.items() if n != 1)
    if twice:
        fail("%d workers: hosts flagged more than once: %s" % (workers, twice[:5]))
    return {ip: (h["verdict"], h["score"],
                 tuple(sorted(h.get("pools", []))) if not h["pools_truncated"] else "truncated",
                 h["pools_total"], tuple(sorted(h.get("workers", []))))
            for ip, h in last.items()}


def round_peaks(evs, workers):
    """Each worker's highest minewatch.memory.in_use per round (stats events after the end
    marker of round r-1 up to that of round r): {worker: {round: bytes}}."""
    ends = sorted((e["timestamp"], (e["src_port"] - 50001) // 2 + 1) for e in evs
                  if e["event_type"] == "alert" and e["src_ip"] == "10.23.0.1")
    peaks = {}
    for e in evs:
        if e["event_type"] != "stats" or "workers" in e["stats"]["minewatch"]:
            continue  # a total is the sum of the workers' own events
        m = e["stats"]["minewatch"]
        wid = m.get("worker", {}).get("id", 0)
        rnd = next((r for t, r in ends if e["timestamp"] <= t), None)
        if rnd is None:
            continue  # the half round before the stop
        w = peaks.setdefault(wid, {})
        w[rnd] = max(w.get(rnd, 0), m["memory"]["in_use"])
    return peaks


def run(mw, tmp, workers, head, recs, mk, last):
    s = Sensor(mw, tmp, workers, head)
    fed, rss, reloads = 0, {}, 0
    t0 = time.monotonic()
    for rnd in range(1, ROUNDS + 2):
        for kind in ("mid", "end"):
            if rnd == ROUNDS + 1 and kind == "end":
                break
            upto = mk[(kind, rnd)] + 1
            s.feed.write(b"".join(recs[fed:upto]))
            fed = upto
            s.wait(lambda: s.has_marker(kind, rnd), "alert of marker %s%d" % (kind, rnd))
        if rnd > ROUNDS:
            break
        rss[rnd] = s.rss()
        if rnd in HUP_AFTER:
            s.rotate()  # takes effect with the next packet fed
        if rnd in USR2_AFTER:
            s.proc.send_signal(signal.SIGUSR2)
            reloads += 1
    # Mid-round: the first half's sessions and the marker's are open, the FIFO too.
    s.wait(lambda: s.stderr().count("rules reloaded") >= reloads, "log line for each of %d reloads" % reloads)
    err = s.stop()
    elapsed = time.monotonic() - t0
    evs = s.events()
    st = [e["stats"] for e in evs if e["event_type"] == "stats"]
    fin = [x for x in st if workers == 1 or "workers" in x["minewatch"]]
    if not fin:
        fail("%d workers: no final stats event" % workers)
    pkts = fin[-1]["decoder"]["pkts"]
    if pkts != fed:
        fail("%d workers: decoder.pkts %d at exit, %d packets fed: packets lost at SIGTERM" % (workers, pkts, fed))
    if err.count("rules reloaded") != len(USR2_AFTER):
        fail("%d workers: %d reloads logged for %d SIGUSR2" % (workers, err.count("rules reloaded"), len(USR2_AFTER)))
    files_with_alerts = len({p for p in s.rotated + [s.eve]
                             if b'"event_type":"alert"' in open(p, "rb").read()})
    if files_with_alerts != len(s.rotated) + 1:
        fail("%d workers: %d of %d files hold alerts: a rotation did not take" % (workers, files_with_alerts,
                                                                                 len(s.rotated) + 1))
    # Memory: flat after the warm-up, compared at the same point of every round (RSS at its
    # end marker, each worker's in_use at its peak within the round).
    after = range(WARMUP, ROUNDS + 1)
    base, top = rss[WARMUP], max(rss[r] for r in after)
    peaks = round_peaks(evs, workers)
    if sorted(peaks) != list(range(workers)) or any(sorted(p) != list(range(1, ROUNDS + 1)) for p in peaks.values()):
        fail("%d workers: stats events missing: in_use peaks for workers/rounds %s"
             % (workers, {w: sorted(p) for w, p in peaks.items()}))
    print("%d worker(s): %d packets (%d rounds of %d miners, %.2f h of traffic time) in %.1f s wall; "
          "%d rotations, %d reloads"
          % (workers, fed, ROUNDS, MINERS, (ROUNDS + 0.5) * 1800 / 3600, elapsed, len(s.rotated), len(USR2_AFTER)))
    print("  VmRSS %.2f MB after round 1, %.2f MB after the warm-up (round %d), %.2f MB at most after it (%+d KB), "
          "%.2f MB after round %d" % (rss[1] / 1e6, base / 1e6, WARMUP, top / 1e6, (top - base) // 1024,
                                      rss[ROUNDS] / 1e6, ROUNDS))
    for wid, p in sorted(peaks.items()):
        print("  worker %d memory.in_use peak per round (MB): %s"
              % (wid, " ".join("%.3f" % (p[r] / 1e6) for r in range(1, ROUNDS + 1))))
    if RSS_CHECKED and top - base > RSS_TOLERANCE:
        fail("%d workers: VmRSS grew by %d KB after the warm-up (tolerance %d KB): %s"
             % (workers, (top - base) // 1024, RSS_TOLERANCE // 1024, {r: rss[r] // 1024 for r in sorted(rss)}))
    for wid, p in sorted(peaks.items()):
        grow = max(p[r] for r in after) - p[WARMUP]
        if grow > INUSE_TOLERANCE:
            fail("%d workers: worker %d memory.in_use peak grew by %d KB after the warm-up (tolerance %d KB)"
                 % (workers, wid, grow // 1024, INUSE_TOLERANCE // 1024))
    return evs, fed


def offline(mw, tmp, head, recs, n):
    p = os.path.join(tmp, "prefix.pcap")
    with open(p, "wb") as f:
        f.write(head)
        f.write(b"".join(recs[:n]))
    eve = os.path.join(tmp, "offline.json")
    conf = os.path.join(tmp, "longrun.yaml")
    subprocess.run([mw, "-r", p, "-c", conf, "--eve", eve], check=True, stderr=subprocess.DEVNULL)
    with open(eve, "rb") as f:
        return parse_lines(f.read(), eve)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    mw, mwgen = sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="mw-longrun-")
    ok = False
    try:
        pcap = os.path.join(tmp, "long.pcap")
        subprocess.run([mwgen, "long-run", str(MINERS), str(ROUNDS + 1), pcap], check=True)
        head, recs = read_pcap(pcap)
        mk = markers(recs)
        if len(mk) != 2 * (ROUNDS + 1):
            fail("found %d markers in the capture, expected %d" % (len(mk), 2 * (ROUNDS + 1)))
        with open(os.path.join(tmp, "longrun.yaml"), "w") as f:
            f.write("stats:\n  interval: 60s\n")
        print("input: %d miners, %d rounds + half of one, %d packets%s"
              % (MINERS, ROUNDS, mk[("mid", ROUNDS + 1)] + 1, " (scaled down under the sanitizers)" if SANITIZED else ""))
        final, want = {}, None
        for workers in (1, 2, 4):
            evs, fed = run(mw, tmp, workers, head, recs, mk, ROUNDS)
            if want is None:
                off = offline(mw, tmp, head, recs, fed)
                want = {alert_key(e) for e in off if e["event_type"] == "alert"}
                if len(want) < MINERS:
                    fail("the offline run has %d alerts: the test would prove little" % len(want))
            got = [alert_key(e) for e in evs if e["event_type"] == "alert"]
            dup = len(got) - len(set(got))
            lost, extra = want - set(got), set(got) - want
            if lost or dup or extra:
                fail("%d workers: %d alerts of the offline one-thread run lost, %d duplicated, %d extra (e.g. %s)"
                     % (workers, len(lost), dup, len(extra), sorted(lost or extra)[:3]))
            final[workers] = check_hosts(evs, workers)
            print("  %d alerts, all %d of the offline one-thread run; %d hosts, each flagged once, consistent"
                  % (len(got), len(want), len(final[workers])))
        for n in (2, 4):
            diff = sorted(ip for ip in set(final[1]) | set(final[n]) if final[1].get(ip) != final[n].get(ip))
            if diff:
                ip = diff[0]
                fail("%d workers: %d hosts end differently from one thread, e.g. %s:\n 1: %s\n %d: %s"
                     % (n, len(diff), ip, final[1].get(ip), n, final[n].get(ip)))
        print("final verdicts, scores, pool sets and worker names alike with 1, 2 and 4 workers")
        ok = True
        print("PASS")
        return 0
    finally:
        if not ok or os.environ.get("MW_KEEP_WORK"):
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
