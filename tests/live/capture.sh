#!/bin/bash
# capture.sh — a known number of packets through `attrib capture`
# (docs/capture.md).
#
#   bash tests/live/capture.sh build/attrib
#
# tcpreplay sends the sample captures (bundled, plus a few shared nDPI
# captures when present) on a veth pair in a namespace of its own; attrib
# captures them with --count. Checked:
#   - while it runs, /proc/PID/status of attrib shows CapEff 0 and uid
#     nobody (it was started as root), and its custody says the same;
#   - it stops by itself after exactly the packets sent, exit 0, head
#     printed and written;
#   - the preserved pcapng holds those packets byte for byte (read by
#     packets.py, written from the format specification), and capinfos
#     reads it;
#   - the source row: complete, packet count, size and SHA-256 of the
#     file; custody entries for start, file (with libpcap's counters) and
#     end;
#   - `attrib verify` and tests/oracle/chain_verify.py: intact;
#   - `attrib ingest` of the preserved file into the same case does
#     nothing (same SHA-256), and into a fresh case gives the same
#     observations (attrib indicators --json) and flows;
#   - started as a non-root user holding only CAP_NET_RAW (setpriv, when
#     available), attrib captures and then holds no capability.
set -u
. "$(dirname "$0")/lib.sh"
live_init capture "${1:?usage: capture.sh ATTRIB}"

python3 "$ROOT/tests/live/packets.py" $PCAPS > "$T/sent.list"
want=$(wc -l < "$T/sent.list")
echo "capture: sending $want packets of $(echo $PCAPS | wc -w) captures"

c=$T/case
new_case "$c"
db=$c/case.db
# --count ends it; --duration is only a safety net, long for a busy machine
if ! start_capture basic --db "$db" --count "$want" --duration 600; then
	fail "attrib capture did not start: $(tail -1 "$T/basic.err")"
	live_done
	exit 1
fi
eff=$(cap_eff "$PID")
uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$PID/status")
check "CapEff of the running capture is 0000000000000000 (read: $eff)" \
	[ "$eff" = 0000000000000000 ]
nobody=$(id -u nobody)
check "it runs as nobody in all four uids (read: $uid)" \
	[ "$uid" = "$nobody $nobody $nobody $nobody" ]
send --pps 2000 $PCAPS
finish_capture
check "tcpreplay sent all $want packets (sent: ${SENT:-?})" [ "${SENT:-0}" = "$want" ]
check "attrib exits 0 after --count $want (exit $RC)" [ "$RC" -eq 0 ]
check "stderr says the count was reached" \
	grep -q "packet count reached: $want packets in 1 files" "$T/basic.err"
head_line=$(grep '^head: ' "$T/basic.out")
seq=$(echo "$head_line" | awk '{ print $2 }')
hash=$(echo "$head_line" | awk '{ print $3 }')
check "the head is printed and is the one in case.db.head" \
	grep -q "^hash $hash\$" "$db.head"

