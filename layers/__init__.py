"""The textbook's own library: the layers chapter 5 teaches, and the graphs they draw.

Nothing here knows about MkDocs; the pages import this package as readers would.
"""
from __future__ import annotations

from layers.display import format_value
from layers.functions import cross_entropy_error, numerical_gradient, softmax
from layers.graph import Graph, GraphError
from layers.layers import (
    Affine,
    AddConst,
    AddLayer,
    BackwardBeforeForwardError,
    Dot,
    Exp,
    Layer,
    MulLayer,
    Negate,
    Reciprocal,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    Square,
)

__all__ = [
    "Affine", "AddConst", "AddLayer", "BackwardBeforeForwardError", "Dot", "Exp", "Graph",
    "GraphError", "Layer", "MulLayer", "Negate", "Reciprocal", "Relu", "Sigmoid",
    "SoftmaxWithLoss", "Square", "cross_entropy_error", "format_value", "numerical_gradient",
    "softmax",
]
