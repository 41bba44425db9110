#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Draw every figure from one results directory (what `make plots` runs).

Each plot_<question>.py is imported and run on --in/--out; a missing
experiment is skipped with a note, any other error fails.

One run's figures are never mixed with another's: --in is resolved once
(results/latest may be repointed by a run finishing meanwhile), the
figures are drawn into a fresh directory beside --out, and only when all
are drawn do they replace every PNG/SVG that --out held; --out/FROM then
names the results directory they were drawn from.  --out therefore holds
generated figures only (plots/ of the source tree: not committed).
"""
import glob
import importlib
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import Missing, parse_args  # noqa: E402

MODULES = ["plot_overhead", "plot_pagefault", "plot_reclaim", "plot_sweep",
           "plot_scaling", "plot_overcommit", "plot_overcommit_sweep",
           "plot_overcommit_uml"]


def publish(new, out, indir):
    """Replace out's figures by new's."""
    for old in glob.glob(os.path.join(out, "*.png")) + \
            glob.glob(os.path.join(out, "*.svg")):
        os.unlink(old)
    for f in sorted(os.listdir(new)):
        os.replace(os.path.join(new, f), os.path.join(out, f))
    with open(os.path.join(out, "FROM"), "w") as f:
        f.write(indir + "\n")


def main():
    args = parse_args(__doc__)
    if not os.path.isdir(args.indir):
        print("plot_all: %s: no results directory (run pagereport-bench)"
              % args.indir, file=sys.stderr)
        return 1
    indir = os.path.realpath(args.indir)
    out = args.outdir
    os.makedirs(out, exist_ok=True)
    new = tempfile.mkdtemp(prefix=".new-", dir=out)
    args.indir, args.outdir = indir, new
    drawn = 0
    try:
        for name in MODULES:
            mod = importlib.import_module(name)
            try:
                mod.plot(args)
                drawn += 1
            except Missing as e:
                print("%s: skipped, no %s" % (name, e), file=sys.stderr)
        if drawn:
            publish(new, out, indir)
            print("plot_all: %d figures from %s in %s" % (drawn, indir, out))
    finally:
        shutil.rmtree(new, ignore_errors=True)
    return 0 if drawn else 1


if __name__ == "__main__":
    sys.exit(main())
