#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: how much does re-walking the reported tail (no boundary) cost,
and how do upstream and Lal's bitmap compare under the same churn?

boundary-vs-rescan.csv: overhead of v11-rescan, upstream and bitmap (and
bitmap as Lal measured it, v12-modified) over v11-boundary at the main
point (bars, with the seed's 18% and Duyck's "over 20% worse" as reference
lines), how it grows with guest size, churn rate and occupancy, list nodes
or bitmap bits visited per reported block, and reporter CPU per GiB.
"""
import sys

from common import (STRATEGIES, STRATEGY_COLORS, err, load, main_guard, ok,
                    plt, save, series_of, title, val, with_loaded, FIGSIZE)

SERIES = STRATEGIES + ["bitmap-modified"]


def sweep_panel(ax, rows, sweep, xkey, xlabel, logx=False):
    main = [r for r in rows if r["sweep"] == "main" and r["shuffle"] == 0
            and r["capacity"] == 32]
    for s in with_loaded(STRATEGIES, rows, "series")[1:]:
        if s == "bitmap-modified":
            continue
        rs = [r for r in rows if r["sweep"] == sweep and series_of(r) == s]
        rs += [r for r in main if series_of(r) == s]
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
    global SERIES
    rows, meta = load(args.indir, "boundary-vs-rescan")
    rows = ok(rows)
    SERIES = with_loaded(SERIES, rows, "series")  # and --load's
    fig, axes = plt.subplots(2, 2, figsize=(FIGSIZE[0] * 1.3, FIGSIZE[1] * 1.5))
    ax = axes[0][0]
    main = [r for r in rows if r["sweep"] == "main"]
    confs = sorted({(r["shuffle"], r["capacity"]) for r in main})
    series = [s for s in SERIES[1:] if any(series_of(r) == s for r in main)]
    width = 0.8 / max(1, len(series))
    for i, s in enumerate(series):
        xs, rs = [], []
        for j, c in enumerate(confs):
            r = next((r for r in main if series_of(r) == s and
                      (r["shuffle"], r["capacity"]) == c), None)
            if r:
                xs.append(j + (i - (len(series) - 1) / 2) * width)
                rs.append(r)
        ax.bar(xs, [val(r, "overhead_pct") for r in rs], width,
               yerr=err(rs, "overhead_pct"), capsize=3,
               color=STRATEGY_COLORS[s], label=s)
    ax.axhline(18, color="k", ls="--", lw=1, label="v11 cover letter: 18%")
    ax.axhline(20, color="k", ls=":", lw=1,
               label="Duyck: bitmap \"over 20% worse\"")
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
          "(v11-rescan), of upstream and of Lal's bitmap, vs v11 with "
          "reported_boundary", meta)
    fig.tight_layout()
    save(fig, args.outdir, "overhead")

    # Nodes (or bits) visited per reported block: the mechanism.
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for s in SERIES:
        rs = [r for r in rows if series_of(r) == s and
              (r["sweep"] == "mem" or (r["sweep"] == "main" and
                                       r["shuffle"] == 0 and
                                       r["capacity"] == 32))]
        rs.sort(key=lambda r: r["mem_gib"])
        if rs:
            ax.errorbar([r["mem_gib"] for r in rs],
                        [val(r, "visited_per_block") for r in rs],
                        yerr=err(rs, "visited_per_block"), marker="o",
                        capsize=3, color=STRATEGY_COLORS[s], label=s)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("guest size (GiB)")
    ax.set_ylabel("list nodes (bitmap: bits) visited per reported block")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    title(ax, "List walk per reported block under churn", meta)
    save(fig, args.outdir, "nodes_per_block")

    # Four-way: reporter CPU per reported GiB and re-reports, main point.
    fig, axes = plt.subplots(1, 2, figsize=(FIGSIZE[0] * 1.3, FIGSIZE[1]))
    pts = [r for r in main if r["shuffle"] == 0 and r["capacity"] == 32]
    pts.sort(key=lambda r: SERIES.index(series_of(r)))
    names = [series_of(r) for r in pts]
    for ax, key, label in ((axes[0], "reporter_ns_per_gib",
                            "reporter CPU per reported GiB (ms)"),
                           (axes[1], "rereported_pages",
                            "pages reported again while discarded (MiB)")):
        scale = 1e6 if key == "reporter_ns_per_gib" else 256.0
        ax.bar(range(len(pts)), [val(r, key) / scale for r in pts],
               yerr=[[e / scale for e in row] for row in err(pts, key)],
               capsize=3, color=[STRATEGY_COLORS[n] for n in names])
        ax.set_xticks(range(len(pts)))
        ax.set_xticklabels(names, rotation=20, fontsize=8)
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
    title(fig, "Four strategies under the same churn (main point, "
          "shuffle off, capacity 32)", meta)
    fig.tight_layout()
    save(fig, args.outdir, "four_way")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
