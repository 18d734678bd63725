#!/bin/bash
# errors.sh — what `attrib capture` refuses, and the filter it applies
# (docs/capture.md).
#
#   bash tests/live/errors.sh build/attrib
#
# Each refusal: exit 2, one error line on stderr naming the culprit (the
# interface, the filter text, the user, the folder), and no case created:
#   - an interface that does not exist;
#   - a filter that does not compile;
#   - --user root, and a user that does not exist;
#   - a case in a folder the unprivileged user cannot write;
#   - missing -i, and a bad --rotate-mb.
# Then a good filter: with -f 'udp', the preserved file holds exactly the
# packets tcpdump's reading of the sent captures with the same filter
# selects, and the file records the filter (pcapng if_filter). Last, the
# interface removed during a capture: exit 2, the file closed and chained.
set -u
. "$(dirname "$0")/lib.sh"
live_init errors "${1:?usage: errors.sh ATTRIB}"

# refused TAG PATTERN ARGS...: attrib capture ARGS must exit 2 with one
# error line matching PATTERN and leave no case behind.
refused() {
	local tag=$1 pattern=$2 c=$T/$1
	shift 2
	new_case "$c"
	ip netns exec "$NS" "$BIN" capture --db "$c/case.db" "$@" \
		> "$T/$tag.out" 2> "$T/$tag.err"
	local rc=$? lines
	lines=$(grep -c '^attrib: ' "$T/$tag.err")
	check "$tag: exit 2 (exit $rc)" [ $rc -eq 2 ]
	grep -qE -e "$pattern" "$T/$tag.err"
	local said=$?
	check "$tag: one error line: $(head -1 "$T/$tag.err" | cut -c1-110)" \
		[ "$lines" -eq 1 -a $said -eq 0 ]
	check "$tag: no case and no capture folder created" \
		[ ! -e "$c/case.db" -a ! -e "$c/case.db.capture" ]
}

refused bad-interface "^attrib: nosuchif0: no such interface" -i nosuchif0
refused bad-filter "^attrib: filter 'tcp port': .*syntax error" -i vb -f 'tcp port'
refused bad-filter-2 "^attrib: filter 'host 999.1.1.1': " -i vb -f 'host 999.1.1.1'
refused user-root "--user root is root: refusing to analyse traffic as root" -i vb --user root
refused no-user "user 'no-such-user-attrib' not found" -i vb --user no-such-user-attrib
refused no-interface "-i IFACE is required"
refused bad-rotate "--rotate-mb takes a number above 0" -i vb --rotate-mb -3

# A case folder that nobody cannot write: refused after the drop, before
# any packet is analysed.
mkdir -p "$T/rootonly"
ip netns exec "$NS" "$BIN" capture -i vb --db "$T/rootonly/case.db" \
	> "$T/rootonly.out" 2> "$T/rootonly.err"
rc=$?
check "unwritable case folder: exit 2 (exit $rc)" [ $rc -eq 2 ]
grep -q "^attrib: $T/rootonly: the folder of the case is not writable by nobody" "$T/rootonly.err"
said=$?
check "unwritable case folder: one line naming the folder and the user" \
	[ $said -eq 0 -a "$(grep -c '^attrib: ' "$T/rootonly.err")" -eq 1 ]
check "unwritable case folder: no case created" [ ! -e "$T/rootonly/case.db" ]

# A filter that works: only UDP is captured.
mkdir -p "$T/udp"
i=0
for f in $PCAPS; do
	i=$((i + 1))
	tcpdump -r "$f" -w "$T/udp/$i.pcap" udp 2> /dev/null
	python3 "$ROOT/tests/live/packets.py" "$T/udp/$i.pcap"
done > "$T/udp.want"
want=$(wc -l < "$T/udp.want")
c=$T/filter
new_case "$c"
if start_capture filter --db "$c/case.db" -f udp --duration 600; then
	send --pps 1000 $PCAPS
	wait_committed "$c/case.db" "$want"
	kill -INT "$PID"
	finish_capture
	f=$(ls "$c/case.db.capture"/*.pcapng)
	python3 "$ROOT/tests/live/packets.py" "$f" > "$T/udp.got"
	check "-f udp: the file holds the $want UDP packets sent, and nothing else (exit $RC)" \
		cmp -s "$T/udp.want" "$T/udp.got"
	idb=$(python3 "$ROOT/tests/live/packets.py" --interface "$f")
	check "the file names the interface and the filter ($idb)" \
		[ "$idb" = "if_filter=udp if_name=vb" ]
else
	fail "-f udp: attrib capture did not start: $(tail -1 "$T/filter.err")"
fi

# The interface disappears mid-capture: the files are closed as at a
# normal end, the error is one line, exit 2. (Last: it removes the pair.)
c=$T/gone
new_case "$c"
if start_capture gone --db "$c/case.db" --duration 600; then
	send --pps 100 "$ROOT/pcaps/samples/dns.pcap"
	wait_committed "$c/case.db" 5
	ip netns exec "$NS" ip link del va
	finish_capture
	grep -q "^attrib: vb: capture failed: " "$T/gone.err"
	said=$?
	check "interface removed: exit 2, one line: $(grep -v 'capturing on' "$T/gone.err" | head -1)" \
		[ "$RC" -eq 2 -a $said -eq 0 -a "$(grep -c '^attrib: ' "$T/gone.err")" -eq 2 ]
	check "interface removed: the file is complete and chained with its 5 packets" \
		[ "$(sql "$c/case.db" "SELECT status, packets, chain_seq IS NOT NULL
			FROM sources")" = "complete|5|1" ]
	"$BIN" verify --db "$c/case.db" > "$T/gone.verify" 2>&1
	rc=$?
	check "interface removed: attrib verify intact (exit $rc)" [ $rc -eq 0 ]
else
	fail "interface removed: attrib capture did not start"
fi

live_done
