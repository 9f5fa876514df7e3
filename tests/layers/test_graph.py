"""Graphs traced from real layer calls: the numbers on the edges are the layers' own.

The chapter's figures (01/03 apple, 07 apple + orange, 09 the sigmoid chain, 11 Affine
with shapes) are traced here from the book's own scripts; expected numbers are written
by hand from CHAPTER.md. Also: the DOT source and what the real ``dot`` binary draws
from it, the Korean text alternative, constants and identity, and what refuses to draw.
"""
from __future__ import annotations

import re
import subprocess
from typing import Any, Callable

import numpy as np
import pytest

from layers import (
    AddConst,
    AddLayer,
    Affine,
    Dot,
    Exp,
    Graph,
    GraphError,
    MulLayer,
    Negate,
    Reciprocal,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    Square,
    format_value,
)
from layers.graph import BACKWARD_COLOR, FONT_NAME, FORWARD_COLOR, Edge, Node


def render_svg(g: Graph) -> str:
    """The figure as the real Graphviz ``dot`` draws it."""
    done = subprocess.run(["dot", "-Tsvg"], input=g.to_dot().encode(), capture_output=True, check=True)
    return done.stdout.decode()


def svg_texts(svg: str) -> list[str]:
    """The text items of an SVG (what a reader sees), unescaped enough for numbers and Hangul."""
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return [t.replace("&#45;", "-").replace("&#160;", " ").strip() for t in texts]


def edge(g: Graph, src: Any, dst: Any = None) -> Edge:
    """The one edge leaving ``src`` (into ``dst`` if given); an end is a label or a layer.

    An operation's label is its symbol, so ``edge(g, "×", "×")`` is the edge between two
    multiplication nodes.
    """

    def is_(node: Node, key: Any) -> bool:
        return node.label == key if isinstance(key, str) else node.layer is key

    found = [e for e in g.edges if is_(e.src, src) and (dst is None or is_(e.dst, dst))]
    assert len(found) == 1, f"{len(found)} edges from {src!r} to {dst!r}"
    return found[0]


# -- the book's scripts, traced ---------------------------------------------------


def buy_apple() -> tuple[Graph, MulLayer, MulLayer, Any, Any]:
    """Figure 01, forward only: the caller runs backward (or not)."""
    apple, apple_num, tax = 100, 2, 1.1
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()
    with Graph() as g:
        apple_price = mul_apple_layer.forward(g.input(apple, "사과"), g.input(apple_num, "사과 개수"))
        price = mul_tax_layer.forward(apple_price, g.input(tax, "소비세"))
        g.output(price, "지불 금액")
    return g, mul_apple_layer, mul_tax_layer, apple_price, price


def buy_apple_orange() -> tuple[Graph, dict[str, tuple[Edge, Any, Any]]]:
    """Figure 07: the book's script traced, then run backward.

    Besides the graph, gives per edge (the edge, the object the producing layer returned
    or None for a named input, the object backward returned for it).
    """
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

    return g, {
        "사과": (edge(g, "사과"), None, dapple),
        "사과 개수": (edge(g, "사과 개수"), None, dapple_num),
        "귤": (edge(g, "귤"), None, dorange),
        "귤 개수": (edge(g, "귤 개수"), None, dorange_num),
        "소비세": (edge(g, "소비세"), None, dtax),
        "apple_price": (edge(g, mul_apple_layer), apple_price, dapple_price),
        "orange_price": (edge(g, mul_orange_layer), orange_price, dorange_price),
        "all_price": (edge(g, add_apple_orange_layer), all_price, dall_price),
        "price": (edge(g, mul_tax_layer), price, dprice),
    }


