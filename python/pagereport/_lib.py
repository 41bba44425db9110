# SPDX-License-Identifier: LGPL-2.1-or-later
"""Find and load libpagereport with cffi in ABI mode (no compiler needed).

Where from, first match wins:
  1. $PAGEREPORT_LIB, a path to libpagereport.so*;
  2. the build tree this package sits in: <src>/build/src/.libs/ (or
     $PAGEREPORT_BUILD_DIR/src/.libs/), so `PYTHONPATH=python` works in a
     clone after scripts/setup.sh;
  3. the dynamic loader's search: an installed library (/usr/local/lib
     after `ldconfig`, or a --prefix on LD_LIBRARY_PATH).
"""
import os

import cffi

from ._cdef import HEADERS, LIBC

ffi = cffi.FFI()
for _header, _decls in HEADERS:
    ffi.cdef(_decls)
ffi.cdef(LIBC)

SONAME = "libpagereport.so.0"


def _candidates():
    env = os.environ.get("PAGEREPORT_LIB")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.dirname(os.path.dirname(here))
    builds = [os.environ.get("PAGEREPORT_BUILD_DIR"),
              os.path.join(src, "build")]
    for b in builds:
        if b:
            yield os.path.join(b, "src", ".libs", SONAME)
    yield SONAME


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: not found" % path)
            continue
        try:
            return ffi.dlopen(path), path
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    raise ImportError("pagereport: cannot load libpagereport (set "
                      "PAGEREPORT_LIB or LD_LIBRARY_PATH): " +
                      "; ".join(errors))


lib, path = _load()
libc = ffi.dlopen(None)
