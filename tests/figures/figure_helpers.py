"""Helpers for the figure tests: real graphviz graphs for the real `dot`."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import graphviz

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# Stand-in for layers.graph's colour in tests that only need *a* second colour.
TEST_BACKWARD = "#c2410c"


def apple_digraph(backward_color: str = TEST_BACKWARD, font: str = "NanumGothic") -> graphviz.Digraph:
    """The chapter's first figure drawn by hand: 100 × 2 = 200, × 1.1 = 220, with gradients."""
    g = graphviz.Digraph(
        graph_attr={"rankdir": "LR", "bgcolor": "white"},
        node_attr={"fontname": font},
        edge_attr={"fontname": font},
    )
    g.node("apple", "사과", shape="plaintext")
    g.node("count", "사과 개수", shape="plaintext")
    g.node("tax", "소비세", shape="plaintext")
    g.node("mul1", "×", shape="circle")
    g.node("mul2", "×", shape="circle")
    g.node("pay", "지불 금액", shape="plaintext")

    def label(forward: str, backward: str) -> str:
        return f'<{forward}<br/><font color="{backward_color}"><b>{backward}</b></font>>'

    g.edge("apple", "mul1", label=label("100", "2.2"))
    g.edge("count", "mul1", label=label("2", "110"))
    g.edge("mul1", "mul2", label=label("200", "1.1"))
    g.edge("tax", "mul2", label=label("1.1", "200"))
    g.edge("mul2", "pay", label=label("220", "1"))
    return g


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
