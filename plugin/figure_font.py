"""The Hangul font figures are laid out with, found the way Graphviz finds it.

Graphviz sizes every box to the glyphs of the font it lays the labels out with,
so that font must be installed (``check_font`` asks fontconfig, as Graphviz
will) and is part of every cached SVG's key (``font_fingerprint``). The served
copy for readers is a renamed subset of it (``site_assets``).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mkdocs_backprop.figure_source import FigureError

__all__ = ["FONT_FAMILY", "MATH_FONT_NAME", "MATH_WEB_FONT_FAMILY", "WEB_FONT_FAMILY", "FontFiles", "check_font",
           "check_math_font", "font_fingerprint", "fonts_record", "recall_fonts"]

# The family the graphs ask Graphviz for (layers.graph.FONT_NAME) and the
# Debian package that provides it. Kept here rather than imported so the plugin
# can render hand-written DOT without importing the textbook library.
FONT_FAMILY = "NanumGothic"
FONT_PACKAGE = "fonts-nanum"
DOT_PACKAGE = "graphviz"

# The family name the site's @font-face gives the subset it serves to viewers.
# NanumGothic's licence (OFL 1.1) reserves the name "NanumGothic" for unmodified
# fonts, and a subset is a modified font, so the served copy carries its own name.
WEB_FONT_FAMILY = "bp-figure-sans"

# The math font: the site's formulas are set in it, and so are the symbols on the
# figures (∂L/∂z), so both read alike. Served as a renamed subset, "bp-math".
MATH_FONT_NAME = "DejaVu Math TeX Gyre"
MATH_FONT_PACKAGE = "fonts-dejavu-extra"
MATH_WEB_FONT_FAMILY = "bp-math"
_MATH_FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf")


@dataclass(frozen=True)
class FontFiles:
    """The Hangul font files Graphviz lays labels out with."""

    regular: Path
    bold: Path | None  # None when the family has no separate bold file


_FOUND_FONTS: dict[tuple[str | None, str | None], FontFiles] = {}


def check_font() -> FontFiles:
    """Find NanumGothic through fontconfig, the way Graphviz will; FigureError if absent.

    A found font is remembered per fontconfig set-up (two fc-match runs cost
    about as much as half a figure); an absent one is looked up again.
    """
    key = (os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_PATH"))
    if key not in _FOUND_FONTS:
        _FOUND_FONTS[key] = _find_font()
    return _FOUND_FONTS[key]


def _find_font() -> FontFiles:
    regular = _fc_match(f"{FONT_FAMILY}:style=Regular")
    if regular is None:
        raise FigureError(
            f"the Hangul font {FONT_FAMILY} is not installed, so Korean labels cannot be laid "
            f"out; install it with `apt-get install {FONT_PACKAGE}` (./run.sh does this)"
        )
    bold = _fc_match(f"{FONT_FAMILY}:style=Bold")
    return FontFiles(regular=regular, bold=bold if bold is not None and bold != regular else None)


def _fc_match(pattern: str) -> Path | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise FigureError(
            "`fc-match` (fontconfig) was not found, so the Hangul font cannot be located; "
            "install it with `apt-get install fontconfig`"
        )
    result = subprocess.run(
        [fc_match, "--format=%{family}\t%{file}", pattern],
        capture_output=True, text=True, timeout=30, check=False,
    )
    if result.returncode != 0:
        raise FigureError(f"`fc-match {pattern}` failed ({result.returncode}): {result.stderr.strip()}")
    # fc-match always answers with *some* font; only a family match counts.
    families, _, file = result.stdout.partition("\t")
    if FONT_FAMILY.lower() not in [f.strip().lower() for f in families.split(",")]:
        return None
    path = Path(file.strip())
    return path if path.is_file() else None


_FILE_DIGESTS: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _FILE_DIGESTS:
        _FILE_DIGESTS[key] = f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
    return _FILE_DIGESTS[key]


def _stat_id(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _fontconfig_key() -> tuple[str | None, str | None]:
    return (os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_PATH"))


def recall_fonts(record: object) -> None:
    """Take the fonts (and their digests) from a ``fonts_record`` of an earlier build when
    every file is still there unchanged (same size, mtime and inode) under the same
    fontconfig set-up: no `fc-match` run and no hashing then."""
    if not isinstance(record, dict) or record.get("fontconfig") != list(_fontconfig_key()):
        return
    found: dict[str, tuple[Path, str] | None] = {}
    try:
        for weight in ("regular", "bold", "math"):
            entry = record.get(weight)
            if entry is None:
                found[weight] = None
                continue
            path = Path(entry["path"])
            if _stat_id(path) != entry["stat"] or not isinstance(entry["digest"], str):
                return
            found[weight] = (path, entry["digest"])
    except (OSError, KeyError, TypeError):
        return
    regular, bold, math = found["regular"], found["bold"], found["math"]
    if regular is None:
        return
    key = _fontconfig_key()
    _FOUND_FONTS.setdefault(key, FontFiles(regular[0], bold[0] if bold else None))
    if math is not None:
        _FOUND_MATH_FONTS.setdefault(key, math[0])
    for path, file_digest in (f for f in (regular, bold, math) if f is not None):
        stat = path.stat()
        _FILE_DIGESTS.setdefault((str(path), stat.st_size, stat.st_mtime_ns), file_digest)


def fonts_record() -> dict[str, object] | None:
    """What ``recall_fonts`` needs next time, for the fonts found in this process (or None)."""
    key = _fontconfig_key()
    fonts = _FOUND_FONTS.get(key)
    if fonts is None:
        return None
    record: dict[str, object] = {"fontconfig": list(key)}
    for weight, path in (("regular", fonts.regular), ("bold", fonts.bold), ("math", _FOUND_MATH_FONTS.get(key))):
        record[weight] = None if path is None else {"path": str(path), "stat": _stat_id(path),
                                                    "digest": _file_digest(path)}
    return record


def font_fingerprint() -> list[str]:
    """The font files' digests: a reinstalled or updated font is a new cache key."""
    fonts = check_font()
    font_ids = [_file_digest(fonts.regular)]
    if fonts.bold is not None:
        font_ids.append(_file_digest(fonts.bold))
    try:
        font_ids.append(_file_digest(check_math_font()))
    except FigureError:
        font_ids.append("no-math-font")  # only figures that ask for it need it, and they fail
    return font_ids


_FOUND_MATH_FONTS: dict[tuple[str | None, str | None], Path] = {}


def check_math_font() -> Path:
    """The installed DejaVu Math TeX Gyre, found through fontconfig; FigureError if absent."""
    key = (os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_PATH"))
    if key not in _FOUND_MATH_FONTS:
        try:
            # fc-match names its fallback when the font is absent: check the file name.
            found = subprocess.run(["fc-match", "-f", "%{file}", MATH_FONT_NAME],
                                   capture_output=True, text=True, timeout=30).stdout.strip()
            path = Path(found)
        except (OSError, subprocess.SubprocessError):
            path = _MATH_FONT_PATH  # no fontconfig tools: Debian's location
        if "DejaVuMathTeXGyre" not in path.name or not path.is_file():
            raise FigureError(
                f"the math font {MATH_FONT_NAME!r} is not installed (formulas and figure symbols are "
                f"set in it); install it with: apt-get install {MATH_FONT_PACKAGE} (./run.sh does)"
            )
        _FOUND_MATH_FONTS[key] = path
    return _FOUND_MATH_FONTS[key]
