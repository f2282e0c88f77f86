#!/usr/bin/env bash
# Live capture at scale with --workers 2 (AF_PACKET fanout), in a network namespace this
# script creates (veth pair, no outside address). mwgen's fanout-mix capture (12 Stratum
# miners among 20000 bare SYNs) is replayed at a fixed rate with tcpreplay; checks: every
# miner alerted, every EVE line valid JSON (no interleaving between the two workers),
# stats events from each worker plus a total at every interval (issue #11) and one at exit
# summing the workers' final events, kernel drop counters read and printed.
# Then a capture file with --workers 2 is dispatched to two workers and says so; a
# fanout group that cannot be joined (taken by another socket in another mode) falls back
# to one capture thread with a warning and still detects. Every wait is for a condition
# (pidfile written, stats counters accounting for every replayed packet) with a deadline.
# Bounded: well under 30 s.
# Skips (77) when namespaces or tcpreplay are not available.
set -u
MW=$1 MWGEN=$2
NS="mwlw$$"
OUT=$(mktemp -d)
MWPID= HOLDPID=
cleanup() {
    [ -n "$MWPID" ] && kill -TERM "$MWPID" 2>/dev/null
    [ -n "$HOLDPID" ] && kill -TERM "$HOLDPID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$OUT"
}
trap cleanup EXIT
command -v tcpreplay >/dev/null || { echo "SKIP: tcpreplay is not installed"; exit 77; }
if ! command -v ip >/dev/null || ! ip netns add "$NS" 2>/dev/null; then
    echo "SKIP: cannot create a network namespace (needs root and iproute2)"
    exit 77
fi
ip -n "$NS" link add mwcap type veth peer name mwinj || { echo "SKIP: cannot create veth"; exit 77; }
ip -n "$NS" link set mwcap up && ip -n "$NS" link set mwinj up && ip -n "$NS" link set lo up

MINERS=12 BG=20000 PPS=5000
if [ "${MW_SANITIZED:-0}" = 1 ]; then
    BG=6000 PPS=2000
    echo "sanitizer build: $BG background flows at $PPS packets/s (normal build: 20000 at 5000)"
fi
"$MWGEN" fanout-mix "$MINERS" "$BG" "$OUT/mix.pcap" || { echo "FAIL: mwgen"; exit 1; }
"$MWGEN" fanout-mix 4 1000 "$OUT/small.pcap" || { echo "FAIL: mwgen"; exit 1; }
printf 'stats:\n  interval: 1s\n' > "$OUT/live.yaml"

