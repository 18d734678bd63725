#!/bin/bash
# merge.sh — shards and `attrib merge` (docs/scale-out.md).
#
#   bash tests/scale/merge.sh build/attrib [build/gen/scenario]
#
#   a. `ingest --shard K/N --list`: the N shards partition the files of a
#      folder; adding files moves none of the others;
#   b. a beacon cut in two by time (tests/scale/split-beacon.scn, editcap)
#      and ingested by two shards: no beacon in either shard, the beacon
#      in the merged case, as in one ingest of both halves;
#   c. custody: a tampered shard is refused (exit 1, named), an unfinished
#      one too (exit 2, named), and nothing is written; one row edited in
#      the merged case is caught by verify (and by chain_verify.py); the
#      merged case verifies intact, also with --shard-dir, which catches a
#      shard changed after the merge; a shard whose capture file changed
#      is refused, but merged with --chain-only (which reads no capture);
#   d. a source in two shards is kept once, with both ingest custody
#      lines; merging a shard again changes nothing; merging into an
#      existing case adds to it (two merges = one merge of both);
#   e. property: over MERGE_SPLITS (default 3) random splits of a corpus
#      of shared captures (and the split beacon) into 2-4 shards, the
#      merged case equals one ingest of the same files
#      (tests/scale/compare.py: indicators, flows, score hypotheses) and
#      verifies intact;
#   f. examples/parallel/ingest-ssh.sh run by GNU parallel on this host
#      (-S :), its merged case equal to one ingest;
#   g. shards that cannot be written (file and folder immutable as root,
#      write permission removed otherwise): merged all the same, equal to
#      one ingest, and left byte-identical.
# Every command is logged ("+ ..."). Last line: "merge: N passed, M failed".
set -u
ATTRIB=$(realpath "${1:-build/attrib}")
GEN=$(realpath "${2:-build/gen/scenario}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/pcaps/ndpi}
SPLITS=${MERGE_SPLITS:-3}
export TZ=UTC
pass=0 fail=0
T=$(mktemp -d)
trap 'chattr -R -i "$T" 2> /dev/null; chmod -R u+w "$T"; rm -rf "$T"' EXIT

run() { echo "+ $*" >&2; "$@"; }
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
sql() { sqlite3 "$1" "$2"; }
beacons() { "$ATTRIB" indicators --db "$1" --kind beacon --json | grep -c '"beacon"'; }
head_of() { sed -n 's/^hash //p' "$1.head"; }

[ -x "$ATTRIB" ] && [ -x "$GEN" ] || { echo "merge: need $ATTRIB and $GEN"; exit 2; }
[ -d "$CORPUS" ] || { echo "merge: no corpus at $CORPUS"; exit 2; }

# ---- a. shards partition a folder; adding files moves none ----
mkdir -p "$T/corpus/sub"
i=0
for f in $(ls -S "$CORPUS"/*.pcap | tail -40); do
	i=$((i + 1))
	if [ $((i % 3)) = 0 ]; then cp "$f" "$T/corpus/sub/"; else cp "$f" "$T/corpus/"; fi
done
for k in 0 1 2 3; do run "$ATTRIB" ingest --shard $k/4 --list "$T/corpus" > "$T/list.$k"; done
check "4 shards partition the 40 files" \
	test "$(cat "$T"/list.[0-3] | sort | uniq | wc -l)" = 40 -a "$(cat "$T"/list.[0-3] | wc -l)" = 40
for f in $(ls -S "$CORPUS"/*.pcap | tail -60 | head -20); do cp "$f" "$T/corpus/sub/new-$(basename "$f")"; done
moved=0
for k in 0 1 2 3; do
	run "$ATTRIB" ingest --shard $k/4 --list "$T/corpus" > "$T/after.$k"
	moved=$((moved + $(grep -v /new- "$T/after.$k" | sort | comm -3 - <(sort "$T/list.$k") | wc -l)))
done
check "adding 20 files moves none of the 40 others (moved $moved)" test "$moved" = 0
one=$(ls "$T/corpus"/*.pcap | head -1)
for k in 0 1 2; do run "$ATTRIB" ingest --db "$T/empty-$k.db" --shard $k/3 "$one" > /dev/null 2>&1; done
check "a shard that takes no file writes no case (2 of 3 for one file)" \
	test "$(ls "$T"/empty-*.db 2>/dev/null | wc -l)" = 1
check "--shard 4/4 is refused" bash -c "! '$ATTRIB' ingest --shard 4/4 --list '$T/corpus' 2>/dev/null"

# ---- b. a beacon spread over two shards ----
run "$GEN" -o "$T/beacon.pcap" "$HERE/split-beacon.scn" > /dev/null
run editcap -B "2024-03-04 04:30:00" "$T/beacon.pcap" "$T/beacon-1.pcap"
run editcap -A "2024-03-04 04:30:00" "$T/beacon.pcap" "$T/beacon-2.pcap"
run "$ATTRIB" ingest --db "$T/s1.db" "$T/beacon-1.pcap" > /dev/null
run "$ATTRIB" ingest --db "$T/s2.db" "$T/beacon-2.pcap" > /dev/null
run "$ATTRIB" ingest --db "$T/one.db" "$T/beacon-1.pcap" "$T/beacon-2.pcap" > /dev/null
check "no beacon in shard 1" test "$(beacons "$T/s1.db")" = 0
check "no beacon in shard 2" test "$(beacons "$T/s2.db")" = 0
run "$ATTRIB" merge --db "$T/m.db" "$T/s1.db" "$T/s2.db"
check "the beacon is found in the merged case" test "$(beacons "$T/m.db")" = 1
"$ATTRIB" indicators --db "$T/m.db" --kind beacon
check "merged = one ingest of both halves" python3 "$HERE/compare.py" "$ATTRIB" "$T/one.db" "$T/m.db" --models "$ROOT/models/lab"
check "one merge custody entry per shard" test "$(sql "$T/m.db" "SELECT count(*) FROM custody WHERE action='merge'")" = 2
h1=$(head_of "$T/s1.db")
check "the merge entry names the shard's path, head and source SHA-256" \
	test "$(sql "$T/m.db" "SELECT count(*) FROM custody WHERE action='merge' AND detail LIKE 'shard-head % $h1; shard-sources ' || (SELECT sha256 FROM sources WHERE path LIKE '%beacon-1.pcap') || '%; shard $T/s1.db'")" = 1

# ---- c. custody ----
cp "$T/s1.db" "$T/bad.db"; cp "$T/s1.db.head" "$T/bad.db.head"
run sqlite3 "$T/bad.db" "UPDATE indicator_values SET value='198.51.100.66' WHERE id=(SELECT value_id FROM observation_rows WHERE id=2)"
run "$ATTRIB" merge --db "$T/x.db" "$T/s2.db" "$T/bad.db" 2> "$T/err"; rc=$?
cat "$T/err"
check "a tampered shard is refused (exit 1, named)" test $rc = 1 -a -n "$(grep "bad.db: refused: TAMPERED" "$T/err")"
check "... and nothing is written" test ! -e "$T/x.db"
run "$ATTRIB" merge --chain-only --db "$T/x.db" "$T/s2.db" "$T/bad.db" 2> "$T/err"; rc=$?
check "... also with --chain-only (exit 1, nothing written)" test $rc = 1 -a ! -e "$T/x.db"
cp "$T/beacon-1.pcap" "$T/beacon-1.pcap.orig"
printf 'x' | dd of="$T/beacon-1.pcap" bs=1 seek=100 conv=notrunc status=none
run "$ATTRIB" merge --db "$T/x.db" "$T/s1.db" 2> "$T/err"; rc=$?
cat "$T/err"
check "a shard whose capture file changed is refused (exit 1)" test $rc = 1 -a ! -e "$T/x.db"
run "$ATTRIB" merge --chain-only --db "$T/x.db" "$T/s1.db" > /dev/null; rc=$?
check "... but merged with --chain-only, which reads no capture" test $rc = 0
mv "$T/beacon-1.pcap.orig" "$T/beacon-1.pcap"
rm -f "$T"/x.db*
cp "$T/s1.db" "$T/partial.db"; cp "$T/s1.db.head" "$T/partial.db.head"
run sqlite3 "$T/partial.db" "INSERT INTO sources(id,path,size,format,linktype,linktype_name,status,first_flow_id,tool_version,pcap_version,ndpi_version,clock_note,ingested_us) VALUES(2,'/x.pcap',100,'pcap',1,'EN10MB','partial',2000000001,'0','0','0','',0)"
run "$ATTRIB" merge --db "$T/x.db" "$T/partial.db" 2> "$T/err"; rc=$?
cat "$T/err"
check "an unfinished shard is refused (exit 2, named)" test $rc = 2 -a -n "$(grep "partial.db: refused: unfinished" "$T/err")"
mv "$T/s2.db.head" "$T/s2.db.head.away"
run "$ATTRIB" merge --db "$T/x.db" "$T/s2.db" 2> "$T/err"; rc=$?
mv "$T/s2.db.head.away" "$T/s2.db.head"
check "a shard without its head file is refused (exit 2)" test $rc = 2 -a ! -e "$T/x.db"
run "$ATTRIB" verify --db "$T/m.db" > "$T/out"; rc=$?
check "the merged case verifies intact" test $rc = 0
check "... and chain_verify.py, written from docs/evidence.md alone, agrees" \
	python3 "$ROOT/tests/oracle/chain_verify.py" "$T/m.db"
mkdir -p "$T/shards"; cp "$T"/s[12].db* "$T/shards/"
run "$ATTRIB" verify --db "$T/m.db" --shard-dir "$T/shards" > "$T/out"; rc=$?
grep shard "$T/out"
check "verify --shard-dir: every shard head matches" test $rc = 0 -a "$(grep -c 'shard .*: head matches' "$T/out")" = 2
run sqlite3 "$T/shards/s2.db" "UPDATE flows SET packets_c2s=packets_c2s+1 WHERE rowid=1"
run "$ATTRIB" verify --db "$T/m.db" --shard-dir "$T/shards" > "$T/out"; rc=$?
grep -i shard "$T/out"
check "verify --shard-dir: a shard changed after the merge is caught" test $rc = 1
cp "$T/m.db" "$T/edit.db"; cp "$T/m.db.head" "$T/edit.db.head"
run sqlite3 "$T/edit.db" "UPDATE packets SET frame=frame+1 WHERE id=(SELECT packet_id FROM observation_rows WHERE id=(SELECT max(id) FROM observations WHERE kind='tls.sni'))"
run "$ATTRIB" verify --db "$T/edit.db" > "$T/out"; rc=$?
tail -1 "$T/out"
check "one row edited in the merged case: verify says tampered" test $rc = 1
check "... and so does chain_verify.py" bash -c "! python3 '$ROOT/tests/oracle/chain_verify.py' '$T/edit.db' > /dev/null"

# ---- d. duplicates, idempotence, merging into an existing case ----
before=$(head_of "$T/m.db")
run "$ATTRIB" merge --db "$T/m.db" "$T/s1.db" "$T/s2.db"
check "merging the same shards again changes nothing" test "$(head_of "$T/m.db")" = "$before"
files=($(ls -S "$T/corpus"/*.pcap | tail -3))
run "$ATTRIB" ingest --db "$T/d1.db" "${files[0]}" "${files[1]}" > /dev/null
run "$ATTRIB" ingest --db "$T/d2.db" "${files[0]}" "${files[2]}" > /dev/null
run "$ATTRIB" merge --db "$T/d.db" "$T/d1.db" "$T/d2.db"
sha=$(sha256sum "${files[0]}" | cut -c1-64)
check "a source in two shards is kept once" test "$(sql "$T/d.db" "SELECT count(*) FROM sources WHERE sha256='$sha'")" = 1
check "... with both ingest custody lines" test "$(sql "$T/d.db" "SELECT count(*) FROM custody WHERE action='ingest' AND detail LIKE '%sha256 $sha%'")" = 2
run "$ATTRIB" ingest --db "$T/d3.db" "${files[@]}" > /dev/null
check "... and the case equals one ingest of the three files" python3 "$HERE/compare.py" "$ATTRIB" "$T/d3.db" "$T/d.db"
run "$ATTRIB" merge --db "$T/step.db" "$T/s1.db" > /dev/null
run "$ATTRIB" merge --db "$T/step.db" "$T/s2.db" > /dev/null
check "merging into an existing case adds to it (= one merge of both)" \
	python3 "$HERE/compare.py" "$ATTRIB" "$T/m.db" "$T/step.db"

# ---- e. property: merge of shards = one ingest, over random splits ----
mkdir -p "$T/prop"
ls -S "$CORPUS"/*.pcap | tail -120 | awk 'NR % 5 == 0' | head -20 | xargs -I{} cp {} "$T/prop/"
cp "$T/beacon-1.pcap" "$T/beacon-2.pcap" "$T/prop/"
run "$ATTRIB" ingest --db "$T/prop-one.db" "$T/prop" > /dev/null
for seed in $(seq 1 "$SPLITS"); do
	rm -rf "$T/split" && mkdir -p "$T/split"
	n=$((2 + seed % 3))
	RANDOM=$seed
	for f in "$T"/prop/*.pcap; do
		k=$((RANDOM % n)); mkdir -p "$T/split/$k"; cp "$f" "$T/split/$k/"
	done
	shards=()
	for dir in "$T"/split/*/; do
		k=$(basename "$dir")
		run "$ATTRIB" ingest --db "$T/split/shard$k.db" "$dir" > /dev/null
		shards+=("$T/split/shard$k.db")
	done
	run "$ATTRIB" merge --db "$T/split/merged.db" "${shards[@]}" > /dev/null
	check "split $seed ($n shards): merged = one ingest" \
		python3 "$HERE/compare.py" "$ATTRIB" "$T/prop-one.db" "$T/split/merged.db" --models "$ROOT/models/lab"
	run "$ATTRIB" verify --db "$T/split/merged.db" > /dev/null
	check "split $seed: merged case verifies intact" test $? = 0
done

# ---- f. GNU parallel: the example, on this host (-S :) ----
# (not the fuzzed captures: attrib verify calls a case of
# fuzz-2021-10-13.pcap tampered as soon as it is made, so merge refuses it)
mkdir -p "$T/parcorpus"
find "$T/corpus" -maxdepth 1 -name '*.pcap' ! -name '*fuzz*' -exec cp {} "$T/parcorpus/" \;
if command -v parallel > /dev/null; then
	HOSTS=: SHARDS=3 CAPTURES="$T/parcorpus" CASES="$T/par" ATTRIB="$ATTRIB" \
		run bash "$ROOT/examples/parallel/ingest-ssh.sh" > "$T/par.out" 2>&1
	rc=$?
	tail -3 "$T/par.out"
	check "examples/parallel/ingest-ssh.sh (3 shards on this host) runs" test $rc = 0
	run "$ATTRIB" ingest --db "$T/par-one.db" "$T/parcorpus" > /dev/null
	check "... and its merged case equals one ingest" \
		python3 "$HERE/compare.py" "$ATTRIB" "$T/par-one.db" "$T/par/case.db"
else
	bad "GNU parallel is not installed (.ci/deps)"
fi

# ---- g. read-only shards ----
mkdir -p "$T/ro/1" "$T/ro/2"
for k in 1 2; do
	run "$ATTRIB" ingest --db "$T/ro/$k/shard.db" --shard "$((k - 1))/2" "$T/parcorpus" > /dev/null
done
[ -f "$T/par-one.db" ] || run "$ATTRIB" ingest --db "$T/par-one.db" "$T/parcorpus" > /dev/null
sums_before=$(cat "$T"/ro/[12]/* | sha256sum)
if [ "$(id -u)" = 0 ] && chattr +i "$T"/ro/[12]/* "$T/ro/1" "$T/ro/2" 2> /dev/null; then
	how="immutable"
else
	chmod a-w "$T"/ro/[12]/* "$T/ro/1" "$T/ro/2"
	how="without write permission"
fi
run "$ATTRIB" merge --db "$T/ro/merged.db" "$T/ro/1/shard.db" "$T/ro/2/shard.db" > /dev/null
check "g. shards $how merge (exit 0)" test $? = 0
check "... the merged case equals one ingest" \
	python3 "$HERE/compare.py" "$ATTRIB" "$T/par-one.db" "$T/ro/merged.db"
check "... and the shards are byte-identical" test "$(cat "$T"/ro/[12]/* | sha256sum)" = "$sums_before"

echo "merge: $pass passed, $fail failed"
[ "$fail" = 0 ]
