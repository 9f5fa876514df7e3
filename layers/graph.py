"""Computation graphs traced from real layer calls.

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
(drawn by ``layers.drawing``, as is ``describe()``) builds (never renders) the Digraph, using only ``FORWARD_COLOR``,
``BACKWARD_COLOR``, ``MUTED_COLOR``, ``FONT_NAME`` and ``MATH_FONT``; ``Graph(direction="TB")``
draws it top to bottom; a nan or inf on an edge raises
[`GraphError`][layers.GraphError] naming the edge. A layer called outside any ``with Graph()``
is not traced at all and returns plain values.

Mistakes that would draw a wrong figure are refused with [`GraphError`][layers.GraphError]: an
input named with ``g.input`` that no layer took (the original value was passed on
instead of the returned one), one object named twice (``g.input(x, "a")`` and
``g.input(x, "b")``: pass ``x.copy()``), one layer instance used for two nodes (a
layer keeps one forward's values for its backward), and an array changed in place
after a layer used it (checked before backward and before drawing).

Python numbers returned by traced layers come back as ``float``/``int``
subclasses that behave exactly like the originals; they exist because small
ints are shared objects in Python (``100 * 2 is 200``), and the graph links a
value to its producer by identity.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from layers.display import format_value
# Node, Edge and the traced numbers live in layers.nodes; drawing, export and
# callers keep importing them from here.
from layers.nodes import Edge, Node, TracedFloat, TracedInt, _Annotation, _distinct  # noqa: F401

FORWARD_COLOR = "#000000"
BACKWARD_COLOR = "#c62828"
FONT_NAME = "NanumGothic"
# The quiet colour of an array's shape on an edge.
MUTED_COLOR = "#5f6368"
# Symbols (∂L/∂z, Wᵀ) are set in the face the site's formulas use: NanumGothic's ∂
# reads as a schwa. Debian's fonts-dejavu-extra.
MATH_FONT = "DejaVu Math TeX Gyre"

_active: contextvars.ContextVar[Graph | None] = contextvars.ContextVar("active_graph", default=None)


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
    # How the figure is laid out: "LR" (left to right, the book's way) or "TB" (top to
    # bottom, for a long chain that would not fit a column): Graph(direction="TB").
    direction: str = field(default="LR", kw_only=True)

    def __post_init__(self) -> None:
        if self.direction not in ("LR", "TB"):
            raise GraphError(f"Graph(direction={self.direction!r}): a graph is drawn 'LR' (left to right) "
                             "or 'TB' (top to bottom)")

    # -- recording ---------------------------------------------------------

    def __enter__(self) -> Graph:
        if self._token is not None:
            raise GraphError("this Graph is already being recorded; use a new Graph() for a new figure")
        self._token = _active.set(self)
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        _active.reset(self._token)
        self._token = None
        if exc_type is None:
            self._check_inputs_used()

    def _check_inputs_used(self) -> None:
        # A named input no layer took is almost always the original value passed
        # instead of the object g.input returned: the figure would show the input
        # unconnected and the layer fed by an unnamed constant.
        used = {id(edge.src) for edge in self.edges}
        for node in self.nodes:
            if node.kind == "input" and id(node) not in used:
                raise GraphError(
                    f"g.input({format_value(node.value)}, {node.label!r}) was never passed to a layer: "
                    "pass on the value g.input returns, not the original "
                    f"(write `x = g.input(x, {node.label!r})` and then `layer.forward(x)`), "
                    "or remove the unused input"
                )

    def input(self, value: Any, label: str, *, symbol: str | None = None, grad_symbol: str | None = None) -> Any:
        """Name ``value`` as an input called ``label``; returns the value to pass on."""
        if isinstance(value, (list, tuple)):
            raise GraphError(
                f"g.input(..., {label!r}): a Python {type(value).__name__} cannot be an input, since "
                "layers would repeat or join it instead of computing with it; "
                f"pass np.array({_short_repr(value)})"
            )
        existing = self._producers.get(id(value))
        if existing is not None:
            node = existing[0]
            if node.kind == "input":
                why = f"it is already the input {node.label!r}"
            elif node.kind == "op":
                why = f"it is the output of the {node.label} layer"
            else:
                why = "a layer already took it as an unnamed constant"
            raise GraphError(
                f"g.input(..., {label!r}): this object is already in the graph ({why}); one object is one "
                f"value in the figure. For a second input with the same numbers pass a copy, "
                f"g.input(x.copy(), {label!r}); to label an edge use g.name(value, symbol)"
            )
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
        previous = layer.__dict__.get("_graph_node")
        if previous is not None and any(node is previous for node in self.nodes):
            name = type(layer).__name__
            raise GraphError(
                f"{name}.forward: this {name} instance is already a node ({previous.label}) of this graph; "
                "a layer keeps only its last forward's values for backward, so the earlier node would get "
                f"no gradients. Create one layer per node (e.g. `a, b = {name}(...), {name}(...)`)"
            )
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
            edge = Edge(src, node, i, arg, note.symbol, note.grad_symbol)
            self.edges.append(edge)
            node.inputs.append(edge)
        self.nodes.append(node)
        out = _distinct(out)
        self._producers[id(out)] = (node, out)
        layer.__dict__["_graph_node"] = node
        return out

    # -- reading -----------------------------------------------------------

    @property
    def has_backward(self) -> bool:
        return any(edge.grad is not None for edge in self.edges)

    def check_unchanged(self) -> None:
        """Raise :class:`GraphError` if an array recorded on an edge was changed in place since.

        The layers computed with the numbers they were given; an array changed
        afterwards (``x[0] = 5``, ``x += 1``) would make the figure show numbers no
        layer saw. Drawing and ``describe()`` check this first.
        """
        for edge in self.edges:
            if edge.recorded is not None and not _same_array(edge.value, edge.recorded):
                raise GraphError(
                    f"the array on the edge {_where(edge)} was changed in place after a layer used it "
                    f"(recorded {format_value(edge.recorded)}, now {format_value(edge.value)}); the layers "
                    "computed with the recorded numbers. Change a copy instead (x = x.copy()), "
                    "or make the change before the forward pass"
                )
        for node in self.nodes:
            if node.recorded_grads is None:
                continue
            for i, (now, then) in enumerate(zip((node.dout, *(node.grads or ())), node.recorded_grads)):
                if then is not None and not _same_array(now, then):
                    what = "the gradient it received" if i == 0 else f"gradient {i} it returned"
                    raise GraphError(
                        f"{what} at the {node.label} node was changed in place after backward "
                        f"(recorded {format_value(then)}, now {format_value(now)}); "
                        "change a copy instead (d = d.copy())"
                    )

    def figure_style(self) -> dict[str, str]:
        """How figures of this graph are drawn: each colour's role (forward, backward) and the font.

        A figure renderer reads this from the drawable it is given, so it never
        has to import this library to know which colours to restyle.
        """
        return {"colors": {"forward": FORWARD_COLOR, "backward": BACKWARD_COLOR, "muted": MUTED_COLOR},
                "font": FONT_NAME}

    def to_digraph(self) -> Any:
        """Build (not render) a ``graphviz.Digraph`` in the book's convention (see ``layers.drawing``)."""
        from layers import drawing  # drawing reads the graph; the graph only points at it

        self.check_unchanged()
        return drawing.to_digraph(self, direction=self.direction)

    def to_dot(self) -> str:
        """The DOT source of [`to_digraph`][layers.Graph.to_digraph]."""
        return self.to_digraph().source

    def describe(self) -> str:
        """A Korean text alternative naming every value (see ``layers.drawing``)."""
        from layers import drawing

        self.check_unchanged()
        return drawing.describe(self)

    def export(self) -> dict[str, Any]:
        """What the graph recorded, as JSON-able data a page can recompute (see :mod:`layers.export`).

        Operations in recording order with their parameters, the named inputs
        with their values, and which edge carries what; ``ExportError`` if a
        layer or value cannot be recomputed outside Python.
        """
        from layers import export

        return export.export_graph(self)

    def _repr_svg_(self) -> str | None:
        """Notebook display: render with the ``dot`` binary (figures use the plugin instead).

        None where the ``graphviz`` package or its ``dot`` binary is missing: the
        notebook then shows the text alternative (``_repr_pretty_``) instead.
        """
        try:
            import graphviz

            return self.to_digraph().pipe(format="svg").decode("utf-8")
        except ImportError:
            return None
        except graphviz.ExecutableNotFound:
            return None

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Notebook text display: the graph described in words (``describe``)."""
        printer.text(self.describe())


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
    node.recorded_grads = tuple(v.copy() if isinstance(v, np.ndarray) else None for v in (dout, *node.grads))


def check_inputs_unchanged(layer: Any) -> None:
    """Before a traced layer's backward: its recorded inputs must still hold their numbers."""
    node = layer.__dict__.get("_graph_node")
    if node is None:
        return
    for edge in node.inputs:
        if edge.recorded is not None and not _same_array(edge.value, edge.recorded):
            raise GraphError(
                f"{type(layer).__name__}.backward: the array on the edge {_where(edge)} was changed in place "
                f"after forward (recorded {format_value(edge.recorded)}, now {format_value(edge.value)}), "
                "so backward would compute with numbers forward never saw. Change a copy instead "
                "(x = x.copy()), or run forward again"
            )


def _same_array(now: Any, then: np.ndarray) -> bool:
    now = np.asarray(now)
    return now.shape == then.shape and now.dtype == then.dtype and bool(np.array_equal(now, then, equal_nan=True))


def _where(edge: Edge) -> str:
    def name(node: Node) -> str:
        return node.label or ("a constant" if node.kind == "const" else node.kind)

    return f"{name(edge.src)} → {name(edge.dst)}"


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

