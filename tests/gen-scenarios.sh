#!/bin/sh
# Regenerates every lab scenario (pcaps/gen/scenarios/*.scn) into a
# temporary directory and checks that the capture and the truth file are
# byte-identical to the committed ones (pcaps/lab/NAME.pcap,
# pcaps/gen/scenarios/NAME.truth), then that malformed scenario files are
# refused with the right error. `make scenarios` runs this.
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
      -o "$gen" pcaps/gen/scenario.c pcaps/gen/lib/*.c analyze/crypto/digest.c \
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
# Scenario files the generator must refuse, each with a fragment of the
# one-line error it must give (the ground-truth statements above all: a
# typo there would make a truth file lie without changing a packet).
reject() {
  want=$1; shift
  printf '%s\n' "$@" > "$tmp/bad.scn"
  if "$gen" -o "$tmp/bad.pcap" -t "$tmp/bad.truth" "$tmp/bad.scn" \
      > /dev/null 2> "$tmp/bad.err"; then
    echo "rejected: accepted a scenario with: $*"
    failed=$((failed + 1))
  elif ! grep -qF -- "$want" "$tmp/bad.err"; then
    echo "rejected: expected '$want', got: $(cat "$tmp/bad.err")"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}
links="links a L1=1 L2=1 L3=0 L3i=0 L4=0"
beacon="beacon client=10.0.0.5 server=203.0.113.10 sni=a.example period=300"
reject "bad.scn:2: L4=2: use 0 or 1" "duration 1h" "links a L1=1 L2=1 L3=0 L3i=0 L4=2"
reject "bad.scn:2: missing L3i=" "duration 1h" "links a L1=1 L2=1 L3=0 L4=0"
reject "unknown key L5= for links" "duration 1h" "$links L5=1"
reject "bad.scn:3: links a: given twice" "duration 1h" "$links" "$links"
reject "bad.scn: actor a has no links statement" "duration 1h" "actor a"
reject "bad.scn: planted=b has no links statement" "actor a" "$links" "$beacon planted=b"
reject "need an actor statement" "duration 1h" "$links"
reject "bad.scn:1: actor a b: an id is" "actor a b"
reject "bad.scn:1: model ../m.yaml: a relative path" "model ../m.yaml"
reject "bad.scn:1: cert_seed= needs cert_cn=" "$beacon cert_seed=5"
reject "bad.scn:1: unknown key actor= for background" "background clients=2 rate=1/h actor=a"

echo "gen-scenarios: $passed passed, $failed failed"
[ $failed -eq 0 ]