def sigmoid_graph(x_value: float) -> tuple[Graph, list[Any], list[Any], list[Any]]:
    """Figure 09: sigmoid as ×(−1) → exp → +1 → /, traced and run backward from 1.

    Gives the graph, the four layers, their outputs [a, b, c, y] and the gradients each
    handed downstream [dx, da, db, dc] (input side first, like the outputs).
    """
    negate, exp, add_one, reciprocal = Negate(), Exp(), AddConst(1), Reciprocal()
    with Graph() as g:
        a = negate.forward(g.input(x_value, "x"))
        b = exp.forward(a)
        c = add_one.forward(b)
        y = reciprocal.forward(c)
        g.output(y, "y")
    dc = reciprocal.backward(1)
    db = add_one.backward(dc)
    da = exp.backward(db)
    dx = negate.backward(da)
    return g, [negate, exp, add_one, reciprocal], [a, b, c, y], [dx, da, db, dc]


def square_of_sum() -> tuple[Graph, AddLayer, Square, Any]:
    """Figure 04's shape, z = t**2 with t = x + y, at x = 2, y = 1; forward only, t named."""
    add, sq = AddLayer(), Square()
    with Graph() as g:
        t = add.forward(g.input(2.0, "x"), g.input(1.0, "y"))
        g.name(t, "t", grad_symbol="∂z/∂t")
        z = sq.forward(t)
        g.output(z, "z")
    return g, add, sq, z


# -- figures 01/03: apple --------------------------------------------------------


def test_apple_edges_carry_the_layers_own_values() -> None:
    g, mul_apple_layer, mul_tax_layer, apple_price, price = buy_apple()
    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)  # after the with block
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)

    apple_e, num_e, mid_e, tax_e, out_e = g.edges
    assert (apple_e.src.label, num_e.src.label, tax_e.src.label, out_e.dst.label) == (
        "사과", "사과 개수", "소비세", "지불 금액")
    assert mid_e.src.layer is mul_apple_layer and mid_e.dst.layer is mul_tax_layer
    # The very objects the layers returned, not recomputed copies.
    assert mid_e.value is apple_price and out_e.value is price
    assert apple_e.grad is dapple and num_e.grad is dapple_num
    assert mid_e.grad is dapple_price and tax_e.grad is dtax
    assert out_e.grad is dprice
    # And the numbers the chapter states (CHAPTER.md): 100, 2, 200, 1.1, 220 / 2.2, 110, 1.1, 200, 1.
    fwd = [format_value(e.value) for e in (apple_e, num_e, mid_e, tax_e, out_e)]
    back = [format_value(e.grad) for e in (apple_e, num_e, mid_e, tax_e, out_e)]
    assert fwd == ["100", "2", "200", "1.1", "220"]
    assert back == ["2.2", "110", "1.1", "200", "1"]


def test_forward_only_graph_has_no_backward_row() -> None:
    g, *_ = buy_apple()
    assert not g.has_backward
    assert all(e.grad is None for e in g.edges)
    dot = g.to_dot()
    assert "220" in dot and BACKWARD_COLOR not in dot
    svg = render_svg(g)
    assert BACKWARD_COLOR not in svg and "220" in svg_texts(svg)
    assert "역전파" not in g.describe()


def test_partial_backward_fills_only_the_edges_it_reached() -> None:
    g, _mul_apple, mul_tax_layer, _ap, _p = buy_apple()
    mul_tax_layer.backward(1)
    assert format_value(edge(g, "×", "×").grad) == "1.1"
    assert format_value(edge(g, "소비세", "×").grad) == "200"
    assert edge(g, "사과", "×").grad is None
    assert edge(g, "사과 개수", "×").grad is None


def test_describe_names_inputs_results_and_gradients() -> None:
    g, mul_apple_layer, mul_tax_layer, *_ = buy_apple()
    before = g.describe()
    assert before == (
        "계산 그래프. 입력: 사과 100, 사과 개수 2, 소비세 1.1. "
        "순전파: 사과 100 × 사과 개수 2 = 200; 첫 번째 곱셈 노드의 출력 200 × 소비세 1.1 = 220. "
        "출력: 지불 금액 220."
    )
    dapple_price, _ = mul_tax_layer.backward(1)
    mul_apple_layer.backward(dapple_price)
    after = g.describe()
    assert after == before + (
        " 역전파: 지불 금액의 기울기 1에서 시작해 사과 쪽으로 2.2, 사과 개수 쪽으로 110, "
        "첫 번째 곱셈 노드의 출력 쪽으로 1.1, 소비세 쪽으로 200."
    )


