#!/bin/sh
# ndpi-agreement.sh — oracle: attrib's per-flow protocol against ndpiReader.
#
#   sh tests/oracle/ndpi-agreement.sh build/attrib
#
# For every capture in ../shared/pcaps/ndpi (override with ATTRIB_PCAPS) it
# runs the reference reader of the same nDPI library,
#     ndpiReader -q -t -v 2 -i FILE -C OUT.csv
# (-t decodes GTP/TZSP/CAPWAP tunnels as attrib does; -v 2 makes the CSV
# list every flow, unknown ones included — without -v only detected flows
# are written, with -v 1 only undetected ones), and
#     ATTRIB ingest --db CASE.db FILE
# then matches flows by 5-tuple: IP protocol number, both addresses and
# both ports, in either order; ports count only for TCP and UDP (ndpiReader
# reports 0 for the rest); VLAN and tunnel ids are ignored. A 5-tuple seen
# several times on one side (attrib splits flows on idle/TCP-end timeouts,
# ndpiReader does not) is matched in order of first packet time. Protocol
# names are compared as written: both sides print them with nDPI's
# ndpi_protocol2name ("TLS.Google"), so no normalisation is needed. IPv6
# addresses are normalised to ndpiReader's spelling (see v6() below).
#
# Then every capture is ingested again, all in one run in name order, and
# each flow's verdict (protocol, category, risks, guessed) must equal the
# one it got when its capture was ingested alone: nDPI learns hosts from
# earlier flows, so without a fresh module per source a verdict could
# depend on which captures were read before.
#
# Per-capture disagreements go to build/oracle/ndpi-agreement.log; the last
# lines printed are a summary and "ndpi-agreement: N of M matched flows
# have the same protocol". Exit status is non-zero
# when fewer than 99% of matched flows agree. ATTRIB_ORACLE_JOBS sets the
# parallelism (default 2).
set -eu

# --- one capture (run by xargs below) ---------------------------------
if [ "${1:-}" = "--one" ]; then
	file=$2
	name=$(basename "$file")
	base="$WORK/$name"
	rc_n=0
	ndpiReader -q -t -v 2 -i "$file" -C "$base.csv" \
		>/dev/null 2>"$base.nerr" || rc_n=$?
	rc_a=0
	"$ATTRIB_BIN" ingest --db "$base.db" "$file" \
		>/dev/null 2>"$base.aerr" || rc_a=$?
	: >"$base.log"
	[ $rc_n -eq 0 ] || echo "$name: ndpiReader exit $rc_n" >>"$base.log"
	[ $rc_a -eq 0 ] || echo "$name: attrib ingest exit $rc_a: $(head -c 200 "$base.aerr")" >>"$base.log"
	# ndpiReader: protocol,first_seen,src,sport,dst,dport,name; the first
	# eleven CSV columns hold no commas.
	if [ -s "$base.csv" ]; then
		LC_ALL=C awk -F, '!/^#/ && NF >= 11 {
			print $2 "|" $3 "|" $6 "|" $7 "|" $8 "|" $9 "|" $11 }' \
			"$base.csv" | LC_ALL=C sort -t'|' -k2,2n >"$base.n"
	else
		: >"$base.n"
	fi
	if [ -s "$base.db" ]; then
		sqlite3 -separator '|' "$base.db" \
			"SELECT l4_proto, first_ts_us / 1e6, client, client_port,
			        server, server_port, proto FROM flows
			 ORDER BY first_ts_us, id" >"$base.a" 2>>"$base.log" || true
	else
		: >"$base.a"
	fi
	LC_ALL=C awk -F'|' -v cap="$name" -v stat="$base.stat" '
	# ndpiReader rewrites every ":0:" of an IPv6 address to "::" (so
	# 2001:db8:0:1:: prints as 2001:db8::1::); do the same to attrib'"'"'s.
	function v6(a) { if (index(a, ":")) gsub(/:0:/, "::", a); return a }
	function key(l4, a, ap, b, bp,    x, y) {
		if (l4 != 6 && l4 != 17) { ap = 0; bp = 0 }
		x = a "]:" ap; y = b "]:" bp
		return (x < y) ? l4 " [" x " <-> [" y : l4 " [" y " <-> [" x
	}
	FILENAME == ARGV[1] {
		k = key($1, $3, $4, $5, $6)
		nn[k]++; nname[k, nn[k]] = $7
		if (!(k in seen)) { seen[k] = 1; order[++nkeys] = k }
		next
	}
	{
		k = key($1, v6($3), $4, v6($5), $6)
		i = ++na[k]
		if (i <= nn[k]) {
			matched++
			if ($7 == nname[k, i]) same++
			else printf "%s: DIFF %s attrib=%s ndpiReader=%s\n",
				cap, k, $7, nname[k, i]
		} else {
			only_a++
			printf "%s: ONLY-ATTRIB %s #%d %s\n", cap, k, i, $7
		}
	}
	END {
		for (j = 1; j <= nkeys; j++) {
			k = order[j]
			for (i = na[k] + 1; i <= nn[k]; i++) {
				only_n++
				printf "%s: ONLY-NDPI %s #%d %s\n", cap, k, i,
					nname[k, i]
			}
		}
		printf "%d %d %d %d\n", matched, same, only_a, only_n > stat
	}' "$base.n" "$base.a" >>"$base.log"
	# this capture's verdicts alone, for the order check below
	if [ -s "$base.db" ]; then
		sqlite3 -separator '|' "$base.db" \
			"SELECT '$name', id % $FLOW_STRIDE, proto, category, risk,
			        guessed FROM flows" >"$base.verdicts" 2>/dev/null || true
	fi
	rm -f "$base.csv" "$base.db" "$base.db-wal" "$base.db-shm" \
		"$base.db.head" "$base.n" "$base.a" "$base.nerr" "$base.aerr"
	exit 0
