#!/bin/sh
# make bench: times `attrib ingest` (whole ingest, SQLite evidence included,
# single thread), `ndpiReader -q -i` (same nDPI) and a raw libpcap read on
# the benchmark capture, in alternating rounds, and prints the medians of
# wall and CPU (user + sys) time, the ratios, throughput and peak RSS.
# Targets (DESIGN.md): attrib <= 0.5 x ndpiReader wall time, peak RSS <=
# 100 MB, single thread. `attrib ingest --jobs 2` (the file's SHA-256 on a
# second thread) is timed too and shown apart; the targets are judged on
# the single-threaded run.
# With a second binary built with -DATTRIB_BENCH_NO_CHAIN (the chain's
# encoding and hashing left out), it also reports what the chain costs
# (target <= 15%).
# With two more benchmark-only binaries, -DATTRIB_BENCH_NO_STORE (no flow or
# observation rows written) and that plus -DATTRIB_BENCH_NO_EXTRACT (read,
# SHA-256, decode, flows and nDPI only), it shows where the time goes: what
# storing the evidence costs, what extraction costs, and the floor that
# reading, hashing and detection alone set against ndpiReader.
#   usage: tests/bench/run.sh ATTRIB [ATTRIB_NO_CHAIN [ATTRIB_NO_STORE ATTRIB_DPI_ONLY]]
#          (ROUNDS=5, ATTRIB_BENCH_DIR=...)
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
rounds=${ROUNDS:-5}
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
size=$(stat -c %s "$pcap")
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
  rm -f "$work/case.db" "$work/case.db-wal" "$work/case.db-shm" "$work/case.db.head"
  measure attrib "$bin" ingest --db "$work/case.db" "$pcap"
  rm -f "$work/j2.db" "$work/j2.db-wal" "$work/j2.db-shm" "$work/j2.db.head"
  measure jobs2 "$bin" ingest --jobs 2 --db "$work/j2.db" "$pcap"
  if [ -n "$nochain" ]; then
    rm -f "$work/nc.db" "$work/nc.db-wal" "$work/nc.db-shm" "$work/nc.db.head"
    measure nochain "$nochain" ingest --db "$work/nc.db" "$pcap"
  fi
  if [ -n "$nostore" ]; then
    rm -f "$work/ns.db" "$work/ns.db-wal" "$work/ns.db-shm" "$work/ns.db.head"
    measure nostore "$nostore" ingest --db "$work/ns.db" "$pcap"
    rm -f "$work/dp.db" "$work/dp.db-wal" "$work/dp.db-shm" "$work/dp.db.head"
    measure dpionly "$dpionly" ingest --db "$work/dp.db" "$pcap"
  fi
  measure ndpi ndpiReader -q -i "$pcap"
  measure pcap "$work/pcapread" "$pcap"
  echo "bench: round $i: attrib $(tail -1 "$work/attrib" | cut -d' ' -f1) s, --jobs 2 $(tail -1 "$work/jobs2" | cut -d' ' -f1) s, ndpiReader $(tail -1 "$work/ndpi" | cut -d' ' -f1) s, libpcap $(tail -1 "$work/pcap" | cut -d' ' -f1) s"
  i=$((i + 1))
done
if [ -n "$nochain" ]; then
  c=$(cut -d' ' -f1 "$work/attrib" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  nc=$(cut -d' ' -f1 "$work/nochain" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  awk -v c="$c" -v nc="$nc" 'BEGIN { printf "bench: hash chain cost: %.2f s with, %.2f s without encoding and hashing: %+.1f%% (target <= 15%%)\n", c, nc, 100*(c-nc)/nc }'
fi
median() { cut -d' ' -f"$2" "$work/$1" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
maxcol() { cut -d' ' -f"$2" "$work/$1" | sort -g | tail -1; }
a=$(median attrib 1); n=$(median ndpi 1); p=$(median pcap 1); j=$(median jobs2 1)
ac=$(median attrib 3); nc=$(median ndpi 3); pc=$(median pcap 3); jc=$(median jobs2 3)
arss=$(maxcol attrib 2); nrss=$(maxcol ndpi 2); jrss=$(maxcol jobs2 2)
flows=$(sqlite3 "$work/case.db" 'SELECT count(*) FROM flows')
if [ -n "$nostore" ]; then
  s=$(median nostore 1); d=$(median dpionly 1)
  awk -v a="$a" -v s="$s" -v d="$d" -v n="$n" 'BEGIN {
    printf "bench: where the time goes (medians, wall): read + SHA-256 + decode + flows + nDPI %.2f s (%.3f x ndpiReader); + extraction %.2f s (%.3f x); + evidence rows, indicators, indexes %.2f s (%.3f x)\n", d, d/n, s, s/n, a, a/n
    printf "bench:   extraction %.2f s, storing the evidence %.2f s (%.0f%% of the ingest)\n", s-d, a-s, 100*(a-s)/a }'
fi
awk -v a="$a" -v n="$n" -v p="$p" -v j="$j" -v ac="$ac" -v nc="$nc" \
    -v pc="$pc" -v jc="$jc" -v size="$size" -v pk="$packets" \
    -v arss="$arss" -v nrss="$nrss" -v jrss="$jrss" -v flows="$flows" -v r="$rounds" 'BEGIN {
  printf "bench: %s, %.1f MB, %d packets, %d flows stored; median of %d rounds (wall; CPU = user + sys)\n", "bench.pcap", size/1e6, pk, flows, r
  printf "bench: attrib ingest   %6.2f s (CPU %6.2f s)  %7.1f MB/s  %9.0f packets/s  peak RSS %6.1f MB\n", a, ac, size/1e6/a, pk/a, arss/1024
  printf "bench:   --jobs 2      %6.2f s (CPU %6.2f s)  %7.1f MB/s  %9.0f packets/s  peak RSS %6.1f MB\n", j, jc, size/1e6/j, pk/j, jrss/1024
  printf "bench: ndpiReader -q   %6.2f s (CPU %6.2f s)  %7.1f MB/s  %9.0f packets/s  peak RSS %6.1f MB\n", n, nc, size/1e6/n, pk/n, nrss/1024
  printf "bench: libpcap read    %6.2f s (CPU %6.2f s)  %7.1f MB/s\n", p, pc, size/1e6/p
  printf "bench: ratio attrib/ndpiReader %.3f wall, %.3f CPU (target <= 0.5); --jobs 2: %.3f wall; attrib/libpcap read %.1f\n", a/n, ac/nc, j/n, a/p
  ok = (a/n <= 0.5 && arss/1024 <= 100)
  printf "bench: targets %s (time ratio %.3f <= 0.5, peak RSS %.1f MB <= 100)\n", ok ? "MET" : "NOT MET", a/n, arss/1024
  exit ok ? 0 : 1 }'
