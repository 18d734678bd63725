#!/bin/sh
# Runs every cmocka unit-test binary given and prints one closing line:
#   unit: N passed, M failed
# Exit status is non-zero when any test (or binary) failed.
set -u
passed=0; failed=0; broken=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  p=$(printf '%s\n' "$out" | grep -o '\[  PASSED  \] [0-9]*' | tail -1 | grep -o '[0-9]*$')
  f=$(printf '%s\n' "$out" | grep -o '\[  FAILED  \] [0-9]*' | tail -1 | grep -o '[0-9]*$')
  echo "$(basename "$t"): ${p:-0} passed, ${f:-0} failed"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
    broken=$((broken + 1)); printf '%s\n' "$out" | tail -20
    echo "$(basename "$t"): exited $rc"
  elif [ "${f:-0}" -ne 0 ]; then
    printf '%s\n' "$out" | grep -E '^\[  FAILED  \]|^\[  ERROR   \]|error|Error' | head -20
  fi
done
failed=$((failed + broken))
echo "unit: $passed passed, $failed failed"
[ $failed -eq 0 ]
