"""Session fixtures shared by the tests of the built site (offline, anchors, browser)."""
from __future__ import annotations

import pytest

from site_helpers import BuildFailed, BuiltSite, build_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The real site, built once per test session with ``mkdocs build --strict``."""
    try:
        return build_site(tmp_path_factory.mktemp("built") / "site")
    except BuildFailed as exc:
        pytest.fail(str(exc), pytrace=False)
