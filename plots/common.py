# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared loader and house style for the pagereport-bench plots.

The CSV written by pagereport-bench is the only input (plus its JSON twin
for the machine and configuration used in titles).  matplotlib and the
standard library only; no pandas.
"""
import argparse
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FIGSIZE = (10, 6)
DPI = 110


class _Colors(dict):
    """The built-ins' colors; a strategy loaded as a plug-in
    (pagereport-bench --load) gets the next of a few more, by name."""
    EXTRA = ["#ff7f0e", "#8c564b", "#17becf", "#bcbd22", "#393b79"]

    def __missing__(self, name):
        color = self.EXTRA[sum(map(ord, name)) % len(self.EXTRA)]
        self[name] = color
        return color


STRATEGY_COLORS = _Colors({
    "v11-boundary": "#1f77b4",
    "v11-rescan": "#d62728",
    "upstream": "#2ca02c",
    "bitmap": "#9467bd",
    "bitmap-modified": "#e377c2",
    "none": "#7f7f7f",
})
STRATEGIES = ["v11-boundary", "v11-rescan", "upstream", "bitmap"]


def with_loaded(names, rows, key="strategy"):
    """@names, then every other strategy the rows have (loaded ones), in
    the order they first appear."""
    out = list(names)
    for r in rows:
        s = series_of(r) if key == "series" else r.get(key)
        if isinstance(s, str) and s not in out:
            out.append(s)
    return out


def series_of(r):
    """A row's series: its strategy, or bitmap-modified for Lal's variant."""
    if r.get("variant") == "v12-modified":
        return "bitmap-modified"
    return r["strategy"]


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--in", dest="indir", default="results/latest",
                   help="results directory (default results/latest)")
    p.add_argument("--out", dest="outdir", default="plots",
                   help="where PNG and SVG go (default plots)")
    return p.parse_args()


class Missing(Exception):
    """The experiment's results are not in the input directory."""


def load(indir, experiment):
    """Return (rows, meta): rows as dicts with numbers converted."""
    path = os.path.join(indir, experiment + ".csv")
    if not os.path.exists(path):
        raise Missing(path)
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rows.append({k: _num(v) for k, v in row.items()})
    meta = {}
    jpath = os.path.join(indir, experiment + ".json")
    if os.path.exists(jpath):
        with open(jpath) as f:
            meta = json.load(f)
    return rows, meta


def _num(v):
    if v is None or v == "":
        return None
    try:
        x = float(v)
    except ValueError:
        return v
    return int(x) if x.is_integer() and "." not in v and "e" not in v else x


def machine(meta):
    m = meta.get("machine", {})
    rev = meta.get("git_revision", "?")
    return "%s, %s CPUs, %s (rev %s)" % (
        m.get("cpu_model", "unknown CPU"), m.get("nproc", "?"),
        m.get("release", "?"), rev)


def title(ax_or_fig, what, meta):
    text = "%s\n%s" % (what, machine(meta))
    if hasattr(ax_or_fig, "suptitle"):
        ax_or_fig.suptitle(text, fontsize=11)
    else:
        ax_or_fig.set_title(text, fontsize=10)


def ok(rows):
    return [r for r in rows if r.get("status") == "ok"]


def val(r, metric, stat="median"):
    v = r.get("%s_%s" % (metric, stat))
    return v if isinstance(v, (int, float)) else float("nan")


def err(rs, metric):
    """Asymmetric error bars (median-min, max-median) for matplotlib."""
    lo = [max(0.0, val(r, metric) - val(r, metric, "min")) for r in rs]
    hi = [max(0.0, val(r, metric, "max") - val(r, metric)) for r in rs]
    return [lo, hi]


def save(fig, outdir, name):
    os.makedirs(outdir, exist_ok=True)
    for ext in ("png", "svg"):
        path = os.path.join(outdir, "%s.%s" % (name, ext))
        fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    print("wrote %s/%s.{png,svg}" % (outdir, name))


def finite(x):
    return isinstance(x, (int, float)) and math.isfinite(x)


def main_guard(fn):
    """Run fn(args); exit 0 with a note when the input is missing."""
    def run(description):
        args = parse_args(description)
        try:
            fn(args)
        except Missing as e:
            print("skipped: no %s (run pagereport-bench first)" % e,
                  file=sys.stderr)
            return 0
        return 0
    return run
