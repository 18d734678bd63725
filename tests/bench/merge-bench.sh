#!/bin/sh
# merge-bench.sh — speed of `attrib merge` (docs/scale-out.md): the
# benchmark capture (or MERGE_BENCH_PCAP) is cut by time into 4 parts
# (editcap -i), each part ingested into its own shard case, and the 4
# shards merged, at two sizes: the first half of the capture's packets and
# all of them. Prints, per size, the rows merged (sources, anomalies,
# flows, observations, custody lines), the merge's wall time (median of
# ROUNDS, default 3) and rows/s, then the ratio of the per-row times
# (1.0 = linear in rows). Each round's own line splits the time into the
# verification of the 4 inputs (source files re-hashed, cited packets
# re-read), the copy (rows/s) and the behaviour and indicators rebuilt.
#   usage: tests/bench/merge-bench.sh ATTRIB
# The capture is not built here: run `make bench` (tests/bench/run.sh
# builds and caches it) or give MERGE_BENCH_PCAP.
set -eu
attrib=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pcap=${MERGE_BENCH_PCAP:-${ATTRIB_BENCH_DIR:-/var/cache/attrib-bench}/bench.pcap}
rounds=${ROUNDS:-3}
[ -s "$pcap" ] || { echo "merge-bench: no capture at $pcap" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC

now() { date +%s.%N; }

# bench SIZE FILE: split FILE in 4 by time, ingest, time the merge
bench() {
	size=$1 file=$2 dir=$work/$1
	mkdir -p "$dir/parts"
	first=$(capinfos -T -r -S -a "$file" | cut -f2 | cut -d. -f1)
	last=$(capinfos -T -r -S -e "$file" | cut -f2 | cut -d. -f1)
	[ -n "$first" ] && [ -n "$last" ] || { echo "merge-bench: capinfos failed on $file" >&2; exit 2; }
	span=$(( (last - first) / 4 + 1 ))
	editcap -i "$span" "$file" "$dir/parts/part.pcap"
	k=0
	for p in "$dir"/parts/*; do
		"$attrib" ingest --db "$dir/shard-$k.db" "$p" > /dev/null
		k=$((k + 1))
	done
	times=""
	for r in $(seq 1 "$rounds"); do
		rm -f "$dir/merged.db" "$dir/merged.db-wal" "$dir/merged.db-shm" "$dir/merged.db.head"
		t0=$(now)
		"$attrib" merge --db "$dir/merged.db" "$dir"/shard-*.db > "$dir/merge.out"
		t1=$(now)
		times="$times $(echo "$t1 - $t0" | bc -l)"
		grep '^time: ' "$dir/merge.out" | sed "s/^time:/  merge $size round $r:/"
	done
	secs=$(printf '%s\n' $times | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	rows=$(sqlite3 "$dir/merged.db" "SELECT (SELECT count(*) FROM sources)+(SELECT count(*) FROM anomalies)+(SELECT count(*) FROM flows)+(SELECT count(*) FROM observations)+(SELECT count(*) FROM custody)")
	parts=$(ls "$dir"/parts | wc -l)
	printf 'merge %-5s %d parts of %s: %d rows in %.2f s (median of %d): %.0f rows/s\n' \
		"$size" "$parts" "$(basename "$file")" "$rows" "$secs" "$rounds" \
		"$(echo "$rows / $secs" | bc -l)"
	echo "$rows $secs" > "$work/$size.result"
}

packets=$(capinfos -T -r -c "$pcap" | cut -f2)
editcap -r "$pcap" "$work/half.pcap" "1-$((packets / 2))"
bench half "$work/half.pcap"
rm -f "$work/half.pcap"
bench full "$pcap"
read -r rh sh < "$work/half.result"
read -r rf sf < "$work/full.result"
printf 'merge: time per row, full / half: %.2f (1.00 = linear in rows)\n' \
	"$(echo "($sf / $rf) / ($sh / $rh)" | bc -l)"
