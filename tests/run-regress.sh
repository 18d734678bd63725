#!/bin/sh
# Regression captures with expectations written as SQL over the evidence
# database. Each tests/regress/*.t file holds lines:
#   input PATH...        captures to ingest (relative to the repo root;
#                        $SHARED stands for ../shared/pcaps/ndpi)
#   exit N               expected exit status of attrib ingest
#   stderr TEXT          text that must appear in stderr
#   query SQL            a query over the case ...
#   expect VALUE         ... and its output (rows joined by ';', columns by '|')
#   requires-shared      skip (with a message) when ../shared is absent
# `tests/run-regress.sh --update ATTRIB` rewrites every expect line with what
# attrib produces now: review the diff before committing it.
set -u
update=0
[ "${1:-}" = "--update" ] && { update=1; shift; }
bin=${1:?usage: run-regress.sh [--update] ATTRIB}
root=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${ATTRIB_PCAPS:-$root/../shared/pcaps/ndpi}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
passed=0; failed=0; skipped=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "$root"/tests/regress/*.t; do
  name=$(basename "$t" .t)
  if grep -q '^requires-shared' "$t" && [ ! -d "$SHARED" ]; then
    echo "regress: $name skipped (no shared captures at $SHARED)"
    skipped=$((skipped + 1)); continue
  fi
  db=$work/$name.db
  inputs=$(sed -n 's/^input //p' "$t" | sed "s|\$SHARED|$SHARED|g")
  (cd "$root" && eval "\"$bin\" ingest --db \"$db\" $inputs") > "$work/$name.out" 2> "$work/$name.err"
  rc=$?
  ok=1; : > "$work/$name.new"
  while IFS= read -r line; do
    case $line in
      "exit "*) want=${line#exit }
        if [ "$rc" != "$want" ]; then echo "regress: $name: exit $rc, expected $want"; ok=0; fi
        [ $update -eq 1 ] && line="exit $rc" ;;
      "stderr "*) want=${line#stderr }
        if ! grep -qF -- "$want" "$work/$name.err"; then echo "regress: $name: stderr lacks '$want'"; ok=0; fi ;;
      "query "*) sql=${line#query }
        got=$(sqlite3 -batch "$db" "$sql" 2>&1 | paste -sd ';' -) ;;
      "expect "*) want=${line#expect }
        if [ "$got" != "$want" ]; then echo "regress: $name: [$sql] gave '$got', expected '$want'"; ok=0; fi
        [ $update -eq 1 ] && line="expect $got" ;;
    esac
    printf '%s\n' "$line" >> "$work/$name.new"
  done < "$t"
  [ $update -eq 1 ] && cp "$work/$name.new" "$t"
  if [ $ok -eq 1 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); sed 's/^/    stderr: /' "$work/$name.err" | head -5; fi
done
echo "regress: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] || [ $update -eq 1 ]
