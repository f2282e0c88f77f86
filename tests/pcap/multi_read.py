#!/usr/bin/env python3
"""multi_read: `minewatch -r` over several files and directories is one run (docs/minewatch.8).

A generated capture (40 miners, sessions cut by the file boundaries) is split into three
files at packet boundaries. Read as `-r a -r b -r c`, and as a directory of them, the alerts
and flow events (flow_id aside: it is random per run) equal those of the whole capture, with
the same pcap_cnt (numbers continue from file to file), and there is one set of stats
(the same stats events, the last one counting every packet). A directory is read in byte
order of the names, whatever the files' times or the order they were created in; names out
of time order are read in name order (the numbers follow that order). A file in the
directory that is not a capture, or an empty one, is skipped with a warning naming it; one
that breaks off part-way is reported and the next file read, and the exit status is 1.
Files named on the command line must all be captures: start-up fails otherwise.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

BIN = os.environ.get("MW_BINARY_DIR", "")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def split_pcap(path, cuts):
    """Records of a classic pcap file, cut before the given 1-based packet numbers."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        fail("%s is not a classic pcap file" % path)
    head, off, recs = data[:24], 24, []
    while off < len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + incl])
        off += 16 + incl
    parts, last = [], 0
    for c in list(cuts) + [len(recs) + 1]:
        parts.append(head + b"".join(recs[last:c - 1]))
        last = c - 1
    return parts, len(recs)


def run(args, expect_rc=0):
    p = subprocess.run([os.path.join(BIN, "minewatch"), "--eve", "-"] + args, capture_output=True, text=True)
    if p.returncode != expect_rc:
        fail("minewatch %s: exit %d, expected %d\n%s" % (" ".join(args), p.returncode, expect_rc, p.stderr))
    return [json.loads(l) for l in p.stdout.splitlines()], p.stderr


def findings(events):
    """Alerts and flow events without flow_id, in order; stats events' counters."""
    out = []
    for e in events:
        if e["event_type"] in ("alert", "flow"):
            e = dict(e)
            e.pop("flow_id")
            out.append(json.dumps(e, sort_keys=True))
    return out


def stats(events):
    return [e["stats"] for e in events if e["event_type"] == "stats"]


