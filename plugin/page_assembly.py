"""Page assembly: the Markdown MkDocs converts, with placeholders where results go.

``assemble`` walks a page's plan with its results and writes code as ordinary
``python`` fences (highlighted as usual), a placeholder paragraph or word
wherever computed text goes (``placeholders``), an error box where code failed
and a note where it did not run because of an earlier failure. A figure block's
``<figure>`` comes from ``figures.figure_html``; its code is tucked into a
collapsed "코드 보기" unless the block says ``source="show"``.
"""
from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mkdocs_backprop.blocks import Block, Fence, InlineRef, find_inline
from mkdocs_backprop.errors import Failure, error_box, inline_error, notice_box
from mkdocs_backprop.figure_index import FigureEntry, FigureIndex
from mkdocs_backprop.figures import PageFigure, figure_html, page_figures
from mkdocs_backprop.josa import fix_leading_particle
from mkdocs_backprop.page_plan import PagePlan
from mkdocs_backprop.placeholders import Placeholders
from mkdocs_backprop.settings import Settings
from mkdocs_backprop.terminal_text import printable
from mkdocs_backprop.worker_protocol import ItemResult

if TYPE_CHECKING:
    from mkdocs_backprop.notebook_context import PageDownloads

__all__ = ["PageOutcome", "assemble", "with_notice"]


@dataclass
class PageOutcome:
    markdown: str
    failures: list[Failure]
    not_run: int = 0
    # (fence line, seconds) for each figure drawn by `dot` in this build, not read from the cache
    drawn: list[tuple[int, float]] = field(default_factory=list)
    downloads: PageDownloads | None = None  # the page as a notebook and a script
    # The failures shown where they happened (a box at the block, a mark at the value);
    # the page shows the others in one notice at its top (``with_notice``).
    shown: list[Failure] = field(default_factory=list)


def assemble(
    plan: PagePlan,
    results: list[ItemResult] | None,
    placeholders: Placeholders,
    settings: Settings,
    *,
    src_uri: str,
    figures: FigureIndex,
    link: Callable[[FigureEntry], str],
    drawn: list[PageFigure] | None = None,
) -> PageOutcome:
    """The page's Markdown with placeholders; ``results`` None means the plugin is disabled.

    ``results`` may be shorter than ``plan.items``: the items without one were
    not run (an earlier item failed). ``drawn``: the page's figures after
    ``figures.draw`` (without it, figures are placed without their SVGs).
    """
    if drawn is None:
        drawn = page_figures(plan, results, figures, src_uri, settings.figure_label)
    by_block = {id(f.block): f for f in drawn}
    return _Assembler(plan, results, placeholders, settings, src_uri, figures, link, by_block).run()


def with_notice(markdown: str, failures: list[Failure], placeholders: Placeholders) -> str:
    """``markdown`` with one notice listing ``failures`` (those the page does not show
    where they happened: a bad front matter, a value where it would be markup, a block
    in a blockquote), right after the page's first heading, which stays its title."""
    if not failures:
        return markdown
    token = placeholders.new("b")
    placeholders.html[token] = notice_box(failures)
    lines = markdown.split("\n")
    at = next((i for i, text in enumerate(lines) if text.strip()), len(lines))
    if at < len(lines) and lines[at].startswith("# "):
        at += 1  # after an ATX first heading
    elif at + 1 < len(lines) and lines[at + 1].strip() and set(lines[at + 1].strip()) == {"="}:
        at += 2  # after a setext one (Title / =====)
    return "\n".join([*lines[:at], "", token, "", *lines[at:]])


