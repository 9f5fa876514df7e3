"""The core without MkDocs: the worker process, the build session and the cache, driven in-process.

The worker is the real one (a `mkdocs_backprop.worker_process` process fork
server); only MkDocs is absent, so these run in the fast tier.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mkdocs_backprop.cache import ResultCache, write_atomic
from mkdocs_backprop.figure_index import label_for_page
from mkdocs_backprop.figure_source import FigureSource
from mkdocs_backprop.session import BuildSession, SourcePage
from mkdocs_backprop.settings import Settings
from mkdocs_backprop.worker_client import WorkerClient, WorkerError
from mkdocs_backprop.worker_protocol import Item, ItemError, ItemResult, PageJob

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerClient]:
    client = WorkerClient(ROOT, preload=["numpy", "layers"])
    yield client
    client.close()


def run(worker: WorkerClient, items: list[Item], *, formatter: str | None = None,
        timeouts: list[float] | None = None) -> list[ItemResult]:
    source = [f"line {n}\n" for n in range(1, 40)]
    job = PageJob("docs/p.md", source, items, 1000, formatter)
    return worker.run_page(job, timeouts or [10.0] * len(items))


# -- the worker ------------------------------------------------------------------------


def test_items_share_one_namespace_and_results_are_typed(worker: WorkerClient) -> None:
    results = run(worker, [Item("exec", "x = 3\nprint('x is', x)", 1, 2), Item("inline", "x * 2", 5)])
    assert results == [ItemResult(output="x is 3\n"), ItemResult(value="6")]


def test_bare_values_go_through_the_configured_formatter(worker: WorkerClient) -> None:
    items = [Item("exec", "price = 200 * 1.1", 1, 2), Item("inline", "price", 4), Item("inline", "price:.1f", 4)]
    assert [r.value for r in run(worker, items)] == [None, "220.00000000000003", "220.0"]
    formatted = run(worker, items, formatter="layers.display:format_value")
    assert [r.value for r in formatted] == [None, "220", "220.0"]  # a format spec is Python's


def test_a_formatter_that_cannot_be_imported_is_the_values_error(worker: WorkerClient) -> None:
    (result,) = run(worker, [Item("inline", "1", 7)], formatter="no_such_module:fmt")
    assert result.error is not None and result.error.line == 7
    assert "No module named 'no_such_module'" in result.error.message


def test_the_first_error_stops_the_page_with_its_line(worker: WorkerClient) -> None:
    items = [Item("exec", "print('before')\n\n1 / 0", 10, 11), Item("inline", "2", 20)]
    (result,) = run(worker, items)
    assert result.output == "before\n"
    assert isinstance(result.error, ItemError)
    assert result.error.line == 13 and result.error.message == "ZeroDivisionError: division by zero"
    assert 'File "docs/p.md", line 13' in result.error.traceback


_MACHINE_PATHS = [str(ROOT), sys.prefix, sys.base_prefix, os.path.dirname(os.__file__)]


def _no_machine_paths(text: str) -> None:
    for path in _MACHINE_PATHS:
        assert path not in text, text


def test_a_raised_traceback_names_files_as_the_site_does_not_as_the_build_machine_does(worker: WorkerClient) -> None:
    # The book's library (under the site root), the standard library and an installed package.
    code = ("import json, numpy as np, layers\n"
            "try:\n    layers.Graph(direction='XY')\nexcept layers.GraphError as error:\n    print('graph')\n"
            "try:\n    json.loads('{')\nexcept ValueError as error:\n    print('json')\n"
            "np.linalg.inv(np.zeros((2, 2)))")
    items = [Item("exec", code.replace("print('graph')", "raise"), 1, 2, raises="GraphError"),
             Item("exec", code.replace("print('json')", "raise"), 1, 2, raises="ValueError"),
             Item("exec", code, 1, 2, raises="LinAlgError")]
    graph, json_error, linalg = [run(worker, [item])[0] for item in items]
    assert 'File "docs/p.md", line 4, in <module>' in graph.output
    assert 'File "layers/graph.py", line ' in graph.output
    assert 'File "<stdlib>/json/decoder.py", line ' in json_error.output
    assert 'File "docs/p.md", line 11, in <module>' in linalg.output
    assert re.search(r'File "<site-packages>/numpy/linalg/_linalg\.py", line \d+, in inv\n', linalg.output)
    assert 'raise LinAlgError("Singular matrix")' in linalg.output  # numpy's lines are still quoted
    for result in (graph, json_error, linalg):
        assert result.error is None and "Traceback (most recent call last):" in result.output
        _no_machine_paths(result.output)


def test_an_errors_traceback_and_a_warning_name_files_as_the_site_does(worker: WorkerClient) -> None:
    (failed,) = run(worker, [Item("exec", "import layers\nlayers.Graph(direction='XY')", 1, 2)])
    assert failed.error is not None and failed.error.line == 3
    assert 'File "layers/graph.py", line ' in failed.error.traceback
    _no_machine_paths(failed.error.traceback + failed.error.message)
    (missing,) = run(worker, [Item("exec", f"open({str(ROOT / 'no-such-file.csv')!r})", 1, 2)])
    assert missing.error is not None and "'no-such-file.csv'" in missing.error.message
    _no_machine_paths(missing.error.traceback + missing.error.message)
    # numpy attributes this warning to its own fromnumeric.py; the line of that file is still shown
    (warned,) = run(worker, [Item("exec", "import numpy as np\nnp.mean(np.array([]))", 1, 2)])
    assert warned.error is None
    assert re.search(r"^<site-packages>/numpy/_core/fromnumeric\.py:\d+: RuntimeWarning: Mean of empty slice\n"
                     r"  return _methods\._mean\(", warned.output, re.MULTILINE), warned.output
    _no_machine_paths(warned.output)


def test_a_figure_comes_back_as_a_source_with_the_drawables_style(worker: WorkerClient) -> None:
    code = ("from layers import Graph, MulLayer\nm = MulLayer()\nwith Graph() as g:\n"
            "    g.output(m.forward(g.input(2, 'a'), g.input(3, 'b')), 'c')\ng")
    (result,) = run(worker, [Item("figure", code, 1, 2)])
    assert result.error is None and isinstance(result.figure, FigureSource)
    assert result.figure.kind == "dot" and "digraph" in result.figure.text
    assert dict(result.figure.colors) == {"forward": "#000000", "backward": "#c62828", "muted": "#5f6368"}
    assert result.figure.font == "NanumGothic"


def test_a_timeout_and_a_dead_child_are_item_errors(worker: WorkerClient) -> None:
    (slow,) = run(worker, [Item("exec", "while True: pass", 3, 4), Item("inline", "1", 9)], timeouts=[0.5, 5])
    assert slow.error is not None and slow.error.line == 3 and "did not finish within 0.5 s" in slow.error.message
    (dead,) = run(worker, [Item("exec", "import os\nos._exit(3)", 6, 7)])
    assert dead.error is not None and dead.error.line == 6 and "ended while running" in dead.error.message


def imported_distributions(memo: Path) -> dict[str, str]:
    """The distributions a page importing ``packaging`` records, from a worker using ``memo``."""
    client = WorkerClient(ROOT, preload=["numpy"], memo=memo)
    try:
        results = client.run_page(PageJob("docs/p.md", ["import packaging\n"], [Item("exec", "import packaging", 1, 1)],
                                          1000, None), [30.0])
    finally:
        client.close()
    assert results.inputs is not None, results
    return results.inputs.distributions


def test_the_worker_keeps_what_provides_each_module_for_the_next_worker(tmp_path: Path) -> None:
    # Finding which distribution provides a module reads every installed package's file
    # list; a worker reads it from the memo the previous one left, if nothing was
    # installed or removed since.
    memo = tmp_path / "distributions.json"
    first = imported_distributions(memo)
    assert list(first) == ["packaging"]
    stored = json.loads(memo.read_text())
    assert stored["provided"]["packaging"] == ["packaging"]
    # Proof that the next worker reads the memo: it says what the memo says.
    stored["provided"]["packaging"] = ["pytest"]
    memo.write_text(json.dumps(stored))
    assert list(imported_distributions(memo)) == ["pytest"]
    # A memo from another interpreter or another set of installed packages is not used.
    stored["stamp"][0] = "2.7.18"
    memo.write_text(json.dumps(stored))
    assert list(imported_distributions(memo)) == ["packaging"]
    assert json.loads(memo.read_text())["provided"]["packaging"] == ["packaging"]  # written anew
    memo.write_text("{damaged")
    assert list(imported_distributions(memo)) == ["packaging"]


def test_the_worker_ends_without_tearing_down_what_it_preloaded(tmp_path: Path) -> None:
    # MkDocs waits for the worker to end after every build that ran a page; the
    # interpreter's teardown of numpy and friends cost ~30 ms of that wait. The worker
    # ends with os._exit once its pages are done: a preloaded module's exit handler
    # (which stands in for that teardown) never runs, and the pages' results arrived.
    (tmp_path / "slow_teardown.py").write_text(
        "import atexit, pathlib\n"
        "atexit.register(lambda: pathlib.Path('torn-down').touch())\n"
    )
    client = WorkerClient(tmp_path, preload=["slow_teardown"])
    try:
        assert run(client, [Item("inline", "6 * 7", 1)]) == [ItemResult(value="42")]
    finally:
        client.close()
    assert client._process.returncode == 0
    assert not (tmp_path / "torn-down").exists()


# Stands in for a process the preloaded code forked: it keeps the worker's end of the
# control socket open after the worker is killed. The worker itself stays busy
# importing until MkDocs' end of that socket is shut or closed (end-of-file).
_HOLDS_THE_SOCKET = """\
import os, pathlib, select, sys, time
if os.fork() == 0:
    time.sleep(600)  # the test kills it
    os._exit(0)
