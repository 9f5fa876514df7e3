"""The chapter's figures as traced graphs: every edge carries what the layers returned.

Complements test_graph.py: the full apple + orange backward (figure 07), the sigmoid
chain (figure 09), the Affine graph with shapes (figure 11) drawn with Dot + AddLayer,
literal constants, in-place changes after tracing, and the real ``dot`` binary.
"""
from __future__ import annotations

import re
import subprocess
from typing import Any

import numpy as np
import pytest

from layers import (
    AddConst,
    AddLayer,
    Dot,
    Exp,
    Graph,
    GraphError,
    MulLayer,
    Negate,
    Reciprocal,
    format_value,
)
from layers.graph import BACKWARD_COLOR, Edge


def render_svg(g: Graph) -> str:
    """The figure as the real Graphviz ``dot`` draws it."""
    done = subprocess.run(["dot", "-Tsvg"], input=g.to_dot().encode(), capture_output=True, check=True)
    return done.stdout.decode()


def svg_texts(svg: str) -> list[str]:
    """The text items of an SVG (what a reader sees), unescaped enough for numbers and Hangul."""
    return [t.replace("&#45;", "-").replace("&#160;", " ").strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def edge_from(g: Graph, src: Any) -> Edge:
    """The single edge leaving ``src`` (an input label or a layer)."""
    found = [e for e in g.edges if (e.src.label == src if isinstance(src, str) else e.src.layer is src)]
    assert len(found) == 1, f"{len(found)} edges leave {src!r}"
    return found[0]


# -- figure 07: apple + orange, full backward ----------------------------------------


def test_apple_orange_edges_are_the_layers_own_values() -> None:
    apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
    mul_apple_layer, mul_orange_layer = MulLayer(), MulLayer()
    add_apple_orange_layer, mul_tax_layer = AddLayer(), MulLayer()
    with Graph() as g:
        apple_price = mul_apple_layer.forward(g.input(apple, "사과"), g.input(apple_num, "사과 개수"))
        orange_price = mul_orange_layer.forward(g.input(orange, "귤"), g.input(orange_num, "귤 개수"))
        all_price = add_apple_orange_layer.forward(apple_price, orange_price)
        price = mul_tax_layer.forward(all_price, g.input(tax, "소비세"))
        g.output(price, "지불 금액")

    dprice = 1
    dall_price, dtax = mul_tax_layer.backward(dprice)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    dorange, dorange_num = mul_orange_layer.backward(dorange_price)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)

    out_edge = [e for e in g.edges if e.dst.kind == "output"][0]
    by_edge = {
        "사과": (edge_from(g, "사과"), None, dapple),
        "사과 개수": (edge_from(g, "사과 개수"), None, dapple_num),
        "귤": (edge_from(g, "귤"), None, dorange),
        "귤 개수": (edge_from(g, "귤 개수"), None, dorange_num),
        "소비세": (edge_from(g, "소비세"), None, dtax),
        "apple_price": (edge_from(g, mul_apple_layer), apple_price, dapple_price),
        "orange_price": (edge_from(g, mul_orange_layer), orange_price, dorange_price),
        "all_price": (edge_from(g, add_apple_orange_layer), all_price, dall_price),
        "price": (out_edge, price, dprice),
    }
    for name, (edge, value, grad) in by_edge.items():
        if value is not None:
            assert edge.value is value, name  # the very object the layer returned
        assert edge.grad is grad, name  # the very object backward returned

    # CHAPTER.md figure 07, by hand: value [gradient].
    hand = {
        "사과": (100, 2.2), "사과 개수": (2, 110), "귤": (150, 3.3), "귤 개수": (3, 165),
        "소비세": (1.1, 650), "apple_price": (200, 1.1), "orange_price": (450, 1.1),
        "all_price": (650, 1.1), "price": (715, 1),
    }
    for name, (value, grad) in hand.items():
        edge = by_edge[name][0]
        assert edge.value == pytest.approx(value) and edge.grad == pytest.approx(grad), name

    dot = g.to_dot()
    assert "3.3000000000000003" not in dot and "<b>3.3</b>" in dot
    texts = svg_texts(render_svg(g))
    for shown in ("715", "650", "450", "200", "1.1", "2.2", "110", "3.3", "165", "사과", "지불 금액"):
        assert shown in texts, shown
    assert not any("0000000" in t for t in texts)


def test_forward_only_figure_has_no_backward_row() -> None:
    mul = MulLayer()
    with Graph() as g:
        g.output(mul.forward(g.input(100, "사과"), g.input(2, "사과 개수")), "금액")
    assert all(e.grad is None for e in g.edges)
    assert BACKWARD_COLOR not in g.to_dot()
    svg = render_svg(g)
    assert BACKWARD_COLOR not in svg and "200" in svg_texts(svg)


# -- figure 09: the sigmoid chain ---------------------------------------------------


def test_sigmoid_chain_figure_shows_the_chapter_numbers() -> None:
    negate, exp, add_one, reciprocal = Negate(), Exp(), AddConst(1), Reciprocal()
    with Graph() as g:
        a = negate.forward(g.input(1.0, "x"))
        b = exp.forward(a)
        c = add_one.forward(b)
        y = reciprocal.forward(c)
        g.output(y, "y")
    dc = reciprocal.backward(1)
    db = add_one.backward(dc)
    da = exp.backward(db)
    dx = negate.backward(da)

    edges = [edge_from(g, "x"), edge_from(g, negate), edge_from(g, exp), edge_from(g, add_one), edge_from(g, reciprocal)]
    assert [e.value for e in edges[1:]] == [a, b, c, y]
    assert [e.grad for e in edges[:4]] == [dx, da, db, dc]
    assert [e.value for e in edges] == pytest.approx([1, -1, 0.367879, 1.367879, 0.731059], abs=5e-7)
    assert [e.grad for e in edges] == pytest.approx([0.196612, -0.196612, -0.534447, -0.534447, 1], abs=5e-7)

    texts = svg_texts(render_svg(g))
    for shown in ("-1", "0.367879", "0.731059", "0.196612", "-0.196612", "-0.534447", "exp", "/", "+1", "×(−1)"):
        assert shown in texts, shown


