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

Strategies by name (built-in or registered: strategies(),
load_strategies()), tunables as register() keywords and node.config();
Workload (workload.h), Trace and Replay (trace.h), zone.dump(), Host
(host.h: guests on one clock, how many fit before the host swaps).

Every C function that fails raises PgrError (an OSError): .errno is the
negative return (or errno) made positive, .message is pgr_errmsg().
Counters come back as plain dataclasses (node.stats(), zone.info()).
A sink written in Python subclasses Sink and implements report(ranges).
The library is found as _lib.py says (PAGEREPORT_LIB, the build tree,
then the installed one).
"""
import dataclasses
import errno as _errno
import io
import os

from ._lib import ffi, lib, libc
from ._lib import path as library_path

__all__ = [
    "PgrError", "Node", "Zone", "Range", "Batch", "Sink", "NullSink",
    "RecorderSink", "MemorySink", "GuestRam", "strategies",
    "strategy_id", "migratetype", "MS", "SEC", "library_path",
    "load_strategies", "Workload", "Trace", "TraceEvent", "Replay",
    "register_system", "Host", "strategy_params", "strategy_counters",
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
    if t.kind == "pointer" and t.item.cname == "char":
        return None if cdata == ffi.NULL else \
            ffi.string(cdata).decode(errors="replace")
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
    """Names of every strategy the library knows, in id order: the
    built-ins, then those registered (pgr_strategy_register)."""
    return [ffi.string(lib.pgr_strategy_name(i)).decode()
            for i in range(lib.pgr_strategy_count())]


PARAM_TYPES = {lib.PGR_PARAM_UINT: "uint", lib.PGR_PARAM_BOOL: "bool",
               lib.PGR_PARAM_NS: "ns"}


def strategy_params(strategy):
    """The parameters strategy (a name or id) takes, as dicts with name,
    type ("uint", "bool" or "ns"), default, min, max and help: "delay",
    "order" and "capacity" (the engine's; order and capacity default 0,
    resolved at registration), then the strategy's own."""
    sid = strategy_id(strategy)
    n = _check(lib.pgr_strategy_nr_params(sid), "pgr_strategy_nr_params")
    info = ffi.new("struct pgr_param_info *")
    out = []
    for i in range(n):
        _check(lib.pgr_strategy_param_info(sid, i, info),
               "pgr_strategy_param_info")
        out.append({"name": ffi.string(info.name).decode(),
                    "type": PARAM_TYPES.get(info.type, info.type),
                    "default": getattr(info, "def"),
                    "min": info.min, "max": info.max,
                    "help": ffi.string(info.help).decode()})
    return out


def strategy_counters(strategy):
    """The named counters strategy (a name or id) keeps: [(name, help)]."""
    sid = strategy_id(strategy)
    n = _check(lib.pgr_strategy_nr_counters(sid), "pgr_strategy_nr_counters")
    name = ffi.new("const char **")
    hlp = ffi.new("const char **")
    out = []
    for i in range(n):
        _check(lib.pgr_strategy_counter_info(sid, i, name, hlp),
               "pgr_strategy_counter_info")
        out.append((ffi.string(name[0]).decode(),
                    ffi.string(hlp[0]).decode()))
    return out


def load_strategies(path):
    """Load a strategy plug-in (pgr_strategy_load: a shared object with a
    PGR_STRATEGY_PLUGIN descriptor, or one whose constructor calls
    pgr_strategy_register()); return the names it registered, in id
    order.  A taken name raises PgrError (EEXIST) and registers none."""
    before = lib.pgr_strategy_count()
    _check(lib.pgr_strategy_load(os.fsencode(path)), "pgr_strategy_load")
    return strategies()[before:]


def _to_file(call, fn, *args):
    """Run fn(..., FILE *f, ...) on an open_memstream; return the text."""
    buf = ffi.new("char **")
    size = ffi.new("size_t *")
    f = libc.open_memstream(buf, size)
    if f == ffi.NULL:
        raise PgrError(ffi.errno, "open_memstream failed", call)
    try:
        ret = fn(f)
    finally:
        libc.fclose(f)
        text = ffi.unpack(buf[0], size[0]).decode() if buf[0] else ""
        libc.free(buf[0])
    _check(ret, call)
    return text


