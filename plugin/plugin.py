"""MkDocs adapter: hooks only; the work lives in blocks, pages, runner, cache, figures.

Events used, and why:

- ``on_startup``: learn whether this is ``build`` or ``serve`` (errors fail a
  build, but only show as boxes under serve); the instance then lives across
  serve rebuilds.
- ``on_config``: read options, link the plugin's stylesheets.
- ``on_pre_build``: fresh counters and environment digest for this build.
- ``on_nav``: number every figure in reading order over all pages (needed before
  any page links to a figure on a later page), and start the worker early when
  some page is not cached.
- ``on_page_markdown``: run the page (or take it from the cache), draw its
  figures, and swap blocks and values for placeholders.
- ``on_page_content``: put escaped values into the HTML, then MathML.
- ``on_post_build``: write assets, stop the worker, log the summary line, and
  fail the build if anything failed.
- ``on_build_error`` / ``on_shutdown``: stop the worker.
- ``on_serve``: watch ``layers/`` and the other folders the pages import.
"""
from __future__ import annotations

import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.utils import get_relative_url

from plugin import pages
from plugin.blocks import front_matter_lines, parse_page
from plugin.cache import ResultCache, environment_digest
from plugin.config import PluginConfig
from plugin.errors import Failure
from plugin.runner import WorkerError, WorkerServer

log = get_plugin_logger("backprop")

_CSS = "assets/backprop/blocks.css"


