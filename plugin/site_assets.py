"""What the plugin ships into the built site: figure CSS, the figures' font and the math font,
and the script and stylesheet of interactive figures.

Figures are laid out by Graphviz with NanumGothic, so their boxes fit that
font's glyph widths. Readers may lack the font, so the site serves it, cut down
to the characters the built figures actually show (a few kilobytes instead of
4.6 MB per weight). It is produced at build time from the installed font and
never committed.

Two plain functions for the MkDocs adapter:

- ``extra_css_paths()`` -> site-relative stylesheets to append to ``extra_css``,
  ``extra_javascript_paths()`` -> scripts to append to ``extra_javascript``
  (both in ``on_config``);
- ``install_assets(site_dir)`` -> writes them (in ``on_post_build``, once every
  page, cached or not, is in ``site_dir``).
"""
from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs_backprop import interactive
from mkdocs_backprop.cache import ResultCache, write_atomic
from mkdocs_backprop.figure_font import MATH_WEB_FONT_FAMILY, WEB_FONT_FAMILY, check_font, check_math_font
from mkdocs_backprop.figure_source import FigureError

__all__ = ["ASSET_DIR", "InstalledAssets", "SiteText", "extra_css_paths", "extra_javascript_paths", "install_assets",
           "start_subsets", "subset_font", "used_text"]

ASSET_DIR = "assets/backprop"  # inside site_dir
_SOURCE_DIR = Path(__file__).parent / "assets"
_STYLESHEETS = ("figures.css", "fonts.css")
_SCRIPTS = ("figures.js",)

# Always served, so a figure whose digits or punctuation differ between builds
# never makes a viewer's cached font fall short (ASCII costs about 2 kB).
_BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F))

_TEXT_RE = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_MATH_RE = re.compile(r"<math\b.*?</math>", re.DOTALL)
_ANNOTATION_RE = re.compile(r"<annotation\b.*?</annotation>", re.DOTALL)

MATH_FONT_FAMILY = MATH_WEB_FONT_FAMILY
_BOLD_RE = re.compile(r"""font-weight\s*[=:]\s*["']?\s*(?:bold|[6-9]00)\b""")

# Visual TrueType's source tables: editing data the subsetter cannot cut down.
_VTT_TABLES = ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]


@dataclass
class SiteText:
    """The characters the site's figure labels (by weight) and formulas show.

    The build gathers them page by page, from each figure's SVG and each page's
    converted formulas, so that the fonts' subsets need not read every page back.
    """

    regular: set[str] = field(default_factory=set)
    bold: set[str] = field(default_factory=set)
    math: set[str] = field(default_factory=set)

    def add_figure(self, svg: str) -> None:
        """Labels set in the served family, and symbols set in the math font (∂L/∂z)."""
        if WEB_FONT_FAMILY not in svg and MATH_WEB_FONT_FAMILY not in svg:
            return
        for attrs, inner in _TEXT_RE.findall(svg):
            if MATH_WEB_FONT_FAMILY in attrs:
                self.math.update(c for c in html.unescape(_TAG_RE.sub("", inner)) if not c.isspace())
            if WEB_FONT_FAMILY in attrs:
                chars = set(html.unescape(_TAG_RE.sub("", inner)))
                (self.bold if _BOLD_RE.search(attrs) else self.regular).update(chars)

    def update(self, other: SiteText) -> None:
        self.regular |= other.regular
        self.bold |= other.bold
        self.math |= other.math

    def add_math(self, markup: str) -> None:
        if "<math" not in markup:
            return
        for formula in _MATH_RE.findall(markup):
            self.math.update(c for c in html.unescape(_TAG_RE.sub("", _ANNOTATION_RE.sub("", formula)))
                             if not c.isspace())
            if "<msqrt" in formula or "<mroot" in formula:
                # The browser draws a root's sign from the font's √ (and its taller variants),
                # a character the markup never holds.
                self.math.add("\u221a")

    @classmethod
    def of_site(cls, site_dir: Path) -> SiteText:
        """Read back from every page of a built site (for a build that did not gather it)."""
        text = cls()
        for page in sorted(site_dir.rglob("*.html")):
            markup = page.read_text(encoding="utf-8")
            text.add_figure(markup)
            text.add_math(markup)
        return text


