"""Computation graphs traced from real layer calls, and how they are drawn.

Inside ``with Graph() as g:`` every layer's ``forward`` is recorded: which
values went in, where each came from, and what came out. A later
``backward`` on those layers (inside or after the ``with``) records the
gradient it received and the gradients it handed on. The figure's numbers are
therefore the layers' own outputs, never recomputed.

    from layers import Graph, MulLayer

    apple, apple_num, tax = 100, 2, 1.1
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()

    with Graph() as g:
        apple_price = mul_apple_layer.forward(g.input(apple, "사과"), g.input(apple_num, "사과 개수"))
        price = mul_tax_layer.forward(apple_price, g.input(tax, "소비세"))
        g.output(price, "지불 금액")

    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)

    g.to_digraph()   # a graphviz.Digraph: forward values above each edge, gradients below
    g.describe()     # a Korean text alternative naming every value

``g.input(value, label)`` names an input; ``g.output(value, label)`` names an
output; ``g.name(value, symbol)`` puts a symbol on an intermediate edge (the
``t`` of z = t**2). ``symbol=``/``grad_symbol=`` on any of them add text such
as ``∂L/∂z·y`` in front of the numbers. Values that reach a layer without
passing through ``g.input`` or another traced layer become unnamed constants.

Reading a graph: ``g.edges`` lists every edge in recording order, each with
``src``/``dst`` nodes, ``value`` (the object the producer returned) and
``grad`` (the object the consumer's backward returned for that argument, or
``None`` before backward: a graph drawn before backward, or after a partial
backward, shows forward values only where no gradient exists yet).
``g.has_backward`` tells whether any gradient was recorded. ``to_digraph()``
builds (never renders) the Digraph, using only ``FORWARD_COLOR``,
``BACKWARD_COLOR`` and ``FONT_NAME``; a nan or inf on an edge raises
:class:`GraphError` naming the edge. A layer called outside any ``with Graph()``
is not traced at all and returns plain values.

Python numbers returned by traced layers come back as ``float``/``int``
subclasses that behave exactly like the originals; they exist because small
ints are shared objects in Python (``100 * 2 is 200``), and the graph links a
value to its producer by identity.
"""
from __future__ import annotations

import contextvars
import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from layers.display import format_value

FORWARD_COLOR = "#000000"
BACKWARD_COLOR = "#c62828"
FONT_NAME = "NanumGothic"

# Arrays up to this many elements show their values on the edge; larger ones
# show only their shape.
SMALL_ARRAY = 6

_active: contextvars.ContextVar[Graph | None] = contextvars.ContextVar("active_graph", default=None)


class TracedFloat(float):
    """A float the graph can tell apart from an equal float elsewhere."""

    __slots__ = ()

    def __repr__(self) -> str:
        return float.__repr__(self)


class TracedInt(int):
    """An int the graph can tell apart from an equal (possibly cached) int."""

    __slots__ = ()

    def __repr__(self) -> str:
        return int.__repr__(self)


def _distinct(value: Any) -> Any:
    """Give Python scalars an identity of their own; arrays already have one."""
    # Only plain Python numbers need it: CPython shares small ints and equal
    # constants, while numpy scalars and arrays are fresh objects that the graph
    # keeps alive, so their ids stay unique (and their numpy type is kept).
    if type(value) is int:
        return TracedInt(value)
    if type(value) is float:
        return TracedFloat(value)
    return value


@dataclass(eq=False)
class Node:
    """A box in the drawing: a named input/output, a constant, or a layer."""

    kind: str  # "input", "output", "const" or "op"
    label: str
    layer: Any = None
    dout: Any = None  # gradient the layer's backward received (ops only)
    grads: tuple[Any, ...] | None = None  # what its backward returned, per argument
    value: Any = None  # for inputs/outputs/constants


@dataclass(eq=False)
class Edge:
    src: Node
    dst: Node
    arg_index: int  # which argument of dst this edge feeds (0 for outputs)
    value: Any
    symbol: str | None = None
    grad_symbol: str | None = None

    @property
    def grad(self) -> Any:
        """The gradient flowing back along this edge, or None before backward."""
        if self.dst.kind == "output":
            return self.src.dout
        if self.dst.kind == "op" and self.dst.grads is not None and self.arg_index < len(self.dst.grads):
            return self.dst.grads[self.arg_index]
        return None


