"""A warm build finds `dot` and the fonts from the cache's record, without running them."""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugin"))

from plugin_site import build, summary, write_site  # noqa: E402

PAGE = """# 그림

```python figure id="one" alt="a에서 b로 가는 화살표"
"digraph { a -> b }"
```
"""


def _shims(folder: Path, log: Path) -> dict[str, str]:
    """`dot` and `fc-match` that note each call in ``log`` and then run the real program."""
    folder.mkdir()
    for name in ("dot", "fc-match"):
        real = shutil.which(name)
        assert real, name
        shim = folder / name
        shim.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def _calls(log: Path) -> list[str]:
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return calls


def test_warm_build_runs_neither_dot_version_nor_fc_match(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"index.md": PAGE})
    log = tmp_path / "calls.log"
    env = _shims(tmp_path / "bin", log)
    first = build(root, env=env)
    assert first.returncode == 0, first.stderr
    calls = _calls(log)
    assert "dot -V" in calls and any(c.startswith("fc-match") for c in calls)

    second = build(root, env=env)
    assert second.returncode == 0, second.stderr
    assert summary(second) == (0, 1)
    assert _calls(log) == []  # the figure came from the cache, dot and the fonts from the record

    # A different `dot` (here: the same path, rewritten) is asked for its version again.
    time.sleep(0.01)
    shim = tmp_path / "bin" / "dot"
    shim.write_text(shim.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = build(root, env=env)
    assert third.returncode == 0, third.stderr
    assert "dot -V" in _calls(log)
