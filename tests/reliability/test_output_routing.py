"""Matrix row 5 — output goes where it belongs, within limits.

A block's output box holds what that block wrote, however it wrote it (print,
the file descriptors, a subprocess), and nothing another block or a leftover
thread wrote; values and outputs are bounded; the limits themselves are checked.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from reliability_helpers import build, errors, outputs, page_html, summary, tracebacks, write_site


def _page(*blocks: str) -> str:
    return "# 출력\n\n" + "\n".join(f"```python exec\n{b.strip()}\n```\n" for b in blocks)


FORK = """
import os
pid = os.fork()
if pid == 0:
    print("from the child")
else:
    os.waitpid(pid, 0)
    print("from the parent")
"""

THREAD = """
import threading, time
def late():
    time.sleep(0.3)
    print("LATE from a thread")
threading.Thread(target=late).start()
print("block one")
"""

BELOW_PYTHON = """
import os, subprocess, sys
print("python print")
os.write(1, b"fd one\\n")
os.write(2, b"fd two\\n")
subprocess.run(["echo", "from echo"])
subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('child stderr\\\\n')"])
print("end")
"""

PAGES = {
    "fork.md": _page(FORK, "print('second block')", "print('third block')"),
    "thread.md": _page(THREAD, "import time\ntime.sleep(1.0)\nprint('block two')"),
    "below-python.md": _page(BELOW_PYTHON),
    "fd-limit.md": _page("import os\nfor _ in range(1000):\n    os.write(1, b'0123456789' * 100)"),
    "huge-value.md": "# 값\n\n```python exec\nbig = 'x' * 20_000_000\n```\n\n값은 `{py} big`.\n",
}


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory):
    """The pages built twice: run, then from the cache."""
    root = write_site(tmp_path_factory.mktemp("routing"), PAGES, options="output_limit: 5000")
    first = build(root)
    shown = {name: outputs(page_html(root, name.replace(".md", "/index.html"))) for name in PAGES}
    second = build(root)
    again = {name: outputs(page_html(root, name.replace(".md", "/index.html"))) for name in PAGES}
    return root, first, shown, second, again


def test_a_forked_process_does_not_swap_outputs_between_blocks(routed) -> None:
    _, _, shown, _, again = routed
    expected = ["from the child\nfrom the parent\n", "second block\n", "third block\n"]
    assert shown["fork.md"] == expected
    assert again["fork.md"] == expected  # and that is what was cached


def test_a_threads_late_print_does_not_land_in_a_later_block(routed) -> None:
    _, _, shown, _, _ = routed
    assert shown["thread.md"] == ["block one\n", "block two\n"]


def test_output_written_below_python_is_shown_in_order(routed) -> None:
    _, _, shown, _, _ = routed
    assert shown["below-python.md"] == ["python print\nfd one\nfd two\nfrom echo\nchild stderr\nend\n"]


def test_fd_level_output_is_cut_at_the_output_limit(routed) -> None:
    _, _, shown, _, _ = routed
    [text] = shown["fd-limit.md"]
    assert text.startswith("0123456789" * 500)
    assert "995,000" in text  # the note says how much was left out


def test_a_huge_inline_value_does_not_make_a_huge_page(routed) -> None:
    root, first, _, _, _ = routed
    assert tracebacks(first.stderr) == []
    assert (root / "site" / "huge-value" / "index.html").stat().st_size < 1_000_000
    [report] = [e for e in errors(first) if "docs/huge-value.md:" in e]
    assert "docs/huge-value.md:7: " in report and "20,000,000" in report


@pytest.mark.parametrize("value", ["0", "-10", "true"])
def test_output_limit_must_be_positive(tmp_path: Path, value: str) -> None:
    root = write_site(tmp_path, {"index.md": _page("print(1)")}, options=f"output_limit: {value}")
    result = build(root)
    assert result.returncode != 0
    assert "output_limit" in result.stderr and "Config value" in result.stderr
    assert tracebacks(result.stderr) == []


def test_a_watch_folder_that_does_not_exist_is_a_config_error(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": _page("print(1)")}, options="watch: [mylib, nowhere]")
    (root / "mylib").mkdir()
    result = build(root)
    assert result.returncode != 0
    assert "Config value" in result.stderr and "'nowhere'" in result.stderr
    assert "mylib" not in result.stderr.split("nowhere")[0].rsplit("Config value", 1)[-1]


def test_the_default_watch_folder_may_be_absent(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": _page("print('fine')")})
    result = build(root)
    assert result.returncode == 0, result.stderr


def test_a_preloaded_module_that_cannot_be_found_is_a_warning_naming_it(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": _page("print('fine')")},
                      options="preload: [numpy, mylib.display, no_such_module_xyz]", book=False)
    (root / "mylib").mkdir()  # beside mkdocs.yml, as the worker finds it
    (root / "mylib" / "__init__.py").write_text("", encoding="utf-8")
    (root / "mylib" / "display.py").write_text("", encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    warned = [e for e in errors(result) if "preload" in e]
    assert len(warned) == 1 and "no module named 'no_such_module_xyz'" in warned[0], warned
    assert build(root, "--strict").returncode != 0


@pytest.mark.parametrize("value", ["numpy", "[numpy, 'not a module!']", "[3]"])
def test_preload_must_be_a_list_of_module_names(tmp_path: Path, value: str) -> None:
    root = write_site(tmp_path, {"index.md": _page("print(1)")}, options=f"preload: {value}", book=False)
    result = build(root)
    assert result.returncode != 0
    assert "option 'preload': expected a list of module names" in result.stderr
    assert tracebacks(result.stderr) == []


MEMORY_HOG = "import numpy as np\nhog = np.empty({gib} * 1024**3, dtype=np.uint8)\nprint('allocated')"


def test_a_page_process_has_a_configurable_memory_limit(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": _page(MEMORY_HOG.format(gib=2)),
                                 "other.md": _page("print('other page')")},
                      options="memory_limit: 1\ncache: false")
    result = build(root)
    assert result.returncode != 0
    [report] = [e for e in errors(result) if "docs/index.md:" in e]
    assert "docs/index.md:5: " in report and "MemoryError" in report and "memory_limit" in report
    assert "other page" in page_html(root, "other/index.html")


def test_the_default_memory_limit_is_a_few_gib(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": _page(MEMORY_HOG.format(gib=16))}, options="cache: false")
    result = build(root)
    [report] = [e for e in errors(result) if "docs/index.md:" in e]
    assert "MemoryError" in report and "memory_limit" in report


def test_memory_limit_must_be_positive(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": _page("print(1)")}, options="memory_limit: 0")
    result = build(root)
    assert result.returncode != 0 and "memory_limit" in result.stderr and "Config value" in result.stderr


TERMINAL = r"""
import sys
print("\x1b[1;31mred\x1b[0m and \x1b]0;a window title\x07plain")
for percent in (10, 50, 100):
    sys.stdout.write(f"\rloading {percent:3d}%")
