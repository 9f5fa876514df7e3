"""The stale-value guard: a page's cached results against a fresh run of its code.

The cache is keyed by everything the plugin can see a page depend on (its code,
the watched folders, Python, numpy). Code can still depend on something else: a
data file outside ``watch``, unseeded randomness, the clock. ``differences``
compares what the cache holds with what running the page now produces, item by
item, and names each difference at its ``path:line`` with both values.

A block that measures something (the time a computation took) differs on every
run by design: its author marks it ``verify="skip"``. Its output is not compared,
and neither is anything later on the page that reads a name it (or another
skipped item) assigned: the measured seconds, a ratio of them, a printed table.
"""
from __future__ import annotations

import ast
import re

from mkdocs_backprop.errors import Failure
from mkdocs_backprop.page_plan import PagePlan
from mkdocs_backprop.worker_protocol import Item, ItemResult

__all__ = ["differences", "unverified_items"]

_NAME_RE = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_SHOWN = 160  # characters of each value quoted in a message


def unverified_items(plan: PagePlan) -> set[int]:
    """Indices of ``plan.items`` whose results are not compared (see the module docstring)."""
    skipped: set[int] = set()
    tainted: set[str] = set()
    for i, (item, source) in enumerate(zip(plan.items, plan.sources)):
        marked = getattr(source, "options", {}).get("verify") == "skip"
        reads, writes = _names(item)
        if marked or reads & tainted:
            skipped.add(i)
            tainted |= writes
    return skipped


def differences(plan: PagePlan, cached: list[ItemResult], fresh: list[ItemResult]) -> list[Failure]:
    """One failure per item whose fresh result differs from the cached one."""
    found = []
    skip = unverified_items(plan)
    for i, (item, old, new) in enumerate(zip(plan.items, cached, fresh)):
        if i in skip or new.error is not None:
            continue  # a fresh failure is reported as the page's error
        for what, before, after in _compared(item, old, new):
            if before != after:
                found.append(Failure(plan.path, item.line, _message(item, what, before, after)))
                break
    return found


def _compared(item: Item, old: ItemResult, new: ItemResult) -> list[tuple[str, str, str]]:
    pairs = [("printed output", old.output, new.output)]
    if item.kind == "inline":
        pairs.append(("value", old.value or "", new.value or ""))
    if item.kind == "figure":
        pairs.append(("figure", _figure_text(old), _figure_text(new)))
    return pairs


def _figure_text(result: ItemResult) -> str:
    figure = result.figure
    return "" if figure is None else f"{figure.kind}: {figure.text}\nalt: {figure.alt}"


def _message(item: Item, what: str, before: str, after: str) -> str:
    thing = {"inline": f"the value `{{py}} {item.code}`", "exec": "this block", "figure": "this figure"}[item.kind]
    old, new = _first_difference(before, after)
    return (f"stale cache: the cached {what} of {thing} differs from a fresh run of the page "
            f"(cached: {old}, now: {new}). It depends on something the cache key misses (a file "
            "outside `watch`, unseeded randomness, the clock): make it reproducible or mark a block "
            'that measures something verify="skip", then rebuild once with BACKPROP_REFRESH=1.')


def _first_difference(before: str, after: str) -> tuple[str, str]:
    """The first line where the two texts differ (the whole text when it is one line)."""
    old_lines, new_lines = before.splitlines() or [""], after.splitlines() or [""]
    for n in range(max(len(old_lines), len(new_lines))):
        a = old_lines[n] if n < len(old_lines) else "(no such line)"
        b = new_lines[n] if n < len(new_lines) else "(no such line)"
        if a != b:
            where = f"line {n + 1}: " if max(len(old_lines), len(new_lines)) > 1 else ""
            return where + _short(a), where + _short(b)
    return _short(before), _short(after)


def _short(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def _names(item: Item) -> tuple[set[str], set[str]]:
    """(names the item reads, names it assigns at the top level)."""
    if item.kind == "inline":
        return set(_NAME_RE.findall(item.code)), set()
    try:
        tree = ast.parse(item.code)
    except SyntaxError:
        return set(_NAME_RE.findall(item.code)), set()
    reads, writes = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (writes if isinstance(node.ctx, ast.Store) else reads).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            writes.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            writes.update((a.asname or a.name).split(".")[0] for a in node.names)
    return reads, writes
