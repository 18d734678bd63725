#!/bin/sh
# tshark-indicators.sh — oracle: attrib's DNS/TLS/HTTP indicators against
# tshark's field output.
#
#   sh tests/oracle/tshark-indicators.sh build/attrib
#
# For every capture in ../shared/pcaps/ndpi (override with ATTRIB_PCAPS):
#     ATTRIB ingest --db CASE.db FILE; ATTRIB indicators --db CASE.db --json
# keeps the kinds dns.query, tls.sni, tls.ja3, http.host, http.user_agent,
# and one tshark pass prints, per frame, frame.number, frame.protocols and
#     dns.qry.name tls.handshake.extensions_server_name tls.handshake.ja3
#     http.host http.user_agent
# with -E occurrence=a (every occurrence, joined by an ASCII unit
# separator) and TCP/TLS reassembly on. dns.qry.name is taken from queries
# and responses alike: attrib records the question name of both, and a
# response repeats the question, so no side gains a name the other lacks.
# Only values are compared: per capture and kind, the sets of distinct
# values (JA3 digests case-folded, everything else as written). Per kind
# the report gives |attrib ∩ tshark| / |tshark| and / |attrib|.
#
# Each disagreement (capture, kind, side, value, reason) goes to
# build/oracle/tshark-indicators.log; reasons are guessed from tshark's
# protocol stack of the frames carrying the value (QUIC, tunnel, malformed,
# mDNS/LLMNR, SSDP, DTLS, ...), "unexplained" otherwise. The last line is
# "tshark-indicators: K of 5 kinds at >= 99% both ways"; exit status 1 when
# K < 5. Skips (exit 0) without tshark or without the capture folder.
# ATTRIB_ORACLE_JOBS sets the parallelism (default 2).
set -eu

# --- one capture (run by xargs below) ---------------------------------
if [ "${1:-}" = "--one" ]; then
	file=$2
	name=$(basename "$file")
	base="$WORK/$name"
	: >"$base.err"
	printf "%s\n" "$file" >"$base.path"
	rc=0
	"$ATTRIB_BIN" ingest --db "$base.db" "$file" >/dev/null 2>"$base.aerr" || rc=$?
	[ $rc -eq 0 ] || echo "attrib ingest exit $rc: $(head -c 200 "$base.aerr" | tr '\n' ' ')" >>"$base.err"
	if [ -s "$base.db" ]; then
		"$ATTRIB_BIN" indicators --db "$base.db" --json 2>>"$base.err" |
			python3 "$HERE/tshark_compare.py" attrib-dump "$base"
	else
		: >"$base.a"
	fi
	rc=0
	tshark -r "$file" -n \
		-o tcp.desegment_tcp_streams:TRUE \
		-o tls.desegment_ssl_records:TRUE \
		-o tls.desegment_ssl_application_data:TRUE \
		-o http.desegment_headers:TRUE \
		-Y "$FILTER" \
		-T fields -E separator=/t -E occurrence=a -E "aggregator=$US" \
		-e frame.number -e frame.protocols \
		-e dns.qry.name -e tls.handshake.extensions_server_name \
		-e tls.handshake.ja3 -e http.host -e http.user_agent \
		>"$base.t" 2>"$base.terr" || rc=$?
	[ $rc -eq 0 ] || echo "tshark exit $rc: $(grep -v 'Running as user' "$base.terr" | head -c 200 | tr '\n' ' ')" >>"$base.err"
	rm -f "$base.db" "$base.db-wal" "$base.db-shm" "$base.db.head" \
		"$base.aerr" "$base.terr"
	exit 0
fi

# --- driver ---------------------------------------------------------------
if [ $# -lt 1 ]; then
	echo "usage: $0 ATTRIB_BINARY" >&2
	exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$HERE/../.." && pwd)
pcaps=${ATTRIB_PCAPS:-$HERE/../../../shared/pcaps/ndpi}
case $1 in
/*) ATTRIB_BIN=$1 ;;
*) ATTRIB_BIN=$(pwd)/$1 ;;
esac
if ! command -v tshark >/dev/null 2>&1; then
	echo "tshark-indicators: tshark not found, skipped"
	exit 0
fi
if [ ! -d "$pcaps" ]; then
	echo "tshark-indicators: no capture folder $pcaps, skipped"
	exit 0
fi
if [ ! -x "$ATTRIB_BIN" ]; then
	echo "tshark-indicators: $ATTRIB_BIN is not executable" >&2
	exit 2
fi
outdir=$root/build/oracle
log=$outdir/tshark-indicators.log
mkdir -p "$outdir"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tshark-indicators.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
US=$(printf '\037')
# Frames carrying one of the five fields, plus frames whose protocol stack
# explains an attrib-only value (NetBIOS, DTLS, QUIC, malformed).
FILTER='dns.qry.name or tls.handshake.extensions_server_name or tls.handshake.ja3 or http.host or http.user_agent or nbns or quic or gquic or dtls.handshake.type == 1 or _ws.malformed'
export WORK ATTRIB_BIN HERE US FILTER

find "$pcaps" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \
	-o -name '*.cap' \) -print0 |
	LC_ALL=C sort -z |
	xargs -0 -r -n1 -P"${ATTRIB_ORACLE_JOBS:-2}" sh "$0" --one

rc=0
python3 "$HERE/tshark_compare.py" report "$WORK" "$log" || rc=$?
exit $rc
