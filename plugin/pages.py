"""Turn one page's Markdown into Markdown-with-placeholders plus the HTML they stand for.

The flow for a page (no MkDocs needed here):

1. ``plan_page`` parses the Markdown (``blocks.parse_page``) and lists what runs,
   in page order: blocks, inline values, and the ``{py}`` values of captions.
2. The caller gets results from the cache or runs the plan (``runner``).
3. ``assemble`` writes the Markdown MkDocs converts: code as ordinary
   ``python`` fences (highlighted as usual) and a placeholder paragraph or word
   wherever computed text goes. ``fill`` later swaps the placeholders in the
   converted HTML for escaped text, so Markdown never re-reads a value.
4. A figure's SVG stays out of the page's content: ``fill`` leaves an HTML
   comment where it goes and ``fill_late`` puts it into the finished page. The
   search index, which parses every page's content, then never tokenizes SVG
   markup (the largest cost of a warm build of a big book); the SVG's text is
   still in the page for readers to select and find.
"""
from __future__ import annotations

import html
import re
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from mkdocs_backprop.blocks import Block, Fence, InlineRef, Page, find_inline, parse_page
from mkdocs_backprop.cache import ResultCache, digest
from mkdocs_backprop.errors import Failure, error_box, inline_error
from mkdocs_backprop.josa import PARTICLE_RE, agree, fix_leading_particle
from mkdocs_backprop.worker import Item, PageJob

__all__ = [
    "FigureEntry",
    "FigureIndex",
    "PageOutcome",
    "PagePlan",
    "Placeholders",
    "Settings",
    "assemble",
    "plan_page",
    "label_format",
    "render_figures",
]


@dataclass(frozen=True)
class Settings:
    enabled: bool = True
    timeout: float = 60.0
    output_limit: int = 100_000
    figure_label: str = "그림 5-{n}"
    details: bool = True  # pymdownx.details is on: hide figure code in a collapsed "코드 보기"


# -- figure numbering across the whole site ------------------------------------------


@dataclass(frozen=True)
class FigureEntry:
    src_uri: str
    number: int
    anchor: str  # the <figure id=…>
    line: int
    label: str = ""  # as captions and references show it, e.g. "그림 5-3"


@dataclass
class FigureIndex:
    """Figures numbered in reading order over all pages, findable by page+ordinal or id."""

    by_position: dict[tuple[str, int], FigureEntry] = field(default_factory=dict)
    by_id: dict[str, FigureEntry] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @classmethod
    def build(cls, pages: list[tuple[str, str, Page, str]]) -> FigureIndex:
        """``pages``: (src_uri, display path, parsed page, label format) in reading order.

        The label format (``"그림 5-{n}"``: the plugin's ``figure_label``, or a page's
        own ``figure_label`` in its front matter) decides how a figure is called, and
        each format counts on its own: chapter 6's pages can say ``그림 6-{n}`` and
        start again at 그림 6-1, and a guide page can say ``예시 {n}``.
        """
        index = cls()
        numbers: dict[str, int] = {}
        for src_uri, path, page, label_format in pages:
            for ordinal, block in enumerate(b for b in page.blocks if b.kind == "figure"):
                number = numbers[label_format] = numbers.get(label_format, 0) + 1
                serial = len(index.by_position) + 1
                anchor = block.options.get("id") or f"figure-{serial}"
                entry = FigureEntry(src_uri, number, anchor, block.line, label_format.format(n=number))
                index.by_position[(src_uri, ordinal)] = entry
                given = block.options.get("id")
                if given is None:
                    continue
                if given in index.by_id:
                    first = index.by_id[given]
                    index.failures.append(Failure(
                        path, block.line,
                        f'figure id="{given}" is already used by the figure at {first.src_uri}:{first.line}; '
                        "give each figure its own id",
                    ))
                    continue
                index.by_id[given] = entry
        return index


