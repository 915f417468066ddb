"""The search page in real headless Chromium: queries, filters, precision, no outside requests.

A small index is built with ``write_search_index`` into a temporary site that also holds
``search/index.html`` rendered from ``bulletin/layouts/search.html`` over a stub
``base.html``; the site is served under the sub-path ``/bulletin/`` to prove the client
finds its files relative to its own URL.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from urllib.parse import quote

import jinja2
import pytest

from bulletin.i18n import client_strings, translate
from bulletin.search import SearchRecord, write_search_index
from bulletin.search.tokenize import query_keys

pytestmark = pytest.mark.browser

LAYOUTS = Path(__file__).resolve().parents[1] / "bulletin" / "layouts"
PREFIX = "/bulletin/"
STUB_BASE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{% block title %}测试站点{% endblock %}</title></head>
<body>
<form action="{{ url('/search/') }}" method="get"><label for="header-q">{{ t('search') }}</label>
<input id="header-q" name="q"></form>
<main>{% block content %}{% endblock %}</main>
{% block scripts %}{% endblock %}
</body>
</html>
"""

UNITS = {"chengguan": "城关镇", "xinfeng": "新丰镇", "shuili": "区水利局"}
CATS = {"briefing": "信息简报", "notice": "通知通报"}
DRAFT_TITLE = "草稿不应出现在搜索中"
SECRET_TITLE = "机密事项绝不能泄露"


def _rec(
    n: int,
    unit: str,
    title: str,
    text: str,
    date: str,
    cat: str = "briefing",
    adopted: tuple[tuple[str, str], ...] = (),
) -> SearchRecord:
    return SearchRecord(
        url=f"{PREFIX}items/{quote(f'{date}-{unit}-{n:03d}')}/",
        title=title,
        text=text,
        unit_id=unit,
        unit_name=UNITS[unit],
        category_id=cat,
        category_name=CATS[cat],
        date=date,
        adopted=adopted,
    )


def records() -> list[SearchRecord]:
    recs = [
        _rec(
            1,
            "chengguan",
            "城关镇扎实推进防汛工作",
            "汛期以来，城关镇切实压紧压实防汛责任，排查隐患点位12处，开展督查3次。",
            "2025-06-02",
            adopted=(("city", "市委"),),
        ),
        # 防汛, 汛工 (秋汛工程) and 工作 all occur, but never 防汛工作: must not match it
        _rec(
            2,
            "xinfeng",
            "新丰镇秋汛工程进展",
            "新丰镇加强防汛值守。秋汛工程建设有序推进。各村工作有序开展。",
            "2025-09-10",
        ),
        _rec(
            3,
            "shuili",
            "区水利局召开河长制工作会议",
            "会议部署河长制重点任务，要求做好信息报送，按时报送巡河记录。",
            "2024-03-15",
            "notice",
        ),
        _rec(
            4,
            "xinfeng",
            "新丰镇乡村振兴信息报送情况",
            "新丰镇围绕乡村振兴，完善信息报送机制，全年报送信息36条。",
            "2024-11-20",
            adopted=(("district", "区委"), ("city", "市委")),
        ),
        _rec(
            5,
            "chengguan",
            "城关镇防汛物资储备到位",
            "城关镇防汛物资仓库完成补充，防汛演练顺利开展。",
            "2023-05-08",
        ),
    ]
    for k in range(6, 30):  # filler so that paging and counts have something to do
        unit = ("chengguan", "xinfeng", "shuili")[k % 3]
        recs.append(
            _rec(
                k,
                unit,
                f"{UNITS[unit]}第{k}期工作简报",
                f"本期简报介绍安全生产检查情况，共检查企业{k}家。",
                f"2022-{k % 12 + 1:02d}-15",
            )
        )
    return recs


def render_page(lang: str) -> str:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.DictLoader({"base.html": STUB_BASE}), jinja2.FileSystemLoader(str(LAYOUTS))]
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
    )
    env.globals.update(
        url=lambda path="": PREFIX + str(path).lstrip("/"),
        t=lambda key, **kw: translate(lang, key, **kw),
        search_strings=lambda: client_strings(lang),
        lang=lang,
    )
    return env.get_template("search.html").render()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write_search_index(records(), root, language="zh-CN")
    (root / "search").mkdir()
    (root / "search" / "index.html").write_text(render_page("zh-CN"), encoding="utf-8")
    return root


def _wait_results(page) -> None:
    page.wait_for_function(
        "() => { const r = document.getElementById('bsearch');"
        " return r && !r.hasAttribute('aria-busy') && r.dataset.ready === '1'; }"
    )


def _titles(page) -> list[str]:
    return page.locator(".bsearch-results .bsearch-title").all_inner_texts()


def _search(page, text: str) -> None:
    box = page.get_by_role("searchbox", name="搜索信息")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        "q => { const r = document.getElementById('bsearch');"
        " return !r.hasAttribute('aria-busy') && r.dataset.query === q; }",
        arg=text,
    )


