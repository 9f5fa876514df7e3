"""How the textbook shows a number: in prose, in tables and on figure edges.

One rule everywhere, so a value reads the same in a sentence and on the graph
that produced it: at most six significant digits, trailing zeros dropped,
whole numbers as integers, and never a ``np.float64(...)`` wrapper.

    >>> format_value(220.00000000000003)
    '220'
    >>> format_value(3.3000000000000003)
    '3.3'
    >>> format_value(np.array([[1.0, -0.0], [0.5, 3.0]]))
    '[[1, 0], [0.5, 3]]'
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

SIGNIFICANT_DIGITS = 6
# Outside this range of magnitudes a plain decimal gets unreadable
# (0.0000001234, 123400000000000000), so scientific notation takes over.
_PLAIN_MIN = 1e-4
_PLAIN_MAX = 1e15


def format_float(x: float) -> str:
    """Format one real number by the site's rule."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"  # also turns -0.0 into "0"
    magnitude = abs(x)
    if _PLAIN_MIN <= magnitude < _PLAIN_MAX:
        rounded = float(f"{x:.{SIGNIFICANT_DIGITS}g}")
        if rounded.is_integer():
            return str(int(rounded))
        # Fixed notation with enough decimals for six significant digits,
        # then strip the zeros that rounding left behind.
        decimals = max(0, SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(rounded))))
        text = f"{rounded:.{decimals}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    mantissa, exponent = f"{x:.{SIGNIFICANT_DIGITS - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def format_value(value: Any) -> str:
    """Format any value the way the site shows it.

    Floats (Python or numpy, any dtype) by ``format_float``; numpy
    integers and booleans as plain Python ones; arrays element by element in
    nested brackets; tuples and lists recursively (so ``W.shape`` reads
    ``(2, 3)``); anything else by ``str``.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return format_float(float(value))
    if isinstance(value, (complex, np.complexfloating)):
        return str(complex(value))
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return format_value(value[()])
        return _format_array(value)
    if isinstance(value, tuple):
        inner = ", ".join(format_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def _format_array(array: np.ndarray) -> str:
    if array.ndim == 1:
        return "[" + ", ".join(format_value(v) for v in array) + "]"
    return "[" + ", ".join(_format_array(row) for row in array) + "]"