# -- placeholders --------------------------------------------------------------------


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
        self._prose_pattern = re.compile(
            rf"<p>(bpx{self.nonce}b\d+x)</p>|(bpx{self.nonce}[bi]\d+x)(?P<josa>{PARTICLE_RE.pattern})?")

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
            return self.html[token] + (josa or "")

        def swap_in_math(match: re.Match[str]) -> str:
            formula = match.group("math")
            josa = match.group("josa") or ""
            # A formula read aloud ends the way its last term does: "$2t = `{py} v`$를"
            # ends in the value, so the particle after the formula follows the value.
            ending = self._token_at_end.search(_MATH_END_RE.sub("", formula)) if josa else None
            if ending and ending.group(1) in self.reading:
                josa = agree(self.reading[ending.group(1)], josa)
            # Inside the formula, a particle right after a value is the author's to keep.
            return self._pattern.sub(lambda m: self.math.get(m.group(2) or "", m.group(0)), formula) + josa

        page_html = _MATH_RE.sub(swap_in_math, page_html)
        return self._prose_pattern.sub(swap, page_html)


_MATH_RE = re.compile(
    rf'(?P<math><(span|div) class="arithmatex">.*?</\2>)(?P<josa>{PARTICLE_RE.pattern})?', re.DOTALL)
# The closing of a formula as arithmatex writes it: \), \] or $$ and the element's end tag.
_MATH_END_RE = re.compile(r'\s*(?:\\\)|\\\]|\$\$?)?\s*</(?:span|div)>$')


# -- planning ------------------------------------------------------------------------


@dataclass
class PagePlan:
    path: str  # display path, e.g. "docs/ch05/x.md"
    page: Page
    items: list[Item]
    sources: list[Block | InlineRef]  # what each item came from
    timeouts: list[float]

    @property
    def block_count(self) -> int:
        return sum(1 for item in self.items if item.kind != "inline")

    def cache_key(self, environment: str, settings: Settings) -> str:
        return digest(
            environment,
            self.path,
            settings.output_limit,
            # Lines matter only where they end up in cached text: a `raises` block's traceback.
            [(i.kind, i.code, i.raises, i.line if i.raises else None) for i in self.items],
        )


def plan_page(markdown: str, *, path: str, line_offset: int, settings: Settings) -> PagePlan:
    page = parse_page(markdown, line_offset)
    items: list[Item] = []
    sources: list[Block | InlineRef] = []
    timeouts: list[float] = []
    line = line_offset
    for segment in page.segments:
        if isinstance(segment, str):
            line += 1
            for ref in find_inline(segment, line):
                if ref.kind == "py":
                    items.append(Item("inline", ref.text, ref.line))
                    sources.append(ref)
                    timeouts.append(settings.timeout)
        elif isinstance(segment, Fence):
            line += len(segment.lines)
        else:
            line = segment.last_line
            seconds = float(segment.options.get("timeout", settings.timeout))
            items.append(Item(segment.kind, segment.code, segment.line, segment.first_code_line,
                              segment.options.get("raises")))
            sources.append(segment)
            timeouts.append(seconds)
            for ref in segment.caption_refs:
                items.append(Item("inline", ref.text, ref.line))
                sources.append(ref)
                timeouts.append(settings.timeout)
    return PagePlan(path, page, items, sources, timeouts)


def job_for(plan: PagePlan, source_text: str, settings: Settings) -> PageJob:
    return PageJob(plan.path, source_text.splitlines(keepends=True), plan.items, settings.output_limit)


# -- figures (rendered in this process, cached by the DOT's digest) --------------------


def render_figures(
    requests: list[tuple[Any, str, str]], cache: ResultCache, fingerprint: Callable[[], str],
    timings: dict[int, float] | None = None,
) -> list[str | Exception]:
    """SVG (or the ``FigureError``) for each (FigureSource, id_prefix, alt), rendering misses concurrently.

    ``timings`` receives, for each request that was rendered (not read from the cache,
    not failed), the seconds its rendering took (its own ``dot`` run and post-processing).
    """
    from mkdocs_backprop.figures import FigureError, render_svg

    results: list[str | Exception] = [""] * len(requests)
    missing = []
    keys = []
    for i, (source, prefix, alt) in enumerate(requests):
        key = digest("svg", source.kind, source.text, prefix, alt, fingerprint())
        keys.append(key)
        cached = cache.get_svg(key)
        if cached is None:
            missing.append(i)
        else:
            results[i] = cached

    def render(i: int) -> str | Exception:
        source, prefix, alt = requests[i]
        started = time.perf_counter()
        try:
            svg = render_svg(source, id_prefix=prefix, alt=alt)
        except FigureError as error:
            return error
        if timings is not None:
            timings[i] = time.perf_counter() - started
        return svg

    # `dot` is a subprocess, so threads render figures side by side.
    with ThreadPoolExecutor(max_workers=min(4, max(1, len(missing)))) as pool:
        for i, svg in zip(missing, pool.map(render, missing)):
            results[i] = svg
            if isinstance(svg, str):
                cache.put_svg(keys[i], svg)
    return results


