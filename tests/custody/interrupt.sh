#!/bin/bash
# interrupt.sh — Ctrl-C (SIGINT) and SIGTERM during `attrib ingest`: the
# run commits what it read, records an `ingest-interrupted` custody entry,
# says what was kept and that the same command resumes, and exits 130;
# the case verifies intact with the source partial; running the same
# command again completes it, and the evidence equals that of one
# uninterrupted run (no duplicate, no gap).
# The signal is sent mid-file: once the case shows a committed batch
# (polled with a generous deadline, never a fixed sleep).
# usage: interrupt.sh ATTRIB
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${ATTRIB_PCAPS:-$root/../shared/pcaps/ndpi}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

content() {
	local cols
	cols=$(sqlite3 -batch "$2" "SELECT group_concat(name) FROM pragma_table_info('$1')
		WHERE name NOT IN ('chain_seq','chain_hash','ingested_us')")
	sqlite3 -batch "$2" "SELECT $cols FROM $1 ORDER BY chain_seq, rowid"
}

# a capture of some 12 MB: Ethernet captures appended one after another
ether() { capinfos -T -r -E "$@" 2>/dev/null | awk -F'\t' '$2 == "ether" { print $1 }'; }
if [ -d "$shared" ]; then
	ether "$shared"/* | sort | while read -r f; do
		total=$(( ${total:-0} + $(stat -c %s "$f") ))
		[ $total -gt 12000000 ] && break
		echo "$f"
	done > "$work/list"
else
	ether "$root"/pcaps/samples/*.pcap* > "$work/one"
	for n in $(seq 1500); do cat "$work/one"; done > "$work/list"
fi
big=$work/big.pcap
xargs mergecap -F pcap -a -w "$big" < "$work/list" ||
	{ echo "interrupt: cannot build the capture"; exit 1; }

"$bin" ingest --db "$work/ref.db" "$big" > /dev/null 2>&1 ||
	{ echo "interrupt: the reference run failed"; exit 1; }

for sig in INT TERM; do
	db=$work/$sig.db
	"$bin" ingest --batch 512 --db "$db" "$big" > "$work/$sig.out" 2> "$work/$sig.err" &
	pid=$!
	# wait (up to 300 s) for the first committed batch, then signal
	deadline=$(( $(date +%s) + 300 ))
	until [ "$(sqlite3 -batch "$db" 'SELECT max(committed_frame) FROM sources' 2>/dev/null)" -gt 0 ] 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || break
		[ "$(date +%s)" -lt "$deadline" ] || break
		sleep 0.05
	done
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	why=""
	[ "$rc" = 130 ] || why="$why exit $rc, not 130;"
	grep -q "interrupted by SIG$sig: .*frames 1-[0-9]* committed (source 1, partial).*run the same command again to resume" "$work/$sig.err" ||
		why="$why no word of what was kept;"
	[ "$(sqlite3 -batch "$db" "SELECT count(*) FROM custody WHERE action='ingest-interrupted' AND detail LIKE '%stopped by SIG$sig%'")" = 1 ] ||
		why="$why no ingest-interrupted custody entry;"
	[ "$(sqlite3 -batch "$db" "SELECT status FROM sources")" = partial ] ||
		why="$why source not partial;"
	"$bin" verify --db "$db" > "$work/$sig.v1" 2>&1 || why="$why verify after the signal: exit $?;"
	"$bin" ingest --db "$db" "$big" > "$work/$sig.out2" 2> "$work/$sig.err2" ||
		why="$why rerun: exit $?;"
	grep -q "completing an interrupted ingest" "$work/$sig.err2" || why="$why rerun did not resume;"
	for t in sources flows observations anomalies; do
		if [ "$t" = sources ]; then a=$(content $t "$db" | cut -d'|' -f3-); b=$(content $t "$work/ref.db" | cut -d'|' -f3-)
		else a=$(content $t "$db"); b=$(content $t "$work/ref.db"); fi
		[ "$a" = "$b" ] || why="$why $t differ from an uninterrupted run;"
	done
	"$bin" verify --db "$db" > "$work/$sig.v2" 2>&1 || why="$why verify after the rerun: exit $?;"
	if [ -n "$why" ]; then
		echo "interrupt: SIG$sig:$why"; sed 's/^/    /' "$work/$sig.err"
		fail=$((fail + 1))
	else
		echo "interrupt: SIG$sig: exit 130, $(grep -o 'frames 1-[0-9]* committed' "$work/$sig.err"), resumed and equal to one run"
	fi
done
[ "$fail" -eq 0 ]
