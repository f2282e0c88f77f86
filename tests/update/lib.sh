# lib.sh - helpers shared by the tests/update scripts (sourced, not run).
# A "fed sensor": minewatch reading a capture from a FIFO that the test keeps open, so the
# process stays alive between captures and can be signalled like a live sensor.

fail() { echo "FAIL: $*"; [ -n "${SENSOR_ERR:-}" ] && [ -f "$SENSOR_ERR" ] && sed 's/^/  sensor: /' "$SENSOR_ERR" | tail -20; exit 1; }

# wait_for FILE PATTERN [SECONDS]: until grep -q PATTERN FILE, or fail.
wait_for() {
    local i n=$(( ${3:-20} * 10 ))
    for ((i = 0; i < n; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "timed out waiting for '$2' in $1"
}

# sensor_start WORKDIR ARGS...: starts minewatch -r WORKDIR/feed with ARGS; sets SENSOR_PID,
# SENSOR_ERR; the FIFO's write end is fd 3 of this shell.
sensor_start() {
    local w=$1; shift
    rm -f "$w/feed" && mkfifo "$w/feed" || fail "mkfifo"
    FEED=$(cd "$w" && pwd -P)/feed
    SENSOR_ERR=$w/sensor.err
    "$MW" -r "$w/feed" --pidfile "$w/minewatch.pid" --eve "$w/eve.json" "$@" 2>"$SENSOR_ERR" &
    SENSOR_PID=$!
    exec 3>"$w/feed"
}

# wait_drained [SECONDS]: until a thread of the sensor is blocked in read(2) on its feed
# FIFO. The capture loop handles each packet completely before it reads the next, and a
# read on a pipe blocks only once the pipe is empty, so then every packet fed so far has
# been processed: a condition instead of a guess at how long that takes.
wait_drained() {
    local i n=$(( ${1:-20} * 10 )) fd= f t nr a1 rest
    for f in /proc/"$SENSOR_PID"/fd/*; do
        [ "$(readlink "$f")" = "$FEED" ] && fd=${f##*/}
    done
    [ -n "$fd" ] || fail "the sensor has no descriptor on $FEED"
    for ((i = 0; i < n; i++)); do
        for t in /proc/"$SENSOR_PID"/task/*/syscall; do
            read -r nr a1 rest < "$t" 2>/dev/null || continue
            # read(2) is syscall 0 on x86_64 and 63 on arm64; the first argument is the fd
            if { [ "$nr" = 0 ] || [ "$nr" = 63 ]; } && [ "$((a1))" -eq "$fd" ]; then return 0; fi
        done
        sleep 0.1
    done
    fail "timed out waiting for the sensor to process all it was fed"
}

# feed FILE [first]: the whole capture (first) or its records without the 24-byte header.
feed() {
    if [ "${2:-}" = first ]; then cat "$1" >&3; else tail -c +25 "$1" >&3; fi
}

# sensor_stop: close the feed (end of capture) and collect the exit status.
sensor_stop() {
    exec 3>&-
    wait "$SENSOR_PID"
    local rc=$?
    SENSOR_PID=
    [ $rc -eq 0 ] || fail "minewatch exited $rc"
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$SENSOR_ERR"; then
        fail "sanitizer report from minewatch"
    fi
}

sensor_cleanup() {
    [ -n "${SENSOR_PID:-}" ] && kill -TERM "$SENSOR_PID" 2>/dev/null
    exec 3>&- 2>/dev/null
    return 0
}

# alerts_for EVE NAME: "TIMESTAMP SIGNATURE_ID" of every alert whose DNS name is NAME.
alerts_for() {
    python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("event_type") == "alert" and sys.argv[2] in json.dumps(o.get("dns", {})):
        print(o["timestamp"], o["alert"]["signature_id"])
PY
}

# packets EVE: decoder.pkts of the final stats event.
packets() {
    python3 -c '
import json, sys
st = [json.loads(l) for l in open(sys.argv[1]) if "\"stats\"" in l]
st = [o for o in st if o.get("event_type") == "stats"]
print(st[-1]["stats"]["decoder"]["pkts"] if st else -1)' "$1"
}
