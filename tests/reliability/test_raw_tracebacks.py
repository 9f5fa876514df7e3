"""Matrix row 2 — no raw tracebacks.

Whatever goes wrong, the build says it in one line at page:line (plus the
author's own traceback where there is one), or as a config error, never with a
Python traceback from inside the plugin, MkDocs or the standard library.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reliability_helpers import build, errors, page_html, summary, tracebacks, write_site

FIGURE_PAGE = '# 그림\n\n본문.\n\n```python figure alt="두 노드"\n"digraph { a -> b }"\n```\n'


# -- text no encoder can write -------------------------------------------------------


def test_lone_surrogates_in_output_and_values_are_shown_not_fatal(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": (
        "# 대리\n\n```python exec\nprint('before', chr(0xd800), 'after')\n```\n\n"
        "값 `{py} 'x' + chr(0xdc80) + 'y'` 끝.\n")})
    result = build(root)
    assert tracebacks(result.stderr) == [], result.stderr
    assert result.returncode == 0, result.stderr
    html = page_html(root, "index.html")
    assert "before \\ud800 after" in html
    assert "x\\udc80y" in html
    again = build(root)  # and the cache took it
    assert again.returncode == 0 and summary(again) == (0, 1)


def test_a_page_that_is_not_utf8_is_one_error_at_its_first_bad_byte(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": "# 목차\n\n본문.\n"})
    (root / "docs" / "latin.md").write_bytes("# Latin-1\n\nplain line\ncaf\xe9 au lait\n".encode("latin-1"))
    result = build(root)
    assert result.returncode != 0
    assert tracebacks(result.stderr) == [] and "Traceback" not in result.stderr, result.stderr
    reported = errors(result)
    assert any(e.startswith("ERROR   -  backprop: docs/latin.md:4: the page is not UTF-8 text (byte 0xe9 at column 4)")
               and "save the file as UTF-8" in e for e in reported), reported


BAD_STR_PAGE = ("# 값\n\n```python exec\nclass Odd:\n    def __str__(self):\n        return 1\n"
                "odd = Odd()\n```\n\n값 `{py} odd` 끝.\n")


@pytest.mark.parametrize("formatter,phrase", [
    (None, "TypeError: __str__ returned non-string (type int) (while str() turned the value into text)"),
    ('"layers.display:format_value"', "TypeError: __str__ returned non-string (type int) (while the plugin's "
                                      "formatter 'layers.display:format_value' turned the value into text)"),
    ('"no_such_module:shown"', "the plugin's formatter 'no_such_module:shown' (mkdocs.yml) cannot be imported: "
                               "ModuleNotFoundError: No module named 'no_such_module'"),
    ('"os:sep"', "the plugin's formatter 'os:sep' (mkdocs.yml) is not a function"),
], ids=["str", "formatter-raises", "formatter-missing", "formatter-not-a-function"])
def test_a_value_that_cannot_become_text_shows_no_plugin_frames(tmp_path: Path, formatter: str | None,
                                                                phrase: str) -> None:
    root = write_site(tmp_path, {"index.md": BAD_STR_PAGE},
                      options=f"formatter: {formatter}" if formatter else "", book=formatter is not None)
    result = build(root)
    assert result.returncode != 0
    reported = [e for e in errors(result) if "docs/index.md:" in e]
    assert len(reported) == 1 and reported[0].startswith(f"ERROR   -  backprop: docs/index.md:10: {phrase}"), reported
    assert "worker_process" not in result.stderr and "importlib" not in result.stderr, result.stderr


# -- options that are numbers but not usable ones -------------------------------------


@pytest.mark.parametrize("value", ["inf", "1e300", "-inf", "nan"])
def test_a_block_timeout_must_be_finite(tmp_path: Path, value: str) -> None:
    root = write_site(tmp_path, {"index.md": f'# 시간\n\n```python exec timeout="{value}"\nprint(1)\n```\n'})
    result = build(root)
    assert tracebacks(result.stderr) == [], result.stderr
    assert result.returncode != 0
    [record] = [e for e in errors(result) if "docs/index.md" in e]
    assert f'docs/index.md:3: timeout="{value}"' in record


@pytest.mark.parametrize("value", [".inf", "1e300", ".nan"])
def test_the_timeout_option_must_be_finite(tmp_path: Path, value: str) -> None:
    root = write_site(tmp_path, {"index.md": "# 시간\n\n```python exec\nprint(1)\n```\n"},
                      options=f"timeout: {value}")
    result = build(root)
    assert tracebacks(result.stderr) == [], result.stderr
    assert result.returncode != 0
    assert "timeout" in result.stderr and "Config value" in result.stderr


# -- a cache that cannot be written: warn once, build without it ------------------------


def _in_mount_namespace(root: Path, setup: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` in a private mount namespace where ``setup`` (sh) prepared the cache dir."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) for a real read-only or full file system")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces are not available here: {probe.stderr.decode().strip()}")
    cache = root / ".cache" / "backprop"
    cache.mkdir(parents=True, exist_ok=True)
    script = f'set -e; C="{cache}"; {setup}; exec "$@"'
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, "-m", "mkdocs", "build",
         "-f", str(root / "mkdocs.yml"), *args],
        capture_output=True, text=True, cwd=root, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


PAGES = {"index.md": "# 하나\n\n```python exec\nprint('first page')\n```\n",
         "two.md": "# 둘\n\n```python exec\nprint('second page')\n```\n\n" + FIGURE_PAGE.split("\n", 1)[1]}


def _built_without_cache(result: subprocess.CompletedProcess[str], root: Path, errno_text: str) -> None:
    assert tracebacks(result.stderr) == [], result.stderr
    assert result.returncode == 0, result.stderr
    warnings = [e for e in errors(result) if "cache" in e]
    assert len(warnings) == 1, result.stderr  # once, not once per entry
    assert errno_text in warnings[0] and ".cache/backprop" in warnings[0]
    assert "first page" in page_html(root, "index.html")
    assert "second page" in page_html(root, "two/index.html") and "<svg" in page_html(root, "two/index.html")


@pytest.mark.parametrize("args", [(), ("--strict",)], ids=["build", "strict"])
def test_a_read_only_cache_dir_warns_once_and_builds(tmp_path: Path, args: tuple[str, ...]) -> None:
    # A strict build too: the site is whole, so the cache's warning does not fail it.
    root = write_site(tmp_path, PAGES)
    result = _in_mount_namespace(root, 'mount --bind "$C" "$C"; mount -o remount,bind,ro "$C"', *args)
    _built_without_cache(result, root, "Read-only file system")


@pytest.mark.parametrize("file", [".cache/backprop", ".cache/backprop/pages"])
def test_a_file_where_the_cache_needs_a_folder_is_named_and_the_build_goes_on(tmp_path: Path, file: str) -> None:
    root = write_site(tmp_path, PAGES)
    (root / file).parent.mkdir(parents=True, exist_ok=True)
    (root / file).write_text("not a folder\n", encoding="utf-8")
    result = build(root)
    assert result.returncode == 0 and tracebacks(result.stderr) == [], result.stderr
    [warning] = [e for e in errors(result) if "cache" in e]
    assert f"{root / file} is a file where the cache needs a folder" in warning
    (root / file).unlink()  # fixed: the next build fills the cache, the one after uses it
    assert build(root).returncode == 0
    again = build(root)
    assert again.returncode == 0 and summary(again) == (0, 3)  # two blocks and a figure


def test_a_full_cache_disk_warns_once_and_builds(tmp_path: Path) -> None:
    root = write_site(tmp_path, PAGES)
    result = _in_mount_namespace(
        root, 'mount -t tmpfs -o size=64k none "$C"; dd if=/dev/zero of="$C/filler" bs=4k 2>/dev/null || true')
    _built_without_cache(result, root, "No space left on device")


# -- Graphviz or the font missing --------------------------------------------------------


def _path_without_dot(tmp_path: Path) -> str:
    bin_dir = tmp_path / "bin-without-dot"
    bin_dir.mkdir()
    for tool in ("fc-match", "fc-list", "sh", "uname"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def test_missing_dot_is_one_line_at_the_figure(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"index.md": FIGURE_PAGE}, options="cache: false")
    result = build(root, env={"PATH": _path_without_dot(tmp_path)})
    assert tracebacks(result.stderr) == [], result.stderr
    assert result.returncode != 0
    [record] = [e for e in errors(result) if "dot" in e]
    assert record.startswith("ERROR") and "docs/index.md:5:" in record and "apt-get install graphviz" in record
    assert len(record.splitlines()) == 1, record


def test_missing_font_is_one_line_at_the_figure(tmp_path: Path) -> None:
    conf = tmp_path / "empty-fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n')
    root = write_site(tmp_path / "site", {"index.md": FIGURE_PAGE}, options="cache: false")
    result = build(root, env={"FONTCONFIG_FILE": str(conf)})
    assert tracebacks(result.stderr) == [], result.stderr
    assert result.returncode != 0
    [record] = [e for e in errors(result) if "NanumGothic" in e]
    assert "docs/index.md:5:" in record and "fonts-nanum" in record
    assert len(record.splitlines()) == 1, record


def test_a_build_whose_figures_are_all_cached_does_not_need_dot(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"index.md": FIGURE_PAGE})
    first = build(root)
    assert first.returncode == 0, first.stderr
    drawn = page_html(root, "index.html")
    result = build(root, env={"PATH": _path_without_dot(tmp_path)})
    assert tracebacks(result.stderr) == [], result.stderr
    assert result.returncode == 0, result.stderr
    svg = drawn[drawn.index("<svg"):drawn.index("</svg>")]
    assert svg in page_html(root, "index.html")
