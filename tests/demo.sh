#!/bin/sh
# make demo: ingests the bundled captures (pcaps/samples: real traffic;
# pcaps/lab: generated scenarios with known beacons and working hours)
# into a fresh case and writes what attrib finds into a report folder:
#   summary.txt       sources, flows by protocol, anomalies
#   indicators.txt    every observation, with frame and source hash
#   indicators.jsonl  the same, one JSON object per line
#   behaviour.txt     beacons and activity-hours estimates
#   verify.txt        the chain-of-custody check
#   usage: tests/demo.sh ATTRIB [OUTDIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
out=${2:-$root/build/demo}
mkdir -p "$out"
rm -f "$out/case.db" "$out/case.db-wal" "$out/case.db-shm" "$out/case.db.head"
"$bin" ingest --db "$out/case.db" "$root/pcaps/samples" "$root/pcaps/lab"
"$bin" summary --db "$out/case.db" > "$out/summary.txt"
"$bin" indicators --db "$out/case.db" > "$out/indicators.txt"
"$bin" indicators --db "$out/case.db" --json > "$out/indicators.jsonl"
{ "$bin" indicators --db "$out/case.db" --kind beacon
  echo
  "$bin" indicators --db "$out/case.db" --kind activity.hours; } > "$out/behaviour.txt"
"$bin" verify --db "$out/case.db" > "$out/verify.txt"
cat "$out/summary.txt"
echo "Beacons found (pcaps/gen/scenarios/*.truth has the truth):"
"$bin" indicators --db "$out/case.db" --kind beacon | sed 's/^/  /'
echo
grep "^verdict" "$out/verify.txt"
echo
echo "demo: report folder $out (evidence database case.db, head file case.db.head)"
echo "demo: open the text files with any viewer, e.g. less $out/behaviour.txt"
