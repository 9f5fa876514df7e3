"""Every page of the built site, opened in Chromium in the light and in the dark palette."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from browser_helpers import SCHEMES, SCREENSHOTS, Recorder, ServedSite, new_context, screenshot_name
from site_helpers import built_page_dirs, parse_html

pytestmark = pytest.mark.browser

# Shown to readers: closed <details> are opened and each figure's tab is selected before
# measuring, so a figure that is merely folded away is not mistaken for a broken one.
REVEAL_AND_MEASURE = r"""() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const article = document.querySelector('article.md-content__inner') || document.body;
  const figures = [...document.querySelectorAll('figure svg')].filter(s => !s.parentElement.closest('svg'))
    .map((svg, i) => {
      const block = svg.closest('.tabbed-block');
      if (block) {
        const index = [...block.parentElement.children].indexOf(block);
        const input = block.closest('.tabbed-set').querySelectorAll(':scope > input')[index];
        if (input) input.checked = true;
      }
      const box = svg.getBoundingClientRect();
      const figure = svg.closest('figure');
      return {name: figure.id || svg.getAttribute('aria-label') || `figure ${i + 1}`,
              width: box.width, height: box.height,
              visible: svg.checkVisibility({opacityProperty: true, visibilityProperty: true})};
    });
  const wrappers = [...article.querySelectorAll('.arithmatex')];
  const maths = [...article.querySelectorAll('math')];
  const raw = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || parent.closest('pre, code, script, style, textarea, annotation, annotation-xml')) continue;
    if (!parent.checkVisibility()) continue;
    const hit = node.data.match(/\\\(|\\\)|\\\[|\\\]|\$\$|\$[^$\n]+\$/);  // \(…\), \[…\], $$…$$, $…$
    if (hit) raw.push(node.data.slice(Math.max(0, hit.index - 20), hit.index + 40).trim());
  }
  const bg = getComputedStyle(document.body).backgroundColor.match(/[\d.]+/g).slice(0, 3).map(Number);
  return {
    scheme: document.body.getAttribute('data-md-color-scheme'),
    luminance: (0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2]) / 255,
    figures,
    math: {wrappers: wrappers.length, count: maths.length,
           unrendered: wrappers.filter(w => !w.querySelector('math')).map(w => w.textContent.trim().slice(0, 60)),
           empty: maths.filter(m => { const b = m.getBoundingClientRect(); return !(b.width > 0 && b.height > 0); })
                       .map(m => m.textContent.trim().slice(0, 60))},
    raw,
    codeBlocks: article.querySelectorAll('pre > code').length,
    // Material 9.6+ puts a copy button (data-md-type=copy) in each block; older ones .md-clipboard.
    copyButtons: [...article.querySelectorAll('pre > code')].filter(c =>
      c.closest('pre').parentElement.querySelector('[data-md-type=copy], .md-clipboard')).length,
    prev: !!document.querySelector('.md-footer__link--prev'),
    next: !!document.querySelector('.md-footer__link--next'),
  };
}"""


@dataclass
class Visit:
    page: str
    scheme: str
    requests: list[str]
    foreign: list[str]
    console_errors: list[str]
    failures: list[str]
    seen: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.page or 'index'} [{self.scheme}]"


def _switch_to_dark(page: Any, site: ServedSite) -> None:
    """Click Material's palette toggle like a reader; the choice then holds for every page."""
    page.goto(site.url(""))
    # Let the search worker finish loading, or leaving the page aborts its requests.
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default", \
        "the site should open in the light palette when the system prefers light"
    page.locator("form[data-md-component=palette] label.md-header__button:not([hidden])").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=5000)


@pytest.fixture(scope="module")
def visits(browser: Any, served_site: ServedSite) -> dict[tuple[str, str], Visit]:
    SCREENSHOTS.mkdir(exist_ok=True)
    result: dict[tuple[str, str], Visit] = {}
    for scheme in SCHEMES:
        recorder = Recorder(served_site.origin)
        context = new_context(browser, recorder)
        page = context.new_page()
        recorder.attach(page)
        if scheme == "slate":
            _switch_to_dark(page, served_site)
        for name in served_site.built.pages:
            recorder.reset()
            page.goto(served_site.url(name))
            # networkidle: the search worker has fetched its index, fonts are in.
            page.wait_for_load_state("networkidle")
            page.evaluate("document.fonts.ready.then(() => true)")
            # As readers first see it: before the measuring opens every <details>.
            page.screenshot(path=SCREENSHOTS / screenshot_name(name, scheme), full_page=True)
            seen = page.evaluate(REVEAL_AND_MEASURE)
            result[(name, scheme)] = Visit(
                name, scheme, list(recorder.requests), list(recorder.foreign),
                list(recorder.console_errors), list(recorder.failures), seen,
            )
        context.close()
    return result


