"""A real `mkdocs serve`: it stays up on errors, recovers, and re-runs after a library edit."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugin_site import write_site


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, text: str, process: subprocess.Popen[str], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    page = ""
    while time.monotonic() < deadline:
        assert process.poll() is None, "mkdocs serve exited"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                page = response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            page = ""
        if text in page:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear at {url}; last page:\n{page[-2000:]}")


@contextlib.contextmanager
def _serving(root: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--livereload",
         "-a", f"127.0.0.1:{port}", "-f", str(root / "mkdocs.yml")],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}/", process
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


@pytest.mark.slow
def test_serve_survives_errors_and_reruns_library_edits(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "index.md": "# 서브\n\n```python exec\nfrom mylib import VALUE\nprint('value is', VALUE)\n```\n",
    }, options="watch: [mylib]", extra="strict: true\n")
    (root / "mylib").mkdir()
    library = root / "mylib" / "__init__.py"
    library.write_text("VALUE = 1\n", encoding="utf-8")
    with _serving(root) as (url, process):
        _wait_for(url, "value is 1", process)
        time.sleep(1.2)  # the watcher ignores changes within a second of the last build
        library.write_text("VALUE = 1 / 0\n", encoding="utf-8")
        page = _wait_for(url, "bp-error", process)
        assert "ZeroDivisionError" in page
        time.sleep(1.2)
        library.write_text("VALUE = 2\n", encoding="utf-8")
        page = _wait_for(url, "value is 2", process)
        assert "bp-error" not in page


@pytest.mark.slow
def test_serve_keeps_the_worker_until_the_code_it_imported_changes(tmp_path: Path) -> None:
    # Pages run in children forked from the worker server, so a page's parent pid names
    # the server. A page edit keeps it (no new Python, no numpy import); an edit in a
    # watched folder (the code the worker may have imported) starts a new one.
    def page_text(n: int) -> str:
        return f"# 서브\n\n```python exec\nimport os\nprint('run', {n}, 'server', os.getppid(), 'end')\n```\n"

    root = write_site(tmp_path, {"index.md": page_text(1)}, options="watch: [mylib]")
    (root / "mylib").mkdir()
    (root / "mylib" / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    page = root / "docs" / "index.md"
    with _serving(root) as (url, process):
        servers = []
        for n, edit in ((1, None), (2, "page"), (3, "page"), (4, "library")):
            if edit == "page":
                page.write_text(page_text(n), encoding="utf-8")
            elif edit == "library":
                (root / "mylib" / "__init__.py").write_text(f"VALUE = {n}\n", encoding="utf-8")
                page.write_text(page_text(n), encoding="utf-8")
            html = _wait_for(url, f"run {n} server", process)
            servers.append(int(re.search(rf"run {n} server (\d+) end", html).group(1)))
            time.sleep(1.2)  # the watcher ignores changes within a second of the last build
    assert servers[0] == servers[1] == servers[2]
    assert servers[3] != servers[0]
