"""Which page's code starts first in a build that runs several, and what the worker's pages cost."""
from __future__ import annotations

import json
import re
import resource
from pathlib import Path

from plugin_site import build, summary, write_site

# Each page notes when its code starts; a page "sleeps" to stand for real work.
_CODE = """\
```python exec
import os, time
with open(os.environ["BP_START_LOG"], "a") as log:
    log.write(f"PAGE_NAME {time.monotonic()}\\n")
{extra}
```
"""


def _page(name: str, extra: str = "") -> str:
    return f"# {name}\n\n" + _CODE.replace("PAGE_NAME", name).replace("{extra}", extra)


def _starts(log: Path) -> dict[str, float]:
    starts = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        name, when = line.split()
        starts[name] = float(when)
    log.unlink()
    return starts


def _site(root: Path, c_extra: str) -> Path:
    # Reading order a, b, c (nav). The pool runs two pages at a time, so in reading order
    # c would start only after b; b waits behind a (1 s: room for a loaded machine to
    # be slow to start c's process) when c starts first.
    pages = {"a.md": _page("a", "time.sleep(1.0)"), "b.md": _page("b"), "c.md": _page("c", c_extra)}
    write_site(root, pages, options="watch: [mylib]", extra="nav:\n  - a.md\n  - b.md\n  - c.md\n")
    (root / "mylib").mkdir(exist_ok=True)
    (root / "mylib" / "__init__.py").write_text("import time\n\ndef work():\n    time.sleep(0.8)\n", encoding="utf-8")
    return root


def test_page_that_took_longest_last_time_starts_first(tmp_path: Path) -> None:
    root = _site(tmp_path / "site", "time.sleep(2.0)")
    log = tmp_path / "starts.log"
    first = build(root, env={"BP_START_LOG": str(log)})
    assert first.returncode == 0, first.stderr
    assert summary(first) == (3, 0)
    durations = json.loads((root / ".cache" / "backprop" / "durations.json").read_text(encoding="utf-8"))
    assert durations["docs/c.md"] > durations["docs/a.md"] > durations["docs/b.md"]
    starts = _starts(log)
    assert starts["b"] < starts["c"]  # nothing known yet: reading order

    # The library changes: every page runs again, now ordered by what they took.
    (root / "mylib" / "__init__.py").write_text("# edited\n", encoding="utf-8")
    second = build(root, env={"BP_START_LOG": str(log)})
    assert second.returncode == 0, second.stderr
    assert summary(second) == (3, 0)
    starts = _starts(log)
    assert starts["c"] < starts["b"]


def test_never_run_page_importing_an_unpreloaded_library_starts_first(tmp_path: Path) -> None:
    root = _site(tmp_path / "site", "from mylib import work\nwork()")
    log = tmp_path / "starts.log"
    result = build(root, env={"BP_START_LOG": str(log)})
    assert result.returncode == 0, result.stderr
    starts = _starts(log)
    assert starts["c"] < starts["b"]


def test_pages_cpu_time_counts_in_the_build(tmp_path: Path) -> None:
    # A page that burns CPU for a while: the build process must account for it (the
    # worker waits for its page processes, so their usage reaches the build's children).
    burn = "end = time.process_time() + 1.0\nwhile time.process_time() < end:\n    pass"
    root = _site(tmp_path / "site", burn)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = build(root, env={"BP_START_LOG": str(tmp_path / "starts.log")})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stderr
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert cpu >= 1.0


_ORDER_HOOK = """\
import os

def on_page_markdown(markdown, page, **kwargs):
    with open(os.environ["BP_READ_LOG"], "a") as log:
        log.write(page.file.src_uri + "\\n")
    return markdown
"""


def test_mkdocs_reads_pages_whose_code_runs_after_the_others_and_the_slowest_last(tmp_path: Path) -> None:
    # MkDocs reads the pages in order and waits at each for its code. The pages still
    # running go last, so MkDocs reads the others meanwhile: n (no code) first, then b
    # and c, and a (the slowest: more code) last. The site itself keeps its order.
    root = tmp_path / "site"
    pages = {"a.md": _page("a", "time.sleep(1.5)\nx = 1\ny = 2"), "b.md": _page("b"), "c.md": _page("c"),
             "n.md": "# n\n\n글만 있는 쪽.\n"}
    write_site(root, pages, extra="site_url: https://example.org/\nhooks:\n  - order_hook.py\n")
    (root / "order_hook.py").write_text(_ORDER_HOOK, encoding="utf-8")
    log = tmp_path / "read.log"
    result = build(root, env={"BP_START_LOG": str(tmp_path / "starts.log"), "BP_READ_LOG": str(log)})
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8").split() == ["n.md", "b.md", "c.md", "a.md"]
    sitemap = (root / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert re.findall(r"<loc>[^<]*/([a-z])/</loc>", sitemap) == ["a", "b", "c", "n"]
    # Nothing runs in the next build: MkDocs reads them in the site's order.
    log.unlink()
    assert build(root, env={"BP_READ_LOG": str(log)}).returncode == 0
    assert log.read_text(encoding="utf-8").split() == ["a.md", "b.md", "c.md", "n.md"]
