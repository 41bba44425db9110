#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: how fast does freed guest memory go back to the host?

reclaim.csv part "curve": bytes returned since t=0 (90% of the guest freed)
over virtual time, per strategy, with min/max bands over repeats.
"""
import sys

from common import (STRATEGIES, STRATEGY_COLORS, load, main_guard, plt, save,
                    title, val, with_loaded, FIGSIZE)


def plot(args):
    rows, meta = load(args.indir, "reclaim")
    fig, ax = plt.subplots(figsize=FIGSIZE)
    gib = float(1 << 30)
    for s in with_loaded(STRATEGIES, [r for r in rows
                                      if r["part"] == "curve"]):
        rs = sorted([r for r in rows if r["part"] == "curve" and
                     r["strategy"] == s and r["status"] == "ok"],
                    key=lambda r: r["t_s"])
        if not rs:
            continue
        t = [r["t_s"] for r in rs]
        # v11-rescan reports exactly what v11-boundary does: dash it
        ax.plot(t, [val(r, "bytes_returned") / gib for r in rs],
                color=STRATEGY_COLORS[s], label=s,
                ls="--" if s == "v11-rescan" else "-",
                lw=3 if s == "v11-boundary" else 1.5)
        ax.fill_between(t, [val(r, "bytes_returned", "min") / gib for r in rs],
                        [val(r, "bytes_returned", "max") / gib for r in rs],
                        color=STRATEGY_COLORS[s], alpha=0.2)
        summ = next((r for r in rows if r["part"] == "summary" and
                     r["strategy"] == s), None)
        if summ:
            t90 = val(summ, "t90_s")
            if t90 == t90:
                ax.axvline(t90, color=STRATEGY_COLORS[s], ls=":", lw=1)
    freed = [val(r, "freed_bytes") for r in rows if r["part"] == "summary"]
    if freed:
        ax.axhline(freed[0] / gib, color="k", ls="--", lw=1,
                   label="free at t=0")
    ax.set_xlabel("virtual time since the free (s)")
    ax.set_ylabel("bytes returned to the host (GiB)")
    ax.grid(alpha=0.3)
    ax.legend()
    title(ax, "Reclaim after freeing 90%% of a %s guest (dotted: 90%% "
          "point)" % meta.get("config", {}).get("mem", "?"), meta)
    save(fig, args.outdir, "reclaim")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
