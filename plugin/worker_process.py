"""The worker process: a fork server that runs the pages' code, away from MkDocs.

``python -m mkdocs_backprop.worker_process FD [MODULE ...]`` starts a small fork
server: it imports the configured modules once (the plugin's ``preload`` option,
e.g. numpy and the book's library), then waits on the Unix socket FD. For every page the
MkDocs process sends it one end of a fresh socket pair (as an fd); the server
forks a child that owns that socket, runs the page in a fresh namespace and
streams one result per item back. A fork is a few milliseconds, so every page
gets a clean interpreter without paying for ``import numpy`` again; the server
itself lives for one build, so an edit to the book's library is never served stale.

A child can loop forever, call ``os._exit`` or crash: the MkDocs side holds its
pid (the child's first message) and kills it at the item's deadline; a dead
child shows up there as end-of-file. Each child leads its own process group, so
a kill takes what the page started along (subprocesses, forks), and so does the
child's own end; it dies with the server, and the server, in its own session,
ends every group still running once MkDocs closes the control socket (its build
is over, or it was killed or interrupted). A child's address space is limited
(``memory_limit``), and fds 1 and 2 are read into the running item's output.

This module must not import MkDocs: it runs in the worker.
"""
from __future__ import annotations

import ast
import builtins
import codecs
import dataclasses
import hashlib
import importlib
import io
import linecache
import os
import re
import resource
import signal
import socket
import stat as _stat
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs_backprop.shown_paths import ShownPaths
from mkdocs_backprop.worker_protocol import (
    MEMO_ENV,
    Item,
    ItemError,
    ItemResult,
    PageInputs,
    PageJob,
    installed_stamp,
    recv_message,
    send_message,
)

__all__ = ["main", "serve"]


# -- the server --------------------------------------------------------------------


def serve(control: socket.socket, preload: list[str]) -> None:
    """Fork one child per page channel received on ``control`` until it closes."""
    # Once, here: every page process inherits it. Computed beside the imports, not after.
    provided = _start_provided(os.environ.pop(MEMO_ENV, None))
    _set_child_subreaper()
    _preload(preload)
    provided()
    send_message(control, "ready")
    # Every page process is waited for (not left to the kernel with SIGCHLD ignored):
    # its CPU time then adds up in this process's children, and so in the build's.
    children: set[int] = set()
    control.settimeout(1.0)  # wake up now and then to collect finished page processes
    try:
        while True:
            _collect(children)
            try:
                data, fds, _, _ = socket.recv_fds(control, 16, 1)
            except TimeoutError:
                continue
            except (ConnectionError, OSError):
                return
            if not fds:
                return  # MkDocs closed the control socket: the build is over
            server = os.getpid()
            pid = os.fork()
            if pid == 0:
                control.close()
                code = 0
                try:
                    _become_page_process(server)
                    _run_page(socket.socket(fileno=fds[0]))
                except (EOFError, BrokenPipeError, ConnectionError):
                    code = 1  # MkDocs went away (a timeout kill of a sibling, Ctrl-C): nothing to report to
                finally:
                    _end_page_process(code)
            children.add(pid)
            os.close(fds[0])
    finally:
        # MkDocs is done with us (its build ended, or it was killed or interrupted): a page
        # still running (and what it started) is no one's any more. Unreaped children
        # keep their pids, so each group is still the one we started.
        for pid in children:
            _kill_group(pid)
        deadline = time.monotonic() + 5.0
        while children and time.monotonic() < deadline:
            _collect(children)
            if children:
                time.sleep(0.01)
        # What a page process that did not end itself (killed at a timeout, os._exit, a
        # crash) left in a session of its own came to this process, a child subreaper.
        _end_descendants()


