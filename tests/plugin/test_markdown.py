"""Small conversions: planned page + given results -> Markdown -> HTML with the real extensions."""
from __future__ import annotations

import textwrap

import markdown

from mkdocs_backprop.figure_index import FigureIndex
from mkdocs_backprop.page_assembly import assemble
from mkdocs_backprop.page_plan import plan_page
from mkdocs_backprop.placeholders import Placeholders
from mkdocs_backprop.settings import Settings
from mkdocs_backprop.worker_protocol import ItemResult

EXTENSIONS = ["admonition", "pymdownx.superfences", "pymdownx.highlight", "pymdownx.details", "tables"]


def convert(source: str, results: list[ItemResult]) -> tuple[str, list]:
    text = textwrap.dedent(source).lstrip("\n")
    settings = Settings()
    plan = plan_page(text, path="docs/p.md", line_offset=0, settings=settings)
    assert len(plan.items) >= len(results)  # fewer results: the rest were not run
    placeholders = Placeholders()
    outcome = assemble(plan, results, placeholders, settings, src_uri="p.md",
                       figures=FigureIndex(), link=lambda entry: "")
    html = markdown.Markdown(extensions=EXTENSIONS).convert(outcome.markdown)
    return placeholders.fill(html), outcome.failures


def test_output_sits_under_the_code_inside_an_admonition() -> None:
    html, failures = convert('''
        !!! note "상자"
            ```python exec
            print(1)
            ```

            뒤 문장.
        ''', [ItemResult(output="1 < 2 & *3*\n")])
    assert failures == []
    inside = html.split('<div class="admonition note">')[1]
    code_at = inside.index('class="highlight"')
    output_at = inside.index('<div class="bp-output"><pre><code>1 &lt; 2 &amp; *3*\n</code></pre></div>')
    assert code_at < output_at < inside.index("뒤 문장.")


def test_inline_values_are_text_not_markdown() -> None:
    html, _ = convert('''
        값 `{py} a` 와 `{py} b` 와 `c`.
        ''', [ItemResult(value="*기울임 아님*"), ItemResult(value="<i>x</i>")])
    assert html == "<p>값 *기울임 아님* 와 &lt;i&gt;x&lt;/i&gt; 와 <code>c</code>.</p>"


def test_failure_becomes_an_error_box_and_later_items_are_not_run() -> None:
    html, failures = convert('''
        ```python exec
        x = 1
        boom()
        ```

        값 `{py} x`.
        ''', [ItemResult.failed(3, "NameError: name 'boom' is not defined", "tb")])
    assert [f.report() for f in failures] == ["docs/p.md:3: NameError: name 'boom' is not defined\ntb"]
    assert '<p class="admonition-title">실행 오류 — docs/p.md:3</p>' in html
    assert '<span class="bp-error bp-not-run">⚠ x</span>' in html


def test_source_hide_output_hide_and_empty_output() -> None:
    html, _ = convert('''
        ```python exec source="hide"
        print("shown")
        ```

        ```python exec output="hide"
        print("hidden")
        ```

        ```python exec
        y = 2
        ```
        ''', [ItemResult(output="shown\n"), ItemResult(output="hidden\n"), ItemResult(output="")])
    assert html.count('class="highlight"') == 2
    assert "shown\n</code></pre></div>" in html
    assert "hidden\n</code>" not in html
    assert html.count("bp-output") == 1


def test_disabled_leaves_plain_code_and_inline_source() -> None:
    text = '```python exec source="hide"\nprint(1)\n```\n\n값 `{py} x`.\n'
    settings = Settings(enabled=False)
    plan = plan_page(text, path="docs/p.md", line_offset=0, settings=settings)
    outcome = assemble(plan, None, Placeholders(), settings, src_uri="p.md", figures=FigureIndex(),
                       link=lambda entry: "")
    assert outcome.markdown == "```python\nprint(1)\n```\n\n값 `{py} x`.\n"
