# SPDX-License-Identifier: LGPL-2.1-or-later
"""How many guests fit?  Lal's overcommit set-up (bench/exp_overcommit.c)
at small scale, on the library's host model (pagereport.Host).

A 768 MiB host (three guests' RAM, as Lal's 15 GiB host held three 5 GiB
guests); 256 MiB guests launched one every 12 s of virtual time until the
host first swaps (or 24 guests).  Each guest keeps 10 % of its RAM (kernel,
page cache), idles 2 s, touches 70-90 % more in 2 MiB blocks, holds 2 s,
frees it, idles 2 s, touches and frees it once more.  Guests fit = those
launched before the one during whose run the host first swapped.

    PYTHONPATH=python /usr/bin/python3 python/examples/overcommit.py [--csv DIR]

Deterministic for --seed.  256 MiB rather than smaller guests: a guest
that frees fewer than v11's high-water mark of 32 blocks at one order
(128 MiB frees about 28 order-10 blocks) is never reported by v11.
"""
import argparse
import os

import pagereport as pgr

MiB = 1 << 20


def guests_fit(strategy, seed=1, host_bytes=768 * MiB, guest_bytes=256 * MiB,
               max_guests=24, hold_s=2, launch_s=12, csv=None):
    """Launch guests until the host swaps; return (fit, Host stats,
    per-guest stats).  csv: a path the host's samples are written to."""
    with pgr.Host(budget_bytes=host_bytes, seed=seed,
                  tick_ns=20 * pgr.MS) as h:
        for i in range(max_guests):
            # 70..90 % of the guest touched, seeded per guest (as the bench)
            touch = 0.70 + 0.20 * ((seed * 7 + i * 13) % 21) / 20
            h.add_guest("guest%d" % i, guest_bytes, strategy=strategy,
                        base_fraction=0.10,
                        workload={"kind": "fill-free",
                                  "rate": 1000,  # 2 MiB blocks: 2 GB/s
                                  "fill": {"occupancy": touch + 0.10,
                                           "order": 9,
                                           "hold_ops": 1000 * hold_s}},
                        workload_cycles=2, cycle_gap_ns=hold_s * pgr.SEC)
            h.advance(launch_s * pgr.SEC)
            if h.stats().swapped:
                break
        st = h.stats()
        if csv:
            h.write_csv(csv)
        fit = len(h) - 1 if st.swapped else len(h)
        return fit, st, [h.guest_stats(i) for i in range(len(h))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--csv", metavar="DIR",
                    help="write overcommit-host-<strategy>.csv there")
    args = ap.parse_args(argv)
    rows = {}
    print("%-13s %10s %14s %18s %14s" % ("strategy", "guests fit",
                                         "first swap (s)",
                                         "host refault pages",
                                         "lost (ms)"))
    for name in ["none"] + pgr.strategies():
        csv = os.path.join(args.csv, "overcommit-host-%s.csv" % name) \
            if args.csv else None
        fit, st, guests = guests_fit(name, seed=args.seed, csv=csv)
        rows[name] = fit
        print("%-13s %10d %14s %18d %14.1f" % (
            name, fit,
            "%.0f" % (st.first_swap_ns / pgr.SEC) if st.swapped else "-",
            sum(g.host_refault_pages for g in guests),
            sum(g.lost_ns for g in guests) / 1e6))
    return rows


if __name__ == "__main__":
    main()
