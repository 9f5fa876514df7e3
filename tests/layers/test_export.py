"""Graph.export(): what a graph recorded, as data, and the graph the layers rebuild from it."""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from graph_cases import CASES, INPUT_NAMES, random_input
from layers import Graph, MulLayer, Relu, Sigmoid
from layers.display import format_value
from layers.export import MAX_NUMBERS, ExportError, rebuild


def same(a: Any, b: Any) -> bool:
    """Equal values of the same kind: shape, int-or-float, and every number bit for bit."""
    if a is None or b is None:
        return a is None and b is None
    x, y = np.asarray(a), np.asarray(b)
    return (x.shape == y.shape and (x.dtype.kind in "iu") == (y.dtype.kind in "iu")
            and np.array_equal(x, y) and format_value(a) == format_value(b))


def assert_same_graph(expected: Graph, got: Graph) -> None:
    assert len(expected.edges) == len(got.edges)
    for i, (e, g) in enumerate(zip(expected.edges, got.edges)):
        assert (e.src.label, e.dst.label, e.arg_index) == (g.src.label, g.dst.label, g.arg_index), i
        assert same(e.value, g.value), (i, e.value, g.value)
        assert same(e.grad, g.grad), (i, e.grad, g.grad)
    assert got.describe() == expected.describe()


@pytest.mark.parametrize("name", sorted(CASES))
def test_rebuilding_an_export_gives_every_value_and_gradient_again(name: str) -> None:
    g = CASES[name]()
    data = json.loads(json.dumps(g.export()))  # what reaches the page is JSON
    assert_same_graph(g, rebuild(data))


@pytest.mark.parametrize("name", sorted(CASES))
def test_rebuilding_with_other_inputs_equals_running_the_layers_on_them(name: str) -> None:
    rng = np.random.default_rng(sum(map(ord, name)))
    data = CASES[name]().export()
    inputs = [i for i, n in enumerate(data["nodes"]) if n["kind"] == "input"]
    for _ in range(20):
        values: dict[int, Any] = {}
        kwargs: dict[str, Any] = {}
        for i, keyword in zip(inputs, INPUT_NAMES[name]):
            if data["nodes"][i]["editable"]:
                _, values[i] = random_input(rng, data["nodes"][i]["value"])
                kwargs[keyword] = values[i]
        assert_same_graph(CASES[name](**kwargs), rebuild(data, values))


def test_export_lists_inputs_ops_edges_and_seeds_in_recording_order() -> None:
    data = CASES["mul_node"]().export()
    assert data["version"] == 1
    assert [n["kind"] for n in data["nodes"]] == ["input", "input", "op", "output"]
    assert data["nodes"][0] == {"kind": "input", "label": "x", "editable": True,
                                "value": {"shape": [], "values": [10], "dtype": "int"}}
    assert data["nodes"][2] == {"kind": "op", "op": "mul", "label": "×"}
    assert [(e["src"], e["dst"], e["arg"], e["grad"]) for e in data["edges"]] == [
        (0, 2, 0, True), (1, 2, 1, True), (2, 3, 0, True)]
    assert data["edges"][0]["grad_symbol"] == "∂L/∂z·y"
    assert data["seeds"] == [{"node": 2, "value": {"shape": [], "values": [1.3], "dtype": "float"}}]
    assert data["direction"] == "LR"
    layer = MulLayer()
    with Graph(direction="TB") as g:
        g.output(layer.forward(g.input(2, "x"), 3), "y")
    assert g.export()["direction"] == "TB"  # so the page keeps rewritten numbers aligned as drawn


def test_parameters_and_constants_are_exported_with_their_values() -> None:
    data = CASES["sigmoid_steps"]().export()
    add_one = next(n for n in data["nodes"] if n.get("op") == "add_const")
    assert add_one["params"] == {"c": {"shape": [], "values": [1], "dtype": "int"}}
    data = CASES["affine_relu_loss"]().export()
    affine = next(n for n in data["nodes"] if n.get("op") == "affine")
    assert affine["params"]["W"]["shape"] == [2, 3]
    assert affine["params"]["b"]["values"] == [0.1, 0.0, -0.2]
    data = CASES["branch"]().export()
    assert {"kind": "const", "value": {"shape": [], "values": [2], "dtype": "int"}} in data["nodes"]


def test_a_forward_only_graph_exports_no_gradients_and_no_seeds() -> None:
    data = CASES["apple_forward"]().export()
    assert not any(e["grad"] for e in data["edges"])
    assert data["seeds"] == []


def test_labels_and_large_arrays_get_no_number_fields() -> None:
    nodes = CASES["softmax_loss"]().export()["nodes"]
    assert [(n["label"], n["editable"]) for n in nodes if n["kind"] == "input"] == [("a", True), ("t", False)]
    relu = Relu()
    with Graph() as g:
        g.output(relu.forward(g.input(np.arange(7.0) - 3, "x")), "y")
    assert g.export()["nodes"][0]["editable"] is False


def test_a_graph_the_page_cannot_recompute_is_refused_with_the_reason() -> None:
    class Doubling(MulLayer):
        pass

    layer = Doubling()
    with Graph() as g:
        g.output(layer.forward(g.input(2.0, "x"), 3.0), "y")
    with pytest.raises(ExportError, match="Doubling"):
        g.export()

    relu = Relu()
    with Graph() as g:
        g.output(relu.forward(g.input(np.zeros(MAX_NUMBERS + 1), "x")), "y")
    with pytest.raises(ExportError, match=f"more than {MAX_NUMBERS} numbers"):
        g.export()

    mul = MulLayer()
    with Graph() as g:
        g.output(mul.forward(g.input(np.array([True, False]), "mask"), 2), "y")
    with pytest.raises(ExportError, match="input 'mask'.*dtype bool"):
        g.export()


def test_a_backward_fed_something_else_than_its_consumers_gradient_is_refused() -> None:
    first, second = Sigmoid(), Sigmoid()
    with Graph() as g:
        g.output(second.forward(first.forward(g.input(0.5, "x"))), "y")
    second.backward(1.0)
    first.backward(5.0)  # not what second handed back
    with pytest.raises(ExportError, match="'sigmoid' node's backward received a gradient other than"):
        g.export()
