"""MkDocs adapter: hooks only; the work lives in the core (``session`` and what it uses).

Events used, and why:

- ``on_startup``: learn whether this is ``build`` or ``serve`` (errors fail a
  build, but only show as boxes under serve); the instance then lives across
  serve rebuilds. ``--dirty`` is refused with a message saying why.
- ``on_config``: read options, link the plugin's stylesheets.
- ``on_pre_build``: a fresh session (cache key of the environment, counters;
  with ``verify``/``BACKPROP_VERIFY=1`` it re-runs cached pages and compares).
- ``on_nav``: number every figure in reading order over all pages (a page may
  link to a figure on a later page; its label depends on its nav section) and
  start running the uncached pages.
- ``on_page_markdown``: take each page's results, draw its figures, and swap
  blocks and values for placeholders.
- ``on_page_content``: put the escaped values into the HTML, the page's table of
  contents and its title; link the page's notebook and script under its title.
- ``on_env``: every page's figures are drawn, so the figure font's subsets are
  known: cut the ones the cache lacks in other processes while MkDocs renders
  the pages' templates (``on_post_build`` then finds them in the cache).
- ``on_page_context`` (around the search plugin's): while search indexes the page,
  its formulas read as text (``math_text``: ``z = (x + y)²``, not ``\\(z = (x + y)^2\\)``),
  so result snippets are readable; right after, they go in as MathML and the figures'
  SVGs go in. SVGs and MathML go in after the search plugin has indexed the content,
  so it never parses that markup (most of a big book's warm build cost otherwise).
- ``on_post_page``: write the page's notebook and script beside it (``notebook``; on a
  thread of its own, ``file_writer``), link the interactive figures' script if the page
  has one, turn formulas outside the content into MathML and escape a value in its
  ``<title>``.
- ``on_post_build``: write assets and the notebooks' wheel (``wheel``), stop the worker (under serve: keep it for
  the next build while the code it imported is unchanged), log the summary
  line, prune the cache after a complete build without errors, and fail the
  build if anything failed.
- ``on_build_error`` / ``on_shutdown``: stop the worker.
- ``on_serve``: watch the folders the pages import (the ``watch`` option).
"""
from __future__ import annotations

import html
import logging
import os
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from mkdocs_backprop.cache import ResultCache, digest
from mkdocs_backprop.config import PluginConfig
from mkdocs_backprop.errors import Failure
from mkdocs_backprop.figure_index import FigureEntry
from mkdocs_backprop.file_writer import BackgroundWriter
from mkdocs_backprop.page_assembly import with_notice
from mkdocs_backprop.session import BuildSession, KeptWorker, SourcePage
from mkdocs_backprop.settings import Settings
from mkdocs_backprop.worker_client import WorkerError

if TYPE_CHECKING:
    from mkdocs_backprop.notebook_context import NotebookContext, PageDownloads

log = get_plugin_logger("backprop")

_CSS = "assets/backprop/blocks.css"
_DOWNLOADS = "downloads"  # the site folder of the wheel the notebooks import

DIRTY_UNSUPPORTED = (
    "backprop: --dirty is not supported. A dirty build rewrites only the pages whose files "
    "changed, so figure numbers, {fig} links and values in other pages' titles would go stale "
    "(and MkDocs' own dirty-build warning stops a strict build). Run `mkdocs serve` (or "
    "`./run.sh serve`) without --dirty: the plugin's cache already makes a rebuild after a save "
    "re-run only the code that changed."
)


