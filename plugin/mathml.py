"""Math at build time: pymdownx.arithmatex's generic markup -> MathML.

With ``generic: true`` arithmatex leaves LaTeX in the page for a JavaScript
renderer to find::

    <span class="arithmatex">\\(x^2\\)</span>
    <div class="arithmatex">\\[ \\frac{a}{b} \\]</div>

(with ``<``, ``>`` and ``&`` HTML-escaped). ``render_math`` converts each of
them with latex2mathml, so browsers draw the math natively: no script, no CDN,
nothing fetched when a page is viewed. The LaTeX stays in the page as a MathML
annotation (copyable, searchable by source).

latex2mathml is lenient: an unknown command or a missing argument gives
silently wrong MathML rather than an error. ``to_mathml`` therefore checks the
source and the result and raises ``MathError`` naming the formula.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from mkdocs_backprop.xml_markup import to_markup

__all__ = ["MathError", "convert_wrapper", "formulas", "render_math", "source_line", "substitute", "to_mathml"]

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

# Only arithmatex's own wrappers match: inside code blocks the same characters
# arrive HTML-escaped (&lt;span …), so code samples are never rewritten.
_WRAPPER_RE = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.DOTALL
)
_INLINE_RE = re.compile(r"\A\\\((?P<tex>.*)\\\)\Z", re.DOTALL)
_BLOCK_RE = re.compile(r"\A\\\[(?P<tex>.*)\\\]\Z", re.DOTALL)

# Children each layout element must have; latex2mathml emits fewer when an
# argument is missing (\frac{a}, x^{}), which browsers draw as garbage.
_ARITY = {
    "mfrac": 2, "msup": 2, "msub": 2, "msubsup": 3,
    "mover": 2, "munder": 2, "munderover": 3, "mroot": 2,
}
# latex2mathml drops the upright variant of a braced single letter (\mathrm{T}
# -> <mi>T</mi>, which browsers italicise) but keeps it for \mathrm T.
_UPRIGHT_LETTER_RE = re.compile(r"\\mathrm\{\s*([A-Za-z])\s*\}")
# Named spaces from MathML 3 that MathML Core (Chromium, Firefox) ignores.
_NAMED_SPACES = {
    "negativethinmathspace": "-0.1667em",
    "negativemediummathspace": "-0.2222em",
    "negativethickmathspace": "-0.2778em",
}


class MathError(ValueError):
    """A formula could not be converted; the message quotes its LaTeX (also in ``tex``)."""

    tex: str | None = None


def source_line(markdown: str, tex: str | None) -> int:
    """The line of ``markdown`` (1-based) where the formula ``tex`` is written, 1 if not found.

    ``tex`` is the formula as converted, with any `{py}` values already filled in, so
    it may not appear verbatim: then its longest start, or else its longest end, of at
    least six characters is looked for.
    """
    tex = (tex or "").strip()
    if not tex:
        return 1
    candidates = [tex[:n] for n in range(len(tex), 5, -1)] + [tex[-n:] for n in range(len(tex) - 1, 5, -1)]
    for candidate in candidates:
        found = markdown.find(candidate)
        if found >= 0:
            return markdown.count("\n", 0, found) + 1
    return 1


def render_math(page_html: str) -> str:
    """Replace every arithmatex formula in ``page_html`` with MathML."""
    return substitute(page_html, {w: convert_wrapper(w) for w in formulas(page_html)})


def formulas(page_html: str) -> list[str]:
    """Each distinct arithmatex wrapper element in the page, in order of appearance."""
    return list(dict.fromkeys(m.group(0) for m in _WRAPPER_RE.finditer(page_html)))


def substitute(page_html: str, converted: dict[str, str]) -> str:
    """``page_html`` with each wrapper in ``converted`` replaced by its MathML version."""
    return _WRAPPER_RE.sub(lambda m: converted[m.group(0)], page_html)


def convert_wrapper(wrapper: str) -> str:
    """One wrapper element (``<span class="arithmatex">\\(…\\)</span>``) with MathML inside."""
    match = _WRAPPER_RE.fullmatch(wrapper)
    if match is None:
        raise MathError(f"not an arithmatex formula: {wrapper[:80]!r}")
    tag, body = match.group("tag"), match.group("body")
    source = html.unescape(body).strip()
    wrapped = (_BLOCK_RE if tag == "div" else _INLINE_RE).match(source)
    if wrapped is None:
        raise MathError(
            f"unexpected arithmatex markup {body[:80]!r}: expected \\( … \\) or \\[ … \\]; "
            "keep pymdownx.arithmatex's default tex_inline_wrap/tex_block_wrap with generic: true"
        )
    try:
        mathml = to_mathml(wrapped.group("tex"), display=tag == "div")
    except MathError as error:
        error.tex = wrapped.group("tex")  # for the caller to find the formula's line
        raise
    return f'<{tag} class="arithmatex">{mathml}</{tag}>'


def to_mathml(tex: str, *, display: bool = False) -> str:
    """One formula as a ``<math>`` element; MathError if the LaTeX is broken."""
    from latex2mathml.converter import convert  # imported late: only pages with math pay

    tex = tex.strip()
    if not tex:
        raise MathError("empty formula: remove the empty $…$ or write the math inside it")
    _check_braces(tex)
    try:
        mathml = convert(_UPRIGHT_LETTER_RE.sub(r"{\\mathrm \1}", tex), display="block" if display else "inline")
    # latex2mathml signals bad input with its own exceptions, but also with
    # StopIteration/IndexError from its tokenizer; each becomes the same clear error.
    except Exception as exc:  # noqa: BLE001 - re-raised with the formula
        raise MathError(f"cannot convert the formula `{tex}`: {type(exc).__name__} {exc}".rstrip()) from exc
    return _check_and_annotate(mathml, tex)


def _check_braces(tex: str) -> None:
    depth = 0
    for i, char in enumerate(tex):
        escaped = i > 0 and tex[i - 1] == "\\" and not (i > 1 and tex[i - 2] == "\\")
        if escaped:
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise MathError(f"unbalanced '}}' at position {i} in the formula `{tex}`")
    if depth:
        raise MathError(f"{depth} unclosed '{{' in the formula `{tex}`")


def _check_and_annotate(mathml: str, tex: str) -> str:
    if re.search(r"<m[io]>&</m[io]>", mathml):
        # latex2mathml passes a stray alignment '&' through unescaped.
        raise MathError(
            f"'&' outside a matrix or align* environment in the formula `{tex}` "
            "(latex2mathml does not support 'aligned'; use 'align*')"
        )
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError as exc:
        raise MathError(f"the formula `{tex}` produced malformed MathML ({exc})") from exc
    ns = f"{{{MATHML_NS}}}"
    for el in root.iter():
        local = el.tag.removeprefix(ns)
        text = el.text or ""
        # Converted commands become entities or characters; a backslash left
        # in a token is a command latex2mathml did not know.
        if local in ("mi", "mo", "mn") and "\\" in text and text != "\\":
            raise MathError(f"unknown LaTeX command `{text}` in the formula `{tex}`")
        if local in _ARITY and len(el) != _ARITY[local]:
            raise MathError(
                f"a fraction, script or accent is missing an argument in the formula `{tex}` "
                f"(<{local}> has {len(el)} of {_ARITY[local]} parts)"
            )
        if local == "mspace" and el.get("width") in _NAMED_SPACES:
            el.set("width", _NAMED_SPACES[el.get("width", "")])

    # <math><semantics><mrow>…</mrow><annotation>TeX</annotation></semantics></math>
    semantics = ET.Element(f"{ns}semantics")
    presentation = list(root)
    for child in presentation:
        root.remove(child)
    if len(presentation) == 1:
        semantics.append(presentation[0])
    else:
        row = ET.SubElement(semantics, f"{ns}mrow")
        row.extend(presentation)
    annotation = ET.SubElement(semantics, f"{ns}annotation", encoding="application/x-tex")
    annotation.text = tex
    root.append(semantics)
    return to_markup(root, MATHML_NS)
