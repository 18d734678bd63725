#!/bin/sh
# tshark-communityid.sh — oracle: the Community ID attrib stores on every
# flow against tshark's on the same packets.
#
#   sh tests/oracle/tshark-communityid.sh build/attrib
#
# For every capture in ../shared/pcaps/ndpi (override with ATTRIB_PCAPS):
#     ATTRIB ingest --db CASE.db FILE
#     sqlite3 CASE.db "SELECT first_frame, community_id FROM flows"
#     tshark -r FILE --enable-protocol communityid -T fields
#            -e frame.number ... -e communityid
# (tshark-run.sh: the same reading tshark-indicators.sh compares with,
# read from its cache when that oracle ran first) with IP reassembly on
# in both: attrib reassembles IP fragments before
# flows see them, so a fragmented datagram belongs to the flow of its
# ports, as in tshark.
# A flow agrees when tshark's Community ID of the flow's first frame equals
# attrib's (tshark computes one per packet; a flow's packets all share
# it, and the first is the packet attrib computed it from). When tshark
# shows several (a tunnelled packet: one per IP layer), attrib's must be
# one of them — the innermost, which attrib's flows are keyed on. Flows
# where neither side has a value (a protocol the spec cannot hash, e.g. a
# fragment without its L4 header) agree too; flows where only one has a
# value disagree. Prints "tshark-communityid: A of N flows agree (P%)";
# the disagreements go to build/oracle/tshark-communityid.log. Exit 1 when
# agreement is below ATTRIB_CID_MIN (default 99.0 percent). Skips (exit 0)
# without tshark.
set -eu

if [ "${1:-}" = "--one" ]; then
	. "$HERE/tshark-run.sh"
	file=$2
	base="$WORK/$(basename "$file")"
	"$ATTRIB_BIN" ingest --db "$base.db" "$file" >/dev/null 2>&1 || true
	if [ -s "$base.db" ]; then
		sqlite3 -separator '	' "$base.db" "SELECT first_frame,
			IFNULL(community_id, ''), l4_proto FROM flows" >"$base.a"
	else
		: >"$base.a"
	fi
	tshark_fields "$file" "$base.t" "$base.terr" || : >"$base.t"
	rm -f "$base.db" "$base.db-wal" "$base.db-shm" "$base.db.head"
	exit 0
fi

[ $# -ge 1 ] || { echo "usage: $0 ATTRIB_BINARY" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$HERE/../.." && pwd)
pcaps=${ATTRIB_PCAPS:-$root/../shared/pcaps/ndpi}
case $1 in /*) ATTRIB_BIN=$1 ;; *) ATTRIB_BIN=$(pwd)/$1 ;; esac
if ! command -v tshark >/dev/null 2>&1; then
	echo "tshark-communityid: tshark not found, skipped"
	exit 0
fi
[ -d "$pcaps" ] || { echo "tshark-communityid: no folder $pcaps" >&2; exit 2; }
. "$HERE/tshark-run.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tshark-cid.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
export WORK ATTRIB_BIN HERE
find "$pcaps" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \
	-o -name '*.cap' \) -print0 | LC_ALL=C sort -z |
	xargs -0 -r -n1 -P"${ATTRIB_ORACLE_JOBS:-2}" sh "$0" --one
python3 - "$WORK" "$root/build/oracle/tshark-communityid.log" \
	"${ATTRIB_CID_MIN:-99.0}" <<'PY'
import os, sys
work, log, least = sys.argv[1], sys.argv[2], float(sys.argv[3])
agree = total = 0
bad = []
for name in sorted(os.listdir(work)):
    if not name.endswith(".a"):
        continue
    cap = name[:-2]
    tshark = {}
    with open(os.path.join(work, cap + ".t"), errors="replace") as f:
        for line in f:
            # frame.number first, the Community IDs last (tshark-run.sh)
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0].isdigit():
                tshark[int(parts[0])] = [v for v in parts[-1].split("\x1f")
                                         if v]
    with open(os.path.join(work, name)) as f:
        for line in f:
            frame, cid, proto = line.rstrip("\n").split("\t")
            total += 1
            theirs = tshark.get(int(frame), [])
            ok = (cid in theirs) if cid else not theirs
            if ok:
                agree += 1
            else:
                bad.append(f"{cap}\tframe {frame}\tproto {proto}\t"
                           f"attrib {cid or '-'}\ttshark {','.join(theirs) or '-'}")
with open(log, "w") as f:
    f.write("\n".join(bad) + ("\n" if bad else ""))
pct = 100.0 * agree / total if total else 0.0
print(f"tshark-communityid: {agree} of {total} flows agree ({pct:.2f}%); "
      f"disagreements in {log}")
sys.exit(0 if total and pct >= least else 1)
PY
