#!/usr/bin/env python3
"""run.py - the minewatch benchmark (issue #6): builds a realistic mix from the shared
captures plus our own mining scenarios, then times, on that one file and in alternating
rounds, the libpcap floor, ndpiReader, minewatch with its default rules and minewatch
with one million pool names. Prints a markdown table (medians, ratios, peak RSS,
packets/s) and fails when minewatch misses a mining flow of the mix.

bench/README.md explains what is measured. Typical use, from the source tree:
    cmake --build build -j2 && python3 bench/run.py --build build
"""
import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys

MINING_SCENARIOS = ["stratum1-btc", "cryptonote-xmrig", "ethproxy-tcp", "ethstratum-nicehash",
                    "getwork-http", "dns-pool-lookup", "tls-sni-pool-highport"]
TLDS = ["com", "net", "org", "io", "info", "xyz", "cc", "de", "ru", "cn"]
ALPHA = "abcdefghijklmnopqrstuvwxyz0123456789"


def die(msg):
    print("bench: " + msg, file=sys.stderr)
    sys.exit(1)


MEASURE = None  # bench/mwmeasure: fork, exec, wait4 from a small C parent


def run_measured(argv, stdout_path=None):
    """Run argv; return (wall seconds, peak RSS in KiB, CPU seconds). Failure is fatal."""
    r = subprocess.run([MEASURE, "-o", stdout_path or os.devnull, "--"] + argv,
                       capture_output=True, text=True)
    fields = r.stdout.split()
    if r.returncode != 0 or len(fields) != 4 or fields[2] != "0":
        die("%s failed (%s): %s" % (" ".join(argv), r.stdout.strip(), r.stderr[-2000:]))
    return float(fields[0]), int(fields[1]), float(fields[3])


def shift_addr(addr, k):
    """The mix builder's shift: +k on the third octet of IPv4, byte 13 of IPv6."""
    import ipaddress
    a = ipaddress.ip_address(addr)
    b = bytearray(a.packed)
    b[2 if a.version == 4 else 13] = (b[2 if a.version == 4 else 13] + k) & 0xff
    return str(ipaddress.ip_address(bytes(b)))


def alerts(eve_path):
    """Set of (src, dst, dest_port, proto, sid) of every alert in an EVE file."""
    got = set()
    with open(eve_path, encoding="utf-8") as f:
        for line in f:
            if '"event_type":"alert"' not in line:
                continue
            e = json.loads(line)
            got.add((e["src_ip"], e["dest_ip"], e.get("dest_port"), e["proto"], e["alert"]["signature_id"]))
    return got


def write_names(out_dir, count):
    """A rule file importing `count` synthetic pool names (deterministic), returns its path."""
    yaml_path = os.path.join(out_dir, "names-%d.yaml" % count)
    txt_path = os.path.join(out_dir, "names-%d.txt" % count)
    if os.path.exists(yaml_path) and os.path.exists(txt_path):
        return yaml_path
    rnd = random.Random(count)
    with open(txt_path + ".tmp", "w") as f:
        for i in range(count):
            a = "".join(rnd.choice(ALPHA) for _ in range(rnd.randint(4, 12)))
            b = "".join(rnd.choice(ALPHA) for _ in range(rnd.randint(3, 9)))
            f.write("%s%d.%s.%s\n" % (a, i, b, TLDS[i % len(TLDS)]))
    os.replace(txt_path + ".tmp", txt_path)
    with open(yaml_path, "w") as f:
        f.write("version: 1\nlists:\n  - name: bench-synthetic-%d\n    category: mining-pool\n"
                "    import: { path: %s, format: plain }\n" % (count, os.path.basename(txt_path)))
    return yaml_path