def _set_child_subreaper() -> None:
    """Become the parent of the orphans of this process's descendants (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _collect(children: set[int]) -> None:
    """Wait for the page processes that have finished (without blocking)."""
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def _become_page_process(server: int) -> None:
    """Set up a freshly forked page process: its own process group (so the page and
    every process it starts end together), the parent of whatever the page starts and
    leaves behind in a session of its own, and death with the server."""
    os.setpgid(0, 0)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # Linux; elsewhere the group kill does it
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != server:  # the server died before the line above took effect
        os._exit(1)


def _end_page_process(code: int) -> None:
    """End the page: with its process group, so nothing the page started outlives it."""
    if os.getpgrp() == os.getpid():  # a process the page's code forked is not the leader
        _end_descendants()  # those that left the group (start_new_session=True, a daemon's setsid)
        os.killpg(0, signal.SIGKILL)
    os._exit(code)


def _end_descendants(seconds: float = 2.0) -> None:
    """Kill this process's children until none is left. As a child subreaper, this
    process inherits the children of each one killed, down to the last descendant."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG)[0]:
                continue  # one reaped: look again
        except ChildProcessError:
            return  # no child at all (most pages)
        for pid in _children(os.getpid()):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.001)


def _children(parent: int) -> list[int]:
    """The pids whose parent is ``parent`` (Linux's /proc; elsewhere none are found)."""
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 1 and int(fields[1]) == parent:
            found.append(int(name))
    return found


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def _preload(modules: list[str]) -> None:
    """Import what every page needs once, so each forked child starts warm."""
    import mkdocs_backprop.figure_source  # noqa: F401

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - deferred, not swallowed (see below)
            # While an author is mid-edit, the book's library may not import. That
            # must not take the server down: Python drops a failed module from
            # sys.modules, so each page that imports it hits the same error
            # itself, reported with the page's line.
            continue


# -- the child: one page ---------------------------------------------------------


class _Capture:
    """The output of one item, kept up to ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def write(self, text: str) -> None:
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n… 출력이 너무 길어 {self.dropped:,}자를 생략했습니다 (output_limit={self.limit:,})\n"
        return out


class _PageOutput:
    """A page process's output: fds 1 and 2 are one pipe, read by a thread into the
    capture of the item that is running.

    ``print``, ``os.write(1, …)``, C libraries and subprocesses all write to those
    fds, so a block's output is what it wrote, in the order it wrote it. At the end
    of an item a marker goes down the pipe after everything this process wrote; the
    reader hands the item its text when it reaches the marker. Output between items
    is dropped, as is Python output from a thread an earlier item started (a late
    print would otherwise land in another block). A process forked by the page's
    code writes into the same pipe; when it returns to this loop it exits quietly
    (it must not answer for the page).
    """

    def __init__(self, limit: int) -> None:
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 1)
        os.dup2(write_fd, 2)
        # Kept (not inherited by subprocesses) for the marker, and to give a block fds 1
        # and 2 back if one before it closed them (os.close(1)).
        self._write = write_fd
        self._fd = read_fd
        self._limit = limit
        self._pid = os.getpid()
        self._marker = b"\0bp-end-" + os.urandom(8).hex().encode() + b"\0"
        self._capture: _Capture | None = None
        self._reached = threading.Event()
        self._main = threading.get_ident()
        self._earlier: frozenset[int] = frozenset()
        sys.stdout = sys.stderr = _Router(self)
        threading.Thread(target=self._read, name="backprop-output", daemon=True).start()

    def start(self) -> _ItemOutput:
        """Collect from now on for a new item."""
        for fd in (1, 2):
            try:
                os.fstat(fd)
            except OSError:  # closed by an earlier item
                os.dup2(self._write, fd)
        self._earlier = frozenset(t.ident for t in threading.enumerate() if t.ident != self._main)
        self._capture = _Capture(self._limit)
        return _ItemOutput(self, self._capture)

    def finish(self) -> None:
        """Wait until the reader has everything written so far, then stop collecting."""
        if os.getpid() != self._pid:
            os._exit(0)  # a copy made by os.fork() in the page's code: it never answers for the page
        self._reached.clear()
        _write_all(self._write, self._marker)  # after all the item wrote to fds 1 and 2: the same pipe
        self._reached.wait()

    def accepts(self) -> bool:
        """Whether Python output from the calling thread belongs to the running item."""
        ident = threading.get_ident()
        return ident == self._main or ident not in self._earlier

    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("backslashreplace")
        pending = b""
        keep = len(self._marker) - 1  # a marker may arrive in two reads
        while True:
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                return
            pending += chunk
            while (at := pending.find(self._marker)) >= 0:
                self._deliver(decoder.decode(pending[:at], final=True))
                decoder.reset()
                pending = pending[at + len(self._marker):]
                self._capture = None
                self._reached.set()
            if len(pending) > keep:
                self._deliver(decoder.decode(pending[:-keep]))
                pending = pending[-keep:]

    def _deliver(self, text: str) -> None:
        capture = self._capture
        if capture is not None and text:
            capture.write(text)


class _ItemOutput:
    """One item's output; ``text()`` is final once called."""

    def __init__(self, output: _PageOutput, capture: _Capture) -> None:
        self._output = output
        self._capture = capture
        self._text: str | None = None

    def text(self) -> str:
        if self._text is None:
            self._output.finish()
            self._text = self._capture.text()
        return self._text


