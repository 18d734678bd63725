#!/bin/sh
# tests/step.sh — runs the steps of `make check` and keeps the tally, so
# one failing step does not hide the others and the closing line counts
# what really ran.
#
#   tests/step.sh --reset              start a new tally
#   tests/step.sh NAME COMMAND...      run a step; its result is recorded
#   tests/step.sh --summary            print "check: N passed, M failed
#                                      (...)"; exit 1 if any failed
set -u
dir=${CHECK_DIR:-build/check}
case "${1:-}" in
--reset)
	rm -rf "$dir" && mkdir -p "$dir" && : > "$dir/passed" && : > "$dir/failed"
	exit 0 ;;
--summary)
	p=$(wc -l < "$dir/passed"); f=$(wc -l < "$dir/failed")
	list() { tr '\n' ',' < "$1" | sed 's/,$//; s/,/, /g'; }
	if [ "$f" -eq 0 ]; then
		echo "check: $p passed, 0 failed ($(list "$dir/passed"))"
		exit 0
	fi
	echo "check: $p passed, $f FAILED: $(list "$dir/failed")"
	exit 1 ;;
esac
[ $# -ge 2 ] || { echo "usage: $0 --reset | --summary | NAME COMMAND..." >&2; exit 2; }
name=$1
shift
start=$(date +%s)
"$@"
rc=$?
if [ "$rc" -eq 0 ]; then
	echo "$name" >> "$dir/passed"
else
	echo "$name" >> "$dir/failed"
	echo "check: step '$name' FAILED (exit status $rc)" >&2
fi
# CPU: user + system time of the step's processes (the shell's children;
# `times` prints them on its second line as XmY.YYYs).
times > "$dir/.times.$$"
cpu=$(tail -1 "$dir/.times.$$" | awk '{
	t = 0
	for (i = 1; i <= 2; i++) {
		split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2]
	}
	printf "%.0f", t }')
rm -f "$dir/.times.$$"
echo "check: step '$name' took $(( $(date +%s) - start )) s (CPU $cpu s)" >&2
exit 0
