#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A pagereport-bench sweep as a Slurm job array: task i of n runs
# `pagereport-bench --shard i/n`, and a dependent job merges the shards.
# No scheduler of our own: Slurm places the tasks.
#
#   scripts/slurm-sweep.sh SHARDS OUTDIR [pagereport-bench arguments...]
#   e.g. scripts/slurm-sweep.sh 8 /scratch/$USER/sweep boundary-vs-rescan --mem 128GiB
#
# Submits with sbatch (extra sbatch options: SBATCH_ARGS, e.g.
# "--partition=short --time=02:00:00").  Shard i writes OUTDIR/shard<i>;
# the merge writes OUTDIR/merged.  BENCH names the runner (default
# pagereport-bench on PATH, e.g. an install with --prefix; use an
# absolute path for a build tree).  Every node must run the same build.
set -eu

if [ $# -lt 2 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
	sed -n '3,16s/^# \{0,1\}//p' "$0"
	exit 0
fi
n=$1
out=$2
shift 2
BENCH=${BENCH:-pagereport-bench}
case $n in '' | *[!0-9]* | 0)
	echo "slurm-sweep: SHARDS must be a positive number, not '$n'" >&2
	exit 2
	;;
esac
command -v sbatch >/dev/null 2>&1 || {
	echo "slurm-sweep: no sbatch on PATH (is this a Slurm login node?)" >&2
	exit 1
}
mkdir -p "$out"
args=""
for a in "$@"; do # keep each argument one word in the job script
	args="$args '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
done

# shellcheck disable=SC2086
jobid=$(sbatch --parsable ${SBATCH_ARGS:-} --array=1-"$n" \
	--job-name=pgr-sweep --output="$out/shard%a.log" <<JOB
#!/bin/sh
exec "$BENCH" $args --shard "\$SLURM_ARRAY_TASK_ID/$n" \
	--out "$out/shard\$SLURM_ARRAY_TASK_ID"
JOB
)
jobid=${jobid%%;*}
dirs=""
i=1
while [ "$i" -le "$n" ]; do
	dirs="$dirs '$out/shard$i'"
	i=$((i + 1))
done
# shellcheck disable=SC2086
sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterok:"$jobid" \
	--job-name=pgr-merge --output="$out/merge.log" <<JOB
#!/bin/sh
exec "$BENCH" merge --out "$out/merged" $dirs
JOB
echo "slurm-sweep: array $jobid ($n shards) and its merge submitted; results in $out/merged"
