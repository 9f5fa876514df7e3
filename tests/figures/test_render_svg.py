"""render_svg with the real `dot`: markup readers and browsers get."""
from __future__ import annotations

import re

import graphviz
import pytest

from mkdocs_backprop.figure_source import FigureError, FigureSource, figure_source
from mkdocs_backprop.figure_svg import render_svg, short_title
from figure_helpers import SVG, XLINK_HREF, parse, texts


def render(obj: object, prefix: str = "fig1-", alt: str = "사과 그림") -> str:
    return render_svg(figure_source(obj), id_prefix=prefix, alt=alt)


def test_labels_stay_text_with_the_values(apple: graphviz.Digraph) -> None:
    root = parse(render(apple))
    labels = texts(root)
    # Selectable, searchable text: the values and Korean labels are <text>, not glyph paths.
    for expected in ["사과", "사과 개수", "소비세", "지불 금액", "100", "2", "200", "1.1", "220", "2.2", "110", "1"]:
        assert expected in labels


def test_output_is_bare_svg_without_prolog_doctype_or_comments(apple: graphviz.Digraph) -> None:
    svg = render(apple)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    # Raw HTML inside Markdown ends at a blank line.
    assert "\n\n" not in svg


def test_two_figures_on_a_page_have_disjoint_prefixed_ids(apple: graphviz.Digraph) -> None:
    first = parse(render(apple, prefix="fig-a-"))
    second = parse(render(apple, prefix="fig-b-"))
    ids_a = {el.get("id") for el in first.iter() if el.get("id")}
    ids_b = {el.get("id") for el in second.iter() if el.get("id")}
    assert ids_a and ids_b
    assert ids_a.isdisjoint(ids_b)
    assert all(i.startswith("fig-a-") for i in ids_a)
    assert all(i.startswith("fig-b-") for i in ids_b)


def test_references_into_the_svg_are_prefixed_and_page_links_are_not() -> None:
    g = graphviz.Digraph(node_attr={"fontname": "NanumGothic"})
    # A two-colour fill makes dot emit a <linearGradient id> used via url(#…).
    g.node("a", "가", style="filled", fillcolor="white:black", id="apple")
    g.node("b", "나", URL="#apple")            # points at an id inside the SVG
    g.node("c", "다", URL="#section-5-3")      # points at a heading of the page
    g.edge("a", "b")
    g.edge("b", "c")
    root = parse(render(g, prefix="p7-"))
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    fills = [el.get("fill") or el.get("style") or "" for el in root.iter()]
    gradient_refs = [m for f in fills for m in re.findall(r"url\(#([^)]+)\)", f)]
    assert gradient_refs, "dot should have drawn a gradient fill"
    assert all(ref.startswith("p7-") and ref in ids for ref in gradient_refs)
    hrefs = [el.get(XLINK_HREF) for el in root.iter() if el.get(XLINK_HREF)]
    assert "#p7-apple" in hrefs
    assert "#section-5-3" in hrefs


