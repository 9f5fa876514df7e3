"""The MkDocs side of the worker: start the worker process, run a page in it, enforce deadlines.

One ``WorkerClient`` per build: it starts a Python running ``worker_process.main``
(which imports the configured ``preload`` modules once) and asks it for a forked
child per page, sending a ``PageJob`` and reading one ``ItemResult`` per item. The
server process starts in the background as soon as the plugin knows some page
must run, so its start-up overlaps MkDocs' own work. A timeout or a child that
died becomes that item's ``ItemError``, like any failure in the page's code.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from mkdocs_backprop.worker_protocol import (
    MEMO_ENV,
    Item,
    ItemResult,
    PageInputs,
    PageJob,
    PageResults,
    recv_message,
    send_message,
)

__all__ = ["WorkerClient", "WorkerError"]

_START_TIMEOUT_S = 120.0  # importing numpy on a loaded 2-core machine can be slow
_INPUTS_TIMEOUT_S = 60.0  # the page's files are hashed after its last item


class WorkerError(RuntimeError):
    """The worker server itself could not start or answer."""


class WorkerClient:
    """The worker process of one build; ``run_page`` is safe to call from several threads.

    ``preload``: modules the worker imports once, before any page runs. ``memo``: a
    file the worker may keep what it learns of the installed packages in, for the next.
    """

    def __init__(self, cwd: Path, preload: list[str] | tuple[str, ...] = (), *, memo: Path | None = None) -> None:
        self._cwd = cwd
        # Held by whoever uses the control socket (waiting for "ready", sending a page's
        # channel); ``close`` takes it before it closes the socket (see there).
        self._lock = threading.Lock()
        self._stderr_lock = threading.Lock()  # likewise for the worker's stderr file
        self._ready = False
        self._closing = False
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._control = ours
        self._stderr = tempfile.TemporaryFile()
        env = dict(os.environ)
        # One BLAS thread per child: pages run side by side on few cores, and
        # forking a process whose BLAS pool is already running is asking for trouble.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
        env["PYTHONUNBUFFERED"] = "1"
        if memo is not None:
            env[MEMO_ENV] = str(memo)  # where the worker keeps what it found installed
        self._process = subprocess.Popen(
            # Imported rather than run with -m: a module run as __main__ is compiled from
            # source every time, an imported one is loaded from its bytecode cache.
            [sys.executable, "-c", "from mkdocs_backprop.worker_process import main; main()",
             str(theirs.fileno()), *preload],
            cwd=cwd,
            env=env,
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            # Its own session: a Ctrl-C in the terminal stops MkDocs, whose exit closes the
            # control socket; the worker then ends every page process group it started.
            start_new_session=True,
        )
        theirs.close()

    def _wait_ready(self) -> None:
        if self._ready:
            return
        self._control.settimeout(_START_TIMEOUT_S)
        try:
            hello = recv_message(self._control)
        except (EOFError, OSError) as error:
            if self._closing:
                raise WorkerError("the build stopped the worker process before it was ready") from error
            raise WorkerError(
                f"the worker process (mkdocs_backprop.worker_process) did not start: {error}\n{self._stderr_text()}"
            ) from error
        if hello != "ready":
            raise WorkerError(f"the worker process sent {hello!r} instead of 'ready'")
        self._control.settimeout(None)
        self._ready = True

    def _stderr_text(self) -> str:
        with self._stderr_lock:
            try:
                self._stderr.seek(0)
                return self._stderr.read().decode("utf-8", "replace")[-4000:]
            except (OSError, ValueError):  # closed with the worker
                return ""

    def run_page(self, job: PageJob, timeouts: list[float]) -> PageResults:
        """One result per item, in order, stopping after the first failed item.

        A timeout or a dead child becomes that item's error (at its ``line``);
        the caller reports the items without a result as not run.
        """
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                self._wait_ready()
                socket.send_fds(self._control, [b"p"], [theirs.fileno()])
        except OSError as error:  # also: the build closed the worker while this page waited for it
            ours.close()
            raise WorkerError(f"the worker process is gone: {error}{self._why_gone()}\n{self._stderr_text()}") from error
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        results = PageResults()
        with ours:
            ours.settimeout(_START_TIMEOUT_S)
            try:
                pid: int = recv_message(ours)
            except (EOFError, OSError) as error:
                raise WorkerError(f"the worker did not fork a child for the page: {error}{self._why_gone()}") from error
            send_message(ours, job)
            for item, seconds in zip(job.items, timeouts):
                ours.settimeout(seconds)
                try:
                    result = recv_message(ours)
                except socket.timeout:
                    _kill(pid)
                    results.append(_timeout(item, seconds))
                    break
                except (EOFError, ConnectionError):
                    results.append(ItemResult.failed(item.line, self._ended()))
                    break
                results.append(result)
                if result.error:
                    break
            else:
                # What the page read and imported (for the cache key); without it the
                # results are shown but not cached.
                ours.settimeout(_INPUTS_TIMEOUT_S)
                try:
                    inputs = recv_message(ours)
                except (OSError, EOFError):
                    inputs = None
                results.inputs = inputs if isinstance(inputs, PageInputs) else None
                return results
        _kill(pid)
        return results

    def alive(self) -> bool:
        return self._process.poll() is None

    def _why_gone(self) -> str:
        """Why the worker is gone, when it was killed: said with the error that found out."""
        try:
            code = self._process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            return ""
        if self._closing or code >= 0:
            return ""
        return (f" (it was killed by signal {-code}: a page's code must not signal or kill its parent process, "
                "os.getppid(), and a machine out of memory kills processes too)")

    def _ended(self) -> str:
        """Why a page's process went away in the middle of an item, as far as can be told."""
        try:
            code = self._process.wait(timeout=0.2)  # the page processes die with the worker
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and not self._closing:
            how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            return (f"the plugin's worker process, which starts every page's process, ended ({how}) while this "
                    "code ran, so its output is lost and later pages cannot run; code must not signal or kill "
                    "its parent process (os.getppid()) (or the machine ran out of memory)")
        return ("the process running this page ended while running this code (os._exit(), a crash or a "
                "signal), so its output is lost; remove the call that ends the interpreter")

    def close(self) -> None:
        """Stop the server; it ends the page processes still running, with their children.

        Safe while page threads wait for the worker (a build that ends early, a Ctrl-C).
        The control socket is shut down first: that wakes a thread waiting on it at once
        (end-of-file) and tells the worker the build is over. Only then, holding the lock
        its users hold, is its fd closed. Closing it under a waiting thread would free
        the fd's number while that thread may be about to poll it; a socket created
        meanwhile (the next page's) gets the number, and the thread waits on that one
        for the whole start timeout instead.
        """
        self._closing = True
        try:
            self._control.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed, or the worker has gone
        with self._lock:
            self._control.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        with self._stderr_lock:
            self._stderr.close()


def _timeout(item: Item, seconds: float) -> ItemResult:
    if item.kind == "inline":  # an inline value has no options of its own
        return ItemResult.failed(
            item.line, f"this inline value did not finish within {seconds:g} s and was stopped; make it faster, "
                       'or compute it in a block before it (a block can take timeout="SECONDS"), or raise the '
                       "plugin's `timeout` option")
    return ItemResult.failed(
        item.line, f"this block did not finish within {seconds:g} s and was stopped; make it faster, "
                   'or give the block more time with timeout="SECONDS" (or the plugin\'s `timeout` option)')


def _kill(pid: int) -> None:
    """End the page process ``pid`` and everything it started (its process group)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had already finished
