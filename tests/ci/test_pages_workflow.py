"""The publishing workflow, read the way GitHub reads it: which jobs and steps run for
which event, what the caches are keyed on, what cancels what.

GitHub Actions cannot run here, so the workflow's own expressions are evaluated
(gh_expressions.py) for the events that matter: a push to main, a pull request, a
manual run on main and on another branch.
"""
from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from gh_expressions import condition, interpolate

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
JOBS: dict[str, dict[str, Any]] = WORKFLOW["jobs"]

REPO = {"server_url": "https://github.com", "repository": "someone/dlfs-backprop",
        "event": {"repository": {"default_branch": "main"}}}


def github(event_name: str, ref: str, pr: int | None = None) -> dict[str, Any]:
    event = {"repository": {"default_branch": "main"}}
    if pr is not None:
        event["pull_request"] = {"number": pr}
    return {"github": {**REPO, "event_name": event_name, "ref": ref, "event": event},
            "runner": {"os": "Linux"}, "steps": {"pages": {"outputs": {"base_url": "https://someone.github.io/dlfs-backprop"}}}}


PUSH_MAIN = github("push", "refs/heads/main")
DISPATCH_MAIN = github("workflow_dispatch", "refs/heads/main")
DISPATCH_BRANCH = github("workflow_dispatch", "refs/heads/try-something")
PULL_REQUEST = github("pull_request", "refs/pull/7/merge", pr=7)
EVENTS = {"push to main": PUSH_MAIN, "manual run on main": DISPATCH_MAIN,
          "manual run on a branch": DISPATCH_BRANCH, "pull request": PULL_REQUEST}
PUBLISHING = {"push to main", "manual run on main"}


def jobs_that_run(context: dict[str, Any]) -> set[str]:
    running: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, job in JOBS.items():
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            if name not in running and all(n in running for n in needs) and condition(job.get("if"), context):
                running.add(name)
                changed = True
    return running


def steps_that_run(job: str, context: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in JOBS[job]["steps"] if condition(step.get("if"), context)]


def uses(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).split("@")[0] == action


def test_every_job_has_a_time_limit() -> None:
    for name, job in JOBS.items():
        minutes = job.get("timeout-minutes")
        assert isinstance(minutes, int) and 0 < minutes <= 60, f"job {name}: timeout-minutes is {minutes!r}"


@pytest.mark.parametrize("event", EVENTS)
def test_only_main_publishes(event: str) -> None:
    context = EVENTS[event]
    running = jobs_that_run(context)
    publishing_jobs = {name for name, job in JOBS.items()
                       if any(uses(s, "actions/deploy-pages") for s in job["steps"])}
    assert publishing_jobs, "no job deploys to Pages"
    uploads = [s for job in running for s in steps_that_run(job, context)
               if uses(s, "actions/upload-pages-artifact")]
    if event in PUBLISHING:
        assert publishing_jobs <= running
        assert len(uploads) == 1
    else:
        assert not publishing_jobs & running, f"{event} would publish"
        assert not uploads, f"{event} would upload a Pages artifact"
    # Whatever runs is tested and built first: the site job runs for every event.
    assert any(uses(s, "actions/checkout") for job in running for s in steps_that_run(job, context))


def test_write_permissions_only_where_main_publishes() -> None:
    for name, job in JOBS.items():
        perms = job.get("permissions", WORKFLOW.get("permissions", {}))
        if any(perms.get(p) == "write" for p in ("pages", "id-token", "contents")):
            for event, context in EVENTS.items():
                if event not in PUBLISHING:
                    assert name not in jobs_that_run(context), f"{name} has write permissions and runs on {event}"


def concurrency(context: dict[str, Any], block: dict[str, Any]) -> tuple[str, bool]:
    group = interpolate(block["group"], context)
    cancel = block.get("cancel-in-progress", False)
    cancel = interpolate(cancel, context) == "true" if isinstance(cancel, str) else bool(cancel)
    return group, cancel


def test_a_new_push_to_a_pull_request_cancels_its_running_run() -> None:
    block = WORKFLOW["concurrency"]
    first, cancel = concurrency(PULL_REQUEST, block)
    assert concurrency(github("pull_request", "refs/pull/7/merge", pr=7), block)[0] == first
    assert cancel, "superseded pull-request runs are not cancelled"
    assert concurrency(github("pull_request", "refs/pull/8/merge", pr=8), block)[0] != first
    main_group, main_cancel = concurrency(PUSH_MAIN, block)
    assert main_group != first
    assert not main_cancel, "a push to main would cancel a run that may be deploying"
    assert concurrency(DISPATCH_BRANCH, block)[0] not in (first, main_group)


def test_a_deployment_is_never_cancelled() -> None:
    for name, job in JOBS.items():
        if any(uses(s, "actions/deploy-pages") for s in job["steps"]):
            group, cancel = concurrency(PUSH_MAIN, job["concurrency"])
            assert not cancel
            assert concurrency(DISPATCH_MAIN, job["concurrency"])[0] == group


def installs(step: dict[str, Any]) -> bool:
    run = str(step.get("run", ""))
    return any(word in run for word in ("run.sh", ".ci/run", "apt-get install", "pip install"))


@pytest.mark.parametrize("event", EVENTS)
def test_the_machine_is_set_up_in_one_job(event: str) -> None:
    context = EVENTS[event]
    setting_up = {job for job in jobs_that_run(context) if any(installs(s) for s in steps_that_run(job, context))}
    assert len(setting_up) == 1, f"{event}: jobs that install: {sorted(setting_up)}"
    job = setting_up.pop()
    steps = steps_that_run(job, context)
    runs = [str(s.get("run", "")) for s in steps]
    test_at = next(i for i, r in enumerate(runs) if ".ci/run" in r or "run.sh test" in r)
    build_at = next(i for i, r in enumerate(runs) if "run.sh build" in r)
    assert test_at < build_at, "the site is built before it is tested"
    # Both caches are restored before anything is installed or built.
    cache_steps = [i for i, s in enumerate(steps) if uses(s, "actions/cache")]
    assert len(cache_steps) == 2 and max(cache_steps) < test_at


