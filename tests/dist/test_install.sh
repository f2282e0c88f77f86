#!/usr/bin/env bash
# test_install.sh CMAKE BUILD_DIR SRC_DIR BUILD_TREE_MINEWATCH - an install finds its own rules.
#
# `cmake --install` into a staging root (DESTDIR, so the absolute logrotate path stays
# inside it too), then from an unrelated directory:
#   - the installed minewatch and minewatch-update do not contain the source tree's rules
#     path (they used to fall back to it, so an installed sensor silently depended on the
#     build machine's checkout);
#   - the installed minewatch -T loads the rules installed beside it (found relative to
#     the binary, since the configured prefix's directory is not there), each list from a
#     file under the staging root;
#   - the build tree's binary still runs before any install (the source rules).
set -uo pipefail
CMAKE=$1 BUILD=$2 SRC=$(cd "$3" && pwd) MW_BUILD=$4
SRC_RULES="$SRC/rules/default"
fail() { echo "FAIL: $*"; echo "kept $W"; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/mw-install.XXXXXX")
ROOT="$W/root"
DESTDIR="$ROOT" "$CMAKE" --install "$BUILD" >"$W/install.log" 2>&1 \
    || { cat "$W/install.log"; fail "cmake --install failed"; }
MW=$(find "$ROOT" -path '*/sbin/minewatch' -type f | head -n1)
UPD=$(find "$ROOT" -path '*/sbin/minewatch-update' -type f | head -n1)
[[ -x $MW ]] || fail "no sbin/minewatch under the staging root"
RULES=$(find "$ROOT" -path '*/share/minewatch/rules' -type d | head -n1)
[[ -n $RULES && -f $RULES/pools.yaml ]] || fail "no share/minewatch/rules/pools.yaml under the staging root"

for bin in "$MW" ${UPD:+"$UPD"}; do
    if grep -aqF "$SRC_RULES" "$bin"; then
        fail "$bin contains the source tree's rules path $SRC_RULES"
    fi
done

mkdir "$W/elsewhere"
cd "$W/elsewhere" || fail "cd"
INSTALLED_DIR=$(strings "$MW" | grep -m1 '/minewatch/rules$')
if [[ -n $INSTALLED_DIR && -d $INSTALLED_DIR ]]; then
    echo "note: $INSTALLED_DIR exists on this machine (a real install): -T may load it, not the staged copy"
    STAGED=0
else
    STAGED=1
fi
"$MW" -T >"$W/t.out" 2>"$W/t.err" || { cat "$W/t.out" "$W/t.err"; fail "installed minewatch -T failed"; }
grep -q "configuration OK" "$W/t.err" || { cat "$W/t.err"; fail "-T did not say configuration OK"; }
nfiles=$(sed -n 's/.*configuration OK (\([0-9]*\) rule files.*/\1/p' "$W/t.err")
want=$(find "$RULES" -maxdepth 1 -name '*.yaml' | wc -l)
[[ $nfiles == "$want" ]] || { cat "$W/t.err"; fail "-T loaded $nfiles rule files, $want are installed"; }
if [[ $STAGED == 1 ]]; then
    grep -q "$RULES/pools.yaml" "$W/t.out" || { cat "$W/t.out"; fail "-T did not load the staged $RULES/pools.yaml"; }
    if grep -qF "$SRC_RULES" "$W/t.out" "$W/t.err"; then
        fail "the installed minewatch loaded rules from the source tree"
    fi
fi

# The build tree's binary, run from elsewhere before any install, still has its rules.
if [[ ! -d $INSTALLED_DIR ]]; then
    "$MW_BUILD" -T >"$W/b.out" 2>"$W/b.err" || { cat "$W/b.out" "$W/b.err"; fail "build-tree minewatch -T failed"; }
    grep -qF "$SRC_RULES/pools.yaml" "$W/b.out" || { cat "$W/b.out"; fail "the build-tree binary did not load $SRC_RULES"; }
fi
rm -rf "$W"
echo "ok: the installed binaries name no source path; -T from elsewhere loads the $want installed rule files"
