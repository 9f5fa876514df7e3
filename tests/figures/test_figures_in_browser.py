"""Figures and math as Debian's Chromium draws them, light and dark, wide and narrow."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import material
import pytest

from figure_helpers import apple_digraph
from mkdocs_backprop.figure_source import FigureSource
from mkdocs_backprop.figure_svg import render_svg
from mkdocs_backprop.mathml import render_math
from mkdocs_backprop.site_assets import extra_css_paths, install_assets

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MATERIAL_CSS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"


TYPESET = {
    "unary": r"\exp(-x) \quad y = -x",
    "matrix": r"\begin{pmatrix} x_1 \\ x_2 \end{pmatrix}",
    "aligned": r"\begin{aligned} y &= xW + b \\ L &= -\sum_k t_k \log y_k \end{aligned}",
}


def _page(figure_svg: str, scheme: str) -> str:
    material_css = "".join(
        f'<link rel="stylesheet" href="material/{p.name}">'
        for p in sorted(MATERIAL_CSS.glob("*.min.css"))
    )
    ours = "".join(f'<link rel="stylesheet" href="{p}">' for p in extra_css_paths())
    math = render_math(
        '<div class="arithmatex">\\[\\frac{\\partial L}{\\partial x} = '
        "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}\\]</div>"
    )
    for name, tex in TYPESET.items():
        math += f'<div id="{name}">' + render_math(f'<div class="arithmatex">\\[{tex}\\]</div>') + "</div>"
    return (
        f'<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        # No favicon request: a 404 for it would read as a problem of the figure.
        f'<link rel="icon" href="data:,">{material_css}{ours}</head>'
        f'<body data-md-color-scheme="{scheme}"><article class="md-typeset" id="column">'
        f'<figure class="bp-figure"><div class="bp-figure-scroll">{figure_svg}</div>'
        f'<figcaption>그림 5-1</figcaption></figure>'
        f"{math}</article></body></html>"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real static server over a small site: Material's CSS, ours, one figure per palette."""
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: install Debian's package 'chromium' (./run.sh test installs it)")
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(MATERIAL_CSS, root / "material")
    backward = _backward_colour()
    # The gradient colour is a role only when the drawable names it (as Graph.figure_style() does).
    source = FigureSource("dot", apple_digraph(backward).source, "", colors=(("backward", backward),))
    svg = render_svg(source, id_prefix="f1-", alt="사과 계산 그래프")
    for scheme in ("default", "slate"):
        (root / f"{scheme}.html").write_text(_page(svg, scheme), encoding="utf-8")
    install_assets(root)

    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()
    server.server_close()


def _backward_colour() -> str:
    import layers.graph as graph

    return graph.BACKWARD_COLOR


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()


def _open(browser: object, url: str, width: int = 1200) -> tuple[object, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url)
    page.evaluate("document.fonts.ready")
    return page, problems


COMPUTED = """() => {
  const texts = [...document.querySelectorAll('svg.bp-svg text')];
  const plain = texts.find(t => t.textContent === '사과');
  const bold = texts.find(t => t.getAttribute('font-weight') === 'bold');
  const stroke = document.querySelector('svg.bp-svg ellipse');
  const body = getComputedStyle(document.body);
  return {
    plain: getComputedStyle(plain).fill,
    bold: getComputedStyle(bold).fill,
    stroke: getComputedStyle(stroke).stroke,
    fg: getComputedStyle(document.querySelector('#column')).color,
  };
}"""


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_labels_and_strokes_take_the_palettes_foreground(browser, site, scheme) -> None:
    page, problems = _open(browser, f"{site}/{scheme}.html")
    colours = page.evaluate(COMPUTED)
    assert colours["plain"] == colours["stroke"] == colours["fg"]
    # Dark text on the dark page would vanish; light text on the light one too.
    dark = colours["fg"].startswith("rgba(0, 0, 0")
    assert dark == (scheme == "default")
    assert problems == []


@pytest.mark.parametrize("scheme, expected", [("default", "rgb(194, 65, 12)"), ("slate", "rgb(251, 146, 60)")])
def test_gradients_take_the_palettes_backward_colour(browser, site, scheme, expected) -> None:
    page, _ = _open(browser, f"{site}/{scheme}.html")
    assert page.evaluate(COMPUTED)["bold"] == expected


