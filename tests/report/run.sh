#!/bin/sh
# Report tests (make check): attrib report and attrib analyze on the lab
# scenarios, in every format.
#   - JSON reports validated against docs/report-schema.json (a case scored
#     from the hand-made fixture, one scored by attrib score, one never
#     scored, a hostile one, a tampered one), and the validator shown to
#     reject a broken document;
#   - STIX bundles checked structurally (check_stix.py), and the checker
#     shown to reject a broken bundle;
#   - hostile strings from a capture and a score document inert in HTML,
#     Markdown and JSON (check_hostile.py);
#   - a tampered case: the report is written, says TAMPERED, exit 1, and
#     nothing is added to the case; an intact one records a custody entry
#     with the report's SHA-256;
#   - attrib analyze with and without --db (temporary case removed, or
#     kept with --keep), and on every lab scenario with its models;
#   - the HTML rendered by headless Chromium to a PNG: not blank, the chain
#     chart drawn, no script or external reference in the DOM
#     (check_render.py). Skipped, with a message, only when Chromium is
#     missing or cannot start.
# Prints one line per check and "report: N passed, M failed".
#   usage: tests/report/run.sh ATTRIB [KEEP_DIR]
set -u
bin=${1:?usage: run.sh ATTRIB [KEEP_DIR]}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $bin in /*) ;; *) bin=$root/$bin ;; esac
here=$root/tests/report
schema=$root/docs/report-schema.json
work=$(mktemp -d)
keep=${2:-}
trap 'rm -rf "$work"' EXIT
passed=0; failed=0

ok() { passed=$((passed + 1)); echo "report: ok: $1"; }
bad() { failed=$((failed + 1)); echo "report: FAILED: $1"; }
# check NAME COMMAND...: the command must succeed
check() { name=$1; shift; if "$@" > "$work/last.log" 2>&1; then ok "$name"
  else bad "$name"; sed 's/^/    /' "$work/last.log" | head -20; fi; }
# check_fails NAME COMMAND...: the command must fail
check_fails() { name=$1; shift; if "$@" > "$work/last.log" 2>&1; then
  bad "$name (it succeeded)"; else ok "$name"; fi; }
custody() { sqlite3 "$1" "SELECT count(*) FROM custody"; }

lab=$root/pcaps/lab
fixture=$here/fixtures/score-beacon-300s.json
models="$root/tests/score/models/strong-telemetry.yaml $root/tests/score/models/false-flag.yaml"

# 1. A case scored by the fixture document (flags, claims, every link).
db=$work/fixture.db
"$bin" ingest --db "$db" "$lab/beacon-300s.pcap" > /dev/null 2>&1
python3 "$here/insert_score.py" "$db" "$fixture" > /dev/null
for f in html md json stix.json; do
  check "fixture case: report -o fixture.$f" "$bin" report --db "$db" -o "$work/fixture.$f"
done
check "fixture case: JSON valid against docs/report-schema.json" \
  python3 "$here/validate_json.py" "$schema" "$work/fixture.json"
check "fixture case: STIX bundle structure (2 actors attributed)" \
  python3 "$here/check_stix.py" "$work/fixture.stix.json" --expect-actors 2
check "fixture case: --format md to standard output" \
  sh -c "'$bin' report --db '$db' --format md -o - | grep -q '^## Hypotheses along the attribution chain'"
sha=$(sha256sum "$work/fixture.json" | cut -d' ' -f1)
check "fixture case: custody entry 'report' names the report's SHA-256" \
  sh -c "sqlite3 '$db' \"SELECT detail FROM custody WHERE action='report'\" | grep -q '$sha'"
check "fixture case: verify intact after the reports" "$bin" verify --db "$db"

# The checkers must reject what is wrong.
python3 - "$work/fixture.json" "$work/broken.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["hypotheses"][0]["links"]["L2"]["belief"] = 1.5
del d["verification"]["status"]
json.dump(d, open(sys.argv[2], "w"))
EOF
check_fails "schema validator rejects a broken report" \
  python3 "$here/validate_json.py" "$schema" "$work/broken.json"
python3 - "$work/fixture.stix.json" "$work/broken.stix.json" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
b["objects"] = [o for o in b["objects"] if o["type"] != "threat-actor"]
b["objects"][0]["id"] = "identity--not-a-uuid"
json.dump(b, open(sys.argv[2], "w"))
EOF
check_fails "STIX checker rejects dangling refs and bad ids" \
  python3 "$here/check_stix.py" "$work/broken.stix.json"

# 2. attrib analyze: ingest, score (attrib score's document), report.
check "analyze --db: report.json" "$bin" analyze --db "$work/an.db" --models $models \
  -o "$work/an.json" "$lab/beacon-3600s-jitter.pcap"
check "analyze: JSON valid against the schema" \
  python3 "$here/validate_json.py" "$schema" "$work/an.json"
check "analyze: scored by attrib score, 4 hypotheses" python3 -c "
import json, sys; d = json.load(open('$work/an.json'))
sys.exit(not (d['scored'] and len(d['hypotheses']) == 4))"
check "analyze: report.stix.json structure" sh -c "
  '$bin' report --db '$work/an.db' -o '$work/an.stix.json' >/dev/null &&
  python3 '$here/check_stix.py' '$work/an.stix.json' --expect-actors 2"
before=$(ls -d "${TMPDIR:-/tmp}"/attrib-case-* 2>/dev/null | wc -l)
check "analyze without --db: temporary case removed, report says so" sh -c "
  '$bin' analyze --models $models -o '$work/tmp.html' '$lab/beacon-300s.pcap' >/dev/null &&
  grep -q 'deleted after this report' '$work/tmp.html' &&
  [ \$(ls -d '${TMPDIR:-/tmp}'/attrib-case-* 2>/dev/null | wc -l) -eq $before ]"
check "analyze --keep: the case is kept and verifies" sh -c "
  out=\$('$bin' analyze --keep --models $models -o '$work/keep.md' '$lab/beacon-300s.pcap') &&
  db=\$(printf '%s\n' \"\$out\" | sed -n 's/^case: \(.*\) (kept.*/\1/p') &&
  '$bin' verify --db \"\$db\" >/dev/null && rm -rf \"\$(dirname \"\$db\")\""
