from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_backprop.config import PluginConfig


def load(values: dict) -> tuple[PluginConfig, list]:
    config = PluginConfig()
    config.load_dict(values)
    failed, _warnings = config.validate()
    return config, failed


def test_defaults() -> None:
    config, failed = load({})
    assert failed == []
    assert config.enabled is True
    assert config.cache is True
    assert config.cache_dir == ".cache/backprop"
    assert config.refresh is False
    assert config.timeout == 60
    assert config.output_limit == 100_000
    # Nothing about any one book: no folders, no preloaded library, no chapter number.
    assert config.watch == []
    assert config.preload == []
    assert config.formatter is None
    assert config.figure_label == "그림 {n}"
    assert config.figure_labels == {}


@pytest.mark.parametrize("bad", ["layers.display", "layers.display:", ":format_value", "a b:c", 3])
def test_formatter_must_name_module_and_function(bad: object) -> None:
    _config, failed = load({"formatter": bad})
    assert [name for name, _ in failed] == ["formatter"]


def test_figure_labels_by_folder_or_section_are_checked_like_figure_label() -> None:
    config, failed = load({"figure_labels": {"ch06/": "그림 6-{n}", "부록": "그림 A-{n}"}})
    assert failed == [] and config.figure_labels == {"ch06/": "그림 6-{n}", "부록": "그림 A-{n}"}
    for bad in ({"ch06/": "그림 6"}, {"ch06/": "{m}{n}"}, ["ch06/"], {"": "그림 {n}"}):
        _config, failed = load({"figure_labels": bad})
        assert [name for name, _ in failed] == ["figure_labels"], bad


@pytest.mark.parametrize("bad", [0, -1, "soon", True])
def test_timeout_must_be_positive_seconds(bad: object) -> None:
    _config, failed = load({"timeout": bad})
    assert [name for name, _ in failed] == ["timeout"]


def test_every_option_is_documented() -> None:
    import mkdocs_backprop.config

    source = Path(mkdocs_backprop.config.__file__).read_text(encoding="utf-8")
    for name, _option in PluginConfig._schema:
        # the option's line is followed by its docstring
        after = source.split(f"    {name} = ", 1)[1].split("\n", 2)[1]
        assert after.strip().startswith('"""'), name


@pytest.mark.parametrize("bad", ["그림", "그림 {m}", "그림 {n} {", 5])
def test_figure_label_must_have_a_place_for_the_number(bad: object) -> None:
    _config, failed = load({"figure_label": bad})
    assert [name for name, _ in failed] == ["figure_label"]
    assert "{n}" in str(failed[0][1])


def test_figure_label_may_be_any_text_around_the_number() -> None:
    config, failed = load({"figure_label": "Figure {n}."})
    assert failed == [] and config.figure_label == "Figure {n}."
