#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: what do the reporting order, delay and capacity cost?

reclaim.csv part "sweep" (upstream, memory sink, real refaults, build-like
workload): CPU-time overhead
against reporting off, HyperAlloc-style, in three panels.
"""
import sys

from common import (FIGSIZE, err, load, main_guard, plt, save, title, val)


def panel(ax, rs, xkey, xlabel, logx=False, label=None):
    rs = sorted(rs, key=lambda r: r[xkey])
    if not rs:
        return
    ax.errorbar([r[xkey] for r in rs], [val(r, "overhead_pct") for r in rs],
                yerr=err(rs, "overhead_pct"), marker="o", capsize=3,
                label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("build CPU time vs reporting off (%)")
    if logx:
        ax.set_xscale("log")
    ax.axhline(0, color="k", lw=0.8)
    ax.grid(alpha=0.3)


def plot(args):
    rows, meta = load(args.indir, "reclaim")
    rows = [r for r in rows if r["part"] == "sweep" and r["status"] == "ok"]
    fig, axes = plt.subplots(1, 3, figsize=(FIGSIZE[0] * 1.6, FIGSIZE[1]))
    orders = [r for r in rows if r["sweep"] == "order"]
    panel(axes[0], orders, "order", "reporting order (delay 2 s, capacity 32)")
    for o in sorted({r["order"] for r in rows if r["sweep"] == "delay"}):
        rs = [r for r in rows if r["order"] == o and r["capacity"] == 32 and
              r["sweep"] in ("delay", "order")]
        panel(axes[1], rs, "delay_ms", "delay (ms, capacity 32)", logx=True,
              label="order %d" % o)
    axes[1].legend()
    caps = [r for r in rows if r["order"] == 9 and r["delay_ms"] == 2000 and
            r["sweep"] in ("capacity", "order")]
    panel(axes[2], caps, "capacity", "capacity (blocks per report, order 9)",
          logx=True)
    title(fig, "Upstream reporting: order / delay / capacity sweep "
          "(build-like workload, %s guest on memfd, memory sink)" %
          meta.get("config", {}).get("sweep_mem", "?"), meta)
    fig.tight_layout()
    save(fig, args.outdir, "sweep")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
