"""The chapter's layers: backward against numerical gradients, the book's numbers, bad input.

Gradient checks compare ``backward(dout)`` with the central-difference gradient of the
scalar L = sum(forward(x) * dout) for a random ``dout``, so every element of the
Jacobian-vector product is checked, not just the all-ones direction.

Tolerances (rtol=1e-5, atol=1e-7): ``numerical_gradient`` uses h = 1e-4, so its
truncation error is h²/6·|f'''| ≈ 1.7e-9·|f'''| and its rounding error about
eps·|L|/h ≈ 1e-11. Inputs are drawn so |f'''| stays below ~100 (reciprocal kept away
from 0, ReLU away from its kink), which keeps the true error near 1e-7 absolute at the
very worst and far below 1e-5 relative; a wrong backward (missing factor, wrong sign,
transposed product, forgotten broadcast sum) is off by 1e-1 or more.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np
import pytest

from layers.functions import all_finite
from layers import (
    AddConst,
    AddLayer,
    Affine,
    BackwardBeforeForwardError,
    Dot,
    Exp,
    MulLayer,
    Negate,
    Reciprocal,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    Square,
    cross_entropy_error,
    numerical_gradient,
    softmax,
)

RTOL = 1e-5
ATOL = 1e-7

# A plain Python float (how the book passes numbers) and a 0-d array are both "scalars",
# but some layers take different paths for them (Exp keeps a float, Relu unwraps a 0-d
# result), so each is a case of its own. FLOAT stands where a shape would.
FLOAT = "float"
Shape = tuple[int, ...] | str
SHAPES: dict[str, Shape] = {"float": FLOAT, "0-d": (), "sample": (5,), "batch": (4, 5), "4d": (2, 3, 4, 5)}


def _draw(rng: np.random.Generator, shape: Shape, low: float = -2.0, high: float = 2.0) -> Any:
    """Random input of ``shape``; FLOAT gives a plain Python float."""
    value = rng.uniform(low, high, size=() if shape == FLOAT else shape)
    return float(value) if shape == FLOAT else value


def _away_from_zero(rng: np.random.Generator, shape: Shape, gap: float) -> Any:
    """Random values with |x| ≥ gap (kinks and poles of the layers live at 0)."""
    size = () if shape == FLOAT else shape
    value = rng.uniform(gap, 2.0, size=size) * rng.choice([-1.0, 1.0], size=size)
    return float(value) if shape == FLOAT else value


def check_backward(make_layer: Callable[[], Any], inputs: list[Any], seed: int) -> None:
    """backward(dout) of a layer == numerical gradient of sum(forward(...) * dout), per input."""
    rng = np.random.default_rng(seed)
    layer = make_layer()
    out = layer.forward(*inputs)
    # A scalar output gets a float dout, as the book seeds backward.
    dout = _draw(rng, FLOAT if np.shape(out) == () else np.shape(out))
    grads = layer.backward(dout)
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert len(grads) == len(inputs)

    for i, original in enumerate(inputs):

        def loss(v: np.ndarray, i: int = i, original: Any = original) -> float:
            args = list(inputs)
            # The perturbed input keeps the caller's kind: a float stays a float.
            args[i] = float(v) if isinstance(original, float) else v
            return float(np.sum(make_layer().forward(*args) * dout))

        expected = numerical_gradient(loss, np.array(original, dtype=float))
        assert np.shape(grads[i]) == np.shape(original), f"gradient {i} has the wrong shape"
        np.testing.assert_allclose(grads[i], expected, rtol=RTOL, atol=ATOL, err_msg=f"gradient {i}")


def _in_order(*parts: str) -> str:
    """A regex matching ``parts`` literally, in this order, anywhere in a message."""
    return ".*".join(re.escape(part) for part in parts)


# -- gradient checks ------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("layer_cls", [MulLayer, AddLayer])
def test_binary_layers_match_numerical_gradient(layer_cls: type, shape: Shape) -> None:
    rng = np.random.default_rng(1)
    check_backward(layer_cls, [_draw(rng, shape), _draw(rng, shape)], seed=2)


@pytest.mark.parametrize(
    ("x_shape", "y_shape"),
    [((4, 3), (3,)), ((3,), (4, 3)), ((4, 1), (4, 3)), ((4, 3), FLOAT), ((4, 3), ()), ((2, 1, 3), (4, 1))],
)
@pytest.mark.parametrize("layer_cls", [MulLayer, AddLayer])
def test_broadcasting_gradients_have_the_input_shapes(layer_cls: type, x_shape: Shape, y_shape: Shape) -> None:
    # (N, M) + (M,) is the bias of a batch: its gradient is the sum over the batch.
    rng = np.random.default_rng(3)
    check_backward(layer_cls, [_draw(rng, x_shape), _draw(rng, y_shape)], seed=4)


def test_bias_gradient_is_the_batch_sum() -> None:
    add = AddLayer()
    add.forward(np.zeros((2, 3)), np.zeros(3))
    dx, db = add.backward(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    np.testing.assert_array_equal(db, [5.0, 7.0, 9.0])
    np.testing.assert_array_equal(dx, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


UNARY: dict[str, tuple[Callable[[], Any], Callable[[np.random.Generator, Shape], Any]]] = {
    "Negate": (Negate, _draw),
    "Exp": (Exp, _draw),
    "AddConst": (lambda: AddConst(1), _draw),
    "AddConst(-2.5)": (lambda: AddConst(-2.5), _draw),
    # 1/x: |x| ≥ 0.5 keeps f''' = -6/x⁴ at most 96 in size; see the module docstring.
    "Reciprocal": (Reciprocal, lambda rng, s: _away_from_zero(rng, s, 0.5)),
    "Square": (Square, _draw),
    "Sigmoid": (Sigmoid, lambda rng, s: _draw(rng, s, -5.0, 5.0)),
    # ReLU has a kink at 0; a nudge of h = 1e-4 must not cross it.
    "Relu": (Relu, lambda rng, s: _away_from_zero(rng, s, 0.1)),
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("name", UNARY.keys())
def test_unary_layers_match_numerical_gradient(name: str, shape: Shape) -> None:
    make_layer, draw = UNARY[name]
    rng = np.random.default_rng(5)
    check_backward(make_layer, [draw(rng, shape)], seed=6)


def test_relu_inputs_really_straddle_the_kink() -> None:
    # Otherwise the ReLU check above would only ever test one branch.
    x = _away_from_zero(np.random.default_rng(5), (4, 5), 0.1)
    assert (x > 0).any() and (x < 0).any()


@pytest.mark.parametrize(("x_shape", "w_shape"), [((3,), (3, 4)), ((5, 3), (3, 4))], ids=["sample", "batch"])
def test_dot_matches_numerical_gradient(x_shape: tuple[int, ...], w_shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(7)
    check_backward(Dot, [_draw(rng, x_shape), _draw(rng, w_shape)], seed=8)


@pytest.mark.parametrize("x_shape", [(6,), (4, 6), (2, 1, 2, 3), (3, 2, 3)], ids=["sample", "batch", "4d", "3d"])
def test_affine_matches_numerical_gradient(x_shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(9)
    x = rng.uniform(-2, 2, size=x_shape)
    W = rng.uniform(-1, 1, size=(6, 4))
    b = rng.uniform(-1, 1, size=4)

    affine = Affine(W, b)
    out = affine.forward(x)
    assert out.shape == ((4,) if x.ndim == 1 else (x_shape[0], 4))
    dout = rng.standard_normal(out.shape)
    dx = affine.backward(dout)
    assert dx.shape == x.shape and affine.dW.shape == W.shape and affine.db.shape == b.shape

    # Affine keeps W and b by reference, so perturbing them in place reaches the layer.
    def loss(_: np.ndarray) -> float:
        return float(np.sum(Affine(W, b).forward(x) * dout))

    np.testing.assert_allclose(dx, numerical_gradient(loss, x), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(affine.dW, numerical_gradient(loss, W), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(affine.db, numerical_gradient(loss, b), rtol=RTOL, atol=ATOL)


def test_affine_single_sample_equals_a_batch_of_one() -> None:
    rng = np.random.default_rng(7)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    x = rng.normal(size=3)
    one, batch = Affine(W, b), Affine(W, b)
    np.testing.assert_array_equal(one.forward(x), batch.forward(x[np.newaxis])[0])
    dout = np.array([0.5, -1.0])
    np.testing.assert_array_equal(one.backward(dout), batch.backward(dout[np.newaxis])[0])
    np.testing.assert_array_equal(one.dW, batch.dW)


@pytest.mark.parametrize("target", ["one-hot", "labels"])
@pytest.mark.parametrize("batch", [None, 1, 5], ids=["1-D", "batch of 1", "batch of 5"])
def test_softmax_with_loss_matches_numerical_gradient(target: str, batch: int | None) -> None:
    # The loss takes log(y + 1e-7); its numerical gradient then differs from y − t by a
    # relative 1e-7 / y_label. Scores in [-1, 1] over 4 classes keep y ≥ 0.03, so that
    # stays below 4e-6, inside RTOL.
    rng = np.random.default_rng(10)
    classes = 4
    shape = (classes,) if batch is None else (batch, classes)
    x = rng.uniform(-1, 1, size=shape)
    labels = rng.integers(0, classes, size=() if batch is None else (batch,))
    t = np.eye(classes)[labels] if target == "one-hot" else labels
    dout = 0.7
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward(dout)
    assert dx.shape == x.shape

    def loss(v: np.ndarray) -> float:
        return SoftmaxWithLoss().forward(v, t) * dout

    np.testing.assert_allclose(dx, numerical_gradient(loss, x.copy()), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    ("t", "label_prob", "dx"),
    [(np.array([0, 1, 0]), 0.2, [0.3, -0.8, 0.5]), (2, 0.5, [0.3, 0.2, -0.5])],
    ids=["one-hot", "label"],
)
def test_softmax_with_loss_one_sample_is_not_divided_by_the_class_count(
    t: Any, label_prob: float, dx: list[float]
) -> None:
    # The book's code divides a 1-D sample's gradient by t.shape[0] = C. Scores log(y)
    # make softmax give back y = (0.3, 0.2, 0.5) itself, so the gradient is exactly y − t.
    layer = SoftmaxWithLoss()
    assert layer.forward(np.log(np.array([0.3, 0.2, 0.5])), t) == pytest.approx(-np.log(label_prob + 1e-7))
    np.testing.assert_allclose(layer.backward(1.0), dx, rtol=1e-12, atol=1e-12)


def test_softmax_with_loss_label_and_one_hot_agree() -> None:
    x = np.array([[0.3, 2.9, 4.0], [1.0, -1.0, 0.5]])
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert a.forward(x, np.array([2, 0])) == pytest.approx(b.forward(x, np.array([[0, 0, 1], [1, 0, 0]])))
    np.testing.assert_array_equal(a.backward(1.0), b.backward(1.0))


def test_softmax_with_loss_chapter_values() -> None:
    a = np.array([0.3, 2.9, 4.0])
    t = np.array([0, 0, 1])
    # CHAPTER.md's six digits, and the book's eight.
    np.testing.assert_allclose(softmax(a), [0.018211, 0.245192, 0.736597], atol=5e-7)
    np.testing.assert_allclose(softmax(a), [0.01821127, 0.24519181, 0.73659691], rtol=1e-6)
    layer = SoftmaxWithLoss()
    assert layer.forward(a, t) == pytest.approx(0.305714, abs=5e-7)
    np.testing.assert_allclose(layer.backward(1.0), [0.018211, 0.245192, 0.736597 - 1], atol=5e-7)


def test_softmax_does_not_overflow_on_large_scores() -> None:
    # exp(1010) is inf; subtracting the maximum first keeps it finite.
    np.testing.assert_allclose(softmax(np.array([1010.0, 1000.0, 990.0])).sum(), 1.0)


@pytest.mark.parametrize("batch", [None, 3], ids=["1-D", "batch"])
def test_softmax_with_loss_honours_dout(batch: int | None) -> None:
    rng = np.random.default_rng(11)
    x = rng.standard_normal(4 if batch is None else (batch, 4))
    t = 1 if batch is None else np.array([0, 3, 1])
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    once = layer.backward(1.0)
    np.testing.assert_allclose(layer.backward(2.0), 2 * once, rtol=1e-15)
    assert np.abs(once).max() > 0.01  # 2·0 == 0 would prove nothing


# -- the chapter's concrete numbers ------------------------------------------------


def test_sigmoid_chain_at_one_gives_the_chapter_numbers() -> None:
    negate, exp, add_one, reciprocal = Negate(), Exp(), AddConst(1), Reciprocal()
    a = negate.forward(1.0)
    b = exp.forward(a)
    c = add_one.forward(b)
    y = reciprocal.forward(c)
    assert [a, b, c, y] == pytest.approx([-1, 0.367879, 1.367879, 0.731059], abs=5e-7)

    dc = reciprocal.backward(1.0)
    db = add_one.backward(dc)
    da = exp.backward(db)
    dx = negate.backward(da)
    assert [dc, db, da, dx] == pytest.approx([-0.534447, -0.534447, -0.196612, 0.196612], abs=5e-7)

    sigmoid = Sigmoid()
    assert sigmoid.forward(1.0) == pytest.approx(y, rel=1e-15)
    assert sigmoid.backward(1.0) == pytest.approx(dx, rel=1e-12)


def test_sigmoid_one_node_values() -> None:
    sigmoid = Sigmoid()
    assert sigmoid.forward(0.0) == 0.5
    assert sigmoid.backward(1.0) == 0.25


def test_sigmoid_saturates_without_warnings_or_nan() -> None:
    sigmoid = Sigmoid()
    np.testing.assert_array_equal(sigmoid.forward(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    np.testing.assert_array_equal(sigmoid.backward(np.ones(2)), [0.0, 0.0])


def test_relu_chapter_example_never_writes_into_the_callers_arrays() -> None:
    # The book's Relu.backward zeroes the caller's dout in place; ours hands back a new array.
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    dout = np.array([[5.0, 6.0], [7.0, 8.0]])
    relu = Relu()
    out = relu.forward(x)
    dx = relu.backward(dout)
    np.testing.assert_array_equal(out, [[1, 0], [0, 3]])
    np.testing.assert_array_equal(dx, [[5, 0], [0, 8]])
    np.testing.assert_array_equal(x, [[1.0, -0.5], [-2.0, 3.0]])
    np.testing.assert_array_equal(dout, [[5.0, 6.0], [7.0, 8.0]])
    assert not np.shares_memory(dx, dout)


def test_relu_blocks_the_gradient_at_exactly_zero() -> None:
    relu = Relu()
    relu.forward(np.array([0.0, 1.0]))
    np.testing.assert_array_equal(relu.backward(np.array([3.0, 3.0])), [0.0, 3.0])


def test_affine_one_sample_chapter_values() -> None:
    affine = Affine(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(affine.forward(np.array([1.0, 2.0])), [9.1, 12.2, 15.3], rtol=1e-15)
    dx = affine.backward(np.array([1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(dx, [6, 15])
    np.testing.assert_array_equal(affine.dW, [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(affine.db, [1, 1, 1])


def test_affine_batch_chapter_values() -> None:
    affine = Affine(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([0.1, 0.2, 0.3]))
    affine.forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    dx = affine.backward(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    np.testing.assert_array_equal(dx, [[14, 32], [32, 77]])
    np.testing.assert_array_equal(affine.dW, [[13, 17, 21], [18, 24, 30]])
    np.testing.assert_array_equal(affine.db, [5, 7, 9])


def test_dot_chapter_values() -> None:
    dot = Dot()
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(dot.forward(np.array([1.0, 2.0]), W), [9, 12, 15])
    dx, dW = dot.backward(np.ones(3))
    np.testing.assert_array_equal(dx, [6, 15])
    np.testing.assert_array_equal(dW, [[1, 1, 1], [2, 2, 2]])


def test_chain_rule_example_t_squared() -> None:
    add, square = AddLayer(), Square()
    z = square.forward(add.forward(3.0, 2.0))
    assert z == 25
    dx, dy = add.backward(square.backward(1.0))
    assert (dx, dy) == (10, 10)


def test_add_and_mul_node_examples() -> None:
    add, mul = AddLayer(), MulLayer()
    assert add.forward(10, 5) == 15
    assert add.backward(1.3) == pytest.approx((1.3, 1.3))
    assert mul.forward(10, 5) == 50
    assert mul.backward(1.3) == pytest.approx((6.5, 13))


def test_buy_apple_reproduces_the_book() -> None:
    apple, apple_num, tax = 100, 2, 1.1
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()

    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)

    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)

    # The book prints: 220, 2.2, 110, 200 (and 1.1 reaches the apple price).
    assert (price, dapple, dapple_num, dtax, dapple_price) == pytest.approx((220, 2.2, 110, 200, 1.1))


def test_buy_apple_orange_reproduces_the_book() -> None:
    apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
    mul_apple_layer, mul_orange_layer = MulLayer(), MulLayer()
    add_apple_orange_layer, mul_tax_layer = AddLayer(), MulLayer()

    apple_price = mul_apple_layer.forward(apple, apple_num)
    orange_price = mul_orange_layer.forward(orange, orange_num)
    all_price = add_apple_orange_layer.forward(apple_price, orange_price)
    price = mul_tax_layer.forward(all_price, tax)

    dprice = 1
    dall_price, dtax = mul_tax_layer.backward(dprice)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    dorange, dorange_num = mul_orange_layer.backward(dorange_price)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)

    # The book prints: 715, 2.2, 110, 3.3, 165, 650.
    assert (price, dapple, dapple_num, dorange, dorange_num, dtax) == pytest.approx((715, 2.2, 110, 3.3, 165, 650))


def test_outside_a_graph_forward_returns_plain_values() -> None:
    out = MulLayer().forward(100, 2)
    assert type(out) is int and out == 200
    assert type(Relu().forward(np.array([1.0, -1.0]))) is np.ndarray


@pytest.mark.parametrize("layer, x, y, dx", [
    (Relu, 0.5, 0.5, 1.0), (Relu, -2, 0, 0.0), (Relu, 3, 3, 1.0),
    (Sigmoid, 0.0, 0.5, 0.25),
])
def test_python_numbers_in_give_python_numbers_out(layer, x, y, dx) -> None:
    # As MulLayer and Exp do: a reader printing a list of results sees [0.5, 0], not np.float64(0.5).
    node = layer()
    out = node.forward(x)
    assert type(out) is type(y) and out == y
    grad = node.backward(1.0)
    assert type(grad) is float and grad == pytest.approx(dx, rel=1e-12)


@pytest.mark.parametrize("layer", [Relu, Sigmoid])
def test_numpy_scalars_keep_their_type(layer) -> None:
    out = layer().forward(np.float32(0.5))
    assert type(out) is np.float32


# -- numerical_gradient itself -----------------------------------------------------


@pytest.mark.parametrize(
    ("f", "df", "x", "rtol"),
    [
        (lambda v: float(np.sum(v**3)), lambda v: 3 * v**2, [[1.0, -2.0], [3.5, 0.25]], 1e-7),
        (lambda v: float(np.sum(v**2)), lambda v: 2 * v, [[1.0, 2.0], [3.0, 4.0]], 1e-8),
    ],
    ids=["cube", "square"],
)
def test_numerical_gradient_of_an_array_restores_x(
    f: Callable[[np.ndarray], float], df: Callable[[np.ndarray], np.ndarray], x: list[list[float]], rtol: float
) -> None:
    x_array = np.array(x)
    grad = numerical_gradient(f, x_array)
    np.testing.assert_array_equal(x_array, x)
    np.testing.assert_allclose(grad, df(np.array(x)), rtol=rtol)


def test_numerical_gradient_restores_x_when_f_raises() -> None:
    x = np.array([1.0, 2.0])

    def f(v: np.ndarray) -> float:
        if v[0] > 1.0:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_of_a_zero_dimensional_array() -> None:
    x = np.array(1.5)
    grad = numerical_gradient(lambda v: float(v) ** 2, x)
    assert np.shape(grad) == () and float(grad) == pytest.approx(3.0, rel=1e-8)
    assert float(x) == 1.5


def test_numerical_gradient_rejects_integer_arrays() -> None:
    with pytest.raises(TypeError, match=r"int64.*astype\(float\)"):
        numerical_gradient(lambda v: float(v.sum()), np.arange(3))


@pytest.mark.parametrize("x", [1.5, np.float64(1.5), 2], ids=["float", "numpy float", "int"])
def test_numerical_gradient_of_a_number_is_a_float(x: Any) -> None:
    grad = numerical_gradient(lambda v: v**3, x)
    assert type(grad) is float
    assert grad == pytest.approx(3 * float(x) ** 2, rel=1e-8)


def test_numerical_gradient_rejects_what_is_not_a_number_or_array() -> None:
    with pytest.raises(TypeError, match="list"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])  # type: ignore[arg-type]


# -- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "shapes"),
    [
        (lambda: MulLayer().forward(np.ones((2, 3)), np.ones((2, 4))), ["(2, 3)", "(2, 4)"]),
        (lambda: AddLayer().forward(np.ones((4, 3)), np.ones(4)), ["(4, 3)", "(4,)"]),
        (lambda: Dot().forward(np.ones(3), np.ones((2, 3))), ["(3,)", "(2, 3)"]),
        (lambda: Dot().forward(np.ones((2, 3)), np.ones((4, 5))), ["(2, 3)", "(4, 5)"]),
        (lambda: Dot().forward(np.ones((5, 3)), np.ones(3)), ["(5, 3)", "(3,)"]),
        (lambda: Affine(np.ones((2, 3)), np.ones(3)).forward(np.ones((4, 5))), ["(4, 5)", "(2, 3)"]),
        (lambda: Affine(np.ones((2, 3)), np.ones(2)), ["(2, 3)", "(2,)"]),
        (lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), np.ones((2, 4))), ["(2, 4)", "(2, 3)"]),
        (lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), np.array([0, 1, 2])), ["(3,)", "(2, 3)"]),
        (lambda: SoftmaxWithLoss().forward(np.ones(3), np.array([0, 1])), ["(2,)", "(3,)"]),
    ],
    ids=["mul", "add", "dot-sample", "dot-batch", "dot-W", "affine-x", "affine-b", "softmax-onehot",
         "softmax-labels", "softmax-1d"],
)
def test_mismatched_shapes_name_both_in_order(call: Callable[[], Any], shapes: list[str]) -> None:
    with pytest.raises(ValueError, match=_in_order(*shapes)):
        call()


@pytest.mark.parametrize("t", [np.array([0, 1]), np.array([[0, 1, 0]])], ids=["two labels", "2-D one-hot"])
def test_cross_entropy_error_one_sample_with_mismatched_targets_names_both(t: np.ndarray) -> None:
    with pytest.raises(ValueError) as info:
        cross_entropy_error(np.array([0.2, 0.3, 0.5]), t)
    assert str(t.shape) in str(info.value) and "(3,)" in str(info.value)


@pytest.mark.parametrize(
    ("y", "label", "expected"),
    [
        ([0.2, 0.3, 0.5], 1, -np.log(0.3 + 1e-7)),
        # The book's example: 0.510825457099338 for the "2" of a 10-class output.
        ([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0], 2, 0.510825457099338),
    ],
    ids=["3 classes", "book 10 classes"],
)
def test_cross_entropy_error_one_sample_label_or_one_hot(y: list[float], label: int, expected: float) -> None:
    one_hot = np.eye(len(y))[label]
    assert cross_entropy_error(np.array(y), label) == pytest.approx(expected, rel=1e-12)
    assert cross_entropy_error(np.array(y), one_hot) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("x", "t", "message"),
    [
        (np.ones((2, 3)), np.array([0, 3]), r"0\.\.2"),
        (np.zeros((2, 4)), np.full((2, 4), 0.25), "one-hot"),  # soft targets must not become their argmax
    ],
    ids=["label out of range", "not one-hot"],
)
def test_softmax_with_loss_rejects_targets_it_cannot_read(x: np.ndarray, t: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SoftmaxWithLoss().forward(x, t)


def _after_forward(layer: Any, *args: Any) -> Any:
    layer.forward(*args)
    return layer


@pytest.mark.parametrize(
    ("layer", "dout", "shapes"),
    [
        (lambda: _after_forward(MulLayer(), np.ones((2, 3)), np.ones(3)), np.ones(3), ["(3,)", "(2, 3)"]),
        (lambda: _after_forward(AddLayer(), np.ones(3), np.ones(3)), np.ones(4), ["(4,)", "(3,)"]),
        (lambda: _after_forward(Relu(), np.ones((2, 2))), np.ones((2, 3)), ["(2, 3)", "(2, 2)"]),
        (lambda: _after_forward(Affine(np.ones((2, 3)), np.ones(3)), np.ones((4, 2))), np.ones((4, 2)),
         ["(4, 2)", "(4, 3)"]),
        (lambda: _after_forward(SoftmaxWithLoss(), np.ones(3), 0), np.ones(3), ["(3,)", "()"]),
    ],
    ids=["mul", "add", "relu", "affine", "softmax"],
)
def test_dout_of_the_wrong_shape_names_both_in_order(
    layer: Callable[[], Any], dout: np.ndarray, shapes: list[str]
) -> None:
    with pytest.raises(ValueError, match=_in_order("dout", *shapes)):
        layer().backward(dout)


ALL_LAYERS: dict[str, Callable[[], Any]] = {
    "MulLayer": MulLayer, "AddLayer": AddLayer, "Negate": Negate, "Exp": Exp,
    "AddConst": lambda: AddConst(1), "Reciprocal": Reciprocal, "Square": Square, "Dot": Dot,
    "Relu": Relu, "Sigmoid": Sigmoid, "Affine": lambda: Affine(np.ones((2, 3)), np.ones(3)),
    "SoftmaxWithLoss": SoftmaxWithLoss,
}


@pytest.mark.parametrize("name", ALL_LAYERS.keys())
def test_backward_before_forward_says_so(name: str) -> None:
    with pytest.raises(BackwardBeforeForwardError, match=r"before forward") as info:
        ALL_LAYERS[name]().backward(1.0)
    assert name in str(info.value)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize(
    "call",
    [
        lambda v: MulLayer().forward(np.array([1.0, v]), 2.0),
        lambda v: MulLayer().forward(3.0, v),
        lambda v: AddLayer().forward(np.array([1.0, v]), np.ones(2)),
        lambda v: Negate().forward(v),
        lambda v: Exp().forward(np.array([v])),
        lambda v: AddConst(1).forward(v),
        lambda v: Reciprocal().forward(np.array([2.0, v])),
        lambda v: Square().forward(v),
        lambda v: Dot().forward(np.array([1.0, v]), np.ones((2, 3))),
        lambda v: Relu().forward(np.array([[v, 1.0]])),
        lambda v: Sigmoid().forward(v),
        lambda v: Affine(np.ones((2, 3)), np.ones(3)).forward(np.array([v, 1.0])),
        lambda v: SoftmaxWithLoss().forward(np.array([0.0, v, 1.0]), 1),
        lambda v: softmax(np.array([0.0, v])),
    ],
    ids=["mul-x", "mul-y", "add", "negate", "exp", "addconst", "reciprocal", "square", "dot", "relu",
         "sigmoid", "affine", "softmax-with-loss", "softmax"],
)
def test_non_finite_input_is_reported(call: Callable[[float], Any], bad: float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        call(bad)


@pytest.mark.parametrize("value", [
    1, True, 2.5, float("nan"), -float("inf"), np.float64(3.0), np.float32("inf"), np.array(3.0),
    np.array([]), np.array([[1, 2]]), np.array([1.0, np.nan]), np.array([[0.5], [-np.inf]]),
    np.array([1 + 2j, complex("nan")]), np.array([1 + 2j]), [1.0, float("nan")], (0.0, 1.0),
], ids=repr)
def test_the_fast_finiteness_check_agrees_with_numpy(value: Any) -> None:
    # Every layer call checks its inputs and output with all_finite (fast paths for
    # floats and arrays); it must say what numpy says.
    array = np.asarray(value)
    expected = array.dtype.kind not in "fc" or bool(np.all(np.isfinite(array)))
    assert all_finite(value) is expected


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_dout_is_reported(bad: float) -> None:
    layer = Sigmoid()
    layer.forward(np.zeros(2))
    with pytest.raises(ValueError, match="dout.*non-finite"):
        layer.backward(np.array([1.0, bad]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Square().forward(np.array([1e200, 1.0])), "Square.forward: the result contains a non-finite value"),
        (lambda: MulLayer().forward(np.array([1e200]), np.array([1e200])),
         "MulLayer.forward: the result contains a non-finite value"),
    ],
    ids=["square", "mul"],
)
def test_an_overflowing_result_is_reported(call: Callable[[], Any], message: str) -> None:
    # Finite inputs, infinite product: the layer must say so rather than pass inf on.
    with np.errstate(over="ignore"), pytest.raises(ValueError, match=message):
        call()


def test_exp_overflow_is_reported() -> None:
    with pytest.raises(ValueError, match="overflow") as info:
        Exp().forward(np.array([1.0, 1000.0]))
    assert "1000" in str(info.value)


@pytest.mark.parametrize("zero", [0, 0.0, -0.0, np.array([1.0, 0.0])], ids=["int", "float", "neg", "array"])
def test_reciprocal_of_zero_is_reported(zero: Any) -> None:
    with pytest.raises(ValueError, match="1/0"):
        Reciprocal().forward(zero)


SCALAR_SEED_CASES: dict[str, tuple[Callable[[], Any], list[Any]]] = {
    "MulLayer": (MulLayer, [np.arange(6.0).reshape(2, 3), np.array([1.0, -2.0, 3.0])]),
    "AddLayer": (AddLayer, [np.arange(6.0).reshape(2, 3), np.array([1.0, -2.0, 3.0])]),
    "Negate": (Negate, [np.array([1.0, -2.0])]),
    "Exp": (Exp, [np.array([1.0, -2.0])]),
    "AddConst": (lambda: AddConst(1), [np.array([1.0, -2.0])]),
    "Reciprocal": (Reciprocal, [np.array([1.0, -2.0])]),
    "Square": (Square, [np.array([1.0, -2.0])]),
    "Dot": (Dot, [np.array([1.0, 2.0]), np.arange(6.0).reshape(2, 3)]),
    "Relu": (Relu, [np.array([1.0, -2.0])]),
    "Sigmoid": (Sigmoid, [np.array([1.0, -2.0])]),
    "Affine": (lambda: Affine(np.arange(6.0).reshape(2, 3), np.ones(3)), [np.ones((4, 2))]),
}


@pytest.mark.parametrize("name", SCALAR_SEED_CASES.keys())
def test_a_scalar_seed_on_an_array_output_means_ones(name: str) -> None:
    # backward(1) is how the chapter seeds a graph; on an array output it must act as
    # backward(np.ones(shape)), not give gradients of the wrong shape (Dot, AddLayer and
    # AddConst once did).
    make_layer, inputs = SCALAR_SEED_CASES[name]
    seeded, full = make_layer(), make_layer()
    out = seeded.forward(*inputs)
    full.forward(*inputs)
    got = seeded.backward(1)
    want = full.backward(np.ones(np.shape(out)))
    got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
    for g_, w_, x in zip(got, want, inputs):
        assert np.shape(g_) == np.shape(x)
        np.testing.assert_array_equal(g_, w_)
