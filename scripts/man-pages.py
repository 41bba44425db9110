#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the section 3 manual pages of the public API from the headers.

  scripts/man-pages.py [SRCDIR]        (default: the tree this script is in)
  scripts/man-pages.py -h | --help    this text

liburing style: one grouped page per public header, named after the
header's main function (mm.h -> pgr_node_create.3), whose NAME
lists every function of the header and whose DESCRIPTION is each
function's kernel-doc comment.  For the headers in FULL_PAGES the page
also carries the header's opening comment (OVERVIEW: rules, contexts,
locking) and its public structs with their field comments (STRUCTURES:
the ops table a strategy fills in), verbatim.  Every other function gets a one-line page
`.so man3/<group>.3`, so `man pgr_free_pages` works.  Also writes
man/Makemodule.am listing them all (dist_man_MANS), so a new function or
header needs only a rerun of this script.  tests/man-pages.sh (make check)
fails when a public function has no page.  Standard library only.
"""
import os
import re
import sys

DATE = "2026-12-01"
HEADER_ORDER = ["mm.h", "reporting.h", "sink.h", "balloon.h"]
# The page a header's functions share; default: its first function.
GROUP_NAME = {"mm.h": "pgr_node_create", "reporting.h":
              "pgr_reporting_register", "sink.h": "pgr_sink_null_create",
              "balloon.h": "pgr_sink_balloon_create"}
# Pages that also carry the header's overview and structs: a strategy's
# author needs the ops table and the locking rules on pgr_strategy_register(3)
FULL_PAGES = ["reporting.h", "strategy.h"]


def esc(text):
    """Text for a roff line: backslashes and leading dots/quotes."""
    text = text.replace("\\", "\\e")
    text = text.replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def parse_header(path):
    """Return (summary, [(name, prototype, kerneldoc lines or None)])."""
    src = open(path).read()
    m = re.search(r"/\*\s*\n\s*\*\s*libpagereport:\s*(.+?)(?:\.\s|\n\s*\*\s*\n)",
                  src, re.S)
    summary = " ".join(m.group(1).replace("*", " ").split()) if m else ""
    funcs = []
    for d in re.finditer(r"PGR_EXPORT\s+([^;{]+?)\s*;", src, re.S):
        proto = " ".join(d.group(1).split())
        name = re.search(r"(pgr_\w+)\s*\(", proto)
        if not name:
            continue
        before = src[:d.start()].rstrip()
        doc = None
        if before.endswith("*/"):
            start = before.rfind("/**")
            # the comment must end right before this declaration and
            # belong to it (another declaration in between: not ours)
            if start >= 0 and "PGR_EXPORT" not in before[start:]:
                body = before[start + 3:-2]
                doc = [re.sub(r"^\s*\* ?", "", l).rstrip()
                       for l in body.split("\n")]
                while doc and not doc[0].strip():
                    doc.pop(0)
                while doc and not doc[-1].strip():
                    doc.pop()
                if doc and not doc[0].lstrip().startswith(name.group(1)):
                    doc = None
        funcs.append((name.group(1), proto + ";", doc))
    return summary, funcs


def comment_lines(body):
    """The text of a /* ... */ body, without the leading ' * '."""
    out = []
    for line in body.split("\n"):
        line = re.sub(r"^\s*\*( |$)", "", line.rstrip())
        out.append(line)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def overview_of(src):
    """The header's opening comment after its 'libpagereport: ...' line."""
    m = re.search(r"/\*\s*\n(\s*\*\s*libpagereport:.*?)\*/", src, re.S)
    if not m:
        return []
    lines = comment_lines(m.group(1))
    # the first sentence is the NAME line; keep what follows it
    while lines and lines[0].strip():
        if lines[0].rstrip().endswith(".") or lines[0].rstrip().endswith(":"):
            lines.pop(0)
            break
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def structs_of(src):
    """Every public struct and enum definition, with the comment just
    before it, as C text (the header's own layout)."""
    out = []
    for m in re.finditer(r"^(?:struct|enum) pgr_\w+ \{.*?^\};", src,
                         re.S | re.M):
        before = src[:m.start()].rstrip()
        text = m.group(0)
        if before.endswith("*/"):
            start = before.rfind("/*")
            between = before[start:]
            if "PGR_EXPORT" not in between and "};" not in between:
                text = between + "\n" + text
        out.append(text)
    return out


def verbatim(lines, out):
    """C text or a comment as a no-fill block."""
    out.append(".nf")
    for line in lines:
        out.append(esc(line.expandtabs(8)) if line else "")
    out.append(".fi")


