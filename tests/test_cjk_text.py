"""A line break between two Chinese characters, end to end (issue 12 §3).

Editors hard-wrap Chinese text. ``城关镇完成防⏎汛物资储备`` must read 防汛物资储备 on the
page (Chromium shows a soft line break as a space) and be found by searching 防汛物资,
through the Python reader of the index and through the browser's search client. A line
break between Latin words stays a space.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

import pytest

from bulletin.build import BuildOptions, build
from bulletin.search.query import SearchIndex

SITE_TOML = """\
title = "折行测试站"
language = "zh-CN"
base_url = "/"
output_dir = "public"

[units.chengguan]
name = "城关镇"
kind = "town"
key = true
"""
WRAPPED = "2026-04-24-fangxun"
ITEMS = {
    f"content/chengguan/{WRAPPED}.md": (
        "---\ntitle: 城关镇做好汛前准备\nunit: chengguan\ncategory: briefing\n"
        "date: 2026-04-24\n---\n"
        "城关镇完成防\n汛物资储备，共储备编织袋\n2万条。\n\n"
        "The town held a flood\ndrill on Friday.\n"
    ),
    # 防汛 and 物资 both occur, but never 防汛物资: must not be found
    "content/chengguan/2026-04-20-other.md": (
        "---\ntitle: 城关镇部署春耕\nunit: chengguan\ncategory: briefing\n"
        "date: 2026-04-20\n---\n防汛工作有序开展。\n\n化肥等物资到位。\n"
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cjk") / "site"
    root.mkdir()
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for rel, text in ITEMS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = build(root, BuildOptions(today=dt.date(2026, 4, 30), jobs=1))
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def test_page_html_joins_the_chinese_line_break(site: Path) -> None:
    html = (site / "items" / WRAPPED / "index.html").read_text("utf-8")
    assert "城关镇完成防汛物资储备，共储备编织袋\n2万条。" in html  # CJK–digit: kept
    assert "The town held a flood\ndrill on Friday." in html  # Latin: kept


def test_python_index_finds_the_wrapped_phrase(site: Path) -> None:
    index = SearchIndex(site / "search-index")
    for query in ("防汛物资", "防汛物资储备", "汛物"):
        found = [index.fragment(i)["u"] for i in index.search(query).ids]
        assert found == [f"/items/{WRAPPED}/"], query
    fragment = next(
        index.fragment(i)
        for i in range(index.count)
        if index.fragment(i)["u"].endswith(WRAPPED + "/")
    )
    assert "防汛物资储备" in fragment["x"]
    assert [index.fragment(i)["u"] for i in index.search("flood drill").ids] == [
        f"/items/{WRAPPED}/"
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_browser_shows_no_space_and_its_search_finds_it(
    http_server, page, site: Path, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    base = http_server(site)
    page.goto(base + f"items/{WRAPPED}/")
    text = page.locator("article .body").inner_text()
    assert "城关镇完成防汛物资储备" in text
    assert "防 汛" not in text
    assert "flood drill" in text  # the Latin line break is a space
    page.goto(base + "search/?q=" + quote("防汛物资"))
    page.wait_for_function(
        "() => { const r = document.getElementById('bsearch');"
        " return r && !r.hasAttribute('aria-busy') && r.dataset.ready === '1'; }"
    )
    titles = page.locator(".bsearch-results .bsearch-title").all_inner_texts()
    assert titles == ["城关镇做好汛前准备"]
    assert not page.page_errors and not page.console_errors
