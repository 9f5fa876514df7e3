"""What re-runs after an edit, and what the cache survives."""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from plugin_site import build, page_html, summary, write_site

PAGES = {
    "index.md": "# 하나\n\n```python exec\nprint('one', 1 + 1)\n```\n\n값 `{py} 2 * 3`.\n",
    "two.md": "# 둘\n\n```python exec\nfrom mylib import VALUE\nprint('two', VALUE)\n```\n\n```python exec\nprint('again')\n```\n",
}


def site(root: Path, **kwargs: str) -> Path:
    write_site(root, PAGES, options=kwargs.get("options", "watch: [mylib]"))
    (root / "mylib").mkdir(exist_ok=True)
    (root / "mylib" / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    return root


def ok(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, int]:
    result = build(root, *args, env=env)
    assert result.returncode == 0, result.stderr
    return summary(result)


@pytest.fixture(scope="module")
def warm_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = site(tmp_path_factory.mktemp("cache"))
    assert ok(root) == (3, 0)
    return root


def test_unchanged_site_runs_nothing(warm_site: Path) -> None:
    assert ok(warm_site) == (0, 3)
    assert "one 2" in page_html(warm_site, "index.html")


def test_prose_edit_runs_nothing(warm_site: Path) -> None:
    path = warm_site / "docs" / "index.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n새 문단을 덧붙였습니다.\n", encoding="utf-8")
    assert ok(warm_site) == (0, 3)
    assert "새 문단을 덧붙였습니다." in page_html(warm_site, "index.html")


def test_code_edit_reruns_that_page_only(warm_site: Path) -> None:
    path = warm_site / "docs" / "two.md"
    path.write_text(path.read_text(encoding="utf-8").replace("'again'", "'again!'"), encoding="utf-8")
    assert ok(warm_site) == (2, 1)
    assert "again!" in page_html(warm_site, "two/index.html")


def test_library_edit_reruns_with_the_new_code(warm_site: Path) -> None:
    (warm_site / "mylib" / "__init__.py").write_text("VALUE = 2\n", encoding="utf-8")
    run, _cached = ok(warm_site)
    assert run == 3
    assert "two 2" in page_html(warm_site, "two/index.html")


