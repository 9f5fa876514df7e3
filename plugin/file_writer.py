"""Files written on a thread of their own while the build goes on.

A page's notebook and script are written beside it in ``on_post_page``. Creating
files in a site folder MkDocs has just emptied costs a millisecond or more each on
some file systems (ext4 here), and that time is the kernel's: on a thread of its
own it overlaps the MkDocs thread's own work instead of adding to it.
"""
from __future__ import annotations

import queue
import shutil
import threading
from pathlib import Path

__all__ = ["BackgroundWriter"]


class BackgroundWriter:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Path, bytes | Path] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def write(self, path: Path, data: bytes | Path) -> None:
        """Write ``data`` (bytes, or a file to copy) to ``path`` (creating its folder) soon;
        ``wait`` reports a failure."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="backprop-writer", daemon=True)
            self._thread.start()
        self._queue.put((path, data))

    def wait(self) -> None:
        """Return once every file is written; raise the first ``OSError`` met, if any."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            path, data = job
            if self._error is not None:
                continue  # the first failure is the one reported; the rest is dropped
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(data, Path):
                    shutil.copyfile(data, path)
                else:
                    path.write_bytes(data)
            except OSError as error:
                self._error = error
