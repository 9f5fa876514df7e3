"""What a warm build keeps of each page, so that an unchanged page is not worked out again.

Two records, both in the cache folder:

- An ``Outline`` per page source: what ``BuildSession.scan`` needs before any page
  is built (the results' cache key, the figures to number, the ``{fig}``
  references the page holds), so that an unchanged page is not parsed
  to learn it. All pages' outlines live in one file (``OutlineStore``), read once
  a build and written only when a page changed.
- A page's *assembled* Markdown (``pack``/``unpack``): the Markdown with
  placeholders, the placeholders' contents (values, figures' HTML, SVGs), the
  figures' characters for the fonts and the page's notebook and script. It is
  keyed by everything that made it (``BuildSession`` builds the key: the page's
  text, its results' digest, the figure numbers and links it shows, the renderer,
  the notebook's context), so an unchanged page costs one read. Placeholder
  tokens carry a per-build nonce and number: the entry stores the Markdown cut at
  its tokens, and ``unpack`` gives each token a new name in this build.

A page with a failure is never kept: its error boxes and messages are made anew.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdocs_backprop.blocks import Block, find_inline

if TYPE_CHECKING:
    from mkdocs_backprop.cache import ResultCache
    from mkdocs_backprop.page_plan import PagePlan
    from mkdocs_backprop.placeholders import Placeholders
    from mkdocs_backprop.site_assets import SiteText

__all__ = ["Outline", "OutlineStore", "pack", "unpack"]

_OUTLINES = "outlines.json"  # in the cache folder


@dataclass(frozen=True)
class Outline:
    """A page as ``scan`` and the assembled-page key see it, without its parse."""

    key: str | None  # the results' cache key; None when nothing on the page runs
    items: int  # how many items run (blocks and inline values)
    stop: int  # how many of them can run (``PagePlan.stop``)
    blocks: int  # ``python exec``/``python figure`` blocks
    figures: tuple[tuple[str | None, int], ...]  # each figure block's id="…" (or None) and line
    refs: tuple[str, ...]  # the ``{fig}`` ids the prose refers to, in order
    problems: int  # syntax errors found while parsing (such a page is never kept)

    @classmethod
    def of(cls, plan: PagePlan, key: str | None) -> Outline:
        refs: list[str] = []
        line = plan.page.line_offset
        for segment in plan.page.segments:
            if isinstance(segment, str):
                line += 1
                refs.extend(r.text for r in find_inline(segment, line) if r.kind == "fig")
            elif isinstance(segment, Block):
                line = segment.last_line
            else:
                line += len(segment.lines)
        blocks = plan.page.blocks
        return cls(key if plan.items else None, len(plan.items), plan.stop,
                   sum(1 for i in plan.items if i.kind != "inline"),
                   tuple((b.options.get("id"), b.line) for b in blocks if b.kind == "figure"),
                   tuple(refs), len(plan.page.errors) + sum(1 for b in blocks if b.problem))

    def to_json(self) -> list[Any]:
        return [self.key, self.items, self.stop, self.blocks, [list(f) for f in self.figures],
                list(self.refs), self.problems]

    @classmethod
    def from_json(cls, data: Any) -> Outline | None:
        try:
            key, items, stop, blocks, figures, refs, problems = data
            outline = cls(key, items, stop, blocks, tuple((i, n) for i, n in figures), tuple(refs), problems)
        except (TypeError, ValueError):
            return None
        ints = (outline.items, outline.stop, outline.blocks, outline.problems)
        if not (key is None or isinstance(key, str)) or not all(type(n) is int for n in ints) \
                or not all((i is None or isinstance(i, str)) and type(n) is int for i, n in outline.figures) \
                or not all(isinstance(s, str) for s in outline.refs):
            return None
        return outline


class OutlineStore:
    """Every page's ``Outline``, by a digest of its source and what else decides it."""

    def __init__(self, cache: ResultCache, context: str) -> None:
        self._cache = cache
        self._context = context.encode()  # environment, settings: a new one makes new outlines
        self._stored: dict[str, Any] | None = None
        self._used: dict[str, Any] = {}

    def key(self, path: str, source: str) -> str:
        h = hashlib.sha256(self._context)
        h.update(b"\0" + path.encode() + b"\0")
        h.update(source.encode())
        return h.hexdigest()

    def get(self, key: str) -> Outline | None:
        if self._stored is None:
            self._stored = self._load()
        data = self._stored.get(key)
        outline = Outline.from_json(data) if data is not None else None
        if outline is not None:
            self._used[key] = data
        return outline

    def put(self, key: str, outline: Outline) -> None:
        self._used[key] = outline.to_json()

    def save(self) -> None:
        """Keep this build's outlines (only), if they are not what is stored already."""
        if self._used != self._stored:
            self._cache.put_bytes(_OUTLINES, json.dumps(self._used, ensure_ascii=False).encode())
            self._stored = dict(self._used)

    def _load(self) -> dict[str, Any]:
        data = self._cache.get_bytes(_OUTLINES)
        try:
            stored = json.loads(data) if data is not None else {}
        except ValueError:
            return {}  # damaged: every page is parsed again, and the file rewritten
        return stored if isinstance(stored, dict) else {}


