#!/bin/bash
# run.sh — attrib against hostile paths and hostile output (issue 13):
# report targets that are devices, FIFOs or links (report-out.sh), output
# that cannot be written (output-full.sh), file arguments that are FIFOs,
# devices or endless (inputs.sh), control characters in names and values
# (escapes.sh).
#
#   bash tests/hostile/run.sh build/attrib
#
# Prints every check and, last, "hostile: P passed, F failed".
set -u
bin=${1:?usage: run.sh ATTRIB}
dir=$(dirname "$0")
passed=0 failed=0
for f in "$dir"/*.sh; do
	t=$(basename "$f" .sh)
	case $t in lib | run) continue ;; esac
	out=$(bash "$dir/$t.sh" "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/hostile: /'
	last=$(printf '%s\n' "$out" | tail -1)
	case $last in
	"$t: "*" passed, "*" failed")
		passed=$((passed + $(echo "$last" | awk '{ print $2 }')))
		failed=$((failed + $(echo "$last" | awk '{ print $4 }')))
		[ $rc -eq 0 ] || [ "$(echo "$last" | awk '{ print $4 }')" -gt 0 ] ||
			failed=$((failed + 1)) ;;
	*)
		echo "hostile: $t ended without its summary line (exit $rc)"
		failed=$((failed + 1)) ;;
	esac
done
echo "hostile: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
