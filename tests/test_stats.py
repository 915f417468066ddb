"""bulletin.stats: every computation on small hand-built sites, with hand-computed figures.

Each site is written item by item (front matter as a dict) and read through the real
reader and model, so withheld and draft items are excluded exactly as in a build.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bulletin import content, model, stats
from bulletin.config import load_config
from bulletin.model import Site

UNITS = """
[units.town]
name = "甲镇"
kind = "town"
key = true

[units.street]
name = "乙街道"
kind = "street"
key = false

[units.dept]
name = "丙局"
kind = "department"
key = false
"""


def make_site(
    tmp_path: Path, items: dict[str, dict[str, Any]], toml: str = "", *, drafts: bool = False
) -> Site:
    """A site from ``{slug: front matter}``; the unit directory comes from ``unit``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "site.toml").write_text(f'title = "测试"\n{toml}\n{UNITS}', encoding="utf-8")
    config = load_config(tmp_path)
    sources = []
    for slug, fm in items.items():
        text = "---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n正文。\n"
        result = content.read_item(text.encode(), f"content/{fm['unit']}/{slug}.md", config)
        assert result.item is not None, [d.format("en") for d in result.diagnostics]
        sources.append(result.item)
    site, _withheld, problems = model.build_site(config, sources, drafts=drafts)
    assert not [p for p in problems if p.is_error], [p.format("en") for p in problems]
    return site


def brief(unit: str, date: str, **extra: Any) -> dict[str, Any]:
    return {"title": f"{unit} {date}", "unit": unit, "category": "briefing", "date": date, **extra}


def emergency(unit: str, date: str, occurred: str, reported: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": f"{unit} 紧急 {date}",
        "unit": unit,
        "category": "emergency",
        "date": date,
        "occurred": f"{date}T{occurred}:00+08:00",
        "reported": f"{date}T{reported}:00+08:00",
        **extra,
    }


def follow_up(unit: str, date: str, of: str, *, final: bool = False) -> dict[str, Any]:
    fm: dict[str, Any] = {
        "title": f"{unit} 续报 {date}",
        "unit": unit,
        "category": "emergency",
        "date": date,
        "follow-up-of": of,
    }
    if final:
        fm["final"] = True
    return fm


def supervision(date: str, due: str, assignees: list[str], done: str | None = None) -> dict:
    fm = {
        "title": f"督办 {date}",
        "unit": "dept",
        "category": "supervision",
        "date": date,
        "due": due,
        "assignees": assignees,
    }
    if done:
        fm["done"] = done
    return fm


# --- small pure helpers ------------------------------------------------------------------


def test_competition_ranks_share_ties_and_leave_gaps():
    assert stats.competition_ranks([5, 3, 3, 1]) == [1, 2, 2, 4]
    assert stats.competition_ranks([0, 7, 0]) == [2, 1, 2]
    assert stats.competition_ranks([4, 4, 4]) == [1, 1, 1]
    assert stats.competition_ranks([]) == []


def test_quarter_end():
    assert stats.quarter_end(2026, 1) == dt.date(2026, 3, 31)
    assert stats.quarter_end(2026, 2) == dt.date(2026, 6, 30)
    assert stats.quarter_end(2026, 3) == dt.date(2026, 9, 30)
    assert stats.quarter_end(2026, 4) == dt.date(2026, 12, 31)


def test_quarter_states():
    assert stats.QuarterStat(1, 3, 3, ended=True).state == "met"
    assert stats.QuarterStat(1, 5, 3, ended=False).state == "met"
    q = stats.QuarterStat(1, 1, 3, ended=True)
    assert (q.met, q.short, q.state) == (False, 2, "short")
    q = stats.QuarterStat(1, 1, 3, ended=False)
    assert (q.met, q.short, q.state) == (False, 2, "open")


# --- points ------------------------------------------------------------------------------


def test_item_points_default_scoring(tmp_path):
    site = make_site(
        tmp_path,
        {
            "a": brief(
                "town",
                "2026-01-10",
                **{
                    "adopted-by": ["district", {"level": "city", "date": "2026-01-20"}],
                    "instructions": [{"by": "市委副书记", "level": "city"}],
                },
            ),
            "b": brief("town", "2026-01-11", **{"adopted-by": ["province", "media"]}),
            "c": brief("town", "2026-01-12"),
            "n": {"title": "通知", "unit": "dept", "category": "notice", "date": "2026-01-13"},
        },
    )
    # 1 report + district 2 + city 5 + city instruction 5
    assert stats.item_points(site.item("a"), site) == 13
    # 1 + province 10 + media 1
    assert stats.item_points(site.item("b"), site) == 12
    assert stats.item_points(site.item("c"), site) == 1
    assert stats.item_points(site.item("n"), site) == 0  # issued by the office: not a report


