"""On-disk cache of page results, rendered SVGs, converted formulas and font subsets.

A page's entry is keyed by everything that runs (its items in order, with the
options that change results) plus ``environment_digest``: the plugin's source,
the extra watched folders, the modules the worker preloads (their source, or
their version when they are a large installed package), Python and numpy. Only
successful runs are stored. Every write goes through ``write_atomic``: a
temporary file moved into place with ``os.replace``, so a reader never sees half
an entry; an entry that cannot be read back is treated as missing and rebuilt.
A cache that cannot be written (a read-only or full disk) is said once (``warn``)
and the build goes on without writing to it.
After a complete, successful build, entries it did not use and that nobody used
for a day are deleted (``prune``), so the cache does not grow with every edit.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ResultCache", "StoredPage", "digest", "environment_digest", "write_atomic"]

# Bump when the shape of a stored entry changes. 2: a page's entry holds its inputs.
# 3: a page's entry is a line of what is checked, then a line of its results.
_FORMAT = "3"
_SKIP_DIRS = {"__pycache__", ".git", ".cache", "node_modules"}


def digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps([_FORMAT, *parts], ensure_ascii=False, default=str).encode()).hexdigest()


# A preloaded package with more files than this (numpy) counts by its version.
_HASHED_PACKAGE_FILES = 500


def environment_digest(watch_dirs: list[Path], preload: tuple[str, ...] | list[str] = ()) -> str:
    """What every page's results depend on besides its own code."""
    h = hashlib.sha256()
    h.update(sys.version.encode())
    try:
        h.update(f"numpy={importlib.metadata.version('numpy')}".encode())
    except importlib.metadata.PackageNotFoundError:
        pass
    roots = [Path(__file__).parent, *watch_dirs]
    for name in preload:  # the libraries the pages' code imports, wherever they are installed
        try:
            spec = importlib.util.find_spec(name.split(".")[0])
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue
        folders = [Path(p) for p in (spec.submodule_search_locations or [])]
        if not folders and spec.origin:
            roots.append(Path(spec.origin))
        elif _at_most(folders, _HASHED_PACKAGE_FILES):
            roots.extend(folders)
        else:
            h.update(f"{name}={_version(name)}".encode())
    # Each folder counts by its content, not by where it is: the book's library found
    # at ./layers (`python -m mkdocs`) or through an editable or a regular install
    # (`mkdocs`, CI) is one and the same, so all of them find the same cache entries.
    for content in sorted({_content_digest(root) for root in roots} - {""}):
        h.update(content.encode())
    return h.hexdigest()


def _content_digest(root: Path) -> str:
    """The names (relative to ``root``) and bytes of the files under ``root``; "" if none."""
    if root.is_file():  # a single-module library
        return hashlib.sha256(root.name.encode() + b"\0" + root.read_bytes()).hexdigest()
    if not root.is_dir():
        return ""
    h = hashlib.sha256()
    for path in sorted(_files(root)):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _at_most(folders: list[Path], limit: int) -> bool:
    """Whether ``folders`` hold at most ``limit`` files (stops counting past it)."""
    count = 0
    for folder in folders:
        for _directory, _dirs, files in os.walk(folder):
            count += len(files)
            if count > limit:
                return False
    return True


def _version(module: str) -> str:
    top = module.split(".")[0]
    try:
        # Most packages are named as they import (numpy): one metadata lookup. Only the
        # others need ``packages_distributions``, which reads every installed package's
        # file list (seconds on a loaded machine, every build).
        return importlib.metadata.version(top)
    except importlib.metadata.PackageNotFoundError:
        pass
    for dist in importlib.metadata.packages_distributions().get(top, [top]):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees half of it.

    Concurrent builds (serve and a test build) share a cache: the data goes to a
    temporary file in the same folder first and is then moved over ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass  # the error that got us here is the one to report
        raise


def _files(root: Path) -> list[Path]:
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        found.extend(Path(directory, f) for f in files if not f.endswith((".pyc", ".pyo")))
    return found


@dataclass
class StoredPage:
    inputs: Any  # what the page read and imported (``PageInputs`` as JSON)
    digest: str | None  # of the results
    count: int  # how many results
    _results: str  # the results as stored (JSON)

    def results(self) -> list[dict[str, Any]] | None:
        """The stored results, or None if they are damaged (or not ``count`` of them)."""
        try:
            results = json.loads(self._results)
        except ValueError:
            return None
        return results if isinstance(results, list) and len(results) == self.count else None


