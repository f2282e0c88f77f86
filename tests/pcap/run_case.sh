#!/usr/bin/env bash
# run_case.sh CASE.json - one pcap regression case: generate the case's scenario with mwgen,
# run minewatch over it, then check the EVE output with check_eve.py.
#   env: MW_BINARY_DIR (build tree with mwgen and minewatch), MW_SOURCE_DIR (optional)
#   case keys used here: "scenario", "gen_args" (extra mwgen arguments), "args" (extra
#   minewatch arguments), and optionally
#     "needs_shared": [PATH, ...]  files under $MW_SHARED_DIR the case needs: when one is
#                                  missing the case is skipped (exit 77, with a message);
#     "mmdb": {NAME: DESCRIPTION}  databases built into the work directory with our own
#                                  tests/tools/mkmmdb.py (DESCRIPTION as mkmmdb.py documents);
#     "config": TEXT               a YAML configuration written to the work directory and
#                                  passed with -c.
#   In args and config, "{casedir}" expands to the case file's directory, "{work}" to the
#   case's work directory, "{shared}" to $MW_SHARED_DIR.
# Fails on a non-zero minewatch exit, on any sanitizer report, or when check_eve.py fails.
set -u
case_file=$1
here=$(cd "$(dirname "$0")" && pwd)
bin=${MW_BINARY_DIR:?MW_BINARY_DIR must point at the build tree}
name=$(basename "$case_file" .json)
# One work directory per run, so two runs of the suite at once never share files; kept
# when the case fails, for a look at its capture and EVE output.
mkdir -p "$bin/tests/pcap/work" || exit 1
work=$(mktemp -d "$bin/tests/pcap/work/$name.XXXXXX") || exit 1
trap 'rc=$?; [ $rc -eq 0 ] && rm -rf "$work"; exit $rc' EXIT
rm -f "$work/eve.json" "$work/stderr.txt" "$work/capture.pcap" "$work/config.yaml" "$work"/*.mmdb

# Case fields, NUL-separated: scenario, then "G" + gen_args..., then "A" + args...; or a
# single "SKIP " + reason. Databases and the configuration are written on the way.
mapfile -d '' fields < <(python3 - "$case_file" "$work" "${MW_SHARED_DIR:-}" "$here/../tools/mkmmdb.py" <<'PY'
import json, os, subprocess, sys
case_path, work, shared, mkmmdb = sys.argv[1:5]
c = json.load(open(case_path))
d = os.path.dirname(os.path.abspath(case_path))
def expand(s):
    return str(s).replace("{casedir}", d).replace("{work}", work).replace("{shared}", shared)
missing = [p for p in c.get("needs_shared", []) if not shared or not os.path.isfile(os.path.join(shared, p))]
if missing:
    sys.stdout.write("SKIP needs %s under MW_SHARED_DIR=%s (third-party test data absent)\0"
                     % (", ".join(missing), shared or "(unset)"))
    sys.exit(0)
for name, desc in c.get("mmdb", {}).items():
    subprocess.run([sys.executable, mkmmdb, "-o", os.path.join(work, name), "-"],
                   input=json.dumps(desc).encode(), check=True)
args = [expand(a) for a in c.get("args", [])]
if "config" in c:
    path = os.path.join(work, "config.yaml")
    with open(path, "w") as f:
        f.write(expand(c["config"]))
    args = ["-c", path] + args
out = [c["scenario"]] + ["G" + str(a) for a in c.get("gen_args", [])] + ["A" + a for a in args]
sys.stdout.write("".join(s + "\0" for s in out))
PY
) || { echo "run_case: cannot read $case_file"; exit 2; }
[ ${#fields[@]} -ge 1 ] || { echo "run_case: $case_file has no scenario"; exit 2; }
if [ "${fields[0]:0:5}" = "SKIP " ]; then
    echo "run_case: skipped $name: ${fields[0]:5}"; exit 77
fi
scenario=${fields[0]}
gen_args=()
mw_args=()
for f in "${fields[@]:1}"; do
    case $f in G*) gen_args+=("${f:1}") ;; A*) mw_args+=("${f:1}") ;; esac
done

if ! "$bin/mwgen" "$scenario" "${gen_args[@]}" "$work/capture.pcap"; then
    echo "run_case: mwgen $scenario failed"; exit 1
fi
if [ ! -x "$bin/minewatch" ]; then
    echo "run_case: $bin/minewatch not built"; exit 1
fi
echo "+ minewatch -r $work/capture.pcap --eve $work/eve.json ${mw_args[*]}"
"$bin/minewatch" -r "$work/capture.pcap" --eve "$work/eve.json" "${mw_args[@]}" 2>"$work/stderr.txt"
rc=$?
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: .*Sanitizer' "$work/stderr.txt"; then
    echo "FAIL $name: sanitizer report:"; cat "$work/stderr.txt"; exit 1
fi
if [ $rc -ne 0 ]; then
    echo "FAIL $name: minewatch exited with status $rc"; tail -20 "$work/stderr.txt"; exit 1
fi
if [ ! -f "$work/eve.json" ]; then
    echo "FAIL $name: minewatch wrote no EVE file ($work/eve.json)"; exit 1
fi
python3 "$here/check_eve.py" "$work/eve.json" "$case_file"
