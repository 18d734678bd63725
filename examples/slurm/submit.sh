#!/bin/bash
# submit.sh — the array job and its dependent merge, in one go.
#   SHARDS=16 CAPTURES=/shared/captures CASES=/shared/cases examples/slurm/submit.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${SHARDS:?}" "${CAPTURES:?}" "${CASES:?}"
export SHARDS CAPTURES CASES
jid=$(sbatch --parsable --array=0-$((SHARDS - 1)) --export=ALL \
	"$here/ingest-array.sbatch")
mid=$(sbatch --parsable --dependency=afterok:"${jid%%;*}" --export=ALL \
	"$here/merge.sbatch")
echo "ingest array $jid, merge $mid"
