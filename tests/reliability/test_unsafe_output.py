"""Matrix row 1 — the finished page is safe whatever the code produces.

Code is trusted, its output is not: no value, output or figure may put script in
a published page (a ``<script>``, an ``on…=`` handler, a ``javascript:`` link, an
animation that rewrites a link), and a drawing may not fetch anything from
elsewhere (readers have no network beyond our server). Each page below is one
attack; the figure's harmless parts must still be drawn.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from reliability_helpers import build, page_html, unsafe_markup, write_site


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
}

# pages whose figure must still be drawn, with a part of it that must survive
DRAWN = {
    "svg-script.md": 'class="kept"', "svg-handlers.md": "<circle", "svg-js-links.md": ">a</text>",
    "svg-animation.md": ">c</text>", "svg-external.md": 'class="kept"', "dot-links.md": ">l</text>",
}


@pytest.fixture(scope="module")
def attacked_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("unsafe"), {"index.md": "# 목차\n\n본문.\n", **ATTACKS})
    build(root)
    return root


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
