# SPDX-License-Identifier: LGPL-2.1-or-later
"""pagereport.Host, the bindings of <pagereport/host.h>: what host.c
refuses raises PgrError with pgr_errmsg() and leaves the host usable; a
seed gives the same CSV bytes, and the same CSV as the same set-up in C;
reporting fits more guests than none in the small launch loop of
python/examples/overcommit.py; real_memory's kernel bytes are the
model's resident bytes."""
import errno
import io
import os
import re
import runpy
import subprocess

import pytest

import pagereport as pgr
from pagereport import _cdef

MiB = 1 << 20
TOP = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(
    os.path.dirname(__file__), "..", ".."))
FILL = {"kind": "fill-free", "rate": 1000,
        "fill": {"occupancy": 0.9, "order": 9, "hold_ops": 2000}}


def _guest(h, name, mem=256 * MiB, strategy="v11-boundary", **kw):
    kw.setdefault("workload", FILL)
    kw.setdefault("base_fraction", 0.1)
    return h.add_guest(name, mem, strategy=strategy, workload_cycles=2,
                       cycle_gap_ns=2 * pgr.SEC, **kw)


def _raises(err, fn, *args, match=None, **kw):
    with pytest.raises(pgr.PgrError) as e:
        fn(*args, **kw)
    assert e.value.errno == err, e.value
    if match:
        assert re.search(match, e.value.message), e.value.message
    return e.value


def test_cdef_declares_the_host_structs():
    """test_layout.py compares every struct the cdef declares; these
    are among them."""
    assert ("pagereport/host.h", _cdef.HOST_H) in _cdef.HEADERS
    declared = re.findall(r"struct (pgr_\w+) \{", _cdef.HOST_H)
    assert declared == ["pgr_host_config", "pgr_host_guest_config",
                        "pgr_host_guest_stats", "pgr_host_stats"]
    assert "struct pgr_reporting_accounting {" in _cdef.REPORTING_H


def test_bad_host():
    _raises(errno.EINVAL, pgr.Host, budget_bytes=0, match="budget 0")
    _raises(errno.EINVAL, pgr.Host, budget_bytes=100,
            match="below one page")
    with pytest.raises(OverflowError):
        pgr.Host(budget_bytes=-1)


def test_bad_guests_leave_the_host_usable():
    with pgr.Host(budget_bytes=512 * MiB, seed=1) as h:
        _raises(errno.EINVAL, _guest, h, "g", mem=0, match="multiple of 4")
        _raises(errno.EINVAL, _guest, h, "g", mem=6 * MiB,
                match="multiple of 4")
        _raises(errno.EINVAL, _guest, h, "g", mem=1024 * MiB,
                match="larger than the host")
        _raises(errno.EINVAL, _guest, h, "g", strategy="nope",
                match="unknown strategy")
        _raises(errno.EINVAL, _guest, h, "g", base_fraction=0.95,
                match="base_fraction")
        _raises(errno.EINVAL, _guest, h, "", match="NULL argument")
        _raises(errno.EINVAL, _guest, h, "x" * 100, match="too long")
        _raises(errno.EINVAL, _guest, h, "g", workload={"kind": "nope"})
        with pytest.raises(ValueError):
            _guest(h, "g", workload={"kind": "fill-free",
                                     "fill": {"nope": 1}})
        with pytest.raises(ValueError):
            _guest(h, "g", reporting={"strategy": "upstream"})
        with pytest.raises(TypeError):
            _guest(h, "g", reporting={"nope": 1})
        assert len(h) == 0
        assert _guest(h, "g") == 0
        _raises(errno.EEXIST, _guest, h, "g", match="already added")
        assert _guest(h, "g2", strategy=None) == 1
        assert h.nr_guests == 2
        h.advance(3 * pgr.SEC)
        assert h.now == 3 * pgr.SEC
        assert h.guest_stats(-1) == h.guest_stats(1)
        _raises(errno.ENOENT, h.guest_stats, 2, match="no guest 2")
        _raises(errno.ENOENT, h.guest_stats, -3)
        _raises(errno.ENOENT, h.guest_node, 2)
        _raises(errno.EINVAL, h.guest_kernel_bytes, 0,
                match="not a real_memory host")
    with pytest.raises(ValueError):
        h.stats()
    with pytest.raises(ValueError):
        h.advance(1)


