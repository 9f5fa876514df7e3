"""What a traced computation graph is made of: its nodes, its edges, and traced numbers.

A [`Graph`][layers.Graph] (see :mod:`layers.graph`, which records them) is a list
of ``Node`` boxes (named inputs and outputs, unnamed constants, layers) joined by
``Edge`` objects that carry the value a producer returned and, after backward,
the gradient its consumer handed back. An edge keeps a copy of an array value
as the layer received it, so a later change in place is caught rather than
drawn. ``TracedFloat`` and ``TracedInt`` give the Python numbers traced layers
return an identity of their own, since the graph links a value to its producer
by identity and Python shares small ints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Edge", "Node", "TracedFloat", "TracedInt"]


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
    # Copies of the arrays among dout and grads, as backward returned them.
    recorded_grads: tuple[Any, ...] | None = field(default=None, repr=False)
    inputs: list[Edge] = field(default_factory=list, repr=False)  # the edges into a layer, by argument


@dataclass(eq=False)
class Edge:
    src: Node
    dst: Node
    arg_index: int  # which argument of dst this edge feeds (0 for outputs)
    value: Any
    symbol: str | None = None
    grad_symbol: str | None = None
    # A copy of an array value as the layer received it: changing the array in
    # place afterwards is an error (see Graph.check_unchanged), not a silent redraw.
    recorded: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.value, np.ndarray) and self.recorded is None:
            self.recorded = self.value.copy()

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
