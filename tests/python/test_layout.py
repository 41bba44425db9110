# SPDX-License-Identifier: LGPL-2.1-or-later
"""The cffi declarations (python/pagereport/_cdef.py) match the real
headers: struct fields by name and order, sizeof and every offset, enum
values and function prototypes (tests/python/layout.py).  conftest.py
runs this first and stops the session when it fails, so a stale cdef is
a clean failure that names the difference, never a segfault in a later
test."""
import os

import layout
import pagereport


def test_cdef_matches_headers(tmp_path):
    top = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(
        os.path.dirname(__file__), "..", ".."))
    bad = layout.compare(tmp_path, top)
    assert not bad, "\n".join(["_cdef.py differs from the headers:"] + bad)
    assert pagereport.library_path


def test_checker_sees_a_stale_struct(tmp_path):
    """The parser behind the check finds every field, nested and
    function-pointer members and multiple declarators included."""
    fields = layout._fields(
        "unsigned a, b; int (*cb)(void *x, int y); uint64_t m[16][5];"
        " struct { double o; unsigned lo, hi; } churn; struct pgr_x z[4];"
        " void *arg;")
    assert fields == [("a", None), ("b", None), ("cb", None), ("m", None),
                      ("churn", [("o", None), ("lo", None), ("hi", None)]),
                      ("z", None), ("arg", None)]
