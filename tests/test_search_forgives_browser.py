"""Search that forgives (issue 16), on a whole built site served under ``/bulletin/``.

A small site is built with ``base_url = "/bulletin/"`` and served only below that path, so
every request the search page makes must stay under it. Its items are written so that:

* 防汛工作 occurs whole in one item (and its words apart in another, which must not show);
* 信息报送工作 occurs whole in none: two items hold all of 信息, 报送 and 工作, one only
  信息 and 报送 -- the labelled fallback shows exactly the two;
* the dates spread over December to June, for the from/to filter.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from bulletin.build import BuildOptions, build

pytestmark = pytest.mark.browser

PREFIX = "/bulletin/"
SITE_TOML = """title = "测试区信息平台"
language = "zh-CN"
base_url = "/bulletin/"
output_dir = "public"

[units.chengguan]
name = "城关镇"
kind = "town"
key = true

[units.beiyuan]
name = "北苑街道"
kind = "street"
key = false

[units.yingji]
name = "区应急管理局"
kind = "department"
key = false
"""
# (unit, slug, title, date, adopted-by, body)
ITEMS = [
    ("chengguan", "2026-06-02-fangxun", "城关镇扎实推进防汛工作", "2026-06-02", "[city]",
     "汛期以来，城关镇压紧压实防汛责任。\n\n排查隐患点位12处，开展督查3次。"),
    ("beiyuan", "2026-05-10-wuzi", "北苑街道储备防汛物资", "2026-05-10", "[]",
     "北苑街道完成物资储备工作。\n\n值班值守有序开展。"),
    ("yingji", "2026-04-01-xunqi", "区应急管理局部署汛期安全", "2026-04-01", "[]",
     "全面做好汛期各项工作。"),
    ("beiyuan", "2026-03-03-xinxi", "北苑街道加强信息工作", "2026-03-03", "[district]",
     "规范报送流程，提高质量。"),
    ("yingji", "2026-01-15-baosong", "关于做好信息报送的通知", "2026-01-15", "[]",
     "各单位要把报送工作抓实抓细，提高信息质量。"),
    ("chengguan", "2025-12-20-baosong", "城关镇信息报送情况", "2025-12-20", "[]",
     "全年报送信息36条。"),
]  # fmt: skip
TITLE = {slug: title for _, slug, title, *_ in ITEMS}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forgives") / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for unit, slug, title, date, adopted, body in ITEMS:
        folder = root / "content" / unit
        folder.mkdir(exist_ok=True)
        (folder / f"{slug}.md").write_text(
            f"---\ntitle: {title}\nunit: {unit}\ncategory: briefing\ndate: {date}\n"
            f"adopted-by: {adopted}\n---\n{body}\n",
            encoding="utf-8",
        )
    result = build(root, BuildOptions(today=dt.date(2026, 6, 30)))
    assert result.ok, "\n".join(d.format("en") for d in result.diagnostics)
    return root / "public"


@pytest.fixture
def base(http_server: Any, site: Path) -> str:
    return http_server(site, prefix=PREFIX)


def settled(page: Any) -> None:
    page.wait_for_function(
        "() => { const r = document.getElementById('bsearch');"
        " return r && r.dataset.ready === '1' && !r.hasAttribute('aria-busy'); }"
    )


def titles(page: Any) -> list[str]:
    return page.locator(".bsearch-results .bsearch-title").all_inner_texts()


def status(page: Any) -> str:
    return page.locator(".bsearch-status").inner_text()


def params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def open_search(page: Any, base: str, query: str = "") -> None:
    page.goto(base + "search/" + query)
    settled(page)


def test_the_exact_phrase_comes_first_and_alone(page: Any, base: str) -> None:
    """防汛工作 is in one item: only it, no fallback (the other item has 防汛 and 工作 apart)."""
    open_search(page, base, "?q=" + quote("防汛工作"))
    assert titles(page) == [TITLE["2026-06-02-fangxun"]]
    assert status(page) == "“防汛工作”：找到 1 条结果"
    assert page.locator("#bsearch[data-fallback], .is-fallback").count() == 0
    assert all(u.startswith(base) for u in page.requests), page.requests


def test_phrase_fallback_is_labelled_and_exact_in_its_words(page: Any, base: str) -> None:
    open_search(page, base, "?q=" + quote("信息报送工作"))
    # the notice, worded as the office asked, then how many
    assert status(page) == (
        "没有找到完整短语“信息报送工作”，以下是同时包含“信息”“报送”“工作”的结果（2 条）"
    )
    # the words: the browser's segmenter cuts 报|送, its single characters are rejoined
    assert page.evaluate("() => window.bulletinSearch.parts('信息报送工作')") == [
        "信息",
        "报送",
        "工作",
    ]
    assert page.locator(".bsearch-status.is-fallback").is_visible()
    assert page.locator(".bsearch-results.is-fallback").count() == 1
    # exactly the items holding all three words, newest first; not 城关镇信息报送情况 (no 工作)
    assert titles(page) == [TITLE["2026-03-03-xinxi"], TITLE["2026-01-15-baosong"]]
    marks = page.locator(".bsearch-results mark").all_inner_texts()  # touching words join
    assert marks and all(re.fullmatch("(信息|报送|工作)+", m) for m in marks), marks
    assert all(u.startswith(base) for u in page.requests), page.requests
    # a word alone has no fallback: plain "not found"
    box = page.get_by_role("searchbox", name="搜索信息")
    box.fill("督办")
    box.press("Enter")
    page.wait_for_function("() => document.getElementById('bsearch').dataset.query === '督办'")
    settled(page)
    assert titles(page) == [] and status(page) == "未找到包含“督办”的信息。"


def test_date_range_filter(page: Any, base: str) -> None:
    open_search(page, base, "?q=" + quote("防汛"))
    assert titles(page) == [TITLE["2026-06-02-fangxun"], TITLE["2026-05-10-wuzi"]]
    page.get_by_label("起始日期").fill("2026-03-01")
    settled(page)
    page.get_by_label("截止日期").fill("2026-05-31")
    settled(page)
    assert titles(page) == [TITLE["2026-05-10-wuzi"]]
    assert params(page)["from"] == ["2026-03-01"] and params(page)["to"] == ["2026-05-31"]
    # both ends count: a one-day range
    open_search(page, base, "?from=2026-05-10&to=2026-05-10")
    assert titles(page) == [TITLE["2026-05-10-wuzi"]]
    # with the fallback too, and the other filters' counts follow the range
    open_search(page, base, "?q=" + quote("信息报送工作") + "&from=2026-02-01")
    assert titles(page) == [TITLE["2026-03-03-xinxi"]]
    assert "（1 条）" in status(page)
    options = page.get_by_label("报送单位").locator("option").all_inner_texts()
    assert "北苑街道 (1)" in options and "区应急管理局 (0)" in options
    # no query: the range alone browses
    open_search(page, base, "?from=2026-01-01&to=2026-03-31")
    assert sorted(titles(page)) == sorted([TITLE["2026-03-03-xinxi"], TITLE["2026-01-15-baosong"]])


def test_the_url_names_the_whole_search(page: Any, base: str) -> None:
    query = "?q=" + quote("防汛") + "&unit=beiyuan&from=2026-03-01&to=2026-05-31&sort=date"
    open_search(page, base, query)
    assert page.get_by_role("searchbox", name="搜索信息").input_value() == "防汛"
    assert page.get_by_label("报送单位").input_value() == "beiyuan"
    assert page.get_by_label("起始日期").input_value() == "2026-03-01"
    assert page.get_by_label("截止日期").input_value() == "2026-05-31"
    assert page.get_by_label("排序").input_value() == "date"
    assert titles(page) == [TITLE["2026-05-10-wuzi"]]
    # every change is written back, so the address can be shared as it stands
    page.get_by_label("采用情况").select_option("city")
    settled(page)
    assert params(page)["level"] == ["city"] and params(page)["unit"] == ["beiyuan"]


def test_back_and_forward(page: Any, base: str) -> None:
    open_search(page, base, "?q=" + quote("防汛"))
    both = [TITLE["2026-06-02-fangxun"], TITLE["2026-05-10-wuzi"]]
    assert titles(page) == both
    page.get_by_label("报送单位").select_option("beiyuan")
    settled(page)
    assert titles(page) == [TITLE["2026-05-10-wuzi"]]
    page.get_by_label("起始日期").fill("2026-05-20")
    settled(page)
    assert titles(page) == []
    page.go_back()
    page.wait_for_function("() => !location.search.includes('from=')")
    settled(page)
    assert page.get_by_label("起始日期").input_value() == ""
    assert titles(page) == [TITLE["2026-05-10-wuzi"]]
    page.go_back()
    page.wait_for_function("() => !location.search.includes('unit=')")
    settled(page)
    assert page.get_by_label("报送单位").input_value() == ""
    assert titles(page) == both
    page.go_forward()
    page.wait_for_function("() => location.search.includes('unit=beiyuan')")
    settled(page)
    assert page.get_by_label("报送单位").input_value() == "beiyuan"
    assert titles(page) == [TITLE["2026-05-10-wuzi"]]


def focused(page: Any) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + e.className; }"
    )


def test_the_keyboard_alone(page: Any, base: str) -> None:
    open_search(page, base)
    for _ in range(15):
        page.keyboard.press("Tab")
        if focused(page) == "#bsearch-q":
            break
    assert focused(page) == "#bsearch-q"
    page.keyboard.type("防汛")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('bsearch').dataset.query === '防汛'")
    settled(page)
    assert len(titles(page)) == 2
    stops = []
    for _ in range(20):
        page.keyboard.press("Tab")
        if not stops or stops[-1] != focused(page):  # a date box has a stop per field
            stops.append(focused(page))
        if stops[-1] == "button.bsearch-clear":
            break
    # every filter is a stop, the date range included, in reading order
    assert [s for s in stops if s.startswith("#bsearch-")] == [
        "#bsearch-unit",
        "#bsearch-category",
        "#bsearch-year",
        "#bsearch-level",
        "#bsearch-from",
        "#bsearch-to",
        "#bsearch-sort",
    ], stops
    page.locator("#bsearch-unit").focus()
    page.keyboard.press("ArrowDown")  # first unit
    settled(page)
    assert "unit" in params(page)
    page.locator("button.bsearch-clear").focus()
    page.keyboard.press("Enter")
    settled(page)
    assert "unit" not in params(page) and len(titles(page)) == 2
    page.keyboard.press("Tab")  # on to the results
    assert page.evaluate("() => document.activeElement.closest('.bsearch-result') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/bulletin/items/2026-06-02-fangxun/$"))


def test_dates_and_adoption_read_as_on_the_item_page(page: Any, base: str) -> None:
    open_search(page, base, "?q=" + quote("防汛工作"))
    result = page.locator(".bsearch-result").first
    date = result.locator("time").inner_text()
    badge = result.locator(".badge")
    assert date == "2026年6月2日"
    assert badge.all_inner_texts() == ["被市委采用"]
    assert "level-city" in badge.get_attribute("class")
    badge_colour = badge.evaluate("e => getComputedStyle(e).color")
    excerpt = result.locator(".bsearch-excerpt").inner_text()
    assert "。排查隐患点位" in excerpt and "。 " not in excerpt  # paragraphs joined as written
    page.goto(base + "items/2026-06-02-fangxun/")
    assert page.locator("main .meta time").first.inner_text() == date
    item_badge = page.locator("main .adoptions .badge")
    assert item_badge.all_inner_texts() == ["被市委采用"]
    assert item_badge.evaluate("e => getComputedStyle(e).color") == badge_colour


def test_on_a_phone_the_results_come_first(page: Any, base: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_search(page, base, "?q=" + quote("防汛"))
    assert page.locator('input[type="search"]:visible').count() == 1
    assert not page.locator("details.bsearch-filters-box").evaluate("d => d.open")
    top = page.locator(".bsearch-result").first.bounding_box()
    assert top is not None and top["y"] + top["height"] < 844
    # a search that uses a filter shows the filters
    open_search(page, base, "?q=" + quote("防汛") + "&from=2026-03-01")
    assert page.locator("details.bsearch-filters-box").evaluate("d => d.open")
    assert page.locator("details.bsearch-filters-box summary").inner_text() == "筛选 (1)"
