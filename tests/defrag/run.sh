#!/bin/sh
# IP reassembly end to end (capture/defrag.c) on crafted captures
# (make_fixtures.py: fragmented DNS responses in order, reversed,
# overlapping with different bytes, with a fragment missing, in too many
# fragments, and IPv6). For each: attrib's dns.answer values equal
# tshark's (first 32 answers per response, as attrib keeps), the named
# anomalies appear, packets are all accounted for and the case verifies.
#   usage: tests/defrag/run.sh ATTRIB
set -u
bin=${1:?usage: run.sh ATTRIB}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/make_fixtures.py" "$work" || exit 1
have_tshark=0
command -v tshark > /dev/null 2>&1 && have_tshark=1
fail=0

# check NAME ANSWERS ANOMALY...: ANSWERS is the number of distinct answers
# expected; each ANOMALY must be counted in the case
check() {
  name=$1; want=$2; shift 2
  pcap=$work/$name.pcap; db=$work/$name.db
  "$bin" ingest --db "$db" "$pcap" > /dev/null 2> "$work/$name.err" || {
    echo "defrag: $name: ingest failed"; cat "$work/$name.err"; fail=1; return; }
  sqlite3 "$db" "SELECT DISTINCT value FROM observations WHERE kind='dns.answer' ORDER BY value" > "$work/$name.attrib"
  got=$(wc -l < "$work/$name.attrib")
  msg="$got answers"
  if [ "$got" -ne "$want" ]; then
    echo "defrag: $name: $got distinct dns.answer values, want $want"; fail=1
  fi
  if [ $have_tshark -eq 1 ]; then
    tshark -r "$pcap" -T fields -e dns.a -e dns.aaaa -Y "dns.flags.response==1" 2>/dev/null |
      tr '\t' ',' | tr ',' '\n' | sed '/^$/d' | head -32 | sort -u > "$work/$name.tshark"
    if [ "$want" -gt 0 ]; then
      if cmp -s "$work/$name.attrib" "$work/$name.tshark"; then
        msg="$msg, equal to tshark's"
      else
        echo "defrag: $name: dns.answer differs from tshark's:"
        diff "$work/$name.tshark" "$work/$name.attrib" | head -10; fail=1
      fi
    fi
  fi
  for a in "$@"; do
    n=$(sqlite3 "$db" "SELECT coalesce(sum(count),0) FROM anomalies WHERE name='$a'")
    [ "$n" -gt 0 ] || { echo "defrag: $name: anomaly $a not counted"; fail=1; }
  done
  bad=$(sqlite3 "$db" "SELECT s.packets - (SELECT coalesce(sum(packets_c2s+packets_s2c),0) FROM flows) - (SELECT coalesce(sum(count),0) FROM anomalies WHERE name GLOB 'no_flow.*') FROM sources s")
  [ "$bad" = 0 ] || { echo "defrag: $name: $bad packets unaccounted"; fail=1; }
  "$bin" verify --db "$db" > /dev/null 2>&1 || { echo "defrag: $name: verify failed"; fail=1; }
  echo "defrag: $name: $msg${*:+, anomalies $*}, accounted, verified"
}

check v4-inorder 32
check v4-reverse 32
check v4-overlap 32 fragment_overlap_conflict
check v4-missing 0 fragments_incomplete
check v4-toomany 0 fragments_too_many   # tshark reassembles 80; attrib's bound is 64
check v6-inorder 32
# the cited frame completes the datagram and every fragment is named
det=$(sqlite3 "$work/v4-reverse.db" "SELECT frame || ' ' || detail FROM observations WHERE kind='dns.answer' LIMIT 1")
case $det in
  "5 "*"fragments=2,3,4,5") echo "defrag: v4-reverse: answers cite frame 5 (the completing fragment) with fragments=2,3,4,5" ;;
  *) echo "defrag: v4-reverse: citation '$det', want frame 5 and fragments=2,3,4,5"; fail=1 ;;
esac
exit $fail
