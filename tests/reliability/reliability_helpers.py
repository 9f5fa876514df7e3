"""What the reliability tests share: small sites, builds, and an independent safety check."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

from plugin_site import build, page_html, serve_build, summary, write_site  # noqa: F401  (re-exported)

__all__ = [
    "build", "errors", "page_html", "process_gone", "summary", "unsafe_markup", "wait_for_file",
    "write_site", "start_build", "tracebacks", "outputs", "kill_leftovers",
]


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    """MkDocs' ERROR/WARNING records, each with its continuation lines."""
    records = re.split(r"\n(?=(?:ERROR|WARNING|INFO|DEBUG)\s+-)", "\n" + result.stderr)
    return [r.strip() for r in records if r.strip().startswith(("ERROR", "WARNING"))]


def tracebacks(text: str) -> list[str]:
    """Python tracebacks in ``text`` that are not an author's own (an author's quotes the .md)."""
    found = []
    for match in re.finditer(r"Traceback \(most recent call last\):\n((?:[ \t].*\n?)*)", text):
        frames = match.group(1)
        if ".md\", line" in frames and "site-packages" not in frames and "/plugin/" not in frames:
            continue
        found.append(match.group(0))
    return found


# -- is the finished page safe? (written here, independent of the plugin's sanitiser) --

_SCRIPT_MARK = "alert("  # every attack in these tests calls alert(…)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        self.stack.append(tag)
        self.in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and _SCRIPT_MARK in data:
            self.problems.append(f"<script> running {data.strip()[:60]!r}")

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        inside_drawing = tag in ("svg", "math") or any(t in ("svg", "math") for t in self.stack)
        named = {k: v or "" for k, v in attrs}
        for key, value in named.items():
            squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
            if key.startswith("on") and _SCRIPT_MARK in value:
                self.problems.append(f"<{tag} {key}=…> handler")
            if squeezed.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.problems.append(f"<{tag} {key}={value[:40]!r}> script link")
            if inside_drawing and key in ("href", "xlink:href", "src") and re.match(r"^([a-z][a-z0-9+.-]*:|//)", squeezed) \
                    and not squeezed.startswith("data:image/"):
                self.problems.append(f"<{tag} {key}={value[:40]!r}> external reference in a drawing")
            if inside_drawing and re.search(r"url\((?!\s*['\"]?#)", squeezed):
                self.problems.append(f"<{tag} {key}={value[:40]!r}> external url() in a drawing")
        if tag in ("set", "animate") and named.get("attributename", "").lower() in ("href", "xlink:href"):
            self.problems.append(f"<{tag} attributeName={named['attributename']}> animating a link")
        if tag in ("foreignobject", "iframe", "embed", "object"):
            self.problems.append(f"<{tag}> in a drawing")


def unsafe_markup(html: str) -> list[str]:
    """What in a finished page could run script or reach the network: [] if nothing."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    if title and "<" in title.group(1):
        scanner.problems.append(f"markup inside <title>: {title.group(1)[:60]!r}")
    return scanner.problems


# -- processes ---------------------------------------------------------------------


def start_build(root: Path, *args: str) -> subprocess.Popen[str]:
    """``mkdocs build`` in its own session, as a terminal would run it (for signals)."""
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), *args],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def wait_for_file(path: Path, process: subprocess.Popen[str] | None = None, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            time.sleep(0.05)
            return path.read_text().strip()
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the build ended before {path.name} appeared:\n{process.stderr.read()[-3000:]}")
        time.sleep(0.05)
    raise AssertionError(f"{path} did not appear in {seconds} s")


def process_gone(pid: int, seconds: float) -> bool:
    """True once ``pid`` has exited (a zombie nobody reaps counts as exited) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def kill_leftovers(*pids: int) -> None:
    """Clean up after a failing test: the processes it could not get rid of."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def outputs(html: str) -> list[str]:
    """The printed output of each block on a page, in order, as text."""
    import html as html_lib

    return [html_lib.unescape(m) for m in re.findall(
        r'<div class="bp-output"><pre><code>(.*?)</code></pre></div>', html, re.DOTALL)]
