"""How a traced graph is drawn, read from what the real ``dot`` binary makes of it.

The positions below are Graphviz's own (SVG user units, y grows downwards): the tests
check where the line under a value sits relative to the edge that runs through it,
where the backward arrow points, and in which order and font each label line is set.
"""
from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from layers import AddLayer, Dot, Exp, Graph, GraphError, MulLayer, Negate, Relu
from layers.base import Layer
from layers.drawing import MATH_FONT, MUTED_COLOR, SHAPE_FONT_SIZE, FONT_SIZE, math_html, to_digraph
from layers.graph import BACKWARD_COLOR, FORWARD_COLOR

SVG = "{http://www.w3.org/2000/svg}"


def draw(g: Graph, direction: str = "LR") -> ET.Element:
    dot = to_digraph(g, direction=direction).source
    done = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=True)
    assert b"Warning" not in done.stderr, done.stderr.decode()
    return ET.fromstring(done.stdout)


def by_id(root: ET.Element, id_: str) -> ET.Element:
    found = [el for el in root.iter() if el.get("id") == id_]
    assert len(found) == 1, f"{len(found)} elements with id {id_!r}"
    return found[0]


def texts(el: ET.Element) -> list[ET.Element]:
    return list(el.iter(f"{SVG}text"))


def joined(el: ET.Element) -> str:
    return "".join("".join(t.itertext()) for t in texts(el))


def path_points(edge: ET.Element) -> list[tuple[float, float]]:
    d = edge.find(f"{SVG}path").get("d")
    nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(nums[::2], nums[1::2]))


def mul_graph(backward: bool = True) -> tuple[Graph, MulLayer]:
    """The book's mul node: 10 × 5 = 50, upstream 1.3 → 6.5 to x, 13 to y."""
    mul = MulLayer()
    with Graph() as g:
        z = mul.forward(g.input(10, "x", grad_symbol="∂L/∂z·y"), g.input(5, "y", grad_symbol="∂L/∂z·x"))
        g.output(z, "z", grad_symbol="∂L/∂z")
    if backward:
        mul.backward(1.3)
    return g, mul


def test_each_edge_has_hooks_for_its_value_and_gradient() -> None:
    g, _ = mul_graph()
    root = draw(g)
    for i, (value, grad) in enumerate([("10", "6.5"), ("5", "13"), ("50", "1.3")]):
        assert by_id(root, f"e{i}").get("class") == "node bp-edge-label"
        # Graphviz writes a cell's id as "a_<id>" on a group around the cell's texts.
        assert joined(by_id(root, f"a_e{i}-value")) == value
        assert joined(by_id(root, f"a_e{i}-grad")) == grad
        assert by_id(root, f"e{i}-in").get("class") == "edge bp-forward"
        assert by_id(root, f"e{i}-out").get("class") == "edge bp-forward"
        assert by_id(root, f"e{i}-back").get("class") == "edge bp-backward"


def test_before_backward_there_is_no_backward_arrow_or_gradient() -> None:
    g, _ = mul_graph(backward=False)
    root = draw(g)
    ids = {el.get("id") for el in root.iter()}
    assert "a_e0-value" in ids
    assert not any(i and (i.endswith("-grad") or i.endswith("-back")) for i in ids)
    assert BACKWARD_COLOR not in ET.tostring(root, encoding="unicode")


@pytest.mark.parametrize("direction", ["LR", "TB"])
def test_the_labels_line_lies_exactly_on_the_edge(direction: str) -> None:
    # The old label drew its bar on a cell border half a cell away from where the edge
    # attached: a visible step where edge and bar met.
    g, _ = mul_graph()
    root = draw(g, direction)
    across = 1 if direction == "LR" else 0  # the coordinate across the edge
    for i in range(3):
        label = by_id(root, f"e{i}")
        lines = [el for el in label.iter(f"{SVG}polyline") if el.get("stroke") == FORWARD_COLOR]
        assert len(lines) == 1
        pts = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
        assert pts[0][across] == pts[1][across]
        end_in = path_points(by_id(root, f"e{i}-in"))[-1]
        start_out = path_points(by_id(root, f"e{i}-out"))[0]
        assert end_in[across] == pts[0][across] == start_out[across]
        # and both halves of the edge reach the line: no gap where they meet
        along = 1 - across
        lo, hi = sorted(p[along] for p in pts)
        assert lo <= end_in[along] <= hi and lo <= start_out[along] <= hi


