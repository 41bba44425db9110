# SPDX-License-Identifier: LGPL-2.1-or-later
# pytest set-up: import the package from python/ of the source tree and
# load the library of the build tree (PAGEREPORT_LIB, set by run.sh).
import os
import sys

_top = os.environ.get("top_srcdir") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(os.path.abspath(_top), "python"))
