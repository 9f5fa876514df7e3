"""The figures of the built site, read from its HTML: what the chapter's drawings show and
what their text alternatives say. (How they look in a browser: tests/browser/.)"""
from __future__ import annotations

import html
import re

import pytest

from site_helpers import BuiltSite

pytestmark = pytest.mark.slow

PARTIAL = "∂"
ITALIC = {c: chr(0x1D44E + ord(c) - ord("a")) for c in "abcdefgijklmnopqrstuvwxyz"}  # math italic small
ITALIC_L = "\U0001d43f"  # 𝐿


def figure(site: BuiltSite, page: str, figure_id: str) -> str:
    text = site.html(page)
    match = re.search(rf'<figure class="bp-figure" id="{re.escape(figure_id)}">(.*?)</figure>', text, re.DOTALL)
    assert match, f"no figure {figure_id!r} on {page}"
    return match.group(1)


def label_texts(svg: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in re.findall(r"<text\b[^>]*>.*?</text>", svg, re.DOTALL)]


def group_text(svg: str, group_id: str) -> str:
    match = re.search(rf'<g id="{re.escape(group_id)}">(.*?)</g>', svg, re.DOTALL)
    assert match, group_id
    return " ".join(label_texts(match.group(1)))


def alt(svg: str) -> str:
    return html.unescape(re.search(r'<svg\b[^>]*\baria-label="([^"]*)"', svg).group(1))


def test_symbols_are_set_in_the_math_font_with_a_real_partial_sign(built_site: BuiltSite) -> None:
    svg = figure(built_site, "ch05/3-backward/", "mul-backward")
    symbols = re.findall(r'<text\b([^>]*)>([^<]*∂[^<]*)</text>', svg)
    assert symbols, "the mul node's figure shows ∂L/∂z"
    for attrs, text in symbols:
        assert "font-family=\"bp-math, 'DejaVu Math TeX Gyre', math\"" in attrs.replace("&#39;", "'"), attrs
        assert f"∂{ITALIC_L}/∂{ITALIC['z']}" in html.unescape(text)
    # The served math subset holds what the figures show (∂ and the italic letters).
    fonts_css = (built_site.site_dir / "assets" / "backprop" / "fonts.css").read_text(encoding="utf-8")
    assert '"bp-math"' in fonts_css


def test_relu_is_drawn_as_its_two_cases(built_site: BuiltSite) -> None:
    svg = figure(built_site, "ch05/5-activation-layers/", "relu-cases")
    # Two ReLU nodes: x = 3 passes the upstream gradient 1 on, x = -2 stops it at 0.
    assert label_texts(svg).count("ReLU") == 2
    prefix = "bp-relu-cases-"
    assert group_text(svg, f"{prefix}e0-value") == "3" and group_text(svg, f"{prefix}e0-grad") == "1"
    assert group_text(svg, f"{prefix}e2-value") == "-2" and group_text(svg, f"{prefix}e2-grad") == "0"
    assert group_text(svg, f"{prefix}e3-value") == "0" and group_text(svg, f"{prefix}e3-grad") == "1"
    text = alt(svg)
    assert "x (양수) 쪽으로 ∂L/∂y = 1" in text and "x (0 이하) 쪽으로 0" in text


def test_the_sigmoid_chain_writes_each_local_derivative_under_its_number(built_site: BuiltSite) -> None:
    svg = figure(built_site, "ch05/5-activation-layers/", "sigmoid-steps")
    L, y, x = ITALIC_L, ITALIC["y"], ITALIC["x"]
    texts = label_texts(svg)
    # −∂L/∂y·y² (the / node), unchanged through +1, ·exp(−x) at exp, ·(−1) at ×(−1):
    # the superscript 2 is its own raised text item.
    # into /, into +1 and into exp (which then multiplies by exp(−x)); each followed by ²
    assert texts.count(f"−∂{L}/∂{y}·{y}") == 3
    assert texts.count(f"·exp(−{x})") == 2  # into exp's input and into ×(−1)'s input
    assert f"∂{L}/∂{y}·{y}" in texts and f"∂{L}/∂{y}" in texts
    assert 'baseline-shift="super"' in svg
    # Each symbol sits above its number: the gradient value groups hold the numbers only.
    for i, number in enumerate(["0.196612", "-0.196612", "-0.534447", "-0.534447", "1"]):
        assert group_text(svg, f"bp-sigmoid-steps-e{i}-grad") == number
    assert "rankdir" not in svg  # (DOT never reaches the page)


def test_text_alternatives_name_edges_and_show_gradient_symbols_tooltips_stay_short(built_site: BuiltSite) -> None:
    affine = alt(figure(built_site, "ch05/6-affine-softmax/", "affine"))
    assert "X 쪽으로 ∂L/∂Y·Wᵀ = [6, 15]" in affine
    assert "dot 노드의 출력 쪽으로 [1, 1, 1]" in affine
    assert "[9, 12, 15] 쪽으로" not in affine  # not named by its value
    apple = alt(figure(built_site, "ch05/3-backward/", "apple-orange-backward"))
    assert "첫 번째 곱셈 노드의 출력 쪽으로 1.1" in apple and "덧셈 노드의 출력 쪽으로 1.1" in apple
    # Every figure's tooltip is one short sentence, not the whole alternative.
    for page in built_site.pages:
        for svg in re.findall(r"<svg\b.*?</svg>", built_site.html(page), re.DOTALL):
            if 'class="bp-svg' not in svg[:2000]:
                continue
            title = html.unescape(re.search(r"<title>([^<]*)</title>", svg).group(1))
            assert len(title) <= 61 and title in alt(svg), (page, title)


def node_y(svg: str, prefix: str) -> dict[str, list[float]]:
    """Each node's name (its first text) and the y of its texts or its circle, read from the SVG."""
    found: dict[str, list[float]] = {}
    for body in re.findall(rf'<g id="{re.escape(prefix)}n\d+" class="node">(.*?)</g>\s*(?=<!--|<g id)', svg, re.DOTALL):
        texts = label_texts(body)
        circle = re.search(r'<ellipse\b[^>]*\bcy="([-\d.]+)"', body)
        y = float(circle.group(1)) if circle else float(re.search(r'<text\b[^>]*\by="([-\d.]+)"', body).group(1))
        found.setdefault(texts[0] if texts else "", []).append(y)
    return found


def test_a_value_used_twice_is_drawn_between_its_two_nodes_with_its_summed_gradient(built_site: BuiltSite) -> None:
    svg = figure(built_site, "ch05/3-backward/", "branch")
    y = node_y(svg, "bp-branch-")
    (mine_op, friend_op) = sorted(y["×"])[:2]
    # SVG y grows downwards: 내 몫 개수 over the first ×, 사과 between the two ×, 친구 몫 개수 under
    # the second: no edge crosses another.
    assert y["내 몫 개수"][0] < mine_op < y["사과"][0] < friend_op < y["친구 몫 개수"][0], y
    # Under 사과, its gradient: what the two branches send back (1.1 × 2 and 1.1 × 3), added.
    apple = re.search(r'<g id="bp-branch-(n\d+)" class="node">(?:(?!</g>).)*?<text[^>]*>사과</text>', svg, re.DOTALL)
    assert group_text(svg, f"bp-branch-{apple.group(1)}-grad") == "5.5"
    grads = [group_text(svg, g) for g in re.findall(r'<g id="(bp-branch-e\d+-grad)">', svg)]
    assert "2.2" in grads and "3.3" in grads, grads
    assert "갈라진 값의 기울기 합: 사과 5.5." in alt(svg)
