"""Placeholders: tokens that carry computed text through Markdown untouched.

Markdown must never re-read a computed value (a ``*`` in it would become
emphasis, a ``<`` markup), so assembly writes a token of letters and digits
(``bpx<nonce>b3x`` for a block, ``…i4x`` inside a sentence) where computed HTML
goes, and ``fill`` swaps the tokens in the converted HTML for the escaped text.
While swapping, a Korean particle written right after a value is made to agree
with how the value is read (``200을``, ``1.1이``: ``josa``), also after a formula
that ends in a value. A figure's SVG is put in later still: ``new_late`` leaves an
HTML comment that ``fill_late`` replaces in the finished page, after the search
plugin has indexed the content, so search never tokenizes SVG markup.
"""
from __future__ import annotations

import html
import re
import secrets

from mkdocs_backprop.josa import GLOSS_RE, PARTICLE_RE, agree, agree_final, tex_final_sound

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
        # A particle after a value, possibly past a parenthetical: "650(합계 금액)이".
        self._prose_pattern = re.compile(
            rf"<p>(bpx{self.nonce}b\d+x)</p>|(bpx{self.nonce}[bi]\d+x)"
            rf"(?:(?P<gloss>{GLOSS_RE.pattern})?(?P<josa>{PARTICLE_RE.pattern}))?")

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
        if not self._any_token.search(text):
            return None
        return self.fill(text)

    def new_late(self, markup: str) -> str:
        """An HTML comment that ``fill_late`` replaces with ``markup``."""
        self._count += 1
        token = f"bpx{self.nonce}s{self._count}x"
        self.late[token] = markup
        return f"<!--{token}-->"

    def fill_late(self, page_output: str) -> str:
        return self._late_pattern.sub(lambda m: self.late.get(m.group(1), m.group(0)), page_output)

    def fill(self, page_html: str) -> str:
        def swap(match: re.Match[str]) -> str:
            token = match.group(1) or match.group(2)
            if token not in self.html:
                return match.group(0)
            josa = match.group("josa")
            if josa and token in self.reading:
                josa = agree(self.reading[token], josa)
            return self.html[token] + (match.group("gloss") or "") + (josa or "")

        def swap_in_math(match: re.Match[str]) -> str:
            formula = match.group("math")
            josa = match.group("josa") or ""
            # A formula read aloud ends the way its last term does: "$2t = `{py} v`$를"
            # ends in the value, so the particle after the formula follows the value.
            ending = self._token_at_end.search(_MATH_END_RE.sub("", formula)) if josa else None
            if ending and ending.group(1) in self.reading:
                josa = agree(self.reading[ending.group(1)], josa)
            # Inside the formula, a particle right after a value is the author's to keep.
            filled = self._pattern.sub(lambda m: self.math.get(m.group(2) or "", m.group(0)), formula)
            if josa and not (ending and ending.group(1) in self.reading):
                # Otherwise the formula is read to its last term: "$z=(x+y)^2$을" (제곱).
                source = _MATH_SOURCE_RE.search(filled)
                if source is not None:
                    josa = agree_final(tex_final_sound(html.unescape(source.group("tex"))), josa)
            return filled + josa

        page_html = _MATH_RE.sub(swap_in_math, page_html)
        return self._prose_pattern.sub(swap, page_html)


_MATH_RE = re.compile(
    rf'(?P<math><(span|div) class="arithmatex">.*?</\2>)(?P<josa>{PARTICLE_RE.pattern})?', re.DOTALL)
# The closing of a formula as arithmatex writes it: \), \] or $$ and the element's end tag.
_MATH_END_RE = re.compile(r'\s*(?:\\\)|\\\]|\$\$?)?\s*</(?:span|div)>$')
# The LaTeX inside arithmatex's wrapper (still HTML-escaped): \( … \) or \[ … \].
_MATH_SOURCE_RE = re.compile(r'class="arithmatex">\s*\\[(\[](?P<tex>.*?)\\[)\]]\s*</(?:span|div)>$', re.DOTALL)