def test_figure_keeps_natural_size_shrinks_to_the_column_and_scrolls_when_too_small(browser, site) -> None:
    size = """() => { const s = document.querySelector('svg.bp-svg').getBoundingClientRect();
                      const c = document.querySelector('#column').getBoundingClientRect();
                      const f = document.querySelector('.bp-figure-scroll');
                      const t = [...document.querySelectorAll('svg.bp-svg text')].find(e => e.textContent === '사과');
                      return [s.width, s.height, c.width,
                              document.querySelector('svg.bp-svg').viewBox.baseVal.width,
                              document.querySelector('svg.bp-svg').viewBox.baseVal.height,
                              f.scrollWidth > f.clientWidth, t.getBoundingClientRect().height,
                              parseFloat(getComputedStyle(t).fontSize) * s.width /
                                document.querySelector('svg.bp-svg').viewBox.baseVal.width]; }"""
    wide, _ = _open(browser, f"{site}/default.html", width=1400)
    w, h, column, vb_w, vb_h, scrolls, label, _ = wide.evaluate(size)
    natural = vb_w * 4 / 3  # pt -> px
    assert w == pytest.approx(natural, abs=1) and not scrolls  # not enlarged
    # A column a little narrower than the figure: it shrinks to fit, undistorted.
    middle, _ = _open(browser, f"{site}/default.html", width=int(natural * 0.8) + 16)
    mw, mh, mcolumn, _, _, mscrolls, _, _ = middle.evaluate(size)
    assert mw == pytest.approx(mcolumn, abs=1) and mw < w and not mscrolls
    assert mh / mw == pytest.approx(vb_h / vb_w, rel=0.02)
    # A very narrow column: it stops shrinking where its labels (14 pt) would drop under
    # 8 px, and its box scrolls instead.
    narrow, _ = _open(browser, f"{site}/default.html", width=200)
    nw, _, ncolumn, _, _, nscrolls, _, font_px = narrow.evaluate(size)
    assert ncolumn < natural * 8 / (14 * 4 / 3)
    assert nw == pytest.approx(natural * 8 / (14 * 4 / 3), abs=1) and nscrolls
    assert font_px == pytest.approx(8, abs=0.05)


def test_viewer_gets_the_served_figure_font(browser, site) -> None:
    page, problems = _open(browser, f"{site}/default.html")
    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'bp-figure-sans' "
        "&& f.status === 'loaded').map(f => f.weight)"
    )
    assert sorted(loaded) == ["400", "700"]
    assert problems == []


def test_math_is_drawn_natively(browser, site) -> None:
    page, _ = _open(browser, f"{site}/slate.html")
    box = page.evaluate(
        "() => { const m = document.querySelector('math[display=block]').getBoundingClientRect();"
        " const f = document.querySelector('mfrac').getBoundingClientRect(); return [m.height, f.height]; }"
    )
    # A fraction stacked by the MathML layout is taller than one line of text.
    assert box[0] > 0 and box[1] > 20
    assert page.evaluate("() => document.scripts.length") == 0


MEASURE_MATH = """() => {
  const box = el => el.getBoundingClientRect();
  const mos = id => [...document.querySelectorAll(`#${id} mo`)];
  const unary = mos('unary');
  const paren = unary.find(m => m.textContent === '(');
  const signs = unary.filter(m => m.textContent === '\u2212');
  const xs = [...document.querySelectorAll('#unary mi')].filter(m => m.textContent === 'x');
  const sub = document.querySelector('#matrix msub');
  const open = mos('matrix').find(m => m.textContent === '(');
  const equals = mos('aligned').filter(m => m.textContent === '=');
  return {
    fontSize: parseFloat(getComputedStyle(document.querySelector('#unary math')).fontSize),
    afterParen: box(signs[0]).left - box(paren).right,
    beforeX: [box(xs[0]).left - box(signs[0]).right, box(xs[1]).left - box(signs[1]).right],
    subDrop: box(sub.children[1]).bottom - box(sub.children[0]).bottom,
    intoBracket: box(sub).left - box(open).right,
    equalsLeft: equals.map(m => box(m).left),
    mathFont: [...document.fonts].some(f => f.family.replace(/"/g, '') === 'bp-math' && f.status === 'loaded'),
  };
}"""


def test_math_is_typeset_as_tex_would_in_the_served_math_font(browser, site) -> None:
    page, problems = _open(browser, f"{site}/default.html")
    got = page.evaluate(MEASURE_MATH)
    em = got["fontSize"]
    assert got["mathFont"], "the served math font (bp-math) did not load"
    # A sign in front of a term sits against it, not a binary operator's 0.22em away.
    assert got["afterParen"] < 0.05 * em and max(got["beforeX"]) < 0.1 * em, got
    # Subscripts drop below the baseline (placed by the font's MATH table) ...
    assert got["subDrop"] > 0.15 * em, got
    # ... and a matrix sits against its brackets, without the browser's cell padding.
    assert got["intoBracket"] < 0.2 * em, got
    # aligned lines up its rows at '&'.
    assert len(got["equalsLeft"]) == 2 and abs(got["equalsLeft"][0] - got["equalsLeft"][1]) < 0.5, got
    assert problems == []
