#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Question: how does the model scale to a 1 TiB guest?

scale.csv: create+populate time, metadata size and alloc/free ns/op
against guest size.
"""
import sys

from common import FIGSIZE, err, load, main_guard, ok, plt, save, title, val


def plot(args):
    rows, meta = load(args.indir, "scale")
    rows = sorted(ok(rows), key=lambda r: r["mem_gib"])
    x = [r["mem_gib"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(FIGSIZE[0] * 1.6, FIGSIZE[1]))
    ax = axes[0]
    ax.errorbar(x, [val(r, "create_populate_ms") for r in rows],
                yerr=err(rows, "create_populate_ms"), marker="o", capsize=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("guest size (GiB)")
    ax.set_ylabel("create + populate (ms)")
    ax.grid(alpha=0.3, which="both")
    ax = axes[1]
    ax.plot(x, [val(r, "metadata_bytes") / (1 << 20) for r in rows],
            marker="o", label="model")
    ax.plot(x, [r["pages"] * 64 / (1 << 20) for r in rows], ls="--",
            label="kernel struct page (64 B/page)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("guest size (GiB)")
    ax.set_ylabel("page metadata (MiB)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax = axes[2]
    for m, lab in (("order0_pair_ns", "order-0 alloc+free (fragmented)"),
                   ("order0_split_ns", "order-0 alloc+free (split/merge)"),
                   ("mixed_ns", "mixed orders, per op")):
        ax.errorbar(x, [val(r, m) for r in rows], yerr=err(rows, m),
                    marker="o", capsize=3, label=lab)
    ax.axhspan(40, 58, color="gray", alpha=0.2,
               label="kernel order-0 fast path 40-58 ns")
    ax.set_xscale("log")
    ax.set_xlabel("guest size (GiB)")
    ax.set_ylabel("ns per operation")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    title(fig, "Allocator model scaling (one zone, no reporting)", meta)
    fig.tight_layout()
    save(fig, args.outdir, "scaling")


if __name__ == "__main__":
    sys.exit(main_guard(plot)(__doc__))
