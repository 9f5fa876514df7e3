"""figure_source: what a figure block's last value may be."""
from __future__ import annotations

import graphviz
import pytest

from mkdocs_backprop.figure_source import FigureError, figure_source


def test_digraph_gives_its_dot_source(apple: graphviz.Digraph) -> None:
    source = figure_source(apple)
    assert (source.kind, source.text, source.alt) == ("dot", apple.source, "")


def test_undirected_graph_and_dot_string_are_drawn_as_given() -> None:
    g = graphviz.Graph()
    g.edge("a", "b")
    assert figure_source(g).text == g.source
    dot = "// hand-written\nstrict digraph { a -> b }"
    assert figure_source(dot).text == dot


class _TracedGraph:
    """The duck type of layers.graph: a Digraph and its own description."""

    def __init__(self, digraph: graphviz.Digraph) -> None:
        self._digraph = digraph

    def to_digraph(self) -> graphviz.Digraph:
        return self._digraph

    def describe(self) -> str:
        return "사과 100원 2개에 소비세 1.1을 곱해 220원."


def test_graph_object_gives_dot_and_its_description(apple: graphviz.Digraph) -> None:
    source = figure_source(_TracedGraph(apple))
    assert source.kind == "dot"
    assert source.text == apple.source
    assert source.alt == "사과 100원 2개에 소비세 1.1을 곱해 220원."


def test_real_layers_graph_is_accepted() -> None:
    graph = pytest.importorskip("layers.graph")
    assert graph.FONT_NAME == "NanumGothic"  # the family check_font() looks for
    # Whatever the builder API, any Graph instance exposes the duck type used here.
    assert callable(getattr(graph.Graph, "to_digraph", None))
    assert callable(getattr(graph.Graph, "describe", None))


class _Chart:
    def _repr_svg_(self) -> str:
        return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>가</text></svg>'

    def describe(self) -> str:
        return "차트 설명"


def test_object_with_repr_svg_gives_svg_and_describe() -> None:
    source = figure_source(_Chart())
    assert source.kind == "svg" and source.text.startswith("<svg") and source.alt == "차트 설명"


def test_undrawable_value_names_its_type_and_what_is_accepted() -> None:
    with pytest.raises(FigureError) as info:
        figure_source(42)
    message = str(info.value)
    assert "int" in message
    for accepted in ("to_digraph() and describe()", "graphviz.Digraph", "DOT string", "_repr_svg_"):
        assert accepted in message


def test_none_hints_at_a_call_that_returns_nothing() -> None:
    with pytest.raises(FigureError, match="evaluated to None"):
        figure_source(None)


def test_string_that_is_not_dot_is_refused() -> None:
    with pytest.raises(FigureError, match="must be DOT source"):
        figure_source("사과 가격은 100원")


def test_to_digraph_returning_something_else_is_refused() -> None:
    class Broken(_TracedGraph):
        def to_digraph(self):  # type: ignore[override]
            return "digraph {}"

    with pytest.raises(FigureError, match="not a graphviz.Digraph"):
        figure_source(Broken(graphviz.Digraph()))
