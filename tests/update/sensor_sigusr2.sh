#!/usr/bin/env bash
# sensor_sigusr2.sh MINEWATCH MWGEN - SIGUSR2 reloads the rule set of a running sensor.
# minewatch reads a capture from a FIFO this script keeps open, with -s site.yaml listing
# one.update-test.example. (1) a lookup of it alerts; (2) site.yaml is broken and SIGUSR2
# sent: the reload fails, the sensor logs why (FILE:LINE:COL) and keeps the old rules, so
# the next lookup still alerts; (3) a good site.yaml (two.* instead of one.*) and SIGUSR2:
# without a restart, one.* no longer alerts and two.* does. Every packet is counted.
set -u
MW=$1 GEN=$2
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d)
trap 'sensor_cleanup; rm -rf "$W"' EXIT
ONE=one.update-test.example TWO=two.update-test.example

"$GEN" dns-lookup "$ONE" 10 "$W/p1.pcap" || fail "mwgen"
"$GEN" dns-lookup "$ONE" 20 "$W/p2.pcap" || fail "mwgen"
"$GEN" dns-lookup "$ONE" 30 "$W/p3a.pcap" || fail "mwgen"
"$GEN" dns-lookup "$TWO" 40 "$W/p3b.pcap" || fail "mwgen"
site() {
    cat > "$W/site.yaml.new" <<YAML
version: 1
lists:
  - name: site-test
    category: mining-pool
    domains: [ $1 ]
YAML
    mv "$W/site.yaml.new" "$W/site.yaml"
}
site "$ONE"
"$MW" -T -s "$W/site.yaml" 2>/dev/null || fail "the first site.yaml does not load"

# Every lookup must give its own alert line: no per-host throttling.
printf 'alerts:\n  throttle-window: 0\n' > "$W/minewatch.yaml"
sensor_start "$W" -c "$W/minewatch.yaml" -s "$W/site.yaml"
feed "$W/p1.pcap" first
for ((i = 0; i < 200; i++)); do [ -s "$W/minewatch.pid" ] && break; sleep 0.1; done
[ -s "$W/minewatch.pid" ] || fail "sensor wrote no pidfile"
wait_drained # the first lookup is processed under the first rules

printf 'version: 1\nlists:\n  - name: site-test\n    category: pools\n    domains: [ %s ]\n' "$ONE" > "$W/site.yaml"
kill -USR2 "$SENSOR_PID"
# No wait: a reload asked for while the sensor waits in read() is done before the next
# packet is processed (sensor/runtime/run.c), which is what this checks.
feed "$W/p2.pcap"    # the reload is attempted before this capture's first packet
wait_for "$SENSOR_ERR" "rule reload failed, keeping the current rules: $W/site.yaml:4:15: unknown category 'pools'" 20

site "$TWO"
kill -USR2 "$SENSOR_PID"
feed "$W/p3a.pcap"
feed "$W/p3b.pcap"
sensor_stop
grep -q "rules reloaded" "$SENSOR_ERR" || fail "the good reload was not logged"

one=$(alerts_for "$W/eve.json" "$ONE")
two=$(alerts_for "$W/eve.json" "$TWO")
echo "alerts for $ONE:"; echo "${one:-  none}"
echo "alerts for $TWO:"; echo "${two:-  none}"
echo "$one" | grep -q "T10:00:10" || fail "no alert for the first lookup of $ONE"
echo "$one" | grep -q "T10:00:20" || fail "the failed reload dropped the old rules: no alert for $ONE"
echo "$one" | grep -q "T10:00:30" && fail "$ONE still alerts after the good reload"
echo "$two" | grep -q "T10:00:40" || fail "$TWO does not alert after the good reload"
n=$(packets "$W/eve.json")
[ "$n" -eq 8 ] || fail "stats count $n packets, 8 were fed"
echo "PASS: failed reload kept the old rules and said why; good reload applied without restart"
