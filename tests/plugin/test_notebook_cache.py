"""A page's notebook and script come from the cache in a warm build, the same as when made."""
from __future__ import annotations

from pathlib import Path

from plugin_site import build, summary, write_site

PAGE = "# 노트북\n\n```python exec\nx = 6 * 7\nprint(x)\n```\n\n값은 `{py} x`입니다.\n"


def test_warm_build_takes_the_notebook_from_the_cache(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"index.md": PAGE})
    first = build(root)
    assert first.returncode == 0, first.stderr
    made = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*")
            if p.suffix in (".ipynb", ".py")}
    assert any(p.suffix == ".ipynb" for p in made)
    stored = list((root / ".cache" / "backprop" / "notebooks").iterdir())
    assert len(stored) == 1

    second = build(root)  # a new process: nothing remembered but the cache
    assert second.returncode == 0, second.stderr
    assert summary(second) == (0, 1)
    again = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*")
             if p.suffix in (".ipynb", ".py")}
    assert again == made
    # Damaged entry: made again, same files.
    stored[0].write_text("{", encoding="utf-8")
    third = build(root)
    assert third.returncode == 0, third.stderr
    assert {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*")
            if p.suffix in (".ipynb", ".py")} == made


def test_a_page_run_again_with_new_output_gets_a_new_notebook(tmp_path: Path) -> None:
    # Same code, so the same page key, but a new run printed something else (time,
    # randomness): the notebook is keyed on the results themselves and follows them.
    page = "# 노트북\n\n```python exec\nimport secrets\nprint(secrets.token_hex(8))\n```\n"
    root = write_site(tmp_path / "site", {"index.md": page})

    def notebook() -> str:
        return next((root / "site").rglob("*.ipynb")).read_text(encoding="utf-8")

    assert build(root).returncode == 0
    first = notebook()
    assert build(root, env={"BACKPROP_REFRESH": "1"}).returncode == 0  # runs it again
    second = notebook()
    assert second != first
    assert build(root).returncode == 0  # warm: the cached run, and its notebook
    assert notebook() == second


def test_the_home_pages_notebook_is_named_after_the_sites_address(tmp_path: Path) -> None:
    # Not after the folder the site happens to be built in (a checkout called "main"):
    # the same name on every machine, and "index" for a site without an address.
    for extra, name in (("", "index"), ("site_url: https://example.org/my-book/\n", "my-book")):
        root = write_site(tmp_path / f"checkout-of-{name}", {"index.md": PAGE}, extra=extra)
        assert build(root).returncode == 0
        assert sorted(p.name for p in (root / "site").glob("*.ipynb")) == [f"{name}.ipynb"]
        assert f'href="{name}.ipynb"' in (root / "site" / "index.html").read_text(encoding="utf-8")