class BackpropPlugin(BasePlugin[PluginConfig]):
    def __init__(self) -> None:
        self.serving = False
        self.session: BuildSession | None = None
        self.kept: KeptWorker | None = None  # under serve: the last build's worker process
        self.sections: dict[str, tuple[str, ...]] = {}  # src_uri -> its nav sections' titles
        self.valued_titles: set[str] = set()  # src_uris whose title holds a `{py}` value
        self._files_order: list[Any] | None = None  # the site's files while running pages are read last

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_startup"""
        if dirty and self.config.enabled:
            raise PluginError(DIRTY_UNSUPPORTED)
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        """https://www.mkdocs.org/dev-guide/plugins/#on_config"""
        self.root = Path(config.config_file_path or ".").resolve().parent
        if self.config.enabled and self.config.cache:
            _check_cache_place(self.root, self.config.cache_dir, config.docs_dir, config.site_dir)
        # The home page's notebook is named after the site's address (".../dlfs-backprop/"),
        # which is the same on every machine that builds it; "index" without one.
        self.home_name = posixpath.basename(urlsplit(config.site_url or "").path.rstrip("/")) or "index"
        self.settings = Settings(
            enabled=self.config.enabled,
            timeout=self.config.timeout,
            output_limit=self.config.output_limit,
            figure_label=self.config.figure_label,
            figure_labels=tuple(self.config.figure_labels.items()),
            details="pymdownx.details" in [str(e) for e in config.markdown_extensions],
            preload=tuple(self.config.preload),
            formatter=self.config.formatter,
            memory_limit=self.config.memory_limit,
            verify=self.config.verify or os.environ.get("BACKPROP_VERIFY", "") not in ("", "0"),
        )
        # pymdownx.snippets inserts files after the page's code has run: includes are checked.
        self.snippet_dirs: list[Path] | None = None
        if "pymdownx.snippets" in [str(e) for e in config.markdown_extensions]:
            base = config.mdx_configs.get("pymdownx.snippets", {}).get("base_path", ["."])
            self.snippet_dirs = [Path(os.path.abspath(b)) for b in ([base] if isinstance(base, str) else base)]
        if self.config.enabled:
            from mkdocs_backprop.site_assets import extra_css_paths, extra_javascript_paths

            config.extra_css.extend([_CSS, *extra_css_paths()])
            config.extra_javascript.extend(extra_javascript_paths())
        return config

    def on_pre_build(self, *, config: Any) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_pre_build"""
        self.downloads: dict[str, PageDownloads] = {}  # src_uri -> the page as notebook and script
        self._sources: dict[str, SourcePage] = {}  # src_uri -> the page as on_nav read it
        # Pages that open like front matter MkDocs could not read (``on_nav`` says why).
        self._unread_front_matter: list[SourcePage] = []
        # What is wrong with a page before it is read (on_nav); the page shows it at its top.
        self._nav_failures: dict[str, list[Failure]] = {}
        self._links_key: str | None = None  # the site's pages and addresses (``NotebookContext.links_key``)
        cache = ResultCache(self._cache_dir(), refresh=self._refresh(), warn=_cache_warning)
        self.failures: list[Failure] = []
        self.writer = BackgroundWriter()  # the pages' notebooks and scripts
        self.session = BuildSession(self.root, self.settings, cache, self.config.watch)
        if self.kept is not None:
            self.session.adopt(self.kept)
            self.kept = None
        self.session.start()

    @event_priority(-100)  # after other plugins shaped the nav; they never see the reordered files
    def on_nav(self, nav: Any, *, config: Any, files: Any) -> Any:
        """https://www.mkdocs.org/dev-guide/plugins/#on_nav"""
        if self.config.enabled:
            self.sections = {p.file.src_uri: _section_titles(p) for p in nav.pages}
            ordered = [p.file for p in nav.pages]
            ordered += [f for f in files.documentation_pages() if f not in ordered]
            self._unread_front_matter = []  # filled by ``_source``
            self._sources = {f.src_uri: self._source(f) for f in ordered}
            self._nav_failures = {}
            for source in self._unread_front_matter:
                problem = _front_matter_problem(source.path, source.source)
                if problem is not None:
                    self._report(problem)
                    self._nav_failures.setdefault(problem.path, []).append(problem)
            for failure in self.session.scan(list(self._sources.values())):
                self._report(failure)
                self._nav_failures.setdefault(failure.path, []).append(failure)
            self._read_running_pages_last(files)
        return nav

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        """https://www.mkdocs.org/dev-guide/plugins/#on_page_markdown"""

        def link(entry: FigureEntry) -> str:
            target = files.get_file_from_path(entry.src_uri)
            return f"{get_relative_url(target.url, page.file.url)}#{entry.anchor}"

        try:
            outcome = self.session.page(markdown, self._page_source(page.file, markdown), link,
                                        self._downloads(page, config, files))
        except WorkerError as error:
            raise PluginError(str(error)) from error
        if outcome.downloads is not None:
            self.downloads[page.file.src_uri] = outcome.downloads
        failures = [*outcome.failures, *self._snippet_failures(markdown, page.file)]
        for failure in failures:
            self._report(failure)
        # The page shows every failure of its own: those without a place of their own in it
        # (bad front matter, a value inside a link's address, ...) in a notice at its top.
        unshown = [*self._nav_failures.pop(self._path(page.file), []),
                   *(f for f in failures if f not in outcome.shown)]
        for line, seconds in outcome.drawn:
            log.debug(f"{self._path(page.file)}:{line}: figure drawn in {seconds * 1000:.0f} ms")
        if outcome.not_run:
            log.info(f"{self._path(page.file)}: {outcome.not_run} later block(s)/value(s) not run "
                     "because of the error above")
        return with_notice(outcome.markdown, unshown, self.session.placeholders) if self.config.enabled \
            else outcome.markdown

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        """https://www.mkdocs.org/dev-guide/plugins/#on_page_content"""
        if not self.config.enabled:
            return html
        # A `{py}` value in a heading is also in the page's table of contents and,
        # in a first heading, in its title (shown in every page's navigation).
        # A formula in a heading reads there as text, as in the search index.
        fill_heading, heading_math = self.session.placeholders.fill_heading, self.session.heading_math
        items = list(page.toc)
        while items:
            item = items.pop()
            item.title = fill_heading(item.title) or item.title
            item.title = heading_math(item.title) or item.title
            item.id = fill_heading(item.id) or item.id
            items.extend(item.children)
        if page.title and (title := fill_heading(page.title)):
            page.title = title
            self.valued_titles.add(page.file.src_uri)
        if page.title and (title := heading_math(page.title)):
            page.title = title
            self.valued_titles.add(page.file.src_uri)
        html = self.session.placeholders.fill(html)
        if page.file.src_uri in self.downloads:
            html = _with_download_links(html, self._download_name(page.file), self._wheel_href(page))
        from mkdocs_backprop import mathml

        # Converted now (put in after search indexing), so that by on_env the characters
        # of every formula are known for the math font's subset. A broken formula shows
        # where it is written; the others convert.
        for error in self.session.convert_math(html, page.file.src_uri):
            line = mathml.source_line(page.file.content_string, error.tex)
            self._report(Failure(self._path(page.file), line, f"a formula could not be converted: {error}"))
        return html

    @event_priority(100)  # before the search plugin indexes the page (priority 0)
    def _formulas_as_text(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if self.config.enabled and self.session is not None:
            page.content = self.session.for_search(page.file.src_uri, page.content)
        return context

    @event_priority(-100)  # after it: formulas as MathML, figures' SVGs (search never parses that markup)
    def _formulas_back(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if self.config.enabled and self.session is not None:
            page.content = self.session.after_search(page.file.src_uri, page.content)
        return context

    on_page_context = CombinedEvent(_formulas_as_text, _formulas_back)
    """https://www.mkdocs.org/dev-guide/plugins/#on_page_context"""

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        """https://www.mkdocs.org/dev-guide/plugins/#on_post_page"""
        if not self.config.enabled:
            return output
        output = self.session.finish(page.file.src_uri, output, page.url)
        if page.file.src_uri in self.valued_titles:
            output = _escape_title(output, page.title)
        downloads = self.downloads.get(page.file.src_uri)
        if downloads is not None:
            folder = Path(page.file.abs_dest_path).parent
            name = self._download_name(page.file)
            for suffix, data in downloads.files():
                self.writer.write(folder / f"{name}{suffix}", data)
        from mkdocs_backprop import mathml

        try:
            return self.session.math(output)
        except mathml.MathError as error:
            line = mathml.source_line(page.file.content_string, error.tex)
            self._report(Failure(self._path(page.file), line, f"a formula could not be converted: {error}"))
            return output

    def on_post_build(self, *, config: Any) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_post_build"""
        self.kept = self.session.close(keep_worker=self.serving)
        if not self.config.enabled:
            return
        try:
            self.writer.wait()
        except OSError as error:
            raise PluginError(f"cannot write a page's notebook or script: {error}") from error
        from mkdocs_backprop.site_assets import install_assets

        # The characters the fonts must hold, gathered while the pages were built (every
        # page is: --dirty is refused), rather than read back from every page.
        subsets, self.session.font_subsets = self.session.font_subsets, []
        install_assets(config.site_dir, self.session.cache, self.session.text, subsets)
        wheel = self.session.wheel() if self.downloads else None
        if wheel is not None:
            target = Path(config.site_dir) / _DOWNLOADS / wheel.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(wheel.data)
        target = Path(config.site_dir) / _CSS
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((Path(__file__).parent / "assets" / "blocks.css").read_bytes())
        log.info(self.session.summary())
        if not self.failures:
            # Every page was built and nothing failed, so what the build used is all the
            # site needs; entries nobody has used for a day are dropped.
            removed = self.session.cache.prune()
            if removed:
                log.info(f"removed {removed} cache entries no build has used for a day")
        if self.failures and not self.serving:
            raise PluginError(f"{len(self.failures)} error(s) in the pages' code; see the messages above")

    @event_priority(100)  # first: other plugins see the site's own order of files
    def on_env(self, env: Any, *, config: Any, files: Any) -> Any:
        """https://www.mkdocs.org/dev-guide/plugins/#on_env"""
        if self._files_order is not None:
            # Every page is read: the site's own order again for the rest of the build
            # (written pages, sitemap, search index).
            for file in self._files_order:
                if files.get_file_from_path(file.src_uri) is file:
                    files.remove(file)
                    files.append(file)
            self._files_order = None
        if self.config.enabled and self.session is not None:
            self.session.start_fonts()  # every page's figures are drawn by now
        return env

    def on_build_error(self, *, error: Exception) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_build_error"""
        self._drop_writes()
        if self.session is not None:
            self.session.stop_fonts()
            self.session.close()

    def on_shutdown(self) -> None:
        """https://www.mkdocs.org/dev-guide/plugins/#on_shutdown"""
        self._drop_writes()
        if self.session is not None:
            self.session.stop_fonts()
            self.session.close()
        if self.kept is not None:
            self.kept.server.close()
            self.kept = None

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        """https://www.mkdocs.org/dev-guide/plugins/#on_serve"""
        for folder in self.config.watch:
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        return server

    def _read_running_pages_last(self, files: Any) -> None:
        """MkDocs reads (converts) the pages in the order of ``files`` and waits at each for
        its code's results. Pages whose code is running now are moved to the end (the
        slowest last), so that MkDocs reads every other page while they run instead of
        waiting at the first of them; ``on_env`` puts the order back."""
        running = [f for f in (files.get_file_from_path(uri) for uri in self.session.running) if f is not None]
        if not running:
            return
        self._files_order = list(files)
        for file in running:
            files.remove(file)
            files.append(file)

    def _drop_writes(self) -> None:
        """Let the writer finish (the build failed or ended: a failed write no longer matters)."""
        writer = getattr(self, "writer", None)
        if writer is not None:
            try:
                writer.wait()
            except OSError:
                pass

    def _page_source(self, file: Any, markdown: str) -> SourcePage:
        """The page's source as ``on_nav`` read it, unless it changed since (read again)."""
        known = self._sources.pop(file.src_uri, None)
        if known is not None and known.source.endswith(markdown):
            return known
        return self._source(file)

    def _source(self, file: Any) -> SourcePage:
        try:
            source = file.content_string
        except UnicodeDecodeError as error:
            raise PluginError(_not_utf8(self._path(file), error)) from None
        meta = get_data(source)[1] if source.startswith("---") else {}
        page = SourcePage(file.src_uri, self._path(file), source, meta.get("figure_label"),
                          self.sections.get(file.src_uri, ()))
        if not meta and source.startswith("---"):
            self._unread_front_matter.append(page)  # opens like front matter, but MkDocs found none
        return page

    def _downloads(self, page: Any, config: Any, files: Any) -> NotebookContext | None:
        """Where the page and the site live, for its notebook's links (None: no notebooks)."""
        if not (self.config.enabled and self.config.notebooks):
            return None
        from mkdocs_backprop.notebook_context import NotebookContext

        site = (config.site_url or "/").rstrip("/") + "/"
        wheel = self.session.wheel()

        def resolve(target: str) -> str | None:
            path, _, fragment = target.partition("#")
            found = files.get_file_from_path(posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), path)))
            return None if found is None else site + found.url + (f"#{fragment}" if fragment else "")

        def figure_url(entry: FigureEntry) -> str:
            return f"{site}{files.get_file_from_path(entry.src_uri).url}#{entry.anchor}"

        if self._links_key is None:
            self._links_key = digest("links", site, sorted((f.src_uri, f.url) for f in files))
        return NotebookContext(site + page.file.url, config.site_name, wheel,
                               f"{site}{_DOWNLOADS}/{wheel.filename}" if wheel else "", resolve, figure_url,
                               self._links_key)

    def _download_name(self, file: Any) -> str:
        """The page's notebook and script are called after its file (its folder for an index page)."""
        stem = Path(file.src_uri).stem
        if stem in ("index", "README"):
            stem = Path(file.src_uri).parent.name or self.home_name
        return stem

    def _wheel_href(self, page: Any) -> str | None:
        wheel = self.session.wheel()
        return get_relative_url(f"{_DOWNLOADS}/{wheel.filename}", page.file.url) if wheel else None

    def _cache_dir(self) -> Path | None:
        return self.root / self.config.cache_dir if self.config.cache else None

    def _refresh(self) -> bool:
        return self.config.refresh or os.environ.get("BACKPROP_REFRESH", "") not in ("", "0")

    def _path(self, file: Any) -> str:
        return os.path.relpath(file.abs_src_path, self.root)

    def _report(self, failure: Failure) -> None:
        self.failures.append(failure)
        if not self.serving:
            log.error(failure.report())
        else:
            # Under serve the page shows the error box, and the log says so as a warning;
            # a strict serve must not abort for it (it stays up for the fixing save), so
            # MkDocs' strict-mode counter does not count these records.
            _exempt_from_strict_count()
            log.warning(f"error shown in the page: {failure.report()}", extra={_SHOWN_IN_PAGE: True})

    def _snippet_failures(self, markdown: str, file: Any) -> list[Failure]:
        """A snippet include whose file holds blocks: snippets are expanded after this
        plugin has run the page, so those blocks would silently show as plain code."""
        if self.snippet_dirs is None or not self.config.enabled or "8<" not in markdown:
            return []
        from mkdocs_backprop.blocks import front_matter_lines, parse_page, snippet_includes

        failures = []
        for line, name in snippet_includes(markdown, front_matter_lines(file.content_string, markdown)):
            target = next((d / name for d in self.snippet_dirs if (d / name).is_file()), None)
            try:
                blocks = parse_page(target.read_text(encoding="utf-8")).blocks if target else []
            except (OSError, UnicodeDecodeError):
                blocks = []
            if blocks:
                kinds = " and ".join(sorted({f"`python {b.kind}`" for b in blocks}))
                failures.append(Failure(self._path(file), line, (
                    f'the snippet "{name}" included here holds {kinds} blocks, which do not run inside a '
                    "snippet include (it is inserted after the page's code has run); put the blocks in the "
                    "page itself")))
        return failures


