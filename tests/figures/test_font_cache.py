"""The figure font subset is cut once per glyph set and reused from the plugin's cache."""
from __future__ import annotations

import re
from pathlib import Path

from fontTools.ttLib import TTFont

from mkdocs_backprop.figures import FigureSource, render_svg
from mkdocs_backprop.site_assets import install_assets


def _site(tmp_path: Path, name: str, label: str) -> Path:
    source = FigureSource("dot", f'digraph {{ a [label="{label}" fontname="NanumGothic"] }}', "")
    site = tmp_path / name
    (site / "ch05").mkdir(parents=True)
    svg = render_svg(source, id_prefix="f-", alt="그림")
    (site / "ch05" / "index.html").write_text(f"<html><body>{svg}</body></html>", encoding="utf-8")
    return site


def _served(site: Path) -> Path:
    css = (site / "assets/backprop/fonts.css").read_text(encoding="utf-8")
    (url,) = re.findall(r'url\("([^"]+)"\)', css)
    return site / "assets/backprop" / url


def test_subset_is_reused_for_the_same_glyphs_and_recut_for_new_ones(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _site(tmp_path, "a", "사과")
    install_assets(first, cache)
    (entry,) = (cache / "fonts").glob("*.woff2")
    assert entry.read_bytes() == _served(first).read_bytes()

    # Mark the cached entry: a second build with the same glyphs must serve it as is.
    marked = entry.read_bytes() + b"\0reused"
    entry.write_bytes(marked)
    second = _site(tmp_path, "b", "사과")
    install_assets(second, cache)
    assert _served(second).read_bytes() == marked

    # A new character is a new glyph set: cut again, and the new glyph is in it.
    third = _site(tmp_path, "c", "사과 귤")
    install_assets(third, cache)
    assert len(list((cache / "fonts").glob("*.woff2"))) == 2
    assert ord("귤") in TTFont(_served(third)).getBestCmap()


def test_refresh_recuts_and_missing_glyphs_survive_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    install_assets(_site(tmp_path, "a", "x − y"), cache)
    (entry,) = (cache / "fonts").glob("*.woff2")
    entry.write_bytes(b"damaged")
    # Read back from the cache, the glyphs the font lacks are still reported.
    assert install_assets(_site(tmp_path, "b", "x − y"), cache).missing_glyphs == {"regular": "\u2212"}
    site = _site(tmp_path, "c", "x − y")
    install_assets(site, cache, refresh=True)
    assert _served(site).read_bytes() != b"damaged"
    TTFont(_served(site))  # a real font again