print()
print("nul\x00 bell\x07 feed\x0c del\x7f end")
value = "v\x00al\x1b[2Jue"
"""


def test_terminal_controls_in_output_show_as_a_terminal_would_and_never_as_raw_bytes(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": (
        _page(TERMINAL) + "\n값은 `{py} value`.\n\n"
        "```python exec\nraise ValueError('bad \\x1b[2J\\x1b[31mthing\\x00')\n```\n")})
    result = build(root)
    html = page_html(root, "index.html")
    control = [c for c in html if ord(c) < 32 and c not in "\t\n\r" or 0x7f <= ord(c) <= 0x9f]
    assert control == [], "control characters in the page"
    assert outputs(html)[0] == ("red and plain\nloading 100%\n"
                                "nul\\x00 bell\\x07 feed\\x0c del\\x7f end\n")
    assert "값은 v\\x00alue." in html
    assert "ValueError: bad thing\\x00" in html  # the error box
    reported = [e for e in errors(result) if "docs/index.md:" in e]
    assert len(reported) == 1 and "docs/index.md:16: ValueError: bad thing\\x00" in reported[0], reported
    assert "\x1b" not in reported[0], "an escape sequence from the page's code reached the terminal"


def test_a_block_that_closes_its_output_does_not_take_the_page_down(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": _page("import os\nprint('before')\nos.close(1)\nos.close(2)",
                                                   "print('after')", "import sys\nsys.stdout.close()",
                                                   "print('still here')")})
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert outputs(page_html(root, "index.html")) == ["before\n", "after\n", "still here\n"]


def test_input_says_that_a_page_gets_no_input(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": _page("import sys\nprint(repr(sys.stdin.read()))",
                                                   "answer = input('값? ')")})
    result = build(root)
    [report] = [e for e in errors(result) if "docs/index.md:" in e]
    assert report.startswith("ERROR   -  backprop: docs/index.md:9: EOFError: EOF when reading a line (input(): "
                             "a page's code gets no input, its standard input is empty"), report
    assert outputs(page_html(root, "index.html"))[0] == "''\n"
