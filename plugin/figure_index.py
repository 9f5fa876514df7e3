"""Figure numbers and labels across the whole site, decided once before any page is built.

A figure is called by a label format such as ``"그림 5-{n}"``. Which format a
page uses is decided here, by one rule (``label_for_page``): the page's front
matter ``figure_label`` wins; else the plugin's ``figure_labels`` entry for the
page's innermost nav section, or for its deepest folder; else the plugin's
``figure_label``. ``label_problem`` is the one check of a format, used for the
options and for front matter alike. ``FigureIndex.build`` then numbers every
figure in reading order, each format counting on its own (chapter 6's pages can
say ``그림 6-{n}`` and start again at 그림 6-1), and gives each its anchor: the
block's ``id="…"`` or ``figure-<serial>``. Cross-page ``{fig}`` references and
the figure's own caption both read the same ``FigureEntry``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from mkdocs_backprop.errors import Failure

__all__ = ["FigureEntry", "FigureIndex", "label_for_page", "label_problem"]


def label_problem(value: object) -> str | None:
    """Why ``value`` cannot be a label format (text with ``{n}`` where the number goes), or None."""
    if isinstance(value, str) and "{n}" in value:
        try:
            value.format(n=1)
            return None
        except (KeyError, IndexError, ValueError):
            pass
    return f"{value!r} is not a figure label; write text with {{n}} where the number goes"


def label_for_page(src_uri: str, sections: tuple[str, ...], front_matter: object,
                   default: str, by_place: tuple[tuple[str, str], ...]) -> tuple[str, str | None]:
    """The label format a page uses, and a message if its front matter's ``figure_label`` is bad.

    ``sections``: the titles of the nav sections holding the page, outermost first.
    ``by_place``: the plugin's ``figure_labels`` as (section title or "folder/", format).
    """
    place_label = _by_place(src_uri, sections, by_place) or default
    if front_matter is None:
        return place_label, None
    if label_problem(front_matter) is None:
        return str(front_matter), None
    return place_label, (f"figure_label: {front_matter!r} in the front matter is not a figure label; write "
                         'text with {n} where the number goes, e.g. figure_label: "그림 6-{n}"')


def _by_place(src_uri: str, sections: tuple[str, ...], by_place: tuple[tuple[str, str], ...]) -> str | None:
    labels = dict(by_place)
    for title in reversed(sections):  # the innermost section first
        if title in labels and not title.endswith("/"):
            return labels[title]
    parts = src_uri.split("/")[:-1]
    for depth in range(len(parts), 0, -1):  # the deepest folder first
        folder = "/".join(parts[:depth]) + "/"
        if folder in labels:
            return labels[folder]
    return None


@dataclass(frozen=True)
class FigureEntry:
    src_uri: str
    number: int
    anchor: str  # the <figure id=…>
    line: int
    label: str = ""  # as captions and references show it, e.g. "그림 5-3"

    @property
    def id_prefix(self) -> str:
        """An SVG id prefix (``[A-Za-z][A-Za-z0-9_-]*``) unique to the figure."""
        return id_prefix(self.anchor)


@dataclass
class FigureIndex:
    """Figures numbered in reading order over all pages, findable by page+ordinal or id."""

    by_position: dict[tuple[str, int], FigureEntry] = field(default_factory=dict)
    by_id: dict[str, FigureEntry] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    _ids_digest: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, pages: list[tuple[str, str, tuple[tuple[str | None, int], ...], str]]) -> FigureIndex:
        """``pages``: (src_uri, display path, its figure blocks' (id or None, line), label
        format) in reading order."""
        index = cls()
        numbers: dict[str, int] = {}
        for src_uri, path, figures, label_format in pages:
            for ordinal, (given, line) in enumerate(figures):
                number = numbers[label_format] = numbers.get(label_format, 0) + 1
                serial = len(index.by_position) + 1
                anchor = given or f"figure-{serial}"
                entry = FigureEntry(src_uri, number, anchor, line, label_format.format(n=number))
                index.by_position[(src_uri, ordinal)] = entry
                if given is None:
                    continue
                if given in index.by_id:
                    first = index.by_id[given]
                    index.failures.append(Failure(
                        path, line,
                        f'figure id="{given}" is already used by the figure at {first.src_uri}:{first.line}; '
                        "give each figure its own id",
                    ))
                    continue
                index.by_id[given] = entry
        return index

    def ids_digest(self) -> str:
        """A digest of every figure that has an id (its label and place): what a page's
        ``{fig}`` references can show. Computed once: pages are keyed on it."""
        if self._ids_digest is None:
            from mkdocs_backprop.cache import digest

            self._ids_digest = digest(sorted((k, e.label, e.src_uri, e.anchor) for k, e in self.by_id.items()))
        return self._ids_digest

    def entry(self, src_uri: str, ordinal: int, default_label: str) -> FigureEntry:
        """The page's ``ordinal``-th figure; a page the index never saw (a page added
        under serve since the nav was read) numbers its figures by their place on it."""
        found = self.by_position.get((src_uri, ordinal))
        if found is not None:
            return found
        return FigureEntry(src_uri, 0, f"figure-{ordinal + 1}", 0, default_label.format(n=0))


def id_prefix(anchor: str) -> str:
    """An SVG id prefix (``[A-Za-z][A-Za-z0-9_-]*``) unique to the figure."""
    return "bp-" + re.sub(r"[^A-Za-z0-9_-]", "_", anchor) + "-"
