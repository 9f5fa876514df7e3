"""run.sh's first-run set-up shows its progress instead of working silently.

A small probe project (pytest and its dependencies, pinned like ours) stands in for the
real one so that a fresh install takes seconds: run.sh is copied next to it and run as
a new user would, `./run.sh test --version`, creating its virtual environment.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE_PACKAGES = ("pytest", "iniconfig", "packaging", "pluggy", "pygments")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "runsh-probe"
version = "0"
dependencies = ["iniconfig"]

[project.optional-dependencies]
test = ["pytest"]

[tool.setuptools]
py-modules = []
"""

pytestmark = pytest.mark.slow


def our_pins(names: tuple[str, ...]) -> list[str]:
    pins = [line for line in (ROOT / "constraints.txt").read_text().splitlines()
            if line.split("==")[0].lower() in names]
    assert len(pins) == len(names), pins
    return pins


def run(probe: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BACKPROP_VENV" and not k.startswith("PYTEST")}
    env.update(extra_env)
    return subprocess.run(["./run.sh", "test", "--version"], cwd=probe, capture_output=True, text=True,
                          env=env, timeout=600, stdin=subprocess.DEVNULL)


@pytest.fixture()
def probe(tmp_path: Path) -> Path:
    shutil.copy2(ROOT / "run.sh", tmp_path / "run.sh")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "constraints.txt").write_text("# probe\n" + "\n".join(our_pins(PROBE_PACKAGES)) + "\n")
    return tmp_path


def test_set_up_shows_its_progress_and_its_failures_and_runs_once(probe: Path) -> None:
    # One test, so the virtual environment is created once (ensurepip takes seconds).
    pins = (probe / "constraints.txt").read_text()
    (probe / "constraints.txt").write_text("iniconfig==999.0\n")
    failed = run(probe)
    assert failed.returncode == 1
    assert "failed; the last lines of .venv/install-pip.log" in failed.stderr
    assert "iniconfig==999.0" in failed.stderr.split("failed; the last lines of")[1]
    assert not (probe / ".venv" / ".installed").exists()  # the next run tries again

    (probe / "constraints.txt").write_text(pins)
    first = run(probe)
    assert first.returncode == 0, first.stderr
    assert "pytest" in first.stdout + first.stderr  # pytest --version ran in the new venv
    progress = re.findall(r"^  \[(\d+)/(\d+) +\d+s\] (.+)$", first.stderr, re.MULTILINE)
    shown = [step for _, _, step in progress]
    for package in PROBE_PACKAGES:
        assert any(step.lower().startswith(package) for step in shown), f"{package} not shown:\n{first.stderr}"
    # Numbered against the pins, and the count reaches them all.
    assert {total for _, total, _ in progress} == {str(len(PROBE_PACKAGES))}
    assert max(int(n) for n, _, _ in progress) == len(PROBE_PACKAGES)
    assert any("installing" in step for step in shown)
    assert re.search(r"done in \d+ s \(full log: \.venv/install-pip\.log\)", first.stderr)
    assert "Successfully installed" in (probe / ".venv" / "install-pip.log").read_text()

    # The plugin and the library get bytecode even where Python is told not to write it
    # (each build would otherwise compile them from source), and again once edited.
    for folder in ("plugin", "layers"):
        (probe / folder).mkdir()
        (probe / folder / "mod.py").write_text("X = 1\n")
    second = run(probe, PYTHONDONTWRITEBYTECODE="1")
    assert second.returncode == 0, second.stderr
    assert "Installing" not in second.stderr and "[1/" not in second.stderr
    for folder in ("plugin", "layers"):
        cached = Path(importlib.util.cache_from_source(str(probe / folder / "mod.py")))
        assert cached.is_file(), f"no bytecode for {folder}/mod.py"
    source = probe / "layers" / "mod.py"
    source.write_text("X = 2  # edited\n")
    os.utime(source, (source.stat().st_atime + 10, source.stat().st_mtime + 10))
    before = cached.read_bytes()
    assert run(probe, PYTHONDONTWRITEBYTECODE="1").returncode == 0
    assert cached.read_bytes() != before  # recompiled: the header records the new source
