#!/bin/bash
# run.sh — the live-capture tests (docs/capture.md, "Tests"), each in a
# network namespace of its own; needs root (`make test` runs as root).
#
#   bash tests/live/run.sh build/attrib
#
# Prints every check and, last, "live: P passed, F failed"; a test that
# cannot create what it needs (no root, no namespaces) says it skipped.
set -u
bin=${1:?usage: run.sh ATTRIB}
dir=$(dirname "$0")
passed=0 failed=0 skipped=""
t0=$(date +%s)
for t in capture rotate signals errors diskfull; do
	out=$(bash "$dir/$t.sh" "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s/^/live: /"
	last=$(printf '%s\n' "$out" | tail -1)
	case $last in
	"$t: skipped"*) skipped="$skipped $t" ;;
	"$t: "*" passed, "*" failed")
		p=$(echo "$last" | awk '{ print $2 }')
		f=$(echo "$last" | awk '{ print $4 }')
		passed=$((passed + p))
		failed=$((failed + f))
		[ $rc -eq 0 ] || [ "$f" -gt 0 ] || failed=$((failed + 1)) ;;
	*)
		echo "live: $t ended without its summary line (exit $rc)"
		failed=$((failed + 1)) ;;
	esac
done
[ -n "$skipped" ] && echo "live: skipped:$skipped"
echo "live: $(( $(date +%s) - t0 )) s"
echo "live: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
