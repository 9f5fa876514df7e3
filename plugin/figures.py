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

How colours follow the palette: presentation attributes (``fill="#…"``) cannot
hold CSS variables, so every colour this module knows (the graph's forward and
backward colours, and the black/white Graphviz draws with by default) is moved
into an inline ``style="fill: var(--bp-…, <original>)"``. The variables are set
per Material palette in ``plugin/assets/figures.css``; the fallback keeps the
figure drawn even where that stylesheet is absent.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from mkdocs_backprop.xml_markup import to_markup

__all__ = [
    "FONT_FAMILY",
    "FontFiles",
    "FigureError",
    "FigureSource",
    "check_font",
    "figure_source",
    "render_svg",
    "renderer_fingerprint",
]

# The family the graphs ask Graphviz for (layers.graph.FONT_NAME) and the
# Debian package that provides it. Kept here rather than imported so the plugin
# can render hand-written DOT without importing the textbook library.
FONT_FAMILY = "NanumGothic"
FONT_PACKAGE = "fonts-nanum"
DOT_PACKAGE = "graphviz"

# The family name the site's @font-face gives the subset it serves to viewers.
# NanumGothic's licence (OFL 1.1) reserves the name "NanumGothic" for unmodified
# fonts, and a subset is a modified font, so the served copy carries its own name.
WEB_FONT_FAMILY = "bp-figure-sans"

# Bump when the post-processing below changes, so cached SVGs are redrawn.
_POSTPROCESS_VERSION = "2"
_DOT_TIMEOUT_S = 60

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

_ID_PREFIX_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_DOT_HEAD_RE = re.compile(r"\A\s*(?:strict\s+)?(?:di)?graph\b", re.IGNORECASE)
_URL_REF_RE = re.compile(r"url\(\s*#([^)\s]+)\s*\)")
# A number a reader should never see: nan, inf, -inf, Infinity (any case),
# standing alone rather than inside a word such as "info".
_NON_FINITE_RE = re.compile(r"(?<![\w.])[-+\u2212]?(?:nan|inf(?:inity)?)(?!\w)", re.IGNORECASE)
_DOT_LINE_RE = re.compile(r"\bline (\d+)\b")


class FigureError(Exception):
    """A figure could not be produced; the message says why and how to fix it."""


@dataclass(frozen=True)
class FigureSource:
    kind: str  # "dot" or "svg"
    text: str  # DOT source, or SVG markup
    alt: str   # generated Korean text alternative ("" if the value offers none)


@dataclass(frozen=True)
class FontFiles:
    """The Hangul font files Graphviz lays labels out with."""

    regular: Path
    bold: Path | None  # None when the family has no separate bold file


# -- worker side -----------------------------------------------------------------


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
        return FigureSource("dot", text, _describe(obj))
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
        return FigureSource("svg", svg, alt)
    hint = (
        " (the last line evaluated to None: end the block with the graph itself, "
        "not with a call that returns nothing)"
        if obj is None
        else ""
    )
    raise FigureError(
        f"cannot draw a value of type {_type_name(obj)}{hint}. A figure block's last "
        "expression must be a computation graph from layers.graph, a graphviz.Digraph or "
        "graphviz.Graph, a DOT string, or an object with _repr_svg_() such as "
        "layers.plot.LineChart"
    )


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


# -- MkDocs side -----------------------------------------------------------------


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
        svg = _run_dot(source.text)
    elif source.kind == "svg":
        svg = source.text
    else:
        raise FigureError(f"unknown figure kind {source.kind!r}; expected 'dot' or 'svg'")
    return _postprocess(svg, id_prefix=id_prefix, alt=text_alternative)


def renderer_fingerprint() -> str:
    """Everything besides the DOT that decides the SVG: dot, font files, our post-processing."""
    fonts = check_font()
    font_ids = [_file_digest(fonts.regular)]
    if fonts.bold is not None:
        font_ids.append(_file_digest(fonts.bold))
    return "|".join([_dot_version(_find_dot()), *font_ids, f"post-{_POSTPROCESS_VERSION}"])


_FOUND_FONTS: dict[tuple[str | None, str | None], FontFiles] = {}


