#!/bin/bash
# escapes.sh — every text output and error message escapes control
# characters (README, "Text output"): ESC, BEL, newlines (and C1
# controls) in hypothesis names from YAML and STIX, in file names (in
# errors, `summary`, `verify`) and in indicator values (`indicators`)
# come out as visible escapes (\033, \a, \n as tshark writes them), so
# one line stays one line and nothing reaches the terminal as a control
# sequence. A NUL in a name is refused (YAML, STIX) with one line.
#
#   bash tests/hostile/escapes.sh build/attrib
NAME=escapes
. "$(dirname "$0")/lib.sh"

# clean FILE...: no control character but the line ends.
clean() {
	! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$@" &&
		! LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$@"
}
models=$ROOT/models/lab/actors.yaml
db=$WORK/case.db
"$BIN" ingest --db "$db" "$ROOT/pcaps/lab/attr-false-flag.pcap" > /dev/null 2>&1 ||
	{ bad "could not make the case"; finish; exit 1; }
hostile=$(printf 'Actor \033]0;owned\007 A\nsecond line \033[2J\302\233')
shown='Actor \033]0;owned\a A\nsecond line \033[2J\u009B'

# YAML: the name in double quotes with YAML's own escapes.
sed 's|^    name: Actor A (fictional)|    name: "Actor \\e]0;owned\\a A\\nsecond line \\e[2J\\x9b"|
     s|^prefixes: .*|prefixes: '"$ROOT"'/models/lab/lab-prefixes.csv|' "$models" > "$WORK/esc.yaml"
run score --db "$db" --models "$WORK/esc.yaml"
check "score (YAML name with ESC, BEL, newline, C1): exit 0 (exit $rc)" [ "$rc" -eq 0 ]
check "score text holds no control character" clean "$WORK/out" "$WORK/err"
check "the name is on one line, escaped" grep -qF "actor-a — $shown [actor]" "$WORK/out"
run score --db "$db" --models "$WORK/esc.yaml" --json
check "score --json holds no control character (C1 included)" clean "$WORK/out"
check "score --json is JSON with the name as it was" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert any(h["name"] == sys.argv[2] for h in doc["hypotheses"])' "$WORK/out" "$(printf 'Actor \033]0;owned\007 A\nsecond line \033[2J\302\233')"
for f in md html; do
	run report --db "$db" --format $f -o -
	check "report -o - --format $f (the name in it) holds no control character (C1 included)" clean "$WORK/out"
done
sed 's|^    name: Actor A (fictional)|    name: "Actor \\0 hidden"|
     s|^prefixes: .*|prefixes: '"$ROOT"'/models/lab/lab-prefixes.csv|' "$models" > "$WORK/nul.yaml"
run score --db "$db" --models "$WORK/nul.yaml"
expect 2 1 "a NUL in a YAML name refused"

# STIX: the same name in a bundle, and a NUL.
python3 - "$ROOT/models/stix/lab-intel.json" "$WORK" "$hostile" <<'PY'
import json, sys
src, work, name = sys.argv[1:4]
for out, value in (("esc.json", name), ("nul.json", "Set \0 hidden")):
    b = json.load(open(src))
    for o in b["objects"]:
        if o["type"] == "threat-actor":
            o["name"] = value
            break
    json.dump(b, open(work + "/" + out, "w"))
PY
run score --db "$db" --models "$WORK/esc.json"
check "score (STIX name with ESC, BEL, newline, C1): exit 0 (exit $rc)" [ "$rc" -eq 0 ]
check "score text holds no control character" clean "$WORK/out" "$WORK/err"
check "the STIX name is on one line, escaped" grep -qF " — $shown [actor]" "$WORK/out"
run score --db "$db" --models "$WORK/nul.json"
expect 2 1 "a NUL in a STIX name refused"
check "that error holds no control character" clean "$WORK/err"

# File names: in errors, in ingest's lines, in summary and in verify.
bad_name=$(printf 'cap \033]0;owned\007\nline2.pcap')
cp "$ROOT/pcaps/samples/dns.pcap" "$WORK/$bad_name"
run ingest --db "$WORK/f.db" "$WORK/$bad_name"
check "ingest of a file named with ESC, BEL, newline: exit 0 (exit $rc)" [ "$rc" -eq 0 ]
run ingest --db "$WORK/f.db" "$WORK/$bad_name"
expect 0 1 "ingest again: one line (already in the case)"
check "that line holds no control character" clean "$WORK/err"
run summary --db "$WORK/f.db"
check "summary: exit 0 (exit $rc)" [ "$rc" -eq 0 ]
check "summary holds no control character" clean "$WORK/out"
check "summary shows the name escaped" grep -qF 'cap \033]0;owned\a\nline2.pcap' "$WORK/out"
printf 'x' | dd of="$WORK/$bad_name" bs=1 seek=100 conv=notrunc 2> /dev/null
run verify --db "$WORK/f.db"
expect 1 1 "verify of the changed file: TAMPERED in one line"
check "verify's output holds no control character" clean "$WORK/out" "$WORK/err"
run score --db "$db" --models "$WORK/$(printf 'no \033]0;x\007\nsuch.yaml')"
expect 2 1 "a missing model file named with ESC, BEL, newline"
check "that error holds no control character" clean "$WORK/err"
run report --db "$db" --format md -o "$WORK/$(printf 'no\ndir/r\033.md')"
expect 2 1 "a report into a missing folder named with a newline and ESC"
check "that error holds no control character" clean "$WORK/err"

# Indicator values: a value with ESC, BEL and a newline (as a case made
# by another tool could hold) is printed escaped; JSON stays JSON.
sqlite3 -batch "$db" "UPDATE indicator_values SET value = 'evil' || char(27) || ']0;x' || char(7) || char(10) || 'y' || char(155) WHERE id = (SELECT value_id FROM observation_rows WHERE id = (SELECT min(id) FROM observation_rows))"
n=$(sqlite3 -batch "$db" "SELECT count(*) FROM observations")
run indicators --db "$db"
check "indicators: exit 0 (exit $rc)" [ "$rc" -eq 0 ]
check "indicators text holds no control character" clean "$WORK/out"
check "indicators text: one line per observation and the heading ($((n + 1)))" [ "$(wc -l < "$WORK/out")" -eq $((n + 1)) ]
check "the value is shown escaped" grep -qF 'evil\033]0;x\a\ny\u009B' "$WORK/out"
run indicators --db "$db" --json
check "indicators --json: one line per observation ($n)" [ "$(wc -l < "$WORK/out")" -eq "$n" ]
check "indicators --json: each line is JSON" python3 -c '
import json, sys
for line in open(sys.argv[1]): json.loads(line)' "$WORK/out"
finish
