"""What a ``python figure`` block may draw, reduced to plain data inside the worker.

``figure_source(obj)`` runs in the worker process, on the value of the block's
last expression, and returns a :class:`FigureSource`: DOT or SVG text, the
figure's generated text alternative and its style. It accepts

- any object with ``to_digraph()`` (a graphviz graph) and ``describe()`` (its
  Korean text alternative), such as a traced computation graph;
- a ``graphviz.Digraph``/``graphviz.Graph`` or a DOT string (these cannot
  describe themselves: the block's ``alt="…"`` is required);
- any object with ``_repr_svg_()`` (a chart), optionally with ``describe()``.

A drawable may also offer ``figure_style()`` returning
``{"colors": {"forward": "#000000", "backward": "#c62828"}, "font": "…"}``: each
colour it draws with and the palette role that colour plays (a role ``R``
becomes the CSS variable ``--bp-R``, so the figure follows light and dark
palettes), and the font family its labels use. The plugin never imports the
library that made the drawable to learn its colours. Anything else raises
:class:`FigureError` saying what was given and what is accepted.

A drawable with ``to_digraph()`` may also offer ``export()``: the graph it
recorded as JSON-able data in the interactive-graph format that
``assets/interactive.js`` recomputes (see :mod:`mkdocs_backprop.interactive`).
Its JSON text travels on ``FigureSource.graph``; if ``export()`` raises, the
reason travels on ``graph_error`` instead and the figure stays static (or, with
``interactive="true"``, fails with that reason).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["FigureError", "FigureSource", "figure_source"]

_DOT_HEAD_RE = re.compile(r"\A\s*(?:strict\s+)?(?:di)?graph\b", re.IGNORECASE)
_ROLE_RE = re.compile(r"[a-z][a-z0-9-]*\Z")
_COLOUR_RE = re.compile(r"#[0-9A-Fa-f]{6}\Z|[A-Za-z]+\Z")


class FigureError(Exception):
    """A figure could not be produced; the message says why and how to fix it."""


@dataclass(frozen=True)
class FigureSource:
    kind: str  # "dot" or "svg"
    text: str  # DOT source, or SVG markup
    alt: str   # generated Korean text alternative ("" if the value offers none)
    # (palette role, colour as the drawing writes it), from the drawable's figure_style()
    colors: tuple[tuple[str, str], ...] = ()
    font: str | None = None  # the font family the drawable asks for, if it says
    graph: str | None = None  # JSON of the drawable's export(), for an interactive figure
    graph_error: str | None = None  # why export() failed, if it did

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "alt": self.alt,
                "colors": [list(pair) for pair in self.colors], "font": self.font,
                "graph": self.graph, "graph_error": self.graph_error}

    @classmethod
    def from_json(cls, data: object) -> FigureSource | None:
        """The source ``to_json`` stored, or None if ``data`` is not one."""
        if not isinstance(data, dict) or data.get("kind") not in ("dot", "svg"):
            return None
        text, alt, font = data.get("text"), data.get("alt"), data.get("font")
        colors = data.get("colors", [])
        if not (isinstance(text, str) and isinstance(alt, str) and (font is None or isinstance(font, str))
                and isinstance(colors, list)
                and all(isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
                        for p in colors)):
            return None
        graph, graph_error = data.get("graph"), data.get("graph_error")
        if not all(v is None or isinstance(v, str) for v in (graph, graph_error)):
            return None
        return cls(data["kind"], text, alt, tuple((p[0], p[1]) for p in colors), font, graph, graph_error)


def figure_source(obj: object) -> FigureSource:
    """What a ``python figure`` block's last value draws, as plain picklable data."""
    if callable(getattr(obj, "to_digraph", None)) and callable(getattr(obj, "describe", None)):
        digraph = obj.to_digraph()  # type: ignore[attr-defined]
        text = getattr(digraph, "source", None)
        if not isinstance(text, str):
            raise FigureError(
                f"{_type_name(obj)}.to_digraph() returned {_type_name(digraph)}, "
                "not a graphviz.Digraph; it must return a graphviz graph"
            )
        return FigureSource("dot", text, _describe(obj), *_style(obj), *_graph(obj))
    if _is_graphviz_graph(obj):
        return FigureSource("dot", obj.source, "")  # type: ignore[attr-defined]
    if isinstance(obj, str):
        if not _DOT_HEAD_RE.match(_strip_dot_comments(obj)):
            head = obj.strip()[:40]
            raise FigureError(
                f"a string figure must be DOT source starting with 'digraph' or 'graph', "
                f"got {head!r}; to show text, end the block with something drawable instead"
            )
        return FigureSource("dot", obj, "")
    repr_svg = getattr(obj, "_repr_svg_", None)
    if callable(repr_svg):
        svg = repr_svg()
        if not isinstance(svg, str) or "<svg" not in svg:
            raise FigureError(
                f"{_type_name(obj)}._repr_svg_() returned {_type_name(svg)} without an <svg> "
                "element; it must return SVG markup as a str"
            )
        alt = _describe(obj) if callable(getattr(obj, "describe", None)) else ""
        return FigureSource("svg", svg, alt, *_style(obj))
    hint = (
        " (the last line evaluated to None: end the block with the graph itself, "
        "not with a call that returns nothing)"
        if obj is None
        else ""
    )
    raise FigureError(
        f"cannot draw a value of type {_type_name(obj)}{hint}. A figure block's last "
        "expression must be an object with to_digraph() and describe() (such as a traced "
        "computation graph), a graphviz.Digraph or graphviz.Graph, a DOT string, or an "
        "object with _repr_svg_() (such as a chart)"
    )


