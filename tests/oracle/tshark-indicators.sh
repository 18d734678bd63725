#!/bin/sh
# tshark-indicators.sh — oracle: attrib's DNS/TLS/HTTP indicators against
# tshark's field output.
#
#   sh tests/oracle/tshark-indicators.sh build/attrib
#
# For every capture in ../shared/pcaps/ndpi (override with ATTRIB_PCAPS):
#     ATTRIB ingest --db CASE.db FILE; ATTRIB indicators --db CASE.db --json
# keeps the kinds dns.query, dns.answer (A/AAAA of answer sections:
# addresses only), tls.sni, tls.ja3, http.host, http.user_agent,
# tls.cert.san (DNS names only) and tls.cert.serial, and one tshark pass
# (tshark-run.sh, shared with tshark-communityid.sh) prints, per frame,
# frame.number, frame.protocols and the fields FIELDS of tshark_compare.py
# lists:
#     dns.qry.name, dns.a, dns.aaaa (dns.answer, answer sections only:
#     dns.resp.type and the section counts tell them apart),
#     x509ce.dNSName, x509af.serialNumber (as many per frame as its TLS
#     and DTLS Certificate messages hold certificates: the rest belong to
#     stapled OCSP responses), tls.handshake.extensions_server_name,
#     gquic.tag.sni,
#     dtls.handshake.extensions_server_name, tls.handshake.ja3, http.host,
#     http.user_agent, and the DTLS ClientHello fields the JA3 of a DTLS
#     ClientHello is computed from
# with -E occurrence=a (every occurrence, joined by an ASCII unit
# separator) and TCP/TLS reassembly on. gquic.tag.sni (the SNI of a Google
# QUIC client hello) and dtls.handshake.extensions_server_name count as
# tls.sni: the same field under the names of tshark's gQUIC and DTLS
# dissectors; tshark 4.0 has no JA3 field for DTLS, so that JA3 is
# computed from tshark's decoded fields by the JA3 definition.
# dns.qry.name is taken from queries and responses alike: attrib records
# the question name of both, and a response repeats the question, so no
# side gains a name the other lacks.
# Only values are compared: per capture and kind, the sets of distinct
# values (JA3 digests case-folded, everything else as written). Per kind
# the report gives |attrib ∩ tshark| / |tshark| and, with the values a
# second tshark reading confirms (below), / |attrib|.
#
# Values only attrib has are offered to tshark once more
# (tshark_confirm.py): each frame they cite is read alone (no TCP
# reassembly or sequence analysis) and decoded as the protocol attrib read
# there (Decode As on its ports; for TLS that attrib read inside OpenVPN or
# RDP-UDP, that carrier, with OpenVPN's tls-auth HMAC size as attrib found
# it); then, for what is left, the cited TCP connections with out-of-order
# segments reassembled, and the cited OpenVPN sessions' control messages
# put end to end and read as TLS. A value tshark then shows at a cited
# frame (or earlier in its connection or session) counts as confirmed, and
# is listed so.
#
# Each disagreement (capture, kind, side, value, reason) goes to
# build/oracle/tshark-indicators.log; reasons are guessed from tshark's
# protocol stack of the frames carrying the value (QUIC, tunnel, malformed,
# mDNS/LLMNR, SSDP, DTLS, ...), "unexplained" otherwise. The last line is
# "tshark-indicators: K of 8 kinds at or above their thresholds"; exit
# status 1 when K < 8 (THRESHOLDS in tshark_compare.py: 99% both ways).
# tshark's output per capture is cached in build/oracle/tshark-cache under
# the hashes of the capture, tshark's version and the arguments
# (tshark-run.sh), and read from there by tshark-communityid.sh.
# Skips (exit 0, with a message) only when tshark is not installed.
# ATTRIB_ORACLE_JOBS sets the parallelism (default 2).
set -eu

# --- one capture (run by xargs below) ---------------------------------
if [ "${1:-}" = "--one" ]; then
	. "$HERE/tshark-run.sh"
	file=$2
	name=$(basename "$file")
	base="$WORK/$name"
	: >"$base.err"
	: >"$base.json"
	: >"$base.n"
	: >"$base.c"
	printf "%s\n" "$file" >"$base.path"
	rc=0
	"$ATTRIB_BIN" ingest --db "$base.db" "$file" >/dev/null 2>"$base.aerr" || rc=$?
	[ $rc -eq 0 ] || echo "attrib ingest exit $rc: $(head -c 200 "$base.aerr" | tr '\n' ' ')" >>"$base.err"
	if [ -s "$base.db" ]; then
		"$ATTRIB_BIN" indicators --db "$base.db" --json 2>>"$base.err" |
			grep -E "$KEEP" >"$base.json" || true
		# Which values are nDPI's (impl=ndpi), for the reasons only.
		sqlite3 -separator '	' "$base.db" "SELECT DISTINCT kind, value
			FROM observations WHERE detail LIKE '%impl=ndpi%'" \
			>"$base.n" 2>>"$base.err" || true
		# Which values attrib read inside a carrier (OpenVPN, RDP-UDP),
		# for the confirmation pass: kind, value, frame, detail.
		sqlite3 -separator '	' "$base.db" "SELECT DISTINCT kind,
			value, frame, detail FROM observations
			WHERE detail LIKE '%carrier=%'" \
			>"$base.c" 2>>"$base.err" || true
	fi
	# tshark's reading (cached: tshark-run.sh)
	rc=0
	tshark_fields "$file" "$base.t" "$base.terr" || rc=$?
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
	echo "tshark-indicators: no capture folder $pcaps" >&2
	exit 2
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
. "$HERE/tshark-run.sh"
# attrib's lines the report reads: the compared kinds, and the anomalies that
# explain disagreements (REASON_ANOMALIES in tshark_compare.py).
KEEP='"kind":"(dns\.query|dns\.answer|tls\.cert\.san|tls\.cert\.serial|tls\.sni|tls\.ja3|http\.host|http\.user_agent)"|"value":"(tls_malformed|dns_malformed|field_too_long|ipv4_fragment|ipv6_fragment)"'
export WORK ATTRIB_BIN HERE KEEP

find "$pcaps" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \
	-o -name '*.cap' \) -print0 |
	LC_ALL=C sort -z |
	xargs -0 -r -n1 -P"${ATTRIB_ORACLE_JOBS:-2}" sh "$0" --one

rc=0
python3 "$HERE/tshark_compare.py" report "$WORK" "$log" || rc=$?
exit $rc