# -- figure 11: Affine with shapes (dot + add) ----------------------------------------------


def test_affine_figure_with_dot_and_add_shows_shapes_and_values() -> None:
    X = np.array([1.0, 2.0])
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    B = np.array([0.1, 0.2, 0.3])
    dot_layer, add_layer = Dot(), AddLayer()
    with Graph() as g:
        XW = dot_layer.forward(g.input(X, "X"), g.input(W, "W"))
        Y = add_layer.forward(XW, g.input(B, "B"))
        g.output(Y, "Y")
    dXW, dB = add_layer.backward(np.ones(3))
    dX, dW = dot_layer.backward(dXW)

    assert edge_from(g, "X").value is X and edge_from(g, "W").value is W
    assert edge_from(g, dot_layer).value is XW and edge_from(g, add_layer).value is Y
    assert edge_from(g, "X").grad is dX and edge_from(g, "W").grad is dW and edge_from(g, "B").grad is dB
    # CHAPTER.md: Y = [9.1, 12.2, 15.3]; ∂L/∂X = [6, 15], ∂L/∂W = [[1, 1, 1], [2, 2, 2]], ∂L/∂B = [1, 1, 1].
    np.testing.assert_allclose(Y, [9.1, 12.2, 15.3], rtol=1e-15)
    np.testing.assert_array_equal(dX, [6, 15])
    np.testing.assert_array_equal(dW, [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(dB, [1, 1, 1])

    texts = svg_texts(render_svg(g))
    for shown in ("(2,)", "(2, 3)", "(3,)", "[1, 2]", "[[1, 2, 3], [4, 5, 6]]", "[0.1, 0.2, 0.3]",
                  "[9.1, 12.2, 15.3]", "[6, 15]", "[[1, 1, 1], [2, 2, 2]]", "[1, 1, 1]", "dot"):
        assert shown in texts, shown


# -- identity, constants, tracing scope -----------------------------------------------


def test_two_literal_constants_stay_two_constants() -> None:
    # Both 2s are the same cached int object; they are still two separate constants.
    double_x, double_y = MulLayer(), MulLayer()
    with Graph() as g:
        double_x.forward(g.input(3, "x"), 2)
        double_y.forward(g.input(5, "y"), 2)
    consts = [e for e in g.edges if e.src.kind == "const"]
    assert len(consts) == 2 and consts[0].src is not consts[1].src
    assert {consts[0].dst.layer, consts[1].dst.layer} == {double_x, double_y}


def test_a_shared_array_constant_is_one_node() -> None:
    W = np.eye(2)
    first, second = Dot(), Dot()
    with Graph() as g:
        first.forward(g.input(np.ones(2), "a"), W)
        second.forward(g.input(np.zeros(2), "b"), W)
    consts = [e for e in g.edges if e.src.kind == "const"]
    assert len(consts) == 2 and consts[0].src is consts[1].src


def test_product_equal_to_a_later_input_links_to_its_producer() -> None:
    # 100 * 2 is the cached int 200, the same object as a later literal 200 input.
    mul, add = MulLayer(), AddLayer()
    with Graph() as g:
        product = mul.forward(g.input(100, "a"), g.input(2, "b"))
        total = add.forward(g.input(200, "c"), product)
        g.output(total, "합")
    into_add = sorted((e for e in g.edges if e.dst.layer is add), key=lambda e: e.arg_index)
    assert into_add[0].src.label == "c"
    assert into_add[1].src.layer is mul and into_add[1].value is product


def test_nothing_is_recorded_outside_with() -> None:
    mul = MulLayer()
    with Graph() as g:
        mul.forward(g.input(3, "x"), g.input(4, "y"))
    nodes, edges = list(g.nodes), list(g.edges)
    other = MulLayer()
    other.forward(7, 8)
    other.backward(1)
    mul.forward(5, 6)  # the traced layer again, now untraced
    mul.backward(1)
    assert g.nodes == nodes and g.edges == edges
    assert all(e.grad is None for e in g.edges)  # the later backward did not reach g


def test_output_of_an_untraced_value_is_refused() -> None:
    outside = MulLayer().forward(3.0, 4.0)
    with Graph() as g:
        with pytest.raises(GraphError, match="not produced by a layer traced in this graph"):
            g.output(outside, "z")
        named = g.input(5.0, "x")
        with pytest.raises(GraphError):
            g.output(named, "x again")  # an input is not a layer's output


def test_an_array_changed_in_place_to_nan_refuses_to_draw() -> None:
    # Edges hold the arrays themselves; an in-place update after tracing reaches them.
    x = np.array([1.0, 2.0])
    W = np.ones((2, 2))
    dot_layer = Dot()
    with Graph() as g:
        g.output(dot_layer.forward(g.input(x, "x"), g.input(W, "W")), "y")
    W[0, 0] = np.nan
    with pytest.raises(GraphError, match=r"non-finite forward value") as info:
        g.to_digraph()
    assert "nan" in str(info.value) and "'W'" in str(info.value)
