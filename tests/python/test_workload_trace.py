# SPDX-License-Identifier: LGPL-2.1-or-later
"""The bindings of the strategy API (names, registered strategies,
tunables and get_config), workloads, traces, replay and the zone dump,
against the real library."""
import errno
import os
import subprocess

import pytest

import pagereport as pgr

MiB = 1 << 20


def node_of(nbytes=256 * MiB, **kw):
    node = pgr.Node.of_size(nbytes, **kw)
    node.zones[0].populate()
    return node


def test_register_tunables_and_config():
    node = node_of()
    node.register(pgr.NullSink(capacity=16), strategy="upstream",
                  params={"budget_divisor": 8, "upstream.gate_blocks": "4",
                          "v11-boundary.hwm": 7})
    c = node.config()
    assert (c.strategy, c.strategy_name) == (2, "upstream")
    assert c.capacity == 16 and c.params is None
    assert (node.param("budget_divisor"), node.param("gate_blocks")) == (8, 4)
    assert c.delay_ns == 2 * pgr.SEC and c.order == 9
    assert node.param("delay") == 2 * pgr.SEC
    assert node.params() == {"delay": 2 * pgr.SEC, "order": 9,
                             "capacity": 16, "budget_divisor": 8,
                             "gate_blocks": 4, "gate_disable": 0}
    assert node.counters() == {"budget_exhausted": 0, "zones_gated": 0}
    with pytest.raises(pgr.PgrError) as e:
        node.param("hwm")  # v11's
    assert e.value.errno == errno.ENOENT
    node.unregister()
    with pytest.raises(pgr.PgrError) as e:
        node.register(pgr.NullSink(), strategy="v11-boundary",
                      params={"hwm": "many"})
    assert e.value.errno == errno.EINVAL
    assert "v11-boundary.hwm" in e.value.message
    assert "not an unsigned number" in e.value.message
    node.register(pgr.NullSink(), strategy="v11-boundary",
                  params={"hwm": 16, "upstream.delay": "500ms"})
    assert node.param("hwm") == 16 and node.param("delay") == 100 * pgr.MS
    node.unregister()
    # bitmap: at most v12's 16 blocks per report, MAX_ORDER-2
    node.register(pgr.NullSink(capacity=32), strategy="bitmap")
    c = node.config()
    assert (c.strategy_name, c.capacity, c.order) == ("bitmap", 16, 9)
    node.unregister()
    with pytest.raises(pgr.PgrError) as e:
        node.register(pgr.NullSink(capacity=16), strategy="upstream",
                      capacity=17)
    assert e.value.errno == errno.EINVAL and "capacity 17" in e.value.message
    with pytest.raises(pgr.PgrError) as e:
        node.register(pgr.NullSink(), strategy="no-such")
    assert e.value.errno == errno.EINVAL and "no-such" in e.value.message
    with pytest.raises(pgr.PgrError) as e:
        node.config()
    assert e.value.errno == errno.ENOENT


def reported_under_churn(strategy, seed=7):
    node = node_of(512 * MiB)
    w = pgr.Workload(node.zones[0], "churn", seed=seed, rate=20000,
                     churn={"occupancy": 0.5})
    w.fill()
    sink = pgr.RecorderSink(capacity=32)
    node.register(sink, strategy=strategy)
    w.run(2 * pgr.SEC)
    st = node.stats()
    return [b.ranges for b in sink.batches()], st, w.stats()


def test_v11_boundary_and_rescan_report_the_same_bytes():
    a, sa, wa = reported_under_churn("v11-boundary")
    b, sb, wb = reported_under_churn("v11-rescan")
    assert wa == wb and wa.allocs > 1000 and wa.frees > 1000
    assert sa.pages_reported > 0 and len(a) > 1
    assert a == b  # the same blocks, in the same batches
    assert sa.bytes_reported == sb.bytes_reported
    assert sb.nodes_visited > sa.nodes_visited  # only the walk differs


def test_workload_kinds_and_errors():
    node = node_of()
    z = node.zones[0]
    free0 = z.info().nr_free_pages
    w = pgr.Workload(z, "fill-free", seed=1, fill={"occupancy": 0.5,
                                                    "order": 9})
    w.fill()
    st = w.stats()
    assert st.live_pages == free0 - z.info().nr_free_pages > 0
    assert st.live_pages == pytest.approx(free0 * 0.5, rel=0.05)
    w.free_all()
    assert z.info().nr_free_pages == free0
    w.close()
    with pytest.raises(pgr.PgrError) as e:
        pgr.Workload(z, "no-such-kind")
    assert e.value.errno == errno.EINVAL
    with pytest.raises(pgr.PgrError) as e:
        pgr.Workload(z, "churn", churn={"occupancy": 1.5})
    assert e.value.errno == errno.EINVAL
    with pytest.raises(ValueError):
        pgr.Workload(z, "churn", churn={"occupancy_typo": 0.5})
    w = pgr.Workload(z, "churn", seed=3, churn={"occupancy": 0.3,
                                                 "mix": "small"})
    assert w.step(500) == 0
    assert w.stats().ops == 500
    z.check()


