#!/usr/bin/env bash
# update_sensor_config.sh MINEWATCH-UPDATE MINEWATCH DEMO-PCAP - the sensor and the updater
# configured together: the generated file goes in rules.update-file (on top of the shipped
# lists); naming it in rules.files is refused at its place in the configuration (it would
# replace the shipped lists); the updater's own -T with minewatch-config loads the new file
# in place of the old one (no duplicate list names); -T lists the active lists; a log
# directory that does not exist fails -T (exit 2) instead of the run.
set -u
UPD=$1 MW=$2 PCAP=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; for f in err out.txt; do [ -f "$W/$f" ] && sed "s/^/  $f: /" "$W/$f"; done; exit 1; }
run() { # run EXPECTED_STATUS PROGRAM ARGS...
    local want=$1; shift
    "$@" >"$W/out.txt" 2>"$W/err"
    local rc=$?
    [ $rc -eq "$want" ] || fail "$* exited $rc, expected $want"
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$W/err"; then fail "sanitizer report"; fi
}
has() { grep -q -- "$1" "$W/err" || fail "expected '$1' on stderr"; }
lists() { grep -qE -- "$1" "$W/out.txt" || fail "expected /$1/ in -T's list of lists"; }

mkdir -p "$W/logs" "$W/lib"
printf 'pool-one.example.com\n198.51.100.0/24\n' > "$W/pools.txt"
cat > "$W/sources.yaml" <<YAML
output: lib/update.yaml
minewatch: $MW
minewatch-config: minewatch.yaml
sources:
  - { name: pools, path: pools.txt, format: plain, category: mining-pool }
YAML
cat > "$W/minewatch.yaml" <<YAML
default-log-dir: $W/logs
rules:
  update-file: $W/lib/update.yaml
YAML

echo "== before the first update: the update file is missing, a warning; -T still passes"
run 0 "$MW" -T -c "$W/minewatch.yaml"
has "rules.update-file $W/lib/update.yaml does not exist yet"
lists '^  minewatch-pools +mining-pool'

echo "== the updater tests with minewatch-config that loads its output: no duplicate list name"
run 0 "$UPD" -c "$W/sources.yaml"
has "installed"
printf 'pool-two.example.com\n' >> "$W/pools.txt"
run 0 "$UPD" -c "$W/sources.yaml"
has "installed"
grep -q duplicate "$W/err" && fail "the updater's -T saw the generated lists twice"
grep -q '"pool-two.example.com"' "$W/lib/update.yaml" || fail "second update not installed"

echo "== -T lists the shipped lists and the updater's, with their files"
run 0 "$MW" -T -c "$W/minewatch.yaml"
lists '^active lists'
lists '^  minewatch-pools +mining-pool +[0-9]+ +[0-9]+  /'
lists "^  update-mining-pool +mining-pool +2 +1  $W/lib/update.yaml\$"
shipped=$(grep -cE '^  minewatch-' "$W/out.txt")
[ "$shipped" -ge 4 ] || fail "the shipped lists are not all active ($shipped)"

echo "== the generated file named in rules.files: refused at its place, exit 2"
cat > "$W/bad.yaml" <<YAML
default-log-dir: $W/logs
rules:
  files: [ pools.yaml, $W/lib/update.yaml ]
YAML
run 2 "$MW" -T -c "$W/bad.yaml"
has "$W/bad.yaml:3:24: rules.files lists $W/lib/update.yaml, the file minewatch-update generates"
has "set rules.update-file: $W/lib/update.yaml"
sed -i "s|^minewatch-config: .*|minewatch-config: bad.yaml|" "$W/sources.yaml"
printf 'pool-three.example.com\n' >> "$W/pools.txt"
run 1 "$UPD" -c "$W/sources.yaml"
grep -q '"pool-three.example.com"' "$W/lib/update.yaml" && fail "installed although the sensor's configuration is refused"

echo "== a log directory that does not exist fails -T, and a run before it reads a packet"
sed "s|^default-log-dir: .*|default-log-dir: $W/no-such-dir|" "$W/minewatch.yaml" > "$W/nolog.yaml"
run 2 "$MW" -T -c "$W/nolog.yaml"
has "the EVE log directory $W/no-such-dir (from default-log-dir / outputs.eve.filename in $W/nolog.yaml) does not exist"
run 2 "$MW" -T -l "$W/no-such-dir"
has "the EVE log directory $W/no-such-dir (from -l) does not exist"
printf x > "$W/plainfile"
run 2 "$MW" -r "$PCAP" --eve "$W/plainfile/eve.json"
has "the EVE log directory $W/plainfile (from --eve) is not a directory"
run 0 "$MW" -T -c "$W/minewatch.yaml" -l "$W/logs"
echo "PASS: update file, refused rules.files entry, -T lists, log directory"
