"""Matrix row 1 — the finished page is safe whatever the code produces.

Code is trusted, its output is not: no value, output or figure may put script in
a published page (a ``<script>``, an ``on…=`` handler, a ``javascript:`` link, an
animation that rewrites a link), and a drawing may not fetch anything from
elsewhere (readers have no network beyond our server). Each page below is one
attack; the figure's harmless parts must still be drawn.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reliability_helpers import build, errors, page_html, unsafe_markup, write_site


def _svg_page(inner: str, root_attrs: str = "") -> str:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="40" height="20" viewBox="0 0 40 20"{root_attrs}>'
           f'<rect class="kept" x="1" y="1" width="10" height="10" fill="red"/>{inner}</svg>')
    return ("# 그림\n\n```python figure alt=\"상자 하나\"\n"
            "class Drawing:\n"
            "    def _repr_svg_(self):\n"
            f"        return {svg!r}\n"
            "Drawing()\n```\n")


# page -> Markdown; every attack calls alert(…) so the scanner can tell it from the theme's scripts
ATTACKS: dict[str, str] = {
    "title-value.md": "# 제목 `{py} '</title><script>alert(1)</script>'`\n\n본문.\n",
    "svg-script.md": _svg_page("<script>alert(1)</script><script type='text/javascript'><![CDATA[alert(2)]]></script>"),
    "svg-handlers.md": _svg_page('<circle cx="5" cy="5" r="2" onclick="alert(1)" onmouseover="alert(2)"/>',
                                 ' onload="alert(3)"'),
    "svg-js-links.md": _svg_page(
        '<a href="javascript:alert(1)"><text x="1" y="15">a</text></a>'
        '<a xlink:href=" jav&#x09;ascript:alert(2)"><text x="20" y="15">b</text></a>'
        '<a href="JAVASCRIPT:alert(3)"><rect width="2" height="2"/></a>'),
    "svg-animation.md": _svg_page(
        '<a href="#x"><set attributeName="href" to="javascript:alert(1)"/>'
        '<animate attributeName="xlink:href" values="javascript:alert(2)"/><text y="5">c</text></a>'),
    "svg-external.md": _svg_page(
        '<image href="https://example.com/track.png" width="5" height="5"/>'
        '<use xlink:href="http://example.com/sprite.svg#icon"/>'
        '<rect width="3" height="3" style="fill: url(https://example.com/p.svg#g)"/>'),
    "dot-links.md": ("# 점\n\n```python figure alt=\"두 노드\"\n"
                     "'digraph { a [URL=\"javascript:alert(1)\"]; b [href=\"javascript:alert(2)\"]; "
                     "a -> b [labelURL=\"javascript:alert(3)\", label=\"l\"] }'\n```\n"),
    "math-href.md": "# 식\n\n값 $`{py} chr(92) + 'href{javascript:alert(1)}{x}'`$ 끝.\n",
    # A value is escaped for text; inside a tag or an address it would be markup.
    "link-address.md": "# 링크\n\n[눌러 보기](`{py} 'javascript:alert(1)'`)\n",
    "link-reference.md": "# 링크\n\n[눌러 보기][r]\n\n[r]: `{py} 'javascript:alert(1)'`\n",
    "tag-href.md": "# 태그\n\n<a href=\"`{py} 'javascript:alert(1)'`\">눌러 보기</a>\n",
    "tag-unquoted.md": "# 태그\n\n<span title=`{py} 'x onmouseover=alert(1)'`>글</span>\n",
    "tag-name.md": "# 태그\n\n<`{py} 'img src=x onerror=alert(1)'`>\n",
    "tag-lines.md": "# 태그\n\n<a title=\"글\"\n   href=\"`{py} 'javascript:alert(1)'`\">눌러 보기</a>\n",
    "attribute-list.md": "# 목록\n\n문단.\n{: onmouseover=\"`{py} 'alert(1)'`\" }\n",
}

# pages whose value is refused where it is written: (line, the place named)
REFUSED = {
    "link-address.md": (3, "a link's address"), "link-reference.md": (5, "a link's address"),
    "tag-href.md": (3, "inside an HTML tag"), "tag-unquoted.md": (3, "inside an HTML tag"),
    "tag-name.md": (3, "inside an HTML tag"), "tag-lines.md": (4, "inside an HTML tag"),
    "attribute-list.md": (4, "inside an attribute list"),
}

# pages whose figure must still be drawn, with a part of it that must survive
DRAWN = {
    "svg-script.md": 'class="kept"', "svg-handlers.md": "<circle", "svg-js-links.md": ">a</text>",
    "svg-animation.md": ">c</text>", "svg-external.md": 'class="kept"', "dot-links.md": ">l</text>",
}


@pytest.fixture(scope="module")
def attacked_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = write_site(tmp_path_factory.mktemp("unsafe"), {"index.md": "# 목차\n\n본문.\n", **ATTACKS})
    return root, build(root)


@pytest.fixture(scope="module")
def attacked_site(attacked_build: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    return attacked_build[0]


def _html(root: Path, page: str) -> str:
    return page_html(root, page.removesuffix(".md") + "/index.html")


@pytest.mark.parametrize("page", sorted(ATTACKS))
def test_attack_does_not_reach_the_page(attacked_site: Path, page: str) -> None:
    assert unsafe_markup(_html(attacked_site, page)) == []


def test_a_value_in_a_first_heading_is_escaped_in_every_pages_navigation(attacked_site: Path) -> None:
    # The heading is the page's title: other pages show it in their navigation.
    html = page_html(attacked_site, "index.html")
    assert "제목 &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert unsafe_markup(html) == []


def test_a_value_in_a_first_heading_reads_as_written_in_the_title(attacked_site: Path) -> None:
    import re

    title = re.search(r"<title>(.*?) - test</title>", _html(attacked_site, "title-value.md"), re.DOTALL)
    assert title and title.group(1) == "제목 &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.mark.parametrize("page", sorted(DRAWN))
def test_the_drawing_itself_is_kept(attacked_site: Path, page: str) -> None:
    html = _html(attacked_site, page)
    assert '<figure class="bp-figure"' in html and "<svg" in html, "the figure was not drawn"
    assert DRAWN[page] in html


def test_a_formula_value_cannot_make_a_link(attacked_site: Path) -> None:
    html = _html(attacked_site, "math-href.md")
    assert "<math" in html  # still converted
    assert "href=" not in html.split("<math", 1)[1].split("</math>", 1)[0]


@pytest.mark.parametrize("page", sorted(REFUSED))
def test_a_value_written_inside_markup_is_an_error_at_its_line(attacked_build, page: str) -> None:
    _, result = attacked_build
    line, place = REFUSED[page]
    reported = [e for e in errors(result) if f"docs/{page}:" in e]
    assert len(reported) == 1, reported
    assert f"docs/{page}:{line}: `{{py}} " in reported[0] and f"is {place}" in reported[0]
    assert result.returncode != 0
