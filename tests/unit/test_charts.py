"""charts: inline SVG bar charts (no script, escaped labels)."""

from __future__ import annotations

import re

from bulletin.charts import column_bars, grouped_bars


def test_grouped_bars_hold_an_svg_with_escaped_labels() -> None:
    html = grouped_bars(
        ["城关镇", "<北苑>"],
        [("报送", [3, 0]), ("采用", [1, 0])],
        title="图 & 表",
        ident="c1",
        axis="信息数（条）",
    )
    assert "<svg" in html and "</svg>" in html
    assert "&lt;北苑&gt;" in html and "<北苑>" not in html
    assert "<script" not in html


def test_column_bars_have_a_bar_per_month_with_a_value() -> None:
    values = [*range(1, 10), None, None, None]  # the months still to come have no bar
    html = column_bars(
        [f"{m}月" for m in range(1, 13)],
        values,
        title="月",
        ident="m",
        axis_x="月份",
        axis_y="条",
        missing="尚未到来",
    )
    assert len(re.findall(r'<rect class="series-0"', html)) == 9