class BackpropPlugin(BasePlugin[PluginConfig]):
    def __init__(self) -> None:
        self.serving = False
        self._server: WorkerServer | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._pending: dict[str, Future[list[dict[str, Any]]]] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_startup"""
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        """https://www.mkdocs.org/dev-guide/plugins/#on_config"""
        self.root = Path(config.config_file_path or ".").resolve().parent
        self.strict = bool(config.strict)
        self.settings = pages.Settings(
            enabled=self.config.enabled,
            timeout=self.config.timeout,
            output_limit=self.config.output_limit,
            figure_label=self.config.figure_label,
            details="pymdownx.details" in [str(e) for e in config.markdown_extensions],
        )
        self.cache = ResultCache(
            self.root / self.config.cache_dir if self.config.cache else None,
            refresh=self.config.refresh or os.environ.get("BACKPROP_REFRESH", "") not in ("", "0"),
        )
        if self.config.enabled:
            from plugin.site_assets import extra_css_paths

            config.extra_css.extend([_CSS, *extra_css_paths()])
        return config

    def on_pre_build(self, *, config: Any) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_pre_build"""
        self.started = time.monotonic()
        self.failures: list[Failure] = []
        self.counts = {"pages": 0, "run": 0, "cached": 0}
        self.placeholders = pages.Placeholders()
        self.figures = pages.FigureIndex()
        if self.config.enabled:
            self.environment = environment_digest([self.root / d for d in self.config.watch])

    def on_nav(self, nav: Any, *, config: Any, files: Any) -> Any:
        """https://www.mkdocs.org/dev-guide/plugins/#on_nav"""
        if not self.config.enabled:
            return nav
        ordered = [p.file for p in nav.pages]
        ordered += [f for f in files.documentation_pages() if f not in ordered]
        scanned = [(f.src_uri, self._path(f), parse_page(f.content_string)) for f in ordered]
        self.figures = pages.FigureIndex.build(scanned)
        for failure in self.figures.failures:
            self._report(failure)
        for file, (_, path, _) in zip(ordered, scanned):
            # The raw source has the front matter's lines, so lines (and keys) match on_page_markdown's.
            plan = pages.plan_page(file.content_string, path=path, line_offset=0, settings=self.settings)
            key = plan.cache_key(self.environment, self.settings)
            if plan.items and key not in self._pending and self.cache.get_page(key) is None:
                # Run it now, in the background: the pages' code then overlaps
                # MkDocs rendering the pages before it (and each other, on 2 cores).
                job = pages.job_for(plan, file.content_string, self.settings)
                self._pending[key] = self._pool().submit(self._worker().run_page, job, plan.timeouts)
        return nav

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        """https://www.mkdocs.org/dev-guide/plugins/#on_page_markdown"""
        if not self.config.enabled:
            plan = pages.plan_page(markdown, path=self._path(page.file), line_offset=0, settings=self.settings)
            return pages.assemble(plan, None, self.placeholders, self.settings, src_uri=page.file.src_uri,
                                  figures=self.figures, link=lambda entry: "").markdown
        self.counts["pages"] += 1
        source = page.file.content_string
        path = self._path(page.file)
        plan = pages.plan_page(markdown, path=path, line_offset=front_matter_lines(source, markdown),
                               settings=self.settings)
        results = self._results(plan, source)
        requests = pages.figure_requests(plan, results, self.figures, page.file.src_uri)
        from plugin.figures import renderer_fingerprint

        drawn = pages.render_figures([r[1:] for r in requests], self.cache, renderer_fingerprint)
        svgs = {id(r[0]): svg for r, svg in zip(requests, drawn)}

        def link(entry: pages.FigureEntry) -> str:
            target = files.get_file_from_path(entry.src_uri)
            return f"{get_relative_url(target.url, page.file.url)}#{entry.anchor}"

        outcome = pages.assemble(plan, results, self.placeholders, self.settings, src_uri=page.file.src_uri,
                                 figures=self.figures, link=link, svgs=svgs)
        for failure in outcome.failures:
            self._report(failure)
        if outcome.not_run:
            log.info(f"{path}: {outcome.not_run} later block(s)/value(s) not run because of the error above")
        return outcome.markdown

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        """https://www.mkdocs.org/dev-guide/plugins/#on_page_content"""
        if not self.config.enabled:
            return html
        html = self.placeholders.fill(html)
        try:
            from plugin import mathml
        except ImportError:
            return html  # the MathML step is optional: formulas then stay for the browser
        try:
            return mathml.render_math(html)
        except mathml.MathError as error:
            self._report(Failure(self._path(page.file), 1, f"a formula could not be converted: {error}"))
            return html

    def on_post_build(self, *, config: Any) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_post_build"""
        self._stop_worker()
        if not self.config.enabled:
            return
        from plugin.site_assets import install_assets

        install_assets(config.site_dir)
        target = Path(config.site_dir) / _CSS
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((Path(__file__).parent / "assets" / "blocks.css").read_bytes())
        c = self.counts
        log.info(f"{c['pages']} pages, {c['run']} blocks run, {c['cached']} blocks from cache, "
                 f"{time.monotonic() - self.started:.2f} s")
        if self.failures and not self.serving:
            raise PluginError(f"{len(self.failures)} error(s) in the pages' code; see the messages above")

    def on_build_error(self, *, error: Exception) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_build_error"""
        self._stop_worker()

    def on_shutdown(self) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_shutdown"""
        self._stop_worker()

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        """https://www.mkdocs.org/dev-guide/plugins/#on_serve"""
        for folder in self.config.watch:
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        return server

    # -- helpers -------------------------------------------------------------------

    def _results(self, plan: pages.PagePlan, source: str) -> list[dict[str, Any]]:
        if not plan.items:
            return []
        key = plan.cache_key(self.environment, self.settings)
        cached = self.cache.get_page(key)
        if cached is not None and len(cached) == len(plan.items):
            self.counts["cached"] += plan.block_count
            return cached
        pending = self._pending.pop(key, None)
        try:
            if pending is not None:
                results = pending.result()
            else:
                results = self._worker().run_page(pages.job_for(plan, source, self.settings), plan.timeouts)
        except WorkerError as error:
            raise PluginError(f"{plan.path}: cannot run the page's code: {error}") from error
        self.counts["run"] += sum(1 for item, _ in zip(plan.items, results) if item.kind != "inline")
        for result in results:
            if "figure" in result:
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

    def _stop_worker(self) -> None:
        if self._executor is not None:
            # Pages MkDocs never asked for (excluded, drafts) are dropped, not waited for.
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._pending.clear()
        if self._server is not None:
            self._server.close()
            self._server = None

    def _path(self, file: Any) -> str:
        return os.path.relpath(file.abs_src_path, self.root)

    def _report(self, failure: Failure) -> None:
        self.failures.append(failure)
        if not self.serving:
            log.error(failure.report())
        else:
            # Under serve the page shows the error box; a warning would make a
            # strict serve abort instead of staying up for the fixing save.
            level = logging.INFO if self.strict else logging.WARNING
            log.log(level, f"error shown in the page: {failure.report()}")
