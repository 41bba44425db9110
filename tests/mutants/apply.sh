#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The mutant list (tests/mutants/*.txt) still applies to the code: every
# mutant's find text is on exactly one line of its file.  A change that
# moves a mutated line makes this fail with STALE and the mutant's id:
# update its find text (scripts/mutate.sh --check; README "Tests").  The
# mutation run itself (scripts/mutate.sh) is too long for make check.
set -eu
top=${top_srcdir:-$(dirname "$0")/../..}
exec sh "$top/scripts/mutate.sh" --check