def test_every_built_page_is_visited(served_site: ServedSite, visits: dict) -> None:
    built = built_page_dirs(served_site.built.site_dir)
    assert set(served_site.built.pages) == built, "the sitemap and the built pages differ"
    assert {page for page, _ in visits} == built
    assert all(v.requests and v.requests[0] == served_site.url(v.page) for v in visits.values())


def test_no_console_errors(visits: dict) -> None:
    errors = [f"{v.name}: {e}" for v in visits.values() for e in v.console_errors]
    assert not errors, "console errors:\n" + "\n".join(errors)


def test_no_request_leaves_the_local_server(visits: dict) -> None:
    foreign = [f"{v.name}: {url}" for v in visits.values() for url in v.foreign]
    assert not foreign, "requests to other hosts (blocked by the test):\n" + "\n".join(foreign)


def test_every_local_request_succeeds(visits: dict) -> None:
    failures = [f"{v.name}: {f}" for v in visits.values() for f in v.failures]
    assert not failures, "\n".join(failures)


def test_palette_actually_switches(visits: dict) -> None:
    wrong = []
    for v in visits.values():
        light = v.seen["luminance"] > 0.8
        dark = v.seen["luminance"] < 0.2
        if v.seen["scheme"] != v.scheme or not (light if v.scheme == "default" else dark):
            wrong.append(f"{v.name}: data-md-color-scheme={v.seen['scheme']!r}, background luminance {v.seen['luminance']:.2f}")
    assert not wrong, "pages not in the palette chosen:\n" + "\n".join(wrong)


def test_every_figure_is_drawn_in_both_palettes(served_site: ServedSite, visits: dict) -> None:
    # The browser must have measured every figure the built HTML holds.
    counted = {
        v.name: (len(v.seen["figures"]), parse_html(served_site.built.html(v.page)).figure_svgs)
        for v in visits.values()
    }
    assert all(seen == built for seen, built in counted.values()), counted
    bad = [
        f"{v.name}: {f['name']} {f['width']:.0f}x{f['height']:.0f} visible={f['visible']}"
        for v in visits.values() for f in v.seen["figures"]
        if not (f["visible"] and f["width"] > 0 and f["height"] > 0)
    ]
    assert not bad, "figures not drawn:\n" + "\n".join(bad)


def test_math_is_rendered(visits: dict) -> None:
    bad = []
    for v in visits.values():
        math = v.seen["math"]
        if math["wrappers"] and not math["count"]:
            bad.append(f"{v.name}: {math['wrappers']} formulas but no <math> element")
        bad += [f"{v.name}: formula left as LaTeX: {t}" for t in math["unrendered"]]
        bad += [f"{v.name}: <math> with no size: {t}" for t in math["empty"]]
        bad += [f"{v.name}: raw math delimiter in the text: {t!r}" for t in v.seen["raw"]]
    assert not bad, "\n".join(bad)


def test_code_blocks_have_copy_buttons(visits: dict) -> None:
    missing = [
        f"{v.name}: {v.seen['copyButtons']} copy buttons for {v.seen['codeBlocks']} code blocks"
        for v in visits.values() if v.seen["copyButtons"] < v.seen["codeBlocks"]
    ]
    assert not missing, "\n".join(missing)


def test_pages_link_to_their_neighbours(served_site: ServedSite, visits: dict) -> None:
    # Material's footer: every page but the first has "previous", every page but the last "next".
    ends = []
    for v in visits.values():
        if not (v.seen["prev"] or v.seen["next"]):
            ends.append(v.name)
    assert not ends, f"pages with neither a previous nor a next link: {ends}"
    assert sum(not v.seen["prev"] for v in visits.values()) == len(SCHEMES)
    assert sum(not v.seen["next"] for v in visits.values()) == len(SCHEMES)


def test_not_found_page_loads_its_assets(browser: Any, served_site: ServedSite) -> None:
    """GitHub Pages serves 404.html for any unknown path, so its links are absolute (site_url's path)."""
    recorder = Recorder(served_site.origin)
    context = new_context(browser, recorder)
    page = context.new_page()
    recorder.attach(page)
    page.goto(served_site.url("404.html"))
    page.wait_for_load_state("networkidle")
    styled = page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
    context.close()
    assert (recorder.foreign, recorder.console_errors, recorder.failures) == ([], [], [])
    assert styled == "sticky", "Material's stylesheet did not load on 404.html"