@dataclass
class _Assembler:
    plan: PagePlan
    results: list[ItemResult] | None
    placeholders: Placeholders
    settings: Settings
    src_uri: str
    figures: FigureIndex
    link: Callable[[FigureEntry], str]
    page_figures: dict[int, PageFigure]  # by id(block)

    def __post_init__(self) -> None:
        self.outcome = PageOutcome("", [Failure(self.plan.path, e.line, e.message) for e in self.plan.page.errors])
        self.index = {_source_key(source): i for i, source in enumerate(self.plan.sources)}
        self.first_failure: Failure | None = None
        self.open_tag = ""  # the start of an HTML tag a previous line left open ("<a\n")

    def run(self) -> PageOutcome:
        out: list[str] = []
        line = self.plan.page.line_offset
        for segment in self.plan.page.segments:
            if isinstance(segment, str):
                line += 1
                out.append(self.text_line(segment, line))
            elif isinstance(segment, Fence):
                line += len(segment.lines)
                out.extend(segment.lines)
                self.open_tag = ""
            else:
                line = segment.last_line
                self.open_tag = ""
                if segment.kind == "figure":
                    out.extend(self.figure(segment))
                else:
                    out.extend(self.exec_block(segment))
        self.outcome.markdown = "\n".join(out)
        return self.outcome

    # -- results ---------------------------------------------------------------------

    def result(self, source: Block | InlineRef) -> tuple[ItemResult | None, Failure | None]:
        """(result, failure) of an item; (None, None) when it was not run."""
        i = self.index[_source_key(source)]
        if self.results is None or i >= len(self.results):
            return None, None
        error = self.results[i].error
        if error is None:
            return self.results[i], None
        failure = Failure.at(self.plan.path, error)
        self.outcome.failures.append(failure)
        self.first_failure = failure
        return self.results[i], failure

    def value_html(self, ref: InlineRef) -> tuple[str, str, str | None]:
        """An inline value as (HTML for prose, text for inside math, plain text read aloud).

        The reading is None for an error: a particle after it is left as written.
        """
        res, failure = self.result(ref)
        if failure:
            return self.inline_error(failure), "?", None
        if res is None:
            self.outcome.not_run += 1
            return f'<span class="bp-error bp-not-run">⚠ {html.escape(ref.text)}</span>', "?", None
        text = printable(res.value or "")
        value = html.escape(text)
        return value, value, text

    def not_run_box(self) -> str:
        self.outcome.not_run += 1
        where = f" ({self.first_failure.location})" if self.first_failure else ""
        return ('<div class="admonition warning bp-error bp-not-run"><p class="admonition-title">'
                f"실행되지 않음</p><p>앞선 오류{html.escape(where)} 때문에 이 코드는 실행되지 않았습니다.</p></div>")

    def error_box(self, failure: Failure) -> str:
        self.outcome.shown.append(failure)
        return error_box(failure)

    def inline_error(self, failure: Failure) -> str:
        self.outcome.shown.append(failure)
        return inline_error(failure)

    def block_token(self, body: str) -> str:
        token = self.placeholders.new("b")
        self.placeholders.html[token] = body
        return token

    # -- segments --------------------------------------------------------------------

    def text_line(self, text: str, line: int) -> str:
        pieces, last = [], 0
        open_tag, self.open_tag = self.open_tag, _open_tag(self.open_tag, text)
        for ref in find_inline(text, line):
            if self.results is None:
                continue  # disabled: values and references stay as inline code
            pieces.append(text[last:ref.start])
            token = self.placeholders.new("i")
            place = _markup_place(open_tag + text[:ref.start], text[ref.end:])
            if place is not None:
                # Escaped text is safe only as text: in a tag or an address it would be markup.
                written = f"`{{{ref.kind}}} {ref.text}`"
                self.outcome.failures.append(Failure(self.plan.path, line, (
                    f"{written} is {place}, where its text would become markup (a javascript: link, "
                    "an event handler); put it in the text around the link or element instead")))
                pieces.append(token)
                last = ref.end
                continue
            if ref.kind == "py":
                self.placeholders.html[token], self.placeholders.math[token], reading = self.value_html(ref)
            else:
                self.placeholders.html[token], reading = self.figure_link(ref, line)
            if reading is not None:
                self.placeholders.reading[token] = reading
            pieces.append(token)
            last = ref.end
        pieces.append(text[last:])
        return "".join(pieces)

    def figure_link(self, ref: InlineRef, line: int) -> tuple[str, str | None]:
        """A ``{fig}`` reference as (HTML, its label read aloud or None for an error)."""
        entry = self.figures.by_id.get(ref.text)
        if entry is None:
            lowered = {known.lower(): known for known in self.figures.by_id}
            close = difflib.get_close_matches(ref.text.lower(), lowered, n=1, cutoff=0.6)
            hint = f"did you mean `{{fig}} {lowered[close[0]]}`? " if close else ""
            failure = Failure(self.plan.path, line, f"`{{fig}} {ref.text}` refers to no figure; {hint}"
                              f"known ids: {', '.join(sorted(self.figures.by_id)) or 'none'}")
            self.outcome.failures.append(failure)
            return self.inline_error(failure), None
        label = entry.label
        return f'<a class="bp-figure-ref" href="{html.escape(self.link(entry))}">{html.escape(label)}</a>', label

    def exec_block(self, block: Block) -> list[str]:
        lines: list[str] = []
        if block.options.get("source") != "hide" or self.results is None:
            lines += _code_fence(block)
        if self.results is None:
            return lines
        res, failure = self.result(block)
        if failure:
            body = (_output(res.output) if res and res.output else "") + self.error_box(failure)
        elif res is None:
            body = self.not_run_box()
        elif block.options.get("output") == "hide" or not res.output:
            return lines
        else:
            body = _output(res.output)
        return [*lines, "", f"{block.indent}{self.block_token(body)}", ""]

    def figure(self, block: Block) -> list[str]:
        code = _code_fence(block)
        if self.results is None:
            return code
        res, failure = self.result(block)
        caption = self.caption_html(block)
        figure = self.page_figures[id(block)]
        if failure:
            body = self.error_box(failure)
        elif res is None:
            body = self.not_run_box()
        elif figure.error is not None:
            failure = Failure(self.plan.path, block.line, f"the figure could not be drawn: {figure.error}")
            self.outcome.failures.append(failure)
            body = self.error_box(failure)
        else:
            output = _output(res.output) if res.output else ""
            body = figure_html(figure, caption, self.placeholders) + output
        shown = ["", f"{block.indent}{self.block_token(body)}", ""]
        if block.options.get("source") == "show":
            return [*code, *shown]
        if not self.settings.details:
            return [*shown, *code]
        hidden = [f"{block.indent}    {text[len(block.indent):]}" if text else "" for text in code]
        return [*shown, f'{block.indent}??? quote "코드 보기"', "", *hidden, ""]

    def caption_html(self, block: Block) -> str:
        caption = block.options.get("caption", "")
        parts: list[str] = []
        last, reading = 0, None
        for ref in block.caption_refs:
            parts.append(html.escape(_agreeing(reading, caption[last:ref.start])))
            value, _, reading = self.value_html(ref)
            parts.append(value)
            last = ref.end
        parts.append(html.escape(_agreeing(reading, caption[last:])))
        return "".join(parts)