def describe(name, doc, out):
    out.append(".TP")
    out.append(".BR %s ()" % name)
    if not doc:
        out.append("See the declaration in the header.")
        return
    first = doc[0].strip()
    first = re.sub(r"^%s\s*-\s*" % re.escape(name), "", first)
    paras, cur = [], [first] if first else []
    params = []
    for line in doc[1:]:
        pm = re.match(r"\s*@(\w+(?:/@\w+)*):\s*(.*)", line)
        if pm:
            params.append([pm.group(1), pm.group(2)])
            continue
        if not line.strip():
            if cur:
                paras.append(cur)
            cur = []
            continue
        if params and line.startswith(" ") and not cur:
            params[-1][1] += " " + line.strip()
            continue
        cur.append(line.strip())
    if cur:
        paras.append(cur)
    for i, p in enumerate(paras):
        if i:
            out.append(".IP")
        out.append(esc(" ".join(p)))
    for pname, ptext in params:
        out.append(".IP")
        out.append("\\fI%s\\fR: %s" % (esc(pname.replace("@", "")),
                                        esc(ptext)))


def group_of(header, funcs):
    names = [f[0] for f in funcs]
    g = GROUP_NAME.get(header)
    return g if g in names else names[0]


def write_group(srcdir, header, summary, funcs, all_groups):
    group = group_of(header, funcs)
    src = open(os.path.join(srcdir, "include", "pagereport", header)).read()
    names = [f[0] for f in funcs]
    out = [
        ".\\\" SPDX-License-Identifier: LGPL-2.1-or-later",
        ".\\\" Generated by scripts/man-pages.py from include/pagereport/%s;"
        " edit the header." % header,
        ".TH %s 3 %s \"libpagereport\" \"Library Functions Manual\"" % (
            group.upper(), DATE),
        ".SH NAME",
        "%s \\- %s" % (", ".join(esc(n) for n in names),
                       esc(summary or "libpagereport " + header)),
        ".SH SYNOPSIS",
        ".nf",
        ".B #include <pagereport/%s>" % header,
        ".PP",
    ]
    for _, proto, _ in funcs:
        out.append("\\fB" + esc(proto) + "\\fR")
    out += [
        ".fi",
        ".PP",
        "Compile and link with",
        ".IR \"$(pkg\\-config \\-\\-cflags \\-\\-libs libpagereport)\" .",
    ]
    if header in FULL_PAGES:
        out.append(".SH OVERVIEW")
        verbatim(overview_of(src), out)
        structs = structs_of(src)
        if structs:
            out.append(".SH STRUCTURES")
            for i, text in enumerate(structs):
                if i:
                    out.append(".PP")
                verbatim(text.split("\n"), out)
    out += [
        ".SH DESCRIPTION",
    ]
    for name, _, doc in funcs:
        describe(name, doc, out)
    out += [
        ".SH RETURN VALUE",
        "Functions returning",
        ".B int",
        "return 0 or a negative errno and leave the state unchanged on"
        " failure;",
        ".BR pgr_errmsg ()",
        "then says why.  Constructors return a pointer, or NULL with",
        ".I errno",
        "set.",
        ".SH SEE ALSO",
    ]
    others = [g for g in all_groups if g != group]
    out.append(",\n".join([".BR libpagereport (3)"] +
                          [".BR %s (3)" % g for g in others]))
    path = os.path.join(srcdir, "man", group + ".3")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    pages = [group + ".3"]
    for n in names:
        if n == group:
            continue
        with open(os.path.join(srcdir, "man", n + ".3"), "w") as f:
            f.write(".so man3/%s.3\n" % group)
        pages.append(n + ".3")
    return pages


def main():
    args = sys.argv[1:]
    if args and args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: scripts/man-pages.py [SRCDIR] (see --help)",
              file=sys.stderr)
        return 2
    srcdir = args[0] if args else \
        os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    incdir = os.path.join(srcdir, "include", "pagereport")
    if not os.path.isdir(incdir):
        print("man-pages: %s: no include/pagereport/ (SRCDIR must be the "
              "source tree)" % srcdir, file=sys.stderr)
        return 2
    headers = [h for h in HEADER_ORDER if os.path.exists(
        os.path.join(incdir, h))]
    headers += sorted(h for h in os.listdir(incdir)
                      if h.endswith(".h") and h not in headers)
    parsed = []
    for h in headers:
        summary, funcs = parse_header(os.path.join(incdir, h))
        if funcs:
            parsed.append((h, summary, funcs))
    groups = [group_of(p[0], p[2]) for p in parsed]
    pages = []
    for h, summary, funcs in parsed:
        pages += write_group(srcdir, h, summary, funcs, groups)
    with open(os.path.join(srcdir, "man", "Makemodule.am"), "w") as f:
        f.write("# SPDX-License-Identifier: LGPL-2.1-or-later\n"
                "# Generated by scripts/man-pages.py: one page or .so link"
                " per public function.\n"
                "dist_man_MANS += \\\n")
        f.write(" \\\n".join("\tman/" + p for p in sorted(pages)) + "\n")
    print("man-pages: %d pages (%d grouped) for %d headers" % (
        len(pages), len(groups), len(parsed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
