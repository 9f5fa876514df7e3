"""DOT to inline SVG: run the real ``dot`` binary, then make its SVG safe to inline.

``render_svg(source, *, id_prefix, alt)`` runs in the MkDocs process: it renders
DOT with the real ``dot`` binary (``graphviz_dot.run_dot``: exit status and stderr
always read; a warning fails the figure too), and post-processes the SVG (``postprocess``): sanitised
against an allow-list (``sanitize.clean_svg``), titles dropped, every id
prefixed with ``id_prefix``, ``role="img"`` and the text alternative added, nan/inf labels refused, and colours made to follow the
light/dark palette. Errors are ``FigureError`` with a message that says what
failed and how to fix it. ``renderer_fingerprint()`` is everything besides the
DOT that decides the SVG (the ``dot`` version, the font files, this module's
post-processing version), for cache keys.

How colours follow the palette: presentation attributes (``fill="#…"``) cannot
hold CSS variables, so every colour this module knows (the black/white Graphviz
draws with by default, and the colours the drawable named in its
``figure_style()``) is moved into an inline ``style="fill: var(--bp-…, <original>)"``.
The variables are set per Material palette in ``plugin/assets/figures.css``; the
fallback keeps the figure drawn even where that stylesheet is absent.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs_backprop.figure_font import (
    FONT_FAMILY,
    MATH_FONT_NAME,
    MATH_WEB_FONT_FAMILY,
    WEB_FONT_FAMILY,
    font_fingerprint,
    fonts_record,
    recall_fonts,
)
from mkdocs_backprop.figure_source import FigureError, FigureSource
from mkdocs_backprop.graphviz_dot import DOT_VERSIONS, dot_version, find_dot, run_dot
from mkdocs_backprop.sanitize import clean_svg
from mkdocs_backprop.xml_markup import to_markup

if TYPE_CHECKING:
    from mkdocs_backprop.cache import ResultCache

__all__ = ["MIN_SCALE", "POSTPROCESS_VERSION", "postprocess", "render_svg", "renderer_fingerprint"]

# 3: allow-list sanitising; 4: hook links unwrapped, short title, math font, 8 px floor;
# 5: characters beyond the BMP written as character references; 6: data-bp-scroll-width
POSTPROCESS_VERSION = "6"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

_ID_PREFIX_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_URL_REF_RE = re.compile(r"url\(\s*#([^)\s]+)\s*\)")
# A number a reader should never see: nan, inf, -inf, Infinity (any case),
# standing alone rather than inside a word such as "info".
_NON_FINITE_RE = re.compile(r"(?<![\w.])[-+\u2212]?(?:nan|inf(?:inity)?)(?!\w)", re.IGNORECASE)


def render_svg(source: FigureSource, *, id_prefix: str, alt: str) -> str:
    """Inline SVG markup for ``source``; ``alt`` overrides ``source.alt`` when given."""
    if not _ID_PREFIX_RE.match(id_prefix):
        raise FigureError(
            f"id_prefix {id_prefix!r} is not usable as an SVG id prefix; "
            "use a letter followed by letters, digits, '-' or '_'"
        )
    text_alternative = (alt or source.alt).strip()
    if not text_alternative:
        raise FigureError(
            "the figure has no text alternative: a DOT string or graphviz graph cannot "
            'describe itself, so give one with alt="…" in the block\'s options'
        )
    if source.kind == "dot":
        svg = run_dot(source.text, font=source.font or FONT_FAMILY)
    elif source.kind == "svg":
        svg = source.text
    else:
        raise FigureError(f"unknown figure kind {source.kind!r}; expected 'dot' or 'svg'")
    return postprocess(svg, id_prefix=id_prefix, alt=text_alternative, colors=source.colors)


def renderer_fingerprint(cache: ResultCache | None = None) -> str:
    """Everything besides the DOT that decides the SVG: dot, font files, our post-processing.

    Finding them costs `dot -V`, two `fc-match` runs and hashing two 4.6 MB fonts, most
    of a warm build's plugin time; with ``cache``, what an earlier build found is reused
    while `dot` and the font files are unchanged (``stat``: size, mtime, inode).
    """
    dot = find_dot()
    record = _read_record(cache)
    if isinstance(record, dict):
        known = record.get("dot")
        try:
            if isinstance(known, dict) and known["path"] == dot and known["stat"] == _stat_id(Path(dot)) \
                    and isinstance(known["version"], str):
                DOT_VERSIONS.setdefault(dot, known["version"])
        except (OSError, KeyError):
            pass
        recall_fonts(record.get("fonts"))
    fingerprint = "|".join([dot_version(dot), *font_fingerprint(), f"post-{POSTPROCESS_VERSION}"])
    if cache is not None:
        now = {"dot": {"path": dot, "stat": _stat_id(Path(dot)), "version": dot_version(dot)},
               "fonts": fonts_record()}
        if now != record:
            cache.put_bytes(_RECORD, json.dumps(now).encode("utf-8"))
    return fingerprint


_RECORD = "renderer.json"  # in the cache folder: the dot and fonts found, by their stat()


def _read_record(cache: ResultCache | None) -> object:
    data = cache.get_bytes(_RECORD) if cache is not None else None
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _stat_id(path: Path) -> list[int]:
    stat = path.stat()  # follows a symlink (/usr/bin/dot) to the installed binary
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


# -- post-processing ---------------------------------------------------------------

_XLINK_HREF = f"{{{XLINK_NS}}}href"
_TITLE = f"{{{SVG_NS}}}title"
_TEXT = f"{{{SVG_NS}}}text"
_SVG = f"{{{SVG_NS}}}svg"
_A = f"{{{SVG_NS}}}a"
_G = f"{{{SVG_NS}}}g"
_ID_LIST_ATTRS = ("aria-labelledby", "aria-describedby")


def _palette(colors: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Colour as dot writes it -> CSS variable that replaces it."""
    colours = {
        "black": "--bp-fg",
        "#000000": "--bp-fg",
        "white": "--bp-bg",
        "#ffffff": "--bp-bg",
    }
    for role, colour in colors:  # the drawable's own, from its figure_style()
        colours[colour.lower()] = f"--bp-{role}"
    return colours


