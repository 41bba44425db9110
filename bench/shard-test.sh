#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check: one experiment run as 3 shards through GNU parallel, merged,
# must equal the unsharded run in every deterministic column
# (bench/compare_results.py), and the shards must split the work units
# without overlap.  Then the ways a merge must refuse: a missing shard, a
# shard run with other options, a bad --shard.  Small settings (2 GiB
# guest, --quick, 3 repeats: about a second per run), and overcommit's
# side files; no timing checked.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
BENCH=${BENCH:-$top_builddir/bench/pagereport-bench}
PYTHON=${PYTHON:-python3}
case $BENCH in /*) ;; *) BENCH=$(pwd)/$BENCH ;; esac
case $top_srcdir in /*) ;; *) top_srcdir=$(pwd)/$top_srcdir ;; esac

fail() { echo "shard-test: FAIL: $*" >&2; exit 1; }

[ -x "$BENCH" ] || fail "$BENCH not built"
parallel --version 2>/dev/null | grep -q "GNU parallel" ||
	fail "GNU parallel not installed (scripts/setup.sh installs it)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgr-shard.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 99

ARGS="boundary-vs-rescan --quick --repeat 3 --mem 2GiB --seed ${PGR_SEED:-1}"
# shellcheck disable=SC2086
"$BENCH" $ARGS --out full >full.log 2>&1 || { cat full.log; fail "unsharded run"; }
# the documented command line (bench/README.md)
parallel --halt now,fail=1 "$BENCH" $ARGS --shard {}/3 --out shard{} \
	'>' shard{}.log '2>&1' ::: 1 2 3 ||
	{ cat shard*.log; fail "a shard failed under GNU parallel"; }
"$BENCH" merge shard1 shard2 shard3 --out merged >merge.log 2>&1 ||
	{ cat merge.log; fail "merge"; }
"$PYTHON" "$top_srcdir/bench/compare_results.py" full merged \
	boundary-vs-rescan --shards shard1 shard2 shard3 ||
	fail "merged shards differ from the unsharded run"
# merge order of the arguments does not matter
"$BENCH" merge shard3 shard1 shard2 --out merged2 >/dev/null 2>&1 ||
	fail "merge in another order"
cmp -s merged/boundary-vs-rescan.csv merged2/boundary-vs-rescan.csv ||
	fail "merge depends on the order of its arguments"
# a shard alone is a part: fewer samples than the whole
"$PYTHON" "$top_srcdir/bench/compare_results.py" full shard1 \
	boundary-vs-rescan >/dev/null 2>&1 && fail "one shard equals the whole"

# refusals
"$BENCH" merge shard1 shard2 --out x >err 2>&1 && fail "merge without shard 3"
grep -q "shard 3/3 is missing" err || { cat err; fail "missing shard message"; }
"$BENCH" merge shard1 shard1 shard2 shard3 --out x >err 2>&1 &&
	fail "merge with a shard twice"
# shellcheck disable=SC2086
"$BENCH" $ARGS --seed 7 --shard 3/3 --out other >/dev/null 2>&1 ||
	fail "shard with another seed"
"$BENCH" merge shard1 shard2 other --out x >err 2>&1 &&
	fail "merged shards of different options"
grep -q "other options" err || { cat err; fail "other options message"; }
mkdir b3 && head -c 3000 shard3/boundary-vs-rescan.json >b3/boundary-vs-rescan.json
"$BENCH" merge shard1 shard2 b3 --out x >err 2>&1 && fail "merged a truncated JSON"
grep -q "b3/boundary-vs-rescan.json: .* at offset" err || { cat err; fail "truncated JSON message"; }
"$BENCH" merge full --out x >err 2>&1 && fail "merged an unsharded run"
grep -q "not the output of a --shard" err || { cat err; fail "unsharded message"; }
# scripts/slurm-sweep.sh with a stand-in sbatch that runs the job script
# of each array task in turn (no Slurm here): the documented script's
# shards merge to the same result.
mkdir fakebin
cat >fakebin/sbatch <<'SB'
#!/bin/sh
array=""
for a in "$@"; do
	case $a in --array=*) array=${a#--array=} ;; esac
done
cat >job.$$
if [ -n "$array" ]; then
	i=${array%-*}
	while [ "$i" -le "${array#*-}" ]; do
		SLURM_ARRAY_TASK_ID=$i sh job.$$ >/dev/null 2>&1 || exit 1
		i=$((i + 1))
	done
else
	sh job.$$ >/dev/null 2>&1 || exit 1
fi
echo $$
SB
chmod +x fakebin/sbatch
# shellcheck disable=SC2086
PATH=$tmp/fakebin:$PATH BENCH=$BENCH sh "$top_srcdir/scripts/slurm-sweep.sh" \
	3 "$tmp/slurm" $ARGS >slurm.log 2>&1 || { cat slurm.log; fail "slurm-sweep.sh"; }
"$PYTHON" "$top_srcdir/bench/compare_results.py" full slurm/merged \
	boundary-vs-rescan || fail "slurm-sweep.sh merge differs"

# overcommit: its per-strategy side files (overcommit-host-*.csv, one
# work unit each) come through the merge byte for byte (about 10 s)
"$BENCH" overcommit --quick --out ocfull >oc.log 2>&1 || { cat oc.log; fail "overcommit"; }
for i in 1 2 3; do
	"$BENCH" overcommit --quick --shard $i/3 --out oc$i >oc$i.log 2>&1 ||
		{ cat oc$i.log; fail "overcommit shard $i"; }
done
"$BENCH" merge oc1 oc2 oc3 --out ocmerged >ocm.log 2>&1 || { cat ocm.log; fail "overcommit merge"; }
for f in ocfull/overcommit.csv ocfull/overcommit-host-*.csv; do
	cmp "$f" "ocmerged/${f#ocfull/}" ||
		fail "merged overcommit: ${f#ocfull/} differs or is missing"
done

for bad in 0/3 4/3 1/0 3 a/b -1/3; do
	"$BENCH" scale --quick --shard "$bad" --out x >err 2>&1 &&
		fail "--shard $bad accepted"
	grep -q -- "--shard $bad: want I/N" err || { cat err; fail "--shard $bad message"; }
done
echo "shard-test: ok"
exit 0
