"""The notebooks' background writer: every file is there once ``wait`` returns, and a
failure is reported then, not lost on the thread."""
from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_backprop.file_writer import BackgroundWriter


def test_every_file_is_written_with_its_folder_by_the_time_wait_returns(tmp_path: Path) -> None:
    writer = BackgroundWriter()
    files = {tmp_path / f"page{n}" / "deep" / f"nb{n}.ipynb": f"{{\"n\": {n}}}\n".encode() * 5000
             for n in range(40)}
    for path, data in files.items():
        writer.write(path, data)
    writer.wait()
    assert {p: p.read_bytes() for p in files} == files
    writer.wait()  # nothing pending: returns at once
    writer.write(tmp_path / "again.py", b"x = 1\n")  # usable for the next build (serve)
    writer.wait()
    assert (tmp_path / "again.py").read_bytes() == b"x = 1\n"


def test_the_first_failure_is_raised_by_wait_and_the_writer_recovers(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    writer = BackgroundWriter()
    writer.write(tmp_path / "a-file" / "x.ipynb", b"{}")  # its folder cannot be made
    writer.write(tmp_path / "ok" / "y.ipynb", b"{}")
    with pytest.raises(OSError) as raised:
        writer.wait()
    assert "a-file" in str(raised.value)
    writer.write(tmp_path / "ok" / "z.ipynb", b"{}")
    writer.wait()  # the failure was reported once; the next build starts clean
    assert (tmp_path / "ok" / "z.ipynb").is_file()
