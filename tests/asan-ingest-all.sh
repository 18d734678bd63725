#!/bin/sh
# Ingests every shared capture with the ASan+UBSan build, one process per
# file, each into its own case, with a time limit. A capture passes when
# attrib exits 0 (clean) or 2 (input error reported) with no sanitizer
# report; a crash, a sanitizer report, exit 3 or a hang fails it.
#   usage: tests/asan-ingest-all.sh build/asan/attrib [PCAP_DIR]
set -u
bin=${1:?usage: asan-ingest-all.sh ATTRIB [PCAP_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
dir=${2:-${ATTRIB_PCAPS:-$here/../../shared/pcaps/ndpi}}
if [ ! -d "$dir" ]; then
  echo "asan-ingest: no captures at $dir (set ATTRIB_PCAPS); skipped"
  exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ls "$dir" | sort | sed "s|^|$dir/|" > "$out/list"
xargs -P 2 -n 1 sh "$here/asan-ingest-one.sh" "$bin" "$out" < "$out/list" > "$out/results"
total=$(wc -l < "$out/results")
nbad=$(grep -vc '^OK ' "$out/results" || true)
grep -v '^OK ' "$out/results" | sort | while read -r what b; do
  echo "asan-ingest: $what $b"; tail -15 "$out/$b.err" | sed 's/^/    /'
done
inputerr=$(grep -c ' rc=2$' "$out/results" || true)
echo "asan-ingest: $total captures, $nbad failures (crash, sanitizer report or hang), $inputerr with input errors reported"
echo "asan-ingest: $((total - nbad)) passed, $nbad failed"
[ "$nbad" -eq 0 ]
