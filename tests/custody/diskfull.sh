#!/bin/bash
# diskfull.sh — ingest into a full disk (docs/evidence.md, "Crash safety").
#
#   bash tests/custody/diskfull.sh build/attrib
#
# Two ways to run out of space, each at several sizes:
#   tmpfs  — the case on a small tmpfs (needs root; mounted in a private
#            mount namespace with `unshare -m` when available, so nothing
#            outside the test sees it; unmounted at the end otherwise);
#   ulimit — `ulimit -f` (attrib ignores SIGXFSZ, so the write fails with
#            EFBIG instead of killing it).
# Per trial: `attrib ingest` of a ~6 MB capture must fail with one clear
# line on stderr (naming the case and the reason: disk full, file too
# large) and a non-zero exit that is not a crash — unless the space was
# enough; then, with space freed, `PRAGMA integrity_check` = ok, `attrib
# verify` and tests/oracle/chain_verify.py exit 0 (the case holds what was
# committed), and the same ingest run again completes it: flows, anomaly
# counts, observations and the source row equal those of an ingest that
# never ran out of space, and verify exits 0.
# Skips (with a message) only when neither way is possible.
# Prints "diskfull: N passed, M failed" last.
set -u

content() {
	local cols
	cols=$(sqlite3 -batch "$2" "SELECT group_concat(name) FROM pragma_table_info('$1')
		WHERE name NOT IN ('chain_seq','chain_hash','ingested_us')")
	sqlite3 -batch "$2" "SELECT $cols FROM $1 ORDER BY chain_seq, rowid"
}

# trial METHOD SIZE DIR: ingest into DIR/case.db limited by METHOD, then
# free the space (FREE is the command that does it) and check. The logs go
# to a folder of their own, outside the full file system.
trial() {
	local method=$1 size=$2 db=$3/case.db why="" rc lines full=1
	local dir=$WORK/log-$1-$2
	mkdir -p "$dir"
	if [ "$method" = ulimit ]; then
		(ulimit -f "$size" && exec "$BIN" ingest --batch 2048 --db "$db" "$CAP") \
			> "$dir/run1.out" 2> "$dir/run1.err"
	else
		"$BIN" ingest --batch 2048 --db "$db" "$CAP" \
			> "$dir/run1.out" 2> "$dir/run1.err"
	fi
	rc=$?
	lines=$(wc -l < "$dir/run1.err")
	if [ $rc -eq 0 ]; then
		full=0 # the space was enough
	elif [ $rc -ge 128 ]; then
		why="$why ingest died of signal $((rc - 128));"
	elif [ "$lines" -ne 1 ] ||
	     ! grep -qiE "^attrib: .*$db.*(full|too large|no space)" "$dir/run1.err"; then
		why="$why ingest's error is not one clear line ($lines lines);"
	fi
	$FREE
	if [ -s "$db" ]; then
		ic=$(sqlite3 -batch "$db" 'PRAGMA integrity_check' 2>&1)
		[ "$ic" = ok ] || why="$why integrity_check: $ic;"
		"$PY" -S "$ORACLE" -q "$db" > "$dir/p1.out" 2>&1 ||
			why="$why chain_verify.py after the failure: exit $?;"
		if [ -z "$(sqlite3 -batch "$db" "SELECT 1 FROM sqlite_master WHERE name='sources'")" ]; then
			# the case could not even be created: no case to verify
			"$BIN" verify --db "$db" > "$dir/v1.out" 2>&1
			rc=$?
			[ $rc -eq 2 ] && grep -q "an empty database, not an attrib case" "$dir/v1.out" ||
				why="$why verify of the uncreated case: exit $rc;"
		else
			"$BIN" verify --db "$db" > "$dir/v1.out" 2>&1 ||
				why="$why verify after the failure: exit $?;"
		fi
	fi
	"$BIN" ingest --db "$db" "$CAP" > "$dir/run2.out" 2>&1 ||
		why="$why re-ingest: exit $?;"
	for t in flows observations anomalies sources; do
		content $t "$db" | cmp -s - "$REF/$t" ||
			why="$why $t differ from an ingest with enough space;"
	done
	"$BIN" verify --db "$db" > "$dir/v2.out" 2>&1 ||
		why="$why verify after re-ingest: exit $?;"
	msg=$(head -1 "$dir/run1.err" | sed "s|$3/||g; s|$WORK/||g")
	if [ -z "$why" ]; then
		echo "pass $method $size full=$full exit=$rc: ${msg:-completed}"
	else
		echo "FAIL $method $size full=$full exit=$rc:$why"
		tail -2 "$dir"/*.err "$dir"/*.out 2>/dev/null | sed 's/^/    /'
	fi
}

# --- the tmpfs trials (in a private mount namespace) ------------------------
if [ "${1:-}" = "--tmpfs" ]; then
	mnt=$WORK/mnt
	mkdir -p "$mnt"
	mount -t tmpfs -o size=64m tmpfs "$mnt" || exit 0
	for size in $TMPFS_SIZES; do
		rm -rf "${mnt:?}"/*
		mount -o remount,size="$size" "$mnt"
		FREE="mount -o remount,size=256m $mnt"
		trial tmpfs "$size" "$mnt"
	done
	rm -rf "${mnt:?}"/*
	umount "$mnt"
	exit 0
fi

bin=${1:?usage: diskfull.sh ATTRIB}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $bin in /*) ;; *) bin=$root/$bin ;; esac
shared=${ATTRIB_PCAPS:-$root/../shared/pcaps/ndpi}
for tool in mergecap capinfos sqlite3 python3; do
	if ! command -v $tool > /dev/null; then
		echo "diskfull: skipped ($tool is missing)"
		exit 0
	fi
done
work=$(mktemp -d /tmp/attrib-diskfull.XXXXXX)
cleanup() {
	# a tmpfs left mounted when unshare was not available
	mountpoint -q "$work/mnt" 2> /dev/null && umount "$work/mnt"
	rm -rf "$work"
}
trap cleanup EXIT
t0=$(date +%s)

# --- the capture and the reference -----------------------------------------------
ether() { capinfos -T -r -E "$@" 2>/dev/null | awk -F'\t' '$2 == "ether" { print $1 }'; }
if [ -d "$shared" ]; then
	ether "$shared"/* | sort | while read -r f; do
		total=$(( ${total:-0} + $(stat -c %s "$f") ))
		[ $total -gt 6000000 ] && break
		echo "$f"
	done > "$work/list"
else
	ether "$root"/pcaps/samples/*.pcap* > "$work/one"
	for n in $(seq 1000); do cat "$work/one"; done > "$work/list"
fi
cap=$work/cap.pcap
xargs mergecap -F pcap -a -w "$cap" < "$work/list" 2> /dev/null
ref=$work/ref
mkdir -p "$ref"
if ! "$bin" ingest --db "$ref/case.db" "$cap" > "$ref/out" 2>&1; then
	tail -3 "$ref/out"
	echo "diskfull: 0 passed, 1 failed (the reference ingest failed)"
	exit 1
fi
for t in flows observations anomalies sources; do
	content $t "$ref/case.db" > "$ref/$t"
done
echo "diskfull: $(( $(stat -c %s "$cap") / 1000 )) kB capture;" \
     "an ingest with enough space makes a $(( $(stat -c %s "$ref/case.db") / 1000 )) kB case"

export BIN=$bin CAP=$cap REF=$ref WORK=$work ORACLE=$root/tests/oracle/chain_verify.py
PY=$(python3 -c 'import sys; print(sys.executable)')
export PY
: > "$work/results"

# --- tmpfs --------------------------------------------------------------------------
export TMPFS_SIZES="48k 160k 320k 480k 640k 800k 960k 1280k"
if [ "$(id -u)" -ne 0 ]; then
	echo "diskfull: tmpfs trials skipped (not root)"
elif command -v unshare > /dev/null && unshare -m true 2> /dev/null; then
	unshare -m bash "$0" --tmpfs >> "$work/results"
else
	bash "$0" --tmpfs >> "$work/results"
fi
if [ "$(id -u)" -eq 0 ] && ! grep -q tmpfs "$work/results"; then
	echo "diskfull: tmpfs trials skipped (cannot mount a tmpfs here)"
fi

# --- ulimit -f ----------------------------------------------------------------------
if (ulimit -f 100000) 2> /dev/null; then
	for size in 32 128 256 384 512 768 1024; do
		dir=$work/u$size
		mkdir -p "$dir"
		FREE=:
		trial ulimit "$size" "$dir" >> "$work/results"
		rm -rf "$dir"
	done
else
	echo "diskfull: ulimit trials skipped (ulimit -f not available)"
fi

if [ ! -s "$work/results" ]; then
	echo "diskfull: skipped (neither a tmpfs nor ulimit -f can be used here)"
	exit 0
fi
sed 's/^/diskfull: /' "$work/results"
passed=$(grep -c '^pass' "$work/results")
failed=$(grep -c '^FAIL' "$work/results")
full=$(grep -c 'full=1' "$work/results")
echo "diskfull: $((passed + failed)) trials, $full of them ran out of space;" \
     "$(( $(date +%s) - t0 )) s"
if [ "$full" -eq 0 ]; then
	echo "diskfull: no trial ran out of space: the test proves nothing"
	failed=$((failed + 1))
fi
echo "diskfull: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
