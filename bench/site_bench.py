"""Benchmark: what the plugin costs a build, a save under `mkdocs serve`, and a bigger book.

    .venv/bin/python bench/site_bench.py            # full run (about ten minutes here)
    .venv/bin/python bench/site_bench.py --quick    # fewer runs, N = 1 and 10 only
    .venv/bin/python bench/site_bench.py --peer     # also markdown-exec on the same pages (bench/peer.py)

Everything is measured on copies of the real site in a temporary folder (the
repository's docs and cache are never touched), with real `mkdocs build` and
`mkdocs serve` processes. Every time is the median of several runs and is also
given as a ratio against the floor measured in the same run: the same docs built
with the plugin's `enabled: false`. The results table is printed and written to
bench/RESULTS.md (or --output), with the machine it ran on.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import itertools
import os
import platform
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mkdocs_backprop.blocks import parse_page  # noqa: E402

SUMMARY_RE = re.compile(
    r"backprop: (\d+) pages, (\d+) blocks run, (\d+) blocks from cache, (\d+) figures drawn, (\d+) from cache"
)
FIGURE_TIME_RE = re.compile(r"backprop: (\S+:\d+): figure drawn in (\d+) ms")
# The pages the serve and rebuild edits touch: one with figures for the prose edit,
# one whose first block is a plain `python exec` for the code edit.
PROSE_PAGE = "ch05/3-backward.md"
CODE_PAGE = "ch05/4-simple-layers.md"


# -- sites in a temporary folder -----------------------------------------------------


@dataclass
class Site:
    root: Path
    enabled: bool

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"

    def page(self, name: str) -> Path:
        return self.root / "docs" / name


def make_site(root: Path, *, enabled: bool, copies: int = 1) -> Site:
    """The real site (docs, layers, mkdocs.yml) copied to ``root``; ``copies`` > 1 makes a
    synthetic book: the chapter repeated, each copy's figure ids made unique."""
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copytree(REPO / "layers", root / "layers", ignore=shutil.ignore_patterns("__pycache__"))
    if (REPO / "overrides").is_dir():  # the theme's custom_dir
        shutil.copytree(REPO / "overrides", root / "overrides")
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if not enabled:
        text, n = re.subn(r"^  - backprop:$", "  - backprop:\n      enabled: false", text, flags=re.M)
        assert n == 1, "mkdocs.yml no longer lists the plugin as `  - backprop:` with options; update make_site"
    if copies > 1:
        # The nav lists one chapter; without it MkDocs lists every copy by folder.
        text = text[: text.index("\nnav:")] + "\n"
        chapter = root / "docs" / "ch05"
        ids = set(re.findall(r'^```python figure[^\n]*\bid="([^"]+)"', _read_all(chapter), flags=re.M))
        for n in range(2, copies + 1):
            target = root / "docs" / f"ch05-{n:02d}"
            shutil.copytree(chapter, target)
            for page in target.glob("*.md"):
                page.write_text(_renumber(page.read_text(encoding="utf-8"), ids, f"-{n:02d}"), encoding="utf-8")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    return Site(root, enabled)


