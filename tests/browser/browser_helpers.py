"""Helpers for the browser tests: the served site, what a page visit records, browser contexts."""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from site_helpers import BuiltSite

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
SCHEMES = ("default", "slate")  # Material's light and dark palettes, as in mkdocs.yml


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


@dataclass(frozen=True)
class ServedSite:
    built: BuiltSite
    origin: str    # http://127.0.0.1:PORT
    base_url: str  # where the home page is served, under the same path as site_url

    def url(self, page: str) -> str:
        return self.base_url + page

    def page_of(self, url: str) -> str:
        """'glossary/#학습' for a URL of this site (query dropped, fragment decoded)."""
        from urllib.parse import unquote

        parts = urlsplit(url)
        path = parts.path[len(urlsplit(self.base_url).path):]
        return unquote(path) + (f"#{unquote(parts.fragment)}" if parts.fragment else "")


@contextlib.contextmanager
def serve(built: BuiltSite, root: Path) -> Iterator[ServedSite]:
    """Serve ``built`` from an empty folder ``root`` on 127.0.0.1, under site_url's path (as
    GitHub Pages will), so the absolute links of 404.html are tried too."""
    prefix = built.base_path.strip("/")
    if prefix:
        (root / prefix).parent.mkdir(parents=True, exist_ok=True)
        (root / prefix).symlink_to(built.site_dir, target_is_directory=True)
        directory = root
    else:
        directory = built.site_dir
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield ServedSite(built=built, origin=origin, base_url=origin + built.base_path)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@dataclass
class Recorder:
    """What one page visit did on the network and in the console."""

    origin: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.requests.clear()
        self.foreign.clear()
        self.console_errors.clear()
        self.failures.clear()

    def attach(self, page: object) -> None:
        page.on("request", lambda r: self.requests.append(r.url))  # type: ignore[attr-defined]
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))  # type: ignore[attr-defined]
        page.on("requestfailed", lambda r: self._failed(r))  # type: ignore[attr-defined]
        page.on("response", lambda r: self.failures.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)  # type: ignore[attr-defined]

    def _failed(self, request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        if url not in self.foreign:  # those we blocked ourselves are reported as foreign
            self.failures.append(f"failed ({request.failure}): {url}")  # type: ignore[attr-defined]

    def route(self, route: object) -> None:
        """Let requests to the local server through; record and block any other host."""
        url = route.request.url  # type: ignore[attr-defined]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(url)
            route.abort("blockedbyclient")  # type: ignore[attr-defined]
        else:
            route.continue_()  # type: ignore[attr-defined]


def new_context(browser: object, recorder: Recorder) -> object:
    """A fresh context (own storage) whose requests all pass through ``recorder``."""
    # The OS preference is light in both contexts: dark must come from the palette toggle.
    context = browser.new_context(  # type: ignore[attr-defined]
        color_scheme="light", locale="ko-KR", viewport={"width": 1280, "height": 900}, service_workers="block",
    )
    context.route("**/*", recorder.route)
    return context


def screenshot_name(page: str, scheme: str) -> str:
    return (page.strip("/").replace("/", "-") or "index") + f"-{scheme}.png"
