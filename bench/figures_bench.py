"""Benchmark: figure rendering and the served font subset (not collected by pytest).

    .venv/bin/python bench/figures_bench.py

Prints timings for one figure through render_svg, twelve figures one after
another versus on a thread pool (each figure is one `dot` process, so threads
overlap them), the fingerprint, and the font subset's time and size for the
characters the figures use versus every Hangul syllable.
"""
from __future__ import annotations

import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "figures"))  # figure_helpers: the apple graph the tests draw

from figure_helpers import apple_digraph  # noqa: E402
from mkdocs_backprop.figure_font import check_font  # noqa: E402
from mkdocs_backprop.figure_source import figure_source  # noqa: E402
from mkdocs_backprop.figure_svg import render_svg, renderer_fingerprint  # noqa: E402
from mkdocs_backprop.site_assets import subset_font  # noqa: E402


def timed(fn, repeat: int = 7) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    source = figure_source(apple_digraph())
    one = lambda i=0: render_svg(source, id_prefix=f"f{i}-", alt="그림")  # noqa: E731
    one()  # warm caches (font lookup, imports)
    print(f"render_svg, one figure:        {timed(one) * 1000:7.1f} ms")
    print(f"renderer_fingerprint (warm):   {timed(renderer_fingerprint) * 1000:7.3f} ms")
    sequential = timed(lambda: [one(i) for i in range(12)], repeat=3)
    print(f"12 figures, sequential:        {sequential * 1000:7.1f} ms")
    for workers in (2, 4):
        with ThreadPoolExecutor(workers) as pool:
            pooled = timed(lambda: list(pool.map(one, range(12))), repeat=3)
        print(f"12 figures, {workers} threads:         {pooled * 1000:7.1f} ms")

    fonts = check_font()
    used = "".join(sorted(set("사과 개수 소비세 지불 금액 오렌지 순전파 역전파 0123456789.,-×+/∂=()[]")))
    everything = "".join(chr(c) for c in range(0xAC00, 0xD7A4)) + "".join(chr(c) for c in range(0x20, 0x7F))
    for name, text in (("used characters", used), ("all Hangul + ASCII", everything)):
        start = time.perf_counter()
        data, _ = subset_font(fonts.regular, text, weight_name="regular")
        print(f"subset ({name:18}): {time.perf_counter() - start:6.2f} s, {len(data) / 1024:7.1f} KiB woff2")
    print(f"source font: {fonts.regular.stat().st_size / 1024:.0f} KiB ttf")


if __name__ == "__main__":
    main()
