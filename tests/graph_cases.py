"""Graphs of the kinds the chapter draws, built directly from the layers for any input values.

Each case is a function of its inputs (keyword arguments, defaulting to the chapter's
values) that runs forward and backward with real layers and returns the traced
Graph. The export tests and the browser engine test compare what a page computes
from an export with what these functions compute with the same inputs: two
independent routes to the same numbers.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from layers import (
    Affine,
    AddConst,
    AddLayer,
    Dot,
    Exp,
    Graph,
    MulLayer,
    Negate,
    Reciprocal,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    Square,
)


def apple(apple: Any = 100, apple_num: Any = 2, tax: Any = 1.1, backward: bool = True) -> Graph:
    mul_apple, mul_tax = MulLayer(), MulLayer()
    with Graph() as g:
        apple_price = mul_apple.forward(g.input(apple, "사과"), g.input(apple_num, "사과 개수"))
        price = mul_tax.forward(apple_price, g.input(tax, "소비세"))
        g.output(price, "지불 금액")
    if backward:
        dapple_price, _ = mul_tax.backward(1)
        mul_apple.backward(dapple_price)
    return g


def apple_forward(**inputs: Any) -> Graph:
    return apple(**inputs, backward=False)


def apple_orange(apple: Any = 100, apple_num: Any = 2, orange: Any = 150, orange_num: Any = 3,
                 tax: Any = 1.1) -> Graph:
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    with Graph() as g:
        apple_price = mul_apple.forward(g.input(apple, "사과"), g.input(apple_num, "사과 개수"))
        orange_price = mul_orange.forward(g.input(orange, "귤"), g.input(orange_num, "귤 개수"))
        all_price = add.forward(apple_price, orange_price)
        price = mul_tax.forward(all_price, g.input(tax, "소비세"))
        g.output(price, "지불 금액")
    dall, _ = mul_tax.backward(1)
    da, do = add.backward(dall)
    mul_orange.backward(do)
    mul_apple.backward(da)
    return g


def chain_rule(x: Any = 3, y: Any = 2) -> Graph:
    add, square = AddLayer(), Square()
    with Graph() as g:
        t = g.name(add.forward(g.input(x, "x", grad_symbol="∂z/∂x"), g.input(y, "y", grad_symbol="∂z/∂y")),
                   "t", grad_symbol="∂z/∂t")
        z = square.forward(t)
        g.output(z, "z", grad_symbol="∂z/∂z")
    add.backward(square.backward(1))
    return g


def add_node(x: Any = 10, y: Any = 5) -> Graph:
    layer = AddLayer()
    with Graph() as g:
        z = layer.forward(g.input(x, "x"), g.input(y, "y"))
        g.output(z, "z")
    layer.backward(1.3)
    return g


def mul_node(x: Any = 10, y: Any = 5) -> Graph:
    layer = MulLayer()
    with Graph() as g:
        z = layer.forward(g.input(x, "x", grad_symbol="∂L/∂z·y"), g.input(y, "y", grad_symbol="∂L/∂z·x"))
        g.output(z, "z", grad_symbol="∂L/∂z")
    layer.backward(1.3)
    return g


def relu(x: Any = None) -> Graph:
    x = np.array([[1.0, -0.5], [-2.0, 3.0]]) if x is None else x
    layer = Relu()
    with Graph() as g:
        g.output(layer.forward(g.input(x, "x")), "y")
    layer.backward(np.ones_like(layer._out, dtype=float))
    return g


def relu_scalar(x: Any = -1.5) -> Graph:
    layer, mul = Relu(), MulLayer()
    with Graph() as g:
        y = mul.forward(layer.forward(g.input(x, "x")), 3)
        g.output(y, "y")
    layer.backward(mul.backward(1)[0])
    return g


def sigmoid_steps(x: Any = 1.0) -> Graph:
    neg, exp, add_one, recip = Negate(), Exp(), AddConst(1), Reciprocal()
    with Graph() as g:
        y = recip.forward(add_one.forward(exp.forward(neg.forward(g.input(x, "x")))))
        g.output(y, "y")
    neg.backward(exp.backward(add_one.backward(recip.backward(1.0))))
    return g


def sigmoid_node(x: Any = 1.0) -> Graph:
    layer = Sigmoid()
    with Graph() as g:
        g.output(layer.forward(g.input(x, "x", grad_symbol="∂L/∂y·y(1−y)")), "y", grad_symbol="∂L/∂y")
    layer.backward(1.0)
    return g


def affine_dot(X: Any = None, W: Any = None, B: Any = None) -> Graph:
    X = np.array([1.0, 2.0]) if X is None else X
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) if W is None else W
    B = np.array([0.1, 0.2, 0.3]) if B is None else B
    dot, add = Dot(), AddLayer()
    with Graph() as g:
        XW = dot.forward(g.input(X, "X", grad_symbol="∂L/∂Y·Wᵀ"), g.input(W, "W", grad_symbol="Xᵀ·∂L/∂Y"))
        Y = add.forward(XW, g.input(B, "B", grad_symbol="∂L/∂Y"))
        g.output(Y, "Y", grad_symbol="∂L/∂Y")
    dXW, _ = add.backward(np.ones(3))
    dot.backward(dXW)
    return g


def affine_batch(X: Any = None, W: Any = None, B: Any = None) -> Graph:
    X = np.array([[1, 2], [3, 4]]) if X is None else X
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) if W is None else W
    B = np.array([0.1, 0.2, 0.3]) if B is None else B
    dot, add = Dot(), AddLayer()
    with Graph() as g:
        Y = add.forward(dot.forward(g.input(X, "X"), g.input(W, "W")), g.input(B, "B"))
        g.output(Y, "Y")
    dXW, _ = add.backward(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    dot.backward(dXW)
    return g


def softmax_loss(a: Any = None) -> Graph:
    a = np.array([0.3, 2.9, 4.0]) if a is None else a
    layer = SoftmaxWithLoss()
    with Graph() as g:
        g.output(layer.forward(g.input(a, "a", grad_symbol="y − t"), g.input(np.array([0.0, 0.0, 1.0]), "t")), "L")
    layer.backward(1)
    return g


def affine_relu_loss(x: Any = None) -> Graph:
    """Affine (with parameters), ReLU and Softmax-with-Loss on one sample with a label."""
    x = np.array([0.5, -1.0]) if x is None else x
    affine = Affine(np.array([[0.2, -0.4, 1.0], [0.7, 0.1, -0.3]]), np.array([0.1, 0.0, -0.2]))
    relu_layer, loss = Relu(), SoftmaxWithLoss()
    with Graph() as g:
        h = relu_layer.forward(affine.forward(g.input(x, "x")))
        g.output(loss.forward(h, g.input(np.int64(2), "t")), "L")
    affine.backward(relu_layer.backward(loss.backward(1)))
    return g


def branch(x: Any = 0.5) -> Graph:
    """a = 2x feeds both exp and a multiplication: its gradient is the sum of two."""
    double, exp, mul = MulLayer(), Exp(), MulLayer()
    with Graph() as g:
        a = double.forward(g.input(x, "x"), 2)
        z = mul.forward(exp.forward(a), a)
        g.output(z, "z")
    db, da_direct = mul.backward(1)
    double.backward(exp.backward(db) + da_direct)
    return g


CASES: dict[str, Callable[..., Graph]] = {
    "apple": apple,
    "apple_forward": apple_forward,
    "apple_orange": apple_orange,
    "chain_rule": chain_rule,
    "add_node": add_node,
    "mul_node": mul_node,
    "relu": relu,
    "relu_scalar": relu_scalar,
    "sigmoid_steps": sigmoid_steps,
    "sigmoid_node": sigmoid_node,
    "affine_dot": affine_dot,
    "affine_batch": affine_batch,
    "softmax_loss": softmax_loss,
    "affine_relu_loss": affine_relu_loss,
    "branch": branch,
}

# Keyword of each case's function for each input label (the order of g.input calls).
INPUT_NAMES: dict[str, list[str]] = {
    "apple": ["apple", "apple_num", "tax"],
    "apple_forward": ["apple", "apple_num", "tax"],
    "apple_orange": ["apple", "apple_num", "orange", "orange_num", "tax"],
    "chain_rule": ["x", "y"],
    "add_node": ["x", "y"],
    "mul_node": ["x", "y"],
    "relu": ["x"],
    "relu_scalar": ["x"],
    "sigmoid_steps": ["x"],
    "sigmoid_node": ["x"],
    "affine_dot": ["X", "W", "B"],
    "affine_batch": ["X", "W", "B"],
    "softmax_loss": ["a", None],
    "affine_relu_loss": ["x", None],
    "branch": ["x"],
}


def random_input(rng: np.random.Generator, value: dict[str, Any]) -> tuple[list[str], Any]:
    """Text a reader might type for each element of an exported input, and the Python value it means.

    Integers stay integers where the input was one (a count stays a count); otherwise
    numbers with up to three decimals, either sign, now and then an integer or zero.
    The Python value follows the page's rule: an int input stays int while every
    field holds a whole number, else the whole input becomes float.
    """
    texts = []
    for _ in value["values"]:
        kind = rng.integers(0, 6)
        if value["dtype"] == "int" and kind < 4:
            texts.append(str(int(rng.integers(-50, 2000))))
        elif kind == 0:
            texts.append("0")
        elif kind == 1:
            texts.append(str(int(rng.integers(-20, 20))))
        else:
            texts.append(f"{rng.uniform(-9, 9):.{int(rng.integers(1, 4))}f}")
    return texts, python_value(value, texts)


def python_value(value: dict[str, Any], texts: list[str]) -> Any:
    whole = all(float(t).is_integer() for t in texts)
    if value["dtype"] == "int" and whole:
        numbers: list[Any] = [int(float(t)) for t in texts]
    else:
        numbers = [float(t) for t in texts]
    if not value["shape"]:
        return numbers[0]
    return np.array(numbers, dtype=np.int64 if isinstance(numbers[0], int) else np.float64).reshape(value["shape"])
