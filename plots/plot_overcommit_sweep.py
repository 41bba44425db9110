#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: how does the count of guests that fit move with the set-up?

overcommit-sweep.csv: guests_fit per strategy while one variable of Lal's
set-up (15 GiB host, 5 GiB guests touching 4-5 GiB) moves: one panel per
swept variable, guests fit against its value, a line per strategy (the
tunable sweeps have one strategy each).  The default point is drawn from
overcommit.csv when that is present, counted at the sweep's cap.
"""
import sys

from common import (STRATEGIES, STRATEGY_COLORS, Missing, load, main_guard,
                    plt, save, title, val, with_loaded)

NAMES = ["none"] + STRATEGIES
# the default value of each swept variable (Lal's set-up, the tunables'
# defaults: upstream 2 s, v11 hwm 32, bitmap 16 blocks per report)
DEFAULTS = {"host_gib": 15, "guest_gib": 5, "touch_max": 1.0,
            "upstream_delay_s": 2, "v11_hwm": 32, "bitmap_capacity": 16}


def plot(args):
    rows, meta = load(args.indir, "overcommit-sweep")
    rows = [r for r in rows if r.get("status") == "ok"]
    if not rows:
        raise Missing("overcommit-sweep rows")
    cap = meta.get("config", {}).get("max_guests", "?")
    base = {}
    try:
        brows, _ = load(args.indir, "overcommit")
        base = {r["strategy"]: val(r, "guests_fit") for r in brows
                if r.get("status") == "ok"}
    except Missing:
        pass
    sweeps = []
    for r in rows:
        if r["sweep"] not in sweeps:
            sweeps.append(r["sweep"])
    ncol = 3
    nrow = (len(sweeps) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(15, 4.5 * nrow),
                             squeeze=False)
    for k, sw in enumerate(sweeps):
        ax = axes[k // ncol][k % ncol]
        for s in with_loaded(NAMES, rows):
            pts = [(float(r["value"]), val(r, "guests_fit"))
                   for r in rows if r["sweep"] == sw and r["strategy"] == s]
            if not pts:
                continue
            if s in base and sw in DEFAULTS:
                # overcommit.csv has a higher cap: count it at this one
                b = base[s]
                if cap != "?":
                    b = min(b, float(cap))
                pts.append((float(DEFAULTS[sw]), b))
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                    color=STRATEGY_COLORS.get(s, "0.3"), label=s,
                    ls="--" if s == "v11-rescan" else "-")
        if sw in DEFAULTS:
            ax.axvline(DEFAULTS[sw], color="0.6", ls=":", lw=1)
        ax.set_xlabel(sw)
        ax.set_ylabel("guests fit")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for k in range(len(sweeps), nrow * ncol):
        axes[k // ncol][k % ncol].axis("off")
    title(fig, "Overcommit sweeps: guests fit without host swap as one "
          "variable of Lal's set-up moves (simulation; capped at %s; "
          "dotted: default)" % cap, meta)
    save(fig, args.outdir, "overcommit_sweep")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
