#!/usr/bin/env bash
# update_cli.sh MINEWATCH-UPDATE MINEWATCH - minewatch-update end to end with local sources:
# file paths, file:// URLs and an http URL served by python3 -m http.server on 127.0.0.1
# (200, then 304 from the cache, then the cached copy when the server is gone). Failures
# (missing source, malformed source, a file the rule loader refuses) exit 1 and leave the
# active file byte for byte as it was; configuration errors exit 2 with FILE:LINE:COL.
set -u
UPD=$1 MW=$2
W=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; [ -f "$W/err" ] && sed 's/^/  update: /' "$W/err"; exit 1; }
# run EXPECTED_STATUS ARGS...: minewatch-update's stderr in $W/err
run() {
    local want=$1; shift
    "$UPD" "$@" 2>"$W/err"
    local rc=$?
    [ $rc -eq "$want" ] || fail "minewatch-update $* exited $rc, expected $want"
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$W/err"; then fail "sanitizer report"; fi
}
has() { grep -q -- "$1" "$W/err" || fail "expected '$1' in the output"; }
same_as_saved() { cmp -s "$W/out/generated.yaml" "$W/saved.yaml" || fail "the active file changed: $1"; }

mkdir -p "$W/out" "$W/lists"
printf '# pools\nPool-A.example.com\npool-b.example.com.\n203.0.113.5:3333\n' > "$W/lists/pools.txt"
printf '0.0.0.0 miner.example.net\n0.0.0.0 pool-a.example.com\n' > "$W/lists/web.hosts"
printf '||script.example.org^\n##.ad-banner\n' > "$W/lists/nocoin.txt"
conf() { # conf EXTRA_SOURCE_LINES...
    {
        echo "output: out/generated.yaml"
        echo "cache-dir: cache"
        echo "sources:"
        echo "  - { name: pools, path: lists/pools.txt, format: plain, category: mining-pool }"
        echo "  - { name: web, url: \"file://$W/lists/web.hosts\", format: hosts, category: web-miner }"
        echo "  - { name: nocoin, path: lists/nocoin.txt, format: adblock, category: web-miner }"
        for l in "$@"; do echo "$l"; done
    } > "$W/sources.yaml"
}

echo "== a first update from local paths and file:// URLs"
conf
run 0 -c "$W/sources.yaml" -v
has "installed $W/out/generated.yaml (5 entries: 3 mining-pool, 0 mining-proxy, 2 web-miner, 0 crypto-general)"
grep -q '{ name: "pool-a.example.com", source: "pools" }' "$W/out/generated.yaml" || fail "pool-a not kept as mining-pool from 'pools'"
grep -q '"pool-b.example.com"' "$W/out/generated.yaml" || fail "trailing dot not removed"
"$MW" -T -s "$W/out/generated.yaml" 2>/dev/null || fail "minewatch -T refuses the generated file"
[ -f "$W/cache/web.list" ] || fail "file:// download not cached"
cp "$W/out/generated.yaml" "$W/saved.yaml"

echo "== nothing changed: no rewrite"
run 0 -c "$W/sources.yaml"
has "is up to date"
same_as_saved "unchanged run"

echo "== dry run with a change installs nothing"
printf 'new.example.com\n' >> "$W/lists/pools.txt"
run 0 -c "$W/sources.yaml" --dry-run
has "dry run: $W/out/generated.yaml would be replaced (6 entries"
same_as_saved "dry run"
ls "$W/out" | grep -q tmp && fail "dry run left a temporary file"

echo "== a missing source fails the update; the file is untouched"
conf "  - { name: gone, path: lists/missing.txt, format: plain, category: mining-pool }"
run 1 -c "$W/sources.yaml"
has "gone: cannot read $W/lists/missing.txt"
has "update failed: source gone unavailable"
same_as_saved "missing source"

echo "== the same source marked optional is left out with a warning"
conf "  - { name: gone, path: lists/missing.txt, format: plain, category: mining-pool, optional: true }"
run 0 -c "$W/sources.yaml"
has "warning: gone: optional source unavailable, left out"
has "installed"
cp "$W/out/generated.yaml" "$W/saved.yaml"

