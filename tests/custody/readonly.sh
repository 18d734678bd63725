#!/bin/bash
# readonly.sh — cases that cannot be written, and databases that are not
# cases (docs/evidence.md, "Opening a case").
#   a. another program's SQLite database (other tables; an application id
#      that is not attrib's; a WAL database) given as --db to ingest,
#      verify, summary, indicators, score, report and analyze: exit 2
#      naming it, and the file byte-identical (sha256sum before/after),
#      no journal left beside it;
#   b. a case made before attrib set its application id (id 0) still
#      opens; summary leaves it as it is, and the first write (verify's
#      custody entry) sets the id and the schema version;
#   c. a read-only case — file, folder or both immutable (chattr +i, as
#      root, where permission bits do not stop root), and another user's
#      case (as nobody, via setpriv, when run as root): verify exits 0
#      "intact" with a note that no custody entry could be recorded, the
#      case byte-identical; summary, indicators and report work (report
#      and score say that nothing was recorded), score --json prints the
#      run without storing it; ingest refuses with exit 2.
# usage: readonly.sh ATTRIB
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
	chattr -R -i "$work" 2> /dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail=0; checks=0
cap=$root/pcaps/samples/dns.pcap
# the models as another user reads them: a copy in the (world-readable)
# work folder, wherever the project itself lies
models=$work/models
cp -R "$root/models/lab" "$models"
chmod -R a+rX "$models"

bad() { echo "readonly: $*"; fail=$((fail + 1)); }
# run WANT_RC LABEL command...: output in $work/out, $work/err
run() {
	local want=$1 label=$2; shift 2
	checks=$((checks + 1))
	timeout 120 "$@" > "$work/out" 2> "$work/err"
	local rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$label: exit $rc, expected $want"
		sed 's/^/    /' "$work/err" | head -5
		return 1
	fi
	return 0
}

# --- a. foreign databases -----------------------------------------------------
f=$work/foreign
mkdir "$f"
sqlite3 "$f/app.sqlite" "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);
	CREATE TABLE meta(k, v); INSERT INTO users VALUES(1, 'alice');"
