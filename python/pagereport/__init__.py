# SPDX-License-Identifier: LGPL-2.1-or-later
"""Python bindings of libpagereport (cffi, ABI mode).

    import pagereport as pgr
    node = pgr.Node.of_size(1 << 30, seed=1)   # one 1 GiB "Normal" zone
    zone = node.zones[0]
    zone.populate()
    sink = pgr.RecorderSink(capacity=32)
    node.register(sink, strategy="v11-boundary")   # virtual clock
    pfn = zone.alloc(9, "movable")
    zone.free(pfn, 9)
    node.advance(100 * pgr.MS)
    node.stats().pages_reported

Every C function that fails raises PgrError (an OSError): .errno is the
negative return (or errno) made positive, .message is pgr_errmsg().
Counters come back as plain dataclasses (node.stats(), zone.info()).
A sink written in Python subclasses Sink and implements report(ranges).
The library is found as _lib.py says (PAGEREPORT_LIB, the build tree,
then the installed one).
"""
import dataclasses
import errno as _errno
import os

from ._lib import ffi, lib
from ._lib import path as library_path

__all__ = [
    "PgrError", "Node", "Zone", "Range", "Batch", "Sink", "NullSink",
    "RecorderSink", "MemorySink", "GuestRam", "strategies",
    "strategy_id", "migratetype", "MS", "SEC", "library_path",
]

MS = 1000000
SEC = 1000000000
PAGE_SIZE = 4096
MIGRATETYPES = {
    "unmovable": lib.PGR_MIGRATE_UNMOVABLE,
    "movable": lib.PGR_MIGRATE_MOVABLE,
    "reclaimable": lib.PGR_MIGRATE_RECLAIMABLE,
    "highatomic": lib.PGR_MIGRATE_HIGHATOMIC,
    "isolate": lib.PGR_MIGRATE_ISOLATE,
}
CLOCKS = {"virtual": lib.PGR_CLOCK_VIRTUAL, "real": lib.PGR_CLOCK_REAL}
DISCARD = {"punch-hole": lib.PGR_DISCARD_PUNCH_HOLE,
           "madv-remove": lib.PGR_DISCARD_MADV_REMOVE}


class PgrError(OSError):
    """A libpagereport call failed: errno and pgr_errmsg()."""

    def __init__(self, err, message, call=""):
        super().__init__(err, os.strerror(err))
        self.message = message
        self.call = call

    def __str__(self):
        return "%s: [Errno %d] %s: %s" % (self.call, self.errno,
                                          self.strerror, self.message)


def _msg():
    return ffi.string(lib.pgr_errmsg()).decode(errors="replace")


def _check(ret, call):
    """A 0-or-negative-errno return: raise on failure, else ret."""
    if ret < 0:
        raise PgrError(-ret, _msg(), call)
    return ret


def _check_ptr(ptr, call):
    """A pointer-or-NULL+errno return."""
    if ptr == ffi.NULL:
        raise PgrError(ffi.errno or _errno.EINVAL, _msg(), call)
    return ptr


def _plain(cdata):
    """A C value as Python: structs -> dicts, arrays -> lists."""
    if not isinstance(cdata, ffi.CData):
        return cdata
    t = ffi.typeof(cdata)
    if t.kind == "struct":
        return {name: _plain(getattr(cdata, name)) for name, _ in t.fields}
    if t.kind == "array":
        if t.item.cname == "char":
            return ffi.string(cdata).decode(errors="replace")
        return [_plain(x) for x in cdata]
    return cdata


_classes = {}


def _plain_object(cdata, clsname):
    """A struct as a frozen dataclass whose fields are the C fields."""
    d = _plain(cdata)
    cls = _classes.get(clsname)
    if cls is None:
        cls = dataclasses.make_dataclass(clsname, list(d), frozen=True)
        _classes[clsname] = cls
    return cls(**d)


def migratetype(mt):
    """A migratetype as its enum value: an int or a name ("movable")."""
    if isinstance(mt, str):
        try:
            return MIGRATETYPES[mt.lower()]
        except KeyError:
            raise ValueError("unknown migratetype %r (one of %s)" % (
                mt, ", ".join(MIGRATETYPES))) from None
    return int(mt)


def strategy_id(name):
    """The strategy named @name (built-in or registered) as an int."""
    if isinstance(name, int):
        return name
    return _check(lib.pgr_strategy_from_name(name.encode()),
                  "pgr_strategy_from_name")


