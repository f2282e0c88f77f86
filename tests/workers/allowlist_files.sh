#!/usr/bin/env bash
# rules.allowlist-files is loaded (issue #11): -T names each file it loaded and counts its
# entries; a missing one is a configuration error naming it. The detection side is the
# pcap.allowlist-files case (the same rig authorised through the configuration key).
set -u
MW=$1 SRC=$2
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
allow="$SRC/tests/pcap/cases/allowlisted-miner.rules.yaml"
printf 'default-log-dir: %s\nrules:\n  allowlist-files: ["%s"]\n' "$OUT" "$allow" > "$OUT/ok.yaml"
"$MW" -T -c "$OUT/ok.yaml" 2>"$OUT/err" || { echo "FAIL: -T exited $?"; cat "$OUT/err"; exit 1; }
grep -q "allowlist file $allow loaded" "$OUT/err" || { echo "FAIL: -T does not name the file"; cat "$OUT/err"; exit 1; }
grep -q ", 1 allowlist entries)" "$OUT/err" || { echo "FAIL: -T does not count its entry"; cat "$OUT/err"; exit 1; }
printf 'default-log-dir: %s\nrules:\n  allowlist-files: ["%s/none.yaml"]\n' "$OUT" "$OUT" > "$OUT/bad.yaml"
"$MW" -T -c "$OUT/bad.yaml" 2>"$OUT/err2"
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: a missing allowlist file gives $rc, not 2"; cat "$OUT/err2"; exit 1; }
grep -q "none.yaml" "$OUT/err2" || { echo "FAIL: the error does not name the file"; cat "$OUT/err2"; exit 1; }
echo "ok: allowlist-files loaded and reported"
