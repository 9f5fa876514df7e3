"""Matrix row 3 — messages point at the real place.

An author reads a message and goes to that line: the line must be where the
problem is, the quoted code must be the author's, and the message must name what
actually happened.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from reliability_helpers import build, errors, page_html, serve_build, write_site

PAGES: dict[str, str] = {
    "unclosed.md": "# 열림\n\n```python exec\nx = 1\n\n이 문단은 코드가 아니라 본문입니다.\n마지막 줄.\n",
    "syntax-front-matter.md": ("---\ntitle: 앞머리\n---\n# 문법\n\n!!! note\n\n    ```python exec\n"
                               "    x = 1\n    if x\n        pass\n    ```\n"),
    "syntax-unclosed-paren.md": "# 괄호\n\n```python exec\nx = (1,\n     2\ny = 3\n```\n",
    "syntax-indent.md": "# 들여쓰기\n\n```python exec\ndef f():\n    return 1\n  x = 2\n```\n",
    "syntax-compile.md": "# 반환\n\n```python exec\nx = 1\nreturn x\n```\n",
    "repr-svg-raises.md": ('# 그림\n\n```python figure alt="그림"\nclass Chart:\n    def _repr_svg_(self):\n'
                          '        raise ValueError("no data to draw")\nChart()\n```\n'),
    "describe-raises.md": ("# 그래프\n\n```python figure\nclass G:\n    def to_digraph(self):\n"
                           "        import graphviz\n        return graphviz.Digraph()\n"
                           "    def describe(self):\n        return {}['missing']\nG()\n```\n"),
    "quoted.md": "# 인용\n\n> 인용문 속 코드:\n>\n> ```python exec\n> print('in a quote')\n> ```\n",
    "snippet.md": "# 조각\n\n본문.\n\n--8<-- \"part.md\"\n",
    "value-two-lines.md": "# 값\n\n앞 문장 `{py} 1 + 1` 뒤.\n긴 값 `{py} 1 +\n2` 끝.\n",
    "reference-two-lines.md": "# 참조\n\n본문.\n\n그림 ``{fig}\nfig-a`` 참고.\n",
    "front-matter-quote.md": '---\ntitle: 앞머리\nfigure_label: "그림 {n}\nsummary: 요약\n---\n# 앞머리\n',
    "front-matter-colon.md": "---\ntitle: 곱셈: 덧셈\n---\n# 앞머리\n",
    "opens-with-a-rule.md": "---\n앞머리가 아니라 본문인 줄\n---\n# 가로줄\n",
    "caption-unclosed.md": '# 설명\n\n```python figure alt="둘" caption="값 `{py} 1 + 1"\n"digraph { a -> b }"\n```\n',
    "alt-value.md": '# 대체\n\n```python figure alt="값 `{py} 1 + 1`"\n"digraph { a -> b }"\n```\n',
    "value-in-link.md": "# 링크\n\n[여기](`{py} 'javascript:void(0)'`)를 누릅니다.\n",
    "figure-typo.md": ('# 그림\n\n```python figure id="apple-graph" alt="사과"\n"digraph { a -> b }"\n```\n\n'
                       "`{fig} Apple-grahp`를 봅니다.\n"),
}

# page -> (line the message must name, phrase it must hold, phrase it must not hold)
EXPECTED: dict[str, tuple[int, str, str | None]] = {
    "unclosed.md": (3, "never closed", "invalid syntax"),
    "syntax-front-matter.md": (10, "    if x\n", "title: 앞머리"),
    "syntax-unclosed-paren.md": (4, "    x = (1,\n", "# 괄호"),
    "syntax-indent.md": (6, "x = 2\n", "```python exec"),
    "syntax-compile.md": (5, "'return' outside function", None),
    "repr-svg-raises.md": (6, "ValueError: no data to draw", "os._exit()"),
    "describe-raises.md": (9, "KeyError: 'missing'", "os._exit()"),
    "quoted.md": (5, "blockquote", None),
    "snippet.md": (5, "part.md", None),
    "value-two-lines.md": (4, "this `{py} …` is not closed on its line; an inline value must be on one line", None),
    "reference-two-lines.md": (5, "end it with `` on this line", None),
    "front-matter-quote.md": (3, "not valid YAML: a quoted scalar that is never closed", None),
    "front-matter-colon.md": (2, "not valid YAML: mapping values are not allowed here", None),
    "caption-unclosed.md": (3, "a `{py} …` value in the caption is not closed", None),
    "alt-value.md": (3, "alt may not hold `{py} …` values", None),
    "value-in-link.md": (3, "is a link's address, where its text would become markup", None),
    "figure-typo.md": (7, "`{fig} Apple-grahp` refers to no figure; did you mean `{fig} apple-graph`?", None),
}

SNIPPETS = "  - pymdownx.snippets:\n      base_path: [snippets]\n      check_paths: true\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = write_site(tmp_path_factory.mktemp("place"), {"index.md": "# 목차\n\n본문.\n", **PAGES}, extra=SNIPPETS)
    (root / "snippets").mkdir()
    (root / "snippets" / "part.md").write_text("조각 본문.\n\n```python exec\nprint('in a snippet')\n```\n",
                                              encoding="utf-8")
    return root, build(root)


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_the_message_names_the_real_place(built, page: str) -> None:
    _, result = built
    line, phrase, wrong = EXPECTED[page]
    reports = [e for e in errors(result) if f"docs/{page}:" in e]
    assert len(reports) == 1, result.stderr
    assert f"docs/{page}:{line}: " in reports[0]
    assert phrase in reports[0] + "\n"
    if wrong:
        assert wrong not in reports[0]


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_the_page_itself_shows_the_message(built, page: str) -> None:
    # Under serve the log says "error shown in the page", and the author looks there. A
    # failure with a place of its own shows there (a box at the block, a mark at the
    # value); the others (front matter, a quoted block, a value left open, a snippet) in
    # one notice under the page's title, which stays the page's title.
    root, _ = built
    html = page_html(root, page.removesuffix(".md") + "/index.html")
    location = f"docs/{page}:{EXPECTED[page][0]}"
    assert f"실행 오류 — {location}" in html or f"⚠ {location}" in html or f"<li><code>{location}</code>" in html
    if "bp-page-errors" in html and (root / "docs" / page).read_text(encoding="utf-8").startswith("# "):
        assert html.index("<h1") < html.index("bp-page-errors")
        assert html.count("bp-page-errors") == 1


def test_a_page_that_opens_with_a_rule_has_no_front_matter_to_fix(built) -> None:
    _, result = built
    assert not [e for e in errors(result) if "docs/opens-with-a-rule.md" in e]


def test_a_syntax_error_counts_lines_in_the_page(built) -> None:
    # "unterminated string literal (detected at line 1)": line 1 of what? Of the page, please.
    root, _ = built
    page = root / "docs" / "str.md"
    page.write_text('# 문자열\n\n```python exec\ns = "abc\n```\n', encoding="utf-8")
    try:
        result = build(root)
    finally:
        page.unlink()
    [report] = [e for e in errors(result) if "docs/str.md:" in e]
    assert "docs/str.md:4: " in report and "detected at line 1)" not in report


# -- under mkdocs serve -------------------------------------------------------------


SERVE_CASES = {
    "unknown-option": ('```python exec colour="red"', "unknown option 'colour'"),
    "twice": ('```python exec output="hide" output="show"', "given twice"),
    "bad-id": ('```python figure id="9lives" alt="x"', 'id="9lives"'),
}


@pytest.mark.parametrize("case", sorted(SERVE_CASES))
def test_serve_shows_a_box_for_a_bad_option_and_stops_there(tmp_path: Path, case: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    fence, phrase = SERVE_CASES[case]
    root = write_site(tmp_path, {"index.md": (
        f"# 옵션\n\n{fence}\nprint('the bad block')\n```\n\n"
        "```python exec\nprint('a later block')\n```\n")}, extra="strict: true\n")
    with caplog.at_level(logging.INFO):
        serve_build(root)  # a strict serve must not abort: the error is in the page
    html = page_html(root, "index.html")
    box = re.search(r'<div class="admonition failure bp-error"><p class="admonition-title">(.*?)</p><pre>(.*?)</pre>',
                    html, re.DOTALL)
    assert box, "no error box where the block is"
    assert box.group(1) == "실행 오류 — docs/index.md:3"
    assert phrase in box.group(2).replace("&#x27;", "'").replace("&quot;", '"')
    assert "a later block</code>" not in html  # later blocks are not run, as after a runtime error
    assert "bp-not-run" in html
    logged = [r for r in caplog.records if "docs/index.md:3" in r.getMessage()]
    assert logged and all(r.levelno >= logging.WARNING for r in logged)


def test_serve_logs_runtime_errors_as_warnings_even_when_strict(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    root = write_site(tmp_path, {"index.md": "# 실행\n\n```python exec\n1 / 0\n```\n"}, extra="strict: true\n")
    with caplog.at_level(logging.INFO):
        serve_build(root)
    logged = [r for r in caplog.records if "docs/index.md:4" in r.getMessage()]
    assert logged and all(r.levelno >= logging.WARNING for r in logged)
    assert "ZeroDivisionError" in page_html(root, "index.html")


def test_a_slow_inline_value_is_told_the_fixes_an_inline_value_has(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": "# 값\n\n본문.\n\n값 `{py} __import__('time').sleep(30)` 끝.\n"},
                      options="timeout: 1")
    [report] = [e for e in errors(build(root)) if "docs/index.md:" in e]
    assert report.startswith("ERROR   -  backprop: docs/index.md:5: this inline value did not finish within 1 s")
    assert "compute it in a block before it" in report and "raise the plugin's `timeout` option" in report
    assert "give the block more time" not in report  # a value has no block, nor options
