"""One build's shared state, and a page from Markdown to placeholders (no MkDocs here).

``BuildSession`` owns what a build shares: the cache, the worker process, the
background runs started from the site's page list, the figure index, the
placeholders and the counters for the summary line. The MkDocs adapter makes one
per build and calls ``scan`` once, then ``page`` per page, then ``close``; a page
goes plan (``page_plan``) -> results (cache or worker) -> figures (``figures``)
-> Markdown with placeholders (``page_assembly``). A page whose text, results and
everything else it shows are unchanged skips all of that: ``scan`` knows it by its
outline and ``page`` takes its assembled Markdown from the cache (``page_memo``).
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs_backprop import figures
from mkdocs_backprop.blocks import Page, front_matter_lines
from mkdocs_backprop.cache import ResultCache, StoredPage, digest, environment_digest
from mkdocs_backprop.errors import Failure
from mkdocs_backprop.figure_index import FigureEntry, FigureIndex, label_for_page
from mkdocs_backprop.page_assembly import PageOutcome, assemble
from mkdocs_backprop.page_memo import Outline, OutlineStore, pack, unpack
from mkdocs_backprop.page_plan import PagePlan, job_for, plan_page
from mkdocs_backprop.placeholders import Placeholders
from mkdocs_backprop.settings import Settings
from mkdocs_backprop.site_assets import SiteText
from mkdocs_backprop.worker_client import WorkerClient, WorkerError
from mkdocs_backprop.worker_protocol import ItemResult, PageInputs, PageJob, PageResults, installed_stamp

if TYPE_CHECKING:
    from mkdocs_backprop.mathml import MathError, Span
    from mkdocs_backprop.notebook_context import NotebookContext
    from mkdocs_backprop.wheel import Wheel

__all__ = ["BuildSession", "KeptWorker", "SourcePage"]

_DURATIONS = "durations.json"  # in the cache folder: seconds each page's code took when it last ran
_VERSIONS = "versions.json"  # in the cache folder: installed versions of the distributions pages imported


@dataclass
class _Content:
    """A page's content as ``on_page_content`` gave it, and what search is to read of it."""

    html: str
    spans: list[Span]  # its formulas
    shown: str | None = None  # as search reads it: formulas as text, with markers (``math_text``)
    originals: list[str] = field(default_factory=list)  # the formulas those markers stand for


@dataclass(frozen=True)
class KeptWorker:
    """A worker process kept between serve builds, with the environment it was started in."""

    environment: str
    server: WorkerClient


@dataclass(frozen=True)
class SourcePage:
    src_uri: str  # as MkDocs names the file, e.g. "ch05/x.md"
    path: str  # shown in messages, e.g. "docs/ch05/x.md"
    source: str  # the file's text, front matter included
    figure_label: object = None  # the front matter's `figure_label`, if it has one
    sections: tuple[str, ...] = ()  # titles of the nav sections holding the page, outermost first


