#!/bin/sh
# Regenerates every lab scenario (pcaps/gen/scenarios/*.scn) into a
# temporary directory and checks that the capture and the truth file are
# byte-identical to the committed ones (pcaps/lab/NAME.pcap,
# pcaps/gen/scenarios/NAME.truth). `make scenarios` runs this.
#
#   tests/gen-scenarios.sh [--update] [GENERATOR]
#
# GENERATOR defaults to build/gen/scenario; when that does not exist the
# generator is compiled into the temporary directory from pcaps/gen/.
# --update writes the regenerated files over the committed ones instead
# of comparing (do this deliberately, after changing the generator or a
# scenario, and review the diff of the .truth files).
# Prints one closing line:  gen-scenarios: N passed, M failed
set -u
cd "$(dirname "$0")/.." || exit 2

update=0
if [ "${1:-}" = "--update" ]; then
  update=1; shift
fi
gen=${1:-build/gen/scenario}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$gen" ]; then
  gen="$tmp/scenario"
  # shellcheck disable=SC2046
  if ! ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O2 -I. \
      -o "$gen" pcaps/gen/scenario.c pcaps/gen/lib/*.c analyze/digest.c \
      $(pkg-config --cflags --libs libpcap libgcrypt) -lm; then
    echo "gen-scenarios: cannot build the generator"
    exit 2
  fi
fi

passed=0; failed=0
for scn in pcaps/gen/scenarios/*.scn; do
  name=$(basename "$scn" .scn)
  pcap="pcaps/lab/$name.pcap"
  truth="pcaps/gen/scenarios/$name.truth"
  if ! "$gen" -o "$tmp/$name.pcap" -t "$tmp/$name.truth" "$scn" >/dev/null; then
    echo "$name: generator failed"
    failed=$((failed + 1)); continue
  fi
  if [ $update -eq 1 ]; then
    mkdir -p pcaps/lab
    cp "$tmp/$name.pcap" "$pcap" && cp "$tmp/$name.truth" "$truth"
    echo "$name: updated ($(wc -c < "$pcap") bytes)"
    passed=$((passed + 1)); continue
  fi
  if ! cmp -s "$tmp/$name.pcap" "$pcap"; then
    echo "$name: $pcap differs from the regenerated capture"
    failed=$((failed + 1))
  elif ! cmp -s "$tmp/$name.truth" "$truth"; then
    echo "$name: $truth differs from the regenerated truth:"
    diff "$truth" "$tmp/$name.truth" | head -10
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
done
echo "gen-scenarios: $passed passed, $failed failed"
[ $failed -eq 0 ]
