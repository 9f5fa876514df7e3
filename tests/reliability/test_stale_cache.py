"""Matrix row 6 — the cache never serves stale results.

A page's results depend on more than its code: the files it reads, the modules
it imports from beside the site (outside ``watch``), and the installed
distributions it imports. Change any of them and the page runs again. An entry
of the wrong shape is ignored, never fatal.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reliability_helpers import build, outputs, page_html, summary, tracebacks, write_site


def _shown(root: Path, page: str = "index.md") -> list[str]:
    return outputs(page_html(root, "index.html" if page == "index.md" else page.replace(".md", "/index.html")))


def _install_fake_distribution(where: Path, version: str) -> None:
    """``fakedist`` as pip would leave it: the package and its .dist-info with the version."""
    for old in where.glob("fakedist-*.dist-info"):
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    (where / "fakedist").mkdir(parents=True, exist_ok=True)
    (where / "fakedist" / "__init__.py").write_text(
        "from importlib.metadata import version\nVERSION = version('fakedist')\n")
    info = where / f"fakedist-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fakedist\nVersion: {version}\n")
    (info / "top_level.txt").write_text("fakedist\n")
    (info / "RECORD").write_text("")


DEPENDENT = {
    "index.md": "# 목차\n\n```python exec\nprint('depends on nothing')\n```\n",
    "data.md": ("# 데이터\n\n```python exec\nimport pathlib\n"
                "print(open('data/values.csv').read().strip())\n"
                "print(pathlib.Path('data/more.txt').read_text().strip())\n```\n"),
    "module.md": "# 모듈\n\n```python exec\nimport helpers\nprint(helpers.ANSWER)\n```\n",
    # An upgrade of any library the page imports (scikit-learn, not only numpy) runs it again.
    "distribution.md": "# 배포판\n\n```python exec\nimport fakedist\nprint('fakedist', fakedist.VERSION)\n```\n",
}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory):
    """Built, rebuilt unchanged, then rebuilt after each page's dependency changed."""
    tmp = tmp_path_factory.mktemp("stale")
    packages = tmp / "packages"
    root = write_site(tmp / "site", DEPENDENT)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(packages), os.environ.get("PYTHONPATH")]))}
    (root / "data").mkdir()
    (root / "data" / "values.csv").write_text("1,2,3\n")
    (root / "data" / "more.txt").write_text("more 1\n")
    (root / "helpers.py").write_text("ANSWER = 41\n")
    _install_fake_distribution(packages, "1.0")
    first = build(root, env=env)
    before = {page: _shown(root, page) for page in DEPENDENT}
    unchanged = build(root, env=env)
    (root / "data" / "more.txt").write_text("more 2\n")
    (root / "helpers.py").write_text("ANSWER = 42\n")
    _install_fake_distribution(packages, "2.0")
    changed = build(root, env=env)
    after = {page: _shown(root, page) for page in DEPENDENT}
    return first, before, unchanged, changed, after


def test_an_unchanged_site_is_served_from_the_cache(rebuilt) -> None:
    first, before, unchanged, _, _ = rebuilt
    assert first.returncode == 0, first.stderr
    assert before["data.md"] == ["1,2,3\nmore 1\n"]
    assert before["module.md"] == ["41\n"]
    assert before["distribution.md"] == ["fakedist 1.0\n"]
    assert summary(unchanged) == (0, 4)


def test_only_the_pages_whose_inputs_changed_run_again(rebuilt) -> None:
    _, _, _, changed, _ = rebuilt
    assert summary(changed) == (3, 1)


def test_a_data_file_the_page_reads_is_part_of_the_key(rebuilt) -> None:
    assert rebuilt[4]["data.md"] == ["1,2,3\nmore 2\n"]


def test_a_local_module_outside_watch_is_part_of_the_key(rebuilt) -> None:
    assert rebuilt[4]["module.md"] == ["42\n"]


def test_the_versions_of_imported_distributions_are_part_of_the_key(rebuilt) -> None:
    assert rebuilt[4]["distribution.md"] == ["fakedist 2.0\n"]


PAGE = ("# 모양\n\n```python exec\nprint('printed')\n```\n\n값 `{py} 6 * 7`.\n\n"
        '```python figure alt="두 노드"\n"digraph { a -> b }"\n```\n')

WRONG_SHAPES = {
    "numbers": [1, 2, 3],
    "lists": [["printed"], [], None],
    "wrong types": [{"output": 5}, {"value": None}, {"output": "", "figure": "digraph {}"}],
    "missing keys": [{}, {}, {"output": "", "figure": {"kind": "dot"}}],
    "error without line": [{"output": "x"}, {"value": "42"}, {"error": {"message": "stale"}}],
}


def test_a_page_entry_of_the_wrong_shape_is_ignored(tmp_path: Path) -> None:
    root = write_site(tmp_path, {f"{shape.replace(' ', '-')}.md": PAGE for shape in WRONG_SHAPES})
    assert build(root).returncode == 0
    entries = list((root / ".cache" / "backprop" / "pages").glob("*.json"))
    assert len(entries) == len(WRONG_SHAPES)
    for entry, shape in zip(sorted(entries), sorted(WRONG_SHAPES)):
        # An entry is a line of what is checked (key, inputs, digest, count), then the results.
        head, _, _ = entry.read_text().partition("\n")
        assert json.loads(head)["count"] == len(WRONG_SHAPES[shape])
        entry.write_text(head + "\n" + json.dumps(WRONG_SHAPES[shape]))
    # The pages as assembled from the good results would serve unchanged pages whole:
    # without them, the wrong results are what the build finds.
    shutil.rmtree(root / ".cache" / "backprop" / "assembled")
    again = build(root)
    assert tracebacks(again.stderr) == [], again.stderr
    assert again.returncode == 0, again.stderr
    assert summary(again) == (2 * len(WRONG_SHAPES), 0)  # each page (two blocks) ran again
    for shape in WRONG_SHAPES:
        name = f"{shape.replace(' ', '-')}.md"
        html = page_html(root, name.replace(".md", "/index.html"))
        assert _shown(root, name) == ["printed\n"] and "값 42." in html and "<svg" in html, shape
