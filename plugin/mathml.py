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

from mkdocs_backprop.sanitize import clean_mathml
from mkdocs_backprop.xml_markup import to_markup

__all__ = ["MathError", "Span", "broken_formula_html", "convert_wrapper", "formulas", "render_math", "source_line",
           "substitute", "to_mathml", "wrapper_spans"]

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
# amsmath's aligned is align* set inside a formula; latex2mathml knows only the latter.
_ALIGNED_RE = re.compile(r"\\(begin|end)\s*\{aligned\}")
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
    return list(dict.fromkeys(wrapper for _, _, _, wrapper in wrapper_spans(page_html)))


def substitute(page_html: str, converted: dict[str, str]) -> str:
    """``page_html`` with each wrapper in ``converted`` replaced by its MathML version."""
    pieces, last = [], 0
    for start, end, _, wrapper in wrapper_spans(page_html):
        pieces += (page_html[last:start], converted[wrapper])
        last = end
    return "".join([*pieces, page_html[last:]]) if pieces else page_html


_CLASS = 'class="arithmatex">'


Span = tuple[int, int, str, str]  # a formula in a page: start, end, tag ("span", "div"), the element


def wrapper_spans(page_html: str) -> list[Span]:
    """Where each arithmatex wrapper element in ``page_html`` is (``Span``), in order.

    The same elements as ``_WRAPPER_RE.finditer`` finds (an opening tag, the body up to
    the first closing tag of its kind), found with ``str.find``: a page's HTML is looked
    through for them several times a build, and the regular expression, which is tried
    at every ``<`` of the page, takes twice as long.
    """
    find, startswith = page_html.find, page_html.startswith
    spans = []
    at = find(_CLASS)
    while at >= 0:
        for tag, opening, closing in _WRAPPER_TAGS:
            start = at - len(opening)
            if start >= 0 and startswith(opening, start):
                close = find(closing, at + len(_CLASS))
                if close >= 0:
                    end = close + len(closing)
                    spans.append((start, end, tag, page_html[start:end]))
                    at = find(_CLASS, end)
                    break
        else:
            at = find(_CLASS, at + 1)
    return spans


_WRAPPER_TAGS = (("span", "<span ", "</span>"), ("div", "<div ", "</div>"))


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


def broken_formula_html(wrapper: str, error: MathError) -> str:
    """What stands in the page for a formula that cannot be converted: its LaTeX as
    written and why, marked as an error (the build reports it with its line)."""
    match = _WRAPPER_RE.fullmatch(wrapper)
    tag = match.group("tag") if match is not None else "span"
    tex = error.tex if error.tex is not None else html.unescape(match.group("body") if match else wrapper)
    return (f'<{tag} class="bp-error bp-inline-error bp-broken-formula">⚠ <code>{html.escape(tex)}</code>: '
            f"{html.escape(str(error))}</{tag}>")


def to_mathml(tex: str, *, display: bool = False) -> str:
    """One formula as a ``<math>`` element; MathError if the LaTeX is broken."""
    from latex2mathml.converter import convert  # imported late: only pages with math pay

    tex = tex.strip()
    if not tex:
        raise MathError("empty formula: remove the empty $…$ or write the math inside it")
    _check_braces(tex)
    try:
        source = _ALIGNED_RE.sub(r"\\\1{align*}", _UPRIGHT_LETTER_RE.sub(r"{\\mathrm \1}", tex))
        mathml = convert(source, display="block" if display else "inline")
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
            f"'&' outside a matrix, cases, array or aligned environment in the formula `{tex}` "
            "(write \\& for an ampersand sign)"
        )
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError as exc:
        raise MathError(f"the formula `{tex}` produced malformed MathML ({exc})") from exc
    # A value inside $…$ is the code's output: \href{javascript:…}{x} must not become a link.
    clean_mathml(root)
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
    _space_unary_operators(root)
    _lay_out_tables(root)

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


# --- Typesetting: what TeX decides and MathML Core (Chromium) leaves to the author ---

# TeX's atom classes for operators (The TeXbook, ch. 17-18): a binary operator
# becomes an ordinary symbol, with no space either side, when nothing or an
# operator, relation, opening or punctuation stands before it: "-x", "(-x)",
# "y = -x", "f(-x, -y)". Browsers space every <mo> in the middle of a row as
# infix, so such a minus must say so itself.
_BINARY = set("+−±∓×÷·⋅∗∘∙∖⊕⊗∩∪∧∨")
_RELATIONS = set("=<>≤≥≠≈≡≃∼∝→←↔⇒⇐⇔↦∈∉⊂⊃⊆⊇≪≫≔:")
_OPENING = set("([{⟨⌊⌈|‖")
_CLOSING = set(")]}⟩⌋⌉")
_PUNCTUATION = set(",;")
_LARGE_OPERATORS = set("∑∏∐∫∬∭∮⋃⋂⋁⋀⨁⨂")
# Upright multi-letter identifiers that TeX sets as operators (\log, \exp, ...).
_FUNCTION_NAMES = {
    "arccos", "arcsin", "arctan", "arg", "cos", "cosh", "cot", "coth", "csc", "deg", "det", "dim",
    "exp", "gcd", "hom", "inf", "ker", "lg", "lim", "liminf", "limsup", "ln", "log", "max", "min",
    "Pr", "sec", "sin", "sinh", "sup", "tan", "tanh", "argmax", "argmin",
}
# Elements whose children form one row (MathML's inferred mrow).
_ROWS = {"math", "mrow", "mtd", "msqrt", "mstyle", "mpadded", "mphantom", "menclose", "merror"}
_SCRIPTED = {"msub", "msup", "msubsup", "munder", "mover", "munderover"}
_ZERO = "0em"
_THIN = "0.1667em"


