#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compare two results directories of pagereport-bench column by column.

  compare_results.py A B EXPERIMENT [--shards DIR...]

Checks that A and B (an unsharded run and a merge of shards) hold the same
rows in every deterministic column of EXPERIMENT's CSV and JSON: every
configuration column, status, and every metric that does not come from a
clock (median, min, max and each sample in order).  Timing metrics must
have the same number of samples.  With --shards, also checks that the
shards' work units are disjoint and cover all of them, and that B's JSON
names every shard as its provenance.  Exit 0 when equal; prints every
difference otherwise.  Standard library only.
"""
import csv
import json
import os
import sys

# Metrics computed from the virtual clock and the model alone: the same
# numbers for a seed on any machine.  Everything else is a measured time.
DETERMINISTIC = {
    "boundary-vs-rescan": ["ops", "nodes_visited", "nodes_per_block",
                           "nodes_per_page", "pages_reported",
                           "blocks_reported", "batches", "passes",
                           "rereported_pages"],
    "scale": ["metadata_bytes_per_page", "metadata_bytes"],
}


def load(d, exp):
    with open(os.path.join(d, exp + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(d, exp + ".json")) as f:
        doc = json.load(f)
    return rows, doc


def main(argv):
    shards = []
    if "--shards" in argv:
        i = argv.index("--shards")
        shards = argv[i + 1:]
        argv = argv[:i]
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    a, b, exp = argv[1:4]
    det = DETERMINISTIC.get(exp)
    if det is None:
        print("compare: no deterministic columns known for %s" % exp,
              file=sys.stderr)
        return 2
    ra, da = load(a, exp)
    rb, db = load(b, exp)
    bad = []
    metrics = [c["name"] for c in da["columns"] if c["role"] == "metric"]
    config = [c["name"] for c in da["columns"] if c["role"] == "config"]
    if da["columns"] != db["columns"]:
        bad.append("columns differ")
    csv_cols = config + ["status", "samples"] + [
        "%s_%s" % (m, s) for m in det for s in ("median", "min", "max")]
    if len(ra) != len(rb):
        bad.append("CSV rows: %d vs %d" % (len(ra), len(rb)))
    if list(ra[0].keys()) != list(rb[0].keys()):
        bad.append("CSV header differs")
    for i, (x, y) in enumerate(zip(ra, rb)):
        for c in csv_cols:
            if x.get(c) != y.get(c):
                bad.append("CSV row %d %s: %r vs %r" % (i, c, x.get(c),
                                                        y.get(c)))
    ja, jb = da["rows"], db["rows"]
    if len(ja) != len(jb):
        bad.append("JSON rows: %d vs %d" % (len(ja), len(jb)))
    compared = 0
    for i, (x, y) in enumerate(zip(ja, jb)):
        for c in config + ["status"]:
            if x.get(c) != y.get(c):
                bad.append("JSON row %d %s: %r vs %r" % (i, c, x.get(c),
                                                         y.get(c)))
        for m in metrics:
            if m in det:
                if x[m] != y[m]:
                    bad.append("JSON row %d %s: %r vs %r" % (i, m, x[m],
                                                             y[m]))
                compared += len(x[m]["samples"])
            elif len(x[m]["samples"]) != len(y[m]["samples"]):
                bad.append("JSON row %d %s: %d vs %d samples" % (
                    i, m, len(x[m]["samples"]), len(y[m]["samples"])))
    for k in ("experiment", "seed", "repeat", "quick", "schema_version"):
        if da.get(k) != db.get(k):
            bad.append("JSON %s: %r vs %r" % (k, da.get(k), db.get(k)))
    if sorted(da["headline"]) != sorted(db["headline"]):
        bad.append("headline keys differ")
    if shards:
        seen = {}
        total = None
        for d in shards:
            doc = load(d, exp)[1]
            total = doc["shard"]["units"]
            for row in doc["rows"]:
                for m in metrics:
                    for u in row[m]["units"]:
                        seen.setdefault(u, set()).add(d)
        if sorted(seen) != list(range(total)):
            bad.append("shards' units %s are not 0..%d" % (sorted(seen),
                                                          total - 1))
        both = [u for u, ds in seen.items() if len(ds) > 1]
        if both:
            bad.append("units run by more than one shard: %s" % both)
        prov = [p["dir"] for p in db.get("merged_from", [])]
        if sorted(prov) != sorted(shards):
            bad.append("merged_from %s, not the shards %s" % (prov, shards))
    for line in bad:
        print("compare: " + line, file=sys.stderr)
    if bad:
        return 1
    print("compare: %s: %d rows, %d deterministic samples and every "
          "config/status column equal" % (exp, len(ja), compared))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