# -- assembling the Markdown ---------------------------------------------------------


@dataclass
class PageOutcome:
    markdown: str
    failures: list[Failure]
    not_run: int = 0
    # (fence line, seconds) for each figure drawn by `dot` in this build, not read from the cache
    drawn: list[tuple[int, float]] = field(default_factory=list)


def assemble(
    plan: PagePlan,
    results: list[dict[str, Any]] | None,
    placeholders: Placeholders,
    settings: Settings,
    *,
    src_uri: str,
    figures: FigureIndex,
    link: Callable[[FigureEntry], str],
    svgs: dict[int, str | Exception] | None = None,
) -> PageOutcome:
    """The page's Markdown with placeholders; ``results`` None means the plugin is disabled.

    ``results`` may be shorter than ``plan.items``: the items without one were
    not run (an earlier item failed). ``svgs`` maps ``id(block)`` of each figure
    block to its SVG or the error that stopped it.
    """
    return _Assembler(plan, results, placeholders, settings, src_uri, figures, link, svgs or {}).run()


@dataclass
class _Assembler:
    plan: PagePlan
    results: list[dict[str, Any]] | None
    placeholders: Placeholders
    settings: Settings
    src_uri: str
    figures: FigureIndex
    link: Callable[[FigureEntry], str]
    svgs: dict[int, str | Exception]

    def __post_init__(self) -> None:
        self.outcome = PageOutcome("", [Failure(self.plan.path, e.line, e.message) for e in self.plan.page.errors])
        self.index = {_source_key(source): i for i, source in enumerate(self.plan.sources)}
        self.first_failure: Failure | None = None

    def run(self) -> PageOutcome:
        out: list[str] = []
        line = self.plan.page.line_offset
        figure_ordinal = 0
        for segment in self.plan.page.segments:
            if isinstance(segment, str):
                line += 1
                out.append(self.text_line(segment, line))
            elif isinstance(segment, Fence):
                line += len(segment.lines)
                out.extend(segment.lines)
            else:
                line = segment.last_line
                if segment.kind == "figure":
                    out.extend(self.figure(segment, figure_ordinal))
                    figure_ordinal += 1
                else:
                    out.extend(self.exec_block(segment))
        self.outcome.markdown = "\n".join(out)
        return self.outcome

    # -- results ---------------------------------------------------------------------

    def result(self, source: Block | InlineRef) -> tuple[dict[str, Any] | None, Failure | None]:
        """(result, failure) of an item; (None, None) when it was not run."""
        i = self.index[_source_key(source)]
        if self.results is None or i >= len(self.results):
            return None, None
        error = self.results[i].get("error")
        if not error:
            return self.results[i], None
        failure = Failure(self.plan.path, error["line"], error["message"], error.get("traceback", ""))
        self.outcome.failures.append(failure)
        self.first_failure = failure
        return self.results[i], failure

    def value_html(self, ref: InlineRef) -> tuple[str, str, str | None]:
        """An inline value as (HTML for prose, text for inside math, plain text read aloud).

        The reading is None for an error: a particle after it is left as written.
        """
        res, failure = self.result(ref)
        if failure:
            return inline_error(failure), "?", None
        if res is None:
            self.outcome.not_run += 1
            return f'<span class="bp-error bp-not-run">⚠ {html.escape(ref.text)}</span>', "?", None
        value = html.escape(res["value"])
        return value, value, res["value"]

    def not_run_box(self) -> str:
        self.outcome.not_run += 1
        where = f" ({self.first_failure.location})" if self.first_failure else ""
        return ('<div class="admonition warning bp-error bp-not-run"><p class="admonition-title">'
                f"실행되지 않음</p><p>앞선 오류{html.escape(where)} 때문에 이 코드는 실행되지 않았습니다.</p></div>")

    def block_token(self, body: str) -> str:
        token = self.placeholders.new("b")
        self.placeholders.html[token] = body
        return token

    # -- segments --------------------------------------------------------------------

    def text_line(self, text: str, line: int) -> str:
        pieces, last = [], 0
        for ref in find_inline(text, line):
            if self.results is None:
                continue  # disabled: values and references stay as inline code
            pieces.append(text[last:ref.start])
            token = self.placeholders.new("i")
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
            failure = Failure(self.plan.path, line, f"`{{fig}} {ref.text}` refers to no figure; "
                              f"known ids: {', '.join(sorted(self.figures.by_id)) or 'none'}")
            self.outcome.failures.append(failure)
            return inline_error(failure), None
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
            body = (_output(res["output"]) if res and res.get("output") else "") + error_box(failure)
        elif res is None:
            body = self.not_run_box()
        elif block.options.get("output") == "hide" or not res.get("output"):
            return lines
        else:
            body = _output(res["output"])
        return [*lines, "", f"{block.indent}{self.block_token(body)}", ""]

    def figure(self, block: Block, ordinal: int) -> list[str]:
        code = _code_fence(block)
        if self.results is None:
            return code
        res, failure = self.result(block)
        caption = self.caption_html(block)
        svg = self.svgs.get(id(block))
        if failure:
            body = error_box(failure)
        elif res is None:
            body = self.not_run_box()
        elif isinstance(svg, Exception):
            failure = Failure(self.plan.path, block.line, f"the figure could not be drawn: {svg}")
            self.outcome.failures.append(failure)
            body = error_box(failure)
        else:
            entry = self.figures.by_position.get((self.src_uri, ordinal))
            anchor = entry.anchor if entry else f"figure-{ordinal + 1}"
            label = html.escape(entry.label if entry else self.settings.figure_label.format(n=0))
            text = f"{label}: {caption}" if caption else label
            output = _output(res["output"]) if res.get("output") else ""
            late = self.placeholders.new_late(svg) if svg else ""
            body = (f'<figure class="bp-figure" id="{html.escape(anchor)}">{late}'
                    f"<figcaption>{text}</figcaption></figure>{output}")
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
    return f'<div class="bp-output"><pre><code>{html.escape(text)}</code></pre></div>'


