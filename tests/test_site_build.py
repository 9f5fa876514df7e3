"""The real site builds with --strict (the session's one build, shared with the other site tests)."""
from __future__ import annotations

from site_helpers import BuiltSite


def test_site_builds_strict(built_site: BuiltSite) -> None:
    # built_site is `mkdocs build --strict` of the real site: a warning or error fails it.
    html = built_site.html("")
    assert "오차역전파법" in html
    assert "fonts.googleapis.com" not in html
