"""The built site as readers get it: a local static server and Debian's Chromium driven by Playwright.

The site is built and served once per session; each browser test module starts Chromium
once and opens pages in its own contexts.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, ServedSite, serve
from site_helpers import BuiltSite


@pytest.fixture(scope="session")
def served_site(built_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    with serve(built_site, tmp_path_factory.mktemp("served")) as site:
        yield site


# Module scope, not session: Playwright's sync API allows one running instance per thread,
# and other test modules (tests/figures/) start their own; a session-long one would break them.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's package 'chromium' "
            "(sudo apt-get install chromium; ./run.sh test installs it). "
            "Do not use 'playwright install': the tests drive the system's Chromium."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # launch() gives the browser a fresh temporary profile (user data dir) every session.
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
