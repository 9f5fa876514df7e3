"""The interactive figures' engine (plugin/assets/interactive.js) in Chromium, against Python.

Number formatting must give layers.display's strings for any value, and a graph
recomputed in the page from Graph.export() with other inputs must show exactly what
the layers compute with those inputs, forward and backward. The engine is loaded
into a blank page: no site build is needed.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph_cases import CASES, INPUT_NAMES, random_input
from layers import Graph, Reciprocal
from layers.display import format_value

pytestmark = pytest.mark.browser

ENGINE = Path(__file__).resolve().parents[2] / "plugin" / "assets" / "interactive.js"


@pytest.fixture(scope="module")
def engine(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html lang='ko'><meta charset='utf-8'><title>engine</title></html>")
    page.add_script_tag(path=str(ENGINE))
    yield page
    context.close()


def tie_values(rng: np.random.Generator, n: int) -> list[float]:
    """Numbers exactly halfway between two 6-digit roundings (…5 at the 7th digit), both signs.

    Python rounds these to even; JavaScript's toPrecision would round them up.
    """
    out = []
    while len(out) < n:
        exponent = int(rng.integers(-4, 12))
        step = 5 ** max(1, -exponent)  # N·10^e is a binary fraction only if 5^-e divides N
        digits = int(rng.integers(1_000_000 // step, 10_000_000 // step)) * step
        if digits % 10 != 5 or digits < 1_000_000:
            continue
        value = Fraction(digits) * Fraction(10) ** exponent
        x = float(value)
        if Fraction(x) == value:
            out.append(x if rng.integers(0, 2) else -x)
    return out


def float_cases() -> list[float]:
    rng = np.random.default_rng(20261130)
    values = [0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, 1.7976931348623157e308, 1e-4, 9.999999999e-5,
              1e15, 999999999999999.9, 1e15 - 1, 999999.5, 9.999995, 0.1, 0.01, 0.001, 0.0001, 1 / 3, 2 / 3,
              220.00000000000003, 3.3000000000000003, 0.30000000000000004, -0.534446645, 0.19661193324148185]
    values += list(rng.choice([-1, 1], 2000) * 10.0 ** rng.uniform(-9, 18, 2000))
    values += [round(float(rng.uniform(-1e4, 1e4)), int(rng.integers(0, 7))) for _ in range(1000)]
    values += [float(rng.integers(-10**7, 10**7)) / 2 ** int(rng.integers(0, 12)) for _ in range(500)]
    values += tie_values(rng, 500)
    return [float(v) for v in values]


def test_numbers_are_formatted_exactly_as_python_formats_them(engine: Any) -> None:
    values = float_cases()
    # The ties are there and matter: rounding them half up (as toPrecision does) changes about half.
    half_up = Context(prec=6, rounding=ROUND_HALF_UP)
    ties = tie_values(np.random.default_rng(20261130), 500)
    assert sum(float(half_up.plus(Decimal(t))) != float(f"{t:.6g}") for t in ties) > 100
    got = engine.evaluate(
        "xs => xs.map(s => bpGraph.formatFloat(s === 'nan' ? NaN : s === 'inf' ? Infinity : "
        "s === '-inf' ? -Infinity : Number(s)))",
        [repr(v) for v in values],
    )
    mismatches = [(v, want, js) for v, want, js in zip(values, map(format_value, values), got) if want != js]
    assert not mismatches, mismatches[:10]


def test_integers_are_written_as_python_writes_ints(engine: Any) -> None:
    rng = np.random.default_rng(7)
    ints = [0, 1, -1, 999999, 1234567, -7654321, 10**15 - 1, 10**15, 2**53 - 1]
    ints += [int(v) for v in rng.integers(-(10**15), 10**15, 500)]
    got = engine.evaluate("xs => xs.map(s => bpGraph.format(bpGraph.T([], [Number(s)], true)))",
                          [str(i) for i in ints])
    assert got == [format_value(i) for i in ints]


def test_arrays_are_written_in_nested_brackets(engine: Any) -> None:
    array = np.array([[1.0, -0.0], [0.5, 3.0], [-2.25, 1e-7]])
    got = engine.evaluate("a => bpGraph.format(bpGraph.T([3, 2], a.map(Number), false))", [repr(float(v)) for v in array.ravel()])
    assert got == format_value(array) == "[[1, 0], [0.5, 3], [-2.25, 1e-7]]"


def test_fused_multiply_add_is_rounded_once(engine: Any) -> None:
    rng = np.random.default_rng(3)
    triples = [tuple(float(v) for v in rng.uniform(-9, 9, 3)) for _ in range(300)] + [(0.1, 10.0, -1.0)]
    got = engine.evaluate("ts => ts.map(t => String(bpGraph.fma(Number(t[0]), Number(t[1]), Number(t[2]))))",
                          [[repr(v) for v in t] for t in triples])
    want = [repr(float(Fraction(a) * Fraction(b) + Fraction(c))) for a, b, c in triples]
    assert [float(g) for g in got] == [float(w) for w in want]


def edge_strings(g: Graph) -> list[list[str | None]]:
    return [[format_value(e.value), None if e.grad is None else format_value(e.grad)] for e in g.edges]


JS_EDGE_STRINGS = """([data, runs]) => runs.map(inputs => {
  const given = {};
  for (const [i, v] of Object.entries(inputs)) given[i] = bpGraph.T(v.shape, v.values.map(Number), v.int);
  const res = bpGraph.evaluate(data, given);
  return res.edges.map(e => [bpGraph.format(e.value), e.grad ? bpGraph.format(e.grad) : null]);
})"""


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_recomputed_graph_shows_what_the_layers_compute(engine: Any, name: str) -> None:
    data = CASES[name]().export()
    rng = np.random.default_rng(sum(map(ord, name)) + 1)
    inputs = [i for i, n in enumerate(data["nodes"]) if n["kind"] == "input"]
    runs, expected = [{}], [edge_strings(CASES[name]())]  # the build-time inputs first
    for _ in range(40):
        run, kwargs = {}, {}
        for i, keyword in zip(inputs, INPUT_NAMES[name]):
            node = data["nodes"][i]
            if node["editable"]:
                texts, kwargs[keyword] = random_input(rng, node["value"])
                value = np.asarray(kwargs[keyword])
                run[str(i)] = {"shape": node["value"]["shape"], "values": texts, "int": value.dtype.kind == "i"}
        runs.append(run)
        expected.append(edge_strings(CASES[name](**kwargs)))
    got = engine.evaluate(JS_EDGE_STRINGS, [json.loads(json.dumps(data)), runs])
    for run, want, have in zip(runs, expected, got):
        assert have == want, run


def test_what_python_refuses_to_compute_the_page_refuses_too(engine: Any) -> None:
    layer = Reciprocal()
    with Graph() as g:
        g.output(layer.forward(g.input(2.0, "x")), "y")
    data = g.export()
    with pytest.raises(ValueError, match="x contains 0"):
        Reciprocal().forward(0.0)
    message = engine.evaluate(
        "data => { try { bpGraph.evaluate(data, {0: bpGraph.T([], [0], false)}); return null; }"
        " catch (e) { return e.bp ? e.message : 'other: ' + e.message; } }", data)
    assert message == "0의 역수는 정의되지 않습니다."


def test_an_unchanged_field_keeps_its_exact_value_when_another_input_changes(engine: Any) -> None:
    """A field shows six significant digits; the value behind it is the build's, to the last bit."""
    from layers import MulLayer
    from layers.export import rebuild
    from mkdocs_backprop.figure_source import figure_source
    from mkdocs_backprop.figure_svg import render_svg
    from mkdocs_backprop.interactive import data_html

    layer = MulLayer()
    with Graph() as g:
        g.output(layer.forward(g.input(0.123456789, "x"), g.input(3, "y")), "z")
    layer.backward(1)
    source = figure_source(g)
    svg = render_svg(source, id_prefix="bp-t-", alt=source.alt)
    engine.evaluate("html => { document.body.innerHTML = html; bpGraph.init(); }",
                    f'<figure class="bp-figure" id="t"><div class="bp-figure-scroll">{svg}</div>'
                    f'{data_html(source.graph, "bp-t-")}<figcaption>곱</figcaption></figure>')
    fields = engine.locator("#t .bp-inputs input")
    assert fields.nth(0).input_value() == "0.123457"
    fields.nth(1).fill("4")
    fields.nth(1).press("Enter")
    expected = rebuild(json.loads(source.graph), {1: 4})
    shown = engine.evaluate("() => [...document.querySelectorAll(\"[id^='bp-t-e'][id$='-value'] text\")]"
                            ".map(t => t.textContent)")
    assert shown == [format_value(e.value) for e in expected.edges] == ["0.123457", "4", "0.493827"]
    assert engine.locator("#t svg").get_attribute("aria-label") == expected.describe()