def test_query_from_url_shows_item_with_highlight(http_server, page, site: Path) -> None:
    base = http_server(site, prefix=PREFIX)
    page.goto(base + "search/?q=" + quote("防汛工作"))
    _wait_results(page)
    assert _titles(page) == ["城关镇扎实推进防汛工作"]  # not 新丰镇秋汛工程进展
    status = page.locator(".bsearch-status")
    assert status.get_attribute("role") == "status"
    assert "1" in status.inner_text()
    marks = page.locator(".bsearch-results mark").all_inner_texts()
    assert "防汛工作" in marks
    result = page.locator(".bsearch-results li").first
    meta = result.locator(".bsearch-meta").inner_text()
    assert (
        "城关镇" in meta and "信息简报" in meta and "2025年6月2日" in meta and "被市委采用" in meta
    )
    assert result.locator("a").get_attribute("href") == records()[0].url
    assert page.external_requests == []
    assert not page.page_errors and not page.console_errors
    # everything came from below the site's sub-path
    assert all(u.startswith(base) for u in page.requests)


def test_typing_substrings_and_multi_term(http_server, page, site: Path) -> None:
    base = http_server(site, prefix=PREFIX)
    page.goto(base + "search/")
    _wait_results(page)
    _search(page, "报送")  # a body word
    assert sorted(_titles(page)) == ["区水利局召开河长制工作会议", "新丰镇乡村振兴信息报送情况"]
    _search(page, "信息报")  # a substring of a word, 3 characters
    assert sorted(_titles(page)) == ["区水利局召开河长制工作会议", "新丰镇乡村振兴信息报送情况"]
    _search(page, "防汛 城关")  # two terms, both required
    assert sorted(_titles(page)) == ["城关镇扎实推进防汛工作", "城关镇防汛物资储备到位"]
    _search(page, "河长制 乡村振兴")  # never in the same item
    assert _titles(page) == []
    assert "未找到" in page.locator(".bsearch-status").inner_text()
    assert page.external_requests == []


def test_precision_absent_combination_is_never_claimed(http_server, page, site: Path) -> None:
    """No item holds these phrases whole: nothing is shown as a match. What is shown is
    the labelled fallback, and every item in it holds every word of the phrase."""
    base = http_server(site, prefix=PREFIX)
    page.goto(base + "search/")
    _wait_results(page)
    texts = {r.title: r.title + "\n" + r.text for r in records()}
    for q, fallback in (
        ("秋汛工作", ["新丰镇秋汛工程进展"]),
        ("防汛督查", ["城关镇扎实推进防汛工作"]),
        ("乡村防汛", []),
        ("河长防汛工作", []),
    ):
        _search(page, q)
        status = page.locator(".bsearch-status").inner_text()
        titles = _titles(page)
        assert sorted(titles) == fallback, q
        assert all(q not in texts[t] for t in titles), q
        if not titles:
            assert "未找到" in status and page.locator("#bsearch[data-fallback]").count() == 0
            continue
        words = page.evaluate("q => window.bulletinSearch.parts(q)", q)
        assert len(words) > 1 and all(w in texts[t] for t in titles for w in words), (q, words)
        assert status.startswith(f"没有找到完整短语“{q}”"), status
        assert page.locator("#bsearch[data-fallback]").count() == 1


def test_title_matches_rank_first_and_sort_newest(http_server, page, site: Path) -> None:
    base = http_server(site, prefix=PREFIX)
    page.goto(base + "search/?q=" + quote("防汛"))
    _wait_results(page)
    titles = _titles(page)
    # title matches first (newest first among them), then the body-only match
    assert titles == ["城关镇扎实推进防汛工作", "城关镇防汛物资储备到位", "新丰镇秋汛工程进展"]
    page.get_by_label("排序").select_option("date")
    page.wait_for_function("() => !document.getElementById('bsearch').hasAttribute('aria-busy')")
    assert _titles(page) == [
        "新丰镇秋汛工程进展",
        "城关镇扎实推进防汛工作",
        "城关镇防汛物资储备到位",
    ]
    assert "sort=date" in page.url


def test_unit_year_and_adoption_filters(http_server, page, site: Path) -> None:
    base = http_server(site, prefix=PREFIX)
    page.goto(base + "search/?q=" + quote("防汛"))
    _wait_results(page)
    unit = page.get_by_label("报送单位")
    options = unit.locator("option").all_inner_texts()
    assert "城关镇 (2)" in options and "新丰镇 (1)" in options
    unit.select_option("chengguan")
    page.wait_for_function("() => !document.getElementById('bsearch').hasAttribute('aria-busy')")
    assert sorted(_titles(page)) == ["城关镇扎实推进防汛工作", "城关镇防汛物资储备到位"]
    assert "unit=chengguan" in page.url
    page.get_by_label("年份").select_option("2023")
    page.wait_for_function("() => !document.getElementById('bsearch').hasAttribute('aria-busy')")
    assert _titles(page) == ["城关镇防汛物资储备到位"]
    # filters alone browse everything: adopted by the city
    page.goto(base + "search/?level=city")
    _wait_results(page)
    assert sorted(_titles(page)) == ["城关镇扎实推进防汛工作", "新丰镇乡村振兴信息报送情况"]


