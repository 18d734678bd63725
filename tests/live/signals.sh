#!/bin/bash
# signals.sh — stopping a capture mid-traffic (docs/capture.md).
#
#   bash tests/live/signals.sh build/attrib
#
# With tcpreplay sending the sample captures in a loop:
#   - while the capture runs, `attrib indicators` reads the case (the
#     evidence is committed in batches as it comes), `attrib score` scores
#     it and `attrib verify` finds it intact; their records join the chain
#     between the capture's batches;
#   - SIGUSR1 prints the counters and the capture goes on;
#   - SIGINT stops it: exit 0, the head printed, the last file synced,
#     hashed and chained (complete source, SHA-256 of the file), custody
#     "stopped by SIGINT" with libpcap's counters, `attrib verify` intact;
#     the packets preserved are exactly the first ones sent, in order;
#   - SIGTERM does the same;
#   - kill -9 leaves a case that verifies; the file cut to the size its
#     unfinished source records completes it with `attrib ingest`;
#   - --duration stops the capture by itself, on time.
set -u
. "$(dirname "$0")/lib.sh"
live_init signals "${1:?usage: signals.sh ATTRIB}"

python3 "$ROOT/tests/live/packets.py" $PCAPS > "$T/one.list"
for i in $(seq 50); do cat "$T/one.list"; done > "$T/stream.list"

