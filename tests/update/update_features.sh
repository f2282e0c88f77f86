#!/usr/bin/env bash
# update_features.sh MINEWATCH-UPDATE MINEWATCH SRCDIR - sources switched off by name,
# the summary of each run, --offline, --force, --reload-command, and the pidfile the docs
# give equal to the one the shipped systemd unit uses. Local files and file:// URLs only.
set -u
UPD=$1 MW=$2 SRC=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; [ -f "$W/err" ] && sed 's/^/  update: /' "$W/err"; [ -f "$W/out.txt" ] && sed 's/^/  stdout: /' "$W/out.txt"; exit 1; }
run() {
    local want=$1; shift
    "$UPD" "$@" >"$W/out.txt" 2>"$W/err"
    local rc=$?
    [ $rc -eq "$want" ] || fail "minewatch-update $* exited $rc, expected $want"
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$W/err"; then fail "sanitizer report"; fi
}
has() { grep -q -- "$1" "$W/err" || fail "expected '$1' on stderr"; }
says() { grep -qE -- "$1" "$W/out.txt" || fail "expected /$1/ in the summary"; }

mkdir -p "$W/out" "$W/lists"
printf 'a.example.com\nb.example.com\n' > "$W/lists/pools.txt"
printf 'w.example.net\n' > "$W/lists/web.txt"
printf 'p.example.org\n' > "$W/lists/remote.txt"
conf() { # conf ENABLED-OF-WEB
    cat > "$W/sources.yaml" <<YAML
output: out/generated.yaml
cache-dir: cache
sources:
  - { name: pools, path: lists/pools.txt, format: plain, category: mining-pool }
  - { name: web, path: lists/web.txt, format: plain, category: web-miner, enabled: $1 }
  - { name: remote, url: "file://$W/lists/remote.txt", format: plain, category: mining-proxy }
YAML
}

echo "== the summary of a first run: every source and list, all added"
conf true
run 0 -c "$W/sources.yaml"
says '^minewatch-update summary: installed'
says '^  pools +local file +2 +2 +0$'
says '^  web +local file +1 +1 +0$'
says '^  remote +downloaded +1 +1 +0$'
says '^  update-mining-pool +mining-pool +2 +2 +0$'
says '^  update-web-miner +web-miner +1 +1 +0$'

echo "== enabled: false leaves a source out without deleting it; the summary counts what left"
conf false
run 0 -c "$W/sources.yaml"
says '^  web +disabled +0 +0 +1$'
says '^  update-web-miner +web-miner +0 +0 +1$'
grep -q 'w.example.net' "$W/out/generated.yaml" && fail "a disabled source was merged"
grep -q 'a.example.com' "$W/out/generated.yaml" || fail "the enabled sources were lost"

echo "== an entry added and one removed in one list"
printf 'a.example.com\nc.example.com\n' > "$W/lists/pools.txt"
run 0 -c "$W/sources.yaml"
says '^  pools +local file +2 +1 +1$'
says '^  update-mining-pool +mining-pool +2 +1 +1$'
says '^  remote +not modified \(cache\)|^  remote +downloaded'

echo "== every source disabled: the update fails and says why"
sed -i 's/format: plain, category: mining-pool }/format: plain, category: mining-pool, enabled: no }/; s/category: mining-proxy }/category: mining-proxy, enabled: false }/' "$W/sources.yaml"
cp "$W/out/generated.yaml" "$W/saved.yaml"
run 1 -c "$W/sources.yaml"
has "every source disabled"
cmp -s "$W/out/generated.yaml" "$W/saved.yaml" || fail "a failed update changed the file"
printf 'sources:\n  - { name: a, path: x, format: plain, category: mining-pool, enabled: maybe }\noutput: o\n' > "$W/bad.yaml"
run 2 -c "$W/bad.yaml"
has "$W/bad.yaml:2:72: enabled must be true or false"

echo "== --offline: url sources from the cache only; no cache fails"
conf true
printf 'p.example.org\nq.example.org\n' > "$W/lists/remote.txt"
run 0 -c "$W/sources.yaml" --offline
says '^  remote +offline \(cache\) +1 +0 +0$'
grep -q 'q.example.org' "$W/out/generated.yaml" && fail "--offline downloaded the list"
run 1 -c "$W/sources.yaml" --offline --cache-dir "$W/empty-cache"
has "remote: offline and no cached copy"
run 0 -c "$W/sources.yaml"
grep -q 'q.example.org' "$W/out/generated.yaml" || fail "online run did not take the changed list"

echo "== --reload-command runs after an install; --force installs and reloads an unchanged file"
run 0 -c "$W/sources.yaml" --reload-command "echo reloaded >> '$W/reloads'"
has "is up to date"
says '^minewatch-update summary: up to date'
[ -e "$W/reloads" ] && fail "the reload command ran although nothing changed"
run 0 -c "$W/sources.yaml" --force --reload-command "echo reloaded >> '$W/reloads'"
has "installed"
has "reload command succeeded"
[ "$(cat "$W/reloads" 2>/dev/null)" = reloaded ] || fail "the reload command did not run exactly once"
echo "reload-command: \"exit 3\"" >> "$W/sources.yaml"
run 0 -c "$W/sources.yaml" --force
has "warning: reload command failed (status 3)"
run 0 -c "$W/sources.yaml" --force --no-signal
grep -q "reload command" "$W/err" && fail "--no-signal still ran the reload command"
run 2 -c "$W/sources.yaml" --offline --force

echo "== the documented pidfile is the one the shipped unit writes"
unit=$(sed -n 's/^ExecStart=.*--pidfile \([^ ]*\).*/\1/p' "$SRC/dist/minewatch.service")
[ -n "$unit" ] || fail "no --pidfile in dist/minewatch.service"
grep -q "^pidfile: $unit " "$SRC/docs/rules.md" || fail "docs/rules.md's sources.yaml example does not use $unit"
grep -q "^  pidfile: $unit\$" "$SRC/docs/minewatch.yaml" || fail "docs/minewatch.yaml's daemon.pidfile is not $unit"
"$UPD" --help | grep -q -- "$unit" || fail "--help does not name $unit"
grep -q -- "$unit" "$SRC/docs/minewatch-update.8" || fail "minewatch-update(8) does not name $unit"
echo "PASS: minewatch-update sources, summary, offline, force, reload command, pidfile"