class BuildSession:
    def __init__(self, root: Path, settings: Settings, cache: ResultCache, watch: list[str]) -> None:
        self.root = root
        self.settings = settings
        self.cache = cache
        self.watch = watch
        # A page's formulas as MathML and text, by the formulas (their LaTeX wrappers).
        self._math_memo: dict[tuple[str, ...], tuple[list[str], list[str | None]]] = {}
        self._mathml_of: dict[str, str] = {}  # a formula's wrapper -> its MathML, this build
        self._converted_markup: set[str] = set()  # those MathML wrappers, not to be converted again
        self._broken_math: dict[str, MathError] = {}  # a formula's wrapper -> why it cannot be converted
        self._contents: dict[str, _Content] = {}  # src_uri -> the page's content, for search and after
        self._finished: dict[str, bool] = {}  # src_uri -> needs the interactive script (SVGs in)
        self._wheel: Wheel | None | bool = False  # False: not built yet
        self.started = time.monotonic()
        self.environment = (environment_digest([root / d for d in watch], settings.preload)
                            if settings.enabled else "")
        self.placeholders = Placeholders()
        self.text = SiteText()  # what the figures and formulas of the pages built so far show
        self.font_subsets: list[subprocess.Popen[bytes]] = []  # started by ``start_fonts``
        self.figures = FigureIndex()
        self.labels: dict[str, str] = {}  # src_uri -> the page's figure label format
        self.counts = {"pages": 0, "run": 0, "cached": 0, "drawn": 0, "figures cached": 0,
                       "verified": 0, "stale": 0}
        self._stale: list[Failure] = []  # found by the stale-value guard for the page being built
        self._server: WorkerClient | None = None
        self._executor: _Background | None = None
        self._pending: dict[str, Future[list[ItemResult]]] = {}
        self._renderer: str | None = None
        self._digests: dict[tuple[str, int, int], str | None] = {}  # (path, size, mtime) -> sha256
        self._versions: dict[str, str | None] = {}  # distribution -> installed version
        self._version_stamp: list[Any] | None = None  # ``installed_stamp`` when versions were read
        self._has_code = False  # some page of the site runs code
        self._plans: dict[str, tuple[str, PagePlan]] = {}  # src_uri -> (source, plan) from ``scan``
        self._durations: dict[str, float] = {}  # display path -> seconds its code ran, this build
        # Pages whose code ``scan`` started, in the order their results are expected (the
        # slowest last): MkDocs had best read them after the others, in this order.
        self.running: list[str] = []
        self._scanned: dict[str, StoredPage] = {}  # cache key -> the entry ``scan`` found stored
        # src_uri -> (source, outline) from ``scan``; outlines kept between builds
        self._outlines: dict[str, tuple[str, Outline]] = {}
        self._settings_key = repr(settings)
        self._outline_store = OutlineStore(cache, digest("outline", self.environment, repr(settings)))

    def start(self) -> None:
        """Start the worker at once when nothing can come from the cache (pages will run),
        before MkDocs reads the pages, rather than when ``scan`` finds them. Call it after
        ``adopt``."""
        cache = self.cache
        if self.settings.enabled and self._server is None and (
                cache.directory is None or cache.refresh or not (cache.directory / "pages").is_dir()):
            self._worker()

    def scan(self, site: list[SourcePage]) -> list[Failure]:
        """Number the figures of all pages (reading order) and start running uncached pages.

        Each page is parsed here once; ``page`` reuses the plan. The uncached pages start
        in reading order (MkDocs renders them in that order and waits for each), except
        the one expected to take longest, which starts first: a cold build otherwise
        ends by waiting for it alone.
        """
        labelled = []
        label_failures = []
        to_run: list[tuple[SourcePage, PagePlan, str]] = []
        for p in site:
            label, problem = label_for_page(p.src_uri, p.sections, p.figure_label, self.settings.figure_label,
                                            self.settings.figure_labels)
            if problem:
                label_failures.append(Failure(p.path, 1, problem))
            self.labels[p.src_uri] = label
            outline = self._outline(p)
            labelled.append((p.src_uri, p.path, outline.figures, label))
            if outline.key is not None:
                self._has_code = True
                key = outline.key
                # The stale-value guard runs every page, cached or not, and compares.
                if outline.stop and key not in self._pending and all(key != k for _, _, k in to_run):
                    stored = None if self.settings.verify else self._stored(key, outline.items)
                    if stored is None:
                        to_run.append((p, self._scanned_plan(p), key))
                    else:
                        self._scanned[key] = stored
        self._outline_store.save()
        self.figures = FigureIndex.build(labelled)
        self.figures.failures[:0] = label_failures
        if to_run:
            durations = self._last_durations()
            slowest = max(range(len(to_run)), key=lambda i: durations.get(to_run[i][1].path)
                          or _estimate(to_run[i][1], self.settings))
            to_run.insert(0, to_run.pop(slowest))
        for page, plan, key in to_run:
            # Run it now, in the background: the pages' code then overlaps
            # MkDocs rendering the pages before it (and each other, on 2 cores).
            job = job_for(plan, page.source, self.settings)
            self._pending[key] = self._pool().submit(self._run_timed, self._worker(), job, plan.timeouts)
        # The slowest one last: by the time MkDocs waits for it, it has read every other page.
        self.running = [p.src_uri for p, _, _ in to_run[1:] + to_run[:1]]
        return list(self.figures.failures)

    def _outline(self, page: SourcePage) -> Outline:
        """The page's outline, from the store when its source is unchanged; else it is
        parsed (the plan is kept for ``page``)."""
        key = self._outline_store.key(page.path, page.source)
        outline = self._outline_store.get(key)
        if outline is None:
            plan = self._scanned_plan(page)
            outline = Outline.of(plan, plan.cache_key(self.environment, self.settings) if plan.items else None)
            self._outline_store.put(key, outline)
        self._outlines[page.src_uri] = (page.source, outline)
        return outline

    def _scanned_plan(self, page: SourcePage) -> PagePlan:
        """The plan of the page's raw source (parsed once a build)."""
        known = self._plans.get(page.src_uri)
        if known is not None and known[0] == page.source:
            return known[1]
        # The raw source keeps the front matter's lines, so lines (and keys) match ``page``'s.
        plan = plan_page(page.source, path=page.path, line_offset=0, settings=self.settings)
        self._plans[page.src_uri] = (page.source, plan)
        return plan

    def _plan(self, markdown: str, page: SourcePage) -> PagePlan:
        """The plan ``scan`` made of the page, for its Markdown (front matter removed),
        or a new one if the Markdown is not the source's own (another plugin changed it)."""
        offset = front_matter_lines(page.source, markdown)
        source, plan = self._plans.pop(page.src_uri, (None, None))
        if plan is not None and source == page.source and page.source.endswith(markdown) \
                and all(isinstance(s, str) for s in plan.page.segments[:offset]) \
                and all(item.line > offset for item in plan.items):
            trimmed = Page(plan.page.segments[offset:], offset, plan.page.errors)
            return PagePlan(plan.path, trimmed, plan.items, plan.sources, plan.timeouts)
        return plan_page(markdown, path=page.path, line_offset=offset, settings=self.settings)

    def _run_timed(self, worker: WorkerClient, job: PageJob, timeouts: list[float]) -> list[ItemResult]:
        started = time.perf_counter()
        results = worker.run_page(job, timeouts)
        self._durations[job.filename] = time.perf_counter() - started
        return results

    def _last_durations(self) -> dict[str, float]:
        """Seconds each page took to run when it last ran (any build of this site)."""
        data = self.cache.get_bytes(_DURATIONS)
        try:
            stored = json.loads(data) if data is not None else {}
        except ValueError:
            stored = {}
        if not isinstance(stored, dict):
            return {}
        return {k: v for k, v in stored.items() if isinstance(k, str) and isinstance(v, (int, float))}

    def save_durations(self) -> None:
        """Add this build's page run times to the record ``scan`` orders the next runs by."""
        if not self._durations:
            return
        merged = {**self._last_durations(), **{k: round(v, 3) for k, v in self._durations.items()}}
        self.cache.put_bytes(_DURATIONS, json.dumps(merged, ensure_ascii=False, sort_keys=True).encode())
        self._durations.clear()

    def page(self, markdown: str, page: SourcePage, link: Callable[[FigureEntry], str],
             downloads: NotebookContext | None = None) -> PageOutcome:
        """The page's Markdown with placeholders (filled later by ``placeholders.fill``).

        With ``downloads`` (and the ``notebooks`` setting) the outcome also carries the
        page as a notebook and a script, if all its code ran cleanly.
        """
        if not self.settings.enabled:
            plan = plan_page(markdown, path=page.path, line_offset=0, settings=self.settings)
            return assemble(plan, None, self.placeholders, self.settings, src_uri=page.src_uri,
                            figures=self.figures, link=link)
        self.counts["pages"] += 1
        outline = self._outline_for(markdown, page)
        if outline is not None and (outline.key is None or outline.key in self._scanned):
            stored = self._scanned[outline.key].digest if outline.key is not None else None
            kept = self._kept(markdown, page, outline, stored, link, downloads)
            if kept is not None:
                return kept
        first_token = self.placeholders.count
        used = set(self.cache.used)
        plan = self._plan(markdown, page)
        results = self._results(plan, page.source)
        label = self.labels.get(page.src_uri, self.settings.figure_label)
        drawn = figures.page_figures(plan, results, self.figures, page.src_uri, label)
        figures.draw(drawn, self.cache, self._fingerprint)
        self.counts["drawn"] += sum(1 for f in drawn if f.seconds is not None)
        self.counts["figures cached"] += sum(1 for f in drawn if f.svg is not None and f.seconds is None)
        outcome = assemble(plan, results, self.placeholders, self.settings, src_uri=page.src_uri,
                           figures=self.figures, link=link, drawn=drawn)
        outcome.failures.extend(self._stale)
        self._stale = []
        outcome.drawn = [(f.block.line, f.seconds) for f in drawn if f.seconds is not None]
        shown = SiteText()  # the characters this page's figures show
        for figure in drawn:
            if figure.svg:
                shown.add_figure(figure.svg)
        self.text.update(shown)
        if downloads is not None and self.settings.notebooks:
            from mkdocs_backprop.notebook import page_downloads

            outcome.downloads = page_downloads(plan, results, drawn, self.figures, downloads, self.cache,
                                               self.environment, markdown=markdown)
        if outline is not None and not outcome.failures and not outcome.not_run:
            key = self._assembled_key(markdown, page, outline, getattr(results, "digest", None), link, downloads)
            if key is not None:
                made = outcome.downloads
                if made is not None:
                    for suffix, data in made.files():
                        self.cache.put_bytes(f"assembled/{key}{suffix}", data if isinstance(data, bytes)
                                             else data.read_bytes())
                self.cache.put_text("assembled", key, pack(outcome.markdown, self.placeholders, first_token,
                                                           shown, sorted(self.cache.used - used), made is not None))
        return outcome

    def _outline_for(self, markdown: str, page: SourcePage) -> Outline | None:
        """The outline ``scan`` made of the page, if ``markdown`` is its source's own."""
        source, outline = self._outlines.get(page.src_uri, (None, None))
        return outline if source == page.source and page.source.endswith(markdown) else None

    def _kept(self, markdown: str, page: SourcePage, outline: Outline, results_digest: str | None,
              link: Callable[[FigureEntry], str], downloads: NotebookContext | None) -> PageOutcome | None:
        """The page as a previous build assembled it, if nothing it was made from changed."""
        key = self._assembled_key(markdown, page, outline, results_digest, link, downloads)
        entry = self.cache.get_text("assembled", key) if key is not None else None
        unpacked = unpack(entry, self.placeholders, self.text, self.cache.used) if entry is not None else None
        if unpacked is None or self.cache.directory is None:
            return None
        stored = None
        if unpacked.downloads:
            # Copied into the site as they are, if they are still there.
            stored = tuple(self.cache.directory / f"assembled/{key}{suffix}" for suffix in (".ipynb", ".py"))
            if not all(p.is_file() for p in stored):
                return None
        self._scanned.pop(outline.key, None)
        self._plans.pop(page.src_uri, None)
        self.counts["cached"] += outline.blocks
        self.counts["figures cached"] += len(outline.figures)
        outcome = PageOutcome(unpacked.markdown, [])
        if stored is not None:
            from mkdocs_backprop.notebook_context import PageDownloads

            self.cache.used.update(f"assembled/{p.name}" for p in stored)
            outcome.downloads = PageDownloads("", "", (), stored=stored)  # type: ignore[arg-type]
        return outcome

    def _assembled_key(self, markdown: str, page: SourcePage, outline: Outline, results_digest: str | None,
                       link: Callable[[FigureEntry], str], downloads: NotebookContext | None) -> str | None:
        """The key of the page's assembled Markdown: everything that went into it besides
        the environment and settings (the text, the results, the figures' numbers and
        the links it shows, the renderer, the notebook's context); None when the page is
        not to be kept (its code did not all run, a reference is broken, --verify)."""
        if self.settings.verify or self.cache.directory is None or outline.problems \
                or outline.stop < outline.items or (outline.key is not None and results_digest is None):
            return None
        index = self.figures
        label = self.labels.get(page.src_uri, self.settings.figure_label)
        shown = [(e.number, e.anchor, e.label) for e in
                 (index.entry(page.src_uri, n, label) for n in range(len(outline.figures)))]
        targets = []
        for ref in outline.refs:
            entry = index.by_id.get(ref)
            if entry is None:
                return None  # an error box, made anew every build
            targets.append(entry)
        notebook = None
        if downloads is not None and self.settings.notebooks:
            if not downloads.links_key:
                return None  # what the notebook's links resolve to is not known in one digest
            wheel = downloads.wheel
            notebook = [downloads.page_url, downloads.site_name, downloads.wheel_url,
                        wheel.filename if wheel is not None else None, index.ids_digest(), downloads.links_key]
        return digest("assembled", self.environment, self._settings_key, page.src_uri, page.path,
                      hashlib.sha256(markdown.encode()).hexdigest(),
                      page.source.count("\n", 0, len(page.source) - len(markdown)),  # front matter's lines
                      results_digest, label, shown, [(e.label, link(e)) for e in targets],
                      self._fingerprint() if outline.figures else None, notebook)

    def wheel(self) -> Wheel | None:
        """The watched folders that are packages, as one wheel for the notebooks (built once)."""
        if self._wheel is False:
            from mkdocs_backprop.wheel import build_wheel, importable_packages

            self._wheel = build_wheel(importable_packages([self.root / d for d in self.watch]), self.cache)
        return self._wheel  # type: ignore[return-value]

    def math(self, page_html: str) -> str:
        """``page_html`` with its formulas as MathML (``mathml.MathError`` if one is broken)."""
        from mkdocs_backprop import mathml

        if not _unconverted(page_html):
            return page_html  # none, or all put in already (``after_search``): no need to parse
        wrappers = [w for w in mathml.formulas(page_html) if w not in self._converted_markup]
        if not wrappers:
            return page_html
        converted = self._converted(wrappers)
        broken = [self._broken_math[w] for w in wrappers if w in self._broken_math]
        if broken:  # formulas ``convert_math`` never saw (another plugin added them): the caller reports
            raise broken[0]
        return mathml.substitute(page_html, dict(zip(wrappers, converted)))

    def convert_math(self, page_html: str, src_uri: str | None = None) -> list[MathError]:
        """Convert (or take from the cache) the formulas of a page's content now, so their
        characters are known by ``on_env``; returns the errors of its broken formulas (each
        is shown in the page where it is written, by ``mathml.broken_formula_html``).

        With ``src_uri`` (the page's content as ``on_page_content`` gives it), the content
        search is to read (``for_search``) is made now as well, while the page's text is
        fresh in memory: by the time its template is rendered, every other page has been
        converted. (The content after search, with its MathML and SVGs, is three times as
        big: it is made at ``after_search``, so that a build holds one page's of it at a time.)
        """
        from mkdocs_backprop import mathml

        spans = mathml.wrapper_spans(page_html)
        content = _Content(page_html, spans)
        if src_uri is not None:
            self._contents[src_uri] = content
        wrappers = _distinct(spans) if spans else []
        if wrappers:
            self._converted(wrappers)
        if src_uri is not None:
            content.shown, content.originals = self.searchable(page_html, spans)
        return [self._broken_math[w] for w in wrappers if w in self._broken_math]

    def searchable(self, page_html: str, spans: list[Span] | None = None) -> tuple[str, list[str]]:
        """``page_html`` with its formulas as readable text (``math_text.for_search``) and the
        LaTeX wrappers to put back (``math_text.restore``). A broken formula is left as it
        is: ``math`` reports it when the page is finished. ``spans``: where the formulas
        are (``mathml.wrapper_spans``), if known."""
        from mkdocs_backprop import math_text, mathml

        if spans is None:
            spans = mathml.wrapper_spans(page_html)
        if not spans:
            return page_html, []
        wrappers = _distinct(spans)
        try:
            _, texts = self._math_entry(wrappers)
        except mathml.MathError:
            return page_html, []
        # A formula whose text could not be made keeps its LaTeX in the index.
        return math_text.for_search(page_html, {w: t for w, t in zip(wrappers, texts) if t is not None}, spans)

    def for_search(self, src_uri: str, content: str) -> str:
        """The page's content as the search plugin is to read it (``searchable``); ``after_search``
        then gives the content for the rest of the build."""
        from mkdocs_backprop import mathml

        kept = self._contents.get(src_uri)
        if kept is None or kept.html is not content or kept.shown is None:
            # Another plugin changed it since ``convert_math`` (or a formula is broken).
            kept = self._contents[src_uri] = _Content(content, mathml.wrapper_spans(content))
            kept.shown, kept.originals = self.searchable(content, kept.spans)
        return kept.shown

    def after_search(self, src_uri: str, content: str) -> str:
        """The page's content once search has read it: formulas as MathML and the figures'
        SVGs in (``placeholders.new_late``).

        If the content is still what ``for_search`` gave, it is made from the content
        before search in one pass (and ``finish`` need not look for SVG comments in the
        whole page); else (another plugin changed it) the formulas are put back
        (``math_text.restore``) and ``finish`` puts the SVGs in.
        """
        kept = self._contents.pop(src_uri, None)
        if kept is None or kept.shown is not content:
            from mkdocs_backprop.math_text import restore

            originals = kept.originals if kept is not None else []
            return restore(content, self.as_mathml(originals)) if originals else content
        final, self._finished[src_uri] = self._final(kept.html, kept.spans)
        return final

    def _final(self, before: str, spans: list[Span]) -> tuple[str, bool]:
        """``before`` (a page's content) with its formulas as MathML and its figures' SVGs
        in, and whether it needs the interactive figures' script."""
        from mkdocs_backprop.interactive import MARKER

        mathml_of = self._mathml_of
        put: list[tuple[int, int, str]] = []  # (start, end, what goes there) in ``before``
        if all(wrapper in mathml_of for _, _, _, wrapper in spans):  # else one is broken: ``math`` says which
            put = [(start, end, mathml_of[wrapper]) for start, end, _, wrapper in spans]
        late = self.placeholders.late_spans(before)
        if late:
            put = sorted(put + late) if put else late
        pieces, last = [], 0
        for start, end, markup in put:
            if start >= last:  # (a comment inside a formula stays in it)
                pieces += (before[last:start], markup)
                last = end
        # Known here, rather than looked for in the whole finished page. (A graph's data
        # is its own late markup, ``interactive.data_html``; an SVG is never searched.)
        needed = MARKER in before or any(markup.startswith(MARKER) for _, _, markup in late)
        return ("".join([*pieces, before[last:]]) if pieces else before), needed

    def finish(self, src_uri: str, output: str, page_url: str) -> str:
        """The finished page (``on_post_page``) with the figures' SVGs in, if ``after_search`` did
        not put them in already, and the interactive figures' script linked if it has one."""
        from mkdocs_backprop import interactive
        from mkdocs_backprop.site_assets import ASSET_DIR

        needed = self._finished.pop(src_uri, None)
        if needed is None:
            output = self.placeholders.fill_late(output)
        return interactive.link_assets(output, page_url, ASSET_DIR, needed)

    def heading_math(self, title: str) -> str | None:
        """A table-of-contents or page title with its formulas as readable text (``x²``,
        ``∂L/∂x``), escaped; None if it has none. MkDocs keeps only the LaTeX of a
        heading's formula there (``\\(x^2\\)``), which no later step would convert."""
        if "\\(" not in title:
            return None
        from mkdocs_backprop import math_text, mathml

        def readable(match: re.Match[str]) -> str:
            try:
                markup = mathml.convert_wrapper(f'<span class="arithmatex">{match.group(0)}</span>')
                return html.escape(math_text.readable(markup), quote=False)
            except Exception:  # noqa: BLE001 - left as written; the content's copy reports it
                return match.group(0)

        shown = _TITLE_MATH_RE.sub(readable, title)
        return shown if shown != title else None

    def as_mathml(self, wrappers: list[str]) -> list[str]:
        """Each of the page's formula wrappers (as ``searchable`` gave them back) as its
        MathML; a wrapper not converted yet stays as it is (``math`` converts it)."""
        return [self._mathml_of.get(w, w) for w in wrappers]

    def _converted(self, wrappers: list[str]) -> list[str]:
        """Each wrapper as MathML, from the cache (or converted and stored; a broken formula raises)."""
        return self._math_entry(wrappers)[0]

    def _math_entry(self, wrappers: list[str]) -> tuple[list[str], list[str | None]]:
        """Each wrapper as MathML and as readable text for the search index (None where
        that text could not be made), from the cache or converted and stored.

        Converting a chapter's formulas costs about as much as the rest of a warm
        build's plugin work, so a page's converted formulas are kept in the cache,
        keyed by the formulas themselves (not the prose around them: a prose edit
        converts nothing) and the environment (which covers the converter's source).
        """
        from mkdocs_backprop import math_text, mathml

        known = tuple(wrappers)
        if known in self._math_memo:  # asked for three times a build: text, search, MathML
            return self._math_memo[known]
        key = digest("math", self.environment, wrappers)
        cached = self.cache.get_text("math", key)
        try:
            entry = json.loads(cached) if cached is not None else None
        except ValueError:
            entry = None  # damaged: converted again below
        if isinstance(entry, dict) and isinstance(entry.get("mathml"), list) and isinstance(entry.get("text"), list) \
                and len(entry["mathml"]) == len(entry["text"]) == len(wrappers) \
                and all(isinstance(c, str) for c in entry["mathml"]) \
                and all(t is None or isinstance(t, str) for t in entry["text"]):
            converted, texts = entry["mathml"], entry["text"]
        else:
            converted, texts = [], []
            for wrapper in wrappers:
                try:
                    markup = mathml.convert_wrapper(wrapper)
                except mathml.MathError as error:
                    # Shown where it is written (the page's other formulas still convert);
                    # ``convert_math`` hands the error to the caller to report with its line.
                    self._broken_math[wrapper] = error
                    converted.append(mathml.broken_formula_html(wrapper, error))
                    texts.append(None)
                    continue
                converted.append(markup)
                try:
                    texts.append(math_text.readable(markup))
                except Exception:  # noqa: BLE001 - that formula keeps its LaTeX in the index
                    texts.append(None)
            if not any(w in self._broken_math for w in wrappers):  # a broken one is reported every build
                self.cache.put_text("math", key, json.dumps({"mathml": converted, "text": texts},
                                                            ensure_ascii=False))
        for wrapper, markup in zip(wrappers, converted):
            self._mathml_of[wrapper] = markup
            if wrapper not in self._broken_math:  # an error mark has no formula to subset or convert
                self.text.add_math(markup)
                self._converted_markup.add(markup)
        self._math_memo[known] = (converted, texts)
        return converted, texts

    def _fingerprint(self) -> str | None:
        # Once per build: it runs `dot -V`; a build sees one dot and one font. None when
        # either is missing: cached figures still serve, new ones say what to install.
        if self._renderer is None:
            from mkdocs_backprop.figure_source import FigureError
            from mkdocs_backprop.figure_svg import renderer_fingerprint

            try:
                self._renderer = renderer_fingerprint(self.cache)
            except FigureError:
                self._renderer = ""
        return self._renderer or None

    def start_fonts(self) -> None:
        """Every page's figures are drawn: cut the figure font's subsets in the background."""
        from mkdocs_backprop.figure_source import FigureError
        from mkdocs_backprop.site_assets import start_subsets

        try:
            self.font_subsets = start_subsets(self.cache, self.text)
        except (FigureError, OSError):
            self.font_subsets = []  # install_assets cuts them itself (and reports a missing font)

    def stop_fonts(self) -> None:
        for process in self.font_subsets:
            process.kill()
            process.wait()
        self.font_subsets = []

    def summary(self) -> str:
        c = self.counts
        verified = (f"{c['verified']} cached pages verified against a fresh run, {c['stale']} stale values, "
                    if self.settings.verify else "")
        return (f"{c['pages']} pages, {c['run']} blocks run, {c['cached']} blocks from cache, "
                f"{c['drawn']} figures drawn, {c['figures cached']} from cache, {verified}"
                f"{time.monotonic() - self.started:.2f} s")

    def close(self, *, keep_worker: bool = False) -> KeptWorker | None:
        """Stop background runs and the worker server.

        With ``keep_worker`` (under ``mkdocs serve``) a running worker server is
        handed back instead, for the next build to ``adopt``: a code edit then
        skips starting Python and importing numpy again.
        """
        if self._executor is not None:
            # Pages MkDocs never asked for (excluded, drafts) are dropped, not waited for;
            # unless the worker is kept, it goes first, so a running page ends now (a
            # Ctrl-C under serve does not wait for its timeout).
            if not keep_worker and self._server is not None:
                self._server.close()
                self._server = None
            self._executor.shutdown(cancel_futures=True)
            self._executor = None
        self.save_durations()
        self._pending.clear()
        server, self._server = self._server, None
        if server is None and keep_worker and self._has_code:
            # Started now, while the author reads, so that the first code edit under serve
            # does not wait for Python and the preloaded modules either.
            server = WorkerClient(self.root, self.settings.preload, memo=self._memo())
        if server is not None and keep_worker and server.alive():
            return KeptWorker(self.environment, server)
        if server is not None:
            server.close()
        return None

    def adopt(self, kept: KeptWorker) -> None:
        """Use the previous build's worker process if it imported the same code; else stop it.

        The process has imported the ``preload`` modules: once they (or the plugin)
        change, the environment digest changes and pages must run in a new one.
        """
        if self._server is None and kept.environment == self.environment and kept.server.alive():
            self._server = kept.server
        else:
            kept.server.close()

    def _results(self, plan: PagePlan, source: str) -> list[ItemResult]:
        if not plan.items:
            return []
        key = plan.cache_key(self.environment, self.settings)
        pending = self._pending.pop(key, None)
        cached = self._cached(key, plan) if pending is None or self.settings.verify else None
        if cached is not None and not self.settings.verify:
            self.counts["cached"] += plan.block_count
            return cached
        try:
            if pending is not None:
                results = pending.result()
            elif plan.stop == 0:
                results = []  # its first block cannot run: nothing to start a process for
            else:
                results = self._run_timed(self._worker(), job_for(plan, source, self.settings), plan.timeouts)
        except WorkerError as error:
            raise WorkerError(f"{plan.path}: cannot run the page's code: {error}") from error
        self.counts["run"] += sum(1 for item, _ in zip(plan.items, results) if item.kind != "inline")
        results = plan.finish(results)
        if cached is not None:
            # The guard: the page shows what its code produces now; the cache entry is left
            # as it is, so the difference is found again until its cause is fixed.
            from mkdocs_backprop.verify import differences

            self._stale = differences(plan, cached, results)
            self.counts["verified"] += 1
            self.counts["stale"] += len(self._stale)
            return results
        inputs = getattr(results, "inputs", None)
        if inputs is not None:
            self._learned(inputs.distributions)
        if len(results) == len(plan.items) and not any(r.error for r in results) and inputs is not None:
            # Failures are never cached; nor is a run that could not say what it read.
            stored = self.cache.put_page(key, [r.to_json() for r in results], inputs.to_json())
            if isinstance(results, PageResults):
                results.digest = stored
        return results

    def _cached(self, key: str, plan: PagePlan) -> list[ItemResult] | None:
        """The page's stored results, or None if absent, not of this plan's shape, or
        stale: a file the page read or imported, or a distribution it imported, changed.

        ``scan`` asks first; the page's own turn takes its answer instead of reading and
        checking the entry again."""
        stored = self._scanned.pop(key, None) or self._stored(key, len(plan.items))
        raw = stored.results() if stored is not None else None
        if raw is None:
            return None
        results = PageResults(ItemResult.from_json(r) for r in raw)
        if any(r is None for r in results):
            return None
        results.digest = stored.digest
        return results

    def _stored(self, key: str, items: int) -> StoredPage | None:
        """The page's stored entry (its results not decoded yet: a page whose assembled
        Markdown is kept needs only their digest); None if absent, not ``items``
        results, or stale (``_unchanged``)."""
        entry = self.cache.get_page_entry(key)
        if entry is None or entry.count != items:
            return None
        inputs = PageInputs.from_json(entry.inputs)
        if inputs is None or not self._unchanged(inputs):
            return None
        return entry

    def _unchanged(self, inputs: PageInputs) -> bool:
        for path, (size, mtime_ns, sha) in inputs.files.items():
            try:
                stat = os.stat(path)
            except OSError:
                return False  # gone
            if (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns):
                continue  # as the page read it (make's rule); otherwise the content decides
            if self._digest(path, stat.st_size, stat.st_mtime_ns) != sha:
                return False
        return all(self._installed(name) == version for name, version in inputs.distributions.items())

    def _digest(self, path: str, size: int, mtime_ns: int) -> str | None:
        known = (path, size, mtime_ns)
        if known not in self._digests:
            try:
                with open(path, "rb") as f:
                    self._digests[known] = hashlib.file_digest(f, "sha256").hexdigest()
            except OSError:
                self._digests[known] = None
        return self._digests[known]

    def _installed(self, name: str) -> str | None:
        """The version of distribution ``name`` as the worker would import it (None if gone).

        Looking one up scans every folder on the path; the versions found are kept in
        the cache under ``installed_stamp`` and reused while nothing is installed or removed.
        """
        if self._version_stamp is None:
            self._version_stamp = installed_stamp(sys.path, str(self.root))
            try:
                stored = json.loads(self.cache.get_bytes(_VERSIONS) or b"null")
            except ValueError:
                stored = None
            if isinstance(stored, dict) and stored.get("stamp") == self._version_stamp \
                    and isinstance(stored.get("versions"), dict):
                self._versions.update(stored["versions"])
        if name not in self._versions:
            import importlib.metadata

            found = next(iter(importlib.metadata.distributions(name=name, path=[str(self.root), *sys.path])), None)
            self._versions[name] = found.version if found is not None else None
            self._keep_versions()
        return self._versions[name]

    def _learned(self, versions: dict[str, str]) -> None:
        """A page just ran with ``versions``: what is installed now, whatever the memo says."""
        if self._version_stamp is not None and any(self._versions.get(k, v) != v for k, v in versions.items()):
            self._versions.update(versions)
            self._keep_versions()

    def _keep_versions(self) -> None:
        self.cache.put_bytes(_VERSIONS, json.dumps({"stamp": self._version_stamp, "versions": self._versions}).encode())

    def _pool(self) -> _Background:
        if self._executor is None:
            self._executor = _Background(min(2, os.cpu_count() or 1))
        return self._executor

    def _worker(self) -> WorkerClient:
        if self._server is None:
            self._server = WorkerClient(self.root, self.settings.preload, memo=self._memo())
        return self._server

    def _memo(self) -> Path | None:
        cache = self.cache
        return None if cache.directory is None or cache.refresh else cache.directory / "distributions.json"