class ResultCache:
    """``directory=None`` turns the cache off (nothing is read or written)."""

    # Entries a build did not use are deleted once nobody has used them for this long:
    # another build of the same site (a second `mkdocs serve`, a test run with other
    # settings) may still be using them.
    PRUNE_AFTER_S = 24 * 3600.0
    _FOLDERS = ("pages", "svg", "math", "fonts", "notebooks", "assembled", "wheels")
    # Every entry's name starts with its key (hex digits, then "." or "-"). Pruning deletes
    # nothing else: a cache_dir pointed at a folder of the author's own (docs/, the site's
    # folder) must not cost them a file that happens to sit in a "pages/" or "fonts/" folder.
    _ENTRY_NAME = re.compile(r"[0-9a-f]{32,}[.-]")

    def __init__(self, directory: Path | None, *, refresh: bool = False,
                 warn: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self.refresh = refresh  # write new entries but never read old ones
        self.used: set[str] = set()  # entries read or written by this build, e.g. "svg/<key>.svg"
        # Told once, the first time an entry cannot be written (read-only or full disk):
        # the build goes on without writing to the cache.
        self._warn = warn
        self.write_error: OSError | None = None
        self._lock = threading.Lock()

    def prune(self, *, older_than: float | None = None) -> int:
        """Delete the entries this build did not use and nobody used for ``older_than``
        seconds (default ``PRUNE_AFTER_S``); returns how many. Call it only after a
        complete, successful build, when ``used`` names everything the site needs."""
        if self.directory is None:
            return 0
        limit = time.time() - (self.PRUNE_AFTER_S if older_than is None else older_than)
        removed = 0
        for folder in self._FOLDERS:
            try:
                entries = list(os.scandir(self.directory / folder))
            except OSError:
                continue  # no such folder yet
            for entry in entries:
                name = f"{folder}/{entry.name}"
                if name in self.used or not self._ENTRY_NAME.match(entry.name) or not entry.is_file():
                    continue
                try:
                    if entry.stat().st_mtime < limit:
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    pass  # removed meanwhile by another build: nothing left to do
        return removed

    def get_page(self, key: str) -> list[dict[str, Any]] | None:
        entry = self.get_page_entry(key)
        return entry.results() if entry is not None else None

    def get_page_entry(self, key: str) -> StoredPage | None:
        """A page's stored entry (see ``put_page``): what a build checks first is read
        now, the results themselves only when asked for."""
        text = self._read(f"pages/{key}.json")
        if text is None:
            return None
        head, _, results = text.partition("\n")
        try:
            entry = json.loads(head)
        except ValueError:
            return None  # damaged: rebuilt by the caller
        if not isinstance(entry, dict) or entry.get("key") != key or type(entry.get("count")) is not int:
            return None
        stored = entry.get("digest")
        return StoredPage(entry.get("inputs"), stored if isinstance(stored, str) else None, entry["count"], results)

    def put_page(self, key: str, results: list[dict[str, Any]], inputs: dict[str, Any] | None = None) -> str:
        """``results`` of a page, with the ``inputs`` (files read, distributions imported)
        the caller must find unchanged before it uses them again. Returns the results'
        digest, stored with them: what is made from them (the page's notebook) is keyed
        on it, without encoding them again every build.

        The entry is two lines of JSON: the key, inputs, digest and count of results,
        then the results (figures' sources and outputs: most of it), which a warm build
        whose page is kept whole never needs to decode."""
        results_digest = digest("results", results)
        head = {"key": key, "inputs": inputs, "digest": results_digest, "count": len(results)}
        self._write(f"pages/{key}.json", json.dumps(head, ensure_ascii=True) + "\n"
                    + json.dumps(results, ensure_ascii=False))
        return results_digest

    def get_svg(self, key: str) -> str | None:
        text = self._read(f"svg/{key}.svg")
        # The last line marks a complete entry; anything else is rebuilt.
        if text is None or not text.endswith(f"\n<!-- {key} -->\n"):
            return None
        return text[: -len(f"\n<!-- {key} -->\n")]

    def put_svg(self, key: str, svg: str) -> None:
        self._write(f"svg/{key}.svg", f"{svg}\n<!-- {key} -->\n")

    def get_text(self, kind: str, key: str) -> str | None:
        """A text entry of ``kind`` (a folder name, e.g. "math"); None if absent or damaged."""
        text = self._read(f"{kind}/{key}.txt")
        # As for SVGs: the key on the last line marks a complete entry.
        if text is None or not text.endswith(f"\n{key}\n"):
            return None
        return text[: -len(f"\n{key}\n")]

    def put_text(self, kind: str, key: str, text: str) -> None:
        self._write(f"{kind}/{key}.txt", f"{text}\n{key}\n")

    def get_bytes(self, name: str) -> bytes | None:
        """The entry ``name`` (e.g. "fonts/<key>.woff2") as stored, or None."""
        if self.directory is None or self.refresh:
            return None
        path = self.directory / name
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            os.utime(path)  # "used now", for other builds' pruning
        except OSError:
            pass  # a read-only cache still serves its entries
        self.used.add(name)
        return data

    def put_bytes(self, name: str, data: bytes) -> None:
        if self.directory is None or self.write_error is not None:
            return
        try:
            write_atomic(self.directory / name, data)
        except OSError as error:
            with self._lock:
                first = self.write_error is None
                self.write_error = error
            if first and self._warn is not None:
                self._warn(f"cannot write the cache in {self.directory}: {self._why(name, error)}; "
                           "building without it (nothing from this build is kept for the next)")
            return
        self.used.add(name)

    def _why(self, name: str, error: OSError) -> str:
        """What is wrong, in words: "File exists" says little when a file stands where
        the cache needs a folder."""
        assert self.directory is not None
        folder = self.directory / name
        while folder != folder.parent:
            folder = folder.parent
            if folder.exists() and not folder.is_dir():
                return f"{folder} is a file where the cache needs a folder (remove it, or set cache_dir)"
            if folder == self.directory:
                break
        return str(error.strerror or error)

    def _read(self, name: str) -> str | None:
        data = self.get_bytes(name)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _write(self, name: str, text: str) -> None:
        self.put_bytes(name, text.encode("utf-8"))
