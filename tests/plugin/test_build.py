"""End-to-end: real `mkdocs build` of small sites with the plugin, read back as HTML."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from plugin_site import build, page_html, summary, write_site

GOOD_PAGES = {
    "index.md": '''
        ---
        title: 시작
        ---
        # 시작

        ```python exec
        price = 200 * 1.1
        print("<script>alert(1)</script>", price)
        ```

        값은 `{py} price`원, `{py} price:.1f`, `{py} price!r`, `{py} 3.3000000000000003`.
        배열 `{py} __import__("numpy").array([0.19661193, 2.0])`, 모양 `{py} __import__("numpy").zeros((2, 3)).shape`.
        수식 $p = `{py} price`$ 와 보통 코드 `price` 와 {{ price }} 와 {% raw %}.
        위험한 값 `{py} "<b>*굵게*</b>"`.

        $$
        q = `{py} price * 2` < 1000
        $$

        | 이름 | 값 |
        |---|---|
        | 가격 | `{py} price` |

        !!! note "안에서"
            ```python exec source="hide"
            print("nested", price)
            ```

            괄호 안 값 `{py} price * 2`.

        === "탭"

            ```python exec output="hide"
            print("hidden output")
            tab_value = 7
            ```

        - 목록

            ```python exec
            print("in a list", tab_value)
            ```

        ````markdown
        ```python exec
        raise SystemExit("must not run")
        ```
        ````

        ```python
        raise SystemExit("a plain python block is shown, never run")
        ```

        ```python exec raises="ArithmeticError"
        1 / 0
        ```

        ```python exec
        print("x" * 5000)
        ```

        다음 그림은 `{fig} later`입니다.
        ''',
    "figures.md": '''
        # 그림

        ```python figure id="first" caption="가격은 `{py} price`원" alt="a에서 b로"
        price = 220
        "digraph { a -> b }"
        ```

        ```python figure id="later" source="show" alt="c에서 d로"
        import graphviz
        g = graphviz.Digraph()
        g.edge("c", "d")
        g
        ```

        `{fig} first` 와 `{fig} later`.
        ''',
}


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = write_site(tmp_path_factory.mktemp("good"), GOOD_PAGES, options="output_limit: 1000",
                      extra="nav:\n  - index.md\n  - figures.md\n")
    result = build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root, result


def test_block_output_is_escaped_text_under_highlighted_code(good_site) -> None:
    root, _ = good_site
    page = page_html(root, "index.html")
    assert "<script>alert(1)</script>" not in page
    assert '<div class="bp-output"><pre><code>&lt;script&gt;alert(1)&lt;/script&gt; 220.00000000000003' in page
    assert 'class="highlight"' in page  # the code went through pymdownx.highlight


def test_inline_values_use_fstring_semantics_and_format_value(good_site) -> None:
    page = page_html(good_site[0], "index.html")
    assert "값은 220원, 220.0, 220.00000000000003, 3.3." in page
    assert "배열 [0.196612, 2], 모양 (2, 3)." in page
    assert "np.float64" not in page


def test_values_are_html_escaped_and_not_markdown(good_site) -> None:
    page = page_html(good_site[0], "index.html")
    assert "위험한 값 &lt;b&gt;*굵게*&lt;/b&gt;." in page


def test_values_in_tables_math_and_nested_blocks(good_site) -> None:
    page = page_html(good_site[0], "index.html")
    assert "<td>220</td>" in page
    assert "<mn>220</mn>" in page  # inside $…$, converted to MathML after substitution
    assert "<mn>440</mn><mo>&lt;</mo><mn>1000</mn>" in page  # inside $$…$$
    assert "nested 220.00000000000003" in page
    assert "괄호 안 값 440." in page
    assert "in a list 7" in page


def test_other_code_and_braces_are_left_alone(good_site) -> None:
    page = page_html(good_site[0], "index.html")
    assert "<code>price</code>" in page
    assert "{{ price }}" in page and "{% raw %}" in page
    assert "must not run" in page  # shown literally inside the outer fence
    assert "a plain python block is shown, never run" in page


def test_source_hide_and_output_hide(good_site) -> None:
    page = page_html(good_site[0], "index.html")
    assert '<div class="bp-output"><pre><code>hidden output' not in page  # output="hide"
    assert '"hidden output"</span>' in page  # ... but its code is shown
    assert '"nested"</span>' not in page  # source="hide"
    assert '<div class="bp-output"><pre><code>nested 220' in page  # ... but its output is shown


def test_raises_shows_the_traceback_cut_to_the_page(good_site) -> None:
    page = page_html(good_site[0], "index.html")
    block = re.search(r'ZeroDivisionError: division by zero', page)
    assert block
    assert 'File &quot;docs/index.md&quot;, line 55' in page
    assert "plugin/worker.py" not in page


def test_huge_output_is_cut_with_a_note(good_site) -> None:
    page = page_html(good_site[0], "index.html")
    assert "x" * 1000 in page and "x" * 1001 not in page
    assert "4,001자를 생략했습니다" in page


def test_figures_are_numbered_captioned_and_referenced_across_pages(good_site) -> None:
    root, _ = good_site
    figures = page_html(root, "figures/index.html")
    # The drawing sits in its own scroll box, named for the figure (figures.js uses it).
    assert '<figure class="bp-figure" id="first"><div class="bp-figure-scroll" data-bp-name="그림 5-1"><svg' in figures
    assert "<figcaption>그림 5-1: 가격은 220원</figcaption>" in figures
    assert "<figcaption>그림 5-2</figcaption>" in figures
    assert 'role="img" aria-label="a에서 b로"' in figures  # alt="…" reaches the SVG
    assert 'id="bp-first-' in figures and 'id="bp-later-' in figures  # SVG ids prefixed per figure
    assert '<a class="bp-figure-ref" href="./#first">그림 5-1</a>' in figures
    index = page_html(root, "index.html")
    assert '다음 그림은 <a class="bp-figure-ref" href="figures/#later">그림 5-2</a>입니다.' in index


def test_figure_code_is_collapsed_unless_shown(good_site) -> None:
    figures = page_html(good_site[0], "figures/index.html")
    collapsed, shown = figures.split('id="later"')
    assert "<summary>코드 보기</summary>" in collapsed
    assert "코드 보기" not in shown
    # source="show": the code comes before the figure
    assert collapsed.rfind("graphviz") > collapsed.rfind("</details>")


def test_one_info_line_counts_blocks(good_site) -> None:
    _, result = good_site
    assert summary(result) == (8, 0)
    assert len(re.findall(r"backprop: \d+ pages", result.stderr)) == 1


def test_svg_and_mathml_are_in_the_page_but_not_parsed_into_the_search_index(tmp_path: Path) -> None:
    # The search plugin parses every page's content; SVG and MathML markup are kept out of what it
    # parses (figures and MathML are put into the finished page); captions stay searchable.
    figure = '''
        ```python figure caption="두루미그림 설명" alt="참새에서 비둘기로"
        'digraph { 참새 -> 비둘기 [label="' + "까치" + '값"] }'
        ```
    '''
    root = write_site(tmp_path, {"index.md": f"# 새\n\n분수 $\\frac{{a}}{{b}}$ 하나.\n\n{figure}"})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - search\n"),
                      encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    page = page_html(root, "index.html")
    (svg,) = re.findall(r'<figure class="bp-figure"[^>]*><div class="bp-figure-scroll"[^>]*><svg\b.*?</svg>', page,
                        flags=re.DOTALL)
    assert "까치값" in svg and 'aria-label="참새에서 비둘기로"' in svg
    assert "<!--bpx" not in page  # no placeholder left behind
    assert "<mfrac>" in page  # formulas, too, are MathML in the finished page only
    # (The label is joined in the code, so only the drawn SVG holds it whole.)
    index = json.loads((root / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "두루미그림" in text
    assert "까치값" not in text and "<svg" not in text
    # Formulas are indexed as readable text (math_text), not as LaTeX or MathML.
    assert "<math" not in text and "\\frac" not in text and "a/b" in text


def test_values_in_headings_reach_the_table_of_contents_and_page_titles(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "index.md": '''
            # 사과 `{py} 1 + 1`개의 계산

            ```python exec
            price = 220
            ```

            ## 지불 금액 `{py} price`원

            본문.
        ''',
        "two.md": "# 둘째 쪽\n\n본문.\n",
    }, extra="  - toc:\n      permalink: true\n")
    result = build(root)
    assert result.returncode == 0, result.stderr
    index, two = page_html(root, "index.html"), page_html(root, "two/index.html")
    (heading_id,) = re.findall(r'<h2 id="([^"]+)">지불 금액 220원', index)
    # The page's table of contents links to that very id and shows the value.
    toc = re.search(r'data-md-component="toc".*?</nav>', index, flags=re.DOTALL).group(0)
    assert f'href="#{heading_id}"' in toc
    assert re.search(r"지불 금액 220원\s*</span>", toc)
    # The first heading is the page's title in every page's navigation.
    assert "사과 2개의 계산" in two
    for page in (index, two):
        assert "bpx" not in page, "a value's placeholder leaked into the page"


def test_a_figure_reference_in_a_heading_links_in_the_page_and_reads_as_text_elsewhere(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "index.md": ('# 사과 그래프\n\n```python figure id="apple" alt="사과"\n"digraph { a -> b }"\n```\n\n'
                     "## `{fig} apple` 읽기\n\n본문.\n"),
        "two.md": "# 둘째 쪽 `{fig} apple`\n\n본문.\n",
    }, extra="  - toc:\n      permalink: true\n")
    result = build(root)
    assert result.returncode == 0, result.stderr
    index, two = page_html(root, "index.html"), page_html(root, "two/index.html")
    # In the heading the reference is a link; in its id (an attribute) it is text.
    (heading,) = re.findall(r"<h2 [^>]*>.*?</h2>", index)
    assert re.fullmatch(r'<h2 id="[^"<>]+">'
                        r'<a class="bp-figure-ref" href="\./#apple">그림 5-1</a> 읽기'
                        r'<a class="headerlink" href="#[^"<>]+" title="[^"]+">&para;</a></h2>', heading), heading
    # The table of contents and every page's navigation hold links already: the label is text there.
    toc = re.search(r'data-md-component="toc".*?</nav>', index, flags=re.DOTALL).group(0)
    assert re.search(r"그림 5-1 읽기\s*</span>", toc) and "bp-figure-ref" not in toc
    assert re.search(r"둘째 쪽 그림 5-1\s*</span>", index)  # the other page's title, in the navigation
    assert index.count("bp-figure-ref") == 1 and two.count("bp-figure-ref") == 1  # the headings' own links
    assert "<title>둘째 쪽 그림 5-1 - test</title>" in two


def test_a_page_can_name_its_figures_and_each_name_counts_from_one(tmp_path: Path) -> None:
    figure = '```python figure id="{id}" alt="그림"\n"digraph {{ a -> b }}"\n```\n'
    root = write_site(tmp_path, {
        "a.md": "# 5장\n\n" + figure.format(id="a1") + "\n" + figure.format(id="a2"),
        "b.md": "---\nfigure_label: \"그림 6-{n}\"\n---\n# 6장\n\n" + figure.format(id="b1")
                + "\n`{fig} a2`와 `{fig} b1`을 보라.\n",
        "c.md": "# 5장 뒤\n\n" + figure.format(id="c1"),
    }, extra="nav:\n  - a.md\n  - b.md\n  - c.md\n")
    result = build(root)
    assert result.returncode == 0, result.stderr
    b = page_html(root, "b/index.html")
    assert "<figcaption>그림 6-1</figcaption>" in b
    assert '>그림 5-2</a>와 <a class="bp-figure-ref" href="./#b1">그림 6-1</a>을 보라.' in b
    # The default name keeps counting across the page that uses another one.
    assert "<figcaption>그림 5-3</figcaption>" in page_html(root, "c/index.html")


def test_a_figure_label_without_a_number_is_an_error_on_the_front_matter(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": "---\nfigure_label: 그림\n---\n# 제목\n"})
    result = build(root)
    assert result.returncode != 0
    assert "docs/index.md:1: figure_label: '그림' in the front matter is not a figure label" in result.stderr
