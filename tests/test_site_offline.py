"""The built site fetches nothing from another host: no web fonts, no CDN scripts, styles or images.

A fast check of the built files; tests/browser/ checks the same at run time in Chromium.
"""
from __future__ import annotations

import re
from pathlib import Path

from site_helpers import BuiltSite, parse_html

# Attributes through which the browser fetches something when the page is shown.
FETCHING = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "embed": ("src",),
    "object": ("data",), "input": ("src",), "image": ("href", "xlink:href"), "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"), "link": ("href", "imagesrcset"),
}
# <link> relations that only name a URL (for crawlers, or for the reader to follow); all
# others (stylesheet, icon, preload, preconnect, dns-prefetch, manifest, …) make the browser
# contact the host, and preconnect to fonts.gstatic.com is how Google Fonts starts.
NAMING_ONLY_RELS = {"canonical", "alternate", "prev", "next", "author", "license", "help", "search"}
REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:|//)", re.IGNORECASE)
CSS_REMOTE = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""", re.IGNORECASE)


def _is_remote(url: str) -> bool:
    url = url.strip()
    return bool(REMOTE.match(url)) and not url.lower().startswith(("data:", "blob:", "#"))


def remote_references(html: str) -> list[str]:
    """Each reference in ``html`` that would make a viewer's browser fetch from another host."""
    parsed = parse_html(html)
    found = []
    for el in parsed.elements:
        for attr in FETCHING.get(el.tag, ()):
            if attr not in el.attrs:
                continue
            if el.tag == "link" and set(el.attrs.get("rel", "").lower().split()) <= NAMING_ONLY_RELS:
                continue
            candidates = [el.attrs[attr]]
            if attr.endswith("srcset"):
                candidates = [part.strip().split(" ")[0] for part in el.attrs[attr].split(",")]
            found += [f"line {el.line}: <{el.tag} {attr}={c!r}>" for c in candidates if _is_remote(c)]
        if "style" in el.attrs:
            found += [f"line {el.line}: <{el.tag} style> {u}" for u in CSS_REMOTE.findall(el.attrs["style"])]
    found += [f"<style> {u}" for css in parsed.styles for u in CSS_REMOTE.findall(css)]
    return found


def test_no_page_references_another_host(built_site: BuiltSite) -> None:
    problems = {}
    for path in sorted(built_site.site_dir.rglob("*.html")):
        refs = remote_references(path.read_text(encoding="utf-8"))
        if refs:
            problems[path.relative_to(built_site.site_dir).as_posix()] = refs
    assert not problems, (
        "built pages would fetch from other hosts (serve the asset from docs/ or the plugin instead):\n"
        + "\n".join(f"{page}: {ref}" for page, refs in problems.items() for ref in refs)
    )


def test_no_stylesheet_imports_another_host(built_site: BuiltSite) -> None:
    problems = []
    for path in sorted(built_site.site_dir.rglob("*.css")):
        for url in CSS_REMOTE.findall(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(built_site.site_dir)}: {url}")
    assert not problems, "stylesheets load from other hosts:\n" + "\n".join(problems)


def test_no_google_fonts(built_site: BuiltSite) -> None:
    hits = [
        path.relative_to(built_site.site_dir).as_posix()
        for path in built_site.site_dir.rglob("*")
        if path.suffix in (".html", ".css")
        and re.search(r"fonts\.(googleapis|gstatic)\.com", path.read_text(encoding="utf-8"))
    ]
    assert not hits, f"Google Fonts referenced in {hits}: keep `theme: font: false` in mkdocs.yml"


def test_the_checker_sees_what_material_emits_for_web_fonts() -> None:
    # What Material 9 writes into <head> when theme.font is not false; the check above
    # must catch it, or a passing test_no_page_references_another_host means nothing.
    head = (
        '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto:300,400&display=fallback">'
        '<link rel="canonical" href="https://example.github.io/x/">'
        '<script src="//cdn.example.org/mathjax.js"></script>'
        '<img srcset="a.png 1x, https://cdn.example.org/b.png 2x">'
        '<div style="background: url(\'https://cdn.example.org/c.png\')"></div>'
        '<img src="data:image/png;base64,AAAA"><a href="https://example.org/">link</a>'
    )
    refs = remote_references(head)
    assert [r.split(": ", 1)[1] for r in refs] == [
        "<link href='https://fonts.gstatic.com'>",
        "<link href='https://fonts.googleapis.com/css?family=Roboto:300,400&display=fallback'>",
        "<script src='//cdn.example.org/mathjax.js'>",
        "<img srcset='https://cdn.example.org/b.png'>",
        "<div style> https://cdn.example.org/c.png",
    ]


def test_site_dir_is_not_empty(built_site: BuiltSite) -> None:
    # Guards the checks above against passing on an empty build.
    assert len(list(Path(built_site.site_dir).rglob("*.html"))) >= len(built_site.pages) >= 1
