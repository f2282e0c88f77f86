#!/usr/bin/env python3
"""flood_no_newline.py - a TCP stream on 3333 that never sends a newline, gigabytes long,
streamed from `mwgen no-newline BYTES -` into `minewatch -r -` (no file on disk).

Asserts: minewatch exits 0; its peak RSS (wait4) stays bounded and does not grow with
the stream (compared with an 8 MiB run); the exit stats count the oversize line
(app.stratum.line_too_long) and the depth stop (stream.depth_reached), capture.bytes covers
the whole stream; no Stratum alert. Under MW_SANITIZED=1 the stream is 64 MiB (printed).
env: MW_BINARY_DIR (build tree with mwgen and minewatch).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

RSS_CAP_KB = 96 * 1024     # the sensor's fixed tables are ~13 MiB; 96 MiB is far above
RSS_GROWTH_KB = 16 * 1024  # a gigabyte stream may not cost more than this over 8 MiB


def run(binary_dir, nbytes, eve):
    gen = subprocess.Popen([os.path.join(binary_dir, "mwgen"), "no-newline", str(nbytes), "-"],
                           stdout=subprocess.PIPE)
    mw = subprocess.Popen([os.path.join(binary_dir, "minewatch"), "-r", "-", "--eve", eve],
                          stdin=gen.stdout, stderr=subprocess.PIPE)
    gen.stdout.close()
    t0 = time.monotonic()
    err = mw.stderr.read()
    _, status, ru = os.wait4(mw.pid, 0)
    mw.returncode = os.waitstatus_to_exitcode(status)
    gen_rc = gen.wait()
    elapsed = time.monotonic() - t0
    return mw.returncode, gen_rc, ru.ru_maxrss, elapsed, err.decode("utf-8", "replace")


def last_stats(eve):
    stats = None
    with open(eve, encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            if obj.get("event_type") == "stats":
                stats = obj["stats"]
            if obj.get("event_type") == "alert":
                raise AssertionError("unexpected alert: %s" % line[:300])
    if stats is None:
        raise AssertionError("no stats event in %s" % eve)
    return stats


def main():
    binary_dir = os.environ.get("MW_BINARY_DIR")
    if not binary_dir:
        print("MW_BINARY_DIR must point at the build tree")
        return 2
    sanitized = os.environ.get("MW_SANITIZED") == "1"
    big = (64 << 20) if sanitized else (2 << 30)
    print("no-newline flood: %d bytes%s" % (big, " (scaled down: MW_SANITIZED=1)" if sanitized else ""))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for label, n in (("small", 8 << 20), ("big", big)):
            eve = os.path.join(tmp, label + ".json")
            rc, gen_rc, rss_kb, secs, err = run(binary_dir, n, eve)
            print("%-5s %11d bytes: minewatch rc=%d, mwgen rc=%d, peak RSS %d KiB, %.1f s"
                  % (label, n, rc, gen_rc, rss_kb, secs))
            if rc != 0 or gen_rc != 0:
                failures.append("%s run: minewatch rc %d, mwgen rc %d: %s" % (label, rc, gen_rc, err[-500:]))
                continue
            if "Sanitizer" in err or "runtime error:" in err:
                failures.append("%s run: sanitizer report: %s" % (label, err[-2000:]))
            try:
                st = last_stats(eve)
            except (AssertionError, ValueError, OSError) as e:
                failures.append("%s run: %s" % (label, e))
                continue
            results[label] = rss_kb
            ours = st["minewatch"]
            if ours["capture"]["bytes"] < n:
                failures.append("%s run: capture.bytes %d < stream %d" % (label, ours["capture"]["bytes"], n))
            if ours.get("app", {}).get("stratum", {}).get("line_too_long", 0) < 1:
                failures.append("%s run: the oversize line was not counted (app.stratum.line_too_long 0)" % label)
            if st["tcp"]["stream_depth_reached"] != 1:
                failures.append("%s run: tcp.stream_depth_reached %d, want 1" % (label, st["tcp"]["stream_depth_reached"]))
            if ours["detect"]["buffers_in_use"] != 0:
                failures.append("%s run: detect buffers still in use at exit" % label)
            if rss_kb > RSS_CAP_KB:
                failures.append("%s run: peak RSS %d KiB > %d KiB" % (label, rss_kb, RSS_CAP_KB))
        if "small" in results and "big" in results and results["big"] > results["small"] + RSS_GROWTH_KB:
            failures.append("peak RSS grew with the stream: %d KiB at 8 MiB, %d KiB at %d bytes"
                            % (results["small"], results["big"], big))
    if failures:
        print("FAIL\n" + "\n".join("  " + f for f in failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