# stop_mid_traffic TAG SIGNAL NAME
stop_mid_traffic() {
	local tag=$1 sig=$2 name=$3 c=$T/$1 sender
	new_case "$c"
	local db=$c/case.db
	if ! start_capture "$tag" --db "$db" --duration 600; then
		fail "$tag: attrib capture did not start: $(tail -1 "$T/$tag.err")"
		return
	fi
	ip netns exec "$NS" tcpreplay -i va --pps 400 --loop 50 $PCAPS \
		> "$T/$tag.send" 2>&1 &
	sender=$!
	# until evidence is committed (polled, not a fixed time)
	wait_for "$LIVE_WAIT_S" has_rows "$db" observations
	if [ "$sig" = INT ]; then
		"$BIN" indicators --db "$db" > "$T/$tag.during" 2>&1
		local rc=$? n
		n=$(($(wc -l < "$T/$tag.during") - 1))
		check "$tag: attrib indicators reads the case during the capture ($n observations, exit $rc)" \
			[ $rc -eq 0 -a $n -gt 0 ]
		# the derived indicators table is rebuilt every 5 s
		wait_for "$LIVE_WAIT_S" has_rows "$db" indicators
		"$BIN" score --db "$db" --models "$ROOT/tests/score/models/strong-telemetry.yaml" \
			> "$T/$tag.score" 2>&1
		rc=$?
		n=$(sql "$db" "SELECT count(*) FROM indicators")
		check "$tag: attrib score runs on the case during the capture ($n distinct indicators, exit $rc)" \
			[ $rc -eq 0 -a "$n" -gt 0 ]
		"$BIN" verify --db "$db" > "$T/$tag.vduring" 2>&1
		rc=$?
		check "$tag: attrib verify during the capture: intact (exit $rc)" [ $rc -eq 0 ]
		[ $rc -eq 0 ] || sed 's/^/    /' "$T/$tag.vduring"
		kill -USR1 "$PID"
		check "$tag: SIGUSR1 prints the counters, the capture goes on" \
			wait_for "$LIVE_WAIT_S" grep -qE "^attrib: vb: [1-9][0-9]* packets in 1 files .*received [0-9]+, dropped [0-9]+" "$T/$tag.err"
		kill -0 "$PID" 2> /dev/null ||
			fail "$tag: the capture ended after SIGUSR1"
	fi
	kill -"$sig" "$PID"
	finish_capture
	kill "$sender" 2> /dev/null
	wait "$sender" 2> /dev/null
	check "$tag: exit 0 after SIG$sig (exit $RC)" [ "$RC" -eq 0 ]
	check "$tag: stderr says stopped by $name" \
		grep -q "stopped by $name: [1-9][0-9]* packets in 1 files" "$T/$tag.err"
	check "$tag: the head is printed" grep -q '^head: [0-9]* [0-9a-f]\{64\}' "$T/$tag.out"
	local f
	f=$(ls "$db.capture"/*.pcapng)
	local sha size n
	sha=$(sha256sum "$f" | cut -d' ' -f1)
	size=$(stat -c %s "$f")
	python3 "$ROOT/tests/live/packets.py" "$f" > "$T/$tag.got"
	n=$(wc -l < "$T/$tag.got")
	check "$tag: the file is complete and chained: status, $n packets, size, SHA-256" \
		[ "$(sql "$db" "SELECT status, packets, size, sha256, chain_seq IS NOT NULL
			FROM sources")" = "complete|$n|$size|$sha|1" ]
	check_packets "$tag" "$T/stream.list" "$T/$tag.got" "$db"
	check "$tag: custody: capture-end 'stopped by $name' with the counters" \
		[ "$(sql "$db" "SELECT count(*) FROM custody WHERE action='capture-end'
			AND detail LIKE 'end: stopped by $name; $n packets in 1 files%'
			AND detail LIKE '%libpcap: received %, dropped %'")" = 1 ]
	"$BIN" verify --db "$db" > "$T/$tag.verify" 2>&1
	rc=$?
	check "$tag: attrib verify: intact (exit $rc)" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || sed 's/^/    /' "$T/$tag.verify"
	if [ "$sig" = INT ]; then
		check "$tag: the score run and the verification made during the capture are in the chain" \
			[ "$(sql "$db" "SELECT (SELECT count(*) FROM score_runs WHERE chain_seq
				IS NOT NULL) || ' ' || (SELECT count(*) FROM custody WHERE
				action IN ('score', 'verify'))")" = "1 3" ]
	fi
}

stop_mid_traffic sigint INT SIGINT
stop_mid_traffic sigterm TERM SIGTERM

# kill -9 mid-capture: no chance to finish. The case holds what was
# committed, verifies intact, and names in the unfinished source how far
# the file's committed part goes; cut there, the file completes it.
c=$T/kill9
new_case "$c"
db=$c/case.db
if start_capture kill9 --db "$db" --duration 600; then
	ip netns exec "$NS" tcpreplay -i va --pps 400 --loop 50 $PCAPS \
		> "$T/kill9.send" 2>&1 &
	sender=$!
	wait_for "$LIVE_WAIT_S" has_rows "$db" observations
	kill -KILL "$PID"
	finish_capture 2> /dev/null
	kill "$sender" 2> /dev/null
	wait "$sender" 2> /dev/null
	"$BIN" verify --db "$db" > "$T/kill9.v1" 2>&1
	rc=$?
	check "kill -9: the case verifies intact (exit $rc)" [ $rc -eq 0 ]
	f=$(sql "$db" "SELECT path FROM sources WHERE status='partial'")
	size=$(sql "$db" "SELECT size FROM sources WHERE status='partial'")
	fsize=$(stat -c %s "$f" 2> /dev/null || echo 0)
	check "kill -9: the file holds at least the ${size:-?} committed bytes ($fsize)" \
		[ "$fsize" -ge "${size:-1}" ]
	truncate -s "$size" "$f"
	"$BIN" ingest --db "$db" "$f" > "$T/kill9.i" 2>&1
	rc=$?
	grep -q "completing an interrupted ingest" "$T/kill9.i"
	said=$?
	"$BIN" verify --db "$db" > "$T/kill9.v2" 2>&1
	vrc=$?
	check "kill -9: cut to that size, attrib ingest completes the source, verify intact (exit $rc, $vrc)" \
		[ $rc -eq 0 -a $said -eq 0 -a $vrc -eq 0 ]
	mkdir -p "$c/fresh"
	"$BIN" ingest --db "$c/fresh/case.db" "$f" > /dev/null 2>&1
	"$BIN" indicators --db "$db" --json > "$T/kill9.a"
	"$BIN" indicators --db "$c/fresh/case.db" --json > "$T/kill9.b"
	check "kill -9: ... and the case equals a fresh ingest of the file ($(wc -l < "$T/kill9.a") observations)" \
		cmp -s "$T/kill9.a" "$T/kill9.b"
else
	fail "kill -9: attrib capture did not start"
fi

# --duration: stops by itself on time (traffic or not).
c=$T/duration
new_case "$c"
if start_capture duration --db "$c/case.db" --duration 2; then
	# timed from the moment it says it captures (its start-up is not
	# part of the duration, and takes long on a busy machine)
	t0=$(date +%s%N)
	send --pps 100 "$ROOT/pcaps/samples/dns.pcap"
	finish_capture
	took=$(( ($(date +%s%N) - t0) / 1000000 ))
	grep -q "duration reached: 5 packets in 1 files" "$T/duration.err"
	said=$?
	check "--duration 2: exit 0, 'duration reached' (exit $RC)" \
		[ "$RC" -eq 0 -a $said -eq 0 ]
	check "--duration 2: stopped 2 s after it started capturing, not before, not 10 s late ($took ms)" \
		[ "$took" -ge 1800 -a "$took" -lt 12000 ]
else
	fail "--duration: attrib capture did not start"
fi

live_done
