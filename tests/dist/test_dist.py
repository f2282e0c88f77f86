#!/usr/bin/env python3
"""test_dist.py - the service files in dist/ are valid and agree with each other and the sensor.

usage: test_dist.py MODE MINEWATCH [MWGEN] [INSTALLED_UNIT SBINDIR]
  unit       parse dist/minewatch.service: the keys #7 requires (capabilities, NoNewPrivileges,
             User, ProtectSystem, ExecReload = USR2, a word on HUP), paths shared with
             dist/minewatch.logrotate and docs/minewatch.yaml, the sensor accepts the
             command lines (run with -T), and the copy CMake installs names SBINDIR.
  verify     systemd-analyze verify on the unit (binary path pointed at the build);
             any complaint fails. 77 when systemd-analyze is not installed.
  logrotate  logrotate -d on dist/minewatch.logrotate, then two real forced rotations
             (paths moved into a temporary directory) of a sensor reading a FIFO: the
             postrotate HUP through the pidfile must reopen the file, every alert must be
             in exactly one of eve.json, eve.json.1, eve.json.2.gz. 77 when logrotate is
             not installed (Debian package `logrotate`).
"""
import collections
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from mwwait import wait_consumed  # noqa: E402

SRC = os.environ.get("MW_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
UNIT = os.path.join(SRC, "dist", "minewatch.service")
LOGROTATE = os.path.join(SRC, "dist", "minewatch.logrotate")
CONFIG = os.path.join(SRC, "docs", "minewatch.yaml")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def parse_unit(path):
    """{section: {key: [values]}} and {section: [comment lines]} (systemd allows repeats)."""
    keys, comments, sec = {}, {}, None
    with open(path) as f:
        for no, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                continue
            if line[0] in "#;":
                comments.setdefault(sec, []).append(line)
                continue
            m = re.fullmatch(r"\[([A-Za-z]+)\]", line)
            if m:
                sec = m.group(1)
                keys.setdefault(sec, {})
                continue
            if sec is None or "=" not in line:
                fail("%s:%d: not a section, comment or key=value: %r" % (path, no, line))
            k, v = line.split("=", 1)
            keys[sec].setdefault(k.strip(), []).append(v.strip())
    return keys, comments


def one(keys, sec, key):
    v = keys.get(sec, {}).get(key)
    if not v:
        fail("[%s] %s= is missing" % (sec, key))
    if len(v) != 1:
        fail("[%s] %s= given %d times" % (sec, key, len(v)))
    return v[0]


def logrotate_facts():
    text = open(LOGROTATE).read()
    m = re.search(r"^(/\S+)/\*\.json\s*\{", text, re.M)
    if not m:
        fail("minewatch.logrotate: no '/var/log/DIR/*.json {' block")
    pid = re.search(r"kill -HUP \"\$\(cat (\S+)\)\"", text)
    if not pid:
        fail("minewatch.logrotate: postrotate does not send HUP to the pid in a pidfile")
    for word in ("create", "postrotate", "endscript"):
        if not re.search(r"^\s*%s\b" % word, text, re.M):
            fail("minewatch.logrotate: no '%s'" % word)
    return text, m.group(1), pid.group(1)


def mode_unit(mw, installed, sbindir):
    keys, comments = parse_unit(UNIT)
    svc = "Service"
    user = one(keys, svc, "User")
    if user in ("root", "0", ""):
        fail("User= must be an unprivileged account, not %r" % user)
    amb = set(one(keys, svc, "AmbientCapabilities").split())
    if amb != {"CAP_NET_RAW", "CAP_NET_ADMIN"}:
        fail("AmbientCapabilities= %s, want exactly CAP_NET_RAW CAP_NET_ADMIN" % sorted(amb))
    bound = set(one(keys, svc, "CapabilityBoundingSet").split())
    if bound != amb:
        fail("CapabilityBoundingSet= %s must be the ambient set %s" % (sorted(bound), sorted(amb)))
    if one(keys, svc, "NoNewPrivileges") != "yes":
        fail("NoNewPrivileges= must be yes")
    if one(keys, svc, "ProtectSystem") not in ("strict", "full"):
        fail("ProtectSystem= must be strict or full")
    if one(keys, svc, "ProtectHome") not in ("yes", "read-only", "tmpfs"):
        fail("ProtectHome= must protect /home")
    if not re.fullmatch(r"/bin/kill -USR2 \$MAINPID", one(keys, svc, "ExecReload")):
        fail("ExecReload= must send USR2 (rule reload) to $MAINPID")
    if not any("HUP" in c for c in comments.get(svc, [])):
        fail("[Service] must say in a comment what HUP does (it is not the reload signal)")
    if not keys.get("Install", {}).get("WantedBy"):
        fail("[Install] WantedBy= is missing")
    start = one(keys, svc, "ExecStart").split()
    pre = one(keys, svc, "ExecStartPre").split()
    if start[0] != "/usr/sbin/minewatch" or pre[0] != start[0]:
        fail("ExecStart/ExecStartPre must run /usr/sbin/minewatch (the Debian prefix), not %s" % start[0])
    if "-T" not in pre:
        fail("ExecStartPre= must test the configuration (-T)")
    if "--pidfile" not in start:
        fail("ExecStart= must write a pidfile: logrotate's postrotate needs it")
    pidfile = start[start.index("--pidfile") + 1]
    _, logdir, rot_pid = logrotate_facts()
    if rot_pid != pidfile:
        fail("logrotate signals %s, the unit writes %s" % (rot_pid, pidfile))
    if os.path.dirname(pidfile) != "/run/" + one(keys, svc, "RuntimeDirectory"):
        fail("the pidfile %s is not in RuntimeDirectory=" % pidfile)
    if logdir != "/var/log/" + one(keys, svc, "LogsDirectory"):
        fail("logrotate rotates %s, LogsDirectory= is elsewhere" % logdir)
    m = re.search(r"^default-log-dir:\s*(\S+)", open(CONFIG).read(), re.M)
    if not m or m.group(1) != logdir:
        fail("docs/minewatch.yaml default-log-dir is not %s" % logdir)
    # The sensor takes these command lines (-T: check configuration and rules, then exit).
    # systemd creates LogsDirectory= before ExecStartPre; here a temporary directory stands
    # in for it (-T refuses a log directory that does not exist).
    with tempfile.TemporaryDirectory() as logs:
        conf = os.path.join(logs, "minewatch.yaml")
        with open(conf, "w") as f:
            f.write(re.sub(r"^default-log-dir:.*$", "default-log-dir: " + logs, open(CONFIG).read(), flags=re.M))
        for argv in (pre, start + ["-T"]):
            args = [conf if a == "/etc/minewatch/minewatch.yaml" else a for a in argv[1:]]
            p = subprocess.run([mw] + args, capture_output=True, timeout=60)
            if p.returncode != 0:
                fail("minewatch %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    # The installed copy names the installed binary.
    ik, _ = parse_unit(installed)
    want = os.path.join(sbindir, "minewatch")
    if one(ik, svc, "ExecStart").split()[0] != want:
        fail("installed unit runs %s, want %s" % (one(ik, svc, "ExecStart").split()[0], want))
    print("unit: User=%s, capabilities %s, pidfile %s, log dir %s; command lines accepted by the sensor"
          % (user, " ".join(sorted(amb)), pidfile, logdir))


def mode_verify(mw):
    tool = shutil.which("systemd-analyze")
    if not tool:
        print("SKIP: systemd-analyze not installed (Debian package systemd)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        unit = os.path.join(tmp, "minewatch.service")
        with open(unit, "w") as f:
            f.write(open(UNIT).read().replace("/usr/sbin/minewatch", os.path.abspath(mw)))
        p = subprocess.run([tool, "verify", "--man=no", unit], capture_output=True, timeout=120, cwd=tmp)
        out = (p.stdout + p.stderr).decode(errors="replace")
        ours = [l for l in out.splitlines() if "minewatch" in l]
        print("systemd-analyze verify: exit %d%s" % (p.returncode, (":\n" + out) if out.strip() else ", no complaint"))
        if p.returncode != 0 or ours:
            fail("systemd-analyze verify complains about the unit")
    return 0


def alert_keys(paths):
    c = collections.Counter()
    for p in paths:
        opener = gzip.open if p.endswith(".gz") else open
        with opener(p, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            fail("%s ends in a torn line" % p)
        for line in data.splitlines():
            e = json.loads(line)
            if e.get("event_type") == "alert":
                c[(e["src_ip"], e["src_port"], e["alert"]["signature_id"])] += 1
    return c


def mode_logrotate(mw, mwgen):
    tool = shutil.which("logrotate")
    if not tool:
        print("SKIP: logrotate not installed (Debian package logrotate)")
        return 77
    text, logdir, pidfile = logrotate_facts()
    tmp = tempfile.mkdtemp(prefix="mw-logrotate-")
    proc = None
    try:
        log = os.path.join(tmp, "log")
        os.mkdir(log, 0o750)
        pid = os.path.join(tmp, "minewatch.pid")
        user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        group = subprocess.run(["id", "-gn"], capture_output=True, text=True).stdout.strip()
        conf = os.path.join(tmp, "minewatch.logrotate")
        local = text.replace(logdir + "/", log + "/").replace(pidfile, pid)
        local = re.sub(r"create (\d+) \S+ \S+", r"create \1 %s %s" % (user, group), local)
        with open(conf, "w") as f:
            f.write(local)
        os.chmod(conf, 0o644)
        state = os.path.join(tmp, "state")
        open(os.path.join(log, "eve.json"), "w").write('{"event_type":"placeholder"}\n')
        p = subprocess.run([tool, "-d", "-s", state, conf], capture_output=True, timeout=60)
        out = (p.stdout + p.stderr).decode(errors="replace")
        if p.returncode != 0 or re.search(r"^error:", out, re.M):
            fail("logrotate -d: exit %d:\n%s" % (p.returncode, out))
        os.unlink(os.path.join(log, "eve.json"))

        n = 200
        pcap = os.path.join(tmp, "many.pcap")
        subprocess.run([mwgen, "many-miners", str(n), pcap], check=True)
        data = open(pcap, "rb").read()
        fifo = os.path.join(tmp, "feed.fifo")
        os.mkfifo(fifo)
        errf = open(os.path.join(tmp, "stderr.txt"), "wb")
        proc = subprocess.Popen([mw, "-r", fifo, "-l", log, "--pidfile", pid], stderr=errf)
        feed = open(fifo, "wb", buffering=0)
        feed.write(data[:24])  # the pcap header: the sensor opens its output after reading it
        deadline = time.monotonic() + 60
        while not os.path.exists(os.path.join(log, "eve.json")):  # output opens after the capture
            if time.monotonic() > deadline or proc.poll() is not None:
                errf.flush()
                fail("minewatch did not create eve.json (exit %s): %s" % (proc.poll(), open(errf.name).read()))
            time.sleep(0.01)
        # Thirds cut anywhere: the sensor reassembles the pcap stream across reads.
        cuts = [24, len(data) // 3, 2 * len(data) // 3, len(data)]
        for i in range(3):
            feed.write(data[cuts[i]:cuts[i + 1]])
            # Rotate once the sensor has processed this third (no fixed time): its lines
            # may still be buffered, but a reopen flushes them into the old file first.
            # The HUP that logrotate's postrotate sends is acted on at the next packet.
            try:
                wait_consumed(proc, feed.fileno(), fifo, "third %d of the capture" % (i + 1))
            except RuntimeError as e:
                errf.flush()
                fail("%s: %s" % (e, open(errf.name, errors="replace").read()))
            if i < 2:
                p = subprocess.run([tool, "-f", "-s", state, conf], capture_output=True, timeout=60)
                if p.returncode != 0:
                    fail("logrotate -f: exit %d: %s" % (p.returncode, (p.stdout + p.stderr).decode(errors="replace")))
        feed.close()
        rc = proc.wait(60)
        errf.close()
        if rc != 0:
            fail("minewatch exited %d: %s" % (rc, open(errf.name).read()))
        names = sorted(os.listdir(log))
        if names != ["eve.json", "eve.json.1", "eve.json.2.gz"]:
            fail("after two rotations the log directory holds %s" % names)
        mode = os.stat(os.path.join(log, "eve.json")).st_mode & 0o777
        files = [os.path.join(log, x) for x in names]
        keys = alert_keys(files)
        per = {x: sum(alert_keys([os.path.join(log, x)]).values()) for x in names}
        print("logrotate: two forced rotations, alerts per file %s, eve.json mode %o" % (per, mode))
        if len(keys) != n or max(keys.values()) != 1:
            fail("%d distinct alerts (%d lines) across the rotations, want %d once each"
                 % (len(keys), sum(keys.values()), n))
        if min(per.values()) == 0:
            fail("a file got no alert: the HUP did not move the output to the new file")
        if mode != 0o640:
            fail("the new eve.json has mode %o, want 640 (create)" % mode)
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == "unit" and len(a) == 4:
        mode_unit(a[1], a[2], a[3])
        rc = 0
    elif len(a) == 2 and a[0] == "verify":
        rc = mode_verify(a[1])
    elif len(a) == 3 and a[0] == "logrotate":
        rc = mode_logrotate(a[1], a[2])
    else:
        print(__doc__)
        return 2
    if rc == 0:
        print("PASS " + a[0])
    return rc


if __name__ == "__main__":
    sys.exit(main())