# Where the Markdown around a value makes it part of markup rather than text.
_IN_TAG_RE = re.compile(r"<[A-Za-z][\w:-]*(?:\s[^<>]*)?$|</[A-Za-z][\w:-]*\s*$|<$")
_ADDRESS_RES = (re.compile(r"\]\(\s*<?[^\s()<>]*$"), re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?[^\s<>]*$"))
_ATTRIBUTE_LIST_RE = re.compile(
    r"\{:?[ \t]*(?:[#.][\w-]+[ \t]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s\"'}]*)[ \t]+)*[\w-]+=[\"']?[^\"'{}]*$")


def _markup_place(before: str, after: str) -> str | None:
    """What markup a value between ``before`` and ``after`` (the rest of its line) is
    part of, if any: a tag (closed after it: "a<b `{py} x`" is text), a link's address
    or an attribute list."""
    if "<" in before and ">" in after and _IN_TAG_RE.search(before):
        return "inside an HTML tag"
    if "]" in before and any(pattern.search(before) for pattern in _ADDRESS_RES):
        return "a link's address"
    if "{" in before and _ATTRIBUTE_LIST_RE.search(before):
        return "inside an attribute list {: …}"
    return None


_OPEN_TAG_RE = re.compile(r"<[A-Za-z][\w:-]*(?:\s[^<>]*)?$")


def _open_tag(open_tag: str, text: str) -> str:
    """The start of the HTML tag still open after ``text`` (a line), if any; a blank
    line ends raw HTML in Markdown."""
    if not text.strip() or (not open_tag and "<" not in text):
        return ""
    match = _OPEN_TAG_RE.search(open_tag + text)
    return match.group() + "\n" if match else ""


def _agreeing(reading: str | None, following: str) -> str:
    """Caption text after a value, its leading particle made to agree with the value."""
    return following if reading is None else fix_leading_particle(reading, following)


def _source_key(source: Block | InlineRef) -> object:
    # Inline refs are found again while assembling, so they match by value
    # (line and column); blocks are the very objects the plan holds.
    return source if isinstance(source, InlineRef) else id(source)


def _code_fence(block: Block) -> list[str]:
    """The block's code as an ordinary ``python`` fence, so it is highlighted as usual."""
    fence = block.fence if block.fence[0] == "`" else "```"
    body = [f"{block.indent}{text}" if text.strip() else "" for text in block.code.split("\n")]
    return [f"{block.indent}{fence}python", *body, f"{block.indent}{fence}"]


def _output(text: str) -> str:
    return f'<div class="bp-output"><pre><code>{html.escape(printable(text))}</code></pre></div>'
