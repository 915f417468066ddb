"""The page plan: every output file, its template, its context and what it depends on.

Add a page type here: a planner (a function ``(site, today)`` yielding ``Page`` objects,
see ``plan/page.py`` for their ``deps``), listed in ``PLANNERS``. Statistics, exports,
supervision, honours and the anthology are planned in ``plan/reports.py``, feeds in
``plan/feeds.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from .. import stats
from ..model import Item, Site, Unit
from ..urls import out_path, section_url
from . import deps
from .documents import DOCUMENT_PLANNERS
from .feeds import feed_pages
from .page import Page, Planner
from .reports import REPORT_PLANNERS

HOME_LATEST = 30


def by_year(items: list[Item]) -> list[tuple[int, list[Item]]]:
    return [(year, list(group)) for year, group in groupby(items, key=lambda i: i.year)]


def item_pages(site: Site, today: dt.date, slugs: Iterable[str] | None = None) -> Iterable[Page]:
    """Every item's page, or only the pages of ``slugs``."""
    base = site.config.base_path
    chosen = site.items if slugs is None else [i for s in slugs if (i := site.item(s))]
    for item in chosen:
        thread = site.thread_of(item)
        others = tuple(deps.meta(i.slug) for i in thread.items if i is not item) if thread else ()
        yield Page(
            out_path(item.url, base),
            "item.html",
            {
                "item": item,
                "thread": thread,
                "page_url": item.url,
                # only a first report is judged on time (双报制: follow-ups come later)
                "late": (
                    stats.is_late(item, site)
                    if item.occurred and item.reported and item.follow_up_of is None
                    else None
                ),
            },
            # meta: what bulletin issues add to it (adoptions, links) is not in its file
            (deps.item(item.slug), deps.meta(item.slug), *others),
            "item",
        )


def list_pages(site: Site, today: dt.date) -> Iterable[Page]:
    base = site.config.base_path

    @functools.cache
    def this_year() -> stats.YearStats | None:
        """The unit dashboards: this year's figures, once the year has a published item."""
        if today.year not in stats.stats_years(site):
            return None
        return stats.year_stats(site, today.year, today)

    def unit_context(unit: Unit) -> dict[str, Any]:
        items = site.items_of_unit(unit.id)
        figures = this_year()
        return {
            "unit": unit,
            "items": items,
            "years": by_year(items),
            "page_url": unit.url,
            "dashboard": figures.unit(unit.id) if figures else None,
            "dashboard_units": len(stats.assessed_units(site)),
        }

    # a unit's dashboard shows this year's figures (once the year has a published item)
    dashboard = (deps.stats_year(today.year),)
    for unit in site.units:
        yield Page(
            out_path(unit.url, base),
            "unit.html",
            functools.partial(unit_context, unit),
            deps.cards(site.items_of_unit(unit.id)) + dashboard,
            "unit",
        )
    for category in site.categories:
        items = site.items_of_category(category.id)
        yield Page(
            out_path(category.url, base),
            "category.html",
            {
                "category": category,
                "items": items,
                "years": by_year(items),
                "page_url": category.url,
            },
            deps.cards(items),
            "category",
        )
    for level in site.levels:
        items = site.items_adopted_at(level.id)
        yield Page(
            out_path(level.url, base),
            "adopted.html",
            {"level": level, "items": items, "years": by_year(items), "page_url": level.url},
            deps.cards(items),
            "adopted",
        )


def home_page(site: Site, today: dt.date) -> Iterable[Page]:
    base = site.config.base_path
    yield Page(
        "index.html",
        "index.html",
        lambda: {
            "latest": list(site.items[:HOME_LATEST]),
            "open_threads": stats.open_emergencies(site),
            "overdue": [e for e in stats.supervision(site, today) if e.state == "overdue"],
            "counts_by_unit": {u.id: len(site.items_of_unit(u.id)) for u in site.units},
            "counts_by_category": {
                c.id: len(site.items_of_category(c.id)) for c in site.categories
            },
            "page_url": base,
        },
        (
            *deps.cards(site.items[:HOME_LATEST]),
            deps.OPEN_THREADS,
            deps.SUPERVISION,
            deps.COUNTS,
        ),
        "home",
    )
    yield Page(
        "units/index.html",
        "units.html",
        {
            "counts": {u.id: len(site.items_of_unit(u.id)) for u in site.units},
            "page_url": section_url(base, "units"),
        },
        (deps.COUNTS,),
        "units",
    )
    yield Page(
        "categories/index.html",
        "categories.html",
        {
            "counts": {c.id: len(site.items_of_category(c.id)) for c in site.categories},
            "level_counts": {lv.id: len(site.items_adopted_at(lv.id)) for lv in site.levels},
            "page_url": section_url(base, "categories"),
        },
        (deps.COUNTS,),
        "categories",
    )
    yield Page(
        "search/index.html",
        "search.html",
        {"page_url": section_url(base, "search")},
        ("config",),
        "search",
    )


def report_pages(site: Site, today: dt.date) -> Iterable[Page]:
    """Statistics, exports, supervision, honours, anthology (plan/reports.py) and feeds."""
    for planner in (*REPORT_PLANNERS, feed_pages):
        yield from planner(site, today)


PLANNERS: tuple[Planner, ...] = (home_page, item_pages, list_pages, report_pages)


def planners() -> tuple[Planner, ...]:
    """PLANNERS with report_pages spelled out into its own planners, then the office's
    documents (``plan.documents``: issues, circulars, PDFs)."""
    reports = (*REPORT_PLANNERS, feed_pages)
    spelled = tuple(q for p in PLANNERS for q in (reports if p is report_pages else (p,)))
    return spelled + DOCUMENT_PLANNERS


def plan_pages(site: Site, today: dt.date) -> list[Page]:
    """All pages of the site, in a stable order, each output path exactly once.

    ``today`` decides open and overdue states, so a build is reproducible.
    """
    return [page for _planner, page in plan_with_planners(site, today)]


def plan_with_planners(site: Site, today: dt.date) -> list[tuple[Planner, Page]]:
    """``plan_pages``, each page with the planner that made it."""
    pages = [(planner, p) for planner in planners() for p in planner(site, today)]
    seen: dict[str, Page] = {}
    for _planner, page in pages:
        if page.path in seen:
            raise ValueError(f"two pages write {page.path}: {seen[page.path].kind} and {page.kind}")
        seen[page.path] = page
    return pages


def plan_some(
    site: Site,
    today: dt.date,
    paths: set[str],
    slugs: Iterable[str],
    chosen_planners: Iterable[Planner],
) -> list[Page]:
    """The pages of ``paths`` only, as ``plan_pages`` plans them, running only
    ``chosen_planners``; item pages are planned only for ``slugs``."""
    chosen: list[Page] = []
    for planner in chosen_planners:
        made = item_pages(site, today, slugs) if planner is item_pages else planner(site, today)
        chosen.extend(p for p in made if p.path in paths)
    return chosen