echo "== a mostly malformed source is rejected, with its bad line numbers"
printf '<html>\n<head><title>404</title></head>\n<body>not found</body>\nok.example.com\n</html>\n' > "$W/lists/broken.txt"
conf "  - { name: broken, path: lists/broken.txt, format: plain, category: mining-pool }"
run 1 -c "$W/sources.yaml"
has "warning: $W/lists/broken.txt:1: malformed"
has "warning: $W/lists/broken.txt:5: malformed"
has "update failed: source broken rejected (1 valid entries, 4 malformed lines, limit 50%)"
same_as_saved "malformed source"
echo "== a source with no valid entry is rejected"
printf '# nothing here\n\n' > "$W/lists/empty.txt"
conf "  - { name: empty, path: lists/empty.txt, format: plain, category: mining-pool }"
run 1 -c "$W/sources.yaml"
has "source empty rejected (0 valid entries"
same_as_saved "empty source"

echo "== a generated file the rule loader refuses is not installed"
printf 'version: 1\nlists:\n  - { name: update-mining-pool, category: mining-pool, domains: [ x.example.org ] }\n' > "$W/clash.yaml"
printf 'extra.example.com\n' >> "$W/lists/pools.txt"
conf
echo "test-rules: [ clash.yaml ]" >> "$W/sources.yaml"
run 1 -c "$W/sources.yaml"
has "the generated rules do not load: .*list name 'update-mining-pool'\|the generated rules do not load"
same_as_saved "refused by the loader"
ls "$W/out" | grep -q tmp && fail "a refused update left a temporary file"

echo "== the sensor's own -T is run when 'minewatch' is set"
conf
echo "minewatch: $MW" >> "$W/sources.yaml"
run 0 -c "$W/sources.yaml" --output "$W/out/other.yaml"
has "configuration OK"
[ -f "$W/out/other.yaml" ] || fail "--output not honoured"

echo "== a stale pidfile, and a pidfile naming another program, are warnings"
conf
sh -c 'exit 0' & dead=$!; wait $dead
echo "$dead" > "$W/stale.pid"
printf 'more.example.com\n' >> "$W/lists/pools.txt"
run 0 -c "$W/sources.yaml" --pidfile "$W/stale.pid"
has "stale pidfile"
has "installed"
sleep 60 & other=$!
echo "$other" > "$W/other.pid"
printf 'more2.example.com\n' >> "$W/lists/pools.txt"
run 0 -c "$W/sources.yaml" --pidfile "$W/other.pid"
has "not minewatch (stale pidfile)"
kill -0 "$other" 2>/dev/null || fail "a process that is not minewatch was signalled"
kill "$other"
printf 'more3.example.com\n' >> "$W/lists/pools.txt"
run 0 -c "$W/sources.yaml" --pidfile "$W/other.pid" --no-signal
grep -q "pidfile" "$W/err" && fail "--no-signal still read the pidfile"
# The name of the process a pidfile names is not ours to trust: any local user picks it.
esc=$(printf '\033')
cp "$(command -v sleep)" "$W/evil${esc}[31m" || fail "cannot copy sleep"
"$W/evil${esc}[31m" 60 & evil=$!
echo "$evil" > "$W/evil.pid"
for _ in $(seq 400); do grep -q "evil" "/proc/$evil/comm" 2>/dev/null && break; sleep 0.05; done
grep -q "evil" "/proc/$evil/comm" || fail "the renamed sleep did not start"
printf 'more4.example.com\n' >> "$W/lists/pools.txt"
run 0 -c "$W/sources.yaml" --pidfile "$W/evil.pid"
kill "$evil" 2>/dev/null
grep -q "$esc" "$W/err" && fail "a terminal control from a process name reached the log raw"
has 'names process [0-9]* (evil\\x1b\[31m), not minewatch'

echo "== configuration errors exit 2 with their place"
printf 'sources:\n  - { name: a, path: x, format: plain, category: pool }\n' > "$W/bad.yaml"
run 2 -c "$W/bad.yaml"
has "$W/bad.yaml:2:50: unknown category 'pool'"
run 2 -c "$W/nonexistent.yaml"
run 2 --bogus-option
printf 'sources:\n  - { name: a, url: "http://127.0.0.1:1/x", format: plain, category: mining-pool }\noutput: o.yaml\n' > "$W/nocache.yaml"
run 2 -c "$W/nocache.yaml"
has "need 'cache-dir'"
"$UPD" --help | grep -q "Usage: minewatch-update" || fail "--help"

