#!/usr/bin/env python3
"""no_lost_alerts.py - a long-running sensor loses no alert across rotations, stops and full disks.

usage: no_lost_alerts.py MODE MINEWATCH MWGEN      (MODE: hup, term, enospc)

minewatch reads a FIFO this script feeds, packet by packet, with `mwgen many-miners N`:
N miners, exactly one mining alert each. What the sensor should have written is what an
offline run (`minewatch -r`) over the same packets writes; alerts are compared as
(src_ip, src_port, dest_ip, dest_port, signature_id), which is unique per alert here.

  hup     50 rotations as logrotate does them (rename, create the new file, SIGHUP) while
          traffic flows; the union of all files must hold every alert exactly once and
          only whole lines.
  term    SIGTERM after part of the traffic, the FIFO still open: the final stats event says
          how many packets were read (decoder.pkts); every alert an offline run over
          exactly those packets gives must be in the file, and no other.
  enospc  the log directory is a small tmpfs in a private mount namespace (re-executes
          itself under `unshare -m`; exit 77 when that is not permitted). The disk is
          filled while traffic flows, then freed: the sensor must keep capturing (every
          packet read), count what it dropped (stats output.dropped/write_errors), never
          tear a line, and write the alerts of the traffic after the space returned.

Under the sanitizers (MW_SANITIZED=1) N is smaller; the script says so. Exit 0 pass, 1 fail,
77 skipped (with the reason).
"""
import collections
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from mwwait import wait_consumed, wait_for  # noqa: E402

SANITIZED = os.environ.get("MW_SANITIZED") == "1"
N_MINERS = 400 if SANITIZED else 2000
ROTATIONS = 50


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    head, off, recs = data[:24], 24, []
    magic = struct.unpack("<I", head[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + incl])
        off += 16 + incl
    return head, recs


def events(paths):
    """Every line of the files, parsed; a line that is not whole JSON fails the test."""
    out = []
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            fail("%s does not end with a newline (torn line)" % p)
        for no, line in enumerate(data.split(b"\n")[:-1], 1):
            try:
                out.append((p, json.loads(line)))
            except ValueError:
                fail("%s:%d is not a whole JSON line: %r" % (p, no, line[:120]))
    return out


def alert_key(ev):
    return (ev["src_ip"], ev["src_port"], ev["dest_ip"], ev["dest_port"], ev["alert"]["signature_id"])


def alert_keys(evs):
    return collections.Counter(alert_key(e) for _, e in evs if e.get("event_type") == "alert")


def last_stats(evs):
    st = [e for _, e in evs if e.get("event_type") == "stats"]
    if not st:
        fail("no stats event")
    return st[-1]["stats"]


class Run:
    def __init__(self, mw, mwgen, tmp):
        self.mw, self.tmp = mw, tmp
        self.pcap = os.path.join(tmp, "many.pcap")
        subprocess.run([mwgen, "many-miners", str(N_MINERS), self.pcap], check=True)
        self.head, self.recs = read_pcap(self.pcap)
        self.proc = None
        print("input: %d miners, %d packets%s" % (N_MINERS, len(self.recs),
              " (scaled down under the sanitizers)" if SANITIZED else ""))

    def offline(self, nrec, name):
        """Alert keys of an offline run over the first nrec packets."""
        p = os.path.join(self.tmp, name + ".pcap")
        with open(p, "wb") as f:
            f.write(self.head)
            f.write(b"".join(self.recs[:nrec]))
        eve = os.path.join(self.tmp, name + ".json")
        subprocess.run([self.mw, "-r", p, "--eve", eve], check=True, stderr=subprocess.DEVNULL)
        return alert_keys(events([eve]))

    def start(self, eve):
        self.fifo = os.path.join(self.tmp, "feed.fifo")
        os.mkfifo(self.fifo)
        self.stderr = open(os.path.join(self.tmp, "stderr.txt"), "wb")
        self.proc = subprocess.Popen([self.mw, "-r", self.fifo, "--eve", eve,
                                      "--pidfile", os.path.join(self.tmp, "mw.pid")],
                                     stderr=self.stderr)
        self.feed = open(self.fifo, "wb", buffering=0)
        self.feed.write(self.head)
        # The capture is opened before the output: wait for the file, as logrotate would
        # find it, before any rotation.
        deadline = time.monotonic() + 60
        while not os.path.exists(eve):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                fail("minewatch did not create %s" % eve)
            time.sleep(0.01)

    def send(self, lo, hi):
        self.feed.write(b"".join(self.recs[lo:hi]))

    def consumed(self, what):
        """Wait until the sensor has read and processed every packet sent so far."""
        try:
            wait_consumed(self.proc, self.feed.fileno(), self.fifo, what)
        except RuntimeError as e:
            fail(str(e))

    def stderr_has(self, text):
        with open(self.stderr.name, "rb") as f:
            return text.encode() in f.read()

    def finish(self, timeout=60):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("minewatch did not exit within %d s" % timeout)
        self.stderr.close()
        err = open(self.stderr.name, errors="replace").read()
        if "Sanitizer" in err or "runtime error:" in err:
            fail("sanitizer report:\n" + err)
        if rc != 0:
            fail("minewatch exited %d:\n%s" % (rc, err[-2000:]))
        return err


