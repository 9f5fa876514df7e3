"""`--dirty` is refused up front with a message that says why and what to run instead.

A dirty build rewrites only the pages whose files changed, so figure numbers and
`{fig}` links computed over the whole site would go stale in the others.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from plugin_site import build, write_site

PAGES = {"index.md": "# 첫 쪽\n\n```python exec\nprint('ran')\n```\n"}


def _refused(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0
    assert "--dirty is not supported" in result.stderr
    assert "without --dirty" in result.stderr  # the fix
    assert "Traceback" not in result.stderr


def test_dirty_build_is_refused(tmp_path: Path) -> None:
    root = write_site(tmp_path, PAGES)
    _refused(build(root, "--dirty"))
    assert not (root / "site" / "index.html").exists()


def test_dirty_serve_is_refused_before_serving(tmp_path: Path) -> None:
    root = write_site(tmp_path, PAGES, extra="strict: true\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", "127.0.0.1:0", "-f", str(root / "mkdocs.yml")],
        capture_output=True, text=True, cwd=root, timeout=120,
    )
    _refused(result)


def test_a_disabled_plugin_does_not_stand_in_the_way(tmp_path: Path) -> None:
    root = write_site(tmp_path, PAGES, options="enabled: false")
    result = build(root, "--dirty")
    assert result.returncode == 0, result.stderr
    assert "첫 쪽" in (root / "site" / "index.html").read_text(encoding="utf-8")
