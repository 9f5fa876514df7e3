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


# --- Typesetting as TeX does, in what browsers honour -------------------------------

def operators(tex: str) -> list[ET.Element]:
    return [mo for mo in first(tex).iter(f"{M}mo") if mo.text in ("−", "+", "±")]


def is_unary(mo: ET.Element) -> bool:
    return mo.get("lspace") == "0em" and mo.get("rspace") == "0em"


@pytest.mark.parametrize(
    "tex",
    [r"\exp(-x)", r"y = -x", r"-\frac{1}{x^2}", r"f(-x, -y)", r"e^{-x}", r"10^{-7}", r"\left( -x \right)",
     r"a \le -b", r"\sum_k -t_k", r"\log -x", r"+1", r"a = \pm b"],
)
def test_a_sign_in_front_of_a_term_is_not_spaced_like_subtraction(tex: str) -> None:
    signs = operators(tex)
    assert signs and all(is_unary(mo) for mo in signs), to_mathml(tex)


@pytest.mark.parametrize("tex", [r"a - b", r"(a) - b", r"x^2 - 1", r"1 + \exp(-x)", r"y(1 - y)", r"a \pm b",
                                 r"\frac{1}{2} - x"])
def test_subtraction_keeps_its_spacing(tex: str) -> None:
    binary = [mo for mo in operators(tex) if not is_unary(mo)]
    assert len(binary) == 1, to_mathml(tex)
    assert binary[0].get("lspace") is None and binary[0].get("rspace") is None


def test_plus_minus_is_an_operator_not_an_identifier() -> None:
    assert [mo.text for mo in operators(r"a \pm b")] == ["±"]
    assert not [mi for mi in first(r"a \pm b").iter(f"{M}mi") if mi.text == "±"]


def test_operator_names_get_thin_spaces_next_to_symbols_not_before_brackets() -> None:
    row = first(r"t_k \log y_k + 2\exp(x)").find(f"{M}semantics/{M}mrow")
    kinds = [(el.tag.removeprefix(M), el.text or el.get("width")) for el in row]
    i = kinds.index(("mi", "log"))
    assert kinds[i - 1] == ("mspace", "0.1667em") and kinds[i + 1] == ("mspace", "0.1667em")
    j = kinds.index(("mi", "exp"))
    assert kinds[j - 1] == ("mspace", "0.1667em") and kinds[j + 1] == ("mo", "(")


def cell_styles(tex: str) -> list[list[dict[str, str]]]:
    table = first(tex, display=True).find(f".//{M}mtable")
    assert table is not None
    assert table.get("columnspacing") is None  # MathML Core ignores it; the cells carry it
    return [[dict(d.split(": ") for d in td.get("style", "").split("; ")) for td in tr] for tr in table]


def test_matrix_columns_are_a_quad_apart_and_touch_their_brackets() -> None:
    (row,) = cell_styles(r"\begin{pmatrix} 1 & 2 & 3 \end{pmatrix}")
    assert [(c["padding-left"], c["padding-right"]) for c in row] == [("0em", "0.5em"), ("0.5em", "0.5em"),
                                                                     ("0.5em", "0em")]
    assert {c["text-align"] for c in row} == {"center"}


def test_cases_columns_are_left_aligned() -> None:
    rows = cell_styles(r"y = \begin{cases} x & (x > 0) \\ 0 & (x \le 0) \end{cases}")
    assert [[c["text-align"] for c in row] for row in rows] == [["left", "left"], ["left", "left"]]
    assert rows[0][0]["padding-left"] == "0em" and rows[0][1]["padding-left"] == "0.5em"


def test_array_column_letters_become_alignment() -> None:
    (row,) = cell_styles(r"\begin{array}{lcr} a & b & c \end{array}")
    assert [c["text-align"] for c in row] == ["left", "center", "right"]


def test_aligned_is_converted_with_its_columns_aligned_at_the_ampersand() -> None:
    tex = r"\begin{aligned} y &= xW + b \\ L &= -\sum_k t_k \log y_k \end{aligned}"
    root = first(tex, display=True)
    rows = cell_styles(tex)
    assert [[c["text-align"] for c in row] for row in rows] == [["right", "left"], ["right", "left"]]
    # No space either side of the alignment point: the relation brings its own.
    assert rows[0][0]["padding-right"] == "0em" and rows[0][1]["padding-left"] == "0em"
    assert root.find(f"{M}semantics/{M}annotation").text == tex
    assert is_unary([mo for mo in root.iter(f"{M}mo") if mo.text == "−"][0])


def test_aligned_pairs_are_two_quads_apart() -> None:
    (row,) = cell_styles(r"\begin{aligned} a &= b & c &= d \end{aligned}")
    assert [c["padding-right"] for c in row] == ["0em", "1em", "0em", "0em"]
    assert [c["padding-left"] for c in row] == ["0em", "0em", "1em", "0em"]