def test_damaged_entries_are_rebuilt(warm_site: Path) -> None:
    entries = list((warm_site / ".cache" / "backprop" / "pages").glob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text(entry.read_text(encoding="utf-8")[:20], encoding="utf-8")
    assert ok(warm_site) == (3, 0)
    assert ok(warm_site) == (0, 3)
    assert not list((warm_site / ".cache" / "backprop" / "pages").glob(".tmp-*"))


def test_refresh_runs_everything(warm_site: Path) -> None:
    assert ok(warm_site, env={"BACKPROP_REFRESH": "1"}) == (3, 0)


def test_cache_off_writes_nothing(tmp_path: Path) -> None:
    root = site(tmp_path, options="cache: false\nwatch: [mylib]")
    assert ok(root) == (3, 0)
    assert ok(root) == (3, 0)
    assert not (root / ".cache").exists()


def test_disabled_shows_code_and_sources(tmp_path: Path) -> None:
    root = site(tmp_path, options="enabled: false")
    result = build(root, "--strict")
    assert result.returncode == 0, result.stderr
    page = page_html(root, "index.html")
    assert "<code>{py} 2 * 3</code>" in page
    assert "bp-output" not in page
    assert "print" in page and "python exec" not in page
    assert "blocks run" not in result.stderr


def test_figures_are_drawn_once_and_counted(tmp_path: Path) -> None:
    figure = '```python figure alt="a에서 b로"\n"digraph { a -> b }"\n```\n'
    root = write_site(tmp_path, {"index.md": f"# 그림\n\n{figure}\n{figure.replace('b }', 'c }')}"})
    first = build(root, "--verbose")
    assert first.returncode == 0, first.stderr
    assert "2 figures drawn, 0 from cache" in first.stderr
    # --verbose names each figure that `dot` drew, by its fence's line.
    assert "docs/index.md:3: figure drawn in" in first.stderr
    assert "docs/index.md:7: figure drawn in" in first.stderr
    second = build(root, "--verbose")
    assert "0 figures drawn, 2 from cache" in second.stderr
    assert "figure drawn in" not in second.stderr


def test_formulas_are_converted_once_per_set_of_formulas(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": "# 식\n\n기울기는 $\\frac{\\partial L}{\\partial x}$입니다.\n"})
    assert build(root).returncode == 0
    (entry,) = (root / ".cache/backprop/math").iterdir()
    first = page_html(root, "index.html")
    assert "<mfrac>" in first

    # Prose around the formula changes: the same formulas, so the same entry serves the page.
    page = root / "docs/index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n문장 하나를 더했습니다.\n", encoding="utf-8")
    assert build(root).returncode == 0
    assert list((root / ".cache/backprop/math").iterdir()) == [entry]
    assert "<mfrac>" in page_html(root, "index.html")

    # A damaged entry is converted again, never served.
    entry.write_text("[broken", encoding="utf-8")
    assert build(root).returncode == 0
    assert page_html(root, "index.html").count("<mfrac>") == 1

    # A new formula is a new entry; a broken one fails the build and is not cached.
    page.write_text("# 식\n\n$x^2$ 그리고 $\\frac{1}$\n", encoding="utf-8")
    failed = build(root)
    assert failed.returncode != 0 and "\\frac{1}" in failed.stderr
    assert len(list((root / ".cache/backprop/math").iterdir())) == 1


def _age(path: Path, days: float) -> None:
    old = time.time() - days * 24 * 3600
    os.utime(path, (old, old))


def test_entries_no_build_uses_are_pruned_after_a_day(tmp_path: Path) -> None:
    root = site(tmp_path)
    assert ok(root) == (3, 0)
    pages_dir = root / ".cache/backprop/pages"
    before = {p.name for p in pages_dir.iterdir()}
    assert len(before) == 2

    # A code edit makes a new entry for two.md; the old one stays while it is recent.
    two = root / "docs" / "two.md"
    two.write_text(two.read_text(encoding="utf-8").replace("'again'", "'once more'"), encoding="utf-8")
    assert ok(root) == (2, 1)
    after_edit = {p.name for p in pages_dir.iterdir()}
    assert before < after_edit and len(after_edit) == 3

    # Everything looks two days old; the next build keeps what it uses and drops the rest.
    for entry in pages_dir.iterdir():
        _age(entry, 2)
    result = build(root)
    assert result.returncode == 0 and summary(result) == (0, 3)
    assert "removed 1 cache entries" in result.stderr
    kept = {p.name for p in pages_dir.iterdir()}
    assert len(kept) == 2 and kept < after_edit
    (stale,) = after_edit - kept
    assert stale in before  # the entry of two.md's old code
    assert ok(root) == (0, 3)  # and the site is still fully cached


def test_a_failed_build_prunes_nothing(tmp_path: Path) -> None:
    root = site(tmp_path)
    assert ok(root) == (3, 0)
    entries = list((root / ".cache/backprop").rglob("*.json"))
    for entry in entries:
        _age(entry, 2)
    index = root / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("1 + 1", "1 / 0"), encoding="utf-8")
    result = build(root)
    assert result.returncode != 0
    assert all(entry.exists() for entry in entries)


def test_formulas_in_the_content_are_mathml_and_search_reads_them_as_text(tmp_path: Path) -> None:
    # Content formulas go in as MathML right after search has read the page as text;
    # nothing is left as LaTeX in the content, and the index holds no MathML markup.
    page = "# 식\n\n## 기울기 $\\frac{\\partial L}{\\partial x}$\n\n본문의 $x^2$입니다.\n\n$$y = 2x$$\n"
    root = write_site(tmp_path, {"index.md": page}, extra="plugins:\n  - search\n  - backprop\n")
    assert build(root).returncode == 0
    html = page_html(root, "index.html")
    content = html[html.index('<article'):html.index('</article>')]
    assert content.count("<mfrac>") == 1 and "<msup>" in content and 'display="block"' in content
    assert not re.search(r'class="arithmatex">\s*\\[(\[]', content)  # none left as LaTeX
    docs = json.loads((root / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    indexed = " ".join(d["title"] + " " + d["text"] for d in docs)
    assert "∂L/∂x" in indexed and "x²" in indexed and "<math" not in indexed


def test_a_formula_in_a_heading_reads_as_text_in_the_table_of_contents_and_title(tmp_path: Path) -> None:
    # MkDocs keeps only the LaTeX of a heading's formula in the table of contents and
    # the page title (\(x^2\)); they show it as readable text instead, escaped.
    page = "# 넓이 $x^2$\n\n## 기울기 $\\frac{\\partial L}{\\partial x}$\n\n## 비교 $a < b$\n\n본문.\n"
    root = write_site(tmp_path, {"index.md": "# 홈\n", "a.md": page})
    result = build(root)
    assert result.returncode == 0, result.stderr
    html = page_html(root, "a/index.html")
    toc = html[html.index('md-nav--secondary'):]
    toc = toc[:toc.index("</nav>")]
    assert "기울기 ∂L/∂x" in toc and "비교 a &lt; b" in toc
    assert "\\(" not in toc and "\\frac" not in toc
    assert "<title>넓이 x² - test</title>" in html
    assert "넓이 x²" in page_html(root, "index.html")  # in every page's navigation too
