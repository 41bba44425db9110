#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: what does reporting cost a page-faulting workload?

page-fault1.csv: % change in blocks/s against reporting off, as grouped
bars (one group per threads x shuffle, one bar per strategy x sink), in the
shape of the v12-v17 cover-letter tables.
"""
import sys

from common import (STRATEGIES, STRATEGY_COLORS, err, load, main_guard, plt,
                    save, title, val, FIGSIZE)

SINK_HATCH = {"null": "", "memory": "//", "balloon": ".."}


def plot(args):
    rows, meta = load(args.indir, "page-fault1")
    groups = sorted({(r["threads"], r["shuffle"]) for r in rows})
    series = [(s, k) for s in STRATEGIES for k in ("null", "memory", "balloon")
              if any(r["strategy"] == s and r["sink"] == k for r in rows)]
    fig, ax = plt.subplots(figsize=(FIGSIZE[0] * 1.3, FIGSIZE[1]))
    width = 0.8 / max(1, len(series))
    for i, (s, k) in enumerate(series):
        xs, ys, rs = [], [], []
        for g, (t, sh) in enumerate(groups):
            r = next((r for r in rows if r["strategy"] == s and
                      r["sink"] == k and r["threads"] == t and
                      r["shuffle"] == sh), None)
            x = g + (i - (len(series) - 1) / 2) * width
            if r is None or r["status"] != "ok":
                ax.text(x, 0, "n/a", rotation=90, ha="center", va="bottom",
                        fontsize=7, color="gray")
                continue
            xs.append(x)
            ys.append(val(r, "change_pct"))
            rs.append(r)
        if rs:
            ax.bar(xs, ys, width, yerr=err(rs, "change_pct"), capsize=2,
                   color=STRATEGY_COLORS[s], hatch=SINK_HATCH[k],
                   edgecolor="black", linewidth=0.5,
                   label="%s, %s sink" % (s, k))
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(["%d thread%s, shuffle %s" % (t, "s" if t > 1 else "",
                                                     "on" if sh else "off")
                        for t, sh in groups])
    ax.set_ylabel("paired change in blocks/s vs reporting off (%)\n"
                  "(median; bars: min..max)")
    ax.grid(axis="y", alpha=0.3)
    # below the axes: the bars reach every corner of the plot
    ax.legend(fontsize=7, ncol=3, loc="upper center",
              bbox_to_anchor=(0.5, -0.08), frameon=False)
    cfg = meta.get("config", {})
    title(ax, "page_fault1 (2^%s-page blocks, %s guest RAM, delays x%s)" % (
        cfg.get("block_order", "?"), cfg.get("guest_ram", "?"),
        cfg.get("delay_scale", "?")), meta)
    save(fig, args.outdir, "page_fault1")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
