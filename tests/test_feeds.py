"""Atom 1.0 feeds of the fixture site ``tests/sites/rules``, validated by parsing."""

from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bulletin import content, model, templates
from bulletin.config import load_config
from bulletin.model import Site
from bulletin.plan import feeds, pages

SITE = Path(__file__).parent / "sites" / "rules"
TODAY = dt.date(2026, 5, 20)
SECRET_TITLE = "乙街道涉密信息绝不外泄"
SECRET_SLUG = "2026-05-02-b6-secret"

A = "{http://www.w3.org/2005/Atom}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def load_site(root: Path = SITE) -> Site:
    config = load_config(root)
    files, problems = content.discover(config)
    sources = []
    for path, rel in files:
        result = content.read_item(path.read_bytes(), rel, config)
        problems += list(result.diagnostics)
        if result.item is not None:
            sources.append(result.item)
    site, _withheld, more = model.build_site(config, sources)
    assert not [p for p in problems + more if p.is_error]
    return site


def render_all(site: Site, today: dt.date = TODAY) -> dict[str, bytes]:
    """The feeds of the plan, rendered without the build pipeline: path → bytes."""
    env = templates.make_environment(site.config)
    return {
        page.path: templates.render(
            env, page.template, {"site": site, "today": today, **page.make_context()}, site.config
        ).encode()
        for page in pages.plan_pages(site, today)
        if page.kind == "feed"
    }


def parse(data: bytes) -> ET.Element:
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    root = ET.fromstring(data)
    assert root.tag == A + "feed"
    return root


