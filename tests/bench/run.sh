#!/bin/sh
# make bench: times `attrib ingest` (whole ingest, SQLite evidence included)
# with --jobs 1, 2, 4 and 8 (the default is the online cores), beside
# `ndpiReader -q -i` (same nDPI) and a raw libpcap read on the benchmark
# capture, in alternating rounds, and prints per --jobs the medians of wall
# and CPU (user + sys) time, the ratio to ndpiReader, MB/s, packets/s and
# peak RSS, the speed-up over --jobs 1, and the case's bytes per
# observation. Then the default ingest of a capture twice the size (built
# once by the same script with twice the copies, cached) for peak RSS.
# Targets (DESIGN.md): default <= 0.45 x ndpiReader wall time, --jobs 1
# <= 0.6 x, --jobs 2 >= 1.6 x faster than --jobs 1, 4 and 8 not slower
# than 2, peak RSS <= 100 MB at every --jobs and no growth with the size.
# With a second binary built with -DATTRIB_BENCH_NO_CHAIN (the chain's
# encoding and hashing left out), it also reports what the chain costs
# (target <= 15%).
# With two more benchmark-only binaries, -DATTRIB_BENCH_NO_STORE (no flow or
# observation rows written) and that plus -DATTRIB_BENCH_NO_EXTRACT (read,
# SHA-256, decode, flows and nDPI only), it shows where the time goes
# (--jobs 1): what storing the evidence costs, what extraction costs, and
# the floor that reading, hashing and detection alone set.
#   usage: tests/bench/run.sh ATTRIB [ATTRIB_NO_CHAIN [ATTRIB_NO_STORE ATTRIB_DPI_ONLY]]
#          (ROUNDS=3, JOBS="1 2 4 8", BENCH_2X=0 to skip the double-size
#          capture, ATTRIB_BENCH_DIR=...)
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
nochain=
[ $# -ge 2 ] && nochain=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
nostore= dpionly=
if [ $# -ge 4 ]; then
  nostore=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
  dpionly=$(cd "$(dirname "$4")" && pwd)/$(basename "$4")
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${ROUNDS:-3}
jobs_list=${JOBS:-1 2 4 8}
cores=$(getconf _NPROCESSORS_ONLN)
cache=${ATTRIB_BENCH_DIR:-/var/cache/attrib-bench}
pcap=$cache/bench.pcap
builder=$root/../shared/bench/build-bench-pcap.sh
mkdir -p "$cache"
if [ ! -s "$pcap" ]; then
  [ -x "$builder" ] || [ -f "$builder" ] || { echo "bench: $builder not found" >&2; exit 2; }
  echo "bench: building $pcap (once; cached)"
  sh "$builder" "$pcap.tmp" && mv "$pcap.tmp" "$pcap"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/pcapread" "$root/tests/bench/pcapread.c" -lpcap
size=$(stat -L -c %s "$pcap")
packets=$("$work/pcapread" "$pcap" | cut -d' ' -f1)
# measure NAME CMD...: appends "wall_s rss_kb cpu_s" to $work/NAME
measure() {
  name=$1; shift
  /usr/bin/time -f '%e %M %U %S' -o "$work/t" "$@" > /dev/null 2> "$work/err" || {
    echo "bench: $name failed:" >&2; tail -5 "$work/err" >&2; exit 3; }
  awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/t" >> "$work/$name"
}
cat "$pcap" > /dev/null   # warm the page cache for every contender alike
i=1
while [ $i -le "$rounds" ]; do
  line=
  for jn in $jobs_list; do
    rm -f "$work/j$jn.db" "$work/j$jn.db-wal" "$work/j$jn.db-shm" "$work/j$jn.db.head"
    measure "jobs$jn" "$bin" ingest --jobs "$jn" --db "$work/j$jn.db" "$pcap"
    line="$line, --jobs $jn $(tail -1 "$work/jobs$jn" | cut -d' ' -f1) s"
  done
  if [ -n "$nochain" ]; then
    rm -f "$work/nc.db" "$work/nc.db-wal" "$work/nc.db-shm" "$work/nc.db.head"
    measure nochain "$nochain" ingest --jobs 1 --db "$work/nc.db" "$pcap"
  fi
  if [ -n "$nostore" ]; then
    rm -f "$work/ns.db" "$work/ns.db-wal" "$work/ns.db-shm" "$work/ns.db.head"
    measure nostore "$nostore" ingest --jobs 1 --db "$work/ns.db" "$pcap"
    rm -f "$work/dp.db" "$work/dp.db-wal" "$work/dp.db-shm" "$work/dp.db.head"
    measure dpionly "$dpionly" ingest --jobs 1 --db "$work/dp.db" "$pcap"
  fi
  measure ndpi ndpiReader -q -i "$pcap"
  measure pcap "$work/pcapread" "$pcap"
  echo "bench: round $i$line, ndpiReader $(tail -1 "$work/ndpi" | cut -d' ' -f1) s, libpcap $(tail -1 "$work/pcap" | cut -d' ' -f1) s"
  i=$((i + 1))
done
if [ -n "$nochain" ]; then
  c=$(cut -d' ' -f1 "$work/jobs1" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  nc=$(cut -d' ' -f1 "$work/nochain" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  awk -v c="$c" -v nc="$nc" 'BEGIN { printf "bench: hash chain cost: %.2f s with, %.2f s without encoding and hashing: %+.1f%% (target <= 15%%)\n", c, nc, 100*(c-nc)/nc }'
fi
median() { cut -d' ' -f"$2" "$work/$1" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
maxcol() { cut -d' ' -f"$2" "$work/$1" | sort -g | tail -1; }
n=$(median ndpi 1); nc=$(median ndpi 3); nrss=$(maxcol ndpi 2)
p=$(median pcap 1); pc=$(median pcap 3)
j1=$(median jobs1 1)
first=$(echo $jobs_list | cut -d' ' -f1)
db=$work/j$first.db
flows=$(sqlite3 "$db" 'SELECT count(*) FROM flows')
obs=$(sqlite3 "$db" 'SELECT count(*) FROM observations')
casebytes=$(sqlite3 "$db" 'PRAGMA page_count' | awk -v ps="$(sqlite3 "$db" 'PRAGMA page_size')" '{print $1 * ps}')
if [ -n "$nostore" ]; then
  s=$(median nostore 1); d=$(median dpionly 1)
  awk -v a="$j1" -v s="$s" -v d="$d" -v n="$n" 'BEGIN {
    printf "bench: where the time goes (--jobs 1, medians, wall): read + SHA-256 + decode + flows + nDPI %.2f s (%.3f x ndpiReader); + extraction %.2f s (%.3f x); + evidence rows, indicators, indexes %.2f s (%.3f x)\n", d, d/n, s, s/n, a, a/n
    printf "bench:   extraction %.2f s, storing the evidence %.2f s (%.0f%% of the ingest)\n", s-d, a-s, 100*(a-s)/a }'
fi
awk -v size="$size" -v pk="$packets" -v flows="$flows" -v obs="$obs" \
    -v cb="$casebytes" -v r="$rounds" 'BEGIN {
  printf "bench: %s, %.1f MB, %d packets, %d flows and %d observations stored; median of %d rounds (wall; CPU = user + sys)\n", "bench.pcap", size/1e6, pk, flows, obs, r
  printf "bench: case %.1f MB: %.0f bytes per observation (flows, indicators and indexes included)\n", cb/1e6, cb/obs }'
ok=1
j2=
for jn in $jobs_list; do
  a=$(median jobs$jn 1); ac=$(median jobs$jn 3); rss=$(maxcol jobs$jn 2)
  [ "$jn" = 2 ] && j2=$a
  tag=
  [ "$jn" = "$cores" ] && tag=" (default)"
  awk -v jn="$jn" -v a="$a" -v ac="$ac" -v n="$n" -v j1="$j1" -v size="$size" \
      -v pk="$packets" -v rss="$rss" -v tag="$tag" 'BEGIN {
    printf "bench: attrib --jobs %-2s %6.2f s (CPU %6.2f s)  %.3f x ndpiReader  %7.1f MB/s  %9.0f packets/s  peak RSS %6.1f MB  speed-up %.2f x%s\n", jn, a, ac, a/n, size/1e6/a, pk/a, rss/1024, j1/a, tag }'
  awk -v rss="$rss" 'BEGIN { exit rss/1024 <= 100 ? 0 : 1 }' || ok=0
  if [ "$jn" = "$cores" ]; then
    awk -v a="$a" -v n="$n" 'BEGIN { exit a/n <= 0.45 ? 0 : 1 }' || ok=0
  fi
  if [ -n "$j2" ] && [ "$jn" -gt 2 ]; then
    awk -v a="$a" -v j2="$j2" 'BEGIN { exit a <= j2 * 1.05 ? 0 : 1 }' || ok=0
  fi
done
awk -v n="$n" -v nc="$nc" -v nrss="$nrss" -v p="$p" -v pc="$pc" -v size="$size" -v pk="$packets" 'BEGIN {
  printf "bench: ndpiReader -q   %6.2f s (CPU %6.2f s)  %7.1f MB/s  %9.0f packets/s  peak RSS %6.1f MB\n", n, nc, size/1e6/n, pk/n, nrss/1024
  printf "bench: libpcap read    %6.2f s (CPU %6.2f s)  %7.1f MB/s\n", p, pc, size/1e6/p }'
awk -v j1="$j1" -v n="$n" 'BEGIN { exit j1/n <= 0.6 ? 0 : 1 }' || ok=0
if [ -n "$j2" ]; then
  awk -v j1="$j1" -v j2="$j2" 'BEGIN { exit j1/j2 >= 1.6 ? 0 : 1 }' || ok=0
fi
# Peak RSS must not grow with the file: the default ingest of a capture
# twice the size (built once, cached beside the first).
if [ "${BENCH_2X:-1}" != 0 ]; then
  pcap2=$cache/bench-2x.pcap
  if [ ! -s "$pcap2" ]; then
    echo "bench: building $pcap2 (twice the copies; once, cached)"
    sh "$builder" "$pcap2.tmp" 48 && mv "$pcap2.tmp" "$pcap2"
  fi
  rm -f "$work/x2.db" "$work/x2.db-wal" "$work/x2.db-shm" "$work/x2.db.head"
  measure twice "$bin" ingest --db "$work/x2.db" "$pcap2"
  if [ -f "$work/jobs$cores" ]; then rss1=$(maxcol jobs$cores 2); else rss1=$(maxcol jobs$first 2); fi
  rss2=$(maxcol twice 2)
  awk -v a="$rss1" -v b="$rss2" -v t="$(median twice 1)" -v s="$(stat -L -c %s "$pcap2")" 'BEGIN {
    printf "bench: twice the size (%.1f MB): default ingest %.2f s, peak RSS %.1f MB (%.1f MB on the first: %+.1f%%)\n", s/1e6, t, b/1024, a/1024, 100*(b-a)/a
    exit b <= a * 1.1 && b/1024 <= 100 ? 0 : 1 }' || ok=0
fi
if [ $ok = 1 ]; then
  echo "bench: targets MET (default <= 0.45 x ndpiReader, --jobs 1 <= 0.6 x, --jobs 2 >= 1.6 x --jobs 1, 4 and 8 not slower than 2, peak RSS <= 100 MB, no growth)"
else
  echo "bench: targets NOT MET (default <= 0.45 x ndpiReader, --jobs 1 <= 0.6 x, --jobs 2 >= 1.6 x --jobs 1, 4 and 8 not slower than 2, peak RSS <= 100 MB, no growth)"
  exit 1
fi