def mode_hup(run):
    expected = run.offline(len(run.recs), "offline")
    if len(expected) != N_MINERS or max(expected.values()) != 1:
        fail("offline run: %d distinct alerts for %d miners" % (len(expected), N_MINERS))
    logdir = os.path.join(run.tmp, "log")
    os.mkdir(logdir)
    eve = os.path.join(logdir, "eve.json")
    run.start(eve)
    t0 = time.monotonic()
    step = len(run.recs) // (ROTATIONS + 1)
    files = []
    for k in range(ROTATIONS):
        run.send(k * step, (k + 1) * step)
        # Every other rotation comes while the sensor is still busy with the packets just
        # sent (a HUP racing the traffic); the others after it has processed them, so the
        # alerts are spread over the files however slow the machine is.
        if k % 2:
            run.consumed("rotation %d" % (k + 1))
        # logrotate: rename, `create` the new file, then the postrotate HUP
        rotated = "%s.%d" % (eve, k + 1)
        os.rename(eve, rotated)
        files.append(rotated)
        open(eve, "ab").close()
        run.proc.send_signal(signal.SIGHUP)
    run.send(ROTATIONS * step, len(run.recs))
    run.feed.close()
    run.finish()
    files.append(eve)
    evs = events(files)
    got = alert_keys(evs)
    dup = {k: n for k, n in got.items() if n > 1}
    lost = set(expected) - set(got)
    extra = set(got) - set(expected)
    with_alerts = len({p for p, e in evs if e.get("event_type") == "alert"})
    st = last_stats(evs)
    print("%d rotations in %.1f s: %d alerts over %d files (%d with alerts), output.reopens %d"
          % (ROTATIONS, time.monotonic() - t0, sum(got.values()), len(files), with_alerts,
             st["minewatch"].get("output", {}).get("reopens", -1)))
    if lost or dup or extra:
        fail("%d lost, %d duplicated, %d unexpected alerts (e.g. %s)"
             % (len(lost), len(dup), len(extra), sorted(lost or dup or extra)[:3]))
    if with_alerts < 2:
        fail("every alert landed in one file: the rotations did not interleave with traffic")
    if st["decoder"]["pkts"] != len(run.recs):
        fail("decoder.pkts %d, fed %d" % (st["decoder"]["pkts"], len(run.recs)))


def mode_term(run):
    logdir = os.path.join(run.tmp, "log")
    os.mkdir(logdir)
    eve = os.path.join(logdir, "eve.json")
    run.start(eve)
    part = len(run.recs) * 6 // 10
    run.send(0, part)
    run.consumed("the first %d packets" % part)  # the FIFO stays open (no EOF)
    t0 = time.monotonic()
    run.proc.send_signal(signal.SIGTERM)
    run.finish(timeout=30)
    stop_s = time.monotonic() - t0
    evs = events([eve])
    st = last_stats(evs)
    read = st["decoder"]["pkts"]
    if not 0 < read < len(run.recs):
        fail("decoder.pkts %d: the stop was not mid-stream (%d packets in all)" % (read, len(run.recs)))
    expected = run.offline(read, "prefix")
    got = alert_keys(evs)
    print("SIGTERM after %d of %d packets: exit in %.2f s, %d alerts written, %d expected"
          % (read, len(run.recs), stop_s, sum(got.values()), len(expected)))
    if not expected:
        fail("no alert expected before the stop: the test would prove nothing")
    if got != expected:
        lost = set(expected) - set(got)
        extra = set(got) - set(expected)
        fail("%d alerts lost, %d unexpected or duplicated (e.g. %s)"
             % (len(lost), len(extra) + sum(n - 1 for n in got.values() if n > 1),
                sorted(lost or extra)[:3]))
    run.feed.close()


