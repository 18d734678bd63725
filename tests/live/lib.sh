# lib.sh — what the live-capture tests share (sourced, bash).
#
# Each test runs in a network namespace of its own with a veth pair:
# packets sent with tcpreplay on `va` arrive on `vb`, where attrib
# captures. The namespace has no addresses and IPv6 off, so the kernel
# sends nothing of its own on the pair: what is captured is exactly what
# was sent. The namespace and the work folder are removed on exit,
# whatever happens.
#
# attrib runs as root and drops to `nobody`, so the work folder is
# readable by all and the case folders belong to nobody.
#
#   live_init NAME ATTRIB       checks, namespace, work folder ($T)
#   new_case DIR                a folder nobody can write
#   start_capture TAG ARGS...   attrib capture -i vb ARGS in the background
#                               ($PID; $T/TAG.out, $T/TAG.err), waits until
#                               it captures (up to $LIVE_WAIT_S seconds)
#   wait_for SECONDS CMD...     polls CMD until it succeeds: 0, or 1 once
#                               SECONDS have passed
#   wait_committed DB N         until the case's sources count N packets
#                               committed (or $LIVE_WAIT_S seconds pass)
#   has_rows DB TABLE           the table holds a committed row
#   send ARGS...                tcpreplay -i va ARGS; $SENT = packets sent
#   finish_capture              waits for $PID; $RC = its exit status
#   check_packets TAG SENT GOT DB   GOT (packets.py list of the preserved
#                               files) is the start of SENT, in order; a
#                               gap only where libpcap counted drops
#   pass MSG / fail MSG / check "MSG" CMD...   count results
#   live_done                   prints "NAME: P passed, F failed"

LIVE_PASSED=0
LIVE_FAILED=0
# How long a test waits for a state it expects before it gives up: long,
# as the machine may be busy (waits end as soon as the state is there).
LIVE_WAIT_S=${LIVE_WAIT_S:-180}

pass() { LIVE_PASSED=$((LIVE_PASSED + 1)); echo "  ok   $*"; }
fail() { LIVE_FAILED=$((LIVE_FAILED + 1)); echo "  FAIL $*"; }

# check MSG CMD...: passes when CMD succeeds.
check() {
	local msg=$1
	shift
	if "$@"; then pass "$msg"; else fail "$msg"; fi
}

# skip REASON: the test cannot create what it needs.
skip() {
	echo "$LIVE_NAME: skipped ($*)"
	exit 0
}

live_cleanup() {
	if [ -n "${PID:-}" ] && kill -0 "$PID" 2> /dev/null; then
		kill -KILL "$PID" 2> /dev/null
		wait "$PID" 2> /dev/null
	fi
	[ -n "${NS:-}" ] && ip netns del "$NS" 2> /dev/null
	[ -n "${T:-}" ] && rm -rf "$T"
}