class _Router(io.TextIOBase):
    """``sys.stdout`` and ``sys.stderr`` of a page process: text to fd 1, unbuffered."""

    def __init__(self, output: _PageOutput) -> None:
        self._output = output
        self.buffer = _BinaryRouter(output)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "backslashreplace"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._output.accepts():
            _write_all(1, text.encode("utf-8", "backslashreplace"))  # a lone surrogate too
        return len(text)

    def fileno(self) -> int:
        return 1

    def isatty(self) -> bool:
        return False


class _BinaryRouter(io.RawIOBase):
    def __init__(self, output: _PageOutput) -> None:
        self._output = output

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        if self._output.accepts():
            _write_all(1, data)
        return len(data)

    def fileno(self) -> int:
        return 1


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# An inline value longer than this is an error: it belongs in a block's output.
_VALUE_LIMIT = 10_000
_memory_limit_gib: float | None = None  # this page process's, for the MemoryError message
# File paths in tracebacks and warnings, as a page shows them; the worker runs in the
# site's root (WorkerClient's cwd).
_shown = ShownPaths(os.getcwd())


def _run_page(channel: socket.socket) -> None:
    global _memory_limit_gib
    send_message(channel, os.getpid())
    job: PageJob = recv_message(channel)
    if job.memory_limit is not None:
        # Address space of this process and each process it starts: a block that asks
        # for more gets a MemoryError at its line instead of taking the machine.
        limit = int(job.memory_limit * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        _memory_limit_gib = job.memory_limit
    linecache.cache[job.filename] = (
        sum(len(line) for line in job.source_lines),
        None,  # no mtime: linecache must never re-read (or forget) these lines
        job.source_lines,
        job.filename,
    )
    _show_warnings_without_machine_paths()
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    formatter = _Formatter(job.formatter)
    output = _PageOutput(job.output_limit)
    inputs = _InputRecorder()
    for item in job.items:
        capture = output.start()
        result = _run_item(item, namespace, job.filename, capture, formatter)
        capture.text()  # also for an inline value: what it printed ends with it
        send_message(channel, _printable(result))
        if result.error:
            return  # later items would fail for the same reason: MkDocs reports them as not run
    send_message(channel, inputs.collect())


def _show_warnings_without_machine_paths() -> None:
    """A warning names the file it is attributed to (numpy's, the book's library…): as a page does."""
    import warnings

    original = warnings.formatwarning

    def formatwarning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      line: str | None = None) -> str:
        if line is None:
            line = linecache.getline(filename, lineno)  # from the real file, before its name changes
        return original(message, category, _shown.path(filename), lineno, line)

    warnings.formatwarning = formatwarning


