"""Matrix row 1, unit level — the SVG/MathML allow-list.

Attacks are removed (and reported); real drawings (Graphviz, the textbook's
charts, converted formulas) pass through untouched.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mkdocs_backprop.sanitize import clean_mathml, clean_style, clean_svg, safe_href
from mkdocs_backprop.xml_markup import to_markup

SVG = "http://www.w3.org/2000/svg"
HEAD = f'<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'


def _clean(inner: str, attrs: str = "") -> tuple[str, list[str]]:
    root = ET.fromstring(HEAD.replace(">", f"{attrs}>", 1) + inner + "</svg>")
    removed = clean_svg(root)
    return to_markup(root, SVG), removed


ATTACKS = {
    "script": ("<script>alert(1)</script>", "<script"),
    "script in a group": ("<g><rect/><script>alert(1)</script></g>", "<script"),
    "handler": ('<rect onclick="alert(1)"/>', "onclick"),
    "upper-case handler": ('<rect ONLOAD="alert(1)"/>', "alert"),
    "javascript link": ('<a href="javascript:alert(1)"><text>x</text></a>', "javascript"),
    "hidden javascript link": ('<a xlink:href=" java&#x0A;script:alert(1)"><text>x</text></a>', "script:"),
    "data link": ('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><text>x</text></a>', "data:"),
    "external link": ('<a href="https://example.com/"><text>x</text></a>', "example.com"),
    "protocol-relative link": ('<a href="//example.com/"><text>x</text></a>', "example.com"),
    "set href": ('<a href="#a"><set attributeName="href" to="javascript:alert(1)"/></a>', "javascript"),
    "animate href": ('<a><animate attributeName="xlink:href" values="javascript:alert(1)"/></a>', "javascript"),
    "animate other": ('<rect><animateTransform attributeName="transform" type="rotate"/></rect>', "animate"),
    "external image": ('<image href="http://example.com/x.png"/>', "example.com"),
    "svg as image": ('<image href="data:image/svg+xml;base64,PHN2Zz4="/>', "svg+xml"),
    "external use": ('<use xlink:href="http://example.com/s.svg#i"/>', "example.com"),
    "foreignObject": ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>',
                      "foreignObject"),
    "style element": ("<style>@import url(http://example.com/x.css);</style>", "example.com"),
    "external paint": ('<rect fill="url(http://example.com/p.svg#g)"/>', "example.com"),
    "external style url": ('<rect style="fill: url(https://example.com/g.svg#g)"/>', "example.com"),
    "escaped style": ('<rect style="fill: u\\72l(https://example.com/g)"/>', "example.com"),
    "fixed position": ('<g style="position: fixed; top: 0"/>', "position"),
    "xml:base": ('<a xml:base="javascript:alert(1)//" href="x"><text>x</text></a>', "javascript"),
    "other namespace": ('<x:thing xmlns:x="urn:x"/><rect xmlns:x="urn:x" x:onclick="alert(1)"/>', "urn:x"),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attacks_are_removed_and_reported(name: str) -> None:
    inner, trace = ATTACKS[name]
    markup, removed = _clean(inner)
    assert trace.lower() not in markup.lower()
    assert removed


def test_removing_an_element_keeps_the_text_after_it() -> None:
    markup, _ = _clean('<text>a<tspan>b</tspan>c<script>alert(1)</script>d</text>')
    assert "<text>a<tspan>b</tspan>cd</text>" in markup


def test_a_root_class_from_outside_is_removed_but_ours_stays() -> None:
    markup, removed = _clean("<rect/>", attrs=' class="md-header bp-chart" onload="alert(1)"')
    assert 'class="bp-chart"' in markup and "md-header" not in markup and "onload" not in markup
    assert len(removed) == 2


@pytest.mark.parametrize("href,element,ok", [
    ("#node1", "use", True), ("#grad", "linearGradient", True), ("other.html#x", "a", True),
    ("../ch05/", "a", True), ("https://example.com", "a", False), ("mailto:a@b", "a", False),
    ("JaVaScRiPt:alert(1)", "a", False), ("\tjavascript:alert(1)", "a", False),
    ("other.svg#x", "use", False), ("data:image/png;base64,iVBORw0KGgo=", "image", True),
    ("data:image/png;base64,iVBORw0KGgo=", "a", False), ("", "a", False),
])
def test_safe_href(href: str, element: str, ok: bool) -> None:
    assert safe_href(href, element) is ok


def test_styles_keep_what_a_drawing_uses() -> None:
    style, dropped = clean_style("fill: var(--bp-fg, #000); stroke: url(#g); position: absolute; font-size: 14px")
    assert style == "fill: var(--bp-fg, #000); stroke: url(#g); font-size: 14px"
    assert dropped == ["style 'position: absolute'"]


def test_graphviz_output_passes_untouched() -> None:
    import subprocess

    dot = ('digraph { rankdir=LR; node [shape=box style="rounded,filled" fillcolor="#eeeeff"]; '
           'a [label="x = 2"]; b [label=<<b>y</b>>]; a -> b [label="∂L/∂y" color="#c0392b"]; '
           'b -> c [arrowhead=vee style=dashed]; subgraph cluster_0 { label="층"; c } }')
    svg = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=True).stdout.decode()
    root = ET.fromstring(svg)
    before = to_markup(root, SVG)
    assert clean_svg(root) == []
    assert to_markup(root, SVG) == before


def test_the_textbooks_chart_passes_untouched() -> None:
    from layers.plot import LineChart

    chart = LineChart([0, 1, 2, 3], {"손실": [3.0, 2.0, 1.5, 1.2], "정확도": [0.1, 0.5, 0.7, 0.8]},
                      x_label="에폭", y_label="값")
    root = ET.fromstring(chart._repr_svg_())
    before = to_markup(root, SVG)
    assert clean_svg(root) == []
    assert to_markup(root, SVG) == before


MATHML = "http://www.w3.org/1998/Math/MathML"


def test_a_formula_link_loses_the_link_and_keeps_the_text() -> None:
    root = ET.fromstring(f'<math xmlns="{MATHML}"><mrow href="javascript:alert(1)"><mi>x</mi></mrow>'
                         '<maction actiontype="statusline"><mi>y</mi><mtext>z</mtext></maction></math>')
    removed = clean_mathml(root)
    markup = to_markup(root, MATHML)
    assert "href" not in markup and "maction" not in markup and "<mi>x</mi>" in markup
    assert len(removed) == 2


@pytest.mark.parametrize("tex", [
    r"\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} \cdot y(1 - y)",
    r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} \mathbf{W}^\top", r"\sqrt[3]{x}\,\overline{y}\quad\text{손실}",
    r"\begin{align*} a &= b \\ c &= d \end{align*}", r"\sum_{i=1}^{n} x_i \mathrm{T}\mathbf{W}",
    r"\color{red}{x} \boxed{y} \operatorname{relu}(x)",
])
def test_converted_formulas_pass_untouched(tex: str) -> None:
    from mkdocs_backprop.mathml import to_mathml

    root = ET.fromstring(to_mathml(tex, display=True))
    before = to_markup(root, MATHML)
    assert clean_mathml(root) == []
    assert to_markup(root, MATHML) == before


def test_a_value_that_reaches_a_tag_is_kept_only_where_it_stays_text() -> None:
    # Assembly refuses values written in tags and addresses (with their line); whatever
    # reaches one by another way is left out, except where escaped text is still text.
    import html

    from mkdocs_backprop.placeholders import Placeholders

    placeholders = Placeholders()
    token = placeholders.new("i")
    placeholders.html[token] = html.escape("javascript:alert(1)")
    placeholders.reading[token] = "javascript:alert(1)"  # the value as text, as assembly keeps it
    page = (f'<p><a href="{token}">a</a> <a href=\'{token}\'>b</a> <img src={token}> <b onclick="{token}">c</b>'
            f'<i style="{token}">d</i></p><h2 id="{token}">{token}<a href="#{token}">¶</a></h2>'
            f'<img alt="{token}" title=\'{token}\'>')
    filled = placeholders.fill(page)
    assert filled == (
        '<p><a href="">a</a> <a href=\'\'>b</a> <img src=> <b onclick="">c</b><i style="">d</i></p>'
        '<h2 id="javascript:alert(1)">javascript:alert(1)<a href="#javascript:alert(1)">¶</a></h2>'
        '<img alt="javascript:alert(1)" title=\'javascript:alert(1)\'>')
