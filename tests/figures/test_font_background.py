"""Figure font subsets cut in other processes while MkDocs renders, found in the cache after."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

from mkdocs_backprop.cache import ResultCache
from mkdocs_backprop.site_assets import SiteText, _figure_weights, install_assets, start_subsets


def test_subsets_cut_in_the_background_are_the_ones_served(tmp_path: Path) -> None:
    text = SiteText(regular=set("사과 개수 x"), bold=set("손실 L"))
    processes = start_subsets(ResultCache(tmp_path / "cache"), text)
    assert len(processes) == 1  # one process cuts both, regular and bold (neither cached yet)
    for process in processes:
        assert process.wait(timeout=300) == 0
    written = {p.read_bytes() for p in (tmp_path / "cache" / "fonts").glob("*.woff2")}
    assert len(written) == 2

    result = install_assets(tmp_path / "site", ResultCache(tmp_path / "cache"), text, processes)
    served = {p.name.split(".")[0]: p.read_bytes() for p in result.files if p.suffix == ".woff2"}
    # The served subsets are the ones the processes wrote, and hold the characters asked for.
    assert {served["bp-figure-sans-regular"], served["bp-figure-sans-bold"]} == written
    for name, chars in (("bp-figure-sans-regular", "사과개수x"), ("bp-figure-sans-bold", "손실L")):
        cmap = TTFont(io.BytesIO(served[name])).getBestCmap()
        assert all(ord(c) in cmap for c in chars), name

    # Cached now: nothing to start for the same characters.
    assert start_subsets(ResultCache(tmp_path / "cache"), text) == []


def test_a_subset_that_fails_does_not_stop_the_others(tmp_path: Path) -> None:
    # One job's font file is not a font: that subset fails in the background process
    # (install_assets cuts it again itself and reports it), and the next is still cut.
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    (bold,) = [p for name, _w, p, _c in _figure_weights(SiteText(bold=set("손"))) if name == "bold"]
    jobs = [[str(bad), "regular", "k-bad", "사과"], [str(bold), "bold", "k-good", "손실"]]
    done = subprocess.run([sys.executable, "-c", "from mkdocs_backprop.site_assets import _subsets_main; "
                           "_subsets_main()", str(tmp_path / "cache")], input=json.dumps(jobs).encode(),
                          timeout=300, check=False)
    assert done.returncode == 0
    assert [p.name for p in (tmp_path / "cache" / "fonts").glob("*.woff2")] == ["k-good.woff2"]
