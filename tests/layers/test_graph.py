"""Graphs traced from real layer calls: the numbers on the edges are the layers' own."""
from __future__ import annotations

import subprocess

import numpy as np
import pytest

from layers import (
    AddConst,
    AddLayer,
    Affine,
    Exp,
    Graph,
    GraphError,
    MulLayer,
    Negate,
    Reciprocal,
    Relu,
    SoftmaxWithLoss,
    Square,
    format_value,
)
from layers.graph import BACKWARD_COLOR, FONT_NAME, FORWARD_COLOR


def edge_between(g: Graph, src_label: str, dst_label: str):
    """The one edge whose ends carry these labels (an op's label is its symbol)."""
    found = [e for e in g.edges if e.src.label == src_label and e.dst.label == dst_label]
    assert len(found) == 1, f"{len(found)} edges from {src_label!r} to {dst_label!r}"
    return found[0]


def buy_apple():
    apple, apple_num, tax = 100, 2, 1.1
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()
    with Graph() as g:
        apple_price = mul_apple_layer.forward(g.input(apple, "사과"), g.input(apple_num, "사과 개수"))
        price = mul_tax_layer.forward(apple_price, g.input(tax, "소비세"))
        g.output(price, "지불 금액")
    return g, mul_apple_layer, mul_tax_layer, apple_price, price


def test_apple_edges_carry_the_layers_own_values() -> None:
    g, mul_apple_layer, mul_tax_layer, apple_price, price = buy_apple()
    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)  # after the with block
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)

    apple_e = g.edges[0]
    num_e = g.edges[1]
    mid_e = g.edges[2]
    tax_e = g.edges[3]
    out_e = g.edges[4]
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


def test_forward_only_graph_has_no_gradients() -> None:
    g, *_ = buy_apple()
    assert not g.has_backward
    assert all(e.grad is None for e in g.edges)
    dot = g.to_dot()
    assert "220" in dot
    assert BACKWARD_COLOR not in dot
    assert "역전파" not in g.describe()


def test_partial_backward_fills_only_the_edges_it_reached() -> None:
    g, _mul_apple, mul_tax_layer, _ap, _p = buy_apple()
    mul_tax_layer.backward(1)
    assert format_value(edge_between(g, "×", "×").grad) == "1.1"
    assert format_value(edge_between(g, "소비세", "×").grad) == "200"
    assert edge_between(g, "사과", "×").grad is None
    assert edge_between(g, "사과 개수", "×").grad is None


def buy_apple_orange():
    apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
    mul_apple_layer, mul_orange_layer = MulLayer(), MulLayer()
    add_apple_orange_layer, mul_tax_layer = AddLayer(), MulLayer()
    with Graph() as g:
        apple_price = mul_apple_layer.forward(g.input(apple, "사과"), g.input(apple_num, "사과 개수"))
        orange_price = mul_orange_layer.forward(g.input(orange, "귤"), g.input(orange_num, "귤 개수"))
        all_price = add_apple_orange_layer.forward(apple_price, orange_price)
        price = mul_tax_layer.forward(all_price, g.input(tax, "소비세"))
        g.output(price, "지불 금액")
    dall_price, dtax = mul_tax_layer.backward(1)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    mul_orange_layer.backward(dorange_price)
    mul_apple_layer.backward(dapple_price)
    return g


def test_dot_shows_formatted_numbers_in_the_two_colours() -> None:
    g = buy_apple_orange()
    dot = g.to_dot()
    assert format_value(edge_between(g, "귤", "×").grad) == "3.3"
    for text in ("715", "650", "165", "3.3", "2.2", "110"):
        assert f">{text}<" in dot, text
    assert "3.3000000000000003" not in dot and "715.0000" not in dot
    assert "rankdir=LR" in dot
    assert FONT_NAME in dot
    colours = set(__import__("re").findall(r"#[0-9a-fA-F]{6}", dot))
    assert colours == {FORWARD_COLOR, BACKWARD_COLOR}
    assert "<b>650</b>" in dot  # gradients are bold


def test_dot_is_accepted_by_the_real_dot_binary() -> None:
    g = buy_apple_orange()
    svg = subprocess.run(["dot", "-Tsvg"], input=g.to_dot().encode(), capture_output=True, check=True).stdout
    text = svg.decode()
    assert "지불 금액" in text and ">715<" in text and ">650<" in text


def test_describe_names_inputs_results_and_gradients() -> None:
    g, mul_apple_layer, mul_tax_layer, *_ = buy_apple()
    before = g.describe()
    assert before == (
        "계산 그래프. 입력: 사과 100, 사과 개수 2, 소비세 1.1. "
        "순전파: 사과 100 × 사과 개수 2 = 200; 200 × 소비세 1.1 = 220. 출력: 지불 금액 220."
    )
    dapple_price, _ = mul_tax_layer.backward(1)
    mul_apple_layer.backward(dapple_price)
    after = g.describe()
    assert after == before + (
        " 역전파: 지불 금액의 기울기 1에서 시작해 사과 100 쪽으로 2.2, 사과 개수 2 쪽으로 110, "
        "200 쪽으로 1.1, 소비세 1.1 쪽으로 200."
    )


def test_describe_writes_out_each_node_of_the_sigmoid_and_square_graphs() -> None:
    text = sigmoid_graph(0.5)[0].describe()
    assert "−(x 0.5) = -0.5; exp(-0.5) = 0.606531; 0.606531 + 1 = 1.60653; 1 / (1.60653) = 0.622459" in text
    add, sq = AddLayer(), Square()
    with Graph() as g:
        t = add.forward(g.input(2.0, "x"), g.input(1.0, "y"))
        g.name(t, "t")
        g.output(sq.forward(t), "z")
    assert "x 2 + y 1 = 3; (t 3)² = 9" in g.describe()