# The smallest a figure is drawn, as a share of its natural size, when it shows no
# text to measure: Graphviz's default 14 pt labels stay at about 11 px.
MIN_SCALE = 0.6
# A figure with text shrinks (on a phone) until its smallest label is this many CSS
# px, and no further: it scrolls sideways instead.
MIN_LABEL_PX = 8.0
# A figure that scrolls sideways anyway gains nothing from being that small: figures.js
# then draws it with its smallest label at this size (a laptop's floor), or at its
# natural size if that is smaller (data-bp-scroll-width).
SCROLL_LABEL_PX = 11.0
# Families a drawing asks for -> what the page's CSS calls the served subset of it.
_SERVED_FAMILIES = {
    FONT_FAMILY: f"{WEB_FONT_FAMILY}, {FONT_FAMILY}, sans-serif",
    MATH_FONT_NAME: f"{MATH_WEB_FONT_FAMILY}, '{MATH_FONT_NAME}', math",
}


def postprocess(svg: str, *, id_prefix: str, alt: str, colors: tuple[tuple[str, str], ...] = ()) -> str:
    """``svg`` made safe and self-contained for inlining in a page (see the module docstring)."""
    try:
        # The default parser drops the XML prolog, doctype and comments.
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        raise FigureError(f"the figure's SVG is not well-formed XML ({exc})") from exc
    if root.tag != _SVG:
        raise FigureError(f"the figure's markup has root <{root.tag}>, not an SVG <svg> element")

    # What a drawable returns is output, not code: only what a drawing needs stays
    # (no script, handlers, javascript: or external links, animation, foreign markup).
    clean_svg(root)
    _check_finite(root)
    _drop_titles(root)
    _unwrap_placeholder_links(root)
    _prefix_ids(root, id_prefix)
    _follow_palette(root, _palette(colors))

    # Natural size stays as width/height (the upper bound); CSS lets it shrink to the
    # column, but only until the smallest label is MIN_LABEL_PX: below that it could not
    # be read on a phone, so a wide graph scrolls sideways there instead (its box has
    # overflow-x).
    root.set("role", "img")
    root.set("aria-label", alt)
    root.set("class", " ".join(filter(None, [root.get("class"), "bp-svg"])))
    style = {"max-width": "100%", "height": "auto"}
    natural = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(pt|px)?\s*", root.get("width") or "")
    if natural:
        unit = natural.group(2) or "px"
        scale = _min_scale(root, float(natural.group(1)), unit)
        style["min-width"] = f"{float(natural.group(1)) * scale:.1f}{unit}"
        scroll_scale = _min_scale(root, float(natural.group(1)), unit, SCROLL_LABEL_PX)
        if scroll_scale > scale:
            root.set("data-bp-scroll-width", f"{float(natural.group(1)) * scroll_scale:.1f}{unit}")
    root.set("style", _merge_style(root.get("style"), style))
    # The tooltip browsers show on hover: the first sentence only. The whole text
    # alternative is the aria-label, which is what assistive technology reads.
    title = ET.Element(_TITLE)
    title.text = short_title(alt)
    title.tail = "\n"
    root.insert(0, title)

    try:
        markup = to_markup(root, SVG_NS)
    except ValueError as exc:  # e.g. RDF metadata some plotting libraries embed
        raise FigureError(f"the figure's SVG cannot be inlined: {exc}") from exc
    # Raw HTML in Markdown ends at a blank line; an SVG must never contain one.
    markup = re.sub(r"\n\s*\n", "\n", markup)
    # A label's math letters (𝐿, 𝑧: beyond the BMP) as character references: one such
    # character in a page's text makes Python hold the whole page, SVGs and all, at
    # four bytes a character through every later step of the build (search, theme,
    # writing); a reference draws the same letter.
    return _ASTRAL_RE.sub(lambda m: f"&#x{ord(m.group()):X};", markup)


_ASTRAL_RE = re.compile("[\U00010000-\U0010FFFF]")


