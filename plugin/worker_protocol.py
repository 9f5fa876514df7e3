"""What crosses the process boundary between MkDocs and the worker, and how.

The MkDocs side sends one :class:`PageJob` per page (the page's items in order);
the worker answers with one :class:`ItemResult` per item, stopping after the first
that failed. Everything here is a frozen dataclass of plain data: it is pickled
over a Unix socket (``send_message``/``recv_message``, a length-prefixed frame)
and an item's result is also what the cache stores, as JSON (``to_json`` /
``from_json``). :class:`ItemError` is the one shape of a failure anywhere in the
page's code, whichever side noticed it (a traceback in the worker, a timeout or a
dead child on the MkDocs side).

This module must not import MkDocs: the worker imports it.
"""
from __future__ import annotations

import os
import pickle
import socket
import struct
import sys
from dataclasses import dataclass, field
from typing import Any

from mkdocs_backprop.figure_source import FigureSource

__all__ = ["MEMO_ENV", "installed_stamp", "Item", "ItemError", "ItemResult", "PageInputs", "PageJob", "PageResults", "recv_message",
           "send_message"]

_HEADER = struct.Struct("!I")
# The environment variable naming the file in which the worker keeps which installed
# distribution provides which top-level module (see ``worker_process._start_provided``).
MEMO_ENV = "BACKPROP_DISTRIBUTIONS_MEMO"


def installed_stamp(paths: list[str], site_root: str = "") -> list[Any]:
    """What says the installed packages on ``paths`` are as they were: the interpreter
    and each folder's mtime (installing, upgrading or removing a package changes its
    folder's entries). Memos of what is installed are kept under this stamp.

    The site's own folder (``site_root``, and "" for the working directory) is left
    out: pages that save files there would change it every build, and no package is
    installed there."""
    stamp: list[Any] = [sys.version, sys.executable]
    skip = {"", ".", os.path.abspath(site_root or ".")}
    for entry in paths:
        if entry in skip or os.path.abspath(entry) in skip:
            continue
        try:
            stamp.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            stamp.append([entry, None])
    return stamp


@dataclass(frozen=True)
class Item:
    """One thing to run, in page order: a block (exec/figure) or an inline value."""

    kind: str  # "exec", "figure" or "inline"
    code: str
    line: int  # the fence's line, or the inline value's line
    first_code_line: int = 0  # blocks: line of the code's first line
    raises: str | None = None


@dataclass(frozen=True)
class PageJob:
    filename: str  # e.g. "docs/ch05/x.md": shown in tracebacks
    source_lines: list[str]  # the .md file, so tracebacks quote the real lines
    items: list[Item] = field(default_factory=list)
    output_limit: int = 100_000
    # Configuration the child applies before the page runs (see worker_process).
    formatter: str | None = None  # "module:function" formatting bare inline values
    memory_limit: float | None = None  # GiB of address space the page's process may use


@dataclass(frozen=True)
class ItemError:
    """The page's code failed at ``line`` of the Markdown file."""

    line: int
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class ItemResult:
    """What one item produced: printed ``output``; an inline item's ``value``; a figure
    block's ``figure``; or the ``error`` that stopped it (then later items did not run)."""

    output: str = ""
    value: str | None = None
    figure: FigureSource | None = None
    error: ItemError | None = None

    @classmethod
    def failed(cls, line: int, message: str, traceback: str = "", *, output: str = "") -> ItemResult:
        return cls(output=output, error=ItemError(line, message, traceback))

    def to_json(self) -> dict[str, Any]:
        """Plain data for the JSON cache (only successful results are cached)."""
        data: dict[str, Any] = {"output": self.output}
        if self.value is not None:
            data["value"] = self.value
        if self.figure is not None:
            data["figure"] = self.figure.to_json()
        return data

    @classmethod
    def from_json(cls, data: object) -> ItemResult | None:
        """The result ``to_json`` stored, or None if ``data`` is not one (a damaged entry)."""
        if not isinstance(data, dict) or not isinstance(data.get("output", ""), str) or "error" in data:
            return None
        value = data.get("value")
        if value is not None and not isinstance(value, str):
            return None
        figure = None
        if "figure" in data:
            figure = FigureSource.from_json(data["figure"])
            if figure is None:
                return None
        return cls(output=data.get("output", ""), value=value, figure=figure)


@dataclass(frozen=True)
class PageInputs:
    """What a page's results depend on besides its code and the build's environment:
    the files its code read or imported from outside the installed packages (path ->
    [size, mtime_ns, sha256 of the content]) and the installed distributions it
    imported (name -> version). A page that ran cleanly sends one after its results."""

    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    distributions: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"files": {p: list(f) for p, f in self.files.items()}, "distributions": dict(self.distributions)}

    @classmethod
    def from_json(cls, data: object) -> PageInputs | None:
        """The inputs ``to_json`` stored, or None if ``data`` is not that."""
        if not isinstance(data, dict):
            return None
        files, dists = data.get("files"), data.get("distributions")
        if not (isinstance(files, dict) and isinstance(dists, dict)
                and all(isinstance(k, str) and isinstance(v, list) and len(v) == 3
                        and isinstance(v[0], int) and isinstance(v[1], int) and isinstance(v[2], str)
                        for k, v in files.items())
                and all(isinstance(k, str) and isinstance(v, str) for k, v in dists.items())):
            return None
        return cls({k: (v[0], v[1], v[2]) for k, v in files.items()}, dict(dists))


class PageResults(list):  # type: ignore[type-arg]
    """A page's ``ItemResult`` list, with the ``PageInputs`` its run reported (None if
    it did not finish cleanly)."""

    inputs: PageInputs | None = None
    digest: str | None = None  # of the results as the cache stores them (``ResultCache.put_page``)


# -- framing ---------------------------------------------------------------------


def send_message(sock: socket.socket, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def recv_message(sock: socket.socket) -> Any:
    """The next message; ``EOFError`` if the peer closed (or died) first."""
    (size,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size))
    return pickle.loads(_recv_exactly(sock, size))


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError("the worker closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