# until CMD... succeeds, checked every 0.1 s for at most 30 s: a condition, not a fixed sleep
until_ok() {
    local what=$1 i
    shift
    for ((i = 0; i < 300; i++)); do "$@" && return 0; sleep 0.1; done
    echo "FAIL: timed out waiting for $what"; cat "$OUT"/*.err "$OUT/stderr" 2>/dev/null; exit 1
}
# The pidfile is written once every capture handle is open (and in its fanout group).
started() { test -s "$1"; }
# The latest stats event of each worker (stats.interval 1s) accounts for every packet of the
# capture replayed (decoded or dropped by the kernel): nothing is left in flight.
accounted() { # EVE PCAP
    python3 - "$1" "$2" <<'PY'
import json, struct, sys
per = {}
try:
    for line in open(sys.argv[1], "rb"):
        if b'"event_type":"stats"' in line:
            s = json.loads(line)["stats"]
            if "workers" not in s["minewatch"]:
                per[s["minewatch"].get("worker", {}).get("id", 0)] = s
except (OSError, ValueError):
    sys.exit(1)
data = open(sys.argv[2], "rb").read()
off = n = 0
off = 24
while off + 16 <= len(data):
    off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
    n += 1
got = sum(s["decoder"]["pkts"] + s["capture"]["kernel_drops"] for s in per.values())
sys.exit(0 if got >= n else 1)
PY
}
stop_mw() {
    kill -TERM "$MWPID"
    wait "$MWPID"
    local rc=$?
    MWPID=
    [ "$rc" -eq 0 ] || { echo "FAIL: minewatch exited $rc"; cat "$1"; exit 1; }
}

# ---- 1. two workers in one fanout group ----
ip netns exec "$NS" "$MW" -i mwcap --workers 2 -c "$OUT/live.yaml" --eve "$OUT/eve.json" --allow-root \
    --pidfile "$OUT/mw.pid" 2>"$OUT/stderr" &
MWPID=$!
until_ok "the capture to start" started "$OUT/mw.pid"
# The pidfile comes before the start-up log line: wait for the line, do not expect it yet.
until_ok "the log line about 2 workers" grep -q "with 2 workers" "$OUT/stderr"
t0=$(date +%s.%N)
ip netns exec "$NS" tcpreplay -q -i mwinj --pps "$PPS" "$OUT/mix.pcap" >"$OUT/replay.txt" 2>&1 ||
    { echo "FAIL: tcpreplay"; cat "$OUT/replay.txt"; exit 1; }
t1=$(date +%s.%N)
until_ok "stats events accounting for every replayed packet" accounted "$OUT/eve.json" "$OUT/mix.pcap"
stop_mw "$OUT/stderr"
echo "replayed $(grep -o 'Actual: [0-9]* packets' "$OUT/replay.txt") in $(python3 -c "print('%.2f' % ($t1 - $t0))") s at $PPS pps"
grep -q "falling back" "$OUT/stderr" && { echo "FAIL: fanout fell back unexpectedly"; cat "$OUT/stderr"; exit 1; }

python3 - "$OUT/eve.json" "$OUT/mix.pcap" "$MINERS" <<'PY' || exit 1
import json, sys
path, pcap, miners = sys.argv[1], sys.argv[2], int(sys.argv[3])
events = []
for n, line in enumerate(open(path, "rb"), 1):
    try:
        events.append(json.loads(line))
    except ValueError as e:
        sys.exit("FAIL: line %d is not one JSON object (interleaved writes?): %s: %r" % (n, e, line[:200]))
want = {"10.20.9.%d" % (30 + k) for k in range(miners)}
got = {a["src_ip"] for a in events if a.get("event_type") == "alert" and a["alert"]["signature_id"] == 8100001
       and a.get("dest_port") == 3333}
if got != want:
    sys.exit("FAIL: miners not alerted: %s" % sorted(want - got))
stats = [e["stats"] for e in events if e.get("event_type") == "stats"]
per = {}
for s in stats:
    if "worker" in s["minewatch"]:
        per[s["minewatch"]["worker"]["id"]] = s  # the last event of each worker is its final one
totals = [s for s in stats if "workers" in s["minewatch"]]
if sorted(per) != [0, 1]:
    sys.exit("FAIL: stats events from workers %s, expected 0 and 1" % sorted(per))
if len(totals) < 2 or any(t["minewatch"]["workers"]["count"] != 2 for t in totals):
    sys.exit("FAIL: expected a total stats event over 2 workers at every interval and at exit, got %d" % len(totals))
tot = totals[-1]  # at exit: the sum of each worker's final event
for g, k in (("capture", "kernel_packets"), ("capture", "kernel_drops"), ("capture", "kernel_ifdrops"),
             ("decoder", "pkts")):
    s = sum(per[i][g][k] for i in per)
    if tot[g][k] != s:
        sys.exit("FAIL: total %s.%s %d != sum over workers %d" % (g, k, tot[g][k], s))
npk = 0
with open(pcap, "rb") as f:
    f.read(24)
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        incl = int.from_bytes(h[8:12], "little")
        f.read(incl)
        npk += 1
for i in sorted(per):
    c = dict(per[i]["capture"], packets=per[i]["decoder"]["pkts"])
    print("worker %d: packets %d kernel_packets %d kernel_drops %d kernel_ifdrops %d flows %d" %
          (i, c["packets"], c["kernel_packets"], c["kernel_drops"], c["kernel_ifdrops"], per[i]["flow"]["total"]))
    if c["packets"] == 0:
        sys.exit("FAIL: worker %d saw no packet: the fanout group did not spread flows" % i)
c = dict(tot["capture"], packets=tot["decoder"]["pkts"])
print("total: packets %d of %d replayed, kernel_packets %d kernel_drops %d kernel_ifdrops %d" %
      (c["packets"], npk, c["kernel_packets"], c["kernel_drops"], c["kernel_ifdrops"]))
if c["packets"] + c["kernel_drops"] < npk:
    sys.exit("FAIL: %d packets replayed, the workers account for %d (+%d dropped)" % (npk, c["packets"], c["kernel_drops"]))
PY

# ---- 2. a capture file with --workers 2: dispatched to two workers, and a log line saying so ----
"$MW" -r "$OUT/mix.pcap" --workers 2 --eve "$OUT/file.json" 2>"$OUT/file.err" || { echo "FAIL: offline run"; exit 1; }
grep -q "with 2 workers" "$OUT/file.err" || { echo "FAIL: no log line about the workers for a file"; cat "$OUT/file.err"; exit 1; }
python3 - "$OUT/file.json" "$MINERS" <<'PY' || exit 1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
n = len({a["src_ip"] for a in ev if a.get("event_type") == "alert" and a["alert"]["signature_id"] == 8100001})
ids = sorted({e["stats"]["minewatch"]["worker"]["id"] for e in ev
              if e.get("event_type") == "stats" and "worker" in e["stats"]["minewatch"]})
tot = [e for e in ev if e.get("event_type") == "stats" and "workers" in e["stats"]["minewatch"]]
assert n == int(sys.argv[2]), "file with --workers 2: %d miners alerted" % n
assert ids == [0, 1] and len(tot) == 1, "file with --workers 2: stats from workers %s, %d totals" % (ids, len(tot))
print("file with --workers 2: two workers, %d miners alerted" % n)
PY

# ---- 3. fanout unavailable: the group is held by another socket in another mode ----
GROUP=4242
ip netns exec "$NS" python3 - "$GROUP" "$OUT/held.ready" <<'PY' &
import os, signal, socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("mwcap", 3))  # ETH_P_ALL: an unbound socket cannot join a group
# SOL_PACKET 263, PACKET_FANOUT 18, mode PACKET_FANOUT_CPU 2: our hash-mode join must fail
s.setsockopt(263, 18, struct.pack("I", int(sys.argv[1]) | (2 << 16)))
open(sys.argv[2], "w").close()
signal.pause()
PY
HOLDPID=$!
until_ok "the other socket to take fanout group $GROUP" test -f "$OUT/held.ready"
printf 'stats:\n  interval: 1s\ncapture:\n  fanout-group: %s\n' "$GROUP" > "$OUT/held.yaml"
ip netns exec "$NS" "$MW" -i mwcap --workers 2 -c "$OUT/held.yaml" --eve "$OUT/held.json" --allow-root \
    --pidfile "$OUT/held.pid" 2>"$OUT/held.err" &
MWPID=$!
until_ok "the capture to start" started "$OUT/held.pid"
ip netns exec "$NS" tcpreplay -q -i mwinj --pps "$PPS" "$OUT/small.pcap" >/dev/null 2>&1 || { echo "FAIL: tcpreplay"; exit 1; }
until_ok "stats events accounting for every replayed packet" accounted "$OUT/held.json" "$OUT/small.pcap"
stop_mw "$OUT/held.err"
kill -TERM "$HOLDPID" 2>/dev/null; HOLDPID=
grep "falling back" "$OUT/held.err"
python3 - "$OUT/held.json" <<'PY' || exit 1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
n = len({a["src_ip"] for a in ev if a.get("event_type") == "alert" and a["alert"]["signature_id"] == 8100001})
ids = sorted({e["stats"]["minewatch"]["worker"]["id"] for e in ev
              if e.get("event_type") == "stats" and "worker" in e["stats"]["minewatch"]})
assert n == 4, "fanout fallback: %d of 4 miners alerted" % n
assert ids == [0], "fanout fallback: stats from workers %s" % ids
print("fanout unavailable: one capture thread, %d miners alerted" % n)
PY
echo "PASS"
