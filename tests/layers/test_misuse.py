"""Mistakes a reader copying the chapter's code makes, each refused with a message that says the fix.

Before these checks each one drew a wrong figure or returned wrong numbers silently (or
failed with an error that pointed elsewhere).
"""
from __future__ import annotations

import numpy as np
import pytest

from layers import (
    AddLayer,
    Affine,
    Graph,
    GraphError,
    MulLayer,
    Relu,
    SoftmaxWithLoss,
    Square,
    cross_entropy_error,
    softmax,
)


# -- passing the original value instead of what g.input returned ----------------------

def test_passing_the_original_number_instead_of_the_named_input_is_refused() -> None:
    apple, apple_num = 100, 2
    with pytest.raises(GraphError, match=r"g\.input\(100, '사과'\) was never passed to a layer") as info:
        with Graph() as g:
            g.input(apple, "사과")  # the returned value is dropped ...
            g.output(MulLayer().forward(apple, g.input(apple_num, "사과 개수")), "가격")  # ... and 100 passed
    assert "x = g.input(x, '사과')" in str(info.value)


def test_the_named_input_passed_on_draws_connected() -> None:
    with Graph() as g:
        a = g.input(100, "사과")
        g.output(MulLayer().forward(a, g.input(2, "사과 개수")), "가격")
    (edge,) = [e for e in g.edges if e.src.label == "사과"]
    assert edge.dst.kind == "op"
    assert not [n for n in g.nodes if n.kind == "const"]


def test_an_array_is_its_own_named_input() -> None:
    # g.input returns the very array, so passing the original is the same object: no error.
    x = np.array([1.0, -2.0])
    with Graph() as g:
        g.input(x, "x")
        g.output(Relu().forward(x), "y")
    assert g.edges[0].src.label == "x"


# -- changing an array in place after it was recorded ---------------------------------

def test_backward_after_an_input_array_was_changed_in_place_is_refused() -> None:
    x, w = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    mul = MulLayer()
    with Graph() as g:
        g.output(mul.forward(g.input(x, "x"), g.input(w, "w")), "y")
    x *= 10  # the layer kept x itself: its backward would now return 10·(∂L/∂y)·x's partner
    with pytest.raises(GraphError, match=r"MulLayer\.backward: the array on the edge x → × was changed in place"):
        mul.backward(np.ones(2))


def test_a_gradient_changed_in_place_after_backward_refuses_to_draw() -> None:
    mul = MulLayer()
    with Graph() as g:
        g.output(mul.forward(g.input(np.array([1.0, 2.0]), "x"), g.input(np.array([3.0, 4.0]), "w")), "y")
    dx, _ = mul.backward(np.ones(2))
    dx *= 2
    with pytest.raises(GraphError, match=r"gradient 1 it returned at the × node was changed in place"):
        g.to_digraph()


def test_an_unchanged_graph_still_draws() -> None:
    x = np.array([1.0, 2.0])
    mul = MulLayer()
    with Graph() as g:
        g.output(mul.forward(g.input(x, "x"), g.input(np.array([3.0, 4.0]), "w")), "y")
    y = x * 5  # a new array: nothing recorded changed
    mul.backward(np.ones(2))
    assert y.tolist() == [5.0, 10.0] and "x" in g.to_dot()


# -- one layer instance for two nodes --------------------------------------------------

def test_one_layer_instance_for_two_nodes_is_refused_and_keeps_its_first_forward() -> None:
    mul = MulLayer()
    with pytest.raises(GraphError, match=r"this MulLayer instance is already a node \(×\) of this graph") as info:
        with Graph() as g:
            a = mul.forward(g.input(2.0, "a"), g.input(3.0, "b"))
            mul.forward(a, 4.0)  # the first node would lose its gradients
    assert "one layer per node" in str(info.value)
    # The refused forward left the layer as the first forward made it.
    assert mul.backward(1.0) == (3.0, 2.0)
    assert g.edges[0].grad == 3.0 and g.edges[1].grad == 2.0


def test_one_layer_instance_in_two_separate_graphs_is_fine() -> None:
    mul = MulLayer()
    for _ in range(2):
        with Graph() as g:
            g.output(mul.forward(g.input(2.0, "a"), g.input(3.0, "b")), "c")
        mul.backward(1.0)
        assert [e.grad for e in g.edges[:2]] == [3.0, 2.0]


# -- the same array under two labels ---------------------------------------------------