def _read_all(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md")))


def _renumber(text: str, ids: set[str], suffix: str) -> str:
    """Figure ids must be unique in a site: give this copy's figures (and references) a suffix."""
    for name in ids:
        text = re.sub(rf'(\bid="){re.escape(name)}"', rf'\g<1>{name}{suffix}"', text)
        text = re.sub(rf"(`\{{fig\}} ){re.escape(name)}`", rf"\g<1>{name}{suffix}`", text)
    return text


def clear_cache(site: Site) -> None:
    shutil.rmtree(site.root / ".cache", ignore_errors=True)


# -- builds ----------------------------------------------------------------------------


@dataclass
class Build:
    seconds: float
    stderr: str
    cpu: float = 0.0  # user + system seconds of the build and every process under it


    @property
    def counts(self) -> dict[str, int] | None:
        match = SUMMARY_RE.search(self.stderr)
        if match is None:
            return None
        keys = ("pages", "run", "cached", "drawn", "figures cached")
        return dict(zip(keys, map(int, match.groups())))


def build(site: Site, *args: str, python: str | Path = sys.executable) -> Build:
    before = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(
        [str(python), "-m", "mkdocs", "build", "-f", str(site.config), *args],
        cwd=site.root, capture_output=True, text=True, env=_env(), timeout=1800,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build of {site.root} failed:\n{result.stderr[-4000:]}")
    return Build(seconds, result.stderr, _children_cpu() - before)


def _children_cpu() -> float:
    """CPU seconds of all waited-for descendants. A descendant counts only once its parent
    has waited for it: the plugin's worker reaps each page process, so pages' CPU is in."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# A build timed inside its process: from loading the configuration to the end of the
# build, without starting Python and importing MkDocs (the same for every build).
_IN_PROCESS = """
import sys, time
from mkdocs.commands.build import build
from mkdocs.config import load_config
start = time.perf_counter()
config = load_config(config_file=sys.argv[1])
config.plugins.on_startup(command="build", dirty=False)
try:
    build(config)
finally:
    config.plugins.on_shutdown()
print(time.perf_counter() - start)
"""


def build_in_process(site: Site) -> float:
    result = subprocess.run([sys.executable, "-c", _IN_PROCESS, str(site.config)], cwd=site.root,
                            capture_output=True, text=True, env=_env(), timeout=1800)
    if result.returncode != 0:
        sys.exit(f"build of {site.root} failed:\n{result.stderr[-4000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **extra}
    env.pop("BACKPROP_REFRESH", None)
    return env


def median_of(runs: int, fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(runs))


# -- edits -------------------------------------------------------------------------


class Editor:
    """Appends a prose sentence or changes one block's printed text, a new marker each time."""

    _markers = itertools.count(1)  # shared: a new editor never repeats a marker already served

    def __init__(self, site: Site) -> None:
        self.site = site

    def prose(self, name: str = PROSE_PAGE) -> str:
        marker = f"벤치마크문장{next(self._markers):04d}"
        path = self.site.page(name)
        text = re.sub(r"\n벤치마크문장\d+입니다\.\n$", "\n", path.read_text(encoding="utf-8"))
        path.write_text(text + f"\n{marker}입니다.\n", encoding="utf-8")
        return marker

    def code(self, name: str = CODE_PAGE) -> str:
        """One `python exec` block (the page's first) gains or changes a print line."""
        marker = f"bench-{next(self._markers):04d}"
        path = self.site.page(name)
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'\nprint\("bench-\d+"\)\n', "\n", text)
        fence = re.search(r"^```python exec[^\n]*\n", text, flags=re.M)
        assert fence, f"{name} has no python exec block"
        text = text[: fence.end()] + f'print("{marker}")\n' + text[fence.end():]
        path.write_text(text, encoding="utf-8")
        return marker

    def blocks_on(self, name: str) -> int:
        page = parse_page(self.site.page(name).read_text(encoding="utf-8"))
        return sum(1 for b in page.blocks if b.kind in ("exec", "figure"))


# -- mkdocs serve ----------------------------------------------------------------------


# `mkdocs serve` looks for changed files every 0.5 s, so a save waits 0 to 0.5 s before
# the rebuild starts, whatever the plugin does. The benchmark's server looks every 0.02 s
# so that save-to-page times measure the rebuild; an author's server adds ~0.25 s on average.
_SERVE = """
import sys
import mkdocs.livereload as livereload
from mkdocs.__main__ import cli

_init = livereload.LiveReloadServer.__init__
def _init_polling_fast(self, *args, **kwargs):
    kwargs["polling_interval"] = 0.02
    _init(self, *args, **kwargs)
livereload.LiveReloadServer.__init__ = _init_polling_fast
sys.argv[0] = "mkdocs"
cli()
"""


class Server:
    """A real `mkdocs serve`; ``save`` times an edit until the page shows it."""

    def __init__(self, site: Site) -> None:
        self.site = site
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, "serve", "-f", str(site.config), "-a", f"127.0.0.1:{self.port}"],
            cwd=site.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env=_env(SITE_URL=f"http://127.0.0.1:{self.port}/"),
        )
        threading.Thread(target=self._read, daemon=True).start()
        self._wait(lambda: any("Serving on" in line for line in self.lines), 600, "the server to start")

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def _wait(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gave up waiting for {what}:\n{''.join(self.lines[-40:])}")
            time.sleep(0.01)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name.removesuffix('.md')}/"

    def shows(self, name: str, marker: str) -> bool:
        try:
            with urllib.request.urlopen(self.url(name), timeout=5) as response:
                return marker in response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False  # between builds the page can be briefly missing (or slow to come, on a busy machine)

    def save(self, edit: Callable[[], str], name: str) -> tuple[float, dict[str, int] | None]:
        """Seconds from the save to the rebuilt page being served, and that rebuild's counts."""
        # A save right after the last rebuild would be ignored by the server (it waits for
        # changes to settle) and would lock saves to one phase of its polling cycle.
        time.sleep(random.uniform(1.0, 1.5))
        seen = len(self.lines)
        start = time.perf_counter()
        marker = edit()
        self._wait(lambda: self.shows(name, marker), 600, f"{marker} on {name}")
        seconds = time.perf_counter() - start
        # The summary line is logged at the end of the build, just before the page is served.
        self._wait(lambda: any("Reloading browsers" in line for line in self.lines[seen:]), 60, "the reload")
        counts = [Build(0, line).counts for line in self.lines[seen:]]
        return seconds, next((c for c in counts if c is not None), None)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# -- the authors' own code, timed outside the plugin ------------------------------------