# -- cache keys ----------------------------------------------------------------------


def cache_step(path_part: str) -> tuple[str, dict[str, Any]]:
    for name, job in JOBS.items():
        for step in job["steps"]:
            if uses(step, "actions/cache") and path_part in step["with"]["path"]:
                return name, step
    raise AssertionError(f"no actions/cache step caches {path_part}")


def keys(step: dict[str, Any], workspace: Path) -> tuple[str, list[str]]:
    key = interpolate(step["with"]["key"], PUSH_MAIN, workspace)
    restore = [interpolate(line, PUSH_MAIN, workspace)
               for line in str(step["with"].get("restore-keys", "")).splitlines() if line.strip()]
    return key, restore


def restored(old_key: str, key: str, restore_keys: list[str]) -> bool:
    """Whether a cache saved under ``old_key`` is restored for a run with these keys."""
    return old_key == key or any(old_key.startswith(prefix) for prefix in restore_keys)


def first_restoring_prefix(old_key: str, restore_keys: list[str]) -> int | None:
    return next((i for i, prefix in enumerate(restore_keys) if old_key.startswith(prefix)), None)


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """A fresh checkout: the tracked files only, as actions/checkout leaves them."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, tracked.decode().split("\0")):
        source = ROOT / rel
        if source.is_file():
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tmp_path / rel)
    return tmp_path


def plugin_package() -> str:
    """The plugin's package folder, read from its entry point (survives a rename)."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    target = meta["project"]["entry-points"]["mkdocs.plugins"]["backprop"]
    package = target.split(":")[0].split(".")[0]
    return meta.get("tool", {}).get("setuptools", {}).get("package-dir", {}).get(package, package)


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_the_build_cache_is_the_plugins_cache_folder() -> None:
    from mkdocs.config import load_config

    _, step = cache_step("backprop")
    config = load_config(str(ROOT / "mkdocs.yml"))
    assert step["with"]["path"].rstrip("/") == config.plugins["backprop"].config.cache_dir


def test_pip_caches_where_pip_looks() -> None:
    job, step = cache_step("pip")
    assert JOBS[job]["env"]["PIP_CACHE_DIR"] == step["with"]["path"]


def test_build_cache_key_follows_what_the_cached_results_depend_on(workspace: Path) -> None:
    _, step = cache_step("backprop")
    key0, _ = keys(step, workspace)

    # Tests, the README and the workflow do not change a built page: same snapshot.
    edit(workspace / "README.md")
    edit(next((workspace / "tests").rglob("test_*.py")))
    assert keys(step, workspace)[0] == key0

    # A page edit saves a new snapshot, starting from the last one (whose entries for
    # the other pages are all still valid), preferring one built from the same code.
    edit(workspace / "docs" / "index.md")
    key1, restore1 = keys(step, workspace)
    assert key1 != key0
    assert first_restoring_prefix(key0, restore1) == 0

    # A code edit (the library or the plugin) also saves a new snapshot; the old one
    # is still restored (figures and formulas it drew stay valid) but only by the
    # looser prefix: a snapshot built from the same code is preferred when there is one.
    for code in (workspace / "layers" / "__init__.py", next((workspace / plugin_package()).glob("*.py"))):
        before, _ = keys(step, workspace)
        edit(code)
        after, restore = keys(step, workspace)
        assert after != before, f"editing {code.relative_to(workspace)} does not change the build cache key"
        assert restored(before, after, restore)
        assert first_restoring_prefix(before, restore) not in (None, 0)


def test_pip_cache_key_follows_the_pins(workspace: Path) -> None:
    _, step = cache_step("pip")
    key0, _ = keys(step, workspace)
    edit(workspace / "docs" / "index.md")
    edit(workspace / "layers" / "__init__.py")
    assert keys(step, workspace)[0] == key0, "a page or code edit would save a new pip cache"
    edit(workspace / "constraints.txt")
    key1, restore = keys(step, workspace)
    assert key1 != key0
    assert restored(key0, key1, restore), "new pins would start from an empty pip cache"


def test_the_build_names_the_repository_and_pages_address() -> None:
    build = next(s for s in JOBS["site"]["steps"] if "run.sh build" in str(s.get("run", "")))
    env = {k: interpolate(str(v), PUSH_MAIN) for k, v in build["env"].items()}
    assert env["REPO_URL"] == "https://github.com/someone/dlfs-backprop"
    assert env["EDIT_URI"] == "edit/main/docs/"
    assert env["SITE_URL"] == "https://someone.github.io/dlfs-backprop/"
    mkdocs_yml = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for name in ("SITE_URL", "REPO_URL", "EDIT_URI"):
        assert f"!ENV [{name}," in mkdocs_yml


def test_the_published_site_is_built_with_the_stale_value_guard() -> None:
    steps = JOBS["site"]["steps"]
    build_at = next(i for i, s in enumerate(steps) if "run.sh build" in str(s.get("run", "")))
    upload_at = next(i for i, s in enumerate(steps) if uses(s, "actions/upload-pages-artifact"))
    assert build_at < upload_at
    assert str(steps[build_at]["env"].get("BACKPROP_VERIFY")) == "1"
    # Nothing rebuilds the site between the verified build and the upload.
    assert not any("mkdocs" in str(s.get("run", "")) or "run.sh" in str(s.get("run", ""))
                   for s in steps[build_at + 1:upload_at])
