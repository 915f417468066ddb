"""Days, "today", quarters, ordering and feeds follow the site's time zone (issue 12 §4).

"Now" is always fixed; no test depends on the real time of day. Two seams:

* in-process, ``BuildOptions.clock`` (seconds since the epoch, like ``time.time``), which
  ``build``, ``delta`` and the watcher read through ``clock.site_today``;
* the command line in a subprocess with the machine's ``TZ`` set, through a two-line
  wrapper that replaces ``time.time`` before ``bulletin.cli`` is imported. Code that
  reads ``date.today()`` calls ``time.time`` too and gets the fixed instant, but on the
  machine's calendar: that is the fault these tests catch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bulletin.build import BuildOptions, build
from bulletin.watch import Watcher

REPO = Path(__file__).resolve().parent.parent
UTC = dt.UTC
ATOM = "{http://www.w3.org/2005/Atom}"
CLOCK_WRAPPER = (
    "import sys, time\n"
    "now = float(sys.argv.pop(1))\n"
    "time.time = lambda: now\n"
    "from bulletin.cli import main\n"
    "sys.exit(main())\n"
)
UNITS = """
[units.chengguan]
name = "城关镇"
kind = "town"
key = true
"""
SUPERVISION = (
    "---\ntitle: 关于汛前检查的督办\nunit: chengguan\ncategory: supervision\n"
    "date: 2026-04-01\nassignees: [chengguan]\ndue: 2026-04-24\n---\n督办事项。\n"
)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_site(root: Path, items: dict[str, str], toml: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text('title = "时区测试站"\n' + toml + UNITS, encoding="utf-8")
    for rel, text in items.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def item(title: str, date: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\nunit: chengguan\ncategory: briefing\ndate: {date}\n{extra}---\n正文。\n"


def run_at(instant: dt.datetime, tz: str, *args: object) -> subprocess.CompletedProcess[str]:
    """``bulletin ARGS`` on a machine whose zone is ``tz`` at the moment ``instant``."""
    env = {**os.environ, "TZ": tz, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-c", CLOCK_WRAPPER, repr(instant.timestamp()), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# --- bulletin new --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        # 21:00 in Beijing: already the next day in Auckland
        (utc("2026-04-24T13:00:00"), "Pacific/Auckland", "2026-04-24"),
        (utc("2026-04-24T13:00:00"), "UTC", "2026-04-24"),
        # 01:30 and 07:30 in Beijing: a UTC (or American) server is still on the day before
        (utc("2026-04-24T17:30:00"), "UTC", "2026-04-25"),
        (utc("2026-04-23T23:30:00"), "America/Los_Angeles", "2026-04-24"),
    ],
    ids=["21h-auckland", "21h-utc", "01h30-utc", "07h30-los-angeles"],
)
def test_new_writes_the_site_date_whatever_the_machine_zone(
    tmp_path: Path, instant: dt.datetime, tz: str, expected: str
) -> None:
    site = make_site(tmp_path / "site", {})
    proc = run_at(instant, tz, "new", "briefing", site, "--unit", "chengguan", "--title", "防汛")
    assert proc.returncode == 0, proc.stderr
    rel = proc.stdout.strip()
    assert rel == f"content/chengguan/{expected}-防汛.md"
    assert f"\ndate: {expected}\n" in (site / rel).read_text("utf-8")


def test_new_emergency_times_carry_the_site_offset(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {}, 'timezone = "Pacific/Auckland"\n')
    # 01:00 on 25 April in Auckland (NZST, +12:00); 21:00 on the 24th on this machine
    proc = run_at(
        utc("2026-04-24T13:00:00"), "Asia/Shanghai", "new", "emergency", site, "--unit",
        "chengguan", "--title", "火情",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = (site / proc.stdout.strip()).read_text("utf-8")
    assert "\ndate: 2026-04-25\n" in text
    assert "\noccurred: 2026-04-25T00:00:00+12:00\nreported: 2026-04-25T00:00:00+12:00\n" in text
    assert run_at(utc("2026-04-24T13:00:00"), "UTC", "check", site).returncode == 0


# --- supervision: open, due soon, overdue --------------------------------------------------


def supervision_state(public: Path) -> str:
    html = (public / "supervision" / "index.html").read_text("utf-8")
    states = re.findall(r'<tr class="sv-([a-z-]+)">', html)
    assert len(states) == 1, states
    return states[0]


@pytest.mark.parametrize(
    ("instant", "tz", "state"),
    [
        (utc("2026-04-24T13:00:00"), "Pacific/Auckland", "due-soon"),  # 21:00 on the due day
        (utc("2026-04-24T15:59:59"), "UTC", "due-soon"),  # 23:59:59 on the due day
        (utc("2026-04-24T16:30:00"), "UTC", "overdue"),  # 00:30 the day after
        (utc("2026-04-16T16:30:00"), "UTC", "due-soon"),  # 00:30 on the 17th: 7 days left
        (utc("2026-04-16T15:30:00"), "Pacific/Auckland", "open"),  # 23:30 on the 16th: 8 left
        (utc("2026-04-17T00:30:00"), "America/Los_Angeles", "due-soon"),  # 08:30 on the 17th
    ],
)
def test_supervision_states_follow_the_site_day(
    tmp_path: Path, instant: dt.datetime, tz: str, state: str
) -> None:
    site = make_site(tmp_path / "site", {"chengguan/2026-04-01-dubang.md": SUPERVISION})
    proc = run_at(instant, tz, "build", site, "--no-search")
    assert proc.returncode == 0, proc.stderr
    assert supervision_state(site / "public") == state
    home = (site / "public" / "index.html").read_text("utf-8")
    assert ('id="overdue-h"' in home) == (state == "overdue")  # the home page's list


def test_injected_clock_decides_overdue_to_the_second(tmp_path: Path) -> None:
    """The in-process seam: ``BuildOptions.clock``; overdue starts at the site's midnight."""
    site = make_site(tmp_path / "site", {"chengguan/2026-04-01-dubang.md": SUPERVISION})
    for instant, state in (
        (utc("2026-04-24T15:59:59"), "due-soon"),  # 23:59:59 in Beijing on the due day
        (utc("2026-04-24T16:00:00"), "overdue"),  # midnight in Beijing
    ):
        seconds = instant.timestamp()
        result = build(site, BuildOptions(clock=lambda s=seconds: s, search=False, jobs=1))
        assert result.ok, [d.format() for d in result.diagnostics]
        assert supervision_state(site / "public") == state


