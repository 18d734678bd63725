#!/bin/bash
# tamper.sh — tamper tests of the evidence chain (docs/evidence.md).
#
#   bash tests/custody/tamper.sh build/attrib
#
# Builds a case by ingesting real captures (pcaps/samples/ and, when
# ../shared/pcaps/ndpi is there, DNS, TLS, HTTP, malformed DNS and a
# capture of a few hundred flows and anomalies; all copied into a
# temporary folder so that the case's source files can be changed), then
# tampers with fresh copies of
# it and requires `attrib verify` to say TAMPERED (exit 1) — and the
# independent verifier tests/oracle/chain_verify.py to agree — for:
#   a. an UPDATE of every field of a row of every chained table holding
#      rows, and a change of storage class only (text to blob);
#   b. a DELETE of a row of each table, of the first and of the last entry;
#   c. an INSERT of a forged row into each table: without chain columns,
#      with a made-up chain_seq/chain_hash, with a reused chain_seq, and
#      appended with a correctly computed entry (caught by the head file);
#   d. reordering: two rows' chain entries swapped, chain_seq only swapped,
#      contents swapped, entries swapped across tables;
#   e. a truncated chain (the last 1, 3, 10 entries deleted), also with
#      meta made to match (caught by the head file only);
#   f. random byte flips in the database file (TAMPER_FLIPS, default 400):
#      each trial is classified by a `sqlite3 .dump` of the chained tables
#      (and the head in meta; white space inside a table definition does
#      not count) as content changed, no content change, or
#      database unreadable; every content-changing flip must be detected,
#      and no trial may crash verify (exit 3 or a signal);
#   g. a changed byte in a source capture (and in a cited packet, once
#      cases hold observations); a missing source file is reported only;
#   h. the perfect forger: a row changed and the whole chain recomputed
#      with chain_verify.py's encoder — caught by the head file, and (the
#      documented limit) not without it;
#   i. a redefined table (two column names swapped, a column renamed) and a
#      forged head file.
# Documented limits are asserted as such (verify says intact).
# The last line is "tamper: N passed, M failed". TAMPER_SEED seeds the
# random choices (default 4242); TAMPER_KEEP=1 keeps the temporary folder.
set -u

# canon_dump: a .dump of the chained tables as the byte flips compare it:
# index definitions left out, each CREATE TABLE on one line with its runs
# of white space made one space (a space turned into a newline there
# changes the text, not the table), sorted.
canon_dump() {
	LC_ALL=C awk '
		/^CREATE (UNIQUE )?INDEX/ { next }
		/^CREATE TABLE/ { ct = ""; in_ct = 1 }
		in_ct {
			ct = ct " " $0
			if ($0 ~ /\);$/) {
				gsub(/[ \t\r]+/, " ", ct); print ct; in_ct = 0
			}
			next
		}
		{ print }
		END { if (in_ct) print ct }' | LC_ALL=C sort
}

# --- one byte-flip trial (run in parallel by xargs, see part f) -----------
if [ "${1:-}" = "--flip" ]; then
	i=$2 off=$3 mask=$4
	d=$FLIPDIR/$i
	mkdir -p "$d"
	cp "$BASE" "$d/c.db"
	cp "$BASE.head" "$d/c.db.head"
	old=$(od -An -tu1 -j "$off" -N1 "$d/c.db" | tr -d ' ')
	new=$(( old ^ mask ))
	printf "\\$(printf %03o "$new")" |
		dd of="$d/c.db" bs=1 seek="$off" conv=notrunc status=none
	# What the flip did to the content, before anything else opens it.
	cp "$d/c.db" "$d/dump.db"
	if sqlite3 -batch "$d/dump.db" "$DUMPCMD" "$METACMD" > "$d/dump" 2>&1
	then
		if cmp -s <(canon_dump < "$d/dump") "$FLIPREF"
		then class=same; else class=changed; fi
	elif grep -qaiE 'not a database|malformed database schema|unsupported file format' "$d/dump"; then
		class=unreadable
	else
		class=changed
	fi
	"$PY" -S "$ORACLE" -q "$d/c.db" > "$d/py" 2>&1
	rp=$?
	timeout 300 "$BIN" verify --db "$d/c.db" > "$d/out" 2> "$d/err"
	ra=$?
	echo "$i $off $mask $class $ra $rp"
	if [ "$class" = changed ] && [ $ra -ne 1 ]; then
		cp "$d/c.db" "$FLIPDIR/missed-$i.db"
	fi
	rm -rf "$d"
	exit 0
