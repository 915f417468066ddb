"""charts: inline SVG bar charts (no script, escaped labels)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bulletin.charts import column_bars, grouped_bars

SVG = "{http://www.w3.org/2000/svg}"


def test_grouped_bars_are_valid_svg_with_escaped_labels() -> None:
    svg = grouped_bars(
        ["城关镇", "<北苑>"], [("报送", [3, 0]), ("采用", [1, 0])], title="图 & 表", ident="c1"
    )
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    text = "".join(root.itertext())
    assert "<北苑>" in text and "图 & 表" in text
    assert "<script" not in svg


def test_column_bars_have_one_bar_per_value() -> None:
    svg = column_bars([f"{m}月" for m in range(1, 13)], list(range(12)), title="月", ident="m")
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert "11" in "".join(root.itertext())