# -- the assembled page ---------------------------------------------------------
#
# An entry is one line of JSON (the shape: tokens, lengths) and then the text itself,
# every piece of it one after the other: reading a page back then slices the text
# instead of decoding a JSON string per piece (a page's SVGs are most of it, and
# JSON escapes every quote in them).


def pack(markdown: str, placeholders: Placeholders, first_token: int, text: SiteText, uses: list[str],
         downloads: bool) -> str:
    """The entry for a page assembled with tokens numbered after ``first_token``.

    ``text``: the characters the page's figures show; ``uses``: the cache entries it
    was made from (kept from pruning while it serves); ``downloads``: whether the page
    has a notebook and a script (stored beside the entry, as the files they are).
    """
    pattern = re.compile(rf"bpx{placeholders.nonce}([bis])(\d+)x")
    order: dict[str, int] = {}  # token -> its place in the entry's table
    tokens: list[str] = []
    kinds: list[str] = []
    pieces: list[str] = []  # the text, in the order the shape refers to it

    def cut(value: str) -> list[int]:
        """``value`` as [length of text, token's place, length of text, ...]."""
        shape: list[int] = []
        last = 0
        for match in pattern.finditer(value):
            if int(match.group(2)) <= first_token:
                continue  # not one of this page's (cannot happen unless the text forges one)
            token = match.group(0)
            if token not in order:
                order[token] = len(tokens)
                tokens.append(token)
                kinds.append(match.group(1))
            pieces.append(value[last:match.start()])
            shape += [len(pieces[-1]), order[token]]
            last = match.end()
        pieces.append(value[last:])
        shape.append(len(pieces[-1]))
        return shape

    body = cut(markdown)
    table: list[list[Any]] = []
    while len(table) < len(tokens):  # a block's HTML holds its figure's late tokens
        token, kind = tokens[len(table)], kinds[len(table)]
        if kind == "s":
            pieces.append(placeholders.late.get(token, ""))
            table.append(["s", len(pieces[-1])])
        else:
            table.append([kind, cut(placeholders.html.get(token, "")), placeholders.math.get(token),
                          placeholders.reading.get(token)])
    fonts = ["".join(sorted(text.regular)), "".join(sorted(text.bold)), "".join(sorted(text.math))]
    shape = json.dumps({"body": body, "tokens": table, "fonts": fonts, "uses": uses, "downloads": downloads},
                       ensure_ascii=True)  # one line: its newlines are escaped
    return shape + "\n" + "".join(pieces)


@dataclass
class Unpacked:
    markdown: str
    downloads: bool


def unpack(entry: str, placeholders: Placeholders, text: SiteText, used: set[str]) -> Unpacked | None:
    """The page's Markdown with new tokens registered in ``placeholders``, its figures'
    characters added to ``text`` and the entries it was made from to ``used``; None
    if the entry is damaged."""
    at = entry.find("\n") + 1  # where the text starts (sliced from ``entry``: no copy of it)
    try:
        data = json.loads(entry[:at])
        body, table, (regular, bold, math), uses = data["body"], data["tokens"], data["fonts"], data["uses"]
        downloads = data["downloads"]
        if not at or not all(isinstance(s, str) for s in (regular, bold, math, *uses)) \
                or not isinstance(downloads, bool):
            return None
        names = [placeholders.new_late("")[4:-3] if t[0] == "s" else placeholders.new(t[0]) for t in table]

        def join(shape: list[int]) -> str:
            nonlocal at
            if len(shape) == 1:  # no token in it (most values)
                at += shape[0]
                return entry[at - shape[0]:at]
            out = []
            for n, size in enumerate(shape):
                if n % 2:
                    out.append(names[size])
                else:
                    out.append(entry[at:at + size])
                    at += size
            return "".join(out)

        markdown = join(body)
        for name, token in zip(names, table):
            if token[0] == "s":
                placeholders.late[name] = entry[at:at + token[1]]
                at += token[1]
                continue
            placeholders.html[name] = join(token[1])
            if token[2] is not None:
                placeholders.math[name] = token[2]
            if token[3] is not None:
                placeholders.reading[name] = token[3]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    if at != len(entry):
        return None  # not the text the shape describes
    used.update(uses)
    text.regular.update(regular)
    text.bold.update(bold)
    text.math.update(math)
    return Unpacked(markdown, downloads)