def test_root_is_an_image_with_the_text_alternative(apple: graphviz.Digraph) -> None:
    root = parse(render(apple, alt="사과 2개에 소비세를 붙인 계산 그래프"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "사과 2개에 소비세를 붙인 계산 그래프"
    first = root[0]
    assert first.tag == f"{SVG}title"
    assert first.text == "사과 2개에 소비세를 붙인 계산 그래프"  # one sentence: all of it
    # dot's own titles ("apple->mul1", "%3") would show up as tooltips.
    assert len(list(root.iter(f"{SVG}title"))) == 1


def test_the_tooltip_is_the_first_sentence_the_label_the_whole_alternative() -> None:
    # A long alternative as the <title> pops up as a wall of text on hover.
    long_alt = "계산 그래프. 입력: 사과 100, 사과 개수 2, 소비세 1.1. 순전파: 사과 100 × 사과 개수 2 = 200."
    source = FigureSource("dot", 'digraph { a [label="가"] }', long_alt)
    root = parse(render_svg(source, id_prefix="f-", alt=""))
    assert root.get("aria-label") == long_alt
    assert root[0].text == "계산 그래프"
    assert short_title("한 문장인데 아주 긴 설명 " * 10).endswith("…")
    assert len(short_title("한 문장인데 아주 긴 설명 " * 10)) <= 61


def test_links_to_nowhere_become_groups_that_keep_the_cells_id() -> None:
    # Graphviz writes a label cell's id only through a link (href="#"); the figure must
    # not gain tab stops or announce links, but scripts still find the cell by id.
    dot = ('digraph { a [shape=plain label=<<table border="0"><tr><td href="#" id="e0-value">100</td></tr>'
           '<tr><td href="#" id="e0-grad"><b>2.2</b></td></tr></table>> id="e0"] }')
    root = parse(render_svg(FigureSource("dot", dot, "그림"), id_prefix="fig-", alt=""))
    assert not list(root.iter(f"{SVG}a"))
    value = [el for el in root.iter(f"{SVG}g") if el.get("id") == "fig-e0-value"]
    grad = [el for el in root.iter(f"{SVG}g") if el.get("id") == "fig-e0-grad"]
    assert len(value) == len(grad) == 1
    assert texts(value[0]) == ["100"] and texts(grad[0]) == ["2.2"]
    assert not any((el.get("id") or "").startswith("fig-a_") for el in root.iter())


def test_a_real_link_in_a_figure_stays_a_link() -> None:
    # Only a link to "#" alone (nowhere) is unwrapped; one to a place on the page stays.
    dot = 'digraph { a [label="문서" href="#top"] }'
    root = parse(render_svg(FigureSource("dot", dot, "그림"), id_prefix="fig-", alt=""))
    (link,) = root.iter(f"{SVG}a")
    assert link.get(XLINK_HREF) == "#top"


def test_symbols_in_the_math_font_are_served_as_the_math_subset() -> None:
    dot = 'digraph { a [shape=plain label=<<font face="DejaVu Math TeX Gyre">∂𝐿/∂𝑧</font> 가>] }'
    root = parse(render_svg(FigureSource("dot", dot, "그림"), id_prefix="f-", alt=""))
    families = {"".join(t.itertext()).strip(): t.get("font-family") for t in root.iter(f"{SVG}text")}
    assert families["∂𝐿/∂𝑧"] == "bp-math, 'DejaVu Math TeX Gyre', math"
    assert families["가"].startswith("bp-figure-sans")


def test_letters_beyond_the_bmp_are_character_references() -> None:
    # The same letters in the drawing, but a page holding the markup stays two bytes a
    # character in Python (one 𝐿 would make it four, through the rest of the build).
    dot = 'digraph { a [shape=plain label=<<font face="DejaVu Math TeX Gyre">∂𝐿/∂𝑧</font>>] }'
    markup = render_svg(FigureSource("dot", dot, "그림"), id_prefix="f-", alt="∂𝐿/∂𝑧 그림")
    assert max(markup) <= "\uffff"
    assert "&#x1D43F;" in markup
    root = parse(markup)
    assert ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")] == ["∂𝐿/∂𝑧"]
    assert root.get("aria-label") == "∂𝐿/∂𝑧 그림"


def test_min_width_keeps_the_smallest_label_at_8_px() -> None:
    # 10 pt labels are 13.3 px at natural size: the figure may shrink to 8/13.3 of it.
    dot = 'digraph { a [label="가" fontsize=10]; b [label="나" fontsize=20]; a -> b }'
    root = parse(render_svg(FigureSource("dot", dot, "그림"), id_prefix="f-", alt=""))
    width = float(root.get("width").removesuffix("pt"))
    min_width = float(re.search(r"min-width: ([\d.]+)pt", root.get("style")).group(1))
    assert min_width == pytest.approx(width * 8 / (10 * 4 / 3), abs=0.06)


def test_a_figure_that_must_scroll_gets_the_width_that_keeps_its_smallest_label_at_11_px() -> None:
    # figures.js uses it in place of min-width when even min-width overflows the column.
    dot = 'digraph { a [label="가" fontsize=10]; b [label="나" fontsize=20]; a -> b }'
    root = parse(render_svg(FigureSource("dot", dot, "그림"), id_prefix="f-", alt=""))
    width = float(root.get("width").removesuffix("pt"))
    scroll_width = float(root.get("data-bp-scroll-width").removesuffix("pt"))
    assert scroll_width == pytest.approx(width * 11 / (10 * 4 / 3), abs=0.06)
    # Never more than the natural size: 7 pt labels are 9.3 px at natural size.
    dot = 'digraph { a [label="가" fontsize=7]; b [label="나" fontsize=20]; a -> b }'
    root = parse(render_svg(FigureSource("dot", dot, "그림"), id_prefix="f-", alt=""))
    assert float(root.get("data-bp-scroll-width").removesuffix("pt")) == float(root.get("width").removesuffix("pt"))
    # Labels of 8 px at natural size: min-width is the natural size already, nothing to give.
    dot = 'digraph { a [label="가" fontsize=6]; b [label="나" fontsize=20]; a -> b }'
    root = parse(render_svg(FigureSource("dot", dot, "그림"), id_prefix="f-", alt=""))
    assert root.get("data-bp-scroll-width") is None


def test_alt_argument_overrides_the_generated_text_alternative() -> None:
    source = FigureSource("dot", 'digraph { a [label="가" fontname="NanumGothic"] }', "생성된 설명")
    assert parse(render_svg(source, id_prefix="f-", alt=""))[0].text == "생성된 설명"
    assert parse(render_svg(source, id_prefix="f-", alt="작가의 설명"))[0].text == "작가의 설명"


def test_figure_without_any_text_alternative_is_an_error() -> None:
    with pytest.raises(FigureError, match='alt="'):
        render_svg(FigureSource("dot", "digraph { a }", ""), id_prefix="f-", alt="  ")


def test_scales_down_responsively_with_natural_size_as_upper_bound(apple: graphviz.Digraph) -> None:
    root = parse(render(apple))
    assert re.fullmatch(r"[\d.]+ [\d.]+ [\d.]+ [\d.]+", root.get("viewBox", ""))
    assert root.get("width", "").endswith("pt") and root.get("height", "").endswith("pt")
    style = root.get("style", "")
    assert "max-width: 100%" in style and "height: auto" in style


def test_invalid_dot_quotes_dots_message_and_the_line() -> None:
    bad = 'digraph {\n  a -> b\n  c -> -> d\n}\n'
    with pytest.raises(FigureError) as info:
        render_svg(FigureSource("dot", bad, ""), id_prefix="f-", alt="그림")
    message = str(info.value)
    assert "syntax error in line 3" in message
    assert "c -> -> d" in message


def test_dot_warning_is_an_error_too() -> None:
    with pytest.raises(FigureError, match="unknown shape"):
        render_svg(FigureSource("dot", "digraph { a [shape=trapezium_typo] }", ""), id_prefix="f-", alt="그림")


def test_missing_dot_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path, apple) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a real PATH on which there is no dot
    with pytest.raises(FigureError, match=r"apt-get install graphviz"):
        render(apple)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "Infinity"])