_SHOWN_IN_PAGE = "backprop_shown_in_page"


class _ShownInPage(logging.Filter):
    """Keeps records marked ``_SHOWN_IN_PAGE`` out of ``--strict``'s count: serve-time
    failures (shown in the page) and a cache that cannot be written (the site is whole)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, _SHOWN_IN_PAGE, False)


def _check_cache_place(root: Path, cache_dir: str, docs_dir: str, site_dir: str) -> None:
    """Refuse a ``cache_dir`` that is not a folder of its own: the cache deletes entries
    nobody used, MkDocs copies what is in docs/ into the site and empties the site's folder."""
    cache = (root / cache_dir).resolve()
    places = [(root, "the folder of mkdocs.yml"), (Path(docs_dir).resolve(), f"docs_dir ({docs_dir})"),
              (Path(site_dir).resolve(), f"site_dir ({site_dir})")]
    for place, name in places:
        if cache == place or place.is_relative_to(cache):
            where = f"is {name}" if cache == place else f"holds {name}"
        elif name != places[0][1] and cache.is_relative_to(place):
            where = f"is inside {name}"
        else:
            continue
        raise PluginError(
            f"backprop: cache_dir: {cache_dir!r} in mkdocs.yml {where}; the cache needs a folder of its "
            "own (it deletes the entries no build uses), e.g. the default .cache/backprop")