def test_describe_names_edges_by_what_they_carry_with_the_gradient_symbols() -> None:
    # An intermediate edge is named by its symbol when it has one, else by the node
    # that produced it; the gradient carries the symbol the figure shows.
    add, sq = AddLayer(), Square()
    with Graph() as g:
        t = add.forward(g.input(3.0, "x", grad_symbol="∂z/∂x"), g.input(2.0, "y"))
        g.name(t, "t", grad_symbol="∂z/∂t")
        z = sq.forward(t)
        g.output(z, "z", grad_symbol="∂z/∂z")
    add.backward(sq.backward(1.0))
    text = g.describe()
    assert "(t 5)² = 25" in text
    assert ("역전파: z의 기울기 ∂z/∂z = 1에서 시작해 x 쪽으로 ∂z/∂x = 10, y 쪽으로 10, "
            "t 쪽으로 ∂z/∂t = 10.") in text
    # Unnamed: the node's name, never the number alone.
    negate, exp = Negate(), Exp()
    with Graph() as g2:
        g2.output(exp.forward(negate.forward(g2.input(1.0, "x"))), "y")
    exp.backward(1.0)
    assert "exp(×(−1) 노드의 출력 -1) = 0.367879" in g2.describe()
    assert "×(−1) 노드의 출력 쪽으로 0.367879" in g2.describe()


def test_traced_values_behave_like_the_originals() -> None:
    g, _m1, _m2, apple_price, price = buy_apple()
    assert apple_price == 200 and isinstance(apple_price, int)
    assert price == pytest.approx(220) and isinstance(price, float)
    assert repr(apple_price) == "200" and f"{price:.1f}" == "220.0"


# -- figure 07: apple + orange, full backward ----------------------------------------


def test_apple_orange_edges_are_the_layers_own_values() -> None:
    g, by_edge = buy_apple_orange()
    for name, (e, value, grad) in by_edge.items():
        if value is not None:
            assert e.value is value, name  # the very object the layer returned
        assert e.grad is grad, name  # the very object backward returned

    # CHAPTER.md figure 07, by hand: value [gradient].
    hand = {
        "사과": (100, 2.2), "사과 개수": (2, 110), "귤": (150, 3.3), "귤 개수": (3, 165),
        "소비세": (1.1, 650), "apple_price": (200, 1.1), "orange_price": (450, 1.1),
        "all_price": (650, 1.1), "price": (715, 1),
    }
    for name, (value, grad) in hand.items():
        e = by_edge[name][0]
        assert e.value == pytest.approx(value) and e.grad == pytest.approx(grad), name

    texts = svg_texts(render_svg(g))
    for shown in ("715", "650", "450", "200", "1.1", "2.2", "110", "3.3", "165", "사과", "지불 금액"):
        assert shown in texts, shown
    assert not any("0000000" in t for t in texts)


def test_dot_shows_formatted_numbers_in_the_two_colours() -> None:
    g, _ = buy_apple_orange()
    dot = g.to_dot()
    assert format_value(edge(g, "귤", "×").grad) == "3.3"
    for text in ("715", "650", "165", "3.3", "2.2", "110"):
        assert f">{text}<" in dot, text
    assert "3.3000000000000003" not in dot and "715.0000" not in dot
    assert "rankdir=LR" in dot
    assert FONT_NAME in dot
    colours = set(re.findall(r"#[0-9a-fA-F]{6}", dot))
    assert colours == {FORWARD_COLOR, BACKWARD_COLOR}
    assert "<b>650</b>" in dot and "<b>3.3</b>" in dot  # gradients are bold


