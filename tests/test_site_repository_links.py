"""Every page links to its Markdown source and to the editor for it, in the repository
mkdocs.yml names (from REPO_URL/EDIT_URI, as site_url comes from SITE_URL), and the
header's repository link is only a link: no script asks GitHub for stars and forks."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config import load_config

from site_helpers import BuiltSite, parse_html

ROOT = Path(__file__).resolve().parents[1]


def source_of(page: str) -> str:
    """The Markdown file a built page came from, relative to docs/."""
    candidates = [f"{page.rstrip('/')}.md", f"{page}index.md"] if page else ["index.md"]
    found = [c for c in candidates if (ROOT / "docs" / c).is_file()]
    assert len(found) == 1, f"cannot tell which file built {page!r}: {found}"
    return found[0]


def content_buttons(html: str) -> dict[str, str]:
    """The edit ("rel=edit") and view buttons next to the page title, by kind."""
    buttons = {}
    for el in parse_html(html).elements:
        if el.tag == "a" and "md-content__button" in el.attrs.get("class", ""):
            buttons["edit" if el.attrs.get("rel") == "edit" else "view"] = el.attrs["href"]
    return buttons


def test_every_page_links_to_its_source_and_editor(built_site: BuiltSite) -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))  # resolves !ENV as the build did
    repo, edit_uri = config.repo_url.rstrip("/"), config.edit_uri
    branch_path = edit_uri.split("/", 1)[1]  # "main/docs/"
    for page in built_site.pages:
        source = source_of(page)
        buttons = content_buttons(built_site.html(page))
        assert buttons.get("edit") == f"{repo}/edit/{branch_path}{source}", page
        assert buttons.get("view") == f"{repo}/raw/{branch_path}{source}", page


def test_the_repository_link_fetches_nothing(built_site: BuiltSite) -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    for page in built_site.pages:
        html = built_site.html(page)
        # Material's script reads this marker and asks api.github.com for stars and forks.
        assert 'data-md-component="source"' not in html, page
        links = [el for el in parse_html(html).elements if el.tag == "a" and "md-source" in el.attrs.get("class", "")]
        # In the header, and again in the navigation drawer on narrow screens.
        assert links and {el.attrs["href"] for el in links} == {config.repo_url}, page


@pytest.mark.slow
def test_repository_comes_from_the_environment(tmp_path: Path) -> None:
    env = {**os.environ, "REPO_URL": "https://github.com/someone/textbook", "EDIT_URI": "edit/trunk/docs/"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    html = (tmp_path / "site" / "ch05" / "2-chain-rule" / "index.html").read_text(encoding="utf-8")
    buttons = content_buttons(html)
    assert buttons["edit"] == "https://github.com/someone/textbook/edit/trunk/docs/ch05/2-chain-rule.md"
    assert buttons["view"] == "https://github.com/someone/textbook/raw/trunk/docs/ch05/2-chain-rule.md"
    assert re.search(r'<a href="https://github.com/someone/textbook"[^>]*class="md-source"', html)
