#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: how many 5 GiB guests fit on a 15 GiB host without swap?

overcommit.csv: guests_fit per strategy (Lal's v12 measurement: 2
unmodified, 7 with page reporting, drawn as markers);
overcommit-host-<strategy>.csv: host resident memory (the "host" rows)
over virtual time, with the 15 GiB budget.
"""
import csv
import os
import sys

from common import (STRATEGIES, STRATEGY_COLORS, Missing, load, main_guard,
                    plt, save, title, val, with_loaded)

NAMES = ["none"] + STRATEGIES


def host_series(indir, strategy):
    path = os.path.join(indir, "overcommit-host-%s.csv" % strategy)
    if not os.path.exists(path):
        return None
    t, rss = [], []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["guest"] == "host":
                t.append(int(r["time_ns"]) / 1e9)
                rss.append((int(r["resident_bytes"]) -
                            int(r["swapped_bytes"])) / float(1 << 30))
    return t, rss


def plot(args):
    rows, meta = load(args.indir, "overcommit")
    by = {r["strategy"]: r for r in rows if r.get("status") == "ok"}
    if not by:
        raise Missing("overcommit rows")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 6),
                                   gridspec_kw={"width_ratios": [1, 2]})
    names = [s for s in with_loaded(NAMES, rows) if s in by]
    colors = [STRATEGY_COLORS.get(s, "0.5") for s in names]
    fit = [val(by[s], "guests_fit") for s in names]
    ax1.bar(range(len(names)), fit, color=colors)
    for i, v in enumerate(fit):
        ax1.text(i, v + 0.2, "%d" % v, ha="center")
    ax1.axhline(2, color="k", ls=":", lw=1, label="Lal: unmodified 2")
    ax1.axhline(7, color="k", ls="--", lw=1, label="Lal: v12 reporting 7")
    ax1.set_xticks(range(len(names)))
    ax1.set_xticklabels(names, rotation=20)
    ax1.set_ylabel("5 GiB guests launched without host swap")
    ax1.legend(loc="upper left", fontsize=8)
    ax1.grid(axis="y", alpha=0.3)
    cap = meta.get("config", {}).get("host_bytes")
    for s in names:
        ser = host_series(args.indir, s)
        if not ser:
            continue
        ax2.plot(ser[0], ser[1], color=STRATEGY_COLORS.get(s, "0.3"),
                 label=s, ls="--" if s == "v11-rescan" else "-")
    if cap:
        ax2.axhline(int(cap) / float(1 << 30), color="r", ls=":", lw=1,
                    label="host budget")
    ax2.set_xlabel("virtual time (s); a guest launched every %s s" %
                   meta.get("config", {}).get("launch_s", "?"))
    ax2.set_ylabel("host memory in use for guests (GiB)")
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8)
    title(fig, "Overcommit: 5 GiB guests touching 4-5 GiB then freeing it "
          "on a 15 GiB host (simulation)", meta)
    save(fig, args.outdir, "overcommit")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
