"""Every layer's backward against central differences, the book's shopping scripts, bad input."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

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

# Central differences with h = 1e-4 on float64 are accurate to about h² ≈ 1e-8
# times the third derivative; these tolerances leave room for that, no more.
RTOL = 1e-5
ATOL = 1e-7


def weighted_sum(out: np.ndarray | float, weights: np.ndarray | float) -> float:
    """A scalar loss L = Σ weights·out, so dL/dout = weights (a non-trivial dout)."""
    return float(np.sum(np.asarray(out) * weights))


def check_unary(make: Callable[[], object], x: np.ndarray, seed: int) -> None:
    rng = np.random.default_rng(seed)
    layer = make()
    out = layer.forward(x.copy())
    dout = rng.normal(size=np.shape(out))
    dx = layer.backward(dout)
    expected = numerical_gradient(lambda v: weighted_sum(make().forward(v), dout), x.copy())
    assert np.shape(dx) == np.shape(x)
    np.testing.assert_allclose(dx, expected, rtol=RTOL, atol=ATOL)


SHAPES = [(), (3,), (4, 3), (2, 3, 2, 2)]


@pytest.mark.parametrize("shape", SHAPES, ids=["scalar", "single", "batch", "4d"])
@pytest.mark.parametrize(
    ("make", "low", "high"),
    [
        (Negate, -3, 3),
        (Exp, -2, 2),
        (lambda: AddConst(1), -3, 3),
        (lambda: AddConst(-2.5), -3, 3),
        (Reciprocal, 0.5, 3),  # away from 0, where 1/x is smooth
        (Square, -3, 3),
        (Sigmoid, -4, 4),
    ],
    ids=["negate", "exp", "add1", "sub2.5", "reciprocal", "square", "sigmoid"],
)
def test_elementwise_backward_matches_numerical_gradient(make, low, high, shape) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(low, high, size=shape)
    check_unary(make, np.asarray(x, dtype=float), seed=1)


@pytest.mark.parametrize("shape", SHAPES, ids=["scalar", "single", "batch", "4d"])
def test_relu_backward_matches_numerical_gradient(shape) -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(-3, 3, size=shape)
    x = np.where(np.abs(x) < 0.1, 0.5, x)  # keep clear of the kink at 0, where h straddles it
    check_unary(Relu, np.asarray(x, dtype=float), seed=3)


@pytest.mark.parametrize("layer_cls", [MulLayer, AddLayer])
@pytest.mark.parametrize(
    ("x_shape", "y_shape"),
    [((), ()), ((3,), (3,)), ((4, 3), (4, 3)), ((2, 3, 2, 2), (2, 3, 2, 2)), ((4, 3), (3,)), ((4, 3), ())],
)
def test_binary_backward_matches_numerical_gradient(layer_cls, x_shape, y_shape) -> None:
    rng = np.random.default_rng(4)
    x = np.asarray(rng.normal(size=x_shape))
    y = np.asarray(rng.normal(size=y_shape))
    layer = layer_cls()
    out = layer.forward(x, y)
    dout = rng.normal(size=np.shape(out))
    dx, dy = layer.backward(dout)
    ex = numerical_gradient(lambda v: weighted_sum(layer_cls().forward(v, y), dout), x.copy())
    ey = numerical_gradient(lambda v: weighted_sum(layer_cls().forward(x, v), dout), y.copy())
    assert np.shape(dx) == x_shape and np.shape(dy) == y_shape
    np.testing.assert_allclose(dx, ex, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dy, ey, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("x_shape", [(3,), (4, 3)], ids=["single", "batch"])
def test_dot_backward_matches_numerical_gradient(x_shape) -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=x_shape)
    W = rng.normal(size=(3, 2))
    layer = Dot()
    out = layer.forward(x, W)
    dout = rng.normal(size=out.shape)
    dx, dW = layer.backward(dout)
    np.testing.assert_allclose(
        dx, numerical_gradient(lambda v: weighted_sum(Dot().forward(v, W), dout), x.copy()), rtol=RTOL, atol=ATOL
    )
    np.testing.assert_allclose(
        dW, numerical_gradient(lambda v: weighted_sum(Dot().forward(x, v), dout), W.copy()), rtol=RTOL, atol=ATOL
    )


@pytest.mark.parametrize("x_shape", [(6,), (4, 6), (4, 2, 3), (4, 1, 2, 3)], ids=["single", "batch", "3d", "4d"])
def test_affine_backward_matches_numerical_gradient(x_shape) -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=x_shape)
    W = rng.normal(size=(6, 5))
    b = rng.normal(size=5)
    layer = Affine(W, b)
    out = layer.forward(x)
    assert out.shape == ((5,) if len(x_shape) == 1 else (x_shape[0], 5))
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    assert dx.shape == x_shape

    def loss_of(x_: np.ndarray, W_: np.ndarray, b_: np.ndarray) -> float:
        return weighted_sum(Affine(W_, b_).forward(x_), dout)

    np.testing.assert_allclose(dx, numerical_gradient(lambda v: loss_of(v, W, b), x.copy()), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(
        layer.dW, numerical_gradient(lambda v: loss_of(x, v, b), W.copy()), rtol=RTOL, atol=ATOL
    )
    np.testing.assert_allclose(
        layer.db, numerical_gradient(lambda v: loss_of(x, W, v), b.copy()), rtol=RTOL, atol=ATOL
    )


def test_affine_single_sample_equals_a_batch_of_one() -> None:
    rng = np.random.default_rng(7)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    x = rng.normal(size=3)
    one, batch = Affine(W, b), Affine(W, b)
    np.testing.assert_array_equal(one.forward(x), batch.forward(x[np.newaxis])[0])
    dout = np.array([0.5, -1.0])
    np.testing.assert_array_equal(one.backward(dout), batch.backward(dout[np.newaxis])[0])
    np.testing.assert_array_equal(one.dW, batch.dW)


@pytest.mark.parametrize("target", ["labels", "one-hot"])
@pytest.mark.parametrize("x_shape", [(4,), (3, 4)], ids=["single", "batch"])
@pytest.mark.parametrize("dout", [1.0, 2.5])
def test_softmax_with_loss_backward_matches_numerical_gradient(target, x_shape, dout) -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=x_shape)
    labels = rng.integers(0, 4, size=x_shape[:-1])
    t = labels if target == "labels" else np.eye(4)[labels]
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward(dout)
    assert dx.shape == x_shape
    expected = numerical_gradient(lambda v: dout * SoftmaxWithLoss().forward(v, t), x.copy())
    np.testing.assert_allclose(dx, expected, rtol=RTOL, atol=ATOL)


def test_softmax_with_loss_single_sample_is_not_divided_by_the_classes() -> None:
    # y − t for one sample: (0.3, 0.2, 0.5) after softmax would give exactly y − t.
    x = np.log(np.array([0.3, 0.2, 0.5]))
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, 2)
    assert loss == pytest.approx(-np.log(0.5 + 1e-7))
    np.testing.assert_allclose(layer.backward(1), [0.3, 0.2, -0.5], atol=1e-12)


def test_softmax_and_cross_entropy_values() -> None:
    y = softmax(np.array([0.3, 2.9, 4.0]))
    np.testing.assert_allclose(y, [0.01821127, 0.24519181, 0.73659691], rtol=1e-6)
    np.testing.assert_allclose(softmax(np.array([1010.0, 1000.0, 990.0])).sum(), 1.0)
    t = np.array([0, 0, 1.0, 0, 0, 0, 0, 0, 0, 0])
    y10 = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    assert cross_entropy_error(y10, t) == pytest.approx(0.510825457099338)
    assert cross_entropy_error(y10, 2) == pytest.approx(0.510825457099338)


def test_relu_backward_never_writes_into_the_callers_arrays() -> None:
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    dout = np.array([[5.0, 6.0], [7.0, 8.0]])
    x_before, dout_before = x.copy(), dout.copy()
    relu = Relu()
    out = relu.forward(x)
    dx = relu.backward(dout)
    np.testing.assert_array_equal(out, [[1.0, 0.0], [0.0, 3.0]])
    np.testing.assert_array_equal(dx, [[5.0, 0.0], [0.0, 8.0]])
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)


def test_numerical_gradient_leaves_x_unchanged_and_handles_scalars() -> None:
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(v**2)), x)
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-8)
    np.testing.assert_array_equal(x, before)
    assert numerical_gradient(lambda v: v**3, 2.0) == pytest.approx(12.0, rel=1e-7)
    assert numerical_gradient(lambda v: v**3, np.array(2.0)) == pytest.approx(12.0, rel=1e-7)


def test_numerical_gradient_restores_x_when_f_raises() -> None:
    x = np.array([1.0, 2.0])

    def boom(v: np.ndarray) -> float:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(boom, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_rejects_integer_arrays() -> None:
    with pytest.raises(TypeError, match="astype"):
        numerical_gradient(lambda v: float(np.sum(v)), np.array([1, 2]))


# -- the book's shopping scripts ------------------------------------------------


def test_buy_apple() -> None:
    apple, apple_num, tax = 100, 2, 1.1
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)
    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    assert price == pytest.approx(220)
    assert (dapple, dapple_num, dtax) == (pytest.approx(2.2), pytest.approx(110), pytest.approx(200))
    assert dapple_price == pytest.approx(1.1)


def test_buy_apple_orange() -> None:
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
    assert price == pytest.approx(715)
    assert dapple_num == pytest.approx(110)
    assert dapple == pytest.approx(2.2)
    assert dorange == pytest.approx(3.3)
    assert dorange_num == pytest.approx(165)
    assert dtax == pytest.approx(650)


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("layer_cls", [MulLayer, AddLayer])
def test_mismatched_shapes_name_both(layer_cls) -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        layer_cls().forward(np.ones((2, 3)), np.ones(4))


def test_dot_and_affine_mismatches_name_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        Dot().forward(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        Affine(np.ones((4, 5)), np.zeros(5)).forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(3,\)"):
        Affine(np.ones((4, 5)), np.zeros(3))


def test_softmax_with_loss_rejects_targets_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 4\)"):
        SoftmaxWithLoss().forward(np.zeros((2, 4)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="0..3"):
        SoftmaxWithLoss().forward(np.zeros((2, 4)), np.array([0, 4]))
    with pytest.raises(ValueError, match="one-hot"):
        SoftmaxWithLoss().forward(np.zeros((2, 4)), np.full((2, 4), 0.25))


@pytest.mark.parametrize(
    "layer",
    [MulLayer(), AddLayer(), Negate(), Exp(), AddConst(1), Reciprocal(), Square(), Dot(), Relu(), Sigmoid(),
     Affine(np.ones((2, 2)), np.zeros(2)), SoftmaxWithLoss()],
    ids=lambda layer: type(layer).__name__,
)
def test_backward_before_forward_says_so(layer) -> None:
    with pytest.raises(BackwardBeforeForwardError, match="before forward"):
        layer.backward(1.0)


def test_backward_with_a_dout_of_the_wrong_shape() -> None:
    layer = Relu()
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        layer.backward(np.ones((3, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_are_reported(bad) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        MulLayer().forward(np.array([1.0, bad]), 2.0)
    with pytest.raises(ValueError, match="non-finite"):
        softmax(np.array([0.0, bad]))
    layer = Sigmoid()
    layer.forward(np.zeros(2))
    with pytest.raises(ValueError, match="non-finite"):
        layer.backward(np.array([bad, 1.0]))


def test_exp_overflow_and_reciprocal_of_zero_are_reported() -> None:
    with pytest.raises(ValueError, match="overflow"):
        Exp().forward(np.array([1000.0]))
    with pytest.raises(ValueError, match="1/0"):
        Reciprocal().forward(np.array([1.0, 0.0]))


def test_outside_a_graph_forward_returns_plain_values() -> None:
    out = MulLayer().forward(100, 2)
    assert type(out) is int and out == 200
    x = np.array([1.0, -1.0])
    assert type(Relu().forward(x)) is np.ndarray


def test_an_overflowing_result_is_reported() -> None:
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="Square.forward: the result contains a non-finite value"):
        Square().forward(np.array([1e200, 1.0]))
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="MulLayer.forward: the result contains a non-finite value"):
        MulLayer().forward(np.array([1e200]), np.array([1e200]))