def test_paging_with_more_button(http_server, page, site: Path) -> None:
    base = http_server(site, prefix=PREFIX)
    page.goto(base + "search/?q=" + quote("简报"))
    _wait_results(page)
    assert len(_titles(page)) == 10
    assert "24" in page.locator(".bsearch-status").inner_text()
    page.get_by_role("button", name="显示更多结果").click()
    page.wait_for_function("() => document.querySelectorAll('.bsearch-results li').length > 10")
    assert len(_titles(page)) == 20


def test_js_tokeniser_matches_python(http_server, page, site: Path) -> None:
    base = http_server(site, prefix=PREFIX)
    page.goto(base + "search/")
    _wait_results(page)
    queries = [
        "防汛",
        "防汛工作",
        "防汛、督查",
        "2023年 信息报送",
        "ＡＢＣ１２３ covid19疫情",
        "一二三四五六七八九十一二三四五",
        "城关镇乡村振兴信息报送工作会议纪要",
        "𠀀𠀁𠀂 abc_def",
        "ﾃｽﾄ カタカナ 한국어",
        "x" * 40 + "中",
    ]
    got = page.evaluate("qs => qs.map(q => window.bulletinSearch.queryKeys(q))", queries)
    for q, js in zip(queries, got, strict=True):
        terms, keys, exact = query_keys(q)
        assert (js["terms"], js["keys"], js["exact"]) == (terms, keys, exact), q
    tokens = ["防汛", "a", "covid19", "𠀀𠀁"]
    crcs = page.evaluate("ts => ts.map(t => window.bulletinSearch.crc32(t))", tokens)
    assert crcs == [zlib.crc32(t.encode("utf-8")) for t in tokens]


def test_withheld_items_never_reach_the_page(http_server, page, tmp_path: Path) -> None:
    """Only what the build passes is indexed: drafts and classified items are not passed."""
    root = tmp_path / "site"
    published = records()
    write_search_index(published, root, language="zh-CN")
    (root / "search").mkdir()
    (root / "search" / "index.html").write_text(render_page("zh-CN"), encoding="utf-8")
    blob = b"".join(p.read_bytes() for p in (root / "search-index").rglob("*") if p.is_file())
    for secret in (DRAFT_TITLE, SECRET_TITLE, "机密"):
        assert secret.encode("utf-8") not in blob
    base = http_server(root, prefix=PREFIX)
    page.goto(base + "search/?q=" + quote("机密"))
    _wait_results(page)
    assert _titles(page) == []
    assert SECRET_TITLE not in page.content() and DRAFT_TITLE not in page.content()


def test_english_ui(http_server, page, tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_search_index(records(), root, language="en")
    (root / "search").mkdir()
    (root / "search" / "index.html").write_text(render_page("en"), encoding="utf-8")
    base = http_server(root, prefix=PREFIX)
    page.goto(base + "search/?q=" + quote("防汛"))
    _wait_results(page)
    assert page.get_by_role("searchbox", name="Search items").count() == 1
    assert page.get_by_label("Unit").count() == 1
    assert "3 results" in page.locator(".bsearch-status").inner_text()
    manifest = json.loads((root / "search-index" / "manifest.json").read_text("utf-8"))
    assert manifest["lang"] == "en"


def test_many_false_candidates_are_checked_away(http_server, page, tmp_path: Path) -> None:
    """防汛工 and 汛工作 both occur in 12 items that never say 防汛工作: more candidates than
    one page, so the client checks them page by page until it has its results."""
    recs = records()
    for k in range(12):
        recs.append(
            _rec(
                100 + k,
                "shuili",
                f"区水利局第{k}号水利简报",
                "防汛工程加固完成。秋汛工作部署到位。",
                f"2026-01-{k + 1:02d}",
            )
        )
    root = tmp_path / "site"
    write_search_index(recs, root, language="zh-CN")
    (root / "search").mkdir()
    (root / "search" / "index.html").write_text(render_page("zh-CN"), encoding="utf-8")
    base = http_server(root, prefix=PREFIX)
    page.goto(base + "search/?q=" + quote("防汛工作"))
    _wait_results(page)
    assert _titles(page) == ["城关镇扎实推进防汛工作"]
    assert page.locator(".bsearch-status").inner_text() == "“防汛工作”：找到 1 条结果"
    assert page.locator(".bsearch-more").is_hidden()