def test_not_found_page_says_so_in_korean_and_leads_back_to_every_page(browser: Any, served_site: ServedSite) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(served_site.url("404.html"))
    heading = page.locator("article h1").inner_text()
    links = page.evaluate("() => [...document.querySelectorAll('article a')].map(a => a.href)")
    statuses = {link: page.request.get(link).status for link in links}
    context.close()
    assert heading == "페이지를 찾을 수 없습니다"
    # Absolute links (the page is served under any path) to the home page and every page of the nav.
    assert {served_site.page_of(link) for link in links} == set(served_site.built.pages)
    assert set(statuses.values()) == {200}, statuses


PHONE = {"width": 390, "height": 800}

HEADER_TITLE = """() => {
  const title = document.querySelector('.md-header__title');
  const active = title.classList.contains('md-header__title--active') ? 1 : 0;
  const topic = title.querySelectorAll('.md-header__topic')[active], text = topic.querySelector('.md-ellipsis');
  const range = document.createRange(); range.selectNodeContents(text);
  const icons = [...document.querySelectorAll('.md-header__option, .md-header__button, .md-header__source')]
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.left > title.getBoundingClientRect().left);
  return {text: text.textContent.trim(), right: range.getBoundingClientRect().right,
          icons: Math.min(...icons.map(r => r.left)), clipped: text.scrollHeight > text.clientHeight + 1,
          slideClipped: getComputedStyle(title.querySelector('.md-header__ellipsis')).overflow === 'hidden'};
}"""


@pytest.mark.parametrize("page", ["", "ch05/6-affine-softmax/", "ch05/7-backprop-implementation/"])
def test_on_a_phone_the_header_title_is_read_whole_beside_its_icons(
        browser: Any, served_site: ServedSite, page: str) -> None:
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.goto(served_site.url(page))
    for scrolled in (False, True):  # the site's name, then (scrolled past the heading) the page's title
        if scrolled:
            tab.evaluate("window.scrollTo(0, 800)")
            tab.wait_for_function("document.querySelector('.md-header__title--active') !== null")
        tab.wait_for_timeout(450)  # Material's slide between the two lasts 0.4 s
        title = tab.evaluate(HEADER_TITLE)
        assert title["right"] <= title["icons"], title  # the text ends before the first icon starts
        assert not title["clipped"], title  # and is read whole, on at most two lines
        assert title["slideClipped"], title  # nothing of it slides under the icons either
    context.close()


GLOSSARY_ROWS = """() => [...document.querySelectorAll('article table tbody tr')].map(tr => {
  const [term, original, meaning] = [...tr.cells].map(td => td.getBoundingClientRect());
  return {term, original, meaning, column: document.querySelector('article.md-content__inner').clientWidth};
})"""


def test_the_glossary_gives_its_meanings_the_width_on_a_phone_and_stays_a_table_on_a_laptop(
        browser: Any, served_site: ServedSite) -> None:
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.goto(served_site.url("glossary/"))
    rows = tab.evaluate(GLOSSARY_ROWS)
    assert len(rows) >= 30
    for row in rows:
        # The meaning runs under the term, across (nearly) the whole column, not in a sliver beside it.
        assert row["meaning"]["width"] >= 0.85 * row["column"], row
        assert row["meaning"]["top"] >= row["term"]["bottom"] - 1, row
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tab.set_viewport_size({"width": 1280, "height": 800})
    for row in tab.evaluate(GLOSSARY_ROWS):  # three columns side by side, as before
        assert row["term"]["right"] <= row["original"]["left"] <= row["original"]["right"] <= row["meaning"]["left"], row
        assert abs(row["term"]["top"] - row["meaning"]["top"]) < 2, row
    context.close()


# What is wider than the column (a figure, a table, a block formula, code) scrolls in its own
# box; the page itself never pans sideways, down to the narrowest phones still in use.
WIDE_INLINE = """() => [...document.querySelectorAll('article p, article li')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim().slice(0, 80))"""


@pytest.mark.parametrize("width", [320, 360, 390])
def test_no_page_scrolls_sideways_on_a_small_phone(browser: Any, served_site: ServedSite, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    wide = {}
    for page in served_site.built.pages:
        tab.goto(served_site.url(page))
        tab.evaluate("document.fonts.ready.then(() => true)")
        if tab.evaluate("document.documentElement.scrollWidth") > width:
            wide[page] = tab.evaluate(WIDE_INLINE)
    context.close()
    assert not wide, wide
