"""Particles after computed values and figure references, through a real `mkdocs build`."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import markdown
import pytest

from mkdocs_backprop.figure_index import FigureIndex
from mkdocs_backprop.page_assembly import assemble
from mkdocs_backprop.page_plan import plan_page
from mkdocs_backprop.placeholders import Placeholders
from mkdocs_backprop.settings import Settings
from mkdocs_backprop.worker_protocol import ItemResult
from plugin_site import build, page_html, write_site

# Every particle below is the wrong one for its value, as an author who cannot
# know the value would write it.
PAGE = '''
    # 조사

    ```python exec
    a, b, grad, x, y = 200, 450, 10, 1.1, 2.2
    ```

    두 값 `{py} a`와 `{py} b`를 더하면 `{py} a + b`가 된다.

    기울기 `{py} grad`를 곱하면 `{py} x`가 되고, `{py} y`을 보라. `{py} grad`로 나누고 `{py} y`으로 나눈다.

    `{fig} one`를 보고 `{fig} two`을 보라. `{fig} one`으로 돌아간다.

    이미 맞는 `{py} a`과 `{py} y`를 건드리지 않는다. 띄어 쓴 `{py} a` 를, 이어지는 `{py} a`이상, `{py} grad`가지.

    문자열 `{py} "덧셈 노드"`을, 글자 `{py} "x"`를, 배열 `{py} [1, 2]`는.

    수식 안 $`{py} a`를$ 은 그대로.

    식 $2t = `{py} grad`$를 곱하고 $y = `{py} x`$가 된다. 값으로 끝나지 않는 $`{py} y` + k$을 둔다.

    괄호 뒤: `{py} a + b`(합계 금액)가 가고, 형상 `{py} (50,)`를, `{py} (64, 50)`, `{py} (50, 10)`를 본다.

    제곱: $z=(x+y)^2$를 미분하고 $\\frac{1}{2}$가 남는다.

    ```python figure id="one" caption="`{py} a`와 `{py} x`를 잇는 그래프" alt="a에서 b로"
    "digraph { a -> b }"
    ```

    ```python figure id="two" alt="c에서 d로"
    "digraph { c -> d }"
    ```
'''


def _text(page: str) -> str:
    """The page's article text with tags removed, for asserting sentences."""
    article = page.split('<article class="md-content__inner md-typeset">', 1)[1].split("</article>", 1)[0]
    return re.sub(r"<[^>]+>", "", article)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("josa"), {"index.md": PAGE})
    result = build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root


def test_particles_after_values_agree_with_the_reading(built: Path) -> None:
    text = _text(page_html(built, "index.html"))
    assert "두 값 200과 450을 더하면 650이 된다." in text
    assert "기울기 10을 곱하면 1.1이 되고, 2.2를 보라. 10으로 나누고 2.2로 나눈다." in text


def test_particles_after_figure_references_agree(built: Path) -> None:
    page = page_html(built, "index.html")
    assert ('<a class="bp-figure-ref" href="./#one">그림 5-1</a>을 보고 '
            '<a class="bp-figure-ref" href="./#two">그림 5-2</a>를 보라. '
            '<a class="bp-figure-ref" href="./#one">그림 5-1</a>로 돌아간다.') in page


def test_particles_in_figure_captions_agree(built: Path) -> None:
    assert "<figcaption>그림 5-1: 200과 1.1을 잇는 그래프</figcaption>" in page_html(built, "index.html")


def test_what_is_not_a_particle_after_a_readable_value_is_left_alone(built: Path) -> None:
    text = _text(page_html(built, "index.html"))
    assert "이미 맞는 200과 2.2를 건드리지 않는다. 띄어 쓴 200 를, 이어지는 200이상, 10가지." in text
    # Hangul strings are read by their last syllable; Latin letters and brackets are not guessed at.
    assert "문자열 덧셈 노드를, 글자 x를, 배열 [1, 2]는." in text


def test_particles_inside_math_are_left_alone(built: Path) -> None:
    page = page_html(built, "index.html")
    math = re.search(r'<span class="arithmatex">.*?</span>', page, re.DOTALL)
    assert math, page
    assert "200" in math.group(0) and "를" in math.group(0) and "을" not in math.group(0)


def test_a_particle_after_a_formula_ending_in_a_value_agrees_with_the_value(built: Path) -> None:
    text = _text(page_html(built, "index.html"))
    # Text of the MathML's annotations included: "2t = 10" read aloud ends in 십, "y = 1.1" in 일.
    assert re.search(r"식 [^$]*2t = 10\s*을 곱하고 [^$]*y = 1\.1\s*이 된다\.", text), text
    # A formula that ends in something else keeps the author's particle.
    assert re.search(r"2\.2 \+ k\s*을 둔다\.", text), text


def test_disabled_leaves_the_authors_particles(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": PAGE}, options="enabled: false")
    result = build(root, "--strict")
    assert result.returncode == 0, result.stderr
    text = _text(page_html(root, "index.html"))
    assert "두 값 {py} a와 {py} b를 더하면 {py} a + b가 된다." in text


def test_a_particle_after_a_failed_value_is_kept() -> None:
    source = textwrap.dedent('''
        값 `{py} missing`를 본다. 그 다음 `{py} later`가 있다.
        ''').lstrip("\n")
    settings = Settings()
    plan = plan_page(source, path="docs/p.md", line_offset=0, settings=settings)
    placeholders = Placeholders()
    error = ItemResult.failed(1, "NameError: name 'missing' is not defined")
    outcome = assemble(plan, [error], placeholders, settings, src_uri="p.md",
                       figures=FigureIndex(), link=lambda entry: "")
    html = placeholders.fill(markdown.Markdown().convert(outcome.markdown))
    assert "</span>를 본다." in html  # the error box, then the author's particle untouched
    assert "⚠ later</span>가 있다." in html  # not run: no value to read


def test_particles_after_a_gloss_or_a_tuple_agree_with_the_reading(built: Path) -> None:
    text = _text(page_html(built, "index.html"))
    # 650 육백오십, (50,) 오십, (50, 10) 십: the parenthetical gloss is not read
    assert "괄호 뒤: 650(합계 금액)이 가고, 형상 (50,)을, (64, 50), (50, 10)을 본다." in text


def test_a_particle_after_a_formula_agrees_with_its_last_term(built: Path) -> None:
    text = _text(page_html(built, "index.html"))
    # (x+y)^2 is read 제곱, 1/2 이분의 일
    assert re.search(r"제곱: [^$]*z=\(x\+y\)\^2\s*을 미분하고 [^$]*\\frac\{1\}\{2\}\s*이 남는다\.", text), text
