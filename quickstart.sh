#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The README's first command: set up (Debian packages, configure, build
# into build/), then run the main job: pagereport-bench with its default
# experiments into results/, and draw the plots into plots/.
set -eu

usage() {
	cat <<'USAGE'
Usage: ./quickstart.sh [--quick] [pagereport-bench options...]

Set up and run libpagereport's experiments on a Debian 12 machine:
  1. scripts/setup.sh: install the missing Debian packages (apt-get; sudo
     if not root), generate and run configure, build into build/;
  2. build/bench/pagereport-bench with the given options: every experiment,
     results in results/<UTC timestamp>/, results/latest pointed at it
     once the run completed (about 7 minutes on 2 CPUs by default);
  3. make -C build plots: the figures of that run into plots/.

  --quick      small sizes and short runs (under a minute; numbers not
               to quote), as pagereport-bench --quick
  -h, --help   this text; nothing is installed or built

Any other option goes to pagereport-bench (see
build/bench/pagereport-bench --help), e.g.
  ./quickstart.sh boundary-vs-rescan --repeat 3
Environment: BUILD_DIR (default build), JOBS (parallel make jobs).
Then: make -C build check runs the test suite.
USAGE
}

for a in "$@"; do
	case $a in
	-h | --help)
		usage
		exit 0
		;;
	esac
done

cd "$(dirname "$0")"
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
scripts/setup.sh
"$BUILD_DIR"/bench/pagereport-bench "$@"
make -C "$BUILD_DIR" plots
echo "quickstart: results in results/latest, plots in plots/ (from $(cat plots/FROM 2>/dev/null || echo results/latest))"
