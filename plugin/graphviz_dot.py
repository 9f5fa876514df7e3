"""Graphviz's ``dot`` binary: found on PATH, asked its version, and run on one figure.

``run_dot(source, font=...)`` turns DOT into SVG text with the real binary,
after checking that the figures' Hangul font (and, where the DOT names it, the
math font) is installed, since Graphviz would silently fall back to another
face; it reads the exit status and stderr every time, and a non-zero exit, a
timeout or any ``Warning:``/``Error:`` line fails the figure with a
``FigureError`` quoting the DOT line it names. ``find_dot()`` and
``dot_version()`` (remembered per binary in ``DOT_VERSIONS``) feed the renderer
fingerprint that :mod:`figure_svg` puts into cache keys.
"""
from __future__ import annotations

import re
import shutil
import subprocess

from mkdocs_backprop.figure_font import MATH_FONT_NAME, check_font, check_math_font
from mkdocs_backprop.figure_source import FigureError

__all__ = ["DOT_PACKAGE", "DOT_VERSIONS", "dot_version", "find_dot", "run_dot"]

DOT_PACKAGE = "graphviz"
_DOT_TIMEOUT_S = 60
_DOT_LINE_RE = re.compile(r"\bline (\d+)\b")


def find_dot() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise FigureError(
            "Graphviz's `dot` command was not found on PATH, so figures cannot be drawn; "
            f"install it with `apt-get install {DOT_PACKAGE}` (./run.sh does this)"
        )
    return dot


DOT_VERSIONS: dict[str, str] = {}


def dot_version(dot: str) -> str:
    if dot not in DOT_VERSIONS:
        result = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=30, check=False)
        if result.returncode != 0:
            raise FigureError(f"`{dot} -V` failed ({result.returncode}): {result.stderr.strip()}")
        # dot prints its version on stderr.
        DOT_VERSIONS[dot] = (result.stderr or result.stdout).strip()
    return DOT_VERSIONS[dot]


def run_dot(dot_source: str, *, font: str) -> str:
    dot = find_dot()
    # Without the font Graphviz silently falls back and boxes no longer fit labels.
    check_font()
    if MATH_FONT_NAME in dot_source:  # symbols set in the math font (layers.drawing does)
        check_math_font()
    try:
        result = subprocess.run(
            # Default font for graph, node and edge labels: hand-written DOT
            # that names none would get Times, which has no Hangul.
            [dot, "-Tsvg", *(f"-{kind}fontname={font}" for kind in "GNE")],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=_DOT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise FigureError(
            f"`dot` took longer than {_DOT_TIMEOUT_S}s on this figure; the graph is probably "
            "far larger than intended"
        ) from exc
    except OSError as exc:
        raise FigureError(f"could not run `{dot}`: {exc}; reinstall with `apt-get install {DOT_PACKAGE}`") from exc
    stderr = result.stderr.decode("utf-8", errors="replace").strip()
    if result.returncode != 0:
        raise FigureError(f"`dot` rejected the figure (exit status {result.returncode}): "
                          f"{stderr or 'no message'}{_quote_dot_line(stderr, dot_source)}")
    # dot reports label/attribute problems as warnings and still exits 0; the
    # drawing is then not what the author asked for, so they fail too. Other
    # lines (fontconfig cache notices) say nothing about the figure.
    problems = [line for line in stderr.splitlines() if line.startswith(("Warning:", "Error:"))]
    if problems:
        raise FigureError("`dot` reported a problem with the figure: "
                          + " / ".join(problems) + _quote_dot_line(stderr, dot_source))
    return result.stdout.decode("utf-8")


def _quote_dot_line(stderr: str, dot_source: str) -> str:
    match = _DOT_LINE_RE.search(stderr)
    if not match:
        return ""
    number = int(match.group(1))
    lines = dot_source.splitlines()
    if not 1 <= number <= len(lines):
        return ""
    return f"\n  DOT line {number}: {lines[number - 1].strip()}"