# --- calendar days, quarters and "today" in stats ------------------------------------------


def test_offset_times_count_on_the_site_calendar_day_and_quarter(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "site",
        {
            # 1 April 01:00 in Beijing: Q2, although written on 31 March UTC
            "chengguan/z.md": item("UTC时间写的信息", "2026-03-31T17:00:00Z"),
            # no offset: Beijing time, 31 March: Q1
            "chengguan/n.md": item("北京时间写的信息", "2026-03-31T23:30:00"),
            # the year boundary: 1 January 2026 00:30 in Beijing
            "chengguan/y.md": item("跨年信息", '"2025-12-31T16:30:00+00:00"'),
        },
    )
    # 00:30 on 1 April in Beijing; 16:30 on 31 March on this UTC machine
    proc = run_at(utc("2026-03-31T16:30:00"), "UTC", "stats", site, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.lstrip("\ufeff"))
    assert data["year"] == 2026 and data["as_of"] == "2026-04-01"
    quarters = data["units"][0]["quarters"]
    assert [q["reported"] for q in quarters] == [2, 1, 0, 0]
    assert [q["ended"] for q in quarters] == [True, False, False, False]
    build_proc = run_at(utc("2026-03-31T16:30:00"), "UTC", "build", site, "--no-search")
    assert build_proc.returncode == 0, build_proc.stderr
    page = (site / "public" / "items" / "z" / "index.html").read_text("utf-8")
    assert '<time datetime="2026-04-01">2026年4月1日</time>' in page
    assert (site / "public" / "stats" / "2026" / "index.html").is_file()
    assert not (site / "public" / "stats" / "2025" / "index.html").exists()


