"""One build's shared state, and a page from Markdown to placeholders (no MkDocs here).

``BuildSession`` owns what a build shares: the cache, the worker server, the
background runs started from the site's page list, the figure index, the
placeholders and the counters for the summary line. The MkDocs adapter makes one
per build and calls ``scan`` once, then ``page`` per page, then ``close``.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs_backprop import pages
from mkdocs_backprop.blocks import front_matter_lines, parse_page
from mkdocs_backprop.cache import ResultCache, digest, environment_digest
from mkdocs_backprop.errors import Failure
from mkdocs_backprop.runner import WorkerError, WorkerServer

__all__ = ["BuildSession", "KeptWorker", "SourcePage"]


@dataclass(frozen=True)
class KeptWorker:
    """A worker server kept between serve builds, with the environment it was started in."""

    environment: str
    server: WorkerServer


@dataclass(frozen=True)
class SourcePage:
    src_uri: str  # as MkDocs names the file, e.g. "ch05/x.md"
    path: str  # shown in messages, e.g. "docs/ch05/x.md"
    source: str  # the file's text, front matter included
    figure_label: object = None  # the front matter's `figure_label`, if it has one


class BuildSession:
    def __init__(self, root: Path, settings: pages.Settings, cache: ResultCache, watch: list[str]) -> None:
        self.root = root
        self.settings = settings
        self.cache = cache
        self.started = time.monotonic()
        self.environment = environment_digest([root / d for d in watch]) if settings.enabled else ""
        self.placeholders = pages.Placeholders()
        self.figures = pages.FigureIndex()
        self.counts = {"pages": 0, "run": 0, "cached": 0, "drawn": 0, "figures cached": 0}
        self._server: WorkerServer | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._pending: dict[str, Future[list[dict[str, Any]]]] = {}
        self._renderer: str | None = None

    def scan(self, site: list[SourcePage]) -> list[Failure]:
        """Number the figures of all pages (reading order) and start running uncached pages."""
        labelled = []
        label_failures = []
        for p in site:
            label, problem = pages.label_format(p.figure_label, self.settings.figure_label)
            if problem:
                label_failures.append(Failure(p.path, 1, problem))
            labelled.append((p.src_uri, p.path, parse_page(p.source), label))
        self.figures = pages.FigureIndex.build(labelled)
        self.figures.failures[:0] = label_failures
        for page in site:
            # The raw source keeps the front matter's lines, so lines (and keys) match ``page``'s.
            plan = pages.plan_page(page.source, path=page.path, line_offset=0, settings=self.settings)
            key = plan.cache_key(self.environment, self.settings)
            if plan.items and key not in self._pending and self.cache.get_page(key) is None:
                # Run it now, in the background: the pages' code then overlaps
                # MkDocs rendering the pages before it (and each other, on 2 cores).
                job = pages.job_for(plan, page.source, self.settings)
                self._pending[key] = self._pool().submit(self._worker().run_page, job, plan.timeouts)
        return list(self.figures.failures)

    def page(self, markdown: str, page: SourcePage, link: Callable[[pages.FigureEntry], str]) -> pages.PageOutcome:
        """The page's Markdown with placeholders (filled later by ``placeholders.fill``)."""
        if not self.settings.enabled:
            plan = pages.plan_page(markdown, path=page.path, line_offset=0, settings=self.settings)
            return pages.assemble(plan, None, self.placeholders, self.settings, src_uri=page.src_uri,
                                  figures=self.figures, link=link)
        self.counts["pages"] += 1
        plan = pages.plan_page(markdown, path=page.path, line_offset=front_matter_lines(page.source, markdown),
                               settings=self.settings)
        results = self._results(plan, page.source)
        requests = pages.figure_requests(plan, results, self.figures, page.src_uri)
        timings: dict[int, float] = {}
        drawn = pages.render_figures([r[1:] for r in requests], self.cache, self._fingerprint, timings)
        self.counts["drawn"] += len(timings)
        self.counts["figures cached"] += sum(1 for i in range(len(requests)) if i not in timings
                                             and isinstance(drawn[i], str))
        svgs = {id(r[0]): svg for r, svg in zip(requests, drawn)}
        outcome = pages.assemble(plan, results, self.placeholders, self.settings, src_uri=page.src_uri,
                                 figures=self.figures, link=link, svgs=svgs)
        outcome.drawn = [(requests[i][0].line, seconds) for i, seconds in sorted(timings.items())]
        return outcome

    def math(self, page_html: str) -> str:
        """``page_html`` with its formulas as MathML (``mathml.MathError`` if one is broken).

        Converting a chapter's formulas costs about as much as the rest of a warm
        build's plugin work, so a page's converted formulas are kept in the cache,
        keyed by the formulas themselves (not the prose around them: a prose edit
        converts nothing) and the environment (which covers the converter's source).
        """
        from mkdocs_backprop import mathml

        wrappers = mathml.formulas(page_html)
        if not wrappers:
            return page_html
        key = digest("math", self.environment, wrappers)
        cached = self.cache.get_text("math", key)
        converted = None
        if cached is not None:
            try:
                converted = json.loads(cached)
            except ValueError:
                converted = None  # damaged: converted again below
        if (not isinstance(converted, list) or len(converted) != len(wrappers)
                or not all(isinstance(c, str) for c in converted)):
            converted = [mathml.convert_wrapper(w) for w in wrappers]  # a broken formula raises
            self.cache.put_text("math", key, json.dumps(converted, ensure_ascii=False))
        return mathml.substitute(page_html, dict(zip(wrappers, converted)))

    def _fingerprint(self) -> str:
        # Once per build: it runs `dot -V`; a build sees one dot and one font.
        if self._renderer is None:
            from mkdocs_backprop.figures import renderer_fingerprint

            self._renderer = renderer_fingerprint()
        return self._renderer

    def summary(self) -> str:
        c = self.counts
        return (f"{c['pages']} pages, {c['run']} blocks run, {c['cached']} blocks from cache, "
                f"{c['drawn']} figures drawn, {c['figures cached']} from cache, "
                f"{time.monotonic() - self.started:.2f} s")

    def close(self, *, keep_worker: bool = False) -> KeptWorker | None:
        """Stop background runs and the worker server.

        With ``keep_worker`` (under ``mkdocs serve``) a running worker server is
        handed back instead, for the next build to ``adopt``: a code edit then
        skips starting Python and importing numpy again.
        """
        if self._executor is not None:
            # Pages MkDocs never asked for (excluded, drafts) are dropped, not waited for.
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._pending.clear()
        server, self._server = self._server, None
        if server is not None and keep_worker and server.alive():
            return KeptWorker(self.environment, server)
        if server is not None:
            server.close()
        return None

    def adopt(self, kept: KeptWorker) -> None:
        """Use the previous build's worker server if it imported the same code; else stop it.

        The server has imported numpy and ``layers``: once they (or the plugin)
        change, the environment digest changes and pages must run in a new one.
        """
        if self._server is None and kept.environment == self.environment and kept.server.alive():
            self._server = kept.server
        else:
            kept.server.close()

    def _results(self, plan: pages.PagePlan, source: str) -> list[dict[str, Any]]:
        if not plan.items:
            return []
        key = plan.cache_key(self.environment, self.settings)
        pending = self._pending.pop(key, None)
        cached = self.cache.get_page(key) if pending is None else None
        if cached is not None and len(cached) == len(plan.items):
            self.counts["cached"] += plan.block_count
            return cached
        try:
            if pending is not None:
                results = pending.result()
            else:
                results = self._worker().run_page(pages.job_for(plan, source, self.settings), plan.timeouts)
        except WorkerError as error:
            raise WorkerError(f"{plan.path}: cannot run the page's code: {error}") from error
        self.counts["run"] += sum(1 for item, _ in zip(plan.items, results) if item.kind != "inline")
        for result in results:
            if "figure" in result:  # FigureSource -> plain data, for the JSON cache
                f = result["figure"]
                result["figure"] = {"kind": f.kind, "text": f.text, "alt": f.alt}
        if len(results) == len(plan.items) and not any(r.get("error") for r in results):
            self.cache.put_page(key, results)  # failures are never cached
        return results

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1),
                                                thread_name_prefix="backprop-page")
        return self._executor

    def _worker(self) -> WorkerServer:
        if self._server is None:
            self._server = WorkerServer(self.root)
        return self._server
