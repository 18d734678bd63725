#!/bin/sh
# kill-resume.sh ATTRIB [TRIES] — an ingest with --jobs 2 killed (SIGKILL)
# at a random point and run again gives the same evidence as one that was
# never interrupted: the same flows and observations in the same chain
# order (custody entries aside: the interrupted run has its own), and a
# case that verifies. TRIES (default 20) kill points, spread at random over
# the uninterrupted run's duration. Commits every 2048 packets so that
# kills land between, on and just after checkpoints.
set -eu
ATTRIB=${1:?usage: kill-resume.sh ATTRIB [TRIES]}
TRIES=${2:-20}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a few captures of every kind: the lab scenarios and the larger nDPI ones
set -- pcaps/lab
if [ -d ../shared/pcaps/ndpi ]; then
	for f in $(ls -S ../shared/pcaps/ndpi/*.pcap* | head -12); do
		set -- "$@" "$f"
	done
fi
start=$(python3 -c 'import time; print(time.time())')
rc=0
"$ATTRIB" ingest --db "$tmp/ref.db" --jobs 2 --batch 2048 "$@" \
	> /dev/null 2> "$tmp/ref.err" || rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
	tail -5 "$tmp/ref.err"
	exit 1
fi
secs=$(python3 -c "import time; print(max(0.2, time.time() - $start))")
python3 "$here/evidence-dump.py" --no-custody "$tmp/ref.db" > "$tmp/ref.dump"
fail=0 killed=0
i=1
while [ "$i" -le "$TRIES" ]; do
	db="$tmp/t$i.db"
	delay=$(python3 -c "import random; print(round(random.uniform(0.02, $secs), 3))")
	"$ATTRIB" ingest --db "$db" --jobs 2 --batch 2048 "$@" \
		> /dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -KILL "$pid" 2> /dev/null; then
		killed=$((killed + 1))
	fi
	wait "$pid" 2> /dev/null || true
	rc=0
	"$ATTRIB" ingest --db "$db" --jobs 2 --batch 2048 "$@" \
		> /dev/null 2> "$tmp/err" || rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then # 2: an input error, kept
		echo "kill-resume: try $i (killed after ${delay}s): the rerun failed (exit $rc)"
		tail -3 "$tmp/err"
		fail=1
	fi
	python3 "$here/evidence-dump.py" --no-custody "$db" > "$tmp/t.dump"
	if ! cmp -s "$tmp/ref.dump" "$tmp/t.dump"; then
		echo "kill-resume: try $i (killed after ${delay}s): evidence differs"
		diff "$tmp/ref.dump" "$tmp/t.dump" | head -6 | cut -c1-300
		fail=1
	fi
	"$ATTRIB" verify --db "$db" > /dev/null 2>&1 || {
		echo "kill-resume: try $i (killed after ${delay}s): does not verify"
		fail=1
	}
	rm -f "$db" "$db"-* "$db".head
	i=$((i + 1))
done
[ $fail -eq 0 ] || exit 1
echo "kill-resume: $TRIES tries ($killed killed mid-ingest, at random points" \
	"over ${secs}s) resumed to the uninterrupted evidence"
