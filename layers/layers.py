"""The layers of chapter 5, one class each, with ``forward`` and ``backward`` side by side.

Naming follows the book: inputs ``x, y``, targets ``t``, the upstream gradient
``dout``, and the gradients a layer hands downstream ``dx, dy`` (``dW, db`` are
kept on the layer for its parameters); ``forward`` stores exactly what
``backward`` needs and ends in ``return out``. Where the book's code is rough,
ours is not: ``Relu.backward`` never writes into the caller's array; ``Affine``
takes one sample (D,), a batch (N, D) or N-D input; ``SoftmaxWithLoss`` takes
one-hot or label targets, treats a 1-D input as one sample and honours
``dout``. What every layer shares (input checks, tracing into a
[`Graph`][layers.Graph]) is in :mod:`layers.base`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from layers.base import BackwardBeforeForwardError, Layer  # noqa: F401 (`from layers.layers import Layer`)
from layers.display import format_value
from layers.functions import _as_float_array, _as_labels, cross_entropy_error, softmax


class MulLayer(Layer):
    """Multiplication node: backward swaps the inputs."""

    symbol = "×"

    def __init__(self) -> None:
        self.x = None
        self.y = None

    def forward(self, x: Any, y: Any) -> Any:
        _broadcast_shape("multiply", x, y)
        self.x, self.y = x, y
        out = x * y
        return out

    def backward(self, dout: Any) -> tuple[Any, Any]:
        dx = _unbroadcast(dout * self.y, np.shape(self.x))  # ∂(xy)/∂x = y
        dy = _unbroadcast(dout * self.x, np.shape(self.y))  # ∂(xy)/∂y = x
        return dx, dy


class AddLayer(Layer):
    """Addition node: backward passes ``dout`` unchanged to both inputs."""

    symbol = "+"

    def __init__(self) -> None:
        self.x_shape: tuple[int, ...] | None = None
        self.y_shape: tuple[int, ...] | None = None

    def forward(self, x: Any, y: Any) -> Any:
        _broadcast_shape("add", x, y)
        self.x_shape, self.y_shape = np.shape(x), np.shape(y)
        out = x + y
        return out

    def backward(self, dout: Any) -> tuple[Any, Any]:
        dx = _unbroadcast(dout * 1, self.x_shape)
        dy = _unbroadcast(dout * 1, self.y_shape)
        return dx, dy


class Negate(Layer):
    """×(−1) node of the sigmoid graph."""

    symbol = "×(−1)"

    def forward(self, x: Any) -> Any:
        out = -x
        return out

    def backward(self, dout: Any) -> Any:
        return -dout


class Exp(Layer):
    """exp node: its local derivative is its own output."""

    symbol = "exp"

    def __init__(self) -> None:
        self.out = None

    def forward(self, x: Any) -> Any:
        with np.errstate(over="ignore"):
            out = np.exp(x)
        if not np.all(np.isfinite(out)):
            worst = np.max(x)  # only +inf can come out of finite x, from the largest x
            raise ValueError(
                f"Exp.forward: exp(x) overflows to inf for x = {worst} (float64 overflows above "
                "x ≈ 709.78); check the input data or lower the learning rate"
            )
        out = out if np.ndim(out) else float(out) if isinstance(x, (int, float)) else out
        self.out = out
        return out

    def backward(self, dout: Any) -> Any:
        return dout * self.out


class AddConst(Layer):
    """+c node (the sigmoid graph's +1): passes ``dout`` through."""

    def __init__(self, c: float = 1) -> None:
        self.c = c
        self.symbol = f"+{c}" if c >= 0 else f"−{-c}"

    def forward(self, x: Any) -> Any:
        out = x + self.c
        return out

    def backward(self, dout: Any) -> Any:
        return dout * 1


class Reciprocal(Layer):
    """'/' node, y = 1/x: local derivative −1/x² = −y²."""

    symbol = "/"

    def __init__(self) -> None:
        self.out = None

    def forward(self, x: Any) -> Any:
        if np.any(np.asarray(x) == 0):
            raise ValueError("Reciprocal.forward: x contains 0, and 1/0 is undefined")
        out = 1 / x
        self.out = out
        return out

    def backward(self, dout: Any) -> Any:
        return -dout * self.out**2


class Square(Layer):
    """**2 node: local derivative 2x."""

    symbol = "**2"

    def __init__(self) -> None:
        self.x = None

    def forward(self, x: Any) -> Any:
        self.x = x
        out = x**2
        return out

    def backward(self, dout: Any) -> Any:
        return dout * 2 * self.x


class Dot(Layer):
    """dot node, X·W: backward gives ∂L/∂X = ∂L/∂Y·Wᵀ and ∂L/∂W = Xᵀ·∂L/∂Y."""

    symbol = "dot"

    def __init__(self) -> None:
        self.x = None
        self.W = None

    def forward(self, x: np.ndarray, W: np.ndarray) -> np.ndarray:
        x, W = np.asarray(x), np.asarray(W)
        if x.ndim not in (1, 2) or W.ndim != 2 or x.shape[-1] != W.shape[0]:
            raise ValueError(
                f"cannot take dot of x with shape {x.shape} and W with shape {W.shape}: "
                "x must be (D,) or (N, D) and W (D, M)"
            )
        self.x, self.W = x, W
        out = np.dot(x, W)  # (M,) or (N, M)
        return out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx = np.dot(dout, self.W.T)  # (D,) or (N, D)
        x2, d2 = np.atleast_2d(self.x), np.atleast_2d(dout)
        dW = np.dot(x2.T, d2)  # (D, M)
        return dx, dW


class Relu(Layer):
    """ReLU: passes the gradient where x > 0, blocks it (0) where x ≤ 0."""

    symbol = "ReLU"

    def __init__(self) -> None:
        self.mask = None

    def forward(self, x: Any) -> Any:
        self.mask = np.asarray(x) <= 0
        out = np.where(self.mask, 0, x)
        if not np.ndim(x):
            # A Python number in gives a Python number out, as MulLayer and Exp do.
            out = out.item() if _is_python_number(x) else out[()]
        return out

    def backward(self, dout: Any) -> Any:
        dx = np.where(self.mask, 0, dout)  # a new array: the caller's dout is never written
        if np.ndim(dout) or np.ndim(self.mask):
            return dx
        return dx.item() if _is_python_number(dout) else dx[()]


class Sigmoid(Layer):
    """Sigmoid as one node: backward is dout · y(1 − y)."""

    symbol = "sigmoid"

    def __init__(self) -> None:
        self.out = None

    def forward(self, x: Any) -> Any:
        with np.errstate(over="ignore"):  # exp(-x) → inf for very negative x gives y = 0, which is right
            out = 1 / (1 + np.exp(-x))
        out = float(out) if _is_python_number(x) else out
        self.out = out
        return out

    def backward(self, dout: Any) -> Any:
        return dout * (1.0 - self.out) * self.out


class Affine(Layer):
    """Affine layer y = x·W + b for one sample (D,), a batch (N, D) or N-D input.

    N-D input (e.g. images (N, C, H, W)) is flattened to (N, D); ``dx`` comes
    back in the input's own shape. ``dW`` and ``db`` are kept on the layer.
    """

    symbol = "Affine"

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(
                f"Affine needs W of shape (D, M) and b of shape (M,), got W {W.shape} and b {b.shape}"
            )
        self.W, self.b = W, b
        self.x = None
        self.x_shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim == 0:
            raise ValueError(
                f"Affine input is a single number ({format_value(x)}), but Affine takes one sample "
                f"of shape (D,) or a batch (N, D) with D = {self.W.shape[0]}: "
                f"pass np.array([{format_value(x)}]) if D is 1"
            )
        self.x_shape = x.shape
        x2 = x.reshape(1, -1) if x.ndim == 1 else x.reshape(x.shape[0], -1)  # (N, D)
        if x2.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"Affine input of shape {x.shape} (D = {x2.shape[1]}) does not fit W of shape "
                f"{self.W.shape} (D = {self.W.shape[0]})"
            )
        self.x = x2
        out = np.dot(x2, self.W) + self.b  # (N, M)
        if x.ndim == 1:
            out = out[0]  # one sample in, one sample out: (M,)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        d2 = np.atleast_2d(dout)  # (N, M)
        dx = np.dot(d2, self.W.T)  # (N, D)
        self.dW = np.dot(self.x.T, d2)  # (D, M)
        self.db = np.sum(d2, axis=0)  # (M,)
        return dx.reshape(self.x_shape)


