"""console: what the long-running commands print."""

from __future__ import annotations

import io

from bulletin.build import BuildResult
from bulletin.console import log_finish, log_rebuild
from bulletin.diagnostics import Diagnostic
from bulletin.watch import Change, Rebuild

WARN = Diagnostic("content/a.md", 3, "title", "is long", "warning")
OTHER = Diagnostic("content/b.md", 1, None, "empty section", "warning")
ERROR = Diagnostic("content/c.md", 2, "date", "not a date")


def test_a_rebuild_prints_one_line_and_the_warnings_of_changed_files() -> None:
    out = io.StringIO()
    result = BuildResult(True, (WARN, OTHER), written=2, removed=0, pages=10)
    log_rebuild(Rebuild(3, (Change("modified", "content/a.md"),), result, 0.25), out)
    first, *rest = out.getvalue().splitlines()
    assert first.endswith("content/a.md modified → 2 written, 0 removed, 10 pages, 0.25 s")
    assert rest == ["  " + WARN.format()]


def test_a_failed_build_says_the_last_good_site_stays() -> None:
    out = io.StringIO()
    log_rebuild(Rebuild(1, (), BuildResult(False, (ERROR,)), 0.1), out)
    lines = out.getvalue().splitlines()
    assert "build failed (1 error)" in lines[0] and "the last good site stays live" in lines[0]
    assert lines[1] == "  " + ERROR.format()


def test_the_search_step_reports_its_time_or_its_problems() -> None:
    out = io.StringIO()
    log_finish([], 1.5, out)
    log_finish([ERROR], 0.1, out)
    assert out.getvalue().splitlines() == [
        "bulletin: search index up to date (1.50 s)",
        ERROR.format(),
    ]
