"""Benchmark: what tracing costs (not collected by pytest).

    .venv/bin/python bench/layers_bench.py

Prints the median time of one MulLayer.forward on Python floats and one
Affine forward+backward on a (100, 784) batch: as the book writes the layer
(no checks, no tracing), ours outside any Graph, and ours inside a Graph.
Also the time to trace the apple+orange graph and build its Digraph.
"""
from __future__ import annotations

import statistics
import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers import Affine, AddLayer, Graph, MulLayer  # noqa: E402


class BookMulLayer:
    """The book's MulLayer, the baseline: no validation, no tracing."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y


def per_call_us(fn, number: int) -> float:
    runs = timeit.repeat(fn, number=number, repeat=7)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    book, ours = BookMulLayer(), MulLayer()
    print(f"MulLayer.forward(3.0, 4.0), book's:        {per_call_us(lambda: book.forward(3.0, 4.0), 20000):8.2f} µs")
    print(f"MulLayer.forward(3.0, 4.0), no graph:      {per_call_us(lambda: ours.forward(3.0, 4.0), 20000):8.2f} µs")
    with Graph():
        # A layer is one node of a graph, so each traced call takes a fresh layer (as a page would).
        print(f"MulLayer.forward(3.0, 4.0), in a graph:    "
              f"{per_call_us(lambda: MulLayer().forward(3.0, 4.0), 2000):8.2f} µs (incl. MulLayer())")

    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(100, 784)), rng.normal(size=(784, 50)) * 0.01, np.zeros(50)
    dout = rng.normal(size=(100, 50))
    affine = Affine(W, b)

    def book_affine() -> None:
        out = np.dot(x, W) + b
        np.dot(dout, W.T), np.dot(x.T, dout), np.sum(dout, axis=0)
        return out

    def ours_affine() -> None:
        affine.forward(x)
        affine.backward(dout)

    print(f"Affine (100, 784)→50 fwd+bwd, plain numpy: {per_call_us(book_affine, 200):8.1f} µs")
    print(f"Affine (100, 784)→50 fwd+bwd, no graph:    {per_call_us(ours_affine, 200):8.1f} µs")

    def trace_and_draw() -> None:
        m1, m2, add, m3 = MulLayer(), MulLayer(), AddLayer(), MulLayer()
        with Graph() as g:
            a = m1.forward(g.input(100, "사과"), g.input(2, "사과 개수"))
            o = m2.forward(g.input(150, "귤"), g.input(3, "귤 개수"))
            p = m3.forward(add.forward(a, o), g.input(1.1, "소비세"))
            g.output(p, "지불 금액")
        d, _ = m3.backward(1)
        da, do = add.backward(d)
        m1.backward(da), m2.backward(do)
        g.to_dot()
        g.describe()

    print(f"apple+orange: trace, backward, DOT, alt:   {per_call_us(trace_and_draw, 200):8.1f} µs")


if __name__ == "__main__":
    main()
