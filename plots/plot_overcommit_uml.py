#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: does the model's host memory curve match real guests'?

overcommit-uml-{real,sim}-{on,off}.csv (pagereport-bench overcommit-uml):
the sum of K User-Mode Linux guests' RAM file allocated bytes over time
(real) and pgr_host resident bytes for the same guests and phases (sim),
free page reporting on (upstream) and off, with the budgets the
guests-fit counts use; overcommit-uml.csv gives the counts.
"""
import csv
import os
import sys

from common import Missing, load, main_guard, plt, save, title, val

MIB = float(1 << 20)


def series(indir, src, mode):
    path = os.path.join(indir, "overcommit-uml-%s-%s.csv" % (src, mode))
    if not os.path.exists(path):
        return None
    t, s = [], []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            t.append(float(r["time_s"]))
            s.append(float(r["sum"]) / MIB)
    return t, s


def plot(args):
    rows, meta = load(args.indir, "overcommit-uml")
    cfg = meta.get("config", {})
    by = {(r["source"], r["reporting"]): r for r in rows
          if r.get("status") == "ok"}
    if not by:
        raise Missing("overcommit-uml rows")
    fig, ax = plt.subplots(figsize=(11, 6))
    style = {("real", "on"): ("tab:green", "-"),
             ("sim", "on"): ("tab:green", "--"),
             ("real", "off"): ("tab:red", "-"),
             ("sim", "off"): ("tab:red", "--")}
    for (src, mode), (color, ls) in style.items():
        ser = series(args.indir, src, mode)
        if not ser:
            continue
        r = by.get((src, mode))
        fit = ""
        if r:
            fit = " (fit 2x: %d, 3x: %d)" % (val(r, "guests_fit_2x"),
                                            val(r, "guests_fit_3x"))
        ax.plot(ser[0], ser[1], color=color, ls=ls,
                label="%s, reporting %s%s" % (src, mode, fit))
    mem = float(cfg.get("guest_mib", 0))
    for m, ls in ((2, ":"), (3, "-.")):
        if mem:
            ax.axhline(m * mem, color="k", ls=ls, lw=1,
                       label="budget %dx guest RAM" % m)
    ax.set_xlabel("time (s); a guest launched every %s s" %
                  cfg.get("stagger_s", "?"))
    ax.set_ylabel("host memory for all guests (MiB)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    title(fig, "%s User-Mode Linux guests of %s MiB, each filling %s%% "
          "and freeing it: real RAM files vs the model" %
          (cfg.get("guests", "?"), cfg.get("guest_mib", "?"),
           cfg.get("fill_pct", "?")), meta)
    save(fig, args.outdir, "overcommit_uml")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
