"""Bulletin issues (期) and quarterly circulars: adoption counted once in every figure,
withheld and draft issues, rebuilds after an issue edit, and ``bulletin new-issue``.

The fixture site below is small enough to count by hand:

    unit  item  date        own adopted-by  in issues                    adoptions
    A     a1    2026-02-01  district        No.1 (02-15), No.2 (04-10)   district (No.1), 1×
    A     a2    2026-02-10  city            No.1                          district (No.1), city
    A     a3    2026-03-01  -               withheld No.4 only            none
    B     b1    2026-04-05  -               No.2, draft No.3              district (No.2)
    B     b2    2026-05-01  (draft item)    -                             not counted

Scores (report 1, district 2, city 5): A = 3 + 2×2 + 5 = 12; B = 1 + 2 = 3.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from bulletin.build import BuildOptions, build, load_site
from bulletin.cli import main
from bulletin.config import load_config
from bulletin.search.query import SearchIndex

SITE_TOML = """title = "测试站点"
today = 2026-06-30
region = "测试区"
publisher = "中共测试区委办公室"

[units.a]
name = "甲镇"
kind = "town"
key = true

[units.b]
name = "乙街道"
kind = "street"
key = false

[bulletins.qs]
name = "测试信息"
publisher = "中共测试区委办公室"
level = "district"
distribution = { report = ["市委办公室"], send = ["区委领导"], distribute = ["各镇街"] }
"""

ITEMS = {
    "a/a1.md": ("甲镇春耕备耕", "a", "2026-02-01", "adopted-by: [district]\n"),
    "a/a2.md": ("甲镇防汛物资储备", "a", "2026-02-10", "adopted-by: [city]\n"),
    "a/a3.md": ("甲镇秸秆综合利用", "a", "2026-03-01", ""),
    "b/b1.md": ("乙街道议事会制度", "b", "2026-04-05", ""),
    "b/b2.md": ("乙街道供暖排查", "b", "2026-05-01", "status: draft\n"),
}


def issue(number: int, date: str, slugs: list[str], extra: str = "", body: str = "") -> str:
    entries = "".join(f"  - {s}\n" for s in slugs)
    return (
        f"---\nbulletin: qs\nnumber: {number}\ndate: {date}\nsigned-by: 王建国\n{extra}"
        f"items:\n{entries}---\n{body}"
    )


ISSUES = {
    "qs/2026-001.md": issue(1, "2026-02-15", ["a1", "a2"], body="各地要学习借鉴。\n"),
    "qs/2026-002.md": issue(2, "2026-04-10", ["b1", "a1"], "title: 基层治理专刊\ncopies: 30\n"),
    "qs/2026-003.md": issue(3, "2026-05-05", ["b1"], "status: draft\n"),
    "qs/2026-004.md": issue(4, "2026-03-05", ["a3"], "title: 甲镇机密专报\nclassification: 机密\n"),
}


def make_site(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for rel, (title, unit, date, extra) in ITEMS.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\ntitle: {title}\nunit: {unit}\ncategory: briefing\ndate: {date}\n{extra}---\n"
            f"{title}的正文。\n",
            encoding="utf-8",
        )
    for rel, text in ISSUES.items():
        path = root / "content" / "issues" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("issues") / "site")
    result = build(root, BuildOptions(output=root / "public"))
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def test_adoption_from_issues_in_the_model_is_counted_once(tmp_path: Path) -> None:
    site, problems = load_site(load_config(make_site(tmp_path)))
    assert not [d for d in problems if d.is_error]
    levels = {i.slug: [(a.level.id, a.by) for a in i.adoptions] for i in site.items}
    assert levels["a1"] == [("district", "《测试信息》2026年第1期")]
    assert levels["a2"] == [("district", "《测试信息》2026年第1期"), ("city", None)]
    assert levels["a3"] == []  # only in a withheld issue
    assert levels["b1"] == [("district", "《测试信息》2026年第2期")]  # not the draft No.3
    assert [i.label for i in site.item("a1").issues] == [  # type: ignore[union-attr]
        "《测试信息》2026年第1期",
        "《测试信息》2026年第2期",
    ]
    assert [(i.number, i.title) for i in site.issues] == [(1, None), (2, "基层治理专刊")]


def test_every_figure_agrees_with_the_hand_counts(built: Path) -> None:
    data = json.loads(read(built, "stats/2026.json"))
    units = {u["id"]: u for u in data["units"]}
    assert units["a"]["reported"] == 3 and units["b"]["reported"] == 1
    assert units["a"]["adopted"] == {"district": 2, "city": 1, "province": 0, "media": 0}
    assert units["b"]["adopted"] == {"district": 1, "city": 0, "province": 0, "media": 0}
    assert (units["a"]["score"], units["b"]["score"]) == (12, 3)
    assert units["a"]["adopted_items"] == 2 and units["b"]["adopted_items"] == 1
    assert data["totals"]["adopted"]["district"] == 3
    rows = list(csv.reader(io.StringIO(read(built, "stats/2026.csv").lstrip("\ufeff"))))
    header, by_id = rows[0], {r[1]: r for r in rows[1:]}
    district = header.index("被采用-区委")
    assert (by_id["a"][district], by_id["b"][district]) == ("2", "1")
    assert by_id["a"][header.index("积分")] == "12"
    # the unit dashboard, the ranking and the adopted-at-level list
    dashboard = read(built, "units/a/index.html")
    assert "<dt>被区委采用</dt><dd>2</dd>" in dashboard and "<dt>积分</dt><dd>12</dd>" in dashboard
    ranking = read(built, "stats/2026/index.html")
    assert '<a href="/units/a/">甲镇</a>' in ranking and "<strong>12</strong>" in ranking
    adopted = read(built, "adopted/district/index.html")
    assert all(t in adopted for t in ("甲镇春耕备耕", "甲镇防汛物资储备", "乙街道议事会制度"))
    assert "甲镇秸秆综合利用" not in adopted
    # the item page: one 区委 adoption, linked to its issue; the second issue listed too
    page = read(built, "items/a1/index.html")
    assert page.count("被区委采用") == 1
    assert '<a href="/issues/qs/2026/1/">《测试信息》2026年第1期</a>' in page
    assert '<a href="/issues/qs/2026/2/">《测试信息》2026年第2期</a>（基层治理专刊）' in page
    # the feed and the search filter data
    feed = read(built, "feed.xml")
    assert feed.count('term="adopted-district"') == 3
    index = SearchIndex(built / "search-index")
    assert len(index.search("乙街道", level="district").ids) == 1
    assert len(index.search("甲镇", level="district").ids) == 2
    # the quarter's circular
    q1 = read(built, "stats/2026/q1/index.html")
    assert "关于2026年第一季度测试区信息报送采用情况的通报" in q1
    assert '<a href="/issues/qs/2026/1/">《测试信息》2026年第1期</a>' in q1


def test_withheld_and_draft_issues_leave_no_trace(built: Path, tmp_path: Path) -> None:
    paths = [p.relative_to(built).as_posix() for p in built.rglob("*")]
    assert "issues/qs/2026/1/index.html" in paths and "issues/qs/2026/2/index.html" in paths
    assert not any(p.startswith(("issues/qs/2026/3", "issues/qs/2026/4")) for p in paths)
    for path in built.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert "甲镇机密专报".encode() not in data, path
            assert "2026年第4期".encode() not in data, path
            assert "2026年第3期".encode() not in data, path
    # a --drafts preview shows the draft issue, marked, and still counts nothing from it
    root = make_site(tmp_path / "site")
    result = build(root, BuildOptions(output=root / "public", drafts=True, search=False))
    assert result.ok
    draft = read(root / "public", "issues/qs/2026/3/index.html")
    assert "草稿" in draft
    data = json.loads(read(root / "public", "stats/2026.json"))
    assert {u["id"]: u["adopted"]["district"] for u in data["units"]} == {"a": 2, "b": 1}


def test_a_quarter_in_progress_is_marked_and_draws_no_future_months(built: Path) -> None:
    # today (2026-06-30) is Q2's last day: the quarter is over only when the day is
    q2 = read(built, "stats/2026/q2/index.html")
    assert "本季度尚未结束，数据统计截至2026年6月30日" in q2
    assert "进行中" in q2 and "差" in q2
    q1 = read(built, "stats/2026/q1/index.html")
    assert "本季度尚未结束" not in q1
    assert "乙街道（差3条）" in q1  # Q1 is over: B reported nothing in it


def test_quarter_in_progress_on_an_earlier_day(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    out = root / "public"
    assert build(root, BuildOptions(output=out, today=__import__("datetime").date(2026, 5, 3))).ok
    q2 = read(out, "stats/2026/q2/index.html")
    assert "本季度尚未结束，数据统计截至2026年5月3日" in q2
    assert "4月 1 · 5月 0" in q2 and "6月" not in q2.split("各月报送")[1].split("</p>")[0]
    assert not (out / "stats/2026/q3").exists()
    stats_page = read(out, "stats/2026/index.html")
    assert '<a href="/stats/2026/q2/">第二季度</a>' in stats_page
    assert "/stats/2026/q3/" not in stats_page


def test_editing_an_issue_rebuilds_what_it_shows(tmp_path: Path) -> None:
    """An issue edit changes item pages, lists and figures: incremental = clean."""
    root = make_site(tmp_path / "site")
    out = root / "public"
    assert build(root, BuildOptions(output=out, search=False)).ok
    path = root / "content/issues/qs/2026-002.md"
    path.write_text(issue(2, "2026-04-10", ["b1", "a3"]), encoding="utf-8")
    assert build(root, BuildOptions(output=out, search=False)).ok
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("public", ".bulletin-cache"))
    assert build(clean, BuildOptions(output=clean / "public", search=False, cache=False)).ok
    for p in (clean / "public").rglob("*"):
        if p.is_file():
            rel = p.relative_to(clean / "public")
            assert (out / rel).read_bytes() == p.read_bytes(), rel
    assert "《测试信息》2026年第2期" in read(out, "items/a3/index.html")


def test_new_issue_proposes_the_items_not_yet_in_an_issue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(tmp_path / "site")
    assert main(["new-issue", "qs", str(root), "--date", "2026-06-20"]) == 0
    rel = capsys.readouterr().out.strip()
    assert rel == "content/issues/qs/2026-005.md"
    text = (root / rel).read_text(encoding="utf-8")
    assert "number: 5\n" in text and "date: 2026-06-20\n" in text
    assert "signed-by: 王建国\n" in text and "status: draft" in text
    # since the previous issue (No.3, 05-05): a3 is only in a withheld issue of its own
    # date 03-01, so nothing reported since then is free except none; b2 is a draft
    assert "# - b1" not in text and "# - b2" not in text
    assert build(root, BuildOptions(output=root / "public", search=False)).ok
    # a second run takes the next number, an explicit used number is refused
    assert main(["new-issue", "qs", str(root), "--date", "2026-06-21"]) == 0
    assert main(["new-issue", "qs", str(root), "--number", "2", "--date", "2026-06-21"]) == 1
    assert "《测试信息》2026年第2期已经是" in capsys.readouterr().err
    assert main(["new-issue", "qx", str(root)]) == 2


def test_new_issue_lists_items_reported_since_the_previous_issue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(tmp_path / "site")
    (root / "content/issues/qs/2026-003.md").unlink()  # previous issue: No.2 of 04-10
    new = root / "content/a/a4.md"
    new.write_text(
        "---\ntitle: 甲镇夏粮收购\nunit: a\ncategory: briefing\ndate: 2026-06-02\n---\n正文。\n",
        encoding="utf-8",
    )
    assert main(["new-issue", "qs", str(root), "--date", "2026-06-20"]) == 0
    text = (root / capsys.readouterr().out.strip()).read_text(encoding="utf-8")
    assert "  # - a4    # 甲镇夏粮收购（甲镇，2026-06-02）" in text
    assert "# - b1" not in text  # already in No.2
    assert "number: 5\n" in text  # No.4 is withheld, but its number is taken


def test_new_issue_file_builds_once_items_are_chosen(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    assert main(["new-issue", "qs", str(root), "--date", "2026-06-20"]) == 0
    path = root / "content/issues/qs/2026-005.md"
    text = (
        path.read_text(encoding="utf-8")
        .replace("status: draft", "")
        .replace("items:\n", "items:\n  - a3\n")
    )
    path.write_text(text, encoding="utf-8")
    assert build(root, BuildOptions(output=root / "public", search=False)).ok
    assert (root / "public/issues/qs/2026/5/index.html").is_file()
    assert os.path.exists(root / "public/items/a3/index.html")


def test_links_in_an_editors_note_lead_to_the_items(tmp_path: Path) -> None:
    """An editor's note links to item files as an item body does: to the item's page."""
    root = make_site(tmp_path / "site")
    note = "各地要学习借鉴[甲镇的做法](../../a/a2.md#做法)。\n"
    path = root / "content/issues/qs/2026-001.md"
    path.write_text(issue(1, "2026-02-15", ["a1", "a2"], body=note), encoding="utf-8")
    out = root / "public"
    result = build(root, BuildOptions(output=out, search=False))
    assert result.ok, [d.format() for d in result.diagnostics]
    page = read(out, "issues/qs/2026/1/index.html")
    assert '<a href="/items/a2/#%E5%81%9A%E6%B3%95">甲镇的做法</a>' in page


# 2026-03-31 17:00 UTC: already 1 April (Q2) in Beijing, still 31 March (Q1) in New York
INSTANT = dt.datetime(2026, 3, 31, 17, 0, tzinfo=dt.UTC).timestamp()
ZONES = [("Asia/Shanghai", dt.date(2026, 4, 1)), ("America/New_York", dt.date(2026, 3, 31))]


def clocked_site(root: Path, zone: str) -> Path:
    """The fixture site without a fixed ``today``, in ``zone``: "today" is the clock's."""
    make_site(root)
    toml = root / "site.toml"
    text = toml.read_text("utf-8").replace("today = 2026-06-30\n", f'timezone = "{zone}"\n')
    toml.write_text(text, "utf-8")
    return root


