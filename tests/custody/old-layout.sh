#!/bin/bash
# old-layout.sh — cases made before schema version 4 (docs/evidence.md,
# "Cases made before schema version 4").
#
#   bash tests/custody/old-layout.sh build/attrib
#
# The case is made as attrib made it before version 4: the tables of
# analyze/evidence/schema_v3.sql (the layout those versions created, kept
# verbatim), marked with attrib's application id and user_version 3.
# Then:
#   a. ingests into it keep that layout (one observations table, chain
#      hashes as hex text, user_version and meta.schema_version 3), and
#      both verifiers say intact, also after a second ingest;
#   b. it holds the same evidence as a version-4 case of the same files
#      (tests/scale/compare.py: indicators, flows), one capture gives the
#      same chain entries in either layout, and summary, report and score
#      read it;
#   c. a changed observation, a changed cited packet and a redefined
#      observations table are caught by both verifiers;
#   d. merged into a new case, it gives a version-4 case with the same
#      evidence, which verifies intact; a version-4 case merged into an
#      old one is written in the old layout.
# Last line: "old-layout: N passed, M failed".
set -u
ATTRIB=$(realpath "${1:-build/attrib}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ORACLE=$ROOT/tests/oracle/chain_verify.py
SHARED=$ROOT/../shared/pcaps/ndpi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@" > "$T/check.out" 2>&1; then ok "$what"; else bad "$what"; sed 's/^/    /' "$T/check.out" | tail -5; fi; }
sql() { sqlite3 -batch "$1" "$2"; }
# intact DB: both verifiers say intact
intact() { "$ATTRIB" verify --db "$1" | grep -q '^verdict: intact' && python3 "$ORACLE" -q "$1" | grep -q 'intact'; }
# tampered DB: both verifiers say tampered (exit 1)
tampered() {
	"$ATTRIB" verify --db "$1" > "$T/v.out"; local a=$?
	python3 "$ORACLE" -q "$1" > "$T/o.out"; local o=$?
	[ $a = 1 ] && [ $o = 1 ] || { cat "$T/v.out" "$T/o.out"; return 1; }
}
old_layout() {
	[ "$(sql "$1" "SELECT type FROM sqlite_master WHERE name='observations'")" = table ] &&
	[ -z "$(sql "$1" "SELECT name FROM sqlite_master WHERE name IN ('observation_rows','packets','indicator_values','details')")" ] &&
	[ "$(sql "$1" 'PRAGMA user_version')" = 3 ] &&
	[ "$(sql "$1" "SELECT value FROM meta WHERE key='schema_version'")" = 3 ] &&
	[ "$(sql "$1" "SELECT count(*) FROM observations WHERE typeof(chain_hash) <> 'text' OR length(chain_hash) <> 64 OR length(packet_sha256) <> 64")" = 0 ] &&
	[ "$(sql "$1" "SELECT count(*) FROM flows WHERE typeof(chain_hash) <> 'text'")" = 0 ]
}

caps="$ROOT/pcaps/samples/dns.pcap $ROOT/pcaps/samples/http.pcapng $ROOT/pcaps/samples/ssh.pcap"
more=$ROOT/pcaps/samples/443-chrome.pcap
if [ -d "$SHARED" ]; then
	for f in google_ssl.pcap dns_doh.pcap; do
		[ -f "$SHARED/$f" ] && caps="$caps $SHARED/$f"
	done
fi
for f in $caps $more; do [ -f "$f" ] || { echo "old-layout: missing $f"; exit 2; }; done

# ---- the case, as made before version 4 ----
old=$T/old.db
{ cat "$ROOT/analyze/evidence/schema_v3.sql"
  echo "INSERT INTO meta VALUES('schema_version','3');"
  echo "PRAGMA application_id=1635021938; PRAGMA user_version=3;"
} | sqlite3 -batch "$old"

# ---- a. ingests keep the layout ----
"$ATTRIB" ingest --db "$old" $caps > "$T/ingest.out" 2>&1 || { cat "$T/ingest.out"; bad "ingest into the old case"; }
check "an ingest into the old case keeps its layout ($(sql "$old" 'SELECT count(*) FROM observations') observations)" old_layout "$old"
check "... and both verifiers say intact" intact "$old"
"$ATTRIB" ingest --db "$old" "$more" > /dev/null 2>&1
check "a second ingest keeps it too, intact" bash -c "$(declare -f sql old_layout intact); ATTRIB='$ATTRIB' ORACLE='$ORACLE'; old_layout '$old' && intact '$old'"

# ---- b. the same evidence as a version-4 case ----
new=$T/new.db
"$ATTRIB" ingest --db "$new" $caps "$more" > /dev/null 2>&1
check "a new case is of version 4" test "$(sql "$new" 'PRAGMA user_version')" = 4 \
	-a "$(sql "$new" "SELECT type FROM sqlite_master WHERE name='observations'")" = view
check "the old case holds the same indicators and flows as the new one" \
	python3 "$ROOT/tests/scale/compare.py" "$ATTRIB" "$old" "$new"
check "the same cited packets, read from either layout" test \
	"$(sql "$old" "SELECT DISTINCT source_id, frame, file_offset, caplen, packet_sha256 FROM observations ORDER BY 1, 3" | md5sum)" = \
	"$(sql "$new" "SELECT source_id, frame, file_offset, caplen, lower(hex(sha256)) FROM packets ORDER BY 1, 3" | md5sum)"
check "summary reads the old case" "$ATTRIB" summary --db "$old"
check "report reads the old case" "$ATTRIB" report --db "$old" --format json -o "$T/r.json"
check "score reads the old case" "$ATTRIB" score --db "$old" --models "$ROOT/models/lab" --json
check "... and it still verifies intact, in its layout" bash -c "$(declare -f sql old_layout intact); ATTRIB='$ATTRIB' ORACLE='$ORACLE'; old_layout '$old' && intact '$old'"

# the chain does not depend on the layout: one capture ingested into an
# old and a new case gives the same entries, hash for hash, up to the
# ingest's custody entry (which holds the time)
{ cat "$ROOT/analyze/evidence/schema_v3.sql"
  echo "INSERT INTO meta VALUES('schema_version','3');"
  echo "PRAGMA application_id=1635021938; PRAGMA user_version=3;"
} | sqlite3 -batch "$T/one-old.db"
"$ATTRIB" ingest --db "$T/one-old.db" "$ROOT/pcaps/samples/dns.pcap" > /dev/null 2>&1
"$ATTRIB" ingest --db "$T/one-new.db" "$ROOT/pcaps/samples/dns.pcap" > /dev/null 2>&1
entries() {
	sql "$1" "SELECT chain_seq, CASE typeof(chain_hash) WHEN 'blob' THEN lower(hex(chain_hash)) ELSE chain_hash END FROM (SELECT chain_seq, chain_hash FROM observations UNION ALL SELECT chain_seq, chain_hash FROM flows) ORDER BY chain_seq"
}
check "the same chain entries in both layouts ($(entries "$T/one-new.db" | wc -l) observations and flows)" \
	test -n "$(entries "$T/one-new.db")" -a "$(entries "$T/one-old.db")" = "$(entries "$T/one-new.db")"

# ---- c. tampering ----
cp "$old" "$T/t1.db"; cp "$old.head" "$T/t1.db.head"
sql "$T/t1.db" "UPDATE observations SET value = 'forged' WHERE id = 3"
check "a changed observation value is caught" tampered "$T/t1.db"
cp "$old" "$T/t2.db"; cp "$old.head" "$T/t2.db.head"
sql "$T/t2.db" "UPDATE observations SET packet_sha256 = replace(hex(zeroblob(32)), '00', 'ab') WHERE id = 5"
check "a changed packet hash is caught" tampered "$T/t2.db"
cp "$old" "$T/t3.db"; cp "$old.head" "$T/t3.db.head"
sql "$T/t3.db" "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(replace(replace(sql, ' kind ', ' x_x '), ' value ', ' kind '), ' x_x ', ' value ') WHERE name = 'observations'"
check "a redefined observations table (kind and value swapped) is caught" tampered "$T/t3.db"

# ---- d. merged into a new case ----
"$ATTRIB" merge --db "$T/m.db" "$old" > "$T/merge.out" 2>&1 || cat "$T/merge.out"
check "merged into a new case, it becomes a version-4 case" test \
	"$(sql "$T/m.db" "SELECT type FROM sqlite_master WHERE name='observations'")" = view
check "... which verifies intact" intact "$T/m.db"
check "... and holds the same evidence" python3 "$ROOT/tests/scale/compare.py" "$ATTRIB" "$T/m.db" "$new"

# and the other way: a version-4 case merged into an old one
{ cat "$ROOT/analyze/evidence/schema_v3.sql"
  echo "INSERT INTO meta VALUES('schema_version','3');"
  echo "PRAGMA application_id=1635021938; PRAGMA user_version=3;"
} | sqlite3 -batch "$T/m3.db"
"$ATTRIB" merge --db "$T/m3.db" "$new" > "$T/merge.out" 2>&1 || cat "$T/merge.out"
check "a version-4 case merged into an old one: the old layout, intact" bash -c "$(declare -f sql old_layout intact); ATTRIB='$ATTRIB' ORACLE='$ORACLE'; old_layout '$T/m3.db' && intact '$T/m3.db'"
check "... with the same evidence" python3 "$ROOT/tests/scale/compare.py" "$ATTRIB" "$T/m3.db" "$new"

echo "old-layout: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
