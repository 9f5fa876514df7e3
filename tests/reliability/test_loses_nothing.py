"""Matrix row 8 — the plugin loses none of the author's files.

The cache deletes the entries no build has used for a day. Pointed at a folder
of the author's own, it must not take their files with it.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reliability_helpers import build, errors, write_site

PAGE = "# 목차\n\n```python exec\nprint('ok')\n```\n"


def _age(path: Path, days: float) -> None:
    old = time.time() - days * 24 * 3600
    os.utime(path, (old, old))


@pytest.mark.parametrize("cache_dir,where", [
    ("docs", "is docs_dir"), ("docs/.cache", "is inside docs_dir"), ('""', "is the folder of mkdocs.yml"),
    (".", "is the folder of mkdocs.yml"), ("site", "is site_dir"), ("..", "holds the folder of mkdocs.yml"),
])
def test_a_cache_dir_that_is_not_a_folder_of_its_own_is_refused(tmp_path: Path, cache_dir: str, where: str) -> None:
    root = write_site(tmp_path / "book", {"index.md": PAGE, "pages/old.md": "# 예전 페이지\n",
                                          "fonts/notes.txt": "메모\n"}, options=f"cache_dir: {cache_dir}")
    (root / "pages").mkdir()
    (root / "pages" / "draft.md").write_text("초안\n", encoding="utf-8")
    mine = [root / "docs/pages/old.md", root / "docs/fonts/notes.txt", root / "pages/draft.md"]
    for path in mine:
        _age(path, 3)
    result = build(root)
    assert result.returncode != 0
    reported = errors(result)
    assert any(f"cache_dir: {cache_dir.strip(chr(34))!r} in mkdocs.yml {where}" in e for e in reported), reported
    assert all(path.exists() for path in mine)


def test_pruning_deletes_only_cache_entries(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": PAGE})
    assert build(root).returncode == 0
    pages = root / ".cache/backprop/pages"
    stray = [pages / "README.md", pages / "keep", root / ".cache/backprop/fonts/notes.txt"]
    for path in stray:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the author's\n", encoding="utf-8")
        _age(path, 3)
    old_entry = pages / ("0" * 64 + ".json")  # shaped like an entry: no build uses it
    old_entry.write_text("{}\n", encoding="utf-8")
    _age(old_entry, 3)
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert "removed 1 cache entries" in result.stderr
    assert not old_entry.exists()
    assert all(path.exists() for path in stray)
