"""What a page's notebook is made with (``NotebookContext``) and what it becomes
(``PageDownloads``), apart from ``notebook``: every build names them, while only a
page whose notebook is made anew needs the conversion itself."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs_backprop.figure_index import FigureEntry
    from mkdocs_backprop.wheel import Wheel

__all__ = ["NotebookContext", "PageDownloads"]


@dataclass(frozen=True)
class NotebookContext:
    """What the page alone does not know: where it and the site live."""

    page_url: str  # the page's absolute address on the site
    site_name: str
    wheel: Wheel | None  # the pages' own library, published beside the notebooks
    wheel_url: str = ""  # its address on the site
    # A Markdown link target as written in the page ("../x.md#a") -> an absolute URL, or None
    resolve_link: Callable[[str], str | None] = lambda target: None
    figure_url: Callable[[FigureEntry], str] = lambda entry: f"#{entry.anchor}"
    # A digest of everything ``resolve_link`` and ``figure_url`` answer from (the site's
    # pages and their addresses), so a page's links need not be resolved to key it; ""
    # when the caller has none (they are resolved then).
    links_key: str = ""


@dataclass(frozen=True)
class PageDownloads:
    notebook: str  # .ipynb JSON
    script: str  # .py, percent format
    requirements: tuple[str, ...]  # packages to install besides numpy and the wheel
    # Or both as files a previous build stored (``notebook`` and ``script`` are then empty)
    stored: tuple[Path, Path] | None = None

    def files(self) -> list[tuple[str, bytes | Path]]:
        """(suffix, the file's bytes or a stored file to copy) for the notebook and the script."""
        if self.stored is not None:
            return [(".ipynb", self.stored[0]), (".py", self.stored[1])]
        return [(".ipynb", self.notebook.encode()), (".py", self.script.encode())]