class _InputRecorder:
    """What the page's code reads and imports, for the cache to key the page's results on.

    An audit hook sees every file the code opens (``open``, ``pathlib``, numpy's
    loaders, the import system); files the code wrote itself are not inputs.
    Modules imported during the page count by their files when they live outside
    the installed packages (a ``helpers.py`` beside the site, outside ``watch``),
    and by their distribution's version when they come from one (``import sklearn``:
    an upgrade runs the page again). The standard library, the installed packages'
    own files and the system's pseudo-files are left out.
    """

    def __init__(self) -> None:
        self.read: set[str] = set()
        self.written: set[str] = set()
        self.modules_before = set(sys.modules)
        self.skip = _skipped_roots()
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not args or isinstance(args[0], int):
            return
        try:
            path = os.path.abspath(os.fsdecode(args[0]))
        except (TypeError, ValueError):
            return
        mode, flags = (args[1] if len(args) > 1 else None), (args[2] if len(args) > 2 else 0)
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
            (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND))
        (self.written if writes else self.read).add(path)

    def collect(self) -> PageInputs:
        paths = set(self.read)
        top_level: set[str] = set()
        for name in set(sys.modules) - self.modules_before:
            top = name.partition(".")[0]
            if top in sys.stdlib_module_names or top in sys.builtin_module_names or top == "mkdocs_backprop":
                continue
            top_level.add(top)
            file = getattr(sys.modules.get(name), "__file__", None)
            if isinstance(file, str) and file.endswith(".py"):
                paths.add(os.path.abspath(file))
        files: dict[str, tuple[int, int, str]] = {}
        for path in sorted(paths - self.written):
            if path.startswith(self.skip) or f"{os.sep}__pycache__{os.sep}" in path:
                continue
            try:
                stat = os.stat(path)
                if not _stat.S_ISREG(stat.st_mode):
                    continue
                with open(path, "rb") as f:
                    files[path] = (stat.st_size, stat.st_mtime_ns, hashlib.file_digest(f, "sha256").hexdigest())
            except OSError:
                continue  # gone already (a temporary file): nothing to key on
        return PageInputs(files, _distribution_versions(top_level))


def _skipped_roots() -> tuple[str, ...]:
    """Folders whose files are not a page's inputs: the interpreter's, the installed
    packages' (those count by version), this plugin's, and the system's pseudo-files."""
    import site
    import sysconfig

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, *sysconfig.get_paths().values(),
             *site.getsitepackages(), site.getusersitepackages(), os.path.dirname(__file__),
             os.path.expanduser("~/.cache"), "/proc", "/sys", "/dev"}
    return tuple(os.path.join(os.path.abspath(r), "") for r in roots if r)


_PROVIDED: dict[str, list[str]] | None = None


def _provided() -> dict[str, list[str]]:
    """Top-level module -> distributions. Reading it means reading every installed
    package's file list (0.12 s here, seconds on a loaded machine), so the server does
    it once before any fork (``_start_provided``) and every page process inherits it."""
    global _PROVIDED
    if _PROVIDED is None:
        import importlib.metadata

        _PROVIDED = dict(importlib.metadata.packages_distributions())
    return _PROVIDED


def _start_provided(memo: str | None) -> Callable[[], None]:
    """Start finding ``_provided()``; the function returned finishes it.

    From the file ``memo`` when it was written for the same interpreter and the same
    folders on ``sys.path``, unchanged since (installing, upgrading or removing a
    package changes its folder); otherwise in a forked process while the server
    imports the ``preload`` modules, and the result is kept in ``memo`` for the next
    server. A memo that cannot be read or written only costs that time again.
    """
    import json

    stamp = installed_stamp(sys.path, os.getcwd())  # the worker runs in the site's folder
    if memo:
        try:
            with open(memo, encoding="utf-8") as f:
                stored = json.load(f)
            if isinstance(stored, dict) and stored.get("stamp") == stamp and isinstance(stored.get("provided"), dict):
                global _PROVIDED
                _PROVIDED = stored["provided"]
                return lambda: None
        except (OSError, ValueError):
            pass
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return _provided  # here, then
    if pid == 0:  # no threads yet in the server: a plain fork
        code = 1
        try:
            os.close(read_end)
            _write_all(write_end, json.dumps(_provided()).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)

    def finish() -> None:
        global _PROVIDED
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            found = json.loads(data)
        except ValueError:
            _provided()  # that process failed: here, then
            return
        _PROVIDED = found
        if memo:
            from mkdocs_backprop.cache import write_atomic

            try:
                write_atomic(Path(memo), json.dumps({"stamp": stamp, "provided": found}).encode())
            except OSError:
                pass
    return finish


