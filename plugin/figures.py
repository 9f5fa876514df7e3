"""Figures: the one owner of a ``python figure`` block, from its result to its HTML.

A figure block runs in the worker like any block; its last value comes back as
a ``FigureSource`` (``figure_source``: DOT or SVG text, alt text, style). From
there this module does the rest, for every figure of a page:

1. ``page_figures`` pairs each figure block with its ``FigureEntry`` (number,
   label and anchor, decided once for the whole site by ``figure_index``) and
   its source: one ``PageFigure`` per block, in page order.
2. ``draw`` gives each its SVG: from the cache (keyed by everything that decides
   the SVG) or drawn now by ``figure_svg.render_svg`` (``dot`` plus the
   post-processing that makes it safe to inline), several at once since ``dot``
   is a subprocess. A drawing error stays on the figure, for assembly to report.
3. ``figure_html`` writes the figure's HTML: ``<figure>`` with its anchor, the SVG
   (put in late, behind a placeholder), the graph an interactive figure carries
   (:mod:`interactive`) and its caption.

Where to extend: a figure's HTML wrapper is ``figure_html``; its SVG
post-processing is ``figure_svg.postprocess``; data a figure carries from the
worker goes on ``FigureSource`` (``figure_source``), data decided on the MkDocs
side on ``PageFigure``. A change to either that alters the SVG must be part of
its cache key (``_svg_key``).
"""
from __future__ import annotations

import html
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mkdocs_backprop import interactive
from mkdocs_backprop.blocks import Block
from mkdocs_backprop.cache import ResultCache, digest
from mkdocs_backprop.figure_index import FigureEntry, FigureIndex
from mkdocs_backprop.figure_source import FigureError, FigureSource
from mkdocs_backprop.page_plan import PagePlan
from mkdocs_backprop.placeholders import Placeholders
from mkdocs_backprop.worker_protocol import ItemResult

__all__ = ["PageFigure", "draw", "figure_html", "page_figures"]


@dataclass
class PageFigure:
    """One figure block of a page, on its way from source to HTML."""

    block: Block
    entry: FigureEntry  # number, label, anchor
    source: FigureSource | None  # None: the block failed or did not run
    svg: str | None = None
    error: FigureError | None = None  # drawing failed (the block itself ran fine)
    seconds: float | None = None  # drawing time, when drawn in this build (not from the cache)

    @property
    def alt(self) -> str:
        """The block's ``alt="…"`` option, else the text the drawable gave."""
        return self.block.options.get("alt") or (self.source.alt if self.source else "")


def page_figures(plan: PagePlan, results: list[ItemResult] | None, index: FigureIndex, src_uri: str,
                 default_label: str) -> list[PageFigure]:
    """Every figure block of the page with its entry, and its source if it ran without error."""
    figures = []
    for ordinal, block in enumerate(b for b in plan.page.blocks if b.kind == "figure"):
        i = plan.index_of(block)
        result = results[i] if results is not None and i < len(results) else None
        source = result.figure if result is not None and result.error is None else None
        figure = PageFigure(block, index.entry(src_uri, ordinal, default_label), source)
        problem = interactive.requirement_error(source, block.options.get("interactive"))
        if problem:
            figure.error = FigureError(problem)
        figures.append(figure)
    return figures


def draw(figures: list[PageFigure], cache: ResultCache, fingerprint: Callable[[], str | None]) -> None:
    """Give every figure with a source its SVG (or its drawing error), drawing cache misses concurrently.

    ``fingerprint()`` names the renderer (``dot``, the font); None when it is missing.
    A cached SVG made by another renderer is drawn again, but without a renderer
    (no ``dot`` here) any cached SVG of the same source serves: a build whose
    figures are all cached does not need ``dot``. A figure that must be drawn
    then fails with the one-line reason (install graphviz, or the font).
    """
    from mkdocs_backprop.figure_svg import POSTPROCESS_VERSION, render_svg

    renderer = fingerprint()
    missing: list[tuple[PageFigure, str]] = []
    for figure in figures:
        if figure.source is None or figure.error is not None:
            continue
        key = _svg_key(figure, POSTPROCESS_VERSION)
        figure.svg = _cached_svg(cache, key, renderer)
        if figure.svg is None:
            missing.append((figure, key))

    def render(job: tuple[PageFigure, str]) -> None:
        figure, key = job
        assert figure.source is not None
        started = time.perf_counter()
        try:
            figure.svg = render_svg(figure.source, id_prefix=figure.entry.id_prefix, alt=figure.alt)
        except FigureError as error:
            figure.error = error
            return
        figure.seconds = time.perf_counter() - started
        cache.put_svg(key, f"{renderer or ''}\n{figure.svg}")

    # `dot` is a subprocess, so threads render figures side by side.
    with ThreadPoolExecutor(max_workers=min(4, max(1, len(missing)))) as pool:
        list(pool.map(render, missing))


def _cached_svg(cache: ResultCache, key: str, renderer: str | None) -> str | None:
    """The stored SVG (its first line names the renderer that drew it), if it may serve."""
    entry = cache.get_svg(key)
    if entry is None or "\n" not in entry:
        return None
    drawn_by, _, svg = entry.partition("\n")
    return svg if renderer is None or drawn_by == renderer else None


def _svg_key(figure: PageFigure, postprocess_version: str) -> str:
    # The renderer (dot, font) is not in the key but in the entry: see ``draw``. The
    # post-processing is, so a drawing made before a safety fix is never served.
    source = figure.source
    assert source is not None
    return digest("svg", source.kind, source.text, source.colors, source.font, figure.entry.id_prefix,
                  figure.alt, postprocess_version)


def figure_html(figure: PageFigure, caption_html: str, placeholders: Placeholders) -> str:
    """``<figure>`` with the anchor, the SVG (filled in late) in its scroll box, and "label: caption".

    The box, not the figure, scrolls when the drawing is wider than a phone's column,
    so the caption stays in place; figures.js makes it focusable while it scrolls.
    """
    label = html.escape(figure.entry.label)
    text = f"{label}: {caption_html}" if caption_html else label
    late = placeholders.new_late(figure.svg) if figure.svg else ""
    graph = interactive.graph_json(figure.source, figure.block.options.get("interactive"))
    # Late, as the SVG: the search index must not read the graph's numbers as text.
    data = placeholders.new_late(interactive.data_html(graph, figure.entry.id_prefix)) \
        if figure.svg and graph is not None else ""
    return (f'<figure class="bp-figure" id="{html.escape(figure.entry.anchor)}">'
            f'<div class="bp-figure-scroll" data-bp-name="{label}">{late}</div>{data}'
            f"<figcaption>{text}</figcaption></figure>")
