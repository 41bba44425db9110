# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python bindings against the real library: nodes and zones,
alloc/free/take_block, strategies by name, the null, recorder and memory
sinks and a sink written in Python, the virtual clock, stats as plain
objects, and errors as PgrError with errno and pgr_errmsg()."""
import dataclasses
import errno
import os

import pytest

import pagereport as pgr

MiB = 1 << 20


def node_of(nbytes=256 * MiB, **kw):
    # upstream gates zones below low + 32 pageblocks (64 MiB): stay above
    node = pgr.Node.of_size(nbytes, **kw)
    node.zones[0].populate()
    return node


def test_node_and_zones():
    node = pgr.Node([("DMA32", 0x1000, 4096), {"name": "Normal",
                     "start_pfn": 0x100000, "nr_pages": 8192}])
    assert [z.index for z in node.zones] == [0, 1]
    for z in node.zones:
        z.populate()
    a, b = node.zones[0].info(), node.zones[1].info()
    assert (a.name, a.start_pfn, a.nr_pages) == ("DMA32", 0x1000, 4096)
    assert (b.name, b.nr_free_pages) == ("Normal", 8192)
    assert sum(n << o for o, n in enumerate(b.nr_free)) == 8192
    node.check()
    node.close()
    node.close()  # idempotent


def test_alloc_free_take_block():
    node = node_of()
    z = node.zones[0]
    free0 = z.info().nr_free_pages
    pfn = z.alloc(9, "movable")
    assert pfn % 512 == 0
    assert z.page(pfn).state == 2  # PGR_PAGE_ALLOCATED
    assert z.info().nr_free_pages == free0 - 512
    z.free(pfn, 9)
    assert z.info().nr_free_pages == free0
    z.take_block(0x100000 + 5, 0)
    assert z.page(0x100000 + 5).state == 2
    with pytest.raises(pgr.PgrError) as e:
        z.take_block(0x100000 + 5, 0)  # not free any more
    assert e.value.errno == errno.EBUSY
    z.free(0x100000 + 5, 0)
    z.check()
    assert z.info().nr_free_pages == free0
    movable = pgr.migratetype("movable")
    assert len(z.free_list(10)) == z.info().nr_free_mt[10][movable] > 0
    assert all(p % 1024 == 0 for p in z.free_list(10))


def test_errors_carry_errno_and_message():
    node = node_of()
    z = node.zones[0]
    pfn = z.alloc(3, "unmovable")
    with pytest.raises(pgr.PgrError) as e:
        z.free(pfn + 1, 3)
    assert e.value.errno == errno.EINVAL
    assert isinstance(e.value, OSError)
    assert "pgr_free_pages" in str(e.value)
    assert e.value.message and e.value.message in str(e.value)
    with pytest.raises(pgr.PgrError) as e:
        z.free(0x10, 0)
    assert e.value.errno == errno.ERANGE
    with pytest.raises(pgr.PgrError) as e:
        pgr.Node.of_size(64 * MiB, name="A" * 16)  # cut would lose it
    assert e.value.errno == errno.EINVAL
    assert "longer than 15" in e.value.message
    with pytest.raises(pgr.PgrError) as e:
        pgr.strategy_id("no-such-strategy")
    assert "no-such-strategy" in e.value.message
    with pytest.raises(ValueError):
        z.alloc(0, "sideways")


def test_strategies_by_name():
    names = pgr.strategies()
    assert names[:3] == ["v11-boundary", "v11-rescan", "upstream"]
    for i, n in enumerate(names):
        assert pgr.strategy_id(n) == i
    assert "bitmap" in names
    for n in names:
        node = node_of()
        z = node.zones[0]
        blocks = [z.alloc(9) for _ in range(64)]
        node.register(pgr.NullSink(), strategy=n)
        # bitmap (v12) reports only blocks freed while it is registered
        for pfn in blocks:
            z.free(pfn, 9)
        node.run_until_idle()
        assert node.stats().pages_reported >= 64 * 512, n
        node.unregister()


def test_virtual_clock_and_stats():
    node = node_of()
    sink = pgr.RecorderSink(capacity=32)
    node.register(sink, strategy="v11-boundary", clock="virtual")
    # boot-time free pages are there already: v11 reports 100 ms after
    # its first request, not before
    node.advance(99 * pgr.MS)
    assert node.now == 99 * pgr.MS
    assert node.stats().pages_reported == 0
    node.advance(1 * pgr.MS)
    st = node.stats()
    assert dataclasses.is_dataclass(st)
    assert st.pages_reported > 0 and st.batches == len(sink)
    assert st.bytes_reported == st.pages_reported * 4096
    with pytest.raises(dataclasses.FrozenInstanceError):
        st.batches = 0
    assert isinstance(dataclasses.asdict(st)["passes"], int)
    batches = sink.batches()
    assert [b.seq for b in batches] == list(range(len(batches)))
    assert all(b.ret == 0 and 1 <= len(b.ranges) <= 32 for b in batches)
    assert sum(r.bytes for b in batches for r in b.ranges) == \
        st.bytes_reported
    assert node.zones[0].page(batches[0].ranges[0].pfn).reported
    node.zones[0].check()


def test_same_seed_same_reports():
    def run():
        node = node_of(shuffle=True, seed=7)
        sink = pgr.RecorderSink()
        node.register(sink, strategy="upstream")
        node.run_until_idle()
        return [b.ranges for b in sink.batches()]
    assert run() == run()


def test_recorder_failure_injection():
    node = node_of()
    sink = pgr.RecorderSink(capacity=8, fail_nth=1, fail_err=-errno.EAGAIN)
    node.register(sink, strategy="upstream")
    node.run_until_idle()
    b = sink.batches()
    assert b[0].ret == -errno.EAGAIN
    assert node.stats().batch_errors >= 1


class CountingSink(pgr.Sink):
    name = "counting"

    def __init__(self, capacity=16, refuse_first=False):
        super().__init__(capacity)
        self.calls, self.bytes = [], 0
        self.refuse_first = refuse_first

    def report(self, ranges):
        self.calls.append(ranges)
        if self.refuse_first and len(self.calls) == 1:
            return -errno.ENOSPC
        self.bytes += sum(r.bytes for r in ranges)
        return 0


def test_python_sink():
    node = node_of()
    sink = CountingSink(capacity=16)
    node.register(sink, strategy="v11-rescan")
    node.run_until_idle()
    st = node.stats()
    assert sink.bytes == st.bytes_reported > 0
    assert all(1 <= len(c) <= 16 for c in sink.calls)
    assert len(sink.calls) == st.batches
    pfns = [r.pfn for c in sink.calls for r in c]
    assert len(pfns) == len(set(pfns))
    # refusing a batch is counted as an error by the engine
    node2 = node_of()
    node2.register(CountingSink(refuse_first=True), strategy="upstream")
    node2.run_until_idle()
    assert node2.stats().batch_errors == 1


def test_python_sink_exception_is_raised():
    class Broken(pgr.Sink):
        def report(self, ranges):
            raise KeyError("from report")
    node = node_of()
    node.register(Broken(), strategy="upstream")
    with pytest.raises(KeyError, match="from report"):
        node.run_until_idle()
    assert node.stats().batch_errors >= 1
    node.zones[0].check()


def test_memory_sink_returns_memory():
    node = node_of(16 * MiB)
    ram = pgr.GuestRam(node=node)
    assert ram.size == 16 * MiB
    chunk = b"\x5a" * MiB
    for off in range(0, ram.size, MiB):  # make all of it resident
        os.pwrite(ram.fd, chunk, off)
    resident = ram.allocated_bytes()
    assert resident >= 16 * MiB
    sink = pgr.MemorySink(ram, "punch-hole")
    node.register(sink, strategy="v11-boundary")
    node.run_until_idle()
    st = sink.stats()
    assert st.bytes_discarded == node.stats().bytes_reported > 0
    assert ram.allocated_bytes() <= resident - st.bytes_discarded


def test_real_clock_worker():
    node = node_of()
    sink = CountingSink()
    node.register(sink, strategy="v11-boundary", clock="real",
                  delay_ns=1 * pgr.MS)
    node.flush(30 * pgr.SEC)
    node.unregister()
    assert sink.bytes > 0


def test_register_system_one_device_for_two_nodes():
    # two nodes of one guest, one device: one clock, one pass over both
    a = node_of(start_pfn=0x100000)
    b = node_of(start_pfn=0x200000)
    sink = pgr.RecorderSink()
    pgr.register_system([a, b], sink, strategy="upstream")
    assert a.config().strategy_name == b.config().strategy_name == \
        "upstream"
    a.run_until_idle()
    assert a.now == b.now and not b.pending
    st = b.stats()
    assert st == a.stats() and st.passes >= 1
    pfns = [r.pfn for bt in sink.batches() for r in bt.ranges]
    assert any(p < 0x200000 for p in pfns)
    assert any(p >= 0x200000 for p in pfns)
    with pytest.raises(pgr.PgrError) as e:
        a.register(pgr.NullSink())
    assert e.value.errno == errno.EBUSY
    b.unregister()  # through the second node: the whole device
    assert a.sink is None
    with pytest.raises(pgr.PgrError) as e:
        a.stats()
    assert e.value.errno == errno.ENOENT
    with pytest.raises(pgr.PgrError) as e:
        pgr.register_system([a, a], sink)
    assert e.value.errno == errno.EINVAL and "again" in str(e.value)