def test_item_points_follow_site_toml(tmp_path):
    toml = """
[adoption.city]
points = 6
[scoring]
report = 2
[scoring.instruction]
district = 4
"""
    site = make_site(
        tmp_path,
        {
            "a": brief(
                "town",
                "2026-01-10",
                **{
                    "adopted-by": ["city", "district"],
                    "instructions": [{"by": "区委书记", "level": "district"}],
                },
            )
        },
        toml,
    )
    assert stats.item_points(site.item("a"), site) == 2 + 6 + 2 + 4


def test_issued_categories_are_not_reports(tmp_path):
    site = make_site(
        tmp_path,
        {
            "n": {"title": "通知", "unit": "dept", "category": "notice", "date": "2026-01-13"},
            "s": supervision("2026-01-14", "2026-02-01", ["town"]),
            "c": {
                "title": "表彰",
                "unit": "dept",
                "category": "commendation",
                "date": "2026-01-15",
                "honorees": [{"name": "张三", "kind": "individual"}],
            },
            "r": {"title": "调研", "unit": "dept", "category": "research", "date": "2026-01-16"},
            "e": emergency("dept", "2026-01-17", "08:00", "08:20"),
        },
    )
    assert {i.slug for i in site.items if stats.is_report(i)} == {"r", "e"}


# --- one year of one site ----------------------------------------------------------------


@pytest.fixture
def year_site(tmp_path: Path) -> Site:
    """2026: town (key, quota 9) and street (quota 3) report; dept only issues a notice."""
    items = {
        # town: Q1 3 items, Q2 1 item
        "t1": brief(
            "town",
            "2026-01-05",
            **{
                "adopted-by": ["district", "city"],
                "instructions": [{"by": "市委书记", "level": "city"}],
            },
        ),
        "t2": brief("town", "2026-02-05", **{"adopted-by": ["province"]}),
        "t3": brief("town", "2026-03-31"),
        "t4": brief("town", "2026-04-01", **{"adopted-by": ["district"]}),
        # street: Q1 3 items (meets 3), Q3 1 item
        "s1": brief("street", "2026-01-15", **{"adopted-by": ["media"]}),
        "s2": brief("street", "2026-02-15"),
        "s3": brief("street", "2026-03-15"),
        "s4": brief("street", "2026-07-15"),
        # never counted
        "s5": brief("street", "2026-04-20", status="draft", **{"adopted-by": ["province"]}),
        "s6": brief("street", "2026-04-21", classification="秘密", **{"adopted-by": ["city"]}),
        "n1": {"title": "通知", "unit": "dept", "category": "notice", "date": "2026-02-01"},
        # another year
        "old": brief("street", "2025-06-01", **{"adopted-by": ["city"]}),
    }
    return make_site(tmp_path, items)


TODAY = dt.date(2026, 5, 20)  # Q1 over, Q2 in progress


def test_year_stats_per_unit(year_site):
    ys = stats.year_stats(year_site, 2026, TODAY)
    town = ys.unit("town")
    assert town.reported == 4
    assert dict(town.adopted) == {"district": 2, "city": 1, "province": 1, "media": 0}
    assert town.adopted_items == 3
    assert town.instructions == 1
    # t1: 1+2+5+5, t2: 1+10, t3: 1, t4: 1+2
    assert town.score == 13 + 11 + 1 + 3
    assert [(q.reported, q.quota, q.state) for q in town.quarters] == [
        (3, 9, "short"),
        (1, 9, "open"),
        (0, 9, "open"),
        (0, 9, "open"),
    ]
    street = ys.unit("street")
    assert street.reported == 4  # not the draft, not the withheld item, not 2025
    assert dict(street.adopted) == {"district": 0, "city": 0, "province": 0, "media": 1}
    assert street.score == 2 + 1 + 1 + 1
    assert [(q.reported, q.state, q.short) for q in street.quarters] == [
        (3, "met", 0),
        (0, "open", 3),
        (1, "open", 2),
        (0, "open", 3),
    ]
    dept = ys.unit("dept")
    assert (dept.reported, dept.score, dept.criticism) == (0, 0, ())  # it issued a notice


def test_year_stats_ranks_totals_and_months(year_site):
    ys = stats.year_stats(year_site, 2026, TODAY)
    assert [(u.unit.id, u.rank) for u in ys.units] == [("town", 1), ("street", 2), ("dept", 3)]
    assert [u.unit.id for u in ys.units_in_config_order] == ["town", "street", "dept"]
    assert ys.reported == 8
    assert ys.score == 28 + 5
    assert ys.adopted_items == 4
    assert ys.instructions == 1
    assert ys.adopted_at("district") == 2
    assert ys.months == (2, 2, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0)


def test_quarters_all_ended_for_a_past_year(year_site):
    ys = stats.year_stats(year_site, 2025, TODAY)
    street = ys.unit("street")
    assert [q.state for q in street.quarters] == ["short", "short", "short", "short"]
    assert street.reported == 1 and street.score == 1 + 5