def test_small_int_identity_trap() -> None:
    # 100 * 2 and a literal 200 are the same cached int object in CPython; the graph
    # must still see the literal as a separate constant, not as the × node's output.
    mul, add = MulLayer(), AddLayer()
    with Graph() as g:
        a = mul.forward(g.input(100, "a"), g.input(2, "b"))
        s = add.forward(200, a)
        g.output(s, "s")
    first, second = [e for e in g.edges if e.dst.layer is add]
    assert first.src.kind == "const" and format_value(first.value) == "200"
    assert second.src.layer is mul
    # Two inputs holding the same small int stay two inputs.
    mul2 = MulLayer()
    with Graph() as g2:
        mul2.forward(g2.input(2, "x"), g2.input(2, "y"))
    assert [e.src.label for e in g2.edges] == ["x", "y"]


def test_traced_values_behave_like_the_originals() -> None:
    g, _m1, _m2, apple_price, price = buy_apple()
    assert apple_price == 200 and isinstance(apple_price, int)
    assert price == pytest.approx(220) and isinstance(price, float)
    assert repr(apple_price) == "200" and f"{price:.1f}" == "220.0"


def test_tracing_is_off_outside_with() -> None:
    mul = MulLayer()
    with Graph() as g:
        mul.forward(g.input(3, "x"), g.input(4, "y"))
    n_edges = len(g.edges)
    out = mul.forward(5, 6)  # after the block: not traced, plain int back
    assert type(out) is int and out == 30
    assert len(g.edges) == n_edges
    mul.backward(1)  # belongs to no graph now
    assert not g.has_backward
    plain = MulLayer()
    assert type(plain.forward(100, 2)) is int


def sigmoid_graph(x_value: float):
    neg, exp, add1, rec = Negate(), Exp(), AddConst(1), Reciprocal()
    with Graph() as g:
        a = neg.forward(g.input(x_value, "x"))
        b = exp.forward(a)
        c = add1.forward(b)
        y = rec.forward(c)
        g.output(y, "y")
    dc = rec.backward(1)
    db = add1.backward(dc)
    da = exp.backward(db)
    dx = neg.backward(da)
    return g, y, dx


def test_sigmoid_chain_gives_y_times_one_minus_y() -> None:
    g, y, dx = sigmoid_graph(0.5)
    assert [n.label for n in g.nodes if n.kind == "op"] == ["×(−1)", "exp", "+1", "/"]
    assert dx == pytest.approx(y * (1 - y), rel=1e-12)
    assert edge_between(g, "x", "×(−1)").grad is dx
    dot = g.to_dot()
    assert f">{format_value(dx)}<" in dot and "shape=circle" in dot


def test_square_of_sum_with_edge_symbols() -> None:
    add, sq = AddLayer(), Square()
    with Graph() as g:
        t = add.forward(g.input(2.0, "x"), g.input(1.0, "y"))
        g.name(t, "t", grad_symbol="∂z/∂t")
        z = sq.forward(t)
        g.output(z, "z")
    dt = sq.backward(1)
    dx, dy = add.backward(dt)
    assert format_value(z) == "9" and format_value(dx) == "6"
    dot = g.to_dot()
    assert "t = 3" in dot and "∂z/∂t = 6" in dot and "**2" in dot


def test_affine_edges_show_shapes_and_small_values() -> None:
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(2, 3)), np.array([0.1, 0.2, 0.3])
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])  # 8 elements: shape only
    affine = Affine(W, b)
    with Graph() as g:
        out = affine.forward(g.input(X, "X"))
        g.output(out, "Y")
    dX = affine.backward(np.ones_like(out))
    e = edge_between(g, "X", "Affine")
    assert e.grad is dX
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
    assert edge_between(g, "a", "ReLU").grad is dx
    assert edge_between(g, "Softmax-with-Loss", "L").value is loss
    assert "shape=box" in g.to_dot()  # the long name does not fit a circle


def test_non_finite_values_refuse_to_draw() -> None:
    rec = Reciprocal()
    with Graph() as g:
        y = rec.forward(g.input(np.array([1e-200]), "x"))
        g.output(y, "y")
    with np.errstate(over="ignore"):
        rec.backward(np.array([1.0]))  # −1/x² overflows to −inf
    with pytest.raises(GraphError, match=r"non-finite gradient \(\[-inf\]\)"):
        g.to_digraph()


def test_output_must_come_from_a_traced_layer() -> None:
    with Graph() as g:
        with pytest.raises(GraphError, match="not produced by a layer"):
            g.output(5, "z")


def test_a_graph_cannot_be_entered_twice() -> None:
    g = Graph()
    with g:
        with pytest.raises(GraphError, match="already"):
            g.__enter__()


def test_inputs_are_laid_out_in_argument_order() -> None:
    # The book draws 귤 above 귤 개수; dot left alone sometimes swaps them.
    g = buy_apple_orange()
    svg = subprocess.run(["dot", "-Tsvg"], input=g.to_dot().encode(), capture_output=True, check=True).stdout.decode()
    import re

    def y_of(label: str) -> float:
        m = re.search(r'<text[^>]*y="([-\d.]+)"[^>]*>' + re.escape(label) + "</text>", svg)
        assert m, label
        return float(m.group(1))

    assert y_of("귤") < y_of("귤 개수")
    assert y_of("사과") < y_of("사과 개수")


def test_numpy_scalars_keep_their_type_inside_a_graph() -> None:
    from layers import Sigmoid

    sig = Sigmoid()
    with Graph() as g:
        y = sig.forward(g.input(np.float64(0.0), "x"))
        g.output(y, "y")
    assert type(y) is np.float64 and y == 0.5
    assert edge_between(g, "sigmoid", "y").value is y
