"""The plugin's options (``plugins: - backprop: {...}`` in mkdocs.yml).

Each option is documented by the docstring under it (a test checks that every
option has one) and, for authors, in Korean in ``docs/guide/index.md``. The
adapter turns the validated options into the core's ``Settings``.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c

from mkdocs_backprop.blocks import MAX_TIMEOUT_S
from mkdocs_backprop.figure_index import label_problem
from mkdocs_backprop.settings import DEFAULT_FIGURE_LABEL

__all__ = ["PluginConfig"]


class _Positive(base.BaseConfigOption[float]):
    """A number above 0 and at most ``maximum`` (so never nan or inf)."""

    def __init__(self, default: float, maximum: float, unit: str, *, integer: bool = False) -> None:
        super().__init__()
        self.default = default
        self.maximum = maximum
        self.unit = unit
        self.integer = integer

    def run_validation(self, value: object) -> float:
        kinds = (int,) if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not 0 < value <= self.maximum:
            what = "a whole number" if self.integer else "a number"
            raise base.ValidationError(
                f"expected {what} of {self.unit} above 0 and at most {self.maximum:,g}, got {value!r}")
        return int(value) if self.integer else float(value)


class _Folders(base.BaseConfigOption[list]):
    """Folders that exist, relative to the folder of mkdocs.yml."""

    def __init__(self) -> None:
        super().__init__()
        self.default: list[str] = []

    def run_validation(self, value: object) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise base.ValidationError(f"expected a list of folders, got {value!r}")
        return list(value)

    def post_validation(self, config: base.Config, key_name: str) -> None:
        root = Path(config.config_file_path or ".").resolve().parent
        missing = [folder for folder in config[key_name] if not (root / folder).is_dir()]
        if missing:
            raise base.ValidationError(
                f"no folder {', '.join(repr(m) for m in missing)} beside mkdocs.yml ({root}); "
                "list only folders that exist (they are watched and part of the cache key)")


class _LabelFormat(base.BaseConfigOption[str]):
    """How a figure is called: text with ``{n}`` where its number goes."""

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> str:
        if label_problem(value) is None:
            return str(value)
        raise base.ValidationError(
            f'expected text with {{n}} where the figure number goes (e.g. "그림 5-{{n}}"), got {value!r}')


class _LabelsByPlace(base.BaseConfigOption[dict]):
    """A mapping from a nav section's title, or a folder ending in "/", to a label format."""

    def __init__(self) -> None:
        super().__init__()
        self.default: dict[str, str] = {}

    def run_validation(self, value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            raise base.ValidationError(
                f'expected a mapping like {{"ch06/": "그림 6-{{n}}"}} (folder or nav section -> label), got {value!r}')
        for place, label in value.items():
            if not isinstance(place, str) or not place.strip():
                raise base.ValidationError(f"{place!r} is not a folder (ending in /) or a nav section title")
            if label_problem(label) is not None:
                raise base.ValidationError(
                    f'{place}: expected text with {{n}} where the figure number goes (e.g. "그림 6-{{n}}"), '
                    f"got {label!r}")
        return dict(value)


_MODULE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


class _Modules(base.BaseConfigOption[list]):
    """Importable module names; one that cannot be found is a warning (the worker skips it)."""

    def __init__(self) -> None:
        super().__init__()
        self.default: list[str] = []

    def run_validation(self, value: object) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and _MODULE_RE.match(v) for v in value):
            raise base.ValidationError(f"expected a list of module names such as [numpy, mylib], got {value!r}")
        return list(value)

    def post_validation(self, config: base.Config, key_name: str) -> None:
        import importlib.util
        from importlib.machinery import PathFinder

        root = Path(config.config_file_path or ".").resolve().parent
        for name in config[key_name]:
            top = name.split(".")[0]
            try:  # installed (editable installs too: their finders are on sys.meta_path)
                installed = importlib.util.find_spec(top) is not None
            except (ImportError, ValueError):
                installed = False
            # or beside mkdocs.yml, where the worker runs
            if not installed and PathFinder.find_spec(top, [str(root)]) is None:
                self.warnings.append(
                    f"no module named {top!r} beside mkdocs.yml ({root}) or installed; the worker skips it and a "
                    "page that imports it fails there: fix the name, install it, or remove it from the list")


class _Function(base.BaseConfigOption[str]):
    """A function named as "module:function"."""

    def __init__(self) -> None:
        super().__init__()
        self.default = None

    def run_validation(self, value: object) -> str | None:
        if value is None:
            return None
        module, _, name = value.partition(":") if isinstance(value, str) else ("", "", "")
        if not (_MODULE_RE.match(module) and _MODULE_RE.match(name)):
            raise base.ValidationError(f'expected "module:function", e.g. "mylib.display:format_value", got {value!r}')
        return str(value)


class PluginConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Run the pages' code. When false the site still builds: `python exec` and
    `python figure` blocks show as plain code and inline values as their source."""

    cache = c.Type(bool, default=True)
    """Keep successful results on disk and reuse them while nothing they depend on changed."""

    cache_dir = c.Type(str, default=".cache/backprop")
    """Where the cache lives, relative to the folder of mkdocs.yml."""

    refresh = c.Type(bool, default=False)
    """Run everything again and overwrite the cache (same as BACKPROP_REFRESH=1)."""

    notebooks = c.Type(bool, default=True)
    """Offer every page with code as a Jupyter notebook (.ipynb) and a Python script (.py),
    linked under its title, with the watched packages as a wheel the notebooks import."""

    verify = c.Type(bool, default=False)
    """The stale-value guard (same as BACKPROP_VERIFY=1): run every page, cached or not,
    and fail the build where a cached result differs from the fresh one (page:line and
    both values). A block marked `verify="skip"` (one that measures time, say) and what
    reads the names it assigns are not compared."""

    timeout = _Positive(default=60.0, maximum=MAX_TIMEOUT_S, unit="seconds")
    """Seconds a block (or inline value) may run before it is stopped; a block's
    own `timeout="…"` option overrides it."""

    output_limit = _Positive(default=100_000, maximum=100_000_000, unit="characters", integer=True)
    """Characters of a block's printed output kept on the page; the rest is cut with a note."""

    memory_limit = _Positive(default=4.0, maximum=1024.0, unit="GiB")
    """GiB of memory (address space) each page's process may use, with everything it starts;
    a block that asks for more gets a MemoryError at its line instead of taking the machine."""

    watch = _Folders()
    """Extra folders (relative to mkdocs.yml) that the pages' code imports: part of the
    cache key, and watched by `mkdocs serve`."""

    preload = _Modules()
    """Modules the worker imports once before any page runs (e.g. numpy and the book's
    library), so each page starts without paying for the import; part of the cache key."""

    formatter = _Function()
    """The function ("module:function") that turns a bare inline value (`{py} x`) into
    text; without it, `str`. A format spec (`{py} x:.2f`) is Python's, as in an f-string."""

    figure_label = _LabelFormat(default=DEFAULT_FIGURE_LABEL)
    """How a figure's number is written in its caption and in `{fig}` references, for
    pages that `figure_labels` and their front matter do not name; each label numbers
    its figures from 1."""

    figure_labels = _LabelsByPlace()
    """Label formats by place: a nav section's title, or a folder ending in "/" (relative
    to docs/), mapped to a format such as "그림 6-{n}". A page takes its innermost
    section's, else its deepest folder's; its front matter (`figure_label: "…"`) wins."""