def check_atom(root: ET.Element) -> list[ET.Element]:
    """The elements RFC 4287 requires, with valid dates; returns the entries."""
    for name in ("id", "title", "updated"):
        assert len(root.findall(A + name)) == 1, name
        assert root.findtext(A + name), name
    dt.datetime.fromisoformat(root.findtext(A + "updated"))
    assert root.find(A + "author/" + A + "name").text
    assert [ln.get("rel") for ln in root.findall(A + "link")] == ["self", "alternate"]
    entries = root.findall(A + "entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(A + name)) == 1 and entry.findtext(A + name), name
        moment = dt.datetime.fromisoformat(entry.findtext(A + "updated"))
        assert moment.tzinfo is not None
        link = entry.find(A + "link")
        assert link.get("rel") == "alternate" and link.get("href")
        assert entry.find(A + "author/" + A + "name").text
        assert entry.find(A + "content").get("type") == "html"
    ids = [e.findtext(A + "id") for e in entries]
    assert len(set(ids)) == len(ids)
    return entries


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return render_all(load_site())


def test_every_feed_is_valid_atom(built):
    feeds = [p for p in built if p.endswith("feed.xml")]
    assert len(feeds) == 1 + 5 + 6  # site, units, categories
    for path in feeds:
        check_atom(parse(built[path]))


def test_site_feed(built):
    root = parse(built["feed.xml"])
    entries = check_atom(root)
    # 19 files: minus the draft and the classified item
    assert len(entries) == 17
    assert root.findtext(A + "updated") == "2026-05-10T00:00:00+08:00"  # the newest item
    assert entries[0].findtext(A + "title") == "关于督办防汛准备工作的通知"
    dates = [e.findtext(A + "updated") for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert root.findtext(A + "title") == "规则测试站"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert all(e.findtext(A + "id").startswith("urn:uuid:") for e in entries)
    assert root.find(A + "link[@rel='self']").get("href") == "/feed.xml"
    assert root.get(XML_BASE) is None


def test_entry_content(built):
    root = parse(built["feed.xml"])
    entry = next(
        e
        for e in root.findall(A + "entry")
        if e.findtext(A + "title") == "关于乙街道老旧小区管理的调研报告"
    )
    assert entry.findtext(A + "summary") == "老旧小区改后失管，建议街道统筹。"
    assert "<h2>一、基本情况</h2>" in entry.findtext(A + "content")
    assert entry.find(A + "category").attrib == {"term": "research", "label": "调研报告"}
    assert entry.findtext(A + "author/" + A + "name") == "乙街道"
    assert entry.find(A + "link").get("href") == "/items/2026-03-01-b2-diaoyan/"


def test_unit_and_category_feeds(built):
    alpha = check_atom(parse(built["units/alpha/feed.xml"]))
    assert len(alpha) == 6
    beta = check_atom(parse(built["units/beta/feed.xml"]))
    assert len(beta) == 4  # not the draft, not the classified item
    emergency = check_atom(parse(built["categories/emergency/feed.xml"]))
    assert len(emergency) == 5
    delta = parse(built["units/delta/feed.xml"])
    assert check_atom(delta) == []
    assert delta.findtext(A + "updated") == "2026-05-10T00:00:00+08:00"  # site's newest item
    assert delta.find(A + "link[@rel='alternate']").get("href") == "/units/delta/"


def test_feeds_never_carry_withheld_or_draft_items(built):
    for path, data in built.items():
        if path.endswith(".xml"):
            text = data.decode()
            assert SECRET_TITLE not in text and SECRET_SLUG not in text
            assert "草稿" not in text


def test_ids_are_stable(built):
    again = render_all(load_site())
    for path in built:
        if path.endswith(".xml"):
            assert again[path] == built[path]


def absolute_site(tmp_path: Path, base: str):
    site_dir = tmp_path / "rules"
    shutil.copytree(SITE, site_dir, ignore=shutil.ignore_patterns("expected", "public"))
    toml = site_dir / "site.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('base_url = "/"', f'base_url = "{base}"'),
        encoding="utf-8",
    )
    return load_site(site_dir)


def test_absolute_urls_with_an_absolute_base_url(tmp_path):
    base = "https://intranet.example/bulletin/"
    built = render_all(absolute_site(tmp_path, base), TODAY)
    root = parse(built["feed.xml"])
    entries = check_atom(root)
    assert root.findtext(A + "id") == base + "feed.xml"
    assert root.find(A + "link[@rel='self']").get("href") == base + "feed.xml"
    assert root.find(A + "link[@rel='alternate']").get("href") == base
    assert root.get(XML_BASE) == base
    for entry in entries:
        href = entry.find(A + "link").get("href")
        assert href.startswith(base + "items/")
        assert entry.findtext(A + "id") == href
    unit = parse(built["units/alpha/feed.xml"])
    assert unit.find(A + "link[@rel='self']").get("href") == base + "units/alpha/feed.xml"


def test_path_base_url(tmp_path):
    built = render_all(absolute_site(tmp_path, "/bulletin/"), TODAY)
    root = parse(built["feed.xml"])
    assert root.find(A + "link[@rel='self']").get("href") == "/bulletin/feed.xml"
    hrefs = [e.find(A + "link").get("href") for e in root.findall(A + "entry")]
    assert all(h.startswith("/bulletin/items/") for h in hrefs)


def test_feed_keeps_the_newest_fifty(tmp_path):
    (tmp_path / "site.toml").write_text('[units.a]\nname = "甲"\nkind = "town"\n', encoding="utf-8")
    folder = tmp_path / "content" / "a"
    folder.mkdir(parents=True)
    start = dt.date(2026, 1, 1)
    for n in range(feeds.FEED_LIMIT + 10):
        day = start + dt.timedelta(days=n)
        (folder / f"i{n:03d}.md").write_text(
            f"---\ntitle: 信息{n}\nunit: a\ncategory: briefing\ndate: {day}\n---\n正文\n",
            encoding="utf-8",
        )
    built = render_all(load_site(tmp_path), TODAY)
    entries = check_atom(parse(built["feed.xml"]))
    assert len(entries) == feeds.FEED_LIMIT
    assert entries[0].findtext(A + "title") == f"信息{feeds.FEED_LIMIT + 9}"
    assert entries[-1].findtext(A + "title") == "信息10"
