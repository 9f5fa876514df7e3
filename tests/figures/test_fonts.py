"""The Hangul font: found for Graphviz, missing -> clear error, subset served to viewers."""
from __future__ import annotations

import re
from pathlib import Path

import graphviz
import pytest
from fontTools.ttLib import TTFont

from figure_helpers import apple_digraph
from mkdocs_backprop.figure_font import check_font
from mkdocs_backprop.figure_source import FigureError, FigureSource, figure_source
from mkdocs_backprop.figure_svg import render_svg, renderer_fingerprint
from mkdocs_backprop.site_assets import extra_css_paths, install_assets


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A real fontconfig set-up that knows no fonts at all, as on a bare machine."""
    (tmp_path / "fonts").mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{tmp_path / 'fonts'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))


def test_nanum_gothic_regular_and_bold_are_found() -> None:
    fonts = check_font()
    assert fonts.regular.name == "NanumGothic.ttf"
    assert fonts.bold is not None and fonts.bold.name == "NanumGothicBold.ttf"


def test_missing_font_names_the_package(no_fonts: None) -> None:
    with pytest.raises(FigureError, match="apt-get install fonts-nanum"):
        check_font()


def test_rendering_without_the_font_fails_instead_of_falling_back(no_fonts: None) -> None:
    with pytest.raises(FigureError, match="fonts-nanum"):
        render_svg(figure_source(apple_digraph()), id_prefix="f-", alt="그림")


def test_fingerprint_names_dot_version_and_font_files() -> None:
    fingerprint = renderer_fingerprint()
    assert "graphviz version" in fingerprint
    assert "NanumGothic.ttf:" in fingerprint and "NanumGothicBold.ttf:" in fingerprint
    assert fingerprint == renderer_fingerprint()


def _site_with(tmp_path: Path, *svgs: str) -> Path:
    site = tmp_path / "site"
    (site / "ch05").mkdir(parents=True)
    body = "".join(f'<figure class="bp-figure">{svg}</figure>' for svg in svgs)
    (site / "ch05" / "index.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return site


def _cmap_chars(path: Path) -> set[str]:
    return {chr(c) for c in TTFont(path).getBestCmap()}


def test_subset_covers_every_hangul_character_the_figures_use(tmp_path: Path) -> None:
    svg = render_svg(figure_source(apple_digraph()), id_prefix="f1-", alt="그림")
    extra = graphviz.Digraph(node_attr={"fontname": "NanumGothic"})
    extra.edge("x", "y", label="순전파")
    svg2 = render_svg(figure_source(extra), id_prefix="f2-", alt="그림")
    site = _site_with(tmp_path, svg, svg2)

    result = install_assets(site)

    css = (site / "assets/backprop/fonts.css").read_text(encoding="utf-8")
    urls = re.findall(r'url\("([^"]+)"\)', css)
    assert len(urls) == 2  # regular labels and the bold gradients
    regular, bold = (site / "assets/backprop" / u for u in urls)
    assert regular.stat().st_size < 50_000 and bold.stat().st_size < 50_000
    # Labels (regular) and gradients (bold) are each covered by their weight's file.
    assert set("사과개수소비세지불금액순전파") <= _cmap_chars(regular)
    assert set("2.2110") <= _cmap_chars(bold)
    # Not the whole font: a syllable no figure shows is left out.
    assert "힣" not in _cmap_chars(regular)
    assert 'font-family: "bp-figure-sans"' in css and "font-weight: 700" in css
    assert result.missing_glyphs == {}


def test_served_subset_is_renamed_as_the_ofl_requires(tmp_path: Path) -> None:
    site = _site_with(tmp_path, render_svg(figure_source(apple_digraph()), id_prefix="f-", alt="그림"))
    install_assets(site)
    for woff2 in (site / "assets/backprop").glob("*.woff2"):
        names = {str(r) for r in TTFont(woff2)["name"].names if r.nameID in (1, 3, 4, 6, 16)}
        assert names and not any("nanum" in n.lower() or "나눔" in n for n in names if "subset of" not in n)
        assert "SIL Open Font License" in str(TTFont(woff2)["name"].getDebugName(13))


def test_every_linked_stylesheet_is_written(tmp_path: Path) -> None:
    site = _site_with(tmp_path)  # a site without figures still links both sheets
    install_assets(site)
    for path in extra_css_paths():
        assert (site / path).is_file(), path
    assert "@font-face" not in (site / "assets/backprop/fonts.css").read_text(encoding="utf-8")


def test_characters_the_font_lacks_are_reported(tmp_path: Path) -> None:
    source = FigureSource("dot", 'digraph { a [label="x − y" fontname="NanumGothic"] }', "")
    site = _site_with(tmp_path, render_svg(source, id_prefix="f-", alt="그림"))
    assert install_assets(site).missing_glyphs == {"regular": "\u2212"}


def _site_with_math(root: Path, formula: str) -> None:
    from mkdocs_backprop.mathml import render_math

    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(
        "<html><body>" + render_math(f'<div class="arithmatex">\\[{formula}\\]</div>') + "</body></html>",
        encoding="utf-8")


def test_math_font_subset_keeps_the_math_table_and_is_renamed(tmp_path: Path) -> None:
    _site_with_math(tmp_path, r"\frac{\partial L}{\partial x} = \begin{pmatrix} x_1 \\ x_2 \end{pmatrix}")
    install_assets(tmp_path)
    (served,) = (tmp_path / "assets/backprop").glob("bp-math.*.woff2")
    font = TTFont(served)
    # Without the MATH table browsers cannot place scripts or stretch brackets.
    assert "MATH" in font
    variants = font["MATH"].table.MathVariants
    assert variants is not None and "parenleft" in variants.VertGlyphCoverage.glyphs
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "∂Lx12()=")
    assert "DejaVu" not in font["name"].getDebugName(1) and font["name"].getDebugName(1) == "BP Math"
    css = (tmp_path / "assets/backprop/fonts.css").read_text(encoding="utf-8")
    assert f'url("{served.name}")' in css and 'font-family: "bp-math"' in css
    assert 'font-family: "bp-math", math' in (tmp_path / "assets/backprop/figures.css").read_text(encoding="utf-8")


def test_math_font_covers_what_formulas_show_not_their_tex(tmp_path: Path) -> None:
    from mkdocs_backprop.site_assets import used_math_text

    _site_with_math(tmp_path, r"\omega + \text{합}")
    text = used_math_text(tmp_path)
    assert "ω" in text and "+" in text and "합" in text
    assert "\\" not in text and "o" not in text  # from the annotation's "\omega"


def test_a_root_keeps_its_sign_which_the_markup_never_holds(tmp_path: Path) -> None:
    # <msqrt> is drawn with the font's √ and its taller variants; subset to the markup's
    # characters alone, "\sqrt{2}" read "2" in the browser.
    _site_with_math(tmp_path, r"\sqrt{2} + \sqrt{\frac{a}{b}} + \sqrt[3]{x}")
    install_assets(tmp_path)
    (served,) = (tmp_path / "assets/backprop").glob("bp-math.*.woff2")
    font = TTFont(served)
    radical = font.getBestCmap().get(0x221A)
    assert radical is not None
    assert radical in font["MATH"].table.MathVariants.VertGlyphCoverage.glyphs  # the taller ones, for a fraction


def test_no_formulas_no_math_font(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>no math</p>", encoding="utf-8")
    install_assets(tmp_path)
    assert not list((tmp_path / "assets/backprop").glob("bp-math.*"))


def test_missing_math_font_names_the_package(no_fonts: None, tmp_path: Path) -> None:
    _site_with_math(tmp_path, "x")
    with pytest.raises(FigureError, match="apt-get install fonts-dejavu-extra"):
        install_assets(tmp_path)
