#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shape check of a pagereport-bench results directory (never timings).

Every experiment has a CSV and a JSON; the CSV header has the config
columns, status and <metric>_median/_min/_max; every "ok" row has numbers
with min <= median <= max; the JSON carries schema_version, the machine,
git revision, seed, config and the same number of rows; experiment-specific
invariants that hold by construction (v11-boundary and v11-rescan report
the same pages; upstream's drain is slower than v11's) are checked too.
"""
import csv
import json
import math
import os
import sys

EXPECT = {
    "boundary-vs-rescan": (["sweep", "strategy", "variant", "mem_bytes",
                            "shuffle", "capacity", "rate", "occupancy",
                            "order", "batch", "delay_ms"],
                           ["throughput", "reporter_ns", "overhead_pct",
                            "nodes_per_block", "pages_reported",
                            "visited_per_block", "reporter_ns_per_gib"]),
    "page-fault1": (["threads", "shuffle", "sink", "strategy"],
                    ["ops_per_s", "change_pct"]),
    "reclaim": (["part", "strategy", "t_s", "order", "delay_ms", "capacity"],
                ["bytes_returned", "t90_s", "overhead_pct"]),
    "scale": (["mem_bytes", "pages"],
              ["create_populate_ms", "metadata_bytes_per_page",
               "order0_pair_ns", "mixed_ns"]),
    "overcommit": (["strategy"],
                   ["guests_fit", "peak_in_memory_gib",
                    "host_refault_pages", "lost_ms"]),
    "overcommit-sweep": (["sweep", "value", "strategy"],
                         ["guests_fit", "guests_launched"]),
}

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def check_experiment(d, name, config_cols, metrics):
    cpath = os.path.join(d, name + ".csv")
    jpath = os.path.join(d, name + ".json")
    if not check(os.path.exists(cpath), "%s missing" % cpath):
        return None
    if not check(os.path.exists(jpath), "%s missing" % jpath):
        return None
    with open(cpath, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(jpath) as f:
        meta = json.load(f)
    header = list(rows[0].keys()) if rows else []
    check(len(rows) > 0, "%s: no rows" % name)
    for c in config_cols + ["status", "samples"]:
        check(c in header, "%s: no column %s" % (name, c))
    for m in metrics:
        for st in ("median", "min", "max"):
            check("%s_%s" % (m, st) in header,
                  "%s: no column %s_%s" % (name, m, st))
    for i, r in enumerate(rows):
        st = r["status"]
        check(st == "ok" or st.startswith("unavailable") ,
              "%s row %d: status %r" % (name, i, st))
        if st != "ok":
            continue
        check(num(r["samples"]) and num(r["samples"]) >= 1,
              "%s row %d: no samples" % (name, i))
        for k in header:
            if not k.endswith("_median") or r[k] == "":
                continue
            m = k[:-len("_median")]
            lo, med, hi = num(r[m + "_min"]), num(r[k]), num(r[m + "_max"])
            if check(None not in (lo, med, hi),
                     "%s row %d: %s not numeric" % (name, i, m)):
                check(lo <= med + 1e-9 * abs(med) and
                      med <= hi + 1e-9 * abs(hi) and math.isfinite(med),
                      "%s row %d: %s min/median/max %r %r %r" %
                      (name, i, m, lo, med, hi))
    for k in ("schema_version", "experiment", "git_revision", "seed",
              "repeat", "machine", "config", "columns", "rows", "headline"):
        check(k in meta, "%s.json: no %s" % (name, k))
    m = meta.get("machine", {})
    for k in ("uname", "nproc", "cpu_model"):
        check(k in m, "%s.json: machine has no %s" % (name, k))
    check(meta.get("experiment") == name, "%s.json: wrong experiment" % name)
    check(len(meta.get("rows", [])) == len(rows),
          "%s.json: %d rows, csv %d" % (name, len(meta.get("rows", [])),
                                        len(rows)))
    return rows


def f(r, k):
    return num(r.get(k + "_median"))


def main():
    """check_results.py DIR [EXPERIMENT...]: the named ones (default all)."""
    d = sys.argv[1]
    only = sys.argv[2:]
    for name in only:
        check(name in EXPECT, "unknown experiment %s" % name)
    got = {}
    for name, (cc, mm) in EXPECT.items():
        if not only or name in only:
            got[name] = check_experiment(d, name, cc, mm)

    rows = got.get("boundary-vs-rescan") or []
    for r in rows:
        if r["strategy"] != "v11-rescan" or r["status"] != "ok":
            continue
        b = next((x for x in rows if x["strategy"] == "v11-boundary" and
                  all(x[k] == r[k] for k in ("sweep", "mem_bytes", "shuffle",
                                             "capacity", "rate",
                                             "occupancy"))), None)
        if check(b is not None, "rescan row without a boundary row"):
            check(f(b, "pages_reported") == f(r, "pages_reported"),
                  "boundary and rescan reported different pages: %s vs %s"
                  % (f(b, "pages_reported"), f(r, "pages_reported")))
            check(f(r, "nodes_visited") >= f(b, "nodes_visited"),
                  "rescan visited fewer nodes than boundary")
        check(f(r, "overhead_pct") is not None, "rescan without overhead")

    # each strategy's own parameters and counters are columns of its rows
    strategies = {r["strategy"] for r in rows}
    header = set(rows[0].keys()) if rows else set()
    own = {"v11-boundary": (["hwm", "skip_mark_on_error"],
                            ["boundary_resets"]),
           "upstream": (["budget_divisor", "gate_blocks", "gate_disable"],
                        ["budget_exhausted", "zones_gated"]),
           "bitmap": ([], ["bits_visited"])}
    for s, (params, counters) in own.items():
        if s not in strategies:
            continue
        for c in params:
            check(c in header, "boundary-vs-rescan: no column %s (%s)" %
                  (c, s))
        for c in counters:
            check(c + "_median" in header,
                  "boundary-vs-rescan: no counter %s (%s)" % (c, s))
    for r in rows:
        if r["strategy"] == "v11-boundary" and r["status"] == "ok":
            check(r.get("hwm") == "32" and r.get("budget_divisor") == "",
                  "v11-boundary row: hwm %r budget_divisor %r" %
                  (r.get("hwm"), r.get("budget_divisor")))
            check(f(r, "boundary_resets") is not None and
                  f(r, "bits_visited") is None,
                  "v11-boundary row: counters of another strategy")

    # the four-way comparison: every strategy in every default config
    if len(rows) > 0 and "v11-rescan" in strategies:
        for s in ("v11-boundary", "upstream", "bitmap"):
            check(s in strategies, "boundary-vs-rescan: no %s rows" % s)
    for r in rows:
        if r["strategy"] == "bitmap" and r["status"] == "ok":
            check(f(r, "bits_visited") is not None and
                  f(r, "nodes_visited") == 0,
                  "bitmap row walked free lists")

    # overcommit: reporting fits more guests than none, never fewer
    rows = got.get("overcommit") or []
    none = next((r for r in rows if r["strategy"] == "none" and
                 r["status"] == "ok"), None)
    for r in rows:
        if none is None or r["strategy"] == "none" or r["status"] != "ok":
            continue
        check(f(r, "guests_fit") > f(none, "guests_fit"),
              "overcommit: %s fits no more guests than none" % r["strategy"])

    # overcommit-sweep: at each point reporting fits at least as many
    rows = got.get("overcommit-sweep") or []
    for r in rows:
        if r["strategy"] == "none" or r["status"] != "ok":
            continue
        n = next((x for x in rows if x["strategy"] == "none" and
                  x["sweep"] == r["sweep"] and x["value"] == r["value"] and
                  x["status"] == "ok"), None)
        if n is not None:
            check(f(r, "guests_fit") >= f(n, "guests_fit"),
                  "overcommit-sweep: %s fits fewer guests than none at "
                  "%s=%s" % (r["strategy"], r["sweep"], r["value"]))
    check(not got.get("overcommit") or "overcommit-sweep" not in got or
          bool(rows), "overcommit-sweep: no rows")

    rows = got.get("reclaim") or []
    summ = {r["strategy"]: r for r in rows if r["part"] == "summary"}
    if "v11-boundary" in summ and "upstream" in summ:
        check(f(summ["upstream"], "t90_s") > f(summ["v11-boundary"], "t90_s"),
              "upstream drained no slower than v11")
    if "reclaim" in got:
        check(any(r["part"] == "sweep" for r in rows),
              "reclaim: no sweep rows")
        check(any(r["part"] == "curve" for r in rows),
              "reclaim: no curve rows")

    rows = got.get("page-fault1") or []
    check("page-fault1" not in got or
          any(r["sink"] == "off" and r["status"] == "ok" for r in rows),
          "page-fault1: no 'off' baseline")

    rows = got.get("scale") or []
    for r in rows:
        if r["status"] == "ok":
            check(0 < f(r, "metadata_bytes_per_page") < 64,
                  "scale: metadata per page %s" %
                  f(r, "metadata_bytes_per_page"))

    for e in errors:
        print("check_results: " + e, file=sys.stderr)
    print("check_results: %s: %d experiments, %d problems" %
          (d, len(got), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