pathlib.Path("importing").touch()
select.select([int(sys.argv[1])], [], [])
os._exit(0)
"""


def test_close_wakes_a_page_waiting_for_ready_even_if_the_workers_end_stays_open(tmp_path: Path) -> None:
    # A page thread waiting for "ready" must be woken by close() itself. Before, close()
    # closed the socket's fd under that thread: it then woke only when the worker's end
    # closed, and if a socket created meanwhile took the fd's number, waited on that one
    # for the whole start timeout (the fast tier's flaky 120 s stall).
    (tmp_path / "holder.py").write_text(_HOLDS_THE_SOCKET)
    client = WorkerClient(tmp_path, preload=["holder"])
    errors: list[BaseException] = []

    def page() -> None:
        try:
            run(client, [Item("inline", "1", 1)])
        except BaseException as error:  # noqa: BLE001 - examined below
            errors.append(error)

    thread = threading.Thread(target=page, daemon=True)
    thread.start()
    try:
        while thread.is_alive() and not ((tmp_path / "importing").exists() and client._lock.locked()):
            time.sleep(0.02)
        time.sleep(0.3)  # let the page thread settle in its wait
        client.close()
        thread.join(timeout=60)  # not a speed limit: without the fix it waits 120 s
        assert not thread.is_alive(), "close() did not wake the page waiting for the worker"
        assert len(errors) == 1 and isinstance(errors[0], WorkerError)
        assert "stopped the worker process before it was ready" in str(errors[0])
    finally:
        try:
            os.killpg(client._process.pid, signal.SIGKILL)  # the forked holder, same group
        except ProcessLookupError:
            pass
        client.close()


# -- the result's JSON form (what the cache stores) ------------------------------------


def test_results_survive_the_cache_and_damaged_entries_are_refused() -> None:
    figure = FigureSource("dot", "digraph { a }", "그림", (("backward", "#c62828"),), "NanumGothic")
    for result in (ItemResult(output="x\n"), ItemResult(value="220"), ItemResult(output="", figure=figure)):
        assert ItemResult.from_json(json.loads(json.dumps(result.to_json()))) == result
    for damaged in ([], {"output": 3}, {"value": 1}, {"figure": {"kind": "png"}}, {"error": {}}):
        assert ItemResult.from_json(damaged) is None


def test_write_atomic_leaves_no_half_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "a" / "entry.json"
    write_atomic(target, b"old")

    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["entry.json"]


# -- the session ----------------------------------------------------------------------

PAGE = """\
# 그림

