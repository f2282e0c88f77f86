#!/usr/bin/env bash
# layering.sh SRC - dependencies point one way (docs/architecture.md):
#   core/        includes nothing of ours but core/
#   dissectors/  includes only core/ and dissectors/
#   rules/       includes only core/ and rules/
#   sensor/      may include everything above; nothing above includes sensor/
# and every project include names a file that exists (no stale path after a move).
set -uo pipefail
cd "$1" || exit 1
bad=0
check() { # check DIR ALLOWED_REGEX
    local dir=$1 allowed=$2 f line inc
    while IFS= read -r f; do
        while IFS= read -r line; do
            inc=${line#*\"}; inc=${inc%%\"*}
            if [[ ! $inc =~ $allowed ]]; then
                echo "layering: $f includes \"$inc\" ($dir/ may include only ${allowed})"
                bad=1
            fi
            if [[ ! -f $inc ]]; then
                echo "layering: $f includes \"$inc\", which does not exist"
                bad=1
            fi
        done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' "$f")
    done < <(find "$dir" -name '*.[ch]' | sort)
}
check core '^core/'
check dissectors '^(core|dissectors)/'
check rules '^(core|rules)/'
check sensor '^(core|dissectors|rules|sensor)/'
n=$(find core dissectors rules sensor -name '*.[ch]' | wc -l)
if [[ $bad -eq 0 ]]; then echo "layering: $n files, every include points down the layers"; fi
exit $bad
