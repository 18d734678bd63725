#!/bin/bash
# rotate.sh — rotation of the preserved files by time and by size
# (docs/capture.md).
#
#   bash tests/live/rotate.sh build/attrib
#
# tcpreplay sends the sample captures in a loop; attrib captures with
#   --rotate-s 1      (about 3.5 s of traffic: at least 3 files), and
#   --rotate-mb 0.05  (files of at most 50,000 bytes; one packet larger
#                      than that would get a file of its own).
# For each: every file is a complete, chained source with its own frame
# numbers, size and SHA-256 and a capture-file custody entry with
# libpcap's counters; the files together hold the packets sent, in order;
# `attrib verify` is intact; and a fresh case made by `attrib ingest` of
# the files gives the same observations and flows as the capture.
set -u
. "$(dirname "$0")/lib.sh"
live_init rotate "${1:?usage: rotate.sh ATTRIB}"

python3 "$ROOT/tests/live/packets.py" $PCAPS > "$T/one.list"
for i in $(seq 20); do cat "$T/one.list"; done > "$T/stream.list"

flows_of() {
	sqlite3 -batch "$1" "SELECT id, source_id, client, client_port, server,
		server_port, first_frame, last_frame, packets_c2s, packets_s2c,
		bytes_c2s, bytes_s2c, proto, close_reason FROM flows
		ORDER BY chain_seq"
}

# rotation TAG MIN_FILES CAPTURE_ARGS... -- TCPREPLAY_ARGS...
rotation() {
	local tag=$1 min=$2 c=$T/$1 args=() f
	shift 2
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	new_case "$c"
	local db=$c/case.db
	if ! start_capture "$tag" --db "$db" --duration 600 "${args[@]}"; then
		fail "$tag: attrib capture did not start: $(tail -1 "$T/$tag.err")"
		return
	fi
	send "$@" $PCAPS
	# until every packet sent is committed (or the deadline: a drop)
	wait_committed "$db" "${SENT:-1}"
	kill -INT "$PID"
	finish_capture
	check "$tag: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
	local files nfiles total=0 bad=0 maxsize=0
	files=$(ls "$db.capture"/*.pcapng)
	nfiles=$(echo "$files" | wc -w)
	check "$tag: $nfiles files (at least $min)" [ "$nfiles" -ge "$min" ]
	: > "$T/$tag.got"
	local id=0
	for f in $files; do
		id=$((id + 1))
		local sha size n row
		sha=$(sha256sum "$f" | cut -d' ' -f1)
		size=$(stat -c %s "$f")
		python3 "$ROOT/tests/live/packets.py" "$f" > "$T/$tag.one"
		n=$(wc -l < "$T/$tag.one")
		cat "$T/$tag.one" >> "$T/$tag.got"
		total=$((total + n))
		[ "$size" -gt "$maxsize" ] && maxsize=$size
		row=$(sql "$db" "SELECT status, packets, committed_frame, size,
			sha256, chain_seq IS NOT NULL FROM sources WHERE path='$f'")
		[ "$row" = "complete|$n|$n|$size|$sha|1" ] || {
			bad=$((bad + 1)); echo "    $f: row $row, file $n packets $size bytes"; }
		[ "$(sql "$db" "SELECT count(*) FROM custody WHERE
			action='capture-file' AND detail LIKE '% $f sha256 $sha packets $n %'
			AND detail LIKE '%libpcap since the start: received %'")" = 1 ] || {
			bad=$((bad + 1)); echo "    $f: no capture-file custody entry"; }
		[ "$n" -ge 1 ] || bad=$((bad + 1))
	done
	check "$tag: each file a complete chained source (its packets, frames, size, SHA-256) with a custody entry" \
		[ "$bad" -eq 0 ]
	check "$tag: frame numbers restart in each file (observations cite frames within their file)" \
		[ "$(sql "$db" "SELECT count(*) FROM observations o JOIN sources s
			ON o.source_id = s.id WHERE o.frame < 1 OR o.frame > s.packets")" = 0 ]
	check_packets "$tag" "$T/stream.list" "$T/$tag.got" "$db"
	if [ "$tag" = time ]; then
		local long
		long=$(sql "$db" "SELECT count(*) FROM sources WHERE id < (SELECT
			max(id) FROM sources) AND last_ts_us - first_ts_us > 1300000")
		check "$tag: no file but the last spans more than 1.3 s of packet times" \
			[ "$long" = 0 ]
	fi
	if [ "$tag" = size ]; then
		local big
		big=$(sql "$db" "SELECT count(*) FROM sources WHERE size > 50000 AND packets > 1")
		check "$tag: no file with more than one packet exceeds 50,000 bytes (largest $maxsize)" \
			[ "$big" = 0 ]
	fi
	"$BIN" verify --db "$db" > "$T/$tag.verify" 2>&1
	local rc=$?
	check "$tag: attrib verify: intact, $nfiles sources re-hashed (exit $rc)" \
		grep -q "^sources: $nfiles, re-hashed $nfiles, changed 0" "$T/$tag.verify"
	[ $rc -eq 0 ] || fail "$tag: verify exit $rc"
	mkdir -p "$c/fresh"
	"$BIN" ingest --db "$c/fresh/case.db" "$db.capture" > "$T/$tag.ingest" 2>&1
	"$BIN" indicators --db "$db" --json > "$T/$tag.live.json"
	"$BIN" indicators --db "$c/fresh/case.db" --json > "$T/$tag.file.json"
	check "$tag: a fresh ingest of the $nfiles files gives the same $(wc -l < "$T/$tag.live.json") observations" \
		cmp -s "$T/$tag.live.json" "$T/$tag.file.json"
	flows_of "$db" > "$T/$tag.live.flows"
	flows_of "$c/fresh/case.db" > "$T/$tag.file.flows"
	check "$tag: ... and the same $(wc -l < "$T/$tag.live.flows") flows" \
		cmp -s "$T/$tag.live.flows" "$T/$tag.file.flows"
}

rotation time 3 --rotate-s 1 -- --pps 300 --limit 1050 --loop 20
rotation size 4 --rotate-mb 0.05 -- --pps 1500 --loop 2

live_done
