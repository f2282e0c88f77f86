#!/usr/bin/env bash
# run_shared.sh - run minewatch over every third-party capture in $MW_SHARED_DIR/pcaps/traffic
# and pcaps/mining (read in place, never copied), with the default rules plus a rule file
# that imports EVERY list of $MW_SHARED_DIR/blocklists in place under its category
# (blocklists.yaml below), after checking that the lists load and that a listed pool name
# alerts while a name only the broad crypto list has does not.
# Fails on a non-zero exit other than 1 (the documented status for a corrupt capture file),
# on any sanitizer report, on any EVE line that is not valid JSON, and on any alert or host
# verdict from pcaps/traffic (false positives; the mining captures' expected alerts are
# pcap.shared_mining_captures's). One pass does it all: the lists cost next to nothing per
# capture, and the EVE lines of the default rules alone are report.eve_schema's.
# Without the blocklists folder the default rules alone are used (said in the output).
# Exit 77 when the shared data is absent.
set -u
[ $# -eq 0 ] || { echo "usage: run_shared.sh (no arguments; MW_BINARY_DIR, MW_SHARED_DIR)"; exit 2; }
lists=1
bin=${MW_BINARY_DIR:?MW_BINARY_DIR must point at the build tree}
shared=${MW_SHARED_DIR:-}
if [ -z "$shared" ] || [ ! -d "$shared/pcaps/traffic" ]; then
    echo "SKIP: shared captures not found (MW_SHARED_DIR=${shared:-unset}/pcaps/traffic)"; exit 77
fi
[ -x "$bin/minewatch" ] || { echo "FAIL: $bin/minewatch not built"; exit 1; }
# One work directory per run (two suites at once must not share files); kept on failure.
mkdir -p "$bin/tests/pcap/work" || exit 1
work=$(mktemp -d "$bin/tests/pcap/work/shared.XXXXXX") || exit 1
trap 'rc=$?; [ $rc -eq 0 ] && rm -rf "$work"; exit $rc' EXIT
extra=()
if [ $lists -eq 1 ]; then
    bl="$shared/blocklists"
    [ -d "$bl" ] || { echo "note: $bl not found: default rules only"; lists=0; }
fi
if [ $lists -eq 1 ]; then
    # Each list under its nature (../shared/README.md): CoinBlocker's lists and NoCoin are
    # mining lists; blocklistproject's crypto list mixes exchanges and wallets with pools,
    # so it is crypto-general (context, never an alert).
    cat > "$work/blocklists.yaml" <<YAML
version: 1
lists:
  - name: shared-coinblocker
    category: mining-pool
    import:
      - { path: "$bl/coinblocker-list.txt", format: plain }
      - { path: "$bl/coinblocker-ips.txt", format: ip }
  - name: shared-coinblocker-browser
    category: web-miner
    import: { path: "$bl/coinblocker-browser.txt", format: plain }
  - name: shared-nocoin
    category: web-miner
    import:
      - { path: "$bl/nocoin-adblock.txt", format: adblock }
      - { path: "$bl/nocoin-hosts.txt", format: hosts }
  - name: shared-blocklistproject-crypto
    category: crypto-general
    import: { path: "$bl/blocklistproject-crypto-hosts.txt", format: hosts }
YAML
    n_lists=$(find "$bl" -maxdepth 1 -type f -name '*.txt' | wc -l)
    n_imported=$(grep -c 'path: "' "$work/blocklists.yaml")
    [ "$n_lists" -eq "$n_imported" ] || { echo "FAIL: $n_lists lists in $bl but $n_imported imported: a new list needs a category here"; exit 1; }
    "$bin/minewatch" -T -s "$work/blocklists.yaml" 2>"$work/T.txt" || { echo "FAIL: the lists do not load"; cat "$work/T.txt"; exit 1; }
    cat "$work/T.txt"
    names=$(sed -n 's/.* \([0-9][0-9]*\) names.*/\1/p' "$work/T.txt")
    [ "${names:-0}" -gt 7000 ] || { echo "FAIL: only ${names:-0} names loaded from the lists"; exit 1; }
    extra=(-s "$work/blocklists.yaml")
    # Positive and negative control with our own captures: a pool name only CoinBlocker
    # lists must alert; an exchange only blocklistproject lists must not.
    if [ -x "$bin/mwgen" ]; then
        pos=300ca0d0.space neg=bcex.kr
        grep -qx "$pos" "$bl/coinblocker-list.txt" && grep -q " $neg\$" "$bl/blocklistproject-crypto-hosts.txt" \
            || { echo "FAIL: control names no longer in the lists: pick others"; exit 1; }
        "$bin/mwgen" dns-lookup "$pos" 1 "$work/pos.pcap" && "$bin/mwgen" dns-lookup "$neg" 1 "$work/neg.pcap" || exit 1
        "$bin/minewatch" -r "$work/pos.pcap" "${extra[@]}" --eve - 2>/dev/null | grep -q '"signature_id":8100101' \
            || { echo "FAIL: lookup of $pos (CoinBlocker, mining-pool) did not alert"; exit 1; }
        "$bin/minewatch" -r "$work/neg.pcap" "${extra[@]}" --eve - 2>/dev/null | grep -q '"event_type":"alert"' \
            && { echo "FAIL: lookup of $neg (blocklistproject, crypto-general) alerted"; exit 1; }
        echo "controls: $pos alerts as mining-pool, $neg (crypto-general) does not"
    fi
fi
dirs=("$shared/pcaps/traffic")
[ -d "$shared/pcaps/mining" ] && dirs+=("$shared/pcaps/mining")
fail=0 n=0 corrupt=0
while IFS= read -r -d '' f; do
    n=$((n + 1))
    "$bin/minewatch" -r "$f" "${extra[@]}" --eve "$work/eve.json" >/dev/null 2>"$work/stderr.txt"
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
    # One EVE file per capture, validated together at the end (one python start, not 380);
    # the name says whether the capture is benign traffic (any alert there is a failure).
    case $f in "$shared/pcaps/traffic/"*) kind=traffic ;; *) kind=mining ;; esac
    mv "$work/eve.json" "$work/eve.$kind.$n.json"
    printf '%s\t%s\n' "eve.$kind.$n.json" "$f" >> "$work/index.tsv"
