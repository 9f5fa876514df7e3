"""Every failure names page:line, fails the build (strict or not), and shows a box under serve."""
from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

import pytest

from plugin_site import build, page_html, serve_build, summary, write_site

# page -> (Markdown, the line the error must name, a phrase of the message)
FAILURES: dict[str, tuple[str, int, str]] = {
    "syntax.md": ("# s\n\n```python exec\nx = 1\nif x\n    pass\n```\n", 5, "SyntaxError"),
    "exception.md": (
        "---\ntitle: 앞머리\n---\n# e\n\n```python exec\nx = 1\ny = {}\nprint(y['nope'])\n```\n",
        9, "KeyError: 'nope'",
    ),
    "raises.md": ('# r\n\n```python exec raises="ValueError"\nx = 1\n```\n', 3, 'raises="ValueError" was given'),
    "raises-wrong.md": ('# r\n\n```python exec raises="KeyError"\n1 / 0\n```\n', 4,
                       'ZeroDivisionError: division by zero (the block is marked raises="KeyError", but raised'),
    "timeout.md": (
        '# t\n\n```python exec timeout="1"\nwhile True:\n    pass\n```\n\n'
        "뒤 값 `{py} 1 + 1`.\n\n```python exec\nprint('later')\n```\n",
        3, "did not finish within 1 s",
    ),
    "exit.md": ("# x\n\n```python exec\nimport sys\nsys.exit(3)\n```\n", 5, "sys.exit(3)"),
    "os-exit.md": ("# o\n\n```python exec\nimport os\nos._exit(1)\n```\n", 3, "os._exit()"),
    "crash.md": ("# c\n\n```python exec\nimport ctypes\nctypes.string_at(0)\n```\n", 3, "a crash or a signal"),
    "option.md": ('# o\n\n```python exec colour="red"\nx = 1\n```\n', 3, "unknown option 'colour'"),
    "undefined.md": ("# u\n\n```python exec\nx = 1\n```\n\n값 `{py} x` 와\n`{py} nope + 1`.\n", 8,
                     "NameError: name 'nope' is not defined"),
    "spec.md": ("# f\n\n```python exec\nx = 1.5\n```\n\n값 `{py} x:.2q`.\n", 7, "Unknown format code 'q'"),
    "figure-statement.md": ('# g\n\n```python figure alt="x"\nx = 1\ng = "digraph {}"\n```\n', 5,
                            "last statement is not an expression"),
    "figure-value.md": ("# g\n\n```python figure\n42\n```\n", 4, "cannot draw a value of type int"),
    "figure-ref.md": ("# r\n\n본문\n\n`{fig} nowhere` 참고.\n", 5, "`{fig} nowhere` refers to no figure"),
    "formula.md": ("---\ntitle: 수식\n---\n# m\n\n앞 문단.\n\n좋은 식 $x^2$, 나쁜 식 $\\frac{1}$.\n", 8,
                   "\\frac{1}"),
    "formula-display.md": ("# m\n\n앞 문단.\n\n$$\na = b\n+ \\frac{1}{2\n$$\n", 6, "unclosed '{'"),
    "formula-value.md": ("# m\n\n값이 든 식\n\n$y = `{py} 1 + 2` + \\nosuch{x}$\n", 5, "y = 3 + \\nosuch{x}"),
}


@pytest.fixture(scope="module")
def failing_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = {name: text for name, (text, _, _) in FAILURES.items()}
    pages["index.md"] = "# 목차\n\n```python exec\nprint('fine')\n```\n"
    return write_site(tmp_path_factory.mktemp("failing"), pages)


@pytest.fixture(scope="module")
def failed_build(failing_site: Path):
    return build(failing_site)


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_failure_names_page_and_line(failed_build, name: str) -> None:
    _, line, phrase = FAILURES[name]
    reports = [r for r in re.split(r"\n(?=ERROR|INFO|WARNING)", failed_build.stderr)
               if r.startswith("ERROR") and f"docs/{name}:" in r]
    assert len(reports) == 1, failed_build.stderr
    assert f"docs/{name}:{line}: " in reports[0]
    assert phrase in reports[0]


def test_a_broken_formula_is_marked_in_its_page_and_the_others_convert(failing_site: Path, failed_build) -> None:
    html = page_html(failing_site, "formula/index.html")
    content = html[html.index("<article"):html.index("</article>")]
    assert content.count("<math") == 1 and "<msup>" in content  # the good $x^2$
    assert '<span class="bp-error bp-inline-error bp-broken-formula">⚠ <code>\\frac{1}</code>: ' in content
    assert "\\(" not in content  # no formula left as raw LaTeX


def test_build_fails_without_strict(failed_build) -> None:
    assert failed_build.returncode != 0
    assert f"{len(FAILURES)} error(s) in the pages' code" in failed_build.stderr


