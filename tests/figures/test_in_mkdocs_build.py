"""The figure/math/asset functions inside a real `mkdocs build --strict`.

The site's own adapter (plugin/plugin.py) is exercised by the site build test;
this one drives the same public functions from MkDocs hooks on a tiny site, so
their MkDocs-facing behaviour is checked on its own.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HOOKS = '''
from __future__ import annotations

import graphviz

from mkdocs_backprop.figure_source import figure_source
from mkdocs_backprop.figure_svg import render_svg
from mkdocs_backprop.mathml import render_math
from mkdocs_backprop.site_assets import extra_css_paths, install_assets


def on_config(config):
    config.extra_css.extend(extra_css_paths())
    return config


def on_page_content(html, page, config, files):
    g = graphviz.Digraph(graph_attr={"rankdir": "LR"})
    g.edge("사과", "지불 금액", label="220")
    svg = render_svg(figure_source(g), id_prefix="fig-1-", alt="사과에서 지불 금액으로")
    html = html.replace("<p>FIGURE</p>", f'<figure class="bp-figure">{svg}</figure>')
    return render_math(html)


def on_post_build(config):
    install_assets(config.site_dir)
'''


@pytest.mark.slow
def test_strict_build_serves_mathml_figure_css_and_font(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        textwrap.dedent(r"""
        # 계산 그래프

        기울기 $\frac{\partial L}{\partial x}$ 는 다음과 같다.

        $$
        \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y} \cdot W^{\mathrm T}
        $$

        FIGURE
        """),
        encoding="utf-8",
    )
    (tmp_path / "hooks.py").write_text(HOOKS, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        textwrap.dedent("""
        site_name: test
        theme:
          name: material
          language: ko
          font: false
        hooks: [hooks.py]
        markdown_extensions:
          - pymdownx.arithmatex:
              generic: true
        """),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    html = (site / "index.html").read_text(encoding="utf-8")

    assert html.count("<math ") == 2 and 'display="block"' in html
    assert "\\(" not in html and "mathjax" not in html.lower()
    assert 'role="img"' in html and 'id="fig-1-graph0"' in html and ">220</text>" in html
    for href in ("assets/backprop/figures.css", "assets/backprop/fonts.css"):
        assert f'href="{href}"' in html
        assert (site / href).is_file()
    fonts_css = (site / "assets/backprop/fonts.css").read_text(encoding="utf-8")
    # No bold text in this figure: one figure face, and the math font for the two formulas.
    font_url, math_font_url = re.findall(r'url\("([^"]+)"\)', fonts_css)
    assert font_url.startswith("bp-figure-sans-regular.") and math_font_url.startswith("bp-math.")
    for url in (font_url, math_font_url):
        assert (site / "assets/backprop" / url).stat().st_size > 1000
