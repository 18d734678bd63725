#!/bin/bash
# concurrent.sh — several `attrib ingest` processes on one case at once
# (docs/evidence.md, "Several ingests at once").
#
# Per round, into a new case: 2, 3 and 4 concurrent ingests of the same
# capture, and 4 concurrent ingests of overlapping folder sets (A = f1 f2
# f3, B = f2 f3 f4, C = f3 f4 f5, D = f5 f1, each file a separate copy in
# its folder, so the same content under different paths too). Every run
# must exit 0 (a run that finds a file claimed by another says so and
# waits); the case must then hold each capture exactly once (one complete
# source per SHA-256, flows and observations per capture equal to a
# single ingest's), no partial source, PRAGMA integrity_check ok, and
# `attrib verify` intact. Last, an ingest killed (-9) after its first
# commit leaves no claim behind: two concurrent ingests then complete the
# source, once.
# CONCURRENT_ROUNDS sets the rounds (default 20).
# usage: concurrent.sh ATTRIB
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${ATTRIB_PCAPS:-$root/../shared/pcaps/ndpi}
rounds=${CONCURRENT_ROUNDS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0; passed=0
t0=$(date +%s)

# five captures: the larger Ethernet captures of the shared set (so that
# ingests overlap in time), else the samples
ether() { capinfos -T -r -E "$@" 2>/dev/null | awk -F'\t' '$2 == "ether" { print $1 }'; }
if [ -d "$shared" ]; then
	ether "$shared"/1kxun.pcap "$shared"/netflix.pcap "$shared"/reddit.pcap \
		"$shared"/teams.pcap "$shared"/wechat.pcap > "$work/list"
else
	ls "$root"/pcaps/samples/*.pcap* | head -5 > "$work/list"
fi
mkdir "$work/caps"
i=0
while read -r f; do
	i=$((i + 1)); cp "$f" "$work/caps/f$i.pcap"
done < "$work/list"
n=$i
[ "$n" -ge 5 ] || { echo "concurrent: fewer than 5 captures"; exit 1; }
for s in A:1,2,3 B:2,3,4 C:3,4,5 D:5,1; do
	d=$work/sets/${s%%:*}
	mkdir -p "$d"
	for k in $(echo "${s#*:}" | tr , " "); do cp "$work/caps/f$k.pcap" "$d/"; done
done

# reference: each capture once, one process
"$bin" ingest --db "$work/ref.db" "$work"/caps/*.pcap > /dev/null 2>&1 ||
	{ echo "concurrent: the reference ingest failed"; exit 1; }
per_capture="SELECT s.sha256, (SELECT count(*) FROM flows WHERE source_id=s.id),
	(SELECT count(*) FROM observations WHERE source_id=s.id), s.packets, s.status
	FROM sources s ORDER BY s.sha256"
sqlite3 -batch "$work/ref.db" "$per_capture" > "$work/ref.txt"

# check LABEL DB: the case holds every capture it should exactly once
check() {
	local label=$1 db=$2 want=$3 why=""
	sqlite3 -batch "$db" "$per_capture" > "$work/got.txt" 2>&1
	cmp -s "$work/got.txt" "$want" ||
		why="$why evidence per capture differs from one ingest ($(wc -l < "$work/got.txt") sources, $(wc -l < "$want") expected);"
	[ "$(sqlite3 -batch "$db" 'PRAGMA integrity_check')" = ok ] || why="$why integrity_check;"
	"$bin" verify --db "$db" > "$work/verify.out" 2>&1 ||
		why="$why verify exit $?: $(grep verdict "$work/verify.out");"
	echo "$why"
}

# start ingests at once and wait for all
race() {
	local db=$1; shift
	local pids=() k=0 rcs=""
	for args in "$@"; do
		k=$((k + 1))
		# shellcheck disable=SC2086
		"$bin" ingest --batch 4096 --db "$db" $args > "$work/run$k.out" 2> "$work/run$k.err" &
		pids+=($!)
	done
	k=0
	for p in "${pids[@]}"; do
		k=$((k + 1))
		wait "$p"; rc=$?
		[ "$rc" = 0 ] || rcs="$rcs run $k exit $rc ($(head -1 "$work/run$k.err"));"
	done
	echo "$rcs"
}

for r in $(seq "$rounds"); do
	for procs in 2 3 4; do
		db=$work/same-$r-$procs.db
		args=(); for k in $(seq $procs); do args+=("$work/caps/f1.pcap"); done
		why=$(race "$db" "${args[@]}")
		grep "^$(sha256sum "$work/caps/f1.pcap" | cut -d' ' -f1)|" "$work/ref.txt" > "$work/ref1.txt"
		why="$why$(check "same file x$procs" "$db" "$work/ref1.txt")"
		if [ -n "$why" ]; then
			echo "concurrent: round $r, $procs ingests of one file:$why"
			fail=$((fail + 1))
		else
			passed=$((passed + 1))
		fi
		rm -f "$db" "$db".*
	done
	db=$work/sets-$r.db
	why=$(race "$db" "$work/sets/A" "$work/sets/B" "$work/sets/C" "$work/sets/D")
	why="$why$(check "folder sets" "$db" "$work/ref.txt")"
	if [ -n "$why" ]; then
		echo "concurrent: round $r, 4 ingests of overlapping folders:$why"
		fail=$((fail + 1))
	else
		passed=$((passed + 1))
	fi
	rm -f "$db" "$db".*
done
# A claim dies with its process: kill -9 an ingest once it has committed
# a batch; two concurrent ingests then complete the source once.
db=$work/killed.db
"$bin" ingest --batch 64 --db "$db" "$work/caps/f1.pcap" > /dev/null 2>&1 &
pid=$!
deadline=$(( $(date +%s) + 300 ))
until [ "$(sqlite3 -batch "$db" 'SELECT max(committed_frame) FROM sources' 2>/dev/null)" -gt 0 ] 2>/dev/null; do
	kill -0 "$pid" 2> /dev/null || break
	[ "$(date +%s)" -lt "$deadline" ] || break
	sleep 0.02
done
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
why=$(race "$db" "$work/caps/f1.pcap" "$work/caps/f1.pcap")
why="$why$(check "after kill -9" "$db" "$work/ref1.txt")"
grep -q "completing an interrupted ingest" "$work"/run1.err "$work"/run2.err ||
	echo "concurrent: (the killed ingest had finished before the kill; nothing to resume)"
if [ -n "$why" ]; then
	echo "concurrent: 2 ingests after a kill -9:$why"
	fail=$((fail + 1))
else
	passed=$((passed + 1))
fi

echo "concurrent: $rounds rounds in $(( $(date +%s) - t0 )) s: $passed passed, $fail failed"
[ "$fail" -eq 0 ]
