"""Diagnostics: one type, one order, one way of printing."""

from __future__ import annotations

import io

from bulletin.diagnostics import Diagnostic, report, sort_key
from bulletin.messages import msg


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
    problems = [
        Diagnostic(
            "content/a.md",
            3,
            "unit",
            msg("field.unknown_id", what=msg("what.unit"), value="x", hint=None),
        ),
        Diagnostic("content/a.md", None, None, msg("fm.no_front_matter")),
        Diagnostic(
            "content/a.md", 1, "title", msg("check.long_title", chars=40, limit=28), "warning"
        ),
    ]
    report(problems, out)
    assert out.getvalue().splitlines() == [
        "content/a.md: 缺少文件头：文件第一行必须是 ---",
        "content/a.md:1: title: 警告：标题有 40 个字，超过 28 字",
        "content/a.md:3: unit: 未知的单位“x”",
    ]
    out = io.StringIO()
    report(problems, out, language="en")
    assert out.getvalue().splitlines() == [
        'content/a.md: no front matter: the file must start with a "---" line',
        "content/a.md:1: title: warning: title has 40 characters, over 28",
        'content/a.md:3: unit: unknown unit "x"',
    ]