@dataclass
class _Annotation:
    symbol: str | None = None
    grad_symbol: str | None = None


class GraphError(ValueError):
    """A graph cannot be built or drawn as asked; the message says why."""


@dataclass(eq=False)
class Graph:
    """A computation graph recorded from real layer calls (see the module docstring)."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    # id(value) -> (producer node, value); holding the value keeps its id unique.
    _producers: dict[int, tuple[Node, Any]] = field(default_factory=dict, repr=False)
    _annotations: dict[int, _Annotation] = field(default_factory=dict, repr=False)
    _token: Any = field(default=None, repr=False)

    # -- recording ---------------------------------------------------------

    def __enter__(self) -> Graph:
        if self._token is not None:
            raise GraphError("this Graph is already being recorded; use a new Graph() for a new figure")
        self._token = _active.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _active.reset(self._token)
        self._token = None

    def input(self, value: Any, label: str, *, symbol: str | None = None, grad_symbol: str | None = None) -> Any:
        """Name ``value`` as an input called ``label``; returns the value to pass on."""
        value = _distinct(value)
        node = Node("input", label, value=value)
        self.nodes.append(node)
        self._producers[id(value)] = (node, value)
        if symbol or grad_symbol:
            self._annotations[id(value)] = _Annotation(symbol, grad_symbol)
        return value

    def output(self, value: Any, label: str, *, symbol: str | None = None, grad_symbol: str | None = None) -> Any:
        """Name ``value`` (which a traced layer produced) as an output called ``label``."""
        producer = self._producers.get(id(value))
        if producer is None or producer[0].kind != "op":
            raise GraphError(
                f"g.output({format_value(value)!s}, {label!r}): this value was not produced by a layer "
                "traced in this graph; pass the very object a layer's forward returned"
            )
        node = Node("output", label, value=value)
        self.nodes.append(node)
        self.edges.append(Edge(producer[0], node, 0, value, symbol, grad_symbol))
        return value

    def name(self, value: Any, symbol: str, *, grad_symbol: str | None = None) -> Any:
        """Put ``symbol`` (and optionally ``grad_symbol``) on the edges that carry ``value``."""
        if id(value) not in self._producers:
            raise GraphError(f"g.name(..., {symbol!r}): this value is not part of the graph yet")
        self._annotations[id(value)] = _Annotation(symbol, grad_symbol)
        for edge in self.edges:
            if edge.value is value:
                edge.symbol, edge.grad_symbol = symbol, grad_symbol
        return value

    def _record_forward(self, layer: Any, args: tuple[Any, ...], out: Any) -> Any:
        node = Node("op", getattr(layer, "symbol", type(layer).__name__), layer=layer)
        for i, arg in enumerate(args):
            producer = self._producers.get(id(arg))
            if producer is None:
                src = Node("const", "", value=arg)
                self.nodes.append(src)
                # Only an array has an identity worth sharing: two literal 2s passed to two
                # layers are one cached int object, yet two separate constants.
                if isinstance(arg, np.ndarray):
                    self._producers[id(arg)] = (src, arg)
            else:
                src = producer[0]
            note = self._annotations.get(id(arg), _Annotation())
            self.edges.append(Edge(src, node, i, arg, note.symbol, note.grad_symbol))
        self.nodes.append(node)
        out = _distinct(out)
        self._producers[id(out)] = (node, out)
        layer.__dict__["_graph_node"] = node
        return out

    # -- reading -----------------------------------------------------------

    @property
    def has_backward(self) -> bool:
        return any(edge.grad is not None for edge in self.edges)

    def _check_finite(self) -> None:
        for edge in self.edges:
            for what, v in (("forward value", edge.value), ("gradient", edge.grad)):
                if v is None:
                    continue
                array = np.asarray(v)
                if array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
                    raise GraphError(
                        f"the edge from {_describe_node(edge.src)} to {_describe_node(edge.dst)} carries a "
                        f"non-finite {what} ({format_value(v)}); a figure cannot show it — check the inputs"
                    )

    def to_digraph(self) -> Any:
        """Build (not render) a ``graphviz.Digraph`` in the book's convention.

        Left to right; operation nodes are circles with their symbol; the
        forward value sits above each edge, the gradient below it, bold, in
        ``BACKWARD_COLOR``. Each edge is drawn through a small label node so
        the line passes between the two numbers.
        """
        import graphviz  # only drawing needs it

        self._check_finite()
        dot = graphviz.Digraph()
        # ordering="in" keeps each node's inputs in argument order from top to
        # bottom (귤 above 귤 개수), as the book draws them.
        dot.attr(rankdir="LR", ordering="in", bgcolor="transparent", nodesep="0.18", ranksep="0.3",
                 fontname=FONT_NAME, pad="0.1")
        dot.attr("node", fontname=FONT_NAME, fontsize="13", color=FORWARD_COLOR, fontcolor=FORWARD_COLOR)
        dot.attr("edge", fontname=FONT_NAME, color=FORWARD_COLOR, arrowsize="0.7")
        names = {id(node): f"n{i}" for i, node in enumerate(self.nodes)}
        for node in self.nodes:
            name = names[id(node)]
            if node.kind == "op":
                short = len(node.label) <= 5
                dot.node(name, label=node.label, shape="circle" if short else "box",
                         style="" if short else "rounded", margin="0.04", width="0.45")
            elif node.kind == "const":
                dot.node(name, label="", shape="point", width="0.04")
            else:
                dot.node(name, label=node.label, shape="plaintext", margin="0.1,0.03")
        for i, edge in enumerate(self.edges):
            mid = f"e{i}"
            dot.node(mid, label=_edge_label_html(edge), shape="plain")
            dot.edge(names[id(edge.src)], f"{mid}:line:w", arrowhead="none", headclip="false")
            dot.edge(f"{mid}:line:e", names[id(edge.dst)], tailclip="false")
        return dot

    def to_dot(self) -> str:
        """The DOT source of :meth:`to_digraph`."""
        return self.to_digraph().source

    def describe(self) -> str:
        """A Korean text alternative: inputs, what each node computed, and the gradients.

        Each node reads as an equation ("사과 100 × 사과 개수 2 = 200"), and the
        gradients as "…쪽으로 2.2": phrasing that never puts a particle right
        after a number, whose form (이/가, 을/를) would depend on how it is read.
        """
        inputs = [n for n in self.nodes if n.kind == "input"]
        parts = ["계산 그래프."]
        if inputs:
            parts.append("입력: " + ", ".join(f"{n.label} {_short(n.value)}" for n in inputs) + ".")
        steps = []
        for node in self.nodes:
            if node.kind != "op":
                continue
            ins = sorted((e for e in self.edges if e.dst is node), key=lambda e: e.arg_index)
            outs = [e for e in self.edges if e.src is node]
            result = _short(outs[0].value) if outs else _short(getattr(node.layer, "_out", None))
            steps.append(f"{_formula(node.label, [_operand(e) for e in ins])} = {result}")
        if steps:
            parts.append("순전파: " + "; ".join(steps) + ".")
        outputs = [n for n in self.nodes if n.kind == "output"]
        if outputs:
            parts.append("출력: " + ", ".join(f"{n.label} {_short(n.value)}" for n in outputs) + ".")
        if self.has_backward:
            seeds = [e for e in self.edges if e.dst.kind == "output" and e.grad is not None]
            flows = [
                f"{_operand(e)} 쪽으로 {_short(e.grad)}"
                for e in self.edges
                if e.dst.kind != "output" and e.grad is not None
            ]
            start = " ".join(f"{e.dst.label}의 기울기 {_short(e.grad)}에서 시작해" for e in seeds)
            parts.append("역전파: " + (start + " " if start else "") + ", ".join(flows) + ".")
        return " ".join(parts)

    def _repr_svg_(self) -> str:
        """Notebook display: render with the ``dot`` binary (figures use the plugin instead)."""
        return self.to_digraph().pipe(format="svg").decode("utf-8")


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


def record_forward(layer: Any, args: tuple[Any, ...], out: Any) -> Any:
    """Called by every layer's forward: record into the active graph, if any."""
    graph = _active.get()
    if graph is None:
        if "_graph_node" in layer.__dict__:
            del layer.__dict__["_graph_node"]  # a later backward belongs to no graph
        return out
    return graph._record_forward(layer, args, out)


def record_backward(layer: Any, dout: Any, grads: Any) -> None:
    """Called by every layer's backward: attach the gradients to the layer's node."""
    node = layer.__dict__.get("_graph_node")
    if node is None:
        return
    node.dout = dout
    node.grads = grads if isinstance(grads, tuple) else (grads,)

