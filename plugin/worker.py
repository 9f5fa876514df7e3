"""The process that runs the pages' code, away from MkDocs.

``python -m mkdocs_backprop.worker FD`` starts a small fork server: it imports numpy and
the textbook library once, then waits on the Unix socket FD. For every page the
MkDocs process sends it one end of a fresh socket pair (as an fd); the server
forks a child that owns that socket, runs the page in a fresh namespace and
streams one result per item back. A fork is a few milliseconds, so every page
gets a clean interpreter without paying for ``import numpy`` again; the server
itself lives for one build, so an edit to ``layers/`` is never served stale.

A child can loop forever, call ``os._exit`` or crash: the MkDocs side holds its
pid (the child's first message) and kills it at the item's deadline; a dead
child shows up there as end-of-file.

This module must not import MkDocs: it runs in the worker.
"""
from __future__ import annotations

import ast
import builtins
import importlib
import io
import linecache
import os
import pickle
import signal
import socket
import struct
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Item", "PageJob", "recv_message", "send_message"]

_HEADER = struct.Struct("!I")


@dataclass(frozen=True)
class Item:
    """One thing to run, in page order: a block (exec/figure) or an inline value."""

    kind: str  # "exec", "figure" or "inline"
    code: str
    line: int  # the fence's line, or the inline value's line
    first_code_line: int = 0  # blocks: line of the code's first line
    raises: str | None = None


@dataclass(frozen=True)
class PageJob:
    filename: str  # e.g. "docs/ch05/x.md": shown in tracebacks
    source_lines: list[str]  # the .md file, so tracebacks quote the real lines
    items: list[Item] = field(default_factory=list)
    output_limit: int = 100_000


# -- framing ---------------------------------------------------------------------