def check_font() -> FontFiles:
    """Find NanumGothic through fontconfig, the way Graphviz will; FigureError if absent.

    A found font is remembered per fontconfig set-up (two fc-match runs cost
    about as much as half a figure); an absent one is looked up again.
    """
    key = (os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_PATH"))
    if key not in _FOUND_FONTS:
        _FOUND_FONTS[key] = _find_font()
    return _FOUND_FONTS[key]


def _find_font() -> FontFiles:
    regular = _fc_match(f"{FONT_FAMILY}:style=Regular")
    if regular is None:
        raise FigureError(
            f"the Hangul font {FONT_FAMILY} is not installed, so Korean labels cannot be laid "
            f"out; install it with `apt-get install {FONT_PACKAGE}` (./run.sh does this)"
        )
    bold = _fc_match(f"{FONT_FAMILY}:style=Bold")
    return FontFiles(regular=regular, bold=bold if bold is not None and bold != regular else None)


def _fc_match(pattern: str) -> Path | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise FigureError(
            "`fc-match` (fontconfig) was not found, so the Hangul font cannot be located; "
            "install it with `apt-get install fontconfig`"
        )
    result = subprocess.run(
        [fc_match, "--format=%{family}\t%{file}", pattern],
        capture_output=True, text=True, timeout=30, check=False,
    )
    if result.returncode != 0:
        raise FigureError(f"`fc-match {pattern}` failed ({result.returncode}): {result.stderr.strip()}")
    # fc-match always answers with *some* font; only a family match counts.
    families, _, file = result.stdout.partition("\t")
    if FONT_FAMILY.lower() not in [f.strip().lower() for f in families.split(",")]:
        return None
    path = Path(file.strip())
    return path if path.is_file() else None


_FILE_DIGESTS: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _FILE_DIGESTS:
        _FILE_DIGESTS[key] = f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
    return _FILE_DIGESTS[key]


def _find_dot() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise FigureError(
            "Graphviz's `dot` command was not found on PATH, so figures cannot be drawn; "
            f"install it with `apt-get install {DOT_PACKAGE}` (./run.sh does this)"
        )
    return dot


_DOT_VERSIONS: dict[str, str] = {}


def _dot_version(dot: str) -> str:
    if dot not in _DOT_VERSIONS:
        result = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=30, check=False)
        if result.returncode != 0:
            raise FigureError(f"`{dot} -V` failed ({result.returncode}): {result.stderr.strip()}")
        # dot prints its version on stderr.
        _DOT_VERSIONS[dot] = (result.stderr or result.stdout).strip()
    return _DOT_VERSIONS[dot]