def _from_text(call, text, fn):
    """Run fn(FILE *f) with f reading text (fmemopen)."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    cbuf = ffi.new("char[]", data or b" ")
    f = libc.fmemopen(cbuf, len(data), b"r")
    if f == ffi.NULL:
        raise PgrError(ffi.errno, "fmemopen failed", call)
    try:
        return _check(fn(f), call)
    finally:
        libc.fclose(f)


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

    def dump(self, nid=0, migratetypes=False):
        """pgr_zone_dump: /proc/buddyinfo line (and pagetypeinfo rows)."""
        flags = lib.PGR_DUMP_MIGRATETYPES if migratetypes else 0
        return _to_file("pgr_zone_dump", lambda f: lib.pgr_zone_dump(
            self._z, nid, f, flags))

    def watermark_ok(self, order, mark):
        return bool(lib.pgr_zone_watermark_ok(self._z, order, mark))

    def check(self):
        """Verify every invariant; PgrError(EUCLEAN) names a violation."""
        buf = ffi.new("char[]", 512)
        ret = lib.pgr_zone_check(self._z, buf, 512)
        if ret < 0:
            raise PgrError(-ret, ffi.string(buf).decode(errors="replace"),
                           "pgr_zone_check")


def _params(params):
    """A struct pgr_param array from a dict or (name, value) pairs: str
    values are parsed by the library (\"2s\", \"true\", \"0x20\"), bool and
    int are typed.  Returns (array or NULL, count, what must outlive it)."""
    items = list(params.items() if isinstance(params, dict) else params)
    if not items:
        return ffi.NULL, 0, []
    arr = ffi.new("struct pgr_param[]", len(items))
    keep = [arr]
    for i, (name, value) in enumerate(items):
        cname = ffi.new("char[]", str(name).encode())
        keep.append(cname)
        arr[i].name = cname
        if isinstance(value, str):
            ctext = ffi.new("char[]", value.encode())
            keep.append(ctext)
            arr[i].text = ctext
        elif isinstance(value, (bool, int)) and int(value) >= 0:
            arr[i].value = int(value)
        else:
            raise ValueError("parameter %s: %r is not a str, bool or "
                             "unsigned int" % (name, value))
    return arr, len(items), keep


def _reporting_config(strategy="v11-boundary", clock="virtual",
                      order=None, delay_ns=None, return_to_tail=False,
                      capacity=0, params=None):
    """A struct pgr_reporting_config and what must outlive the call."""
    keep = []
    cfg = ffi.new("struct pgr_reporting_config *")
    if isinstance(strategy, str):
        name = ffi.new("char[]", strategy.encode())
        keep.append(name)
        cfg.strategy_name = name
    else:
        cfg.strategy = strategy
    cfg.clock = CLOCKS[clock] if isinstance(clock, str) else clock
    if order is not None:
        cfg.order, cfg.order_set = order, True
    if delay_ns is not None:
        cfg.delay_ns, cfg.delay_set = delay_ns, True
    cfg.return_to_tail = return_to_tail
    cfg.capacity = capacity
    cfg.params, cfg.nr_params, pkeep = _params(params or {})
    keep += pkeep
    return cfg, keep


def register_system(nodes, sink, **kw):
    """One reporting device for several nodes of one guest
    (pgr_reporting_register_system): one engine, one clock, one sink over
    every zone of every node, in node order.  Afterwards any member's
    now/advance/run_until_idle/stats/config/unregister acts on the device;
    unregistering any member unregisters it.  Keywords as Node.register.
    """
    nodes = list(nodes)
    cfg, _keep = _reporting_config(**kw)
    arr = ffi.new("struct pgr_node *[]", [n._ptr() for n in nodes])
    _check(lib.pgr_reporting_register_system(arr, len(nodes), sink._s, cfg),
           "pgr_reporting_register_system")
    for n in nodes:
        n.sink = sink  # keep it alive with every member
        n._members = nodes


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

    def register(self, sink, **_kw):
        """Start reporting into sink (any Sink).

        Keywords (register_system takes the same): strategy="v11-boundary"
        (a name, built-in or registered, passed as strategy_name, or an
        id), clock="virtual", order, delay_ns, return_to_tail, capacity
        (struct pgr_reporting_config's; 0 means the strategy's default),
        and params: the strategy's named parameters as a dict, plain or
        qualified by a strategy ({"hwm": 16, "upstream.delay": "500ms"};
        see strategy_params()).  config() and param() return the values
        in effect.
        """
        cfg, _keep = _reporting_config(**_kw)
        _check(lib.pgr_reporting_register(self._ptr(), sink._s, cfg),
               "pgr_reporting_register")
        self.sink = sink  # registered: keep it alive with the node

    def config(self):
        """The registered device's config, every default resolved, as a
        ReportingConfig dataclass (strategy_name a str; params None: see
        param())."""
        r = ffi.new("struct pgr_reporting_config *")
        _check(lib.pgr_reporting_get_config(self._ptr(), r),
               "pgr_reporting_get_config")
        d = _plain(r[0])
        d["params"] = None  # a pointer: read values with param()
        cls = _classes.get("ReportingConfig")
        if cls is None:
            cls = dataclasses.make_dataclass("ReportingConfig", list(d),
                                             frozen=True)
            _classes["ReportingConfig"] = cls
        return cls(**d)

    def param(self, name):
        """A parameter's value in effect ("hwm", "upstream.delay", ...):
        an int (durations in ns, booleans 0/1)."""
        v = ffi.new("uint64_t *")
        _check(lib.pgr_reporting_get_param(self._ptr(), name.encode(), v),
               "pgr_reporting_get_param")
        return v[0]

    def params(self):
        """Every parameter of the device's strategy: {name: value}."""
        sid = strategy_id(self.config().strategy_name)
        return {p["name"]: self.param(p["name"])
                for p in strategy_params(sid)}

    def counters(self):
        """The device's named counters (the strategy's own, e.g.
        boundary_resets, budget_exhausted, bits_visited): {name: value}."""
        n = _check(lib.pgr_reporting_nr_counters(self._ptr()),
                   "pgr_reporting_nr_counters")
        name = ffi.new("const char **")
        v = ffi.new("uint64_t *")
        out = {}
        for i in range(n):
            _check(lib.pgr_reporting_counter(self._ptr(), i, name, v),
                   "pgr_reporting_counter")
            out[ffi.string(name[0]).decode()] = v[0]
        return out

    def dump(self, nid=0, migratetypes=False):
        """pgr_node_dump: every zone's /proc/buddyinfo line."""
        flags = lib.PGR_DUMP_MIGRATETYPES if migratetypes else 0
        return _to_file("pgr_node_dump", lambda f: lib.pgr_node_dump(
            self._ptr(), nid, f, flags))

    def unregister(self):
        _check(lib.pgr_reporting_unregister(self._ptr()),
               "pgr_reporting_unregister")
        self._reraise()
        # a system's device is gone for every member
        for n in getattr(self, "_members", None) or [self]:
            n.sink, n._members = None, None

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

    @classmethod
    def _borrowed(cls, ptr, owner):
        """A node another object owns (a Host's guest): close() and
        garbage collection leave it alone; owner is kept alive."""
        self = cls.__new__(cls)
        self._n, self._owner, self.sink = ptr, owner, None
        self.zones = [Zone(self, lib.pgr_node_zone(ptr, i), i)
                      for i in range(lib.pgr_node_nr_zones(ptr))]
        return self

    def _forget(self):
        """The owner freed the node: every later call raises."""
        self._n, self.sink = None, None
        for z in self.zones:
            z._z = ffi.NULL
        self.zones = []

    def close(self):
        """Unregister and free the node (also on garbage collection);
        a borrowed node (Host.guest_node) is only let go."""
        if getattr(self, "_owner", None) is not None:
            self._n, self.zones, self._owner = None, [], None
            return
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


WORKLOAD_PARAMS = {"churn": ("occupancy", "mix", "min_order", "max_order",
                             "orders_set"),
                   "build": ("jobs", "short_pct", "long_pct", "long_every",
                             "ops_per_sec", "min_life_ms", "max_life_ms"),
                   "fill": ("occupancy", "order", "hold_ops"),
                   "page_fault1": ("order",)}
CHURN_MIX = {"thp": lib.PGR_CHURN_MIX_THP,
             "uniform": lib.PGR_CHURN_MIX_UNIFORM,
             "small": lib.PGR_CHURN_MIX_SMALL}


def _workload_config(cfg, kind="churn", seed=1, rate=0, migratetype=None,
                     record=None, churn=None, build=None, fill=None,
                     page_fault1=None):
    """Fill the struct pgr_workload_config cfg (Workload's keywords)."""
    k = lib.pgr_workload_kind_from_name(kind.encode()) \
        if isinstance(kind, str) else kind
    _check(k, "pgr_workload_kind_from_name")
    cfg.kind, cfg.seed, cfg.rate = k, seed, rate
    if migratetype is not None:
        cfg.migratetype = globals()["migratetype"](migratetype)
        cfg.migratetype_set = True
    for group, params in (("churn", churn), ("build", build),
                          ("fill", fill), ("page_fault1", page_fault1)):
        for key, val in (params or {}).items():
            if key not in WORKLOAD_PARAMS[group]:
                raise ValueError("%s has no parameter %r (one of %s)" % (
                    group, key, ", ".join(WORKLOAD_PARAMS[group])))
            if group == "churn" and key == "mix" and isinstance(val, str):
                val = CHURN_MIX[val]
            setattr(getattr(cfg, group), key, val)
    if record is not None:
        cfg.record = record._t


class Workload:
    """A seeded workload on a zone (pgr_workload_create).

    kind: "churn", "build", "fill-free" or "page-fault1".  The kind's
    parameters as keywords of its group (churn={"occupancy": 0.5,
    "mix": "small"}, build={...}, fill={...}, page_fault1={...}); unset
    means the library default.  record: a Trace every alloc and free is
    appended to.
    """

    def __init__(self, zone, kind="churn", seed=1, rate=0, migratetype=None,
                 record=None, churn=None, build=None, fill=None,
                 page_fault1=None):
        cfg = ffi.new("struct pgr_workload_config *")
        _workload_config(cfg[0], kind, seed, rate, migratetype, record,
                         churn, build, fill, page_fault1)
        self.zone, self.record = zone, record  # keep them alive
        self._w = _check_ptr(lib.pgr_workload_create(zone._z, cfg),
                             "pgr_workload_create")

    def _ptr(self):
        if self._w is None:
            raise ValueError("workload is closed")
        return self._w

    def fill(self):
        """Allocate up to the starting state (no frees)."""
        _check(lib.pgr_workload_fill(self._ptr()), "pgr_workload_fill")

    def step(self, n=1):
        """n operations; failed allocations (-ENOMEM) are counted in
        stats().alloc_failures, not raised.  Return how many failed."""
        failed = 0
        for _ in range(n):
            ret = lib.pgr_workload_step(self._ptr())
            if ret == -_errno.ENOMEM:
                failed += 1
            else:
                _check(ret, "pgr_workload_step")
        return failed

    def run(self, ns, tick_ns=0):
        """Steps at cfg.rate for ns of clock time (engine clock advanced
        every tick when a device is registered)."""
        ret = lib.pgr_workload_run(self._ptr(), ns, tick_ns)
        sink = self.zone.node.sink
        if sink is not None:
            sink._reraise()
        _check(ret, "pgr_workload_run")

    def free_fraction(self, fraction):
        _check(lib.pgr_workload_free_fraction(self._ptr(), fraction),
               "pgr_workload_free_fraction")

    def free_all(self):
        _check(lib.pgr_workload_free_all(self._ptr()),
               "pgr_workload_free_all")

    def set_time(self, ns):
        _check(lib.pgr_workload_set_time(self._ptr(), ns),
               "pgr_workload_set_time")

    @property
    def now(self):
        return lib.pgr_workload_now(self._ptr())

    def stats(self):
        r = ffi.new("struct pgr_workload_stats *")
        _check(lib.pgr_workload_get_stats(self._ptr(), r),
               "pgr_workload_get_stats")
        return _plain_object(r[0], "WorkloadStats")

    def close(self):
        """Free the workload (its live blocks stay allocated)."""
        if getattr(self, "_w", None) is not None:
            lib.pgr_workload_destroy(self._w)
            self._w = None

    __del__ = close


@dataclasses.dataclass(frozen=True)
class TraceEvent:
    """One trace event; op "a" (alloc) or "f" (free); migratetype and
    zone -1 when unknown."""
    op: str
    time_ns: int
    pfn: int
    order: int
    migratetype: int = -1
    zone: int = -1


REPLAY_MODES = {"exact": lib.PGR_REPLAY_EXACT,
                "policy": lib.PGR_REPLAY_POLICY}
TRACE_VIEWS = {"buddy": lib.PGR_TRACE_VIEW_BUDDY,
               "caller": lib.PGR_TRACE_VIEW_CALLER}


class Trace:
    """An in-memory page allocator trace (pgr_trace): pgrtrace text in
    and out, kernel kmem trace import, recording, replay (Replay)."""

    def __init__(self):
        self._t = _check_ptr(lib.pgr_trace_create(), "pgr_trace_create")

    @classmethod
    def load(cls, path):
        t = cls()
        _check(lib.pgr_trace_load(t._t, os.fsencode(path)), "pgr_trace_load")
        return t

    @classmethod
    def from_text(cls, text):
        """A trace from pgrtrace text."""
        t = cls()
        t.read(text)
        return t

    def read(self, text):
        """Append pgrtrace text (all or nothing)."""
        _from_text("pgr_trace_read", text,
                   lambda f: lib.pgr_trace_read(self._t, f))

    def import_kernel(self, text, view="buddy", pcp_max_order=0,
                      pcp_thp_order=0):
        """Append the kmem events of perf script / ftrace text; return
        the importer's counters (TraceImportStats)."""
        cfg = ffi.new("struct pgr_trace_import_config *")
        cfg.view = TRACE_VIEWS[view] if isinstance(view, str) else view
        cfg.pcp_max_order, cfg.pcp_thp_order = pcp_max_order, pcp_thp_order
        st = ffi.new("struct pgr_trace_import_stats *")
        _from_text("pgr_trace_import", text,
                   lambda f: lib.pgr_trace_import(self._t, f, cfg, st))
        return _plain_object(st[0], "TraceImportStats")

    def save(self, path):
        _check(lib.pgr_trace_save(self._t, os.fsencode(path)),
               "pgr_trace_save")

    def text(self):
        """The trace as pgrtrace text."""
        return _to_file("pgr_trace_write",
                        lambda f: lib.pgr_trace_write(self._t, f))

    def __len__(self):
        return lib.pgr_trace_nr_events(self._t)

    def events(self):
        p = lib.pgr_trace_events(self._t)
        return [TraceEvent("a" if p[i].op == lib.PGR_TRACE_ALLOC else "f",
                           p[i].time_ns, p[i].pfn, p[i].order,
                           p[i].migratetype, p[i].zone)
                for i in range(len(self))]

    def append(self, ev):
        """Append a TraceEvent (or a tuple of its fields)."""
        if not isinstance(ev, TraceEvent):
            ev = TraceEvent(*ev)
        c = ffi.new("struct pgr_trace_event *")
        c.op = lib.PGR_TRACE_ALLOC if ev.op in ("a", 0) else \
            lib.PGR_TRACE_FREE
        c.time_ns, c.pfn, c.order = ev.time_ns, ev.pfn, ev.order
        c.migratetype, c.zone = ev.migratetype, ev.zone
        _check(lib.pgr_trace_append(self._t, c), "pgr_trace_append")

    def record(self, zone, time_ns, op, pfn, order, mt="movable"):
        """Record one alloc ("a") or free ("f") of a block of zone."""
        _check(lib.pgr_trace_record(
            self._t, zone._z, time_ns,
            lib.PGR_TRACE_ALLOC if op in ("a", 0) else lib.PGR_TRACE_FREE,
            pfn, order, migratetype(mt)), "pgr_trace_record")

    def set_zone(self, idx, name, start_pfn, nr_pages):
        _check(lib.pgr_trace_set_zone(self._t, idx, name.encode(),
                                      start_pfn, nr_pages),
               "pgr_trace_set_zone")

    def clear(self):
        _check(lib.pgr_trace_clear(self._t), "pgr_trace_clear")

    def node(self, **kw):
        """A new Node with the trace's zone geometry (not populated)."""
        cfg = ffi.new("struct pgr_node_config *")
        _check(lib.pgr_trace_node_config(self._t, cfg),
               "pgr_trace_node_config")
        zones = [(ffi.string(cfg.zones[i].name).decode(),
                  cfg.zones[i].start_pfn, cfg.zones[i].nr_pages)
                 for i in range(cfg.nr_zones)]
        return Node(zones, **kw)

    def close(self):
        if getattr(self, "_t", None) is not None:
            lib.pgr_trace_destroy(self._t)
            self._t = None

    __del__ = close


class Replay:
    """Replays trace events onto a node (pgr_replay_create).

    mode "exact" (the trace's pfns) or "policy" (the model chooses);
    with a device registered the engine clock follows the trace.
    """

    def __init__(self, node, mode="exact", tick_ns=0, repair=False,
                 policy_zone=None):
        cfg = ffi.new("struct pgr_replay_config *")
        cfg.mode = REPLAY_MODES[mode] if isinstance(mode, str) else mode
        cfg.tick_ns, cfg.repair = tick_ns, repair
        if policy_zone is not None:
            cfg.policy_zone, cfg.policy_zone_set = policy_zone, True
        self.node = node
        self._r = _check_ptr(lib.pgr_replay_create(node._ptr(), cfg),
                             "pgr_replay_create")

    def run(self, trace):
        ret = lib.pgr_replay_run(self._r, trace._t)
        self.node._reraise()
        _check(ret, "pgr_replay_run")

    def stats(self):
        r = ffi.new("struct pgr_replay_stats *")
        _check(lib.pgr_replay_get_stats(self._r, r), "pgr_replay_get_stats")
        return _plain_object(r[0], "ReplayStats")

    def close(self):
        if getattr(self, "_r", None) is not None:
            lib.pgr_replay_destroy(self._r)
            self._r = None

    __del__ = close


class Host:
    """A host of guests on one clock (pgr_host, <pagereport/host.h>):
    how many guests fit in budget_bytes before the host swaps.

        with pgr.Host(budget_bytes=512 << 20, seed=1) as h:
            i = h.add_guest("g0", 128 << 20, strategy="v11-boundary",
                            workload={"kind": "fill-free",
                                      "fill": {"order": 9}})
            h.advance(10 * pgr.SEC)
            h.stats().swapped

    Keywords are struct pgr_host_config's fields (0 = the default).
    real_memory=True backs each guest by a real memfd and really
    discards reported ranges (guest_kernel_bytes()).  Errors raise
    PgrError with pgr_errmsg().  Guests live until close() (or garbage
    collection); Node objects from guest_node() then raise ValueError.
    """

    def __init__(self, budget_bytes, seed=0, tick_ns=0, sample_ns=0,
                 swap_out_ns=0, swap_in_ns=0, refault_ns=0,
                 real_memory=False):
        cfg = ffi.new("struct pgr_host_config *")
        cfg.budget_bytes, cfg.seed = budget_bytes, seed
        cfg.tick_ns, cfg.sample_ns = tick_ns, sample_ns
        cfg.swap_out_ns, cfg.swap_in_ns = swap_out_ns, swap_in_ns
        cfg.refault_ns, cfg.real_memory = refault_ns, bool(real_memory)
        self._nodes = []
        self._keep = []  # what guests' configs point at (traces)
        self._h = _check_ptr(lib.pgr_host_create(cfg), "pgr_host_create")

    def _ptr(self):
        if getattr(self, "_h", None) is None:
            raise ValueError("host is closed")
        return self._h

    def _idx(self, i, call):
        """A guest index for C, negative ones counted from the end;
        one that cannot be an unsigned raises ENOENT here (the C calls
        say ENOENT for the rest)."""
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i <= 0xffffffff:
            raise PgrError(_errno.ENOENT, "no guest %d" % i, call)
        return i

    def add_guest(self, name, mem_bytes, strategy=None, reporting=None,
                  workload=None, workload_cycles=0, cycle_gap_ns=0,
                  base_fraction=0.0, fill_at_launch=False):
        """Launch a guest now (pgr_host_add_guest); return its index.

        strategy: a strategy name, or None / "none" for no reporting.
        reporting: Node.register's tunables as a dict (order, delay_ns,
        capacity, ...; not strategy or clock).  workload: Workload's
        keywords as a dict (kind, seed, rate, migratetype, record,
        churn, build, fill, page_fault1); seed 0 (the default here) is
        derived from the host seed.  The rest are struct
        pgr_host_guest_config's fields.
        """
        h = self._ptr()
        cfg = ffi.new("struct pgr_host_guest_config *")
        cname = ffi.new("char[]", name.encode())
        cfg.name, cfg.mem_bytes = cname, mem_bytes
        cstrat = ffi.NULL
        if strategy is not None:
            cstrat = ffi.new("char[]", strategy.encode())
        cfg.strategy = cstrat
        rkw = dict(reporting or {})
        for key in ("strategy", "clock"):
            if key in rkw:
                raise ValueError("reporting has no %r here: the host "
                                 "takes strategy= and its own clock" % key)
        rc, _rname = _reporting_config(**rkw)
        cfg.reporting = rc[0]
        cfg.reporting.strategy_name = ffi.NULL
        wkw = dict(workload or {})
        wkw.setdefault("seed", 0)
        _workload_config(cfg.workload, **wkw)
        cfg.workload_cycles, cfg.cycle_gap_ns = workload_cycles, cycle_gap_ns
        cfg.base_fraction = base_fraction
        cfg.fill_at_launch = bool(fill_at_launch)
        idx = _check(lib.pgr_host_add_guest(h, cfg), "pgr_host_add_guest")
        if wkw.get("record") is not None:
            self._keep.append(wkw["record"])  # the guest appends to it
        return idx

    def advance(self, ns):
        """Run every guest and the swap model for ns of host time."""
        _check(lib.pgr_host_advance(self._ptr(), ns), "pgr_host_advance")

    @property
    def now(self):
        """The shared clock, ns."""
        return lib.pgr_host_now(self._ptr())

    def __len__(self):
        return lib.pgr_host_nr_guests(self._ptr())

    nr_guests = property(__len__)

    def guest_node(self, i):
        """Guest i's node as a Node the host owns (zones, info(), dump(),
        stats() of its device); do not unregister it."""
        i = self._idx(i, "pgr_host_guest_node")
        ptr = lib.pgr_host_guest_node(self._ptr(), i)
        if ptr == ffi.NULL:
            raise PgrError(_errno.ENOENT, "no guest %d (the host has %d)" %
                           (i, len(self)), "pgr_host_guest_node")
        node = Node._borrowed(ptr, self)
        self._nodes.append(node)
        return node

    def stats(self):
        """Host totals as a HostStats dataclass."""
        r = ffi.new("struct pgr_host_stats *")
        _check(lib.pgr_host_get_stats(self._ptr(), r), "pgr_host_get_stats")
        return _plain_object(r[0], "HostStats")

    def guest_stats(self, i):
        """Guest i's residency, swap and refaults as a HostGuestStats
        dataclass (acct and workload as dicts)."""
        r = ffi.new("struct pgr_host_guest_stats *")
        _check(lib.pgr_host_get_guest_stats(self._ptr(), self._idx(
            i, "pgr_host_get_guest_stats"), r), "pgr_host_get_guest_stats")
        return _plain_object(r[0], "HostGuestStats")

    def guest_kernel_bytes(self, i):
        """real_memory: bytes the kernel holds for guest i's memfd."""
        r = ffi.new("uint64_t *")
        call = "pgr_host_guest_kernel_bytes"
        _check(lib.pgr_host_guest_kernel_bytes(self._ptr(),
                                               self._idx(i, call), r), call)
        return r[0]

    def csv(self):
        """The samples so far as CSV text (pgr_host_write_csv)."""
        h = self._ptr()
        return _to_file("pgr_host_write_csv",
                        lambda f: lib.pgr_host_write_csv(h, f))

    def write_csv(self, path_or_file):
        """Write csv() to a path or to an open file (text or binary)."""
        text = self.csv()
        if hasattr(path_or_file, "write"):
            if isinstance(path_or_file, io.TextIOBase):
                path_or_file.write(text)
            else:
                path_or_file.write(text.encode())
            return
        with open(path_or_file, "w") as f:
            f.write(text)

    def close(self):
        """Free the host and every guest (also on garbage collection)."""
        if getattr(self, "_h", None) is not None:
            for n in self._nodes:
                n._forget()
            self._nodes = []
            lib.pgr_host_destroy(self._h)
            self._h = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
