#!/bin/bash
# inputs.sh — no file argument but a capture can hang a command or make
# it read without end (docs/models.md, "Files"; README, "Exit codes"):
# a FIFO with no writer, a character device that never ends (a private
# zero node), a folder holding such a thing, a NUL-filled prefix table —
# as a model file (YAML, STIX), a prefix table named by a model, a head
# file (--head) or a case database (--db) — each gives exit 2 and one
# line naming the file, within the deadline, and the FIFO or device is
# left as it is. `score --head /no/such/dir/h` is an input error too.
#
#   bash tests/hostile/inputs.sh build/attrib
NAME=inputs
. "$(dirname "$0")/lib.sh"
LIMIT=${HOSTILE_TIMEOUT:-30}

db=$WORK/case.db
make_case "$db" || { bad "could not make the case"; finish; exit 1; }
models=$ROOT/models/lab/actors.yaml
h=$WORK/hostile
mkdir "$h"
mkfifo "$h/fifo" "$h/fifo.yaml" "$h/fifo.json"
if mknod "$h/zero" c 1 5 2> /dev/null; then zero=$h/zero; else zero=/dev/zero; fi
ln -s "$zero" "$h/zero.yaml"
ln -s "$zero" "$h/zero.json"
mkdir "$h/folder" && ln -s ../fifo "$h/folder/a.yaml"
head -c 4096 /dev/zero > "$h/nul.csv"
# a copy of the lab model whose prefix table is PATH
with_prefixes() {
	sed "s|^prefixes: .*|prefixes: $1|" "$models" > "$2"
}
with_prefixes "$h/fifo" "$h/prefix-fifo.yaml"
with_prefixes "$zero" "$h/prefix-zero.yaml"
with_prefixes "$h/nul.csv" "$h/prefix-nul.yaml"

# refused WHAT NAMED ARGS...: exit 2, one line naming NAMED.
refused() {
	local what=$1 named=$2
	shift 2
	run "$@"
	if [ "$rc" -eq 2 ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
		grep -qF "$named" "$WORK/err"; then
		ok "$what: exit 2: $(cat "$WORK/err")"
	else
		bad "$what: exit $rc (want 2; 124 is the deadline), want one line naming $named: $(head -c 300 "$WORK/err")"
	fi
}

refused "model file a FIFO (YAML)" "$h/fifo.yaml" score --db "$db" --models "$h/fifo.yaml"
refused "model file a FIFO (STIX)" "$h/fifo.json" score --db "$db" --models "$h/fifo.json"
refused "model file the zero device (YAML)" "$h/zero.yaml" score --db "$db" --models "$h/zero.yaml"
refused "model file the zero device (STIX)" "$h/zero.json" score --db "$db" --models "$h/zero.json"
refused "model folder holding a FIFO" "$h/folder/a.yaml" score --db "$db" --models "$h/folder"
refused "prefix table a FIFO" "$h/fifo" score --db "$db" --models "$h/prefix-fifo.yaml"
refused "prefix table the zero device" "$zero" score --db "$db" --models "$h/prefix-zero.yaml"
refused "prefix table of NUL bytes" "$h/nul.csv" score --db "$db" --models "$h/prefix-nul.yaml"
refused "analyze with a FIFO model" "$h/fifo.yaml" analyze --models "$h/fifo.yaml" -o "$WORK/a.md" "$ROOT/pcaps/samples/dns.pcap"

for c in score verify report ingest; do
	case $c in
	score) extra=(--models "$models") ;;
	report) extra=(-o "$WORK/r.md") ;;
	ingest) extra=("$ROOT/pcaps/samples/dns.pcap") ;;
	*) extra=() ;;
	esac
	refused "$c --head a FIFO" "$h/fifo" "$c" --db "$db" --head "$h/fifo" "${extra[@]}"
	refused "$c --head the zero device" "$zero" "$c" --db "$db" --head "$zero" "${extra[@]}"
	refused "$c --db a FIFO" "$h/fifo" "$c" --db "$h/fifo" "${extra[@]}"
	refused "$c --db the zero device" "$zero" "$c" --db "$zero" "${extra[@]}"
done
refused "merge --head a FIFO" "$h/fifo" merge --db "$WORK/m.db" --head "$h/fifo" "$db"
refused "merge --head the zero device" "$zero" merge --db "$WORK/m.db" --head "$zero" "$db"
refused "merge --db a FIFO" "$h/fifo" merge --db "$h/fifo" "$db"
refused "merge of a FIFO" "$h/fifo" merge --db "$WORK/m.db" "$h/fifo"
for c in summary indicators; do
	refused "$c --db a FIFO" "$h/fifo" "$c" --db "$h/fifo"
done
check "the FIFO is still a FIFO" [ -p "$h/fifo" ]
check "the zero device is still a character device" [ -c "$zero" ]
check "no case was made by a refused ingest" [ ! -e "$h/fifo.head" ]

# item 9: a head file in a folder that does not exist is the user's error
refused "score --head /no/such/dir/h" "/no/such/dir/h" score --db "$db" --models "$models" --head /no/such/dir/h
refused "ingest --head /no/such/dir/h" "/no/such/dir/h" ingest --db "$WORK/new.db" --head /no/such/dir/h "$ROOT/pcaps/samples/dns.pcap"
check "ingest with a bad --head made no case" [ ! -e "$WORK/new.db" ]
finish
