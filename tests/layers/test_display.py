"""The site's one rule for showing numbers (expected strings written from the rule by hand)."""
from __future__ import annotations

import numpy as np
import pytest

from layers.display import format_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (220.00000000000003, "220"),
        (3.3000000000000003, "3.3"),
        (0.19661193, "0.196612"),
        (-0.5344466, "-0.534447"),
        (2.0, "2"),
        (110.00000000000001, "110"),
        (-0.0, "0"),
        (0.25, "0.25"),
        (12345.678, "12345.7"),
        (0.000123456789, "0.000123457"),
        (1e-7, "1e-7"),
        (2.5e20, "2.5e20"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (715, "715"),
        (True, "True"),
    ],
)
def test_scalars(value: object, expected: str) -> None:
    assert format_value(value) == expected


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
def test_numpy_floats_follow_the_same_rule(dtype: type) -> None:
    assert format_value(dtype(0.25)) == "0.25"
    assert format_value(dtype(2.0)) == "2"
    assert "np." not in format_value(dtype(0.1))


def test_numpy_integers_and_bools_show_as_python_ones() -> None:
    assert format_value(np.int64(7)) == "7"
    assert format_value(np.uint8(255)) == "255"
    assert format_value(np.bool_(False)) == "False"


def test_float32_shows_its_value_not_binary_noise() -> None:
    assert format_value(np.float32(0.1)) == "0.1"


def test_arrays_print_elements_by_the_rule() -> None:
    assert format_value(np.array([[1.0, -0.0], [0.0, 3.0]])) == "[[1, 0], [0, 3]]"
    assert format_value(np.array([0.3, -0.8, 0.5]) + 1e-17) == "[0.3, -0.8, 0.5]"
    assert format_value(np.array(3.3000000000000003)) == "3.3"


def test_shapes_and_containers() -> None:
    assert format_value((2, 3)) == "(2, 3)"
    assert format_value((3,)) == "(3,)"
    assert format_value([0.1 + 0.2, 1]) == "[0.3, 1]"
    assert format_value("사과") == "사과"