class _Background:
    """Runs pages in the background on ``workers`` daemon threads.

    Not a ThreadPoolExecutor: Python waits for its threads at exit, so a Ctrl-C
    would wait for a running block's whole timeout. These threads only wait on
    the worker's sockets; when MkDocs exits, the worker ends the pages.
    """

    def __init__(self, workers: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = \
            queue.SimpleQueue()
        self._workers = workers
        self._threads: list[threading.Thread] = []

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((future, function, args))
        if len(self._threads) < self._workers:
            thread = threading.Thread(target=self._work, name="backprop-page", daemon=True)
            thread.start()
            self._threads.append(thread)
        return future

    def shutdown(self, *, cancel_futures: bool = False) -> None:
        """Cancel what has not started (with ``cancel_futures``) and wait for what has."""
        if cancel_futures:
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job[0].cancel()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits for the page
                future.set_exception(error)


def _distinct(spans: list[Span]) -> list[str]:
    """The distinct formula wrappers of a page, in order (as ``mathml.formulas`` gives them)."""
    return list(dict.fromkeys(wrapper for _, _, _, wrapper in spans))


def _unconverted(page_html: str) -> bool:
    """Whether an arithmatex wrapper in ``page_html`` does not hold MathML yet (one pass)."""
    find, opening = page_html.find, 'class="arithmatex">'
    at = find(opening)
    while at >= 0:
        at += len(opening)
        if not page_html.startswith("<math", at):
            return True
        at = find(opening, at)
    return False


_TITLE_MATH_RE = re.compile(r"\\\((.+?)\\\)")  # \( … \) in a title's text


def _estimate(plan: PagePlan, settings: Settings) -> float:
    """A guess at a never-run page's seconds: its lines of code, and each module it imports
    that the worker has not preloaded (importing scikit-learn alone takes most of a second)."""
    preloaded = {name.split(".")[0] for name in settings.preload}
    imported: set[str] = set()
    lines = 0
    for item in plan.items:
        lines += item.code.count("\n") + 1
        imported.update(_IMPORT_RE.findall(item.code))
    slow = {m for m in imported if m not in preloaded and m not in sys.stdlib_module_names}
    return 0.005 * lines + 0.5 * len(slow)


_IMPORT_RE = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", re.M)
