"""The HTML stage: values and particles filled into the converted page, and the page's
content around the search plugin (formulas as text while it reads, then MathML and the
figures' SVGs), with the shortcuts taken when nothing else changed the content."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mkdocs_backprop import interactive, mathml
from mkdocs_backprop.cache import ResultCache
from mkdocs_backprop.placeholders import Placeholders
from mkdocs_backprop.session import BuildSession
from mkdocs_backprop.settings import Settings
from plugin_site import build, page_html, write_site


def value(placeholders: Placeholders, text: str) -> str:
    """An inline token standing for the computed value ``text``, as assembly registers it."""
    token = placeholders.new("i")
    placeholders.html[token] = placeholders.math[token] = placeholders.reading[token] = text
    return token


def test_values_and_particles_are_filled_in_prose_blocks_and_formulas() -> None:
    p = Placeholders()
    a, b = value(p, "200"), value(p, "1.1")
    block = p.new("b")
    p.html[block] = '<div class="out">출력</div>'
    unknown = f"bpx{p.nonce}i999x"  # looks like a token, but none was made
    page = (f"<p>{a}를 보고 {b}가 된다. {unknown}를 둔다.</p>\n<p>{block}</p>\n"
            f'<p>식 <span class="arithmatex">\\(2t = {a}\\)</span>가 되고 '
            '<span class="arithmatex">\\(z=(x+y)^2\\)</span>를 미분하고 '
            '<span class="arithmatex">\\(y\\)</span>를 본다. 띄어 쓴 '
            '<span class="arithmatex">\\(x^2\\)</span> 를 둔다.</p>')
    assert p.fill(page) == (
        f"<p>200을 보고 1.1이 된다. {unknown}를 둔다.</p>\n"  # 이백을, 일 점 일이
        '<div class="out">출력</div>\n'  # the block replaces its paragraph
        '<p>식 <span class="arithmatex">\\(2t = 200\\)</span>이 되고 '  # ends in the value: 이백이
        '<span class="arithmatex">\\(z=(x+y)^2\\)</span>을 미분하고 '  # 제곱을
        '<span class="arithmatex">\\(y\\)</span>를 본다. 띄어 쓴 '  # a letter: not guessed at
        '<span class="arithmatex">\\(x^2\\)</span> 를 둔다.</p>')  # not right after: not a particle


def test_a_value_in_a_gloss_is_filled_and_the_particle_follows_the_value_before_it() -> None:
    p = Placeholders()
    total, count = value(p, "650"), value(p, "3")
    assert p.fill(f"<p>합계 {total}({count}개의 값)가 나온다.</p>") == "<p>합계 650(3개의 값)이 나온다.</p>"


def test_a_formula_is_filled_with_the_values_text_not_its_html() -> None:
    p = Placeholders()
    token = p.new("i")
    p.html[token], p.math[token], p.reading[token] = "<b>x</b>", "x", "x"
    page = f'<p><span class="arithmatex">\\(a + {token}\\)</span>, {token}</p>'
    assert p.fill(page) == '<p><span class="arithmatex">\\(a + x\\)</span>, <b>x</b></p>'


def session(root: Path) -> BuildSession:
    return BuildSession(root, Settings(), ResultCache(root / "cache"), [])


def page_with_figure(s: BuildSession, *, interactive_figure: bool) -> str:
    svg = s.placeholders.new_late('<svg id="drawn"><text>까치값</text></svg>')
    data = s.placeholders.new_late(interactive.data_html('{"version": 1}', "fig-")) if interactive_figure else ""
    return ('<h1>식</h1><p>넓이는 <span class="arithmatex">\\(x^2\\)</span>이고 '
            '<span class="arithmatex">\\(x^2\\)</span>입니다.</p>'
            f'<div class="arithmatex">\\[\\frac{{a}}{{b}}\\]</div><figure>{svg}{data}</figure>')


def finished_page(s: BuildSession, content: str) -> str:
    output = s.finish("a.md", f"<html><head><title>t</title></head><body>{content}</body></html>", "a/")
    return s.math(output)


@pytest.mark.parametrize("interactive_figure", [True, False])
def test_search_reads_text_then_the_content_gets_mathml_and_svgs(tmp_path: Path, interactive_figure: bool) -> None:
    s = session(tmp_path)
    content = page_with_figure(s, interactive_figure=interactive_figure)
    s.convert_math(content, "a.md")
    shown = s.for_search("a.md", content)
    # What the search plugin reads: formulas as text, no MathML, no SVG.
    assert "넓이는" in shown and shown.count("x²") == 2 and "a/b" in shown
    assert "<math" not in shown and "<svg" not in shown and "까치값" not in shown and "bp-graph" not in shown
    final = s.after_search("a.md", shown)
    assert final.count("<msup>") == 2 and "<mfrac>" in final and "bp-math" not in final
    assert '<svg id="drawn"><text>까치값</text></svg>' in final and "<!--bpx" not in final
    assert ("bp-graph" in final) == interactive_figure
    page = finished_page(s, final)
    assert page.count("<math") == 3 and "<!--bpx" not in page
    head = page.split("</head>", 1)[0]
    assert ('<script defer src="../assets/backprop/interactive.js"></script>' in head) == interactive_figure
    assert ('<link rel="stylesheet" href="../assets/backprop/interactive.css">' in head) == interactive_figure


@pytest.mark.parametrize("interactive_figure", [True, False])
@pytest.mark.parametrize("when", ["before search", "while search reads it"])
def test_content_another_plugin_changed_still_gets_mathml_and_svgs(tmp_path: Path, interactive_figure: bool,
                                                                   when: str) -> None:
    # Another plugin replaces the content (page.content is then a new string) after
    # on_page_content, or between the two hooks around the search plugin: what was made
    # of the content at on_page_content is not used, and the page comes out the same.
    unchanged, changed = session(tmp_path / "one"), session(tmp_path / "two")
    pages = []
    for s, extra in ((unchanged, ""), (changed, "<p>더한 문단</p>")):
        content = page_with_figure(s, interactive_figure=interactive_figure)
        s.convert_math(content, "a.md")
        if when == "before search":
            shown = s.for_search("a.md", content + extra)
            assert "<svg" not in shown and "<math" not in shown and "x²" in shown
            final = s.after_search("a.md", shown)
        else:
            final = s.after_search("a.md", s.for_search("a.md", content) + extra)
        pages.append(finished_page(s, final))
    assert pages[1] == pages[0].replace("</body>", "<p>더한 문단</p></body>")
    assert pages[1].count("<math") == 3 and '<svg id="drawn">' in pages[1] and "<!--bpx" not in pages[1]
    assert ("interactive.js" in pages[1]) == interactive_figure


def test_a_broken_formula_shows_where_it_is_written_and_the_others_convert(tmp_path: Path) -> None:
    # One bad formula used to leave every formula of its page as raw LaTeX, with the error
    # only in the log. Now it is marked in place (its LaTeX and why) and reported once.
    s = session(tmp_path)
    svg = s.placeholders.new_late("<svg></svg>")
    content = ('<p><span class="arithmatex">\\(x^2\\)</span>와 <span class="arithmatex">\\(\\frac{1}\\)</span></p>'
               f"<figure>{svg}</figure>")
    [error] = s.convert_math(content, "a.md")
    assert isinstance(error, mathml.MathError) and error.tex == "\\frac{1}"
    shown = s.for_search("a.md", content)
    assert "x²" in shown and "\\frac{1}" in shown  # search reads the good one as text, the broken one's LaTeX
    final = finished_page(s, s.after_search("a.md", shown))
    assert "<svg></svg>" in final and final.count("<math") == 1 and "<msup>" in final
    assert '<span class="bp-error bp-inline-error bp-broken-formula">⚠ <code>\\frac{1}</code>: ' in final
    assert not list((tmp_path / "cache").glob("math/*"))  # reported again by the next build, not cached


def test_a_broken_formula_that_only_the_finished_page_holds_is_still_an_error(tmp_path: Path) -> None:
    # Formulas another plugin adds after the content stage reach ``math`` alone; it must
    # raise for the caller to report, not mark them silently.
    with pytest.raises(mathml.MathError, match=r"\\frac\{1\}"):
        session(tmp_path).math('<p><span class="arithmatex">\\(\\frac{1}\\)</span></p>')


@pytest.mark.slow
def test_a_plugin_changing_the_content_after_search_keeps_svgs_and_mathml_out_of_the_index(tmp_path: Path) -> None:
    # A hook between the search plugin and ours (priority -50) rewrites the content: the
    # shortcut (content unchanged since search read it) is not taken, and the page still
    # gets its MathML, SVG and interactive script; search still indexed neither.
    hooks = tmp_path / "hooks.py"
    hooks.write_text(
        "from mkdocs.plugins import event_priority\n\n"
        "@event_priority(-50)\n"
        "def on_page_context(context, page, config, nav):\n"
        "    page.content = page.content + '<p>훅이 더한 문단</p>'\n"
        "    return context\n", encoding="utf-8")
    figure = ('```python figure caption="두루미그림" alt="곱셈"\n'
              "from layers import Graph, MulLayer\nm = MulLayer()\nwith Graph() as g:\n"
              # (The label is joined in the code, so only the drawing and its graph data hold it whole.)
              '    g.output(m.forward(g.input(100, "까치" + "값"), g.input(2, "개수")), "가격")\ng\n```\n')
    root = write_site(tmp_path, {"index.md": f"# 새\n\n분수 $\\frac{{a}}{{b}}$를 본다.\n\n{figure}"},
                      extra=f"hooks:\n  - {hooks}\n")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - search\n"),
                      encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    page = page_html(root, "index.html")
    assert "훅이 더한 문단" in page and "<mfrac>" in page and "<!--bpx" not in page and "bp-math" not in page
    assert re.search(r'<div class="bp-figure-scroll"[^>]*><svg\b', page)
    assert "interactive.js" in page.split("</head>", 1)[0]
    docs = json.loads((root / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    text = " ".join(doc["text"] for doc in docs)
    assert "a/b" in text and "두루미그림" in text
    assert "<svg" not in text and "<math" not in text and "까치값" not in text and "bp-graph" not in text