def _distribution_versions(top_level: set[str]) -> dict[str, str]:
    """Installed distributions that provide the modules ``top_level``, with their versions."""
    if not top_level:
        return {}
    import importlib.metadata

    provided = _provided()
    versions = {}
    for top in sorted(top_level):
        for dist in provided.get(top, []):
            try:
                versions[dist] = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                continue
    return versions


def _printable(result: ItemResult) -> ItemResult:
    """``result`` with text no encoder can write (lone surrogates: ``chr(0xd800)``) escaped.

    Such text would otherwise fail later, far from the page: in the cache's JSON
    file, the log or the HTML file.
    """
    def fix(text: str) -> str:
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace").decode("utf-8")

    changes: dict[str, Any] = {"output": fix(result.output)}
    if result.value is not None:
        changes["value"] = fix(result.value)
    if result.error is not None:
        changes["error"] = dataclasses.replace(result.error, message=fix(result.error.message),
                                               traceback=fix(result.error.traceback))
    if result.figure is not None:
        changes["figure"] = dataclasses.replace(result.figure, text=fix(result.figure.text), alt=fix(result.figure.alt))
    return dataclasses.replace(result, **changes)


_DETECTED_AT_RE = re.compile(r"\(detected at line (\d+)\)")


def _run_item(item: Item, namespace: dict[str, Any], filename: str, capture: _ItemOutput,
              formatter: _Formatter) -> ItemResult:
    if item.kind == "inline":
        return _run_inline(item, namespace, filename, formatter)
    try:
        # Not the page's file name: for a syntax error the parser would quote the line
        # of that file with the block's own line number (another line of the page).
        tree = ast.parse(item.code, filename="<block>")
    except SyntaxError as error:
        offset = item.first_code_line - 1
        error.lineno = (error.lineno or 1) + offset
        if error.end_lineno is not None:
            error.end_lineno += offset
        error.filename = filename
        # "unterminated string literal (detected at line 1)": a line of the page, too.
        error.msg = _DETECTED_AT_RE.sub(lambda m: f"(detected at line {int(m.group(1)) + offset})", error.msg)
        return ItemResult(error=_error(error.lineno, error, filename, "syntax error"))
    ast.increment_lineno(tree, item.first_code_line - 1)
    last: ast.expr | None = None
    if item.kind == "figure":
        if not tree.body or not isinstance(tree.body[-1], ast.Expr):
            line = tree.body[-1].lineno if tree.body else item.line
            return ItemResult.failed(line, "a figure block must end with an expression whose value is drawn "
                                            "(e.g. the graph itself), but its last statement is not an expression")
        last = tree.body.pop().value  # type: ignore[union-attr]
    try:
        exec(compile(tree, filename, "exec"), namespace)
        value = eval(compile(ast.Expression(last), filename, "eval"), namespace) if last is not None else None
    except BaseException as error:  # SystemExit and KeyboardInterrupt are the author's too
        if item.raises and _matches(error, item.raises, namespace):
            return ItemResult(output=capture.text() + _short_traceback(error, filename))
        # A SyntaxError from compile() ('return' outside function) is at its own line of the
        # page; one from an imported module is at the page's line that imported it.
        own = isinstance(error, SyntaxError) and error.filename == filename and error.lineno
        line = error.lineno if own else _failing_line(error, filename, item.line)
        failure = _error(line, error, filename)
        if item.raises:
            failure = ItemError(failure.line, failure.message + (
                f' (the block is marked raises="{item.raises}", '
                f"but raised {type(error).__name__}, which is not that class or a subclass)"), failure.traceback)
        return ItemResult(output=capture.text(), error=failure)
    if item.raises:
        return ItemResult.failed(item.line, f'raises="{item.raises}" was given, but the block finished without '
                                 "raising; fix the code or drop the option", output=capture.text())
    if last is None:
        return ItemResult(output=capture.text())
    from mkdocs_backprop.figure_source import FigureError, figure_source

    try:
        figure = figure_source(value)
    except FigureError as error:
        return ItemResult.failed(last.lineno, str(error), output=capture.text())
    except BaseException as error:  # raised by the drawable's own _repr_svg_(), describe(), to_digraph()…
        return ItemResult(output=capture.text(),
                          error=_error(_failing_line(error, filename, last.lineno), error, filename))
    return ItemResult(output=capture.text(), figure=figure)


