"""Rule pages and exports of the fixture site ``tests/sites/rules`` (today = 2026-05-20).

Hand count of the fixture (see its content/ directory):

2026   reported  district city province media  instr  score            Q1   Q2..Q4
alpha  5 (a1-a5)     1      1     1      0      1   13+11+1+1+1 = 27   3/3  2/3, 0, 0
beta   4 (b1-b4)     0      1     0      1      1   2+9+1+1     = 13   4/2  0, 0, 0
gamma  0, delta 0, office 0 (only issued documents)                     0    ...
b5 is a draft, b6 is classified (秘密): neither counts. Ranks: alpha 1, beta 2, the rest 3.
Criticism 2026: alpha — late first report a4 (90 min) and thread a4 never finalised,
named in 2025 too (a0 never finalised) → repeat; gamma — no item; delta — no item, repeat.

Golden files hold the ``<main>`` element of the stats and unit pages (the site header and
footer belong to base.html, tested elsewhere). After an intended change, regenerate with

    BULLETIN_UPDATE_GOLDEN=1 python -m pytest tests/test_reports.py

and review the diff of ``tests/sites/rules/expected/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bulletin import content, model, stats, templates
from bulletin.config import load_config
from bulletin.model import Site
from bulletin.plan import pages, reports

SITE = Path(__file__).parent / "sites" / "rules"
EXPECTED = SITE / "expected"
UPDATE = os.environ.get("BULLETIN_UPDATE_GOLDEN") == "1"
TODAY = dt.date(2026, 5, 20)
SECRET_TITLE = "乙街道涉密信息绝不外泄"
SECRET_SLUG = "2026-05-02-b6-secret"
DRAFT_TITLE = "乙街道草稿信息不应计入"
GOLDEN = [
    "stats/index.html",
    "stats/2026/index.html",
    "stats/2025/index.html",
    "units/alpha/index.html",
    "units/beta/index.html",
    "units/gamma/index.html",
]


def load_site(root: Path = SITE, *, drafts: bool = False) -> Site:
    config = load_config(root)
    files, problems = content.discover(config)
    sources = []
    for path, rel in files:
        result = content.read_item(path.read_bytes(), rel, config)
        problems += list(result.diagnostics)
        if result.item is not None:
            sources.append(result.item)
    site, _withheld, more = model.build_site(config, sources, drafts=drafts)
    problems += more
    assert not [p for p in problems if p.is_error], [p.format("en") for p in problems]
    return site


def render_all(site: Site, today: dt.date = TODAY) -> dict[str, bytes]:
    """Every planned page rendered, without the build pipeline: path → bytes."""
    env = templates.make_environment(site.config)
    out = {}
    for page in pages.plan_pages(site, today):
        if page.data is not None:
            out[page.path] = page.make_data()
        elif page.template == "search.html":
            continue  # written by another module; not part of these rules
        else:
            context = {"site": site, "today": today, **page.make_context()}
            out[page.path] = templates.render(env, page.template, context, site.config).encode()
    return out


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site()


@pytest.fixture(scope="module")
def built(site: Site) -> dict[str, bytes]:
    return render_all(site)


def html(built: dict[str, bytes], path: str) -> str:
    return built[path].decode("utf-8")


def main_of(page: str) -> str:
    match = re.search(r"<main\b.*?</main>", page, re.S)
    assert match, "page has no <main>"
    return match.group(0) + "\n"


# --- the plan ----------------------------------------------------------------------------


def test_rule_pages_are_planned(built):
    for path in [
        "stats/index.html",
        "stats/2026/index.html",
        "stats/2025/index.html",
        "stats/2026.json",
        "stats/2026.csv",
        "stats/2025.json",
        "stats/2025.csv",
        "supervision/index.html",
        "commendations/index.html",
        "anthology/index.html",
        "anthology/2026/index.html",
        "feed.xml",
        "units/alpha/feed.xml",
        "units/delta/feed.xml",
        "categories/emergency/feed.xml",
    ]:
        assert path in built, path
    assert "anthology/2025/index.html" not in built  # no excellent report in 2025


def test_rule_pages_depend_on_the_figures_they_show(site):
    """Rule pages are made from figures of the whole site (plan/deps.py): a year's
    statistics from that year's figures and the year before's (repeat marks), the board
    and the honour rolls from theirs, a unit's dashboard from this year's."""
    for page in pages.plan_pages(site, TODAY):
        if page.kind in {"stats", "stats-json", "stats-csv"} and page.path != "stats/index.html":
            year = int(page.path.split("/")[1].split(".")[0])
            assert {"stats-years", f"stats:{year}", f"stats:{year - 1}"} <= set(page.deps)
        elif page.kind == "supervision":
            assert page.deps == ("supervision",)
        elif page.kind == "commendations":
            assert page.deps == ("commendations",)
        elif page.kind == "unit":
            assert f"stats:{TODAY.year}" in page.deps, page.path
            shown = site.items_of_unit(page.path.split("/")[1])
            assert [d for d in page.deps if d.startswith("card:")] == [
                f"card:{i.slug}" for i in shown
            ]


def test_output_is_deterministic(site, built):
    assert render_all(load_site()) == built


def test_nothing_withheld_or_drafted_leaks(built):
    for path, data in built.items():
        text = data.decode("utf-8-sig")
        assert SECRET_TITLE not in text, path
        assert SECRET_SLUG not in text and SECRET_SLUG not in path, path
        assert DRAFT_TITLE not in text, path


def test_drafts_build_changes_no_figure_and_lists_no_draft(site, built):
    preview = render_all(load_site(drafts=True))
    for path in ["stats/2026.json", "stats/2026.csv", "supervision/index.html", "feed.xml"]:
        assert preview[path] == built[path], path
    assert DRAFT_TITLE not in preview["stats/2026/index.html"].decode()


# --- JSON and CSV exports against the hand count -----------------------------------------


def test_json_export_2026(built):
    data = json.loads(built["stats/2026.json"])
    assert data["year"] == 2026 and data["as_of"] == "2026-05-20"
    units = {u["id"]: u for u in data["units"]}
    assert [u["id"] for u in data["units"]] == ["alpha", "beta", "gamma", "delta", "office"]
    alpha = units["alpha"]
    assert {k: alpha[k] for k in ("name", "key", "reported", "instructions", "score", "rank")} == {
        "name": "甲镇",
        "key": True,
        "reported": 5,
        "instructions": 1,
        "score": 27,
        "rank": 1,
    }
    assert alpha["adopted"] == {"district": 1, "city": 1, "province": 1, "media": 0}
    assert [(q["quarter"], q["reported"], q["quota"], q["met"]) for q in alpha["quarters"]] == [
        (1, 3, 3, True),
        (2, 2, 3, False),
        (3, 0, 3, False),
        (4, 0, 3, False),
    ]
    assert [q["state"] for q in alpha["quarters"]] == ["met", "open", "open", "open"]
    assert [(c["code"], c["item"]["slug"]) for c in alpha["criticism"]] == [
        ("late-report", "2026-04-02-a4-huozai-first"),
        ("not-finalised", "2026-04-02-a4-huozai-first"),
    ]
    assert "1小时30分钟" in alpha["criticism"][0]["text"]
    assert alpha["repeat"] is True
    beta = units["beta"]
    assert (beta["reported"], beta["score"], beta["rank"], beta["key"]) == (4, 13, 2, False)
    assert beta["adopted"] == {"district": 0, "city": 1, "province": 0, "media": 1}
    assert [q["reported"] for q in beta["quarters"]] == [4, 0, 0, 0]
    assert beta["quarters"][0]["met"] and beta["criticism"] == []
    for uid in ("gamma", "delta", "office"):
        assert (units[uid]["reported"], units[uid]["score"], units[uid]["rank"]) == (0, 0, 3)
    assert [c["code"] for c in units["gamma"]["criticism"]] == ["no-items"]
    assert units["delta"]["repeat"] and not units["gamma"]["repeat"]
    assert units["office"]["criticism"] == []  # it issued documents: it had items
    assert data["totals"] == {
        "reported": 9,
        "adopted": {"district": 1, "city": 2, "province": 1, "media": 1},
        "adopted_items": 4,
        "instructions": 2,
        "score": 40,
    }
    assert data["months"] == [2, 1, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0]
    assert data["rules"]["quota"] == {"key": 3, "regular": 2}


def test_json_export_2025(built):
    data = json.loads(built["stats/2025.json"])
    ranks = {u["id"]: (u["rank"], u["score"], u["reported"]) for u in data["units"]}
    assert ranks == {
        "gamma": (1, 3, 1),
        "alpha": (2, 1, 1),
        "beta": (3, 0, 0),
        "delta": (3, 0, 0),
        "office": (3, 0, 0),
    }
    crit = {u["id"]: [c["code"] for c in u["criticism"]] for u in data["units"] if u["criticism"]}
    assert crit == {
        "alpha": ["not-finalised"],
        "beta": ["no-items"],
        "delta": ["no-items"],
        "office": ["no-items"],
    }
    assert all(q["ended"] for u in data["units"] for q in u["quarters"])


def test_csv_export(built):
    raw = built["stats/2026.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    assert b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["排名", "单位编号", "单位", "单位类型", "重点单位", "报送"]
    assert len(body) == 5 and all(len(r) == len(header) for r in body)
    alpha = dict(zip(header, body[0], strict=True))
    assert alpha["单位编号"] == "alpha" and alpha["排名"] == "1"
    assert alpha["报送"] == "5" and alpha["积分"] == "27" and alpha["批示"] == "1"
    assert alpha["被采用-区委"] == "1" and alpha["被采用-省委"] == "1"
    assert alpha["一季度报送"] == "3" and alpha["一季度达标"] == "达标"
    assert alpha["二季度达标"] == "进行中，差1条"
    assert "迟报" in alpha["通报批评候选单位"] and "书面检查" in alpha["通报批评候选单位"]
    gamma = dict(zip(header, body[2], strict=True))
    assert gamma["单位编号"] == "gamma" and gamma["一季度达标"] == "差2条"
    assert gamma["通报批评候选单位"] == "全年未报送信息，积分为零"


def test_exports_agree_with_the_module(site, built):
    ys = stats.year_stats(site, 2026, TODAY)
    assert json.loads(built["stats/2026.json"]) == reports.stats_data(ys, site)
    assert built["stats/2026.csv"] == reports.stats_csv(ys, site)


# --- HTML pages --------------------------------------------------------------------------


@pytest.mark.parametrize("path", GOLDEN)
def test_golden_html(built, path):
    got = main_of(html(built, path))
    expected = EXPECTED / path
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(got, encoding="utf-8")
    assert expected.is_file(), f"no golden file {expected}; run with BULLETIN_UPDATE_GOLDEN=1"
    assert got == expected.read_text(encoding="utf-8"), (
        f"{path} differs from {expected}; if intended, regenerate with BULLETIN_UPDATE_GOLDEN=1"
    )


def test_stats_page(built):
    page = html(built, "stats/2026/index.html")
    latest = html(built, "stats/index.html")
    assert main_of(page) == main_of(latest)  # /stats/ is the latest year
    assert '<link rel="canonical" href="/stats/2026/">' in latest
    assert 'href="/stats/2026.csv"' in page and 'href="/stats/2026.json"' in page
    assert 'href="/stats/2025/"' in page
    assert page.count('class="quarter met"') == 2  # alpha Q1, beta Q1
    assert page.count('class="quarter short"') == 3  # gamma, delta, office Q1
    assert "紧急信息首报迟报：事发后1小时30分钟才报送，超过1小时时限" in page
    assert page.count("全年未报送信息，积分为零") == 2


def test_charts_are_accessible_svg(built):
    page = html(built, "stats/2026/index.html")
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        ns = "{http://www.w3.org/2000/svg}"
        assert root.find(ns + "title").text and root.find(ns + "desc").text
        ids = root.get("aria-labelledby").split()
        assert {e.get("id") for e in root.iter() if e.get("id")} >= set(ids)
    assert "甲镇: 报送 5, 被采用 2" in svgs[0]
    assert "3月: 4" in svgs[1]
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_charts_have_a_title_and_axis_captions(built):
    """Every chart says what it shows (a visible title) and what its bars count."""
    for year in (2025, 2026):
        page = html(built, f"stats/{year}/index.html")
        figures = re.findall(r'<figure class="chart-figure">.*?</figure>', page, re.S)
        assert len(figures) == 2, year
        for fig in figures:
            caption = re.search(r'<figcaption class="chart-title"[^>]*>([^<]+)</figcaption>', fig)
            assert caption and str(year) in caption.group(1)
            assert re.search(r'class="axis-caption"[^>]*>信息数（条）<', fig)
        assert re.search(r'class="axis-caption"[^>]*>月份<', figures[1])


def test_months_to_come_are_not_drawn_as_zero(site, built):
    """On 20 May, June to December have no bar and no 0; the past year has all twelve."""
    months = re.findall(
        r'<figure class="chart-figure">.*?</figure>', html(built, "stats/2026/index.html"), re.S
    )[1]
    assert months.count("<rect") == 5  # January to May (May's 0 is a real 0)
    assert "5月: 0" in months and "6月: 尚未到来" in months and "12月: 尚未到来" in months
    assert ">12月</text>" in months  # the axis still shows the whole year
    assert months.count('<text class="value"') == 5
    past = re.findall(
        r'<figure class="chart-figure">.*?</figure>', html(built, "stats/2025/index.html"), re.S
    )[1]
    assert past.count("<rect") == 12 and "尚未到来" not in past
    # the build's today decides, e.g. 30 November: December is still to come
    late = reports.stats_charts(stats.year_stats(site, 2026, dt.date(2026, 11, 30)), site)
    assert late["months"].count("<rect") == 11 and "12月: 尚未到来" in late["months"]


def test_unit_dashboard(built):
    page = html(built, "units/alpha/index.html")
    dash = re.search(r'<section class="dashboard".*?</section>', page, re.S).group(0)
    assert "2026年报送情况" in dash
    assert "<dd>27</dd>" in dash and "第1名（共5个单位）" in dash
    assert re.findall(r'class="quarter (\w+)"', dash) == ["met", "open", "open", "open"]
    gamma = html(built, "units/gamma/index.html")
    assert re.findall(r'class="quarter (\w+)"', gamma) == ["short", "open", "open", "open"]


def test_no_dashboard_before_the_year_has_items(site):
    built = render_all(site, dt.date(2027, 2, 1))
    assert 'class="dashboard"' not in built["units/alpha/index.html"].decode()
    assert "stats/2027/index.html" not in built


def test_supervision_board(built):
    page = html(built, "supervision/index.html")
    overdue = re.search(r'<section class="supervision-overdue".*?</section>', page, re.S).group(0)
    assert "关于督办春季农业生产的通知" in overdue and "超期20天" in overdue
    soon = re.search(r'<section class="supervision-due-soon".*?</section>', page, re.S).group(0)
    assert "关于督办安全隐患排查的通知" in soon and "剩余5天" in soon
    assert "剩余72天" in page  # the open one, due 2026-07-31
    assert "用时57天，超期3天办结" in page  # done
    assert page.index("supervision-overdue") < page.index("supervision-done")


def test_home_lists_open_emergencies_and_overdue_supervision(built):
    page = html(built, "index.html")
    opened = re.search(r'<section class="open-threads".*?</section>', page, re.S).group(0)
    assert "甲镇一仓库发生火灾（首报）" in opened  # a follow-up, no final
    assert "甲镇一处供水主管道爆裂（首报）" in opened  # a first report alone
    assert "乙街道一处路面塌陷" not in opened  # finalised
    overdue = re.search(r'<section class="overdue-supervision".*?</section>', page, re.S)
    assert "关于督办春季农业生产的通知" in overdue.group(0)


def test_commendations_page(built):
    page = html(built, "commendations/index.html")
    assert "2026年表彰" in page and "甲镇党政办公室" in page and "李四" in page
    assert page.index("先进集体") < page.index("先进个人")
    assert 'href="/units/alpha/"' in page


def test_anthology(built):
    page = html(built, "anthology/2026/index.html")
    assert page.count('class="anthology-report"') == 1
    assert 'href="#r1"' in page and "关于乙街道老旧小区管理的调研报告" in page
    # the whole report, not a link; its own sections sit one level below its title
    report = re.search(r'<article class="anthology-report".*?</article>', page, re.S).group(0)
    assert re.findall(r"<h2\b[^>]*>([^<]*)</h2>", report) == ["关于乙街道老旧小区管理的调研报告"]
    assert "<h3>一、基本情况</h3>" in report
    index = html(built, "anthology/index.html")
    assert 'href="/anthology/2026/"' in index


def test_english_site_renders(tmp_path):
    site_dir = tmp_path / "rules"
    shutil.copytree(SITE, site_dir, ignore=shutil.ignore_patterns("expected", "public"))
    toml = site_dir / "site.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('language = "zh-CN"', 'language = "en"'),
        encoding="utf-8",
    )
    built = render_all(load_site(site_dir))
    page = built["stats/2026/index.html"].decode()
    assert "Statistics 2026" in page and "Criticism candidates" in page
    assert "reported 1 h 30 min after the event (limit 1 h)" in page
    assert "Rank" in built["units/alpha/index.html"].decode()


def test_empty_site_has_a_stats_page(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text('[units.a]\nname = "甲"\nkind = "town"\n', encoding="utf-8")
    built = render_all(load_site(tmp_path))
    assert "暂无统计数据" in built["stats/index.html"].decode()
    assert not [p for p in built if p.endswith((".json", ".csv"))]
    ET.fromstring(built["feed.xml"])


# --- the command line and a real build ---------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *args], capture_output=True, timeout=60, check=False
    )


def test_cli_stats_json_matches_export(built):
    proc = run_cli("stats", str(SITE), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout) == json.loads(built["stats/2026.json"])


def test_cli_stats_csv_year_and_today():
    proc = run_cli("stats", str(SITE), "--format", "csv", "--year", "2025")
    assert proc.returncode == 0 and proc.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(proc.stdout.decode("utf-8-sig"), newline="")))
    assert rows[1][:3] == ["1", "gamma", "丙局"]
    proc = run_cli("stats", str(SITE), "--format", "json", "--today", "2027-01-01")
    data = json.loads(proc.stdout)
    assert data["as_of"] == "2027-01-01"
    assert all(q["ended"] for u in data["units"] for q in u["quarters"])


def test_cli_stats_table():
    proc = run_cli("stats", str(SITE))
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "2026年信息工作统计" in out
    assert re.search(r"^\s+1\s+甲镇\*\s+5\b.*\b27\s+3/3 ✓", out, re.M)
    assert "丙局: 全年未报送信息，积分为零" in out
    assert SECRET_TITLE not in out


def test_cli_stats_exit_codes(tmp_path):
    assert run_cli("stats", str(tmp_path / "missing")).returncode == 2
    assert run_cli("stats", str(SITE), "--format", "xml").returncode == 2
    site_dir = tmp_path / "broken"
    shutil.copytree(SITE, site_dir, ignore=shutil.ignore_patterns("expected", "public"))
    (site_dir / "content" / "alpha" / "bad.md").write_text(
        "---\ntitle: 缺单位\ncategory: briefing\ndate: 2026-01-01\n---\n", encoding="utf-8"
    )
    proc = run_cli("stats", str(site_dir))
    assert proc.returncode == 1 and b"bad.md" in proc.stderr


def test_full_build(tmp_path):
    """The rule pages through the real build (a stub search page if none is packaged)."""
    from bulletin.build import BuildOptions, build

    site_dir = tmp_path / "rules"
    shutil.copytree(SITE, site_dir, ignore=shutil.ignore_patterns("expected", "public"))
    if not (templates.PACKAGED / "search.html").exists():
        (site_dir / "layouts").mkdir()
        (site_dir / "layouts" / "search.html").write_text(
            '{% extends "base.html" %}{% block content %}{% endblock %}', encoding="utf-8"
        )
    out = tmp_path / "out"
    result = build(site_dir, BuildOptions(output=out, search=False))
    assert result.ok, [d.format("en") for d in result.diagnostics]
    assert (out / "stats" / "2026.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert json.loads((out / "stats" / "2026.json").read_bytes())["units"][0]["id"] == "alpha"
    assert (out / "units" / "alpha" / "feed.xml").is_file()
    assert "2026年信息工作统计" in (out / "stats" / "index.html").read_text(encoding="utf-8")
