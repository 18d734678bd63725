#!/bin/bash
# ingest-ssh.sh — N shards over ssh hosts with GNU parallel, then merge.
#   HOSTS=host1,host2 SHARDS=8 CAPTURES=/shared/captures CASES=/shared/cases \
#       examples/parallel/ingest-ssh.sh
# CAPTURES and CASES must be the same paths on every host (a shared
# filesystem); each host runs one shard at a time per slot (-j1 per
# host here: attrib uses the host's cores itself). --joblog keeps which
# host ran which shard, with exit codes, for the case notes. A shard that
# takes no file makes no case (attrib says so) and is left out of the
# merge; exit 2 (a capture ended in a decode error, its evidence before
# the error kept and chained) counts as done, with a line saying so; any
# other failure stops the run.
set -euo pipefail
: "${HOSTS:?}" "${SHARDS:?}" "${CAPTURES:?}" "${CASES:?}"
ATTRIB=${ATTRIB:-attrib}
mkdir -p "$CASES"
# exit 2 with a head file: a capture ended in a decode error, what it
# held before the error is in the shard (chained); the shard is done
seq 0 $((SHARDS - 1)) | parallel --jobs 1 -S "$HOSTS" --halt now,fail=1 \
	--joblog "$CASES/ingest.joblog" \
	"'$ATTRIB' ingest --db '$CASES/shard-{}.db' --shard '{}/$SHARDS' '$CAPTURES';" \
	"rc=\$?; if [ \$rc = 2 ] && [ -s '$CASES/shard-{}.db.head' ]; then" \
	"echo 'shard {}: a capture ended in an error; what it held before is in the shard' >&2;" \
	"rc=0; fi; exit \$rc"
shards=()
for ((k = 0; k < SHARDS; k++)); do
	[ -e "$CASES/shard-$k.db" ] && shards+=("$CASES/shard-$k.db")
done
"$ATTRIB" merge --db "$CASES/case.db" "${shards[@]}"
"$ATTRIB" verify --db "$CASES/case.db" --shard-dir "$CASES"
