"""Inline SVG bar charts made at build time: no JavaScript, no external request.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that states every
value, so a screen reader gets the figures; the pages also show the same data as tables.
Output is deterministic: integer geometry, values in input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = 12
ROW = 22  # height of the legend row
BAR_H = 15  # height of one bar (horizontal chart)
LABEL_W = 150
BAR_W = 380
VALUE_W = 50
COLOURS = ("#0b4f9c", "#a4161a", "#1a7f37", "#9a6700")  # fallback fills; style.css may override


def _fill(series: int) -> str:
    return COLOURS[series % len(COLOURS)]


def _scale(values: Sequence[int], size: int) -> tuple[int, int]:
    """The maximum value (at least 1) and the pixel size it maps to."""
    return max([1, *values]), size


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> str:
    t, d = f"{ident}-title", f"{ident}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{t} {d}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-size="{FONT}">'
        f'<title id="{t}">{escape(title)}</title><desc id="{d}">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    ident: str,
) -> str:
    """Horizontal bars, one group per label, one bar per series (e.g. reported, adopted).

    ``series`` is ``[(name, values)]`` with one value per label. Returns SVG markup.
    """
    n_series = max(1, len(series))
    peak, span = _scale([v for _, values in series for v in values], BAR_W)
    bar_h = BAR_H
    group_h = bar_h * n_series + 10
    legend_h = ROW
    height = legend_h + group_h * len(labels) + 4
    width = LABEL_W + BAR_W + VALUE_W
    body: list[str] = []
    x = LABEL_W
    for s, (name, _) in enumerate(series):
        body.append(
            f'<rect class="series-{s}" fill="{_fill(s)}" x="{x}" y="4" width="12" height="12"/>'
            f'<text x="{x + 16}" y="15">{escape(name)}</text>'
        )
        x += 16 + 14 * len(name) + 24
    parts = []
    for row, label in enumerate(labels):
        y0 = legend_h + row * group_h
        body.append(
            f'<text class="label" x="{LABEL_W - 6}" y="{y0 + group_h // 2 + 4}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        values = []
        for s, (name, vals) in enumerate(series):
            v = vals[row]
            w = round(v * span / peak)
            y = y0 + s * bar_h
            body.append(
                f'<rect class="series-{s}" fill="{_fill(s)}" x="{LABEL_W}" y="{y}" width="{w}" '
                f'height="{bar_h - 1}"/>'
                f'<text class="value" x="{LABEL_W + w + 4}" y="{y + bar_h - 3}">{v}</text>'
            )
            values.append(f"{name} {v}")
        parts.append(f"{label}: {', '.join(values)}")
    return _svg(width, height, title, "; ".join(parts), body, ident)


def column_bars(labels: Sequence[str], values: Sequence[int], *, title: str, ident: str) -> str:
    """Vertical bars, one per label (e.g. items per month). Returns SVG markup."""
    col_w, gap, plot_h, top, bottom = 36, 10, 160, 18, 22
    peak, span = _scale(values, plot_h)
    width = len(labels) * (col_w + gap) + gap
    height = top + plot_h + bottom
    body = [
        f'<line class="axis" stroke="#57606a" x1="0" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}"/>'
    ]
    for n, (label, v) in enumerate(zip(labels, values, strict=True)):
        h = round(v * span / peak)
        x = gap + n * (col_w + gap)
        y = top + plot_h - h
        mid = x + col_w // 2
        body.append(
            f'<rect class="series-0" fill="{_fill(0)}" x="{x}" y="{y}" width="{col_w}" height="{h}"/>'
            f'<text class="value" x="{mid}" y="{y - 4}" text-anchor="middle">{v}</text>'
            f'<text class="label" x="{mid}" y="{height - 6}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    desc = "; ".join(f"{label}: {v}" for label, v in zip(labels, values, strict=True))
    return _svg(width, height, title, desc, body, ident)