def _style(obj: object) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """(colours by role, font) from ``obj.figure_style()``; nothing if it has none."""
    method = getattr(obj, "figure_style", None)
    if not callable(method):
        return (), None
    style = method()
    problem = f"{_type_name(obj)}.figure_style() must return {{'colors': {{role: '#rrggbb'}}, 'font': str}}"
    if not isinstance(style, dict):
        raise FigureError(f"{problem}, got {_type_name(style)}")
    colors, font = style.get("colors", {}), style.get("font")
    if not isinstance(colors, dict) or (font is not None and not isinstance(font, str)):
        raise FigureError(f"{problem}, got {style!r}")
    for role, colour in colors.items():
        if not (isinstance(role, str) and _ROLE_RE.match(role) and isinstance(colour, str)
                and _COLOUR_RE.match(colour)):
            raise FigureError(f"{problem}; role {role!r} with colour {colour!r} is not one")
    return tuple(colors.items()), font


def _graph(obj: object) -> tuple[str | None, str | None]:
    """(JSON of ``obj.export()``, None), or (None, why not) if it has none or it fails."""
    method = getattr(obj, "export", None)
    if not callable(method):
        return None, f"{_type_name(obj)} has no export() method"
    try:
        # Page code's own object: whatever it raises is a reason to stay static, not a crash.
        return json.dumps(method(), ensure_ascii=False, allow_nan=False, separators=(",", ":")), None
    except Exception as error:  # noqa: BLE001
        return None, f"{_type_name(obj)}.export() failed: {error}"


def _describe(obj: object) -> str:
    alt = obj.describe()  # type: ignore[attr-defined]
    if not isinstance(alt, str):
        raise FigureError(f"{_type_name(obj)}.describe() returned {_type_name(alt)}, not a str")
    return alt


def _is_graphviz_graph(obj: object) -> bool:
    # Checked by module so that a stray object with a .source attribute (a
    # traceback, a pandas accessor…) is not mistaken for DOT.
    module = type(obj).__module__ or ""
    return module.split(".")[0] == "graphviz" and isinstance(getattr(obj, "source", None), str)


def _strip_dot_comments(text: str) -> str:
    return re.sub(r"\A(?:\s*(?://[^\n]*|#[^\n]*|/\*.*?\*/))*", "", text, flags=re.DOTALL)


def _type_name(obj: object) -> str:
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
