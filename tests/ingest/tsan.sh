#!/bin/sh
# tsan.sh TSAN_ATTRIB — the multi-worker ingest under ThreadSanitizer: the
# lab captures and a spread of the shared nDPI captures ingested with
# --jobs 2 and 4 (and small checkpoint batches, so the reader, the workers
# and the writer meet at many epoch ends, drains and commits). Fails on
# any ThreadSanitizer report or an exit other than 0 or 2 (input error).
set -u
bin=${1:?usage: tsan.sh TSAN_ATTRIB}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set -- pcaps/lab
if [ -d ../shared/pcaps/ndpi ]; then
	# every 8th capture by name, plus the largest few
	for f in $(ls ../shared/pcaps/ndpi/* | awk 'NR % 8 == 1') \
		 $(ls -S ../shared/pcaps/ndpi/* | head -4); do
		set -- "$@" "$f"
	done
fi
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
fail=0
for j in 2 4; do
	"$bin" ingest --db "$tmp/j$j.db" --jobs "$j" --batch 4096 "$@" \
		> /dev/null 2> "$tmp/err$j"
	rc=$?
	if grep -q "ThreadSanitizer" "$tmp/err$j" || { [ $rc -ne 0 ] && [ $rc -ne 2 ]; }; then
		echo "tsan: --jobs $j: exit $rc"
		grep -A30 "WARNING: ThreadSanitizer" "$tmp/err$j" | head -40
		fail=1
	fi
done
[ $fail -eq 0 ] || exit 1
echo "tsan: the ingest with --jobs 2 and 4 over $# paths ran without a ThreadSanitizer report"