def send_message(sock: socket.socket, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def recv_message(sock: socket.socket) -> Any:
    """The next message; ``EOFError`` if the peer closed (or died) first."""
    (size,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size))
    return pickle.loads(_recv_exactly(sock, size))


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError("the worker closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# -- the server --------------------------------------------------------------------


def serve(control: socket.socket) -> None:
    """Fork one child per page channel received on ``control`` until it closes."""
    _preload()
    # Children are never waited for here: the kernel reaps them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    send_message(control, "ready")
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(control, 16, 1)
        except (ConnectionError, OSError):
            return
        if not fds:
            return  # MkDocs closed the control socket: the build is over
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # so subprocess.run works in page code
            channel = socket.socket(fileno=fds[0])
            code = 0
            try:
                _run_page(channel)
            except (EOFError, BrokenPipeError, ConnectionError):
                code = 1  # MkDocs went away (a timeout kill of a sibling, Ctrl-C): nothing to report to
            finally:
                sys.stdout.flush()
                os._exit(code)
        os.close(fds[0])


def _preload() -> None:
    """Import what every page needs once, so each forked child starts warm."""
    import numpy  # noqa: F401

    import mkdocs_backprop.figures  # noqa: F401

    for name in ("layers", "layers.display"):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - deferred, not swallowed (see below)
            # While an author is mid-edit, layers/ may not import. That must not
            # take the server down: Python drops a failed module from
            # sys.modules, so each page that imports it hits the same error
            # itself, reported with the page's line.
            break


# -- the child: one page ---------------------------------------------------------


class _Capture(io.TextIOBase):
    """stdout+stderr of one item, kept up to ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n… 출력이 너무 길어 {self.dropped:,}자를 생략했습니다 (output_limit={self.limit:,})\n"
        return out


def _run_page(channel: socket.socket) -> None:
    send_message(channel, os.getpid())
    job: PageJob = recv_message(channel)
    linecache.cache[job.filename] = (
        sum(len(line) for line in job.source_lines),
        None,  # no mtime: linecache must never re-read (or forget) these lines
        job.source_lines,
        job.filename,
    )
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    for item in job.items:
        capture = _Capture(job.output_limit)
        sys.stdout = sys.stderr = capture
        try:
            result = _run_item(item, namespace, job.filename, capture)
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        send_message(channel, result)
        if result.get("error"):
            return  # later items would fail for the same reason: MkDocs reports them as not run


def _run_item(item: Item, namespace: dict[str, Any], filename: str, capture: _Capture) -> dict[str, Any]:
    if item.kind == "inline":
        return _run_inline(item, namespace, filename)
    try:
        tree = ast.parse(item.code, filename=filename)
    except SyntaxError as error:
        error.lineno = (error.lineno or 1) + item.first_code_line - 1
        if error.end_lineno is not None:
            error.end_lineno += item.first_code_line - 1
        error.filename = filename
        return {"error": _error(error.lineno, error, filename, "syntax error")}
    ast.increment_lineno(tree, item.first_code_line - 1)
    last: ast.expr | None = None
    if item.kind == "figure":
        if not tree.body or not isinstance(tree.body[-1], ast.Expr):
            line = tree.body[-1].lineno if tree.body else item.line
            return {"error": {
                "line": line,
                "message": "a figure block must end with an expression whose value is drawn "
                           "(e.g. the graph itself), but its last statement is not an expression",
                "traceback": "",
            }}
        last = tree.body.pop().value  # type: ignore[union-attr]
    try:
        exec(compile(tree, filename, "exec"), namespace)
        value = eval(compile(ast.Expression(last), filename, "eval"), namespace) if last is not None else None
    except BaseException as error:  # SystemExit and KeyboardInterrupt are the author's too
        if item.raises and _matches(error, item.raises, namespace):
            return {"output": capture.text() + _short_traceback(error, filename)}
        failure = _error(_failing_line(error, filename, item.line), error, filename)
        if item.raises:
            failure["message"] += (f' (the block is marked raises="{item.raises}", '
                                   f"but raised {type(error).__name__}, which is not that class or a subclass)")
        return {"error": failure, "output": capture.text()}
    if item.raises:
        return {
            "error": {
                "line": item.line,
                "message": f'raises="{item.raises}" was given, but the block finished without raising; '
                           "fix the code or drop the option",
                "traceback": "",
            },
            "output": capture.text(),
        }
    result: dict[str, Any] = {"output": capture.text()}
    if last is not None:
        from mkdocs_backprop.figures import FigureError, figure_source

        try:
            result["figure"] = figure_source(value)
        except FigureError as error:
            return {"error": {"line": last.lineno, "message": str(error), "traceback": ""}}
    return result


def _run_inline(item: Item, namespace: dict[str, Any], filename: str) -> dict[str, Any]:
    """``{EXPR}`` as an f-string field; a bare field goes through ``format_value``."""
    node = _parse_field(item.code, item.line, filename)
    if isinstance(node, SyntaxError):
        return {"error": _error(item.line, node, filename, "syntax error")}
    try:
        values = node.values
        if len(values) == 1 and isinstance(values[0], ast.FormattedValue) \
                and values[0].conversion == -1 and values[0].format_spec is None:
            from layers.display import format_value

            value = eval(compile(ast.Expression(values[0].value), filename, "eval"), namespace)
            text = format_value(value)
        else:
            text = eval(compile(ast.Expression(node), filename, "eval"), namespace)
    except BaseException as error:
        return {"error": _error(item.line, error, filename)}
    return {"value": str(text)}


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


def _short_traceback(error: BaseException, filename: str) -> str:
    """The traceback from the page's first frame on; the worker's frames are noise."""
    te = traceback.TracebackException.from_exception(error)
    for link in _chain(te):
        frames = list(link.stack)
        first = next((i for i, f in enumerate(frames) if f.filename == filename), 0)
        link.stack = traceback.StackSummary.from_list(frames[first:])
    return "".join(te.format())


def _chain(te: traceback.TracebackException) -> list[traceback.TracebackException]:
    links, seen = [], set()
    current: traceback.TracebackException | None = te
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        links.append(current)
        current = current.__cause__ or current.__context__
    return links


def _error(line: int, error: BaseException, filename: str, what: str | None = None) -> dict[str, Any]:
    if isinstance(error, SyntaxError):
        # No traceback worth showing, only the offending line with its caret.
        shown = "".join(traceback.format_exception_only(type(error), error)) if error.filename else ""
        return {"line": line, "message": f"{what or 'SyntaxError'}: {error.msg}", "traceback": shown}
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    if isinstance(error, SystemExit):
        summary = f"the code called sys.exit({error.code!r}); a page's code must not exit"
    return {"line": line, "message": summary, "traceback": _short_traceback(error, filename)}


def main() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    control = socket.socket(fileno=int(sys.argv[1]))
    serve(control)


if __name__ == "__main__":
    main()
