"""Placeholders: tokens that carry computed text through Markdown untouched.

Markdown must never re-read a computed value (a ``*`` in it would become
emphasis, a ``<`` markup), so assembly writes a token of letters and digits
(``bpx<nonce>b3x`` for a block, ``…i4x`` inside a sentence) where computed HTML
goes, and ``fill`` swaps the tokens in the converted HTML for the escaped text.
While swapping, a Korean particle written right after a value is made to agree
with how the value is read (``200을``, ``1.1이``: ``josa``), also after a formula
that ends in a value (or a value inside a parenthetical right after a value:
``650(`{py} n`개)이``). A figure's SVG is put in later still: ``new_late`` leaves an
HTML comment that is replaced (``late_spans``, ``fill_late``) after the search
plugin has indexed the content, so search never tokenizes SVG markup.

``fill`` runs on every page of every build, so it finds formulas and tokens with
``str.find`` and patterns that start with a fixed string, and does the particle work
only where a particle follows.
"""
from __future__ import annotations

import functools
import html
import re
import secrets

from mkdocs_backprop.josa import GLOSS_RE, PARTICLE_RE, PARTICLES, agree, agree_final, tex_final_sound
from mkdocs_backprop.mathml import wrapper_spans

__all__ = ["Placeholders"]


class Placeholders:
    """Tokens that survive Markdown untouched (letters and digits only) and their HTML."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(4)
        self.html: dict[str, str] = {}
        # What an inline token becomes inside $…$: plain text, since the math is
        # still LaTeX source there (an error's HTML would break the formula).
        self.math: dict[str, str] = {}
        # The plain text an inline token reads as (a value, "그림 5-3"): a Korean
        # particle written right after it is made to agree with it (200을, 1.1이).
        self.reading: dict[str, str] = {}
        # SVGs put in by ``fill_late``, each behind an HTML comment in the content.
        self.late: dict[str, str] = {}
        self._late_pattern = re.compile(rf"<!--(bpx{self.nonce}s\d+x)-->")
        self._count = 0
        self._pattern = re.compile(rf"<p>(bpx{self.nonce}b\d+x)</p>|(bpx{self.nonce}[bi]\d+x)")
        self._token_at_end = re.compile(rf"(bpx{self.nonce}i\d+x)$")
        self._any_token = re.compile(rf"bpx{self.nonce}[bi]\d+x")
        self._prefix = f"bpx{self.nonce}"  # what every token starts with
        self._token = re.compile(rf"bpx{self.nonce}([bi])\d+x")

    @property
    def count(self) -> int:
        """How many tokens were made so far (a token's number is its place in that count)."""
        return self._count

    def new(self, kind: str) -> str:
        """``kind`` "b": stands alone as a paragraph (a block); "i": inside text."""
        self._count += 1
        token = f"bpx{self.nonce}{kind}{self._count}x"
        self.html[token] = ""
        return token

    def fill_heading(self, text: str) -> str | None:
        """A table-of-contents title or id, or a page title, with its values filled in the
        same way as the heading in the page (so links and anchors agree); None if the text
        holds no value."""
        if self._prefix not in text or not self._any_token.search(text):
            return None
        if 'class="arithmatex">' in text:
            text = self._fill_math(text)
        # As text: an id is an attribute, and a title sits inside the navigation's links
        # (a `{fig}` reference's link there would be a link inside a link).
        return self._fill_prose(text, as_text=True)

    def new_late(self, markup: str) -> str:
        """An HTML comment that ``fill_late`` replaces with ``markup``."""
        self._count += 1
        token = f"bpx{self.nonce}s{self._count}x"
        self.late[token] = markup
        return f"<!--{token}-->"

    def fill_late(self, page_output: str) -> str:
        """``page_output`` with each ``new_late`` comment replaced by its markup."""
        pieces, last = [], 0
        for start, end, markup in self.late_spans(page_output):
            pieces += (page_output[last:start], markup)
            last = end
        return "".join([*pieces, page_output[last:]]) if pieces else page_output

    def late_spans(self, page_html: str) -> list[tuple[int, int, str]]:
        """(start, end, markup) of each ``new_late`` comment in ``page_html``, in order."""
        opening, find = f"<!--{self._prefix}s", page_html.find
        spans = []
        at = find(opening)
        while at >= 0:
            found = self._late_pattern.match(page_html, at)
            markup = self.late.get(found.group(1)) if found else None
            if markup is not None:
                spans.append((at, found.end(), markup))  # type: ignore[union-attr]
            at = find(opening, found.end() if found else at + 1)
        return spans

    def fill(self, page_html: str) -> str:
        """``page_html`` with every token's HTML, particles after values and formulas agreeing."""
        if 'class="arithmatex">' in page_html:
            page_html = self._fill_math(page_html)
        return self._fill_prose(page_html) if self._prefix in page_html else page_html

    def _fill_math(self, page_html: str) -> str:
        """Values inside formulas (as text), and a particle after a formula made to agree with it."""
        prefix = self._prefix
        pieces, last = [], 0
        for start, end, _, formula in wrapper_spans(page_html):
            # (Most formulas hold no value and have no particle after them: nothing to do.)
            particle = PARTICLE_RE.match(page_html, end) if page_html[end:end + 1] in _PARTICLE_STARTS else None
            if prefix in formula:
                filled = self._swap_in_math(formula, particle.group() if particle else "")
            elif particle is not None:
                # Read to its last term: "$z=(x+y)^2$을" (제곱).
                filled = formula + agree_final(_formula_final_sound(formula), particle.group())
            else:
                continue
            pieces += (page_html[last:start], filled)
            last = particle.end() if particle else end
        return "".join([*pieces, page_html[last:]]) if pieces else page_html

    def _swap_in_math(self, formula: str, josa: str) -> str:
        # A formula read aloud ends the way its last term does: "$2t = `{py} v`$를"
        # ends in the value, so the particle after the formula follows the value.
        ending = self._token_at_end.search(_MATH_END_RE.sub("", formula)) if josa else None
        if ending and ending.group(1) in self.reading:
            josa = _agree(self.reading[ending.group(1)], josa)
        # Inside the formula, a particle right after a value is the author's to keep.
        filled = self._pattern.sub(lambda m: self.math.get(m.group(2) or "", m.group(0)), formula)
        if josa and not (ending and ending.group(1) in self.reading):
            # Otherwise the formula is read to its last term.
            josa = agree_final(_formula_final_sound(filled), josa)
        return filled + josa

    def _fill_prose(self, page_html: str, as_text: bool = False) -> str:
        """Each token's HTML; a particle right after a value (or after a gloss after it) agrees with it.

        Tokens are found by a pattern that starts with their common prefix, which the
        regular expression engine looks for as a string (a pattern that may also start
        with ``<p>`` would be tried at every character of the page).
        """
        startswith = page_html.startswith
        html_of, reading = self.html, self.reading
        pieces: list[str] = []
        last = scanned = 0  # copied up to; the end of the last token (with what went with it)
        for found in self._token.finditer(page_html):
            (at, end), token = found.span(), found.group()
            if at < scanned:
                continue  # in a gloss, filled with the value before it
            if found.group(1) == "b" and at - 3 >= scanned and startswith("<p>", at - 3) and startswith("</p>", end):
                # A block token alone in its paragraph: the block's HTML replaces the paragraph.
                if token in html_of:
                    pieces += (page_html[last:at - 3], html_of[token])
                    last = end + 4
                scanned = end + 4
                continue
            gloss = particle = None
            following = page_html[end:end + 1]
            if following == "(":  # a gloss, then a particle: "650(합계 금액)이"
                gloss = GLOSS_RE.match(page_html, end)
                particle = PARTICLE_RE.match(page_html, gloss.end()) if gloss is not None else None
            elif following in _PARTICLE_STARTS:
                particle = PARTICLE_RE.match(page_html, end)
            if particle is None:  # most values
                if token in html_of:
                    pieces += (page_html[last:at], self._filled(token, page_html, at, as_text))
                    last = end
                scanned = end
                continue
            scanned = particle.end()
            if token in html_of:
                josa = particle.group()
                if token in reading:
                    josa = _agree(reading[token], josa)
                # A value inside the gloss is filled as well: "650(`{py} n`개)이".
                between = "" if gloss is None else (
                    self._fill_prose(gloss.group(), True) if as_text else self.fill(gloss.group()))
                pieces += (page_html[last:at], self._filled(token, page_html, at, as_text), between, josa)
                last = scanned
        return "".join([*pieces, page_html[last:]]) if pieces else page_html

    def _filled(self, token: str, page_html: str, at: int, as_text: bool) -> str:
        """What replaces ``token`` at ``at``: its HTML between tags; its text, escaped, in
        an attribute (a heading's id) or wherever ``as_text``; nothing where even that
        would be markup (see ``_in_tag``)."""
        place = "text" if as_text else _in_tag(page_html, at)
        if place is None:
            return self.html[token]
        return html.escape(self.reading.get(token) or "") if place == "text" else ""


def _in_tag(page_html: str, at: int) -> str | None:
    """None when ``at`` is between tags; "text" inside a quoted attribute where escaped
    text stays text (not a handler, a style or an address, an address only after "#");
    "" anywhere else in a tag. Assembly refuses values written inside tags and link
    addresses (with their line); this keeps any that reach one by another way (a tag
    over several lines) from becoming markup."""
    opened = page_html.rfind("<", 0, at)
    if opened < 0 or opened < page_html.rfind(">", 0, at):
        return None
    attribute = _QUOTED_ATTRIBUTE_RE.search(page_html, opened, at)
    if attribute is None:
        return ""
    name = attribute.group(1).lower()
    if name.startswith("on") or name == "style":
        return ""
    value = attribute.group(2) if attribute.group(2) is not None else attribute.group(3)
    return "text" if name not in _ADDRESS_ATTRIBUTES or value.startswith("#") else ""


# In a tag, the attribute a position is inside of, if it is quoted: (name, value so far).
_QUOTED_ATTRIBUTE_RE = re.compile(r"""\s([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)|'([^']*))$""")
_ADDRESS_ATTRIBUTES = frozenset(
    "href src action formaction xlink:href poster data cite background srcset codebase manifest".split())


# What a particle can start with (``PARTICLE_RE`` is tried only after one of these).
_PARTICLE_STARTS = frozenset(form[0] for pair in PARTICLES for form in pair)
_agree = functools.lru_cache(maxsize=4096)(agree)  # a page says "200을" many times


@functools.lru_cache(maxsize=4096)
def _formula_final_sound(formula: str) -> str | None:
    """The final consonant of ``formula`` (an arithmatex wrapper, values filled in) read aloud."""
    source = _MATH_SOURCE_RE.search(formula)
    return None if source is None else tex_final_sound(html.unescape(source.group("tex")))


# The closing of a formula as arithmatex writes it: \), \] or $$ and the element's end tag.
_MATH_END_RE = re.compile(r'\s*(?:\\\)|\\\]|\$\$?)?\s*</(?:span|div)>$')
# The LaTeX inside arithmatex's wrapper (still HTML-escaped): \( … \) or \[ … \].
_MATH_SOURCE_RE = re.compile(r'class="arithmatex">\s*\\[(\[](?P<tex>.*?)\\[)\]]\s*</(?:span|div)>$', re.DOTALL)
