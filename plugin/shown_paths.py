"""File paths as a published page shows them: never the build machine's own.

A traceback or a warning names the files its frames come from, and Python names
them by absolute path: ``/home/ci/site/layers/graph.py``,
``/opt/py/lib/python3.11/site-packages/numpy/linalg/_linalg.py``. On a page read
by anyone, that is the build machine's layout, and it changes with the machine
(the cache would even carry one machine's paths to another's build). Here a
file under the site's root is named relative to it, as the repository names it
(``layers/graph.py``); an installed package's file by its place in any Python
(``<site-packages>/numpy/linalg/_linalg.py``), the standard library's likewise
(``<stdlib>/json/decoder.py``), in the angle brackets Python itself uses for
names that are not paths (``<stdin>``, ``<frozen runpy>``); any other file by
its name alone (``…/helper.py``).

This module must not import MkDocs: it runs in the worker.
"""
from __future__ import annotations

import os
import re
import site
import sys
import sysconfig

__all__ = ["ShownPaths"]


class ShownPaths:
    """Rewrites the absolute paths of files for a page, for a site whose root is ``root``."""

    def __init__(self, root: str) -> None:
        prefixes: dict[str, str] = {}
        packages = (*site.getsitepackages(), site.getusersitepackages(),
                    sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])
        stdlib = (os.path.dirname(os.__file__), sysconfig.get_paths()["stdlib"])  # in a venv, platstdlib is the venv's
        for paths, shown in ((packages, "<site-packages>/"), (stdlib, "<stdlib>/"), ((root,), "")):
            for path in paths:
                for folder in _folders(path):
                    prefixes.setdefault(folder, shown)
        self._prefixes = prefixes
        # Longest first: the site's own .venv lies under its root, a package under the stdlib's folder.
        # Else an absolute path to a .py file elsewhere, as a traceback or warning writes it.
        known = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
        self._path_re = re.compile(rf"(?<![\w./~-])(?:(?P<known>{known})|/(?:[^\s\"':/]+/)+(?=[^\s\"':/]+\.py\b))")

    def path(self, filename: str) -> str:
        """One file's name as a page shows it (a name that is not an absolute path is kept)."""
        if not os.path.isabs(filename):
            return filename
        return self.text(filename)

    def text(self, text: str) -> str:
        """``text`` (a formatted traceback, a warning) with every file path shown as on a page."""
        return self._path_re.sub(lambda m: self._prefixes[m["known"]] if m["known"] else "…/", text)


def _folders(path: str) -> set[str]:
    """``path`` as a folder prefix, as given and with its links resolved (frames use either)."""
    return {os.path.join(os.path.abspath(path), ""), os.path.join(os.path.realpath(path), "")}
