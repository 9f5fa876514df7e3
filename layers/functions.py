"""Functions the layers are built from: softmax, cross-entropy, numerical gradient."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np


def all_finite(value: Any) -> bool:
    """Whether ``value`` (a number or an array) holds no nan or inf."""
    # Python scalars are the common case in the chapter's small graphs, arrays in a
    # network's layers: both are checked without ``np.asarray``/``np.all``'s dispatch,
    # which was most of the check's cost (a layer call checks its inputs and output).
    kind = type(value)
    if kind is int or kind is bool:
        return True
    if kind is float:
        return math.isfinite(value)
    array = value if kind is np.ndarray else np.asarray(value)
    return array.dtype.kind not in "fc" or bool(_ALL(np.isfinite(array), axis=None))


_ALL = np.logical_and.reduce  # np.all without its Python-level dispatch


def check_finite(name: str, value: np.ndarray | float) -> None:
    """Raise ``ValueError`` if ``value`` holds nan or inf: no layer can take them."""
    if all_finite(value):
        return
    array = np.asarray(value)
    bad = array[~np.isfinite(array)].ravel()[0]
    raise ValueError(
        f"{name} contains a non-finite value ({bad}); "
        "check the input data or lower the learning rate"
    )


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; (C,) for one sample or (N, C) for a batch.

    Subtracting the row maximum first keeps ``exp`` from overflowing and does
    not change the result.
    """
    x = _as_float_array(x)
    check_finite("softmax input", x)
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _as_float_array(x: Any) -> np.ndarray:
    """``x`` as an array of floats, keeping a float dtype it already has (float32 stays float32)."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(float)


def _as_labels(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Turn one-hot targets into class labels; validate shapes against ``y`` (N, C)."""
    t = np.asarray(t)
    if t.shape == y.shape:  # one-hot
        # Soft or malformed targets would silently become their argmax: refuse them.
        if not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1)):
            raise ValueError(
                f"targets of shape {t.shape} are not one-hot: each row needs exactly one 1 "
                "and 0 elsewhere (or pass integer class labels instead)"
            )
        return t.argmax(axis=1)
    if t.shape == (y.shape[0],) and t.dtype.kind not in "iu":
        # The right shape for labels but not integers (0.0, 2.0 or True): a type problem.
        shown = t.tolist() if t.size <= 6 else t[:6].tolist() + ["..."]
        raise ValueError(
            f"class labels must be integers, got dtype {t.dtype} ({shown}): "
            f"pass t.astype(int) if they are whole numbers, or one-hot targets of shape {y.shape}"
        )
    if t.shape == (y.shape[0],):
        if np.any((t < 0) | (t >= y.shape[1])):
            raise ValueError(f"labels must lie in 0..{y.shape[1] - 1}, got {t.tolist()}")
        return t
    raise ValueError(
        f"targets of shape {t.shape} do not fit scores of shape {y.shape}: "
        f"pass one-hot targets of shape {y.shape} or integer labels of shape ({y.shape[0]},)"
    )


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """Mean cross-entropy of probabilities ``y`` against one-hot or label targets ``t``.

    A 1-D ``y`` is one sample (not a batch of C samples).
    """
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if y.ndim == 1:
        if t.shape == y.shape:  # one one-hot target
            t = t.reshape(1, -1)
        elif t.size == 1:  # one label
            t = t.reshape(1)
        else:
            raise ValueError(
                f"targets of shape {t.shape} do not fit one sample of probabilities of shape {y.shape}: "
                f"pass a one-hot target of shape {y.shape} or one integer label"
            )
        y = y[np.newaxis, :]  # (1, C)
    labels = _as_labels(y, t)
    batch_size = y.shape[0]
    delta = 1e-7  # log(0) would be -inf
    return float(-np.sum(np.log(y[np.arange(batch_size), labels] + delta)) / batch_size)


def numerical_gradient(
    f: Callable[[Any], float], x: np.ndarray | float, h: float = 1e-4
) -> np.ndarray | float:
    """Central-difference gradient of scalar ``f`` at ``x``, of ``x``'s shape.

    A Python or numpy scalar ``x`` gives a float: (f(x + h) − f(x − h)) / 2h.
    An array ``x`` is perturbed in place one element at a time (so ``f`` may
    close over it, as the book's networks do) and every element is restored
    afterwards, even if ``f`` raises.
    """
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_)):
        x = float(x)
        return float((f(x + h) - f(x - h)) / (2 * h))
    if not isinstance(x, np.ndarray):
        raise TypeError(f"numerical_gradient needs a number or a float numpy array, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(
            f"numerical_gradient needs a float array, got dtype {x.dtype}: "
            "an integer array cannot hold x + h (use x.astype(float))"
        )
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        original = x[idx].copy()
        try:
            x[idx] = original + h
            f_plus = f(x)
            x[idx] = original - h
            f_minus = f(x)
        finally:
            x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