class SoftmaxWithLoss(Layer):
    """Softmax followed by cross-entropy; backward is (y − t) · dout / N.

    ``t`` may be one-hot (same shape as ``x``) or integer labels. A 1-D ``x``
    is one sample, so the gradient is not divided by the number of classes.
    """

    symbol = "Softmax-with-Loss"

    def __init__(self) -> None:
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None
        self.loss: float | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        x = _as_float_array(x)  # float32 scores stay float32, as do their gradients
        t = np.asarray(t)
        single = x.ndim == 1
        x2 = x[np.newaxis, :] if single else x  # (N, C)
        if single and t.ndim == 0:
            t = t.reshape(1)
        elif single and t.shape == x.shape:
            t = t[np.newaxis, :]
        elif single and t.shape != (1,):
            # Checked here so the message names the caller's shapes, not the (1, C) view.
            raise ValueError(
                f"targets of shape {t.shape} do not fit one sample of scores of shape {x.shape}: "
                f"pass a one-hot target of shape {x.shape} or one integer label"
            )
        self.labels = _as_labels(x2, t)  # validates the shapes
        self.single = single
        self.y = softmax(x2)
        self.t = t
        self.loss = cross_entropy_error(self.y, self.labels)
        out = self.loss
        return out

    def backward(self, dout: float = 1.0) -> np.ndarray:
        batch_size = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.labels] -= 1  # y − t
        dx = (dx * dout / batch_size).astype(self.y.dtype, copy=False)
        return dx[0] if self.single else dx


# -- helpers the layers above share ----------------------------------------

def _broadcast_shape(op: str, x: Any, y: Any) -> tuple[int, ...]:
    shape_x, shape_y = np.shape(x), np.shape(y)
    if shape_x == shape_y:  # the usual case needs no broadcasting rules
        return shape_x
    try:
        return np.broadcast_shapes(np.shape(x), np.shape(y))
    except ValueError:
        raise ValueError(
            f"cannot {op} operands of shapes {np.shape(x)} and {np.shape(y)}: "
            "their shapes must match or broadcast"
        ) from None


def _unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``."""
    if np.shape(grad) == shape:
        return grad
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad if shape else grad[()]


def _is_python_number(x: Any) -> bool:
    # bool is an int but not a number here; numpy scalars keep their own type.
    return type(x) in (int, float)