def test_the_same_array_under_two_labels_is_refused() -> None:
    x = np.array([1.0, 2.0])
    with pytest.raises(GraphError, match=r"g\.input\(\.\.\., 'y'\): this object is already in the graph "
                                         r"\(it is already the input 'x'\)") as info:
        with Graph() as g:
            g.input(x, "x")
            g.input(x, "y")
    assert "g.input(x.copy(), 'y')" in str(info.value)


def test_a_layer_output_cannot_be_named_an_input() -> None:
    with pytest.raises(GraphError, match="it is the output of the × layer"):
        with Graph() as g:
            z = MulLayer().forward(g.input(2.0, "a"), g.input(3.0, "b"))
            g.input(z, "z")


def test_a_copy_under_a_second_label_draws_two_inputs() -> None:
    x = np.array([1.0, 2.0])
    with Graph() as g:
        g.output(AddLayer().forward(g.input(x, "x"), g.input(x.copy(), "y")), "s")
    assert [n.label for n in g.nodes if n.kind == "input"] == ["x", "y"]


# -- a forward refused halfway leaves the layer as it was ------------------------------

def test_a_rejected_affine_forward_leaves_the_earlier_forward_for_backward() -> None:
    W, b = np.arange(6.0).reshape(3, 2), np.zeros(2)
    x = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]])
    layer, fresh = Affine(W, b), Affine(W, b)
    layer.forward(x)
    with pytest.raises(ValueError, match="does not fit W"):
        layer.forward(np.ones((2, 4)))  # it had already stored the shape (2, 4)
    fresh.forward(x)
    dout = np.array([[1.0, -1.0], [2.0, 0.5]])
    np.testing.assert_array_equal(layer.backward(dout), fresh.backward(dout))
    np.testing.assert_array_equal(layer.dW, fresh.dW)


def test_a_forward_whose_result_overflows_leaves_the_layer_as_it_was() -> None:
    square = Square()
    square.forward(3.0)
    with pytest.raises(ValueError, match="non-finite"), np.errstate(over="ignore"):
        square.forward(np.float64(1e200))  # x**2 = inf, refused after forward stored x
    with pytest.raises(OverflowError):
        square.forward(1e200)  # a Python float overflows inside forward, also after self.x = x
    assert square.backward(1.0) == 6.0  # the gradient at 3, not at 1e200


# -- Python lists ---------------------------------------------------------------------

@pytest.mark.parametrize("layer, args", [
    (MulLayer(), ([1.0, 2.0], 3.0)),          # [1, 2] * 3 would repeat the list
    (AddLayer(), ([1.0, 2.0], [3.0, 4.0])),   # [1, 2] + [3, 4] would join the lists
    (Relu(), ((1.0, -2.0),)),
])
def test_python_lists_and_tuples_are_refused_with_the_array_to_write(layer, args) -> None:
    with pytest.raises(TypeError, match=r"argument 1 is a Python (list|tuple).*pass a numpy array: np\.array\("):
        layer.forward(*args)


def test_a_python_list_cannot_be_a_named_input() -> None:
    with pytest.raises(GraphError, match=r"a Python list cannot be an input.*np\.array\(\[1, 2\]\)"):
        with Graph() as g:
            g.input([1, 2], "x")


# -- labels, scalars and dtypes ---------------------------------------------------------

def test_float_labels_get_a_dtype_message() -> None:
    scores = np.array([[0.1, 2.0, 0.3], [1.0, 0.0, 0.5]])
    for call in (lambda t: SoftmaxWithLoss().forward(scores, t), lambda t: cross_entropy_error(softmax(scores), t)):
        with pytest.raises(ValueError, match=r"class labels must be integers, got dtype float64 \(\[1\.0, 0\.0\]\)"):
            call(np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="must be integers, got dtype float64"):
        SoftmaxWithLoss().forward(scores[0], np.array(1.0))  # one sample, one float label


def test_zero_dimensional_input_to_affine_says_what_shape_it_takes() -> None:
    layer = Affine(np.ones((1, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"Affine input is a single number \(3\).*\(D,\).*\(N, D\).*D = 1"):
        layer.forward(np.float64(3.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_with_loss_keeps_the_float_dtype(dtype) -> None:
    x = np.array([[0.3, 2.9, 4.0], [1.0, 0.5, -1.0]], dtype=dtype)
    layer = SoftmaxWithLoss()
    layer.forward(x, np.array([2, 0]))
    assert layer.y.dtype == dtype and softmax(x).dtype == dtype
    assert layer.backward().dtype == dtype and layer.backward(1.0).dtype == dtype


def test_integer_scores_become_float64() -> None:
    layer = SoftmaxWithLoss()
    layer.forward(np.array([[1, 2, 3]]), np.array([2]))
    assert layer.y.dtype == np.float64
