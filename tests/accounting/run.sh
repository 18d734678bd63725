#!/bin/sh
# No silent loss. Every packet is in a flow or counted under the named
# reason it could not be placed in one (anomalies rows "no_flow.<name>"):
#  1. a crafted PPPoE capture with PPP protocol-field compression gives its
#     HTTP user agent and accounts for its ARP and LCP packets;
#  2. over every shared capture (../shared/pcaps/ndpi), per source,
#     packets = packets in flows + packets without a flow.
#   usage: tests/accounting/run.sh ATTRIB [PCAP_DIR]
set -u
bin=${1:?usage: run.sh ATTRIB [PCAP_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
dir=${2:-${ATTRIB_PCAPS:-$here/../../../shared/pcaps/ndpi}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# the per-source accounting query: sources whose packets are not all placed
unaccounted="SELECT s.path || ': ' || s.packets || ' packets, ' || inflow ||
  ' in flows, ' || noflow || ' without a flow' FROM (SELECT s.id, s.path,
  s.packets, (SELECT coalesce(sum(packets_c2s+packets_s2c),0) FROM flows f
  WHERE f.source_id=s.id) inflow, (SELECT coalesce(sum(count),0) FROM
  anomalies a WHERE a.source_id=s.id AND a.name GLOB 'no_flow.*') noflow
  FROM sources s) s WHERE packets != inflow + noflow"

python3 "$here/pppoe_pfc.py" "$work/pfc.pcap" || exit 1
"$bin" ingest --db "$work/pfc.db" "$work/pfc.pcap" > /dev/null 2>&1
ua=$("$bin" indicators --db "$work/pfc.db" --kind http.user_agent | grep -c 'pfc-test-agent/1.0')
nonip=$(sqlite3 "$work/pfc.db" "SELECT count FROM anomalies WHERE name='no_flow.link_non_ip'")
flows=$(sqlite3 "$work/pfc.db" "SELECT count(*) FROM flows")
if [ "$ua" -ge 1 ] && [ "$nonip" = 2 ] && [ "$flows" = 1 ]; then
  echo "accounting: PPPoE with protocol-field compression: 1 flow, user agent read, 2 non-IP packets named"
else
  echo "accounting: PPPoE with protocol-field compression: user agent $ua, flows $flows, no_flow.link_non_ip '$nonip' (want 1, 1, 2)"
  fail=1
fi
bad=$(sqlite3 "$work/pfc.db" "$unaccounted")
[ -z "$bad" ] || { echo "accounting: $bad"; fail=1; }

if [ ! -d "$dir" ]; then
  echo "accounting: no shared captures at $dir (set ATTRIB_PCAPS); corpus part skipped"
  exit $fail
fi
"$bin" ingest --db "$work/all.db" "$dir" > /dev/null 2> "$work/err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
  echo "accounting: ingest of $dir exited $rc"; tail -5 "$work/err"; exit 1
fi
sqlite3 "$work/all.db" "$unaccounted" > "$work/bad"
n=$(sqlite3 "$work/all.db" "SELECT count(*) FROM sources")
p=$(sqlite3 "$work/all.db" "SELECT sum(packets) FROM sources")
nf=$(sqlite3 "$work/all.db" "SELECT coalesce(sum(count),0) FROM anomalies WHERE name GLOB 'no_flow.*'")
nbad=$(wc -l < "$work/bad")
echo "accounting: $n shared captures, $p packets, $nf without a flow (each under a named reason), $nbad captures with packets unaccounted"
sqlite3 "$work/all.db" "SELECT '  ' || substr(name,9) || ' ' || sum(count) FROM anomalies WHERE name GLOB 'no_flow.*' GROUP BY name ORDER BY sum(count) DESC"
head -20 "$work/bad" | sed 's/^/accounting: unaccounted: /'
[ "$nbad" -eq 0 ] || fail=1
exit $fail