def _local(el: ET.Element) -> str:
    return el.tag.rsplit("}", 1)[-1]


def _atom_class(el: ET.Element) -> str | None:
    """TeX's class of a row member: 'bin', 'rel', 'open', 'close', 'punct', 'op', 'ord'; None for space."""
    local = _local(el)
    text = (el.text or "").strip()
    if local == "mspace":
        return None
    if local in _SCRIPTED and len(el):
        base = _atom_class(el[0])
        return "op" if base == "op" else "ord"
    if local == "mi" and text in _FUNCTION_NAMES:
        return "op"
    if local != "mo":
        return "ord"
    if el.get("lspace") == _ZERO and el.get("rspace") == _ZERO:
        return "ord"  # already decided (an operator used as an ordinary symbol)
    if text in _BINARY:
        return "bin"
    if text in _RELATIONS:
        return "rel"
    if text in _PUNCTUATION:
        return "punct"
    if text in _LARGE_OPERATORS or el.get("largeop") == "true":
        return "op"
    if el.get("form") == "prefix" or (el.get("fence") != "true" and text in _OPENING and text != "|"):
        return "open"
    if el.get("form") == "postfix" or text in _CLOSING:
        return "close"
    return "ord"


def _space_unary_operators(root: ET.Element) -> None:
    ns = root.tag[: -len(_local(root))]
    for el in root.iter():
        # latex2mathml writes \pm, \mp as identifiers, which browsers never space.
        if _local(el) == "mi" and (el.text or "") in _BINARY:
            el.tag = f"{ns}mo"
    for row in root.iter():
        if _local(row) not in _ROWS:
            continue
        members = [(child, _atom_class(child)) for child in row]
        members = [(child, cls) for child, cls in members if cls is not None]
        for i, (child, cls) in enumerate(members):
            if cls != "bin":
                continue
            before = members[i - 1][1] if i else None
            after = members[i + 1][1] if i + 1 < len(members) else None
            if before in (None, "bin", "op", "rel", "open", "punct") or after in (None, "rel", "close", "punct"):
                child.set("lspace", _ZERO)
                child.set("rspace", _ZERO)
        # A thin space each side of \log, \exp, ... next to an ordinary symbol or
        # another operator ("t_k \log y_k"), none before an opening ("\exp(x)").
        # Browsers give an <mi> no spacing at all.
        for i, (child, cls) in reversed(list(enumerate(members))):
            if cls != "op" or not _is_function_name(child):
                continue
            after = members[i + 1][1] if i + 1 < len(members) else None
            before = members[i - 1][1] if i else None
            position = list(row).index(child)
            if after in ("ord", "op"):
                row.insert(position + 1, ET.Element(f"{ns}mspace", width=_THIN))
            if before in ("ord", "close"):
                row.insert(position, ET.Element(f"{ns}mspace", width=_THIN))


def _is_function_name(el: ET.Element) -> bool:
    while _local(el) in _SCRIPTED and len(el):
        el = el[0]
    return _local(el) == "mi" and (el.text or "").strip() in _FUNCTION_NAMES


# Column gaps as TeX sets them, for tables that carry no columnspacing of their
# own: matrices and arrays 2\arraycolsep (10pt = 1em), cases one \quad. MathML
# Core ignores columnspacing and columnalign, and its default cell padding
# (0.4em on every side) also pads a matrix away from its brackets; so each
# cell gets its alignment and padding inline. A table's outer edges get none,
# as in amsmath.
_DEFAULT_GAP = "1em"
_LENGTH_RE = re.compile(r"\A(-?\d*\.?\d+)(em|ex|pt|px)?\Z")


def _half(length: str) -> str:
    match = _LENGTH_RE.match(length.strip())
    if match is None:
        return "0.5em"
    number, unit = float(match.group(1)), match.group(2) or "em"
    if unit == "pt":  # TeX points at 10pt type
        number, unit = number / 10, "em"
    return f"{number / 2:g}{unit}"


def _lay_out_tables(root: ET.Element) -> None:
    for table in root.iter():
        if _local(table) != "mtable":
            continue
        gaps = (table.attrib.pop("columnspacing", None) or _DEFAULT_GAP).split()
        aligns = (table.get("columnalign") or "center").split()
        table.attrib.pop("rowspacing", None)  # rows keep the browser's 0.5ex padding
        rows = [row for row in table if _local(row) in ("mtr", "mlabeledtr")]
        for row in rows:
            cells = [cell for cell in row if _local(cell) == "mtd"]
            for j, cell in enumerate(cells):
                align = cell.attrib.pop("columnalign", None) or aligns[min(j, len(aligns) - 1)]
                left = _half(gaps[min(j - 1, len(gaps) - 1)]) if j else "0em"
                right = _half(gaps[min(j, len(gaps) - 1)]) if j + 1 < len(cells) else "0em"
                style = [f"text-align: {align}", f"padding-left: {left}", f"padding-right: {right}"]
                cell.set("style", "; ".join(style))