@pytest.mark.parametrize(("zone", "today"), ZONES)
def test_circular_quarters_follow_the_site_clock(tmp_path: Path, zone: str, today: dt.date) -> None:
    """Whether a quarter has begun, or is still in progress, is the site's calendar's
    question, not the machine's."""
    root = clocked_site(tmp_path / "site", zone)
    out = root / "public"
    options = BuildOptions(output=out, search=False, clock=lambda: INSTANT)
    result = build(root, options)
    assert result.ok, [d.format() for d in result.diagnostics]
    q2_begun = today.month == 4
    assert (out / "stats/2026/q2/index.html").is_file() == q2_begun
    q1 = read(out, "stats/2026/q1/index.html")
    assert ('class="in-progress"' in q1) == (not q2_begun)


@pytest.mark.parametrize(("zone", "today"), ZONES)
def test_new_issue_is_dated_today_on_the_site_calendar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str, today: dt.date
) -> None:
    """``bulletin new-issue`` without --date dates the issue on the site's calendar."""
    import time

    root = clocked_site(tmp_path / "site", zone)
    monkeypatch.setattr(time, "time", lambda: INSTANT)
    assert main(["new-issue", "qs", str(root)]) == 0
    files = sorted((root / "content/issues/qs").glob("2026-*.md"))
    written = files[-1]
    assert f"date: {today.isoformat()}\n" in written.read_text("utf-8")


def test_an_issue_dated_with_a_time_of_day_is_on_the_site_calendar(tmp_path: Path) -> None:
    """date: 2026-12-31T17:00:00Z is 1 January 2027 in Beijing: the issue is No.1 of 2027
    (numbers are unique per bulletin and year), dated so, at /issues/qs/2027/1/."""
    root = make_site(tmp_path / "site")
    toml = root / "site.toml"
    toml.write_text(toml.read_text("utf-8").replace("2026-06-30", "2027-01-05"), "utf-8")
    path = root / "content/issues/qs/2027-001.md"
    path.write_text(issue(1, "2026-12-31T17:00:00Z", ["a1", "b1"]), encoding="utf-8")
    out = root / "public"
    result = build(root, BuildOptions(output=out, search=False))
    assert result.ok, [d.format() for d in result.diagnostics]
    page = read(out, "issues/qs/2027/1/index.html")
    assert '<time datetime="2027-01-01">2027年1月1日</time>' in page
    assert "《测试信息》2027年第1期" in read(out, "items/b1/index.html")
    assert (out / "issues/qs/2026/1/index.html").is_file()  # 2026's No.1 is another issue
