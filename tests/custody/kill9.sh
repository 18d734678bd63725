#!/bin/bash
# kill9.sh — kill -9 at random moments of ingest (docs/evidence.md, "Crash
# safety").
#
#   bash tests/custody/kill9.sh build/attrib
#
# Builds one capture of about 28 MB by concatenating the Ethernet captures
# of ../shared/pcaps/ndpi with `mergecap -F pcap -a` (without them, copies
# of the Ethernet captures of pcaps/samples), ingests it once without
# interruption as the reference, then per trial:
#   1. starts `attrib ingest --batch B1` (B1 drawn from 1024, 4096 and
#      65536) and kills it with SIGKILL after a random delay between
#      0 and 1.2 times the reference run's duration;
#   2. requires `PRAGMA integrity_check` = ok and `attrib verify` exit 0
#      (every 5th trial also tests/oracle/chain_verify.py), and a prefix:
#      while the source is partial, no flow ends and no observation lies
#      after sources.committed_frame, and the flows and observations, in
#      chain order, are the first ones of the reference run;
#   3. runs the same ingest again (batch B2, drawn independently): exit 0,
#      one source, complete, and flows, observations, anomaly counts and
#      the source row (all but chain columns and ingestion time) equal to
#      the reference run's, in the same order: no duplicate, no gap;
#      `attrib verify` exit 0.
# KILL9_TRIALS sets the number of trials (default 30), KILL9_SEED the seed,
# KILL9_KEEP=1 keeps the temporary folder.
# Prints "kill9: N passed, M failed" last.
set -u