# --- ordering: home page and feeds agree -----------------------------------------------------


ORDER_ITEMS = {
    # newest first: 1 April 01:00, 1 April (a date: its start), 31 March 20:00 -- Beijing
    "chengguan/x.md": item("甲UTC凌晨一点", "2026-03-31T17:00:00Z"),
    "chengguan/z.md": item("丙只写日期", "2026-04-01"),
    "chengguan/y.md": item("乙北京晚八点", "2026-03-31T20:00:00+08:00"),
}


def home_order(public: Path, titles: list[str]) -> list[str]:
    home = (public / "index.html").read_text("utf-8")
    return sorted(titles, key=home.index)


def feed_entries(public: Path, path: str = "feed.xml") -> list[tuple[str, str]]:
    root = ET.fromstring((public / path).read_bytes())
    return [
        (e.findtext(f"{ATOM}title") or "", e.findtext(f"{ATOM}updated") or "")
        for e in root.iter(f"{ATOM}entry")
    ]


def test_home_page_and_feed_agree_on_order_by_instant(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", ORDER_ITEMS)
    result = build(site, BuildOptions(today=dt.date(2026, 4, 2), search=False, jobs=1))
    assert result.ok, [d.format() for d in result.diagnostics]
    public = site / "public"
    titles = ["甲UTC凌晨一点", "丙只写日期", "乙北京晚八点"]
    assert feed_entries(public) == [
        ("甲UTC凌晨一点", "2026-04-01T01:00:00+08:00"),
        ("丙只写日期", "2026-04-01T00:00:00+08:00"),
        ("乙北京晚八点", "2026-03-31T20:00:00+08:00"),
    ]
    assert home_order(public, titles) == titles
    assert [t for t, _ in feed_entries(public, "units/chengguan/feed.xml")] == titles
    unit_page = (public / "units" / "chengguan" / "index.html").read_text("utf-8")
    assert sorted(titles, key=unit_page.index) == titles


def test_feeds_use_the_offset_of_the_site_zone(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", ORDER_ITEMS, 'timezone = "Pacific/Auckland"\n')
    result = build(site, BuildOptions(today=dt.date(2026, 4, 2), search=False, jobs=1))
    assert result.ok, [d.format() for d in result.diagnostics]
    public = site / "public"
    # Auckland keeps daylight time (+13:00) until 5 April 2026; a plain date starts at
    # Auckland's midnight, so here it is the oldest of the three
    assert feed_entries(public) == [
        ("甲UTC凌晨一点", "2026-04-01T06:00:00+13:00"),
        ("乙北京晚八点", "2026-04-01T01:00:00+13:00"),
        ("丙只写日期", "2026-04-01T00:00:00+13:00"),
    ]
    assert home_order(public, ["甲UTC凌晨一点", "乙北京晚八点", "丙只写日期"]) == [
        "甲UTC凌晨一点",
        "乙北京晚八点",
        "丙只写日期",
    ]
    page = (public / "items" / "y" / "index.html").read_text("utf-8")
    assert '<time datetime="2026-04-01">2026年4月1日</time>' in page


# --- the watcher's new day -------------------------------------------------------------------


def test_watcher_rebuilds_at_the_site_midnight(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"chengguan/2026-04-01-dubang.md": SUPERVISION})
    now = [utc("2026-04-24T15:59:58").timestamp()]  # 23:59:58 in Beijing on the due day
    options = BuildOptions(output=tmp_path / "out", clock=lambda: now[0], search=False, jobs=1)
    watcher = Watcher(site, options, debounce=0.05)
    with watcher:
        assert watcher.wait_for_builds(1, 60)
        assert supervision_state(tmp_path / "out") == "due-soon"
        now[0] = utc("2026-04-24T16:00:30").timestamp()  # 00:00:30 in Beijing: a new day
        assert watcher.wait_for_builds(2, 60)
        assert watcher.wait_idle(60)
        last = watcher.last
        assert last is not None and [c.kind for c in last.changes] == ["new day"]
        assert supervision_state(tmp_path / "out") == "overdue"
