#!/bin/sh
# jobs-identical.sh ATTRIB [PCAP_DIR...] — the evidence does not depend on
# the number of flow workers: the same captures ingested with --jobs 1, 2
# and 4 give the same `attrib indicators --json`, the same flows, and the
# same rows in the same places of the hash chain (custody entries, whose
# times differ, aside: tests/ingest/evidence-dump.py).
# Default captures: pcaps/lab, pcaps/samples and the shared nDPI captures
# but two: in stun_signal.pcapng and stun_wa_call.pcapng one client socket
# talks STUN to several servers and nDPI names a later flow from its STUN
# cache of an earlier one (STUN.SignalVoip, STUN.WhatsAppCall); with the
# flows on different workers (each with its own nDPI module) the later
# flow stays STUN. docs/evidence.md ("Order", limits) says so.
set -eu
ATTRIB=${1:?usage: jobs-identical.sh ATTRIB [PCAP_DIR...]}
shift
here=$(dirname "$0")
if [ $# -eq 0 ]; then
	set -- pcaps/lab pcaps/samples
	if [ -d ../shared/pcaps/ndpi ]; then
		for f in $(ls ../shared/pcaps/ndpi/* |
			   grep -v -e /stun_signal.pcapng -e /stun_wa_call.pcapng); do
			set -- "$@" "$f"
		done
	fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for j in 1 2 4; do
	# exit 2: some captures end in an input error (truncated fuzz
	# captures), reported and kept up to the error
	rc=0
	"$ATTRIB" ingest --db "$tmp/j$j.db" --jobs "$j" "$@" \
		> "$tmp/out$j" 2> "$tmp/err$j" || rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
		echo "jobs-identical: ingest --jobs $j failed (exit $rc):"
		tail -5 "$tmp/err$j"
		exit 1
	fi
	"$ATTRIB" indicators --db "$tmp/j$j.db" --json > "$tmp/ind$j"
	python3 "$here/evidence-dump.py" "$tmp/j$j.db" > "$tmp/dump$j"
done
for j in 2 4; do
	if ! cmp -s "$tmp/ind1" "$tmp/ind$j"; then
		echo "jobs-identical: indicators differ between --jobs 1 and $j:"
		diff "$tmp/ind1" "$tmp/ind$j" | head -10
		fail=1
	fi
	if ! cmp -s "$tmp/dump1" "$tmp/dump$j"; then
		echo "jobs-identical: evidence rows differ between --jobs 1 and $j:"
		diff "$tmp/dump1" "$tmp/dump$j" | head -10 | cut -c1-300
		fail=1
	fi
	# verify re-reads the captures: its verdict must not depend on N
	v1=0 vj=0
	"$ATTRIB" verify --db "$tmp/j1.db" > "$tmp/v1" 2>&1 || v1=$?
	"$ATTRIB" verify --db "$tmp/j$j.db" > "$tmp/v$j" 2>&1 || vj=$?
	if [ $v1 -ne $vj ]; then
		echo "jobs-identical: verify exits $v1 for --jobs 1, $vj for --jobs $j"
		fail=1
	fi
done
[ "${v1:-0}" -eq 0 ] || {
	echo "jobs-identical: note: verify of the --jobs 1 case exits $v1" \
	     "(the same for every --jobs):"
	grep -v '^ok' "$tmp/v1" | head -3
}
[ $fail -eq 0 ] || exit 1
obs=$(grep -c . "$tmp/ind1" || true)
flows=$(grep -c ' flows ' "$tmp/dump1" || true)
echo "jobs-identical: --jobs 1, 2 and 4 give the same evidence" \
	"($obs observations, $flows flows, same chain order)"
