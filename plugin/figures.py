"""Figures: turn a drawable value into a self-contained inline SVG.

CONTRACT (owned by the figures work; the execution core calls these):

- ``figure_source(obj) -> FigureSource`` runs inside the worker process, on the
  value of a ``python figure`` block's last expression. It accepts a
  ``layers.graph`` graph, a ``graphviz.Digraph``/``graphviz.Graph``, a DOT
  string, or any object with ``_repr_svg_()`` (e.g. a chart). Anything else
  raises ``FigureError`` saying what was given and what is accepted.
- ``render_svg(source, *, id_prefix, alt) -> str`` runs in the MkDocs process:
  renders DOT with the real ``dot`` binary (exit status and stderr always read),
  prefixes every id with ``id_prefix``, adds ``role="img"`` and the text
  alternative, and makes colours follow the light/dark palette.
  Raises ``FigureError`` with a message that says what failed and how to fix it.
- ``renderer_fingerprint() -> str``: the ``dot`` version and the font, for cache keys.
"""
from __future__ import annotations

from dataclasses import dataclass


class FigureError(Exception):
    """A figure could not be produced; the message says why and how to fix it."""


@dataclass(frozen=True)
class FigureSource:
    kind: str  # "dot" or "svg"
    text: str  # DOT source, or SVG markup
    alt: str   # generated Korean text alternative ("" if the value offers none)


def figure_source(obj: object) -> FigureSource:
    raise NotImplementedError


def render_svg(source: FigureSource, *, id_prefix: str, alt: str) -> str:
    raise NotImplementedError


def renderer_fingerprint() -> str:
    raise NotImplementedError
