"""The wheel the notebooks import, and how a graph shows in a notebook without Graphviz."""
from __future__ import annotations

import base64
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import pytest

from layers import Graph, MulLayer
from mkdocs_backprop.wheel import build_wheel, importable_packages

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_is_the_same_bytes_for_the_same_sources_and_its_record_is_true() -> None:
    first, second = build_wheel([ROOT / "layers"]), build_wheel([ROOT / "layers"])
    assert first is not None and second is not None
    assert first.data == second.data and first.filename == second.filename
    assert first.filename.startswith("layers-0+") and first.filename.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(io.BytesIO(first.data)) as archive:
        names = archive.namelist()
        shipped = sorted(n for n in names if n.startswith("layers/"))
        expected = sorted(f"layers/{p.relative_to(ROOT / 'layers').as_posix()}"
                          for p in (ROOT / "layers").rglob("*.py") if "__pycache__" not in p.parts)
        assert shipped == expected
        record = archive.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
        for line in record.splitlines():
            name, digest, size = line.rsplit(",", 2)
            if not digest:
                continue  # RECORD itself
            data = archive.read(name)
            assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert int(size) == len(data)


def test_a_cached_wheel_is_the_built_one_and_follows_its_sources(tmp_path: Path) -> None:
    from mkdocs_backprop.cache import ResultCache

    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n")
    cache = ResultCache(tmp_path / "cache")
    built = build_wheel([package], cache)
    assert built is not None and build_wheel([package]) == built
    (stored,) = (tmp_path / "cache" / "wheels").iterdir()
    assert stored.read_bytes() == built.data
    assert build_wheel([package], ResultCache(tmp_path / "cache")) == built  # read back
    stored.write_bytes(b"not a zip")  # damaged: built again, the same
    assert build_wheel([package], ResultCache(tmp_path / "cache")) == built
    (package / "__init__.py").write_text("VALUE = 2\n")  # new sources: a new wheel
    changed = build_wheel([package], ResultCache(tmp_path / "cache"))
    assert changed is not None and changed.filename != built.filename
    with zipfile.ZipFile(io.BytesIO(changed.data)) as archive:
        assert archive.read("pkg/__init__.py") == b"VALUE = 2\n"


def test_only_package_folders_are_shipped(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    assert importable_packages([tmp_path / "data", tmp_path / "pkg"]) == [tmp_path / "pkg"]
    assert build_wheel([]) is None


def test_a_graph_without_graphviz_shows_its_description(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # as if the package were not installed
    layer = MulLayer()
    with Graph() as g:
        g.output(layer.forward(g.input(2, "x"), g.input(3, "y")), "z")
    assert g._repr_svg_() is None

    class Printer:
        text_shown = ""

        def text(self, text: str) -> None:
            self.text_shown += text

    printer = Printer()
    g._repr_pretty_(printer, False)
    assert printer.text_shown == g.describe()
    assert "x 2 × y 3 = 6" in printer.text_shown