fi

bin=${1:?usage: tamper.sh ATTRIB}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $bin in /*) ;; *) bin=$root/$bin ;; esac
shared=${ATTRIB_PCAPS:-$root/../shared/pcaps/ndpi}
flips=${TAMPER_FLIPS:-400}
seed=${TAMPER_SEED:-4242}
RANDOM=$seed
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -z "$py" ] || ! command -v sqlite3 >/dev/null; then
	echo "tamper: skipped (needs python3 and sqlite3)"
	exit 0
fi
oracle=$root/tests/oracle/chain_verify.py
# in memory when possible: nothing here needs a disk, and syncs are free
tmp=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
work=$(mktemp -d $tmp/attrib-tamper.XXXXXX)
# TAMPER_KEEP=1 keeps the folder (with the databases of undetected flips)
trap '[ -n "${TAMPER_KEEP:-}" ] && echo "tamper: kept $work" || rm -rf "$work"' EXIT
T=$work/t
R=$work/results
mkdir -p "$T" "$R" "$work/caps"
passed=0
failed=0
t0=$(date +%s)

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "tamper: FAIL $*"
}

# --- the case -------------------------------------------------------------
for f in "$root"/pcaps/samples/*.pcap "$root"/pcaps/samples/*.pcapng; do
	cp "$f" "$work/caps/"
done
if [ -d "$shared" ]; then
	# DNS, TLS, HTTP, malformed DNS, a few hundred flows with anomalies
	for f in dns_doh.pcap google_ssl.pcap http_auth.pcap malformed_dns.pcap \
		 fuzz-2006-06-26-2594.pcap; do
		[ -f "$shared/$f" ] && cp "$shared/$f" "$work/caps/"
	done
else
	echo "tamper: no shared captures at $shared; using pcaps/samples only"
fi
chmod u+w "$work"/caps/*
base=$work/base.db
if ! "$bin" ingest --db "$base" "$work"/caps/* > "$work/ingest.out" 2>&1 ||
   ! "$bin" verify --db "$base" > "$work/verify.out" 2>&1; then
	sed 's/^/    /' "$work/ingest.out" "$work/verify.out" | tail -20
	echo "tamper: 0 passed, 1 failed (cannot build the case)"
	exit 1
fi
sqlite3 "$base" 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null
q() { sqlite3 -batch "$base" "$1"; }
tables=""
# the chained tables of the case's layout: a case made by this version
# holds its observations in packets, indicator_values, details and
# observation_rows; one made before schema version 4 in observations
chained="sources anomalies flows observations custody"
[ -n "$(q "SELECT 1 FROM sqlite_master WHERE name = 'observation_rows'")" ] &&
	chained="sources anomalies flows packets indicator_values details observation_rows custody"
for t in $chained; do
	[ "$(q "SELECT count(*) FROM $t")" -gt 0 ] && tables="$tables $t"
done
# ... of which these carry chain entries (packets, indicator_values and
# details do not: the entries of the observations that refer to them
# hold what they say)
ctables=""
for t in $tables; do
	[ -n "$(q "SELECT 1 FROM pragma_table_info('$t') WHERE name = 'chain_seq'")" ] &&
		ctables="$ctables $t"
done
# want_changed TABLE COLUMN: the text verify gives when the column of a
# row is changed: "was changed", or nothing particular for what ties an
# observation to the rows it refers to (changed, the observation no
# longer reads as it did or names a row that is not there)
want_changed() {
	case " $ctables " in *" $1 "*) ;; *) [ "$2" = id ] && return ;; esac
	case $1.$2 in observation_rows.packet_id|observation_rows.value_id|\
		observation_rows.detail_id) return ;; esac
	echo "was changed"
}
echo "tamper: case of $(ls "$work/caps" | wc -l) captures:" \
     "$(for t in $tables; do printf '%s %s, ' "$(q "SELECT count(*) FROM $t")" "$t"; done)" \
     "$(q "SELECT max(value) FROM meta WHERE key='chain_seq'") chain entries"
[ -n "$(q 'SELECT 1 FROM observations LIMIT 1')" ] ||
	echo "tamper: the case holds no observations yet: their tables are skipped"

# fresh NAME: a copy of the case (and its head file) as $T/NAME.db
fresh() {
	cp "$base" "$T/$1.db"
	cp "$base.head" "$T/$1.db.head"
}
# sq NAME SQL: tampers with the copy
sq() {
	if ! sqlite3 -batch "$T/$1.db" "$2" > "$T/$1.sql" 2>&1; then
		echo "tamper: $1: SQL failed: $2: $(head -2 "$T/$1.sql")"
		return 1
	fi
}
# check NAME WANT [TEXT]: both verifiers on copy NAME must exit WANT (1
# tampered, 0 intact); TEXT must appear in attrib verify's output. Runs in
# the background, two at a time; the result goes to $R/NAME.
check() {
	( check_now "$@" ) &
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
}
check_now() {
	local name=$1 want=$2 text=${3:-} rp ra
	"$py" -S "$oracle" -q "$T/$name.db" > "$T/$name.py" 2>&1
	rp=$?
	"$bin" verify --db "$T/$name.db" > "$T/$name.out" 2> "$T/$name.err"
	ra=$?
	if [ $ra -eq "$want" ] && [ $rp -eq "$want" ] &&
	   { [ -z "$text" ] || grep -qF -- "$text" "$T/$name.out"; }; then
		echo pass > "$R/$name"
	else
		{
		echo "tamper: FAIL $name: verify exit $ra, chain_verify.py exit $rp, want $want${text:+ with '$text'}"
		grep -h 'verdict\|head file\|sources:' "$T/$name.out" | sed 's/^/    attrib: /'
		tail -1 "$T/$name.py" | sed 's/^/    oracle: /'
		} > "$R/$name"
	fi
	rm -f "$T/$name".*
}
# row TABLE: the rowid of a random row
row() {
	local n
	n=$(q "SELECT count(*) FROM $1")
	q "SELECT rowid FROM $1 ORDER BY rowid LIMIT 1 OFFSET $((RANDOM % n))"
}
cols() { q "SELECT name FROM pragma_table_info('$1') WHERE name NOT IN ('chain_seq','chain_hash')"; }
pkcols() { q "SELECT name FROM pragma_table_info('$1') WHERE pk > 0"; }
joined() { cols "$1" | paste -sd, -; }

# --- baseline -------------------------------------------------------------
fresh intact
check intact 0 "verdict: intact"

# --- a. UPDATE of every field, and of the storage class only -------------
for t in $tables; do
	r=$(row "$t")
	for c in $(cols "$t"); do
		fresh "upd-$t-$c"
		sq "upd-$t-$c" "UPDATE $t SET $c = CASE WHEN $c IS NULL THEN 'forged'
			WHEN typeof($c) = 'integer' THEN -$c - 1 ELSE $c || 'x' END
			WHERE rowid = $r" || { fail "upd-$t-$c"; continue; }
		check "upd-$t-$c" 1 "$(want_changed "$t" "$c")"
	done
	for c in $(q "SELECT min(name) FROM pragma_table_info('$t') WHERE pk = 0
			AND type <> 'BLOB'
			AND name NOT IN ('chain_seq','chain_hash') GROUP BY type"); do
		fresh "blob-$t-$c"
		sq "blob-$t-$c" "UPDATE $t SET $c = CAST($c AS BLOB) WHERE rowid = $r
			AND $c IS NOT NULL" || { fail "blob-$t-$c"; continue; }
		if [ "$(sqlite3 "$T/blob-$t-$c.db" "SELECT typeof($c) FROM $t WHERE rowid = $r")" = blob ]; then
			check "blob-$t-$c" 1 "$(want_changed "$t" "$c")"
		else
			rm -f "$T/blob-$t-$c".*
		fi
	done
done

# --- b. DELETE ------------------------------------------------------------
for t in $tables; do
	fresh "del-$t"
	sq "del-$t" "DELETE FROM $t WHERE rowid = $(row "$t")"
	check "del-$t" 1
done
maxseq=$(q "SELECT max(value) FROM meta WHERE key='chain_seq'")
for s in 1 "$maxseq"; do
	fresh "del-entry-$s"
	for t in $ctables; do
		sq "del-entry-$s" "DELETE FROM $t WHERE chain_seq = $s"
	done
	check "del-entry-$s" 1
done

# --- c. INSERT of forged rows ---------------------------------------------
# forged_select TABLE: SELECT of a copy of a row, made unique
forged_select() {
	local t=$1 r sel=""
	r=$(row "$t")
	for c in $(cols "$t"); do
		case $t.$c in
		anomalies.name) v="name || '_forged'" ;;
		indicator_values.value) v="value || '_forged'" ;;
		details.text) v="text || '_forged'" ;;
		packets.file_offset) v="file_offset + 1000000007" ;;
		*.id) v="(SELECT max(id) + 1 FROM $t)" ;;
		*) v=$c ;;
		esac
		sel="$sel${sel:+, }$v"
	done
	echo "SELECT $sel FROM $t WHERE rowid = $r"
}
for t in $tables; do
	fresh "ins-$t"
	sq "ins-$t" "INSERT INTO $t($(joined "$t")) $(forged_select "$t")"
	check "ins-$t" 1 "not in the chain"
	case " $ctables " in *" $t "*) ;; *) continue ;; esac
	fresh "ins-seq-$t"
	sq "ins-seq-$t" "INSERT INTO $t($(joined "$t"), chain_seq, chain_hash)
		SELECT *, $((maxseq + 1)), lower(hex(randomblob(32)))
		FROM ($(forged_select "$t"))"
	check "ins-seq-$t" 1
	fresh "ins-dup-$t"
	sq "ins-dup-$t" "INSERT INTO $t($(joined "$t"), chain_seq, chain_hash)
		SELECT f.*, o.chain_seq, o.chain_hash FROM ($(forged_select "$t")) f,
		(SELECT chain_seq, chain_hash FROM $t WHERE chain_seq IS NOT NULL
		 ORDER BY chain_seq LIMIT 1) o"
	check "ins-dup-$t" 1 "reuses chain entry"
	# appended with a correct entry and meta updated: only the head file
	# can tell
	fresh "ins-app-$t"
	sq "ins-app-$t" "INSERT INTO $t($(joined "$t"), chain_seq)
		SELECT *, $((maxseq + 1)) FROM ($(forged_select "$t"))"
	"$py" -S "$oracle" --rechain "$T/ins-app-$t.db" > /dev/null
	check "ins-app-$t" 1 "chain entries after the head file's entry"
done
# A forged partial source with nothing chained under it reads like an
# ingest killed at its first packet: documented limit, reported as
# unfinished.
fresh ins-partial
sq ins-partial "INSERT INTO sources($(joined sources))
	SELECT * FROM ($(forged_select sources |
		sed "s/sha256/NULL/; s/status/'partial'/"))"
check ins-partial 0 "unfinished 1"

# --- d. reordering ----------------------------------------------------------
# swap NAME T1 R1 T2 R2 COLUMNS: swaps those columns of two rows
swap() {
	local n=$1 t1=$2 r1=$3 t2=$4 r2=$5 cs=$6 sel
	sel=$(echo "$cs" | tr ',' '\n' | sed 's/.*/"&"/' | paste -sd, -)
	# (unique indexes are no part of the chain: a forger drops them)
	sq "$n" "DROP INDEX IF EXISTS indicator_values_kv;
		DROP INDEX IF EXISTS packets_at;
		DROP INDEX IF EXISTS details_text;
		CREATE TEMP TABLE a AS SELECT $sel FROM $t1 WHERE rowid = $r1;
		CREATE TEMP TABLE b AS SELECT $sel FROM $t2 WHERE rowid = $r2;
		UPDATE $t1 SET ($cs) = (SELECT * FROM b) WHERE rowid = $r1;
		UPDATE $t2 SET ($cs) = (SELECT * FROM a) WHERE rowid = $r2;"
}
for t in $tables; do
	[ "$(q "SELECT count(*) FROM $t")" -ge 2 ] || continue
	r1=$(q "SELECT rowid FROM $t ORDER BY rowid LIMIT 1")
	r2=$(q "SELECT rowid FROM $t ORDER BY rowid DESC LIMIT 1")
	case " $ctables " in *" $t "*)
		fresh "swap-entries-$t"
		swap "swap-entries-$t" "$t" "$r1" "$t" "$r2" chain_seq,chain_hash
		check "swap-entries-$t" 1
		fresh "swap-seq-$t"
		swap "swap-seq-$t" "$t" "$r1" "$t" "$r2" chain_seq
		check "swap-seq-$t" 1
	esac
	content=$(q "SELECT group_concat(name) FROM pragma_table_info('$t')
		WHERE pk = 0 AND name NOT IN ('id','chain_seq','chain_hash')")
	fresh "swap-content-$t"
	swap "swap-content-$t" "$t" "$r1" "$t" "$r2" "$content"
	check "swap-content-$t" 1 "was changed"
done
set -- $tables
if [ $# -ge 2 ]; then
	fresh swap-across
	swap swap-across "$1" "$(row "$1")" "$2" "$(row "$2")" chain_seq,chain_hash
	check swap-across 1
fi

# --- e. truncation ----------------------------------------------------------
for n in 1 3 10; do
	keep=$((maxseq - n))
	fresh "trunc-$n"
	for t in $ctables; do
		sq "trunc-$n" "DELETE FROM $t WHERE chain_seq > $keep"
	done
	check "trunc-$n" 1
	# and meta made to match: only the head file can tell
	fresh "trunc-meta-$n"
	for t in $ctables; do
		sq "trunc-meta-$n" "DELETE FROM $t WHERE chain_seq > $keep"
	done
	# (and the packets, values and details only those entries cited)
	case $chained in *observation_rows*)
		sq "trunc-meta-$n" "DELETE FROM packets WHERE id NOT IN
				(SELECT packet_id FROM observation_rows);
			DELETE FROM indicator_values WHERE id NOT IN
				(SELECT value_id FROM observation_rows);
			DELETE FROM details WHERE id NOT IN (SELECT detail_id
				FROM observation_rows WHERE detail_id IS NOT NULL)"
	esac
	h=$(for t in $ctables; do sqlite3 "$T/trunc-meta-$n.db" "SELECT CASE typeof(chain_hash)
		WHEN 'blob' THEN lower(hex(chain_hash)) ELSE chain_hash END FROM $t WHERE chain_seq = $keep"; done)
	sq "trunc-meta-$n" "UPDATE meta SET value = '$keep' WHERE key = 'chain_seq';
		UPDATE meta SET value = '$h' WHERE key = 'chain_head'"
	check "trunc-meta-$n" 1 "chain truncated"
done

# --- g. source captures -------------------------------------------------------
wait # the checks above read the captures
src=$(q "SELECT path FROM sources WHERE status = 'complete' ORDER BY size DESC LIMIT 1")
sid=$(q "SELECT id FROM sources WHERE path = '$src'")
cp "$src" "$work/saved.pcap"
size=$(stat -c %s "$src")
off=$(( (RANDOM * 32768 + RANDOM) % size ))
old=$(od -An -tu1 -j "$off" -N1 "$src" | tr -d ' ')
printf "\\$(printf %03o $(( old ^ (1 + RANDOM % 255) )))" |
	dd of="$src" bs=1 seek="$off" conv=notrunc status=none
fresh capture-byte
check capture-byte 1 "source $sid $src"
wait
cp "$work/saved.pcap" "$src"
if [ -n "$(q 'SELECT 1 FROM observations LIMIT 1')" ]; then
	set -- $(q "SELECT o.file_offset, o.caplen, s.path, s.format FROM observations o
		JOIN sources s ON s.id = o.source_id WHERE s.status = 'complete'
		ORDER BY o.id LIMIT 1 OFFSET $((RANDOM % 10))" | tr '|' ' ')
	if [ $# -eq 4 ]; then
		hdr=16
		[ "$4" = pcapng ] && hdr=28
		cp "$3" "$work/saved.pcap"
		p=$(( $1 + hdr + RANDOM % $2 ))
		old=$(od -An -tu1 -j "$p" -N1 "$3" | tr -d ' ')
		printf "\\$(printf %03o $(( old ^ 0x20 )))" |
			dd of="$3" bs=1 seek="$p" conv=notrunc status=none
		fresh packet-byte
		check packet-byte 1 "wrong 1"
		wait
		cp "$work/saved.pcap" "$3"
	fi
else
	echo "tamper: no observations: the cited-packet check is skipped"
fi
# a missing source file cannot be checked: reported, not a failure
mv "$src" "$work/saved.pcap"
fresh capture-missing
check capture-missing 0 "missing 1"
wait
mv "$work/saved.pcap" "$src"

# --- h. the perfect forger -----------------------------------------------------
# the chained table with most rows that has a text column, and its first
# one
big=$(for t in $ctables; do
	[ -n "$(q "SELECT 1 FROM pragma_table_info('$t') WHERE type = 'TEXT' AND
		pk = 0 AND name <> 'chain_hash'")" ] &&
	echo "$(q "SELECT count(*) FROM $t") $t"; done |
	sort -n | tail -1 | cut -d' ' -f2)
c=$(q "SELECT name FROM pragma_table_info('$big') WHERE type = 'TEXT' AND
	pk = 0 AND name <> 'chain_hash' LIMIT 1")
fresh forger
sq forger "UPDATE $big SET $c = 'forged: 203.0.113.66' WHERE rowid = $(row "$big")"
"$py" -S "$oracle" --rechain "$T/forger.db" > /dev/null
cp "$T/forger.db" "$T/forger-nohead.db"
check forger 1 "chain rewritten"
# without the head file the rewrite cannot be seen (docs/evidence.md)
check forger-nohead 0 "checked against itself only"
fresh forger-del
sq forger-del "DELETE FROM $big WHERE rowid = $(row "$big")"
"$py" -S "$oracle" --rechain "$T/forger-del.db" > /dev/null
check forger-del 1 "chain truncated"

# --- i. table definitions and the head file -------------------------------------
fresh redefine
sq redefine "PRAGMA writable_schema = ON;
	UPDATE sqlite_master SET sql = replace(replace(replace(sql, ' client ', ' x_x '),
		' server ', ' client '), ' x_x ', ' server ') WHERE name = 'flows';"
check redefine 1 "not defined as attrib defines it"
# a column renamed: what is read by column name can no longer be read
fresh rename
sq rename "PRAGMA writable_schema = ON;
	UPDATE sqlite_master SET sql = replace(sql, ' frame ', ' frAme_ ')
		WHERE name = '$(case $chained in *packets*) echo packets ;; *) echo observations ;; esac)';"
check rename 1 "not defined as attrib defines it"
# the view that gives a version-4 case's observations, redefined to show
# each observation's value as its kind and the other way round
case $chained in *observation_rows*)
	fresh redefine-view
	sq redefine-view "PRAGMA writable_schema = ON;
		UPDATE sqlite_master SET sql = replace(replace(sql, 'v.kind AS kind',
			'v.value AS kind'), 'v.value AS value', 'v.kind AS value')
			WHERE name = 'observations';"
	check redefine-view 1 "not defined as attrib defines it"
esac
fresh head-forged
sed -i "s/^hash .*/hash $(printf '%064d' 7)/" "$T/head-forged.db.head"
check head-forged 1 "chain rewritten"
fresh head-garbage
echo "not a head file" > "$T/head-garbage.db.head"
check head-garbage 1 "not an attrib head file"

wait
for r in "$R"/*; do
	if [ "$(cat "$r")" = pass ]; then pass; else
		failed=$((failed + 1)); cat "$r"; fi
done
echo "tamper: $passed checks of parts a-e, g-i done"

# --- f. random byte flips -------------------------------------------------------
export BIN=$bin PY=$py ORACLE=$oracle BASE=$base FLIPDIR=$work/flips
export DUMPCMD=".dump $chained"
export METACMD="SELECT key, value FROM meta WHERE key IN ('chain_seq','chain_head')"
export FLIPREF=$work/flip.ref
mkdir -p "$FLIPDIR"
sqlite3 -batch "$base" "$DUMPCMD" "$METACMD" | canon_dump > "$FLIPREF"
size=$(stat -c %s "$base")
awk -v n="$flips" -v size="$size" -v seed="$seed" 'BEGIN {
	srand(seed)
	for (i = 1; i <= n; i++)
		printf "%d %d %d\n", i, int(rand() * size), 1 + int(rand() * 255)
}' | xargs -P 2 -n 3 bash "$0" --flip > "$work/flips.txt"
# columns: trial offset mask class attrib-exit oracle-exit
read -r n changed det same same_det unread crash disagree <<EOF
$(awk '{ n++
	if ($4 == "changed") { ch++; if ($5 == 1) det++ }
	if ($4 == "same") { sa++; if ($5 == 1) sd++ }
	if ($4 == "unreadable") un++
	if ($5 >= 3 || $5 < 0) cr++
	if ($5 <= 1 && $6 <= 1 && $5 != $6) dis++ }
	END { printf "%d %d %d %d %d %d %d %d\n", n, ch, det, sa, sd, un, cr, dis }' "$work/flips.txt")
EOF
echo "tamper: byte flips: $n trials in a $size-byte database; $changed changed" \
     "content, $det of them detected; $same changed no content ($same_det" \
     "of those still flagged, e.g. by the integrity check); $unread left" \
     "the database unreadable; $crash crashes; $disagree disagreements" \
     "between the verifiers"
if [ "$n" -ne "$flips" ]; then fail "flips: only $n of $flips trials ran"; else pass; fi
if [ "$det" -ne "$changed" ]; then
	fail "flips: $((changed - det)) content-changing flips not detected:"
	awk '$4 == "changed" && $5 != 1 { print "    trial " $1 " offset " $2 " xor " $3 " exit " $5 }' "$work/flips.txt"
else pass; fi
if [ "$crash" -ne 0 ]; then
	fail "flips: $crash trials crashed verify"
	awk '$5 >= 3 { print "    trial " $1 " offset " $2 " xor " $3 " exit " $5 }' "$work/flips.txt"
else pass; fi
if [ "$disagree" -ne 0 ]; then
	fail "flips: the verifiers disagree on $disagree trials"
	awk '$5 <= 1 && $6 <= 1 && $5 != $6 { print "    trial " $1 " offset " $2 " xor " $3 " attrib " $5 " oracle " $6 }' "$work/flips.txt"
else pass; fi

echo "tamper: $(( $(date +%s) - t0 )) s"
echo "tamper: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