check_fails "analyze: a bad model stops before ingest" "$bin" analyze --db "$work/bad.db" \
  --models "$lab/beacon-300s.pcap" -o "$work/bad.html" "$lab/beacon-300s.pcap"
check "analyze: nothing ingested after a bad model" test ! -e "$work/bad.db"

# 2b. Every lab scenario, scored with the models its truth file names
# (every model file below models/ when it names none), as make demo does.
for pcap in "$lab"/*.pcap; do
  name=$(basename "$pcap" .pcap)
  truth=$root/pcaps/gen/scenarios/$name.truth
  if [ -f "$truth" ] && grep -q '^models=' "$truth"; then
    m=$(sed -n 's/^models=//p' "$truth" | tr ',' '\n' | sed "s|^|$root/|")
  else
    m=$(find "$root/models" -type f \( -name '*.yaml' -o -name '*.json' \) 2>/dev/null | sort)
  fi
  [ -n "$m" ] || { echo "report: $name: no model, skipped"; continue; }
  # shellcheck disable=SC2086 # model paths are repository files
  check "lab scenario $name: analyze, JSON valid against the schema, STIX structure" sh -c "
    '$bin' analyze --db '$work/$name.db' --models $(echo $m) -o '$work/$name.json' '$pcap' >/dev/null &&
    python3 '$here/validate_json.py' '$schema' '$work/$name.json' &&
    '$bin' report --db '$work/$name.db' -o '$work/$name.stix.json' >/dev/null &&
    python3 '$here/check_stix.py' '$work/$name.stix.json'"
done

# 3. A case never scored still gives every report.
"$bin" ingest --db "$work/none.db" "$lab/random-traffic.pcap" > /dev/null 2>&1
for f in html md json stix.json; do
  check "unscored case: report -o none.$f" "$bin" report --db "$work/none.db" -o "$work/none.$f"
done
check "unscored case: JSON valid, says no hypotheses were scored" sh -c "
  python3 '$here/validate_json.py' '$schema' '$work/none.json' &&
  grep -q 'No hypotheses were scored' '$work/none.json' &&
  grep -q 'No hypotheses were scored' '$work/none.html'"
check "unscored case: STIX bundle structure" \
  python3 "$here/check_stix.py" "$work/none.stix.json" --expect-actors 0

# 4. Hostile strings from the capture and the score document.
python3 "$here/hostile_pcap.py" "$work/hostile.pcap"
"$bin" ingest --db "$work/ho.db" "$lab/beacon-300s.pcap" "$work/hostile.pcap" > /dev/null 2>&1
python3 "$here/make_hostile_score.py" "$fixture" "$work/hostile-score.json"
python3 "$here/insert_score.py" "$work/ho.db" "$work/hostile-score.json" > /dev/null
for f in html md json stix.json; do
  check "hostile case: report -o ho.$f" "$bin" report --db "$work/ho.db" -o "$work/ho.$f"
done
check "hostile case: JSON valid" python3 "$here/validate_json.py" "$schema" "$work/ho.json"
check "hostile case: STIX patterns escape quotes and backslashes" \
  python3 "$here/check_stix.py" "$work/ho.stix.json"

# 5. A tampered case: report written and marked, exit 1, case untouched.
cp "$db" "$work/tam.db"; cp "$db.head" "$work/tam.db.head"
# (the value of observation 5: a row of indicator_values)
sqlite3 "$work/tam.db" "UPDATE indicator_values SET value='forged' WHERE id=(SELECT value_id FROM observation_rows WHERE id=5)"
n0=$(custody "$work/tam.db")
"$bin" report --db "$work/tam.db" -o "$work/tam.json" > /dev/null 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q '"status": "tampered"' "$work/tam.json" &&
   [ "$(custody "$work/tam.db")" = "$n0" ]; then
  ok "tampered case: exit 1, report says tampered, no custody entry added"
else bad "tampered case (exit $rc)"; fi
check "tampered case: HTML carries the TAMPERED banner" sh -c "
  '$bin' report --db '$work/tam.db' -o '$work/tam.html' >/dev/null 2>&1;
  grep -q 'class=\"banner\">TAMPERED' '$work/tam.html'"

# 6. Headless Chromium renders the HTML.
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
  echo "report: render skipped: chromium is not installed (apt-get install chromium)"
elif ! "$chrome" --headless --no-sandbox --disable-gpu --dump-dom \
     "file://$work/none.html" > "$work/probe.dom" 2> "$work/probe.err"; then
  echo "report: render skipped: chromium cannot start: $(tail -1 "$work/probe.err")"
else
  # the same page with everything but the chain charts hidden
  sed 's|</style>|body>*:not(#hypotheses),#hypotheses h2,#hypotheses h3,#hypotheses h4,#hypotheses table,#hypotheses p,#hypotheses ul{display:none!important}</style>|' \
    "$work/fixture.html" > "$work/chain.html"
  for name in fixture chain ho; do
    "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars \
      --window-size=1200,2600 --screenshot="$work/$name.png" \
      "file://$work/$name.html" > /dev/null 2>&1
    "$chrome" --headless --no-sandbox --disable-gpu --dump-dom \
      "file://$work/$name.html" > "$work/$name.dom" 2> /dev/null
  done
  # kept for a person to look at: build/report/
  mkdir -p "$root/build/report" &&
    cp "$work/fixture.html" "$work/fixture.png" "$work/chain.png" "$root/build/report/" &&
    echo "report: rendered page kept: build/report/fixture.png (of build/report/fixture.html), build/report/chain.png"
  check "render: Chromium drew the report (not blank, 4 chain charts, no script or external reference)" \
    python3 "$here/check_render.py" "$work/fixture.png" "$work/fixture.dom" 4
  sed -n 's/^check_render: \([0-9]*x.*\)/    \1/p' "$work/last.log"
  check "render: the chain charts alone draw belief, uncertainty and the thresholds" \
    python3 "$here/check_render.py" "$work/chain.png" "$work/chain.dom" 4 --chain-only
  sed -n 's/^check_render: \([0-9]*x.*\)/    \1/p' "$work/last.log"
  check "hostile case: nothing acts in HTML (also as rendered), Markdown, JSON" \
    python3 "$here/check_hostile.py" "$work/ho.html" "$work/ho.md" "$work/ho.json" "$work/ho.dom"
fi
if ! [ -s "$work/ho.dom" ]; then
  check "hostile case: nothing acts in HTML, Markdown, JSON" \
    python3 "$here/check_hostile.py" "$work/ho.html" "$work/ho.md" "$work/ho.json"
fi

if [ -n "$keep" ]; then
  mkdir -p "$keep" && cp "$work"/*.html "$work"/*.md "$work"/*.json "$work"/*.png "$keep"/ 2>/dev/null
  echo "report: outputs kept in $keep"
fi
echo "report: $passed passed, $failed failed"
[ $failed -eq 0 ]
