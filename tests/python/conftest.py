# SPDX-License-Identifier: LGPL-2.1-or-later
# pytest set-up: import the package from python/ of the source tree and
# load the library of the build tree (PAGEREPORT_LIB, set by run.sh).
# The layout test (test_layout.py) runs first; when it fails nothing else
# runs: with a cdef that disagrees with the headers, any other test may
# corrupt memory or crash the interpreter before pytest can report.
import os
import sys

import pytest

_here = os.path.dirname(os.path.abspath(__file__))
_top = os.environ.get("top_srcdir") or os.path.join(_here, "..", "..")
sys.path.insert(0, os.path.join(os.path.abspath(_top), "python"))
sys.path.insert(0, _here)


def _is_layout(item):
    return os.path.basename(str(item.fspath)) == "test_layout.py"


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda it: not _is_layout(it))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if _is_layout(item) and rep.failed:
        item.session.shouldstop = ("the cffi declarations differ from the "
                                   "headers (test_layout.py): not running "
                                   "the rest")