def test_non_finite_value_on_an_edge_is_an_error(value: str) -> None:
    g = graphviz.Digraph(node_attr={"fontname": "NanumGothic"})
    g.edge("x", "y", label=f"{value}")
    with pytest.raises(FigureError, match="non-finite"):
        render(g)


def test_words_containing_nan_or_inf_are_not_mistaken_for_values() -> None:
    g = graphviz.Digraph(node_attr={"fontname": "NanumGothic"})
    g.edge("information", "finance", label="nano")
    assert "information" in texts(parse(render(g)))


def test_colours_follow_the_palette_through_css_variables(apple: graphviz.Digraph) -> None:
    svg = render(apple)
    root = parse(svg)
    # No hard black/white left: strokes, arrowheads and the background use variables.
    assert not re.search(r'(fill|stroke)="(black|white|#000000|#ffffff)"', svg)
    assert "var(--bp-fg, black)" in svg
    assert "var(--bp-bg, white)" in svg
    # Text dot leaves unfilled would be black on the dark palette.
    plain = [t for t in root.iter(f"{SVG}text") if t.get("fill") is None]
    assert len(plain) >= 10
    assert all("fill: var(--bp-fg, #000)" in (t.get("style") or "") for t in plain)
    # Labels name the served subset first, then the installed family.
    families = {t.get("font-family") for t in root.iter(f"{SVG}text")}
    assert families == {"bp-figure-sans, NanumGothic, sans-serif"}


