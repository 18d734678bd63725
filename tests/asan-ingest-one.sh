#!/bin/sh
# One capture for asan-ingest-all.sh: prints "OK|HANG|SANITIZER|EXITn NAME".
# About half the captures (chosen by a checksum of the name) are ingested
# with --jobs 2, which hashes the file on a second thread.
#   usage: asan-ingest-one.sh ATTRIB OUTDIR CAPTURE
bin=$1; d=$2; f=$3; b=$(basename "$f")
export ASAN_OPTIONS=detect_leaks=1:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
jobs=$(( $(printf '%s' "$b" | cksum | cut -d' ' -f1) % 2 + 1 ))
# a hang detector: generous, as the ASan build on a busy machine is slow
timeout 600 "$bin" ingest --jobs "$jobs" --db "$d/$b.db" "$f" > "$d/$b.out" 2> "$d/$b.err"
rc=$?
rm -f "$d/$b.db" "$d/$b.db-wal" "$d/$b.db-shm"
if [ $rc -eq 124 ]; then echo "HANG $b"
elif grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$d/$b.err"; then echo "SANITIZER $b"
elif [ $rc -ne 0 ] && [ $rc -ne 2 ]; then echo "EXIT$rc $b"
else echo "OK $b rc=$rc"; fi