def test_build_fails_with_strict(failing_site: Path) -> None:
    result = build(failing_site, "--strict")
    assert result.returncode != 0
    assert "docs/exception.md:9: KeyError" in result.stderr


def test_tracebacks_are_cut_to_the_authors_code(failed_build) -> None:
    report = failed_build.stderr.split("docs/exception.md:9:")[1].split("\nINFO")[0]
    assert 'File "docs/exception.md", line 9, in <module>' in report
    assert "print(y['nope'])" in report  # the .md line itself is quoted
    assert "plugin/worker.py" not in report


def test_later_blocks_after_a_timeout_are_reported_not_run(failed_build) -> None:
    assert "docs/timeout.md: 2 later block(s)/value(s) not run" in failed_build.stderr


def test_failures_are_not_cached(failing_site: Path, failed_build) -> None:
    again = build(failing_site)
    assert again.returncode != 0
    assert "docs/exception.md:9: KeyError" in again.stderr
    run, cached = summary(again)
    assert cached == 1  # only index.md, the page without errors


# -- serve --------------------------------------------------------------------------


def test_serve_shows_error_boxes_and_recovers(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "index.md": "# s\n\n```python exec\nx = {}\nx['k']\n```\n\n값 `{py} x`.\n\n```python exec\nprint('after')\n```\n",
    }, extra="strict: true\n")
    serve_build(root)  # a strict serve build must not abort: the error is in the page
    page = page_html(root, "index.html")
    box = re.search(r'<div class="admonition failure bp-error"><p class="admonition-title">(.*?)</p><pre>(.*?)</pre>',
                    page, re.DOTALL)
    assert box and box.group(1) == "실행 오류 — docs/index.md:5"
    assert "KeyError: &#x27;k&#x27;" in box.group(2)
    assert '<div class="admonition warning bp-error bp-not-run">' in page  # the later block
    assert '<span class="bp-error bp-not-run">⚠ x</span>' in page  # the later inline value
    assert '<div class="bp-output"><pre><code>after' not in page

    (root / "docs" / "index.md").write_text(
        "# s\n\n```python exec\nx = {}\nx['k'] = 1\n```\n\n값 `{py} x`.\n\n```python exec\nprint('after')\n```\n",
        encoding="utf-8")
    serve_build(root)
    page = page_html(root, "index.html")
    assert "bp-error" not in page
    assert "값 {&#x27;k&#x27;: 1}." in page
    assert '<div class="bp-output"><pre><code>after' in page


def test_a_library_that_does_not_import_fails_only_the_pages_using_it(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "index.md": "# 앞\n\n```python exec\nprint('independent')\n```\n",
        "uses.md": "# 뒤\n\n```python exec\nimport layers\n```\n",
    })
    # A layers/ beside mkdocs.yml comes first on the worker's path: broken mid-edit.
    (root / "layers").mkdir()
    (root / "layers" / "__init__.py").write_text("def half(:\n", encoding="utf-8")
    result = build(root)
    assert result.returncode != 0
    assert "docs/uses.md:4: SyntaxError: " in result.stderr, result.stderr
    assert "independent" in page_html(root, "index.html")


def test_pages_and_notebooks_name_files_as_the_site_does_not_as_the_build_machine_does(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "index.md": ('# 경로\n\n```python exec raises="ValueError"\nimport helper\nhelper.check(-1)\n```\n\n'
                     '```python exec\nimport numpy as np\nprint(np.mean(np.array([])))\n```\n'),
        "broken.md": "# 오류\n\n```python exec\nimport json\njson.loads('{')\n```\n",
    })
    # A module beside mkdocs.yml, as the book's layers/ is.
    (root / "helper.py").write_text("def check(x):\n    if x < 0:\n        raise ValueError(f'negative: {x}')\n",
                                    encoding="utf-8")
    serve_build(root)
    page = html.unescape(page_html(root, "index.html"))
    assert 'File "docs/index.md", line 5, in <module>\n    helper.check(-1)' in page
    assert "File \"helper.py\", line 3, in check\n    raise ValueError(f'negative: {x}')" in page
    assert re.search(r"<site-packages>/numpy/_core/fromnumeric\.py:\d+: RuntimeWarning: Mean of empty slice", page)
    broken = html.unescape(page_html(root, "broken/index.html"))
    assert 'File "<stdlib>/json/decoder.py", line ' in broken  # the error box
    downloads = [p for p in (root / "site").rglob("*") if p.suffix in (".ipynb", ".py")]
    assert any(p.suffix == ".ipynb" for p in downloads)
    notebook = "".join(p.read_text(encoding="utf-8") for p in downloads)
    assert "helper.py" in notebook and "<site-packages>/numpy" in notebook
    for text in (page, broken, notebook):
        for path in (str(tmp_path), sys.prefix, sys.base_prefix, os.path.dirname(os.__file__)):
            assert path not in text
