#!/usr/bin/env bash
# update_export.sh MINEWATCH-UPDATE - --export of the active names and addresses, each
# loaded by the real consumer: named-checkzone (RPZ), unbound-checkconf (Unbound), nft -c
# (nftables), ipset restore in a private network namespace (ipset). Allowlisted names and
# blocks and crypto-general entries never appear; DNS-learned addresses join the address
# sets only while their name is listed. Skips (77) when a tool is not installed.
set -u
UPD=$1
for t in named-checkzone unbound-checkconf nft ipset unshare; do
    command -v "$t" >/dev/null || { echo "SKIP: $t not installed (apt-get install bind9-utils unbound nftables ipset)"; exit 77; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; [ -f "$W/err" ] && sed 's/^/  update: /' "$W/err"; exit 1; }
export_as() { # export_as FORMAT [ARGS...]: $W/x.FORMAT
    local f=$1; shift
    "$UPD" -c "$W/sources.yaml" --export "$f" --export-file "$W/x.$f" "$@" 2>"$W/err" || fail "--export $f exited $?"
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$W/err"; then fail "sanitizer report"; fi
}
absent() { ! grep -q -- "$1" "$W/x.$2" || fail "$1 appears in the $2 export"; }
present() { grep -q -- "$1" "$W/x.$2" || fail "$1 missing from the $2 export"; }

printf 'pool-a.example.com\n203.0.113.5:3333\n198.51.100.0/24\n2001:db8::/32\n' > "$W/pools.txt"
printf 'exchange.example.com\n192.0.2.128/25\n' > "$W/general.txt"
cat > "$W/site.yaml" <<'YAML'
version: 1
lists:
  - name: site
    category: mining-pool
    domains:
      - { name: exact.example.net, match: exact }
      - allowed.example.org
      - sub.authorised.example.org
    addresses:
      - 192.0.2.0/26
      - 192.0.2.64/26
allowlist:
  - { name: research, host: 192.0.2.7/32, pool: allowed.example.org }
  - { name: lab, pool: authorised.example.org }
YAML
cat > "$W/sources.yaml" <<YAML
output: out.yaml
test-rules: [ site.yaml ]
sources:
  - { name: pools, path: pools.txt, format: plain, category: mining-pool }
  - { name: general, path: general.txt, format: plain, category: crypto-general }
YAML
"$UPD" -c "$W/sources.yaml" >/dev/null 2>"$W/err" || fail "update exited $?"
# learned: one under a listed name, one under an allowlisted name, one whose name left the lists
cat > "$W/learned.txt" <<'TXT'
# ADDRESS NAME (minewatch-report --learned-addresses)
198.18.0.9 eu1.pool-a.example.com
198.18.0.10 x.allowed.example.org
198.18.0.11 gone.example.info
2001:db8:ffff::1 pool-a.example.com
2001:db9::1 pool-a.example.com
TXT

echo "== rpz: named-checkzone loads it; suffix entries cover their subdomains"
export_as rpz
has_err() { grep -q -- "$1" "$W/err" || fail "expected '$1' on stderr"; }
has_err "exported 2 names"
named-checkzone -D -o "$W/rpz.canon" rpz.minewatch "$W/x.rpz" >"$W/checkzone.out" 2>&1 || { cat "$W/checkzone.out"; fail "named-checkzone refused the RPZ"; }
grep -q '^pool-a.example.com.rpz.minewatch.[[:space:]].*CNAME[[:space:]]\.$' "$W/rpz.canon" || fail "pool-a not in the loaded zone"
grep -q '^\*.pool-a.example.com.rpz.minewatch.[[:space:]].*CNAME' "$W/rpz.canon" || fail "suffix entry without its wildcard"
grep -q '^exact.example.net.rpz.minewatch.' "$W/rpz.canon" || fail "exact entry missing"
grep -q '^\*.exact.example.net' "$W/rpz.canon" && fail "an exact entry got a wildcard"
for n in allowed.example.org authorised.example.org exchange.example.com; do absent "$n" rpz; done

echo "== unbound: unbound-checkconf accepts it"
export_as unbound
unbound-checkconf "$W/x.unbound" >"$W/ub.out" 2>&1 || { cat "$W/ub.out"; fail "unbound-checkconf refused the file"; }
present 'local-zone: "pool-a.example.com." always_nxdomain' unbound
present 'local-zone: "exact.example.net." transparent' unbound
for n in allowed.example.org authorised.example.org exchange.example.com; do absent "$n" unbound; done

echo "== nft: nft -c accepts it; allowlisted host's block and crypto-general blocks left out"
export_as nft --learned "$W/learned.txt"
nft -c -f "$W/x.nft" >"$W/nft.out" 2>&1 || { cat "$W/nft.out"; fail "nft -c refused the file"; }
present '198.51.100.0/24' nft
present '2001:db8::/32' nft
present '203.0.113.5/32 . 3333' nft
present '192.0.2.64/26' nft
absent '192.0.2.0/26' nft          # holds the allowlisted host 192.0.2.7
absent '192.0.2.128/25' nft        # crypto-general
present '198.18.0.9/32' nft        # learned under a listed name
present '2001:db9::1/128' nft
absent '2001:db8:ffff::1' nft      # inside the listed 2001:db8::/32: one interval
absent '198.18.0.10' nft           # learned under an allowlisted name
absent '198.18.0.11' nft           # its name is no longer listed
has_err "3 learned addresses taken, 1 whose name is no longer listed"

echo "== ipset: ipset restore loads it in a private network namespace; the sets match"
export_as ipset --learned "$W/learned.txt"
unshare -n sh -c "ipset restore < '$W/x.ipset' && ipset test minewatch-pool4 198.51.100.77 && \
    ipset test minewatch-pool4 198.18.0.9 && ipset test minewatch-pool4-ports 203.0.113.5,tcp:3333 && \
    ipset test minewatch-pool6 2001:db8::5 && ! ipset test minewatch-pool4 192.0.2.7 && \
    ! ipset test minewatch-pool4 198.18.0.10" >"$W/ipset.out" 2>&1 || { cat "$W/ipset.out"; fail "ipset restore/test"; }

echo "== bad input"
printf 'not-an-address pool-a.example.com\n' > "$W/bad-learned.txt"
"$UPD" -c "$W/sources.yaml" --export nft --learned "$W/bad-learned.txt" >/dev/null 2>"$W/err"
[ $? -eq 2 ] || fail "a malformed learned file did not exit 2"
has_err "bad-learned.txt:1: not an address"
"$UPD" -c "$W/sources.yaml" --export bind >/dev/null 2>"$W/err"
[ $? -eq 2 ] || fail "an unknown format did not exit 2"
echo "PASS: exports load in named-checkzone, unbound-checkconf, nft and ipset"
