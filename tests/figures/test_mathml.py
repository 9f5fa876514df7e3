"""Build-time math: arithmatex's markup from the real extension -> MathML."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
import pytest

from mkdocs_backprop.mathml import MathError, render_math, to_mathml

M = "{http://www.w3.org/1998/Math/MathML}"
ROOT = Path(__file__).resolve().parents[2]


def page(source: str) -> str:
    """HTML exactly as the site's Markdown set-up produces it."""
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex", "pymdownx.superfences"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return md.convert(source)


def maths(html: str) -> list[ET.Element]:
    wrapped = ET.fromstring(f"<root>{html}</root>")
    return list(wrapped.iter(f"{M}math"))


def test_inline_and_block_math_become_mathml_without_latex_left() -> None:
    html = render_math(page("기울기 $\\frac{\\partial L}{\\partial x}$ 는\n\n$$\nz = t^2\n$$\n"))
    found = maths(html)
    assert [m.get("display") for m in found] == ["inline", "block"]
    assert "\\(" not in html and "\\[" not in html
    assert '<span class="arithmatex"><math' in html and '<div class="arithmatex"><math' in html


def test_latex_source_is_kept_as_an_annotation() -> None:
    (math,) = maths(render_math(page("$a<b$")))
    annotation = math.find(f"{M}semantics/{M}annotation")
    assert annotation is not None and annotation.text == "a<b"
    assert annotation.get("encoding") == "application/x-tex"


def test_code_blocks_showing_math_markup_are_left_alone() -> None:
    html = page('```html\n<span class="arithmatex">\\(x\\)</span>\n```\n')
    assert render_math(html) == html


def first(tex: str, display: bool = False) -> ET.Element:
    return ET.fromstring(to_mathml(tex, display=display))


def test_partial_derivative_fraction() -> None:
    frac = first(r"\frac{\partial L}{\partial x}").find(f".//{M}mfrac")
    assert frac is not None and len(frac) == 2
    assert "".join(frac.itertext()) == "∂L∂x"


def test_dot_product_transpose_in_both_spellings() -> None:
    assert "·" in "".join(first(r"\frac{\partial L}{\partial Y} \cdot W^\top").itertext())
    top = first(r"W^\top").find(f".//{M}msup")
    assert top is not None and "".join(top.itertext()) == "W⊤"
    # The chapter writes X^\mathrm{T}; browsers italicise a bare <mi>T</mi>.
    for tex in (r"W^{\mathrm T}", r"X^\mathrm{T}", r"W^{\mathrm{T}}"):
        upright = first(tex).find(f".//{M}msup//{M}mi[@mathvariant='normal']")
        assert upright is not None and upright.text == "T", tex


@pytest.mark.parametrize("env, fences", [("pmatrix", "()"), ("bmatrix", "[]")])
def test_matrices_become_tables_with_fences(env: str, fences: str) -> None:
    root = first(rf"\begin{{{env}}} 1 & 2 & 3 \\ 4 & 5 & 6 \end{{{env}}}", display=True)
    table = root.find(f".//{M}mtable")
    assert table is not None
    assert [["".join(td.itertext()) for td in tr] for tr in table] == [["1", "2", "3"], ["4", "5", "6"]]
    operators = [mo.text for mo in root.iter(f"{M}mo")]
    assert operators[0] == fences[0] and operators[-1] == fences[1]


def test_subscripts_exp_sum_and_korean_text() -> None:
    root = first(r"\text{지불 금액} = \sum_{i=1}^{n} w_{ij} \exp(-x_i)")
    assert root.find(f".//{M}mtext").text.replace("\u00a0", " ") == "지불 금액"
    assert root.find(f".//{M}msubsup/{M}mo").text == "∑"
    assert any(mi.text == "exp" for mi in root.iter(f"{M}mi"))
    subs = ["".join(s.itertext()) for s in root.iter(f"{M}msub")]
    assert "wij" in subs and "xi" in subs


@pytest.mark.parametrize(
    "tex, says",
    [
        (r"\frac{a}", "missing an argument"),
        (r"\frobnicate x", r"unknown LaTeX command `\\frobnicate`"),
        (r"{a", "unclosed"),
        (r"a}", "unbalanced"),
        (r"a & b", "'&' outside"),
        (r"x^", "cannot convert"),
        (r"\begin{pmatrix} 1 & 2", "cannot convert"),
        ("  ", "empty formula"),
    ],
)
def test_broken_latex_is_an_error_quoting_the_formula(tex: str, says: str) -> None:
    with pytest.raises(MathError, match=says) as info:
        to_mathml(tex)
    if tex.strip():
        assert f"`{tex.strip()}`" in str(info.value)


def test_error_in_a_page_names_the_formula() -> None:
    with pytest.raises(MathError, match=r"`\\frac\{1\}`"):
        render_math(page("좋은 식 $x$, 나쁜 식 $\\frac{1}$"))


def test_site_loads_no_math_javascript() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").lower()
    for script in ("mathjax", "katex", "polyfill.io"):
        assert script not in config
