"""A pure-Python wheel of the packages the pages import, built with the site.

The downloaded notebooks need the pages' own library (the ``watch`` folders that are
Python packages). ``build_wheel`` packs their ``.py`` files into a wheel
(``py3-none-any``), byte for byte the same for the same sources: fixed timestamps,
sorted entries, and a version that is a digest of the contents. A pure-Python
wheel is a zip file Python can import from directly (``sys.path.insert(0, wheel)``),
so a reader needs no network and no installer; ``pip install`` works as well.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs_backprop.cache import ResultCache

__all__ = ["Wheel", "build_wheel", "importable_packages"]

_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
_SKIP_DIRS = {"__pycache__"}


@dataclass(frozen=True)
class Wheel:
    filename: str  # e.g. "layers-0+3f2a9c1b7e-py3-none-any.whl"
    packages: tuple[str, ...]  # the import names it holds
    data: bytes


def importable_packages(folders: list[Path]) -> list[Path]:
    """The folders that are Python packages (they hold an ``__init__.py``)."""
    return [f for f in folders if (f / "__init__.py").is_file()]


def build_wheel(packages: list[Path], cache: ResultCache | None = None) -> Wheel | None:
    """A wheel holding ``packages`` (named after the first), or None if there are none.

    With ``cache``, a wheel of the same sources built before is taken from it
    (compressing the sources is most of the cost)."""
    if not packages:
        return None
    files: list[tuple[str, bytes]] = []
    for package in packages:
        for path in sorted(_python_files(package)):
            files.append((f"{package.name}/{path.relative_to(package).as_posix()}", path.read_bytes()))
    contents = hashlib.sha256()
    for name, data in files:
        contents.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    name = packages[0].name.replace("-", "_")
    version = f"0+{contents.hexdigest()[:10]}"
    filename = f"{name}-{version}-py3-none-any.whl"
    stored = f"wheels/{contents.hexdigest()}-{filename}"
    data = cache.get_bytes(stored) if cache is not None else None
    if data is not None and zipfile.is_zipfile(io.BytesIO(data)):
        return Wheel(filename, tuple(p.name for p in packages), data)
    info = f"{name}-{version}.dist-info"
    files.append((f"{info}/METADATA", (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        f"Version: {version}\n"
        "Summary: The code the pages of this site import, as the site was built\n"
        "Requires-Python: >=3.11\n"
    ).encode()))
    files.append((f"{info}/WHEEL", (
        "Wheel-Version: 1.0\nGenerator: mkdocs-backprop\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()))
    record = "".join(f"{n},sha256={_b64(hashlib.sha256(d).digest())},{len(d)}\n" for n, d in files)
    files.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry, data in files:
            zinfo = zipfile.ZipInfo(entry, date_time=_EPOCH)
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zinfo.external_attr = 0o644 << 16
            archive.writestr(zinfo, data)
    if cache is not None:
        cache.put_bytes(stored, buffer.getvalue())
    return Wheel(filename, tuple(p.name for p in packages), buffer.getvalue())


def _python_files(root: Path) -> list[Path]:
    found = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        found.extend(Path(directory, n) for n in names if n.endswith(".py"))
    return found


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