def mode_enospc(run, logdir):
    size = 8 << 20
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % size, "mwtest", logdir],
                      capture_output=True).returncode != 0:
        print("SKIP: cannot mount a tmpfs in the private mount namespace")
        sys.exit(77)
    eve = os.path.join(logdir, "eve.json")
    n = len(run.recs)
    a, b = n * 3 // 10, n * 6 // 10
    k_a, k_b, k_all = run.offline(a, "p1"), run.offline(b, "p2"), run.offline(n, "all")
    run.start(eve)
    run.send(0, a)
    run.consumed("phase 1 (disk free)")
    filler = os.path.join(logdir, "filler")
    with open(filler, "wb", buffering=0) as f:
        chunk = b"\0" * 65536
        try:
            while True:
                f.write(chunk)
        except OSError:
            pass
        try:  # the last partial block
            while True:
                f.write(b"\0" * 512)
        except OSError:
            pass
    run.send(a, b)
    run.consumed("phase 2 (disk full)")
    # Lines reach the disk when the output buffer is flushed (every 100 ms of packet time,
    # when full, at a write once the oldest line is 1 s old): wait for the first flush
    # that met the full disk rather than for a time.
    try:
        wait_for(lambda: run.stderr_has("No space left on device"),
                 "a write error on the full disk (stderr)", proc=run.proc)
    except RuntimeError as e:
        fail(str(e))
    os.unlink(filler)
    run.send(b, n)
    run.feed.close()
    run.finish()
    shutil.copy(eve, os.path.join(run.tmp, "eve-enospc.json"))  # the tmpfs goes at the end
    evs = events([eve])
    got = alert_keys(evs)
    st = last_stats(evs)
    out = st["minewatch"].get("output", {})
    phase3 = set(k_all) - set(k_b)
    phase2 = set(k_b) - set(k_a)
    lost2 = len(phase2 - set(got))
    print("tmpfs %d MiB filled after %d of %d packets, freed after %d: %d alerts written, %d of %d "
          "in the full-disk phase lost; output.dropped %d, write_errors %d, lines %d; %d lines in file"
          % (size >> 20, a, n, b, sum(got.values()), lost2, len(phase2), out.get("dropped", -1),
             out.get("write_errors", -1), out.get("lines", -1), len(evs)))
    if st["decoder"]["pkts"] != n:
        fail("decoder.pkts %d of %d fed: capture stopped on the full disk" % (st["decoder"]["pkts"], n))
    if max(got.values(), default=0) > 1:
        fail("duplicated alerts")
    if set(got) - set(k_all):
        fail("unexpected alerts")
    if not out.get("write_errors") or not out.get("dropped"):
        fail("the full disk was not counted (output %s)" % out)
    if lost2 == 0:
        fail("no alert of the full-disk phase was lost: the disk was not full, the test proved nothing")
    if out["dropped"] < lost2:
        fail("output.dropped %d < %d alerts lost" % (out["dropped"], lost2))
    missing3 = phase3 - set(got)
    if missing3:
        fail("%d alerts of the traffic after the space returned are missing (e.g. %s)"
             % (len(missing3), sorted(missing3)[:3]))
    # Every line is counted once: written (the last stats line counts itself after) or dropped.
    if len(evs) != out["lines"] + 1:
        fail("%d lines in the file, output.lines says %d (+1 for the stats line itself)"
             % (len(evs), out["lines"]))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("hup", "term", "enospc", "enospc-inner"):
        print(__doc__)
        return 2
    mode, mw, mwgen = sys.argv[1:]
    if mode == "enospc":
        probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True) \
            if shutil.which("unshare") else None
        if probe is None or probe.returncode != 0:
            print("SKIP: cannot create a private mount namespace (needs root and unshare(1)): %s"
                  % (probe.stderr.decode(errors="replace").strip() if probe else "unshare not found"))
            return 77
        return subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable,
                               os.path.abspath(__file__), "enospc-inner", mw, mwgen]).returncode
    tmp = tempfile.mkdtemp(prefix="mw-nolost-")
    run = None
    try:
        run = Run(mw, mwgen, tmp)
        if mode == "hup":
            mode_hup(run)
        elif mode == "term":
            mode_term(run)
        else:
            logdir = os.path.join(tmp, "log")
            os.mkdir(logdir)
            try:
                mode_enospc(run, logdir)
            finally:
                if run.proc and run.proc.poll() is None:
                    run.proc.kill()
                subprocess.run(["umount", logdir], capture_output=True)
        print("PASS " + mode)
        return 0
    finally:
        if run and run.proc and run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait()
        if os.environ.get("MW_KEEP_WORK"):
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