def test_real_memory_limits():
    with pgr.Host(budget_bytes=8 << 30, real_memory=True) as h:
        _raises(errno.EINVAL, _guest, h, "big", mem=2 << 30,
                match="real_memory")
        for i in range(4):
            _guest(h, "g%d" % i, mem=1 << 30, base_fraction=0)
        _raises(errno.EINVAL, _guest, h, "g4", mem=4 * MiB,
                match="per host")
        assert len(h) == 4


def _run(seed, f=None):
    with pgr.Host(budget_bytes=768 * MiB, seed=seed,
                  tick_ns=20 * pgr.MS) as h:
        for i, s in enumerate(["none"] + pgr.strategies()):
            _guest(h, "g%d" % i, strategy=s,
                   workload={"kind": "churn", "rate": 5000,
                             "churn": {"occupancy": 0.5}})
            h.advance(2 * pgr.SEC)
        if f is not None:
            h.write_csv(f)
        return h.csv()


def test_same_seed_same_csv(tmp_path):
    a = _run(5, tmp_path / "a.csv")
    with open(tmp_path / "b.csv", "wb") as f:
        b = _run(5, f)
    s = io.StringIO()
    _run(5, s)
    assert a == b == s.getvalue()
    assert (tmp_path / "a.csv").read_bytes() == \
        (tmp_path / "b.csv").read_bytes() == a.encode()
    assert a.startswith("time_ns,guest,strategy,resident_bytes,")
    assert len(a.splitlines()) > 20
    # the seed matters: the churn draws other blocks
    assert _run(6) != a


C_RUN = r"""
#include <stdio.h>
#include <pagereport/host.h>
int main(void)
{
	struct pgr_host_config hc = { .budget_bytes = 768ULL << 20,
				      .seed = 3, .tick_ns = 20000000 };
	struct pgr_host *h = pgr_host_create(&hc);
	static const char *s[] = { "none", "v11-boundary", "upstream",
				   "bitmap" };
	char name[8];
	if (!h)
		return 1;
	for (unsigned i = 0; i < 4; i++) {
		struct pgr_host_guest_config g = {
			.name = name, .mem_bytes = 256ULL << 20,
			.strategy = s[i], .base_fraction = 0.1,
			.workload = { .kind = PGR_WORKLOAD_FILL_FREE,
				      .rate = 1000,
				      .fill = { .occupancy = 0.9, .order = 9,
						.hold_ops = 2000 } },
			.workload_cycles = 2, .cycle_gap_ns = 2000000000ULL,
			.reporting = { .capacity = 16, .delay_ns = 50000000,
				       .delay_set = 1 },
		};
		snprintf(name, sizeof(name), "g%u", i);
		if (pgr_host_add_guest(h, &g) != (int)i ||
		    pgr_host_advance(h, 3000000000ULL))
			return 1;
	}
	if (pgr_host_write_csv(h, stdout))
		return 1;
	pgr_host_destroy(h);
	return 0;
}
"""


def test_same_csv_as_c(tmp_path):
    """The bindings hand host.c the configs a C caller would: the same
    set-up written in C gives the same CSV, byte for byte."""
    cc = (os.environ.get("CC") or "cc").split()
    src, exe = tmp_path / "run.c", tmp_path / "run"
    src.write_text(C_RUN)
    libdir = os.path.dirname(pgr.library_path)
    subprocess.run(cc + ["-std=gnu11", "-I", os.path.join(TOP, "include"),
                         "-o", str(exe), str(src), pgr.library_path,
                         "-Wl,-rpath," + libdir], check=True)
    want = subprocess.run([str(exe)], check=True,
                          capture_output=True).stdout.decode()
    with pgr.Host(budget_bytes=768 * MiB, seed=3, tick_ns=20 * pgr.MS) as h:
        for i, s in enumerate(["none", "v11-boundary", "upstream",
                               "bitmap"]):
            assert _guest(h, "g%d" % i, strategy=s,
                          reporting={"capacity": 16,
                                     "delay_ns": 50 * pgr.MS}) == i
            h.advance(3 * pgr.SEC)
        got = h.csv()
    assert got == want
    assert "g3,bitmap," in got