sqlite3 "$f/id.sqlite" "PRAGMA application_id=1234; CREATE TABLE t(x);"
sqlite3 "$f/wal.sqlite" "PRAGMA journal_mode=WAL; CREATE TABLE notes(x); INSERT INTO notes VALUES(1);" > /dev/null
sqlite3 "$f/idonly.sqlite" "PRAGMA application_id=99; PRAGMA user_version=3;"
for db in "$f"/*.sqlite; do
	before=$(sha256sum "$db" | cut -d' ' -f1)
	files_before=$(ls "$f" | wc -l)
	name=$(basename "$db")
	run 2 "$name: ingest" "$bin" ingest --db "$db" "$cap" &&
		{ grep -q "not an attrib case" "$work/err" || bad "$name: ingest does not say it is not a case"; }
	run 2 "$name: verify" "$bin" verify --db "$db" &&
		{ grep -q "not an attrib case" "$work/err" || bad "$name: verify does not say it is not a case"; }
	run 2 "$name: summary" "$bin" summary --db "$db"
	run 2 "$name: indicators" "$bin" indicators --db "$db"
	run 2 "$name: score" "$bin" score --db "$db" --models "$models"
	run 2 "$name: report" "$bin" report --db "$db" --format json -o "$work/r.json"
	run 2 "$name: analyze" "$bin" analyze --db "$db" --models "$models" -o "$work/r.md" "$cap"
	checks=$((checks + 1))
	[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$before" ] || bad "$name: changed"
	[ "$(ls "$f" | wc -l)" = "$files_before" ] || bad "$name: files appeared beside it: $(ls "$f")"
done

# --- b. a case without the application id (as made before it existed) --------
l=$work/legacy
mkdir "$l"
"$bin" ingest --db "$l/c.db" "$cap" > /dev/null 2>&1
checks=$((checks + 1))
[ "$(sqlite3 "$l/c.db" 'PRAGMA application_id')" = 1635021938 ] || bad "a new case lacks the application id"
[ "$(sqlite3 "$l/c.db" 'PRAGMA user_version')" = 4 ] || bad "a new case lacks the schema version (4)"
[ "$(sqlite3 "$l/c.db" "SELECT value FROM meta WHERE key='schema_version'")" = 4 ] || bad "a new case lacks meta.schema_version 4"
sqlite3 "$l/c.db" "PRAGMA application_id=0; PRAGMA user_version=0"
before=$(sha256sum "$l/c.db" | cut -d' ' -f1)
run 0 "legacy case: summary" "$bin" summary --db "$l/c.db"
checks=$((checks + 1))
[ "$(sha256sum "$l/c.db" | cut -d' ' -f1)" = "$before" ] || bad "legacy case: summary changed it"
run 0 "legacy case: verify" "$bin" verify --db "$l/c.db"
checks=$((checks + 1))
[ "$(sqlite3 "$l/c.db" 'PRAGMA application_id')" = 1635021938 ] || bad "legacy case: the first write did not set the id"

# --- c. read-only cases ---------------------------------------------------------
# readonly_case LABEL DIR [RUNAS...]: DIR/c.db is a case that cannot be written
readonly_case() {
	local label=$1 dir=$2; shift 2
	local db=$dir/c.db before files_before
	before=$(sha256sum "$db" | cut -d' ' -f1)
	files_before=$(ls -a "$dir" | grep -v -e '-wal$' -e '-shm$' | wc -l)
	if run 0 "$label: verify" "$@" "$bin" verify --db "$db"; then
		grep -q "^verdict: intact" "$work/out" || bad "$label: verify is not intact"
		grep -q "^custody: no entry recorded: the case is read-only" "$work/out" ||
			bad "$label: verify does not note that nothing was recorded"
	fi
	run 0 "$label: summary" "$@" "$bin" summary --db "$db"
	run 0 "$label: indicators" "$@" "$bin" indicators --db "$db" --json
	if run 0 "$label: score --json" "$@" "$bin" score --db "$db" --models "$models" --json; then
		grep -q "not stored" "$work/err" || bad "$label: score does not say the run is not stored"
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out" 2> /dev/null ||
			bad "$label: score --json printed no JSON document"
	fi
	if run 0 "$label: report" "$@" "$bin" report --db "$db" --format json -o - ; then
		grep -q "no custody entry is recorded" "$work/err" || bad "$label: report does not say nothing was recorded"
	fi
	run 2 "$label: ingest" "$@" "$bin" ingest --db "$db" "$cap"
	checks=$((checks + 1))
	[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$before" ] || bad "$label: the case changed"
	# (SQLite's -wal and -shm files may appear when the folder is writable)
	[ "$(ls -a "$dir" | grep -v -e '-wal$' -e '-shm$' | wc -l)" = "$files_before" ] ||
		bad "$label: files appeared beside it"
}

mkcase() {
	mkdir -p "$1"
	chmod 755 "$1"
	"$bin" ingest --db "$1/c.db" "$cap" > /dev/null 2>&1 || bad "cannot make the case $1"
	"$bin" score --db "$1/c.db" --models "$models" > /dev/null 2>&1 || bad "cannot score the case $1"
}

if [ "$(id -u)" = 0 ]; then
	mkcase "$work/ifile"; mkcase "$work/idir"; mkcase "$work/iboth"
	if chattr +i "$work/ifile/c.db" 2> /dev/null; then
		readonly_case "immutable file (root)" "$work/ifile"
		chattr +i "$work/idir"
		readonly_case "immutable folder (root)" "$work/idir"
		chattr +i "$work/iboth/c.db" "$work/iboth"
		readonly_case "immutable file and folder (root)" "$work/iboth"
		chattr -R -i "$work"
	else
		echo "readonly: chattr +i not available here; immutable cases not tested"
	fi
	if command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
		mkcase "$work/other"
		chmod 644 "$work/other/c.db" "$work/other/c.db.head"
		nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
		readonly_case "another user's case (as nobody)" "$work/other" $nobody
		chmod 555 "$work/other"; chmod 644 "$work/other/c.db"
	fi
else
	mkcase "$work/pfile"; chmod a-w "$work/pfile/c.db"
	readonly_case "read-only file" "$work/pfile"
	mkcase "$work/pdir"; chmod a-w "$work/pdir"
	readonly_case "read-only folder" "$work/pdir"
	chmod u+w "$work/pdir"
fi

echo "readonly: $checks checks, $fail failed"
[ "$fail" -eq 0 ]
