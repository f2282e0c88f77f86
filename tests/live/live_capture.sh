#!/usr/bin/env bash
# Live capture test: minewatch captures on one end of a veth pair inside a network namespace
# this script creates; the demo capture is replayed into the other end. Checks that the mining
# alerts of the demo arrive and that the stats event reports kernel counters.
# Skips (77) when namespaces cannot be created (no root, no iproute2, restricted sandbox).
set -u
MW=$1 INJECT=$2 PCAP=$3
NS="mwlive$$"
OUT=$(mktemp -d)
cleanup() {
    [ -n "${MWPID:-}" ] && kill -TERM "$MWPID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$OUT"
}
trap cleanup EXIT
# until CMD... succeeds, checked every 0.1 s for at most 20 s: a condition, not a fixed sleep
until_ok() {
    local i
    for ((i = 0; i < 200; i++)); do "$@" && return 0; sleep 0.1; done
    echo "FAIL: timed out waiting for: $*"; exit 1
}
if ! command -v ip >/dev/null || ! ip netns add "$NS" 2>/dev/null; then
    echo "SKIP: cannot create a network namespace (needs root and iproute2)"
    exit 77
fi
ip -n "$NS" link add mwcap type veth peer name mwinj || { echo "SKIP: cannot create veth"; exit 77; }
ip -n "$NS" link set mwcap up
ip -n "$NS" link set mwinj up
ip -n "$NS" link set lo up
cat > "$OUT/live.yaml" <<'YAML'
stats:
  interval: 1s
YAML
ip netns exec "$NS" "$MW" -i mwcap -c "$OUT/live.yaml" --eve "$OUT/eve.json" --allow-root \
    --pidfile "$OUT/mw.pid" 2>"$OUT/stderr" &
MWPID=$!
until_ok test -s "$OUT/mw.pid" # written once the capture is open and the handlers are in place
ip netns exec "$NS" "$INJECT" mwinj "$PCAP" 500 60 >"$OUT/inject.txt" || { echo "FAIL: injection"; exit 1; }
cat "$OUT/inject.txt"
sent=$(sed -n 's/^pcapinject: sent \([0-9]*\) packets.*/\1/p' "$OUT/inject.txt")
[ "${sent:-0}" -gt 0 ] || { echo "FAIL: pcapinject sent nothing"; exit 1; }
until_ok grep -q '"event_type":"alert"' "$OUT/eve.json" # rotate with alerts already written
# logrotate's "create" + postrotate HUP: the old file keeps what was written, the new one
# gets the rest; together they must hold every alert exactly once.
mv "$OUT/eve.json" "$OUT/eve.json.1"
kill -HUP "$MWPID"
until_ok test -f "$OUT/eve.json" # SIGHUP reopens eve.json (fails after 20 s if it does not)
# Stop only once the sensor has decoded every injected packet (its stats event, every 1 s,
# counts them; the veth may add a few of its own): a stop while packets still sit in the
# capture ring would lose their alerts on a loaded machine, not in the sensor.
decoded_all() {
    python3 - "$OUT/eve.json" "$sent" <<'PY'
import json, sys
pkts = 0
for line in open(sys.argv[1], "rb"):
    if b'"event_type":"stats"' in line and line.endswith(b"\n"):
        pkts = json.loads(line)["stats"]["decoder"]["pkts"]
sys.exit(0 if pkts >= int(sys.argv[2]) else 1)
PY
}
until_ok decoded_all
kill -TERM "$MWPID"
wait "$MWPID"
rc=$?
MWPID=
if [ "$rc" -ne 0 ]; then
    echo "FAIL: minewatch exited $rc"; cat "$OUT/stderr"; exit 1
fi
"$MW" -r "$PCAP" --eve "$OUT/offline.json" || { echo "FAIL: offline run"; exit 1; }
python3 - "$OUT/eve.json.1" "$OUT/eve.json" "$OUT/offline.json" <<'PY'
import json, sys
lines = [json.loads(l) for p in sys.argv[1:3] for l in open(p)]
offline = [json.loads(l) for l in open(sys.argv[3])]
key = lambda a: (a["src_ip"], a["src_port"], a["dest_ip"], a["dest_port"], a["alert"]["signature_id"])
live_keys = sorted(key(a) for a in lines if a.get("event_type") == "alert")
off_keys = sorted(key(a) for a in offline if a.get("event_type") == "alert")
assert live_keys == off_keys, "alerts lost or duplicated across the rotation: live %s offline %s" % (live_keys, off_keys)
alerts = [l for l in lines if l.get("event_type") == "alert"]
stats = [l for l in lines if l.get("event_type") == "stats"]
assert alerts, "no alert from the live capture"
assert all(a.get("in_iface") == "mwcap" for a in alerts), "in_iface missing"
variants = sorted({a["mining"]["variant"] for a in alerts})
assert stats, "no stats event"
cap = stats[-1]["stats"]["capture"]
assert cap["kernel_packets"] > 0, cap
print("live: %d alerts (%s), kernel_packets=%d kernel_drops=%d" % (len(alerts), ",".join(variants), cap["kernel_packets"], cap["kernel_drops"]))
PY