def figure_requests(
    plan: PagePlan, results: list[dict[str, Any]], figures: FigureIndex, src_uri: str
) -> list[tuple[Block, Any, str, str]]:
    """(block, FigureSource, id_prefix, alt) for every figure block that ran without error."""
    from mkdocs_backprop.figures import FigureSource

    requests = []
    figure_blocks = [b for b in plan.page.blocks if b.kind == "figure"]
    for ordinal, block in enumerate(figure_blocks):
        i = next(n for n, s in enumerate(plan.sources) if s is block)
        if i >= len(results) or results[i].get("error") or "figure" not in results[i]:
            continue
        source = FigureSource(**results[i]["figure"])
        entry = figures.by_position.get((src_uri, ordinal))
        anchor = entry.anchor if entry else f"figure-{ordinal + 1}"
        requests.append((block, source, id_prefix(anchor), block.options.get("alt") or source.alt))
    return requests


def label_format(given: object, default: str) -> tuple[str, str | None]:
    """A figure label format to use, and a message if ``given`` (a page's
    ``figure_label``) cannot be one: it must be text with ``{n}`` for the number."""
    if given is None:
        return default, None
    if isinstance(given, str) and "{n}" in given:
        try:
            given.format(n=1)
            return given, None
        except (KeyError, IndexError, ValueError):
            pass
    return default, (f"figure_label: {given!r} in the front matter is not a figure label; write text with "
                     '{n} where the number goes, e.g. figure_label: "그림 6-{n}"')


def id_prefix(anchor: str) -> str:
    """An SVG id prefix (``[A-Za-z][A-Za-z0-9_-]*``) unique to the figure."""
    return "bp-" + re.sub(r"[^A-Za-z0-9_-]", "_", anchor) + "-"
