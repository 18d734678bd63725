#!/bin/bash
# diskfull.sh — a capture that runs out of disk space (docs/capture.md).
#
#   bash tests/live/diskfull.sh build/attrib
#
# In a private mount namespace (unshare -m), a small tmpfs receives
#   files — the pcapng files only (the case is on the ordinary disk), or
#   both  — the case and its files,
# at a few sizes, while tcpreplay sends more than fits. Per trial:
#   - attrib stops by itself: exit 3, one error line naming the file (or
#     the case) and the reason, no crash;
#   - with space given back: PRAGMA integrity_check ok, `attrib verify`
#     and chain_verify.py intact (cited packets re-read from the file);
#   - the file was cut back to what the committed evidence covers: it
#     reads as a pcapng of exactly committed_frame packets, the first ones
#     sent (a gap only where libpcap counted drops), and its size is the
#     one the (unfinished) source row records;
#   - `attrib ingest` of the file completes its source, after which the
#     case verifies, and its observations and flows are those of a fresh
#     ingest of the same file.
set -u
. "$(dirname "$0")/lib.sh"

flows_of() {
	sqlite3 -batch "$1" "SELECT id, source_id, client, client_port, server,
		server_port, first_frame, last_frame, packets_c2s, packets_s2c,
		bytes_c2s, bytes_s2c, proto, close_reason FROM flows
		ORDER BY chain_seq"
}
obs_of() {
	sqlite3 -batch "$1" "SELECT source_id, frame, file_offset, caplen, ts_us,
		flow_id, kind, value, detail, packet_sha256 FROM observations
		ORDER BY id"
}

# trial MODE SIZE: one capture into a tmpfs of SIZE (inside the mount
# namespace).
trial() {
	local mode=$1 size=$2 tag=$1-$2
	local mnt=$T/mnt-$tag db args=()
	mkdir -p "$mnt"
	mount -t tmpfs -o size="$size" tmpfs "$mnt" || {
		fail "$tag: cannot mount a tmpfs"; return; }
	if [ "$mode" = files ]; then
		new_case "$T/$tag"
		db=$T/$tag/case.db
		args=(-w "$mnt/pcap")
	else
		new_case "$mnt/case"
		db=$mnt/case/case.db
	fi
	if ! start_capture "$tag" --db "$db" "${args[@]}" --batch 50 --duration 600; then
		fail "$tag: attrib capture did not start: $(tail -1 "$T/$tag.err")"
		umount "$mnt"
		return
	fi
	send --pps 1500 --loop 8 $PCAPS
	# it must run out of space and stop by itself: wait for that
	wait_for "$LIVE_WAIT_S" gone "$PID"
	if kill -0 "$PID" 2> /dev/null; then
		kill -INT "$PID"
		finish_capture
		fail "$tag: the capture did not run out of space (exit $RC): the trial shows nothing"
		umount "$mnt"
		return
	fi
	finish_capture
	local errors line
	errors=$(grep -c '^attrib: ' "$T/$tag.err")
	line=$(grep -v 'capturing on' "$T/$tag.err" | head -1)
	check "$tag: exit 3 (exit $RC)" [ "$RC" -eq 3 ]
	echo "$line" | grep -qE "^attrib: $mnt/.*(No space left on device|database or disk is full)"
	local said=$?
	check "$tag: one error line: $(echo "$line" | sed "s|$T/||g" | cut -c1-150)" \
		[ "$errors" -eq 2 -a $said -eq 0 ]
	mount -o remount,size=64m "$mnt"

	check "$tag: integrity_check ok" [ "$(sql "$db" 'PRAGMA integrity_check')" = ok ]
	"$BIN" verify --db "$db" > "$T/$tag.v1" 2>&1
	local rc=$?
	check "$tag: attrib verify after the failure: intact (exit $rc)" [ $rc -eq 0 ]
	python3 -S "$ROOT/tests/oracle/chain_verify.py" -q "$db" > "$T/$tag.p1" 2>&1
	rc=$?
	check "$tag: chain_verify.py after the failure: intact (exit $rc)" [ $rc -eq 0 ]
	local f n row fsize
	f=$(sql "$db" "SELECT path FROM sources WHERE status='partial'")
	if [ -z "$f" ] || [ ! -f "$f" ]; then
		fail "$tag: no unfinished source with its file (sources: $(sql "$db" 'SELECT id, status, path FROM sources' | tr '\n' ' '))"
		umount "$mnt"
		return
	fi
	python3 "$ROOT/tests/live/packets.py" "$f" > "$T/$tag.got" 2> "$T/$tag.got.err"
	rc=$?
	n=$(wc -l < "$T/$tag.got")
	fsize=$(stat -c %s "$f")
	row=$(sql "$db" "SELECT committed_frame, size FROM sources WHERE path='$f'")
	check "$tag: the file reads whole: $n packets, $fsize bytes = the source row's frame and size ($row)" \
		[ $rc -eq 0 -a "$row" = "$n|$fsize" ]
	check_packets "$tag" "$T/stream.list" "$T/$tag.got" "$db"
	grep -q "kept up to frame $n ($fsize bytes)" "$T/$tag.err"
	said=$?
	check "$tag: the error line says what was kept" [ $said -eq 0 ]

	"$BIN" ingest --db "$db" "$f" > "$T/$tag.i2" 2>&1
	rc=$?
	grep -q "completing an interrupted ingest (frames 1-$n already committed)" "$T/$tag.i2"
	said=$?
	check "$tag: attrib ingest of the file completes its source (exit $rc)" \
		[ $rc -eq 0 -a $said -eq 0 ]
	"$BIN" verify --db "$db" > "$T/$tag.v2" 2>&1
	rc=$?
	check "$tag: attrib verify after completing: intact (exit $rc)" [ $rc -eq 0 ]
	mkdir -p "$T/$tag-fresh"
	"$BIN" ingest --db "$T/$tag-fresh/case.db" "$f" > /dev/null 2>&1
	flows_of "$db" > "$T/$tag.flows1"
	flows_of "$T/$tag-fresh/case.db" > "$T/$tag.flows2"
	obs_of "$db" > "$T/$tag.obs1"
	obs_of "$T/$tag-fresh/case.db" > "$T/$tag.obs2"
	cmp -s "$T/$tag.flows1" "$T/$tag.flows2" && cmp -s "$T/$tag.obs1" "$T/$tag.obs2"
	said=$?
	check "$tag: the case then equals a fresh ingest of the file ($(wc -l < "$T/$tag.obs1") observations, $(wc -l < "$T/$tag.flows1") flows)" \
		[ $said -eq 0 ]
	umount "$mnt"
}

if [ "${2:-}" = --inside ]; then
	# in the private mount namespace; NS, T, ROOT, PCAPS, BIN from outside
	LIVE_NAME=diskfull
	trial files 48k
	trial files 96k
	trial files 200k
	trial both 320k
	trial both 480k
	exit 0
fi

live_init diskfull "${1:?usage: diskfull.sh ATTRIB}"
unshare -m true 2> /dev/null || skip "unshare -m is not available"
python3 "$ROOT/tests/live/packets.py" $PCAPS > "$T/one.list"
for i in $(seq 8); do cat "$T/one.list"; done > "$T/stream.list"
export NS T ROOT PCAPS BIN
unshare -m bash "$0" "$BIN" --inside > "$T/inside.log" 2>&1
cat "$T/inside.log"
LIVE_PASSED=$((LIVE_PASSED + $(grep -c '^  ok ' "$T/inside.log")))
LIVE_FAILED=$((LIVE_FAILED + $(grep -c '^  FAIL ' "$T/inside.log")))
live_done