def test_reporting_fits_more_guests():
    """The example's launch loop: without reporting at most 3 guests of
    256 MiB fit in 768 MiB (each touches at least 80 % of its RAM, 4 would
    need more than the host); with reporting more than the host's RAM
    holds at once, since a guest at rest keeps only its 10 % base."""
    ex = runpy.run_path(os.path.join(TOP, "python", "examples",
                                     "overcommit.py"))
    none, st, guests = ex["guests_fit"]("none")
    assert st.swapped and 1 <= none <= 3
    assert sum(g.discarded_pages_total for g in guests) == 0
    fit, st, guests = ex["guests_fit"]("v11-boundary", max_guests=8)
    assert fit > 3 and fit > none
    assert sum(g.discarded_pages_total for g in guests) > 0
    assert st.peak_in_memory_bytes <= st.budget_bytes


def test_example_prints_a_row_per_strategy(tmp_path, capsys):
    ex = runpy.run_path(os.path.join(TOP, "python", "examples",
                                     "overcommit.py"))
    rows = ex["main"](["--csv", str(tmp_path)])
    assert list(rows) == ["none"] + pgr.strategies()
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["strategy", "guests", "fit"]
    assert [ln.split()[:2] for ln in out[1:]] == \
        [[n, str(f)] for n, f in rows.items()]
    for n in rows:
        assert (tmp_path / ("overcommit-host-%s.csv" % n)).stat().st_size


def _thp_shmem_forced():
    try:
        with open("/sys/kernel/mm/transparent_hugepage/shmem_enabled") as f:
            return "[force]" in f.read()
    except OSError:
        return False


def test_real_memory_kernel_bytes_are_resident_bytes():
    """After every second of two guests touching, freeing and (one of
    them) reporting, the kernel holds for each memfd exactly what the
    model says is resident."""
    with pgr.Host(budget_bytes=1 << 30, seed=1, tick_ns=20 * pgr.MS,
                  real_memory=True) as h:
        _guest(h, "reporting", strategy="v11-boundary")
        _guest(h, "none", strategy=None)
        seen = set()
        for _ in range(10):
            h.advance(pgr.SEC)
            for i in range(2):
                model = h.guest_stats(i).resident_pages * pgr.PAGE_SIZE
                kernel = h.guest_kernel_bytes(i)
                if _thp_shmem_forced():
                    assert kernel >= model
                else:
                    assert kernel == model, (i, h.now)
                seen.add((i, model))
        rep, none = h.guest_stats(0), h.guest_stats(1)
        assert rep.discarded_pages_total > 0
        assert none.discarded_pages_total == 0
        assert rep.resident_pages < none.resident_pages
        # the reporting guest's bytes compared went up and down again
        assert len({m for i, m in seen if i == 0}) >= 2


def test_guest_node_is_borrowed():
    h = pgr.Host(budget_bytes=512 * MiB, seed=1)
    _guest(h, "g")
    h.advance(pgr.SEC)
    node = h.guest_node(0)
    info = node.zones[0].info()
    acct = h.guest_stats(0).acct
    assert info.nr_pages == 256 * MiB // pgr.PAGE_SIZE
    assert info.nr_allocated_pages == acct["allocated_pages"] > 0
    assert node.config().strategy_name == "v11-boundary"
    assert node.stats().passes >= 1
    node.close()  # lets go; the host still has its guest
    h.advance(pgr.SEC)
    other = h.guest_node(0)
    del node
    h.close()
    with pytest.raises(ValueError):
        other.stats()
    assert other.zones == []
    h.close()  # twice is fine