def test_ties_share_rank_in_config_order(tmp_path):
    site = make_site(
        tmp_path,
        {
            "a": brief("dept", "2026-01-01"),
            "b": brief("street", "2026-01-01"),
        },
    )
    ys = stats.year_stats(site, 2026, TODAY)
    assert [(u.unit.id, u.rank) for u in ys.units] == [("street", 1), ("dept", 1), ("town", 3)]


def test_withheld_items_leave_no_trace_in_figures(tmp_path):
    """A site with the classified item removed gives exactly the same figures."""
    items = {
        "s1": brief("street", "2026-01-15", **{"adopted-by": ["media"]}),
        "s6": brief("street", "2026-04-21", classification="绝密", **{"adopted-by": ["city"]}),
    }
    with_secret = make_site(tmp_path / "a", items)
    del items["s6"]
    without = make_site(tmp_path / "b", items)
    a = stats.year_stats(with_secret, 2026, TODAY)
    b = stats.year_stats(without, 2026, TODAY)
    assert a.units == b.units and a.months == b.months


def test_drafts_never_count_even_in_a_drafts_build(tmp_path):
    items = {
        "s1": brief("street", "2026-01-15"),
        "d1": brief("street", "2026-02-15", status="draft", **{"adopted-by": ["province"]}),
        "d2": brief("town", "2027-02-15", status="draft"),
    }
    site = make_site(tmp_path, items, drafts=True)
    assert {i.slug for i in site.items} == {"s1", "d1", "d2"}  # present for the preview
    ys = stats.year_stats(site, 2026, TODAY)
    assert ys.unit("street").reported == 1 and ys.unit("street").score == 1
    assert stats.stats_years(site) == [2026]  # 2027 has only a draft


def test_stats_years_newest_first(year_site):
    assert stats.stats_years(year_site) == [2026, 2025]


# --- emergencies and criticism -----------------------------------------------------------


def test_report_delay_rounds_up_and_limit_is_inclusive(tmp_path):
    site = make_site(
        tmp_path,
        {
            "on": emergency("town", "2026-03-01", "08:00", "09:00"),
            "late": {
                **emergency("street", "2026-03-02", "08:00", "09:00"),
                "reported": "2026-03-02T09:00:30+08:00",
            },
        },
    )
    assert stats.report_delay_minutes(site.item("on")) == 60
    assert not stats.is_late(site.item("on"), site)
    assert stats.report_delay_minutes(site.item("late")) == 61
    assert stats.is_late(site.item("late"), site)


def test_urgent_limit_is_configurable(tmp_path):
    site = make_site(
        tmp_path,
        {"e": emergency("town", "2026-03-01", "08:00", "08:40")},
        "[rules]\nurgent_within_minutes = 30\n",
    )
    assert stats.is_late(site.item("e"), site)


@pytest.fixture
def emergency_site(tmp_path: Path) -> Site:
    return make_site(
        tmp_path,
        {
            # town: first report 90 min late, finalised → late only
            "t1": emergency("town", "2026-03-01", "08:00", "09:30"),
            "t2": follow_up("town", "2026-03-02", "t1", final=True),
            # street: on time, never finalised (a follow-up but no final)
            "s1": emergency("street", "2026-04-01", "10:00", "10:20"),
            "s2": follow_up("street", "2026-04-02", "s1"),
            # street: on time, alone (a thread of one) → also open
            "s3": emergency("street", "2026-06-01", "10:00", "10:05"),
            # dept: first report in Dec 2025, final in Jan 2026 → belongs to 2025
            "d1": emergency("dept", "2025-12-31", "22:00", "22:10"),
            "d2": follow_up("dept", "2026-01-02", "d1", final=True),
            "d3": brief("dept", "2026-02-01"),
        },
    )


def test_emergency_threads_and_open_ones(emergency_site):
    threads = stats.emergency_threads(emergency_site)
    assert [t.root for t in threads] == ["d1", "t1", "s1", "s3"]
    assert [[i.slug for i in t.items] for t in threads] == [
        ["d1", "d2"],
        ["t1", "t2"],
        ["s1", "s2"],
        ["s3"],
    ]
    assert [t.root for t in stats.open_emergencies(emergency_site)] == ["s3", "s1"]


def test_criticism_reasons(emergency_site):
    found = stats.criticism(emergency_site, 2026)
    assert list(found) == ["town", "street"]
    (late,) = found["town"]
    assert (late.code, late.item.slug, late.minutes) == ("late-report", "t1", 90)
    assert [(r.code, r.item.slug) for r in found["street"]] == [
        ("not-finalised", "s1"),
        ("not-finalised", "s3"),
    ]
    # 2025: dept's late-December event was finalised on time; town and street had nothing
    assert {u: [r.code for r in rs] for u, rs in stats.criticism(emergency_site, 2025).items()} == {
        "town": ["no-items"],
        "street": ["no-items"],
    }


