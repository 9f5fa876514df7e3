"""Drawing a traced computation graph, and saying in words what it shows.

:func:`to_digraph` builds the ``graphviz.Digraph`` of a :class:`layers.graph.Graph`
in the book's convention (left to right, forward value above each edge, gradient
below it in bold red); :func:`describe` writes the Korean text alternative that
names every value a reader would see. Both only read the graph: recording lives
in :mod:`layers.graph`, whose ``Graph.to_digraph()`` and ``Graph.describe()``
call these. The colours and the font come from ``layers.graph`` so that
``Graph.figure_style()`` and the drawing cannot disagree.
"""
from __future__ import annotations

import html
from typing import Any

import numpy as np

from layers.display import format_value
from layers.graph import BACKWARD_COLOR, FONT_NAME, FORWARD_COLOR, Edge, Graph, GraphError, Node

__all__ = ["SMALL_ARRAY", "check_finite", "describe", "to_digraph"]

# Arrays up to this many elements show their values on the edge; larger ones
# show only their shape.
SMALL_ARRAY = 6


def check_finite(graph: Graph) -> None:
    """Raise :class:`GraphError` naming the first edge that carries nan or inf."""
    for edge in graph.edges:
        for what, v in (("forward value", edge.value), ("gradient", edge.grad)):
            if v is None:
                continue
            array = np.asarray(v)
            if array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
                raise GraphError(
                    f"the edge from {_describe_node(edge.src)} to {_describe_node(edge.dst)} carries a "
                    f"non-finite {what} ({format_value(v)}); a figure cannot show it — check the inputs"
                )


def to_digraph(graph: Graph) -> Any:
    """Build (not render) a ``graphviz.Digraph`` in the book's convention.

    Left to right; operation nodes are circles with their symbol; the
    forward value sits above each edge, the gradient below it, bold, in
    ``BACKWARD_COLOR``. Each edge is drawn through a small label node so
    the line passes between the two numbers.
    """
    import graphviz  # only drawing needs it

    check_finite(graph)
    dot = graphviz.Digraph()
    # ordering="in" keeps each node's inputs in argument order from top to
    # bottom (귤 above 귤 개수), as the book draws them.
    dot.attr(rankdir="LR", ordering="in", bgcolor="transparent", nodesep="0.18", ranksep="0.3",
             fontname=FONT_NAME, pad="0.1")
    dot.attr("node", fontname=FONT_NAME, fontsize="13", color=FORWARD_COLOR, fontcolor=FORWARD_COLOR)
    dot.attr("edge", fontname=FONT_NAME, color=FORWARD_COLOR, arrowsize="0.7")
    names = {id(node): f"n{i}" for i, node in enumerate(graph.nodes)}
    for node in graph.nodes:
        name = names[id(node)]
        if node.kind == "op":
            short = len(node.label) <= 5
            dot.node(name, label=node.label, shape="circle" if short else "box",
                     style="" if short else "rounded", margin="0.04", width="0.45")
        elif node.kind == "const":
            dot.node(name, label="", shape="point", width="0.04")
        else:
            dot.node(name, label=node.label, shape="plaintext", margin="0.1,0.03")
    for i, edge in enumerate(graph.edges):
        mid = f"e{i}"
        dot.node(mid, label=_edge_label_html(edge), shape="plain")
        dot.edge(names[id(edge.src)], f"{mid}:line:w", arrowhead="none", headclip="false")
        dot.edge(f"{mid}:line:e", names[id(edge.dst)], tailclip="false")
    return dot


