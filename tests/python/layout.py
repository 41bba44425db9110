# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compare python/pagereport/_cdef.py with the real headers, without
calling into the library: cffi's ABI mode trusts the cdef blindly, so a
stale struct is a silent overrun or a segfault.  conftest.py runs the
test that uses this first and stops the session when it fails.

Checked for every struct the cdef declares: the field names in order
(parsed from the preprocessed real header, nested members included), and
sizeof and every offsetof as a C program built from the real headers
prints them; for every enum constant, its value; for every function, that
the cdef's prototype converts to the real function's type without a
warning (-Werror).  Returns a list of differences (empty: all equal).
"""
import os
import re
import subprocess

from pagereport import _cdef
from pagereport._lib import ffi, lib


def _blocks(text, start):
    """The balanced {...} text from text[start] == '{', and its end."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if not depth:
                return text[start + 1:i], i + 1
    raise ValueError("unbalanced braces")


def _split_top(body, sep):
    out, depth, cur = [], 0, ""
    for ch in body:
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        if ch == sep and not depth:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def _fields(body):
    """[(name, children or None)] of a struct body (C text)."""
    out = []
    for decl in _split_top(body, ";"):
        decl = decl.strip()
        if not decl:
            continue
        if "{" in decl:
            b = decl.index("{")
            inner, end = _blocks(decl, b)
            names = [n.strip() for n in decl[end:].split(",") if n.strip()]
            kids = _fields(inner)
            if not names:  # anonymous: its members are ours
                out += kids
            for n in names:
                out.append((re.sub(r"\[.*", "", n).strip(), kids))
            continue
        m = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)
        if m:
            out.append((m.group(1), None))
            continue
        for d in _split_top(decl, ","):
            d = re.sub(r"\[[^\]]*\]", "", d)
            d = re.sub(r":\s*\w+\s*$", "", d)
            out.append((re.findall(r"\w+", d)[-1], None))
    return out


def real_structs(cc, include):
    """{struct name: fields} of every struct pgr_* in the real headers."""
    src = "".join("#include <%s>\n" % h for h, _ in _cdef.HEADERS)
    text = subprocess.run(cc + ["-E", "-P", "-I", include, "-"], input=src,
                          check=True, capture_output=True,
                          text=True).stdout
    out = {}
    for m in re.finditer(r"\bstruct\s+(pgr_\w+)\s*\{", text):
        body, _ = _blocks(text, m.end() - 1)
        out[m.group(1)] = _fields(body)
    return out


def _cffi_fields(ctype):
    out = []
    for name, f in ctype.fields:
        t = f.type
        kids = None
        if t.kind == "struct" and t.cname.startswith("struct $"):
            kids = _cffi_fields(t)
        out.append((name, kids))
    return out


def _offsets(ctype, prefix, base):
    """[(dotted path, offset)] for every field, nested ones too."""
    out = []
    for name, f in ctype.fields:
        path = prefix + name
        out.append((path, base + f.offset))
        t = f.type
        if t.kind == "struct" and t.cname.startswith("struct $"):
            out += _offsets(t, path + ".", base + f.offset)
    return out


def _functions(decls):
    """(ret, name, params) of each function prototype in a cdef string."""
    flat = re.sub(r"(?m)^\s*#.*$", "", decls)
    while "{" in flat:
        b = flat.index("{")
        _, end = _blocks(flat, b)
        flat = flat[:b] + flat[end:]
    out = []
    for st in flat.split(";"):
        st = " ".join(st.split())
        m = re.match(r"^(.*?[\s*])(pgr_\w+)\s*\((.*)\)$", st)
        if m and "(*" not in m.group(1):
            out.append((m.group(1).strip(), m.group(2), m.group(3)))
    return out


def compare(tmpdir, top, cc=None):
    cc = (cc or os.environ.get("CC") or "cc").split()
    include = os.path.join(top, "include")
    bad = []
    real = real_structs(cc, include)
    structs = []
    for _, decls in _cdef.HEADERS:
        structs += re.findall(r"struct (pgr_\w+) \{", decls)
    for s in structs:
        if s not in real:
            bad.append("struct %s: not in the headers" % s)
            continue
        mine = _cffi_fields(ffi.typeof("struct " + s))
        if mine != real[s]:
            bad.append("struct %s fields:\n  cdef    %s\n  headers %s" %
                       (s, mine, real[s]))
    consts = []
    for _, decls in _cdef.HEADERS:
        consts += re.findall(r"\b(PGR_\w+)\s*=", decls)
        consts += re.findall(r"(?m)^\s*#define\s+(PGR_\w+)", decls)
    lines = ["#include <stddef.h>", "#include <stdio.h>"]
    lines += ["#include <%s>" % h for h, _ in _cdef.HEADERS]
    protos = list(lines)
    for _, decls in _cdef.HEADERS:
        for ret, name, params in _functions(decls):
            protos.append("%s (*const p_%s)(%s) = %s;" %
                          (ret, name, params, name))
    psrc = os.path.join(str(tmpdir), "protos.c")
    with open(psrc, "w") as f:
        f.write("\n".join(protos) + "\n")
    r = subprocess.run(cc + ["-std=gnu11", "-Werror", "-Wall",
                             "-fsyntax-only", "-I", include, psrc],
                       capture_output=True, text=True)
    if r.returncode:
        bad.append("a function's cdef prototype is not the header's:")
        bad += [ln for ln in r.stderr.splitlines() if "error" in ln][:20]
    lines.append("int main(void) {")
    expect = []
    for s in structs:
        if s not in real:
            continue
        t = ffi.typeof("struct " + s)
        lines.append('printf("%%zu\\n", sizeof(struct %s));' % s)
        expect.append(("sizeof(struct %s)" % s, ffi.sizeof(t)))
        for path, off in _offsets(t, "", 0):
            lines.append('printf("%%zu\\n", offsetof(struct %s, %s));' %
                         (s, path))
            expect.append(("offsetof(struct %s, %s)" % (s, path), off))
    for c in consts:
        lines.append('printf("%%lld\\n", (long long)%s);' % c)
        expect.append((c, getattr(lib, c)))
    lines.append("return 0; }")
    csrc = os.path.join(str(tmpdir), "layout.c")
    exe = os.path.join(str(tmpdir), "layout")
    with open(csrc, "w") as f:
        f.write("\n".join(lines) + "\n")
    r = subprocess.run(cc + ["-std=gnu11", "-I", include, "-o", exe, csrc],
                       capture_output=True, text=True)
    if r.returncode:
        errs = [ln for ln in r.stderr.splitlines() if "error" in ln]
        return bad + ["a C program with the cdef's declarations does not "
                      "compile against the headers:"] + errs[:20]
    got = subprocess.run([exe], check=True, capture_output=True,
                         text=True).stdout.split()
    if len(got) != len(expect):
        return bad + ["layout program printed %d values, expected %d" %
                      (len(got), len(expect))]
    for (what, e), g in zip(expect, got):
        if int(g) != e:
            bad.append("%s: cdef %d, headers %s" % (what, e, g))
    return bad
