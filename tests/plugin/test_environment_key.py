"""The cache key of the environment depends on the library's content, not on where it is found."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from plugin_site import build, summary, write_site

ROOT = Path(__file__).resolve().parents[2]

PAGE = "# 값\n\n```python exec\nfrom layers import MulLayer\nprint(MulLayer().forward(2, 3))\n```\n"


def test_mkdocs_command_and_python_m_mkdocs_share_the_cache(tmp_path: Path) -> None:
    # The site has its own copy of the book's library: `python -m mkdocs` imports that
    # one (the site's folder comes first on sys.path), the `mkdocs` command the installed
    # one. Same content, so the second build runs nothing.
    root = write_site(tmp_path / "site", {"index.md": PAGE}, options="watch: [layers]")
    shutil.copytree(ROOT / "layers", root / "layers", ignore=shutil.ignore_patterns("__pycache__"))
    first = build(root)
    assert first.returncode == 0, first.stderr
    assert summary(first) == (1, 0)
    command = Path(sys.executable).with_name("mkdocs")
    second = subprocess.run([str(command), "build", "-f", str(root / "mkdocs.yml")], capture_output=True,
                            text=True, cwd=root, env=dict(os.environ), timeout=300)
    assert second.returncode == 0, second.stderr
    assert summary(second) == (0, 1)
