"""Helpers for building small sites with the plugin in a temporary folder."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

MKDOCS_YML = """\
site_name: test
theme:
  name: material
  language: ko
  font: false
plugins:
  - backprop{options}
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.arithmatex:
      generic: true
  - pymdownx.highlight
{extra}"""


# What the book's mkdocs.yml sets, so these sites run their pages as the book's do.
BOOK_OPTIONS = {
    "preload": "[numpy, layers]",
    "formatter": '"layers.display:format_value"',
    "figure_label": '"그림 5-{n}"',
}


def write_site(root: Path, pages: dict[str, str], *, options: str = "", extra: str = "",
               book: bool = True) -> Path:
    """A site in ``root``; ``options`` is YAML for the plugin (indented under it).

    With ``book`` the plugin also gets the book's ``BOOK_OPTIONS`` that ``options``
    does not set itself; without it, the plugin's own defaults apply."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    options = textwrap.dedent(options).strip("\n")
    if book:
        given = set(re.findall(r"^(\w+):", options, flags=re.M))
        options = "\n".join([*(f"{k}: {v}" for k, v in BOOK_OPTIONS.items() if k not in given), options]).strip()
    opts = ":\n" + textwrap.indent(options, "      ") if options else ""
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(options=opts, extra=extra), encoding="utf-8")
    return root


def build(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), *args],
        capture_output=True, text=True, cwd=root, env={**os.environ, **(env or {})}, timeout=300,
    )


def serve_build(root: Path) -> None:
    """One build as `mkdocs serve` does it (same config loading, on_startup("serve")), in-process."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()


def summary(result: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    """(blocks run, blocks from cache) from the plugin's INFO line."""
    match = re.search(r"backprop: \d+ pages, (\d+) blocks run, (\d+) blocks from cache", result.stderr)
    assert match, result.stderr
    return int(match.group(1)), int(match.group(2))


def page_html(root: Path, name: str) -> str:
    return (root / "site" / name).read_text(encoding="utf-8")
