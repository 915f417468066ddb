"""render: one page to bytes, or its template's problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bulletin import templates
from bulletin.build import load_site
from bulletin.config import load_config
from bulletin.diagnostics import Diagnostic
from bulletin.plan.page import Page
from bulletin.render import render_page


def test_data_pages_template_pages_and_template_errors(basic_site: Path) -> None:
    (basic_site / "layouts").mkdir(exist_ok=True)
    (basic_site / "layouts" / "broken.html").write_text("line\n{{ nope.x }}\n", encoding="utf-8")
    config = load_config(basic_site)
    site, _ = load_site(config)
    env = templates.make_environment(config)
    today = dt.date(2026, 11, 27)
    assert render_page(Page("a.json", "", {}, data=b"{}"), env, site, today) == b"{}"
    html = render_page(
        Page("search/index.html", "search.html", {"page_url": "/search/"}), env, site, today
    )
    assert isinstance(html, bytes) and site.config.title.encode() in html
    problem = render_page(Page("b.html", "broken.html", {}), env, site, today)
    assert isinstance(problem, Diagnostic)
    assert (problem.path, problem.line) == ("layouts/broken.html", 2)
    assert problem.text(config.language).startswith("未定义的变量：")
