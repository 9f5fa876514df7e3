"""Reading a built MkDocs site: its pages (from the sitemap), their HTML and their search index."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ROOT = Path(__file__).resolve().parents[1]


class BuildFailed(RuntimeError):
    """``mkdocs build --strict`` failed; the message holds MkDocs' own messages."""


def build_site(site_dir: Path, config_file: Path | None = None) -> BuiltSite:
    """Build with the real ``mkdocs build --strict`` (our mkdocs.yml unless ``config_file``)."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config_file is not None:
        command += ["--config-file", str(config_file)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        # Material prints a boxed notice on every build; the build's own messages follow it.
        log = "\n".join(line for line in result.stderr.splitlines() if "\u2502" not in line)
        raise BuildFailed(f"mkdocs build --strict failed (exit {result.returncode}):\n{log[-6000:]}")
    return read_built_site(site_dir)


@dataclass(frozen=True)
class BuiltSite:
    site_dir: Path
    site_url: str          # as written into the sitemap, ends with "/"
    base_path: str         # the path part of site_url: where the site lives on its host ("/" or "/x/")
    pages: tuple[str, ...]  # page paths relative to the site root: "", "glossary/", "ch05/1-…/"

    def html_file(self, page: str) -> Path:
        return self.site_dir / page / "index.html"

    def html(self, page: str) -> str:
        return self.html_file(page).read_text(encoding="utf-8")

    def search_index(self) -> dict:
        return json.loads((self.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))


def read_built_site(site_dir: Path) -> BuiltSite:
    """Discover the pages from the sitemap MkDocs wrote, so no test hard-codes the page list."""
    root = ET.parse(site_dir / "sitemap.xml").getroot()
    locs = [loc.text.strip() for loc in root.iter(f"{SITEMAP_NS}loc") if loc.text]
    if not locs:
        raise AssertionError(f"{site_dir / 'sitemap.xml'} lists no pages")
    # The home page's URL is the shortest; every other page lies below it.
    site_url = min(locs, key=len)
    outside = [loc for loc in locs if not loc.startswith(site_url)]
    if outside:
        raise AssertionError(f"sitemap URLs outside {site_url}: {outside}")
    pages = tuple(loc[len(site_url):] for loc in locs)
    return BuiltSite(site_dir=site_dir, site_url=site_url, base_path=urlsplit(site_url).path or "/", pages=pages)


def built_page_dirs(site_dir: Path) -> set[str]:
    """Every page MkDocs wrote (directory URLs), whether or not the sitemap lists it."""
    found = set()
    for index in site_dir.rglob("index.html"):
        rel = index.parent.relative_to(site_dir).as_posix()
        found.add("" if rel == "." else rel + "/")
    return found


HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.headings: list[tuple[str, str, str]] = []  # (tag, id, text)
        self._heading: list | None = None
        self.styles: list[str] = []
        self._in_style = False
        self.figure_svgs = 0  # outermost <svg> elements inside a <figure>
        self._figures = 0
        self._svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}, self.getpos()[0]))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = [tag, dict(attrs).get("id") or "", ""]
        elif self._heading is not None and tag == "a" and "headerlink" in (dict(attrs).get("class") or ""):
            # The permalink's pilcrow is not part of the heading's text.
            self._heading.append("in-permalink")
        if tag == "style":
            self._in_style = True
        if tag == "figure":
            self._figures += 1
        elif tag == "svg":
            if self._figures and not self._svgs:
                self.figure_svgs += 1
            self._svgs += 1

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None:
            if tag == self._heading[0]:
                self.headings.append((self._heading[0], self._heading[1], self._heading[2].strip()))
                self._heading = None
            elif tag == "a" and self._heading[-1] == "in-permalink":
                self._heading.pop()
        if tag == "style":
            self._in_style = False
        if tag == "figure":
            self._figures = max(0, self._figures - 1)
        elif tag == "svg":
            self._svgs = max(0, self._svgs - 1)

    def handle_data(self, data: str) -> None:
        if self._heading is not None and self._heading[-1] != "in-permalink":
            self._heading[2] += data
        if self._in_style:
            self.styles.append(data)


def parse_html(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(text)
    collector.close()
    return collector


# Material's search splits on `separator` ([\s\-]+ by default) and lunr's trimmer
# then drops what is not a word character at both ends of a token.
_NOT_WORD = r"[^0-9A-Za-z_\u00c0-\u024f\u3131-\u318e\uac00-\ud7a3]"


def search_tokens(text: str, separator: str = r"[\s\-]+") -> list[str]:
    tokens = (re.sub(rf"^{_NOT_WORD}+|{_NOT_WORD}+$", "", t) for t in re.split(separator, text))
    return [t for t in tokens if t]
