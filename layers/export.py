"""A recorded graph as plain data, and the graph the real layers compute from it.

A figure that readers can step through and recompute in the browser needs
what the graph recorded, not its drawing: the operations in recording order,
their parameters, the named inputs with their build-time values, and which
edge carries which value. :func:`export_graph` (``Graph.export()``) writes
that as JSON-able data; :func:`rebuild` runs the same operations again with
fresh layers of ``layers.layers``, optionally with other input values, so the
numbers a page computes can be checked against the library's own.

The data (``EXPORT_VERSION`` 1)::

    {"version": 1,
     "nodes": [{"kind": "input", "label": "사과", "value": V, "editable": true},
               {"kind": "const", "value": V},
               {"kind": "op", "op": "mul", "label": "×"},
               {"kind": "op", "op": "add_const", "label": "+1", "params": {"c": V}},
               {"kind": "output", "label": "지불 금액"}, ...],
     "edges": [{"src": 0, "dst": 2, "arg": 0, "grad": true,
                "symbol": null, "grad_symbol": "∂L/∂x"}, ...],
     "seeds": [{"node": 4, "value": V}, ...],
     "direction": "LR"}

``V`` is ``{"shape": [..], "values": [..flat, C order..], "dtype": "int"|"float"}``
(shape ``[]`` for a number). Edges are listed in the graph's recording order,
the order ``Graph.edges`` and the drawing use, so edge *i* here is edge *i*
there. ``"grad": true`` marks edges that showed a gradient at build time.
A seed is the upstream gradient a layer's ``backward`` was called with from
outside the graph (usually the 1 at the output); every other layer's upstream
gradient is the sum of the gradients its consumers handed back. ``direction`` is
how the figure is laid out ("LR" or "TB"), so a page rewriting its numbers keeps
them aligned as drawn.

An op's name is the layer class's: only the layers of this library, by exact
class (a subclass may compute something else), can be exported. A graph with
another layer, more numbers than :data:`MAX_NUMBERS`, or gradients that were
not passed along the graph raises :class:`ExportError` saying which.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from layers import layers as L
from layers.drawing import SMALL_ARRAY
from layers.graph import Graph, GraphError, Node

__all__ = ["EXPORT_VERSION", "MAX_EDITABLE", "MAX_NUMBERS", "ExportError", "decode", "export_graph", "rebuild"]

EXPORT_VERSION = 1
# All numbers a graph carries into the page (inputs, constants, parameters, seeds):
# beyond this the page would carry a network's weights, not a figure's data.
MAX_NUMBERS = 256
# An input gets number fields only if it has at most this many elements
# (the arrays whose values the drawing shows).
MAX_EDITABLE = SMALL_ARRAY


class ExportError(GraphError):
    """A graph cannot be exported for recomputation; the message says why."""


# op name -> (layer class, its parameters, how to build one from them)
_OPS: dict[str, tuple[type, Callable[[Any], dict[str, Any]], Callable[[dict[str, Any]], Any]]] = {
    "mul": (L.MulLayer, lambda layer: {}, lambda p: L.MulLayer()),
    "add": (L.AddLayer, lambda layer: {}, lambda p: L.AddLayer()),
    "negate": (L.Negate, lambda layer: {}, lambda p: L.Negate()),
    "exp": (L.Exp, lambda layer: {}, lambda p: L.Exp()),
    "add_const": (L.AddConst, lambda layer: {"c": layer.c}, lambda p: L.AddConst(p["c"])),
    "reciprocal": (L.Reciprocal, lambda layer: {}, lambda p: L.Reciprocal()),
    "square": (L.Square, lambda layer: {}, lambda p: L.Square()),
    "dot": (L.Dot, lambda layer: {}, lambda p: L.Dot()),
    "relu": (L.Relu, lambda layer: {}, lambda p: L.Relu()),
    "sigmoid": (L.Sigmoid, lambda layer: {}, lambda p: L.Sigmoid()),
    "affine": (L.Affine, lambda layer: {"W": layer.W, "b": layer.b}, lambda p: L.Affine(p["W"], p["b"])),
    "softmax_with_loss": (L.SoftmaxWithLoss, lambda layer: {}, lambda p: L.SoftmaxWithLoss()),
}
_OP_OF_CLASS = {cls: name for name, (cls, _, _) in _OPS.items()}
# Arguments that are labels, not quantities: a reader cannot change them by a small amount.
_LABEL_ARGS = {("softmax_with_loss", 1)}


def export_graph(graph: Graph) -> dict[str, Any]:
    """``graph`` as JSON-able data (see the module docstring); ExportError if it cannot be."""
    index = {id(node): i for i, node in enumerate(graph.nodes)}
    counter = _Counter()
    nodes: list[dict[str, Any]] = []
    for node in graph.nodes:
        if node.kind == "op":
            op = _OP_OF_CLASS.get(type(node.layer))
            if op is None:
                raise ExportError(
                    f"the node {node.label!r} is a {type(node.layer).__name__}, which the page cannot "
                    f"recompute; only these layers can: {', '.join(c.__name__ for c in _OP_OF_CLASS)}"
                )
            entry: dict[str, Any] = {"kind": "op", "op": op, "label": node.label}
            params = _OPS[op][1](node.layer)
            if params:
                entry["params"] = {k: counter.encode(v, f"parameter {k} of {node.label!r}") for k, v in params.items()}
            nodes.append(entry)
        elif node.kind == "input":
            value = counter.encode(node.value, f"input {node.label!r}")
            nodes.append({"kind": "input", "label": node.label, "value": value,
                          "editable": _editable(graph, node, value)})
        elif node.kind == "const":
            nodes.append({"kind": "const", "value": counter.encode(node.value, "a constant")})
        else:
            nodes.append({"kind": "output", "label": node.label})
    edges = []
    for edge in graph.edges:
        edges.append({"src": index[id(edge.src)], "dst": index[id(edge.dst)], "arg": edge.arg_index,
                      "grad": edge.grad is not None, "symbol": edge.symbol, "grad_symbol": edge.grad_symbol})
    seeds = [{"node": index[id(node)], "value": counter.encode(node.dout, f"the gradient given to {node.label!r}")}
             for node in _seed_nodes(graph)]
    return {"version": EXPORT_VERSION, "nodes": nodes, "edges": edges, "seeds": seeds,
            "direction": getattr(graph, "direction", "LR")}


def _editable(graph: Graph, node: Node, value: dict[str, Any]) -> bool:
    if len(value["values"]) > MAX_EDITABLE:
        return False
    for edge in graph.edges:
        if edge.src is node and edge.dst.kind == "op":
            if (_OP_OF_CLASS.get(type(edge.dst.layer)), edge.arg_index) in _LABEL_ARGS:
                return False
    return True


def _seed_nodes(graph: Graph) -> list[Node]:
    """Ops whose backward got its upstream gradient from outside the graph.

    Every other op that ran backward must have received the sum of what its
    consumers handed back, or the page could not recompute its gradients.
    """
    seeds = []
    for node in graph.nodes:
        if node.kind != "op" or node.grads is None:
            continue
        back = [e.grad for e in graph.edges if e.src is node and e.dst.kind == "op" and e.grad is not None]
        if not back:
            seeds.append(node)
            continue
        total = back[0]
        for grad in back[1:]:
            total = total + grad
        if np.shape(total) != np.shape(node.dout) or not np.allclose(total, node.dout, rtol=1e-12, atol=0):
            raise ExportError(
                f"the {node.label!r} node's backward received a gradient other than the sum of the "
                "gradients its consumers handed back; pass each layer's result on to the next backward"
            )
    return seeds


class _Counter:
    def __init__(self) -> None:
        self.total = 0

    def encode(self, value: Any, what: str) -> dict[str, Any]:
        array = np.asarray(value)
        if array.dtype.kind in "iu":
            dtype, values = "int", [int(v) for v in array.ravel()]
        elif array.dtype.kind == "f":
            dtype, values = "float", [float(v) for v in array.ravel()]
        else:
            raise ExportError(f"{what} is of type {type(value).__name__} (dtype {array.dtype}); only "
                              "integer and real numbers and arrays of them can be recomputed")
        if dtype == "float" and not np.all(np.isfinite(array)):
            raise ExportError(f"{what} is not finite")
        self.total += len(values)
        if self.total > MAX_NUMBERS:
            raise ExportError(
                f"the graph carries more than {MAX_NUMBERS} numbers (at {what}, shape {array.shape}); "
                "a figure this large is shown as drawn, without recomputation"
            )
        return {"shape": list(array.shape), "values": values, "dtype": dtype}


def decode(value: dict[str, Any]) -> Any:
    """An exported value back as Python data: a Python number for shape [], else an array."""
    dtype = int if value["dtype"] == "int" else float
    if not value["shape"]:
        return dtype(value["values"][0])
    return np.array(value["values"], dtype=np.int64 if dtype is int else np.float64).reshape(value["shape"])


def rebuild(data: dict[str, Any], inputs: dict[int, Any] | None = None) -> Graph:
    """Run the exported graph again with fresh layers, traced into a new :class:`Graph`.

    ``inputs`` maps an input node's index to the value to use instead of its
    build-time one. Forward runs in recording order; backward runs (in reverse)
    on the ops that ran it at build time, each receiving its seed or the sum
    of the gradients its consumers handed back.
    """
    if data.get("version") != EXPORT_VERSION:
        raise ExportError(f"export version {data.get('version')!r} is not {EXPORT_VERSION}")
    inputs = inputs or {}
    nodes, edges = data["nodes"], data["edges"]
    layers: dict[int, Any] = {}
    values: dict[int, Any] = {}
    g = Graph()
    with g:
        for i, node in enumerate(nodes):
            kind = node["kind"]
            if kind == "input":
                values[i] = g.input(inputs.get(i, decode(node["value"])), node["label"])
            elif kind == "const":
                values[i] = decode(node["value"])
            elif kind == "op":
                params = {k: decode(v) for k, v in node.get("params", {}).items()}
                layers[i] = _OPS[node["op"]][2](params)
                args = sorted((e for e in edges if e["dst"] == i), key=lambda e: e["arg"])
                values[i] = layers[i].forward(*(values[e["src"]] for e in args))
            else:
                src = next(e["src"] for e in edges if e["dst"] == i)
                g.output(values[src], node["label"])
    for edge, new in zip(edges, g.edges):  # symbols are part of what the figure shows
        new.symbol, new.grad_symbol = edge["symbol"], edge["grad_symbol"]
    seeds = {s["node"]: decode(s["value"]) for s in data["seeds"]}
    with_backward = {e["dst"] for e in edges if e["grad"] and nodes[e["dst"]]["kind"] == "op"} | set(seeds)
    grads_of: dict[int, tuple[Any, ...]] = {}
    for i in sorted(with_backward, reverse=True):
        if i in seeds:
            dout = seeds[i]
        else:
            back = [grads_of[e["dst"]][e["arg"]] for e in edges
                    if e["src"] == i and e["dst"] in grads_of]
            dout = back[0]
            for grad in back[1:]:
                dout = dout + grad
        result = layers[i].backward(dout)
        grads_of[i] = result if isinstance(result, tuple) else (result,)
    return g
