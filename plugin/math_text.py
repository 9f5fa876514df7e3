"""Formulas as plain text a reader can read, for the search index.

The search plugin indexes a page before its formulas become MathML, so it would
index (and show in its result snippets) the raw LaTeX: ``\\(z = (x + y)^2\\)``.
``readable`` turns a formula's MathML (``mathml.to_mathml``) into text as one
would type it: ``z = (x + y)²``, ``∂L/∂x``, ``1/(1 + exp(−x))``, ``Wᵀ``, ``x₁``.
``for_search`` swaps each formula of a page for that text while the search
plugin reads the page, leaving a marker that ``restore`` uses to put the LaTeX
back for the rest of the build.
"""
from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET

from mkdocs_backprop.mathml import Span, wrapper_spans

__all__ = ["for_search", "readable", "restore"]

_SUPERSCRIPTS = dict(zip("0123456789+−-=()niTt", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀᵗ"))
_SUBSCRIPTS = dict(zip("0123456789+−-=()aeijknotx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑᵢⱼₖₙₒₜₓ"))
# Operators written with a space on each side, as in running text.
_SPACED = set("=+−×·⋅→←↔⟶≈≠≤≥<>∈∉⊂∝≡∼") | {"\u2212", ":="}
_BIG_OPERATORS = set("∑∏∫∮⋃⋂")
_MARK = "<!--bp-math:"
# A wrapper ``for_search`` made (``wrapper_spans`` found where it ends).
_MARKED_RE = re.compile(r'<(?:span|div) class="arithmatex"><!--bp-math:(?P<n>\d+)-->')


def readable(mathml_markup: str) -> str:
    """The formula in ``mathml_markup`` (a ``<math>`` element, possibly wrapped) as text."""
    root = ET.fromstring(mathml_markup)
    return re.sub(r"\s+", " ", _text(root)).strip()


def for_search(page_html: str, text_of: dict[str, str], spans: list[Span] | None = None) -> tuple[str, list[str]]:
    """``page_html`` with each formula wrapper in ``text_of`` showing its readable text.
    ``spans``: where the page's formulas are (``mathml.wrapper_spans``), if known.

    Returns the page and the original wrappers, in order, for ``restore``.
    """
    originals: list[str] = []
    pieces: list[str] = []
    last = 0
    escaped: dict[str, str] = {}
    for start, end, tag, wrapper in wrapper_spans(page_html) if spans is None else spans:
        text = escaped.get(wrapper)
        if text is None:
            if wrapper not in text_of:
                continue
            text = escaped[wrapper] = html.escape(text_of[wrapper], quote=False)
        pieces += (page_html[last:start], f'<{tag} class="arithmatex">{_MARK}{len(originals)}-->{text}</{tag}>')
        originals.append(wrapper)
        last = end
    return ("".join([*pieces, page_html[last:]]) if pieces else page_html), originals


def restore(page_html: str, originals: list[str]) -> str:
    """Undo ``for_search``: every marked formula gets its LaTeX wrapper back."""
    pieces: list[str] = []
    last = 0
    for start, end, _, _ in wrapper_spans(page_html):
        marked = _MARKED_RE.match(page_html, start, end)
        if marked is not None:
            pieces += (page_html[last:start], originals[int(marked.group("n"))])
            last = end
    return "".join([*pieces, page_html[last:]]) if pieces else page_html


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _text(element: ET.Element) -> str:
    tag = _local(element)
    children = list(element)
    if tag == "annotation" or tag == "annotation-xml" or tag == "mphantom":
        return ""
    if tag in ("mi", "mn", "mtext", "ms"):
        # Bold or script letters (𝐗, 𝒳) as the plain letters a reader types into the search box.
        token = unicodedata.normalize("NFKC", element.text or "")
        return f" {token} " if token in _SPACED else token
    if tag == "mo":
        op = (element.text or "").strip()
        if op in _SPACED and element.get("lspace") != "0em":
            return f" {op} "
        return f"{op} " if op == "," else op
    if tag == "mspace":
        return " "
    if tag == "mfrac" and len(children) == 2:
        return f"{_grouped(_text(children[0]))}/{_grouped(_text(children[1]))}"
    if tag in ("msup", "mover") and len(children) == 2:
        return _text(children[0]) + _script(_text(children[1]), _SUPERSCRIPTS, "^")
    if tag in ("msub", "munder") and len(children) == 2:
        return _text(children[0]) + _script(_text(children[1]), _SUBSCRIPTS, "_")
    if tag in ("msubsup", "munderover") and len(children) == 3:
        text = (_text(children[0]) + _script(_text(children[1]), _SUBSCRIPTS, "_")
                + _script(_text(children[2]), _SUPERSCRIPTS, "^"))
        return text + " " if _text(children[0]).strip() in _BIG_OPERATORS else text
    if tag == "msqrt":
        return "√" + _grouped("".join(_text(c) for c in children))
    if tag == "mroot" and len(children) == 2:
        return _script(_text(children[1]), _SUPERSCRIPTS, "^") + "√" + _grouped(_text(children[0]))
    if tag == "mtable":
        return "[" + "; ".join(_text(row) for row in children) + "]"
    if tag in ("mtr", "mlabeledtr"):
        return ", ".join(_text(cell).strip() for cell in children)
    return "".join(_text(c) for c in children)


def _grouped(text: str) -> str:
    """``text`` as one operand: in parentheses unless it is a single term."""
    text = text.strip()
    simple = re.fullmatch(r"[\w.∂∇′″]+|\(.*\)", text) and not re.search(r"\)\s*\(", text)
    return text if simple else f"({text})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """A super- or subscript: in Unicode's small characters where all exist, else ^x or ^(…)."""
    text = text.strip()
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"