def write_scale_rules(out_dir, names, cidrs):
    """Issue #4's rule scale: one plain import of `names` synthetic names and `cidrs` distinct
    CIDR blocks (IPv4 /16../32 and IPv6 /32../128, no bits below the prefix), deterministic."""
    import ipaddress
    yaml_path = os.path.join(out_dir, "scale-%d-%d.yaml" % (names, cidrs))
    txt_path = os.path.join(out_dir, "scale-%d-%d.txt" % (names, cidrs))
    if os.path.exists(yaml_path) and os.path.exists(txt_path):
        return yaml_path
    rnd = random.Random(names * 7 + cidrs)
    seen = set()
    with open(txt_path + ".tmp", "w") as f:
        for i in range(names):
            a = "".join(rnd.choice(ALPHA) for _ in range(rnd.randint(4, 12)))
            b = "".join(rnd.choice(ALPHA) for _ in range(rnd.randint(3, 9)))
            f.write("%s%d.%s.%s\n" % (a, i, b, TLDS[i % len(TLDS)]))
        while len(seen) < cidrs:
            if rnd.random() < 0.8:
                plen = rnd.choice((16, 20, 24, 24, 24, 28, 32, 32))
                net = ipaddress.ip_network((rnd.getrandbits(32) >> (32 - plen) << (32 - plen), plen))
            else:
                plen = rnd.choice((32, 48, 56, 64, 128))
                net = ipaddress.ip_network((rnd.getrandbits(128) >> (128 - plen) << (128 - plen), plen))
            if net not in seen:
                seen.add(net)
                f.write("%s\n" % net)
    os.replace(txt_path + ".tmp", txt_path)
    with open(yaml_path, "w") as f:
        f.write("version: 1\nlists:\n  - name: bench-scale\n    category: mining-pool\n"
                "    import: { path: %s, format: plain }\n" % os.path.basename(txt_path))
    return yaml_path


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d CPUs online, %s %s" % (cpu, os.cpu_count() or 0, platform.system(), platform.release())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="cmake build directory (default: build)")
    ap.add_argument("--out", help="output directory (default: BUILD/bench-out)")
    ap.add_argument("--shared", default=os.environ.get("MW_SHARED_DIR") or
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared"),
                    help="the shared data directory holding pcaps/ (default: $MW_SHARED_DIR or ../shared)")
    ap.add_argument("--packets", type=int, default=600000, help="minimum packets in the mix (default 600000)")
    ap.add_argument("--reps", type=int, default=5, help="alternating rounds (default 5)")
    ap.add_argument("--max-gap-us", type=int, default=20000,
                    help="clamp gaps between packets of the mix (default 20000: a busy link)")
    ap.add_argument("--names", type=int, default=1000000, help="names for the loaded-names run (default 1M)")
    ap.add_argument("--scale-names", type=int, default=1000000,
                    help="rule-scale load: names in the generated rule file (default 1M; 0 with 0 CIDRs: skip)")
    ap.add_argument("--scale-cidrs", type=int, default=100000,
                    help="rule-scale load: CIDR blocks in the generated rule file (default 100k)")
    ap.add_argument("--names-curve", action="store_true", help="also time 1k / 100k / 1M loaded names")
    ap.add_argument("--no-ndpi", action="store_true", help="leave ndpiReader out")
    ap.add_argument("--mix-only", action="store_true", help="build the mix and stop")
    ap.add_argument("--baseline", action="append", default=[], metavar="LABEL=MINEWATCH",
                    help="also time another minewatch binary (e.g. a build of an earlier commit) with its "
                         "default rules in the same rounds; repeatable")
    ap.add_argument("--instructions", action="store_true",
                    help="also count the instructions of one run of each program under valgrind's callgrind: "
                         "exact and repeatable on a busy machine, where times are not")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    out = os.path.abspath(args.out or os.path.join(build, "bench-out"))
    os.makedirs(out, exist_ok=True)
    mw = os.path.join(build, "minewatch")
    mwgen = os.path.join(build, "mwgen")
    floor = os.path.join(build, "bench", "mwfloor")
    mixbuild = os.path.join(build, "bench", "mwmixbuild")
    global MEASURE
    MEASURE = os.path.join(build, "bench", "mwmeasure")
    for exe in (mw, mwgen, floor, mixbuild, MEASURE):
        if not os.access(exe, os.X_OK):
            die("%s is missing: build first (cmake --build %s)" % (exe, args.build))
    traffic_dir = os.path.join(args.shared, "pcaps", "traffic")
    mining_dir = os.path.join(args.shared, "pcaps", "mining")
    if not os.path.isdir(traffic_dir):
        print("bench: %s not found: the benchmark needs the shared captures" % traffic_dir, file=sys.stderr)
        sys.exit(77)
    ndpi = None if args.no_ndpi else shutil.which("ndpiReader")
    if not args.no_ndpi and not ndpi:
        print("bench: ndpiReader not found (Debian package libndpi-bin); its column is left out", file=sys.stderr)

    # 1. The mining captures: our generator's scenarios plus the real ones.
    gen_dir = os.path.join(out, "gen")
    os.makedirs(gen_dir, exist_ok=True)
    mining = []
    for s in MINING_SCENARIOS:
        path = os.path.join(gen_dir, s + ".pcap")
        subprocess.run([mwgen, s, path], check=True)
        mining.append(path)
    if os.path.isdir(mining_dir):
        mining += sorted(os.path.join(mining_dir, f) for f in os.listdir(mining_dir))

    # 2. What minewatch says about each mining capture alone: the mix must give the same,
    #    shifted to wherever the builder put each copy.
    solo = {}
    for m in mining:
        eve = os.path.join(gen_dir, os.path.basename(m) + ".eve.json")
        if os.path.exists(eve):
            os.remove(eve)
        run_measured([mw, "-r", m, "--eve", eve])
        solo[m] = alerts(eve)
        if not solo[m]:
            die("minewatch finds nothing in %s alone: the mining capture is unusable" % m)

    # 3. The mix.
    mix = os.path.join(out, "mix.pcap")
    manifest = os.path.join(out, "mix-manifest.tsv")
    traffic = sorted(os.path.join(traffic_dir, f) for f in os.listdir(traffic_dir)
                     if f.endswith((".pcap", ".pcapng", ".cap")))
    argv = [mixbuild, "-o", mix, "-l", manifest, "-p", str(args.packets), "-g", str(args.max_gap_us)]
    for m in mining:
        argv += ["-M", m]
    r = subprocess.run(argv + traffic, check=True, capture_output=True, text=True)
    print(r.stdout.strip())
    expected = set()
    insertions = 0
    with open(manifest) as f:
        for line in f:
            path, k = line.rstrip("\n").split("\t")
            insertions += 1
            for (src, dst, dport, proto, sid) in solo[path]:
                expected.add((shift_addr(src, int(k)), shift_addr(dst, int(k)), dport, proto, sid))
    fl = subprocess.run([floor, mix], check=True, capture_output=True, text=True).stdout.split()
    packets, size = int(fl[1]), os.path.getsize(mix)
    print("mix: %s, %d packets, %.1f MB, %d mining insertions expecting %d alerts"
          % (mix, packets, size / 1e6, insertions, len(expected)))
    if args.mix_only:
        return 0

    def check_found(eve, label):
        got = alerts(eve)
        if "--workers" in label:
            # With several workers, which of a host's flows to one pool carries the one alert
            # of a throttle window (host, pool, signature) depends on which worker reports
            # first; the others' flow events say alert_held "throttled". So the check there
            # is per (miner, protocol, signature).
            missing = {(s, p, sid) for (s, _, _, p, sid) in expected} - {(s, p, sid) for (s, _, _, p, sid) in got}
        else:
            missing = expected - got
        if missing:
            for m in sorted(missing)[:10]:
                print("bench: %s missed %s" % (label, m), file=sys.stderr)
            die("%s missed %d of the %d mining alerts in the mix: a fast run that misses them is a failure"
                % (label, len(missing), len(expected)))

    names_yaml = write_names(out, args.names)
    tools = [("floor (libpcap read + touch)", [floor, mix], None)]
    if ndpi:
        tools.append(("ndpiReader -q", [ndpi, "-i", mix, "-q"], None))
    eve_default = os.path.join(out, "eve-default.json")
    eve_names = os.path.join(out, "eve-names.json")
    tools.append(("minewatch, default rules", [mw, "-r", mix, "--eve", eve_default], eve_default))
    # Offline dispatch (issue #11): one reader, two workers sharing the host tables.
    eve_w2 = os.path.join(out, "eve-workers2.json")
    tools.append(("minewatch, --workers 2", [mw, "-r", mix, "--workers", "2", "--eve", eve_w2], eve_w2))
    names_name = "minewatch, +%s names" % human(args.names)
    tools.append((names_name,
                  [mw, "-r", mix, "--eve", eve_names, "-s", names_yaml], eve_names))
    # For reading the table: what nDPI's labels cost when a site turns them on (detect.ndpi,
    # off by default: docs/detection.md says why).
    ndpi_yaml = os.path.join(out, "ndpi-on.yaml")
    with open(ndpi_yaml, "w") as f:
        f.write("detect:\n  ndpi: true\n")
    eve_ndpi = os.path.join(out, "eve-ndpi-on.json")
    ndpi_name = "minewatch, default rules, nDPI on"
    tools.append((ndpi_name, [mw, "-c", ndpi_yaml, "-r", mix, "--eve", eve_ndpi], eve_ndpi))
    # What the encrypted-mining behaviour tracking (issue #12, detect.behaviour) costs: the
    # same binary and rules with it turned off.
    nobehave_yaml = os.path.join(out, "behaviour-off.yaml")
    with open(nobehave_yaml, "w") as f:
        f.write("detect:\n  behaviour: no\n")
    eve_nobehave = os.path.join(out, "eve-behaviour-off.json")
    nobehave_name = "minewatch, default rules, behaviour off"
    tools.append((nobehave_name, [mw, "-c", nobehave_yaml, "-r", mix, "--eve", eve_nobehave], eve_nobehave))
    # Other builds (an earlier commit's, say): their default rules are their own, and an
    # older build may legitimately miss what a later one finds, so a miss is reported in
    # the table, not fatal.
    baselines = []
    for spec in args.baseline:
        label, sep, path = spec.partition("=")
        if not sep or not label or not os.access(path, os.X_OK):
            die("--baseline wants LABEL=EXECUTABLE, got %r" % spec)
        name = "baseline: %s" % label
        eve_b = os.path.join(out, "eve-baseline-%d.json" % len(baselines))
        tools.append((name, [os.path.abspath(path), "-r", mix, "--eve", eve_b], eve_b))
        baselines.append(name)
    missed = {}
    results = {name: ([], [], []) for name, _, _ in tools}
    for rep in range(args.reps):
        order = tools if rep % 2 == 0 else list(reversed(tools))  # alternate the order too
        for name, argv, eve in order:
            if eve and os.path.exists(eve):
                os.remove(eve)  # minewatch appends; each run checks its own output
            wall, rss, cpu = run_measured(argv)
            if eve and name in baselines:
                missed[name] = len(expected - alerts(eve))
            elif eve:
                check_found(eve, name)
            results[name][0].append(wall)
            results[name][1].append(rss)
            results[name][2].append(cpu)
        print("round %d/%d done" % (rep + 1, args.reps), file=sys.stderr)

    # The mix must be as large as issue #6 asks (>= 500k packets, >= 50k flows) at the
    # default size; the flow count is the sensor's own, from its last stats event.
    flows = 0
    with open(eve_default, encoding="utf-8", errors="replace") as f:
        for line in f:
            if '"event_type":"stats"' in line:
                try:
                    flows = json.loads(line)["stats"]["flow"]["total"]
                except (ValueError, KeyError, TypeError):
                    pass
    if args.packets >= 500000 and (packets < 500000 or flows < 50000):
        die("the mix has %d packets and %d flows: the benchmark needs at least 500k and 50k" % (packets, flows))

    med = {n: statistics.median(w) for n, (w, _, _) in results.items()}
    rss = {n: max(r) for n, (_, r, _) in results.items()}
    cpu = {n: statistics.median(c) for n, (_, _, c) in results.items()}
    floor_name, mw_name = tools[0][0], "minewatch, default rules"
    lines = ["Mix: %d packets, %d flows, %.0f MB, %d mining insertions (all %d expected alerts found); %d rounds, medians."
             % (packets, flows, size / 1e6, insertions, len(expected), args.reps),
             "Machine: %s." % machine(), "",
             "| program | wall (s, median) | packets/s | peak RSS (MB) | wall vs floor | CPU (s, median) | CPU vs floor |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, _, _ in tools:
        lines.append("| %s | %.3f | %s | %.1f | %.2f× | %.3f | %.2f× |"
                     % (name, med[name], human(packets / med[name]), rss[name] / 1024, med[name] / med[floor_name],
                        cpu[name], cpu[name] / max(cpu[floor_name], 1e-3)))
    lines.append("")
    lines.append("- minewatch / floor: %.2f× wall, %.2f× CPU (target ≤ 3×)"
                 % (med[mw_name] / med[floor_name], cpu[mw_name] / max(cpu[floor_name], 1e-3)))
    if ndpi:
        lines.append("- ndpiReader / minewatch: %.2f× wall, %.2f× CPU (target ≥ 5×)"
                     % (med[tools[1][0]] / med[mw_name], cpu[tools[1][0]] / max(cpu[mw_name], 1e-3)))
    lines.append("- minewatch peak RSS: %.1f MB (target ≤ 64 MB); with %s names %.1f MB"
                 % (rss[mw_name] / 1024, human(args.names), rss[names_name] / 1024))
    base_cpu = cpu[nobehave_name]
    lines.append("- behaviour tracking (detect.behaviour, on by default): %+.1f%% CPU against the same run "
                 "with it off (target ≤ +10%%)" % (100.0 * (cpu[mw_name] - base_cpu) / max(base_cpu, 1e-3)))
    for name in baselines:
        lines.append("- this build against %s: %+.1f%% CPU, %+.1f%% wall (%d of the %d expected alerts missed by it)"
                     % (name, 100.0 * (cpu[mw_name] - cpu[name]) / max(cpu[name], 1e-3),
                        100.0 * (med[mw_name] - med[name]) / max(med[name], 1e-3), missed.get(name, 0), len(expected)))
    lines.append("- with nDPI on (detect.ndpi: yes): %.2f× the floor's wall, %.2f× CPU%s; peak RSS %.1f MB"
                 % (med[ndpi_name] / med[floor_name], cpu[ndpi_name] / max(cpu[floor_name], 1e-3),
                    ("; ndpiReader / minewatch %.2f× wall, %.2f× CPU" % (med[tools[1][0]] / med[ndpi_name],
                     cpu[tools[1][0]] / max(cpu[ndpi_name], 1e-3))) if ndpi else "", rss[ndpi_name] / 1024))

    if args.instructions:
        lines += instruction_counts(tools, floor_name, mw_name, nobehave_name, baselines, out)

    if args.names_curve:
        lines += ["", "Loaded names (load = `minewatch -T`, packets = run - load):", "",
                  "| names | run (s) | load (s) | packets (s) | peak RSS (MB) |", "|---:|---:|---:|---:|---:|"]
        for count in (0, 1000, 100000, 1000000):
            extra = ["-s", write_names(out, count)] if count else []
            eve = os.path.join(out, "eve-curve.json")
            runs, loads, peaks = [], [], []
            for _ in range(args.reps):
                if os.path.exists(eve):
                    os.remove(eve)
                w, r, _ = run_measured([mw, "-r", mix, "--eve", eve] + extra)
                check_found(eve, "minewatch +%d names" % count)
                t, _, _ = run_measured([mw, "-T"] + extra)
                runs.append(w)
                loads.append(t)
                peaks.append(r)
            ru, lo = statistics.median(runs), statistics.median(loads)
            lines.append("| %s | %.3f | %.3f | %.3f | %.1f |" % (human(count), ru, lo, ru - lo, max(peaks) / 1024))

    if args.scale_names or args.scale_cidrs:
        # Issue #4: 1M names + 100k CIDRs load in under 2 s and cost well under 200 MB.
        # Load only (`minewatch -T`), minus the same with no extra rule file.
        scale_yaml = write_scale_rules(out, args.scale_names, args.scale_cidrs)
        base_t, base_r, base_c, with_t, with_r, with_c = [], [], [], [], [], []
        for _ in range(args.reps):
            t, r, c = run_measured([mw, "-T"])
            base_t.append(t)
            base_r.append(r)
            base_c.append(c)
            t, r, c = run_measured([mw, "-T", "-s", scale_yaml])
            with_t.append(t)
            with_r.append(r)
            with_c.append(c)
        dt = statistics.median(with_t) - statistics.median(base_t)
        dc = statistics.median(with_c) - statistics.median(base_c)
        dm = (max(with_r) - max(base_r)) / 1024
        lines += ["", "Rule scale (issue #4; `minewatch -T -s FILE` minus `minewatch -T`, %d rounds):" % args.reps,
                  "", "| rules | load wall (s, median) | extra wall (s) | extra CPU (s) | peak RSS (MB) | extra RSS (MB) |",
                  "|---|---:|---:|---:|---:|---:|",
                  "| none | %.3f | | | %.1f | |" % (statistics.median(base_t), max(base_r) / 1024),
                  "| %s names + %s CIDRs | %.3f | %.3f | %.3f | %.1f | %.1f |"
                  % (human(args.scale_names), human(args.scale_cidrs), statistics.median(with_t), dt, dc,
                     max(with_r) / 1024, dm), "",
                  "- rule scale: %.2f s extra load wall, %.2f s CPU (target < 2 s: %s), %.1f MB extra "
                  "(target well under 200 MB: %s)"
                  % (dt, dc, "met" if dt < 2 else "MISSED" if dc >= 2 else "met in CPU time, not in wall time",
                     dm, "met" if dm < 200 else "MISSED")]

    table = "\n".join(lines)
    print(table)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(table + "\n")
    return 0


def instruction_counts(tools, floor_name, mw_name, nobehave_name, baselines, out):
    """One run of each program under callgrind: instructions executed (Ir), which do not
    depend on what else the machine does, so ratios of them hold on a busy machine."""
    vg = shutil.which("valgrind")
    if not vg:
        return ["", "Instructions: valgrind not found (Debian package valgrind); not counted."]
    counts = {}
    # ndpiReader and the million-names load would take most of the time under callgrind and
    # say nothing about minewatch's per-packet work: their rows are left out here.
    tools = [t for t in tools if not t[0].startswith("ndpiReader") and " names" not in t[0]]
    for name, argv, eve in tools:
        if eve and os.path.exists(eve):
            os.remove(eve)
        cg_out = os.path.join(out, "callgrind.out")
        r = subprocess.run([vg, "--tool=callgrind", "--callgrind-out-file=" + cg_out] + argv,
                           capture_output=True, text=True)
        if r.returncode != 0:
            die("%s under callgrind failed: %s" % (name, r.stderr[-2000:]))
        ir = None
        for line in r.stderr.splitlines():
            if "Collected :" in line:
                ir = int(line.split("Collected :")[1].split()[0])
        if ir is None:
            die("no instruction count from callgrind for %s" % name)
        counts[name] = ir
        os.remove(cg_out)
        print("callgrind: %s: %d instructions" % (name, ir), file=sys.stderr)
    lines = ["", "Instructions (one run each under callgrind; exact, independent of machine load):", "",
             "| program | instructions (G) | vs floor | vs minewatch, default rules |", "|---|---:|---:|---:|"]
    for name, _, _ in tools:
        lines.append("| %s | %.3f | %.2f× | %.3f× |" % (name, counts[name] / 1e9, counts[name] / counts[floor_name],
                                                   counts[name] / counts[mw_name]))
    lines.append("")
    lines.append("- behaviour tracking: %+.1f%% instructions against the same run with it off (target ≤ +10%%)"
                 % (100.0 * (counts[mw_name] - counts[nobehave_name]) / counts[nobehave_name]))
    for name in baselines:
        lines.append("- this build against %s: %+.1f%% instructions"
                     % (name, 100.0 * (counts[mw_name] - counts[name]) / counts[name]))
    return lines


def human(n):
    for div, suf in ((1000000, "M"), (1000, "k")):
        if n >= div:
            v = n / div
            return ("%.0f%s" if v >= 10 or v == int(v) else "%.1f%s") % (v, suf)
    return "%d" % n


if __name__ == "__main__":
    sys.exit(main())
