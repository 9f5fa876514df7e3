"""Finding blocks and inline values in Markdown, with .md line numbers."""
from __future__ import annotations

import textwrap

from mkdocs_backprop.blocks import Block, Fence, find_inline, front_matter_lines, parse_page, snippet_includes


def md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_exec_and_figure_blocks_with_options_and_lines() -> None:
    page = parse_page(md('''
        # title

        ```python exec source="hide" timeout="5"
        x = 1
        ```

        ```python figure id="g" caption="값 `{py} x` 원"
        "digraph {}"
        ```
        '''))
    exec_block, figure = page.blocks
    assert (exec_block.kind, exec_block.line, exec_block.first_code_line, exec_block.last_line) == ("exec", 3, 4, 5)
    assert exec_block.options == {"source": "hide", "timeout": "5"}
    assert figure.options["id"] == "g"
    assert [(r.kind, r.text, r.line) for r in figure.caption_refs] == [("py", "x", 7)]
    assert page.errors == []


def test_nested_fences_are_dedented_and_keep_their_indent() -> None:
    page = parse_page(md('''
        !!! note

            ```python exec
            for i in range(2):
                print(i)
            ```
        '''))
    (block,) = page.blocks
    assert block.indent == "    "
    assert block.code == "for i in range(2):\n    print(i)"
    assert block.line == 3


def test_exec_fences_shown_inside_other_fences_are_not_blocks() -> None:
    page = parse_page(md('''
        ````markdown
        ```python exec
        print("shown, not run")
        ```
        ````

        ~~~
        ```python figure
        g
        ```
        ~~~
        '''))
    assert page.blocks == []
    assert sum(isinstance(s, Fence) for s in page.segments) == 2


def test_plain_python_blocks_are_not_blocks() -> None:
    page = parse_page("```python\n1/0\n```\n```python title=\"x.py\"\n1/0\n```\n")
    assert page.blocks == []


def test_unknown_option_is_an_error_at_the_fence_line() -> None:
    page = parse_page('text\n\n```python exec colour="red"\nx = 1\n```\n', line_offset=3)
    (block,) = page.blocks  # still a block: it shows its error box where it stands
    assert block.line == 6 and block.options == {} and block.code == "x = 1"
    assert "unknown option 'colour'" in block.problem and "raises" in block.problem


def test_bad_option_values_are_errors() -> None:
    for info, expected in [('source="maybe"', "source"), ('timeout="-1"', "timeout"), ("source=hide", "key=\"value\"")]:
        (block,) = parse_page(f"```python exec {info}\nx\n```\n").blocks
        assert block.problem and expected in block.problem, info


def test_a_block_without_a_closing_fence_is_an_error_at_its_opening() -> None:
    (block,) = parse_page("# t\n\n```python exec\nx = 1\n\n본문\n", line_offset=2).blocks
    assert block.line == 5 and "never closed" in block.problem


def test_a_block_inside_a_blockquote_is_an_error() -> None:
    page = parse_page("> 인용\n>\n> ```python exec\n> x = 1\n> ```\n")
    assert page.blocks == []
    (error,) = page.errors
    assert error.line == 3 and "blockquote" in error.message


def test_snippet_includes_are_found_outside_fences() -> None:
    text = 'a\n--8<-- "part.md"\n```\n--8<-- "shown.md"\n```\n--8<--\nx.md\n;y.md\n--8<--\n'
    assert snippet_includes(text, 10) == [(12, "part.md"), (17, "x.md")]


def test_interactive_is_a_figure_option_of_true_or_false() -> None:
    page = parse_page('```python figure interactive="false"\ng\n```\n')
    assert page.blocks[0].problem is None and page.blocks[0].options["interactive"] == "false"
    page = parse_page('```python figure interactive="yes"\ng\n```\n')
    assert 'interactive="yes" is not understood; use one of: false, true' in page.blocks[0].problem
    page = parse_page('```python exec interactive="true"\nx\n```\n')
    assert "unknown option 'interactive'" in page.blocks[0].problem


def test_inline_values_and_figure_references_only() -> None:
    refs = find_inline("a `{py} x:.2f` b `code` c ``{py} y[`a`]`` d `{fig} g1` `{{ x }}`", 9)
    assert [(r.kind, r.text, r.line) for r in refs] == [("py", "x:.2f", 9), ("py", "y[`a`]", 9), ("fig", "g1", 9)]


def test_front_matter_lines_are_counted() -> None:
    source = "---\ntitle: x\n---\n# T\n"
    assert front_matter_lines(source, "# T\n") == 3
    assert front_matter_lines("# T\n", "# T\n") == 0


def test_figure_ids_must_be_usable_as_html_ids() -> None:
    (block,) = parse_page('```python figure id="두 단어"\ng\n```\n').blocks
    assert block.problem and 'id="두 단어" must start with a letter' in block.problem
    assert parse_page('```python figure id="apple-forward_2"\ng\n```\n').blocks[0].problem is None
