#!/usr/bin/env bash
# smoke.sh - ctest's quick check of the benchmark (not the benchmark itself): a mix of
# ~20k packets, one round, 1k names; run.py fails if minewatch misses a mining flow, and
# this checks that the table came out with every program's row.
# usage: smoke.sh BUILD_DIR OUT_DIR   (env MW_SHARED_DIR; MW_SANITIZED=1 halves the mix)
set -eu
build=$1
# One output directory per run, so two suites at once never share files; kept on failure.
mkdir -p "$2"
out=$(mktemp -d "$2/run.XXXXXX")
trap 'rc=$?; [ $rc -eq 0 ] && rm -rf "$out"; exit $rc' EXIT
here=$(dirname "$0")
packets=20000
if [ "${MW_SANITIZED:-0}" = 1 ]; then
    packets=10000
    echo "smoke: sanitizer build, mix scaled down to $packets packets"
fi
rm -f "$out/results.md"
# Instruction counts (callgrind) in the normal build only: valgrind cannot run ASan binaries.
extra=() rows=()
if [ "${MW_SANITIZED:-0}" != 1 ] && command -v valgrind >/dev/null; then
    extra=(--instructions) rows=('- behaviour tracking: ' '| minewatch, default rules | ')
else
    echo "smoke: instruction counts not checked (sanitizer build or no valgrind)"
fi
rc=0
python3 "$here/run.py" --build "$build" --out "$out" --packets $packets --reps 1 --names 1000 --scale-names 10000 --scale-cidrs 1000 \
    --baseline "self=$build/minewatch" "${extra[@]}" || rc=$?
[ $rc -eq 0 ] || exit $rc
for row in '| floor (libpcap read + touch) |' '| minewatch, default rules |' '| minewatch, +1k names |' \
           'expected alerts found' 'minewatch / floor:' 'minewatch peak RSS:' '| 10k names + 1k CIDRs |' '- rule scale:' \
           '| minewatch, --workers 2 |' '| minewatch, default rules, behaviour off |' '- behaviour tracking (detect.behaviour' \
           '| baseline: self |' '- this build against baseline: self:' "${rows[@]}"; do
    if ! grep -qF -- "$row" "$out/results.md"; then
        echo "smoke: results.md lacks \"$row\"" >&2
        exit 1
    fi
done
if command -v ndpiReader >/dev/null && ! grep -qF '| ndpiReader -q |' "$out/results.md"; then
    echo "smoke: ndpiReader is installed but has no row" >&2
    exit 1
fi
echo "smoke: ok"
