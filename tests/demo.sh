#!/bin/sh
# make demo: analyzes every bundled lab scenario (pcaps/lab/*.pcap) with the
# sample models (models/, when there are any) and writes its reports, one
# case per scenario. A scenario NAME is scored with the models its truth
# file names (pcaps/gen/scenarios/NAME.truth, models=), else with
# models/NAME/ or models/NAME.yaml when there is one, else with every model
# file below models/ (.yaml, .yml, .json, in name order). Files:
#   NAME.html       the report to read (self-contained: open it in a browser)
#   NAME.md         the same for review in a repository
#   NAME.json       the report document (docs/report-format.md)
#   NAME.stix.json  a STIX 2.1 bundle
#   NAME.db         the evidence database (with NAME.db.head, its chain head)
#   index.html      links to every report, with each one's headline
# Without model files the scenarios are ingested and reported unscored: the
# reports say so. The real captures in pcaps/samples go into one more case
# (samples.*), with the text outputs of earlier versions of the demo
# (summary.txt, indicators.txt/.jsonl, behaviour.txt, verify.txt).
#   usage: tests/demo.sh ATTRIB [OUTDIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
case $bin in /*) ;; *) bin=$root/$bin ;; esac
out=${2:-$root/build/demo}
mkdir -p "$out"
out=$(cd "$out" && pwd)
models=$root/models
# model_files [NAME]: the model files for scenario NAME (all when none is
# its own), one per line
model_files() {
  truth=$root/pcaps/gen/scenarios/${1:-none}.truth
  if [ -n "${1:-}" ] && [ -f "$truth" ] && grep -q '^models=' "$truth"; then
    sed -n 's/^models=//p' "$truth" | tr ',' '\n' | sed "s|^|$root/|"
  elif [ -n "${1:-}" ] && [ -d "$models/$1" ]; then
    find "$models/$1" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort
  elif [ -n "${1:-}" ] && [ -f "$models/$1.yaml" ]; then
    echo "$models/$1.yaml"
  elif [ -d "$models" ]; then
    find "$models" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort
  fi
}
have_models=0
[ -n "$(model_files)" ] && have_models=1

fresh() { rm -f "$1" "$1-wal" "$1-shm" "$1.head"; }
esc() { printf '%s' "$1" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }

status=0
summary=""
# one case per lab scenario
for pcap in "$root"/pcaps/lab/*.pcap; do
  [ -e "$pcap" ] || continue
  name=$(basename "$pcap" .pcap)
  db=$out/$name.db
  fresh "$db"
  rc=0
  if [ $have_models -eq 1 ]; then
    # shellcheck disable=SC2046 # model paths are repository files
    "$bin" analyze --db "$db" --models $(model_files "$name") -o "$out/$name.html" \
      "$pcap" > "$out/$name.log" 2>&1 || rc=$?
  else
    { "$bin" ingest --db "$db" "$pcap" &&
      "$bin" report --db "$db" -o "$out/$name.html"; } > "$out/$name.log" 2>&1 || rc=$?
  fi
  for f in md json stix.json; do
    "$bin" report --db "$db" -o "$out/$name.$f" >> "$out/$name.log" 2>&1 || rc=$?
  done
  [ $rc -eq 0 ] || { status=1; echo "demo: $name: exit $rc (see $out/$name.log)"; }
  summary="$summary $name"
done

# the real sample captures: one case, with the plain text outputs too
db=$out/samples.db
fresh "$db"
rm -f "$out/case.db" "$out/case.db-wal" "$out/case.db-shm" "$out/case.db.head"
"$bin" ingest --db "$db" "$root/pcaps/samples" > "$out/samples.log" 2>&1 || status=1
"$bin" summary --db "$db" > "$out/summary.txt"
"$bin" indicators --db "$db" > "$out/indicators.txt"
"$bin" indicators --db "$db" --json > "$out/indicators.jsonl"
{ "$bin" indicators --db "$db" --kind beacon
  echo
  "$bin" indicators --db "$db" --kind activity.hours; } > "$out/behaviour.txt"
"$bin" verify --db "$db" > "$out/verify.txt" || status=1
if [ $have_models -eq 1 ]; then
  # shellcheck disable=SC2046
  "$bin" score --db "$db" --models $(model_files) >> "$out/samples.log" 2>&1 || status=1
fi
for f in html md json stix.json; do
  "$bin" report --db "$db" -o "$out/samples.$f" >> "$out/samples.log" 2>&1 || status=1
done
summary="$summary samples"

# an index page (local links only)
{
  printf '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
  printf '<meta http-equiv="Content-Security-Policy" content="default-src '"'"'none'"'"'; style-src '"'"'unsafe-inline'"'"'">'
  printf '<title>attrib demo reports</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:24px auto;padding:0 20px}li{margin:8px 0}</style></head><body>\n'
  printf '<h1>attrib demo reports</h1>\n<p>One case per lab scenario (pcaps/lab), and one of the sample captures (pcaps/samples). %s</p>\n<ul>\n' \
    "$(if [ $have_models -eq 0 ]; then echo 'models/ holds no model file yet: the reports are unscored.'; fi)"
  for name in $summary; do
    lead=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); l=d['summary']['lead']
print(l[1] if d['scored'] and len(l) > 1 and not l[0].startswith('Warning') else l[0])" \
      "$out/$name.json" 2>/dev/null || echo "")
    used=""
    [ $have_models -eq 1 ] && used="scored with $(model_files "$( [ "$name" = samples ] || echo "$name")" |
      sed "s|^$root/||" | tr '\n' ' ')"
    printf '<li><a href="%s.html">%s</a> (<a href="%s.md">Markdown</a>, <a href="%s.json">JSON</a>, <a href="%s.stix.json">STIX</a>) <small>%s</small><br>%s</li>\n' \
      "$name" "$(esc "$name")" "$name" "$name" "$name" "$(esc "$used")" "$(esc "$lead")"
  done
  printf '</ul></body></html>\n'
} > "$out/index.html"

echo "demo: reports in $out"
for name in $summary; do
  printf '  %-26s %s\n' "$name.html" "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
print('evidence chain %s; %s' % (d['verification']['status'], 'scored' if d['scored'] else 'not scored'))" "$out/$name.json" 2>/dev/null)"
done
if [ $have_models -eq 0 ]; then
  echo "demo: models/ holds no model file yet: the scenarios were ingested and reported without scores"
fi
echo "demo: open $out/index.html in a browser (for example: xdg-open $out/index.html,"
echo "      or chromium --no-sandbox $out/index.html as root); the reports need no network."
echo "demo: Markdown: $out/*.md; JSON: $out/*.json; STIX 2.1: $out/*.stix.json"
exit $status
