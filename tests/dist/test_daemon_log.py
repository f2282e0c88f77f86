#!/usr/bin/env python3
"""test_daemon_log.py - with -D, diagnostics reach daemon.log-file, never /dev/null.

usage: test_daemon_log.py MINEWATCH

Once daemonised the sensor's stderr is /dev/null, so every message said after start-up
must go through the log module. The sensor reads a capture from a FIFO the test writes,
so each step happens when the test says:
  1. a rule reload (SIGUSR2) of a rule file that no longer parses: "rule reload failed"
     must be in the log file;
  2. logrotate's move and SIGHUP: the next message goes to a new file under the old name;
  3. a broken capture record: "error after packet 2" must be in that new file (this one
     was printed on stderr before, lost after -D);
  4. a start-up failure after detaching (an unknown --user) must be in the log file;
  5. a log file that cannot be opened is a start-up error on stderr, exit 2.
Waits are for a condition with a deadline, never fixed sleeps.
"""
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("MW_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DEADLINE = 60.0 if os.environ.get("MW_SANITIZED") else 20.0


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def wait_for(what, cond):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    fail("timed out waiting for " + what)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def pcap_header():
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def pcap_record(ts, frame):
    return struct.pack("<IIII", ts, 0, len(frame), len(frame)) + frame


def udp_frame(sport):
    udp = struct.pack(">HHHH", sport, 9999, 8 + 4, 0) + b"ping"
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([192, 0, 2, 1]))
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + udp


def write_config(w, log):
    path = os.path.join(w, "mw.yaml")
    with open(path, "w") as f:
        f.write("default-log-dir: %s\nhome-net: [10.0.0.0/8]\n" % w)
        f.write("stats: {enabled: no}\ngeoip: {enabled: no}\n")
        f.write("rules: {directory: %s}\n" % os.path.join(w, "rules"))
        f.write("daemon: {pidfile: %s, log-file: %s}\n" % (os.path.join(w, "mw.pid"), log))
    return path


def main():
    mw = os.path.abspath(sys.argv[1])
    w = tempfile.mkdtemp(prefix="mw-daemonlog-")
    ok = False
    pid = None
    try:
        os.mkdir(os.path.join(w, "rules"))
        shutil.copy(os.path.join(SRC, "rules", "default", "pools.yaml"), os.path.join(w, "rules"))
        log = os.path.join(w, "minewatch.log")
        conf = write_config(w, log)
        fifo = os.path.join(w, "in.pcap")
        os.mkfifo(fifo)
        # O_RDWR: the open does not wait for the reader, and the FIFO never sees EOF early.
        fd = os.open(fifo, os.O_RDWR)
        os.write(fd, pcap_header())
        r = subprocess.run([mw, "-D", "-c", conf, "-r", fifo], capture_output=True, text=True, timeout=DEADLINE)
        if r.returncode != 0:
            fail("minewatch -D exited %d: %s" % (r.returncode, r.stderr))
        pid = int(wait_for("the pidfile", lambda: read(os.path.join(w, "mw.pid")).strip()))

        # 1. A reload of a rule file that no longer parses; the reload applies to the next packet.
        with open(os.path.join(w, "rules", "pools.yaml"), "w") as f:
            f.write("version: 1\nlists: [\n")
        os.kill(pid, signal.SIGUSR2)
        os.write(fd, pcap_record(1000, udp_frame(1111)))
        wait_for("'rule reload failed' in %s" % log, lambda: "rule reload failed" in read(log))
        if "pools.yaml" not in read(log):
            fail("the reload error does not name the file:\n" + read(log))

        # 2. logrotate moves the file and sends HUP; the sensor acts on it after the next packet.
        os.rename(log, log + ".1")
        os.kill(pid, signal.SIGHUP)
        os.write(fd, pcap_record(1001, udp_frame(2222)))
        # 3. Then a record longer than any snaplen: libpcap reports a read error.
        os.write(fd, struct.pack("<IIII", 1002, 0, 0x7FFFFFF0, 0x7FFFFFF0))
        wait_for("'error after packet 2' in the reopened %s" % log, lambda: "error after packet 2" in read(log))
        wait_for("the daemon to exit after the read error", lambda: not alive(pid))
        pid = None
        os.close(fd)
        if "error after packet" in read(log + ".1"):
            fail("the message after SIGHUP went to the rotated file")

        # 4. A failure after detaching: the unknown user is found only after the fork.
        shutil.copy(os.path.join(SRC, "rules", "default", "pools.yaml"), os.path.join(w, "rules"))
        pcap = os.path.join(w, "one.pcap")
        with open(pcap, "wb") as f:
            f.write(pcap_header() + pcap_record(1000, udp_frame(3333)))
        os.unlink(log)
        r = subprocess.run([mw, "-D", "-c", conf, "-r", pcap, "--user", "minewatch-no-such-user"],
                           capture_output=True, text=True, timeout=DEADLINE)
        if r.returncode != 0:
            fail("minewatch -D --user exited %d before detaching: %s" % (r.returncode, r.stderr))
        wait_for("'unknown user' in %s" % log, lambda: "unknown user" in read(log))

        # 5. A log file that cannot be opened is said before detaching.
        bad = os.path.join(w, "missing-dir", "minewatch.log")
        conf = write_config(w, bad)
        r = subprocess.run([mw, "-D", "-c", conf, "-r", pcap], capture_output=True, text=True, timeout=DEADLINE)
        if r.returncode != 2 or bad not in r.stderr:
            fail("an unopenable log file: exit %d, stderr %r (want 2 and the path)" % (r.returncode, r.stderr))
        ok = True
        print("ok: reload error, rotation and read error in the daemon's log file; a failure after "
              "detaching logged; an unopenable log file refused at start-up")
    finally:
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)
        if ok:
            shutil.rmtree(w, ignore_errors=True)
        else:
            print("kept " + w)


if __name__ == "__main__":
    main()
