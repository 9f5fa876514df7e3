"""Find the executable parts of a page's Markdown, with their line numbers.

A page is cut into *segments* in document order: plain text lines, ordinary
fences (left exactly as written), and ``python exec`` / ``python figure``
fences. Inline ``{py}`` values and ``{fig}`` references are found only in text
lines, so anything inside any fence (including a ``python exec`` fence shown
literally inside a four-backtick or ``~~~`` fence) is never touched.

Fences are recognised at any indentation, so blocks nested in admonitions,
content tabs and lists work. A fence closes only on a line of the same
character, at least as long as its opening run, with nothing else on it: that is
what lets an outer fence hold an inner one literally.

Line numbers are 1-based lines of the Markdown file, front matter included
(``line_offset`` is the number of front-matter lines MkDocs stripped).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "BLOCK_KINDS",
    "BLOCK_OPTIONS",
    "MAX_TIMEOUT_S",
    "Block",
    "BlockSyntaxError",
    "Fence",
    "InlineRef",
    "Page",
    "find_inline",
    "front_matter_lines",
    "parse_page",
    "snippet_includes",
]

BLOCK_KINDS = ("exec", "figure")
# The longest a block may be given (a day): a deadline must be a finite number a
# socket timeout can hold; anything longer is a block that never ends.
MAX_TIMEOUT_S = 86_400.0
# Which options each kind accepts; anything else is an error naming the fence.
BLOCK_OPTIONS: dict[str, frozenset[str]] = {
    "exec": frozenset({"source", "output", "raises", "timeout", "verify"}),
    "figure": frozenset({"caption", "id", "alt", "source", "timeout", "verify", "interactive"}),
}
_OPTION_VALUES: dict[str, frozenset[str]] = {
    "exec:source": frozenset({"show", "hide"}),
    "exec:output": frozenset({"show", "hide"}),
    "figure:source": frozenset({"show"}),
    "exec:verify": frozenset({"skip"}),
    "figure:verify": frozenset({"skip"}),
    "figure:interactive": frozenset({"true", "false"}),
}

_FENCE_OPEN_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_EXEC_INFO_RE = re.compile(r"^\s*python\s+(?P<kind>exec|figure)(?:\s+(?P<options>.*?))?\s*$")
_OPTION_RE = re.compile(r'\s*(?P<key>[A-Za-z_][\w-]*)\s*=\s*"(?P<value>(?:[^"\\]|\\.)*)"\s*')
# A code span: a run of backticks, content, the same run (CommonMark's rule).
_CODE_SPAN_RE = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<body>.+?)(?<!`)(?P=ticks)(?!`)")
# A block fence inside a blockquote ("> ```python exec"): Markdown allows it, we do not run it.
_QUOTED_BLOCK_RE = re.compile(r"^[ \t]{0,3}>[ \t>]*(?:`{3,}|~{3,})\s*python\s+(?P<kind>exec|figure)\b")
# pymdownx.snippets: --8<-- "file.md" on one line, or a --8<-- line opening/closing a list of files.
_SNIPPET_RE = re.compile(r"""^-{1,}8<-{1,}\s+(?P<q>["'])(?P<name>[^"']+)(?P=q)\s*$""")
_SNIPPET_MARK_RE = re.compile(r"^-{1,}8<-{1,}\s*$")
_INLINE_RE = re.compile(r"^\s*\{(?P<kind>py|fig)\}\s+(?P<text>.*?)\s*$", re.DOTALL)


class BlockSyntaxError(ValueError):
    """A block's info string cannot be understood; ``line`` is the fence's line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class InlineRef:
    """`` `{py} EXPR` `` (kind "py") or `` `{fig} ID` `` (kind "fig") in text."""

    kind: str
    text: str  # the expression or figure id
    line: int
    start: int  # column span of the whole code span in its line
    end: int


@dataclass(frozen=True)
class Block:
    """A ``python exec`` or ``python figure`` fence."""

    kind: str
    code: str  # dedented by the fence's indentation
    options: dict[str, str]
    line: int  # the opening fence's line
    first_code_line: int  # line of the code's first line
    indent: str
    fence: str  # the opening run, e.g. "```"
    last_line: int  # the closing fence's line (or the page's last line if unclosed)
    caption_refs: tuple[InlineRef, ...] = ()  # {py} values inside caption="…"
    # Why the block cannot run (a bad option, no closing fence), at ``line``; such a
    # block is shown with an error box where its output would be, and stops the page
    # there as a failing block does.
    problem: str | None = None


@dataclass(frozen=True)
class Fence:
    """Any other fence, kept byte for byte."""

    lines: tuple[str, ...]


@dataclass
class Page:
    """A page cut into segments: ``str`` lines (text), ``Fence`` and ``Block``."""

    segments: list[str | Fence | Block] = field(default_factory=list)
    line_offset: int = 0
    errors: list[BlockSyntaxError] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        return [s for s in self.segments if isinstance(s, Block)]


def front_matter_lines(source: str, markdown: str) -> int:
    """How many lines MkDocs removed from the top of ``source`` to get ``markdown``."""
    if not markdown or not source.endswith(markdown):
        return 0
    return source[: len(source) - len(markdown)].count("\n")


def find_inline(text: str, line: int) -> list[InlineRef]:
    """The ``{py}``/``{fig}`` code spans of one line of text; other code spans are not ours."""
    if "{py}" not in text and "{fig}" not in text:
        return []  # most lines: every page is read this way at least twice a build
    refs = []
    for match in _CODE_SPAN_RE.finditer(text):
        inline = _INLINE_RE.match(match.group("body"))
        if inline:
            refs.append(InlineRef(inline.group("kind"), inline.group("text"), line, match.start(), match.end()))
    return refs


def parse_page(markdown: str, line_offset: int = 0) -> Page:
    """Cut ``markdown`` into segments.

    A block that cannot run (a bad option, no closing fence) is still a ``Block``,
    with its ``problem``; what is not a block but looks meant as one (a block inside
    a blockquote) lands in ``Page.errors``.
    """
    page = Page(line_offset=line_offset)
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN_RE.match(lines[i])
        # A backtick fence's info string may not contain backticks (CommonMark),
        # except ours: a caption may quote `{py}` values, and we replace the fence.
        if not opening or (opening.group("fence")[0] == "`" and "`" in opening.group("info")
                           and not _EXEC_INFO_RE.match(opening.group("info"))):
            quoted = _in_blockquote(lines[i], line_offset + i + 1)
            if quoted is not None:
                page.errors.append(quoted)
            unclosed = _unclosed_inline(lines[i], line_offset + i + 1)
            if unclosed is not None:
                page.errors.append(unclosed)
            page.segments.append(lines[i])
            i += 1
            continue
        end, closed = _closing_line(lines, i + 1, opening.group("fence"))
        fence_lines = lines[i : end + 1]
        info = _EXEC_INFO_RE.match(opening.group("info"))
        if info is None:
            page.segments.append(Fence(tuple(fence_lines)))
        else:
            line = line_offset + i + 1
            try:
                if not closed:
                    raise BlockSyntaxError(line, _unclosed(info.group("kind"), opening.group("fence")))
                block = _block(opening, info, fence_lines, line)
            except BlockSyntaxError as error:
                block = _broken_block(opening, info, fence_lines, line, error.message, closed)
            page.segments.append(block)
        i = end + 1
    return page


def _unclosed(kind: str, fence: str) -> str:
    return (f"this `python {kind}` block is never closed: no line of {fence} ends it, so the rest "
            f"of the page would be its code (Markdown's rule); add a line with {fence} where its code ends")


def _in_blockquote(text: str, line: int) -> BlockSyntaxError | None:
    match = _QUOTED_BLOCK_RE.match(text)
    if match is None:
        return None
    return BlockSyntaxError(
        line, f"a `python {match.group('kind')}` block inside a blockquote (>) is not run; move it out of "
              'the quote (an admonition such as !!! quote "…" can set it apart instead)')


_INLINE_OPEN_RE = re.compile(r"(?<!`)`+(?!`)\s*\{(?P<kind>py|fig)\}(?:\s|$)")


def _unclosed_inline(text: str, line: int) -> BlockSyntaxError | None:
    """A `` `{py} `` or `` `{fig} `` code span that its line does not close: Markdown would
    close it on a later line and show it as code, so the value would silently not run."""
    if "{py}" not in text and "{fig}" not in text:
        return None
    spans = [m.span() for m in _CODE_SPAN_RE.finditer(text)]
    for match in _INLINE_OPEN_RE.finditer(text):
        if not any(start <= match.start() < end for start, end in spans):
            kind = match.group("kind")
            return BlockSyntaxError(
                line, f"this `{{{kind}}} …` is not closed on its line; an inline "
                      f"{'value' if kind == 'py' else 'reference'} must be on one line: join its lines, "
                      f"or end it with {match.group().split(chr(123))[0].strip()} on this line")
    return None


def snippet_includes(markdown: str, line_offset: int = 0) -> list[tuple[int, str]]:
    """(line, file name) of each pymdownx.snippets include (``--8<-- "name"`` or a
    ``--8<--`` block of names) in the page's own text, not inside fences."""
    found: list[tuple[int, str]] = []
    in_block = False
    line = line_offset
    for segment in parse_page(markdown, line_offset).segments:
        if not isinstance(segment, str):
            line = segment.last_line if isinstance(segment, Block) else line + len(segment.lines)
            continue
        line += 1
        text = segment.strip()
        single = _SNIPPET_RE.match(text)
        if single:
            found.append((line, single.group("name")))
        elif _SNIPPET_MARK_RE.match(text):
            in_block = not in_block
        elif in_block and text and not text.startswith(";"):
            found.append((line, text))
    return found
    return page


def _closing_line(lines: list[str], start: int, fence: str) -> tuple[int, bool]:
    """The index of the line that closes ``fence``, and whether one does."""
    closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for j in range(start, len(lines)):
        if closing.match(lines[j]):
            return j, True
    return len(lines) - 1, False  # an unclosed fence runs to the end of the page, as in Markdown


def _block(opening: re.Match[str], info: re.Match[str], fence_lines: list[str], line: int) -> Block:
    kind = info.group("kind")
    options = _parse_options(info.group("options") or "", kind, line)
    indent = opening.group("indent")
    closed = len(fence_lines) > 1 and fence_lines[-1].strip().startswith(opening.group("fence"))
    body = fence_lines[1:-1] if closed else fence_lines[1:]
    code = "\n".join(_dedent(text, indent) for text in body)
    caption_refs = tuple(find_inline(options.get("caption", ""), line)) if kind == "figure" else ()
    for ref in caption_refs:
        if ref.kind != "py":
            raise BlockSyntaxError(line, "a caption may hold `{py} …` values but not `{fig} …` references")
    unclosed = _unclosed_inline(options.get("caption", ""), line)
    if unclosed is not None:
        raise BlockSyntaxError(line, "a `{py} …` value in the caption is not closed; end it with ` "
                                     "(as many backticks as opened it) before the caption's closing quote")
    if kind == "figure" and (find_inline(options.get("alt", ""), line) or _INLINE_OPEN_RE.search(options.get("alt", ""))):
        raise BlockSyntaxError(line, "alt may not hold `{py} …` values or `{fig} …` references (a caption may): "
                                     "write the text out, or leave alt out for a graph that describes itself")
    return Block(kind, code, options, line, line + 1, indent, opening.group("fence"),
                 line + len(fence_lines) - 1, caption_refs)


def _broken_block(opening: re.Match[str], info: re.Match[str], fence_lines: list[str], line: int,
                  problem: str, closed: bool) -> Block:
    """The block as written, with no options and the ``problem`` that keeps it from running."""
    indent = opening.group("indent")
    body = fence_lines[1:-1] if closed else fence_lines[1:]
    code = "\n".join(_dedent(text, indent) for text in body)
    return Block(info.group("kind"), code, {}, line, line + 1, indent, opening.group("fence"),
                 line + len(fence_lines) - 1, problem=problem)


def _parse_options(text: str, kind: str, line: int) -> dict[str, str]:
    options: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _OPTION_RE.match(text, position)
        if match is None:
            raise BlockSyntaxError(
                line,
                f"cannot read the options {text[position:]!r} of this `python {kind}` block; "
                'write them as key="value" separated by spaces',
            )
        key = match.group("key")
        value = re.sub(r"\\(.)", r"\1", match.group("value"))
        allowed = BLOCK_OPTIONS[kind]
        if key not in allowed:
            raise BlockSyntaxError(
                line,
                f"unknown option {key!r} on a `python {kind}` block; "
                f"the options are: {', '.join(sorted(allowed))}",
            )
        if key in options:
            raise BlockSyntaxError(line, f"option {key!r} is given twice")
        values = _OPTION_VALUES.get(f"{kind}:{key}")
        if values is not None and value not in values:
            raise BlockSyntaxError(
                line, f'{key}="{value}" is not understood; use one of: {", ".join(sorted(values))}'
            )
        if key == "id" and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", value):
            raise BlockSyntaxError(
                line, f'id="{value}" must start with a letter and hold only letters, digits, "-" and "_"'
            )
        if key == "timeout":
            try:
                seconds = float(value)
            except ValueError:
                seconds = -1.0
            if not 0 < seconds <= MAX_TIMEOUT_S:  # also rejects nan and inf
                raise BlockSyntaxError(
                    line, f'timeout="{value}" must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}')
        options[key] = value
        position = match.end()
    return options


def _dedent(text: str, indent: str) -> str:
    if text.startswith(indent):
        return text[len(indent) :]
    return text.lstrip(" \t")  # a line indented less than its fence (allowed by Markdown)
