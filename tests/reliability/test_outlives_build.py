"""Matrix row 4 — nothing outlives the build.

However the build ends (finished, killed, interrupted), the processes that ran
the pages' code and everything they started are gone, and Ctrl-C does not wait
for the running block's timeout. Each test gives the block a 60 s timeout and
expects the end within a few seconds, so only a broken clean-up can fail them.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from reliability_helpers import build, errors, kill_leftovers, process_gone, start_build, wait_for_file, write_site


def _spinning_page(pids: Path, timeout: str = "60", spin: bool = True) -> str:
    """A block that starts a subprocess, writes both pids and (with ``spin``) never ends.

    It ignores SIGINT, as code busy in a long C call (a big matrix product) does.
    """
    loop = "while True:\n    time.sleep(0.02)\n" if spin else ""
    return (f'# 오래\n\n```python exec timeout="{timeout}"\n'
            "import os, pathlib, signal, subprocess, time\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "helper = subprocess.Popen(['sleep', '300'])\n"
            f"pathlib.Path({str(pids)!r}).write_text(f'{{os.getpid()}} {{helper.pid}}')\n"
            f"{loop}```\n")


@pytest.fixture
def spinning_build(tmp_path: Path):
    pids = tmp_path / "pids.txt"
    root = write_site(tmp_path / "site", {"index.md": _spinning_page(pids)}, options="cache: false")
    process = start_build(root)
    page_pid, helper_pid = map(int, wait_for_file(pids, process).split())
    yield process, page_pid, helper_pid
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    kill_leftovers(page_pid, helper_pid)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_mkdocs_ends_the_pages_processes(spinning_build, how: signal.Signals) -> None:
    process, page_pid, helper_pid = spinning_build
    process.send_signal(how)  # mkdocs alone, not its process group
    process.wait(timeout=10)
    assert process_gone(page_pid, 10), "the page's process outlived mkdocs"
    assert process_gone(helper_pid, 10), "a subprocess the page started outlived mkdocs"


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_stops_the_build_within_seconds(spinning_build, presses: int) -> None:
    process, page_pid, helper_pid = spinning_build
    started = time.monotonic()
    for _ in range(presses):
        os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
        time.sleep(0.2)
    try:
        process.wait(timeout=15)  # the block's own timeout is 60 s
    except subprocess.TimeoutExpired:
        pytest.fail("mkdocs was still running 15 s after Ctrl-C")
    assert time.monotonic() - started < 15
    assert process_gone(page_pid, 10) and process_gone(helper_pid, 10)


def test_a_timed_out_blocks_subprocesses_are_killed(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    root = write_site(tmp_path / "site", {"index.md": _spinning_page(pids, timeout="1")}, options="cache: false")
    result = build(root)
    page_pid, helper_pid = map(int, pids.read_text().split())
    try:
        assert "did not finish within 1 s" in result.stderr
        assert process_gone(page_pid, 5)
        assert process_gone(helper_pid, 5), "the timed-out block's subprocess is still running"
    finally:
        kill_leftovers(page_pid, helper_pid)


def test_a_subprocess_left_running_by_a_page_ends_with_the_build(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    root = write_site(tmp_path / "site", {"index.md": _spinning_page(pids, spin=False)}, options="cache: false")
    result = build(root)
    page_pid, helper_pid = map(int, pids.read_text().split())
    try:
        assert result.returncode == 0, result.stderr
        assert process_gone(helper_pid, 5), "a subprocess the page left running outlived the build"
    finally:
        kill_leftovers(page_pid, helper_pid)


def _escaping_page(pids: Path, then: str) -> str:
    """A block that starts two processes outside its process group, the way daemons and
    ``start_new_session=True`` do, writes their pids, then does ``then``."""
    return ('# 세션\n\n```python exec timeout="1"\n'
            "import os, pathlib, subprocess, time\n"
            "own = subprocess.Popen(['sleep', '301'], start_new_session=True)\n"
            "reader, writer = os.pipe()\n"
            "if os.fork() == 0:  # a daemon: fork, setsid, fork again, the middle one exits\n"
            "    os.setsid()\n"
            "    grandchild = subprocess.Popen(['sleep', '302'])\n"
            "    os.write(writer, str(grandchild.pid).encode())\n"
            "    os._exit(0)\n"
            "daemon = int(os.read(reader, 32))\n"
            f"pathlib.Path({str(pids)!r}).write_text(f'{{own.pid}} {{daemon}}')\n"
            f"{then}```\n")


@pytest.mark.parametrize("then", ["print('done')\n", "while True:\n    time.sleep(0.02)\n"],
                         ids=["page-ends", "page-times-out"])
def test_processes_a_page_started_in_their_own_session_end_with_the_build(tmp_path: Path, then: str) -> None:
    pids = tmp_path / "pids.txt"
    root = write_site(tmp_path / "site", {"index.md": _escaping_page(pids, then)}, options="cache: false")
    result = build(root)
    own, daemon = map(int, pids.read_text().split())
    try:
        assert ("did not finish within 1 s" in result.stderr) == ("while" in then), result.stderr
        assert process_gone(own, 5), "a subprocess started with start_new_session=True outlived the build"
        assert process_gone(daemon, 5), "a daemon (fork, setsid, fork) the page started outlived the build"
    finally:
        kill_leftovers(own, daemon)


def test_a_page_that_kills_the_worker_is_told_so_and_leaves_nothing_running(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    root = write_site(tmp_path / "site", {"index.md": (
        "# 부모\n\n```python exec\nimport os, pathlib, signal, subprocess, time\n"
        "helper = subprocess.Popen(['sleep', '303'])\n"
        f"pathlib.Path({str(pids)!r}).write_text(f'{{os.getppid()}} {{helper.pid}}')\n"
        "os.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(30)\n```\n")}, options="cache: false")
    result = build(root)
    worker, helper = map(int, pids.read_text().split())
    try:
        [report] = [e for e in errors(result) if "docs/index.md:" in e]
        assert report.startswith("ERROR   -  backprop: docs/index.md:3: the plugin's worker process, which starts "
                                 "every page's process, ended (killed by signal 9) while this code ran"), report
        assert "must not signal or kill its parent process" in report
        assert process_gone(worker, 5) and process_gone(helper, 5), "the page's subprocess outlived the build"
    finally:
        kill_leftovers(worker, helper)