_RUN_PAGE = """
import contextlib, io, json, sys, time
import numpy, layers  # what the plugin's worker has imported before a page starts
blocks = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    for code, may_raise in blocks:
        try:
            exec(compile(code, "<page>", "exec"), namespace)
        except Exception:
            if not may_raise:
                raise
print(time.perf_counter() - start)
"""


def code_seconds(docs: Path) -> float:
    """Seconds the pages' `python exec`/`python figure` blocks take without the plugin: each
    page in a fresh interpreter that has imported numpy and layers (as the plugin's worker
    has), its blocks run one after another, imports they make themselves included."""
    total = 0.0
    for path in sorted(docs.rglob("*.md")):
        blocks = [(b.code, "raises" in b.options) for b in parse_page(path.read_text(encoding="utf-8")).blocks
                  if b.kind in ("exec", "figure")]
        if not blocks:
            continue
        result = subprocess.run([sys.executable, "-c", _RUN_PAGE], input=json.dumps(blocks), cwd=docs.parent,
                                capture_output=True, text=True, env=_env(), check=True)
        total += float(result.stdout)
    return total


# -- the report ----------------------------------------------------------------------


def paired_ratio(times: list[float], floors: list[float]) -> tuple[float, float, float]:
    """Median, lowest and highest of the per-round ratios time/floor. Each round's build and
    floor ran one after the other, so a machine that gets busier or quieter between rounds
    (it is shared) moves both; the ratio of two medians would not cancel that."""
    ratios = sorted(t / f for t, f in zip(times, floors))
    return statistics.median(ratios), ratios[0], ratios[-1]


def ratio_text(times: list[float], floors: list[float]) -> str:
    middle, low, high = paired_ratio(times, floors)
    return f"{middle:.2f}× ({low:.2f}–{high:.2f})"