@dataclass
class InstalledAssets:
    files: list[Path] = field(default_factory=list)
    # Characters a figure shows that the font has no glyph for: browsers and
    # Graphviz both fall back to another font for them.
    missing_glyphs: dict[str, str] = field(default_factory=dict)  # weight -> chars


def extra_css_paths() -> list[str]:
    """Stylesheets (site-relative) the theme must link; written by ``install_assets``."""
    return [f"{ASSET_DIR}/{name}" for name in _STYLESHEETS]


def extra_javascript_paths() -> list[str]:
    """Scripts (site-relative) the theme must load; copied by ``install_assets``."""
    return [f"{ASSET_DIR}/{name}" for name in _SCRIPTS]


def install_assets(site_dir: str | Path, cache: ResultCache | None = None,
                   text: SiteText | None = None, subsets: list[subprocess.Popen[bytes]] | None = None
                   ) -> InstalledAssets:
    """Copy figure CSS and write the figure font subset + @font-face CSS into ``site_dir``.

    With ``cache`` a subset is reused from its ``fonts`` folder when the same font
    file was cut to the same characters before (subsetting takes ~0.5 s a build);
    a refreshing cache rebuilds and rewrites it. Like every entry, a subset no
    build has used for a day is pruned. ``text``: the characters the pages show, as
    the build gathered them; without it they are read back from ``site_dir``.
    ``subsets``: ``start_subsets`` processes to wait for (one that failed is redone here).
    """
    for process in subsets or ():
        try:
            process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    site = Path(site_dir)
    target = site / ASSET_DIR
    target.mkdir(parents=True, exist_ok=True)
    result = InstalledAssets()
    for name in ("figures.css", *_SCRIPTS):
        shutil.copyfile(_SOURCE_DIR / name, target / name)
        result.files.append(target / name)
    # Linked only by pages with an interactive figure (interactive.link_assets).
    result.files.extend(interactive.install(target))

    if text is None:
        text = SiteText.of_site(site)
    math_text = "".join(sorted(text.math))
    faces: list[str] = []
    wanted = _figure_weights(text)
    if wanted:
        for weight_name, weight, path, chars in wanted:
            data, missing = _cached_subset(cache, path, _BASE_CHARS + chars, weight_name)
            if missing:
                result.missing_glyphs[weight_name] = missing
            name = f"{WEB_FONT_FAMILY}-{weight_name}.{hashlib.sha256(data).hexdigest()[:10]}.woff2"
            for stale in target.glob(f"{WEB_FONT_FAMILY}-{weight_name}.*.woff2"):
                stale.unlink()
            (target / name).write_bytes(data)
            result.files.append(target / name)
            faces.append(
                "@font-face {\n"
                f'  font-family: "{WEB_FONT_FAMILY}";\n'
                f"  font-weight: {weight};\n"
                "  font-style: normal;\n"
                # block: a label drawn in a fallback font first would overflow its box.
                "  font-display: block;\n"
                f'  src: url("{name}") format("woff2");\n'
                "}\n"
            )
    css = (
        "/* Figure labels: a subset of NanumGothic (SIL Open Font License 1.1) holding the\n"
        "   characters the figures on this site use; renamed because the licence reserves\n"
        "   the original name for unmodified fonts. Generated at build time. */\n"
        + "".join(faces)
    )
    if math_text:
        math_font = find_math_font()
        data, _ = _cached_subset(cache, math_font, _BASE_CHARS + math_text, "math")
        name = f"{MATH_FONT_FAMILY}.{hashlib.sha256(data).hexdigest()[:10]}.woff2"
        for stale in target.glob(f"{MATH_FONT_FAMILY}.*.woff2"):
            stale.unlink()
        (target / name).write_bytes(data)
        result.files.append(target / name)
        css += (
            "/* Formulas: a subset of DejaVu Math TeX Gyre (Bitstream Vera licence; math\n"
            "   extensions public domain), renamed, with its OpenType MATH table, which\n"
            "   browsers need to place scripts, fractions and stretched brackets. */\n"
            "@font-face {\n"
            f'  font-family: "{MATH_FONT_FAMILY}";\n'
            "  font-weight: 400;\n"
            "  font-style: normal;\n"
            "  font-display: block;\n"
            f'  src: url("{name}") format("woff2");\n'
            "}\n"
        )
    (target / "fonts.css").write_text(css, encoding="utf-8")
    result.files.append(target / "fonts.css")
    return result


