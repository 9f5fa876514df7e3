"""Page planning: what on a page runs, in what order, under which cache key.

``plan_page`` parses a page's Markdown (``blocks.parse_page``) and lists what
runs, in page order: ``python exec``/``python figure`` blocks, inline ``{py}``
values, and the ``{py}`` values inside figure captions, each as a worker
``Item`` with its own deadline. The plan's ``cache_key`` names everything the
results depend on; ``job_for`` turns the plan into the ``PageJob`` the worker runs.
The plan is then handed, with its results, to ``page_assembly``.
"""
from __future__ import annotations

from dataclasses import dataclass

from mkdocs_backprop.blocks import Block, Fence, InlineRef, Page, find_inline, parse_page
from mkdocs_backprop.cache import digest
from mkdocs_backprop.settings import Settings
from mkdocs_backprop.worker_protocol import Item, ItemResult, PageJob

__all__ = ["PagePlan", "job_for", "plan_page"]


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

    @property
    def stop(self) -> int:
        """How many items can run: those before the first block that cannot (``Block.problem``)."""
        return next((n for n, s in enumerate(self.sources) if isinstance(s, Block) and s.problem), len(self.items))

    def finish(self, results: list[ItemResult]) -> list[ItemResult]:
        """``results`` of the runnable items, plus the error of the block that cannot run
        when everything before it ran cleanly (later items then show as not run)."""
        stop = self.stop
        if stop < len(self.items) and len(results) == stop and not any(r.error for r in results):
            block = self.sources[stop]
            assert isinstance(block, Block) and block.problem
            return [*results, ItemResult.failed(block.line, block.problem)]
        return results

    def index_of(self, source: Block | InlineRef) -> int:
        """The position in ``items`` of the item that ``source`` (a block of this plan) made."""
        return next(n for n, s in enumerate(self.sources) if s is source)

    def cache_key(self, environment: str, settings: Settings) -> str:
        return digest(
            environment,
            self.path,
            settings.output_limit,
            settings.formatter,
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
    """The worker's job: the items up to the first block that cannot run (see ``PagePlan.finish``)."""
    return PageJob(plan.path, source_text.splitlines(keepends=True), plan.items[:plan.stop],
                   settings.output_limit, settings.formatter, settings.memory_limit)
