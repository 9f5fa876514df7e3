"""Contrast of the figure colours, computed from our CSS and Material's own."""
from __future__ import annotations

import colorsys
import re
from pathlib import Path

import material
import pytest

FIGURES_CSS = Path(__file__).resolve().parents[2] / "plugin" / "assets" / "figures.css"
MATERIAL_CSS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"

RGBA = tuple[float, float, float, float]


def _block(css: str, selector_start: str) -> str:
    match = re.search(re.escape(selector_start) + r"[^{]*\{([^}]*)\}", css)
    assert match, f"no rule starting with {selector_start!r}"
    return match.group(1)


def _variable(block: str, name: str) -> str:
    match = re.search(rf"{re.escape(name)}\s*:\s*([^;]+)", block)
    assert match, f"{name} not declared"
    return match.group(1).strip()


def _material(name: str, scheme: str) -> str:
    main = next(MATERIAL_CSS.glob("main.*.min.css")).read_text(encoding="utf-8")
    palette = next(MATERIAL_CSS.glob("palette.*.min.css")).read_text(encoding="utf-8")
    hue = _variable(_block(main, ":root,[data-md-color-scheme=default]"), "--md-hue")
    if scheme == "default":
        value = _variable(_block(main, ":root,[data-md-color-scheme=default]"), name)
    else:
        value = _variable(_block(palette, "[data-md-color-scheme=slate]"), name)
    return value.replace("var(--md-hue)", hue)


def _parse_colour(value: str) -> RGBA:
    value = value.strip().lower()
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        channels = [int(digits[i:i + 2], 16) / 255 for i in range(0, len(digits), 2)]
        return (*channels[:3], channels[3] if len(channels) == 4 else 1.0)  # type: ignore[return-value]
    match = re.fullmatch(r"hsla?\(\s*([\d.]+)(?:deg)?\s*,\s*([\d.]+)%\s*,\s*([\d.]+)%\s*(?:,\s*([\d.]+))?\)", value)
    assert match, f"cannot parse colour {value!r}"
    h, s, l = float(match.group(1)) / 360, float(match.group(2)) / 100, float(match.group(3)) / 100
    r, g, b = colorsys.hls_to_rgb(h, l, s)
    return r, g, b, float(match.group(4) or 1)


def _over(fg: RGBA, bg: RGBA) -> RGBA:
    a = fg[3]
    return (*(a * f + (1 - a) * b for f, b in zip(fg[:3], bg[:3])), 1.0)  # type: ignore[return-value]


def _luminance(c: RGBA) -> float:
    def lin(x: float) -> float:
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(x) for x in c[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: RGBA, bg: RGBA) -> float:
    hi, lo = sorted([_luminance(_over(fg, bg)), _luminance(bg)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_wcag_reference_values() -> None:
    assert contrast(_parse_colour("#000"), _parse_colour("#fff")) == pytest.approx(21)
    assert contrast(_parse_colour("#777777"), _parse_colour("#ffffff")) == pytest.approx(4.48, abs=0.01)


def _ours(scheme: str, name: str) -> str:
    css = FIGURES_CSS.read_text(encoding="utf-8")
    slate = _block(css, '[data-md-color-scheme="slate"] .bp-svg')
    if scheme == "slate" and name in slate:
        return _variable(slate, name)
    return _variable(_block(css, ".bp-svg,"), name)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_backward_colour_keeps_4_5_to_1_against_the_page(scheme: str) -> None:
    background = _parse_colour(_material("--md-default-bg-color", scheme))
    backward = _parse_colour(_ours(scheme, "--bp-backward"))
    assert contrast(backward, background) >= 4.5


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_muted_shape_text_keeps_4_5_to_1_against_the_page(scheme: str) -> None:
    # The shape of an array is quieter than the values, but still body-text legible.
    background = _parse_colour(_material("--md-default-bg-color", scheme))
    muted = _parse_colour(_ours(scheme, "--bp-muted"))
    assert contrast(muted, background) >= 4.5
    assert contrast(muted, background) < contrast(_parse_colour(_material("--md-default-fg-color", scheme)), background)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_labels_and_strokes_use_the_page_foreground(scheme: str) -> None:
    assert _ours(scheme, "--bp-fg") == "var(--md-default-fg-color)"
    assert _ours(scheme, "--bp-bg") == "var(--md-default-bg-color)"
    foreground = _parse_colour(_material("--md-default-fg-color", scheme))
    background = _parse_colour(_material("--md-default-bg-color", scheme))
    assert contrast(foreground, background) >= 4.5


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("series", [1, 2, 3, 4])
def test_chart_series_stay_visible_as_graphics(scheme: str, series: int) -> None:
    # WCAG 1.4.11: lines and markers need 3:1 against what is next to them.
    background = _parse_colour(_material("--md-default-bg-color", scheme))
    assert contrast(_parse_colour(_ours(scheme, f"--bp-series-{series}")), background) >= 3


def test_slate_background_is_materials_hue_225_at_14_percent() -> None:
    # Guards the parsing above: the slate page is the dark grey-blue Material draws.
    r, g, b, _ = _parse_colour(_material("--md-default-bg-color", "slate"))
    assert (round(r * 255), round(g * 255), round(b * 255)) == (30, 33, 41)


def test_palette_variables_are_not_frozen_on_root() -> None:
    # Material sets data-md-color-scheme on <body>; a var() resolved on :root keeps light values.
    css = re.sub(r"/\*.*?\*/", "", FIGURES_CSS.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert ".bp-svg" in css
    assert not re.search(r":root[^{]*\{[^}]*--bp-", css)
