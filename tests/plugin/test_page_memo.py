"""A warm build takes each unchanged page whole from the cache (its assembled Markdown,
values, figures and notebook): the site it writes must be the cold build's, byte for
byte, and whatever an unchanged page shows from elsewhere (another page's figure
numbers, the files its code read, the site's address) must still follow."""
from __future__ import annotations

import shutil
from pathlib import Path

from plugin_site import build, page_html, summary, write_site

FIGURE = '```python figure id="{id}" alt="a에서 b로" caption="값이 `{{py}} 3 * 4`인 그림"\n"digraph {{ a -> b }}"\n```\n'

PAGES = {
    "index.md": (
        "# 첫 쪽 `{py} 40 + 2`\n\n"
        "```python exec\nwith open('data.txt', encoding='utf-8') as f:\n    DATA = f.read().strip()\n"
        "print('읽은 값', DATA)\n```\n\n"
        "파일에서 읽은 값은 `{py} DATA`이고, 곱은 `{py} 6 * 7`입니다. 식 $z = (x + y)^2$을 봅시다.\n\n"
        + FIGURE.format(id="first")
        + "\n[둘째 쪽](two.md)으로 갑니다.\n"
    ),
    "two.md": (
        "# 둘째 쪽\n\n`{fig} first`과 `{fig} second`를 봅니다.\n\n"
        + FIGURE.format(id="second")
        + "\n```python exec\nprint(1 + 1)\n```\n"
    ),
    "plain.md": "# 코드 없는 쪽\n\n그냥 글입니다. `{fig} second`를 가리킵니다.\n",
}


def _site(root: Path) -> Path:
    write_site(root, PAGES, options="watch: []")
    (root / "data.txt").write_text("처음\n", encoding="utf-8")
    return root


def _written(root: Path) -> dict[str, bytes]:
    site = root / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.suffix in (".html", ".ipynb", ".py", ".json", ".svg")}


def _ok(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, int]:
    result = build(root, "--strict", *args, env=env)
    assert result.returncode == 0, result.stderr
    return summary(result)


def test_a_warm_build_writes_the_cold_builds_site(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _ok(root)
    cold = _written(root)
    assert any(name.endswith(".ipynb") for name in cold)
    entries = root / ".cache" / "backprop" / "assembled"
    assert len(list(entries.glob("*.txt"))) == 3  # one per page

    # Without the SVG cache, a warm build still has every figure: unchanged pages come
    # whole from their entries, nothing is drawn.
    shutil.rmtree(root / ".cache" / "backprop" / "svg")
    warm = build(root, "--strict")
    assert warm.returncode == 0, warm.stderr
    assert "0 figures drawn, 2 from cache" in warm.stderr
    assert summary(warm) == (0, 4)
    assert _written(root) == cold

    # Damaged entries (a piece cut out, a file gone): those pages are made again, the same.
    for n, entry in enumerate(sorted(entries.glob("*.txt"))):
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text[:40] + text[80:] if n % 2 else "{" + text[1:], encoding="utf-8")
    for notebook in entries.glob("*.ipynb"):
        notebook.unlink()
    (root / ".cache" / "backprop" / "outlines.json").write_text("[", encoding="utf-8")
    assert _ok(root) == (0, 4)
    assert _written(root) == cold
    assert _ok(root) == (0, 4)
    assert _written(root) == cold


def test_an_unchanged_page_follows_what_changed_elsewhere(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _ok(root)
    two = page_html(root, "two/index.html")
    assert ">그림 5-1</a>과" in two and ">그림 5-2</a>를" in two  # particles agree with the labels
    assert "그림 5-2: 값이 12인 그림" in two

    # A figure added before them on the first page renumbers the second page's figure
    # and both references, though the second page's text is as it was.
    index = root / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "# 첫 쪽 `{py} 40 + 2`\n", "# 첫 쪽 `{py} 40 + 2`\n\n" + FIGURE.format(id="zero")), encoding="utf-8")
    _ok(root)
    two = page_html(root, "two/index.html")
    assert ">그림 5-2</a>와" in two and ">그림 5-3</a>을" in two
    assert "그림 5-3: 값이 12인 그림" in two
    assert ">그림 5-3</a>을" in page_html(root, "plain/index.html")

    # A file the first page's code read changed: its values follow, on its page and notebook.
    (root / "data.txt").write_text("나중\n", encoding="utf-8")
    run, _ = _ok(root)
    assert run == 3  # the first page's three blocks, nothing else
    page = page_html(root, "index.html")
    assert "파일에서 읽은 값은 나중이고" in page and "읽은 값 나중" in page
    assert "나중" in (root / "site" / "index.ipynb").read_text(encoding="utf-8")

    # The site's address is in every notebook's links: a new one reaches unchanged pages'.
    yml = root / "mkdocs.yml"
    yml.write_text("site_url: https://example.org/book/\n" + yml.read_text(encoding="utf-8"), encoding="utf-8")
    _ok(root)
    notebook = (root / "site" / "two" / "two.ipynb").read_text(encoding="utf-8")
    assert "https://example.org/book/" in notebook


def test_a_failing_page_is_not_kept(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": "# 오류\n\n```python exec\n1 / 0\n```\n"}, options="watch: []")
    for _ in range(2):
        result = build(root)
        assert result.returncode != 0
        assert "docs/index.md:4" in result.stderr and "ZeroDivisionError" in result.stderr
    assert not list((root / ".cache" / "backprop").glob("assembled/*.txt"))


def test_figure_numbers_reach_unchanged_pages_without_notebooks(tmp_path: Path) -> None:
    # Without notebooks nothing else in a page's key names the site's figures.
    plain = '```python figure alt="a에서 b로"\n"digraph { a -> b }"\n```\n'
    root = write_site(tmp_path, {"index.md": "# 하나\n", "two.md": f"# 둘\n\n{plain}"},
                      options="watch: []\nnotebooks: false")
    _ok(root)
    assert "<figcaption>그림 5-1</figcaption>" in page_html(root, "two/index.html")
    (root / "docs" / "index.md").write_text(f"# 하나\n\n{plain}", encoding="utf-8")
    _ok(root)
    assert "<figcaption>그림 5-2</figcaption>" in page_html(root, "two/index.html")


def test_download_links_of_a_page_with_an_odd_file_name_lead_to_its_files(tmp_path: Path) -> None:
    page = '# 이름\n\n```python exec\nprint(1)\n```\n'
    root = write_site(tmp_path, {"index.md": "# 첫\n", 'a#b "c".md': page}, options="watch: []")
    _ok(root)
    written = root / "site" / 'a#b "c"'
    assert (written / 'a#b "c".ipynb').is_file()
    html_text = (written / "index.html").read_text(encoding="utf-8")
    assert 'href="a%23b%20%22c%22.ipynb"' in html_text and 'href="a%23b%20%22c%22.py"' in html_text
