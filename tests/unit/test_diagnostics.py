"""Diagnostics: one type, one order, one way of printing."""

from __future__ import annotations

import io

from bulletin.diagnostics import Diagnostic, report, sort_key


def test_diagnostics_with_and_without_a_line_sort_together() -> None:
    """issue 12 §6: two problems of one file, one without a line, sort (no TypeError),
    the one without a line first, by the same key everywhere."""
    a = Diagnostic("content/a.md", 7, "title", "too long", "warning")
    b = Diagnostic("content/a.md", None, None, "file is not valid UTF-8; save it as UTF-8")
    c = Diagnostic("content/a.md", 2, "date", "not a date")
    d = Diagnostic("content/0.md", 9, None, "x")
    assert sorted({a, b, c, d}) == [d, b, c, a]
    assert sorted({a, b, c, d}) == sorted([a, b, c, d], key=sort_key)


def test_report_prints_in_that_order() -> None:
    out = io.StringIO()
    report(
        [
            Diagnostic("content/a.md", 3, "unit", "unknown unit"),
            Diagnostic("content/a.md", None, None, "no front matter"),
            Diagnostic("content/a.md", 1, "title", "is long", "warning"),
        ],
        out,
    )
    assert out.getvalue().splitlines() == [
        "content/a.md: no front matter",
        "content/a.md:1: title: warning: is long",
        "content/a.md:3: unit: unknown unit",
    ]
