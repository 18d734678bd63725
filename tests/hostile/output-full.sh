#!/bin/bash
# output-full.sh — every command checks every write (README, "Exit
# codes"): with standard output on a full device each command that
# writes there exits 3, and its last line on standard error, the only one
# about standard output, says so ("attrib: standard output: cannot write:
# No space left on device"); with standard error on a full device a
# command that writes there exits 3 (it cannot say why).
#
#   bash tests/hostile/output-full.sh build/attrib
NAME=output-full
. "$(dirname "$0")/lib.sh"

full=$WORK/full
mknod "$full" c 1 7 2> /dev/null || full=/dev/full
db=$WORK/case.db
make_case "$db" || { bad "could not make the case"; finish; exit 1; }
models=$ROOT/models/lab/actors.yaml
cap=$ROOT/pcaps/samples/dns.pcap
n=0

# try NAME ARGS...: runs ARGS (@DB@ is a fresh case path, for commands
# that make one) with stdout on /dev/null, on the full device, and with
# stderr on the full device.
try() {
	local what=$1 normal_rc normal_lines lines last
	shift
	n=$((n + 1))
	timeout -k 5 "$LIMIT" "$BIN" "${@//@DB@/$WORK/fresh-$n-a.db}" \
		> "$WORK/normal" 2> "$WORK/err" < /dev/null
	normal_rc=$? normal_lines=$(wc -l < "$WORK/err")
	timeout -k 5 "$LIMIT" "$BIN" "${@//@DB@/$WORK/fresh-$n-b.db}" \
		> "$full" 2> "$WORK/err" < /dev/null
	rc=$?
	lines=$(wc -l < "$WORK/err")
	last=$(tail -1 "$WORK/err")
	if [ ! -s "$WORK/normal" ]; then
		# nothing on stdout: a full stdout changes nothing
		check "$what, stdout full but unused: exit $normal_rc as usual" \
			[ "$rc" -eq "$normal_rc" -a "$lines" -eq "$normal_lines" ]
	elif [ "$rc" -eq 3 ] && [ "$lines" -le $((normal_lines + 1)) ] &&
		[ "$(grep -c 'standard output' "$WORK/err")" -eq 1 ] &&
		case $last in "attrib: standard output: "*) true ;; *) false ;; esac; then
		ok "$what, stdout full: exit 3, the last line on stderr: $last"
	else
		bad "$what, stdout full: exit $rc (want 3), $lines lines on stderr (at most $((normal_lines + 1))), the last one the error: $(tail -c 300 "$WORK/err")"
	fi
	[ "$normal_lines" -gt 0 ] || return 0
	timeout -k 5 "$LIMIT" "$BIN" "${@//@DB@/$WORK/fresh-$n-c.db}" \
		> /dev/null 2> "$full" < /dev/null
	rc=$?
	check "$what, stderr full: exit 3 (exit $rc)" [ "$rc" -eq 3 ]
}

try "attrib --help" --help
try "attrib --version" --version
# every command attrib --help lists, so a new one is not forgotten
cmds=$("$BIN" --help | awk '/^  attrib / { print $2 }')
check "attrib --help lists the commands ($(echo $cmds))" [ "$(echo "$cmds" | wc -w)" -ge 8 ]
for c in $cmds; do
	try "attrib $c --help" "$c" --help
done
try "ingest" ingest --db @DB@ "$cap"
try "verify" verify --db "$db"
try "summary" summary --db "$db"
try "indicators" indicators --db "$db"
try "indicators --json" indicators --db "$db" --json
try "indicators --kind" indicators --db "$db" --kind ip.dst
try "score" score --db "$db" --models "$models"
try "score --json" score --db "$db" --models "$models" --json
try "report -o FILE" report --db "$db" -o "$WORK/r.md"
try "report -o -" report --db "$db" --format md -o -
try "analyze --db" analyze --db @DB@ --models "$models" -o "$WORK/a.md" "$cap"
"$BIN" ingest --db "$WORK/shard1.db" "$cap" > /dev/null 2>&1
"$BIN" ingest --db "$WORK/shard2.db" "$ROOT/pcaps/samples/ssh.pcap" > /dev/null 2>&1
try "merge" merge --db @DB@ "$WORK/shard1.db" "$WORK/shard2.db"
try "ingest --shard --list" ingest --db @DB@ --shard 1/2 --list "$ROOT/pcaps/samples"
mkdir "$WORK/tmp"
TMPDIR=$WORK/tmp try "analyze (temporary case, --keep)" analyze --keep --models "$models" -o "$WORK/k.md" "$cap"

# capture: a private network namespace, its loopback, one second.
if [ "$(id -u)" -eq 0 ] && unshare -n true 2> /dev/null; then
	cdir=$(mktemp -d)
	chmod 755 "$cdir"
	mkdir "$cdir/case" && chown nobody "$cdir/case"
	capture() {
		timeout -k 5 "$LIMIT" unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
			"$BIN" capture --db "$cdir/case/$1.db" -i lo --duration 1
	}
	capture a > /dev/null 2> "$WORK/err"
	normal=$(wc -l < "$WORK/err")
	capture b > "$full" 2> "$WORK/err"
	rc=$?
	lines=$(wc -l < "$WORK/err")
	if [ "$rc" -eq 3 ] && [ "$lines" -eq $((normal + 1)) ] &&
		tail -1 "$WORK/err" | grep -q '^attrib: standard output: '; then
		ok "capture, stdout full: exit 3, one line more than usual (the error)"
	else
		bad "capture, stdout full: exit $rc, $lines lines (want $((normal + 1))): $(tail -c 300 "$WORK/err")"
	fi
	capture c > /dev/null 2> "$full"
	rc=$?
	check "capture, stderr full: exit 3 (exit $rc)" [ "$rc" -eq 3 ]
	rm -rf "$cdir"
else
	echo "$NAME: capture skipped (needs root and unshare -n)"
fi
finish
