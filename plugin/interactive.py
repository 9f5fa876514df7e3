"""Interactive figures: the graph a figure carries into its page, and the script that uses it.

A figure whose drawable offers ``export()`` (see :mod:`figure_source`) carries the
export's JSON into the page beside its SVG, as
``<script type="application/json" class="bp-graph" data-prefix="…">``, put in
after search indexing like the SVG. A page with such a figure links
``assets/interactive.js``, which adds step buttons, a number field per named
input and a status line, and recomputes the graph when an input changes; and
``assets/interactive.css``. Pages without one load neither. Without JavaScript
(or in print) the figure is the static drawing.

The block option ``interactive`` decides: absent, a figure is interactive when its
drawable exported; ``"false"``, never; ``"true"``, always: a drawable that cannot
export fails the figure, naming why.

The format ``interactive.js`` reads (version 1, written by ``layers.export``)::

    {"version": 1,
     "nodes": [{"kind": "input", "label": str, "value": V, "editable": bool}
               | {"kind": "const", "value": V}
               | {"kind": "op", "op": NAME, "label": str, "params": {str: V}?}
               | {"kind": "output", "label": str}],
     "edges": [{"src": int, "dst": int, "arg": int, "grad": bool,
                "symbol": str | null, "grad_symbol": str | null}],
     "seeds": [{"node": int, "value": V}],
     "direction": "LR" | "TB"}

``V`` is ``{"shape": [int], "values": [number], "dtype": "int" | "float"}``; NAME is
one of mul, add, negate, exp, add_const (param c), reciprocal, square, dot, relu,
sigmoid, affine (params W, b), softmax_with_loss. Edge *i* is drawn with the SVG
ids ``e{i}`` (its labels), ``e{i}-a``/``e{i}-b`` (its lines), node *i* as ``n{i}``.
"""
from __future__ import annotations

import html
import shutil
from pathlib import Path

from mkdocs_backprop.figure_source import FigureSource

__all__ = ["ASSETS", "MARKER", "data_html", "graph_json", "link_assets", "requirement_error"]

ASSETS = ("interactive.js", "interactive.css")
_SOURCE_DIR = Path(__file__).parent / "assets"
MARKER = '<script type="application/json" class="bp-graph"'


def graph_json(source: FigureSource | None, option: str | None) -> str | None:
    """The graph JSON the figure carries into the page, or None for a static figure."""
    if source is None or option == "false":
        return None
    return source.graph


def requirement_error(source: FigureSource | None, option: str | None) -> str | None:
    """Why a figure marked ``interactive="true"`` cannot be, or None."""
    if option != "true" or source is None or source.graph is not None:
        return None
    reason = source.graph_error or (
        "it is not a computation graph with export() (a DOT string, graphviz graph or chart)")
    return (f'interactive="true" was given, but the figure cannot be interactive: {reason}. '
            'Draw a layers graph of supported layers, or drop interactive="true" to show it static')


def data_html(graph: str, id_prefix: str) -> str:
    """The inert ``<script>`` holding the graph; ``<``, ``>`` and ``&`` escaped so nothing can end it."""
    text = graph.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return (f'{MARKER} data-prefix="{html.escape(id_prefix)}">'
            f"{text}</script>")


def link_assets(output: str, page_url: str, asset_dir: str, needed: bool | None = None) -> str:
    """``output`` with the script and stylesheet linked in its ``<head>``, if it has an interactive
    figure (``needed``, when the caller knows; else looked for in ``output``)."""
    if not (MARKER in output if needed is None else needed) or "</head>" not in output:
        return output
    base = "../" * page_url.count("/") + asset_dir.strip("/") + "/"
    tags = (f'<link rel="stylesheet" href="{html.escape(base)}interactive.css">'
            f'<script defer src="{html.escape(base)}interactive.js"></script>')
    return output.replace("</head>", tags + "</head>", 1)


def install(target: Path) -> list[Path]:
    """Copy the script and stylesheet into ``target`` (the site's asset folder)."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ASSETS:
        shutil.copyfile(_SOURCE_DIR / name, target / name)
        written.append(target / name)
    return written