def test_graph_backward_colour_becomes_the_backward_variable() -> None:
    layers = pytest.importorskip("layers")
    mul_apple, mul_tax = layers.MulLayer(), layers.MulLayer()
    with layers.Graph() as g:
        price = mul_tax.forward(mul_apple.forward(g.input(100, "사과"), g.input(2, "개수")), g.input(1.1, "소비세"))
        g.output(price, "지불 금액")
    mul_apple.backward(mul_tax.backward(1)[0])
    # The style travels with the drawable (Graph.figure_style()); the plugin imports no library for it.
    source = figure_source(g)
    backward = dict(source.colors)["backward"]
    svg = render_svg(source, id_prefix="g-", alt="")
    assert f"var(--bp-backward, {backward})" in svg
    assert f'fill="{backward}"' not in svg and f'stroke="{backward}"' not in svg


def test_a_graphs_labels_reach_the_page_as_the_text_written() -> None:
    # "<x>" once made an HTML-like DOT label (a syntax error); "\\N" drew the node's id.
    layers = pytest.importorskip("layers")
    mul = layers.MulLayer()
    with layers.Graph() as g:
        g.output(mul.forward(g.input(2, "<x>"), g.input(3, "a&amp;b \\N")), '"<y>"')
    mul.backward(1)
    source = figure_source(g)
    root = parse(render_svg(source, id_prefix="g-", alt=""))
    shown = texts(root)
    assert {"<x>", "a&amp;b \\N", '"<y>"'} <= set(shown), shown
    assert "<x>" in root.get("aria-label") and '"<y>"' in root.get("aria-label")


def test_a_colour_only_counts_as_a_role_when_the_drawable_says_so() -> None:
    from figure_helpers import apple_digraph

    # Hand-written DOT in the same red says nothing about gradients: it keeps its colour.
    svg = render(apple_digraph(backward_color="#c62828"))
    assert "--bp-backward" not in svg and "#c62828" in svg
    styled = FigureSource("dot", apple_digraph(backward_color="#c62828").source, "", (("backward", "#c62828"),))
    assert "var(--bp-backward, #c62828)" in render_svg(styled, id_prefix="s-", alt="사과")


class _Styled:
    def __init__(self, style: object) -> None:
        self.style = style

    def to_digraph(self) -> graphviz.Digraph:
        return graphviz.Digraph()

    def describe(self) -> str:
        return "빈 그래프"

    def figure_style(self) -> object:
        return self.style


@pytest.mark.parametrize("style", [["#000"], {"colors": {"Forward!": "#000000"}}, {"colors": {"x": "url(#a)"}},
                                   {"colors": [], "font": 3}])
def test_a_bad_figure_style_is_an_error_naming_the_shape(style: object) -> None:
    with pytest.raises(FigureError, match=r"figure_style\(\) must return"):
        figure_source(_Styled(style))


def test_chart_svg_gets_the_same_treatment() -> None:
    plot = pytest.importorskip("layers.plot")
    chart = plot.LineChart(x=[1, 2, 3], series={"훈련": [0.5, 0.7, 0.9]}, x_label="에폭", y_label="정확도")
    source = figure_source(chart)
    assert source.kind == "svg" and source.alt == chart.describe()
    root = parse(render_svg(source, id_prefix="c-", alt=""))
    assert root.get("role") == "img" and root.get("aria-label") == chart.describe()
    assert len(list(root.iter(f"{SVG}title"))) == 1
    assert "bp-chart" in root.get("class", "") and "bp-svg" in root.get("class", "")


def test_hand_written_dot_without_a_font_gets_the_hangul_font() -> None:
    root = parse(render('digraph { a -> b [label="순전파"] }'))
    families = {t.get("font-family") for t in root.iter(f"{SVG}text")}
    assert families == {"bp-figure-sans, NanumGothic, sans-serif"}
