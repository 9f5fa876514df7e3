"""The README's serve instructions are what `./run.sh serve` does: the address it prints
(with the site_url path) answers with the site, `-a` picks another port, and the bare
address redirects there."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readme_shows_the_address_serve_uses() -> None:
    from mkdocs.config import load_config

    path = re.sub(r"^https?://[^/]+", "", load_config(str(ROOT / "mkdocs.yml")).site_url)
    assert f"http://127.0.0.1:8000{path}" in README
    run_sh = (ROOT / "run.sh").read_text(encoding="utf-8")
    assert "serve -a 127.0.0.1:8000" in run_sh  # the default the README names
    assert re.search(rf"\./run\.sh serve -a 127\.0\.0\.1:(\d+) .*http://127\.0\.0\.1:\1{re.escape(path)}", README)


@pytest.mark.slow
def test_run_sh_serve_answers_at_the_readme_address_on_the_chosen_port() -> None:
    example = re.search(r"\./run\.sh serve -a (127\.0\.0\.1:\d+) .*?(http://\S+)", README)
    assert example, "the README shows no `./run.sh serve -a` example"
    port = _free_port()
    url = example.group(2).replace(example.group(1), f"127.0.0.1:{port}")
    process = subprocess.Popen(["./run.sh", "serve", "-a", f"127.0.0.1:{port}"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        page = ""
        while time.monotonic() < deadline and "오차역전파법" not in page:
            assert process.poll() is None, "./run.sh serve exited"
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    page = response.read().decode("utf-8")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert "오차역전파법" in page, f"nothing served at {url}"
        # The bare address sends the reader to the site's path.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.url == url
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
    assert f"Serving on {url}" in stderr
