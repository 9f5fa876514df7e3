"""Session fixtures shared by the tests of the built site (offline, anchors, browser)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from site_helpers import BuiltSite, read_built_site

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The real site, built once per test session with ``mkdocs build --strict``."""
    site_dir = tmp_path_factory.mktemp("built") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT, capture_output=True, text=True,
    )
    if result.returncode != 0:
        # Material prints a boxed notice on every build; the build's own messages follow it.
        log = "\n".join(line for line in result.stderr.splitlines() if "\u2502" not in line)
        pytest.fail(f"mkdocs build --strict failed (exit {result.returncode}):\n{log[-6000:]}", pytrace=False)
    return read_built_site(site_dir)