def test_inputs_are_laid_out_in_argument_order() -> None:
    # The book draws 귤 above 귤 개수; dot left alone sometimes swaps them.
    g, _ = buy_apple_orange()
    svg = render_svg(g)

    def y_of(label: str) -> float:
        m = re.search(r'<text[^>]*y="([-\d.]+)"[^>]*>' + re.escape(label) + "</text>", svg)
        assert m, label
        return float(m.group(1))

    assert y_of("귤") < y_of("귤 개수")
    assert y_of("사과") < y_of("사과 개수")


# -- figure 09: the sigmoid chain; z = t**2 ---------------------------------------------


def test_sigmoid_chain_figure_shows_the_chapter_numbers() -> None:
    g, layers, outputs, grads = sigmoid_graph(1.0)
    edges = [edge(g, "x")] + [edge(g, layer) for layer in layers]
    assert all(e.value is v for e, v in zip(edges[1:], outputs))
    assert all(e.grad is d for e, d in zip(edges[:4], grads))
    assert [e.value for e in edges] == pytest.approx([1, -1, 0.367879, 1.367879, 0.731059], abs=5e-7)
    assert [e.grad for e in edges] == pytest.approx([0.196612, -0.196612, -0.534447, -0.534447, 1], abs=5e-7)

    texts = svg_texts(render_svg(g))
    for shown in ("-1", "0.367879", "0.731059", "0.196612", "-0.196612", "-0.534447",
                  "exp", "/", "+1", "×(−1)"):
        assert shown in texts, shown


def test_sigmoid_chain_gives_y_times_one_minus_y() -> None:
    g, _layers, outputs, grads = sigmoid_graph(0.5)
    y, dx = outputs[-1], grads[0]
    assert [n.label for n in g.nodes if n.kind == "op"] == ["×(−1)", "exp", "+1", "/"]
    assert dx == pytest.approx(y * (1 - y), rel=1e-12)
    dot = g.to_dot()
    assert f">{format_value(dx)}<" in dot and "shape=circle" in dot


def test_square_of_sum_with_edge_symbols() -> None:
    g, add, sq, z = square_of_sum()
    dt = sq.backward(1)
    dx, dy = add.backward(dt)
    assert format_value(z) == "9" and format_value(dx) == "6"
    svg = render_svg(g)
    t_edge = g.edges.index(edge(g, add, sq))
    # The symbol on its own line, the value in the edge's value group under it.
    assert re.search(rf'<g id="a_e{t_edge}&#45;value">.*?>3</text>', svg, re.DOTALL)
    assert re.search(rf'<g id="a_e{t_edge}&#45;grad">.*?>6</text>', svg, re.DOTALL)
    # t is a variable: MATHEMATICAL ITALIC SMALL T in the math font, as a formula shows it.
    assert re.search(r'font-family="DejaVu Math TeX Gyre"[^>]*>\U0001d461</text>', svg)
    assert "**2" in svg_texts(svg)


@pytest.mark.parametrize(
    ("build", "formulas"),
    [
        (lambda: sigmoid_graph(0.5)[0],
         "−(x 0.5) = -0.5; exp(×(−1) 노드의 출력 -0.5) = 0.606531; exp 노드의 출력 0.606531 + 1 = 1.60653; "
         "1 / (+1 노드의 출력 1.60653) = 0.622459"),
        (lambda: square_of_sum()[0], "x 2 + y 1 = 3; (t 3)² = 9"),
    ],
    ids=["sigmoid", "square of sum"],
)
def test_describe_writes_out_each_node(build: Callable[[], Graph], formulas: str) -> None:
    assert formulas in build().describe()