class _Formatter:
    """How a bare inline value (`` `{py} x` ``) becomes text.

    The plugin's ``formatter`` option names a function as "module:function"
    (this site: ``layers.display:format_value``); it is imported in the child on
    first use, takes the value and returns its text. Without one, ``str``. A
    value with a format spec or conversion (``{x:.2f}``, ``{x!r}``) is formatted
    by Python as in any f-string.
    """

    def __init__(self, spec: str | None) -> None:
        self.spec = spec
        self._function: Callable[[Any], Any] | None = None

    def __call__(self, value: Any) -> str:
        if self.spec is None:
            return str(value)
        if self._function is None:
            module, _, name = self.spec.partition(":")
            try:
                function = getattr(importlib.import_module(module), name, None)
            except Exception as error:  # noqa: BLE001 - said as a problem of the option
                summary = "".join(traceback.format_exception_only(type(error), error)).strip()
                raise _FormatterProblem(f"the plugin's formatter {self.spec!r} (mkdocs.yml) cannot be "
                                        f"imported: {summary}") from None
            if not callable(function):
                raise _FormatterProblem(f"the plugin's formatter {self.spec!r} (mkdocs.yml) is not a function; "
                                        'give "module:function"')
            self._function = function
        return str(self._function(value))


class _FormatterProblem(Exception):
    """The ``formatter`` option names no usable function: a problem of mkdocs.yml."""


def _run_inline(item: Item, namespace: dict[str, Any], filename: str, formatter: _Formatter) -> ItemResult:
    """``{EXPR}`` as an f-string field; a bare field goes through the formatter."""
    node = _parse_field(item.code, item.line, filename)
    if isinstance(node, SyntaxError):
        return ItemResult(error=_error(item.line, node, filename, "syntax error"))
    try:
        values = node.values
        if len(values) == 1 and isinstance(values[0], ast.FormattedValue) \
                and values[0].conversion == -1 and values[0].format_spec is None:
            value = eval(compile(ast.Expression(values[0].value), filename, "eval"), namespace)
            try:
                text = formatter(value)
            except _FormatterProblem as problem:
                return ItemResult.failed(item.line, str(problem))
            except BaseException as error:
                failure = _error(item.line, error, filename)
                how = f"the plugin's formatter {formatter.spec!r}" if formatter.spec else "str()"
                return ItemResult(error=dataclasses.replace(
                    failure, message=f"{failure.message} (while {how} turned the value into text)"))
        else:
            text = eval(compile(ast.Expression(node), filename, "eval"), namespace)
    except BaseException as error:
        return ItemResult(error=_error(item.line, error, filename))
    text = str(text)
    if len(text) > _VALUE_LIMIT:
        return ItemResult.failed(item.line, (
            f"this value is {len(text):,} characters long; a value in the text may be at most "
            f"{_VALUE_LIMIT:,}: show a part of it (e.g. `{{py}} x[:5]`), or print it in a block"))
    return ItemResult(value=text)


