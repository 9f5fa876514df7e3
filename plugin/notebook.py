"""A page as a Jupyter notebook (``.ipynb``, nbformat 4) and as a plain script (``.py``).

``page_downloads`` turns a built page (its plan, its results and its drawn
figures) into both. Prose becomes Markdown cells: inline values are written as
the values the build produced, ``{fig}`` references as the figure's label linked
to the site, math stays LaTeX (Jupyter renders ``$…$``), admonition and tab
headers become bold lines, and links to other pages point at the published site.
``python exec`` and ``python figure`` blocks become code cells carrying the output
and the figure (its SVG) the build produced, so the notebook reads well before it
is run; a figure's caption follows it as a Markdown cell.

The notebook runs top to bottom with Python and numpy: its first code cell imports
the site's own library from the wheel published next to it (``wheel.py``), and its
first cell names any other package the code imports. A block that raises on
purpose (``raises="…"``) is wrapped in ``try``/``except`` for that exception, so
"Run all" does not stop there. The script is the same cells in the "percent"
format (``# %%``) that Jupytext, VS Code and Spyder open as cells.

A page that failed, or whose code did not all run, gets no downloads.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
import sys
import textwrap
from dataclasses import dataclass
from typing import Any

from mkdocs_backprop.blocks import Block, Fence, InlineRef, find_inline
from mkdocs_backprop.cache import ResultCache, digest
from mkdocs_backprop.figure_index import FigureEntry, FigureIndex
from mkdocs_backprop.figures import PageFigure
from mkdocs_backprop.josa import fix_leading_particle
from mkdocs_backprop.notebook_context import NotebookContext, PageDownloads
from mkdocs_backprop.page_plan import PagePlan
from mkdocs_backprop.verify import unverified_items
from mkdocs_backprop.wheel import Wheel
from mkdocs_backprop.worker_protocol import ItemResult

__all__ = ["NotebookContext", "PageDownloads", "page_downloads"]

# Import names whose package is published under another name.
_PIP_NAMES = {"sklearn": "scikit-learn", "PIL": "pillow", "cv2": "opencv-python", "yaml": "PyYAML",
              "bs4": "beautifulsoup4", "skimage": "scikit-image"}
_ALWAYS_THERE = {"numpy"}

_ADMONITION_RE = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)(?:[ \t]+[\w-]+)*'
                            r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
_TAB_RE = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
_LINK_RE = re.compile(r"(?P<open>\]\()(?P<target>[^)\s]+)(?P<close>[^)]*\))")
_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>#|])")


@dataclass
class _Cell:
    kind: str  # "markdown" or "code"
    source: str
    outputs: list[dict[str, Any]]
    metadata: dict[str, Any]


def page_downloads(plan: PagePlan, results: list[ItemResult], drawn: list[PageFigure], index: FigureIndex,
                   context: NotebookContext, cache: ResultCache | None = None,
                   environment: str = "", markdown: str | None = None) -> PageDownloads | None:
    """The page's notebook and script, or None if it has no code or not all of it ran cleanly.

    ``environment``: the build's environment digest, which covers this module's own
    source, so that a plugin that writes notebooks differently does not reuse old ones.
    ``markdown``: the text ``plan`` was made from, a cheaper key than its segments.
    """
    if not plan.page.blocks or len(results) != len(plan.items) or any(r.error for r in results):
        return None
    if any(f.svg is None for f in drawn):
        return None
    # Under `mkdocs serve` every save rebuilds every page: a page whose code, results,
    # figures and context are unchanged keeps the files it had (a tenth of a warm build).
    text = (hashlib.sha256(markdown.encode()).hexdigest() if markdown is not None
            else [s if isinstance(s, str) else repr(s) for s in plan.page.segments])
    key = digest("notebook", environment, plan.path, plan.page.line_offset, text,
                 getattr(results, "digest", None) or [r.to_json() for r in results],
                 [(hashlib.sha256(f.svg.encode()).hexdigest(), f.entry.label, f.alt) for f in drawn if f.svg],
                 index.ids_digest(),
                 [context.resolve_link(m.group("target")) for line in plan.page.segments
                  if isinstance(line, str) for m in _LINK_RE.finditer(line)],
                 context.page_url, context.site_name, context.wheel_url,
                 context.wheel.filename if context.wheel else None)
    if key in _MADE:
        return _MADE[key]
    # A build in a new process (every `mkdocs build`) finds them in the cache.
    stored = cache.get_text("notebooks", key) if cache is not None else None
    if stored is not None:
        try:
            notebook, script, requirements = json.loads(stored)
            if isinstance(notebook, str) and isinstance(script, str) and isinstance(requirements, list):
                _MADE[key] = made = PageDownloads(notebook, script, tuple(requirements))
                return made
        except ValueError:
            pass  # damaged: made again below
    writer = _Writer(plan, results, {id(f.block): f for f in drawn}, index, context)
    body = writer.cells()
    requirements = _requirements(body, context.wheel)
    cells = _header(context, requirements, writer.title) + body
    if len(_MADE) > 256:
        _MADE.clear()
    _MADE[key] = made = PageDownloads(_notebook(cells), _script(cells), requirements)
    if cache is not None:
        cache.put_text("notebooks", key, json.dumps([made.notebook, made.script, list(made.requirements)],
                                                    ensure_ascii=False))
    return made


_MADE: dict[str, PageDownloads] = {}  # by everything a page's downloads are made from


# -- the page's cells ----------------------------------------------------------------


@dataclass
class _Writer:
    plan: PagePlan
    results: list[ItemResult]
    figures: dict[int, PageFigure]
    index: FigureIndex
    context: NotebookContext

    def __post_init__(self) -> None:
        self.by_source = {_key(s): i for i, s in enumerate(self.plan.sources)}
        self.varies = unverified_items(self.plan)
        self.title = ""

    def cells(self) -> list[_Cell]:
        cells: list[_Cell] = []
        prose: list[str] = []
        containers: list[int] = []  # content indents of the admonitions/tabs we are inside
        line = self.plan.page.line_offset

        def flush() -> None:
            text = "\n".join(prose).strip("\n")
            if text.strip():
                cells.append(_Cell("markdown", text, [], {}))
            prose.clear()

        for segment in self.plan.page.segments:
            if isinstance(segment, str):
                line += 1
                prose.append(self.prose_line(segment, line, containers))
            elif isinstance(segment, Fence):
                line += len(segment.lines)
                _leave_containers(containers, segment.lines[0])
                prose.extend(_dedent(text, 4 * len(containers)) for text in segment.lines)
            else:
                line = segment.last_line
                flush()
                cells.extend(self.block(segment))
        flush()
        return cells

    def prose_line(self, text: str, line: int, containers: list[int]) -> str:
        if text.strip():
            _leave_containers(containers, text)
        text = self.inline(text, line)  # on the line as written: the plan's columns are its columns
        header = _ADMONITION_RE.match(text) or _TAB_RE.match(text)
        if header:
            title = header.group("title")
            if title is None:
                title = header.group("kind").capitalize()
            depth = len(containers)
            containers.append(len(header.group("indent")) + 4)
            # The title on a line of its own: the box's first paragraph follows it.
            return _dedent(header.group("indent"), 4 * depth) + (f"**{title}**\n" if title else "")
        text = _dedent(text, 4 * len(containers))
        if not self.title and text.startswith("# "):
            self.title = text[2:].strip()
        return _LINK_RE.sub(self.link, text)

    def inline(self, text: str, line: int) -> str:
        """``text`` with its ``{py}`` values and ``{fig}`` references as the build wrote them."""
        out: list[str] = []
        last, previous = 0, None  # previous: the value just written, if a particle may follow it
        for ref in find_inline(text, line):
            out.append(_agreeing(previous, text[last:ref.start]))
            in_math = _in_math(text, ref.start)
            if ref.kind == "py":
                value = self.results[self.by_source[_key(ref)]].value or ""
                out.append(value if in_math else _MD_SPECIAL_RE.sub(r"\\\1", value))
            else:
                entry = self.index.by_id.get(ref.text)
                value = entry.label if entry else ref.text
                out.append(f"[{value}]({self.context.figure_url(entry)})" if entry else value)
            previous = None if in_math else value
            last = ref.end
        out.append(_agreeing(previous, text[last:]))
        return "".join(out)

    def link(self, match: re.Match[str]) -> str:
        target = match.group("target")
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            return match.group(0)
        resolved = (self.context.page_url + target) if target.startswith("#") else self.context.resolve_link(target)
        return f"{match.group('open')}{resolved or target}{match.group('close')}"

    def block(self, block: Block) -> list[_Cell]:
        i = self.by_source[_key(block)]
        result = self.results[i]
        metadata: dict[str, Any] = {}
        if block.options.get("source") == "hide":
            metadata["jupyter"] = {"source_hidden": True}
        if i in self.varies:
            # The output measured something (time, say): a new run prints other numbers.
            metadata["backprop"] = {"output_varies": True}
        outputs: list[dict[str, Any]] = []
        if result.output and block.options.get("output") != "hide":
            stream = "stderr" if block.options.get("raises") else "stdout"
            outputs.append({"output_type": "stream", "name": stream, "text": result.output})
        code = block.code.strip("\n")
        if block.options.get("raises"):
            code = _expecting(code, block.options["raises"])
        cells = [_Cell("code", code, outputs, metadata)]
        if block.kind == "figure":
            figure = self.figures[id(block)]
            outputs.append({"output_type": "display_data", "metadata": {},
                            "data": {"image/svg+xml": figure.svg, "text/plain": figure.alt}})
            caption = self.caption(block)
            label = f"**{figure.entry.label}**"
            cells.append(_Cell("markdown", f"{label}: {caption}" if caption else label, [], {}))
        return cells

    def caption(self, block: Block) -> str:
        caption = block.options.get("caption", "")
        out: list[str] = []
        last, previous = 0, None
        for ref in block.caption_refs:
            value = self.results[self.by_source[_key(ref)]].value or ""
            out.append(_agreeing(previous, caption[last:ref.start]))
            out.append(_MD_SPECIAL_RE.sub(r"\\\1", value))
            previous, last = value, ref.end
        out.append(_agreeing(previous, caption[last:]))
        return "".join(out)


def _agreeing(value: str | None, following: str) -> str:
    """A particle written right after a value agrees with it, as on the page."""
    return following if value is None else fix_leading_particle(value, following)


def _key(source: Block | InlineRef) -> object:
    return source if isinstance(source, InlineRef) else id(source)


def _leave_containers(containers: list[int], text: str) -> None:
    indent = len(text) - len(text.lstrip(" \t"))
    while containers and indent < containers[-1]:
        containers.pop()


def _dedent(text: str, columns: int) -> str:
    strip = min(columns, len(text) - len(text.lstrip(" ")))
    return text[strip:]


def _in_math(text: str, position: int) -> bool:
    """Whether ``position`` lies inside ``$…$`` (an odd number of unescaped ``$`` before it)."""
    return len(re.findall(r"(?<!\\)\$", text[:position])) % 2 == 1


def _expecting(code: str, exception: str) -> str:
    return (f"# 이 셀은 일부러 {exception}를 일으킵니다. 노트북이 여기서 멈추지 않도록 그 예외를 받아 출력합니다.\n"
            "import traceback\n\n"
            f"try:\n{textwrap.indent(code, '    ')}\nexcept {exception}:\n    traceback.print_exc()")


# -- header, requirements ------------------------------------------------------------


def _requirements(cells: list[_Cell], wheel: Wheel | None) -> tuple[str, ...]:
    shipped = set(wheel.packages) if wheel else set()
    found: set[str] = set()
    for cell in cells:
        if cell.kind != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    extra = found - shipped - _ALWAYS_THERE - set(sys.stdlib_module_names)
    return tuple(sorted(_PIP_NAMES.get(name, name) for name in extra))


def _header(context: NotebookContext, requirements: tuple[str, ...], title: str) -> list[_Cell]:
    title = title or "이 페이지"
    lines = [
        f"이 노트북은 「{context.site_name}」의 [{title}]({context.page_url})"
        f"{fix_leading_particle(title, '를')} 사이트를 빌드할 때 그대로 옮긴 것입니다. "
        "저장된 출력과 그림, 본문의 숫자는 그때 실제로 실행한 결과입니다.",
        "",
    ]
    need = ", ".join(["Python 3.11 이상", "numpy", *(f"`{r}`" for r in requirements)])
    lines.append(f"**실행하는 데 필요한 것**: {need}.")
    if requirements:
        lines.append(f"numpy 말고 필요한 패키지는 `pip install {' '.join(requirements)}`로 설치합니다.")
    cells = []
    if context.wheel is not None:
        names = ", ".join(f"`{p}`" for p in context.wheel.packages)
        lines += ["", f"{names} 패키지는 이 사이트가 함께 배포하는 휠 파일 "
                  f"[`{context.wheel.filename}`]({context.wheel_url})에 들어 있습니다. 그 파일을 이 노트북과 같은 "
                  "폴더에 받아 두면 아래 첫 코드 셀이 설치하지 않고 바로 불러옵니다. "
                  f"`pip install {context.wheel.filename}`로 설치해 두어도 됩니다."]
        imports = "\n".join(f"    import {p}" for p in context.wheel.packages)
        cells.append(_Cell("code", (
            f"# {names.replace('`', '')}: 노트북 옆의 휠 파일에서 불러옵니다(설치되어 있으면 그것을 씁니다).\n"
            "import sys\n"
            "from pathlib import Path\n\n"
            f'wheel = Path("{context.wheel.filename}")\n'
            "if wheel.is_file():\n"
            "    sys.path.insert(0, str(wheel.resolve()))\n"
            "try:\n"
            f"{imports}\n"
            "except ImportError:\n"
            f'    raise ImportError("{context.wheel.filename} 파일을 이 노트북과 같은 폴더에 두세요: '
            f'{context.wheel_url}") from None'
        ), [], {}))
    return [_Cell("markdown", "\n".join(f"> {t}" if t else ">" for t in lines), [], {}), *cells]


# -- writing -------------------------------------------------------------------------


def _notebook(cells: list[_Cell]) -> str:
    """The cells as nbformat 4.5 JSON, written as nbformat itself writes a notebook
    (a test holds the files to that, and to the format's schema).

    Not through the nbformat package: importing it and validating against its JSON
    schema cost more than the rest of a warm build's notebooks together.
    """
    made: list[dict[str, Any]] = []
    count = 0
    for n, cell in enumerate(cells, 1):
        # Multi-line text as a list of lines, as Jupyter saves it (diffs stay line by line).
        entry: dict[str, Any] = {"cell_type": cell.kind, "id": f"cell-{n}",  # stable: same page, same file
                                 "metadata": cell.metadata, "source": cell.source.splitlines(True)}
        if cell.kind == "code":
            count += 1
            entry["outputs"] = [_output_lines(o) for o in cell.outputs]
            entry["execution_count"] = count if cell.outputs else None
        made.append(entry)
    notebook = {
        "nbformat": 4, "nbformat_minor": 5, "cells": made,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
    }
    return json.dumps(notebook, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False) + "\n"


def _output_lines(output: dict[str, Any]) -> dict[str, Any]:
    out = dict(output)
    if out["output_type"] == "stream":
        out["text"] = out["text"].splitlines(True)
    elif out["output_type"] in ("display_data", "execute_result"):
        out.setdefault("metadata", {})
        out["data"] = {mime: value.splitlines(True) if isinstance(value, str) and (
            mime.startswith("text/") or mime == "image/svg+xml") else value for mime, value in out["data"].items()}
    return out


def _script(cells: list[_Cell]) -> str:
    parts = []
    for cell in cells:
        if cell.kind == "markdown":
            text = "\n".join(f"# {line}" if line else "#" for line in cell.source.split("\n"))
            parts.append(f"# %% [markdown]\n{text}\n")
        else:
            parts.append(f"# %%\n{cell.source}\n")
    return "\n".join(parts)
