"""plan: pages, their deps and fingerprints, and the planners."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import copy_basic_site

from bulletin import model
from bulletin.build import load_site
from bulletin.config import load_config
from bulletin.plan import pages
from bulletin.plan.page import Page, body_slugs, fingerprints

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> model.Site:
    loaded, _ = load_site(load_config(copy_basic_site(tmp_path_factory.mktemp("p") / "s")))
    return loaded


def test_every_output_path_is_planned_once_with_its_planner(site: model.Site) -> None:
    planned = pages.plan_with_planners(site, TODAY)
    paths = [p.path for _planner, p in planned]
    assert len(paths) == len(set(paths))
    assert {"index.html", "feed.xml", "search/index.html"} <= set(paths)
    assert {planner for planner, _p in planned} <= set(pages.planners())
    item = site.items[0]
    assert f"items/{item.slug}/index.html" in paths


def test_fingerprints_follow_exactly_the_deps(site: model.Site) -> None:
    a, b = site.items[0], site.items[1]
    body = Page("x", "t", {}, (f"item:{a.slug}",))
    meta = Page("y", "t", {}, (f"meta:{a.slug}",))
    every = Page("z", "t", {}, ("all-items",))
    before = fingerprints(site, [body, meta, every], "base")
    new_body = model.with_bodies(site, {a.slug: ("other-key", a.chars)})
    after = fingerprints(new_body, [body, meta, every], "base")
    assert after["x"] != before["x"] and after["y"] == before["y"] and after["z"] == before["z"]
    moved = replace(site, items=(replace(b, meta_key="changed"), *site.items[2:]))
    assert fingerprints(moved, [every], "base")["z"] != before["z"]
    assert fingerprints(site, [body], "other base")["x"] != before["x"]
    assert body_slugs(Page("f", "t", {}, (f"item:{a.slug}", "meta:x", "all-items"))) == [a.slug]


def test_plan_some_plans_those_pages_as_the_full_plan_does(site: model.Site) -> None:
    full = {p.path: p for p in pages.plan_pages(site, TODAY)}
    slug = site.items[0].slug
    wanted = {f"items/{slug}/index.html", "feed.xml"}
    some = pages.plan_some(site, TODAY, wanted, [slug], pages.planners())
    assert {p.path for p in some} == wanted
    assert all(p.deps == full[p.path].deps for p in some)


def test_a_page_context_is_made_only_when_asked(tmp_path: Path) -> None:
    calls: list[int] = []
    page = Page("a", "t", lambda: calls.append(1) or {"x": 1})
    assert calls == []
    assert page.make_context() == {"x": 1} and calls == [1]
