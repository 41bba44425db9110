#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The README's first command: set up (Debian packages, configure, build
# into build/), then run the main job: pagereport-bench with its default
# experiments into results/, and draw the plots into plots/.
set -eu

cd "$(dirname "$0")"
scripts/setup.sh
build/bench/pagereport-bench "$@"
make -C build plots
echo "quickstart: results in results/latest, plots in plots/"
