"""The site model: what is published, what is withheld, cross-item checks, threads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulletin.config import SiteConfig, load_config
from bulletin.content import SourceItem, read_item
from bulletin.model import build_site

SITE_TOML = """
[units.chengguan]
name = "城关镇"
kind = "town"
key = true
[units.nongye]
name = "区农业农村局"
kind = "department"
"""


def site_config(tmp_path: Path, base_url: str = "/") -> SiteConfig:
    (tmp_path / "site.toml").write_text(f'base_url = "{base_url}"\n' + SITE_TOML, "utf-8")
    return load_config(tmp_path)


@pytest.fixture
def config(tmp_path: Path) -> SiteConfig:
    return site_config(tmp_path)


def src(
    config: SiteConfig,
    rel: str,
    title: str = "测试条目",
    *,
    unit: str = "chengguan",
    category: str = "briefing",
    date: str = "2026-05-01",
    extra: str = "",
    body: str = "正文。\n",
) -> SourceItem:
    text = (
        f"---\ntitle: {title}\nunit: {unit}\ncategory: {category}\ndate: {date}\n{extra}---\n"
        + body
    )
    result = read_item(text.encode("utf-8"), rel, config)
    assert result.item is not None, [d.format("en") for d in result.diagnostics]
    return result.item


def emergency(config: SiteConfig, rel: str, date: str, extra: str = "") -> SourceItem:
    times = f"occurred: {date}T06:00:00+08:00\nreported: {date}T06:30:00+08:00\n"
    return src(config, rel, category="emergency", date=date, extra=extra or times)


def messages(problems) -> list[str]:  # noqa: ANN001
    return sorted(d.format("en") for d in problems)


# --- publishing -----------------------------------------------------------------------


def test_items_are_newest_first_with_urls(config: SiteConfig) -> None:
    sources = [
        src(config, "content/chengguan/old.md", date="2025-12-31"),
        src(config, "content/chengguan/new.md", date="2026-03-01"),
        src(config, "content/nongye/mid.md", unit="nongye", date="2026-01-15"),
    ]
    site, withheld, problems = build_site(config, sources)
    assert problems == []
    assert [i.slug for i in site.items] == ["new", "mid", "old"]
    assert site.item("mid") is not None and site.item("mid").url == "/items/mid/"
    assert site.item("mid").unit.name == "区农业农村局"
    assert site.item("mid").category.name == "信息简报"
    assert site.years == [2026, 2025]
    assert [i.slug for i in site.items_of_unit("chengguan")] == ["new", "old"]
    assert [i.slug for i in site.items_of_category("briefing")] == ["new", "mid", "old"]
    assert withheld.titles == () and site.withheld_count == 0


def test_urls_follow_base_path_and_quote_chinese_slugs(tmp_path: Path) -> None:
    config = site_config(tmp_path, "/bulletin/")
    site, _, _ = build_site(config, [src(config, "content/chengguan/春耕.md")])
    (item,) = site.items
    assert item.url == "/bulletin/items/%E6%98%A5%E8%80%95/"
    assert item.unit.url == "/bulletin/units/chengguan/"
    assert item.category.url == "/bulletin/categories/briefing/"
    assert {lv.url for lv in site.levels} >= {"/bulletin/adopted/city/"}


def test_adoptions(config: SiteConfig) -> None:
    sources = [
        src(config, "content/chengguan/a.md", extra="adopted-by: [district, province]\n"),
        src(config, "content/chengguan/b.md", extra="adopted-by: [province]\n"),
        src(config, "content/chengguan/c.md"),
    ]
    site, _, _ = build_site(config, sources)
    assert [i.slug for i in site.items_adopted_at("province")] == ["b", "a"]
    a = site.item("a")
    assert a is not None
    assert [ad.level.name for ad in a.adoptions] == ["区委", "省委"]
    assert a.adopted_at("district") and not a.adopted_at("city")


@pytest.mark.parametrize(
    "classification", ["secret", "confidential", "top-secret", "秘密", "机密", "绝密"]
)
def test_classified_items_are_withheld(classification: str, config: SiteConfig) -> None:
    sources = [
        src(config, "content/chengguan/open.md", "公开条目"),
        src(
            config,
            "content/chengguan/hidden.md",
            "涉密条目标题",
            extra=f"classification: {classification}\n",
        ),
    ]
    site, withheld, problems = build_site(config, sources, drafts=True)
    assert problems == []
    assert [i.slug for i in site.items] == ["open"]
    assert site.item("hidden") is None
    assert site.withheld_count == 1
    assert withheld.titles == ("涉密条目标题",)
    assert withheld.slugs == ("hidden",)
    assert withheld.paths == ("content/chengguan/hidden.md",)


def test_internal_items_are_published_and_marked(config: SiteConfig) -> None:
    site, withheld, _ = build_site(
        config, [src(config, "content/chengguan/i.md", extra="classification: internal\n")]
    )
    assert site.items[0].internal and site.withheld_count == 0 and withheld.titles == ()


def test_drafts_only_with_drafts(config: SiteConfig) -> None:
    sources = [
        src(config, "content/chengguan/pub.md"),
        src(config, "content/chengguan/d.md", extra="status: draft\n"),
        src(config, "content/chengguan/sd.md", extra="status: draft\nclassification: 绝密\n"),
    ]
    site, _, _ = build_site(config, sources)
    assert [i.slug for i in site.items] == ["pub"]
    assert site.drafts_skipped == 1 and not site.drafts_included
    site, _, _ = build_site(config, sources, drafts=True)
    assert sorted(i.slug for i in site.items) == ["d", "pub"]
    assert site.item("d").draft and not site.item("pub").draft
    assert site.drafts_skipped == 0 and site.withheld_count == 1


# --- cross-item errors ----------------------------------------------------------------


def test_duplicate_slug_names_both_files(config: SiteConfig) -> None:
    sources = [
        src(config, "content/chengguan/2026-05-01-fangxun.md"),
        src(config, "content/nongye/2026-05-01-fangxun.md", unit="nongye"),
    ]
    _, _, problems = build_site(config, sources)
    (line,) = messages(problems)
    assert "content/chengguan/2026-05-01-fangxun.md" in line
    assert "content/nongye/2026-05-01-fangxun.md" in line
    assert 'duplicate slug "2026-05-01-fangxun"' in line


def test_links_to_missing_withheld_and_draft_items(config: SiteConfig) -> None:
    body = "正文。\n\n[缺](gone.md) [密](secret.md) [稿](draft.md) [好](ok.md)\n"
    sources = [
        src(config, "content/chengguan/a.md", body=body),
        src(config, "content/chengguan/secret.md", extra="classification: secret\n"),
        src(config, "content/chengguan/draft.md", extra="status: draft\n"),
        src(config, "content/chengguan/ok.md"),
    ]
    _, _, problems = build_site(config, sources)
    assert messages(problems) == [
        "content/chengguan/a.md:9: link: broken link to chengguan/draft.md: that item is a "
        "draft and is not published (build with --drafts to include it)",
        "content/chengguan/a.md:9: link: broken link to chengguan/gone.md: no such item file",
        "content/chengguan/a.md:9: link: broken link to chengguan/secret.md: that item is "
        "classified and withheld from the site",
    ]
    _, _, problems = build_site(config, sources, drafts=True)
    assert len(problems) == 2


def test_link_to_a_file_in_the_wrong_directory_is_broken(config: SiteConfig) -> None:
    sources = [
        src(config, "content/chengguan/a.md", body="[x](b.md)\n"),
        src(config, "content/nongye/b.md", unit="nongye"),
    ]
    _, _, problems = build_site(config, sources)
    assert messages(problems) == [
        "content/chengguan/a.md:7: link: broken link to chengguan/b.md: no such item file"
        ' (did you mean "nongye/b.md"?)'
    ]


def test_withheld_items_may_link_anywhere(config: SiteConfig) -> None:
    sources = [
        src(
            config,
            "content/chengguan/s.md",
            extra="classification: secret\n",
            body="[x](gone.md)\n",
        )
    ]
    assert build_site(config, sources)[2] == []


# --- follow-ups and threads -----------------------------------------------------------


def test_thread_of_first_follow_up_and_final(config: SiteConfig) -> None:
    sources = [
        emergency(config, "content/chengguan/first.md", "2026-07-12"),
        emergency(config, "content/chengguan/more.md", "2026-07-13", "follow-up-of: first\n"),
        emergency(
            config, "content/chengguan/end.md", "2026-07-14", "follow-up-of: more\nfinal: true\n"
        ),
        emergency(config, "content/chengguan/alone.md", "2026-07-20"),
    ]
    site, _, problems = build_site(config, sources)
    assert problems == []
    (thread,) = site.threads
    assert thread.root == "first"
    assert [i.slug for i in thread.items] == ["first", "more", "end"]
    assert thread.final is not None and thread.final.slug == "end"
    assert not thread.is_open
    assert site.thread_of(site.item("more")) is thread
    assert site.thread_of(site.item("alone")) is None


def test_open_thread(config: SiteConfig) -> None:
    sources = [
        emergency(config, "content/chengguan/first.md", "2026-07-12"),
        emergency(config, "content/chengguan/more.md", "2026-07-13", "follow-up-of: first\n"),
    ]
    site, _, _ = build_site(config, sources)
    assert site.threads[0].is_open and site.threads[0].final is None


@pytest.mark.parametrize(
    ("target", "others", "reason"),
    [
        ("nothing", "", "no such item"),
        ("me", "", "an item cannot follow up itself"),
        ("s", "classification: secret\n", "that item is classified and withheld from the site"),
    ],
)
def test_follow_up_errors(config: SiteConfig, target: str, others: str, reason: str) -> None:
    sources = [
        emergency(config, "content/chengguan/me.md", "2026-07-13", f"follow-up-of: {target}\n"),
        emergency(
            config,
            "content/chengguan/s.md",
            "2026-07-12",
            "occurred: 2026-07-12T06:00:00+08:00\nreported: 2026-07-12T06:30:00+08:00\n" + others,
        ),
    ]
    _, _, problems = build_site(config, sources)
    assert f'content/chengguan/me.md:6: follow-up-of: "{target}": {reason}' in messages(problems)


def test_follow_up_loop(config: SiteConfig) -> None:
    sources = [
        emergency(config, "content/chengguan/a.md", "2026-07-13", "follow-up-of: b\n"),
        emergency(config, "content/chengguan/b.md", "2026-07-14", "follow-up-of: a\n"),
    ]
    _, _, problems = build_site(config, sources)
    assert messages(problems) == [
        "content/chengguan/a.md:6: follow-up-of: follow-up chain loops back to this item",
        "content/chengguan/b.md:6: follow-up-of: follow-up chain loops back to this item",
    ]


def test_two_final_reports(config: SiteConfig) -> None:
    sources = [
        emergency(config, "content/chengguan/first.md", "2026-07-12"),
        emergency(
            config, "content/chengguan/f1.md", "2026-07-13", "follow-up-of: first\nfinal: true\n"
        ),
        emergency(
            config, "content/chengguan/f2.md", "2026-07-14", "follow-up-of: first\nfinal: true\n"
        ),
    ]
    _, _, problems = build_site(config, sources)
    assert messages(problems) == [
        "content/chengguan/f2.md:7: final: the thread of first already has a final report: "
        "content/chengguan/f1.md"
    ]


def test_item_quarter_and_year(config: SiteConfig) -> None:
    site, _, _ = build_site(config, [src(config, "content/chengguan/q.md", date="2026-08-31")])
    assert (site.items[0].year, site.items[0].quarter) == (2026, 3)
    assert site.items[0].date == dt.date(2026, 8, 31)


# --- the site's calendar (issue 12 §4) -------------------------------------------------


def test_date_times_count_on_the_site_calendar(config: SiteConfig) -> None:
    sources = [
        src(config, "content/chengguan/z.md", date="2026-03-31T17:00:00Z"),
        src(config, "content/chengguan/n.md", date="2026-03-31T23:30:00"),
        src(config, "content/chengguan/q.md", date='"2026-03-31T17:00:00+00:00"'),
    ]
    site, _, problems = build_site(config, sources)
    assert problems == []
    z, n, q = site.item("z"), site.item("n"), site.item("q")
    assert (z.date, z.quarter, z.year) == (dt.date(2026, 4, 1), 2, 2026)
    assert z.time is not None and z.time.isoformat() == "2026-04-01T01:00:00+08:00"
    assert z.moment == z.time
    assert (n.date, n.quarter) == (dt.date(2026, 3, 31), 1)  # no offset: China time
    assert n.time is not None and n.time.isoformat() == "2026-03-31T23:30:00+08:00"
    assert q.date == z.date and q.time == z.time  # quoted text: the same reading
    assert [i.slug for i in site.items] == ["z", "q", "n"]


def test_plain_dates_start_at_the_site_midnight(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('timezone = "Pacific/Auckland"\n' + SITE_TOML, "utf-8")
    config = load_config(tmp_path)
    sources = [
        src(config, "content/chengguan/d.md", date="2026-04-01"),
        src(config, "content/chengguan/late.md", date="2026-03-31T10:30:00Z"),  # 23:30 NZDT
        src(config, "content/chengguan/early.md", date="2026-03-31T11:30:00Z"),  # 00:30 NZDT
    ]
    site, _, _ = build_site(config, sources)
    d = site.item("d")
    assert d.time is None and d.moment.isoformat() == "2026-04-01T00:00:00+13:00"
    assert site.item("late").date == dt.date(2026, 3, 31)
    assert site.item("early").date == dt.date(2026, 4, 1)
    assert [i.slug for i in site.items] == ["early", "d", "late"]


def test_thread_steps_in_order_of_their_times(config: SiteConfig) -> None:
    sources = [
        emergency(config, "content/chengguan/first.md", "2026-07-12"),
        # the same day: the later report (by time) comes later, whatever its name
        src(config, "content/chengguan/a-late.md", category="emergency",
            date="2026-07-13T10:00:00", extra="follow-up-of: first\n"),
        src(config, "content/chengguan/z-early.md", category="emergency",
            date="2026-07-13T09:00:00", extra="follow-up-of: first\n"),
    ]  # fmt: skip
    site, _, problems = build_site(config, sources)
    assert problems == []
    assert [i.slug for i in site.threads[0].items] == ["first", "z-early", "a-late"]
