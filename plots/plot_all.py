#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Draw every figure from one results directory (what `make plots` runs).

Each plot_<question>.py is imported and run on --in/--out; a missing
experiment is skipped with a note, any other error fails.
"""
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import Missing, parse_args  # noqa: E402

MODULES = ["plot_overhead", "plot_pagefault", "plot_reclaim", "plot_sweep",
           "plot_scaling"]


def main():
    args = parse_args(__doc__)
    if not os.path.isdir(args.indir):
        print("plot_all: %s: no results directory (run pagereport-bench)"
              % args.indir, file=sys.stderr)
        return 1
    drawn = 0
    for name in MODULES:
        mod = importlib.import_module(name)
        try:
            mod.plot(args)
            drawn += 1
        except Missing as e:
            print("%s: skipped, no %s" % (name, e), file=sys.stderr)
    return 0 if drawn else 1


if __name__ == "__main__":
    sys.exit(main())
