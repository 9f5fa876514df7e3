"""The learning-curve chart: valid SVG, palette-following, honest numbers."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from layers.plot import LineChart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def accuracy_chart() -> LineChart:
    return LineChart(
        x=[1, 2, 3, 4],
        series={"훈련 정확도": [0.5, 0.75, 0.9, 14 / 15], "시험 정확도": [0.45, 0.7, 0.85, 0.8]},
        x_label="에폭",
        y_label="정확도",
        y_range=(0, 1),
    )


def parse(chart: LineChart) -> ET.Element:
    return ET.fromstring(chart._repr_svg_())


def polyline_points(root: ET.Element, series_class: str) -> list[tuple[float, float]]:
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == series_class)
    points = group.find(f"{SVG}polyline").get("points")
    return [tuple(map(float, p.split(","))) for p in points.split()]


def test_svg_is_well_formed_and_accessible():
    root = parse(accuracy_chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 520 320"
    # The text alternative is both the aria-label and the <title> tooltip.
    assert root.get("aria-label") == accuracy_chart().describe()
    assert root.find(f"{SVG}title").text == accuracy_chart().describe()


def test_each_series_is_a_polyline_with_one_point_per_x_and_its_own_class():
    root = parse(accuracy_chart())
    train = polyline_points(root, "bp-series-1")
    test = polyline_points(root, "bp-series-2")
    assert len(train) == len(test) == 4
    # x grows left to right; a higher accuracy sits higher (smaller SVG y).
    assert [p[0] for p in train] == sorted(p[0] for p in train)
    assert train[3][1] < train[0][1]
    # Test accuracy drops at the last epoch (0.85 -> 0.8): the line goes down.
    assert test[3][1] > test[2][1]
    # The two series share x positions.
    assert [p[0] for p in train] == [p[0] for p in test]


def test_y_axis_maps_the_fixed_range_to_the_plot_edges():
    chart = accuracy_chart()
    bottom = chart.height - chart.margin_bottom
    assert chart._py(0) == pytest.approx(bottom)
    assert chart._py(1) == pytest.approx(chart.margin_top)
    assert chart._py(0.5) == pytest.approx((bottom + chart.margin_top) / 2)


def test_series_differ_without_colour():
    root = parse(accuracy_chart())
    line1 = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "bp-series-1").find(f"{SVG}polyline")
    line2 = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "bp-series-2").find(f"{SVG}polyline")
    assert line1.get("stroke-dasharray") is None
    assert line2.get("stroke-dasharray") == "6 4"


def test_no_fixed_colours_so_the_palette_applies():
    svg = accuracy_chart()._repr_svg_()
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(|hsl\(", svg)
    colours = set(re.findall(r'(?:stroke|fill)="([^"]*)"', svg))
    assert colours == {"currentColor", "none"}


def test_labels_legend_and_ticks_are_text():
    root = parse(accuracy_chart())
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for label in ("에폭", "정확도", "훈련 정확도", "시험 정확도"):
        assert label in texts
    # Tick labels go through format_value: 0.6, never 0.6000000000000001.
    y_tick_labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert y_tick_labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"]
    x_tick_labels = [
        t.text for t in root.iter(f"{SVG}text")
        if t.get("text-anchor") == "middle" and t.get("class") is None
    ]
    assert x_tick_labels == ["1", "2", "3", "4"]
    assert not any("0000000" in (t or "") for t in texts)


def test_describe_names_axes_and_final_values():
    text = accuracy_chart().describe()
    assert text.startswith("에폭에 따른 정확도를 나타낸 선 그래프.")
    assert "1부터 4까지" in text
    # 14/15 = 0.9333... shown with six significant digits.
    assert "훈련 정확도: 처음 0.5, 마지막 0.933333, 가장 높은 값 0.933333(에폭 4)" in text
    assert "시험 정확도: 처음 0.45, 마지막 0.8, 가장 높은 값 0.85(에폭 3)" in text


def test_describe_uses_the_right_object_particle_after_a_title():
    chart = LineChart(x=[0, 1], series={"손실": [2, 1]}, x_label="반복", y_label="손실", title="손실 곡선")
    assert chart.describe().startswith("손실 곡선을 나타낸 선 그래프.")


def test_unfixed_y_axis_covers_the_data_with_round_ticks():
    chart = LineChart(x=[0, 1, 2], series={"손실": [2.3, 1.1, 0.4]}, x_label="반복", y_label="손실")
    assert chart.y_ticks == [0, 0.5, 1, 1.5, 2, 2.5]
    for y in (2.3, 1.1, 0.4):
        assert chart.margin_top <= chart._py(y) <= chart.height - chart.margin_bottom


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (3, 17, [0, 5, 10, 15, 20]),
        (0.12, 0.19, [0.12, 0.14, 0.16, 0.18, 0.2]),
    ],
)
def test_nice_ticks(lo, hi, expected):
    assert nice_ticks(lo, hi) == pytest.approx(expected)


def test_nice_ticks_widen_a_flat_range_around_its_value():
    ticks = nice_ticks(5, 5)
    assert ticks[0] < 5 < ticks[-1]
    assert len(ticks) >= 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(x=[1, 2, 3], series={"a": [1, 2]}), "series 'a' has 2 values but x has 3"),
        (dict(x=[1, 2], series={"a": [1, math.nan]}), "non-finite"),
        (dict(x=[2, 1], series={"a": [1, 2]}), "must increase"),
        (dict(x=[1], series={"a": [1]}), "at least 2 x values"),
        (dict(x=[1, 2], series={}), "at least one series"),
        (dict(x=[1, 2], series={"a": [0.5, 1.5]}, y_range=(0, 1)), "outside y_range"),
        (dict(x=[1, 2], series={"a": [0.5, 0.6]}, y_range=(1, 0)), "low < high"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        LineChart(x_label="x", y_label="y", **kwargs)


def test_every_epoch_gets_a_tick_when_there_are_few():
    chart = LineChart(x=range(1, 16), series={"정확도": [0.5] * 15}, x_label="에폭", y_label="정확도")
    assert chart.x_ticks == list(range(1, 16))


def test_many_points_get_round_ticks_instead():
    chart = LineChart(x=range(0, 101), series={"손실": [1.0] * 101}, x_label="반복", y_label="손실")
    assert chart.x_ticks == [0, 20, 40, 60, 80, 100]
