#!/bin/sh
# Reproducible output: with SOURCE_DATE_EPOCH set, `attrib score --json`
# and every report format are byte-identical across runs and across
# copies of one case in different folders (docs/report-format.md
# "Reproducible output"); without it, the run time differs (the test
# can fail).
#   usage: tests/score/reproducible.sh ATTRIB
set -eu
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/one" "$tmp/two" "$tmp/two/deeper"
"$bin" ingest --db "$tmp/one/case.db" "$root/pcaps/lab/attr-false-flag.pcap" \
	> /dev/null 2>&1
cp "$tmp/one/case.db" "$tmp/one/case.db.head" "$tmp/two/deeper/"
fail=0
for d in one two/deeper; do
	for round in 1 2; do
		out=$tmp/$d/out$round
		mkdir -p "$out"
		SOURCE_DATE_EPOCH=1700000000 "$bin" score --db "$tmp/$d/case.db" \
			--models "$root/models/lab/actors.yaml" --json \
			> "$out/score.json" 2> /dev/null
		for f in html md json stix; do
			SOURCE_DATE_EPOCH=1700000000 "$bin" report \
				--db "$tmp/$d/case.db" --format $f \
				-o "$out/report.$f" > /dev/null 2>&1
		done
	done
done
# each round appends a run to its case, so compare run 1 of one copy
# with run 1 of the other, and run 2 with run 2
for r in 1 2; do
	for f in score.json report.html report.md report.json report.stix; do
		if ! cmp -s "$tmp/one/out$r/$f" "$tmp/two/deeper/out$r/$f"; then
			echo "reproducible: FAIL round $r $f differs between copies"
			fail=1
		fi
	done
done
grep -q '"time":"2023-11-14T22:13:20Z"' "$tmp/one/out1/score.json" ||
	grep -q '"time": "2023-11-14T22:13:20Z"' "$tmp/one/out1/score.json" || {
	echo "reproducible: FAIL score run time is not SOURCE_DATE_EPOCH"; fail=1; }
"$bin" score --db "$tmp/one/case.db" --models "$root/models/lab/actors.yaml" \
	--json > "$tmp/plain.json" 2> /dev/null
if grep -q '2023-11-14T22:13:20Z' "$tmp/plain.json"; then
	echo "reproducible: FAIL without SOURCE_DATE_EPOCH the time is fixed"
	fail=1
fi
[ $fail = 0 ] && echo "reproducible: score --json and html, md, json, stix reports identical across runs and case folders"
exit $fail
