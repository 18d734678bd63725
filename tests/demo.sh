#!/bin/sh
# make demo: ingests the bundled sample captures into a fresh case and
# writes the case summary into a report folder, then says where it is.
#   usage: tests/demo.sh ATTRIB [OUTDIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
out=${2:-$root/build/demo}
mkdir -p "$out"
rm -f "$out/case.db" "$out/case.db-wal" "$out/case.db-shm"
"$bin" ingest --db "$out/case.db" "$root/pcaps/samples"
"$bin" summary --db "$out/case.db" > "$out/summary.txt"
cat "$out/summary.txt"
echo "demo: evidence database $out/case.db"
echo "demo: summary written to $out/summary.txt (open it with any text viewer: less $out/summary.txt)"
