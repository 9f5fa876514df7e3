"""The benchmark's synthetic book is a valid site: copies get their own figure ids."""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from site_bench import Editor, make_site  # noqa: E402

ID_RE = re.compile(r'^\s*```python figure[^\n]*\bid="([^"]+)"', re.M)
REF_RE = re.compile(r"`\{fig\} ([^`]+)`")


def test_copies_have_unique_figure_ids_and_refer_to_their_own_figures(tmp_path: Path) -> None:
    site = make_site(tmp_path / "book", enabled=True, copies=3)
    chapters = sorted((site.root / "docs").glob("ch05*"))
    assert [c.name for c in chapters] == ["ch05", "ch05-02", "ch05-03"]
    all_ids: Counter[str] = Counter()
    for chapter in chapters:
        text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(chapter.glob("*.md")))
        ids, refs = set(ID_RE.findall(text)), REF_RE.findall(text)
        all_ids.update(ID_RE.findall(text))
        assert ids and refs
        assert set(refs) <= ids, f"{chapter.name} refers to figures it does not have"
    assert max(all_ids.values()) == 1, [i for i, n in all_ids.items() if n > 1]
    # Without the nav of the real site, MkDocs lists the copies itself.
    assert "\nnav:" not in site.config.read_text(encoding="utf-8")


def test_floor_site_turns_the_plugin_off_and_edits_change_the_page(tmp_path: Path) -> None:
    floor = make_site(tmp_path / "floor", enabled=False)
    assert re.search(r"^  - backprop:\n      enabled: false$", floor.config.read_text(encoding="utf-8"), re.M)
    editor = Editor(floor)
    page = floor.page("ch05/4-simple-layers.md")
    before = page.read_text(encoding="utf-8")
    marker = editor.code()
    after = page.read_text(encoding="utf-8")
    # The marker is printed by the page's first exec block, and nothing else changed.
    fence = re.search(r"^```python exec[^\n]*\n", after, re.M)
    assert after[fence.end():].startswith(f'print("{marker}")\n')
    assert after.replace(f'print("{marker}")\n', "", 1) == before
    # A second edit replaces the first marker rather than adding another line.
    second = editor.code()
    now = page.read_text(encoding="utf-8")
    assert marker not in now and now.count(second) == 1
    assert now.replace(f'print("{second}")\n', "", 1) == before