@dataclass
class Report:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # what, median, ratio, note
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, times: list[float] | float | None, floors: list[float] | None = None,
            note: str = "") -> None:
        """``times`` and ``floors`` are the rounds' seconds, in the same order (paired)."""
        if isinstance(times, float):
            times = [times]
        value = "" if not times else f"{statistics.median(times):.2f} s"
        ratio = "" if not times or not floors else ratio_text(times, floors)
        self.rows.append((what, value, ratio, note))
        print(f"  {what:<48} {value:>9} {ratio:>18}  {note}", flush=True)

    def table(self) -> str:
        lines = ["| 측정 | 중앙값 | 바닥 대비: 회차별 비의 중앙값 (최소–최대) | 비고 |", "|---|---:|---:|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, StopIteration, ValueError):
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    dot = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    from importlib.metadata import version

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, mkdocs {version('mkdocs')}, "
            f"mkdocs-material {version('mkdocs-material')}, {dot}; commit {commit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--scale", default="1,10,30", help="book sizes N for the scaling table")
    parser.add_argument("--peer", action="store_true",
                        help="also build the chapter with markdown-exec (bench/peer.py; makes bench/.venv-peer)")
    parser.add_argument("--quick", action="store_true", help="3 runs, N = 1,10")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    sizes = [1, 10] if args.quick else [int(n) for n in args.scale.split(",")]

    work = Path(tempfile.mkdtemp(prefix="backprop-bench-"))
    try:
        report, details = Report(), []
        print(f"machine: {machine()}\n", flush=True)
        chapter(work, runs, report, details, peer=args.peer)
        scaling = scale(work, runs, sizes)
        print("\n" + "\n".join(details))
        text = results_md(runs, report, details, scaling)
        args.output.write_text(text + kept_history(args.output), encoding="utf-8")
        print(f"\nwritten to {args.output}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def chapter(work: Path, runs: int, report: Report, details: list[str], peer: bool = False) -> None:
    """The real chapter: floor, cold (also timed in-process, and markdown-exec's build of the
    same pages with ``peer``), warm, serve edits, figures, bytes."""
    floor_site = make_site(work / "floor", enabled=False)
    site = make_site(work / "site", enabled=True)
    peer_site = peer_python = None
    if peer:
        import peer as peer_module  # bench/peer.py

        peer_python = peer_module.setup()
        peer_site = make_site(work / "peer", enabled=True)
        peer_module.convert_site(peer_site.root)
        build(peer_site, python=peer_python)  # not counted, as the first floor build
    build(floor_site)  # first builds pay for imports and disk caches; not counted

    # Cold builds interleaved with the floor (and the peer), so that the machine getting
    # busier or quieter (it is shared) affects all sides alike.
    floors, colds, peers, floors_in, colds_in = [], [], [], [], []
    for _ in range(runs):
        floors.append(build(floor_site))
        clear_cache(site)
        colds.append(build(site, "--verbose"))
        if peer_site is not None:
            peers.append(build(peer_site, python=peer_python))
        floors_in.append(build_in_process(floor_site))
        clear_cache(site)
        colds_in.append(build_in_process(site))
    floor_t, cold_t = [b.seconds for b in floors], [b.seconds for b in colds]
    report.add("바닥: `enabled: false`로 빌드", floor_t, floor_t, _cpu_note(floors))
    counts = colds[-1].counts or {}
    report.add("처음 빌드 (빈 캐시)", cold_t, floor_t,
               f"블록 {counts.get('run')}개 실행, 그림 {counts.get('drawn')}개 그림; {_cpu_note(colds)}")
    if peers:
        peer_t = [b.seconds for b in peers]
        report.add("비교: markdown-exec로 같은 페이지 빌드", peer_t, floor_t,
                   f"캐시가 없어 매번 처음부터; 우리 처음 빌드 ÷ markdown-exec = {ratio_text(cold_t, peer_t)}; "
                   f"{_cpu_note(peers)}")
    report.add("바닥, 프로세스 안에서 잰 시간", floors_in, floors_in, "설정 읽기부터 빌드 끝까지 (파이썬 시작과 import 제외)")
    report.add("처음 빌드, 프로세스 안에서 잰 시간", colds_in, floors_in, "목표 ≤ 4.5×")
    code = [code_seconds(site.root / "docs") for _ in range(min(runs, 3))]
    report.add("　저자 코드만 따로 실행한 시간", code, None,
               "플러그인 없이, 페이지마다 새 인터프리터에서 차례로 (플러그인은 두 페이지씩 동시에 실행)")

    figure_ms = [int(ms) for b in colds for _, ms in FIGURE_TIME_RE.findall(b.stderr)]
    per_build = len(figure_ms) // len(colds)
    details.append(f"- 그림 한 개를 그리는 시간(`dot` 실행과 SVG 후처리, 처음 빌드 {len(colds)}번에서 "
                   f"그림 {per_build}개씩): 중앙값 {statistics.median(figure_ms)} ms, "
                   f"최댓값 {max(figure_ms)} ms. 한 페이지의 그림들은 동시에 그립니다.")

    # Floor and plugin builds interleaved, so that a machine getting busier or quieter
    # affects both sides alike; edits are compared with the same edit to the floor's docs.
    editor, floor_editor = Editor(site), Editor(floor_site)
    runs_of: dict[str, list[Build]] = {k: [] for k in ("floor", "warm", "floor prose", "prose", "code")}
    for _ in range(runs):
        runs_of["floor"].append(build(floor_site))
        runs_of["warm"].append(build(site))
        runs_of["floor prose"].append(_edit_and_build(floor_site, floor_editor.prose))
        runs_of["prose"].append(_edit_and_build(site, editor.prose))
        runs_of["code"].append(_edit_and_build(site, editor.code))
    t = {k: [b.seconds for b in v] for k, v in runs_of.items()}
    ran = {k: max((b.counts or {}).get("run", -1) for b in v) for k, v in runs_of.items()}
    report.add("바닥: 다시 빌드", t["floor"], t["floor"], _cpu_note(runs_of["floor"]))
    report.add("다시 빌드 (바뀐 것 없음)", t["warm"], t["floor"],
               f"블록 {ran['warm']}개 실행, 목표 ≤ 1.05×; {_cpu_note(runs_of['warm'])}")
    report.add("바닥: 본문 수정 후 빌드", t["floor prose"], t["floor prose"])
    report.add("본문 수정 후 빌드", t["prose"], t["floor prose"], f"블록 {ran['prose']}개 실행, 목표 ≤ 1.05×")
    report.add("코드 블록 하나 수정 후 빌드", t["code"], t["floor prose"],
               f"블록 {ran['code']}개 실행 (그 페이지의 블록 {editor.blocks_on(CODE_PAGE)}개), 목표 ≤ 1.10×; "
               f"{_cpu_note(runs_of['code'])}")

    # Both servers run at once and saves alternate between them, for the same reason.
    servers = [Server(floor_site), Server(site)]
    saves: dict[tuple[int, str], list[tuple[float, dict[str, int] | None]]] = {}
    try:
        editors = [Editor(floor_site), Editor(site)]
        # Twice the runs: a save's time still varies with the polling phase.
        for _ in range(2 * runs):
            for kind, page in (("prose", PROSE_PAGE), ("code", CODE_PAGE)):
                for i, server in enumerate(servers):
                    edit = editors[i].prose if kind == "prose" else editors[i].code
                    saves.setdefault((i, kind), []).append(server.save(edit, page))
    finally:
        for server in servers:
            server.close()
    for kind, what in (("prose", "본문"), ("code", "코드")):
        floor_s = [s for s, _ in saves[(0, kind)]]
        ours = [s for s, _ in saves[(1, kind)]]
        report.add(f"바닥: serve, {what} 저장 → 페이지", floor_s, floor_s)
        report.add(f"serve, {what} 저장 → 페이지", ours, floor_s,
                   f"블록 {max((c or {}).get('run', -1) for _, c in saves[(1, kind)])}개 실행, 목표 ≤ 1.05×")

    site_dir = site.root / "site"
    pages = sorted(site_dir.rglob("index.html"))
    sizes = {str(p.parent.relative_to(site_dir)) or ".": p.stat().st_size for p in pages}
    total = sum(p.stat().st_size for p in site_dir.rglob("*") if p.is_file())
    ours = sum(p.stat().st_size for p in (site_dir / "assets" / "backprop").rglob("*") if p.is_file())
    details.append(f"- 사이트 전체 {total / 1024:.0f} KiB (그중 플러그인의 CSS와 글꼴 {ours / 1024:.0f} KiB). "
                   "페이지별 HTML(인라인 SVG 포함):")
    details += [f"  - `{name}`: {size / 1024:.1f} KiB" for name, size in sizes.items() if name != "404.html"]
    details += interactive_weight(site_dir)


_GRAPH_DATA_RE = re.compile(r'<script type="application/json" class="bp-graph".*?</script>', re.S)
_INTERACTIVE_TAGS_RE = re.compile(r'<link rel="stylesheet" href="[^"]*interactive\.css"><script defer src="[^"]*'
                                  r'interactive\.js"></script>')


def interactive_weight(site_dir: Path) -> list[str]:
    """What interactive figures add: the script and stylesheet (fetched once, by pages that
    have such a figure) and, per page, the graphs' data and the two tags in <head>."""
    import gzip

    def gz(data: bytes) -> int:
        return len(gzip.compress(data, compresslevel=6))  # a web server's usual level

    assets = site_dir / "assets" / "backprop"
    script, style = (assets / "interactive.js").read_bytes(), (assets / "interactive.css").read_bytes()
    lines = [f"- 움직이는 그림: `interactive.js` {len(script) / 1024:.1f} KiB (gzip {gz(script) / 1024:.1f} KiB), "
             f"`interactive.css` {len(style) / 1024:.1f} KiB (gzip {gz(style) / 1024:.1f} KiB), 합쳐 gzip "
             f"{gz(script) / 1024 + gz(style) / 1024:.1f} KiB (예산: 스크립트 15 KiB 미만). 움직이는 그림이 있는 "
             "페이지만 받으며, 한 번 받으면 다른 페이지는 브라우저 캐시를 씁니다. 페이지마다 더해지는 것"
             "(그래프 데이터와 `<head>`의 태그 두 개):"]
    for page in sorted(site_dir.rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        data = "".join(_GRAPH_DATA_RE.findall(html)) + "".join(_INTERACTIVE_TAGS_RE.findall(html))
        if data:
            name = str(page.parent.relative_to(site_dir)) or "."
            lines.append(f"  - `{name}`: 그림 {len(_GRAPH_DATA_RE.findall(html))}개, "
                         f"+{len(data.encode()) / 1024:.1f} KiB (gzip +{gz(data.encode()) / 1024:.1f} KiB)")
    return lines


def _cpu_note(builds: list[Build]) -> str:
    return f"CPU {statistics.median(b.cpu for b in builds):.2f} s (하위 프로세스 포함)"


def _edit_and_build(site: Site, edit: Callable[[], str]) -> Build:
    edit()
    return build(site)


def scale(work: Path, runs: int, sizes: list[int]) -> list[str]:
    rows = ["| N | 페이지 | 바닥 | 다시 빌드 | 바닥: 본문 수정 | 본문 수정 | 코드 수정 | 코드 수정 때 실행한 블록 |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print("\nscaling (floor / warm / floor prose edit / prose edit / code edit):", flush=True)
    for n in sizes:
        floor_site = make_site(work / f"floor-{n}", enabled=False, copies=n)
        site = make_site(work / f"book-{n}", enabled=True, copies=n)
        build(floor_site)
        pages = (build(site).counts or {}).get("pages", 0)  # the cold build fills the cache
        editor, floor_editor = Editor(site), Editor(floor_site)
        times: dict[str, list[float]] = {k: [] for k in ("floor", "warm", "floor prose", "prose", "code")}
        rerun = []
        # Interleaved, so that a machine getting busier or quieter affects both sides alike.
        for _ in range(runs):
            times["floor"].append(build(floor_site).seconds)
            times["warm"].append(build(site).seconds)
            times["floor prose"].append(_edit_and_build(floor_site, floor_editor.prose).seconds)
            times["prose"].append(_edit_and_build(site, editor.prose).seconds)
            code = _edit_and_build(site, editor.code)
            times["code"].append(code.seconds)
            rerun.append((code.counts or {}).get("run"))
        m = {k: statistics.median(v) for k, v in times.items()}
        rows.append(f"| {n} | {pages} | {m['floor']:.2f} s | {m['warm']:.2f} s, "
                    f"{ratio_text(times['warm'], times['floor'])} | "
                    f"{m['floor prose']:.2f} s | {m['prose']:.2f} s, {ratio_text(times['prose'], times['floor prose'])} | "
                    f"{m['code']:.2f} s, {ratio_text(times['code'], times['floor prose'])} | {max(rerun)} |")
        print("  " + rows[-1], flush=True)
        shutil.rmtree(floor_site.root, ignore_errors=True)
        shutil.rmtree(site.root, ignore_errors=True)
    return rows


HISTORY = "## 바꾼 것과 그 전후"


def kept_history(path: Path) -> str:
    """The hand-written record of what was changed and what it measured before and after,
    carried over from the previous results file."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    return "\n" + text[text.index(HISTORY):] if HISTORY in text else ""


def results_md(runs: int, report: Report, details: list[str], scaling: list[str]) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""# 성능 측정 결과

`bench/site_bench.py`가 만든 파일입니다. 표는 스크립트를 다시 돌려 고칩니다. 맨 끝의
"{HISTORY[3:]}" 절만 손으로 쓰며, 스크립트가 다시 돌 때 그대로 옮겨 적습니다.

- 측정: {when}, 각 값은 {runs}번 실행의 중앙값
- 기계: {machine()}
- 바닥(floor)은 같은 문서를 플러그인의 `enabled: false`로 빌드한 시간입니다. 빌드 시간은
  `mkdocs build` 프로세스 전체(파이썬 시작과 import 포함)이고, serve 시간은 파일을 저장한 때부터
  다시 빌드된 페이지가 서버에서 나올 때까지입니다. `mkdocs serve`는 0.5초마다 파일이 바뀌었는지
  살피므로 저장 뒤 빌드가 시작되기까지 0~0.5초를 기다립니다. 벤치마크의 serve는 이 간격을 0.02초로
  줄여 다시 빌드하는 시간을 잽니다. 실제로 저자가 겪는 시간은 여기에 평균 0.25초쯤이 더해집니다.
- 바닥 대비는 회차별 비의 중앙값입니다. 한 회차 안에서 바닥과 플러그인 쪽 빌드를 잇달아 재고
  (serve는 두 서버를 함께 띄워 번갈아 저장), 그 비를 회차마다 구해 중앙값과 최소–최대를 적습니다.
  이 기계의 코어 2개는 다른 작업들과 함께 쓰는 것이라 부하가 수시로 바뀌고, 같은 빌드도 회차에 따라
  두세 배까지 느려집니다. 절대 시간보다 비를, 비 하나보다 그 범위를 보십시오.
- CPU는 빌드 프로세스와 그 아래 모든 프로세스(워커, 페이지를 실행한 프로세스, `dot`)의 user+sys
  시간입니다(`getrusage(RUSAGE_CHILDREN)`). 부모가 거둔(wait) 프로세스만 잡히므로, 워커는 페이지
  프로세스를 하나하나 거둡니다.

## 이 장(chapter) 하나

{report.table()}

{chr(10).join(details)}

## 규모: 이 장을 N번 복사한 책

그림 id는 사본마다 달라지게 고쳐 붙입니다. 바닥과 플러그인 쪽 빌드를 번갈아 재고, 다시 빌드는 바닥에,
본문 수정과 코드 수정은 바닥의 본문 수정에 견줍니다(회차별 비의 중앙값, 괄호 안은 최소–최대).
목표: 다시 빌드와 본문 수정 ≤ 1.05×, 코드 수정 ≤ 1.10×.

{chr(10).join(scaling)}
"""


if __name__ == "__main__":
    main()
