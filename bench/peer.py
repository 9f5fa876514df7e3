"""The comparison peer: the same pages built with markdown-exec instead of our plugin.

    .venv/bin/python bench/peer.py --setup      # make bench/.venv-peer (PyPI, pinned), once
    .venv/bin/python bench/site_bench.py --peer # the benchmark then times the peer too

markdown-exec (https://pypi.org/project/markdown-exec/) runs ``python exec="1"``
fences inside the MkDocs process, one after another, sharing globals per
``session``. It has no inline values, no figure numbering and no cache, so each
page is converted the way an author of a markdown-exec site would write it:

- ``python exec`` -> ``python exec="1" source="above" result="text" session=PAGE``
  (``raises="E"`` becomes a ``try``/``except E`` that prints the traceback;
  ``source="hide"`` keeps its meaning; the pages use no ``output="hide"``);
- ``python figure`` -> a block that runs the code, pipes the last expression's
  DOT source through Graphviz ``dot -Tsvg`` and prints the ``<figure>`` with its
  numbered caption as HTML (the code itself stays in a collapsed "코드 보기");
- a paragraph, list item or table holding `` `{py} EXPR` `` values -> a block
  that prints that Markdown with the values filled in (``format_value`` as ours);
- `` `{fig} ID` `` -> the figure's label, as text.

The peer lives in its own virtual environment, installed from PyPI with the
project's exact pins (``constraints.txt``) plus ``bench/peer-requirements.txt``,
so anyone can repeat the comparison; the project's own environment never sees it.
"""
from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / "bench" / ".venv-peer"
REQUIREMENTS = REPO / "bench" / "peer-requirements.txt"

sys.path.insert(0, str(REPO))

from mkdocs_backprop.blocks import Block, Fence, find_inline, parse_page  # noqa: E402

_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_LABEL_RE = re.compile(r'^figure_label:\s*"([^"]*)"\s*$', re.M)
DEFAULT_LABEL = "그림 5-{n}"

# Defined on every page before its first block (hidden): what the conversion needs.
_PRELUDE = '''\
import html as _bp_html
import subprocess as _bp_subprocess
from layers.display import format_value as _bp_value


def _bp_svg(obj):
    if callable(getattr(obj, "to_digraph", None)):
        source = obj.to_digraph().source
    elif isinstance(obj, str):
        source = obj
    elif hasattr(obj, "source"):
        source = obj.source
    else:
        return obj._repr_svg_()
    done = _bp_subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True, check=True)
    return done.stdout[done.stdout.index("<svg"):]
'''


def python() -> Path:
    return VENV / "bin" / "python"


