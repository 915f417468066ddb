"""checks: editorial warnings (文风)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bulletin import content
from bulletin.checks import run_checks
from bulletin.config import load_config

BRIEFING = (
    "---\ntitle: {title}\nunit: chengguan\ncategory: briefing\ndate: 2026-03-01\n---\n{body}\n"
)


def warnings(site: Path, title: str, body: str) -> list[str]:
    config = load_config(site)
    text = BRIEFING.format(title=title, body=body)
    result = content.read_item(text.encode(), "content/chengguan/x.md", config)
    assert result.item is not None, result.diagnostics
    return [d.format("en") for d in run_checks([result.item], config, dt.date(2026, 6, 30))]


def test_a_short_plain_item_has_no_warning(basic_site: Path) -> None:
    assert warnings(basic_site, "城关镇完成防汛物资储备", "正文。") == []


def test_long_bodies_long_titles_and_empty_sections_warn(basic_site: Path) -> None:
    got = warnings(basic_site, "长" * 60, "## 一、基本情况\n\n## 二、下一步\n\n" + "字" * 1600)
    assert any("title: warning: title has 60 characters" in w for w in got)
    assert any("Chinese characters, over the 1500" in w for w in got)
    assert any("summary: warning:" in w for w in got)
    assert any('section "一、基本情况" is empty' in w for w in got)