def _parse_field(expr: str, line: int, filename: str) -> ast.JoinedStr | SyntaxError:
    if "\n" in expr or "\\" in expr:
        return SyntaxError(f"an inline value must be one line without backslashes: {expr!r}")
    last_error: SyntaxError | None = None
    for quote in ('"', "'", '"""', "'''"):
        try:
            tree = ast.parse(f"f{quote}{{{expr}}}{quote}", filename=filename, mode="eval")
        except SyntaxError as error:
            last_error = error
            continue
        ast.increment_lineno(tree, line - 1)
        if isinstance(tree.body, ast.JoinedStr):
            return tree.body
    message = last_error.msg if last_error else "not an expression"
    return SyntaxError(f"`{{py}} {expr}` is not a valid f-string field: {message}")


def _matches(error: BaseException, name: str, namespace: dict[str, Any]) -> bool:
    """``raises="Name"``: that class or a subclass (by class or qualified name)."""
    wanted = namespace.get(name, getattr(builtins, name, None))
    if isinstance(wanted, type) and isinstance(error, wanted):
        return True
    for cls in type(error).__mro__:
        if name in (cls.__name__, cls.__qualname__, f"{cls.__module__}.{cls.__qualname__}"):
            return True
    return False


def _failing_line(error: BaseException, filename: str, default: int) -> int:
    """The page's own innermost line in the traceback: the author's failing statement."""
    line = default
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == filename and frame.lineno:
            line = frame.lineno
    return line


_PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _short_traceback(error: BaseException, filename: str) -> str:
    """The traceback from the page's first frame on, without the plugin's own frames
    (the worker that ran the page, the output routing under a print): noise to an author."""
    te = traceback.TracebackException.from_exception(error)
    for link in _chain(te):
        frames = list(link.stack)
        # From the page's first frame; without one (a formatter, a drawing's method called
        # by the plugin), from the first frame that is not the plugin's own.
        first = next((i for i, f in enumerate(frames) if f.filename == filename), 0)
        link.stack = traceback.StackSummary.from_list(
            [f for f in frames[first:] if not f.filename.startswith(_PLUGIN_DIR)])
    return _shown.text("".join(te.format()))


def _chain(te: traceback.TracebackException) -> list[traceback.TracebackException]:
    links, seen = [], set()
    current: traceback.TracebackException | None = te
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        links.append(current)
        current = current.__cause__ or current.__context__
    return links


def _error(line: int, error: BaseException, filename: str, what: str | None = None) -> ItemError:
    if isinstance(error, SyntaxError):
        # No traceback worth showing, only the offending line with its caret.
        shown = "".join(traceback.format_exception_only(type(error), error)) if error.filename else ""
        return ItemError(line, f"{what or 'SyntaxError'}: {error.msg}", _shown.text(shown))
    summary = _shown.text("".join(traceback.format_exception_only(type(error), error)).strip())
    if isinstance(error, MemoryError) and _memory_limit_gib is not None:
        summary += (f" (a page's process may use {_memory_limit_gib:g} GiB of memory: the plugin's "
                    "memory_limit option)")
    if isinstance(error, SystemExit):
        summary = f"the code called sys.exit({error.code!r}); a page's code must not exit"
    if isinstance(error, EOFError) and str(error) == "EOF when reading a line":
        summary += " (input(): a page's code gets no input, its standard input is empty; set the value in the code)"
    return ItemError(line, summary, _short_traceback(error, filename))


def main() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    control = socket.socket(fileno=int(sys.argv[1]))
    # Inherited to pass it here; not to the programs the preloaded code may start, which
    # would keep it open after this process ends, and MkDocs would not see it end.
    control.set_inheritable(False)
    serve(control, sys.argv[2:])
    # MkDocs waits for this process to end. Its page processes are gone and it holds
    # nothing to save: skip the interpreter's teardown of the preloaded modules (tens
    # of milliseconds with numpy, on every build that ran a page).
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
