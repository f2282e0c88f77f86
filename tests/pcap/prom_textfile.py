#!/usr/bin/env python3
"""prom_textfile: stats.prometheus-file, the node_exporter textfile (docs/eve.md "Prometheus").

A capture of 40 miners is fed through a pipe in two halves, with a 1 s stats interval (packet
time). While the sensor waits for the second half, the textfile already holds an earlier
interval: `promtool check metrics` accepts it, and every value equals the EVE stats event of
that interval (the one with the same packet count). After the run the file equals the last
stats event, its per-signature alerts add up to the alert lines written, and its miner hosts
are the hosts the host events flagged. With two workers the file is the run-wide total.
No temporary file is left beside it. Skips (77) without promtool (Debian: prometheus).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("MW_BINARY_DIR", "")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def parse(text):
    """{(metric, label value or None): value}; checks HELP/TYPE precede every family."""
    out, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name, typ = line.split()[2:4]
            typed.add(name)
            if typ == "counter" and not name.endswith("_total"):
                fail("counter %s does not end in _total" % name)
            continue
        if line.startswith("#") or not line:
            continue
        name, value = line.rsplit(" ", 1)
        label = None
        if "{" in name:
            name, rest = name.split("{", 1)
            label = rest.split('"')[1]
        if name not in typed or not name.startswith("minewatch_"):
            fail("sample %s without TYPE or prefix" % line)
        out[(name, label)] = int(value)
    return out


def promtool(path):
    p = subprocess.run(["promtool", "check", "metrics"], stdin=open(path, "rb"), capture_output=True, text=True)
    if p.returncode != 0:
        fail("promtool check metrics: %s%s" % (p.stdout, p.stderr))


def expected(stats):
    m = stats["minewatch"]
    e = {("minewatch_uptime_seconds", None): stats["uptime"],
         ("minewatch_packets_total", None): stats["decoder"]["pkts"],
         ("minewatch_bytes_total", None): stats["decoder"]["bytes"],
         ("minewatch_kernel_packets_total", None): stats["capture"]["kernel_packets"],
         ("minewatch_kernel_drops_total", None): stats["capture"]["kernel_drops"],
         ("minewatch_kernel_ifdrops_total", None): stats["capture"]["kernel_ifdrops"],
         ("minewatch_flows_total", None): stats["flow"]["total"],
         ("minewatch_flows_active", None): stats["flow"]["active"],
         ("minewatch_flows_memcap_total", None): stats["flow"]["memcap"],
         ("minewatch_alerts_written_total", None): stats["detect"]["alert"],
         ("minewatch_memory_bytes", None): m["memory"]["in_use"],
         ("minewatch_eve_lines_dropped_total", None): m["output"]["dropped"]}
    for sid, v in m["detect"]["alerts_by_sid"].items():
        e[("minewatch_alerts_total", sid)] = v
    for verdict, v in m["hosts"]["verdict"].items():
        e[("minewatch_hosts", verdict)] = v
    return e


def check_equal(got, stats, what):
    want = expected(stats)
    if got != want:
        diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
        fail("%s: textfile and EVE stats differ (textfile, EVE): %s" % (what, diff))


def main():
    if not shutil.which("promtool"):
        print("prom_textfile: skipped: promtool not installed (Debian package prometheus)")
        sys.exit(77)
    mw = os.path.join(BIN, "minewatch")
    if not os.access(mw, os.X_OK):
        fail("MW_BINARY_DIR=%r has no minewatch (run under ctest)" % BIN)
    with tempfile.TemporaryDirectory() as work:
        pcap = os.path.join(work, "c.pcap")
        subprocess.run([os.path.join(BIN, "mwgen"), "many-miners", "40", pcap], check=True, capture_output=True)
        data = open(pcap, "rb").read()
        # the cut: after the first 300 records
        off, n = 24, 0
        while n < 300:
            off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
            n += 1
        tdir = os.path.join(work, "textfile")
        os.mkdir(tdir)
        prom = os.path.join(tdir, "minewatch.prom")
        conf = os.path.join(work, "mw.yaml")
        open(conf, "w").write("stats:\n  enabled: yes\n  interval: 1s\n  prometheus-file: %s\n" % prom)
        fifo = os.path.join(work, "feed")
        os.mkfifo(fifo)
        eve = os.path.join(work, "eve.json")
        p = subprocess.Popen([mw, "-c", conf, "-r", fifo, "--eve", eve], stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:  # a sensor that exited never opens the pipe: do not block on it
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:
                if p.poll() is not None or time.monotonic() > deadline:
                    fail("minewatch did not read the pipe (exit %s): %s" % (p.poll(), p.stderr.read()))
                time.sleep(0.05)
        os.set_blocking(fd, True)
        w = os.fdopen(fd, "wb")
        w.write(data[:off])
        w.flush()
        deadline = time.monotonic() + 60
        while not os.path.exists(prom):
            if time.monotonic() > deadline or p.poll() is not None:
                fail("no textfile while the sensor waits for packets")
            time.sleep(0.05)
        mid_text = open(prom).read()
        mid_copy = os.path.join(work, "mid.prom")
        open(mid_copy, "w").write(mid_text)
        w.write(data[off:])
        w.close()
        if p.wait(timeout=120) != 0:
            fail("minewatch exit %d: %s" % (p.returncode, p.stderr.read()))
        events = [json.loads(l) for l in open(eve)]
        stats = [e["stats"] for e in events if e["event_type"] == "stats"]

        promtool(mid_copy)
        mid = parse(mid_text)
        pk = mid[("minewatch_packets_total", None)]
        same = [s for s in stats if s["decoder"]["pkts"] == pk]
        if not same or pk > 300:
            fail("no EVE stats event with the textfile's %d packets" % pk)
        check_equal(mid, same[-1], "an interval during the run")

        promtool(prom)
        final = parse(open(prom).read())
        check_equal(final, stats[-1], "the end of the run")
        alerts = sum(1 for e in events if e["event_type"] == "alert")
        by_sid = sum(v for (name, _), v in final.items() if name == "minewatch_alerts_total")
        if alerts != by_sid or alerts < 40:
            fail("alerts per signature add up to %d, %d alert lines" % (by_sid, alerts))
        miners = {e["src_ip"] for e in events if e["event_type"] == "host" and e["mining_host"]["verdict"] == "miner"}
        if final[("minewatch_hosts", "miner")] != len(miners):
            fail("minewatch_hosts{verdict=miner} %d, %d hosts flagged miner" % (final[("minewatch_hosts", "miner")],
                                                                              len(miners)))
        if os.listdir(tdir) != ["minewatch.prom"]:
            fail("files left in the textfile directory: %s" % os.listdir(tdir))

        # two workers: the total over both
        os.unlink(prom)
        eve2 = os.path.join(work, "eve2.json")
        subprocess.run([mw, "-c", conf, "-r", pcap, "--workers", "2", "--eve", eve2], check=True, capture_output=True)
        totals = [e["stats"] for e in map(json.loads, open(eve2))
                  if e["event_type"] == "stats" and "workers" in e["stats"]["minewatch"]]
        promtool(prom)
        final2 = parse(open(prom).read())
        check_equal(final2, totals[-1], "two workers")
        if final2[("minewatch_packets_total", None)] != final[("minewatch_packets_total", None)]:
            fail("two workers count other packets than one")
        # -T: a textfile directory that does not exist is a configuration error (exit 2)
        bad = os.path.join(work, "bad.yaml")
        open(bad, "w").write("default-log-dir: %s\nstats:\n  prometheus-file: %s/no-such-dir/m.prom\n" % (work, work))
        t = subprocess.run([mw, "-T", "-c", bad], capture_output=True, text=True)
        if t.returncode != 2 or "no-such-dir" not in t.stderr or "does not exist" not in t.stderr:
            fail("-T with a missing textfile directory: exit %d: %s" % (t.returncode, t.stderr))
    print("prom_textfile: OK")


if __name__ == "__main__":
    main()
