#!/bin/bash
# inputs.sh — ingest's arguments that must never hang or pass silently:
# FIFOs (with no writer), character devices and /dev/zero, as a capture
# argument or inside a folder, are refused with a reason (each command
# under a timeout, so a hang fails the test); an empty folder is an error
# that says so; files in a folder that are no captures are named with the
# reason and counted in the closing line; --jobs takes 1..256 and names
# itself when refused.
# usage: inputs.sh ATTRIB
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0; checks=0
cap=$root/pcaps/samples/dns.pcap

# expect NAME WANT_RC GREP -- command...: runs under a timeout; checks the
# exit status and that stderr holds GREP
expect() {
	local name=$1 want=$2 pattern=$3; shift 4
	checks=$((checks + 1))
	timeout 60 "$@" > "$work/out" 2> "$work/err"
	local rc=$?
	if [ "$rc" = 124 ]; then
		echo "inputs: $name: hung (killed after 60 s)"; fail=$((fail + 1))
	elif [ "$rc" != "$want" ]; then
		echo "inputs: $name: exit $rc, expected $want"; sed 's/^/    /' "$work/err"
		fail=$((fail + 1))
	elif [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$work/err"; then
		echo "inputs: $name: stderr lacks '$pattern':"; sed 's/^/    /' "$work/err"
		fail=$((fail + 1))
	fi
}

mkfifo "$work/fifo"
expect "FIFO as capture" 2 "fifo: frame 0 (file header): a FIFO, not a regular file" -- \
	"$bin" ingest --db "$work/a.db" "$work/fifo"
expect "/dev/zero as capture" 2 "a character device, not a regular file" -- \
	"$bin" ingest --db "$work/a.db" /dev/zero
if mknod "$work/zero" c 1 5 2> /dev/null; then
	expect "private char device as capture" 2 "zero: frame 0 (file header): a character device" -- \
		"$bin" ingest --db "$work/a.db" "$work/zero"
fi

mkdir "$work/mixed" "$work/empty"
cp "$cap" "$work/mixed/a.pcap"
mkfifo "$work/mixed/fifo"
[ -e "$work/zero" ] && mv "$work/zero" "$work/mixed/zero"
ln -s /dev/zero "$work/mixed/devzero"
echo "not a capture" > "$work/mixed/notes.txt"
: > "$work/mixed/empty.pcap"
nskip=$(($(ls "$work/mixed" | wc -l) - 1))
expect "folder with FIFO, device, link, text, empty file" 0 \
	"$nskip other files skipped" -- "$bin" ingest --db "$work/b.db" "$work/mixed"
for n in fifo devzero notes.txt empty.pcap; do
	checks=$((checks + 1))
	grep -q "mixed/$n: skipped: " "$work/err" ||
		{ echo "inputs: mixed/$n not named as skipped"; fail=$((fail + 1)); }
done
expect "empty folder" 2 "empty: no pcap or pcapng file in this folder" -- \
	"$bin" ingest --db "$work/c.db" "$work/empty"

for j in 0 257 100000 -1 x ''; do
	expect "--jobs '$j'" 2 "--jobs takes a number of threads from 1 to 256" -- \
		"$bin" ingest --jobs "$j" --db "$work/d.db" "$cap"
done
expect "--jobs 256" 0 "" -- "$bin" ingest --jobs 256 --db "$work/e.db" "$cap"

echo "inputs: $checks checks, $fail failed"
[ "$fail" -eq 0 ]