echo "== http: 200, then 304 from the cache, then the cache when the server is gone"
mkdir -p "$W/www"
printf 'http-pool.example.com\n198.51.100.0/24\n' > "$W/www/list.txt"
# A list last changed long ago: its Last-Modified is a strong validator (RFC 9110 8.8.2.2).
# Every later rewrite gets a fresh mtime, so no step depends on which second it runs in.
touch -d '2020-01-01 00:00:00 UTC' "$W/www/list.txt"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$W/www" > "$W/http.log" 2>&1 &
SRV=$!
port=
for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$W/http.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "SKIP-PART: python3 http.server did not start"; cat "$W/http.log"; exit 1; }
cat > "$W/http.yaml" <<YAML
output: out/http.yaml
cache-dir: cache-http
timeout: 5
max-size: 4K
sources:
  - { name: remote, url: "http://127.0.0.1:$port/list.txt", format: plain, category: mining-pool }
YAML
run 0 -c "$W/http.yaml" -v
has "remote: downloaded 38 bytes from http://127.0.0.1:$port/list.txt"
grep -q "last-modified: ..." "$W/cache-http/remote.meta" || fail "Last-Modified not kept"
grep -q '"http-pool.example.com"' "$W/out/http.yaml" || fail "http list not merged"
run 0 -c "$W/http.yaml" -v
has "remote: not modified since the cached copy (304)"
has "is up to date"
grep -q '"GET /list.txt HTTP/1.1" 304' "$W/http.log" || fail "the server did not answer 304"
echo "== a list changed within the last minute: its date is weak, never sent as If-Modified-Since"
printf 'fresh-pool.example.com\n' > "$W/www/fresh.txt"
sed 's|/list.txt|/fresh.txt|; s|name: remote|name: fresh|' "$W/http.yaml" > "$W/fresh.yaml"
sed -i 's|out/http.yaml|out/fresh.yaml|' "$W/fresh.yaml"
run 0 -c "$W/fresh.yaml" -v
has "fresh: downloaded 23 bytes"
grep -q "last-modified: ." "$W/cache-http/fresh.meta" && fail "a weak Last-Modified was kept as a validator"
# Rewritten with other bytes of the same length, within the same second as like as not: the
# update must see the change (a 304 here was the old update.cli flake).
printf 'fres2-pool.example.com\n' > "$W/www/fresh.txt"
run 0 -c "$W/fresh.yaml" -v
has "fresh: downloaded 23 bytes"
has "installed"
grep -q '"fres2-pool.example.com"' "$W/out/fresh.yaml" || fail "the rewritten list was not installed"
echo "== 404: the cached copy is used with a warning"
cp "$W/out/http.yaml" "$W/saved-http.yaml"
mv "$W/www/list.txt" "$W/www/list.keep"
run 0 -c "$W/http.yaml"
has "HTTP status 404; using the cached copy"
has "is up to date"
echo "== larger than max-size: refused, cache used"
head -c 8000 /dev/zero | tr '\0' 'a' > "$W/www/list.txt"
run 0 -c "$W/http.yaml"
has "larger than max-size (4096 bytes); using the cached copy"
has "is up to date"
mv "$W/www/list.keep" "$W/www/list.txt"
echo "== the cache of another url is never used for this one"
sed -i 's|/list.txt|/absent.txt|' "$W/http.yaml"
run 1 -c "$W/http.yaml" -v
has "the cached copy is of another url; not used"
has "HTTP status 404; no cached copy"
sed -i 's|/absent.txt|/list.txt|' "$W/http.yaml"
kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=
echo "== server gone: the cached copy with a warning; without a cache the update fails"
run 0 -c "$W/http.yaml"
has "download of http://127.0.0.1:$port/list.txt failed: .*using the cached copy"
has "is up to date"
cmp -s "$W/out/http.yaml" "$W/saved-http.yaml" || fail "http.yaml changed although the cached list is the same"
run 1 -c "$W/http.yaml" --cache-dir "$W/empty-cache"
has "no cached copy"
cmp -s "$W/out/http.yaml" "$W/saved-http.yaml" || fail "failed http update changed the file"
echo "PASS: minewatch-update end to end"