def test_the_gradient_is_a_thin_arrow_pointing_back_under_the_edge() -> None:
    g, _ = mul_graph()
    root = draw(g)
    for i in range(3):
        back = by_id(root, f"e{i}-back")
        path = back.find(f"{SVG}path")
        head = back.find(f"{SVG}polygon")
        assert path.get("stroke") == head.get("fill") == BACKWARD_COLOR
        assert path.get("stroke-width") in (None, "1")  # thin: the default pen
        xs = [p[0] for p in path_points(back)]
        head_x = [float(p.split(",")[0]) for p in head.get("points").split()]
        # The head sits at the left (source) end: the arrow points back.
        assert max(head_x) <= min(xs) + 0.5
        forward_y = path_points(by_id(root, f"e{i}-in"))[-1][1]
        back_y = path_points(back)[-1][1]
        assert back_y > forward_y  # under the edge
        # Its label (the gradient) lies under the arrow, not between the two lines.
        grad_y = min(float(t.get("y")) for t in texts(by_id(root, f"a_e{i}-grad")))
        assert grad_y > back_y


def test_symbol_line_then_value_line_and_shape_quiet_and_apart() -> None:
    X, W = np.array([1.0, 2.0]), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    dot = Dot()
    with Graph() as g:
        y = dot.forward(g.input(X, "X", grad_symbol="∂L/∂Y·Wᵀ"), g.input(W, "W"))
        g.output(y, "Y")
    dot.backward(np.ones(3))
    root = draw(g)
    x_label = by_id(root, "e0")
    lines = texts(x_label)
    shape = [t for t in lines if "".join(t.itertext()) == "(2,)"]
    assert len(shape) == 1
    assert float(shape[0].get("font-size")) == SHAPE_FONT_SIZE < FONT_SIZE
    assert shape[0].get("fill") == MUTED_COLOR
    # The gradient's symbol on one line (no "= (2,)" after it), the value under it.
    sym = [t for t in lines if t.get("font-family") == MATH_FONT and t.get("fill") == BACKWARD_COLOR]
    value = texts(by_id(root, "a_e0-grad"))
    assert "".join("".join(t.itertext()) for t in sym if not t.get("baseline-shift")) == "∂\U0001d43f/∂\U0001d44c·\U0001d44a"
    assert len({t.get("y") for t in sym}) == 1
    assert all(float(v.get("y")) > float(sym[0].get("y")) for v in value)
    assert "=" not in joined(x_label)
    # The matrix W is printed one row per line, flush left so the brackets line up.
    w_value = texts(by_id(root, "a_e1-value"))
    assert ["".join(t.itertext()) for t in w_value] == ["[[1, 2, 3],", "\u00a0[4, 5, 6]]"]
    assert w_value[0].get("x") == w_value[1].get("x")


def test_math_html_sets_variables_italic_and_function_names_upright() -> None:
    markup = math_html("−∂L/∂y·y²·exp(−x)")
    # L and y are variables (MATHEMATICAL ITALIC), exp is a name; one text item per run.
    assert markup.startswith(f'<font face="{MATH_FONT}">−∂\U0001d43f/∂\U0001d466·\U0001d466</font>')
    assert markup.endswith(f'<font face="{MATH_FONT}">·exp(−\U0001d465)</font>')
    assert "<sup>2</sup>" in markup and "²" not in markup
    assert "∂" in markup and "\U0001d715" not in markup  # ∂ upright, as the page's formulas set it
    assert math_html("Wᵀ").endswith("<sup>\U0001d5b3</sup></font>")
    assert math_html("h") == f'<font face="{MATH_FONT}">\u210e</font>'
    # Hangul stays in the label font; markup in a symbol is escaped.
    assert math_html("합<b>") == "합" + f'<font face="{MATH_FONT}">&lt;\U0001d44f&gt;</font>'


