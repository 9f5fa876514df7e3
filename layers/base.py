"""The base every layer shares: ``Layer`` and the checks and tracing around each call.

A layer of :mod:`layers.layers` writes ``forward`` and ``backward`` as the book
does; ``Layer.__init_subclass__`` wraps them so that the arguments are checked
first (numpy arrays or numbers, finite: Python lists and tuples are refused,
since ``*`` would repeat them and ``+`` join them), a forward that raises leaves
the layer as it was (so a later backward answers for the last forward that
succeeded), ``backward`` before ``forward`` or with a ``dout`` of the wrong shape
is refused, and each call is recorded into the active [`Graph`][layers.Graph]
(see :mod:`layers.graph`); outside a graph the tracing costs one context-variable
lookup per call.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from layers.functions import all_finite, check_finite
from layers import graph as _graph


class BackwardBeforeForwardError(RuntimeError):
    """``backward`` was called on a layer whose ``forward`` has not run."""


def _traced_forward(forward: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(forward)
    def wrapper(self: Layer, *args: Any) -> Any:
        # Every layer call passes here (a numerical gradient makes thousands): the
        # checks are cheap, and messages are only written for a value that fails.
        for i, arg in enumerate(args):
            if isinstance(arg, (list, tuple)):
                # x * 3 repeats a list and x + y joins two: never what a layer means.
                raise TypeError(
                    f"{type(self).__name__}.forward: argument {i + 1} is a Python {type(arg).__name__}, which "
                    "layers would repeat or join instead of computing with element by element; "
                    f"pass a numpy array: np.array({_short_repr(arg)})"
                )
            if not all_finite(arg):
                check_finite(f"{type(self).__name__}.forward: argument {i + 1}", arg)
        # A rejected forward leaves the layer as it was: a later backward must not
        # return gradients for inputs that were refused halfway through.
        before = dict(self.__dict__)
        try:
            out = forward(self, *args)
            # Finite inputs can still overflow (x**2 for x = 1e200); say so here rather
            # than let inf/nan travel on into the next layer's numbers.
            if not all_finite(out):
                check_finite(f"{type(self).__name__}.forward: the result", out)
            # Proof that forward ran, and the output whose shape backward checks dout against.
            self._forward_done = True
            self._out = out
            return _graph.record_forward(self, args, out)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    return wrapper


def _traced_backward(backward: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(backward)
    def wrapper(self: Layer, dout: Any = 1.0) -> Any:
        if not self._forward_done:
            raise BackwardBeforeForwardError(
                f"{type(self).__name__}.backward() was called before forward(): "
                "run forward first, so the layer has the values backward needs"
            )
        if not all_finite(dout):
            check_finite(f"{type(self).__name__}.backward: dout", dout)
        _graph.check_inputs_unchanged(self)
        expected = np.shape(self._out)
        if np.shape(dout) != expected and np.ndim(dout) != 0:
            raise ValueError(
                f"{type(self).__name__}.backward: dout has shape {np.shape(dout)}, "
                f"but forward produced shape {expected}; pass a gradient of the output's shape"
            )
        if np.ndim(dout) == 0 and expected != ():
            # A scalar seed, backward(1), on an array output means 1 for every element.
            # Layers transpose, index and unbroadcast dout, so they need the full array:
            # a bare scalar gave Dot/AddLayer/AddConst gradients of the wrong shape.
            dout = np.full(expected, dout, dtype=float)
        grads = backward(self, dout)
        _graph.record_backward(self, dout, grads)
        return grads

    return wrapper


class Layer:
    """Base of every layer: wraps ``forward``/``backward`` so graphs can trace them.

    A subclass writes ``forward`` as the book does, ending in ``return out``;
    the wrapper checks the numbers, remembers that forward ran (and the output's
    shape, which ``backward`` checks ``dout`` against) and records the call into
    the active graph.
    """

    symbol = "?"  # what a graph draws inside this layer's node

    _forward_done = False
    _out: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:
            cls.forward = _traced_forward(cls.__dict__["forward"])  # type: ignore[method-assign]
        if "backward" in cls.__dict__:
            cls.backward = _traced_backward(cls.__dict__["backward"])  # type: ignore[method-assign]


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