done < <(find "${dirs[@]}" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
[ $n -gt 0 ] || { echo "FAIL: no captures found in ${dirs[*]}"; exit 1; }
python3 - "$work"/eve.*.json <<'PY' || fail=1
import json, os, sys
bad = 0
# eve.KIND.N.json -> the capture it came from, so a failure names the capture
capture = dict(l.rstrip("\n").split("\t", 1) for l in open(os.path.join(os.path.dirname(sys.argv[1]), "index.tsv")))
for path in sys.argv[1:]:
    no_fp = os.path.basename(path).startswith("eve.traffic.")
    name = capture[os.path.basename(path)]
    with open(path, "rb") as fh:
        for no, raw in enumerate(fh, 1):
            try:
                obj = json.loads(raw.decode("utf-8"))
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                print("FAIL %s line %d: invalid: %s" % (name, no, e)); bad += 1; continue
            if no_fp and obj.get("event_type") == "alert":
                print("FAIL %s line %d: alert in benign traffic: %s" % (name, no, json.dumps(obj.get("alert"))))
                bad += 1
            if no_fp and obj.get("event_type") == "host":
                print("FAIL %s line %d: host flagged in benign traffic: %s" % (name, no, json.dumps(obj.get("mining_host"))))
                bad += 1
sys.exit(1 if bad else 0)
PY
rm -f "$work"/eve.*.json "$work/index.tsv"
echo "$n captures, $corrupt reported corrupt (exit 1)"
exit $fail