fi

# --- driver ---------------------------------------------------------------
if [ $# -lt 1 ]; then
	echo "usage: $0 ATTRIB_BINARY" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pcaps=${ATTRIB_PCAPS:-$here/../../../shared/pcaps/ndpi}
case $1 in
/*) ATTRIB_BIN=$1 ;;
*) ATTRIB_BIN=$(pwd)/$1 ;;
esac
for tool in ndpiReader sqlite3; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "ndpi-agreement: $tool not found" >&2
		exit 2
	fi
done
if [ ! -x "$ATTRIB_BIN" ]; then
	echo "ndpi-agreement: $ATTRIB_BIN is not executable" >&2
	exit 2
fi
if [ ! -d "$pcaps" ]; then
	echo "ndpi-agreement: no capture folder $pcaps" >&2
	exit 2
fi
outdir=$root/build/oracle
log=$outdir/ndpi-agreement.log
mkdir -p "$outdir"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndpi-agreement.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
# flow ids are source id * FLOW_ID_STRIDE + rank (analyze/evidence)
FLOW_STRIDE=1000000000
export WORK ATTRIB_BIN FLOW_STRIDE

find "$pcaps" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \
	-o -name '*.cap' \) -print0 |
	LC_ALL=C sort -z >"$WORK/files"
xargs -0 -n1 -P"${ATTRIB_ORACLE_JOBS:-2}" sh "$0" --one <"$WORK/files"

# Order independence: every capture ingested in one run, in name order,
# must get the verdicts (protocol, category, risks, guessed) it gets when
# ingested alone; nDPI learns hosts from earlier flows, and attrib starts
# each source with a fresh module so that nothing carries over.
xargs -0 "$ATTRIB_BIN" ingest --db "$WORK/all.db" <"$WORK/files" \
	>/dev/null 2>"$WORK/all.err" || true
find "$WORK" -name '*.verdicts' -print0 | xargs -0 cat | LC_ALL=C sort \
	>"$WORK/alone"
sqlite3 -separator '|' "$WORK/all.db" \
	"SELECT replace(s.path, rtrim(s.path, replace(s.path, '/', '')), ''),
	        f.id % $FLOW_STRIDE, f.proto, f.category, f.risk, f.guessed
	 FROM flows f JOIN sources s ON s.id = f.source_id" |
	LC_ALL=C sort >"$WORK/together"
order_flows=$(wc -l <"$WORK/together")
order_diff=$(LC_ALL=C comm -3 "$WORK/alone" "$WORK/together" | wc -l)

captures=$(find "$WORK" -name '*.stat' | wc -l)
{
	echo "# ndpi-agreement $(date -u +%Y-%m-%dT%H:%M:%SZ) attrib=$ATTRIB_BIN"
	echo "# $(ndpiReader -h 2>/dev/null | head -1)"
	echo "# DIFF: same 5-tuple, other protocol; ONLY-*: 5-tuple (#n-th" \
		"occurrence) on one side only"
	find "$WORK" -name '*.log' -print0 | LC_ALL=C sort -z |
		xargs -0 cat
	echo "# order: verdicts ingested alone (<) and in one run (>)"
	LC_ALL=C comm -3 "$WORK/alone" "$WORK/together" |
		sed 's/^\t/> /; /^[^>]/s/^/< /'
} >"$log"
echo "order: $order_flows flows of $(tr -cd '\0' <"$WORK/files" | wc -c) captures ingested in one run; $order_diff lines differ from each capture ingested alone" | tee -a "$log"
[ "$order_flows" -gt 0 ] && [ "$order_diff" -eq 0 ] || order_fail=1
find "$WORK" -name '*.stat' -print0 | xargs -0 cat | awk \
	-v captures="$captures" -v logfile="$log" '
	{ m += $1; s += $2; a += $3; n += $4 }
	END {
		pct = m ? 100 * s / m : 0
		line = sprintf("flows matched %d, same protocol %d (%.2f%%), " \
			"only in attrib %d, only in ndpiReader %d; %d captures",
			m, s, pct, a, n, captures)
		print line
		print line >> logfile
		printf "details: %s\n", logfile
		printf "ndpi-agreement: %d of %d matched flows have the same protocol\n", s, m
		exit (m > 0 && s * 100 >= 99 * m) ? 0 : 1
	}' || exit 1
[ -z "${order_fail:-}" ] || { echo "ndpi-agreement: verdicts depend on ingest order" >&2; exit 1; }
