#!/bin/sh
# tests/fuzz/build.sh — builds the libFuzzer harnesses tests/fuzz/fuzz_*.c
# with AddressSanitizer and UBSan into build/fuzz/, and optionally runs them.
#
#   tests/fuzz/build.sh                      build every harness
#   tests/fuzz/build.sh --run SECONDS        build, then run each for SECONDS
#   tests/fuzz/build.sh [--run S] NAME...    only the named harnesses
#
# A run starts from build/fuzz/corpus/NAME (kept between runs) plus the
# seeds in tests/fuzz/corpus/NAME if that folder exists, uses the
# dictionary tests/fuzz/NAME.dict if present, and writes crashes to
# build/fuzz/artifacts/NAME/. Exits non-zero if a build or a run fails.
#
# Environment: CC (default clang), FUZZ_CFLAGS (added to the flags below).
set -eu

# To add a harness, create tests/fuzz/fuzz_NAME.c and list here the project
# sources it links with (globs allowed; words starting with '-' are passed
# to the linker, e.g. -lm). A harness missing from the table gets
# capture/anomaly.c only.
#
# harness            sources and libraries
HARNESS_SOURCES='
fuzz_decode          capture/decode_*.c capture/anomaly.c
fuzz_parse           analyze/parse/*.c analyze/crypto/digest.c analyze/crypto/cipher.c capture/anomaly.c -lgcrypt -lgnutls
fuzz_model_yaml      analyze/intel/yaml.c analyze/intel/yaml_reader.c analyze/intel/yaml_tree.c analyze/intel/model.c analyze/intel/prefixes.c analyze/intel/admissible.c analyze/intel/feed_model.c analyze/intel/file.c analyze/intel/mmdb.c analyze/intel/model_dir.c analyze/intel/ioc*.c analyze/score/opinion.c analyze/vocab/kinds.c analyze/crypto/digest.c -lyaml -lgcrypt -ljansson -lmaxminddb -lm
fuzz_stix            analyze/intel/stix/*.c analyze/intel/model.c analyze/intel/prefixes.c analyze/intel/admissible.c analyze/intel/file.c analyze/intel/mmdb.c analyze/vocab/kinds.c analyze/crypto/digest.c -ljansson -lgcrypt -lmaxminddb
fuzz_pcapng          capture/source_pcapng.c capture/source_gz.c capture/record.c capture/filehash.c -lgcrypt -lz
'
DEFAULT_SOURCES='capture/anomaly.c'

cd "$(dirname "$0")/../.."

CC=${CC:-clang}
CFLAGS="-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-Wall -Wextra -Wno-unused-parameter -I. ${FUZZ_CFLAGS:-}"
OUT=build/fuzz

run_seconds=
if [ "${1:-}" = "--run" ]; then
	[ $# -ge 2 ] || { echo "usage: $0 [--run SECONDS] [NAME...]" >&2; exit 2; }
	run_seconds=$2
	shift 2
	case $run_seconds in
	''|*[!0-9]*) echo "$0: --run wants whole seconds" >&2; exit 2 ;;
	esac
fi

if [ $# -gt 0 ]; then
	harnesses=$*
else
	harnesses=
	for src in tests/fuzz/fuzz_*.c; do
		[ -e "$src" ] || continue
		harnesses="$harnesses $(basename "$src" .c)"
	done
fi
[ -n "$harnesses" ] || { echo "$0: no harnesses in tests/fuzz/" >&2; exit 1; }

# Prints the sources and libraries listed for harness $1.
sources_of() {
	listed=$(printf '%s\n' "$HARNESS_SOURCES" |
		awk -v name="$1" '$1 == name { $1 = ""; print; exit }')
	printf '%s\n' "${listed:-$DEFAULT_SOURCES}"
}

mkdir -p "$OUT"
for name in $harnesses; do
	src=tests/fuzz/$name.c
	[ -f "$src" ] || { echo "$0: no $src" >&2; exit 1; }
	sources=$(sources_of "$name")
	# $CFLAGS and $sources are split (and globs expanded) on purpose.
	echo "CC $OUT/$name"
	# shellcheck disable=SC2086
	$CC $CFLAGS -o "$OUT/$name" "$src" $sources
done

[ -n "$run_seconds" ] || exit 0

status=0
for name in $harnesses; do
	corpus=$OUT/corpus/$name
	artifacts=$OUT/artifacts/$name
	mkdir -p "$corpus" "$artifacts"
	set -- -max_total_time="$run_seconds" -print_final_stats=1 \
		-artifact_prefix="$artifacts/"
	[ -f "tests/fuzz/$name.dict" ] && set -- "$@" -dict="tests/fuzz/$name.dict"
	set -- "$@" "$corpus"
	[ -d "tests/fuzz/corpus/$name" ] && set -- "$@" "tests/fuzz/corpus/$name"
	echo "RUN $name for ${run_seconds}s"
	if ! "$OUT/$name" "$@"; then
		echo "$0: $name failed; inputs in $artifacts/" >&2
		status=1
	fi
done
exit $status
