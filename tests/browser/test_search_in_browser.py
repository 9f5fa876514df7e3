"""Korean search in Material's search box, as a reader types it.

What a query must find is worked out from the built search index's text (whitespace
tokens), independently of lunr: the browser's results have to include those pages.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_helpers import Recorder, ServedSite, new_context, serve
from site_helpers import ROOT, BuildFailed, build_site, search_tokens

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
# The chapter's key terms (issue 5). Before docs/ch05/ exists a missing term is a skip.
QUERIES = ["역전파", "연쇄법칙", "기울기 확인"]
TERM = "역전파"


@pytest.fixture(scope="module")
def search_page(browser: Any, served_site: ServedSite) -> Iterator[Any]:
    recorder = Recorder(served_site.origin)
    context = new_context(browser, recorder)
    page = context.new_page()
    recorder.attach(page)
    yield page
    context.close()
    assert not recorder.foreign, f"search fetched from other hosts: {recorder.foreign}"
    assert not recorder.console_errors, f"console errors while searching: {recorder.console_errors}"


def search(page: Any, site: ServedSite, query: str) -> set[str]:
    """Type ``query`` into the search box of the home page; return every result link as 'page/#id'."""
    page.goto(site.url(""))
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    # Material reads the box on keyup. A Korean IME sends keyups while composing; fill()
    # inserts the text without any, so release a key that does not change the text.
    box.press("End")
    items = page.locator(".md-search-result__item")
    try:
        items.first.wait_for(timeout=10_000)
    except PlaywrightTimeout as exc:  # report what the reader saw instead
        meta = page.locator(".md-search-result__meta").inner_text()
        raise AssertionError(f"no search results for {query!r}; Material says: {meta!r}") from exc
    # Material shows the first 10 results, then 4 more each time the list *reaches* its
    # bottom: scroll away and back until every result counted in the summary is in.
    expected = int(re.search(r"\d+", page.locator(".md-search-result__meta").inner_text()).group())
    results, scroller = page.locator("li.md-search-result__item"), page.locator(".md-search__scrollwrap")
    while (shown := results.count()) < expected:
        for _attempt in range(10):  # a busy machine may miss a quick scroll; try again
            scroller.evaluate("el => { el.scrollTop = 0; }")
            page.wait_for_timeout(100)
            scroller.evaluate("el => { el.scrollTop = el.scrollHeight; }")
            try:
                page.wait_for_function(
                    f"document.querySelectorAll('li.md-search-result__item').length > {shown}", timeout=1_000
                )
                break
            except PlaywrightTimeout:
                continue
        else:
            raise AssertionError(f"search for {query!r}: only {shown} of {expected} results appeared")
    hrefs = page.locator("a.md-search-result__link").evaluate_all("links => links.map(a => a.href)")
    return {site.page_of(h) for h in hrefs}


def _pages(location: str) -> str:
    return location.split("#", 1)[0]


def sections_with(site: ServedSite, terms: list[str]) -> dict[str, list[str]]:
    """Search-index sections, by page, holding a word that starts with each of ``terms``."""
    index = site.built.search_index()
    separator = index["config"]["separator"]
    found: dict[str, list[str]] = {}
    for doc in index["docs"]:
        tokens = search_tokens(doc["title"] + " " + doc["text"], separator)
        if all(any(t.startswith(term) for t in tokens) for term in terms):
            found.setdefault(_pages(doc["location"]), []).append(doc["location"])
    return found


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_the_chapters_terms(search_page: Any, served_site: ServedSite, query: str) -> None:
    expected = sections_with(served_site, query.split())
    if not expected:
        if (DOCS / "ch05").is_dir():
            pytest.fail(f"no page of the chapter contains {query!r}, but docs/ch05/ exists")
        pytest.skip(f"no page contains {query!r} yet (docs/ch05/ has not landed)")
    results = search(search_page, served_site, query)
    missing = sorted(set(expected) - {_pages(r) for r in results})
    assert not missing, f"search for {query!r} misses pages that contain it: {missing}"


def test_search_finds_the_word_followed_by_a_particle(search_page: Any, served_site: ServedSite) -> None:
    """역전파를, 역전파는, 역전파로 … are one whitespace token each; searching 역전파 must still find them."""
    index = served_site.built.search_index()
    separator = index["config"]["separator"]
    particle_only = []
    for doc in index["docs"]:
        tokens = search_tokens(doc["title"] + " " + doc["text"], separator)
        with_particle = [t for t in tokens if t.startswith(TERM) and t != TERM]
        if with_particle and TERM not in tokens:
            particle_only.append((doc["location"], sorted(set(with_particle))))
    if not particle_only:
        pytest.skip(f"no section uses {TERM} only with a particle attached")
    results = search(search_page, served_site, TERM)
    missed = [f"{location} ({', '.join(words)})" for location, words in particle_only if location not in results]
    assert not missed, f"search for {TERM!r} misses sections where it has a particle:\n" + "\n".join(missed)


# Our search configuration on pages written for the test, so the particle forms are checked
# whatever the chapter says: one page per form, and more pages than Material lists at first.
PARTICLE_FORMS = [
    "역전파를", "역전파는", "역전파가", "역전파로", "역전파의", "역전파에서", "역전파와",
    "역전파만", "역전파도", "역전파에는", "역전파입니다", "역전파로는", "역전파까지",
]


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    root = tmp_path_factory.mktemp("small")
    docs = root / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# 처음\n\n계산 그래프를 소개합니다.\n", encoding="utf-8")
    # A control: a word that merely shares the ending must not be found.
    (docs / "forward.md").write_text("# 앞으로\n\n순전파를 먼저 합니다.\n", encoding="utf-8")
    nav = ["index.md", "forward.md"]
    for i, word in enumerate(PARTICLE_FORMS):
        (docs / f"p{i:02d}.md").write_text(f"# 쪽 {i}\n\n이 쪽에서는 {word} 살펴봅니다.\n", encoding="utf-8")
        nav.append(f"p{i:02d}.md")
    (root / "layers").symlink_to(ROOT / "layers", target_is_directory=True)  # the inherited `watch` folder
    config = root / "mkdocs.yml"
    config.write_text(
        # The theme's custom_dir is relative to the config file: point it at the repository's.
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\ntheme:\n  custom_dir: {ROOT / 'overrides'}\nnav:\n"
        + "".join(f"  - {n}\n" for n in nav),
        encoding="utf-8",
    )
    try:
        built = build_site(root / "site", config)
    except BuildFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    with serve(built, root / "served") as site:
        yield site


def test_our_search_config_finds_every_particle_form(browser: Any, small_site: ServedSite) -> None:
    recorder = Recorder(small_site.origin)
    context = new_context(browser, recorder)
    page = context.new_page()
    try:
        found = {_pages(r) for r in search(page, small_site, TERM)}
    finally:
        context.close()
    pages_with_form = {f"p{i:02d}/": word for i, word in enumerate(PARTICLE_FORMS)}
    missed = sorted(f"{p} ({w})" for p, w in pages_with_form.items() if p not in found)
    assert not missed, f"search for {TERM!r} misses: {missed}"
    assert found == set(pages_with_form), f"unexpected pages found: {sorted(found - set(pages_with_form))}"