live_init() {
	LIVE_NAME=$1
	BIN=$2
	ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
	SHARED=${ATTRIB_PCAPS:-$ROOT/../shared/pcaps/ndpi}
	[ "$(id -u)" -eq 0 ] || skip "needs root for a network namespace"
	for tool in ip tcpreplay tcpdump sqlite3 python3; do
		command -v $tool > /dev/null || skip "$tool is missing"
	done
	getent passwd nobody > /dev/null || skip "no user nobody"
	T=$(mktemp -d /tmp/attrib-live.XXXXXX)
	chmod 755 "$T"
	NS=attrib-live-$$-$LIVE_NAME
	trap live_cleanup EXIT
	trap 'exit 130' INT TERM
	ip netns add "$NS" 2> /dev/null || { NS=; skip "cannot create a network namespace"; }
	if ! ip netns exec "$NS" sh -c '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
		sysctl -qw net.ipv6.conf.default.disable_ipv6=1 &&
		ip link add va type veth peer name vb &&
		ip link set va mtu 4000 && ip link set vb mtu 4000 &&
		ip link set va up && ip link set vb up' 2> "$T/ns.err"; then
		skip "cannot create a veth pair: $(head -1 "$T/ns.err")"
	fi
	# Ethernet sample captures: the bundled ones and, when present, a few
	# of the shared nDPI captures with TLS, HTTP and DNS.
	PCAPS=$(ls "$ROOT"/pcaps/samples/*.pcap*)
	for f in tls_verylong_certificate.pcap http_auth.pcap dns_fragmented.pcap; do
		[ -f "$SHARED/$f" ] && PCAPS="$PCAPS $SHARED/$f"
	done
}

new_case() {
	mkdir -p "$1"
	chown nobody "$1"
}

wait_for() {
	local deadline=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
	return 0
}

# started TAG: the capture is running and says so
started() {
	grep -qs "capturing on" "$T/$1.err" && return 0
	kill -0 "$PID" 2> /dev/null || return 2
	return 1
}

# The kernel's capture ring holds frames as large as the snaplen (veth
# offloads keep libpcap from sizing them by the MTU): with the default
# 256 KiB snaplen the 8 MiB buffer holds 32 packets, and a capture that
# falls behind on a busy machine drops the rest. The test packets are at
# most 4,014 bytes (MTU 4000), so 8 KiB frames in 32 MiB (some 4,000
# packets) lose nothing and cut nothing.
start_capture() {
	local tag=$1
	shift
	ip netns exec "$NS" "$BIN" capture -i vb --snaplen 8192 -B 32 "$@" \
		> "$T/$tag.out" 2> "$T/$tag.err" &
	PID=$!
	wait_for "$LIVE_WAIT_S" started_or_gone "$tag" && started "$tag"
}

# started_or_gone TAG: true once the capture runs, or has ended
started_or_gone() {
	started "$1"
	[ $? -ne 1 ]
}

# committed DB N: the case's sources count at least N committed packets
committed() {
	[ "$(sqlite3 -batch "$1" 'SELECT coalesce(sum(packets),0) FROM sources' 2> /dev/null)" -ge "$2" ] 2> /dev/null
}

# has_rows DB TABLE: the table holds a row (committed)
has_rows() {
	[ -n "$(sqlite3 -batch "$1" "SELECT 1 FROM $2 LIMIT 1" 2> /dev/null)" ]
}

wait_committed() {
	wait_for "$LIVE_WAIT_S" committed "$1" "$2"
}

# gone PID: the process has ended
gone() {
	! kill -0 "$1" 2> /dev/null
}

send() {
	ip netns exec "$NS" tcpreplay -i va "$@" > "$T/send.log" 2>&1
	SENT=$(awk '/Successful packets:/ { print $3 }' "$T/send.log")
	local failed
	failed=$(awk '/Failed packets:/ { print $3 }' "$T/send.log")
	[ "${failed:-1}" = 0 ] || echo "  (tcpreplay: ${failed:-?} packets not sent)"
}

finish_capture() {
	wait "$PID"
	RC=$?
	PID=
}

check_packets() {
	local tag=$1 sent=$2 got=$3 db=$4 n missing drops
	n=$(wc -l < "$got")
	if ! missing=$(python3 "$ROOT/tests/live/packets.py" --missing "$sent" "$got"); then
		fail "$tag: the $n packets preserved are not packets sent, in order"
		return
	fi
	drops=$(sql "$db" "SELECT detail FROM custody WHERE action='capture-end'" |
		sed -n 's/.*libpcap: received [0-9]*, dropped \([0-9]*\),.*/\1/p')
	if [ "$missing" -eq 0 ]; then
		pass "$tag: the $n packets preserved are the first $n sent, byte for byte"
	elif [ -n "$drops" ] && [ "$missing" -le "$drops" ]; then
		pass "$tag: the $n packets preserved are packets sent, in order, byte for byte; the $missing missing were counted as dropped by libpcap ($drops)"
	else
		fail "$tag: $missing packets sent are missing from the $n preserved (libpcap drops: ${drops:-unknown})"
	fi
}

# CapEff of a running process, as the kernel reports it.
cap_eff() {
	awk '/^CapEff:/ { print $2 }' "/proc/$1/status" 2> /dev/null
}

# sql DB QUERY
sql() {
	sqlite3 -batch "$1" "$2"
}

live_done() {
	echo "$LIVE_NAME: $LIVE_PASSED passed, $LIVE_FAILED failed"
	[ "$LIVE_FAILED" -eq 0 ]
}