# -- figure 11: Affine with shapes ---------------------------------------------------


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

    assert edge(g, "X").value is X and edge(g, "W").value is W
    assert edge(g, dot_layer).value is XW and edge(g, add_layer).value is Y
    assert edge(g, "X").grad is dX and edge(g, "W").grad is dW and edge(g, "B").grad is dB
    # CHAPTER.md: Y = [9.1, 12.2, 15.3]; ∂L/∂X = [6, 15], ∂L/∂W = [[1, 1, 1], [2, 2, 2]], ∂L/∂B = [1, 1, 1].
    np.testing.assert_allclose(Y, [9.1, 12.2, 15.3], rtol=1e-15)
    np.testing.assert_array_equal(dX, [6, 15])
    np.testing.assert_array_equal(dW, [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(dB, [1, 1, 1])

    texts = svg_texts(render_svg(g))
    # A matrix is printed one row per line, as numpy prints it.
    for shown in ("(2,)", "(2, 3)", "(3,)", "[1, 2]", "[[1, 2, 3],", "[4, 5, 6]]", "[0.1, 0.2, 0.3]",
                  "[9.1, 12.2, 15.3]", "[6, 15]", "[[1, 1, 1],", "[2, 2, 2]]", "[1, 1, 1]", "dot"):
        assert shown in texts, shown


def test_affine_edges_show_shapes_and_small_values() -> None:
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(2, 3)), np.array([0.1, 0.2, 0.3])
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])  # 8 elements: shape only
    affine = Affine(W, b)
    with Graph() as g:
        out = affine.forward(g.input(X, "X"))
        g.output(out, "Y")
    dX = affine.backward(np.ones_like(out))
    assert edge(g, "X", "Affine").grad is dX
    dot = g.to_dot()
    assert "(4, 2)" in dot and "(4, 3)" in dot
    assert format_value(X) not in dot  # too big to print
    small = Affine(W, b)
    x1 = np.array([1.0, -1.0])
    with Graph() as g1:
        small.forward(g1.input(x1, "x"))
    assert format_value(x1) in g1.to_dot() and "(2,)" in g1.to_dot()


def test_softmax_with_loss_graph() -> None:
    relu, swl = Relu(), SoftmaxWithLoss()
    x = np.array([0.3, 2.9, 4.0])
    with Graph() as g:
        loss = swl.forward(relu.forward(g.input(x, "a")), g.input(2, "t"))
        g.output(loss, "L")
    dx = relu.backward(swl.backward(1))
    assert edge(g, "a", "ReLU").grad is dx
    assert edge(g, "Softmax-with-Loss", "L").value is loss
    assert "shape=box" in g.to_dot()  # the long name does not fit a circle


# -- identity, constants, tracing scope -----------------------------------------------


@pytest.mark.parametrize("as_input", [False, True], ids=["literal 200", "input 200"])
def test_a_product_equal_to_another_200_still_links_to_its_producer(as_input: bool) -> None:
    # 100 * 2 and a literal 200 are the same cached int object in CPython; the graph must
    # still tell the other 200 (a constant or a named input) from the × node's output.
    mul, add = MulLayer(), AddLayer()
    with Graph() as g:
        product = mul.forward(g.input(100, "a"), g.input(2, "b"))
        total = add.forward(g.input(200, "c") if as_input else 200, product)
        g.output(total, "합")
    into_add = sorted((e for e in g.edges if e.dst.layer is add), key=lambda e: e.arg_index)
    if as_input:
        assert into_add[0].src.label == "c"
    else:
        assert into_add[0].src.kind == "const" and format_value(into_add[0].value) == "200"
    assert into_add[1].src.layer is mul and into_add[1].value is product


