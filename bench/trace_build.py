"""A timestamped trace of one `mkdocs build`: where the time of a (cold) build goes.

    .venv/bin/python bench/trace_build.py -f path/to/mkdocs.yml [--clear-cache]

Prints, in seconds since the script started, when each of the plugin's MkDocs
events, each page's run in the worker (per thread), waiting for the worker,
drawing figures and cutting font subsets started and ended, then the MkDocs
thread's idle time (waiting for a page's results). Nothing is changed: the
functions are wrapped in this process only.
"""
from __future__ import annotations

import argparse
import functools
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

T0 = time.perf_counter()
EVENTS: list[tuple[float, str, str]] = []


def mark(what: str) -> None:
    EVENTS.append((time.perf_counter() - T0, threading.current_thread().name, what))


def wrap(owner: Any, name: str, label: Callable[..., str] | None = None) -> None:
    original = getattr(owner, name, None)
    if original is None:
        return

    @functools.wraps(original)
    def traced(*args: Any, **kwargs: Any) -> Any:
        tag = name + (f" {label(*args, **kwargs)}" if label else "")
        mark(f"start {tag}")
        try:
            return original(*args, **kwargs)
        finally:
            mark(f"end   {tag}")

    setattr(owner, name, traced)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("--clear-cache", action="store_true", help="delete .cache/ next to the config first")
    args = parser.parse_args()
    if args.clear_cache:
        shutil.rmtree(args.config_file.resolve().parent / ".cache", ignore_errors=True)

    from mkdocs_backprop import figures, plugin, session, site_assets, worker_client

    mark("imported the plugin")
    for hook in ("on_config", "on_pre_build", "on_nav", "on_env", "on_post_build"):
        wrap(plugin.BackpropPlugin, hook)
    wrap(plugin.BackpropPlugin, "on_page_markdown", lambda self, md, page, **k: page.file.src_uri)
    wrap(plugin.BackpropPlugin, "on_post_page", lambda self, out, page, **k: page.file.src_uri)
    wrap(worker_client.WorkerClient, "__init__", lambda *a, **k: "(worker starts)")
    wrap(worker_client.WorkerClient, "_wait_ready")
    wrap(worker_client.WorkerClient, "run_page", lambda self, job, timeouts: job.filename)
    wrap(session.BuildSession, "_results", lambda self, plan, source: plan.path)
    wrap(figures, "draw")
    wrap(site_assets, "install_assets")
    wrap(site_assets, "subset_font", lambda path, text, **k: Path(path).name)

    from mkdocs.__main__ import cli

    sys.argv = ["mkdocs", "build", "-q", "-f", str(args.config_file)]
    try:
        cli()
    except SystemExit:
        pass
    mark("exit")
    waiting = 0.0
    opened: dict[str, float] = {}
    for seconds, thread, what in EVENTS:
        print(f"{seconds:7.3f}  {thread[:18]:18}  {what}")
        if thread == "MainThread" and what.split()[1:2] == ["_results"]:
            if what.startswith("start"):
                opened[what[6:]] = seconds
            else:
                waiting += seconds - opened.pop(what[6:].strip(), seconds)
    print(f"\nMkDocs thread waiting for pages' results: {waiting:.3f} s of {EVENTS[-1][0]:.3f} s")


if __name__ == "__main__":
    main()
