"""The build settings the core reads, taken once from the plugin's options.

``Settings`` is the only place the core (session, planning, assembly, figures,
worker) learns how this site wants its pages run: it is built by the MkDocs
adapter from ``mkdocs.yml`` (see ``config.py`` for each option's meaning) and
is plain data, so the core can be driven without MkDocs, as the tests do.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_FIGURE_LABEL", "Settings"]

# The plugin's own default; a book sets its chapter's in mkdocs.yml.
DEFAULT_FIGURE_LABEL = "그림 {n}"


@dataclass(frozen=True)
class Settings:
    enabled: bool = True
    timeout: float = 60.0
    output_limit: int = 100_000
    figure_label: str = DEFAULT_FIGURE_LABEL
    # (nav section title or folder ending in "/", label format), in the order given
    figure_labels: tuple[tuple[str, str], ...] = ()
    details: bool = True  # pymdownx.details is on: hide figure code in a collapsed "코드 보기"
    preload: tuple[str, ...] = ()  # modules the worker imports once, before any page
    formatter: str | None = None  # "module:function" that turns a bare inline value into text
    memory_limit: float | None = 4.0  # GiB each page's process may use (None: no limit)
    verify: bool = False  # run cached pages too and fail on any difference (the stale-value guard)
    notebooks: bool = True  # offer each page with code as a notebook (.ipynb) and a script (.py)