def _front_matter_problem(path: str, source: str) -> Failure | None:
    """Front matter that is not YAML: MkDocs then shows it as text and ignores its settings
    without a word. Only a block that reads as settings ("key: …" first) is meant as one;
    a page may also open with a rule (---) and a line of text."""
    import re

    import yaml
    from mkdocs.utils.meta import YAML_RE

    match = YAML_RE.match(source)
    if match is None or not re.match(r"[\w-]+[ \t]*:", match.group(1)):
        return None
    try:
        yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        what = getattr(error, "problem", None) or str(error).splitlines()[0]
        context, opened = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and opened is not None and context.startswith("while scanning"):
            # An unclosed quote or bracket: its start is the line to fix, not the end of the block.
            mark, what = opened, f"{context.removeprefix('while scanning ')} that is never closed ({what})"
        line = mark.line + 2 if mark is not None else 2
        return Failure(path, line, f"the front matter (between the --- lines) is not valid YAML: {what}; "
                                   "MkDocs then shows it as text and ignores all of it (title, figure_label): "
                                   'fix that line (quote a value holding ": " or "#" with "…")')
    return None


def _not_utf8(path: str, error: UnicodeDecodeError) -> str:
    """The message for a page MkDocs cannot read as UTF-8, at the first bad byte."""
    before = error.object[:error.start]
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    return (f"backprop: {path}:{line}: the page is not UTF-8 text (byte 0x{error.object[error.start]:02x} at "
            f"column {column}); save the file as UTF-8 (in most editors: File → Save with Encoding → UTF-8)")