def _subset_key(path: Path, text: str, weight_name: str) -> str:
    from fontTools import version as fonttools_version

    stat = path.stat()
    # The font file by path, size and mtime: a reinstalled or updated font is a new key.
    return hashlib.sha256("\0".join(
        [str(path.resolve()), str(stat.st_size), str(stat.st_mtime_ns), fonttools_version, weight_name, text]
    ).encode("utf-8")).hexdigest()[:32]


def _figure_weights(text: SiteText) -> list[tuple[str, int, Path, str]]:
    """(weight name, CSS weight, font file, characters) of each figure font subset to serve."""
    regular_text, bold_text = "".join(sorted(text.regular)), "".join(sorted(text.bold))
    if not (regular_text or bold_text):
        return []
    fonts = check_font()
    wanted = [("regular", 400, fonts.regular, regular_text)]
    # Without a bold file browsers synthesise bold from the regular subset.
    if bold_text and fonts.bold is not None:
        wanted.append(("bold", 700, fonts.bold, bold_text))
    elif bold_text:
        wanted[0] = ("regular", 400, fonts.regular, regular_text + bold_text)
    return wanted


def start_subsets(cache: ResultCache | None, text: SiteText) -> list[subprocess.Popen[bytes]]:
    """Cut the figure and math fonts' subsets that the cache lacks in other processes, now.

    Call it once every page's figures are drawn and formulas converted (``on_env``):
    MkDocs then renders the pages' templates while another core cuts the fonts (about
    half a second, the last thing a cold build did). Each process writes its subset into the cache, where
    ``install_assets`` (given the processes, to wait for) finds it.
    """
    if cache is None or cache.directory is None or cache.refresh:
        return []
    subsets = [(weight_name, path, chars) for weight_name, _weight, path, chars in _figure_weights(text)]
    if text.math:
        subsets.append(("math", check_math_font(), "".join(sorted(text.math))))
    jobs = []
    for weight_name, path, chars in subsets:
        key = _subset_key(path, _BASE_CHARS + chars, weight_name)
        if not (cache.directory / "fonts" / f"{key}.woff2").exists():
            jobs.append([str(path), weight_name, key, _BASE_CHARS + chars])
    if not jobs:
        return []
    # One process cuts them all, one after the other: Python and fontTools start once
    # (a third of the work for each font), and the fonts are done well before the pages.
    process = subprocess.Popen(
        [sys.executable, "-c", "from mkdocs_backprop.site_assets import _subsets_main; _subsets_main()",
         str(cache.directory)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert process.stdin is not None
    process.stdin.write(json.dumps(jobs).encode("utf-8"))
    process.stdin.close()
    return [process]


def _subsets_main() -> None:
    """A ``start_subsets`` process: CACHE_DIR as argument, [font, weight, key, characters]
    jobs as JSON on stdin. A subset that fails is cut again, and reported, by ``install_assets``."""
    directory = Path(sys.argv[1])
    for path, weight_name, key, text in json.loads(sys.stdin.read()):
        try:
            _subset_into_cache(directory, Path(path), text, weight_name, key)
        except Exception:  # noqa: BLE001 - see above
            continue


def _subset_into_cache(directory: Path, path: Path, text: str, weight_name: str, key: str) -> None:
    """What a ``start_subsets`` process does (the .woff2 is written last: it marks a whole entry)."""
    data, missing = subset_font(path, text, weight_name=weight_name)
    write_atomic(directory / "fonts" / f"{key}.missing", missing.encode("utf-8"))
    write_atomic(directory / "fonts" / f"{key}.woff2", data)


def _cached_subset(cache: ResultCache | None, path: Path, text: str, weight_name: str) -> tuple[bytes, str]:
    if cache is None:
        return subset_font(path, text, weight_name=weight_name)
    key = _subset_key(path, text, weight_name)
    woff2, missing_file = f"fonts/{key}.woff2", f"fonts/{key}.missing"
    # The .woff2 is written last, so its presence means the entry is complete.
    data, missing = cache.get_bytes(woff2), cache.get_bytes(missing_file)
    if data is not None and missing is not None:
        try:
            return data, missing.decode("utf-8")
        except UnicodeDecodeError:
            pass  # damaged: cut it again below
    data, missing_text = subset_font(path, text, weight_name=weight_name)
    cache.put_bytes(missing_file, missing_text.encode("utf-8"))
    cache.put_bytes(woff2, data)
    return data, missing_text


def used_text(site_dir: Path) -> tuple[str, str]:
    """Distinct characters in figure labels set in the served family: (regular, bold)."""
    text = SiteText.of_site(site_dir)
    return "".join(sorted(text.regular)), "".join(sorted(text.bold))


def find_math_font() -> Path:
    """The installed DejaVu Math TeX Gyre (Debian's fonts-dejavu-extra); FigureError if absent."""
    return check_math_font()


def used_math_text(site_dir: Path) -> str:
    """Distinct characters shown by the site's MathML formulas (not their TeX annotations)
    and by figure labels set in the math font (symbols such as ∂L/∂z)."""
    return "".join(sorted(SiteText.of_site(site_dir).math))


def subset_font(path: Path, text: str, *, weight_name: str) -> tuple[bytes, str]:
    """A renamed WOFF2 subset of ``path`` covering ``text``; also the chars it lacks."""
    # Imported here: only builds that draw figures pay for fontTools.
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(path)
    except (OSError, TTLibError) as exc:
        raise FigureError(f"cannot read the figure font {path}: {exc}; reinstall fonts-nanum") from exc
    cmap = font.getBestCmap()
    missing = "".join(sorted({c for c in text if not c.isspace() and ord(c) not in cmap}))

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False  # screens at web sizes do not need TrueType hints
    options.name_IDs = ["*"]  # keep copyright, trademark and licence records
    options.name_languages = ["*"]
    options.drop_tables += _VTT_TABLES
    if weight_name == "math":
        # Keep every OpenType feature (ssty: script-size glyphs) and the MATH table,
        # whose glyph variants and assemblies the subsetter follows.
        options.layout_features = ["*"]
        options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    _rename(font, weight_name)

    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue(), missing


def _rename(font: object, weight_name: str) -> None:
    # OFL 1.1 §3: a modified version must not use the Reserved Font Names
    # (Nanum, NanumGothic, …), in any language record.
    name = font["name"]  # type: ignore[index]
    style = "Bold" if weight_name == "bold" else "Regular"
    family = "BP Figure Sans"
    if weight_name == "math":
        # The Bitstream Vera licence (DejaVu's) asks modified fonts to be renamed.
        for name_id in (1, 2, 3, 4, 6, 16, 17, 20, 21, 22):
            name.removeNames(nameID=name_id)
        for name_id, value in {1: "BP Math", 2: "Regular", 3: "BP Math; subset of DejaVu Math TeX Gyre",
                               4: "BP Math", 6: "BPMath-Regular"}.items():
            name.setName(value, name_id, 3, 1, 0x409)
            name.setName(value, name_id, 1, 0, 0)
        return
    for name_id in (1, 2, 3, 4, 6, 16, 17, 20, 21, 22):
        name.removeNames(nameID=name_id)
    records = {
        1: family,
        2: style,
        3: f"{family} {style}; subset of NanumGothic",
        4: f"{family} {style}",
        6: f"BPFigureSans-{style}",
        10: "Subset of NanumGothic by NHN Corporation, renamed as the SIL Open Font License requires.",
        13: "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        14: "https://openfontlicense.org",
    }
    for name_id, value in records.items():
        name.setName(value, name_id, 3, 1, 0x409)
        name.setName(value, name_id, 1, 0, 0)
