#!/usr/bin/env bash
# run_shared.sh [--no-mining-alerts] - run minewatch over every third-party capture in
# $MW_SHARED_DIR/pcaps/traffic and pcaps/mining (read in place, never copied).
# Fails on a non-zero exit other than 1 (the documented status for a corrupt capture file),
# on any sanitizer report, or on any EVE line that is not valid JSON. With
# --no-mining-alerts only pcaps/traffic is run and any alert there fails (false positives).
# Exit 77 when the shared data is absent.
set -u
no_fp=0
[ "${1:-}" = "--no-mining-alerts" ] && no_fp=1
bin=${MW_BINARY_DIR:?MW_BINARY_DIR must point at the build tree}
shared=${MW_SHARED_DIR:-}
if [ -z "$shared" ] || [ ! -d "$shared/pcaps/traffic" ]; then
    echo "SKIP: shared captures not found (MW_SHARED_DIR=${shared:-unset}/pcaps/traffic)"; exit 77
fi
[ -x "$bin/minewatch" ] || { echo "FAIL: $bin/minewatch not built"; exit 1; }
work="$bin/tests/pcap/work/shared$no_fp"
mkdir -p "$work" || exit 1
dirs=("$shared/pcaps/traffic")
[ $no_fp -eq 0 ] && [ -d "$shared/pcaps/mining" ] && dirs+=("$shared/pcaps/mining")
fail=0 n=0 corrupt=0
while IFS= read -r -d '' f; do
    n=$((n + 1))
    "$bin/minewatch" -r "$f" --eve "$work/eve.json" >/dev/null 2>"$work/stderr.txt"
    rc=$?
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: .*Sanitizer' "$work/stderr.txt"; then
        echo "FAIL $f: sanitizer report"; head -30 "$work/stderr.txt"; fail=1
    fi
    if [ $rc -eq 1 ]; then
        corrupt=$((corrupt + 1)); echo "note: $f: exit 1 (corrupt capture)"
    elif [ $rc -ne 0 ]; then
        echo "FAIL $f: exit status $rc"; tail -5 "$work/stderr.txt"; fail=1
    fi
    if [ ! -f "$work/eve.json" ]; then
        [ $rc -eq 1 ] || { echo "FAIL $f: no EVE file written"; fail=1; }
        continue
    fi
    # One EVE file per capture, validated together at the end (one python start, not 380).
    mv "$work/eve.json" "$work/eve.$n.json"
done < <(find "${dirs[@]}" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
python3 - "$no_fp" "$work"/eve.*.json <<'PY' || fail=1
import json, sys
no_fp = sys.argv[1] == "1"
bad = 0
for path in sys.argv[2:]:
    with open(path, "rb") as fh:
        for no, raw in enumerate(fh, 1):
            try:
                obj = json.loads(raw.decode("utf-8"))
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                print("FAIL %s line %d: invalid: %s" % (path, no, e)); bad += 1; continue
            if no_fp and obj.get("event_type") == "alert":
                print("FAIL %s line %d: alert in benign traffic: %s" % (path, no, json.dumps(obj.get("alert"))))
                bad += 1
            if no_fp and obj.get("event_type") == "host":
                print("FAIL %s line %d: host flagged in benign traffic: %s" % (path, no, json.dumps(obj.get("mining_host"))))
                bad += 1
sys.exit(1 if bad else 0)
PY
rm -f "$work"/eve.*.json
echo "$n captures, $corrupt reported corrupt (exit 1)"
exit $fail
