"""Inline SVG bar charts made at build time: no JavaScript, no external request.

Each chart is a ``<figure>`` whose visible ``<figcaption>`` is the chart's title, around an
``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that states every value, so a
screen reader gets the figures; the pages also show the same data as tables. Every chart
names what its bars count (the axis caption).

The charts fill the width of their column at any screen size: the SVG is ``width="100%"``
with no viewBox, bar lengths and positions are percentages of that width, and text keeps
its size (labels sit above their bars, so a phone needs no room beside them). Output is
deterministic: geometry rounded to fixed decimals, values in input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = 13
COLOURS = ("#0b4f9c", "#a4161a", "#1a7f37", "#9a6700")  # fallback fills; style.css may override
BAR_SPAN = 88.0  # % of the width the longest bar takes; the rest holds its value
LEGEND_H = 24  # the legend row (and the axis caption beside it)
LABEL_H = 18  # a row's label, above its bars
BAR_H = 13  # one bar of a horizontal chart
ROW_GAP = 10


def _fill(series: int) -> str:
    return COLOURS[series % len(COLOURS)]


def _pct(value: float) -> str:
    """A percentage for an SVG attribute: 12.5%, 0%, 33.333%."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _figure(height: int, title: str, desc: str, body: list[str], ident: str, kind: str) -> str:
    t, d, c = f"{ident}-title", f"{ident}-desc", f"{ident}-caption"
    return (
        '<figure class="chart-figure">'
        f'<figcaption class="chart-title" id="{c}">{escape(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" role="img" '
        f'aria-labelledby="{t} {d}" width="100%" height="{height}" font-size="{FONT}">'
        f'<title id="{t}">{escape(title)}</title><desc id="{d}">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg></figure>"
    )


def _axis_caption(text: str, x: str, y: int, anchor: str) -> str:
    return (
        f'<text class="axis-caption" x="{x}" y="{y}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    ident: str,
    axis: str,
) -> str:
    """Horizontal bars, one group per label, one bar per series (e.g. reported, adopted).

    ``series`` is ``[(name, values)]`` with one value per label; ``axis`` says what the
    bars count (e.g. 信息数（条）). Returns HTML: a figure holding the SVG.
    """
    peak = max([1, *(v for _, values in series for v in values)])
    body: list[str] = []
    x = 0
    for s, (name, _) in enumerate(series):
        body.append(
            f'<rect class="series-{s}" fill="{_fill(s)}" x="{x}" y="6" width="12" height="12"/>'
            f'<text class="legend" x="{x + 16}" y="17">{escape(name)}</text>'
        )
        x += 16 + (FONT + 1) * len(name) + 20
    body.append(_axis_caption(axis, "100%", 17, "end"))
    row_h = LABEL_H + BAR_H * len(series) + ROW_GAP
    parts = []
    for row, label in enumerate(labels):
        y0 = LEGEND_H + row * row_h
        body.append(f'<text class="label" x="0" y="{y0 + LABEL_H - 5}">{escape(label)}</text>')
        values = []
        for s, (name, vals) in enumerate(series):
            v = vals[row]
            share = v * BAR_SPAN / peak
            y = y0 + LABEL_H + s * BAR_H
            body.append(
                f'<rect class="series-{s}" fill="{_fill(s)}" x="0" y="{y}" '
                f'width="{_pct(share)}" height="{BAR_H - 2}"/>'
                f'<text class="value" x="{_pct(share + 0.6)}" y="{y + BAR_H - 3}">{v}</text>'
            )
            values.append(f"{name} {v}")
        parts.append(f"{label}: {', '.join(values)}")
    height = LEGEND_H + row_h * len(labels)
    return _figure(height, title, "; ".join(parts), body, ident, "chart-bars")


def column_bars(
    labels: Sequence[str],
    values: Sequence[int | None],
    *,
    title: str,
    ident: str,
    axis_x: str,
    axis_y: str,
    missing: str,
) -> str:
    """Vertical bars, one per label (e.g. items per month).

    A value of ``None`` is a slot whose time has not come (a month after today): its label
    is shown, but no bar and no value, never a 0; ``missing`` says so in the description.
    ``axis_x`` and ``axis_y`` caption the axes. Returns HTML: a figure holding the SVG.
    """
    top, plot_h, bottom = 40, 160, 44
    peak = max([1, *(v for v in values if v is not None)])
    slot = 100 / max(1, len(labels))
    base = top + plot_h
    body = [
        _axis_caption(axis_y, "0", 14, "start"),
        f'<line class="axis" stroke="#57606a" x1="0" y1="{base}" x2="100%" y2="{base}"/>',
    ]
    for n, (label, v) in enumerate(zip(labels, values, strict=True)):
        mid = _pct((n + 0.5) * slot)
        future = v is None
        cls = "label future" if future else "label"
        body.append(
            f'<text class="{cls}" x="{mid}" y="{base + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if v is None:  # (future: no bar)
            continue
        h = round(v * plot_h / peak)
        body.append(
            f'<rect class="series-0" fill="{_fill(0)}" x="{_pct(n * slot + slot * 0.18)}" '
            f'y="{base - h}" width="{_pct(slot * 0.64)}" height="{h}"/>'
            f'<text class="value" x="{mid}" y="{base - h - 5}" text-anchor="middle">{v}</text>'
        )
    body.append(_axis_caption(axis_x, "100%", base + 38, "end"))
    desc = "; ".join(
        f"{label}: {missing if v is None else v}" for label, v in zip(labels, values, strict=True)
    )
    return _figure(top + plot_h + bottom, title, desc, body, ident, "chart-columns")
