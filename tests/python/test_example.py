# SPDX-License-Identifier: LGPL-2.1-or-later
"""README's notebook-style example (python/examples/report_over_time.py)
runs as shown and draws its figure; what it plots holds: every strategy
but bitmap ends with the whole 4 GiB guest reported, the two v11
strategies at once (100 ms), upstream only after several 2 s passes;
bitmap (v12) reports the 1800 freed blocks (3.5 GiB) at once and nothing
that was free before it registered."""
import os
import runpy

import pytest


def test_readme_example(tmp_path, monkeypatch):
    plt = pytest.importorskip("matplotlib.pyplot")
    top = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(
        os.path.dirname(__file__), "..", ".."))
    monkeypatch.chdir(tmp_path)
    g = runpy.run_path(os.path.join(top, "python", "examples",
                                    "report_over_time.py"))
    assert (tmp_path / "report_over_time.png").stat().st_size > 1000
    lines = {l.get_label(): l.get_ydata() for l in plt.gca().get_lines()}
    assert sorted(lines) == ["bitmap", "upstream", "v11-boundary",
                             "v11-rescan"]
    for name, y in lines.items():
        if name != "bitmap":
            assert y[-1] == pytest.approx(4.0, abs=0.01), name
    assert list(lines["bitmap"]) == [1800 * 2 / 1024] * len(lines["bitmap"])
    assert list(lines["v11-boundary"]) == list(lines["v11-rescan"])
    assert lines["v11-boundary"][0] == pytest.approx(4.0, abs=0.01)
    assert lines["upstream"][0] < 1.0
    assert g["t"][-1] == pytest.approx(40.0)