def describe(graph: Graph) -> str:
    """A Korean text alternative: inputs, what each node computed, and the gradients.

    Each node reads as an equation ("사과 100 × 사과 개수 2 = 200"), and the
    gradients as "…쪽으로 2.2": phrasing that never puts a particle right
    after a number, whose form (이/가, 을/를) would depend on how it is read.
    """
    inputs = [n for n in graph.nodes if n.kind == "input"]
    parts = ["계산 그래프."]
    if inputs:
        parts.append("입력: " + ", ".join(f"{n.label} {_short(n.value)}" for n in inputs) + ".")
    steps = []
    for node in graph.nodes:
        if node.kind != "op":
            continue
        ins = sorted((e for e in graph.edges if e.dst is node), key=lambda e: e.arg_index)
        outs = [e for e in graph.edges if e.src is node]
        result = _short(outs[0].value) if outs else _short(getattr(node.layer, "_out", None))
        steps.append(f"{_formula(node.label, [_operand(e) for e in ins])} = {result}")
    if steps:
        parts.append("순전파: " + "; ".join(steps) + ".")
    outputs = [n for n in graph.nodes if n.kind == "output"]
    if outputs:
        parts.append("출력: " + ", ".join(f"{n.label} {_short(n.value)}" for n in outputs) + ".")
    if graph.has_backward:
        seeds = [e for e in graph.edges if e.dst.kind == "output" and e.grad is not None]
        flows = [
            f"{_operand(e)} 쪽으로 {_short(e.grad)}"
            for e in graph.edges
            if e.dst.kind != "output" and e.grad is not None
        ]
        start = " ".join(f"{e.dst.label}의 기울기 {_short(e.grad)}에서 시작해" for e in seeds)
        parts.append("역전파: " + (start + " " if start else "") + ", ".join(flows) + ".")
    return " ".join(parts)


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.size > SMALL_ARRAY:
        return f"형상 {format_value(value.shape)}의 배열"
    return format_value(value)


def _operand(edge: Edge) -> str:
    """How an edge's value is named in the text: by its input's label or symbol, if any."""
    value = _short(edge.value)
    if edge.src.kind == "input":
        return f"{edge.src.label} {value}"
    if edge.symbol:
        return f"{edge.symbol} {value}"
    return value


def _formula(symbol: str, args: list[str]) -> str:
    """The node's operation written out with its operands."""
    if symbol in ("×", "+") and len(args) == 2:
        return f"{args[0]} {symbol} {args[1]}"
    if symbol == "/" and len(args) == 1:
        return f"1 / ({args[0]})"
    if symbol == "**2" and len(args) == 1:
        return f"({args[0]})²"
    if symbol == "×(−1)" and len(args) == 1:
        return f"−({args[0]})"
    if symbol[:1] in "+−" and len(args) == 1:  # AddConst: +1, −2.5
        return f"{args[0]} {symbol[0]} {symbol[1:]}"
    return f"{symbol}({', '.join(args)})"


def _describe_node(node: Node) -> str:
    if node.kind == "op":
        return f"the {node.label} node"
    return repr(node.label) if node.label else "a constant"


def _value_lines(value: Any) -> list[str]:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        shape = format_value(value.shape)
        if value.size <= SMALL_ARRAY:
            return [shape, format_value(value)]
        return [shape]
    return [format_value(value)]


def _edge_label_html(edge: Edge) -> str:
    """Forward text above a thin line cell, the gradient (bold, coloured) below it."""
    fwd = _value_lines(edge.value)
    if edge.symbol:
        fwd[0] = f"{edge.symbol} = {fwd[0]}"
    rows = [f'<tr><td>{html.escape(line)}</td></tr>' for line in fwd]
    rows.append(f'<tr><td port="line" height="1" border="1" sides="b" color="{FORWARD_COLOR}"></td></tr>')
    grad = edge.grad
    if grad is not None:
        back = _value_lines(grad)
        if edge.grad_symbol:
            back[0] = f"{edge.grad_symbol} = {back[0]}"
        rows.extend(
            f'<tr><td><font color="{BACKWARD_COLOR}"><b>{html.escape(line)}</b></font></td></tr>' for line in back
        )
    else:
        rows.append("<tr><td> </td></tr>")  # keeps the line centred between the rows
    return '<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">' + "".join(rows) + "</table>>"
