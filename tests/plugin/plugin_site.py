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


def write_site(root: Path, pages: dict[str, str], *, options: str = "", extra: str = "") -> Path:
    """A site in ``root``; ``options`` is YAML for the plugin (indented under it)."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    opts = ":\n" + textwrap.indent(textwrap.dedent(options).strip("\n"), "      ") if options else ""
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(options=opts, extra=extra), encoding="utf-8")
    return root


def build(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), *args],
        capture_output=True, text=True, cwd=root, env={**os.environ, **(env or {})}, timeout=300,
    )


def summary(result: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    """(blocks run, blocks from cache) from the plugin's INFO line."""
    match = re.search(r"backprop: \d+ pages, (\d+) blocks run, (\d+) blocks from cache", result.stderr)
    assert match, result.stderr
    return int(match.group(1)), int(match.group(2))


def page_html(root: Path, name: str) -> str:
    return (root / "site" / name).read_text(encoding="utf-8")