def test_repeat_candidates(emergency_site):
    ys = stats.year_stats(emergency_site, 2026, TODAY)
    assert ys.unit("town").repeat and ys.unit("street").repeat  # both named in 2025 too
    assert not ys.unit("dept").repeat
    assert [u.unit.id for u in ys.candidates] == ["town", "street"]
    # the year before the first year with items is unknown: no repeat there
    assert not any(u.repeat for u in stats.year_stats(emergency_site, 2025, TODAY).units)


def test_no_items_reason_for_an_empty_unit(year_site):
    ys = stats.year_stats(year_site, 2025, TODAY)
    assert [r.code for r in ys.unit("town").criticism] == ["no-items"]
    assert [r.code for r in ys.unit("dept").criticism] == ["no-items"]
    assert ys.unit("street").criticism == ()


# --- supervision -------------------------------------------------------------------------


def test_supervision_states(tmp_path):
    site = make_site(
        tmp_path,
        {
            "late": supervision("2026-04-01", "2026-05-19", ["town", "street"]),
            "today": supervision("2026-04-02", "2026-05-20", ["town"]),
            "week": supervision("2026-04-03", "2026-05-27", ["street"]),
            "later": supervision("2026-04-04", "2026-05-28", ["dept"]),
            "done": supervision("2026-01-05", "2026-02-28", ["street"], done="2026-03-03"),
            "early": supervision("2026-01-06", "2026-02-28", ["dept"], done="2026-02-20"),
        },
    )
    entries = stats.supervision(site, TODAY)
    got = [(e.item.slug, e.state, e.days_left, e.days_taken, e.late_by) for e in entries]
    assert got == [
        ("late", "overdue", -1, None, None),
        ("today", "due-soon", 0, None, None),
        ("week", "due-soon", 7, None, None),
        ("later", "open", 8, None, None),
        ("done", "done", None, 57, 3),  # Jan 5 → Mar 3; 3 days after Feb 28
        ("early", "done", None, 45, None),
    ]
    assert entries[0].overdue_days == 1
    by_unit = stats.supervision_by_assignee(entries, site)
    assert [(u.id, [e.item.slug for e in es]) for u, es in by_unit] == [
        ("town", ["late", "today"]),
        ("street", ["late", "week", "done"]),
        ("dept", ["later", "early"]),
    ]


# --- honours and anthology ---------------------------------------------------------------


def test_commendations_and_anthology(tmp_path):
    def research(slug_date: str, excellent: bool, **kw: Any) -> dict[str, Any]:
        return {
            "title": f"调研 {slug_date}",
            "unit": "town",
            "category": "research",
            "date": slug_date,
            "excellent": excellent,
            **kw,
        }

    honour = {
        "unit": "dept",
        "category": "commendation",
        "honorees": [{"name": "甲镇党政办", "unit": "town", "kind": "collective"}],
    }
    site = make_site(
        tmp_path,
        {
            "r1": research("2026-09-01", True),
            "r2": research("2026-03-01", True),
            "r3": research("2026-04-01", False),
            "r4": research("2025-04-01", True),
            "r5": research("2026-05-01", True, status="draft"),
            "c1": {**honour, "title": "表彰一", "date": "2026-01-20"},
            "c2": {**honour, "title": "表彰二", "date": "2025-01-20"},
            "c3": {**honour, "title": "表彰三", "date": "2026-02-20"},
        },
        drafts=True,
    )
    assert {y: [i.slug for i in items] for y, items in stats.anthology(site).items()} == {
        2026: ["r2", "r1"],
        2025: ["r4"],
    }
    assert list(stats.anthology(site)) == [2026, 2025]
    assert [(y, [i.slug for i in items]) for y, items in stats.commendations(site)] == [
        (2026, ["c3", "c1"]),
        (2025, ["c2"]),
    ]


def test_unassessed_unit_is_neither_ranked_nor_criticised(tmp_path: Path) -> None:
    """The office running the system (assessed = false) is left out of quotas and ranks."""
    toml = '[units.office]\nname = "区委办公室"\nkind = "department"\nassessed = false\n'
    site = make_site(
        tmp_path,
        {"a": brief("town", "2026-02-01"), "b": brief("office", "2026-02-02")},
        toml,
    )
    ys = stats.year_stats(site, 2026, dt.date(2026, 12, 31))
    assert [u.unit.id for u in ys.units] == ["town", "street", "dept"]
    assert ys.unit("office") is None
    # street and dept reported nothing: criticised; the office is not, whatever it did
    assert set(stats.criticism(site, 2026)) == {"street", "dept"}
    assert ys.unit("town").rank == 1
