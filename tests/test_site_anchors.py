"""Heading anchors keep their Hangul, and links to them land."""
from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

from site_helpers import HANGUL, BuiltSite, parse_html


def test_korean_headings_get_korean_ids(built_site: BuiltSite) -> None:
    korean = []
    for page in built_site.pages:
        for tag, anchor, text in parse_html(built_site.html(page)).headings:
            if HANGUL.search(text):
                korean.append((page, tag, anchor, text))
    assert korean, "no page has a heading in Hangul; the check below would prove nothing"
    # Python-Markdown's default slugify drops every non-ASCII letter ("5.3 역전파" -> "53");
    # pymdownx.slugs.slugify keeps them, so the id spells the heading's syllables in order.
    lost = [
        f"{page or 'index'}: <{tag} id={anchor!r}> {text}"
        for page, tag, anchor, text in korean
        if HANGUL.findall(anchor) != HANGUL.findall(text)
    ]
    assert not lost, "headings whose id lost Hangul (toc.slugify must be pymdownx.slugs.slugify):\n" + "\n".join(lost)


def test_ids_are_unique_on_each_page(built_site: BuiltSite) -> None:
    duplicates = []
    for page in built_site.pages:
        ids = [el.attrs["id"] for el in parse_html(built_site.html(page)).elements if "id" in el.attrs]
        duplicates += [f"{page or 'index'}: #{i}" for i in sorted(set(ids)) if ids.count(i) > 1]
    assert not duplicates, "ids used twice on one page:\n" + "\n".join(duplicates)


def test_every_link_to_a_heading_lands(built_site: BuiltSite) -> None:
    """Links with a #fragment inside the site point at an id that exists on the target page."""
    ids = {
        page: {el.attrs["id"] for el in parse_html(built_site.html(page)).elements if "id" in el.attrs}
        for page in built_site.pages
    }
    broken = []
    for page in built_site.pages:
        for el in parse_html(built_site.html(page)).elements:
            href = el.attrs.get("href", "") if el.tag == "a" else ""
            parts = urlsplit(href)
            if not parts.fragment or parts.scheme or parts.netloc:
                continue
            target = page
            if parts.path:
                joined = posixpath.normpath(posixpath.join(page, unquote(parts.path)))
                target = "" if joined == "." else joined + "/"
            if target not in ids:
                continue  # not a page (an asset, or outside the site): not an anchor link
            if unquote(parts.fragment) not in ids[target]:
                broken.append(f"{page or 'index'} line {el.line}: {href} (no such id on {target or 'index'})")
    assert not broken, "links to headings that do not exist:\n" + "\n".join(broken)