def _cache_warning(message: str) -> None:
    """A cache that cannot be written is said once, as a warning that ``--strict`` does
    not count: the site it builds is complete and correct, only the next build is slower."""
    _exempt_from_strict_count()
    log.warning(message, extra={_SHOWN_IN_PAGE: True})


def _exempt_from_strict_count() -> None:
    from mkdocs.utils import CountHandler

    for handler in logging.getLogger("mkdocs").handlers:
        if isinstance(handler, CountHandler) and not any(isinstance(f, _ShownInPage) for f in handler.filters):
            handler.addFilter(_ShownInPage())


def _escape_title(output: str, title: str) -> str:
    """``output`` with the value-bearing ``title`` escaped in its ``<title>``.

    The theme writes ``{{ page.title | striptags }}`` there, and ``striptags`` also
    unescapes: a value's ``&lt;/title&gt;&lt;script&gt;`` would come out as markup.
    """
    from markupsafe import Markup

    shown = Markup(title).striptags()
    return output.replace(f"<title>{shown}", f"<title>{html.escape(shown, quote=False)}", 1)


def _with_download_links(page_html: str, name: str, wheel_href: str | None) -> str:
    """The page's HTML with links to its notebook and script right under its title."""
    href = html.escape(quote(name))  # a file name may hold any character (#, ?, ", <)
    links = [f'<a href="{href}.ipynb" download>노트북 (.ipynb)</a>',
             f'<a href="{href}.py" download>파이썬 스크립트 (.py)</a>']
    if wheel_href:
        links.append(f'<a href="{html.escape(wheel_href)}" download title="노트북이 불러 쓰는 패키지">'
                     "패키지 (.whl)</a>")
    bar = f'<p class="bp-downloads">이 페이지의 코드 내려받기: {" · ".join(links)}</p>'
    if "</h1>" not in page_html:
        return bar + page_html
    return page_html.replace("</h1>", "</h1>" + bar, 1)  # (one copy of the page)


def _section_titles(page: Any) -> tuple[str, ...]:
    """The titles of the nav sections that hold ``page``, outermost first."""
    titles = []
    parent = page.parent
    while parent is not None:
        titles.append(str(parent.title))
        parent = parent.parent
    return tuple(reversed(titles))