def short_title(alt: str, limit: int = 60) -> str:
    """The first sentence of ``alt``, at most ``limit`` characters (cut at a word, with …)."""
    first = re.split(r"(?<=[.!?。])\s", alt.strip(), maxsplit=1)[0].rstrip(".。")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0] if " " in first[:limit] else first[:limit]
    return cut.rstrip(",;:") + "…"


def _min_scale(root: ET.Element, width: float, unit: str, label_px: float = MIN_LABEL_PX) -> float:
    """The share of its natural size below which the figure's smallest label is under ``label_px``."""
    sizes = []
    for el in root.iter(_TEXT):
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*", el.get("font-size") or "")
        if match:
            sizes.append(float(match.group(1)))
    view_box = (root.get("viewBox") or "").split()
    if not sizes or len(view_box) != 4 or float(view_box[2]) <= 0:
        return MIN_SCALE
    natural_px = width * (4 / 3 if unit == "pt" else 1)
    smallest_px = min(sizes) * natural_px / float(view_box[2])  # at natural size
    return min(1.0, label_px / smallest_px)


def _unwrap_placeholder_links(root: ET.Element) -> None:
    """Links to "#" become plain groups; Graphviz's ``a_<id>`` group gets its ``<id>`` back.

    Graphviz writes the id of an HTML-label cell into the SVG only by making the cell
    a link (``<g id="a_ID"><a xlink:href="#">…</a></g>``). Such a link goes nowhere;
    left in, it would be a tab stop and announce a link. Its content stays, in a group
    with the cell's own id, for scripts to find (see layers.drawing.EDGE_HOOKS).
    """
    for parent in list(root.iter()):
        for index, child in enumerate(list(parent)):
            if child.tag != _A or (child.get(_XLINK_HREF) or child.get("href") or "") != "#":
                continue
            group = ET.Element(_G)
            group.extend(list(child))
            group.text, group.tail = child.text, child.tail
            parent.remove(child)
            parent.insert(index, group)
        if parent.tag == _G and (parent.get("id") or "").startswith("a_") and len(parent) == 1 \
                and parent[0].tag == _G and not parent[0].attrib:
            inner = parent[0]
            parent.remove(inner)
            parent.extend(list(inner))
            parent.set("id", parent.get("id")[2:])


def _check_finite(root: ET.Element) -> None:
    for element in root.iter(_TEXT):
        text = "".join(element.itertext())
        match = _NON_FINITE_RE.search(text)
        if match:
            raise FigureError(
                f"the figure shows a non-finite value {match.group(0)!r} in the label {text.strip()!r}; "
                "a value overflowed or divided by zero before it was drawn"
            )


def _drop_titles(root: ET.Element) -> None:
    # dot titles every node and edge with its internal name ("a->m", "%3"),
    # which browsers show as tooltips; readers get the figure's alt instead.
    for parent in root.iter():
        for child in [c for c in parent if c.tag == _TITLE]:
            parent.remove(child)


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    ids = {el.get("id") for el in root.iter() if el.get("id") is not None}
    if not ids:
        return

    def fix_url(match: re.Match[str]) -> str:
        target = match.group(1)
        return f"url(#{prefix}{target})" if target in ids else match.group(0)

    for el in root.iter():
        for name, value in list(el.attrib.items()):
            if name == "id":
                el.set(name, prefix + value)
            elif name in ("href", _XLINK_HREF):
                # Only references into this SVG; a link to a page anchor stays.
                if value.startswith("#") and value[1:] in ids:
                    el.set(name, f"#{prefix}{value[1:]}")
            elif name in _ID_LIST_ATTRS:
                el.set(name, " ".join(prefix + v if v in ids else v for v in value.split()))
            elif "url(" in value:
                el.set(name, _URL_REF_RE.sub(fix_url, value))


def _follow_palette(root: ET.Element, colours: dict[str, str]) -> None:
    for el in root.iter():
        moved: dict[str, str] = {}
        for prop in ("fill", "stroke"):
            value = el.get(prop)
            if value is not None and value.strip().lower() in colours:
                moved[prop] = f"var({colours[value.strip().lower()]}, {value.strip()})"
                del el.attrib[prop]
        if el.tag == _TEXT:
            if el.get("fill") is None and "fill" not in moved and "fill" not in (el.get("style") or ""):
                # Unfilled text is drawn black: invisible on the dark palette.
                moved["fill"] = "var(--bp-fg, #000)"
            family = el.get("font-family")
            first = family.split(",")[0].strip().strip("'\"") if family is not None else None
            if first in _SERVED_FAMILIES:
                # Viewers get the served subset first, a locally installed copy next.
                el.set("font-family", _SERVED_FAMILIES[first])
        if moved:
            el.set("style", _merge_style(el.get("style"), moved))


def _merge_style(style: str | None, extra: dict[str, str]) -> str:
    decls = [d.strip() for d in (style or "").split(";") if d.strip()]
    decls = [d for d in decls if d.split(":", 1)[0].strip() not in extra]
    decls += [f"{k}: {v}" for k, v in extra.items()]
    return "; ".join(decls)
