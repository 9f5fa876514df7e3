"""The figures as readers see them: laptop and phone, light and dark, on paper; and axe-core.

One pass over the built site per reader set-up (1280 px and 390 px wide, light and dark
palette) measures every figure in Chromium: the rendered size of every label, whether
any part is cut off, whether a figure that scrolls can be reached and scrolled by
keyboard, where the backward arrows point and whether each edge meets its label's line.
The same pass runs axe-core (the PyPI package axe-playwright-python) on every page.
A print pass lays every page out for paper (print media, an A4 column).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from browser_helpers import Recorder, ServedSite, new_context

pytestmark = pytest.mark.browser

DESKTOP, PHONE = 1280, 390
SETUPS = [(DESKTOP, "default"), (DESKTOP, "slate"), (PHONE, "default"), (PHONE, "slate")]
MIN_DESKTOP_LABEL_PX = 11.0
MIN_PHONE_LABEL_PX = 8.0
# A figure that scrolls sideways on a phone is not shrunk on top of that (figure_svg.SCROLL_LABEL_PX).
MIN_SCROLLED_LABEL_PX = 11.0

# Violations that come from Material for MkDocs itself, not from this project's markup or
# palette: (rule, CSS selector axe reports, why it is the theme's).
THEME_VIOLATIONS = [
    ("aria-dialog-name", ".md-search",
     "Material's search overlay has role=dialog without a name (theme template partials/search.html)"),
    ("landmark-unique", 'nav[aria-labelledby="__nav_',
     "Material's navigation makes every section's list a <nav> named by its title; the section that "
     "holds the current page and its copy in the drawer share a name (theme template partials/nav-item.html)"),
    ("color-contrast", ".md-copyright",
     "Material's footer line ('Made with Material for MkDocs') is #7f7f7f on #171717, 4.47:1"),
]
# Left out of axe's page: code blocks, whose token colours are Material's Pygments theme
# (comments 4.47:1 on #f5f5f5, numbers 4.44:1 on #272a35 in slate: the theme's, like the
# footer), and figure label text, whose colours are the palette variables that
# tests/figures/test_palette.py checks at 4.5:1 (axe's per-label contrast check in SVG
# costs about 30 ms a label).
AXE_EXCLUDE = [[".highlight"], ["svg.bp-svg text"]]
# Which rules run where. Colour contrast is a matter of the palette, not of the width:
# it runs at the laptop width in both palettes. Every other rule is about markup and
# layout, not colour: it runs at both widths, and at the phone width once (light), since
# the dark palette changes only colours. (axe takes 1 to 5 s a page here.)
AXE_RULES: dict[tuple[int, str], dict[str, Any] | None] = {
    (DESKTOP, "default"): {},
    (DESKTOP, "slate"): {},
    (PHONE, "default"): {"color-contrast": {"enabled": False}},
    (PHONE, "slate"): None,
}


MEASURE = r"""() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const article = document.querySelector('article.md-content__inner');
  const col = article.getBoundingClientRect();
  return [...document.querySelectorAll('figure.bp-figure')].map(figure => {
    const box = figure.querySelector('.bp-figure-scroll');
    const svg = box.querySelector('svg');
    const s = svg.getBoundingClientRect(), b = box.getBoundingClientRect();
    const labels = [...svg.querySelectorAll('text')].map(t => ({
      text: t.textContent,
      px: t.getScreenCTM().a * parseFloat(t.getAttribute('font-size')),
    }));
    // Each edge's forward line: where the edge ends and where the label's line is drawn.
    const edges = [...svg.querySelectorAll('g.bp-edge-label')].map(label => {
      const id = label.id;
      const pt = (el, x, y) => { const m = el.getScreenCTM(); return [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]; };
      const lineEl = [...label.querySelectorAll('polyline')].find(p => !p.getAttribute('style') ||
        !p.getAttribute('style').includes('--bp-backward'));
      const inPath = svg.querySelector(`[id="${id}-in"] path`);
      const back = svg.querySelector(`[id="${id}-back"]`);
      const out = {id, grad: !!svg.querySelector(`[id="${id}-grad"]`)};
      if (lineEl && inPath) {
        const pts = lineEl.getAttribute('points').trim().split(/\s+/).map(p => p.split(',').map(Number));
        const end = inPath.getPointAtLength(inPath.getTotalLength());
        out.line = pts.map(([x, y]) => pt(lineEl, x, y));
        out.edgeEnd = pt(inPath, end.x, end.y);
      }
      if (back) {
        const path = back.querySelector('path'), head = back.querySelector('polygon').getBoundingClientRect();
        const start = path.getPointAtLength(0), end = path.getPointAtLength(path.getTotalLength());
        const backLine = [...label.querySelectorAll('polyline')].find(p => (p.getAttribute('style') || '').includes('--bp-backward'));
        out.back = {start: pt(path, start.x, start.y), end: pt(path, end.x, end.y),
                    head: [(head.left + head.right) / 2, (head.top + head.bottom) / 2],
                    line: backLine ? backLine.getAttribute('points').trim().split(/\s+/)
                                       .map(p => pt(backLine, ...p.split(',').map(Number))) : null,
                    stroke: getComputedStyle(path).stroke};
      }
      return out;
    });
    return {
      id: figure.id, width: s.width, svgLeft: s.left, svgRight: s.right, boxLeft: b.left, boxRight: b.right,
      colLeft: col.left, colRight: col.right,
      scrolls: box.scrollWidth > box.clientWidth + 1,
      tabindex: box.getAttribute('tabindex'), role: box.getAttribute('role'), name: box.getAttribute('aria-label'),
      cue: box.hasAttribute('data-bp-scrolls') && getComputedStyle(box).backgroundImage.includes('gradient'),
      hint: getComputedStyle(box, '::after').content,
      labels, edges,
      backward: getComputedStyle(svg).getPropertyValue('--bp-backward').trim(),
    };
  });
}"""


@dataclass
class Setup:
    width: int
    scheme: str
    figures: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # page -> figures
    axe: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # page -> violations
    keyboard: dict[str, float] = field(default_factory=dict)  # figure id -> scrollLeft after ArrowRight
    focused: dict[str, bool] = field(default_factory=dict)  # figure id -> reached by Tab


def _palette_script(site: ServedSite, scheme: str) -> str:
    # Material keeps the reader's palette choice in localStorage under "<base path>.__palette".
    index = 1 if scheme == "slate" else 0
    value = {"index": index, "color": {"media": "", "scheme": scheme, "primary": "indigo", "accent": "indigo"}}
    return f"localStorage.setItem({json.dumps(site.built.base_path + '.__palette')}, {json.dumps(json.dumps(value))})"


@pytest.fixture(scope="module")
def seen(browser: Any, served_site: ServedSite) -> dict[tuple[int, str], Setup]:
    from axe_playwright_python.sync_playwright import Axe

    axe_script = Axe().axe_script
    result = {}
    for width, scheme in SETUPS:
        setup = Setup(width, scheme)
        recorder = Recorder(served_site.origin)
        context = new_context(browser, recorder)
        context.add_init_script(_palette_script(served_site, scheme))
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        rules = AXE_RULES[(width, scheme)]
        for name in served_site.built.pages:
            has_figures = 'class="bp-figure"' in served_site.built.html(name)
            if rules is None and not has_figures:
                continue
            page.goto(served_site.url(name))
            page.evaluate("document.fonts.ready.then(() => true)")
            assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
            if has_figures:
                setup.figures[name] = page.evaluate(MEASURE)
                for figure in setup.figures[name]:
                    if figure["scrolls"]:
                        box = page.locator(f"#{figure['id']} > .bp-figure-scroll")
                        box.focus()
                        setup.focused[figure["id"]] = page.evaluate(
                            "document.activeElement.closest('figure')?.id") == figure["id"]
                        page.keyboard.press("ArrowRight")
                        page.keyboard.press("ArrowRight")
                        page.wait_for_timeout(150)
                        setup.keyboard[figure["id"]] = box.evaluate("b => b.scrollLeft")
            if rules is None:
                continue
            page.evaluate(axe_script)
            setup.axe[name] = page.evaluate(
                "([exclude, rules]) => axe.run({exclude}, {resultTypes: ['violations'], rules})"
                ".then(r => r.violations.map(v => ({id: v.id, help: v.help,"
                " targets: v.nodes.map(n => n.target.join(' ')), summary: v.nodes[0].failureSummary})))",
                [AXE_EXCLUDE, rules],
            )
        context.close()
        result[(width, scheme)] = setup
    return result


def _figures(seen: dict, width: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [(page, scheme, f) for (w, scheme), setup in seen.items() if w == width
            for page, figures in setup.figures.items() for f in figures]


def test_the_pass_saw_every_figure(seen: dict, served_site: ServedSite) -> None:
    expected = sum(served_site.built.html(p).count('<figure class="bp-figure"') for p in served_site.built.pages)
    assert expected >= 15
    for setup in seen.values():
        assert sum(len(f) for f in setup.figures.values()) == expected


def test_on_a_laptop_no_figure_is_cut_off_or_scrolls(seen: dict) -> None:
    problems = []
    for page, scheme, f in _figures(seen, DESKTOP):
        if f["scrolls"] or f["svgRight"] > f["boxRight"] + 0.5 or f["svgLeft"] < f["boxLeft"] - 0.5 \
                or f["boxRight"] > f["colRight"] + 0.5:
            problems.append(f"{page}#{f['id']} [{scheme}]: {f['width']:.0f} px drawing, box "
                            f"{f['boxRight'] - f['boxLeft']:.0f} px, scrolls={f['scrolls']}")
    assert not problems, "\n".join(problems)


def test_on_a_laptop_every_label_is_at_least_11_px(seen: dict) -> None:
    small = [f"{page}#{f['id']}: {label['text']!r} {label['px']:.1f} px"
             for page, _, f in _figures(seen, DESKTOP) for label in f["labels"]
             if label["px"] < MIN_DESKTOP_LABEL_PX - 0.05]
    assert not small, "\n".join(sorted(set(small)))
    # And they are measured at all: a label of a graph is some 16 px at natural size.
    assert max(label["px"] for _, _, f in _figures(seen, DESKTOP) for label in f["labels"]) >= 15.5


def test_on_a_phone_nothing_is_cut_off_and_no_label_is_under_8_px(seen: dict) -> None:
    problems = []
    for page, scheme, f in _figures(seen, PHONE):
        smallest = min((label["px"] for label in f["labels"]), default=99)
        if smallest < MIN_PHONE_LABEL_PX - 0.05:
            problems.append(f"{page}#{f['id']} [{scheme}]: smallest label {smallest:.1f} px")
        wider = f["svgRight"] > f["boxRight"] + 0.5 or f["svgLeft"] < f["boxLeft"] - 0.5
        if (wider and not f["scrolls"]) or f["boxRight"] > f["colRight"] + 0.5 or f["boxLeft"] < f["colLeft"] - 0.5:
            problems.append(f"{page}#{f['id']} [{scheme}]: cut off (drawing {f['width']:.0f} px, "
                            f"box {f['boxRight'] - f['boxLeft']:.0f} px, column {f['colRight'] - f['colLeft']:.0f} px)")
    assert not problems, "\n".join(problems)


def test_on_a_phone_a_figure_that_scrolls_anyway_keeps_its_labels_at_11_px(seen: dict) -> None:
    scrolling = [(page, scheme, f) for page, scheme, f in _figures(seen, PHONE) if f["scrolls"]]
    assert len(scrolling) >= 4
    small = [f"{page}#{f['id']} [{scheme}]: {min(label['px'] for label in f['labels']):.1f} px"
             for page, scheme, f in scrolling
             if min(label["px"] for label in f["labels"]) < MIN_SCROLLED_LABEL_PX - 0.05]
    assert not small, "\n".join(small)


def test_a_figure_that_scrolls_shows_it_and_takes_keyboard_focus(seen: dict) -> None:
    scrolling = [(page, scheme, f) for page, scheme, f in _figures(seen, PHONE) if f["scrolls"]]
    assert scrolling, "some graph should still be wider than a phone's column"
    problems = []
    for page, scheme, f in scrolling:
        setup = seen[(PHONE, scheme)]
        if f["tabindex"] != "0" or f["role"] != "region" or not (f["name"] or "").endswith("(옆으로 스크롤)"):
            problems.append(f"{f['id']}: tabindex={f['tabindex']} role={f['role']} name={f['name']!r}")
        if not f["cue"] or "옆으로 밀어 보기" not in f["hint"]:
            problems.append(f"{f['id']}: no visible cue (shade {f['cue']}, hint {f['hint']!r})")
        if not setup.focused[f["id"]] or setup.keyboard[f["id"]] <= 0:
            problems.append(f"{f['id']}: focus {setup.focused[f['id']]}, scrolled {setup.keyboard[f['id']]} px by keys")
    assert not problems, "\n".join(problems)
    # A figure that fits is not a tab stop.
    fitting = [f for _, _, f in _figures(seen, DESKTOP)]
    assert all(f["tabindex"] is None and f["role"] is None for f in fitting)


def test_each_edge_meets_its_labels_line_and_gradients_point_back(seen: dict) -> None:
    problems, arrows = [], 0
    for page, scheme, f in _figures(seen, DESKTOP) + _figures(seen, PHONE):
        for edge in f["edges"]:
            if "line" in edge:
                (x0, y0), (x1, y1) = edge["line"]
                ex, ey = edge["edgeEnd"]
                horizontal = abs(y0 - y1) < abs(x0 - x1)
                # The edge runs on the line (no step across it) and reaches it (no gap along it).
                across = abs(ey - y0) if horizontal else abs(ex - x0)
                lo, hi = sorted((x0, x1) if horizontal else (y0, y1))
                reach = ex if horizontal else ey
                if across > 0.25 or not lo - 0.25 <= reach <= hi + 0.25:
                    problems.append(f"{page}#{f['id']} {edge['id']}: edge end {reach:.2f} off its line "
                                    f"{lo:.2f}–{hi:.2f} or {across:.2f} px across")
            if edge["grad"]:
                back = edge.get("back")
                if back is None:
                    problems.append(f"{f['id']} {edge['id']}: a gradient without its arrow")
                    continue
                arrows += 1
                # The arrow runs from the edge's source (where its head is) to the label's
                # backward line, which it meets: it points back, under the edge.
                dist = lambda a, b: ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5  # noqa: E731
                if not dist(back["head"], back["start"]) < dist(back["head"], back["end"]):
                    problems.append(f"{f['id']} {edge['id']}: the gradient's arrowhead is not at the source end")
                if back["line"] is None or not _on_segment(back["end"], *back["line"]):
                    problems.append(f"{f['id']} {edge['id']}: the backward arrow does not reach its label's line")
                if back["stroke"] != _rgb(f["backward"]):
                    problems.append(f"{f['id']} {edge['id']}: arrow drawn {back['stroke']}, not {f['backward']}")
    assert arrows >= 40
    assert not problems, "\n".join(problems[:30])


def _on_segment(point: list[float], a: list[float], b: list[float], tolerance: float = 0.25) -> bool:
    """Whether ``point`` lies on the horizontal or vertical segment a–b (within ``tolerance`` px)."""
    axis = 0 if abs(a[0] - b[0]) >= abs(a[1] - b[1]) else 1
    lo, hi = sorted((a[axis], b[axis]))
    return abs(point[1 - axis] - a[1 - axis]) <= tolerance and lo - tolerance <= point[axis] <= hi + tolerance


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))


def test_no_axe_violations_from_the_project_on_any_page(seen: dict, served_site: ServedSite) -> None:
    for (width, scheme), rules in AXE_RULES.items():
        if rules is not None:
            assert set(seen[(width, scheme)].axe) == set(served_site.built.pages)  # every page, checked
    found = []
    for (width, scheme), setup in seen.items():
        for page, violations in setup.axe.items():
            for v in violations:
                targets = [t for t in v["targets"]
                           if not any(v["id"] == rule and selector in t for rule, selector, _ in THEME_VIOLATIONS)]
                if targets:
                    found.append(f"{page or 'index'} [{width} {scheme}] {v['id']} ({v['help']}): "
                                 f"{targets[:3]} — {v['summary'][:160]}")
    assert not found, "\n".join(found)


def test_the_listed_theme_violations_still_occur(seen: dict) -> None:
    # Guards the list above: an entry that no longer matches anything should go.
    seen_rules = {(v["id"], sel) for setup in seen.values() for violations in setup.axe.values()
                  for v in violations for rule, sel, _ in THEME_VIOLATIONS
                  if v["id"] == rule and any(sel in t for t in v["targets"])}
    assert seen_rules == {(rule, sel) for rule, sel, _ in THEME_VIOLATIONS}


# -- print -----------------------------------------------------------------------------

PRINT_MEASURE = r"""() => {
  const article = document.querySelector('article.md-content__inner');
  const col = article.getBoundingClientRect();
  const shown = el => getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
  return {
    column: [col.left, col.right],
    figures: [...document.querySelectorAll('figure.bp-figure')].map(f => {
      const s = f.querySelector('svg').getBoundingClientRect(), box = f.querySelector('.bp-figure-scroll');
      return {id: f.id, left: s.left, right: s.right, scrolls: box.scrollWidth > box.clientWidth + 1};
    }),
    controls: [...article.querySelectorAll('button, .md-clipboard, .md-code__nav, input, select')]
      .filter(shown).map(el => el.outerHTML.slice(0, 80)),
    sidebars: [...document.querySelectorAll('.md-sidebar, .md-header, .md-footer')].filter(shown).length,
  };
}"""


@pytest.fixture(scope="module")
def printed(browser: Any, served_site: ServedSite) -> dict[str, dict[str, Any]]:
    recorder = Recorder(served_site.origin)
    context = new_context(browser, recorder)
    page = context.new_page()
    # An A4 page at 96 dpi less Chromium's default 1 cm margins: about 718 CSS px of paper.
    page.set_viewport_size({"width": 718, "height": 1047})
    page.emulate_media(media="print")
    result = {}
    for name in served_site.built.pages:
        page.goto(served_site.url(name))
        page.evaluate("document.fonts.ready.then(() => true)")
        result[name] = page.evaluate(PRINT_MEASURE)
    # And a real PDF of a page with wide figures comes out (Chromium's print path).
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
    context.close()
    return result


def test_in_print_every_figure_fits_the_column(printed: dict) -> None:
    problems = []
    for name, seen_page in printed.items():
        left, right = seen_page["column"]
        for f in seen_page["figures"]:
            if f["left"] < left - 0.5 or f["right"] > right + 0.5 or f["scrolls"]:
                problems.append(f"{name}#{f['id']}: {f['left']:.0f}–{f['right']:.0f} in a {left:.0f}–{right:.0f} column")
    assert sum(len(p["figures"]) for p in printed.values()) >= 15
    assert not problems, "\n".join(problems)


def test_print_leaves_out_buttons_and_controls(printed: dict) -> None:
    shown = [f"{name}: {c}" for name, p in printed.items() for c in p["controls"]]
    assert not shown, "\n".join(shown[:20])


COLLAPSED_CONTENT = r"""() => [...document.querySelectorAll('article details:not([open])')].map(d => ({
  summary: d.querySelector('summary').textContent.trim(),
  shown: [...d.children].filter(c => c.tagName !== 'SUMMARY')
    .map(c => c.checkVisibility() && c.getBoundingClientRect().height > 0),
  chevron: getComputedStyle(d.querySelector('summary'), '::after').display,
}))"""


def test_in_print_collapsed_code_and_answers_are_printed_open(browser: Any, served_site: ServedSite) -> None:
    recorder = Recorder(served_site.origin)
    context = new_context(browser, recorder)
    page = context.new_page()
    page.set_viewport_size({"width": 718, "height": 1047})
    page.goto(served_site.url("ch05/3-backward/"))
    on_screen = page.evaluate(COLLAPSED_CONTENT)
    # A figure's "코드 보기" and the exercise's "답 보기", closed on screen ...
    assert {"코드 보기", "답 보기"} <= {d["summary"] for d in on_screen}
    assert not any(any(d["shown"]) for d in on_screen)
    page.emulate_media(media="print")
    on_paper = page.evaluate(COLLAPSED_CONTENT)
    context.close()
    # ... are printed with their content, and without the chevron that says "click to open".
    assert [d["summary"] for d in on_paper] == [d["summary"] for d in on_screen]
    closed = [d["summary"] for d in on_paper if not d["shown"] or not all(d["shown"])]
    assert not closed, closed
    assert {d["chevron"] for d in on_paper} == {"none"}


# Material prints in its light palette whatever the reader chose on screen (its slate
# palette is @media screen); figure colours must follow, or a dark-palette tint lands on paper.
PRINTED_LABEL_COLOURS = r"""() => {
  const rgba = c => { const v = c.match(/[\d.]+/g).map(Number); return v.length === 3 ? [...v, 1] : v; };
  const paper = rgba(getComputedStyle(document.body).backgroundColor);
  return {
    scheme: document.body.getAttribute('data-md-color-scheme'),
    paper,
    labels: [...document.querySelectorAll('figure.bp-figure svg.bp-svg text')]
      .filter(t => t.textContent.trim())
      .map(t => ({text: t.textContent, fill: rgba(getComputedStyle(t).fill),
                  figure: t.closest('figure').id})),
  };
}"""


def _paper_contrast(fg: list[float], paper: list[float]) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    def luminance(rgb: list[float]) -> float:
        r, g, b = (lin(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    alpha = fg[3]
    seen = [alpha * f + (1 - alpha) * p for f, p in zip(fg[:3], paper[:3])]
    hi, lo = sorted((luminance(seen), luminance(paper[:3])), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_printed_from_the_dark_palette_every_figure_label_reads_on_paper(
        browser: Any, served_site: ServedSite) -> None:
    recorder = Recorder(served_site.origin)
    context = new_context(browser, recorder)
    context.add_init_script(_palette_script(served_site, "slate"))
    page = context.new_page()
    page.set_viewport_size({"width": 718, "height": 1047})
    problems, checked = [], 0
    # Gradients (the backward colour), shapes (muted), values, and the chart's series.
    for name in ("ch05/6-affine-softmax/", "ch05/7-backprop-implementation/"):
        page.emulate_media(media="screen")
        page.goto(served_site.url(name))
        page.evaluate("document.fonts.ready.then(() => true)")
        page.emulate_media(media="print")
        seen = page.evaluate(PRINTED_LABEL_COLOURS)
        assert seen["scheme"] == "slate"  # the reader's choice is still the dark palette
        assert seen["paper"][:3] == [255, 255, 255]  # and Material prints on white
        for label in seen["labels"]:
            checked += 1
            ratio = _paper_contrast(label["fill"], seen["paper"])
            if ratio < 4.5:
                problems.append(f"{name}#{label['figure']} {label['text']!r}: {ratio:.2f}:1 ({label['fill']})")
    context.close()
    assert checked > 100
    assert not problems, "\n".join(problems[:20])


# -- the glyphs readers get ------------------------------------------------------------


def test_readers_get_the_partial_sign_from_the_served_math_font_and_a_quieter_shape(
        browser: Any, served_site: ServedSite) -> None:
    recorder = Recorder(served_site.origin)
    context = new_context(browser, recorder)
    page = context.new_page()
    page.goto(served_site.url("ch05/6-affine-softmax/"))
    page.evaluate("document.fonts.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]

    def fonts_of(selector: str) -> dict[str, int]:
        (node,) = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"][:1]
        used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {f["familyName"]: f["glyphCount"] for f in used}

    # Which font Chromium really drew the ∂ of "∂L/∂Y·Wᵀ" with: the site's math subset
    # ("BP Math", renamed DejaVu Math TeX Gyre), not NanumGothic's schwa-like ∂ nor a fallback.
    symbol_id = page.evaluate("""() => { const t = [...document.querySelectorAll('#affine svg text')]
        .find(t => t.textContent.startsWith('∂')); t.id = 'bp-test-symbol'; return t.textContent; }""")
    assert symbol_id.startswith("∂\U0001d43f/∂\U0001d44c")
    assert set(fonts_of("#bp-test-symbol")) == {"BP Math"}
    # The values in the served Hangul/label subset.
    page.evaluate("() => { document.querySelector('#affine svg [id$=\"-e0-value\"] text').id = 'bp-test-value'; }")
    assert set(fonts_of("#bp-test-value")) == {"BP Figure Sans"}
    # The shape, quieter: smaller and in the muted colour, apart from the value.
    shape, value = page.evaluate("""() => {
        const texts = [...document.querySelectorAll('#affine svg text')];
        const shape = texts.find(t => t.textContent === '(2,)');
        const value = document.querySelector('#affine svg [id$="-e0-value"] text');
        const f = t => ({px: t.getBoundingClientRect().height, fill: getComputedStyle(t).fill,
                         top: t.getBoundingClientRect().top});
        return [f(shape), f(value)]; }""")
    muted = page.evaluate("getComputedStyle(document.querySelector('#affine svg')).getPropertyValue('--bp-muted').trim()")
    assert shape["px"] < value["px"] and shape["fill"] == _rgb(muted) and shape["top"] < value["top"]
    context.close()
