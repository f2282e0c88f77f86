#!/usr/bin/env bash
# The three real mining captures in ../shared each produce the expected alert: the right
# miner (src), pool (dest), variant and miner identity. These facts are read off the
# captures themselves (tshark shows the same endpoints and messages), not tuned values.
# Skips (77) when ../shared is absent.
set -u
MW=${MW_BINARY_DIR:?}/minewatch
DIR=${MW_SHARED_DIR:-}/pcaps/mining
if [ ! -d "$DIR" ]; then
    echo "SKIP: $DIR not found (the real mining captures live in ../shared)"
    exit 77
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
fail=0
run() { # file, then python expectations on the alert list
    local f=$1
    shift
    if ! "$MW" -r "$DIR/$f" --eve "$OUT/$f.json" 2>"$OUT/$f.err"; then
        echo "FAIL: minewatch exited non-zero on $f"; cat "$OUT/$f.err"; fail=1; return
    fi
    python3 - "$OUT/$f.json" "$f" "$@" <<'PY' || fail=1
import json, sys
path, name, src, dst, dport, variant, key, value = sys.argv[1:9]
alerts = [e for e in map(json.loads, open(path)) if e.get("event_type") == "alert"]
hits = [a for a in alerts if a["src_ip"] == src and a["dest_ip"] == dst and a["dest_port"] == int(dport)
        and a["mining"]["variant"] == variant and a["alert"]["category"] == "Crypto Currency Mining Activity Detected"]
if not hits:
    sys.exit("FAIL %s: no %s alert %s -> %s:%s in %s" % (name, variant, src, dst, dport,
             [(a["src_ip"], a["dest_ip"], a["mining"]["variant"]) for a in alerts]))
if not any(a["mining"].get(key, "").startswith(value) for a in hits):
    sys.exit("FAIL %s: mining.%s does not start with %r: %r" % (name, key, value, [a["mining"] for a in hits]))
print("ok %s: %s %s -> %s:%s severity %d, %s=%s" % (name, variant, src, dst, dport, hits[0]["alert"]["severity"],
      key, hits[0]["mining"].get(key)))
PY
}
run btc-stratum-v1.pcap 10.0.2.15 74.84.128.158 3333 stratum1 agent bfgminer/
run xmr-login.pcapng 147.229.13.222 185.71.66.20 14444 cryptonote worker 47mr7jYTroxQ
run eth-getwork-http.pcapng 147.229.13.222 88.198.15.41 80 ethproxy worker 30@0x4b999ba6
exit $fail
