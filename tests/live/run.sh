#!/bin/bash
# run.sh — the live-capture tests (docs/capture.md, "Tests"), each in a
# network namespace of its own; needs root (`make test` runs as root).
#
#   bash tests/live/run.sh build/attrib [build/asan/attrib]
#
# With a second program (the ASan+UBSan build), capture.sh runs once more
# with it, so the capture path is also run under the sanitizers.
#
# Prints every check and, last, "live: P passed, F failed"; a test that
# cannot create what it needs (no root, no namespaces) says it skipped.
set -u
bin=${1:?usage: run.sh ATTRIB [ASAN_ATTRIB]}
asan=${2:-}
dir=$(dirname "$0")
passed=0 failed=0 skipped=""
t0=$(date +%s)
runs="capture rotate signals errors diskfull"
[ -n "$asan" ] && [ -x "$asan" ] && runs="$runs capture-asan"
for run in $runs; do
	t=${run%-asan}
	prog=$bin
	[ "$run" = "$t" ] || prog=$asan
	out=$(bash "$dir/$t.sh" "$prog" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s|^$t:|$run:|; s/^/live: /"
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
