#!/usr/bin/env bash
# run.sh - build the libFuzzer targets and fuzz each for SECONDS, growing the seed corpus.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]      (TARGET = decode, stratum, ... ; default all)
#
# Each target fuzzes a working corpus ($MW_FUZZ_OUT/work/NAME, seeded from and kept across
# runs) rich in libFuzzer "features" (edge hit counts); afterwards only the inputs that reach
# new edges are merged into tests/fuzz/corpus/NAME/ (-merge=1 -use_counters=0), which keeps
# the committed corpus about a fifth the size of a feature merge (fast replay in ctest). Crash,
# leak, timeout and OOM inputs land in $MW_FUZZ_OUT/artifacts/ (default build-fuzz/fuzz-out)
# and are counted in the summary; the script exits 1 when any target produced one.
# Environment: MW_FUZZ_BUILD (build dir, default build-fuzz), MW_FUZZ_OUT, MW_FUZZ_NOBUILD=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
secs=$1
shift
build=${MW_FUZZ_BUILD:-build-fuzz}
out=${MW_FUZZ_OUT:-$build/fuzz-out}

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=()
    for f in tests/fuzz/fuzz_*.c; do
        n=${f##*/fuzz_}
        targets+=("${n%.c}")
    done
fi

if [[ ${MW_FUZZ_NOBUILD:-0} != 1 ]]; then
    cmake -S . -B "$build" -DMW_FUZZ=ON -DCMAKE_C_COMPILER=clang -DMW_WERROR=ON >/dev/null
    bins=()
    for t in "${targets[@]}"; do bins+=(--target "fuzz_$t"); done
    cmake --build "$build" -j2 "${bins[@]}" >/dev/null
fi

# Input size caps: enough for the largest meaningful input of each parser, small enough
# that the fuzzer spends its time on structure rather than on megabyte blobs.
max_len() {
    case $1 in
        stream|worker) echo 16384 ;;
        geoip) echo 8192 ;;
        decode|appid|config|rules|listfmt|stratum|http|websocket|sv2|tls) echo 4096 ;;
        *) echo 2048 ;;
    esac
}
# Per-target extra flags.
extra() {
    case $1 in
        # libmaxminddb 1.7.1 leaks inside MMDB_open on some malformed metadata (upstream bug):
        # neither libFuzzer's per-input check nor LeakSanitizer's at-exit report can be kept.
        geoip) echo -detect_leaks=0 ;;
        *) ;;
    esac
}

asan_opts() {
    case $1 in
        geoip) echo "${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ;;
        *) echo "${ASAN_OPTIONS:-}" ;;
    esac
}

mkdir -p "$out/artifacts" "$out/logs"
rc=0
summary=()
for t in "${targets[@]}"; do
    bin=$build/tests/fuzz/fuzz_$t
    corpus=tests/fuzz/corpus/$t
    if [[ ! -x $bin ]]; then
        echo "no fuzz target $t ($bin)" >&2
        rc=1
        continue
    fi
    mkdir -p "$corpus"
    work=$out/work/$t
    mkdir -p "$work"
    cp -n "$corpus"/* "$work/" 2>/dev/null || true
    before=$(find "$corpus" -type f | wc -l)
    arts_before=$(find "$out/artifacts" -name "$t-*" -type f | wc -l)
    dict=()
    [[ -f tests/fuzz/dict/$t.dict ]] && dict=(-dict="tests/fuzz/dict/$t.dict")
    log=$out/logs/$t.log
    # shellcheck disable=SC2046
    env ASAN_OPTIONS="$(asan_opts "$t")" "$bin" "$work" "${dict[@]}" -max_total_time="$secs" -max_len="$(max_len "$t")" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$t-" $(extra "$t") >"$log" 2>&1 || true
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    env ASAN_OPTIONS="$(asan_opts "$t")" "$bin" -merge=1 -use_counters=0 "$corpus" "$work" $(extra "$t") >"$out/logs/$t.merge.log" 2>&1 || true
    after=$(find "$corpus" -type f | wc -l)
    crashes=$(( $(find "$out/artifacts" -name "$t-*" -type f | wc -l) - arts_before ))
    [[ $crashes -gt 0 ]] && rc=1
    summary+=("$(printf '%-12s %6s %12s %7s %7s %8s' "$t" "$secs" "${execs:-?}" "$before" "$after" "$crashes")")
done

printf '%-12s %6s %12s %7s %7s %8s\n' target seconds execs before after crashes
printf '%s\n' "${summary[@]}"
echo "artifacts: $root/$out/artifacts   logs: $root/$out/logs"
exit $rc