def _run_dot(dot_source: str) -> str:
    dot = _find_dot()
    # Without the font Graphviz silently falls back and boxes no longer fit labels.
    check_font()
    try:
        result = subprocess.run(
            # Default font for graph, node and edge labels: hand-written DOT
            # that names none would get Times, which has no Hangul.
            [dot, "-Tsvg", *(f"-{kind}fontname={FONT_FAMILY}" for kind in "GNE")],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=_DOT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise FigureError(
            f"`dot` took longer than {_DOT_TIMEOUT_S}s on this figure; the graph is probably "
            "far larger than intended"
        ) from exc
    except OSError as exc:
        raise FigureError(f"could not run `{dot}`: {exc}; reinstall with `apt-get install {DOT_PACKAGE}`") from exc
    stderr = result.stderr.decode("utf-8", errors="replace").strip()
    if result.returncode != 0:
        raise FigureError(f"`dot` rejected the figure (exit status {result.returncode}): "
                          f"{stderr or 'no message'}{_quote_dot_line(stderr, dot_source)}")
    # dot reports label/attribute problems as warnings and still exits 0; the
    # drawing is then not what the author asked for, so they fail too. Other
    # lines (fontconfig cache notices) say nothing about the figure.
    problems = [line for line in stderr.splitlines() if line.startswith(("Warning:", "Error:"))]
    if problems:
        raise FigureError("`dot` reported a problem with the figure: "
                          + " / ".join(problems) + _quote_dot_line(stderr, dot_source))
    return result.stdout.decode("utf-8")


def _quote_dot_line(stderr: str, dot_source: str) -> str:
    match = _DOT_LINE_RE.search(stderr)
    if not match:
        return ""
    number = int(match.group(1))
    lines = dot_source.splitlines()
    if not 1 <= number <= len(lines):
        return ""
    return f"\n  DOT line {number}: {lines[number - 1].strip()}"


# -- post-processing ---------------------------------------------------------------

_XLINK_HREF = f"{{{XLINK_NS}}}href"
_TITLE = f"{{{SVG_NS}}}title"
_TEXT = f"{{{SVG_NS}}}text"
_SVG = f"{{{SVG_NS}}}svg"
_ID_LIST_ATTRS = ("aria-labelledby", "aria-describedby")


def _palette() -> dict[str, str]:
    """Colour as dot writes it -> CSS variable that replaces it."""
    colours = {
        "black": "--bp-fg",
        "#000000": "--bp-fg",
        "white": "--bp-bg",
        "#ffffff": "--bp-bg",
    }
    forward, backward = _graph_colours()
    if forward:
        colours[forward.lower()] = "--bp-forward"
    if backward:
        colours[backward.lower()] = "--bp-backward"
    return colours


def _graph_colours() -> tuple[str | None, str | None]:
    # Imported late: only graphs from layers.graph carry these colours, and the
    # plugin must still draw hand-written DOT without importing the textbook code.
    try:
        import layers.graph as graph
    except ModuleNotFoundError as exc:
        if exc.name not in ("layers", "layers.graph"):
            raise
        return None, None
    return getattr(graph, "FORWARD_COLOR", None), getattr(graph, "BACKWARD_COLOR", None)


# The smallest a figure is drawn, as a share of its natural size: Graphviz's 14 pt
# labels stay at about 11 px.
MIN_SCALE = 0.6


def _postprocess(svg: str, *, id_prefix: str, alt: str) -> str:
    try:
        # The default parser drops the XML prolog, doctype and comments.
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        raise FigureError(f"the figure's SVG is not well-formed XML ({exc})") from exc
    if root.tag != _SVG:
        raise FigureError(f"the figure's markup has root <{root.tag}>, not an SVG <svg> element")

    _check_finite(root)
    _drop_titles(root)
    _prefix_ids(root, id_prefix)
    _follow_palette(root, _palette())

    # Natural size stays as width/height (the upper bound); CSS lets it shrink to the
    # column, but not below MIN_SCALE of it: labels would be too small to read on a
    # phone, so a wide graph scrolls sideways there instead (the figure has overflow-x).
    root.set("role", "img")
    root.set("aria-label", alt)
    root.set("class", " ".join(filter(None, [root.get("class"), "bp-svg"])))
    style = {"max-width": "100%", "height": "auto"}
    natural = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(pt|px)?\s*", root.get("width") or "")
    if natural:
        style["min-width"] = f"{float(natural.group(1)) * MIN_SCALE:.1f}{natural.group(2) or 'px'}"
    root.set("style", _merge_style(root.get("style"), style))
    title = ET.Element(_TITLE)
    title.text = alt
    title.tail = "\n"
    root.insert(0, title)

    try:
        markup = to_markup(root, SVG_NS)
    except ValueError as exc:  # e.g. RDF metadata some plotting libraries embed
        raise FigureError(f"the figure's SVG cannot be inlined: {exc}") from exc
    # Raw HTML in Markdown ends at a blank line; an SVG must never contain one.
    return re.sub(r"\n\s*\n", "\n", markup)


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
            if family is not None and family.split(",")[0].strip().strip("'\"") == FONT_FAMILY:
                # Viewers get the served subset first, a local NanumGothic next.
                el.set("font-family", f"{WEB_FONT_FAMILY}, {FONT_FAMILY}, sans-serif")
        if moved:
            el.set("style", _merge_style(el.get("style"), moved))


def _merge_style(style: str | None, extra: dict[str, str]) -> str:
    decls = [d.strip() for d in (style or "").split(";") if d.strip()]
    decls = [d for d in decls if d.split(":", 1)[0].strip() not in extra]
    decls += [f"{k}: {v}" for k, v in extra.items()]
    return "; ".join(decls)