files=$(ls "$db.capture"/*.pcapng 2> /dev/null)
check "one pcapng file in case.db.capture" [ "$(echo "$files" | wc -w)" -eq 1 ]
f=$(echo "$files" | head -1)
python3 "$ROOT/tests/live/packets.py" "$f" > "$T/got.list" 2> "$T/got.err"
check "the preserved file holds the $want packets sent, byte for byte" \
	cmp -s "$T/sent.list" "$T/got.list"
if command -v capinfos > /dev/null; then
	n=$(capinfos -c -M "$f" 2> /dev/null | awk '/Number of packets/ { print $NF }')
	check "capinfos reads $want packets from it (read: $n)" [ "$n" = "$want" ]
fi

sha=$(sha256sum "$f" | cut -d' ' -f1)
size=$(stat -c %s "$f")
row=$(sql "$db" "SELECT status, packets, size, sha256, format, path FROM sources")
check "source row: complete, $want packets, size and SHA-256 of the file" \
	[ "$row" = "complete|$want|$size|$sha|pcapng|$f" ]
check "custody: capture-start records CapEff 0 and no_new_privs" \
	[ "$(sql "$db" "SELECT count(*) FROM custody WHERE action='capture-start'
		AND detail LIKE '%CapEff: 0000000000000000%'
		AND detail LIKE '%NoNewPrivs: 1%' AND actor LIKE 'nobody%'")" = 1 ]
check "custody: capture-file with the file's hash and libpcap's counters" \
	[ "$(sql "$db" "SELECT count(*) FROM custody WHERE action='capture-file'
		AND detail LIKE '%sha256 $sha packets $want %'
		AND detail LIKE '%received % dropped 0,%'")" = 1 ]
check "custody: capture-end with the reason and the final counters" \
	[ "$(sql "$db" "SELECT count(*) FROM custody WHERE action='capture-end'
		AND detail LIKE 'end: packet count reached; $want packets in 1 files%'
		AND detail LIKE '%received%dropped%'")" = 1 ]
check "the case holds observations of DNS, TLS, HTTP and SSH" \
	[ "$(sql "$db" "SELECT count(DISTINCT kind) FROM observations WHERE kind IN
		('dns.query','tls.sni','http.host','ssh.banner')")" = 4 ]
chain=$(sql "$db" "SELECT value FROM meta WHERE key='chain_seq'")
check "the chain ends at the printed head ($seq)" [ "$chain" = "$seq" ]

"$BIN" verify --db "$db" > "$T/verify.out" 2>&1
rc=$?
grep -q '^verdict: intact' "$T/verify.out"
said=$?
check "attrib verify: exit 0, intact (exit $rc)" [ $rc -eq 0 -a $said -eq 0 ]
reread=$(awk '/^cited packets re-read:/ { print $4 }' "$T/verify.out" | tr -d ,)
check "verify re-read the cited packets in the pcapng ($reread, none wrong)" \
	grep -qE '^cited packets re-read: [1-9][0-9]*, wrong 0, not checkable 0' "$T/verify.out"
python3 -S "$ROOT/tests/oracle/chain_verify.py" -q "$db" > "$T/oracle.out" 2>&1
rc=$?
check "chain_verify.py: intact (exit $rc)" [ $rc -eq 0 ]

"$BIN" ingest --db "$db" "$f" > "$T/again.out" 2>&1
rc=$?
check "ingest of the preserved file into the same case: nothing to do (exit $rc)" \
	grep -q "already in the case as source 1" "$T/again.out"

fresh=$T/fresh
mkdir -p "$fresh"
"$BIN" ingest --db "$fresh/case.db" "$f" > "$T/fresh.out" 2>&1
"$BIN" indicators --db "$db" --json > "$T/live.json"
"$BIN" indicators --db "$fresh/case.db" --json > "$T/file.json"
nobs=$(wc -l < "$T/live.json")
check "indicators of the capture and of a fresh ingest of its file are the same ($nobs observations)" \
	cmp -s "$T/live.json" "$T/file.json"
flows_of() {
	sqlite3 -batch "$1" "SELECT id, source_id, ip_version, l4_proto, client,
		client_port, server, server_port, first_ts_us, last_ts_us,
		first_frame, last_frame, packets_c2s, packets_s2c, bytes_c2s,
		bytes_s2c, proto, category, risk, close_reason FROM flows
		ORDER BY chain_seq"
}
flows_of "$db" > "$T/live.flows"
flows_of "$fresh/case.db" > "$T/file.flows"
check "flows of both are the same ($(wc -l < "$T/live.flows") flows)" \
	cmp -s "$T/live.flows" "$T/file.flows"

# --- a non-root user holding only CAP_NET_RAW --------------------------------
if command -v setpriv > /dev/null &&
   setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps=+net_raw --ambient-caps=+net_raw true 2> /dev/null; then
	c2=$T/caps
	new_case "$c2"
	ip netns exec "$NS" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=+net_raw --ambient-caps=+net_raw -- \
		"$BIN" capture -i vb --db "$c2/case.db" --count 5 --duration 600 \
		> "$T/caps.out" 2> "$T/caps.err" &
	PID=$!
	wait_for "$LIVE_WAIT_S" started_or_gone caps
	eff=$(cap_eff "$PID")
	check "started as nobody with CAP_NET_RAW: CapEff 0 once capturing (read: $eff)" \
		[ "$eff" = 0000000000000000 ]
	send --pps 100 "$ROOT/pcaps/samples/dns.pcap"
	finish_capture
	check "... and it captured the 5 packets (exit $RC)" \
		[ "$RC" -eq 0 -a "$(sql "$c2/case.db" "SELECT packets FROM sources")" = 5 ]
else
	echo "  (setpriv with ambient capabilities not available: the non-root case is not run)"
fi

live_done
