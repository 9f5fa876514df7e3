"""The stale-value guard: `BACKPROP_VERIFY=1` (or `verify: true`) re-runs cached pages and
fails, naming page:line and both values, where the cache no longer tells the truth."""
from __future__ import annotations

import re
from pathlib import Path

from plugin_site import build, page_html, write_site

# The block at line 3 reads a file the cache key cannot see (through a subprocess: the
# files a page opens itself are part of the key); line 8 is an inline value of the same;
# line 10 measures time (verify="skip") and line 16 reads what it measured.
PAGE = """\
# 데이터

```python exec
import subprocess
print("data:", subprocess.run(["cat", "data.txt"], capture_output=True, text=True).stdout.strip())
```

읽은 값은 `{py} subprocess.run(["cat", "data.txt"], capture_output=True, text=True).stdout.strip()`입니다.

```python exec verify="skip"
import time
start = time.perf_counter()
elapsed = time.perf_counter() - start
```

걸린 시간은 `{py} elapsed`초, 고정된 값은 `{py} 6 * 7`입니다.
"""


def data_site(root: Path, options: str = "") -> Path:
    write_site(root, {"index.md": PAGE}, options=options)
    (root / "data.txt").write_text("old\n", encoding="utf-8")
    return root


def cache_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / ".cache").rglob("pages/*.json")}


def test_a_stale_value_fails_the_verified_build_with_both_values(tmp_path: Path) -> None:
    root = data_site(tmp_path)
    assert build(root).returncode == 0
    (root / "data.txt").write_text("new\n", encoding="utf-8")

    # What the guard is for: a plain build serves the old value from the cache.
    plain = build(root)
    assert plain.returncode == 0, plain.stderr
    assert "data: old" in page_html(root, "index.html")

    before = cache_files(root)
    verified = build(root, env={"BACKPROP_VERIFY": "1"})
    assert verified.returncode != 0
    errors = [line for line in verified.stderr.splitlines() if "stale cache" in line]
    assert len(errors) == 2, verified.stderr
    assert errors[0].startswith("ERROR   -  backprop: docs/index.md:3: ")
    assert "'data: old'" in errors[0] and "'data: new'" in errors[0]
    assert errors[1].startswith("ERROR   -  backprop: docs/index.md:8: ")
    assert "cached: 'old', now: 'new'" in errors[1]
    assert re.search(r"1 cached pages verified against a fresh run, 2 stale values", verified.stderr)
    # The entry is left as it was: the next verified build finds the difference again.
    assert cache_files(root) == before


def test_verify_option_does_the_same(tmp_path: Path) -> None:
    root = data_site(tmp_path, options="verify: true")
    first = build(root)  # nothing cached yet: nothing to compare
    assert first.returncode == 0, first.stderr
    (root / "data.txt").write_text("new\n", encoding="utf-8")
    result = build(root)
    assert result.returncode != 0
    assert "docs/index.md:3: stale cache" in result.stderr


def test_a_reproducible_page_passes_and_measured_values_are_not_compared(tmp_path: Path) -> None:
    root = data_site(tmp_path)
    assert build(root).returncode == 0
    result = build(root, env={"BACKPROP_VERIFY": "1"})
    # `elapsed` differs on every run, but it was measured in a verify="skip" block.
    assert result.returncode == 0, result.stderr
    assert "1 cached pages verified against a fresh run, 0 stale values" in result.stderr


def test_verify_skip_is_a_known_option(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": '# x\n\n```python exec verify="no"\nprint(1)\n```\n'})
    result = build(root)
    assert result.returncode != 0
    assert 'docs/index.md:3: verify="no" is not understood; use one of: skip' in result.stderr
