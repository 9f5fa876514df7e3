"""Failures found while building a page, and how they are shown.

A ``Failure`` is an ``ItemError`` from the worker (or a problem the MkDocs side
found: a bad option, a figure that cannot be drawn) placed at ``path:line`` of a
Markdown file. ``report`` is the build log's line; ``error_box`` and
``inline_error`` are what ``mkdocs serve`` shows in the page instead.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mkdocs_backprop.terminal_text import printable

if TYPE_CHECKING:
    from mkdocs_backprop.worker_protocol import ItemError

__all__ = ["Failure", "error_box", "inline_error", "notice_box"]


@dataclass(frozen=True)
class Failure:
    """One thing that went wrong, at ``path:line`` of a Markdown file."""

    path: str  # e.g. "docs/ch05/x.md" (relative to the folder of mkdocs.yml)
    line: int
    message: str
    traceback: str = ""

    @classmethod
    def at(cls, path: str, error: ItemError) -> Failure:
        """The worker's ``error`` in the page ``path``."""
        return cls(path, error.line, error.message, error.traceback)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    def report(self) -> str:
        """The log's record (the message and traceback quote the code's own text: as
        ``printable`` shows it, so no escape sequence reaches the author's terminal)."""
        text = f"{self.location}: {self.message}"
        if self.traceback.strip():
            text += "\n" + self.traceback.rstrip()
        return printable(text)


def error_box(failure: Failure) -> str:
    """The box ``mkdocs serve`` shows where the output would have been."""
    body = failure.message
    if failure.traceback.strip():
        body += "\n\n" + failure.traceback.rstrip()
    body = printable(body)
    return (
        '<div class="admonition failure bp-error">'
        f'<p class="admonition-title">실행 오류 — {html.escape(failure.location)}</p>'
        f"<pre>{html.escape(body)}</pre></div>"
    )


def inline_error(failure: Failure) -> str:
    """An inline value that could not be computed, visible in the sentence."""
    return (
        f'<span class="bp-error bp-inline-error" title="{html.escape(failure.report())}">'
        f"⚠ {html.escape(failure.location)}: {html.escape(printable(failure.message))}</span>"
    )


def notice_box(failures: list[Failure]) -> str:
    """One box at the top of a page for the failures it cannot show where they are."""
    items = "".join(
        f"<li><code>{html.escape(f.location)}</code>: {html.escape(printable(f.message))}</li>" for f in failures)
    return (
        '<div class="admonition failure bp-error bp-page-errors">'
        f'<p class="admonition-title">이 페이지의 오류 {len(failures)}개</p><ul>{items}</ul></div>'
    )
