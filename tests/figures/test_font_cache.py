"""The figure font subset is cut once per glyph set and reused from the plugin's cache."""
from __future__ import annotations

import re
from pathlib import Path

from fontTools.ttLib import TTFont

from mkdocs_backprop.cache import ResultCache
from mkdocs_backprop.figure_source import FigureSource
from mkdocs_backprop.figure_svg import render_svg
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
    install_assets(first, ResultCache(cache))
    (entry,) = (cache / "fonts").glob("*.woff2")
    assert entry.read_bytes() == _served(first).read_bytes()

    # Mark the cached entry: a second build with the same glyphs must serve it as is.
    marked = entry.read_bytes() + b"\0reused"
    entry.write_bytes(marked)
    second = _site(tmp_path, "b", "사과")
    install_assets(second, ResultCache(cache))
    assert _served(second).read_bytes() == marked

    # A new character is a new glyph set: cut again, and the new glyph is in it.
    third = _site(tmp_path, "c", "사과 귤")
    install_assets(third, ResultCache(cache))
    assert len(list((cache / "fonts").glob("*.woff2"))) == 2
    assert ord("귤") in TTFont(_served(third)).getBestCmap()


def test_refresh_recuts_and_missing_glyphs_survive_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    install_assets(_site(tmp_path, "a", "x − y"), ResultCache(cache))
    (entry,) = (cache / "fonts").glob("*.woff2")
    entry.write_bytes(b"damaged")
    # Read back from the cache, the glyphs the font lacks are still reported.
    assert install_assets(_site(tmp_path, "b", "x − y"), ResultCache(cache)).missing_glyphs == {"regular": "\u2212"}
    site = _site(tmp_path, "c", "x − y")
    install_assets(site, ResultCache(cache, refresh=True))
    assert _served(site).read_bytes() != b"damaged"
    TTFont(_served(site))  # a real font again


def test_font_subsets_no_build_uses_are_pruned_like_other_entries(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    install_assets(_site(tmp_path, "a", "사과"), ResultCache(cache_dir))
    assert len(list((cache_dir / "fonts").iterdir())) == 2  # the subset and its missing-glyph list

    # A build that serves other glyphs keeps its own subset and prunes the unused one.
    cache = ResultCache(cache_dir)
    install_assets(_site(tmp_path, "b", "귤"), cache)
    assert cache.prune(older_than=0) == 2
    (kept,) = (cache_dir / "fonts").glob("*.woff2")
    assert f"fonts/{kept.name}" in cache.used
