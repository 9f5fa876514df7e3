"""Every page with code offers itself as a notebook (.ipynb) and a script (.py), linked under
its title, and the notebooks carry what the build produced and run where the reader has
nothing but Python and numpy (plus the packages their first cell names)."""
from __future__ import annotations

import functools
import html
import http.server
import importlib.metadata
import json
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import numpy
import pytest

from site_helpers import BuiltSite, parse_html

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_notebook.py")
BLOCK_RE = re.compile(r"^[ \t]*```python (exec|figure)\b", re.MULTILINE)


def source_of(page: str) -> Path:
    candidates = [ROOT / "docs" / f"{page.rstrip('/')}.md", ROOT / "docs" / page / "index.md"]
    return next(c for c in candidates if c.is_file())


def runnable_blocks(page: str) -> int:
    """`python exec`/`python figure` fences not shown literally inside a longer fence."""
    text = source_of(page).read_text(encoding="utf-8")
    text = re.sub(r"^([ \t]*)(````+|~~~+).*?^\1\2[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)
    return len(BLOCK_RE.findall(text))


def download_links(html_text: str) -> dict[str, str]:
    """The links of the download bar right under the page's title, by file extension."""
    match = re.search(r'</h1><p class="bp-downloads">(.*?)</p>', html_text, re.DOTALL)
    if not match:
        return {}
    return {Path(href).suffix: html.unescape(href) for href in re.findall(r'href="([^"]+)" download', match.group(1))}


def notebook_of(built: BuiltSite, page: str) -> nbformat.NotebookNode:
    href = download_links(built.html(page))[".ipynb"]
    return nbformat.read(built.site_dir / page / href, as_version=4)


def code_pages(built: BuiltSite) -> list[str]:
    return [p for p in built.pages if runnable_blocks(p)]


def test_pages_with_code_and_only_they_link_a_notebook_a_script_and_the_wheel(built_site: BuiltSite) -> None:
    assert len(code_pages(built_site)) >= 8
    for page in built_site.pages:
        links = download_links(built_site.html(page))
        if not runnable_blocks(page):
            assert not links, f"{page} has no code but offers downloads"
            continue
        assert set(links) == {".ipynb", ".py", ".whl"}, page
        for href in links.values():
            assert (built_site.site_dir / page / href).resolve().is_file(), f"{page}: {href} is not in the site"


def test_notebooks_are_nbformat_4_with_the_builds_outputs_and_figures(built_site: BuiltSite) -> None:
    for page in code_pages(built_site):
        notebook = notebook_of(built_site, page)
        nbformat.validate(notebook)
        # Written as Jupyter writes it: nbformat's own writer gives back the same bytes.
        written = (built_site.site_dir / page / download_links(built_site.html(page))[".ipynb"]).read_text("utf-8")
        assert nbformat.writes(notebook) + "\n" == written, page
        assert notebook.nbformat == 4
        page_html = built_site.html(page)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert len(code) == 1 + runnable_blocks(page), page  # the wheel's import cell, then the blocks
        # Printed output: the same texts, in the same order, as in the page.
        shown = [html.unescape(t) for t in re.findall(
            r'<div class="bp-output"><pre><code>(.*?)</code></pre></div>', page_html, re.DOTALL)]
        stored = [o.text for c in code for o in c.outputs if o.output_type == "stream"]
        assert stored == shown, page
        # Figures: the very SVG the page shows, and the figure's label and caption after it.
        svgs = [o.data["image/svg+xml"] for c in code for o in c.outputs if o.output_type == "display_data"]
        figures = re.findall(r'<figure class="bp-figure"[^>]*>.*?</figure>', page_html, re.DOTALL)
        assert len(svgs) == len(figures), page
        for svg, figure in zip(svgs, figures):
            assert svg in figure, f"{page}: a notebook figure differs from the page's"


def test_prose_carries_built_values_and_keeps_math_as_latex(built_site: BuiltSite) -> None:
    for page in code_pages(built_site):
        if not page.startswith("ch05/"):
            continue  # the guide shows the syntax itself, literally
        notebook = notebook_of(built_site, page)
        prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert "{py}" not in prose and "{fig}" not in prose, page
        source = source_of(page).read_text(encoding="utf-8")
        for formula in re.findall(r"(?<![$\\])\$([^$`\n]+)\$(?!\$)", source):
            assert f"${formula}$" in prose, f"{page}: ${formula}$ is not in the notebook"
    # A value the build computed, in the sentence that uses it (5.1: the price of the apples).
    prose = "\n".join(c.source for c in notebook_of(built_site, "ch05/1-computational-graph/").cells
                      if c.cell_type == "markdown")
    assert "지불 금액은 220원" in prose


def test_the_script_is_the_notebooks_cells(built_site: BuiltSite) -> None:
    for page in code_pages(built_site):
        notebook = notebook_of(built_site, page)
        script = (built_site.site_dir / page / download_links(built_site.html(page))[".py"]).read_text(encoding="utf-8")
        assert script.count("# %%\n") == sum(c.cell_type == "code" for c in notebook.cells)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.source in script


# -- running the downloaded notebooks ---------------------------------------------------


@pytest.fixture(scope="module")
def served(built_site: BuiltSite) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(built_site.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def only_packages(folder: Path, requirements: list[str]) -> Path:
    """A folder exposing numpy and ``requirements`` (with what they need) and nothing else."""
    folder.mkdir()
    wanted, seen = ["numpy", *requirements], set()
    while wanted:
        name = wanted.pop()
        dist = importlib.metadata.distribution(name)
        if dist.metadata["Name"].lower() in seen:
            continue
        seen.add(dist.metadata["Name"].lower())
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:
                wanted.append(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))
        for top in {f.parts[0] for f in dist.files or [] if not f.parts[0].endswith((".dist-info", ".data"))}:
            target = Path(dist.locate_file(top))
            if target.exists() and not (folder / top).exists() and top != "__pycache__":
                (folder / top).symlink_to(target)
    return folder


@pytest.mark.slow
def test_downloaded_notebooks_run_top_to_bottom_with_python_and_numpy(
        built_site: BuiltSite, served: str, tmp_path: Path) -> None:
    for page in code_pages(built_site):
        folder = tmp_path / (page.strip("/").replace("/", "-") or "home")
        folder.mkdir()
        links = download_links(built_site.html(page))
        for suffix in (".ipynb", ".whl"):
            url = urllib.request.urljoin(served + page, links[suffix])
            urllib.request.urlretrieve(url, folder / Path(links[suffix]).name)
        notebook_file = folder / Path(links[".ipynb"]).name
        notebook = nbformat.read(notebook_file, as_version=4)
        first = notebook.cells[0].source
        installs = re.search(r"`pip install ([^`]+)`로 설치합니다", first)
        requirements = installs.group(1).split() if installs else []
        packages = only_packages(folder / "site-packages", requirements)
        result_file = folder / "result.json"
        run = subprocess.run([sys.executable, "-I", "-S", str(RUNNER), str(notebook_file), str(result_file),
                              str(packages)], capture_output=True, text=True, timeout=600, cwd=folder)
        assert run.returncode == 0, run.stderr
        result = json.loads(result_file.read_text(encoding="utf-8"))
        assert result["error"] is None, f"{page}:\n{result['error']['traceback']}"
        assert "mkdocs_backprop" not in result["modules"] and "mkdocs" not in result["modules"]
        printed = {p["cell"]: p["text"] for p in result["printed"]}
        for n, cell in enumerate(notebook.cells):
            if cell.cell_type != "code" or cell.metadata.get("backprop", {}).get("output_varies"):
                continue
            stored = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
            if stored:
                assert printed[n] == stored, f"{page}: cell {n} printed something else than the build"