def test_recorded_workload_replays_to_the_same_free_blocks(tmp_path):
    a = node_of()
    trace = pgr.Trace()
    w = pgr.Workload(a.zones[0], "build", seed=5, record=trace)
    w.fill()
    w.step(5000)
    st = w.stats()
    assert len(trace) == st.allocs + st.frees > 5000
    path = tmp_path / "w.pgrtrace"
    trace.save(path)
    loaded = pgr.Trace.load(path)
    assert loaded.events() == trace.events()
    assert pgr.Trace.from_text(trace.text()).events() == trace.events()
    b = node_of()
    r = pgr.Replay(b, "exact")
    r.run(loaded)
    rs = r.stats()
    assert (rs.events, rs.allocs, rs.frees) == (len(trace), st.allocs,
                                               st.frees)
    assert rs.alloc_conflicts == rs.free_conflicts == 0
    ia, ib = a.zones[0].info(), b.zones[0].info()
    assert ia.nr_free == ib.nr_free and ia.nr_free_mt == ib.nr_free_mt
    assert a.zones[0].dump() == b.zones[0].dump()
    b.check()


def test_trace_text_errors_and_kernel_import():
    with pytest.raises(pgr.PgrError) as e:
        pgr.Trace.from_text("pgrtrace 1\nx 1 2 3\n")
    assert e.value.errno == errno.EINVAL and "line 2" in e.value.message
    t = pgr.Trace()
    st = t.import_kernel(
        " cc1-7954 [001] d..3.  3282.436141: mm_page_pcpu_drain: "
        "page=0000000010d31ec5 pfn=0x17b727 order=0 migratetype=1\n"
        " cc1-7954 [001] d..3.  3282.436150: mm_page_alloc_zone_locked: "
        "page=0000000010d31ec5 pfn=0x17b800 order=9 migratetype=1 "
        "percpu_refill=0\n"
        " cc1-7954 [001] ....  3282.436160: sched_switch: prev=cc1\n")
    assert (st.lines, st.events, st.other_events) == (3, 2, 1)
    ev = t.events()
    assert [(e.op, e.pfn, e.order) for e in ev] == [("f", 0x17b727, 0),
                                                   ("a", 0x17b800, 9)]
    assert ev[1].time_ns - ev[0].time_ns == 9000


def test_zone_dump_is_buddyinfo():
    node = node_of()
    z = node.zones[0]
    z.alloc(0)
    line = z.dump(nid=3)
    assert line.startswith("Node 3, zone   Normal")
    counts = [int(x) for x in line.split()[4:]]
    assert counts == z.info().nr_free[:len(counts)]
    assert len(counts) == z.info().max_order
    assert node.dump(nid=3) == line
    assert len(z.dump(migratetypes=True).splitlines()) > 1


def test_registered_strategy_by_name(tmp_path):
    """examples/largest_first.c built as a plug-in, as its header says,
    and loaded with load_strategies (pgr_strategy_load): selectable by
    name like a built-in, with its parameter and counter."""
    top = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(
        os.path.dirname(__file__), "..", ".."))
    libdir = os.path.dirname(pgr.library_path)
    so = tmp_path / "largest_first.so"
    cc = os.environ.get("CC", "cc").split()
    subprocess.run(cc + ["-shared", "-fPIC", "-o", str(so),
                         os.path.join(top, "examples", "largest_first.c"),
                         "-I", os.path.join(top, "include"),
                         "-L", libdir, "-l:" + os.path.basename(
                             pgr.library_path),
                         "-Wl,-rpath," + libdir], check=True)
    assert pgr.load_strategies(str(so)) == ["largest-first"]
    with pytest.raises(pgr.PgrError) as e:
        pgr.load_strategies(str(so))
    assert e.value.errno == errno.EEXIST
    assert "'largest-first' exists" in e.value.message
    with pytest.raises(pgr.PgrError) as e:
        pgr.load_strategies(str(tmp_path / "missing.so"))
    assert e.value.errno == errno.ENOENT
    names = pgr.strategies()
    assert names[:4] == ["v11-boundary", "v11-rescan", "upstream", "bitmap"]
    assert pgr.strategy_id("largest-first") == names.index("largest-first")
    params = {p["name"]: p for p in pgr.strategy_params("largest-first")}
    assert params["max_batches"]["default"] == 8
    assert params["delay"]["type"] == "ns"
    assert pgr.strategy_counters("largest-first") == [
        ("budget_stops", "passes cut short at max_batches")]
    node = node_of()
    z = node.zones[0]
    blocks = [z.alloc(9) for _ in range(32)]
    node.register(pgr.NullSink(capacity=2), strategy="largest-first",
                  params={"max_batches": 2})
    assert node.config().strategy_name == "largest-first"
    assert node.param("largest-first.max_batches") == 2
    for pfn in blocks:
        z.free(pfn, 9)
    node.run_until_idle()
    assert node.stats().blocks_reported > 0
    assert node.counters()["budget_stops"] > 0
    node.check()
