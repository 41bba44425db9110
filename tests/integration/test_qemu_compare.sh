#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pagereport-sim compare on a shipped pagereport-guest recording
# (tests/integration/qemu-rec-1g: a real 1 GiB guest under QEMU, a 704 MiB
# tmpfs fill and delete): the seeded model must give QEMU's passes and
# bytes at boot and after the delete, exactly as it did when the
# recording was made.  This recording had little free memory at the
# delete's snapshot (the trace buffer took 128 MiB): the blocks free
# before the delete must be taken as reported from a state where the zone
# was above its min watermark, else the model reports 8 blocks twice.
set -u

BUILD=${top_builddir:-.}
SRC=${top_srcdir:-.}
SIM=${PGR_SIM:-$BUILD/src/sim/pagereport-sim}
REC=$SRC/tests/integration/qemu-rec-1g

out=$("$SIM" compare "$REC" --model seeded --check boot,delete 2>&1)
rc=$?
echo "$out"
fail=0
if [ $rc -ne 0 ]; then
	echo "FAIL: compare exited $rc"
	fail=1
fi
for row in '| boot | 3 / 192 / 768.0 | 3 / 192 / 768.0 |' \
	'| delete (seeded from deleted) | 3 / 169 / 676.0 | 3 / 169 / 676.0 |'; do
	case "$out" in
	*"$row"*) ;;
	*) echo "FAIL: no row: $row"; fail=1 ;;
	esac
done
# Bad input: a missing recording, an unknown strategy.
if "$SIM" compare "$REC/nonexistent" >/dev/null 2>&1; then
	echo "FAIL: compare of a missing directory succeeded"
	fail=1
fi
if "$SIM" compare "$REC" --strategy nosuch >/dev/null 2>&1; then
	echo "FAIL: compare with an unknown strategy succeeded"
	fail=1
fi
[ $fail -eq 0 ] && echo PASS
exit $fail