def main():
    if not os.access(os.path.join(BIN, "minewatch"), os.X_OK):
        fail("MW_BINARY_DIR=%r has no minewatch (run under ctest)" % BIN)
    with tempfile.TemporaryDirectory() as work:
        whole = os.path.join(work, "whole.pcap")
        subprocess.run([os.path.join(BIN, "mwgen"), "many-miners", "40", whole], check=True, capture_output=True)
        parts, npk = split_pcap(whole, (301, 601))
        names = []
        for i, blob in enumerate(parts):
            names.append(os.path.join(work, "part%d.pcap" % (i + 1)))
            open(names[-1], "wb").write(blob)

        ref_events, _ = run(["-r", whole])
        ref = findings(ref_events)
        alerts = [e for e in ref_events if e["event_type"] == "alert"]
        if len(alerts) < 40 or not any(300 < e["pcap_cnt"] <= 600 for e in alerts):
            fail("the reference run has %d alerts, none in the second file's packets" % len(alerts))
        ref_stats = stats(ref_events)
        if not ref_stats or ref_stats[-1]["decoder"]["pkts"] != npk:
            fail("reference stats do not count %d packets" % npk)

        # several files: one run
        ev, _ = run(sum((["-r", n] for n in names), []))
        if findings(ev) != ref:
            fail("-r part1 -r part2 -r part3 differs from the whole capture")
        st = stats(ev)
        if len(st) != len(ref_stats) or st[-1]["decoder"] != ref_stats[-1]["decoder"] \
                or st[-1]["flow"] != ref_stats[-1]["flow"]:
            fail("stats of the split run differ: %s vs %s" % (st[-1:], ref_stats[-1:]))

        # a directory: name order, not creation order or times; a stray file is skipped
        d = os.path.join(work, "dir")
        os.mkdir(d)
        for i in (3, 1, 2):  # created out of order, the later parts made older
            p = os.path.join(d, "trace-%d.pcap" % i)
            open(p, "wb").write(parts[i - 1])
            os.utime(p, (1000000000 - i * 1000, 1000000000 - i * 1000))
        open(os.path.join(d, "README.txt"), "w").write("captures of the uplink\n")
        open(os.path.join(d, "trace-0-empty.pcap"), "wb").close()
        open(os.path.join(d, ".hidden.pcap"), "wb").write(b"junk")
        ev, err = run(["-r", d])
        if findings(ev) != ref:
            fail("-r DIR differs from the whole capture")
        for skipped in ("README.txt", "trace-0-empty.pcap"):
            if not any("skipped" in l and skipped in l for l in err.splitlines()):
                fail("no warning naming the skipped %s:\n%s" % (skipped, err))
        if ".hidden" in err:
            fail("a dot file was read: %s" % err)
        files = stats(ev)[-1]["minewatch"]["capture"]
        if (files["files_read"], files["files_skipped"], files["files_failed"]) != (3, 2, 0):
            fail("stats count the directory's files as %s" % files)
        # the same with two workers fed by the dispatcher (the order of lines may differ)
        ev2, _ = run(["-r", d, "--workers", "2"])
        ref2, _ = run(["-r", whole, "--workers", "2"])
        if sorted(findings(ev2)) != sorted(findings(ref2)):
            fail("-r DIR --workers 2 differs from the whole capture with two workers")
        total = [e["stats"] for e in ev2 if e["event_type"] == "stats" and "workers" in e["stats"]["minewatch"]]
        if not total or total[-1]["minewatch"]["capture"]["files_read"] != 3:
            fail("no total stats event counting the files with two workers")

        # names out of time order: read in name order, numbers follow it
        d2 = os.path.join(work, "dir2")
        os.mkdir(d2)
        order = {"a.pcap": 3, "b.pcap": 1, "c.pcap": 2}
        for n, i in order.items():
            open(os.path.join(d2, n), "wb").write(parts[i - 1])
        ev, _ = run(["-r", d2])
        explicit, _ = run(["-r", names[2], "-r", names[0], "-r", names[1]])
        if findings(ev) != findings(explicit):
            fail("a directory is not read in name order")
        first = min((e for e in ev if e["event_type"] == "alert"), key=lambda e: e["pcap_cnt"])
        third_srcs = {e["src_ip"] for e in alerts if e["pcap_cnt"] > 600}
        if first["src_ip"] not in third_srcs or stats(ev)[-1]["decoder"]["pkts"] != npk:
            fail("the first alert of dir2 (%s) is not from a.pcap (the last part)" % first["src_ip"])

        # a file that breaks off part-way: reported, the next file read, exit status 1
        d3 = os.path.join(work, "dir3")
        os.mkdir(d3)
        for i, blob in enumerate(parts):
            if i == 1:
                blob = blob[:len(blob) - 7]  # the last record is cut short
            open(os.path.join(d3, "t%d.pcap" % (i + 1)), "wb").write(blob)
        ev, err = run(["-r", d3], expect_rc=1)
        if "t2.pcap: error after packet" not in err:
            fail("the broken file is not named:\n%s" % err)
        if not any(e["event_type"] == "alert" and e["src_ip"] in third_srcs for e in ev):
            fail("the file after the broken one was not read")
        files = stats(ev)[-1]["minewatch"]["capture"]
        if (files["files_read"], files["files_skipped"], files["files_failed"]) != (3, 0, 1):
            fail("stats count the files with a broken one as %s" % files)

        # named files must be captures, with one link type: start-up fails
        _, err = run(["-r", names[0], "-r", os.path.join(d, "README.txt")], expect_rc=1)
        if "README.txt" not in err:
            fail("the bad named file is not named:\n%s" % err)
        _, err = run(["-r", names[0], "-r", os.path.join(work, "nope.pcap")], expect_rc=1)
        _, err = run(["-r", os.path.join(work, "dir-empty-does-not-exist")], expect_rc=1)
        os.mkdir(os.path.join(work, "empty"))
        _, err = run(["-r", os.path.join(work, "empty")], expect_rc=1)
        if "no files" not in err:
            fail("an empty directory is not reported:\n%s" % err)
    print("multi_read: OK")


if __name__ == "__main__":
    main()
