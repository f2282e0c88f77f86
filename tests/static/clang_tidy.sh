#!/usr/bin/env bash
# clang_tidy.sh SRC BUILD - clang-tidy (checks in SRC/.clang-tidy) over every C file the
# shipped binary is built from; any finding fails the test. Two files at a time.
set -uo pipefail
src=$1
build=$2
tidy=$(command -v clang-tidy-14 || command -v clang-tidy) || { echo "clang-tidy not installed"; exit 77; }
[[ -f $build/compile_commands.json ]] || { echo "no $build/compile_commands.json"; exit 1; }
cd "$src"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
ls core/*.c sensor/*/*.c dissectors/*.c rules/*.c |
    xargs -P2 -n4 "$tidy" -p "$build" --quiet >"$log" 2>&1
rc=$?
# clang-tidy prints "N warnings generated" for suppressed system-header noise; keep findings.
grep -v -e ' warnings\? generated\.$' -e '^Suppressed ' -e 'Use -header-filter' "$log"
n=$(grep -c -E '(warning|error): .*\[[A-Za-z0-9.,-]+\]$' "$log")
echo "clang-tidy: $n finding(s) in $((SECONDS - start)) s"
[[ $rc -eq 0 && $n -eq 0 ]]