```python figure id="apple" caption="사과"
from layers import Graph, MulLayer
m = MulLayer()
with Graph() as g:
    g.output(m.forward(g.input(100, "사과"), g.input(2, "개수")), "가격")
g
```

값은 `{py} 1.5 + 1`이고 `{fig} apple`를 본다.
"""


def session(root: Path, **settings: object) -> BuildSession:
    defaults: dict[str, object] = {"preload": ("numpy", "layers"), "formatter": "layers.display:format_value"}
    return BuildSession(root, Settings(**{**defaults, **settings}), ResultCache(root / "cache"), [])


def page(src_uri: str, sections: tuple[str, ...] = (), label: object = None) -> SourcePage:
    return SourcePage(src_uri, f"docs/{src_uri}", PAGE, label, sections)


def test_a_session_runs_draws_and_then_serves_from_the_cache(tmp_path: Path) -> None:
    first = session(tmp_path)
    pages = [page("ch06/a.md")]
    assert first.scan(pages) == []
    outcome = first.page(PAGE, pages[0], link=lambda entry: f"#{entry.anchor}")
    first.close()
    assert outcome.failures == [] and outcome.markdown.count("bpx") >= 3
    html = first.placeholders.fill_late(first.placeholders.fill(outcome.markdown))
    assert '<figure class="bp-figure" id="apple"><div class="bp-figure-scroll" data-bp-name="그림 1"><svg' in html
    assert "<figcaption>그림 1: 사과</figcaption>" in html and "2.5" in first.placeholders.html.values()
    assert first.counts["run"] == 1 and first.counts["drawn"] == 1

    second = session(tmp_path)
    second.scan(pages)
    second.page(PAGE, pages[0], link=lambda entry: "")
    second.close()
    assert (second.counts["run"], second.counts["cached"]) == (0, 1)
    assert (second.counts["drawn"], second.counts["figures cached"]) == (0, 1)


def test_installed_versions_are_kept_while_nothing_is_installed_or_removed(tmp_path: Path) -> None:
    # A page that imported a distribution is served from the cache only while that
    # distribution's version is the same. Looking versions up scans every folder on the
    # path, so the versions found are kept with a stamp of those folders.
    source = "# p\n\n```python exec\nimport packaging\nprint(packaging.__name__)\n```\n"
    pages = [SourcePage("p.md", "docs/p.md", source)]

    def build() -> dict[str, int]:
        s = session(tmp_path)
        s.scan(pages)
        s.page(source, pages[0], link=lambda entry: "")
        s.close()
        return s.counts

    assert build()["run"] == 1
    assert build()["run"] == 0  # served from the cache
    memo = tmp_path / "cache" / "versions.json"
    stored = json.loads(memo.read_text())
    assert stored["versions"]["packaging"] == importlib.metadata.version("packaging")
    # Proof that the memo is what the next build believes: a version it records as
    # changed runs the page again.
    stored["versions"]["packaging"] = "0.0"
    memo.write_text(json.dumps(stored))
    assert build()["run"] == 1
    assert build()["run"] == 0  # the run put the version it found in the memo
    # A page saving a file into the site's folder does not make the memo stale.
    stored = json.loads(memo.read_text())
    stored["versions"]["packaging"] = "0.0"
    memo.write_text(json.dumps(stored))
    (tmp_path / "figure-saved-by-a-page.png").write_bytes(b"png")
    assert build()["run"] == 1  # the memo (saying 0.0) was still believed
    # A memo whose stamp is not the path's as it is now is looked up afresh.
    stored["stamp"][-1][1] = 1
    memo.write_text(json.dumps(stored))
    assert build()["run"] == 0
    assert json.loads(memo.read_text())["versions"]["packaging"] == importlib.metadata.version("packaging")


def test_a_formulas_search_text_is_kept_with_its_mathml(tmp_path: Path) -> None:
    page_html = '<p>넓이는 <span class="arithmatex">\\(x^2\\)</span>입니다.</p>'
    first = session(tmp_path)
    indexed, originals = first.searchable(page_html)
    assert "x²" in indexed and originals == ['<span class="arithmatex">\\(x^2\\)</span>']
    (entry,) = (tmp_path / "cache" / "math").iterdir()
    stored, key, _ = entry.read_text(encoding="utf-8").rsplit("\n", 2)
    data = json.loads(stored)
    assert data["text"] == ["x²"] and "<msup>" in data["mathml"][0]
    # What the entry says is what the next build indexes: the text is not made again.
    data["text"] = ["x squared"]
    entry.write_text(json.dumps(data, ensure_ascii=False) + f"\n{key}\n", encoding="utf-8")
    assert "x squared" in session(tmp_path).searchable(page_html)[0]
    # An entry of the earlier shape (MathML only) is converted again.
    entry.write_text(json.dumps(data["mathml"]) + f"\n{key}\n", encoding="utf-8")
    assert "x²" in session(tmp_path).searchable(page_html)[0]


def test_figure_labels_follow_section_then_folder_and_front_matter_wins(tmp_path: Path) -> None:
    by_place = (("ch06/", "그림 6-{n}"), ("부록", "그림 A-{n}"))
    s = session(tmp_path, enabled=True, figure_labels=by_place)
    pages = [page("ch06/a.md"), page("ch06/b.md", ("6장",)), page("ch06/c.md", ("부록", "6장")),
             page("ch06/d.md", ("부록",), "예 {n}"), page("index.md")]
    failures = s.scan(pages)
    # Every page uses id="apple": all but the first are reported, each at its page and line.
    assert [(f.path, f.line) for f in failures] == [(f"docs/{p.src_uri}", 3) for p in pages[1:]]
    labels = [s.figures.by_position[(p.src_uri, 0)].label for p in pages]
    assert labels == ["그림 6-1", "그림 6-2", "그림 A-1", "예 1", "그림 1"]
    s.close()
    assert label_for_page("x/y.md", (), "그림", "그림 {n}", ())[1] is not None  # no {n}: reported


def test_a_session_without_preload_or_formatter_knows_no_book(tmp_path: Path) -> None:
    s = BuildSession(tmp_path, Settings(), ResultCache(None), [])
    source = "```python exec\nimport sys\nprint(sorted(m for m in ('layers', 'numpy') if m in sys.modules))\n```\n"
    plain = SourcePage("p.md", "docs/p.md", source)
    s.scan([plain])
    outcome = s.page(source, plain, link=lambda entry: "")
    s.close()
    assert "[]" in "".join(s.placeholders.html.values()) and outcome.failures == []
