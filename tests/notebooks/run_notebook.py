"""Run a notebook's code cells top to bottom in this interpreter, as a reader would.

Usage: python -I -S run_notebook.py NOTEBOOK RESULT_JSON [PATH ...]

Only the standard library is imported here. ``-I -S`` leave out site-packages, so
the code sees the standard library plus the PATHs given (for example a folder
holding nothing but numpy) and, through the notebook's own first cell, the wheel
beside it. Each cell's printed text (stdout and stderr together, as the site's
build captures it) is written to RESULT_JSON with the first error, if any.
"""
import contextlib
import io
import json
import os
import sys
import traceback

notebook_path, result_path, *paths = sys.argv[1:]
sys.path[:0] = paths
os.chdir(os.path.dirname(os.path.abspath(notebook_path)))
with open(notebook_path, encoding="utf-8") as f:
    notebook = json.load(f)

namespace = {"__name__": "__main__"}
printed, error = [], None
for n, cell in enumerate(notebook["cells"]):
    if cell["cell_type"] != "code":
        continue
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            exec(compile("".join(cell["source"]), f"<cell {n}>", "exec"), namespace)
        except BaseException:  # noqa: BLE001 - reported to the test, which fails on it
            error = {"cell": n, "traceback": traceback.format_exc()}
    printed.append({"cell": n, "text": buffer.getvalue()})
    if error:
        break
with open(result_path, "w", encoding="utf-8") as f:
    json.dump({"printed": printed, "error": error, "modules": sorted(sys.modules)}, f, ensure_ascii=False)