def strategies():
    """Names of every strategy the library knows, in id order."""
    names = []
    for i in range(256):
        n = ffi.string(lib.pgr_strategy_name(i)).decode()
        if n == "?":
            break
        names.append(n)
    return names


class Range(tuple):
    """One reported block: 2**order pages from pfn, in zone (index)."""
    __slots__ = ()

    def __new__(cls, pfn, order, zone=0):
        return tuple.__new__(cls, (pfn, order, zone))

    pfn = property(lambda self: self[0])
    order = property(lambda self: self[1])
    zone = property(lambda self: self[2])
    bytes = property(lambda self: PAGE_SIZE << self[1])

    def __repr__(self):
        return "Range(pfn=%#x, order=%d, zone=%d)" % self


def _ranges(ptr, n):
    return [Range(ptr[i].pfn, ptr[i].order, ptr[i].zone) for i in range(n)]


@dataclasses.dataclass(frozen=True)
class Batch:
    """One report() call a RecorderSink saw."""
    seq: int
    ret: int
    ranges: list


class Zone:
    """A zone of a Node (node.zones[i]); keeps its node alive."""

    def __init__(self, node, ptr, index):
        self.node, self._z, self.index = node, ptr, index

    def populate(self):
        """Release every page to the allocator (boot-time free)."""
        _check(lib.pgr_zone_populate(self._z), "pgr_zone_populate")

    def offline(self):
        _check(lib.pgr_zone_offline(self._z), "pgr_zone_offline")

    def alloc(self, order, mt="movable", flags=0):
        """Allocate a 2**order block; return its first pfn."""
        pfn = ffi.new("uint64_t *")
        _check(lib.pgr_alloc_pages(self._z, order, migratetype(mt), flags,
                                   pfn), "pgr_alloc_pages")
        return pfn[0]

    def free(self, pfn, order):
        _check(lib.pgr_free_pages(self._z, pfn, order), "pgr_free_pages")

    def take_block(self, pfn, order):
        """Take the free 2**order block at pfn off the lists (allocated)."""
        _check(lib.pgr_take_block(self._z, pfn, order), "pgr_take_block")

    def shuffle(self):
        _check(lib.pgr_zone_shuffle(self._z), "pgr_zone_shuffle")

    def info(self):
        """Counters snapshot as a ZoneInfo dataclass."""
        r = ffi.new("struct pgr_zone_info *")
        _check(lib.pgr_zone_get_info(self._z, r), "pgr_zone_get_info")
        return _plain_object(r[0], "ZoneInfo")

    def page(self, pfn):
        """State of the page at pfn as a PageInfo dataclass."""
        r = ffi.new("struct pgr_page_info *")
        _check(lib.pgr_page_get_info(self._z, pfn, r), "pgr_page_get_info")
        return _plain_object(r[0], "PageInfo")

    def free_list(self, order, mt="movable"):
        """The pfns on free_area[order].free_list[mt], head first."""
        n = _check(lib.pgr_free_list_walk(self._z, order, migratetype(mt),
                                          ffi.NULL, 0), "pgr_free_list_walk")
        buf = ffi.new("uint64_t[]", max(n, 1))
        n = _check(lib.pgr_free_list_walk(self._z, order, migratetype(mt),
                                          buf, n), "pgr_free_list_walk")
        return [buf[i] for i in range(n)]

    def watermark_ok(self, order, mark):
        return bool(lib.pgr_zone_watermark_ok(self._z, order, mark))

    def check(self):
        """Verify every invariant; PgrError(EUCLEAN) names a violation."""
        buf = ffi.new("char[]", 512)
        ret = lib.pgr_zone_check(self._z, buf, 512)
        if ret < 0:
            raise PgrError(-ret, ffi.string(buf).decode(errors="replace"),
                           "pgr_zone_check")


