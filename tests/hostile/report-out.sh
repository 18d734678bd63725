#!/bin/bash
# report-out.sh — `attrib report -o PATH` never replaces what PATH is
# (docs/report-format.md, "Where a report goes"): a FIFO, a symbolic
# link (dangling or not), a folder or a block device is refused with
# exit 2 and left as it is; a character device is written as a stream
# and stays a device; a regular file is replaced atomically (a new
# inode, no temporary file left); -o - streams; custody records a report
# only when every byte was written, with the SHA-256 of those bytes.
# Device nodes are made with mknod in a private folder, never the
# system's.
#
#   bash tests/hostile/report-out.sh build/attrib
NAME=report-out
. "$(dirname "$0")/lib.sh"

db=$WORK/case.db
make_case "$db" || { bad "could not make the case"; finish; exit 1; }
reports() { sqlite3 -batch "$db" "SELECT count(*) FROM custody WHERE action='report'"; }
kind() { stat -c '%F %t:%T' "$1" 2>/dev/null || echo gone; }

# refused PATH WHAT: exit 2, one line, PATH as it was, nothing recorded.
refused() {
	local before n
	before=$(kind "$1") n=$(reports)
	run report --db "$db" --format html -o "$1"
	expect 2 1 "report -o $2 refused"
	check "$2 left as it was ($before)" [ "$(kind "$1")" = "$before" ]
	check "$2: no custody entry" [ "$(reports)" = "$n" ]
}

mkfifo "$WORK/fifo"
refused "$WORK/fifo" "a FIFO"
echo target > "$WORK/target.html"
ln -s "$WORK/target.html" "$WORK/link.html"
refused "$WORK/link.html" "a symbolic link"
check "the link's target unchanged" [ "$(cat "$WORK/target.html")" = target ]
ln -s "$WORK/nowhere.html" "$WORK/dangling.html"
refused "$WORK/dangling.html" "a dangling symbolic link"
check "nothing created through the dangling link" [ ! -e "$WORK/nowhere.html" ]
mkdir "$WORK/folder.html"
refused "$WORK/folder.html" "a folder"

if mknod "$WORK/null" c 1 3 2> /dev/null && mknod "$WORK/full" c 1 7 &&
	mknod "$WORK/blk" b 7 0; then
	refused "$WORK/blk" "a block device"
	n=$(reports)
	run report --db "$db" --format md -o "$WORK/null"
	expect 0 0 "report -o a character device (null) written as a stream"
	check "the device is still a character device 1:3" [ "$(kind "$WORK/null")" = "character special file 1:3" ]
	check "custody records the stream" [ "$(sqlite3 -batch "$db" "SELECT count(*) FROM custody WHERE action='report' AND detail LIKE '%(character device)%'")" = 1 ]
	n=$(reports)
	run report --db "$db" --format md -o "$WORK/full"
	expect 3 1 "report -o a full character device: write error"
	check "the full device is still a character device 1:7" [ "$(kind "$WORK/full")" = "character special file 1:7" ]
	check "a report not fully written is not in custody" [ "$(reports)" = "$n" ]
	check "no temporary file left by the devices" [ -z "$(ls "$WORK" | grep '\.tmp\.')" ]
else
	echo "$NAME: device nodes skipped (mknod needs root)"
fi

# A regular file: replaced by rename (new inode), no temporary left.
echo old > "$WORK/r.html"
ino=$(stat -c %i "$WORK/r.html")
run report --db "$db" -o "$WORK/r.html"
expect 0 0 "report -o a regular file"
check "the file was replaced, not rewritten in place" [ "$(stat -c %i "$WORK/r.html")" != "$ino" ]
check "it is the report" grep -q '<html' "$WORK/r.html"
sha=$(sha256sum < "$WORK/r.html" | cut -d' ' -f1)
check "custody names the file's SHA-256" [ "$(sqlite3 -batch "$db" "SELECT count(*) FROM custody WHERE action='report' AND detail LIKE '%r.html sha256 $sha%'")" = 1 ]
check "no temporary file left" [ -z "$(ls "$WORK" | grep '\.tmp\.')" ]

# Standard output: a stream; custody has the SHA-256 of what went out.
run report --db "$db" --format json -o -
expect 0 1 "report -o - (the head line on stderr)"
sha=$(sha256sum < "$WORK/out" | cut -d' ' -f1)
check "custody names the streamed bytes' SHA-256" [ "$(sqlite3 -batch "$db" "SELECT count(*) FROM custody WHERE action='report' AND detail LIKE '%(standard output) sha256 $sha%'")" = 1 ]
n=$(reports)
timeout -k 5 "$LIMIT" "$BIN" report --db "$db" --format json -o - > /dev/full 2> "$WORK/err"
rc=$?
expect 3 1 "report -o - with standard output full"
check "a report not fully written is not in custody" [ "$(reports)" = "$n" ]

# analyze refuses a bad -o before it reads any capture.
run analyze --db "$WORK/a.db" --models "$ROOT/models/lab/actors.yaml" -o "$WORK/link.html" "$ROOT/pcaps/samples/dns.pcap"
expect 2 1 "analyze -o a symbolic link refused"
check "analyze made no case" [ ! -e "$WORK/a.db" ]
check "the link is still a link" [ -L "$WORK/link.html" ]
finish
