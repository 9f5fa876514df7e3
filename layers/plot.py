"""A tiny, dependency-free SVG line chart for learning curves.

The chapter draws one chart (train/test accuracy per epoch). A plotting library
would be a heavy build-time dependency for that, and its output carries fixed
colours and fonts. This chart instead draws with ``currentColor`` and marks each
series with a CSS class (``bp-series-1``, ``bp-series-2``, ...), so it follows
the site's light/dark palette; series also differ by dash pattern and marker
shape, so they stay distinguishable without colour at all.

Usage (the last expression of a ``python figure`` block)::

    from layers.plot import LineChart
    chart = LineChart(
        x=[1, 2, 3],
        series={"훈련 정확도": [0.71, 0.88, 0.93], "시험 정확도": [0.69, 0.85, 0.90]},
        x_label="에폭", y_label="정확도", y_range=(0, 1),
    )
    chart            # _repr_svg_() gives the SVG, describe() its Korean text alternative

Every number written into the SVG or the description goes through
``layers.display.format_value``, the same rule the prose uses.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from layers.display import format_value

__all__ = ["LineChart", "nice_ticks"]

# Dash patterns and marker shapes per series: the second way (besides colour
# from CSS) to tell the lines apart, so the chart reads in grey-scale too.
_DASHES = ("", "6 4", "2 3", "8 3 2 3")
_MARKERS = ("circle", "square", "diamond", "triangle")


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick positions covering [lo, hi], about ``target`` of them.

    Steps are 1, 2, 2.5 or 5 times a power of ten, the ones a reader can add up
    in their head.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"axis range must be finite, got ({lo}, {hi})")
    if hi < lo:
        raise ValueError(f"axis range is reversed: ({lo}, {hi}); give (low, high)")
    if hi == lo:
        # A flat series still needs an axis; widen it symmetrically.
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(target, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    # round() strips float noise such as 0.6000000000000001 from i * step.
    return [round(i * step, 12) for i in range(first, last + 1)]


class LineChart:
    """Lines over a shared x axis, drawn as a self-contained SVG.

    ``x``: the x values (e.g. epochs), increasing. ``series``: name -> y values,
    one per x, drawn in the given order. ``y_range``: fixed (low, high) for the y
    axis (accuracy: ``(0, 1)``); otherwise it is fitted to the data.
    """

    width = 520
    height = 320
    # Room for tick labels and axis titles on the left/bottom, legend on top.
    margin_left, margin_right, margin_top, margin_bottom = 62, 18, 40, 52

    def __init__(
        self,
        x: Sequence[float],
        series: Mapping[str, Sequence[float]],
        *,
        x_label: str,
        y_label: str,
        y_range: tuple[float, float] | None = None,
        title: str = "",
    ) -> None:
        self.x = [float(v) for v in x]
        if len(self.x) < 2:
            raise ValueError(f"a line chart needs at least 2 x values, got {len(self.x)}")
        if any(b <= a for a, b in zip(self.x, self.x[1:])):
            raise ValueError(f"x values must increase strictly, got {self.x}")
        if not series:
            raise ValueError("a line chart needs at least one series")
        if len(series) > len(_DASHES):
            raise ValueError(
                f"at most {len(_DASHES)} series can be told apart, got {len(series)}"
            )
        self.series: dict[str, list[float]] = {}
        for name, ys in series.items():
            values = [float(v) for v in ys]
            if len(values) != len(self.x):
                raise ValueError(
                    f"series {name!r} has {len(values)} values but x has {len(self.x)}"
                )
            if not all(math.isfinite(v) for v in values):
                raise ValueError(f"series {name!r} holds a non-finite value: {values}")
            self.series[str(name)] = values
        self.x_label = x_label
        self.y_label = y_label
        self.title = title
        all_y = [v for values in self.series.values() for v in values]
        if y_range is None:
            self.y_ticks = nice_ticks(min(all_y), max(all_y))
        else:
            lo, hi = float(y_range[0]), float(y_range[1])
            if not lo < hi:
                raise ValueError(f"y_range must be (low, high) with low < high, got {y_range}")
            outside = [v for v in all_y if not lo <= v <= hi]
            if outside:
                raise ValueError(f"values {outside} fall outside y_range {y_range}")
            self.y_ticks = [t for t in nice_ticks(lo, hi) if lo - 1e-12 <= t <= hi + 1e-12]
            self.y_ticks = sorted({lo, hi, *self.y_ticks})
        self.y_lo, self.y_hi = self.y_ticks[0], self.y_ticks[-1]
        self.x_ticks = self._x_ticks()

    def _x_ticks(self) -> list[float]:
        # Whole-numbered x (epochs) with few points: label each one.
        if len(self.x) <= 20 and all(v.is_integer() for v in self.x):
            return list(self.x)
        return [t for t in nice_ticks(self.x[0], self.x[-1]) if self.x[0] <= t <= self.x[-1]]

    # -- geometry -------------------------------------------------------------

    def _px(self, x: float) -> float:
        span = self.width - self.margin_left - self.margin_right
        return self.margin_left + (x - self.x[0]) / (self.x[-1] - self.x[0]) * span

    def _py(self, y: float) -> float:
        span = self.height - self.margin_top - self.margin_bottom
        return self.height - self.margin_bottom - (y - self.y_lo) / (self.y_hi - self.y_lo) * span

    # -- output ---------------------------------------------------------------

    def describe(self) -> str:
        """A Korean text alternative: what is plotted and where each line ends up."""
        head = self.title or f"{self.x_label}에 따른 {self.y_label}"
        parts = [
            f"{head}{_object_particle(head)} 나타낸 선 그래프. 가로축은 {self.x_label}"
            f"({format_value(self.x[0])}부터 {format_value(self.x[-1])}까지), "
            f"세로축은 {self.y_label}."
        ]
        for name, ys in self.series.items():
            best = max(range(len(ys)), key=ys.__getitem__)
            parts.append(
                f"{name}: 처음 {format_value(ys[0])}, 마지막 {format_value(ys[-1])}, "
                f"가장 높은 값 {format_value(ys[best])}({self.x_label} {format_value(self.x[best])})."
            )
        return " ".join(parts)

    def _repr_svg_(self) -> str:
        w, h = self.width, self.height
        left, right = self.margin_left, w - self.margin_right
        top, bottom = self.margin_top, h - self.margin_bottom
        out: list[str] = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="bp-chart" role="img" '
            f'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            f'aria-label="{escape(self.describe())}" font-size="13" fill="currentColor">',
            f"<title>{escape(self.describe())}</title>",
        ]
        # Grid and y ticks.
        for t in self.y_ticks:
            y = self._py(t)
            out.append(
                f'<line class="bp-grid" x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                f'stroke="currentColor" stroke-opacity="0.15"/>'
            )
            out.append(
                f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(format_value(t))}</text>'
            )
        for t in self.x_ticks:
            x = self._px(t)
            out.append(
                f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" stroke="currentColor"/>'
            )
            out.append(
                f'<text x="{x:.1f}" y="{bottom + 20}" text-anchor="middle">{escape(format_value(t))}</text>'
            )
        # Axes.
        out.append(
            f'<path class="bp-axis" d="M{left} {top} V{bottom} H{right}" fill="none" stroke="currentColor"/>'
        )
        out.append(
            f'<text class="bp-axis-label" x="{(left + right) / 2:.1f}" y="{h - 10}" '
            f'text-anchor="middle">{escape(self.x_label)}</text>'
        )
        mid_y = (top + bottom) / 2
        out.append(
            f'<text class="bp-axis-label" x="16" y="{mid_y:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 16 {mid_y:.1f})">{escape(self.y_label)}</text>'
        )
        # Series, then the legend along the top edge.
        legend_x = left
        for i, (name, ys) in enumerate(self.series.items()):
            cls = f"bp-series-{i + 1}"
            dash = f' stroke-dasharray="{_DASHES[i]}"' if _DASHES[i] else ""
            points = " ".join(f"{self._px(x):.1f},{self._py(y):.1f}" for x, y in zip(self.x, ys))
            out.append(f'<g class="{cls}" stroke="currentColor" fill="currentColor">')
            out.append(f'<polyline points="{points}" fill="none" stroke-width="2"{dash}/>')
            for x, y in zip(self.x, ys):
                out.append(_marker(_MARKERS[i], self._px(x), self._py(y)))
            out.append(
                f'<line x1="{legend_x}" y1="16" x2="{legend_x + 28}" y2="16" stroke-width="2"{dash}/>'
            )
            out.append(_marker(_MARKERS[i], legend_x + 14, 16))
            out.append(f'<text x="{legend_x + 36}" y="20" stroke="none">{escape(name)}</text>')
            out.append("</g>")
            # Hangul glyphs are roughly one em wide; leave room for the next entry.
            legend_x += 36 + 14 * len(name) + 24
        out.append("</svg>")
        return "\n".join(out)


def _object_particle(word: str) -> str:
    """을 after a final consonant, 를 after a vowel (Korean object marker).

    The plugin's ``josa`` module holds the full rule (numbers read aloud too);
    ``layers`` cannot import the plugin, so this is its Hangul-syllable part only,
    and tests/plugin/test_josa.py checks the two agree on every syllable.
    """
    last = word.rstrip()[-1:] or "가"
    if "가" <= last <= "힣":
        return "을" if (ord(last) - ord("가")) % 28 else "를"
    return "를"


def _marker(shape: str, x: float, y: float, r: float = 3.5) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" stroke="none"/>'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" stroke="none"/>'
    if shape == "diamond":
        d = r * 1.3
        return f'<path d="M{x:.1f} {y - d:.1f} L{x + d:.1f} {y:.1f} L{x:.1f} {y + d:.1f} L{x - d:.1f} {y:.1f} Z" stroke="none"/>'
    d = r * 1.3
    return f'<path d="M{x:.1f} {y - d:.1f} L{x + d:.1f} {y + d:.1f} L{x - d:.1f} {y + d:.1f} Z" stroke="none"/>'