class Node:
    """A node of 1..4 zones (pgr_node_create).

    zones: a list of (name, start_pfn, nr_pages) tuples or dicts with
    those keys (and optionally watermark: [min, low, high]).
    """

    def __init__(self, zones, shuffle=False, seed=1, max_order=0,
                 pageblock_order=0):
        cfg = ffi.new("struct pgr_node_config *")
        names = []
        if not 1 <= len(zones) <= 4:
            raise ValueError("a node has 1..4 zones, not %d" % len(zones))
        for i, z in enumerate(zones):
            if not isinstance(z, dict):
                z = dict(zip(("name", "start_pfn", "nr_pages"), z))
            names.append(ffi.new("char[]", z["name"].encode())
                         if z.get("name") else ffi.NULL)
            cfg.zones[i].name = names[-1]
            cfg.zones[i].start_pfn = z["start_pfn"]
            cfg.zones[i].nr_pages = z["nr_pages"]
            for k, w in enumerate(z.get("watermark", ())):
                cfg.zones[i].watermark[k] = w
        cfg.nr_zones = len(zones)
        cfg.shuffle = bool(shuffle)
        cfg.seed = seed
        cfg.max_order = max_order
        cfg.pageblock_order = pageblock_order
        self._n = _check_ptr(lib.pgr_node_create(cfg), "pgr_node_create")
        self.zones = [Zone(self, lib.pgr_node_zone(self._n, i), i)
                      for i in range(lib.pgr_node_nr_zones(self._n))]
        self.sink = None

    @classmethod
    def of_size(cls, nbytes, name="Normal", start_pfn=0x100000, **kw):
        """One zone of nbytes (a multiple of 4 KiB) from start_pfn."""
        return cls([(name, start_pfn, nbytes // PAGE_SIZE)], **kw)

    def _ptr(self):
        if self._n is None:
            raise ValueError("node is closed")
        return self._n

    def register(self, sink, strategy="v11-boundary", clock="virtual",
                 order=None, delay_ns=None, return_to_tail=False,
                 v11_skip_mark_on_error=False):
        """Start reporting into sink (any Sink) with a strategy by name."""
        cfg = ffi.new("struct pgr_reporting_config *")
        cfg.strategy = strategy_id(strategy)
        cfg.clock = CLOCKS[clock] if isinstance(clock, str) else clock
        if order is not None:
            cfg.order, cfg.order_set = order, True
        if delay_ns is not None:
            cfg.delay_ns, cfg.delay_set = delay_ns, True
        cfg.return_to_tail = return_to_tail
        cfg.v11_skip_mark_on_error = v11_skip_mark_on_error
        _check(lib.pgr_reporting_register(self._ptr(), sink._s, cfg),
               "pgr_reporting_register")
        self.sink = sink  # registered: keep it alive with the node

    def unregister(self):
        _check(lib.pgr_reporting_unregister(self._ptr()),
               "pgr_reporting_unregister")
        self._reraise()
        self.sink = None

    def _reraise(self):
        """An exception a Python sink raised inside report()."""
        if self.sink is not None:
            self.sink._reraise()

    @property
    def now(self):
        """The reporting clock, ns (virtual: what advance() added)."""
        return lib.pgr_reporting_now(self._ptr())

    def advance(self, ns):
        """Virtual clock: move time on by ns, running the work due."""
        ret = lib.pgr_reporting_advance(self._ptr(), ns)
        self._reraise()
        _check(ret, "pgr_reporting_advance")

    def run_until_idle(self, max_ns=3600 * SEC):
        """Advance until no work is pending; return the ns it took."""
        el = ffi.new("uint64_t *")
        ret = lib.pgr_reporting_run_until_idle(self._ptr(), max_ns, el)
        self._reraise()
        _check(ret, "pgr_reporting_run_until_idle")
        return el[0]

    @property
    def pending(self):
        return bool(lib.pgr_reporting_pending(self._ptr()))

    def flush(self, timeout_ns=10 * SEC):
        """Real clock: wait until the worker is idle."""
        ret = lib.pgr_reporting_flush(self._ptr(), timeout_ns)
        self._reraise()
        _check(ret, "pgr_reporting_flush")

    def stats(self):
        """Reporting counters as a ReportingStats dataclass."""
        r = ffi.new("struct pgr_reporting_stats *")
        _check(lib.pgr_reporting_get_stats(self._ptr(), r),
               "pgr_reporting_get_stats")
        return _plain_object(r[0], "ReportingStats")

    def check(self):
        buf = ffi.new("char[]", 512)
        ret = lib.pgr_node_check(self._ptr(), buf, 512)
        if ret < 0:
            raise PgrError(-ret, ffi.string(buf).decode(errors="replace"),
                           "pgr_node_check")

    def close(self):
        """Unregister and free the node (also on garbage collection)."""
        if getattr(self, "_n", None) is not None:
            lib.pgr_node_destroy(self._n)
            self._n = None
            self.zones = []
            self.sink = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Sink:
    """A sink written in Python: subclass and implement report(ranges).

    report() gets a list of Range and returns None or 0 (taken) or a
    negative errno (refused).  It runs with the zone lock dropped, in the
    thread that advances the clock (virtual) or in the worker (real).
    An exception inside it makes the batch fail with -EIO and is raised
    again from the Node call that ran it.
    """

    name = "python"

    def __init__(self, capacity=32):
        if not 1 <= capacity <= 32:
            raise ValueError("capacity %d not in 1..32" % capacity)
        self._exc = None
        self._name = ffi.new("char[]", self.name.encode())
        self._ops = ffi.new("struct pgr_sink_ops *")
        self._ops.name = self._name
        self._cb = ffi.callback(
            "int(struct pgr_sink *, const struct pgr_range *, unsigned int)",
            self._report, onerror=self._onerror)
        self._ops.report = self._cb
        self._s = ffi.new("struct pgr_sink *")
        self._s.ops = self._ops
        self._s.capacity = capacity

    def _report(self, s, ranges, n):
        ret = self.report(_ranges(ranges, n))
        return int(ret or 0)

    def _onerror(self, exc_type, exc, tb):
        if self._exc is None:
            self._exc = exc
        return -_errno.EIO

    def _reraise(self):
        exc, self._exc = self._exc, None
        if exc is not None:
            raise exc

    def report(self, ranges):
        raise NotImplementedError

    @property
    def capacity(self):
        return self._s.capacity

    def close(self):
        pass


class _CSink(Sink):
    """A sink the library made (pgr_sink_*_create); destroyed on close."""

    def __init__(self, ptr, call):
        self._exc = None
        self._s = _check_ptr(ptr, call)

    def _reraise(self):
        pass

    def close(self):
        if getattr(self, "_s", None) is not None:
            lib.pgr_sink_destroy(self._s)
            self._s = None

    __del__ = close


class NullSink(_CSink):
    """Accepts and forgets every report."""

    def __init__(self, capacity=32):
        super().__init__(lib.pgr_sink_null_create(capacity),
                         "pgr_sink_null_create")


class RecorderSink(_CSink):
    """Keeps every batch (batches()); can fail calls on purpose."""

    def __init__(self, capacity=32, fail_nth=0, fail_every=0, fail_err=0):
        cfg = ffi.new("struct pgr_sink_recorder_config *")
        cfg.capacity, cfg.fail_nth = capacity, fail_nth
        cfg.fail_every, cfg.fail_err = fail_every, fail_err
        super().__init__(lib.pgr_sink_recorder_create(cfg),
                         "pgr_sink_recorder_create")

    def __len__(self):
        return lib.pgr_sink_recorder_nr_batches(self._s)

    def batches(self):
        out = []
        b = ffi.new("struct pgr_recorded_batch *")
        for i in range(len(self)):
            _check(lib.pgr_sink_recorder_batch(self._s, i, b),
                   "pgr_sink_recorder_batch")
            out.append(Batch(b.seq, b.ret, _ranges(b.ranges, b.n)))
        return out

    def reset(self):
        lib.pgr_sink_recorder_reset(self._s)


class GuestRam:
    """Guest RAM as a memfd (pgr_guest_ram), for the memory sink."""

    def __init__(self, base_pfn=None, nr_pages=None, node=None):
        if node is not None:
            p = lib.pgr_guest_ram_create_for_node(node._ptr())
        else:
            p = lib.pgr_guest_ram_create(base_pfn, nr_pages)
        self._r = _check_ptr(p, "pgr_guest_ram_create")

    @property
    def fd(self):
        return lib.pgr_guest_ram_fd(self._r)

    @property
    def size(self):
        return lib.pgr_guest_ram_size(self._r)

    def allocated_bytes(self):
        """Bytes the host really holds for it (st_blocks)."""
        r = ffi.new("uint64_t *")
        _check(lib.pgr_guest_ram_allocated_bytes(self._r, r),
               "pgr_guest_ram_allocated_bytes")
        return r[0]

    def close(self):
        if getattr(self, "_r", None) is not None:
            lib.pgr_guest_ram_destroy(self._r)
            self._r = None

    __del__ = close


class MemorySink(_CSink):
    """Gives each reported range of ram back to the host."""

    def __init__(self, ram, method="punch-hole", capacity=32):
        self.ram = ram  # the sink uses it: keep it alive
        super().__init__(lib.pgr_sink_memory_create(
            ram._r, DISCARD[method] if isinstance(method, str) else method,
            capacity), "pgr_sink_memory_create")

    def stats(self):
        r = ffi.new("struct pgr_sink_memory_stats *")
        _check(lib.pgr_sink_memory_get_stats(self._s, r),
               "pgr_sink_memory_get_stats")
        return _plain_object(r[0], "MemorySinkStats")