def test_top_to_bottom_puts_values_left_and_gradients_right_of_vertical_edges() -> None:
    neg, exp = Negate(), Exp()
    with Graph() as g:
        y = exp.forward(neg.forward(g.input(1.0, "x")))
        g.output(y, "y")
    neg.backward(exp.backward(1.0))
    root = draw(g, "TB")
    for i in range(3):
        edge_in = path_points(by_id(root, f"e{i}-in"))
        assert edge_in[-1][1] > edge_in[0][1]  # runs downwards
        line_x = edge_in[-1][0]
        value_x = [float(t.get("x")) for t in texts(by_id(root, f"a_e{i}-value"))]
        grad_x = [float(t.get("x")) for t in texts(by_id(root, f"a_e{i}-grad"))]
        assert max(value_x) < line_x < min(grad_x)
        back = path_points(by_id(root, f"e{i}-back"))
        assert line_x < back[-1][0] < min(grad_x)


def test_an_unknown_direction_is_refused() -> None:
    g, _ = mul_graph()
    with pytest.raises(GraphError, match="'LR'.*'TB'"):
        to_digraph(g, direction="RL")
    with pytest.raises(GraphError, match="Graph\\(direction='rl'\\)"):
        Graph(direction="rl")


def test_a_graph_made_top_to_bottom_draws_so() -> None:
    neg = Negate()
    with Graph(direction="TB") as g:
        g.output(neg.forward(g.input(1.0, "x")), "y")
    assert "rankdir=TB" in g.to_dot()


def test_a_value_used_twice_gets_two_edges_each_with_its_own_arrow() -> None:
    # s feeds both arguments of the product: two edges, two gradients (which add up).
    add, mul = AddLayer(), MulLayer()
    with Graph() as g:
        s = add.forward(g.input(1, "a"), g.input(2, "b"))
        g.output(mul.forward(s, s), "c")
    ds1, ds2 = mul.backward(1)
    add.backward(ds1 + ds2)
    for direction in ("LR", "TB"):
        root = draw(g, direction)
        assert joined(by_id(root, "a_e2-grad")) == joined(by_id(root, "a_e3-grad")) == "3"
        assert by_id(root, "e2-back") is not by_id(root, "e3-back")



# -- labels are text, drawn as written ------------------------------------------------

# Each is special somewhere in DOT: <…> makes an HTML-like label, \ starts an escape
# (\N is the node's name, \l a line end), & an entity, " ends the string; { and | split
# a record; \x01 cannot be written in SVG (it is shown escaped, as Python's repr does).
LITERAL_LABELS = ["<x>", "<b>굵게</b>", 'say "hi"', "a\\b", "\\N", "a\\nb", "끝\\", "a&amp;b & c", "{p|q}",
                  "사과 <개수>", "é ∂ 😀", 'a\\"b', '"', "node", ""]


class _Odd(Layer):
    symbol = "<op>"

    def forward(self, x: object) -> object:
        return x

    def backward(self, dout: object) -> object:
        return dout


def test_node_labels_are_drawn_literally_whatever_characters_they_hold() -> None:
    with Graph() as g:
        ins = [g.input(float(i), label) for i, label in enumerate(LITERAL_LABELS)]
        total = ins[0]
        for x in ins[1:]:
            total = AddLayer().forward(total, x)
        g.output(_Odd().forward(total), "<y>\n두 줄")
    root = draw(g)
    shown = {f"n{i}": [("".join(t.itertext())) for t in texts(by_id(root, f"n{i}"))] for i in range(len(g.nodes))}
    labels = {f"n{i}": node.label for i, node in enumerate(g.nodes)}
    for name, label in labels.items():
        if g.nodes[int(name[1:])].kind == "op" and label == "+":
            continue
        expected = label.split("\n") if label else []
        assert shown[name] == expected, (label, shown[name])
    assert "<op>" in labels.values()


def test_a_label_with_a_character_svg_cannot_hold_shows_it_escaped() -> None:
    with Graph() as g:
        g.output(Relu().forward(g.input(np.array([1.0, -1.0]), "x\x01y")), "out")
    root = draw(g)
    assert [joined(by_id(root, f"n{i}")) for i, n in enumerate(g.nodes) if n.kind == "input"] == ["x\\x01y"]


def test_an_input_with_branches_keeps_its_label_literal_over_the_sum() -> None:
    with Graph() as g:
        x = g.input(3.0, "<x> & \"y\"\n둘째 줄")
        z = MulLayer()
        g.output(z.forward(x, x), "z")
    z.backward(1.0)
    (node,) = [i for i, n in enumerate(g.nodes) if n.kind == "input"]
    assert [t.text for t in texts(by_id(draw(g), f"n{node}"))][:2] == ["<x> & \"y\"", "둘째 줄"]