def test_the_same_small_int_twice_stays_two_nodes() -> None:
    # Both 2s are the same cached int object; they are still two separate constants ...
    double_x, double_y = MulLayer(), MulLayer()
    with Graph() as g:
        double_x.forward(g.input(3, "x"), 2)
        double_y.forward(g.input(5, "y"), 2)
    consts = [e for e in g.edges if e.src.kind == "const"]
    assert len(consts) == 2 and consts[0].src is not consts[1].src
    assert {consts[0].dst.layer, consts[1].dst.layer} == {double_x, double_y}
    # ... or two separate inputs.
    mul = MulLayer()
    with Graph() as g2:
        mul.forward(g2.input(2, "x"), g2.input(2, "y"))
    assert [e.src.label for e in g2.edges] == ["x", "y"]


def test_a_shared_array_constant_is_one_node() -> None:
    W = np.eye(2)
    first, second = Dot(), Dot()
    with Graph() as g:
        first.forward(g.input(np.ones(2), "a"), W)
        second.forward(g.input(np.zeros(2), "b"), W)
    consts = [e for e in g.edges if e.src.kind == "const"]
    assert len(consts) == 2 and consts[0].src is consts[1].src


def test_numpy_scalars_keep_their_type_inside_a_graph() -> None:
    sig = Sigmoid()
    with Graph() as g:
        y = sig.forward(g.input(np.float64(0.0), "x"))
        g.output(y, "y")
    assert type(y) is np.float64 and y == 0.5
    assert edge(g, "sigmoid", "y").value is y


def test_nothing_is_recorded_outside_with() -> None:
    mul = MulLayer()
    with Graph() as g:
        mul.forward(g.input(3, "x"), g.input(4, "y"))
    nodes, edges = list(g.nodes), list(g.edges)
    other = MulLayer()
    other.forward(7, 8)
    other.backward(1)
    out = mul.forward(5, 6)  # the traced layer again, now untraced: a plain int back
    assert type(out) is int and out == 30
    mul.backward(1)  # belongs to no graph now
    assert g.nodes == nodes and g.edges == edges
    assert not g.has_backward and all(e.grad is None for e in g.edges)


def test_output_of_an_untraced_value_is_refused() -> None:
    outside = MulLayer().forward(3.0, 4.0)
    with Graph() as g:
        for untraced in (outside, 5):  # a layer's result from outside the graph; a bare literal
            with pytest.raises(GraphError, match="not produced by a layer traced in this graph"):
                g.output(untraced, "z")
        named = g.input(5.0, "x")
        with pytest.raises(GraphError):
            g.output(named, "x again")  # an input is not a layer's output
        g.output(MulLayer().forward(named, 2.0), "y")  # (an input no layer takes is refused too)


def test_a_graph_cannot_be_entered_twice() -> None:
    g = Graph()
    with g:
        with pytest.raises(GraphError, match="already"):
            g.__enter__()


# -- what refuses to draw -------------------------------------------------------------


def test_an_array_changed_in_place_after_tracing_refuses_to_draw() -> None:
    # Edges hold the arrays themselves; an in-place update after tracing would reach the
    # figure, which would then show numbers the layer never computed with.
    x = np.array([1.0, 2.0])
    W = np.ones((2, 2))
    dot_layer = Dot()
    with Graph() as g:
        g.output(dot_layer.forward(g.input(x, "x"), g.input(W, "W")), "y")
    W[0, 0] = np.nan
    for draw in (g.to_digraph, g.describe):
        with pytest.raises(GraphError, match=r"the array on the edge W → dot was changed in place") as info:
            draw()
        assert "recorded [[1, 1], [1, 1]], now [[nan, 1], [1, 1]]" in str(info.value)
        assert "x = x.copy()" in str(info.value)


def test_a_non_finite_gradient_refuses_to_draw() -> None:
    rec = Reciprocal()
    with Graph() as g:
        y = rec.forward(g.input(np.array([1e-200]), "x"))
        g.output(y, "y")
    with np.errstate(over="ignore"):
        rec.backward(np.array([1.0]))  # −1/x² overflows to −inf
    with pytest.raises(GraphError, match=r"non-finite gradient \(\[-inf\]\)"):
        g.to_digraph()
