# lib.sh — what the tests/hostile scripts share: a tally, checks, a
# private scratch folder and a small scored case to work on.
#
#   NAME=... . "$(dirname "$0")/lib.sh"   (then BIN, WORK, ROOT are set)
# Every command a test runs goes through `timeout`, so a hang fails that
# check instead of stopping the suite.
set -u
BIN=${1:?usage: $0 ATTRIB}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0
# A generous deadline: a hang is minutes, a busy machine seconds.
LIMIT=${HOSTILE_TIMEOUT:-60}

ok() { pass=$((pass + 1)); echo "$NAME: ok: $*"; }
bad() { fail=$((fail + 1)); echo "$NAME: FAIL: $*"; }
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
finish() { echo "$NAME: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

# run ARGS...: runs attrib under the deadline; $rc, $WORK/out, $WORK/err.
run() {
	timeout -k 5 "$LIMIT" "$BIN" "$@" > "$WORK/out" 2> "$WORK/err" < /dev/null
	rc=$?
}
# expect RC LINES DESCRIPTION: the last run() exited RC with exactly LINES
# lines on standard error.
expect() {
	local lines
	lines=$(wc -l < "$WORK/err")
	if [ "$rc" -eq "$1" ] && [ "$lines" -eq "$2" ]; then
		ok "$3 (exit $rc, $lines line(s) on stderr)"
	else
		bad "$3: exit $rc (want $1), $lines line(s) on stderr (want $2): $(head -c 400 "$WORK/err")"
	fi
}

# make_case DB: a small case, ingested and scored.
make_case() {
	"$BIN" ingest --db "$1" "$ROOT/pcaps/lab/beacon-300s.pcap" > /dev/null 2>&1 &&
		"$BIN" score --db "$1" --models "$ROOT/models/lab/actors.yaml" > /dev/null 2>&1
}