# content TABLE DB: the table's evidence in chain order, without chain
# columns (and without the time of ingestion)
content() {
	local cols
	cols=$(sqlite3 -batch "$2" "SELECT group_concat(name) FROM pragma_table_info('$1')
		WHERE name NOT IN ('chain_seq','chain_hash','ingested_us')")
	sqlite3 -batch "$2" "SELECT $cols FROM $1 ORDER BY chain_seq, rowid"
}

# --- one trial (run in parallel by xargs) -----------------------------------
if [ "${1:-}" = "--trial" ]; then
	i=$2 delay=$3 b1=$4 b2=$5 oracle_too=$6
	d=$WORK/k$i
	mkdir -p "$d"
	db=$d/case.db
	why=""
	"$BIN" ingest --batch "$b1" --db "$db" "$BIG" > "$d/run1.out" 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -9 "$pid" 2> /dev/null
	{ wait "$pid"; } 2> /dev/null
	rc1=$?
	killed=$([ $rc1 -eq 137 ] && echo 1 || echo 0)
	state=none frame=0
	if [ -s "$db" ]; then
		ic=$(sqlite3 -batch "$db" 'PRAGMA integrity_check' 2>&1)
		[ "$ic" = ok ] || why="$why integrity_check: $ic;"
		if [ -n "$(sqlite3 -batch "$db" "SELECT 1 FROM sqlite_master WHERE name='sources'")" ]; then
			"$BIN" verify --db "$db" > "$d/v1.out" 2>&1 ||
				why="$why verify after the kill: exit $?;"
			if [ "$oracle_too" = 1 ]; then
				"$PY" -S "$ORACLE" -q "$db" > "$d/p1.out" 2>&1 ||
					why="$why chain_verify.py after the kill: exit $?;"
			fi
			set -- $(sqlite3 -batch "$db" "SELECT status, committed_frame FROM sources" | tr '|' ' ')
			state=${1:-none} frame=${2:-0}
			if [ "$state" = partial ]; then
				late=$(sqlite3 -batch "$db" "SELECT
					(SELECT count(*) FROM flows WHERE last_frame > $frame) +
					(SELECT count(*) FROM observations WHERE frame > $frame)")
				[ "$late" = 0 ] || why="$why $late records after committed frame $frame;"
			fi
			for t in flows observations; do
				content $t "$db" > "$d/$t"
				n=$(wc -l < "$d/$t")
				head -n "$n" "$REF/$t" | cmp -s - "$d/$t" ||
					why="$why $t not a prefix of the reference;"
			done
		fi
	fi
	"$BIN" ingest --batch "$b2" --db "$db" "$BIG" > "$d/run2.out" 2>&1 ||
		why="$why re-ingest: exit $?;"
	for t in flows observations anomalies sources; do
		content $t "$db" | cmp -s - "$REF/$t" ||
			why="$why $t differ from the reference after re-ingest;"
	done
	"$BIN" verify --db "$db" > "$d/v2.out" 2>&1 ||
		why="$why verify after re-ingest: exit $?;"
	if [ -z "$why" ]; then
		echo "$i pass killed=$killed delay=${delay}ms batch=$b1/$b2 $state frame=$frame"
		rm -rf "$d"
	else
		echo "$i FAIL killed=$killed delay=${delay}ms batch=$b1/$b2 $state frame=$frame:$why"
		tail -3 "$d"/*.out | sed 's/^/    /'
	fi
	exit 0
fi

bin=${1:?usage: kill9.sh ATTRIB}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $bin in /*) ;; *) bin=$root/$bin ;; esac
shared=${ATTRIB_PCAPS:-$root/../shared/pcaps/ndpi}
trials=${KILL9_TRIALS:-30}
seed=${KILL9_SEED:-9}
for tool in mergecap capinfos sqlite3 python3; do
	if ! command -v $tool > /dev/null; then
		echo "kill9: skipped ($tool is missing)"
		exit 0
	fi
done
# A kill -9 leaves the page cache intact, so the test may as well run in
# memory: /dev/shm when there is one (the syncs cost nothing there).
tmp=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
work=$(mktemp -d $tmp/attrib-kill9.XXXXXX)
# KILL9_KEEP=1 keeps the folder (with the cases of failed trials)
trap '[ -n "${KILL9_KEEP:-}" ] && echo "kill9: kept $work" || rm -rf "$work"' EXIT
t0=$(date +%s)

# --- the capture ----------------------------------------------------------------
ether() { capinfos -T -r -E "$@" 2>/dev/null | awk -F'\t' '$2 == "ether" { print $1 }'; }
if [ -d "$shared" ]; then
	ether "$shared"/* | sort | while read -r f; do
		total=$(( ${total:-0} + $(stat -c %s "$f") ))
		[ $total -gt 28000000 ] && break
		echo "$f"
	done > "$work/list"
else
	echo "kill9: no shared captures at $shared; repeating pcaps/samples"
	ether "$root"/pcaps/samples/*.pcap* > "$work/one"
	for n in $(seq 3000); do cat "$work/one"; done > "$work/list"
fi
big=$work/big.pcap
if ! xargs mergecap -F pcap -a -w "$big" < "$work/list" 2> "$work/mergecap.err"; then
	head -3 "$work/mergecap.err"
	echo "kill9: 0 passed, 1 failed (cannot build the capture)"
	exit 1
fi
packets=$(capinfos -c -M -T -r "$big" | cut -f2)

# --- the reference: one uninterrupted run ------------------------------------------
ref=$work/ref
mkdir -p "$ref"
s=$(date +%s%N)
"$bin" ingest --db "$ref/case.db" "$big" > "$ref/run.out" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - s) / 1000000 ))
if [ $rc -ne 0 ] || ! "$bin" verify --db "$ref/case.db" > "$ref/verify.out" 2>&1; then
	tail -3 "$ref/run.out" "$ref/verify.out"
	echo "kill9: 0 passed, 1 failed (the reference run failed)"
	exit 1
fi
for t in flows observations anomalies sources; do
	content $t "$ref/case.db" > "$ref/$t"
done
echo "kill9: $(( $(stat -c %s "$big") / 1000000 )) MB capture of $packets packets" \
     "($(wc -l < "$work/list") files); reference ingest ${ms} ms:" \
     "$(wc -l < "$ref/flows") flows, $(wc -l < "$ref/observations") observations"

# --- the trials ---------------------------------------------------------------------
export BIN=$bin BIG=$big REF=$ref WORK=$work ORACLE=$root/tests/oracle/chain_verify.py
PY=$(python3 -c 'import sys; print(sys.executable)')
export PY
awk -v n="$trials" -v ms="$ms" -v seed="$seed" 'BEGIN {
	srand(seed)
	split("1024 4096 65536", b, " ")
	for (i = 1; i <= n; i++)
		printf "%d %d %d %d %d\n", i, int(rand() * ms * 1.2),
		       b[1 + int(rand() * 3)], b[1 + int(rand() * 3)], i % 5 == 0
}' | xargs -P 2 -n 5 bash "$0" --trial > "$work/results"
grep -v '^[0-9]* pass' "$work/results" | head -40 | sed 's/^/kill9: /'
passed=$(grep -c '^[0-9]* pass' "$work/results")
failed=$(grep -c '^[0-9]* FAIL' "$work/results")
killed=$(grep -c 'killed=1' "$work/results")
partial=$(grep -c ' partial ' "$work/results")
complete=$(grep -c ' complete ' "$work/results")
early=$(grep -c ' none ' "$work/results")
echo "kill9: $trials trials: $killed ingests killed, $((trials - killed))" \
     "finished before the kill; found after it: $early without a source yet," \
     "$partial with the source partial, $complete with it complete;" \
     "$(( $(date +%s) - t0 )) s"
echo "kill9: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -eq "$trials" ]
