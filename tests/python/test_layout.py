# SPDX-License-Identifier: LGPL-2.1-or-later
"""The cffi declarations (python/pagereport/_cdef.py) match the real
headers: a C program built from include/pagereport/ prints every declared
struct's size and field offsets, and cffi must agree with each."""
import os
import re
import subprocess

import pagereport
from pagereport import _cdef
from pagereport._lib import ffi


def test_struct_layouts_match_headers(tmp_path):
    top = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(
        os.path.dirname(__file__), "..", ".."))
    structs = []
    for _, decls in _cdef.HEADERS:
        structs += re.findall(r"struct (pgr_\w+) \{", decls)
    assert "pgr_reporting_config" in structs
    lines = ["#include <stddef.h>", "#include <stdio.h>"]
    lines += ["#include <%s>" % h for h, _ in _cdef.HEADERS]
    lines.append("int main(void) {")
    expect = []
    for s in structs:
        lines.append('printf("%%zu\\n", sizeof(struct %s));' % s)
        expect.append(("sizeof", s, ffi.sizeof("struct " + s)))
        for name, field in ffi.typeof("struct " + s).fields:
            lines.append('printf("%%zu\\n", offsetof(struct %s, %s));' %
                         (s, name))
            expect.append((s, name, field.offset))
    lines.append("return 0; }")
    c = tmp_path / "layout.c"
    c.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "layout"
    cc = os.environ.get("CC", "cc").split()
    subprocess.run(cc + ["-I", os.path.join(top, "include"), "-o", str(exe),
                         str(c)], check=True)
    got = subprocess.run([str(exe)], check=True, capture_output=True,
                         text=True).stdout.split()
    assert len(got) == len(expect)
    bad = [(e, g) for e, g in zip(expect, got) if e[2] != int(g)]
    assert not bad, bad
    assert pagereport.library_path