def setup() -> Path:
    """Create the peer's environment if it is missing (pinned; idempotent)."""
    if not python().exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    stamp = VENV / ".installed"
    want = REQUIREMENTS.read_text() + (REPO / "constraints.txt").read_text()
    if not stamp.exists() or stamp.read_text() != want:
        subprocess.run([str(python()), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "-c", str(REPO / "constraints.txt"), "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(want)
    return python()


def convert_site(root: Path) -> None:
    """Turn the site copy at ``root`` (docs/, mkdocs.yml) into a markdown-exec site, in place."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text, n = re.subn(r"^  - backprop(:\n(      .*\n)+|\n)", "  - markdown-exec\n", text, flags=re.M)
    assert n == 1, "mkdocs.yml no longer lists the plugin as `  - backprop`; update bench/peer.py"
    config.write_text(text, encoding="utf-8")
    docs = root / "docs"
    pages = sorted(docs.rglob("*.md"))
    labels = _figure_labels(docs, pages, text)
    for number, path in enumerate(pages):
        source = path.read_text(encoding="utf-8")
        path.write_text(convert_page(source, f"page{number}", labels), encoding="utf-8")


def _nav_order(docs: Path, pages: list[Path], config_text: str) -> list[Path]:
    named = [docs / m for m in re.findall(r":\s*(\S+\.md)\s*$", config_text, flags=re.M)]
    return [p for p in named if p in pages] + [p for p in pages if p not in named]


def _figure_labels(docs: Path, pages: list[Path], config_text: str) -> dict[str, str]:
    """Figure id -> label ("그림 5-3"), numbered in reading order per label format, as ours."""
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}
    for path in _nav_order(docs, pages, config_text):
        source = path.read_text(encoding="utf-8")
        front = _FRONT_MATTER_RE.match(source)
        label = _LABEL_RE.search(front.group(1)) if front else None
        fmt = label.group(1) if label else DEFAULT_LABEL
        for block in parse_page(source).blocks:
            if block.kind == "figure":
                counts[fmt] = counts.get(fmt, 0) + 1
                if "id" in block.options:
                    labels[block.options["id"]] = fmt.format(n=counts[fmt])
    return labels


def convert_page(source: str, session: str, labels: dict[str, str]) -> str:
    page = parse_page(source)
    out: list[str] = []
    run: list[str] = []  # consecutive non-blank text lines: a paragraph, list or table

    def flush() -> None:
        if run:
            out.extend(_text_run(run, session, labels))
            run.clear()

    prelude_done = False
    for segment in page.segments:
        if isinstance(segment, str):
            if segment.strip():
                run.append(segment)
            else:
                flush()
                out.append(segment)
            continue
        flush()
        if isinstance(segment, Fence):
            out.extend(segment.lines)
            continue
        if not prelude_done:
            out.extend(_fence(_PRELUDE, session, segment.indent, 'source="hide"'))
            out.append("")
            prelude_done = True
        out.extend(_figure(segment, session, labels) if segment.kind == "figure" else _exec(segment, session))
    flush()
    if not prelude_done and any("`{py}" in line for line in out):
        out[:0] = [*_fence(_PRELUDE, session, "", 'source="hide"'), ""]
    return "\n".join(out)


def _fence(code: str, session: str, indent: str, options: str) -> list[str]:
    body = [f"{indent}{line}" if line.strip() else "" for line in code.rstrip("\n").split("\n")]
    return [f'{indent}```python exec="1" session="{session}" {options}'.rstrip(), *body, f"{indent}```"]


def _exec(block: Block, session: str) -> list[str]:
    code = block.code
    if "raises" in block.options:
        code = (f"try:\n{textwrap.indent(code, '    ')}\nexcept {block.options['raises']}:\n"
                "    import traceback\n    print(traceback.format_exc())\n")
    source = "" if block.options.get("source") == "hide" else 'source="above" '
    return _fence(code, session, block.indent, f'{source}result="text"')


def _figure(block: Block, session: str, labels: dict[str, str]) -> list[str]:
    tree = ast.parse(block.code)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), "a figure block ends with an expression"
    setup_code = ast.unparse(tree.body) if tree.body else ""
    label = labels.get(block.options.get("id", ""), DEFAULT_LABEL.format(n=0))
    caption = _caption_expr(block.options.get("caption", ""))
    anchor = block.options.get("id", "")
    code = (f"{setup_code}\n_bp_figure = ({ast.unparse(last.value)})\n"
            f"_bp_caption = {label!r} + (': ' + {caption} if {caption} else '')\n"
            f"print('<figure id=\"{anchor}\">' + _bp_svg(_bp_figure) + '<figcaption>'"
            " + _bp_html.escape(_bp_caption) + '</figcaption></figure>')\n")
    shown = [f"{block.indent}```python", *(f"{block.indent}{line}" for line in block.code.split("\n")),
             f"{block.indent}```"]
    details = [f'{block.indent}??? quote "코드 보기"', "", *(f"    {line}" if line else "" for line in shown), ""]
    return [*_fence(code, session, block.indent, 'html="1"'), "", *details]


def _caption_expr(caption: str) -> str:
    parts, last = [], 0
    for ref in find_inline(caption, 0):
        parts.append(repr(caption[last:ref.start]))
        parts.append(_value_expr(ref.text))
        last = ref.end
    parts.append(repr(caption[last:]))
    return "(" + " + ".join(parts) + ")"


def _value_expr(expr: str) -> str:
    """Python for the text of `{py} EXPR`: ``format_value`` for a bare value, else the f-string field."""
    for quote in ('"', "'", '"""', "'''"):
        field = f"f{quote}{{{expr}}}{quote}"
        try:
            tree = ast.parse(field, mode="eval").body
        except SyntaxError:
            continue
        values = tree.values if isinstance(tree, ast.JoinedStr) else []
        if len(values) == 1 and isinstance(values[0], ast.FormattedValue) \
                and values[0].conversion == -1 and values[0].format_spec is None:
            return f"_bp_value(({expr}))"
        return field
    raise ValueError(f"cannot convert `{{py}} {expr}`")


def _text_run(lines: list[str], session: str, labels: dict[str, str]) -> list[str]:
    if not any(ref.kind == "py" for line in lines for ref in find_inline(line, 0)):
        return [_fig_refs(line, labels) for line in lines]
    indent = min(len(line) - len(line.lstrip(" ")) for line in lines)
    pieces: list[str] = []
    for n, line in enumerate(lines):
        text, last = line[indent:], 0
        for ref in find_inline(text, 0):
            pieces.append(repr(text[last:ref.start]))
            pieces.append(_value_expr(ref.text) if ref.kind == "py" else repr(labels.get(ref.text, ref.text)))
            last = ref.end
        pieces.append(repr(text[last:] + ("\n" if n < len(lines) - 1 else "")))
    code = "print(''.join([\n" + "".join(f"    {p},\n" for p in pieces) + "]))"
    return _fence(code, session, " " * indent, "")


def _fig_refs(line: str, labels: dict[str, str]) -> str:
    for ref in reversed(find_inline(line, 0)):
        line = line[:ref.start] + labels.get(ref.text, ref.text) + line[ref.end:]
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", action="store_true", help=f"create {VENV.relative_to(REPO)}")
    parser.add_argument("--convert", type=Path, help="convert the site copy at this folder in place")
    args = parser.parse_args()
    if args.setup:
        print(setup())
    if args.convert:
        convert_site(args.convert)


if __name__ == "__main__":
    main()
