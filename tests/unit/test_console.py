"""console: what the long-running commands print."""

from __future__ import annotations

import io

from bulletin.build import BuildResult
from bulletin.console import log_finish, log_rebuild
from bulletin.diagnostics import Diagnostic
from bulletin.messages import msg
from bulletin.watch import Change, Rebuild

# problems as the build makes them: catalogue messages, printed in the site's language
WARN = Diagnostic(
    "content/a.md", 3, "title", msg("check.long_title", chars=40, limit=28), "warning"
)
OTHER = Diagnostic("content/b.md", 1, None, msg("check.empty_section", heading="一"), "warning")
ERROR = Diagnostic("content/c.md", 2, "date", msg("field.date", value="5月3日"))


def test_a_rebuild_prints_one_line_and_the_warnings_of_changed_files() -> None:
    out = io.StringIO()
    result = BuildResult(True, (WARN, OTHER), written=2, removed=0, pages=10)
    log_rebuild(Rebuild(3, (Change("modified", "content/a.md"),), result, 0.25), out)
    first, *rest = out.getvalue().splitlines()
    assert first.endswith("content/a.md 修改 → 写入 2，删除 0，共 10 页，0.25 秒")
    assert rest == ["  content/a.md:3: title: 警告：标题有 40 个字，超过 28 字"]


def test_a_rebuild_line_in_english_for_an_english_site() -> None:
    out = io.StringIO()
    result = BuildResult(True, (WARN, OTHER), written=2, removed=0, pages=10)
    log_rebuild(Rebuild(3, (Change("modified", "content/a.md"),), result, 0.25), out, language="en")
    first, *rest = out.getvalue().splitlines()
    assert first.endswith("content/a.md modified → 2 written, 0 removed, 10 pages, 0.25 s")
    assert rest == ["  content/a.md:3: title: warning: title has 40 characters, over 28"]


def test_a_failed_build_says_the_last_good_site_stays() -> None:
    out = io.StringIO()
    log_rebuild(Rebuild(1, (), BuildResult(False, (ERROR,)), 0.1), out)
    lines = out.getvalue().splitlines()
    assert "构建失败（1 个错误）" in lines[0] and "上一次成功的网站保持不变" in lines[0]
    assert lines[1] == (
        "  content/c.md:2: date: 必须是日期，写成 YYYY-MM-DD（如 2026-05-03），现在是 5月3日"
    )


def test_the_search_step_reports_its_time_or_its_problems() -> None:
    out = io.StringIO()
    log_finish([], 1.5, out)
    log_finish([ERROR], 0.1, out)
    assert out.getvalue().splitlines() == [
        "bulletin: 搜索索引已更新（1.50 秒）",
        "content/c.md:2: date: 必须是日期，写成 YYYY-MM-DD（如 2026-05-03），现在是 5月3日",
    ]
