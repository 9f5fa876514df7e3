"""The plugin's options (``plugins: - backprop: {...}`` in mkdocs.yml)."""
from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

__all__ = ["PluginConfig"]


class _Seconds(base.BaseConfigOption[float]):
    """A positive number of seconds (an int or a float)."""

    def __init__(self, default: float) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise base.ValidationError(f"expected a positive number of seconds, got {value!r}")
        return float(value)


class _LabelFormat(base.BaseConfigOption[str]):
    """How a figure is called: text with ``{n}`` where its number goes."""

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> str:
        if isinstance(value, str) and "{n}" in value:
            try:
                value.format(n=1)
                return value
            except (KeyError, IndexError, ValueError):
                pass
        raise base.ValidationError(
            f'expected text with {{n}} where the figure number goes (e.g. "그림 5-{{n}}"), got {value!r}')


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

    timeout = _Seconds(default=60.0)
    """Seconds a block (or inline value) may run before it is stopped; a block's
    own `timeout="…"` option overrides it."""

    output_limit = c.Type(int, default=100_000)
    """Characters of a block's printed output kept on the page; the rest is cut with a note."""

    watch = c.ListOfItems(c.Type(str), default=["layers"])
    """Extra folders (relative to mkdocs.yml) that the pages' code imports: part of the
    cache key, and watched by `mkdocs serve`."""

    figure_label = _LabelFormat(default="그림 5-{n}")
    """How a figure's number is written in its caption and in `{fig}` references. A page
    can set its own in its front matter (`figure_label: "그림 6-{n}"`); each label
    numbers its figures from 1."""
