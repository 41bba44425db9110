#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: how much does re-walking the reported tail (no boundary) cost?

boundary-vs-rescan.csv: overhead of v11-rescan and upstream over
v11-boundary at the main point (bars, with the seed's 18% as a reference
line), and how it grows with guest size, churn rate and occupancy.
"""
import sys

from common import (STRATEGIES, STRATEGY_COLORS, err, load, main_guard, ok,
                    plt, save, title, val, FIGSIZE)


def sweep_panel(ax, rows, sweep, xkey, xlabel, logx=False):
    main = [r for r in rows if r["sweep"] == "main" and r["shuffle"] == 0
            and r["capacity"] == 32]
    for s in STRATEGIES[1:]:
        rs = [r for r in rows if r["sweep"] == sweep and r["strategy"] == s]
        rs += [r for r in main if r["strategy"] == s]
        rs.sort(key=lambda r: r[xkey])
        if not rs:
            continue
        ax.errorbar([r[xkey] for r in rs], [val(r, "overhead_pct") for r in rs],
                    yerr=err(rs, "overhead_pct"), marker="o", capsize=3,
                    color=STRATEGY_COLORS[s], label=s)
    ax.axhline(18, color="k", ls="--", lw=1, label="v11 cover letter: 18%")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("overhead vs v11-boundary (%)")
    if logx:
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def plot(args):
    rows, meta = load(args.indir, "boundary-vs-rescan")
    rows = ok(rows)
    fig, axes = plt.subplots(2, 2, figsize=(FIGSIZE[0] * 1.3, FIGSIZE[1] * 1.5))
    ax = axes[0][0]
    main = [r for r in rows if r["sweep"] == "main"]
    confs = sorted({(r["shuffle"], r["capacity"]) for r in main})
    width = 0.35
    for i, s in enumerate(STRATEGIES[1:]):
        rs = [next((r for r in main if r["strategy"] == s and
                    (r["shuffle"], r["capacity"]) == c), None) for c in confs]
        rs = [r for r in rs if r]
        if not rs:
            continue
        xs = [j + (i - 0.5) * width for j in range(len(rs))]
        ax.bar(xs, [val(r, "overhead_pct") for r in rs], width,
               yerr=err(rs, "overhead_pct"), capsize=3,
               color=STRATEGY_COLORS[s], label=s)
    ax.axhline(18, color="k", ls="--", lw=1, label="v11 cover letter: 18%")
    ax.set_xticks(range(len(confs)))
    ax.set_xticklabels(["shuffle %s\ncapacity %d" % ("on" if sh else "off", c)
                        for sh, c in confs])
    gib = main[0]["mem_gib"] if main else "?"
    ax.set_ylabel("overhead vs v11-boundary (%)")
    ax.set_title("%s GiB guest, order 9, %s ops/s churn" %
                 (gib, main[0]["rate"] if main else "?"), fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    sweep_panel(axes[0][1], rows, "mem", "mem_gib", "guest size (GiB)",
                logx=True)
    sweep_panel(axes[1][0], rows, "rate", "rate",
                "churn rate (alloc/free ops per virtual second)", logx=True)
    sweep_panel(axes[1][1], rows, "occupancy", "occupancy",
                "occupancy (fraction of guest allocated)")
    title(fig, "Free page reporting: cost of re-walking reported pages "
          "(v11-rescan) and of upstream, vs v11 with reported_boundary", meta)
    fig.tight_layout()
    save(fig, args.outdir, "overhead")

    # Nodes visited per reported block: the mechanism behind the overhead.
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for s in STRATEGIES:
        rs = [r for r in rows if r["strategy"] == s and
              (r["sweep"] == "mem" or (r["sweep"] == "main" and
                                       r["shuffle"] == 0 and
                                       r["capacity"] == 32))]
        rs.sort(key=lambda r: r["mem_gib"])
        if rs:
            ax.errorbar([r["mem_gib"] for r in rs],
                        [val(r, "nodes_per_block") for r in rs],
                        yerr=err(rs, "nodes_per_block"), marker="o",
                        capsize=3, color=STRATEGY_COLORS[s], label=s)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("guest size (GiB)")
    ax.set_ylabel("free-list nodes visited per reported block")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    title(ax, "List walk per reported block under churn", meta)
    save(fig, args.outdir, "nodes_per_block")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
