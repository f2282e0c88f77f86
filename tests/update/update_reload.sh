#!/usr/bin/env bash
# update_reload.sh MINEWATCH MINEWATCH-UPDATE MWGEN - a changed list reaches a RUNNING sensor.
# minewatch reads a capture from a FIFO this script keeps open (-s generated.yaml,
# --pidfile). A lookup of pool.update-test.example is fed before the update (the name is in
# no list: no alert), minewatch-update then installs a list that has it and signals the
# sensor, and the same lookup fed after the reload must alert. The final stats event must
# count every packet fed (nothing lost across the reload), and the sensor must log it.
set -u
MW=$1 UPD=$2 GEN=$3
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d)
trap 'sensor_cleanup; rm -rf "$W"' EXIT
NAME=pool.update-test.example

"$GEN" dns-lookup "$NAME" 10 "$W/before.pcap" || fail "mwgen"
"$GEN" dns-lookup "$NAME" 100 "$W/after.pcap" || fail "mwgen"
printf 'unrelated.example.com\nother-pool.example.net\n' > "$W/list.txt"
cat > "$W/sources.yaml" <<YAML
output: generated.yaml
cache-dir: cache
pidfile: minewatch.pid
minewatch: $MW
sources:
  - { name: site-pools, url: "file://$W/list.txt", format: plain, category: mining-pool }
YAML
"$UPD" -c "$W/sources.yaml" 2>"$W/upd1.err" || { cat "$W/upd1.err"; fail "first update"; }
grep -q "not running\|cannot read pidfile" "$W/upd1.err" || fail "no sensor yet: the missing pidfile must be a warning"
grep -q "$NAME" "$W/generated.yaml" && fail "name already listed"

sensor_start "$W" -s "$W/generated.yaml"
feed "$W/before.pcap" first
for ((i = 0; i < 200; i++)); do [ -s "$W/minewatch.pid" ] && break; sleep 0.1; done
[ -s "$W/minewatch.pid" ] || fail "sensor wrote no pidfile"
wait_drained # the update must come after the two packets were processed

printf 'unrelated.example.com\nother-pool.example.net\n%s\n' "$NAME" > "$W/list.txt"
"$UPD" -c "$W/sources.yaml" -v 2>"$W/upd2.err"
rc=$?
cat "$W/upd2.err"
[ $rc -eq 0 ] || fail "update exited $rc"
grep -q "signalled minewatch (pid $SENSOR_PID)" "$W/upd2.err" || fail "update did not signal the sensor"
grep -q "$NAME" "$W/generated.yaml" || fail "name not in the generated file"
# Reading a pipe, the sensor sleeps in read() until data comes; the reload it was asked for
# happens before the next packet is processed (sensor/runtime/main.c), so feed, then check the log.
feed "$W/after.pcap"
sensor_stop
grep -q "rules reloaded" "$SENSOR_ERR" || fail "the sensor did not log the reload"

got=$(alerts_for "$W/eve.json" "$NAME")
echo "alerts for $NAME: ${got:-none}"
[ "$(echo "$got" | grep -c .)" -eq 1 ] || fail "expected exactly one alert (after the reload), got: $got"
case "$got" in *T10:01:40*) ;; *) fail "the alert is not the lookup fed after the reload: $got" ;; esac
n=$(packets "$W/eve.json")
[ "$n" -eq 4 ] || fail "stats count $n packets, 4 were fed"
grep -q "rule reload failed" "$SENSOR_ERR" && fail "reload reported a failure"

# Unchanged lists: no rewrite, no signal.
before=$(stat -c %Y.%i "$W/generated.yaml")
"$UPD" -c "$W/sources.yaml" 2>"$W/upd3.err" || fail "unchanged update exited non-zero"
grep -q "up to date" "$W/upd3.err" || fail "unchanged update did not say so"
grep -q "signalled" "$W/upd3.err" && fail "unchanged update signalled"
[ "$(stat -c %Y.%i "$W/generated.yaml")" = "$before" ] || fail "unchanged update rewrote the file"
echo "PASS: the new list took effect in the running sensor after SIGUSR2, $n packets counted"
